"""An answer's figures as CSV (bot/export.py) and `returnbot ask --csv`: one row per figure
with its months, breakdown, value, unit, published or calculated, and where it was read;
the whole observation table for download. The figures are written by hand from the
publications."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from pathlib import Path

import pytest

from bot.export import ANSWER_COLUMNS, DATA_COLUMNS, answer_csv, data_csv
from conftest import run_cli

DEC_2026 = dt.date(2026, 12, 7)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def table(pipeline, question: str, **kw) -> list[dict[str, str]]:
    reply = pipeline.ask(question, today=DEC_2026, **kw)
    return rows_of(answer_csv(reply.answer, reply.renderer))


def test_months_of_2020_one_row_per_figure_each_with_its_line(pipeline):
    rows = table(pipeline, "per maand 2020")
    totals = [r for r in rows if r["organisation"] == "total"]
    # The answer states each month's total and its split: 12 totals, 12 Fedasil, 12 DVZ.
    assert len(totals) == 12 and len(rows) == 36
    assert [r["start"] for r in totals] == [f"2020-{m:02d}" for m in range(1, 13)]
    assert all(r["start"] == r["end"] and r["status"] == "published" and r["unit"] == "count" for r in rows)
    assert all(r["source"] == "factsheet-2020" and r["locator"].isdigit() for r in rows)
    march = next(r for r in totals if r["start"] == "2020-03")
    assert (march["value"], march["reference"]) == ("112", "fedasil-vrijwillige-terugkeer-2020.txt:43")
    april = {r["organisation"]: r["value"] for r in rows if r["start"] == "2020-04"}
    assert april == {"total": "61", "fedasil": "61", "dvz": "0"}   # 2020.txt:45
    # The months of the sheet add up to its year (1,847, 2020.txt:63).
    assert sum(int(r["value"]) for r in totals) == 1847


def test_a_year_from_the_release_and_part_of_it_from_the_sheet(pipeline):
    rows = table(pipeline, "how many returned in 2025?")
    year = next(r for r in rows if (r["start"], r["end"], r["organisation"]) == ("2025-01", "2025-12", "total"))
    assert (year["value"], year["source"], year["locator"]) == ("3122", "release-2026-02-03", "fr:p3")
    assert year["reference"].startswith("https://")
    part = next(r for r in rows if (r["start"], r["end"], r["organisation"]) == ("2025-01", "2025-09", "total"))
    assert (part["value"], part["source"]) == ("2397", "factsheet-2025")


def test_shares_are_calculated_percentages_with_both_their_sources(pipeline):
    rows = table(pipeline, "top 5 nationalities 2025")
    brazil = [r for r in rows if r["country"] == "BR" and r["start"] == "2025-01" and r["end"] == "2025-09"]
    count = next(r for r in brazil if r["kind"] == "count")
    share = next(r for r in brazil if r["kind"] == "share")
    assert (count["value"], count["status"], count["basis"], count["country_name"]) == \
        ("685", "published", "nationality", "Brazil")
    # 685 of 2,397 (January-September 2025), to two decimals; the answer shows 28.6%.
    assert (share["value"], share["unit"], share["status"]) == ("28.58", "percent", "calculated")
    assert share["source"] == "factsheet-2025;factsheet-2025" and len(share["locator"].split(";")) == 2


def test_country_names_in_the_readers_language_codes_and_numbers_machine_readable(pipeline):
    rows = table(pipeline, "top 5 nationaliteiten 2025")
    assert next(r for r in rows if r["country"] == "BR")["country_name"] == "Brazilië"
    assert all(NUMBER.fullmatch(r["value"]) for r in rows)   # dot decimals, no thousands separator


def test_a_published_percentage_is_written_as_printed(pipeline):
    rows = table(pipeline, "profile 2020")
    applicants = {r["unit"]: r["value"] for r in rows if r["category"] == "applicants"}
    assert applicants == {"percent": "20", "count": "367"}   # 2020.txt:136
    assert sum(1 for r in rows if r["category"] == "all") == 1   # the total the answer repeats, once


def test_an_answer_without_figures_is_the_header_alone(pipeline):
    text = answer_csv(pipeline.ask("vergelijk").answer, pipeline.renderer("nl"))
    assert text == ",".join(ANSWER_COLUMNS) + "\n"


def _corpus_questions():
    for path in sorted(CORPUS.glob("*.toml")):
        with path.open("rb") as fh:
            for case in tomllib.load(fh)["case"]:
                if not case.get("context"):
                    yield case["q"], dt.date.fromisoformat(case.get("today", "2026-11-22"))


def test_every_corpus_figure_has_its_source_and_its_months(pipeline):
    """Every figure of every corpus answer comes out with where it was read; all but the
    figures of a statement in words (the 2011 bus estimate) with the months they cover."""
    checked = 0
    for question, today in _corpus_questions():
        reply = pipeline.ask(question, today=today)
        for row in rows_of(answer_csv(reply.answer, reply.renderer)):
            checked += 1
            assert row["source"] and row["reference"] and NUMBER.fullmatch(row["value"]), (question, row)
            assert len(row["source"].split(";")) == len(row["locator"].split(";")) == \
                len(row["reference"].split(";")), (question, row)
            assert row["status"] in ("published", "calculated")
            if row["measure"]:
                assert MONTH.fullmatch(row["start"]) and MONTH.fullmatch(row["end"]), (question, row)
                assert row["start"] <= row["end"]
    assert checked > 1000


def test_the_observation_table_with_its_publications(pipeline):
    rows = rows_of(data_csv(pipeline.engine.dataset, pipeline.renderer("fr")))
    assert list(rows[0]) == list(DATA_COLUMNS)
    assert len(rows) == len(pipeline.engine.dataset.observations)
    march = next(r for r in rows if (r["start"], r["end"], r["organisation"], r["unit"]) ==
                 ("2020-03", "2020-03", "total", "count") and r["source"] == "factsheet-2020")
    assert (march["value"], march["locator"], march["used"]) == ("112", "43", "true")
    release = next(r for r in rows if r["source"] == "release-2026-02-03" and r["value"] == "3122")
    assert (release["source_kind"], release["source_published"]) == ("press_release", "2026-02-03")
    assert release["source_title"] == "3.122 retours volontaires en 2025" and release["source_url"].startswith("https")
    # A figure a later publication gives again is kept, marked as not the one used.
    assert {r["used"] for r in rows} == {"true", "false"}


# ---- returnbot ask --csv -------------------------------------------------------------------

def test_ask_csv_writes_the_figures_and_says_so(tmp_path):
    target = tmp_path / "out.csv"
    result = run_cli("ask", "--today", "2026-12-07", "--csv", str(target), "per maand 2020")
    assert result.returncode == 0 and result.stderr == f"CSV geschreven naar {target}\n"
    assert "Maart 2020: 112" in result.stdout
    rows = rows_of(target.read_text(encoding="utf-8"))
    totals = [r for r in rows if r["organisation"] == "total"]
    assert len(totals) == 12 and all(r["source"] == "factsheet-2020" and r["locator"] for r in totals)


@pytest.mark.parametrize("question", ["download all the data", "alle gegevens downloaden", "télécharger"])
def test_ask_csv_of_download_all_the_data_writes_the_observation_table(tmp_path, question, pipeline):
    target = tmp_path / "data.csv"
    result = run_cli("ask", "--csv", str(target), question)
    assert result.returncode == 0 and str(target) in result.stderr, result.stderr
    rows = rows_of(target.read_text(encoding="utf-8"))
    assert len(rows) == len(pipeline.engine.dataset.observations) and "used" in rows[0]
    # 2025.txt:161 "Totaal 2351 46 2397": January-September 2025 as the sheet prints it
    assert any(r["start"] == "2025-01" and r["end"] == "2025-09" and r["value"] == "2397" for r in rows)


def test_ask_csv_without_figures_writes_nothing(tmp_path):
    target = tmp_path / "none.csv"
    result = run_cli("ask", "--csv", str(target), "compare")
    assert result.returncode == 0 and result.stderr == "this answer has no figures to write\n"
    assert not target.exists()


@pytest.mark.parametrize("args,message", [
    (["-"], "--csv takes one question, not -"),
    (["per month 2020"], "cannot write"),
])
def test_ask_csv_refused_or_unwritable(tmp_path, args, message):
    result = run_cli("ask", "--csv", str(tmp_path / "missing-dir" / "out.csv"), *args, stdin="per month 2020\n")
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
