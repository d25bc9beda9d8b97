"""Damaged data is refused at start-up, naming the file, the row and the rule broken.

Each case damages a private copy of data/ (fixture data_copy) with one edit, then
checks that `intents.data.load(dir)` raises DataError(file, row, rule) and that the
command line refuses it: exit status 2, exactly one line on stderr naming file, row
and rule, no traceback. The CLI is run in-process (bot.cli.main) for every case, and
as a real subprocess (run_cli) for one case per table, to keep the suite fast.

Row numbers are lines of the CSV file (the header is row 1), worked out by hand from
data/*.csv; values and lines come from data/sources/*.txt. A figure is picked by the
columns that make it one (`Ob(...)` below).
"""
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli.main import main as cli_main
from conftest import run_cli
from intents import data as data_module
from intents.data import DataError, bundled

S20 = "fedasil-vrijwillige-terugkeer-2020.txt"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
QUESTION = "hoeveel in 2020"


# ---- edit functions: each returns a function that damages a data directory ----------------
def _load(directory: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with (directory / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _save(directory: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    (directory / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8")


def _matches(header, row, key):
    return all(row[header.index(k)] == str(v) for k, v in key.items())


def _only(header, rows, key):
    found = [r for r in rows if _matches(header, r, key)]
    assert len(found) == 1, f"edit key {key} matches {len(found)} rows"
    return found[0]


def set_cells(table, key, /, **values):
    def edit(d):
        header, rows = _load(d, table)
        row = _only(header, rows, key)
        for column, value in values.items():
            row[header.index(column)] = str(value)
        _save(d, table, header, rows)
    return edit


def delete_row(table, key):
    def edit(d):
        header, rows = _load(d, table)
        target = _only(header, rows, key)
        _save(d, table, header, [r for r in rows if r is not target])
    return edit


def duplicate_row(table, key):
    def edit(d):
        header, rows = _load(d, table)
        _save(d, table, header, rows + [list(_only(header, rows, key))])
    return edit


def append_row(table, /, **values):
    def edit(d):
        header, rows = _load(d, table)
        _save(d, table, header, rows + [[str(values[c]) for c in header]])
    return edit


def swap_rows(table, i, j):
    def edit(d):
        header, rows = _load(d, table)
        rows[i], rows[j] = rows[j], rows[i]
        _save(d, table, header, rows)
    return edit


def drop_column(table, column):
    def edit(d):
        header, rows = _load(d, table)
        i = header.index(column)
        _save(d, table, [c for j, c in enumerate(header) if j != i],
              [[c for j, c in enumerate(r) if j != i] for r in rows])
    return edit


def extra_cell(table, key):
    def edit(d):
        header, rows = _load(d, table)
        _only(header, rows, key).append("x")
        _save(d, table, header, rows)
    return edit


def remove(path):
    def edit(d):
        (d / path).unlink()
    return edit


def write_bytes(path, content: bytes):
    def edit(d):
        (d / path).write_bytes(content)
    return edit


def append_bytes(path, content: bytes):
    def edit(d):
        with (d / path).open("ab") as fh:
            fh.write(content)
    return edit


def duplicate_column(table, column):
    """The column given twice, the copy (last) holding other values: it must not silently win."""
    def edit(d):
        header, rows = _load(d, table)
        _save(d, table, header + [column], [r + ["0"] for r in rows])
    return edit


def grow(path, size):
    """The file made `size` bytes long (sparse: no time spent writing it)."""
    def edit(d):
        os.truncate(d / path, size)
    return edit


def header_only(table):
    def edit(d):
        header, _ = _load(d, table)
        _save(d, table, header, [])
    return edit


def reprint_line(source, number, old, new):
    """Change what a source text prints on one line (the line count stays the same)."""
    def edit(d):
        path = d / "sources" / source
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[number - 1].strip() == old, lines[number - 1]
        lines[number - 1] = new
        path.write_text("\n".join(lines), encoding="utf-8")
    return edit


def both(*edits):
    def edit(d):
        for e in edits:
            e(d)
    return edit


def Ob(start, end=None, org="total", source=None, **more):
    """An observations.csv key: a figure of returns over start..end (one month when end is left
    out), of the fact sheet of its years unless another publication is named."""
    key = {"measure": "returns", "start": start, "end": end or start, "organisation": org, "unit": "count",
           "country": "", "category": "", "qualifier": "",
           "source": source or ("factsheet-2020" if start < "2021" else "factsheet-2025"), **more}
    return key


def C(iso, year="2020"):
    """A country of a list: the 2020 list covers 2020-01..2020-12, the 2025 list 2025-01..2025-09."""
    return Ob(f"{year}-01", f"{year}-12" if year == "2020" else f"{year}-09", country=iso)


def P(category, year="2020", unit="count"):
    return Ob(f"{year}-01", f"{year}-12" if year == "2020" else f"{year}-09", category=category, unit=unit)


def _next_row(table):
    """The row number a row appended to a bundled table gets (the header is row 1)."""
    with (bundled() / f"{table}.csv").open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip()) + 1


NEXT_ROW, NEXT_SOURCE_ROW = _next_row("observations"), _next_row("sources")
WEB = dict(id="release-2099-01-01", kind="press_release", year=2098, publisher="Fedasil", credit="Fedasil",
           published="2099-01-01", file="", title_nl="TEST FIXTURE", title_fr="", title_en="", url_nl="",
           url_fr="https://example.test/release", url_en="")


def rank(iso, place):
    return dict(measure="returns", start="2098-01", end="2098-12", organisation="total", country=iso,
                basis="destination", category="", unit="rank", value=place, qualifier="", against="", mark="",
                label="", source=WEB["id"], locator="fr:p2", note="")


# (file named, edit, rule, row). observations.csv rows (worked out from the file): yearly totals
# 2007-2025 are rows 2-20 (year y is row y-2005); Fedasil/DVZ 2020 rows 21-22, 2025 rows 23-24;
# months 2019-01..12 rows 25-36; 2020 month m: fedasil 37+3(m-1), dvz 38+3(m-1), total 39+3(m-1);
# 2025 month m: fedasil 73+3(m-1), dvz 74+3(m-1), total 75+3(m-1); countries 2020 BR..RU rows
# 100-109, Andere 110; 2025 BR 111, MD 112, SY 113, TR 114, CO 115, GE 116; printed totals: countries
# 2020 row 117, profile 2020 row 118, profile 2025 (100%) row 119; profile 2020: applicants count
# 120, percent 121, rejected 122/123, irregular 124/125; profile 2025 percents 126-128 (128 the last).
# sources.csv: factsheet-2020 row 2, factsheet-2025 row 3. footnotes.csv: dublin 2,
# balkan_bus_2011 3, covid_2020 4, percent_sum_2025 5 (4 rows, 2-5). statements.csv: plane row 5.
CASES = [
    # ---- sources.csv ------------------------------------------------------------------
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, year="twenty"), "value", 2,
                 id="sources-garbage"),
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, kind="blog"), "value", 2,
                 id="sources-unknown-kind"),
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, published="2021-02-30"), "value", 2,
                 id="sources-date-not-on-the-calendar"),
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, url_nl="www.fedasil.be"), "value", 2,
                 id="sources-url-not-http"),
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, id="Fact Sheet"), "value", 2,
                 id="sources-bad-id"),
    pytest.param("sources.csv", remove("sources.csv"), "file-present", None, id="sources-missing-file"),
    pytest.param("sources.csv", drop_column("sources", "credit"), "columns", 1, id="sources-missing-column"),
    pytest.param("sources.csv", duplicate_row("sources", {"id": "factsheet-2025"}), "unique", NEXT_SOURCE_ROW,
                 id="sources-duplicate"),
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, title_nl=""), "title-present", 2,
                 id="sources-no-title"),
    pytest.param("sources.csv", remove(f"sources/{S25}"), "source-file", 3, id="sources-missing-source-text"),
    pytest.param("sources.csv", extra_cell("sources", {"id": "factsheet-2020"}), "columns", 2, id="sources-extra-cell"),
    # a credit line with no name in each language (credits.csv)
    pytest.param("sources.csv", set_cells("sources", {"id": "factsheet-2020"}, credit="Fedasil/IOM"), "credit-names", 2,
                 id="sources-credit-without-names"),
    pytest.param("credits.csv", remove("credits.csv"), "file-present", None, id="credits-missing-file"),
    # glossary.csv: dublin is row 7 (2020.txt:99-100), destination row 8 (2020.txt:95)
    pytest.param("glossary.csv", set_cells("glossary", {"id": "dublin"}, quote="Dublin-verordening"), "source-value", 7,
                 id="glossary-quote-not-printed"),
    pytest.param("glossary.csv", set_cells("glossary", {"id": "dublin"}, locator="99;999"), "source-ref", 7,
                 id="glossary-line-past-end"),
    pytest.param("glossary.csv", set_cells("glossary", {"id": "destination"}, terms_en="destination;nationality"),
                 "glossary-terms", 9, id="glossary-term-of-two-entries"),
    pytest.param("glossary.csv", set_cells("glossary", {"id": "dublin"}, defined="maybe"), "value", 7,
                 id="glossary-defined-not-yes-or-no"),
    pytest.param("credits.csv", set_cells("credits", {"credit": "Fedasil"}, fr=""), "required", 3,
                 id="credits-name-missing"),
    # ---- observations.csv: cells --------------------------------------------------------
    pytest.param("observations.csv", set_cells("observations", Ob("2020-03"), value="1l2"), "value", 45,
                 id="obs-garbage"),
    pytest.param("observations.csv", set_cells("observations", Ob("2019-01"), value="-197"), "value", 25,
                 id="obs-negative"),
    pytest.param("observations.csv", set_cells("observations", Ob("2019-01"), start="2019-13"), "value", 25,
                 id="obs-month-13"),
    pytest.param("observations.csv", set_cells("observations", Ob("2020-01", org="dvz"), organisation="ocmw"), "value",
                 38, id="obs-unknown-organisation"),
    pytest.param("observations.csv", set_cells("observations", Ob("2020-01", org="dvz"), unit="people"), "value", 38,
                 id="obs-unknown-unit"),
    pytest.param("observations.csv", set_cells("observations", Ob("2020-03"), value="112.5"), "value", 45,
                 id="obs-count-not-whole"),
    pytest.param("observations.csv", set_cells("observations", P("applicants", unit="percent"), value=120), "value",
                 121, id="obs-percent-over-100"),
    pytest.param("observations.csv", set_cells("observations", C("TR", "2025"), country="XX"), "value", 114,
                 id="obs-bad-iso"),
    pytest.param("observations.csv", remove("observations.csv"), "file-present", None, id="obs-missing-file"),
    pytest.param("observations.csv", drop_column("observations", "organisation"), "columns", 1,
                 id="obs-missing-column"),
    pytest.param("observations.csv", duplicate_row("observations", Ob("2019-05")), "unique", NEXT_ROW, id="obs-duplicate"),
    pytest.param("observations.csv", set_cells("observations", Ob("2025-01", "2025-09"), start="2025-09", end="2025-01"),
                 "period", 20, id="obs-period-backwards"),
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), unit="change"), "against", 11,
                 id="obs-change-against-nothing"),
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), value="-4267"), "value", 11,
                 id="obs-negative-count"),
    pytest.param("observations.csv", set_cells("observations", C("BR"), basis=""), "basis", 100,
                 id="obs-country-without-basis"),
    # ---- observations.csv: where the figure was read --------------------------------------
    # 2020.txt:74 is "2017: 3.827*", not 2016's 4.267
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), locator=74), "source-value",
                 11, id="obs-wrong-line"),
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), locator=999), "source-ref",
                 11, id="obs-line-past-end"),
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), locator="fr:p3"),
                 "source-ref", 11, id="obs-locator-not-a-line"),
    pytest.param("observations.csv", set_cells("observations", Ob("2016-01", "2016-12"), source="fedasil-2016"),
                 "source-id", 11, id="obs-unlisted-source"),
    pytest.param("observations.csv", set_cells("observations", C("BR"), label="Brasil"), "source-value", 100,
                 id="obs-label-not-printed"),
    # a web page cited by a paragraph of a language it has no URL for
    pytest.param("observations.csv", both(append_row("sources", **WEB),
                                          append_row("observations", **{**rank("BR", 1), "locator": "nl:p2"})),
                 "source-ref", NEXT_ROW, id="obs-paragraph-of-a-page-not-listed"),
    # ---- observations.csv: sums within one source ----------------------------------------
    # 2020.txt:43 "Maart 111 1 112 260": a total of 111 is printed there, but 111 + 1 != 111
    pytest.param("observations.csv", set_cells("observations", Ob("2020-03"), value=111), "organisations-add-up", 45,
                 id="obs-fedasil-plus-dvz-not-total"),
    pytest.param("observations.csv", delete_row("observations", Ob("2020-03", org="dvz")), "organisations-add-up", 44,
                 id="obs-half-a-split"),
    pytest.param("observations.csv", delete_row("observations", Ob("2020-03")), "total-present", 43,
                 id="obs-split-without-total"),
    # March 2019 read from the 2020 column (112, printed on 2020.txt:43): 2019's months no longer make 2.426
    pytest.param("observations.csv", set_cells("observations", Ob("2019-03"), value=112, locator=43), "months-add-up",
                 14, id="obs-months-not-year-total"),
    # Turkey printed as 318 (2025.txt:258 changed): the list is no longer in descending order
    pytest.param("observations.csv", both(reprint_line(S25, 258, "Turkije  118", "Turkije  318"),
                                          set_cells("observations", C("TR", "2025"), value=318)),
                 "rank-order", 114, id="obs-list-not-descending"),
    pytest.param("observations.csv", both(append_row("sources", **WEB), append_row("observations", **rank("BR", 1)),
                                          append_row("observations", **rank("MD", 3))),
                 "rank-sequence", NEXT_ROW + 1, id="obs-rank-gap"),
    # 2020.txt:129 "totaal 1.847" also reads as 847, which is not 2020's 1.847
    pytest.param("observations.csv", set_cells("observations", C("all"), value=847), "matches-total", 117,
                 id="obs-list-total-not-year-total"),
    # Brazil printed as 2.685 (2025.txt:252 changed): more than the 2.397 of the whole period
    pytest.param("observations.csv", both(reprint_line(S25, 252, "Brazilië  685", "Brazilië  2685"),
                                          set_cells("observations", C("BR", "2025"), value=2685)),
                 "within-total", 116, id="obs-countries-over-total"),
    # without Rusland (58) the top 10 + Andere make 1.789, not 1.847; Andere moves up to row 109
    pytest.param("observations.csv", delete_row("observations", C("RU")), "top-plus-other", 109,
                 id="obs-top-plus-other-not-total"),
    # no printed total and no total of the year: the "other" row (now row 109) has nothing to complete
    pytest.param("observations.csv", both(delete_row("observations", C("all")),
                                          delete_row("observations", Ob("2020-01", "2020-12"))),
                 "total-present", 109, id="obs-other-without-total"),
    pytest.param("observations.csv", set_cells("observations", C("GE", "2025"), basis="destination"), "one-basis",
                 116, id="obs-list-of-two-bases"),
    # 2025.txt:274 "27,2%" also reads as 2: 2 + 28.7 + 43.4 is far from 100
    pytest.param("observations.csv", set_cells("observations", P("applicants", "2025", "percent"), value=2),
                 "percent-sum", 128, id="obs-percent-sum"),
    pytest.param("observations.csv", append_row("observations", measure="returns", start="2025-01", end="2025-09",
                                                organisation="total", country="", basis="", category="applicants",
                                                unit="count", value=27, qualifier="", against="", mark="", label="",
                                                source="factsheet-2025", locator=274, note=""),
                 "counts-complete", NEXT_ROW, id="obs-some-counts"),
    pytest.param("observations.csv", delete_row("observations", P("all")), "total-present", 124,
                 id="obs-counts-without-total"),
    # the sheet and the table both say 377, but 377 + 441 + 1.039 is not 1.847
    pytest.param("observations.csv", both(reprint_line(S20, 136, "367 20", "377 20"),
                                          set_cells("observations", P("applicants"), value=377)),
                 "categories-add-up", 125, id="obs-categories-not-total"),
    # the sheet and the table both say 21 %, but 367 of 1.847 is 19.9 %
    pytest.param("observations.csv", both(reprint_line(S20, 136, "367 20", "367 21"),
                                          set_cells("observations", P("applicants", unit="percent"), value=21)),
                 "percent-matches-count", 121, id="obs-percent-not-count"),
    # the Dublin footnote covers yearly:2013-2025, not 2012
    pytest.param("observations.csv", set_cells("observations", Ob("2012-01", "2012-12"), mark="*"), "footnote-resolves",
                 7, id="obs-mark-without-footnote"),
    pytest.param("observations.csv", set_cells("observations", Ob("2011-01", "2011-12"), mark="***"), "value", 6,
                 id="obs-bad-mark"),
    # 2011's "**" has no footnote left
    pytest.param("observations.csv", delete_row("footnotes", {"id": "balkan_bus_2011"}), "footnote-resolves", 6,
                 id="footnotes-mark-unresolved"),
    # the Dublin note without its "*": 2013 is the first row marked "*"
    pytest.param("observations.csv", set_cells("footnotes", {"id": "dublin"}, mark=""), "footnote-resolves", 8,
                 id="footnotes-mark-removed"),
    # ---- statements.csv ---------------------------------------------------------------
    pytest.param("statements.csv", set_cells("statements", {"id": "plane"}, en="The return journey is by {plane}."),
                 "placeholders", 5, id="statements-unknown-placeholder"),
    # the quote is not on the line cited (2025.txt:19 prints "per vliegtuig")
    pytest.param("statements.csv", set_cells("statements", {"id": "plane"}, quote="per trein"),
                 "source-value", 5, id="statements-quote-not-printed"),
    pytest.param("statements.csv", set_cells("statements", {"id": "plane"}, source="factsheet-2099"), "source-id", 5,
                 id="statements-unlisted-source"),
    # ---- footnotes.csv ----------------------------------------------------------------
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, mark="***"), "value", 2,
                 id="footnotes-garbage-mark"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, en=" "), "required", 2,
                 id="footnotes-empty-text"),
    pytest.param("footnotes.csv", remove("footnotes.csv"), "file-present", None, id="footnotes-missing-file"),
    pytest.param("footnotes.csv", drop_column("footnotes", "applies_to"), "columns", 1, id="footnotes-missing-column"),
    pytest.param("footnotes.csv", duplicate_row("footnotes", {"id": "covid_2020"}), "unique", 6,
                 id="footnotes-duplicate"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "balkan_bus_2011"}, applies_to="yearly:11"),
                 "applies-to", 3, id="footnotes-selector-short-year"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "covid_2020"}, applies_to="yearly:2020;regions:2020"),
                 "applies-to", 4, id="footnotes-selector-unknown-table"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "covid_2020"}, applies_to="monthly:2020:ocmw"),
                 "applies-to", 4, id="footnotes-selector-unknown-organisation"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "percent_sum_2025"}, applies_to="categories:2025@sheet-9"),
                 "applies-to", 5, id="footnotes-selector-unknown-source"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, applies_to="yearly:2025-2013"),
                 "applies-to", 2, id="footnotes-selector-backwards"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, locator=9999), "source-ref", 2,
                 id="footnotes-line-past-end"),
    # ---- the files themselves ---------------------------------------------------------
    pytest.param("observations.csv", append_bytes("observations.csv", "returns,2025-10".encode("latin-1") + b"\xe9\n"),
                 "encoding", None, id="file-not-utf8"),
    pytest.param("observations.csv", write_bytes("observations.csv", b""), "header", 1, id="file-empty"),
    pytest.param("sources.csv", append_bytes("sources.csv", b'x,fact_sheet,2020,"' + b"x" * 200_000 + b'",P\n'), "csv",
                 None, id="file-csv-error"),
    pytest.param("observations.csv", duplicate_column("observations", "value"), "columns", 1,
                 id="file-duplicate-column"),
    pytest.param("observations.csv", grow("observations.csv", 1024 * 1024 + 1), "size", None, id="file-over-1-mib"),
    pytest.param("sources.csv", grow(f"sources/{S25}", 1024 * 1024 + 1), "size", 3, id="source-text-over-1-mib"),
]


