"""Load and validate the CSV tables in data/ once, at start-up.

Plain csv parsing (not pandas) so that every violation can name its file, row and
rule in one line. Nothing is returned until every rule has passed.
"""
from __future__ import annotations

import csv
import functools
import importlib.resources
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from babel import Locale

TABLES = ("sources", "monthly", "yearly", "yearly_by_organisation", "countries", "categories", "totals", "footnotes",
          "statements")
# Tables of figures: a key given by two sheets is taken from the newer one (see `_supersede`).
FIGURE_TABLES = ("monthly", "yearly", "yearly_by_organisation", "countries", "categories", "totals")
# Lists read whole: a year's list comes from one sheet, never half from each.
LIST_TABLES = ("countries", "categories")
SELECTOR_TABLES = ("monthly", "yearly", "organisation", "countries", "categories")
MAX_FILE_BYTES = 1024 * 1024   # every table and source text is a few KB; a bigger file is refused unread
ORGS_SPLIT = ("fedasil", "dvz")
MONTHLY_ORGS = (*ORGS_SPLIT, "total")


class DataError(Exception):
    """A broken rule in the data; str() is the one line shown to the user."""

    def __init__(self, file: str, row: int | None, rule: str, detail: str):
        self.file, self.row, self.rule, self.detail = file, row, rule, detail
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"damaged data: {where}: rule '{rule}': {detail}")


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


def _pct(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 100:
        raise ValueError(f"{value} is outside 0..100")
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"{text!r} is not one of {', '.join(options)}")
        return text
    return parse


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("empty text")
    return text


@functools.cache
def _territories() -> frozenset[str]:
    return frozenset(Locale("en").territories)


def _iso(text: str) -> str:
    if text != "other" and not (re.fullmatch(r"[A-Z]{2}", text) and text in _territories()):
        raise ValueError(f"{text!r} is not an ISO 3166 code known to CLDR (or 'other')")
    return text


def _topics(text: str) -> tuple[str, ...]:
    topics = tuple(t.strip() for t in text.split(";"))
    if not all(re.fullmatch(r"[a-z_]+", t) for t in topics):
        raise ValueError(f"{text!r} is not topics separated by ';'")
    return topics


_YEAR = _int(1990, 2100)
_COUNT = _int(0, 10_000_000)
_ANY = str

# column -> (parser, required); an optional column may be empty and then reads as None
SCHEMAS: dict[str, dict[str, tuple[Callable[[str], Any], bool]]] = {
    "sources": {"file": (_text, True), "year": (_YEAR, True), "title": (_text, True), "publisher": (_text, True)},
    "monthly": {"year": (_YEAR, True), "month": (_int(1, 12), True),
                "organisation": (_choice(*MONTHLY_ORGS), True), "returns": (_COUNT, True), "source": (_text, True)},
    "yearly": {"year": (_YEAR, True), "returns": (_COUNT, True), "first_month": (_int(1, 12), True),
               "last_month": (_int(1, 12), True), "marks": (_choice("*", "**"), False), "source": (_text, True)},
    "yearly_by_organisation": {"year": (_YEAR, True), "organisation": (_choice("fedasil", "dvz"), True),
                               "returns": (_COUNT, True), "source": (_text, True)},
    "countries": {"year": (_YEAR, True), "basis": (_choice("destination", "nationality"), True),
                  "rank": (_int(1, 300), False), "iso": (_iso, True), "name": (_text, True),
                  "returns": (_COUNT, True), "source": (_text, True)},
    "categories": {"year": (_YEAR, True), "category": (_choice("applicants", "rejected", "irregular"), True),
                   "name": (_text, True), "returns": (_COUNT, False), "percent": (_pct, True), "source": (_text, True)},
    "totals": {"table": (_choice("countries", "categories"), True), "year": (_YEAR, True),
               "returns": (_COUNT, False), "percent": (_pct, False), "source": (_text, True)},
    "footnotes": {"id": (_text, True), "mark": (_choice("*", "**"), False), "applies_to": (_text, True),
                  "nl": (_text, True), "fr": (_text, True), "en": (_text, True), "source": (_text, True)},
    "statements": {"id": (_text, True), "topics": (_topics, True), "year": (_YEAR, False), "returns": (_COUNT, False),
                   "quote": (_text, True), "nl": (_text, True), "fr": (_text, True), "en": (_text, True),
                   "source": (_text, True)},
}

