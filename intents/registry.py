"""The intents: one definition each names the signatures that select it (the slots they
need, the keywords that select them, their precedence), the engine handler that
answers it, and the sections of answers.toml its answers use.

Adding an intent is its definition here, a handler in execute.py registered with
`@handles(name)`, its templates in answers.toml and its corpus cases;
tests/test_registry.py checks that the three agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .models import Period, Query

if TYPE_CHECKING:
    from .rules import Parsed

TOP_LIMIT = 1000


@dataclass(frozen=True)
class Signature:
    """What selects an intent: every slot in `slots` filled, one of `keywords` said (when
    there are any), and `also` true; lower `precedence` is tried first. `make` builds
    the Query from the parse."""

    precedence: int
    name: str
    make: Callable[..., Query]
    slots: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()
    also: Callable[..., bool] = lambda p, periods: True

    def selects(self, p: Parsed, periods: tuple[Period, ...]) -> bool:
        filled = {"periods": periods, "countries": p.countries, "categories": p.categories, "orgs": p.orgs}
        return all(filled[s] for s in self.slots) and (not self.keywords or bool(p.kws & self.keywords)) \
            and self.also(p, periods)


@dataclass(frozen=True)
class Intent:
    name: str
    handler: str
    templates: tuple[str, ...]
    signatures: tuple[Signature, ...] = field(default=())


def _base(p: Parsed, periods: tuple[Period, ...], implicit: bool) -> dict[str, Any]:
    return dict(periods=periods, orgs=tuple(p.orgs), year_implicit=implicit or not periods)


def _grain(p: Parsed) -> str | None:
    if p.kws & {"per_quarter", "quarter_word"}:
        return "quarter"
    if p.kws & {"per_month", "month_word"}:
        return "month"
    if p.kws & {"per_year", "year_word"}:
        return "year"
    return None


def _top_n(p: Parsed) -> int | None:
    for e in p.nums:
        if float(e.value).is_integer() and not e.fuzzy:
            return int(e.value)
    return None


def quoted(p: Parsed) -> int | None:
    """A figure the user quotes: written like a figure ("3.000", "2000 people"), or
    any whole number after "is it true", "more than" and the like."""
    claims = bool(p.kws & {"quoted", "compare", "than"}) or p.claim is not None
    for e in p.nums:
        if float(e.value).is_integer() and e.value < MAX_QUOTED and (e.fuzzy or (claims and e.value >= 32)):
            return int(e.value)
    return None


# Larger "figures" are not about 3,000 returnees; left unplaced, they make the question unknown.
MAX_QUOTED = 10**9


def _categories(p, periods, implicit):
    cats = tuple(c for c in p.categories if c != "all")
    # "apart from rejected applicants": the other categories, and together.
    return Query("categories", categories=cats, countries=tuple(p.countries),
                 topic="others" if p.categories_left_out else None,
                 how_many="how_many" in p.kws and "share" not in p.kws, **_base(p, periods, implicit))


def _country(p, periods, implicit):
    intent = "share" if "share" in p.kws else "country"
    return Query(intent, periods=periods, orgs=tuple(p.orgs), countries=tuple(p.countries), year_implicit=False,
                 total="sum" in p.kws or "how_many" in p.kws)


def _top(p, periods, implicit):
    top_n = _top_n(p)
    if p.negative_n or top_n == 0:
        return Query("clarify", topic="top_n")
    placed = p.kws & {"one_country", "rank", "top"} or ("countries" in p.kws and p.ordinals and p.ordinals[0] > 1)
    if p.ordinals and placed and top_n is None:
        # "which nationality ranked third", "le troisième pays": that place of the list ("the first countries": the list).
        return Query("top", n=p.ordinals[0], rank=p.ordinals[0], periods=periods, orgs=tuple(p.orgs),
                     year_implicit=not periods)
    if top_n is None and "one_country" in p.kws and p.kws & {"max", "top"}:
        top_n = 1
    n = top_n if top_n is None or top_n < TOP_LIMIT else TOP_LIMIT
    return Query("top", n=n, periods=periods, orgs=tuple(p.orgs), year_implicit=not periods)


def _share(p, periods, implicit):
    return Query("share", **_base(p, periods, implicit))


def _each(p, periods, implicit):
    # A comparison is of two; three or more periods are each given, none left out.
    return Query("count", total="sum" in p.kws, **_base(p, periods, implicit))


def _compare(p, periods, implicit):
    return Query("compare", **_base(p, periods, implicit))


def _extreme(p, periods, implicit):
    base = _base(p, periods, implicit)
    grain = _grain(p)
    if "ever" in p.kws and not periods:
        base.update(ever=True)
    if grain == "year" and len(periods) == 1 and periods[0].whole_years and periods[0].single_year:
        # "was 2012 the record year?": the record among all the years, which answers it.
        base.update(periods=(), year_implicit=True, checked=periods)
    return Query("extreme", extreme="max" if "max" in p.kws else "min", grain=grain, **base)


def _inside(periods) -> bool:
    """A month named inside a longer period: "was November the busiest month of 2020?"."""
    return len(periods) == 2 and periods[0].single_month and not periods[1].single_month \
        and periods[1].start <= periods[0].start and periods[0].end <= periods[1].end


def _extreme_check(p, periods, implicit):
    return Query("extreme", extreme="max" if "max" in p.kws else "min", grain="month", periods=periods[1:],
                 checked=periods[:1], orgs=tuple(p.orgs))


def _average(p, periods, implicit):
    return Query("average", grain=_grain(p), **_base(p, periods, implicit))


def _series(p, periods, implicit):
    return Query("series", grain=_grain(p), **_base(p, periods, implicit))


def _compare_or_check(p, periods, implicit):
    figure = quoted(p)
    if figure is not None:
        return Query("count", quoted=figure, **_base(p, periods, implicit))
    return Query("compare", **_base(p, periods, implicit))


def _count(p, periods, implicit):
    figure = quoted(p)
    # "how many asylum seekers returned": the press word means all returnees or only the
    # applicants for international protection; the answer gives both readings.
    topic = "asylum_people" if p.asylum_people and p.measure else None
    return Query("count", quoted=figure, claim=p.claim if figure is not None else None, topic=topic,
                 total="sum" in p.kws, **_base(p, periods, implicit))


COMPARE = frozenset({"compare", "than"})
EXTREMES = frozenset({"max", "min"})


def _two_named(p, periods) -> bool:
    return len(periods) >= 2 and all(not x.anchor for x in periods[:2])


INTENTS: tuple[Intent, ...] = (
    Intent("categories", "categories", ("categories", "category", "nodata"), (
        Signature(10, "a category", _categories, slots=frozenset({"categories"})),)),
    Intent("country", "country", ("country", "nodata"), (
        Signature(20, "a country", _country, slots=frozenset({"countries"})),)),
    Intent("top", "top", ("top", "resolved", "nodata"), (
        Signature(30, "a ranked list", _top, keywords=frozenset({"top", "countries", "one_country", "rank"})),)),
    Intent("share", "share", ("share", "country", "nodata"), (
        Signature(40, "an organisation's share", _share, slots=frozenset({"orgs"}), keywords=frozenset({"share"})),)),
    Intent("compare", "compare", ("compare", "compare_org", "compare_orgs", "clarify"), (
        Signature(60, "two periods or organisations compared", _compare, keywords=COMPARE,
                  also=lambda p, periods: len(periods) == 2 or (len(periods) < 2 and len(p.orgs) >= 2)),
        Signature(70, "which of two had more", _compare, keywords=EXTREMES, also=_two_named),
        Signature(110, "a comparison word alone", _compare_or_check, keywords=frozenset({"compare"})),)),
    Intent("extreme", "extreme", ("extreme",), (
        Signature(65, "was this the most or the fewest", _extreme_check, keywords=EXTREMES,
                  also=lambda p, periods: _inside(periods)),
        Signature(80, "the most or the fewest", _extreme, keywords=EXTREMES),)),
    Intent("average", "average", ("average",), (
        Signature(90, "an average", _average, keywords=frozenset({"average"})),)),
    Intent("series", "series", ("series",), (
        # "monthly returns 2025 vs 2020": the months of each, side by side, not two totals
        Signature(55, "series of periods compared", _series, keywords=frozenset({"per_month", "per_quarter"}),
                  also=lambda p, periods: len(periods) >= 2 and bool(p.kws & COMPARE)),
        Signature(100, "a series", _series, keywords=frozenset({"trend", "per_month", "per_quarter", "per_year"})),)),
    Intent("count", "count", ("count", "resolved", "nodata", "reading", "note"), (
        Signature(50, "three or more periods compared: each given", _each, keywords=COMPARE,
                  also=lambda p, periods: len(periods) > 2),
        Signature(1000, "a count", _count),)),
    # Made by the accounting in rules.build, not by a signature:
    Intent("info", "info", ("info",)),
    Intent("clarify", "clarify", ("clarify", "coverage")),
    Intent("unknown", "unknown", ("unknown", "unknown_words", "unknown_topic", "coverage")),
    Intent("help", "social", ("help",)),
    Intent("greeting", "social", ("greeting",)),
    Intent("thanks", "social", ("thanks",)),
)

BY_NAME = {intent.name: intent for intent in INTENTS}
# Keywords that ask for something of their own; without any, a short question such as
# "and in April?" is a follow-up of the previous one.
KEYWORDS = frozenset(k for i in INTENTS for s in i.signatures for k in s.keywords)
SIGNATURES = tuple(sorted((s for i in INTENTS for s in i.signatures), key=lambda s: s.precedence))


def choose(p: Parsed, periods: tuple[Period, ...], implicit: bool) -> Query:
    """The Query of the first signature, by precedence, that the parse fills."""
    for signature in SIGNATURES:
        if signature.selects(p, periods):
            return signature.make(p, periods, implicit)
    raise AssertionError("the count signature selects every parse")
