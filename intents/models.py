"""Plain, frozen values that flow through the pipeline: Period, figures, lines, Answer.

Nothing here does I/O or formatting; render.py turns the typed params into text.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "no_data", "clarify", "unknown")
# The languages of the questions and the answers, in the order a missing text falls back through.
LANGS = ("nl", "fr", "en")
DEFAULT_LANG = "en"   # the language of a reply when nothing chose one
# The years a question may name ("in 1850" is no year of these figures, but still a year).
MIN_YEAR, MAX_YEAR = 1900, 2100
# The organisations and the categories of migrants the sheets split the figures by.
ORGS = ("fedasil", "dvz")
CATEGORIES = ("applicants", "rejected", "irregular")


def first_language(*choices: str | None) -> str:
    """The language of a reply: the first of `choices` that is set (a language asked for, then
    the one read or remembered, then hints), else DEFAULT_LANG."""
    return next((lang for lang in choices if lang), DEFAULT_LANG)


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive span of whole months; `kind` says how the user named it."""

    start: tuple[int, int]
    end: tuple[int, int]
    kind: str = "range"
    # "" for a period as written; "latest": the year was left out, and the years in
    # start/end are offsets from the year the engine picks (the latest it has);
    # "first": the period starts where the figures start ("until 2020"); "monthly": the months
    # of the year that have monthly figures ("2025, over the published months").
    anchor: str = ""

    @classmethod
    def joined(cls, periods: Sequence[Period]) -> Period | None:
        """Months that follow one another ("okt, nov en dec 2025") as one span, else None."""
        if len(periods) < 2 or any(not x.single_month or x.anchor for x in periods):
            return None
        for before, after in zip(periods, periods[1:]):
            year, month = before.end
            if after.start != ((year, month + 1) if month < 12 else (year + 1, 1)):
                return None
        return cls(periods[0].start, periods[-1].end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls((year, month), (year, month), "month")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls((year, 1), (year, 12), "year")

    @classmethod
    def years(cls, first: int, last: int) -> Period:
        return cls((first, 1), (last, 12), "years")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls((year, 3 * quarter - 2), (year, 3 * quarter), "quarter")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        return cls((year, 6 * half - 5), (year, 6 * half), "half")

    @property
    def first_year(self) -> int:
        return self.start[0]

    @property
    def last_year(self) -> int:
        return self.end[0]

    @property
    def whole_years(self) -> bool:
        return self.start[1] == 1 and self.end[1] == 12

    @property
    def single_year(self) -> bool:
        return self.start[0] == self.end[0]

    @property
    def single_month(self) -> bool:
        return self.start == self.end

    def months(self) -> list[tuple[int, int]]:
        out, (y, m) = [], self.start
        while (y, m) <= self.end:
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def open(self) -> bool:
        """Whether the year was left out (the engine picks it)."""
        return self.anchor == "latest"

    def with_year(self, year: int) -> Period:
        """An open period placed in a year, or the same months in another year (for
        follow-ups such as "and 2019?")."""
        shift = year if self.open else year - self.start[0]
        return Period((self.start[0] + shift, self.start[1]), (self.end[0] + shift, self.end[1]), self.kind)

    def to_json(self) -> dict[str, Any]:
        out = {"start": "%04d-%02d" % self.start, "end": "%04d-%02d" % self.end, "kind": self.kind}
        if self.anchor:
            out["anchor"] = self.anchor
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Period:
        """The inverse of to_json; the year of an open period is an offset and may be negative."""
        def month(text: str) -> tuple[int, int]:
            year, _, m = text.rpartition("-")
            return int(year), int(m)
        return cls(month(data["start"]), month(data["end"]), data.get("kind", "range"), data.get("anchor", ""))


@dataclass(frozen=True)
class Num:
    """A number to show; `style` picks the locale format (count, percent, decimal, signed...).
    `rows` are the data rows it comes from; `notes` the footnotes marked on it, when the
    figures of its line are not all governed by the same footnotes."""

    value: float
    style: str = "count"
    rows: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()
    # A figure the publication gives as approximate: "about", "almost", "more_than", "rounded".
    qualifier: str | None = None


def nums_in(value: Any) -> Iterator[Num]:
    """The numbers of a line's params, inside tuples too ("Other years: ...")."""
    if isinstance(value, Num):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from nums_in(item)


@dataclass(frozen=True)
class Ref:
    """A named thing to show in the reader's language: org, country, category, month..."""

    kind: str
    code: Any


@dataclass(frozen=True)
class Figure:
    """A number the answer states, with the data rows it comes from (file:line)."""

    value: float
    kind: str
    label: str
    sources: tuple[str, ...]
    # The observations (intents.data.Observation) it is read or calculated from: its period,
    # breakdown and unit for a table of the answer's figures (bot/export.py).
    rows: tuple[Any, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {"value": value, "kind": self.kind, "label": self.label, "sources": list(self.sources)}


@dataclass(frozen=True)
class Line:
    """One paragraph of an answer: a template key in answers.toml, its params, and the
    data rows (table, year, organisation) its figures use, which decide its footnotes."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    rows: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    status: str
    # What was asked, resolved (the periods the engine chose filled in): a Request.
    request: Any
    lines: tuple[Line, ...]
    figures: tuple[Figure, ...] = ()
    footnotes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def slots(self) -> Any:
        """The request as an intent and its slots (program.Slots)."""
        return self.request.slots