KEYS = {
    "sources": ("file",), "monthly": ("year", "month", "organisation"), "yearly": ("year",),
    "yearly_by_organisation": ("year", "organisation"), "countries": ("year", "iso"),
    "categories": ("year", "category"), "totals": ("table", "year"), "footnotes": ("id",), "statements": ("id",),
}


@dataclass(frozen=True)
class Selector:
    """`table:years[:organisation]` in footnotes.csv: which figures a caveat governs."""

    table: str
    first: int
    last: int
    org: str | None

    def matches(self, table: str, year: int, org: str | None) -> bool:
        return (self.table == table and self.first <= year <= self.last
                and (self.org is None or self.org == (org or "total")))


@dataclass(frozen=True)
class Dataset:
    directory: Path
    tables: dict[str, list[dict[str, Any]]]
    selectors: dict[str, tuple[Selector, ...]]
    # Rows a newer sheet superseded, each with the row used instead, by table.
    superseded: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]


def _read_text(path: Path, file: str, row: int | None = None) -> str | None:
    """The text of `path` (UTF-8, a leading byte-order mark dropped), None if it does not
    exist. A file that cannot be read, or is over MAX_FILE_BYTES, is a DataError naming
    `file` (and `row`, for a source text listed in sources.csv)."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise DataError(file, row, "size", f"{path} is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}")
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DataError(file, row, "readable", f"{path} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_FILE_BYTES:   # grew while it was opened
        raise DataError(file, row, "size", f"{path} is over the limit of {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")   # spreadsheet programs write the byte-order mark
    except UnicodeDecodeError as exc:
        where = f"{path.name} is not" if row is not None else "not"
        raise DataError(file, row, "encoding", f"{where} UTF-8 ({exc.reason})") from None


def _read(directory: Path, name: str) -> list[dict[str, Any]]:
    file = f"{name}.csv"
    path = directory / file
    text = _read_text(path, file)
    if text is None:
        raise DataError(file, None, "file-present", f"{path} does not exist")
    schema = SCHEMAS[name]
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise DataError(file, 1, "header", "the file is empty")
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise DataError(file, 1, "columns", f"column(s) given more than once: {', '.join(twice)}")
        missing = [c for c in schema if c not in header]
        if missing:
            raise DataError(file, 1, "columns", f"missing column(s): {', '.join(missing)}")
        rows: list[dict[str, Any]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise DataError(file, number, "columns", f"{len(cells)} cells where the header has {len(header)}")
            raw = dict(zip(header, cells))
            row: dict[str, Any] = {"_row": number}
            for column, (parse, required) in schema.items():
                text = raw[column].strip()
                if not text:
                    if required:
                        raise DataError(file, number, "required", f"column {column!r} is empty")
                    row[column] = None
                    continue
                try:
                    row[column] = parse(text)
                except ValueError as exc:
                    raise DataError(file, number, "value", f"column {column!r}: {exc}") from None
            rows.append(row)
    except csv.Error as exc:
        raise DataError(file, None, "csv", str(exc)) from None
    if not rows:
        raise DataError(file, 2, "rows-present", "the table has a header but no rows")
    seen: dict[tuple, int] = {}
    for row in rows:
        # Two sheets may give the same figure (the newer supersedes); one sheet gives it once.
        sheet = (_sheet(row),) if name in FIGURE_TABLES else ()
        key = tuple(row[k] for k in KEYS[name]) + sheet
        if key in seen:
            raise DataError(file, row["_row"], "unique", f"{'/'.join(map(str, key))} already given in row {seen[key]}")
        seen[key] = row["_row"]
    return rows


def _sheet(row: dict[str, Any]) -> str:
    return row["source"].rpartition(":")[0]


_NUMBER = re.compile(r"\d{1,3}(?:[. ]\d{3})+(?!\d)|\d+(?:,\d+)?")


def _numbers_in(line: str) -> set[float]:
    """Every number a printed line can be read as: "2 229" is 2, 229 and 2229."""
    found = {float(t) for t in re.findall(r"\d+", line)}
    for token in _NUMBER.findall(line):
        found.add(float(token.replace(".", "").replace(" ", "").replace(",", ".")))
    return found


def _check_sources(directory: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    texts: dict[str, list[str]] = {}
    for row in tables["sources"]:
        path = directory / "sources" / row["file"]
        text = _read_text(path, "sources.csv", row["_row"])
        if text is None:
            raise DataError("sources.csv", row["_row"], "source-file", f"{path} does not exist")
        texts[row["file"]] = text.split("\n")
    for name, rows in tables.items():
        if name == "sources":
            continue
        for row in rows:
            file, _, line = row["source"].rpartition(":")
            if file not in texts or not line.isdigit() or not 1 <= int(line) <= len(texts[file]):
                raise DataError(f"{name}.csv", row["_row"], "source-ref",
                                f"{row['source']!r} is not file:line of a listed source")
            printed = texts[file][int(line) - 1]
            for column in ("returns", "percent"):
                value = row.get(column)
                if value is not None and float(value) not in _numbers_in(printed):
                    raise DataError(f"{name}.csv", row["_row"], "source-value",
                                    f"{column} {value} is not printed on {row['source']}")
            for column in ("name", "quote"):
                if name in ("countries", "statements") and column in row and row[column] not in printed:
                    raise DataError(f"{name}.csv", row["_row"], "source-value",
                                    f"{column} {row[column]!r} is not printed on {row['source']}")


def _check_statements(rows: list[dict[str, Any]]) -> None:
    """A statement's text may use {year} and, with a figure, {returns} and {total}."""
    for row in rows:
        allowed = ({"year"} if row["year"] is not None else set()) | \
            ({"returns", "total"} if row["returns"] is not None and row["year"] is not None else set())
        for lang in ("nl", "fr", "en"):
            names = set(re.findall(r"\{(\w*)\}", row[lang]))
            stray = re.sub(r"\{\w*\}", "", row[lang])
            if names - allowed or "{" in stray or "}" in stray:
                raise DataError("statements.csv", row["_row"], "placeholders",
                                f"{lang}: only {{year}}, {{returns}} and {{total}} with the row's year and figure")


