"""Periods as a grammar, in the style of Duckling's time rules.

The lexicon turns words into entities; here, entities become *items* (a time, a
grain, a number, a modifier...), and small rules, each a pattern over adjacent
items and a production, build new time items from them until nothing changes.
The reading that covers most tokens with fewest items wins. Every time word that
no chosen item covers is reported, so the question can be asked back instead of
being answered for another period.

Conventions (the answer restates the period it used, so each is visible):
- a left-out year is an explicit anchor ("latest": the engine picks the latest
  year the data has for it); "until 2020" starts at the first year of the data;
- "two years ago" and "last year" are whole calendar years; "the last 3 months"
  are the three whole months before the current one;
- beginning / middle / end of a period name no months of their own ("early 2020"):
  alone they are asked back, offering the first / middle / last third; as the edge
  of a span ("from early 2019 to the end of 2020") they are the period's edge;
- a season's months are not agreed (meteorological, school holidays): a season is
  asked back, offering the meteorological months (winter 2020: December 2019 to
  February 2020), and so is any period built from one ("since the summer of 2019");
- "the year before" counts from a period named in the same question, then from
  the previous question's; with neither it is asked back, never counted from today.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from .entities import Entity, day_exists, keywords
from .models import LANGS, Period

GRAIN_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
# The meteorological seasons, first and last month; winter ends in the year it is named by.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "winter": (12, 2)}
# Period kinds that name no months of their own: asked back, offering these months.
VAGUE = {"part", "season"}
# Past this a span is not a question about these figures ("the last 300 years").
MAX_UNITS = {"month": 36, "quarter": 12, "half": 8, "year": 40}
# Entity types that only ever speak of time: left unused, they make the question a clarify.
TIME_ONLY = {"month", "ym", "quarter", "half", "decade", "mod:last", "mod:next", "prev", "shift", "shift2", "ago:post",
             "part", "part_of_year", "era", "ytd", "hence:post", "weak_month", "season", "range:strictly_between",
             "range:until_excl", "kw:bounds_excluded"}
# Entities that make a part word ("early", "fin") next to them a word about time.
TIME_NEIGHBOURS = {"year", "month", "weak_month", "ym", "yq", "yh", "quarter", "half", "decade", "grain", "mod", "prev",
                   "num", "bad_date", "season"}
# Items that may start a reading: without one, the question names no period ("num": "twenty twenty").
TIME_ITEMS = {"time", "bad", "grain", "mod", "prev", "ytd", "shift", "shift2", "ago", "hence", "part", "part_of_year",
              "whole", "era", "now", "num"}


class Item(NamedTuple):
    """A piece of a reading: entities first..last (indexes), what they are, and the
    tokens they cover."""

    first: int
    last: int
    kind: str
    value: Any
    tokens: int
    rule: str = ""
    parts: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Layout:
    """What the entity list alone does not show: which entities follow a determiner
    ("the 2 months before": a span), and which follow the one before them with only
    glue words between ("the first quarter of 2020"), so that they may form one period.
    Entities are named by the token they start at: the rules may leave some out before the
    time grammar reads the rest ("combien de fois plus ... en février 2020"), which moves no
    other."""

    determined: frozenset[int] = frozenset()
    glued: frozenset[int] | None = None  # None: every entity binds to the one before

    def binds(self, i: int) -> bool:
        return self.glued is None or i in self.glued

    def indexed(self, ents: list[Entity]) -> Layout:
        """The same, with entities named by their place in this list (as the grammar's items are)."""
        if not self.determined and not self.glued:
            return self  # nothing to move
        return Layout(frozenset(i for i, e in enumerate(ents) if e.start in self.determined),
                      None if self.glued is None else frozenset(i for i, e in enumerate(ents) if e.start in self.glued))


@dataclass
class Reading:
    """What the time words of a question say."""

    periods: list[Period] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # the first entity of each period
    used: set[int] = field(default_factory=set)  # entity indexes that shaped a period
    unread: list[Entity] = field(default_factory=list)  # time words no rule could use
    bad: list[str] = field(default_factory=list)  # dates that do not exist, eras
    needs_anchor: bool = False  # "the year before" with nothing to count from
    talk: list[Entity] = field(default_factory=list)  # "fin d'études": a part word by no period
    vague: list[Period] = field(default_factory=list)  # "early 2020": the third it may mean
    vague_words: list[str] = field(default_factory=list)
    vague_starts: list[int] = field(default_factory=list)
    # "from 2022 to 2023", "between 2018 and 2019": each interval's two edges, by the period it makes
    edges: dict[Period, tuple[Period, Period]] = field(default_factory=dict)
    # Periods named by a grain the figures do not have ("3 June 2020"): (grain, the month(s) holding it)
    finer: list[tuple[str, Period]] = field(default_factory=list)


# ---- periods and grains ---------------------------------------------------------------

def shift_month(ym: tuple[int, int], delta: int) -> tuple[int, int]:
    index = ym[0] * 12 + ym[1] - 1 + delta
    return index // 12, index % 12 + 1


def months_between(a: tuple[int, int], b: tuple[int, int]) -> int:
    """How many months b lies after a (negative before it)."""
    return (b[0] - a[0]) * 12 + b[1] - a[1]


def unit_at(grain: str, ym: tuple[int, int]) -> Period:
    """The month, quarter, half or year that contains a month."""
    size = GRAIN_MONTHS[grain]
    first = (ym[1] - 1) // size * size + 1
    return Period((ym[0], first), (ym[0], first + size - 1), grain)


def units(grain: str, start: tuple[int, int], count: int) -> Period:
    """`count` whole grains from the one that contains `start`; a negative count gives
    the grains right before that one ("the last 3 months")."""
    size = GRAIN_MONTHS[grain]
    first = unit_at(grain, start)
    if count >= 0:
        return _span(first.start, shift_month(first.start, size * count - 1), grain, count)
    return _span(shift_month(first.start, size * count), shift_month(first.start, -1), grain, -count)


def _span(start: tuple[int, int], end: tuple[int, int], grain: str, count: int) -> Period:
    if count == 1:
        return Period(start, end, grain)
    return Period(start, end, "years" if grain == "year" else "range")


def shifted(period: Period, months: int) -> Period:
    return Period(shift_month(period.start, months), shift_month(period.end, months), period.kind, period.anchor)


def length(period: Period) -> int:
    return (period.end[0] - period.start[0]) * 12 + period.end[1] - period.start[1] + 1


def step(anchor: Period, grain: str, n: int) -> Period:
    """The grain n steps from an anchor: a grain as long as the anchor or longer moves
    the anchor itself (March 2020, a year before: March 2019); a shorter one counts
    from its edge (the month before 2020: December 2019)."""
    size = GRAIN_MONTHS[grain]
    if size >= length(anchor):
        return shifted(anchor, size * n)
    if n < 0:
        return units(grain, shift_month(anchor.start, size * n), 1)
    return units(grain, shift_month(anchor.end, 1 + size * (n - 1)), 1)


def span_from(anchor: Period, grain: str, n: int) -> Period:
    """The n grains right before (n < 0) or after an anchor."""
    size = GRAIN_MONTHS[grain]
    if n < 0:
        return _span(shift_month(anchor.start, size * n), shift_month(anchor.start, -1), grain, -n)
    return _span(shift_month(anchor.end, 1), shift_month(anchor.end, size * n), grain, n)


def within(period: Period, grain: str, index: int, count: int = 1) -> Period | None:
    """Grains `index`..`index+count-1` (1-based; negative from the end) inside a period."""
    size = GRAIN_MONTHS[grain]
    total = length(period) // size
    if size > length(period) or count > total or abs(index) > total or index == 0:
        return None
    first = index - 1 if index > 0 else total + index - count + 1
    start = shift_month(period.start, first * size)
    end = shift_month(start, count * size - 1)
    return Period(start, end, grain if count == 1 else "range", period.anchor)


def third(period: Period, part: str) -> Period:
    """Beginning / middle / end: the first, middle or last third of the months, as a
    "part" (vague) period that only a span may use."""
    months = period.months()
    size = max(1, len(months) // 3)
    pick = {"begin": months[:size], "middle": months[size:len(months) - size] or months,
            "end": months[-size:]}[part]
    return Period(pick[0], pick[-1], "part", period.anchor)


def latest(start_month: int, end_month: int, kind: str) -> Period:
    """A period whose year was left out: years are offsets from the year the engine picks."""
    return Period((0, start_month), (0, end_month), kind, "latest")


def season(name: str) -> Period:
    """A season without its year; winter starts in the December before."""
    first, last = SEASONS[name]
    return Period((-1 if first > last else 0, first), (0, last), "season", "latest")


# ---- the rules --------------------------------------------------------------------------

class P(NamedTuple):
    """A pattern element: the item kinds it can match (an index for the matcher) and
    the test on the item."""

    kinds: frozenset[str]
    test: Callable[[Item], bool]

    def __call__(self, it: Item) -> bool:
        return it.kind in self.kinds and self.test(it)


def k(kind: str, value: Any = None) -> P:
    return P(frozenset({kind}), lambda it: value is None or it.value == value)


def any_range(*values: str) -> P:
    return P(frozenset({"range"}), lambda it: it.value in values)


def grain(*names: str) -> P:
    return P(frozenset({"grain"}), lambda it: not names or it.value in names)


def _whole_number(it: Item, low: float = 1, high: float = float("inf")) -> bool:
    """A whole number as written (not a quoted figure such as "3.000")."""
    return float(it.value).is_integer() and low <= it.value <= high and it.rule != "fuzzy"


time = P(frozenset({"time"}), lambda it: True)
closed = P(frozenset({"time"}), lambda it: not it.value.anchor)
INTERVAL_RULES = {"from to", "from until", "to", "until", "between and", "month to month"}
# a time that is not an interval of two ("June 2020", not "June 2020 until December")
one_time = P(frozenset({"time"}), lambda it: it.rule not in INTERVAL_RULES)
# a month with its year after it: "the first half of March 2020", never "Q3 2025, July-..." (the
# month takes its year from before, and the quarter is the quarter)
own_month = P(frozenset({"time"}), lambda it: not it.value.anchor and it.value.single_month
              and it.rule != "year comma open")
# "tweede helft", "Q2" read alone: a half or quarter still to be placed
numbered_part = P(frozenset({"time"}), lambda it: it.rule in ("half", "quarter"))
year = P(frozenset({"time"}), lambda it: not it.value.anchor and it.value.kind == "year")
# a year written as one, not an event ("de pandemie, maart tot mei 2020" is no March of the pandemic)
written_year = P(frozenset({"time"}), lambda it: it.rule == "year")
# a month name; "weak": "march", "may" that nothing else marks as a month, read only inside a rule
month_name = P(frozenset({"time", "weak"}), lambda it: it.value.open and it.value.kind == "month"
               and it.rule in ("month", "weak"))
# a period without its year that a year may complete (not a day: "day month year" checks the date)
yearless = P(frozenset({"time", "weak"}), lambda it: it.value.open and it.rule not in DAY_RULES)
# "Aug 96": a two-digit number that cannot be a day is a year
short_year = P(frozenset({"num"}), lambda it: _whole_number(it, 32, 99) and it.tokens == 1)
count = P(frozenset({"num"}), _whole_number)
# after a determiner: "the 2 months before May 2020" is a span
det_count = P(frozenset({"num"}), lambda it: _whole_number(it) and it.rule == "det")
# no determiner: "two years after 2016" is one year
bare_count = P(frozenset({"num"}), lambda it: _whole_number(it) and it.rule != "det")
day = P(frozenset({"num"}), lambda it: _whole_number(it, 1, 31) and it.tokens == 1)
ordinal_day = P(frozenset({"ord"}), lambda it: isinstance(it.value, int) and 1 <= it.value <= 31)
any_day = P(day.kinds | ordinal_day.kinds, lambda it: day(it) or ordinal_day(it))  # "1", "1er", "1st"
# "twenty nineteen", "negentien negenennegentig": text2num writes a year said in two halves as two numbers
century = P(frozenset({"num"}), lambda it: _whole_number(it, 19, 20) and it.tokens == 1)
year_half = P(frozenset({"num"}), lambda it: _whole_number(it, 10, 99) and it.tokens == 1)
# "van" / "de" between a part and its period ("de eerste 3 maanden van 2020")
of_word = k("range", "from")
# "before", and Dutch "voor" where it can only mean before ("het jaar voor 2016")
before_word = P(frozenset({"range"}), lambda it: it.value in ("before", "weak_before"))
first_word = P(frozenset({"ord", "kw"}), lambda it: it.value in (1, "top"))
# a season without its year, also one with another meaning ("cet été", "last fall")
season_word = P(frozenset({"time", "weak"}), lambda it: it.rule == "season" and it.value.open)
last_word = k("mod", "last")


class Rule(NamedTuple):
    name: str
    pattern: tuple[P, ...]
    produce: Callable[..., Any]
    langs: tuple[str, ...] = ()
    # The first `context` items and the last `ahead` are only looked at: they stay for the
    # rest of the question.
    context: int = 0
    ahead: int = 0


# A grain n steps from a period still to be found: ("anchored", grain, n, fallback_today, span).
Anchored = tuple[str, str, int, bool, bool]


class Ctx:
    """What a production may need besides its items."""

    def __init__(self, today: dt.date):
        self.today = today
        self.now = (today.year, today.month)


def _year_of(it: Item) -> int:
    period: Period = it.value
    return period.first_year


def _interval(a: Period, b: Period) -> Period | None:
    """From a to b; an end without a year takes the other's, so that "dec-mrt 2020"
    is December 2019 to March 2020 and "from July 2019 to February" ends in 2020."""
    if a.open and b.open:
        if a.start[1] > b.end[1]:
            a = Period((a.start[0] - 1, a.start[1]), (a.end[0] - 1, a.end[1]), a.kind, "latest")
        return Period(a.start, b.end, "range", "latest")
    if a.open:
        placed = a.with_year(b.first_year)
        a = placed if placed.start <= b.start else a.with_year(b.first_year - 1)
    elif b.open:
        placed = b.with_year(a.last_year)
        if a.whole_years and not a.anchor and a.start <= placed.start and placed.end < a.end:
            return Period(a.start, placed.end, "range")  # "in 2025 until September": that year up to it
        b = placed if placed.end >= a.end else b.with_year(a.last_year + 1)
    if a.anchor or b.anchor:
        return None
    first, last = (a, b) if a.start <= b.start else (b, a)
    kind = "years" if first.whole_years and last.whole_years else "range"
    return Period(first.start, max(first.end, last.end), kind)


def _since(p: Period, c: Ctx) -> Period:
    if p.open:
        return Period(p.start, (0, 12), "since", "latest")
    return Period(p.start, (max(c.today.year, p.last_year), 12), "since")


def _until(p: Period) -> Period:
    if p.open:
        return Period((0, 1), p.end, "range", "latest")
    if not p.whole_years:
        # "up to June 2025": from the start of that year.
        return Period((p.first_year, 1), p.end, "range")
    # "until 2020": from the first year the figures have (the engine knows it).
    return Period((p.first_year, 1), p.end, "until", "first")


def _before(p: Period) -> Period | None:
    if p.anchor:
        return None
    end = shift_month(p.start, -1)
    return Period((end[0], 1), end, "until", "first")


def _after(p: Period, c: Ctx) -> Period | None:
    if p.open and p.kind == "month" and p.end[1] < 12:
        # "in 2020 after June": the rest of the year named, or of the latest one
        return Period((0, p.end[1] + 1), (0, 12), "range", "latest")
    if p.anchor:
        return None
    start = shift_month(p.end, 1)
    return Period(start, (max(c.today.year, start[0]), 12), "since")


def _before_start(p: Period) -> Period:
    """The month before a period, as the bound "after" it would be ("from 2021" starts after December 2020)."""
    month = shift_month(p.start, -1)
    return Period(month, month, "month", p.anchor)


def _bounded(after: Period, last: Period, inclusive: bool) -> Period | None:
    """"after June 2020 and before October": July-September 2020; "after June 2020 until
    December": July-December. A bound without its year takes the first's."""
    if after.open and not last.open and not last.anchor:
        # "strictly between April and June 2025", "after June until December 2020": the first
        # bound takes the second's year
        after = after.with_year(last.first_year if after.with_year(last.first_year).start <= last.start
                                else last.first_year - 1)
    if after.anchor or after.open:
        return None
    start = shift_month(after.end, 1)
    if last.open:
        placed = last.with_year(start[0])
        last = placed if placed.end >= start else last.with_year(start[0] + 1)
    end = last.end if inclusive else shift_month(last.start, -1)
    return Period(start, end, "range") if start <= end and not last.anchor else None


def _relative(mod: str, g: str, c: Ctx, n: int = 1) -> Period | None:
    """this / last / next <grain>, the last / next n <grains>, counted from today."""
    if n > MAX_UNITS[g]:
        return None
    if mod == "this":
        return unit_at(g, c.now) if n == 1 else None
    if mod == "next":
        return units(g, shift_month(unit_at(g, c.now).end, 1), n)
    return units(g, c.now, -n)


def _ago(n: float, g: str, c: Ctx) -> Period | None:
    """n grains before the current one; negative n: after it ("dans 3 ans")."""
    if not float(n).is_integer() or abs(n) > MAX_UNITS[g]:
        return None
    return step(unit_at(g, c.now), g, -int(n))


def _nearest(mod: str, p: Period, c: Ctx) -> Period:
    """"next March", "next summer": the first after this month; "last March": the latest
    one before it; "this winter": the one this month is in, else the one of this year."""
    around = [p.with_year(c.today.year + d) for d in (-1, 0, 1, 2)]
    if mod == "next":
        return next(q for q in around if q.start > c.now)
    if mod == "last":
        return next(q for q in reversed(around) if q.end < c.now)
    return next((q for q in around if q.start <= c.now <= q.end), p.with_year(c.today.year))


def _shift(n: int, g: str, fallback_today: bool = False) -> Anchored:
    """A grain n steps from a period still to be found; `fallback_today` for words
    that may also count from today ("the previous year")."""
    return ("anchored", g, n, fallback_today, False)


def _span_shift(n: int, g: str, fallback_today: bool = False) -> Anchored | None:
    """The n grains right after (before, n < 0) a period still to be found ("2021 and
    the two following years", "et les deux années suivantes ?")."""
    return ("anchored", g, n, fallback_today, True) if abs(n) <= MAX_UNITS[g] else None


def _coming(mod: str, g: str, c: Ctx, n: int) -> Period | Anchored | None:
    """"the next 2 years" after a period named before it, or in the previous question, are
    the two after that period ("2021 and the next two years"); else they count from today,
    as "the last 2 years" always do."""
    return _span_shift(n, g, True) if mod == "next" else _relative(mod, g, c, n)


def _across(season_: Period, a: Item, b: Item) -> Period | None:
    """"winter 2020-2021": a season across the turn of the year, named by both years."""
    crosses = season_.start[0] < season_.end[0]
    return season_.with_year(_year_of(b)) if crosses and _year_of(b) == _year_of(a) + 1 else None


def _short_year(value: float) -> int:
    """'96 and 96 after a month: 1900s from 30 up, as for decades."""
    return int(value) + (1900 if value >= 30 else 2000)


def _month_day(d: Item, m: Item, y: int | None = None) -> Period | tuple[str, str]:
    """The month of a day: the figures are monthly. A day not on the calendar is nonsense."""
    month: Period = m.value
    if not day_exists(int(d.value), month.start[1], y):
        return ("bad", f"{int(d.value)} {month.start[1]}")
    return month if y is None else month.with_year(y)


def _whole_month(first: Item, last: Item, m: Item, y: int | None = None) -> Period | None:
    """A span of days from the first of a month to its last is that month; any other is none."""
    month: Period = m.value
    end = calendar.monthrange(y or 2021, month.start[1])[1]
    if int(first.value) != 1 or int(last.value) != end:
        return None
    return month if y is None else month.with_year(y)


# annotated: a pattern above reads it
DAY_RULES: set[str] = {"day month", "month day", "ordinal day month", "ordinal day of month", "month ordinal day"}
DAY_YEAR_RULES = {"day month year", "month day year", "ordinal day month year", "ordinal day of month year",
                  "month ordinal day year"}
# A period read from a day ("1 May 2025", "1/5/2025"): the figures are monthly, so it names
# a grain they do not have.
FINER_RULES = DAY_RULES | DAY_YEAR_RULES | {"day date", "part of a month"}
# The grain each of them names, for the answer.
FINER_GRAIN = {"part of a month": "fortnight"}
PART_RULES = {"last grain of", "ordinal grain of", "last n grains of", "n last grains of", "part of", "whole",
              "open year", "part of this year", "up to the end of", "grain month", "all n grains of"}

RULES: tuple[Rule, ...] = (
    # absolute: a month, quarter or half and its year
    # a period without its year, then the year ("maart 2020", "Q3 2020", "dec-mrt 2020")
    Rule("open year", (yearless, year),
         lambda a, y, c: a.value.with_year(_year_of(y))),
    Rule("day month year", (day, month_name, year), lambda d, m, y, c: _month_day(d, m, _year_of(y))),
    # "du 1er au 31 mars 2020", "from 1 to 30 April": every day of the month is the month
    Rule("first to last day of month year", (k("range", "from"), any_day, any_range("to", "until"), day, month_name,
                                              year),
         lambda f, a, t, b, m, y, c: _whole_month(a, b, m, _year_of(y))),
    Rule("first to last day of month", (k("range", "from"), any_day, any_range("to", "until"), day, month_name),
         lambda f, a, t, b, m, c: _whole_month(a, b, m)),
    Rule("month day year", (month_name, day, year), lambda m, d, y, c: _month_day(d, m, _year_of(y)), ("en",)),
    Rule("year open", (year, yearless), lambda y, a, c: a.value.with_year(_year_of(y))),
    Rule("open comma year", (yearless, k("conj", "comma"), written_year),
         lambda a, s_, y, c: a.value.with_year(_year_of(y))),
    Rule("year comma open", (written_year, k("conj", "comma"), yearless),
         lambda y, s_, a, c: a.value.with_year(_year_of(y))),
    Rule("month short year", (month_name, short_year), lambda a, y, c: a.value.with_year(_short_year(y.value))),
    Rule("day month", (day, month_name), lambda d, m, c: _month_day(d, m)),
    # "le 1er mai", "the 2nd of May 2025": a day, whatever its number
    Rule("ordinal day month", (ordinal_day, month_name), lambda d, m, c: _month_day(d, m)),
    Rule("ordinal day of month", (ordinal_day, of_word, month_name), lambda d, o, m, c: _month_day(d, m)),
    Rule("ordinal day month year", (ordinal_day, month_name, year), lambda d, m, y, c: _month_day(d, m, _year_of(y))),
    Rule("ordinal day of month year", (ordinal_day, of_word, month_name, year),
         lambda d, o, m, y, c: _month_day(d, m, _year_of(y))),
    Rule("month day", (month_name, day), lambda m, d, c: _month_day(d, m), ("en",)),
    # "January 2nd 2020"
    Rule("month ordinal day", (month_name, ordinal_day), lambda m, d, c: _month_day(d, m), ("en",)),
    Rule("month ordinal day year", (month_name, ordinal_day, year), lambda m, d, y, c: _month_day(d, m, _year_of(y)),
         ("en",)),
    Rule("year in two numbers", (century, year_half), lambda a, b, c: Period.year(int(a.value) * 100 + int(b.value)),
         ("en", "nl")),
    Rule("grain year", (grain("year"), year), lambda g, y, c: y.value),
    Rule("season two years", (season_word, year, k("range", "to"), year),
         lambda s_, a, t, b, c: _across(s_.value, a, b)),
    Rule("season of two years", (season_word, of_word, year, k("range", "to"), year),
         lambda s_, o, a, t, b, c: _across(s_.value, a, b)),
    # "the month of March", "de maand mei 2020": the month
    Rule("grain month", (grain("month"), month_name), lambda g, m, c: m.value),
    Rule("ordinal grain", (k("ord"), grain("quarter", "half", "month")),
         lambda o, g, c: within(latest(1, 12, "year"), g.value, o.value)),
    Rule("grain number", (grain("quarter", "half"), count),
         lambda g, n, c: within(latest(1, 12, "year"), g.value, int(n.value))),
    Rule("last grain of", (last_word, grain("quarter", "half", "month"), closed),
         lambda m, g, p, c: within(p.value, g.value, -1)),
    Rule("ordinal grain of", (k("ord"), grain("quarter", "half", "month"), closed),
         lambda o, g, p, c: within(p.value, g.value, o.value)),
    # "the first half of March 2020", "de tweede helft van april 2020": part of a month, finer than the figures
    Rule("part of a month", (k("ord"), grain("quarter", "half"), own_month), lambda o, g, p, c: p.value),
    Rule("part of a month", (numbered_part, own_month), lambda h, p, c: p.value),
    Rule("part of a month", (k("ord"), grain("quarter", "half"), k("range", "from"), own_month),
         lambda o, g, f, p, c: p.value),
    Rule("first n grains of", (first_word, count, grain("month", "quarter")),
         lambda f, n, g, c: within(latest(1, 12, "year"), g.value, 1, int(n.value))),
    Rule("n first grains of", (count, first_word, grain("month", "quarter")),
         lambda n, f, g, c: within(latest(1, 12, "year"), g.value, 1, int(n.value)), ("fr",)),
    Rule("last n grains of", (last_word, count, grain("month", "quarter"), closed),
         lambda f, n, g, p, c: within(p.value, g.value, -1, int(n.value))),
    Rule("n last grains of", (count, last_word, grain("month", "quarter"), closed),
         lambda n, f, g, p, c: within(p.value, g.value, -1, int(n.value)), ("fr",)),
    Rule("part of", (k("part"), time), lambda pt, p, c: third(p.value, pt.value)),
    # "half maart": the middle of March, never March
    Rule("half month", (grain("half"), time),
         lambda h, p, c: third(p.value, "middle") if p.value.single_month else None, ("nl",)),
    Rule("whole", (k("whole"), time), lambda w, p, c: p.value),
    # "the 12 months of 2019", "les 4 trimestres de 2020": all of them, so the period itself
    Rule("all n grains of", (count, grain("month", "quarter", "half"), closed),
         lambda n, g, p, c: p.value if int(n.value) * GRAIN_MONTHS[g.value] == length(p.value) else None),
    # "maand 11 van 2020", "month 3 of 2019": a month by its number
    Rule("month number of year", (grain("month"), count, of_word, year),
         lambda g, n, f, y, c: Period.month(_year_of(y), int(n.value)) if 1 <= n.value <= 12 else None),
    Rule("month number year", (grain("month"), count, year),
         lambda g, n, y, c: Period.month(_year_of(y), int(n.value)) if 1 <= n.value <= 12 else None),
    Rule("whole grain", (k("whole"), grain("year")), lambda w, g, c: _shift(0, "year")),
    # "2024 (full year)": the year named, said to be whole
    Rule("year whole grain", (time, k("whole"), grain("year")),
         lambda p, w, g, c: p.value if p.value.whole_years else None),
    Rule("grain whole", (grain("year"), k("whole")), lambda g, w, c: _shift(0, "year"), ("fr",)),
    Rule("era", (time, k("era")), lambda p, e, c: ("bad", "era")),
    Rule("year zero", (grain("year"), k("num", 0)), lambda g, n, c: ("bad", "0")),
    Rule("month thirteen", (grain("month"), count), lambda g, n, c: ("bad", str(n.value)) if n.value > 12 else None),
    # relative to today
    Rule("mod grain", (k("mod"), grain()), lambda m, g, c: _relative(m.value, g.value, c)),
    Rule("previous grain", (k("prev"), grain()), lambda m, g, c: _shift(-1, g.value, True)),
    Rule("grain previous", (grain(), k("prev")), lambda g, m, c: _shift(-1, g.value, True), ("fr", "nl")),
    Rule("grain mod", (grain(), k("mod")), lambda g, m, c: _relative(m.value, g.value, c), ("fr", "nl")),
    Rule("mod n grains", (k("mod"), count, grain()), lambda m, n, g, c: _coming(m.value, g.value, c, int(n.value))),
    Rule("n mod grains", (count, k("mod"), grain()), lambda n, m, g, c: _coming(m.value, g.value, c, int(n.value))),
    Rule("mod month", (k("mod"), month_name), lambda m, a, c: _nearest(m.value, a.value, c)),
    Rule("mod season", (k("mod"), season_word), lambda m, a, c: _nearest(m.value, a.value, c)),
    Rule("season mod", (season_word, k("mod")), lambda a, m, c: _nearest(m.value, a.value, c), ("fr",)),
    Rule("month after next", (month_name, k("shift2", 2)), lambda a, s_, c: shifted(_nearest("next", a.value, c), 12)),
    Rule("part of this year", (k("part"), grain("year")), lambda pt, g, c: third(unit_at("year", c.now), pt.value)),
    Rule("part of year word", (k("part_of_year"),), lambda pt, c: third(unit_at("year", c.now), pt.value)),
    Rule("hence n grains", (k("hence", "pre"), count, grain()), lambda h, n, g, c: _ago(-n.value, g.value, c)),
    Rule("n grains hence", (count, grain(), k("hence", "post")), lambda n, g, h, c: _ago(-n.value, g.value, c)),
    # "dans une année", not "dans les années 2019 et 2020"
    Rule("hence grain", (k("hence", "pre"), P(frozenset({"grain"}), lambda it: it.rule != "det")),
         lambda h, g, c: _ago(-1, g.value, c)),
    Rule("n grains mod", (count, grain(), k("mod")), lambda n, g, m, c: _coming(m.value, g.value, c, int(n.value)),
         ("fr",)),
    Rule("n grains ago", (count, grain(), k("ago", "post")), lambda n, g, a, c: _ago(n.value, g.value, c)),
    Rule("grain ago", (grain(), k("ago", "post")), lambda g, a, c: _ago(1, g.value, c)),
    # "il y a un an": the article binds as glue
    Rule("ago grain", (k("ago", "pre"), grain()), lambda a, g, c: _ago(1, g.value, c)),
    Rule("ago n grains", (k("ago", "pre"), count, grain()), lambda a, n, g, c: _ago(n.value, g.value, c)),
    Rule("grain two steps", (grain(), k("shift2")), lambda g, s, c: step(unit_at(g.value, c.now), g.value, s.value)),
    Rule("two steps grain", (k("shift2"), grain()), lambda s, g, c: step(unit_at(g.value, c.now), g.value, s.value)),
    # "so far this year": the year, which the engine clips to the months published
    Rule("year to date", (k("ytd"),), lambda y, c: Period.year(c.today.year)),
    Rule("ytd time", (k("ytd"), time), lambda y, p, c: p.value),
    Rule("time ytd", (time, k("ytd")), lambda p, y, c: p.value),
    Rule("mod grain month", (k("mod"), grain("year"), month_name),
         lambda m, g, a, c: a.value.with_year(r.first_year) if (r := _relative(m.value, "year", c)) else None,
         ("nl",)),
    # anchored to another period: in the same question, else the previous one
    Rule("grain shift", (grain(), k("shift")), lambda g, s, c: _shift(s.value, g.value)),
    Rule("shift grain", (k("shift"), grain()), lambda s, g, c: _shift(s.value, g.value)),
    Rule("n grains shift", (bare_count, grain(), k("shift")),
         lambda n, g, s, c: _shift(s.value * int(n.value), g.value)),
    # after a determiner, or with the count after the shift word, a span ("les deux années suivantes")
    Rule("the n grains shift", (det_count, grain(), k("shift")),
         lambda n, g, s, c: _span_shift(s.value * int(n.value), g.value)),
    Rule("the n shift grains", (det_count, k("shift"), grain()),
         lambda n, s, g, c: _span_shift(s.value * int(n.value), g.value)),
    Rule("shift n grains", (k("shift"), count, grain()),
         lambda s, n, g, c: _span_shift(s.value * int(n.value), g.value)),
    # "et deux ans avant ?": the period that many grains before the one named before
    Rule("n grains before", (bare_count, grain(), before_word),
         lambda n, g, d, c: _shift(-int(n.value), g.value) if n.value <= MAX_UNITS[g.value] else None),
    Rule("n grains after", (bare_count, grain(), k("range", "after")),
         lambda n, g, d, c: _shift(int(n.value), g.value) if n.value <= MAX_UNITS[g.value] else None),
    # "the 12 months up to September 2025": those grains, the last one holding the month named
    Rule("the n grains up to time", (det_count, grain(), any_range("until"), closed),
         lambda n, g, u, p, c: _span(shift_month(p.value.end, 1 - GRAIN_MONTHS[g.value] * int(n.value)), p.value.end,
                                     g.value, int(n.value)) if n.value <= MAX_UNITS[g.value] else None),
    Rule("the n grains before", (det_count, grain(), before_word),
         lambda n, g, d, c: _span_shift(-int(n.value), g.value)),
    Rule("the n grains after", (det_count, grain(), k("range", "after")),
         lambda n, g, d, c: _span_shift(int(n.value), g.value)),
    # "the previous two years": before a period named, else before this one
    Rule("previous n grains", (k("prev"), count, grain()),
         lambda p, n, g, c: _span_shift(-int(n.value), g.value, True)),
    Rule("the n previous grains", (det_count, k("prev"), grain()),
         lambda n, p, g, c: _span_shift(-int(n.value), g.value, True)),
    Rule("the n grains previous", (det_count, grain(), k("prev")),
         lambda n, g, p, c: _span_shift(-int(n.value), g.value, True), ("fr", "nl")),
    Rule("grain shift time", (grain(), k("shift"), closed), lambda g, s_, p, c: step(p.value, g.value, s_.value)),
    Rule("grain before", (grain(), k("range", "before")), lambda g, d, c: _shift(-1, g.value)),
    Rule("grain after", (grain(), k("range", "after")), lambda g, d, c: _shift(1, g.value)),
    Rule("grain before time", (grain(), before_word, closed),
         lambda g, d, p, c: step(p.value, g.value, -1)),
    # "the last year before the pandemic", "het laatste jaar vóór de coronacrisis": the one right before it
    Rule("last grain before time", (k("mod", "last"), grain(), before_word, closed),
         lambda m, g, d, p, c: step(p.value, g.value, -1)),
    Rule("grain after time", (grain(), k("range", "after"), closed),
         lambda g, d, p, c: step(p.value, g.value, 1)),
    Rule("n grains before time", (bare_count, grain(), before_word, closed),
         lambda n, g, d, p, c: step(p.value, g.value, -int(n.value)) if n.value <= MAX_UNITS[g.value] else None),
    Rule("n grains after time", (bare_count, grain(), k("range", "after"), closed),
         lambda n, g, d, p, c: step(p.value, g.value, int(n.value)) if n.value <= MAX_UNITS[g.value] else None),
    Rule("the n grains before time", (det_count, grain(), before_word, closed),
         lambda n, g, d, p, c: span_from(p.value, g.value, -int(n.value)) if n.value <= MAX_UNITS[g.value] else None),
    Rule("the n grains after time", (det_count, grain(), k("range", "after"), closed),
         lambda n, g, d, p, c: span_from(p.value, g.value, int(n.value)) if n.value <= MAX_UNITS[g.value] else None),
    # "de 2020 inclus à 2025 inclus": a bound said to be included is that bound
    Rule("included", (closed, k("kw", "include")), lambda p, i, c: p.value),
    # intervals
    Rule("from to", (k("range", "from"), time, k("range", "to"), time),
         lambda f, a, t, b, c: _interval(a.value, b.value)),
    Rule("from until", (k("range", "from"), time, k("range", "until"), time),
         lambda f, a, t, b, c: _interval(a.value, b.value)),
    Rule("to", (time, k("range", "to"), time), lambda a, t, b, c: _interval(a.value, b.value)),
    Rule("until", (time, k("range", "until"), time), lambda a, t, b, c: _interval(a.value, b.value)),
    # "in 2025 until the end of September": up to and with that month
    Rule("until the end of", (time, k("range", "until"), k("part", "end"), time),
         lambda a, t, e, b, c: _interval(a.value, b.value)),
    # between two month names, "march" and "may" are months ("spring 2020, march through may")
    Rule("month to month", (month_name, any_range("to", "until"), month_name),
         lambda a, t, b, c: _interval(a.value, b.value)),
    Rule("between and", (k("range", "between"), time, k("conj"), time),
         lambda f, a, t, b, c: _interval(a.value, b.value)),
    # "strictly between 2021 and 2023": without its bounds
    Rule("strictly between", (k("range", "strictly_between"), time, k("conj"), time),
         lambda s_, a, j, b, c: _bounded(a.value, b.value, inclusive=False)),
    # "between March and June 2020, both months excluded": April-May
    Rule("between excluded", (k("range", "between"), time, k("conj"), time, k("kw", "bounds_excluded")),
         lambda s_, a, j, b, x, c: _bounded(a.value, b.value, inclusive=False)),
    Rule("between excluded (comma)", (k("range", "between"), time, k("conj"), time, k("conj", "comma"),
                                      k("kw", "bounds_excluded")),
         lambda s_, a, j, b, m, x, c: _bounded(a.value, b.value, inclusive=False)),
    Rule("between and now", (k("range", "between"), time, k("conj"), k("now")),
         lambda f, a, t, n, c: _interval(a.value, Period.month(*c.now))),
    Rule("from to now", (k("range", "from"), time, any_range("to", "until"), k("now")),
         lambda f, a, t, n, c: _interval(a.value, Period.month(*c.now))),
    Rule("to now", (time, any_range("to", "until"), k("now")),
         lambda a, t, n, c: _interval(a.value, Period.month(*c.now))),
    Rule("from until now", (k("range", "from"), time, k("ytd")),
         lambda f, a, y, c: _interval(a.value, Period.month(*c.now))),
    Rule("since", (k("range", "since"), one_time), lambda s, p, c: _since(p.value, c)),
    # "vanaf maart tot en met juni 2020": from one to the other, never since the whole interval
    Rule("since until", (k("range", "since"), time, any_range("until", "to"), time),
         lambda s, a, t, b, c: _interval(a.value, b.value)),
    Rule("up to", (k("range", "until"), time), lambda u, p, c: _until(p.value)),
    # "vanaf 2021 tot maar niet met 2024": 2021-2023
    Rule("from until excluded", (any_range("from", "since"), time, k("range", "until_excl"), time),
         lambda f, a, u, b, c: _bounded(_before_start(a.value), b.value, inclusive=False)),
    Rule("until excluded", (k("range", "until_excl"), time), lambda u, p, c: _before(p.value)),
    Rule("up to the end of", (k("range", "until"), k("part", "end"), time), lambda u, pt, p, c: _until(p.value)),
    Rule("before", (k("range", "before"), time), lambda b, p, c: _before(p.value)),
    # a series per year of one year is no series: "per jaar voor 2010" is before it, not for it
    Rule("per year before", (k("kw", "per_year"), k("range", "weak_before"), closed),
         lambda s_, b, p, c: _before(p.value), ("nl",), context=1),
    # a list bounds nothing: "per jaar voor 2021, 2022 en 2023" is for them
    Rule("per year for a list", (k("kw", "per_year"), k("range", "weak_before"), closed, k("conj"), closed),
         lambda s_, b, p, j, q, c: p.value, ("nl",), context=1, ahead=1),
    # "after June 2020 until December" is bounded on both sides, never after the whole interval
    Rule("after", (k("range", "after"), one_time), lambda a, p, c: _after(p.value, c)),
    Rule("after and before", (k("range", "after"), time, k("conj"), before_word, time),
         lambda a, p, j, b, q, c: _bounded(p.value, q.value, inclusive=False)),
    Rule("after before", (k("range", "after"), time, before_word, time),
         lambda a, p, b, q, c: _bounded(p.value, q.value, inclusive=False)),
    Rule("after until", (k("range", "after"), time, any_range("until", "to"), time),
         lambda a, p, u, q, c: _bounded(p.value, q.value, inclusive=True)),
    Rule("after until the end of", (k("range", "after"), time, k("range", "until"), k("part", "end"), time),
         lambda a, p, u, e, q, c: _bounded(p.value, q.value, inclusive=True)),
)

# Spans whose second bound may follow a comma ("after June 2020, up to the end of that year").
COMMA_BOUNDED = {"after until", "after until the end of", "since until", "from to", "from until"}


def _with_comma(rule: Rule) -> Rule:
    """The same rule with a comma after its first period."""
    def produce(*args: Any) -> Any:
        *items, ctx = args
        return rule.produce(*items[:2], *items[3:], ctx)
    return Rule(rule.name + " (comma)", (*rule.pattern[:2], k("conj", "comma"), *rule.pattern[2:]), produce, rule.langs)

def _with_of(rule: Rule) -> Rule:
    """The same rule with "of" before its last item ("les 3 derniers mois de 2020"): in Dutch
    and French, where "van" and "de" are also "from"; English "of" is glue, and "from" is
    never "of" ("fall from 2012 to 2013" is no autumn)."""
    def produce(*args: Any) -> Any:
        *items, ctx = args
        return rule.produce(*items[:-2], items[-1], ctx)
    langs = tuple(lang for lang in (rule.langs or LANGS) if lang in OF_IS_FROM)
    return Rule(rule.name + " (of)", (*rule.pattern[:-1], of_word, rule.pattern[-1]), produce, langs,
                rule.context, rule.ahead)


# The languages whose word for "of" is also the word for "from".
OF_IS_FROM = ("nl", "fr")


# Parts of a period may name it after "of" ("van 2020", "de 2020").
RULES = RULES + tuple(_with_of(r) for r in RULES if r.name in PART_RULES) \
    + tuple(_with_comma(r) for r in RULES if r.name in COMMA_BOUNDED)

_RULES_BY_LANG = {lang: tuple(r for r in RULES if not r.langs or lang in r.langs) for lang in LANGS}
# Every item kind any element of a rule's pattern can match, by the rule's identity.
_PATTERN_KINDS = {id(r): frozenset(kind for p in r.pattern for kind in p.kinds) for r in RULES}


def _lexical(e: Entity, i: int, ntok: int, determined: bool) -> Item | None:
    """The item an entity starts as; None for entities that say nothing of time. A
    period word with another meaning ("fall") is read only inside a rule ("fall 2019")."""
    item = _lexical_item(e, i, ntok, determined)
    return item._replace(kind="weak") if item is not None and e.also and item.kind == "time" else item


def _lexical_item(e: Entity, i: int, ntok: int, determined: bool) -> Item | None:
    t, v = e.type, e.value

    def make(kind: str, value: Any, rule: str = "") -> Item:
        return Item(i, i, kind, value, ntok, rule)

    if t == "month":
        return make("time", latest(v, v, "month"), "month")
    if t == "weak_month":
        return make("weak", latest(v, v, "month"), "weak")
    if t == "year":
        # "covid", "de pandemie": a year named by what happened in it
        return make("time", Period.year(v), "year" if not e.text or any(c.isdigit() for c in e.text) else "event")
    if t == "ym":
        return make("time", Period.month(*v), "ym")
    if t == "day_ym":
        return make("time", Period.month(*v), "day date")
    if t == "yq":
        return make("time", Period.quarter(*v), "yq")
    if t == "yh":
        return make("time", Period.half(*v), "yh")
    if t in ("quarter", "half"):
        if v:
            return make("time", within(latest(1, 12, "year"), t, v), t)
        return make("grain", t)
    if t == "decade":
        return make("time", Period.years(v, v + 9), "decade")
    if t == "season":
        return make("time", season(v), "season")
    if t == "bad_date":
        return make("bad", v)
    if t == "rel" and v in ("latest", "today"):
        return make("now", "latest")  # "between 2019 and now"; alone it is left to the rules ("the latest figures")
    if t == "kw" and v in ("month_word", "year_word"):
        return make("grain", v.split("_")[0])
    if t == "kw" and v in ("top", "per_year", "include", "bounds_excluded"):
        return make("kw", v)
    if t == "ytd":
        return make("ytd", v)
    if t == "grain":
        return make(t, v, "det" if determined else "")
    if t in ("mod", "prev", "shift", "shift2", "ago", "hence", "part", "part_of_year", "whole", "era", "range"):
        return make(t, v)
    if t == "conj":
        return make(t, "comma" if e.text == "," else v)
    if t == "ordinal":
        return make("ord", v)
    if t == "num":
        return make("num", v, "fuzzy" if e.fuzzy else "det" if determined else "")
    return None


def _key(it: Item) -> tuple[int, int, str, Any]:
    return (it.first, it.last, it.kind, it.value)


@lru_cache(maxsize=256)
def _rules_for(lang: str, kinds: frozenset[str]) -> tuple[Rule, ...]:
    """The rules whose every pattern element can match an item kind of the question (or
    one that rules make)."""
    present = kinds | {"time", "anchored", "bad"}
    return tuple(r for r in _RULES_BY_LANG[lang] if all(p.kinds & present for p in r.pattern))


def _saturate(items: list[Item], ctx: Ctx, lang: str, layout: Layout) -> list[Item]:
    """Apply every rule to every run of adjacent items until nothing new is made. After
    the first round, only runs with an item made in the round before can make anything
    new, and a rule is tried only where the kinds of its pattern are present."""
    index: dict[tuple[int, str], list[Item]] = {}
    starts: dict[str, set[int]] = {}  # where items of each kind begin: a rule is tried where its first can
    seen = set()
    for it in items:
        index.setdefault((it.first, it.kind), []).append(it)
        starts.setdefault(it.kind, set()).add(it.first)
        seen.add(_key(it))
    # a run of n items starts at n places: longer patterns cannot match
    places = len({it.first for it in items})
    rules = [r for r in _rules_for(lang, frozenset(it.kind for it in items)) if len(r.pattern) <= places]
    fresh: set[int] | None = None  # ids of the items made in the last round; None: first round
    fresh_kinds: set[str] = set()
    while fresh is None or fresh:
        made_now: set[int] = set()
        made_kinds: set[str] = set()
        # where each kind begins as the round starts (an item made in it is tried in the next)
        begins = {kind: sorted(places) for kind, places in starts.items()}
        for rule in rules:
            if fresh is not None and fresh_kinds.isdisjoint(_PATTERN_KINDS[id(rule)]):
                continue  # no item made in the last round can stand in this rule's runs
            kinds = rule.pattern[0].kinds
            for start in begins.get(next(iter(kinds)), ()) if len(kinds) == 1 \
                    else sorted({p for kind in kinds for p in begins.get(kind, ())}):
                for run in _runs(index, start, rule.pattern, layout):
                    if fresh is not None and not any(id(it) in fresh for it in run):
                        continue
                    made = rule.produce(*run, ctx)
                    if made is None:
                        continue
                    item = _made(made, run[rule.context:len(run) - rule.ahead], rule.name)
                    if _key(item) not in seen:
                        seen.add(_key(item))
                        index.setdefault((item.first, item.kind), []).append(item)
                        starts.setdefault(item.kind, set()).add(item.first)
                        made_now.add(id(item))
                        made_kinds.add(item.kind)
        fresh, fresh_kinds = made_now, made_kinds
    return [it for group in index.values() for it in group]


def _made(made: Any, run: tuple[Item, ...], name: str) -> Item:
    first, last = run[0].first, run[-1].last
    tokens = sum(it.tokens for it in run)
    if isinstance(made, Period):
        return Item(first, last, "time", _as_vague_as(made, run), tokens, name, run)
    return Item(first, last, made[0], made[1:] if made[0] == "anchored" else made[1], tokens, name, run)


def _as_vague_as(made: Period, run: tuple[Item, ...]) -> Period:
    """A period built from a season or a vague part of a month is as vague as it ("since the
    summer of 2019", "the 3 months before winter 2020", "tussen half maart en half mei"): its
    edge is one of the unagreed months."""
    # a season, a part of one month ("half maart") or of an event ("het begin van de pandemie"); a part of
    # a year is its edge ("from early 2019")
    vague = next((it.value.kind for it in run if isinstance(it.value, Period)
                  and (it.value.kind == "season" or it.value.kind == "part"
                       and (it.value.single_month or any(x.rule == "event" for x in it.parts)))), None)
    if made.kind in VAGUE or vague is None:
        return made
    return Period(made.start, made.end, vague, made.anchor)


def _runs(index: dict[tuple[int, str], list[Item]], start: int, pattern: tuple[P, ...],
          layout: Layout) -> list[tuple[Item, ...]]:
    """Runs of adjacent items from `start` that match the pattern, one element each (built
    element by element: most runs end at the first)."""
    runs: list[tuple[tuple[Item, ...], int]] = [((), start)]
    for head in pattern:
        longer = []
        for run, pos in runs:
            if run and not layout.binds(pos):
                continue
            for kind in head.kinds:
                for it in index.get((pos, kind), ()):
                    if head.test(it):
                        longer.append(((*run, it), it.last + 1))
        if not longer:
            return []
        runs = longer
    return [run for run, _ in runs]


def _best_cover(items: list[Item], n: int, other: AbstractSet[int] = frozenset()) -> list[Item]:
    """Non-overlapping readings that cover most tokens, with fewest items; between
    those, the one that leaves most words with another meaning (`other`, entity
    indexes) to it: "vorig jaar terug" is last year, and "terug" is returning."""
    top = [it for it in items if it.kind in ("time", "anchored", "bad")]
    best: list[tuple[tuple[int, int, int], list[Item]]] = [((0, 0, 0), [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        score, chosen = best[i + 1]
        for it in top:
            if it.first != i:
                continue
            (tokens, fewer, kept), rest = best[it.last + 1]
            candidate = (tokens + it.tokens, fewer - 1, kept - len(_covered(it) & other))
            if candidate > score:
                score, chosen = candidate, [it] + rest
        best[i] = (score, chosen)
    return best[0][1]


def _from_a_day(it: Item) -> bool:
    """A day, or a span with a day that does not fall on the edge of its months ("from 1
    March to 31 May 2020" is three whole months; "from 3 March" is not)."""
    if it.rule in FINER_RULES:
        return True
    days = list(_days(it))
    return bool(days) and not all(_on_edge(day, month, it.value) for day, month in days)


def _finer_grain(it: Item) -> str:
    return FINER_GRAIN.get(it.rule) or next((g for part in it.parts if (g := _finer_grain(part)) != "day"), "day")


def _days(it: Item) -> Iterator[tuple[int, tuple[int, int]]]:
    """(day, month) of each day a span is built from; day 0 when the day is not known."""
    for part in it.parts:
        if part.rule in FINER_RULES:
            numbers = [p for p in part.parts if p.kind in ("num", "ord")]  # "3 June", "le 1er juin"
            day = int(numbers[0].value) if numbers else 0
            yield day, part.value.start
        else:
            yield from _days(part)


def _on_edge(day: int, month: tuple[int, int], span: Period) -> bool:
    last = calendar.monthrange(span.end[0], month[1])[1] if month[0] == 0 else calendar.monthrange(*month)[1]
    return (day == 1 and month[1] == span.start[1]) or (day == last and month[1] == span.end[1])


def _listed(ents: list[Entity], i: int) -> bool:
    """"top 10 of last year": a number right after "top" is the list's length, never a count of
    years ("the 10 last years")."""
    return ents[i].type == "num" and i > 0 and (ents[i - 1].type, ents[i - 1].value) == ("kw", "top") \
        and ents[i - 1].end == ents[i].start


def _covered(it: Item) -> set[int]:
    return set(range(it.first, it.last + 1))


def read(ents: list[Entity], today: dt.date, lang: str, previous: tuple[Period, ...] = (),
         comparing: bool = False, layout: Layout | None = None, picked: tuple[Period, ...] = ()) -> Reading:
    """The periods that the time words of a question name; `picked`: the month the last
    answer picked or the last question named, for "that month"."""
    layout = (layout or Layout()).indexed(ents)
    items = [it for i, e in enumerate(ents)
             if (it := _lexical(e, i, e.end - e.start, i in layout.determined)) is not None
             and not _listed(ents, i)]
    items += _years_pointed_back(ents) + _months_pointed_back(ents, picked)
    reading = Reading()
    if not any(it.kind in TIME_ITEMS for it in items) \
            or all(it.kind == "part" for it in items if it.kind in TIME_ITEMS):
        reading.unread, reading.talk = _parts_apart(ents, [i for i, e in enumerate(ents) if _time_only(e)])
        return reading
    other = {i for i, e in enumerate(ents) if e.also}
    chosen = _best_cover(_saturate(items, Ctx(today), lang, layout), len(ents), other)
    kept = _places_not_periods(chosen, ents)
    # "the last year" of "the first and the last year of that list" is read: the span's edges, compared
    reading.used |= {i for it in chosen if it not in kept and it.rule != "ordinal grain" for i in _covered(it)}
    chosen = kept
    if comparing:
        chosen = _split_intervals(chosen)
    periods: list[tuple[Item, Period | None]] = []
    for it in chosen:
        reading.used |= _covered(it)
        if it.kind == "time" and _from_a_day(it):
            reading.finer.append((_finer_grain(it), it.value))
        elif it.kind == "bad":
            reading.bad.append(str(it.value))
        elif it.kind == "time":
            periods.append((it, it.value))
        else:
            periods.append((it, None))
    periods = _borrow_years(_distribute(periods))
    placed = _anchor_shifts(periods, previous, reading, (today.year, today.month))
    # "in de lente van 2025, maart tot en met mei", "the summer months, June to August": the months
    # named say which the vague period meant
    named = [p for p, _ in placed if p.kind not in VAGUE]
    placed = [(p, start) for p, start in placed if not (p.kind in VAGUE and any(_says_which(q, p) for q in named))]
    # "au troisième trimestre 2025, juillet-août-septembre", "because of COVID in 2020": the same
    # months said again are one period ("compare 2020 and 2020" compares nothing, and is asked back)
    once = [(p, start) for i, (p, start) in enumerate(placed)
            if p.anchor or not any(q.months() == p.months() and not q.anchor for q, _ in placed[:i])]
    # (when comparing, two periods left after that are compared; "2020 and 2020" alone is asked back)
    placed = placed if comparing and len(once) < 2 else once
    # "Jan-Sep 2020 against Jan-Sep 2025: how many more in 2025?": a year said after a part of it points at that part
    placed = [(p, start) for i, (p, start) in enumerate(placed)
              if not (comparing and _a_year(p) and any(q.first_year == p.first_year and q.single_year
                                                       and not q.whole_years and not q.anchor for q, _ in placed[:i]))]
    reading.vague = [p for p, _ in placed if p.kind in VAGUE]
    reading.vague_starts = [start for p, start in placed if p.kind in VAGUE]
    reading.vague_words = [_quote(ents[it.first:it.last + 1]) for it in chosen
                           if it.kind == "time" and it.value.kind in VAGUE and it.first in reading.vague_starts]
    placed = [(p, start) for p, start in placed if p.kind not in VAGUE]
    reading.periods = [p for p, _ in placed]
    reading.edges = {it.value: (edges[0], edges[1]) for it in chosen if it.rule in INTERVAL_RULES
                     and len(edges := [part.value for part in it.parts if part.kind == "time"]) == 2}
    reading.starts = [start for _, start in placed]
    unread = [i for i, e in enumerate(ents) if i not in reading.used and _time_only(e)]
    reading.unread, reading.talk = _parts_apart(ents, unread)
    return reading


def _a_year(p: Period) -> bool:
    return p.whole_years and p.single_year and not p.anchor


# How many months the edge of a vague period ("the summer", "early 2020") may move.
VAGUE_EDGE = 2


def _says_which(named: Period, vague: Period) -> bool:
    """Whether months named lie where a vague period may: inside it, or at its edges give or
    take the months it leaves open (said the same way: both of a year named, or both open)."""
    def index(month: tuple[int, int]) -> int:
        return month[0] * 12 + month[1]
    return named.anchor == vague.anchor and (set(named.months()) <= set(vague.months()) or (
        abs(index(named.start) - index(vague.start)) <= VAGUE_EDGE
        and abs(index(named.end) - index(vague.end)) <= VAGUE_EDGE))


def _years_pointed_back(ents: list[Entity]) -> list[Item]:
    """"after June 2020, up to the end of that year": "that year" is the year the question
    named before it (without one, it is the last question's, which rules.py reads)."""
    items = []
    for i, e in enumerate(ents):
        if (e.type, e.value) != ("anaphor", "year"):
            continue
        named = [x.value if x.type == "year" else x.value[0] for x in ents[:i] if x.type in ("year", "ym")]
        year = named[-1] if named else None
        if year is not None:
            items.append(Item(i, i, "time", Period.year(year), e.end - e.start, "that year"))
    return items


def _months_pointed_back(ents: list[Entity], picked: tuple[Period, ...]) -> list[Item]:
    """"and the same month of 2020?" after "the busiest month of 2019" (March 2019): March of
    the year said after it, else March 2019 itself."""
    months = [p for p in picked if p.single_month and not p.anchor]
    if len(months) != 1:
        return []
    month = months[0]
    items = []
    named = any(e.type in ("month", "weak_month", "ym") for e in ents)
    for i, e in enumerate(ents):
        # "the same month" of a question that names no month is the one pointed back at
        if (e.type, e.value) == ("anaphor", "month") or (e.type, e.value) == ("kw", "same_period") and not named:
            year_after = any(x.type in ("year", "year_or_figure") for x in ents[i + 1:])
            value = latest(month.start[1], month.end[1], "month") if year_after else month
            items.append(Item(i, i, "time", value, e.end - e.start, "month" if year_after else "that month"))
    return items


def _parts_apart(ents: list[Entity], unread: list[int]) -> tuple[list[Entity], list[Entity]]:
    """"fin" with no time word next to it ("mon mémoire de fin d'études") says nothing of
    time: it is passed over, and said, not asked back. Other time words ("in 2020 early")
    are asked back."""
    def talk(i: int) -> bool:
        return ents[i].type == "part" and not any(
            0 <= j < len(ents) and ents[j].type in TIME_NEIGHBOURS for j in (i - 1, i + 1))
    return [ents[i] for i in unread if not talk(i)], [ents[i] for i in unread if talk(i)]


def _quote(ents: list[Entity]) -> str:
    """The words of some entities as the user wrote them together ("mid-2020")."""
    return re.sub(r" ?- ?", "-", " ".join(e.text for e in ents))


def _time_only(e: Entity) -> bool:
    if e.also:
        return False  # unused, it has its other meaning
    if e.type in ("quarter", "half"):
        return bool(e.value)  # "Q3"; the bare word "quarter" may name a grain ("best quarter")
    return e.type in TIME_ONLY or f"{e.type}:{e.value}" in TIME_ONLY


def _places_not_periods(chosen: list[Item], ents: list[Entity]) -> list[Item]:
    """"le troisième mois le plus calme": an ordinal and a grain right before a superlative
    rank the months, they name none (not March); nor does "the first and the last year"."""
    def ranks(it: Item) -> bool:
        after = ents[it.last + 1] if it.last + 1 < len(ents) else None
        return it.rule == "ordinal grain" and after is not None and bool(keywords(after) & {"max", "min"})

    def last_of_list(it: Item) -> bool:
        # "the first and the last year of that list": the places of a span, not last year
        before = ents[it.first - 2:it.first] if it.first >= 2 else []
        return ents[it.first].type == "mod" and [e.type for e in before] == ["ordinal", "conj"]
    return [it for it in chosen if not ranks(it) and not last_of_list(it)]


def _split_intervals(chosen: list[Item]) -> list[Item]:
    """When comparing, "between 2019 and 2020" is two periods, unless two ranges are
    compared ("January to September 2020 vs January to September 2025") or the range is
    compared with another period ("January-June 2025 with 2019")."""
    intervals = [it for it in chosen if it.rule in INTERVAL_RULES]
    others = [it for it in chosen if it.kind == "time" and it not in intervals]
    if len(intervals) != 1 or others:
        return chosen
    out: list[Item] = []
    for it in chosen:
        out.extend(p for p in it.parts if p.kind == "time") if it in intervals else out.append(it)
    return out


def _distribute(periods: list[tuple[Item, Period | None]]) -> list[tuple[Item, Period | None]]:
    """One period without its year and a list of years: that period in each of them
    ("in september, more in 2019 or in 2020?": September 2019 and September 2020); a
    month with its year and more years after it: that month in each ("maart 2019 en 2020")."""
    years = [(it, p) for it, p in periods if p is not None and it.rule == "year"]
    others = [(it, p) for it, p in periods if (it, p) not in years]
    if len(others) != 1 or others[0][1] is None or not years:
        return periods
    it, p = others[0]
    assert p is not None  # others[0][1], checked above
    years = [(year_item, year) for year_item, year in years if p.anchor or year.first_year != p.first_year]
    if not years:
        return periods  # "avril 2020 ... de 2020": the month, in the year it names
    if p.open and len(years) >= 2:
        return [(year_item, p.with_year(year.first_year)) for year_item, year in years]
    if not p.anchor and p.kind in ("month", "quarter", "half") and it.first < years[0][0].first:
        # "maart 2019 en 2020": March of each year, as "and 2020?" would be after "maart 2019"
        return [(it, p)] + [(year_item, p.with_year(year.first_year)) for year_item, year in years]
    return periods


def _borrow_years(periods: list[tuple[Item, Period | None]]) -> list[tuple[Item, Period | None]]:
    """A month without its year takes the year written nearest after it, else before
    ("maart en april 2020", "maart 2019 en april")."""
    years = [(it.first, p) for it, p in periods if p is not None and not p.anchor and p.single_year]
    out = []
    for it, p in periods:
        if p is not None and p.open:
            after = [q for pos, q in years if pos > it.first]
            before = [q for pos, q in years if pos < it.first]
            source = after[0] if after else before[-1] if before else None
            if source is not None:
                p = p.with_year(source.first_year)
        out.append((it, p))
    return out


def _anchor_shifts(periods: list[tuple[Item, Period | None]], previous: tuple[Period, ...],
                   reading: Reading, now: tuple[int, int]) -> list[tuple[Period, int]]:
    """"the year before", "the two following years" count from the period named before
    them in the question, then after them, then from the previous question's first period."""
    out: list[tuple[Period, int]] = []
    named = [p for _, p in periods if p is not None and not p.anchor]
    for it, p in periods:
        if p is not None:
            out.append((p, it.first))
            continue
        g, n, fallback_today, span = it.value
        before = [q for jt, q in periods if q is not None and jt.first < it.first and not q.anchor]
        anchor = before[-1] if before else named[0] if named else previous[0] if previous else None
        if anchor is not None and anchor.anchor:
            anchor = None
        if anchor is None and fallback_today:
            anchor = unit_at(g, now)
        if anchor is None:
            reading.needs_anchor = True
            continue
        out.append((unit_at(g, anchor.start) if n == 0 else (span_from if span else step)(anchor, g, n), it.first))
    return out
