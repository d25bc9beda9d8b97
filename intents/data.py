"""Load and validate the data directory once, at start-up: the source register
(sources.csv), the observations (observations.csv: one row per published figure), the
caveats (footnotes.csv) and what the sources say in words (statements.csv).

Plain csv parsing (not pandas) so that every violation can name its file, row and
rule in one line. Nothing is returned until every rule has passed.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.resources
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard, cast

from babel import Locale

from .models import CATEGORIES, LANGS, MAX_YEAR, ORGS

# What a figure is of (Observation.cell): measure, start, end, organisation, country, category, unit, and the
# period a change is against.
Cell = tuple[str, tuple[int, int], tuple[int, int], str, str | None, str | None, str,
             tuple[tuple[int, int], tuple[int, int]] | None]

TABLES = ("sources", "observations", "footnotes", "statements", "credits", "glossary")
MAX_FILE_BYTES = 1024 * 1024   # every table and source text is a few KB; a bigger file is refused unread
ORGANISATIONS = ("total", *ORGS)
FIRST_YEAR = 1990   # a year of the data before this one is a mistake
KINDS = ("fact_sheet", "press_release", "half_year_update", "annual_report", "news")
# A change is a percentage against another period (`against`), and may be negative.
UNITS = ("count", "percent", "rank", "change")
QUALIFIERS = ("about", "almost", "more_than", "rounded")
BASES = ("destination", "nationality", "origin")
# A group some publications give instead of its two categories: asylum seekers in the
# procedure and rejected ones together.
APPLICANTS_AND_REJECTED = "applicants_and_rejected"
# The printed total of a breakdown's table ("totaal" under the country list or the profile).
ALL = "all"
# The sheet's "Andere" row: every country outside its list.
OTHER = "other"
SELECTOR_TABLES = ("monthly", "yearly", "organisation", "countries", "categories")
# How far a profile's printed percentages may stray from 100 (2025: 99.3).
PERCENT_SLACK = 1.0


class DataError(Exception):
    """A broken rule in the data; str() is the one line shown to the user."""

    def __init__(self, file: str, row: int | None, rule: str, detail: str):
        self.file, self.row, self.rule, self.detail = file, row, rule, detail
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"damaged data: {where}: rule '{rule}': {detail}")


# ---- cell parsers -------------------------------------------------------------------------
def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


def _number(text: str) -> float:
    value = float(text)
    if not -100 <= value <= 10_000_000 or value != value:
        raise ValueError(f"{text} is outside -100..10,000,000")
    return value


def _months_span(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    start, sep, end = text.partition("..")
    if not sep:
        raise ValueError(f"{text!r} is not YYYY-MM..YYYY-MM")
    return _month(start), _month(end)


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"{text!r} is not one of {', '.join(options)}")
        return text
    return parse


def _pattern(regex: str, what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not re.fullmatch(regex, text):
            raise ValueError(f"{text!r} is not {what}")
        return text
    return parse


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("empty text")
    return text


def _month(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not m or not FIRST_YEAR <= int(m.group(1)) <= MAX_YEAR or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month YYYY-MM between {FIRST_YEAR} and {MAX_YEAR}")
    return int(m.group(1)), int(m.group(2))


def _date(text: str) -> tuple[int, ...]:
    """YYYY-MM-DD, or YYYY-MM or YYYY when the publication gives no more."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        raise ValueError(f"{text!r} is not a date YYYY[-MM[-DD]]")
    parts = tuple(int(p) for p in m.groups() if p is not None)
    dt.date(parts[0], *(parts[1:] + (1, 1)[len(parts) - 1:]))  # raises for a day not on the calendar
    return parts


def _url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s\"<>]+", text):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


@functools.cache
def _territories() -> frozenset[str]:
    return frozenset(Locale("en").territories)


def _country(text: str) -> str:
    if text not in (OTHER, ALL) and not (re.fullmatch(r"[A-Z]{2}", text) and text in _territories()):
        raise ValueError(f"{text!r} is not an ISO 3166 code known to CLDR (or '{OTHER}', '{ALL}')")
    return text