def cli_in_process(directory, capsys):
    code = cli_main(["ask", "--data", str(directory), QUESTION])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(err, file, row, rule):
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert file in lines[0] and f"'{rule}'" in lines[0], lines[0]
    if row is not None:
        assert f"row {row}" in lines[0], lines[0]
    else:
        assert ", row " not in lines[0], lines[0]


@pytest.mark.parametrize("file,edit,rule,row", CASES)
def test_damaged_data_is_refused(data_copy, capsys, file, edit, rule, row):
    data_module.load(data_copy)  # the copy is sound before the edit
    edit(data_copy)
    with pytest.raises(DataError) as caught:
        data_module.load(data_copy)
    error = caught.value
    assert (error.file, error.row, error.rule) == (file, row, rule), str(error)
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2
    assert out == ""
    assert_one_line(err, file, row, rule)


# One real subprocess per table (and for a missing source text), as a user would see it.
SUBPROCESS_CASES = ["sources-missing-source-text", "obs-fedasil-plus-dvz-not-total", "obs-wrong-line",
                    "obs-top-plus-other-not-total", "obs-percent-not-count", "statements-quote-not-printed",
                    "footnotes-selector-backwards"]


@pytest.mark.parametrize("file,edit,rule,row", [c for c in CASES if c.id in SUBPROCESS_CASES])
def test_damaged_data_cli_subprocess(data_copy, file, edit, rule, row):
    edit(data_copy)
    result = run_cli("ask", "--data", str(data_copy), QUESTION)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert_one_line(result.stderr, file, row, rule)


