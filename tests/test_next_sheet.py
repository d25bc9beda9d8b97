"""The next sheet: a third, made-up sheet added to a copy of data/ the way
data/README.md says ("Adding a sheet") is picked up with no code change.

TEST FIXTURE: the sheet below and every figure in it are fictional. It stands for a
sheet that completes 2025 (October-December) and starts 2026 (January-March). Its
figures are chosen by hand so that the sums hold: 2025 becomes 2.397 (2025.txt:240)
+ 300 + 310 + 290 = 3.297 (Fedasil 2.351 + 880 = 3.231, DVZ 46 + 20 = 66); 2026 is
250 + 260 + 270 = 780 (Fedasil 762, DVZ 18).
"""
import csv
import datetime as dt

import pytest

from bot.cli import main as cli_main
from conftest import run_cli
from intents import data as data_module
from intents.pipeline import Pipeline

FIXTURE = "test-fixture-vrijwillige-terugkeer-2026.txt"
TITLE = "Vrijwillige terugkeer in 2026 (TEST FIXTURE)"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
SHEET = [
    "TEST FIXTURE: fictional figures, not a Fedasil publication (tests/test_next_sheet.py)",  # 1
    "VRIJWILLIGE TERUGKEER IN 2026",  # 2
    "Oktober 2025 295 5 300",  # 3
    "November 2025 300 10 310",  # 4
    "December 2025 285 5 290",  # 5
    "Totaal 2025 3231 66 3297*",  # 6
    "Januari 2026 245 5 250",  # 7
    "Februari 2026 255 5 260",  # 8
    "Maart 2026 262 8 270",  # 9
    "Totaal 2026 (jan-maart) 762 18 780*",  # 10
    "Brazilië 200",  # 11
    "Moldavië 100",  # 12
    "Syrië 50",  # 13
    "* Dit cijfer omvat niet het vrijwillig vertrek in het kader van de Dublin-conventie",  # 14
]
MONTHS = [(2025, 10, 295, 5, 300, 3), (2025, 11, 300, 10, 310, 4), (2025, 12, 285, 5, 290, 5),
          (2026, 1, 245, 5, 250, 7), (2026, 2, 255, 5, 260, 8), (2026, 3, 262, 8, 270, 9)]


def _append(directory, table, rows):
    with (directory / f"{table}.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _rewrite(directory, table, change):
    path = directory / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = [r for r in (change(r) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _footnote(row):
    """The procedure's footnote step: the notes that ran to 2025 now run to 2026; the
    partial-year note moves from 2025 to 2026."""
    if row[0] == "partial_2025":
        return None
    row[2] = row[2].replace("2013-2025", "2013-2026").replace("2019-2025", "2019-2026") \
        .replace("2020-2025", "2020-2026").replace("countries:2025", "countries:2025-2026")
    return row


SOURCE = "test-fixture-2026"


def _observation(start, end, value, line, org="total", country="", basis="", mark="", label=""):
    return ["returns", start, end, org, country, basis, "", "count", value, "", "", mark, label, SOURCE, line, ""]


@pytest.fixture
def third_sheet(data_copy):
    (data_copy / "sources" / FIXTURE).write_text("\n".join(SHEET) + "\n", encoding="utf-8")
    _append(data_copy, "sources", [[SOURCE, "fact_sheet", 2026, "Fedasil", "Fedasil/IOM/DVZ", "", FIXTURE, TITLE,
                                    "", "", "", "", ""]])
    _append(data_copy, "observations", [
        _observation("2025-01", "2025-12", 3297, 6, mark="*"), _observation("2025-01", "2025-12", 3231, 6, "fedasil"),
        _observation("2025-01", "2025-12", 66, 6, "dvz"),
        _observation("2026-01", "2026-03", 780, 10, mark="*"), _observation("2026-01", "2026-03", 762, 10, "fedasil"),
        _observation("2026-01", "2026-03", 18, 10, "dvz"),
        *[_observation(f"{y}-{m:02d}", f"{y}-{m:02d}", v, line, org) for y, m, f, d, t, line in MONTHS
          for org, v in (("fedasil", f), ("dvz", d), ("total", t))],
        *[_observation("2026-01", "2026-03", v, line, country=iso, basis="nationality", label=name)
          for iso, name, v, line in (("BR", "Brazilië", 200, 11), ("MD", "Moldavië", 100, 12), ("SY", "Syrië", 50, 13))],
    ])
    _rewrite(data_copy, "footnotes", _footnote)
    _append(data_copy, "footnotes", [["partial_2026", "", "yearly:2026;organisation:2026;countries:2026",
                                      "TEST FIXTURE: januari-maart 2026.", "TEST FIXTURE : janvier-mars 2026.",
                                      "TEST FIXTURE: the 2026 figures cover January to March.", SOURCE, 10]])
    return data_copy


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
    assert "3,297" in year and "3,231" in year and "66" in year and "2,397" not in year
    assert [f.sources for f in reply.answer.figures if f.value == 3297] == [(f"{FIXTURE}:6",)]
    # the 2025 sheet's January-September (2025.txt:240, split 2025.txt:161), named as what it is
    assert "2,397" in part and "January-September 2025" in part and "Vrijwillige terugkeer in 2025" in part
    assert "¹" in year and "²" not in year  # the part-year note marks the part line only
    assert TITLE in reply.text


def test_both_figures_of_2025_are_kept(third_sheet):
    """The whole year is another figure than January-September: neither supersedes the other."""
    dataset = data_module.load(third_sheet)
    of_2025 = sorted((o.end, o.value, o.ref) for o in dataset.used
                     if o.start == (2025, 1) and o.end != o.start and o.org == "total" and o.country is None
                     and o.category is None)
    assert of_2025 == [((2025, 9), 2397, f"{S25}:240"), ((2025, 12), 3297, f"{FIXTURE}:6")]
    assert not [old for old, new in dataset.superseded if FIXTURE in old.ref or FIXTURE in new.ref]


def test_coverage_follows_the_data(ask3):
    text = ask3("what period does the data cover").text
    assert "2007-2026" in text and "January-March 2026" in text
    assert "January-September 2025" not in text
    lists = ask3("top 0 countries").text
    # the four latest lists (data/observations.csv: the 2023 and 2024 releases, the 2025 sheet, the fixture)
    assert "6 nationalities (January-September 2025) and 3 nationalities (January-March 2026)" in lists


def test_latest_year_and_last_year_follow_the_data(ask3):
    latest = ask3("how many returns")
    assert "780" in latest.text and "January-March 2026" in latest.text
    assert "partial_2026" in latest.answer.footnotes
    assert "3,297" in ask3("how many returns last year").text  # today 2026-06-01: last year is 2025
    top = ask3("top 3 nationalities")
    assert "Brazil: 200" in top.text and "Syria: 50" in top.text


def test_series_and_partial_flag_follow_the_data(ask3):
    text = ask3("trend since 2020").text
    assert "2025: 3,297" in text and "January-March 2026: 780" in text
    # the change is between whole years only: 1.847 (2020.txt:63) to 3.297
    assert "From 1,847 in 2020 to 3,297 in 2025" in text
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
    assert "partial year 2025: months 1-9 only (factsheet-2025)" in result.stdout  # 2025.txt:240 "(jan-sept)"
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
