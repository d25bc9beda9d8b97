"""The next sheet: a third, made-up sheet (tests/support/fixture_sheet.py) added to a copy of data/
the way data/README.md says ("Adding a publication") is picked up with no code change.
"""
import datetime as dt

import pytest

from bot.cli.main import main as cli_main
from conftest import run_cli
from fixture_sheet import FIXTURE, SHEET, SOURCE, TITLE, add_third_sheet
from intents import data as data_module
from intents.pipeline import Pipeline

S25 = "fedasil-vrijwillige-terugkeer-2025.txt"


@pytest.fixture
def third_sheet(data_copy):
    return add_third_sheet(data_copy)


@pytest.fixture
def ask3(third_sheet):
    pipeline = Pipeline.load(third_sheet)

    def _ask(question, today=dt.date(2026, 6, 1), **kw):
        return pipeline.ask(question, today=today, **kw)
    return _ask


def test_the_whole_year_is_given_and_the_part_year_named_beside_it(ask3):
    reply = ask3("how many returns in 2025")
    year, part = reply.text.split("\n")[:2]
    # the whole year from the newer sheet, with its split (3.231 + 66, fixture line 6)
    assert "3,122" in year and "3,056" in year and "66" in year and "2,397" not in year
    assert [f.sources for f in reply.answer.figures if f.value == 3122] == [(f"{FIXTURE}:6",)]
    # the 2025 sheet's January-September (2025.txt:240, split 2025.txt:161), named as what it is
    assert "2,397" in part and "January-September 2025" in part and "Vrijwillige terugkeer in 2025" in part
    assert "¹" in year and "²" not in year  # the part-year note marks the part line only
    assert TITLE in reply.text


def test_both_figures_of_2025_are_kept(third_sheet):
    """The whole year is another figure than January-September: neither supersedes the other."""
    dataset = data_module.load(third_sheet)
    of_2025 = sorted((o.end, o.value, o.ref) for o in dataset.used
                     if o.start == (2025, 1) and o.end != o.start and o.org == "total" and o.country is None
                     and o.category is None and o.measure == "returns" and o.unit == "count")
    assert of_2025 == [((2025, 9), 2397, f"{S25}:240"), ((2025, 12), 3122, f"{FIXTURE}:6")]
    assert f"{S25}:240" not in {old.ref for old, _ in dataset.superseded}


def test_coverage_follows_the_data(ask3):
    text = ask3("what period does the data cover").text
    assert "2007-2026" in text and "January-March 2026" in text
    assert "January-September 2025" not in text
    lists = ask3("top 0 countries").text
    assert "and 3 nationalities (January-March 2026)" in lists  # the fixture's list, the latest


def test_latest_year_and_last_year_follow_the_data(ask3):
    latest = ask3("the latest figures on returns")
    assert "780" in latest.text and "January-March 2026" in latest.text
    assert f"partial_{SOURCE}_2026-01..2026-03" in latest.answer.footnotes
    assert "3,122" in ask3("how many returns last year").text  # today 2026-06-01: last year is 2025
    top = ask3("top 3 nationalities")
    assert "Brazil: 200" in top.text and "Syria: 50" in top.text


def test_series_and_partial_flag_follow_the_data(ask3):
    text = ask3("trend since 2020").text
    assert "2025: 3,122" in text and "January-March 2026: 780" in text
    # the change is between whole years only: 1.847 (2020.txt:63) to 3.297
    assert "From 1,847 in 2020 to 3,122 in 2025" in text
    partial = ask3("why is the data incomplete").text
    assert "January-March 2026" in partial and "April-December 2026" in partial
    assert "2025" not in partial.split("\n\n")[0]


def test_data_check_on_the_third_sheet(third_sheet, capsys):
    assert cli_main(["data", "check", str(third_sheet)]) == 0
    out = capsys.readouterr().out
    assert "partial year 2026: months 1-3 only (test-fixture-2026)" in out
    assert "partial year 2025" not in out
    assert "countries 2026-01..2026-03: top 3 nationality, counts (test-fixture-2026)" in out
    assert f"{SOURCE}: fact_sheet \"{TITLE}\"" in out


def test_data_check_on_the_bundled_data():
    result = run_cli("data", "check")
    assert result.returncode == 0, result.stderr
    assert "yearly totals: 2007-2025" in result.stdout
    assert "split by organisation (fedasil, dvz): 2012, 2020, 2025" in result.stdout
    assert "countries 2020: top 10 destination, counts + other (factsheet-2020)" in result.stdout
    assert "profile 2025-01..2025-09: percentages only (factsheet-2025)" in result.stdout
    # the 2023 release's headline rounds what the 2025 sheet gives exactly (2025.txt:244 "2023: 2 952")
    assert "sources disagree: returns 2023: 3000 in " in result.stdout
    assert "2952 in fedasil-vrijwillige-terugkeer-2025.txt:244 (the latter is used)" in result.stdout


def test_data_check_refuses_damaged_data(third_sheet):
    (third_sheet / "sources" / FIXTURE).write_text("\n".join(SHEET[:5]) + "\n", encoding="utf-8")  # lines 6-14 gone
    result = run_cli("data", "check", str(third_sheet))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "rule 'source-ref'" in result.stderr


def test_the_latest_publication_and_the_reach_follow_the_new_sheet(ask3, third_sheet):
    """No template says up to when the figures reach: the new sheet's months (January-March
    2026, fixture lines 7-9) move it, and the undated sheet counts as published after them."""
    reply = ask3("what is the latest publication?")
    assert reply.status == "ok" and TITLE in reply.text.splitlines()[0], reply.text
    assert "The figures reach up to March 2026 (month by month up to March 2026)" in reply.text
    assert "December 2025" not in Pipeline.load(third_sheet).reach("en")
