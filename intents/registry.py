"""The intents: one definition each names the signatures that select it (the slots they
need, the keywords that select them, their precedence), the engine handler that
answers it, and the sections of answers.toml its answers use.

Adding an intent is its definition here, a handler in execute.py registered with
`@handles(name)`, its templates in answers.toml and its corpus cases;
tests/intents/test_registry.py checks that the three agree.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import when
from .models import CATEGORIES, ORGS, Period
from .parsed import Parsed
from .program import (
    SOCIAL,
    Check,
    Compare,
    Count,
    Each,
    Group,
    Mean,
    Node,
    Pick,
    Request,
    Select,
    Share,
    Total,
    Where,
    Without,
    intent_of,
)

TOP_LIMIT = 1000


@dataclass(frozen=True)
class Signature:
    """What selects an intent: every slot in `slots` filled, one of `keywords` said (when
    there are any), and `also` true; lower `precedence` is tried first. `make` builds
    the Query from the parse."""

    precedence: int
    name: str
    make: Callable[[Parsed, tuple[Period, ...]], Request]
    slots: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()
    also: Callable[[Parsed, tuple[Period, ...]], bool] = lambda p, periods: True

    def selects(self, p: Parsed, periods: tuple[Period, ...], filled: frozenset[str]) -> bool:
        """`filled`: the slots the parse fills."""
        return (not self.keywords or bool(p.kws & self.keywords)) and self.slots <= filled and self.also(p, periods)


@dataclass(frozen=True)
class Intent:
    name: str
    handler: str
    templates: tuple[str, ...]
    signatures: tuple[Signature, ...] = field(default=())


def _org(p: Parsed) -> str:
    """The organisation a question names: both named is the total with its split."""
    if set(p.orgs) >= set(ORGS):
        return "both"
    return p.orgs[0] if p.orgs else "total"


def _each(parts: Sequence[Node]) -> Node:
    return parts[0] if len(parts) == 1 else Each(tuple(parts))


def _per_period(periods: tuple[Period, ...], make: Callable[[Period | None], Node]) -> Node:
    """One part per period asked (a period left out is filled by the engine)."""
    return _each([make(period) for period in periods or (None,)])


def grain_of(p: Parsed) -> str | None:
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
    # a small number is a day ("more than 5 March"), unless a threshold is said of months or years
    smallest = 0 if p.claim in THRESHOLDS and p.kws & UNIT_WORDS else 32
    for e in p.nums:
        if float(e.value).is_integer() and e.value < MAX_QUOTED and (e.fuzzy or (claims and e.value >= smallest)):
            return int(e.value)
    return None


# Larger "figures" are not about 3,000 returnees; left unplaced, they make the question unknown.
MAX_QUOTED = 10**9


def _figures(program: Node, **more: Any) -> Request:
    return Request("figures", program, **more)


def _categories(p: Parsed, periods: tuple[Period, ...]) -> Request:
    cats = tuple(c for c in p.categories if c != "all")
    org = _org(p)
    how_many = "how_many" in p.kws and "share" not in p.kws
    if p.countries and not cats and "how_many" in p.kws and not p.asylum_people:
        # "Brazilians who returned in 2025: how many?": a count of the country, not a profile
        return _country(p, periods)
    if p.countries:
        # "undocumented people from Moldova": a cut the sheets do not make (the engine says so).
        return _figures(_per_period(periods, lambda per: Group(Select(per, org, country=p.countries[0]), "category")),
                        how_many=how_many)
    if p.categories_left_out or ("sum" in p.kws and len(cats) > 1):
        # "apart from rejected applicants": the other categories, and together; "applicants and
        # rejected applicants together": those two, and together.
        left_out = tuple(c for c in CATEGORIES if c not in cats)
        return _figures(_per_period(periods, lambda per: Total(Without(Group(Select(per, org), "category"),
                                                                       left_out))), how_many=how_many)
    if cats:
        if "compare" in p.kws and len(cats) == 2 and len(periods) <= 1:
            # "how many more irregular migrants than rejected applicants in 2020?": the two, and their difference
            period = periods[0] if periods else None
            return _figures(Compare(Select(period, org, category=cats[0]), Select(period, org, category=cats[1])))
        return _figures(_each([Select(per, org, category=c) for per in periods or (None,) for c in cats]),
                        how_many=how_many)
    if p.kws & EXTREMES:
        # "welke categorie was het grootst in 2020?": the profile's largest (or smallest) category; "the second
        # largest": its second
        order = "max" if "max" in p.kws else "min"
        k = p.ordinals[0] if p.ordinals else 1
        return _figures(_per_period(periods, lambda per: Pick(Group(Select(per, org), "category"), order, k)),
                        how_many=how_many)
    return _figures(_per_period(periods, lambda per: Group(Select(per, org), "category")), how_many=how_many)


def _country(p: Parsed, periods: tuple[Period, ...]) -> Request:
    if p.kws & {"behind", "ahead"} and p.ordinals and len(p.countries) == 1:
        # "which country came second in 2020, after Romania?": the place asked (the country only says what the
        # asker assumes came before it)
        return _top(p, periods)
    if p.kws & {"behind", "ahead"}:
        # "which country came right behind Brazil", "net vóór Colombia": the place next to it, the country
        # only says where from
        step = -1 if "ahead" in p.kws else 1
        return _figures(_per_period(periods, lambda per: Pick(Group(Select(per, _org(p)), "country"),
                                                              k=step, after=p.countries[0])))
    if "one_country" in p.kws and p.kws & COMPARE and len(p.countries) == 1 and not p.ordinals:
        # "welk land had net één terugkeerder meer dan Rusland?": another country is asked, found from this
        # one's figure, which is no program of these figures: asked back, never the country named
        return Request("clarify", topic="nested_country")
    if "one_country" in p.kws and p.ordinals and len(p.countries) == 1:
        # "Behind Brazil, which country was the runner-up?": a place is asked, Brazil only says where from
        return _top(p, periods)
    org = _org(p)
    leaves = [Select(per, org, country=c) for c in p.countries for per in periods or (None,)]
    if p.kws & COMPARE and len(leaves) == 2 and "share" not in p.kws:
        # "the difference between El Salvador and Georgia in 2020", "how many more Brazilians in 2025 than in 2020"
        return _figures(Compare(leaves[0], leaves[1]))
    if "share" in p.kws:
        return _figures(_claimed_share(p, _each([Share(s, Select(s.period, org)) for s in leaves])))
    node = _each(leaves)
    # "how many Brazilians and Georgians": together; "how many Brazilians in 2020 and 2025": each year
    together = "sum" in p.kws or ("how_many" in p.kws and len(p.countries) > 1)
    if together and len(leaves) > 1:
        return _figures(Total(node))
    # "where does Georgia rank in 2025", "was Brazil still number one?": its place answers, a count is not asked
    # ("was Syria the top nationality?", "was Georgia third?": the place claimed, checked)
    place = "rank" in p.kws or (bool(p.ordinals) or "top" in p.kws) and len(p.countries) == 1
    claimed = p.ordinals[0] if p.ordinals else 1 if "top" in p.kws and not _top_n(p) else None
    return _figures(Check(node, "rank", claimed) if place and "how_many" not in p.kws else node)


def _combined(p: Parsed, adding: set[str]) -> Callable[[Node], Node]:
    """What the places picked are put through: their average, their sum (asked by one of the
    keywords of `adding`), or nothing."""
    return Mean if "average" in p.kws else Total if p.kws & adding else _same


def _top(p: Parsed, periods: tuple[Period, ...]) -> Request:
    top_n = _top_n(p)
    if p.negative_n or top_n == 0:
        return Request("clarify", topic="top_n")
    grain = grain_of(p)
    if grain is not None and EXTREMES <= p.kws and p.extreme_places:
        # "the second busiest and the quietest month": each superlative with its own place
        return _extreme(p, periods)
    if grain is not None and not p.kws & {"countries", "one_country"}:
        return _ranked_periods(p, periods, grain, top_n)
    org = _org(p)
    if "second_last" in p.kws:
        # "the second to last of the 2020 top 10": the place before the list's last
        return _figures(_per_period(periods, lambda per: Pick(Group(Select(per, org), "country"), "min", 2, 1)))
    if p.last_place and top_n is not None and top_n < TOP_LIMIT:
        # "which country closes the 2020 top 5" (", i.e. number five"): the list's fifth place from the top
        return _figures(_each([Pick(Group(Select(per, org), "country"), "max", top_n, 1)
                               for per in periods or (None,)]))
    # "the three smallest nationalities of the list": its last places, not its first
    # ("which had the fewest in the 2020 ranking?", "the 3 smallest of the top 10": a word for the list, with no
    # length or with a length of its own, names where to look)
    of_the_list = top_n is None or len(p.nums) > 1
    order = "min" if "from_bottom" in p.kws or "min" in p.kws and "max" not in p.kws \
        and ("top" not in p.kws or of_the_list) else "max"
    placed = p.kws & {"one_country", "rank", "top"} or ("countries" in p.kws and p.ordinals and p.ordinals[0] > 1)
    # "op plaats zes", "at place 6": a number after a word for a place is that place
    numbered = top_n is not None and "rank" in p.kws and "top" not in p.kws
    # "dans le top 10, quel pays est troisième": a place within the list named
    within = top_n is not None and "top" in p.kws and bool(p.ordinals) and p.ordinals[0] <= top_n
    if (p.ordinals and placed and (top_n is None or within)) or numbered:
        # "which nationality ranked third", "le troisième pays": that place of the list ("the first countries":
        # the list).
        places = p.ordinals if within else p.ordinals or [top_n] if top_n is not None else p.ordinals
        picks = [Pick(Group(Select(per, org), "country"), order, k, 1) for per in periods or (None,) for k in places]
        if p.kws & COMPARE and len(picks) == 2:
            # "how many more did the first have than the third?": the two places, and their difference
            return _figures(Compare(picks[0], picks[1]))
        # ("how many went to the country that came fifth?": its count is asked, which a ranking may not give)
        return _figures(_each(picks), how_many="how_many" in p.kws)
    if top_n is None and "one_country" in p.kws and p.kws & {"max", "min", "top"}:
        top_n = 1
    n = top_n if top_n is None or top_n < TOP_LIMIT else TOP_LIMIT
    # "the top 3 together", "the average of the top five": their sum or their average; "what percentage went to
    # the top 10": their sum's share, beside each one's
    combine = _combined(p, {"sum", "share"})
    return _figures(_per_period(periods, lambda per: combine(Pick(Group(Select(per, org), "country"), order, 1, n))))


def _ranked_periods(p: Parsed, periods: tuple[Period, ...], grain: str, top_n: int | None) -> Request:
    """"which year ranks fourth", "le mois de 2025 classé deuxième": a place among periods,
    not among countries; "2020's rank among the years": the place of the one named."""
    order = "min" if "min" in p.kws and "max" not in p.kws else "max"
    place = p.ordinals[0] if p.ordinals else top_n
    members = [x for x in periods if _one_of(grain, x)]
    others = [x for x in periods if not _one_of(grain, x)]
    if place is None and len(members) == 1:
        member = members[0]
        among = others[0] if others else EVER if grain == "year" else Period.years(member.first_year, member.first_year)
        return _figures(Check(Pick(Group(Select(among, _org(p)), grain), order), "rank", member=member))
    scope = others[0] if others else periods[0] if periods else EVER if grain == "year" else None
    return _figures(_each([Pick(Group(Select(scope, _org(p)), grain), order, k) for k in p.ordinals or [place or 1]]))


def _one_of(grain: str, period: Period) -> bool:
    """A period that is one member of a list by `grain` (a year, a month); "until 2010" is
    a span from where the figures start, not the year 2010."""
    if period.anchor == "first":
        return False
    return period.single_year and period.whole_years if grain == "year" else period.single_month


def _same(node: Node) -> Node:
    return node


def _share(p: Parsed, periods: tuple[Period, ...]) -> Request:
    nested = _nested(periods)
    if nested is not None:
        # "what share of Fedasil's 2020 returns took place in December?": the part of a period in it
        part, whole = nested
        return _figures(Share(Select(part, _org(p)), Select(whole, _org(p))))
    orgs = [o for o in ORGS if o in p.orgs] if _org(p) == "both" else p.orgs
    return _figures(_claimed_share(p, _each([Share(Select(per, org), Select(per))
                                             for per in periods or (None,) for org in orgs])))


def _nested(periods: tuple[Period, ...]) -> tuple[Period, Period] | None:
    """Two periods, one inside the other (December in 2020): the inner and the outer."""
    if len(periods) != 2 or any(x.anchor for x in periods):
        return None
    a, b = sorted(periods, key=lambda x: len(x.months()))
    return (a, b) if a != b and b.start <= a.start and a.end <= b.end else None


def _claimed_share(p: Parsed, node: Node) -> Node:
    """"was Brazil more than 25% of the 2020 returns?": the share, checked against the one claimed."""
    return Check(node, p.claim, p.percent) if p.claim and p.percent is not None and not isinstance(node, Each) \
        else node


def _counts(p: Parsed, periods: tuple[Period, ...]) -> Node:
    org = _org(p)
    measure = p.measures[0] if p.measures else "returns"
    # "how many Salvadorans on the special flight": a measure a release gives for one country
    country = p.countries[0] if p.countries and measure != "returns" else None
    node = _per_period(periods, lambda per: Select(per, org, country=country, measure=measure))
    return Total(node) if "sum" in p.kws else node


def _several(p: Parsed, periods: tuple[Period, ...]) -> Request:
    # A comparison is of two; three or more periods are each given, none left out.
    return _figures(_counts(p, periods))


def _compare(p: Parsed, periods: tuple[Period, ...]) -> Request:
    orgs = list(p.orgs)
    spans = [x for x in periods if x.whole_years and not x.single_year]
    if "average" in p.kws and len(periods) == 2 and len(spans) == 1:
        # "did 2022 exceed the average of the years 2007 to 2025?": the year, and the average it is set against
        single = next(x for x in periods if x is not spans[0])
        org = orgs[0] if orgs else "total"
        return _figures(Each((Mean(Group(Select(spans[0], org), "year")), Select(single, org))))
    if "same_period" in p.kws and len(periods) >= 2 and periods[1].whole_years and periods[1].single_year \
            and periods[0].single_year:
        # "January-June 2025 with the same months of 2019"
        periods = (periods[0], periods[0].with_year(periods[1].first_year), *periods[2:])
    if len(p.changes) == 2:
        org = orgs[0] if orgs else "total"
        changes = [Compare(Select(later, org), Select(earlier, org)) for earlier, later in p.changes]
        return _figures(Compare(changes[0], changes[1]))
    if len(periods) >= 2:
        # "DVZ in August 2025 against Fedasil in January 2025": each period with the organisation said beside it
        org_a, org_b = (orgs[0], orgs[1]) if len(orgs) == 2 else (orgs[0], orgs[0]) if orgs else ("total", "total")
        return _figures(Compare(Select(periods[0], org_a, whole=p.whole), Select(periods[1], org_b, whole=p.whole)))
    period = periods[0] if periods else None
    if len(orgs) >= 2:
        return _figures(Compare(Select(period, orgs[0]), Select(period, orgs[1])))
    org = orgs[0] if orgs else "total"
    if period is not None and period.whole_years and not period.single_year and period.kind != "since":
        # "the difference over 2007-2020", "between the first and the last year of that list": its last
        # year against its first
        last, first = Period.year(period.last_year), Period.year(period.first_year)
        return _figures(Compare(Select(last, org), Select(first, org)))
    # One side named: the other comes from the conversation or the year before (of the country named, if one is).
    country = p.countries[0] if len(p.countries) == 1 else None
    return _figures(Compare(Select(period, org, country=country), Select(None, org, country=country)))


def _majority(p: Parsed, periods: tuple[Period, ...]) -> Request:
    """"Did the Immigration Office handle most returns in 2020?": most of them, the
    organisation against the other, never its busiest month."""
    other = next(o for o in ORGS if o != p.orgs[0])
    period = periods[0] if periods else None
    return _figures(Compare(Select(period, p.orgs[0]), Select(period, other)))


def _of_one_org(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """Most of the returns said of one organisation, with no unit to rank ("month", "which")."""
    return "majority" in p.kws and len(p.orgs) == 1 and len(periods) <= 1 and grain_of(p) is None and not p.countries \
        and not p.categories and not p.kws & (UNIT_WORDS | {"how_many", "one_country", "countries", "top", "rank"})


def _extreme(p: Parsed, periods: tuple[Period, ...]) -> Request:
    grain = grain_of(p)
    order = "max" if "max" in p.kws else "min"
    org = _org(p)
    if grain is None and "ever" in p.kws and len(periods) == 1:
        # "was 2024 the highest ever?", "never so many as in March 2020": the period among all of its grain
        grain = "year" if _one_of("year", periods[0]) else "month" if _one_of("month", periods[0]) else None
    if grain == "year" and len(periods) == 1 and _one_of(grain, periods[0]):
        # "was 2012 the record year?": the record among all the years, which answers it.
        return _figures(Check(Pick(Group(Select(None, org), grain), order), member=periods[0]))
    if grain == "month" and "ever" in p.kws and len(periods) == 1 and _one_of(grain, periods[0]):
        return _figures(Check(Pick(Group(Select(EVER, org), grain), order), member=periods[0]))
    if len(periods) >= 2 and "how_many" in p.kws:
        # "how many in 2020 in the month that had the fewest in 2019?": a place found in one period and
        # counted in another is not a program these figures answer; asked back, never one of them
        return Request("clarify", topic="nested")
    if len(periods) >= 2:
        # "the busiest month of 2019 and of 2020": each
        chosen_each = [Pick(Group(Select(x, org, whole=p.whole), grain), order) for x in periods]
        return _figures(_each(chosen_each))
    period = periods[0] if periods else EVER if "ever" in p.kws else None
    # "the third-quietest month": that place, not the first
    place = p.ordinals[0] if p.ordinals else 1
    many = _top_n(p)
    if many is not None and 1 < many <= MAX_PLACES and not p.ordinals:
        # "welke drie maanden van 2019 waren de drukste?": the first three places; "the three busiest months
        # added up": their sum, as for the countries of a top list
        combine = _combined(p, {"sum"})
        return _figures(combine(Pick(Group(Select(period, org, whole=p.whole), grain), order, 1, many)))
    if EXTREMES <= p.kws:
        # "the busiest and the quietest month of 2020": both; "the gap between them": their difference;
        # "the second-highest and the lowest": each its own place
        places = dict(p.extreme_places)
        most, fewest = (Pick(Group(Select(period, org, whole=p.whole), grain), o, places.get(o, 1) if places else place)
                        for o in ("max", "min"))
        return _figures(Compare(most, fewest) if p.kws & COMPARE else Each((most, fewest)))
    # "la meilleure année, et la deuxième": each place named; "how many in total in the month DVZ had
    # its most": the place's total too
    chosen = Select(period, org, whole=p.whole)
    return _figures(_each([Pick(Group(chosen, grain), order, k) for k in p.ordinals or [place]]),
                    how_many="sum" in p.kws and org in ORGS)


# The most places of months or years listed at once ("the three busiest months").
MAX_PLACES = 12
# Everything published ("the lowest month ever"), not the latest year.
EVER = Period((0, 1), (0, 12), "years", "all")


def _inside(periods: tuple[Period, ...]) -> bool:
    """A month or a year named inside a longer period: "was November the busiest month of 2020?",
    "never so many as in 2024 ... since 2007"."""
    return len(periods) == 2 and (_one_of("month", periods[0]) or _one_of("year", periods[0])) \
        and periods[1].months() != periods[0].months() \
        and periods[1].start <= periods[0].start and periods[0].end <= periods[1].end


def _extreme_check(p: Parsed, periods: tuple[Period, ...]) -> Request:
    order = "max" if "max" in p.kws else "min"
    grain = "month" if periods[0].single_month else "year"
    return _figures(Check(Pick(Group(Select(periods[1], _org(p)), grain), order), member=periods[0]))


def _units_of(periods: tuple[Period, ...], grain: str | None) -> str | None:
    """The grain of which each period is one unit ("2022, 2023 and 2024", "June, July and August
    2019"), when the question's grain, if it names one, is that."""
    for unit in ("year", "month"):
        if grain in (unit, None) and all(not x.anchor and (x.whole_years and x.single_year if unit == "year"
                                                            else x.single_month) for x in periods):
            return unit
    return None


def _average(p: Parsed, periods: tuple[Period, ...]) -> Request:
    org = _org(p)
    unit = _units_of(periods, grain_of(p)) if len(periods) > 1 else None
    if unit is not None:
        # "the average yearly number across 2022, 2023 and 2024", "the average monthly number across June,
        # July and August 2019": over those units, not each on its own
        ordered = sorted(periods, key=lambda x: x.start)
        steps = [when.months_between(a.start, b.start) for a, b in zip(ordered, ordered[1:])]
        if all(step == (12 if unit == "year" else 1) for step in steps):
            return _figures(Mean(Group(Select(Period(ordered[0].start, ordered[-1].end), org), unit)))
        return _figures(Mean(Each(tuple(Select(x, org) for x in ordered))))
    return _figures(_per_period(periods, lambda per: Mean(Group(Select(per, org), grain_of(p)))))


def _series(p: Parsed, periods: tuple[Period, ...]) -> Request:
    org = _org(p)
    return _figures(_per_period(periods, lambda per: Group(Select(per, org), grain_of(p))))


def _checked(p: Parsed, node: Node) -> Node:
    figure = quoted(p)
    if figure is None:
        return node
    return Check(node, p.claim or "eq", figure)


def _compare_or_check(p: Parsed, periods: tuple[Period, ...]) -> Request:
    if quoted(p) is not None:
        return _figures(_checked(p, _counts(p, periods)))
    return _compare(p, periods)


def _count(p: Parsed, periods: tuple[Period, ...]) -> Request:
    # "how many asylum seekers returned": the press word means all returnees or only the
    # applicants for international protection; the answer gives both readings.
    reading = "asylum_people" if p.asylum_people and p.measure else None
    if reading and p.orgs:
        # "of the Immigration Office's returns, how many were asylum seekers?": the profile is not split
        # by organisation, so the category cannot be crossed with it (the engine says so)
        return _figures(_per_period(periods, lambda per: Select(per, _org(p), category="applicants")))
    if p.measures and p.kws & COMPARE and len(periods) == 2:
        # "how many more received reintegration support in 2025 than in 2022?": the two, and their difference
        first, second = (Select(per, _org(p), measure=p.measures[0]) for per in periods)
        return _figures(Compare(first, second))
    # ("how many received reintegration support in 2019, in absolute numbers?": a count, which a share is not)
    return _figures(_checked(p, _counts(p, periods)), reading=reading,
                    how_many=bool(p.measures) and "how_many" in p.kws and "share" not in p.kws)


# A claimed relation to a number, said of the members of a list: a threshold.
THRESHOLDS = frozenset({"gt", "ge", "lt", "le"})
UNIT_WORDS = frozenset({"month_word", "quarter_word", "year_word", "how_many_units"})


def threshold(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """"which months ... more than 275", "in how many months ... fewer than 180": a
    relation and a number said of months, quarters or years; "which year had 2,952?": the
    one equal to it."""
    said = p.claim in THRESHOLDS or p.claim in (None, "eq") and "which_units" in p.kws
    return bool(p.kws & UNIT_WORDS) and said and quoted(p) is not None


def country_threshold(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """"which countries had more than 100 returnees in 2020?", "which country had 96?": a
    relation and a figure said of the countries of a list, with nothing ranked."""
    said = p.claim in THRESHOLDS or p.claim in (None, "eq")
    return bool(p.kws & COUNTRY_WORDS) and not p.kws & RANKED and not (p.countries or p.ordinals) and said \
        and quoted(p) is not None


COUNTRY_WORDS = frozenset({"one_country", "countries"})
RANKED = frozenset({"max", "min", "top", "rank", "runner_up", "second_last", "last_place"})


def zero_members(p: Parsed, periods: tuple[Period, ...]) -> Request:
    """The months (quarters, years) with no return at all, or how many there were."""
    return _members_where(p, periods, "eq", 0)


def _filter(p: Parsed, periods: tuple[Period, ...]) -> Request:
    value = quoted(p)
    assert value is not None  # threshold, which selects this intent, found it
    return _members_where(p, periods, p.claim if p.claim in THRESHOLDS else "eq", value)


def _members_where(p: Parsed, periods: tuple[Period, ...], relation: str, value: float) -> Request:
    """The members of the list the question names (months, quarters, years) whose figure
    stands in `relation` to `value`, or how many there are ("in how many months")."""
    org, by = _org(p), grain_of(p) or ("country" if p.kws & COUNTRY_WORDS else None)

    def make(period: Period | None) -> Node:
        node: Node = Where(Group(Select(period, org), by), relation, value)
        # "how many people together in the months of 2020 with more than 200?", "hoeveel terugkeerders in
        # de maanden met meer dan 250?": their sum
        summed = "sum" in p.kws or "how_many" in p.kws and bool(p.measure) and "which_units" not in p.kws
        return Count(node) if "how_many_units" in p.kws else Total(node) if summed else node
    return _figures(_per_period(periods, make))


COMPARE = frozenset({"compare", "than"})
EXTREMES = frozenset({"max", "min"})


def several_years_named(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """"which was the highest: 2013, 2014 or 2015?": three or more years named, and no grain finer."""
    return len(periods) >= 3 and all(x.whole_years and x.single_year and not x.anchor for x in periods) \
        and grain_of(p) in (None, "year") and not p.countries and not p.categories


def extreme_among(p: Parsed, periods: tuple[Period, ...]) -> Request:
    """The years named ranked: the most (or fewest) of them, the others of their span left out."""
    years = sorted(x.first_year for x in periods)
    span = Period.years(years[0], years[-1])
    others = tuple(Period.year(y) for y in range(years[0], years[-1] + 1) if y not in years)
    group: Node = Group(Select(span, _org(p)), "year")
    return _figures(Pick(Without(group, others) if others else group, "max" if "max" in p.kws else "min"))


def _two_named(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """"which had more, 2019 or 2020?": two periods named, and no month of them asked."""
    return len(periods) >= 2 and all(not x.anchor for x in periods[:2]) and grain_of(p) != "month"


def _other_measure(p: Parsed, periods: tuple[Period, ...]) -> bool:
    """"hulp bij reintegratie in het land van herkomst": a measure other than returns is
    what is asked, whatever else the question names."""
    return bool(p.measures)


INTENTS: tuple[Intent, ...] = (
    Intent("categories", "categories", ("categories", "category", "nodata"), (
        Signature(10, "a category", _categories, slots=frozenset({"categories"})),)),
    Intent("country", "country", ("country", "nodata"), (
        Signature(20, "a country", _country, slots=frozenset({"countries"})),)),
    Intent("top", "top", ("top", "resolved", "nodata"), (
        Signature(30, "a ranked list", _top, keywords=frozenset({"top", "countries", "one_country", "rank"})),)),
    Intent("share", "share", ("share", "country", "nodata"), (
        Signature(40, "an organisation's share", _share, slots=frozenset({"orgs"}), keywords=frozenset({"share"})),
        Signature(41, "a period's share of the period it is in", _share, keywords=frozenset({"share"}),
                  also=lambda p, periods: _nested(periods) is not None and not p.countries and not p.categories),)),
    Intent("compare", "compare",
           ("compare", "compare_org", "compare_orgs", "compare_countries", "compare_measure", "measure", "country",
            "nodata", "clarify"), (
        # "how did the number of Brazilians change in 2021?": the country's year against the one before, not its count
        Signature(15, "a country's change over a year", _compare, keywords=COMPARE | {"trend"},
                  also=lambda p, periods: len(periods) == 1 and periods[0].single_year and periods[0].whole_years
                  and len(p.countries) == 1 and quoted(p) is None and p.percent is None
                  and not p.kws & {"share", "one_country", "countries", "top"}),
        Signature(60, "two periods or organisations compared", _compare, keywords=COMPARE,
                  also=lambda p, periods: len(periods) == 2 or (len(periods) < 2 and len(p.orgs) >= 2)),
        Signature(62, "did one organisation have most", _majority, keywords=frozenset({"majority"}),
                  also=_of_one_org),
        Signature(70, "which of two had more", _compare, keywords=EXTREMES, also=_two_named),
        Signature(110, "a comparison word alone", _compare_or_check, keywords=frozenset({"compare"})),)),
    Intent("extreme", "extreme", ("extreme",), (
        Signature(65, "was this the most or the fewest", _extreme_check, keywords=EXTREMES,
                  also=lambda p, periods: _inside(periods)),
        Signature(68, "which of several years had the most", extreme_among, keywords=EXTREMES,
                  also=several_years_named),
        Signature(80, "the most or the fewest", _extreme, keywords=EXTREMES),)),
    Intent("average", "average", ("average",), (
        Signature(90, "an average", _average, keywords=frozenset({"average"})),)),
    Intent("series", "series", ("series",), (
        # "monthly returns 2025 vs 2020": the months of each, side by side, not two totals
        Signature(55, "series of periods compared", _series, keywords=frozenset({"per_month", "per_quarter"}),
                  also=lambda p, periods: len(periods) >= 2 and bool(p.kws & COMPARE)),
        Signature(100, "a series", _series, keywords=frozenset({"trend", "per_month", "per_quarter", "per_year"})),)),
    Intent("filter", "listing", ("listing", "count"), (
        Signature(25, "the countries of a list past a threshold", _filter, also=country_threshold),
        Signature(45, "the members of a list past a threshold", _filter, also=threshold),)),
    # Made by the filter signature when the question asks how many members pass.
    Intent("count_of", "listing", ("listing", "count")),
    Intent("measure", "measure", ("measure",), (
        Signature(5, "another measure than returns", _count, also=_other_measure),)),
    Intent("count", "count", ("count", "resolved", "nodata", "reading", "note"), (
        Signature(50, "three or more periods compared: each given", _several, keywords=COMPARE,
                  also=lambda p, periods: len(periods) > 2),
        Signature(1000, "a count", _count),)),
    # Made by the accounting in rules.build, not by a signature:
    Intent("info", "info", ("info",)),
    Intent("clarify", "clarify", ("clarify", "coverage")),
    Intent("unknown", "unknown", ("unknown", "unknown_words", "unknown_topic", "coverage")),
    Intent("help", "social", ("help",)),
    Intent("greeting", "social", ("greeting",)),
    Intent("thanks", "social", ("thanks",)),
    Intent("farewell", "social", ("farewell",)),
)

BY_NAME = {intent.name: intent for intent in INTENTS}
# Keywords that ask for something of their own; without any, a short question such as
# "and in April?" is a follow-up of the previous one.
# Beside the signatures' keywords, words that ask for an operation ("in how many months", "together?").
KEYWORDS = frozenset(k for i in INTENTS for s in i.signatures for k in s.keywords) | {"how_many_units", "sum"}
SIGNATURES = tuple(sorted((s for i in INTENTS for s in i.signatures), key=lambda s: s.precedence))


def choose(p: Parsed, periods: tuple[Period, ...]) -> Request:
    """The Request of the first signature, by precedence, that the parse fills."""
    slots = {"periods": periods, "countries": p.countries, "categories": p.categories, "orgs": p.orgs}
    filled = frozenset(name for name, value in slots.items() if value)
    for signature in SIGNATURES:
        if signature.selects(p, periods, filled):
            return signature.make(p, periods)
    raise AssertionError("the count signature selects every parse")


def handler_of(request: Request) -> str:
    """The engine's handler for a request: by the kind of its program, or by its act (a
    question asked back keeps its program for the answer that follows)."""
    if request.program is not None and request.act != "clarify":
        intent = intent_of(request.program)
        return BY_NAME[intent].handler if intent in BY_NAME else intent
    if request.act in SOCIAL:
        return "social"
    return request.act