def test_subprocess_cases_exist():
    assert len([c for c in CASES if c.id in SUBPROCESS_CASES]) == len(SUBPROCESS_CASES)


def test_every_rule_has_a_case():
    """Every rule name raised in intents/data.py is exercised above."""
    source = Path(data_module.__file__).read_text(encoding="utf-8")
    rules = set(re.findall(r'DataError\([^,]+, [^,]+, "([a-z-]+)"', source))
    rules |= set(re.findall(r'_fail\("\w+", [^,]+, "([a-z-]+)"', source))
    rules |= set(re.findall(r'\bfail\("([a-z-]+)"', source))
    # 'readable' is exercised by the tests of unreadable files below, which cannot be edits.
    covered = {c.values[2] for c in CASES} | {"directory", "rows-present", "readable"}
    assert rules - covered == set()
    assert len(rules) > 20  # the patterns above still find the rules


def test_directory_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "nope"
    with pytest.raises(DataError) as caught:
        data_module.load(missing)
    assert caught.value.rule == "directory" and caught.value.file == str(missing)
    code = cli_main(["ask", "--data", str(missing), QUESTION])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "'directory'" in err


def test_sound_copy_loads(data_copy):
    dataset = data_module.load(data_copy)
    assert len(dataset.observations) == NEXT_ROW - 2  # the rows of observations.csv
    assert [o.value for o in dataset.observations[:2]] == [2593, 2669]  # 2020.txt:94, :92


