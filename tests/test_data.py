"""Damaged data is refused at start-up, naming the file, the row and the rule broken.

Each case damages a private copy of data/ (fixture data_copy) with one edit, then
checks that `intents.data.load(dir)` raises DataError(file, row, rule) and that the
command line refuses it: exit status 2, exactly one line on stderr naming file, row
and rule, no traceback. The CLI is run in-process (bot.cli.main) for every case, and
as a real subprocess (run_cli) for one case per table, to keep the suite fast.

Row numbers are lines of the CSV file (the header is row 1), worked out by hand from
data/*.csv; values and lines come from data/sources/*.txt.
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

from bot.cli import main as cli_main
from conftest import run_cli
from intents import data as data_module
from intents.data import DataError

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


M = lambda y, m, o: {"year": y, "month": m, "organisation": o}  # noqa: E731  (a monthly.csv key)

# (file named, edit, rule, row). monthly.csv rows: 2019-01..12 are rows 2-13; 2020 month m is
# fedasil 14+3(m-1), dvz 15+3(m-1), total 16+3(m-1); 2025 month m is fedasil 50+3(m-1), ...;
# 76 is the last row. yearly.csv: year y is row y-2005 (2007 = row 2, 2025 = row 20).
# countries.csv: 2020 BR..RU rows 2-11, Andere 12; 2025 BR 13, MD 14, SY 15, TR 16, CO 17, GE 18.
# categories.csv: 2020 applicants/rejected/irregular rows 2-4, 2025 rows 5-7.
# totals.csv: countries 2020 row 2, categories 2020 row 3, categories 2025 row 4.
# footnotes.csv: dublin 2, balkan_bus_2011 3, partial_2025 4, covid_2020 5, ... 7 rows (2-8).
CASES = [
    # ---- sources.csv ------------------------------------------------------------------
    pytest.param("sources.csv", set_cells("sources", {"file": S20}, year="twenty"), "value", 2, id="sources-garbage"),
    pytest.param("sources.csv", set_cells("sources", {"file": S20}, year="-2020"), "value", 2, id="sources-negative"),
    pytest.param("sources.csv", remove("sources.csv"), "file-present", None, id="sources-missing-file"),
    pytest.param("sources.csv", drop_column("sources", "publisher"), "columns", 1, id="sources-missing-column"),
    pytest.param("sources.csv", duplicate_row("sources", {"file": S25}), "unique", 4, id="sources-duplicate"),
    pytest.param("sources.csv", set_cells("sources", {"file": S20}, title=""), "required", 2, id="sources-empty-title"),
    pytest.param("sources.csv", remove(f"sources/{S25}"), "source-file", 3, id="sources-missing-source-text"),
    pytest.param("sources.csv", extra_cell("sources", {"file": S20}), "columns", 2, id="sources-extra-cell"),
    # ---- monthly.csv ------------------------------------------------------------------
    pytest.param("monthly.csv", set_cells("monthly", M(2020, 3, "total"), returns="1l2"), "value", 22,
                 id="monthly-garbage"),
    pytest.param("monthly.csv", set_cells("monthly", M(2019, 1, "total"), returns="-197"), "value", 2,
                 id="monthly-negative"),
    pytest.param("monthly.csv", set_cells("monthly", M(2019, 1, "total"), month="13"), "value", 2,
                 id="monthly-month-13"),
    pytest.param("monthly.csv", set_cells("monthly", M(2020, 1, "dvz"), organisation="ocmw"), "value", 15,
                 id="monthly-unknown-organisation"),
    pytest.param("monthly.csv", remove("monthly.csv"), "file-present", None, id="monthly-missing-file"),
    pytest.param("monthly.csv", drop_column("monthly", "organisation"), "columns", 1, id="monthly-missing-column"),
    pytest.param("monthly.csv", duplicate_row("monthly", M(2019, 5, "total")), "unique", 77, id="monthly-duplicate"),
    # 2020.txt:43 "Maart 111 1 112 260": a total of 111 is printed there, but 111 + 1 != 111
    pytest.param("monthly.csv", set_cells("monthly", M(2020, 3, "total"), returns=111), "organisations-add-up", 22,
                 id="monthly-fedasil-plus-dvz-not-total"),
    pytest.param("monthly.csv", delete_row("monthly", M(2020, 3, "dvz")), "organisations-add-up", 21,
                 id="monthly-half-a-split"),
    pytest.param("monthly.csv", delete_row("monthly", M(2020, 3, "total")), "total-present", 20,
                 id="monthly-split-without-total"),
    # March 2019 read from the 2020 column (112, printed on 2020.txt:43): 2019's months no longer make 2.426
    pytest.param("yearly.csv", set_cells("monthly", M(2019, 3, "total"), returns=112), "months-add-up", 14,
                 id="monthly-months-not-year-total"),
    pytest.param("monthly.csv", append_row("monthly", year=2025, month=10, organisation="total", returns=237,
                                           source=f"{S25}:141"), "month-in-span", 77, id="monthly-october-2025"),
    pytest.param("monthly.csv", append_row("monthly", year=2006, month=1, organisation="total", returns=197,
                                           source=f"{S20}:39"), "year-known", 77, id="monthly-year-unknown"),
    # 2025.txt:93 prints "2 229", not Fedasil's 227 (which is on :90)
    pytest.param("monthly.csv", set_cells("monthly", M(2025, 1, "fedasil"), source=f"{S25}:93"), "source-value", 50,
                 id="monthly-wrong-line"),
    # ---- yearly.csv -------------------------------------------------------------------
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2016}, returns="4.267"), "value", 11, id="yearly-garbage"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2010}, returns="-2957"), "value", 5, id="yearly-negative"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2011}, marks="***"), "value", 6, id="yearly-bad-mark"),
    pytest.param("yearly.csv", remove("yearly.csv"), "file-present", None, id="yearly-missing-file"),
    pytest.param("yearly.csv", drop_column("yearly", "last_month"), "columns", 1, id="yearly-missing-column"),
    pytest.param("yearly.csv", duplicate_row("yearly", {"year": 2012}), "unique", 21, id="yearly-duplicate"),
    # 2020 given as 2.426 (printed on 2020.txt:63 as 2019's total): its months make 1.847
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2020}, returns=2426), "months-add-up", 15,
                 id="yearly-total-not-months"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2025}, first_month=9, last_month=1), "month-span", 20,
                 id="yearly-month-span-backwards"),
    # the Dublin footnote covers yearly:2013-2025, not 2012
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2012}, marks="*"), "footnote-resolves", 7,
                 id="yearly-mark-without-footnote"),
    # 2020.txt:74 is "2017: 3.827*", not 2016's 4.267
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2016}, source=f"{S20}:74"), "source-value", 11,
                 id="yearly-wrong-line"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2016}, source=f"{S20}:999"), "source-ref", 11,
                 id="yearly-line-past-end"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2016}, source="fedasil-2016.txt:76"), "source-ref", 11,
                 id="yearly-unlisted-source"),
    pytest.param("yearly.csv", set_cells("yearly", {"year": 2016}, source=S20), "source-ref", 11,
                 id="yearly-source-without-line"),
    # ---- yearly_by_organisation.csv ---------------------------------------------------
    pytest.param("yearly_by_organisation.csv",
                 set_cells("yearly_by_organisation", {"year": 2020, "organisation": "dvz"}, returns="twenty"),
                 "value", 3, id="by-org-garbage"),
    pytest.param("yearly_by_organisation.csv",
                 set_cells("yearly_by_organisation", {"year": 2020, "organisation": "dvz"}, returns="-20"),
                 "value", 3, id="by-org-negative"),
    pytest.param("yearly_by_organisation.csv", remove("yearly_by_organisation.csv"), "file-present", None,
                 id="by-org-missing-file"),
    pytest.param("yearly_by_organisation.csv", drop_column("yearly_by_organisation", "organisation"), "columns", 1,
                 id="by-org-missing-column"),
    pytest.param("yearly_by_organisation.csv",
                 duplicate_row("yearly_by_organisation", {"year": 2025, "organisation": "dvz"}), "unique", 6,
                 id="by-org-duplicate"),
    # without DVZ's 20, Fedasil's 1.827 alone is not 2020's 1.847
    pytest.param("yearly_by_organisation.csv",
                 delete_row("yearly_by_organisation", {"year": 2020, "organisation": "dvz"}),
                 "organisations-add-up", 2, id="by-org-not-year-total"),
    # Fedasil 2020 given as 1.847 (printed on 2020.txt:63): its months make 1.827
    pytest.param("yearly_by_organisation.csv",
                 set_cells("yearly_by_organisation", {"year": 2020, "organisation": "fedasil"}, returns=1847),
                 "months-add-up", 2, id="by-org-not-months"),
    pytest.param("yearly_by_organisation.csv",
                 append_row("yearly_by_organisation", year=2006, organisation="dvz", returns=20, source=f"{S20}:63"),
                 "year-known", 6, id="by-org-year-unknown"),
    # 2025.txt:240 "2025: 2 397 (jan-sept)" does not print 2351
    pytest.param("yearly_by_organisation.csv",
                 set_cells("yearly_by_organisation", {"year": 2025, "organisation": "fedasil"}, source=f"{S25}:240"),
                 "source-value", 4, id="by-org-wrong-line"),
    # ---- countries.csv ----------------------------------------------------------------
    pytest.param("countries.csv", set_cells("countries", {"year": 2020, "iso": "BR"}, returns="480x"), "value", 2,
                 id="countries-garbage"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2020, "iso": "BR"}, returns="-480"), "value", 2,
                 id="countries-negative"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2025, "iso": "TR"}, iso="XX"), "value", 16,
                 id="countries-bad-iso"),
    pytest.param("countries.csv", remove("countries.csv"), "file-present", None, id="countries-missing-file"),
    pytest.param("countries.csv", drop_column("countries", "iso"), "columns", 1, id="countries-missing-column"),
    pytest.param("countries.csv", duplicate_row("countries", {"year": 2020, "iso": "BR"}), "unique", 19,
                 id="countries-duplicate"),
    # without Rusland (58) the top 10 + Andere make 1.789, not the printed 1.847; Andere moves up to row 11
    pytest.param("countries.csv", delete_row("countries", {"year": 2020, "iso": "RU"}), "top-plus-other", 11,
                 id="countries-top-plus-other-not-total"),
    # an "other" row for 2025 read from its Fedasil total (2351, 2025.txt:161): the countries
    # then make 1.454 + 2.351, more than the year's 2.397
    pytest.param("countries.csv", append_row("countries", year=2025, basis="nationality", rank="", iso="other",
                                             name="Totaal", returns=2351, source=f"{S25}:161"),
                 "within-total", 19, id="countries-over-year-total"),
    # Brazil 2020 given its 2025 figure (685, 2025.txt:252): the 2020 list would be half of each sheet
    pytest.param("countries.csv", set_cells("countries", {"year": 2020, "iso": "BR"}, returns=685,
                                            source=f"{S25}:252"), "one-sheet", 3, id="countries-list-of-two-sheets"),
    # a statement's text with a placeholder it has no value for
    pytest.param("statements.csv", set_cells("statements", {"id": "plane"}, en="The return journey is by {plane}."),
                 "placeholders", 5, id="statements-unknown-placeholder"),
    # the quote is not on the line cited (2025.txt:19 prints "per vliegtuig")
    pytest.param("statements.csv", set_cells("statements", {"id": "plane"}, quote="per trein"),
                 "source-value", 5, id="statements-quote-not-printed"),
    # the 2025 sheet listed before the 2020 one: which is newer would be unclear
    pytest.param("sources.csv", swap_rows("sources", 0, 1), "sheet-order", 3, id="sources-not-oldest-first"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2025, "iso": "GE"}, rank=8), "rank-sequence", 18,
                 id="countries-rank-gap"),
    pytest.param("countries.csv", both(set_cells("countries", {"year": 2025, "iso": "MD"}, rank=3),
                                       set_cells("countries", {"year": 2025, "iso": "SY"}, rank=2)),
                 "rank-order", 14, id="countries-rank-order"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2020, "iso": "other"}, rank=11), "other-unranked", 12,
                 id="countries-other-ranked"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2025, "iso": "GE"}, basis="destination"),
                 "one-basis", 18, id="countries-two-bases"),
    pytest.param("countries.csv", delete_row("totals", {"table": "countries", "year": 2020}), "total-present", 12,
                 id="countries-other-without-total"),
    pytest.param("countries.csv", set_cells("countries", {"year": 2020, "iso": "BR"}, name="Brasil"), "source-value", 2,
                 id="countries-name-not-printed"),
    # 2025.txt:254 is "Moldavië 265", not Syria's 187
    pytest.param("countries.csv", set_cells("countries", {"year": 2025, "iso": "SY"}, source=f"{S25}:254"),
                 "source-value", 15, id="countries-wrong-line"),
    # ---- categories.csv ---------------------------------------------------------------
    pytest.param("categories.csv", set_cells("categories", {"year": 2020, "category": "applicants"}, percent="twenty"),
                 "value", 2, id="categories-garbage"),
    pytest.param("categories.csv", set_cells("categories", {"year": 2020, "category": "applicants"}, returns="-367"),
                 "value", 2, id="categories-negative"),
    pytest.param("categories.csv", set_cells("categories", {"year": 2025, "category": "irregular"}, percent="143.4"),
                 "value", 7, id="categories-percent-over-100"),
    pytest.param("categories.csv", remove("categories.csv"), "file-present", None, id="categories-missing-file"),
    pytest.param("categories.csv", drop_column("categories", "percent"), "columns", 1, id="categories-missing-column"),
    pytest.param("categories.csv", duplicate_row("categories", {"year": 2020, "category": "applicants"}), "unique", 8,
                 id="categories-duplicate"),
    # rejected given its percentage (24, printed on 2020.txt:138) as count: 367 + 24 + 1039 != 1.847
    pytest.param("categories.csv", set_cells("categories", {"year": 2020, "category": "rejected"}, returns=24),
                 "categories-add-up", 4, id="categories-not-total"),
    # the sheet and the table both say 21 %, but 367 of 1.847 is 19.9 %
    pytest.param("categories.csv", both(reprint_line(S20, 136, "367 20", "367 21"),
                                        set_cells("categories", {"year": 2020, "category": "applicants"}, percent=21)),
                 "percent-matches-count", 2, id="categories-percent-not-count"),
    # 2025.txt:274 "27,2%" also reads as 2: 2 + 28.7 + 43.4 is far from 100
    pytest.param("categories.csv", set_cells("categories", {"year": 2025, "category": "applicants"}, percent=2),
                 "percent-sum", 7, id="categories-percent-sum"),
    pytest.param("categories.csv", set_cells("categories", {"year": 2025, "category": "applicants"}, returns=27),
                 "counts-complete", 7, id="categories-some-counts"),
    pytest.param("categories.csv", delete_row("totals", {"table": "categories", "year": 2020}), "total-present", 4,
                 id="categories-counts-without-total"),
    # 2020.txt:138 prints 441 and 24, not 1.039 and 56
    pytest.param("categories.csv", set_cells("categories", {"year": 2020, "category": "irregular"}, source=f"{S20}:138"),
                 "source-value", 4, id="categories-wrong-line"),
    # ---- totals.csv -------------------------------------------------------------------
    pytest.param("totals.csv", set_cells("totals", {"table": "countries", "year": 2020}, returns="1847a"), "value", 2,
                 id="totals-garbage"),
    pytest.param("totals.csv", set_cells("totals", {"table": "countries", "year": 2020}, returns="-1847"), "value", 2,
                 id="totals-negative"),
    pytest.param("totals.csv", set_cells("totals", {"table": "countries", "year": 2020}, table="regions"), "value", 2,
                 id="totals-unknown-table"),
    pytest.param("totals.csv", remove("totals.csv"), "file-present", None, id="totals-missing-file"),
    pytest.param("totals.csv", drop_column("totals", "table"), "columns", 1, id="totals-missing-column"),
    pytest.param("totals.csv", duplicate_row("totals", {"table": "categories", "year": 2025}), "unique", 5,
                 id="totals-duplicate"),
    # 2020.txt:129 "totaal 1.847" also reads as 847, which is not 2020's 1.847
    pytest.param("totals.csv", set_cells("totals", {"table": "countries", "year": 2020}, returns=847),
                 "matches-yearly", 2, id="totals-not-year-total"),
    pytest.param("totals.csv", set_cells("totals", {"table": "categories", "year": 2020}, source=f"{S20}:140"),
                 "source-value", 3, id="totals-wrong-line"),
    # ---- footnotes.csv ----------------------------------------------------------------
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, mark="***"), "value", 2,
                 id="footnotes-garbage-mark"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, en=" "), "required", 2,
                 id="footnotes-empty-text"),
    pytest.param("footnotes.csv", remove("footnotes.csv"), "file-present", None, id="footnotes-missing-file"),
    pytest.param("footnotes.csv", drop_column("footnotes", "applies_to"), "columns", 1, id="footnotes-missing-column"),
    pytest.param("footnotes.csv", duplicate_row("footnotes", {"id": "covid_2020"}), "unique", 9,
                 id="footnotes-duplicate"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "balkan_bus_2011"}, applies_to="yearly:11"),
                 "applies-to", 3, id="footnotes-selector-short-year"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "partial_2025"}, applies_to="yearly:2025;regions:2025"),
                 "applies-to", 4, id="footnotes-selector-unknown-table"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "covid_2020"}, applies_to="monthly:2020:ocmw"),
                 "applies-to", 5, id="footnotes-selector-unknown-organisation"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, applies_to="yearly:2025-2013"),
                 "applies-to", 2, id="footnotes-selector-backwards"),
    # 2011's "**" has no footnote left
    pytest.param("yearly.csv", delete_row("footnotes", {"id": "balkan_bus_2011"}), "footnote-resolves", 6,
                 id="footnotes-mark-unresolved"),
    # the Dublin note without its "*": 2013 is the first yearly row marked "*"
    pytest.param("yearly.csv", set_cells("footnotes", {"id": "dublin"}, mark=""), "footnote-resolves", 8,
                 id="footnotes-mark-removed"),
    pytest.param("footnotes.csv", set_cells("footnotes", {"id": "dublin"}, source=f"{S20}:9999"), "source-ref", 2,
                 id="footnotes-line-past-end"),
    # ---- the files themselves ---------------------------------------------------------
    pytest.param("monthly.csv", append_bytes("monthly.csv", "2025,10,total,0,x\n".encode("latin-1") + b"\xe9\n"),
                 "encoding", None, id="file-not-utf8"),
    pytest.param("yearly.csv", write_bytes("yearly.csv", b""), "header", 1, id="file-empty"),
    pytest.param("sources.csv", append_bytes("sources.csv", b'x.txt,2020,"' + b"x" * 200_000 + b'",P\n'), "csv", None,
                 id="file-csv-error"),
    pytest.param("yearly.csv", duplicate_column("yearly", "returns"), "columns", 1, id="file-duplicate-column"),
    pytest.param("monthly.csv", grow("monthly.csv", 1024 * 1024 + 1), "size", None, id="file-over-1-mib"),
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
SUBPROCESS_CASES = ["sources-missing-source-text", "monthly-fedasil-plus-dvz-not-total", "yearly-wrong-line",
                    "by-org-not-year-total", "countries-top-plus-other-not-total", "categories-percent-not-count",
                    "totals-not-year-total", "footnotes-selector-backwards"]


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
    assert len(dataset.tables["yearly"]) == 19  # 2007-2025


# ---- RETURNBOT_DATA ------------------------------------------------------------------------
def test_returnbot_data_is_honoured_by_load(data_copy, monkeypatch):
    delete_row("footnotes", {"id": "balkan_bus_2011"})(data_copy)
    monkeypatch.setenv("RETURNBOT_DATA", str(data_copy))
    with pytest.raises(DataError) as caught:
        data_module.load()
    assert (caught.value.file, caught.value.row, caught.value.rule) == ("yearly.csv", 6, "footnote-resolves")


def test_returnbot_data_is_honoured_by_the_cli(data_copy, tmp_path):
    # A sound copy whose Dublin note reads differently: the answer must show it.
    set_cells("footnotes", {"id": "dublin"}, en="NOTE FROM THE COPY")(data_copy)
    damaged = tmp_path / "damaged"
    shutil.copytree(data_copy, damaged)
    set_cells("yearly", {"year": 2012}, marks="*")(damaged)
    result = run_cli("ask", "-", stdin="how many returns in 2016\n", env={"RETURNBOT_DATA": str(data_copy)})
    assert result.returncode == 0, result.stderr
    assert "4,267" in result.stdout and "NOTE FROM THE COPY" in result.stdout  # 2020.txt:76 "2016: 4.267*"
    # --data wins over RETURNBOT_DATA
    result = run_cli("ask", "--data", str(damaged), "how many returns in 2016",
                     env={"RETURNBOT_DATA": str(data_copy)})
    assert result.returncode == 2
    assert_one_line(result.stderr, "yearly.csv", 7, "footnote-resolves")


# ---- damage that used to get past the checks and crash later -------------------------------
@pytest.mark.parametrize("table", ["sources", "yearly", "totals", "footnotes", "monthly",
                                   "yearly_by_organisation", "countries", "categories"])
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


@pytest.mark.parametrize("table,row", [
    ("countries", dict(year=2006, basis="destination", rank=1, iso="BR", name="Brazilië", returns=480,
                       source=f"{S20}:107")),
    ("categories", dict(year=2006, category="applicants", name="x", returns="", percent=100, source=f"{S25}:289")),
])
def test_country_or_category_year_must_have_a_yearly_total(data_copy, table, row):
    append_row(table, **row)(data_copy)
    with pytest.raises(DataError) as caught:
        data_module.load(data_copy)
    assert caught.value.file == f"{table}.csv"


# ---- files that cannot be read, or should not be ---------------------------------------------
def test_a_byte_order_mark_is_accepted(data_copy):
    """Spreadsheet programs start a CSV with a UTF-8 byte-order mark."""
    expected = data_module.load(data_copy).tables
    for path in [*data_copy.glob("*.csv"), *(data_copy / "sources").glob("*.txt")]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    tables = data_module.load(data_copy).tables
    assert tables == expected and tables["yearly"][0]["year"] == 2007


def test_a_huge_file_is_refused_at_once_without_reading_it(data_copy, capsys):
    os.truncate(data_copy / "countries.csv", 50 * 1024 * 1024)
    start = time.monotonic()
    code, out, err = cli_in_process(data_copy, capsys)
    assert code == 2 and time.monotonic() - start < 2
    assert_one_line(err, "countries.csv", None, "size")
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
    ("yearly.csv", "yearly.csv", None),
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
    (data_copy / "totals.csv").chmod(0)
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--data", str(data_copy), QUESTION], capture_output=True,
                            text=True, cwd="/", env=env, timeout=60, **user)
    assert result.returncode == 2
    assert_one_line(result.stderr, "totals.csv", None, "readable")