def _topics(text: str) -> tuple[str, ...]:
    topics = tuple(t.strip() for t in text.split(";"))
    if not all(re.fullmatch(r"[a-z_]+", t) for t in topics):
        raise ValueError(f"{text!r} is not topics separated by ';'")
    return topics


_YEAR = _int(FIRST_YEAR, MAX_YEAR)
_ID = _pattern(r"[a-z0-9][a-z0-9_-]*", "an id of lower-case letters, digits, '-' and '_'")

# column -> (parser, required); an optional column may be empty and then reads as None
SCHEMAS: dict[str, dict[str, tuple[Callable[[str], Any], bool]]] = {
    "sources": {"id": (_ID, True), "kind": (_choice(*KINDS), True), "year": (_YEAR, True),
                "publisher": (_text, True), "credit": (_text, True), "published": (_date, False),
                "file": (_text, False),
                **{f"title_{lang}": (_text, False) for lang in LANGS},
                **{f"url_{lang}": (_url, False) for lang in LANGS}},
    "observations": {"measure": (_pattern(r"[a-z][a-z_]*", "a measure name in lower case"), True),
                     "start": (_month, True), "end": (_month, True),
                     "organisation": (_choice(*ORGANISATIONS), True), "country": (_country, False),
                     "basis": (_choice(*BASES), False),
                     "category": (_choice(*CATEGORIES, APPLICANTS_AND_REJECTED, ALL), False),
                     "unit": (_choice(*UNITS), True), "value": (_number, True),
                     "qualifier": (_choice(*QUALIFIERS), False), "against": (_months_span, False),
                     "mark": (_choice("*", "**"), False), "label": (_text, False), "source": (_text, True),
                     "locator": (_text, True), "note": (_text, False)},
    "footnotes": {"id": (_text, True), "mark": (_choice("*", "**"), False), "applies_to": (_text, True),
                  "leaves_out": (_ID, False),
                  **{lang: (_text, True) for lang in LANGS}, "source": (_text, True), "locator": (_text, True)},
    "statements": {"id": (_text, True), "topics": (_topics, True), "year": (_YEAR, False),
                   "returns": (_int(0, 10_000_000), False), "quote": (_text, True),
                   **{lang: (_text, True) for lang in LANGS}, "source": (_text, True), "locator": (_text, True)},
    # A publisher's credit line as it is printed ("Fedasil/IOM/DVZ"), and the publisher's own
    # names for it in each language ("Fedasil/OIM/Office des étrangers").
    "credits": {"credit": (_text, True), **{lang: (_text, True) for lang in LANGS}},
    # The terms the publications use, each in the publications' own sense where they define it
    # (`defined` = yes), else what they say of it: the words it is asked by in each language
    # (separated by ";", the first the name shown), the text in each language, where it was read.
    "glossary": {"id": (_ID, True), **{f"terms_{lang}": (_text, True) for lang in LANGS},
                 "defined": (_choice("yes", "no"), True), **{lang: (_text, True) for lang in LANGS},
                 "quote": (_text, False), "source": (_text, True), "locator": (_text, True)},
}
KEYS = {"sources": ("id",), "footnotes": ("id",), "statements": ("id",), "credits": ("credit",), "glossary": ("id",)}


# ---- the values the rest of the program reads -----------------------------------------------
@dataclass(frozen=True)
class Source:
    """A publication of the register: what it is, when it came out, where to read it."""

    id: str
    kind: str
    year: int
    publisher: str
    credit: str
    published: tuple[int, ...] | None
    file: str | None
    titles: dict[str, str]
    urls: dict[str, str]
    # When it came out, for "the latest publication": its date, or for an undated one the
    # first day after the last month it covers.
    recency: tuple[int, int, int] = (0, 0, 0)

    def title(self, lang: str) -> tuple[str, str]:
        """The title in the reader's language where the publisher gives one, else in the
        first language it has (Dutch, French, English); with that language."""
        for candidate in (lang, *LANGS):
            if candidate in self.titles:
                return self.titles[candidate], candidate
        raise KeyError(self.id)