# ---- RETURNBOT_DATA ------------------------------------------------------------------------
def test_returnbot_data_is_honoured_by_load(data_copy, monkeypatch):
    delete_row("footnotes", {"id": "balkan_bus_2011"})(data_copy)
    monkeypatch.setenv("RETURNBOT_DATA", str(data_copy))
    with pytest.raises(DataError) as caught:
        data_module.load()
    assert (caught.value.file, caught.value.row, caught.value.rule) == ("observations.csv", 6, "footnote-resolves")


def test_returnbot_data_is_honoured_by_the_cli(data_copy, tmp_path):
    # A sound copy whose Dublin note reads differently: the answer must show it.
    set_cells("footnotes", {"id": "dublin"}, en="NOTE FROM THE COPY")(data_copy)
    damaged = tmp_path / "damaged"
    shutil.copytree(data_copy, damaged)
    set_cells("observations", Ob("2012-01", "2012-12"), mark="*")(damaged)
    result = run_cli("ask", "-", stdin="how many returns in 2016\n", env={"RETURNBOT_DATA": str(data_copy)})
    assert result.returncode == 0, result.stderr
    assert "4,267" in result.stdout and "NOTE FROM THE COPY" in result.stdout  # 2020.txt:76 "2016: 4.267*"
    # --data wins over RETURNBOT_DATA
    result = run_cli("ask", "--data", str(damaged), "how many returns in 2016",
                     env={"RETURNBOT_DATA": str(data_copy)})
    assert result.returncode == 2
    assert_one_line(result.stderr, "observations.csv", 7, "footnote-resolves")