def _supersede(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Keep, of a figure two sheets give, the newer sheet's (later in sources.csv).
    A year's country list or profile is read whole from one sheet: to replace it, its
    rows are replaced. Returns the rows dropped, each with the row used instead."""
    order = {row["file"]: i for i, row in enumerate(tables["sources"])}
    for before, row in zip(tables["sources"], tables["sources"][1:]):
        if row["year"] < before["year"]:
            raise DataError("sources.csv", row["_row"], "sheet-order",
                            f"{row['file']} is about {row['year']} but comes after a sheet about {before['year']}: "
                            "list the sheets oldest first")
    for name in LIST_TABLES:
        first: dict[int, dict[str, Any]] = {}
        for row in tables[name]:
            other = first.setdefault(row["year"], row)
            if _sheet(other) != _sheet(row):
                raise DataError(f"{name}.csv", row["_row"], "one-sheet",
                                f"the {row['year']} list mixes rows of {_sheet(other)} and {_sheet(row)}: "
                                "a newer sheet's list replaces the older rows")
    dropped: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for name in FIGURE_TABLES:
        newest: dict[tuple, dict[str, Any]] = {}
        for row in tables[name]:
            key = tuple(row[k] for k in KEYS[name])
            if key not in newest or order[_sheet(row)] > order[_sheet(newest[key])]:
                newest[key] = row
        used = [newest[tuple(r[k] for k in KEYS[name])] for r in tables[name]]
        dropped[name] = [(r, u) for r, u in zip(tables[name], used) if u is not r]
        tables[name] = [r for r, u in zip(tables[name], used) if u is r]
    return dropped


def _parse_selectors(rows: list[dict[str, Any]]) -> dict[str, tuple[Selector, ...]]:
    out = {}
    for row in rows:
        selectors = []
        for part in row["applies_to"].split(";"):
            m = re.fullmatch(r"(\w+):(\d{4})(?:-(\d{4}))?(?::(fedasil|dvz|total))?", part.strip())
            if not m or m.group(1) not in SELECTOR_TABLES:
                raise DataError("footnotes.csv", row["_row"], "applies-to",
                                f"{part!r} is not table:YYYY[-YYYY][:organisation] with table in {', '.join(SELECTOR_TABLES)}")
            first = int(m.group(2))
            last = int(m.group(3) or first)
            if last < first:
                raise DataError("footnotes.csv", row["_row"], "applies-to", f"{part!r}: range runs backwards")
            selectors.append(Selector(m.group(1), first, last, m.group(4)))
        out[row["id"]] = tuple(selectors)
    return out


def _fail(table: str, row: dict[str, Any], rule: str, detail: str) -> None:
    raise DataError(f"{table}.csv", row["_row"], rule, detail)


def _check_sums(t: dict[str, list[dict[str, Any]]], selectors: dict[str, tuple[Selector, ...]]) -> None:
    yearly = {r["year"]: r for r in t["yearly"]}
    for r in t["yearly"]:
        if r["last_month"] < r["first_month"]:
            _fail("yearly", r, "month-span", "last_month comes before first_month")
    monthly = {(r["year"], r["month"], r["organisation"]): r for r in t["monthly"]}
    for (year, month, org), r in monthly.items():
        if org == "total":
            parts = [monthly.get((year, month, o)) for o in ORGS_SPLIT]
            if all(parts) and sum(p["returns"] for p in parts) != r["returns"]:
                _fail("monthly", r, "organisations-add-up",
                      f"fedasil + dvz = {sum(p['returns'] for p in parts)} but total = {r['returns']} for {year}-{month:02d}")
            if any(parts) and not all(parts):
                _fail("monthly", r, "organisations-add-up", f"{year}-{month:02d} has only part of the organisation split")
        elif (year, month, "total") not in monthly:
            _fail("monthly", r, "total-present", f"{year}-{month:02d} has a {org} figure but no total")
        if year not in yearly:
            _fail("monthly", r, "year-known", f"{year} has monthly figures but no row in yearly.csv")
        elif not yearly[year]["first_month"] <= month <= yearly[year]["last_month"]:
            _fail("monthly", r, "month-in-span", f"{year}-{month:02d} lies outside the months yearly.csv says {year} covers")
    for year, y in yearly.items():
        months = [monthly.get((year, m, "total")) for m in range(y["first_month"], y["last_month"] + 1)]
        if any(months) and all(months) and sum(m["returns"] for m in months) != y["returns"]:
            _fail("yearly", y, "months-add-up",
                  f"the months of {year} add up to {sum(m['returns'] for m in months)}, not {y['returns']}")
    by_org: dict[int, int] = {}
    for r in t["yearly_by_organisation"]:
        by_org[r["year"]] = by_org.get(r["year"], 0) + r["returns"]
        months = [v for (yy, _, o), v in monthly.items() if yy == r["year"] and o == r["organisation"]]
        if months and sum(m["returns"] for m in months) != r["returns"]:
            _fail("yearly_by_organisation", r, "months-add-up",
                  f"the {r['organisation']} months of {r['year']} add up to {sum(m['returns'] for m in months)}")
        if r["year"] not in yearly:
            _fail("yearly_by_organisation", r, "year-known", f"{r['year']} has no row in yearly.csv")
    for r in t["yearly_by_organisation"]:
        if by_org[r["year"]] != yearly[r["year"]]["returns"]:
            _fail("yearly_by_organisation", r, "organisations-add-up",
                  f"fedasil + dvz = {by_org[r['year']]} but yearly.csv says {yearly[r['year']]['returns']} for {r['year']}")
    totals = {(r["table"], r["year"]): r for r in t["totals"]}
    for r in t["totals"]:
        if r["returns"] is not None and (r["year"] not in yearly or yearly[r["year"]]["returns"] != r["returns"]):
            _fail("totals", r, "matches-yearly", f"{r['table']} total {r['returns']} for {r['year']} differs from yearly.csv")
    _check_countries(t["countries"], totals, yearly)
    _check_year_known("categories", t["categories"], yearly)
    _check_categories(t["categories"], totals)
    for r in t["yearly"]:
        if r["marks"] and not any(f["mark"] == r["marks"] and any(s.matches("yearly", r["year"], None)
                                                                  for s in selectors[f["id"]])
                                  for f in t["footnotes"]):
            _fail("yearly", r, "footnote-resolves", f"mark {r['marks']} of {r['year']} has no footnote covering it")



def _check_year_known(table: str, rows, yearly) -> None:
    for r in rows:
        if r["year"] not in yearly:
            _fail(table, r, "year-known", f"{r['year']} has no row in yearly.csv")


def _check_countries(rows, totals, yearly) -> None:
    _check_year_known("countries", rows, yearly)
    for year in sorted({r["year"] for r in rows}):
        listed = [r for r in rows if r["year"] == year]
        if len({r["basis"] for r in listed}) != 1:
            _fail("countries", listed[-1], "one-basis", f"{year} mixes destination and nationality rows")
        ranked = sorted((r for r in listed if r["iso"] != "other"), key=lambda r: r["rank"] or 0)
        for expected, r in enumerate(ranked, start=1):
            if r["rank"] != expected:
                _fail("countries", r, "rank-sequence", f"rank {r['rank']} where {expected} was expected in {year}")
            if expected > 1 and r["returns"] > ranked[expected - 2]["returns"]:
                _fail("countries", r, "rank-order", f"rank {r['rank']} has more returns than rank {expected - 1}")
        for r in listed:
            if r["iso"] == "other" and r["rank"] is not None:
                _fail("countries", r, "other-unranked", "the 'other' row has no rank")
        total = sum(r["returns"] for r in listed)
        if year in yearly and total > yearly[year]["returns"]:
            _fail("countries", listed[-1], "within-total", f"the countries of {year} add up to more than the year's total")
        printed = totals.get(("countries", year))
        if any(r["iso"] == "other" for r in listed):
            if printed is None:
                _fail("countries", listed[-1], "total-present", f"{year} has an 'other' row but no total in totals.csv")
            if total != printed["returns"]:
                _fail("countries", listed[-1], "top-plus-other",
                      f"top list + other = {total} but the printed total for {year} is {printed['returns']}")


def _check_categories(rows, totals) -> None:
    for year in sorted({r["year"] for r in rows}):
        listed = [r for r in rows if r["year"] == year]
        printed = totals.get(("categories", year))
        pct_sum = sum(r["percent"] for r in listed)
        if abs(pct_sum - 100) > 1:
            _fail("categories", listed[-1], "percent-sum", f"the percentages of {year} add up to {pct_sum:g}")
        counts = [r["returns"] for r in listed]
        if all(c is None for c in counts):
            continue
        if any(c is None for c in counts):
            _fail("categories", listed[-1], "counts-complete", f"{year} gives counts for some categories only")
        if printed is None or printed["returns"] is None:
            _fail("categories", listed[-1], "total-present", f"{year} has counts but no total in totals.csv")
        if sum(counts) != printed["returns"]:
            _fail("categories", listed[-1], "categories-add-up",
                  f"the categories of {year} add up to {sum(counts)}, not {printed['returns']}")
        for r in listed:
            decimals = len(str(r["percent"]).split(".")[1]) if not float(r["percent"]).is_integer() else 0
            exact = 100 * r["returns"] / printed["returns"]
            if abs(exact - r["percent"]) > 0.5 * 10 ** -decimals + 1e-9:
                _fail("categories", r, "percent-matches-count",
                      f"{r['returns']} of {printed['returns']} is {exact:.2f}%, printed as {r['percent']:g}%")


def year_runs(years) -> list[tuple[int, int]]:
    """Years as runs of consecutive years: 2013, 2014, 2015, 2017 -> (2013, 2015), (2017, 2017)."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [(run[0], run[-1]) for run in runs]


def bundled() -> Path:
    """The data shipped with the package (data/ in the repo, returnbot_data when installed)."""
    try:
        return Path(str(importlib.resources.files("returnbot_data")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data"


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("RETURNBOT_DATA") or bundled())


def load(directory: str | os.PathLike | None = None) -> Dataset:
    """Read every table and check every rule; raise DataError on the first violation."""
    root = data_dir(directory)
    for folder in (root, root / "sources"):
        try:
            if not folder.is_dir():
                raise DataError(str(folder), None, "directory", "not a directory")
            os.listdir(folder)
        except OSError as exc:
            raise DataError(str(folder), None, "readable",
                            f"the directory cannot be read ({exc.strerror or type(exc).__name__})") from None
    tables = {name: _read(root, name) for name in TABLES}
    _check_sources(root, tables)
    _check_statements(tables["statements"])
    superseded = _supersede(tables)
    selectors = _parse_selectors(tables["footnotes"])
    _check_sums(tables, selectors)
    return Dataset(root, tables, selectors, superseded)