@dataclass(frozen=True)
class Observation:
    """One published figure: what it counts, over which months, broken down how, its value
    and its unit, and where it was read."""

    row: int
    measure: str
    start: tuple[int, int]
    end: tuple[int, int]
    org: str
    country: str | None
    basis: str | None
    category: str | None
    unit: str
    value: float
    qualifier: str | None
    mark: str | None
    label: str | None
    source: str
    locator: str
    # `file:line` of a fact sheet's text, the page's URL and paragraph for a web page.
    ref: str = ""
    # The period a change is against (unit "change").
    against: tuple[tuple[int, int], tuple[int, int]] | None = None

    @property
    def cell(self) -> Cell:
        """What the figure is of, whoever publishes it: two sources of one cell give the same figure."""
        return (self.measure, self.start, self.end, self.org, self.country, self.category, self.unit, self.against)

    @property
    def exact(self) -> bool:
        return self.qualifier is None

    @property
    def table(self) -> str:
        """The kind of figure, as footnote selectors name it (monthly, yearly, organisation,
        countries, categories)."""
        if self.country is not None:
            return "countries"
        if self.category is not None:
            return "categories"
        if self.start == self.end:
            return "monthly"
        return "yearly" if self.org == "total" else "organisation"

    @property
    def year(self) -> int:
        return self.start[0]

    @property
    def whole_year(self) -> bool:
        return self.start[0] == self.end[0] and self.start[1] == 1 and self.end[1] == 12


@dataclass(frozen=True)
class Selector:
    """`[measure.]table:years[:organisation]` in footnotes.csv: which figures a caveat governs."""

    measure: str
    table: str
    first: int
    last: int
    org: str | None
    # Only this publication's figures ("@factsheet-2025"): a caveat about how one publication prints them.
    source: str | None = None

    def matches(self, obs: Observation) -> bool:
        return self.covers(obs.measure, obs.table, obs.year, obs.org) and self.source in (None, obs.source)

    def covers(self, measure: str, table: str, year: int, org: str | None) -> bool:
        return (self.measure == measure and self.table == table and self.first <= year <= self.last
                and (self.org is None or self.org == (org or "total")))


@dataclass(frozen=True)
class Dataset:
    directory: Path
    # The register, oldest publication first.
    sources: dict[str, Source]
    # Every published figure, in the order of observations.csv.
    observations: tuple[Observation, ...]
    footnotes: tuple[dict[str, Any], ...]
    statements: tuple[dict[str, Any], ...]
    selectors: dict[str, tuple[Selector, ...]]
    # Of the figures several sources give, those not used, each with the one used instead
    # (the latest publication's).
    superseded: tuple[tuple[Observation, Observation], ...] = ()
    # Where sources disagree on one cell: each older figure with the latest one.
    disagreements: tuple[tuple[Observation, Observation], ...] = ()
    used: tuple[Observation, ...] = field(default=())
    # Each credit line of the register in each language: credit -> {lang: name}.
    credits: dict[str, dict[str, str]] = field(default_factory=dict)
    # The glossary (glossary.csv), each row with its terms per language and `refs`, where it was read.
    glossary: tuple[dict[str, Any], ...] = ()


# ---- reading ----------------------------------------------------------------------------------
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
        raise DataError(file, row, "readable",
                        f"{path} cannot be read ({exc.strerror or type(exc).__name__})") from None
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
                cell = raw[column].strip()
                if not cell:
                    if required:
                        raise DataError(file, number, "required", f"column {column!r} is empty")
                    row[column] = None
                    continue
                try:
                    row[column] = parse(cell)
                except ValueError as exc:
                    raise DataError(file, number, "value", f"column {column!r}: {exc}") from None
            rows.append(row)
    except csv.Error as exc:
        raise DataError(file, None, "csv", str(exc)) from None
    if not rows:
        raise DataError(file, 2, "rows-present", "the table has a header but no rows")
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = tuple(row[k] for k in KEYS.get(name, ()))
        if not key:
            continue
        if key in seen:
            raise DataError(file, row["_row"], "unique", f"{'/'.join(map(str, key))} already given in row {seen[key]}")
        seen[key] = row["_row"]
    return rows