# ---- damage that used to get past the checks and crash later -------------------------------
@pytest.mark.parametrize("table", ["sources", "observations", "footnotes", "statements"])
def test_table_with_header_only_is_refused(data_copy, capsys, table):
    header_only(table)(data_copy)
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 and "damaged data" in err and "rule '" in err


def test_source_text_not_utf8_is_refused(data_copy, capsys):
    append_bytes(f"sources/{S20}", b"\xff\xfe")(data_copy)
    with pytest.raises(DataError) as caught:
        data_module.load(data_copy)
    assert caught.value.rule == "encoding" or S20 in str(caught.value)
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2 and len(err.splitlines()) == 1


# ---- files that cannot be read, or should not be ---------------------------------------------
def test_a_byte_order_mark_is_accepted(data_copy):
    """Spreadsheet programs start a CSV with a UTF-8 byte-order mark."""
    expected = data_module.load(data_copy)
    for path in [*data_copy.glob("*.csv"), *(data_copy / "sources").glob("*.txt")]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    loaded = data_module.load(data_copy)
    assert loaded.observations == expected.observations and loaded.sources == expected.sources
    assert loaded.observations[0].start == (2007, 1) and "factsheet-2020" in loaded.sources


def test_a_huge_file_is_refused_at_once_without_reading_it(data_copy, capsys):
    os.truncate(data_copy / "observations.csv", 50 * 1024 * 1024)
    start = time.monotonic()
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2 and time.monotonic() - start < 2
    assert_one_line(err, "observations.csv", None, "size")
    assert "52,428,800 bytes, over the limit of 1,048,576" in err