# ---- the register and what cites it ---------------------------------------------------------
_NUMBER = re.compile(r"\d{1,3}(?:[. ]\d{3})+(?!\d)|\d+(?:,\d+)?")


def _numbers_in(line: str) -> set[float]:
    """Every number a printed line can be read as: "2 229" is 2, 229 and 2229."""
    found = {float(t) for t in re.findall(r"\d+", line)}
    for token in _NUMBER.findall(line):
        found.add(float(token.replace(".", "").replace(" ", "").replace(",", ".")))
    return found


class _Citations:
    """The register's sources and their texts: checks that a row cites a place that exists,
    and there prints what the row says."""

    def __init__(self, directory: Path, rows: list[dict[str, Any]]):
        self.rows = {row["id"]: row for row in rows}
        self.texts: dict[str, list[str]] = {}
        for row in rows:
            if not any(row[f"title_{lang}"] for lang in LANGS):
                raise DataError("sources.csv", row["_row"], "title-present", f"{row['id']} has no title")
            if row["file"] is None:
                continue
            path = directory / "sources" / row["file"]
            text = _read_text(path, "sources.csv", row["_row"])
            if text is None:
                raise DataError("sources.csv", row["_row"], "source-file", f"{path} does not exist")
            lines = text.split("\n")
            if lines[-1] == "":
                lines.pop()  # the newline that ends the last line starts no line of its own
            self.texts[row["id"]] = lines

    def ref(self, file: str, row: dict[str, Any]) -> str:
        """`file:line` of a fact sheet's text, `url#pN` of a web page; after checking that
        the source is in the register and the place exists."""
        source = self.rows.get(row["source"])
        if source is None:
            raise DataError(file, row["_row"], "source-id", f"{row['source']!r} is not an id of sources.csv")
        locator = row["locator"]
        if source["file"] is not None:
            lines = self.texts[source["id"]]
            if not locator.isdigit() or not 1 <= int(locator) <= len(lines):
                raise DataError(file, row["_row"], "source-ref",
                                f"locator {locator!r} is not a line of {source['file']} (1-{len(lines)})")
            return f"{source['file']}:{locator}"
        m = re.fullmatch(r"(nl|fr|en):p(\d+)", locator)
        if not m or source[f"url_{m.group(1)}"] is None:
            raise DataError(file, row["_row"], "source-ref",
                            f"locator {locator!r} is not lang:pN (a paragraph) of a page {source['id']} has a URL for")
        return f"{source['url_' + m.group(1)]}#p{m.group(2)}"

    def printed(self, row: dict[str, Any]) -> str | None:
        """The line a row cites, where the source's text is in sources/."""
        lines = self.texts.get(row["source"])
        return lines[int(row["locator"]) - 1] if lines is not None else None


def _recency(row: dict[str, Any], covered: Iterable[tuple[int, int]]) -> tuple[int, int, int]:
    if row["published"] is not None:
        parts = row["published"]
        return (parts[0], parts[1] if len(parts) > 1 else 0, parts[2] if len(parts) > 2 else 0)
    last = max(covered, default=(row["year"], 12))
    return (last[0] + 1, 1, 0) if last[1] == 12 else (last[0], last[1] + 1, 0)


def _observations(rows: list[dict[str, Any]], cite: _Citations) -> list[Observation]:
    out = []
    seen: dict[tuple[str, *Cell, str | None], int] = {}
    for r in rows:
        ref = cite.ref("observations.csv", r)
        fail = functools.partial(_fail, "observations", r)
        if r["end"] < r["start"]:
            fail("period", f"end {r['end']} comes before start {r['start']}")
        if r["unit"] == "count" and not float(r["value"]).is_integer():
            fail("value", f"a count is a whole number, not {r['value']:g}")
        if r["unit"] != "change" and r["value"] < 0:
            fail("value", f"only a change is negative, not {r['unit']} {r['value']:g}")
        if r["unit"] == "percent" and r["value"] > 100:
            fail("value", f"a percentage is 0-100, not {r['value']:g}")
        if (r["unit"] == "change") != (r["against"] is not None):
            fail("against",
                 "a change names the period it is against (against = YYYY-MM..YYYY-MM), no other figure does")
        if r["unit"] == "rank" and not (float(r["value"]).is_integer() and 1 <= r["value"] <= 300):
            fail("value", f"a rank is a whole number 1-300, not {r['value']:g}")
        if (r["country"] is None) != (r["basis"] is None):
            fail("basis", "a country row names its basis (destination, nationality, origin), no other row does")
        printed = cite.printed(r)
        if printed is not None:
            if abs(r["value"]) not in _numbers_in(printed):
                fail("source-value", f"value {r['value']:g} is not printed on {ref}")
            if r["label"] is not None and r["label"] not in printed:
                fail("source-value", f"label {r['label']!r} is not printed on {ref}")
        obs = Observation(r["_row"], r["measure"], r["start"], r["end"], r["organisation"], r["country"], r["basis"],
                          r["category"], r["unit"], r["value"], r["qualifier"], r["mark"], r["label"], r["source"],
                          r["locator"], ref, r["against"])
        # A headline may round what the text gives exactly: one figure each, exact or not.
        key = (obs.source, *obs.cell, obs.qualifier)
        if key in seen:
            fail("unique", f"{obs.source} gives this figure in row {seen[key]} already")
        seen[key] = obs.row
        out.append(obs)
    return out


def _register(rows: list[dict[str, Any]], observations: list[Observation]) -> dict[str, Source]:
    covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for obs in observations:
        covered[obs.source].append(obs.end)
    sources = [Source(r["id"], r["kind"], r["year"], r["publisher"], r["credit"], r["published"], r["file"],
                      {lang: r[f"title_{lang}"] for lang in LANGS if r[f"title_{lang}"]},
                      {lang: r[f"url_{lang}"] for lang in LANGS if r[f"url_{lang}"]},
                      _recency(r, covered[r["id"]])) for r in rows]
    return {s.id: s for s in sorted(sources, key=lambda s: s.recency)}