def _unreadable(monkeypatch, target: Path) -> None:
    """Opening or listing `target` fails as it does for a non-root user after chmod 000 (the
    tests run as root, for whom chmod 000 changes nothing)."""
    real_open, real_listdir = Path.open, os.listdir

    def open_(self, *args, **kwargs):
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    def listdir(path):
        if Path(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(Path, "open", open_)
    monkeypatch.setattr(os, "listdir", listdir)


@pytest.mark.parametrize("part,file,row", [
    ("observations.csv", "observations.csv", None),
    (f"sources/{S20}", "sources.csv", 2),
    ("sources", "sources", None),
    (".", "data", None),
])
def test_an_unreadable_file_or_directory_is_named(data_copy, capsys, monkeypatch, part, file, row):
    target = data_copy / part if part != "." else data_copy
    _unreadable(monkeypatch, target)
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2 and out == ""
    assert_one_line(err, file, row, "readable")
    assert str(target) in err and "Permission denied" in err


def test_chmod_000_as_an_ordinary_user(data_copy, tmp_path):
    """The real thing: a process without the right to read the file. As root (as in CI), for
    whom chmod 000 changes nothing, the check runs as nobody where nobody can run Python."""
    env = {**os.environ, "HOME": str(tmp_path)}
    user = {}
    if os.geteuid() == 0:
        user = {"user": 65534, "group": 65534}
        for path in [tmp_path, *tmp_path.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        try:
            probe = subprocess.run([sys.executable, "-c", "import intents.data"], capture_output=True, cwd="/",
                                   env=env, timeout=60, **user).returncode
        except OSError:
            probe = -1
        if probe:
            pytest.skip("user nobody cannot run this Python here")
    (data_copy / "observations.csv").chmod(0)
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--data", str(data_copy), QUESTION], capture_output=True,
                            text=True, cwd="/", env=env, timeout=60, **user)
    assert result.returncode == 2
    assert_one_line(result.stderr, "observations.csv", None, "readable")