def _credits(rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Every credit line of the register named in each language (credits.csv)."""
    names = {row["credit"]: {lang: row[lang] for lang in LANGS} for row in rows}
    for row in sources:
        if row["credit"] not in names:
            raise DataError("sources.csv", row["_row"], "credit-names",
                            f"credit {row['credit']!r} has no row in credits.csv (its name in each language)")
    return names


def _check_glossary(rows: list[dict[str, Any]], cite: _Citations) -> None:
    """Each entry cites places that exist (several lines or paragraphs, separated by ";"); where
    the publication's text is in sources/, its quote is printed on one of them. A term names
    one entry only, in each language."""
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        refs, printed = [], []
        for locator in row["locator"].split(";"):
            refs.append(cite.ref("glossary.csv", {**row, "locator": locator.strip()}))
            printed.append(cite.printed({**row, "locator": locator.strip()}))
        row["refs"] = tuple(refs)
        # One row's locators are of one source, whose text is in sources/ or not: every line is printed, or none.
        if printed[0] is not None and (row["quote"] is None
                                       or not any(row["quote"] in cast(str, line) for line in printed)):
            raise DataError("glossary.csv", row["_row"], "source-value",
                            f"quote {row['quote']!r} is not printed on {', '.join(refs)}")
        row["terms"] = {}
        for lang in LANGS:
            row["terms"][lang] = tuple(t.strip() for t in row[f"terms_{lang}"].split(";") if t.strip())
            for term in row["terms"][lang]:
                key = (lang, " ".join(term.casefold().split()))
                if seen.setdefault(key, row["id"]) != row["id"]:
                    raise DataError("glossary.csv", row["_row"], "glossary-terms",
                                    f"{lang} term {term!r} also names {seen[key]!r}")


def _check_statements(rows: list[dict[str, Any]], cite: _Citations) -> None:
    """A statement's text may use {year} and, with a figure, {returns} and {total}; its
    quote is printed where it cites."""
    for row in rows:
        row["ref"] = cite.ref("statements.csv", row)
        printed = cite.printed(row)
        if printed is not None and row["quote"] not in printed:
            raise DataError("statements.csv", row["_row"], "source-value",
                            f"quote {row['quote']!r} is not printed on {row['ref']}")
        allowed = ({"year"} if row["year"] is not None else set()) | \
            ({"returns", "total"} if row["returns"] is not None and row["year"] is not None else set())
        for lang in LANGS:
            names = set(re.findall(r"\{(\w*)\}", row[lang]))
            stray = re.sub(r"\{\w*\}", "", row[lang])
            if names - allowed or "{" in stray or "}" in stray:
                raise DataError("statements.csv", row["_row"], "placeholders",
                                f"{lang}: only {{year}}, {{returns}} and {{total}} with the row's year and figure")


def _parse_selectors(rows: list[dict[str, Any]], cite: _Citations) -> dict[str, tuple[Selector, ...]]:
    out = {}
    for row in rows:
        row["ref"] = cite.ref("footnotes.csv", row)
        selectors = []
        for part in row["applies_to"].split(";"):
            m = re.fullmatch(r"(?:([a-z_]+)\.)?(\w+):(\d{4})(?:-(\d{4}))?(?::(fedasil|dvz|total))?(?:@([a-z0-9_-]+))?",
                             part.strip())
            if not m or m.group(2) not in SELECTOR_TABLES:
                raise DataError("footnotes.csv", row["_row"], "applies-to",
                                f"{part!r} is not [measure.]table:YYYY[-YYYY][:organisation][@source] with table in "
                                f"{', '.join(SELECTOR_TABLES)}")
            if m.group(6) and m.group(6) not in cite.rows:
                raise DataError("footnotes.csv", row["_row"], "applies-to", f"{part!r}: no source {m.group(6)!r}")
            first = int(m.group(3))
            last = int(m.group(4) or first)
            if last < first:
                raise DataError("footnotes.csv", row["_row"], "applies-to", f"{part!r}: range runs backwards")
            selectors.append(Selector(m.group(1) or "returns", m.group(2), first, last, m.group(5), m.group(6)))
        out[row["id"]] = tuple(selectors)
    return out


def _fail(table: str, row: dict[str, Any] | Observation, rule: str, detail: str) -> None:
    raise DataError(f"{table}.csv", row["_row"] if isinstance(row, dict) else row.row, rule, detail)


# ---- sums within one source ------------------------------------------------------------------
def _span(obs: Observation) -> str:
    (y1, m1), (y2, m2) = obs.start, obs.end
    return f"{y1}-{m1:02d}" if obs.start == obs.end else f"{y1}-{m1:02d}..{y2}-{m2:02d}"


def _months(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], start
    while (y, m) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _every(found: list[Observation | None]) -> TypeGuard[list[Observation]]:
    """Whether every figure looked for was found."""
    return all(found)


def _check_sums(observations: list[Observation], tables: set[str]) -> None:
    """Figures of one source add up as they must: the organisations to the total, the
    months to their period, a list's countries and a profile's categories to their printed
    total. Different sources are compared by `data check`, never refused. `tables`: the
    sources printed as tables (the fact sheets), whose monthly split is complete."""
    every = observations
    # Only exact figures are held to add up ("about half" and "3000" in a headline are not).
    observations = [o for o in observations if o.exact]
    cells = {(o.source, *o.cell): o for o in observations}

    def get(o: Observation, **change: Any) -> Observation | None:
        fields: dict[str, Any] = dict(measure=o.measure, start=o.start, end=o.end, org=o.org, country=o.country,
                                      category=o.category, unit=o.unit)
        fields.update(change)
        return cells.get((o.source, fields["measure"], fields["start"], fields["end"], fields["org"],
                          fields["country"], fields["category"], fields["unit"], None))

    for o in observations:
        if o.unit != "count":
            continue
        if o.org == "total":
            parts = [get(o, org=org) for org in ORGS]
            if _every(parts) and sum(p.value for p in parts) != o.value:
                _fail("observations", o, "organisations-add-up",
                      f"{' + '.join(ORGS)} = {sum(p.value for p in parts):g} but total = {o.value:g} "
                      f"for {_span(o)} in {o.source}")
            if o.start == o.end and o.source in tables and any(parts) and not all(parts):
                _fail("observations", o, "organisations-add-up", f"{_span(o)} has only part of the organisation split")
        elif o.start == o.end and o.source in tables and get(o, org="total") is None:
            _fail("observations", o, "total-present", f"{_span(o)} has a {o.org} figure but no total in {o.source}")
    for o in observations:
        if o.unit == "count" and o.start != o.end and o.country is None and o.category is None:
            months = [get(o, start=m, end=m) for m in _months(o.start, o.end)]
            if _every(months) and sum(m.value for m in months) != o.value:
                _fail("observations", o, "months-add-up",
                      f"the months of {_span(o)} add up to {sum(m.value for m in months):g}, not {o.value:g}")
    _check_lists(every, get, tables)


def _check_lists(observations: list[Observation], get: Callable[..., Observation | None], tables: set[str]) -> None:
    lists: dict[tuple[str, str, tuple[int, int], tuple[int, int], str, str, str | None], list[Observation]] = \
        defaultdict(list)
    for o in observations:
        if (o.country is not None or o.category is not None) and o.unit != "change":
            # a list of countries may be of one category ("irregular migrants went mainly to Ukraine")
            key = ("country", o.category) if o.country is not None else ("category", None)
            lists[(o.source, o.measure, o.start, o.end, o.org, *key)].append(o)
    for (source, _measure, start, end, _org, dim, _), rows in lists.items():
        if not any(r.exact for r in rows):
            continue
        where = f"{source} {start[0]}-{start[1]:02d}..{end[0]}-{end[1]:02d}"
        if dim == "country":
            _check_country_list(rows, where, get)
        else:
            _check_profile(rows, where, source in tables)


def _check_country_list(rows: list[Observation], where: str, get: Callable[..., Observation | None]) -> None:
    for unit in UNITS:
        if len({r.basis for r in rows if r.unit == unit}) > 1:
            _fail("observations", rows[-1], "one-basis", f"the list of {where} mixes bases")
    counts = [r for r in rows if r.unit == "count" and r.exact and r.country not in (OTHER, ALL)]
    # The order printed is known from a text's lines; a web page's paragraph holds a whole list.
    printed = sorted((r for r in counts if r.locator.isdigit()), key=lambda r: int(r.locator))
    for above, r in zip(printed, printed[1:]):
        if r.value > above.value:
            _fail("observations", r, "rank-order",
                  f"{r.country} has more returns than {above.country} above it ({where})")
    # Places run 1, 2, 3... without a gap; countries given with a count and no rank hold the first ones.
    ranked = sorted((r for r in rows if r.unit == "rank"), key=lambda r: r.value)
    unranked = {r.country for r in rows if r.country not in (OTHER, ALL)} - {r.country for r in ranked}
    held = {int(r.value) for r in ranked} | set(range(1, 1 + len(unranked)))
    for r in ranked:
        if r.value > 1 and int(r.value) - 1 not in held:
            _fail("observations", r, "rank-sequence", f"rank {r.value:g} without rank {r.value - 1:g} ({where})")
    whole = next((r for r in rows if r.country == ALL and r.unit == "count" and r.exact), None)
    total = get(rows[0], country=None, unit="count")
    listed = sum(r.value for r in counts)
    if whole is not None and total is not None and whole.value != total.value:
        _fail("observations", whole, "matches-total",
              f"the list's total {whole.value:g} is not the total {total.value:g} ({where})")
    whole = whole or total
    other = next((r for r in rows if r.country == OTHER and r.unit == "count" and r.exact), None)
    if whole is not None and listed > whole.value:
        _fail("observations", counts[-1], "within-total", f"the countries add up to more than the total ({where})")
    if other is not None:
        if whole is None:
            _fail("observations", other, "total-present", f"an '{OTHER}' row but no total ({where})")
        elif listed + other.value != whole.value:
            _fail("observations", other, "top-plus-other",
                  f"top list + other = {listed + other.value:g} but the total is {whole.value:g} ({where})")


def _check_profile(rows: list[Observation], where: str, table: bool) -> None:
    """A table prints the whole profile; a release may give one category's figure alone."""
    rows = [r for r in rows if r.exact]
    parts = {(r.category, r.unit): r for r in rows}
    percents = [parts[(c, "percent")] for c in CATEGORIES if (c, "percent") in parts]
    counts = [parts.get((c, "count")) for c in CATEGORIES]
    if len(percents) == len(CATEGORIES):
        added = sum(r.value for r in percents)
        if abs(added - 100) > PERCENT_SLACK:
            _fail("observations", percents[-1], "percent-sum", f"the percentages add up to {added:g} ({where})")
    if not any(counts):
        return
    if not _every(counts):
        if table:
            _fail("observations", rows[-1], "counts-complete", f"counts for some categories only ({where})")
        return
    total = parts.get((ALL, "count"))
    if total is None:
        _fail("observations", rows[-1], "total-present", f"counts but no total ({where})")
        return
    added = sum(r.value for r in counts)
    if added != total.value:
        _fail("observations", rows[-1], "categories-add-up",
              f"the categories add up to {added:g}, not {total.value:g} ({where})")
    for count in counts:
        pct = parts.get((count.category, "percent"))
        if pct is None:
            continue
        decimals = len(f"{pct.value:g}".partition(".")[2])
        exact = 100 * count.value / total.value
        if abs(exact - pct.value) > 0.5 * 10 ** -decimals + 1e-9:
            _fail("observations", pct, "percent-matches-count",
                  f"{count.value:g} of {total.value:g} is {exact:.2f}%, printed as {pct.value:g}%")


def _check_marks(observations: list[Observation], footnotes: list[dict[str, Any]],
                 selectors: dict[str, tuple[Selector, ...]]) -> None:
    for o in observations:
        if o.mark and not any(f["mark"] == o.mark and any(s.matches(o) for s in selectors[f["id"]]) for f in footnotes):
            _fail("observations", o, "footnote-resolves", f"mark {o.mark} of {_span(o)} has no footnote covering it")


# Figures set aside, each with the one used instead.
_Replaced = tuple[tuple[Observation, Observation], ...]


def _latest(observations: list[Observation],
            sources: dict[str, Source]) -> tuple[tuple[Observation, ...], _Replaced, _Replaced]:
    """Of the figures several sources give for one cell, the latest publication's is used;
    the others are kept and named. Returns the figures used, the ones set aside (with the
    one used instead) and, among those, the ones that disagree with it."""
    order = {sid: i for i, sid in enumerate(sources)}
    best: dict[Cell, Observation] = {}
    for o in observations:
        # the latest publication's; of one publication's, the exact figure (the text's, not its headline's)
        if o.cell not in best or (order[o.source], o.exact) > (order[best[o.cell].source], best[o.cell].exact):
            best[o.cell] = o
    used = tuple(o for o in observations if best[o.cell] is o)
    superseded = tuple((o, best[o.cell]) for o in observations if best[o.cell] is not o)
    # Figures of one publication that say the same thing twice ("more than 13,000", then
    # "13,392") do not disagree; two publications do, in value or in exactness.
    disagree = tuple((o, new) for o, new in superseded if o.source != new.source
                     and (o.value != new.value or o.qualifier != new.qualifier))
    return used, superseded, disagree


def year_runs(years: Iterable[int]) -> list[tuple[int, int]]:
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


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("RETURNBOT_DATA") or bundled())


def load(directory: str | os.PathLike[str] | None = None) -> Dataset:
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
    cite = _Citations(root, tables["sources"])
    observations = _observations(tables["observations"], cite)
    sources = _register(tables["sources"], observations)
    _check_statements(tables["statements"], cite)
    _check_glossary(tables["glossary"], cite)
    selectors = _parse_selectors(tables["footnotes"], cite)
    _check_sums(observations, set(cite.texts))
    _check_marks(observations, tables["footnotes"], selectors)
    credits = _credits(tables["credits"], tables["sources"])
    used, superseded, disagreements = _latest(observations, sources)
    return Dataset(root, sources, tuple(observations), tuple(tables["footnotes"]), tuple(tables["statements"]),
                   selectors, superseded, disagreements, used, credits, tuple(tables["glossary"]))
