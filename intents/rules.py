"""Entities (+ the previous Request of the conversation) -> Request.

The time grammar (when.py) reads the periods; the accounting here decides what the
other words do (negations, unread words, claims); the intent is then chosen by its
signature in registry.py; the follow-up merge is explicit in `merge`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeGuard, cast

from . import registry, when
from .data import OTHER
from .entities import PERIOD_TYPES, Entity, Unread
from .entities import keywords as _kws
from .models import CATEGORIES, ORGS, Period
from .parsed import Parsed
from .program import (
    SOCIAL,
    Check,
    Compare,
    Count,
    Each,
    Group,
    Less,
    Mean,
    Node,
    Pick,
    Request,
    Select,
    Share,
    Total,
    Where,
    Without,
    inner,
    intent_of,
    map_selects,
    nodes,
    periods_of,
    selects,
)

# Keywords that ask for something of their own; without any, a short question
# such as "and in April?" is a follow-up of the previous one.
INTENT_KEYWORDS = registry.KEYWORDS
# Shorter unread words ("s" of "Belgium's", "x") say nothing.
MIN_UNREAD_LEN = 1
# At most this many periods or countries in one answer, so that it stays readable
# (and under Telegram's 4,096 characters).
MAX_LISTED = 12
DAYS_IN_A_MONTH = 31
# How many places a ranking of one year's months or quarters has: "the 17th" is none of them.
UNITS_IN_A_YEAR = {"month": 12, "quarter": 4}
MAX_PLACE = 50  # "number 2,426" is a figure, "number 2" a place
# What the sheets say in words on these is answered whatever period or figure the
# question also names ("how many returned by bus in 2011?", "did COVID affect 2020?").
STANDALONE_INFO = ("dublin", "bus", "plane", "covid", "marks", "percent_sum", "eligible", "website")
# Information that is about the year named, when one is.
DATED_INFO = ("partial", "sources")


# What a negation can leave out of a figure; anything else after one is asked back.
NEGATABLE = {"org", "category", "country", "info", "asylum_people"}
# Words between a negation and what it leaves out ("other than the countries Brazil...",
# "qui ne sont pas passés par Fedasil": "passés" is no "last" the time grammar used).
NEG_PASSED = {("kw", "countries"), ("kw", "one_country"), ("mod", "last")}


TIME_TYPES = {"year", "ym", "yq", "yh", "month", "quarter", "half", "decade", "grain", "mod", "ytd"}


def _years_or_figures(ents: list[Entity], kws: set[str], ratio: bool = False) -> list[Entity]:
    """A year before "people" ("2000 people", "the 2020 returnees") is a figure when the
    question has a period of its own or quotes a figure, and the year otherwise."""
    # "which year had 1965 returns": the year is what is asked, the number is a figure
    # "(more than) half of the 2020 returnees": "half" without its number is a share, not a period,
    # and a claim with a quantity of its own leaves the year a year
    # ("the Immigration Office's 2020 returns in November": a month without its year leaves it a year)
    figure = any(e.type in TIME_TYPES - {"month"} and not (e.type == "half" and e.value is None)
                 or e.type == "claim" and after is not None and after.type not in ("half", "num")
                 for e, after in zip(ents, [*ents[1:], None])) \
        or bool(kws & {"quoted", "which_units"}) or any(
            # "more than 2000 returnees"; not "more Mongolians than Romanians among 2020 returnees"
            _kw(before, "than") and e.type == "year_or_figure"
            for before, e in zip(ents, ents[1:]))
    # ("were 2013 returns lower than 2012?": a relation between two years compares them, neither is a figure)
    figure = figure and not any(e.type == "claim" and j + 1 < len(ents) and ents[j + 1].type == "year"
                                and any(x.type in ("year", "year_or_figure") for x in ents[:j])
                                for j, e in enumerate(ents))
    # "2000 or more": a number a relation follows is a figure, whatever it looks like
    related = {i for i, e in enumerate(ents[:-1])
               if ents[i + 1].type == "claim" and str(ents[i + 1].value).endswith("_after")}
    # "2018 and 2019 returns" lists years; "were the 2012 returns more than double those of 2020?" sets
    # years against each other
    listed = {i for i in range(2, len(ents)) if ents[i - 1].type == "conj" and ents[i - 2].type == "year"}
    return [Entity("num", e.value, e.start, e.end, fuzzy=True)
            if e.type == "year_or_figure" and figure and i not in listed and not ratio
            or i in related and e.type == "year"
            else Entity("year", e.value, e.start, e.end) if e.type == "year_or_figure" else e
            for i, e in enumerate(ents)]


# "not below 4,000" is at least 4,000: a negated relation is its opposite.
OPPOSITE = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}


def _negated_claims(ents: list[Entity]) -> list[Entity]:
    """"did the total not drop below 4,000", "niet boven de 200", "n'a pas dépassé 3 000":
    a negation right before a relation (across a verb of change) says the opposite relation."""
    out: list[Entity] = []
    skip: set[int] = set()
    for i, e in enumerate(ents):
        if i in skip:
            continue
        if e.type == "neg" and e.value is None:
            j = i + 1
            if j < len(ents) and _kw(ents[j], "compare") \
                    and ents[j].start - e.end <= 1:
                j += 1  # "not drop below"
            claim = ents[j] if j < len(ents) else None
            if claim is not None and claim.type == "claim" and claim.start - ents[j - 1].end <= 1:
                relation, _, suffix = str(claim.value).partition("_")
                if relation in OPPOSITE:
                    out.append(replace(claim, value=OPPOSITE[relation] + ("_" + suffix if suffix else ""),
                                       start=e.start, text=f"{e.text} {claim.text}"))
                    skip.update(range(i + 1, j + 1))
                    continue
        out.append(e)
    return out


def _negations(ents: list[Entity],
               reading: when.Reading) -> tuple[list[Period], list[Period], dict[int, Entity], list[str]]:
    """A negation leaves out what it names: a period ("2025 except March", computed by the
    engine), an organisation, a category (the others are counted) or a country (the total
    less its line), with the list it starts or ends ("except March and April"); anything
    else cannot be left out of these figures, and the question is asked back. Most
    negations come before what they leave out; `neg:post` ones after it ("maart niet
    meegerekend"), `neg:either` ones before it, or else after it; `neg:none` ones ("no",
    "geen", "aucun") speak of a zero and are always asked back.
    Returns the periods kept, those left out, the negated entities by index, and the
    words of the negations that could not be read."""
    periods: list[Period] = []
    exclude: list[Period] = []
    negated: dict[int, Entity] = {}
    bad: list[str] = []
    excluded_starts = set()
    for i, e in enumerate(ents):
        if e.type != "neg":
            continue
        negated[i] = e
        if e.value == "none":
            continue  # "no DVZ returns" is a zero to explain (asked back), not the others to count
        if i and (ents[i - 1].type, ents[i - 1].value) in NEG_PASSED:
            negated[i - 1] = ents[i - 1]  # "countries other than Brazil": no list of countries is asked for
        targets: list[int] = []
        target = _target_after(ents, reading, i)
        # the words between a negation and what it leaves out are part of it ("pas passés par")
        # ("did not go back through Fedasil": the verb of returning stays what is counted)
        negated.update({j: ents[j] for j in range(i + 1, len(ents) if target is None else target)
                        if ents[j].type not in ("range", "measure")})
        if target is not None and _kw(ents[target], "sum"):
            # "Dublin departures ... left out of the headline figure", "die zitten niet in het totaal": what
            # the total leaves out is described, nothing is left out of the figures asked
            continue
        listed = _main_countries_named(ents, target) if target is not None else []
        if listed and e.value != "post":
            # "hors top 10", "niet naar een van de tien voornaamste landen": the countries outside the list
            negated.update({j: replace(ents[j], type="outside") for j in listed})
            continue
        if e.value != "post":
            if target is not None and _leavable(ents, reading, target):
                targets = _list_from(ents, reading, target)
            elif target is not None and e.value in (None, "minus"):
                bad.append(f"{e.text} {ents[target].text}".strip())
                continue
        if not targets and e.value in ("post", "either"):
            targets = _list_before(ents, reading, i)
            if not targets:
                bad.append(e.text)
        for target in targets:
            if target in reading.starts:
                excluded_starts.add(target)
            # (the words of a topic are the topic's: "van DVZ" there names no organisation to leave out)
            negated.update({j: replace(ents[j], type=ents[target].type, value=ents[target].value)
                            for j in _described_topic(ents, target)})
    for period, start in zip(reading.periods, reading.starts):
        (exclude if start in excluded_starts else periods).append(period)
    # "hormis 2020 et sa crise sanitaire": one year, named twice
    return periods, list(dict.fromkeys(exclude)), negated, bad


def _main_countries_named(ents: list[Entity], target: int) -> list[int]:
    """The entities of a list of the main countries a negation names ("top 10", "de tien
    voornaamste landen"): its words and at most one number of places; none when the words
    name no list ("pas 10", "not the countries")."""
    def listing(e: Entity) -> bool:
        return bool({"top", "countries"} & _kws(e))
    run = [target]
    while run[-1] + 1 < len(ents) and ents[run[-1] + 1].start == ents[run[-1]].end \
            and (ents[run[-1] + 1].type == "num" or listing(ents[run[-1] + 1])):
        run.append(run[-1] + 1)
    named = [ents[j] for j in run]
    numbers = sum(e.type == "num" for e in named)
    a_top = any(_kw(e, "top") for e in named)
    main_countries = numbers == 1 and any(listing(e) for e in named)  # "de tien voornaamste landen"
    return run if (a_top or main_countries) and numbers <= 1 and all(e.type == "num" or listing(e) for e in named) \
        else []


# What may stand inside the words naming a topic ("the bus trips of the Immigration Office to the Balkans").
INSIDE_TOPIC = {"org", "range", "info"}


def _described_topic(ents: list[Entity], target: int) -> range:
    """The entities of the words that name a topic left out, from its first word naming it to
    its last: "de busreizen van DVZ naar de Balkan niet meegerekend" leaves out one thing, the
    Immigration Office's bus trips, no organisation of its own."""
    if ents[target].type != "info":
        return range(target, target + 1)
    same = [j for j in range(len(ents)) if (ents[j].type, ents[j].value) == ("info", ents[target].value)]
    first = last = target
    for j in same:
        between = range(min(j, target), max(j, target) + 1)
        if all(ents[k].type in INSIDE_TOPIC for k in between):
            first, last = min(first, j), max(last, j)
    return range(first, last + 1)


def _year_before_a_list(ents: list[Entity], reading: when.Reading, exclude: list[Period]) -> list[Period]:
    """"En 2020, janvier et février exclus": a year, a comma, then the months left out of it. The
    time grammar reads "2020, janvier" as January 2020; the year is the period they are left out of."""
    start = reading.starts[0] if reading.starts else None
    if not exclude or start is None or ents[start].type != "year" or start + 1 >= len(ents) \
            or (ents[start + 1].type, ents[start + 1].text) != ("conj", ",") \
            or any(x.first_year != ents[start].value or x.whole_years for x in exclude):
        return []
    return [Period.year(ents[start].value)]


def _leavable(ents: list[Entity], reading: when.Reading, j: int) -> bool:
    # a vague period ("2020 except the summer") is asked back as any vague period
    return j in reading.starts or j in reading.vague_starts or (ents[j].type in NEGATABLE and j not in reading.used)


def _target_after(ents: list[Entity], reading: when.Reading, i: int) -> int | None:
    """The entity a negation names after it, over "via" and the like; None at the end
    ("is it true or not": nothing to leave out)."""
    target = i + 1
    while target < len(ents) and target not in reading.used and (
            ents[target].type == "range" or (ents[target].type, ents[target].value) in NEG_PASSED
            or (ents[target].also or ("",))[0] == "stop"
            # "did not go back through Fedasil": the verb of returning is what is counted, the rest is left out
            or (ents[target].type, ents[target].value) == ("measure", "returns")
            and next((x.type for x in ents[target + 1:] if x.type != "range"), None) in ("org", "country")):
        target += 1  # "not through the Immigration Office", "other than countries...", "pas été": no target
    return target if target < len(ents) else None


def _list_from(ents: list[Entity], reading: when.Reading, target: int) -> list[int]:
    """"except March and April", "except Brazil and Moldova": the whole list."""
    found, nxt = [target], target + 1
    while nxt + 1 < len(ents) and ents[nxt].type == "conj" and (
            nxt + 1 in reading.starts if target in reading.starts else ents[nxt + 1].type == ents[target].type):
        found.append(nxt + 1)
        nxt += 2
    return found


def _list_before(ents: list[Entity], reading: when.Reading, i: int) -> list[int]:
    """"maart en april niet meegerekend": the period or name that ends right before the
    negation, and those joined to it by "and" (not by a comma: "2020, maart niet meegerekend")."""
    found, end = [], i - 1
    while end >= 0:
        start = _ending_at(ents, reading, end)
        if start is None:
            break
        found.append(start)
        if start < 2 or ents[start - 1].type != "conj" or ents[start - 1].text == ",":
            break
        end = start - 2
    return found


def _ending_at(ents: list[Entity], reading: when.Reading, end: int) -> int | None:
    """Where the period or name that ends at entity `end` starts."""
    if ents[end].type in NEGATABLE and end not in reading.used:
        return end
    starts = [s for s in reading.starts + reading.vague_starts if s <= end]
    if starts and all(k in reading.used for k in range(max(starts), end + 1)):
        return max(starts)
    return None


def _categories(ents: list[Entity]) -> list[str]:
    """"demandeurs déboutés" (even misspelled, when "déboutés" is read on its own) are
    rejected applicants, not applicants and rejected applicants."""
    found = [e for e in ents if e.type == "category"]
    kept = [e.value for e, nxt in zip(found, found[1:] + [None])
            if not (e.value == "applicants" and nxt and nxt.value == "rejected" and nxt.start == e.end)]
    return list(dict.fromkeys(kept))


def _other_meanings(ents: list[Entity]) -> list[Entity]:
    """Time words the time grammar did not use take their other meaning ("keerden in 2020
    terug": a word for returning; "ont été": a stop word, dropped)."""
    out = [replace(e, type=e.also[0], value=e.also[1], also=None) if e.also else e for e in ents]
    return [e for e in out if e.type != "stop"]


def _nested(ents: list[Entity]) -> bool:
    """"Was de stijging in 2024 groter dan de stijging in 2023?", "the gap in 2025 against the gap in
    2020": a word of comparing said twice compares two comparisons; "the second busiest month of the
    quietest year": a ranking inside a period another ranking finds. Neither is one program."""
    # (a word between periods joins them: "2019 vs 2020 vs 2021" compares three)
    compared = [e.text for i, e in enumerate(ents) if _kw(e, "compare")
                and not (i and ents[i - 1].type in ("year", "month", "ym", "yq", "yh"))]
    kws = [_kws(e) for e in ents if e.type == "kw"]
    ranked = {order for k in kws for order in k & {"max", "min"}}
    units = {unit for k in kws for unit in k & {"month_word", "year_word", "quarter_word"}} \
        | {f"{e.value}_word" for e in ents if e.type == "grain"}
    return len(compared) > len(set(compared)) or (ranked == {"max", "min"} and len(units) > 1)


def _year_pairs(ents: list[Entity]) -> list[tuple[Period, Period, int]]:
    """"van 2019 naar 2020", "de 2019 à 2020", "2018-2019": two years side by side (or joined by
    "to"), each as a year, with where the pair ends."""
    pairs: list[tuple[Period, Period, int]] = []
    i = 0
    while i < len(ents) - 1:
        joined = (ents[i + 1].type, ents[i + 1].value) == ("range", "to") and i + 2 < len(ents)
        second = ents[i + 2] if joined else ents[i + 1]
        if ents[i].type == second.type == "year" and ents[i].value < second.value:
            pairs.append((Period.year(int(ents[i].value)), Period.year(int(second.value)), second.start))
            i += 3 if joined else 2
        else:
            i += 1
    return pairs


def _changes_said(pairs: list[tuple[Period, Period, int]], ents: list[Entity],
                  kws: set[str]) -> tuple[tuple[Period, Period], ...]:
    """"Was de daling van 2019 naar 2020 groter dan die van 2018 naar 2019?": a noun of change said
    of a pair of years, set against another pair by a comparative between them ("groter", not "than"
    alone: "more in 2019-2020 than in 2017-2018" sets two spans against each other), compares two changes."""
    if "change" not in kws or len(pairs) != 2:
        return ()
    compared = any(_kws(e) & {"compare", "max", "min"} for e in ents if pairs[0][2] < e.start < pairs[1][2])
    return tuple((a, b) for a, b, _ in pairs) if compared else ()


def _after_a_country(ents: list[Entity]) -> list[Entity]:
    """"Quel pays arrive juste après la Mongolie?": "after" before a country is a place in the
    ranking (the one behind it), never a time."""
    def behind(e: Entity, nxt: Entity | None) -> bool:
        return (e.type, e.value) == ("range", "after") and nxt is not None and nxt.type == "country" \
            and nxt.start - e.end <= 1
    return [replace(e, type="kw", value="behind") if behind(e, nxt) else e for e, nxt in zip(ents, [*ents[1:], None])]


def _ranked_other_members(previous: Request | None) -> bool:
    """The last question ranked months, quarters or years: "en welke kwam op de tweede plaats?"
    ranks them again."""
    group = inner(previous.program, Group) if previous is not None and previous.program is not None else None
    return group is not None and group.by not in (None, "country")


def _asks_who(ents: list[Entity]) -> bool:
    """"Who" asking, at the head of its clause ("and the year after, who was first?"), not
    the relative "qui" of "quel mois qui a eu le plus"."""
    return any((e.type, e.value) == ("kw", "who") and (i == 0 or ents[i - 1].type == "conj")
               for i, e in enumerate(ents))


def _both_named(ents: list[Entity], previous: Request | None = None) -> list[Entity]:
    """"Colombia en El Salvador in 2020: hoeveel telde elk van beide?", "July 2025 against July
    2020, both figures please": a bare "both" after two countries, categories, years or months
    points at them, not at the two organisations; so does one that compares or sums and names
    nothing, after a question ("2024? / en 2023? / het verschil tussen beide?": the two asked)."""
    named = [e for e in ents if e.type in ("country", "category", "year", "month")]
    # the second thing named of one kind ("July 2025 ... July 2020. Give me both figures")
    second = next((e for i, e in enumerate(named) if any(x.type == e.type and x.value != e.value
                                                        for x in named[:i])), None)
    operations = {kw for e in ents for kw in _kws(e)} & {"compare", "sum"}
    if previous is not None and operations and not named and not any(e.type == "org" for e in ents):
        return [e for e in ents if e.type != "both"]
    return [replace(e, type="org", value="both") if e.type == "both" else e for e in ents
            if not (e.type == "both" and second is not None and e.start > second.start)]


def _one_more_step(reading: when.Reading, previous: Request | None) -> list[tuple[Period, Entity]]:
    """"and the one before that?", "en dat daarvoor?", "et celle encore avant ?" after one year
    or month asked: a step before (or after) it, in its own grain, with the word of the step; the
    time grammar, which needs a grain word, leaves the step unread."""
    steps = [e for e in reading.unread if e.type == "shift" and isinstance(e.value, int)]
    before = [x for x in _periods(previous) if not x.anchor] if previous is not None else []
    if len(steps) != 1 or len(before) != 1:
        return []
    grain = "year" if before[0].whole_years and before[0].single_year else "month" if before[0].single_month else None
    return [(when.step(before[0], grain, steps[0].value), steps[0])] if grain is not None else []


def _in_the_year_talked_about(periods: list[Period], previous: Request | None) -> list[Period]:
    """"Donc combien entre octobre et décembre ?" after the whole of 2025: months said without a
    year are of the year the conversation is about, not the latest the figures have."""
    before = [x for x in _periods(previous) if not x.anchor] if previous is not None else []
    if not before or not periods or not all(x.open for x in periods):
        return periods
    return [x.with_year(before[-1].last_year) for x in periods]


def _ranked_within(ents: list[Entity], reading: when.Reading, periods: list[Period], kws: set[str]) -> list[Period]:
    """"Which month of 2025, after February, was the busiest?": a span said with "after" inside
    the period ranked is where the ranking looks (March-December 2025), not a second period to
    rank in. Returns the periods it narrows."""
    if not kws & {"max", "min"} or not kws & {"month_word", "year_word", "which_units"}:
        return []
    inner = [period for period, start in zip(reading.periods, reading.starts)
             if (ents[start].type, ents[start].value) == ("range", "after") and period in periods]
    return [x for x in periods if any(x != y and x.start <= y.start and y.end <= x.end for y in inner)]


def _last_places(reading: when.Reading, kws: set[str]) -> list[Entity]:
    """"Which country was last in the 2020 top 10?": "last" that names no period (the time
    grammar leaves it unread), beside a list of countries, is the list's last place."""
    if not kws & {"top", "one_country", "countries"}:
        return []
    return [e for e in reading.unread if (e.type, e.value) == ("mod", "last")]


def _numbered_places(ents: list[Entity]) -> list[Entity]:
    """"and number two?", "en op plaats drie?": a small number right after a word for a place
    is that place, as an ordinal is. A word that is a place only before its number ("number")
    says nothing without one ("which months does that number cover?")."""
    def placed(i: int, e: Entity) -> bool:
        before = ents[i - 1] if i else None
        return e.type == "num" and before is not None and before.type == "kw" and before.end == e.start \
            and bool({"rank", "rank_numbered"} & _kws(before)) \
            and float(e.value).is_integer() and 0 < e.value <= MAX_PLACE
    out = [Entity("ordinal", int(e.value), e.start, e.end, text=e.text) if placed(i, e) else e
           for i, e in enumerate(ents)]
    return [e for e, nxt in zip(out, [*out[1:], None]) if (e.type, e.value) != ("kw", "rank_numbered")
            or nxt is not None and nxt.type == "ordinal" and nxt.start == e.end]


def _top_as_verb(ents: list[Entity]) -> list[Entity]:
    """"In which year did returns top 5000?": "top" right before a number no list is as long
    as is the verb, to exceed; "top 10" stays a list, and so does "top 1000000 countries".
    "Did returns in 2022 top 2021?": before a year, with a year named before it, it exceeds that year."""
    def verb(i: int, e: Entity, nxt: Entity | None, after: Entity | None) -> str | None:
        if (e.type, e.value) != ("kw", "top") or nxt is None or nxt.start != e.end \
                or after is not None and after.start == nxt.end and registry.COUNTRY_WORDS & _kws(after):
            return None
        if nxt.type == "num" and nxt.value >= registry.TOP_LIMIT:
            return "gt"
        return "gt_compare" if nxt.type == "year" and any(x.type == "year" for x in ents[:i]) else None
    return [replace(e, type="claim", value=claim) if (claim := verb(i, e, nxt, after)) else e
            for i, (e, nxt, after) in enumerate(zip(ents, [*ents[1:], None], [*ents[2:], None, None]))]


def _overlap(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end


def _not_forced(ents: list[Entity]) -> list[Entity]:
    """"vrijwillig, dus niet gedwongen", "not deportations - people who left of their own accord": a
    return said not to be forced is a voluntary one, which the figures count; the negation and the
    neighbouring topic it denies ask nothing more."""
    denied = {i for i, (e, nxt) in enumerate(zip(ents, ents[1:])) if e.type == "neg" and e.value is None
              and (nxt.type, nxt.value) == ("oos", "deportation") and nxt.start == e.end}
    return [e for i, e in enumerate(ents) if i not in denied and i - 1 not in denied]


def _not_only_period(ents: list[Entity]) -> list[Entity]:
    """"het volledige jaar graag, niet enkel tot september": a period right after "not only" is
    the part the question says is not enough; the other period named is the one asked."""
    for i, e in enumerate(ents):
        if not _kw(e, "not_only") or i + 1 == len(ents) \
                or ents[i + 1].start - e.end > 0:
            continue
        end = i + 1
        while end < len(ents) and (ents[end].type in PERIOD_TYPES or ents[end].type == "range"):
            end += 1
        if any(x.type in PERIOD_TYPES for x in ents[i + 1:end]) \
                and any(x.type in PERIOD_TYPES for x in ents[:i] + ents[end:]):
            return ents[:i] + ents[end:]
    return ents


def _shift_restated(periods: list[Period], previous: Request | None, ents: list[Entity]) -> list[Period]:
    """"Et un an plus tôt, en mars 2019 ?" after March 2020: the period named says where the shift
    from the one asked before lands; it is no shift from itself (March 2018) beside it."""
    if previous is None or len(periods) != 2 or not any(e.type == "shift" for e in ents) \
            or not _periods(previous) or periods[0].kind != periods[1].kind:
        return periods
    derived, named = periods
    delta = when.months_between(named.start, derived.start)
    asked = _periods(previous)[0]
    landed = (when.shift_month(asked.start, delta), when.shift_month(asked.end, delta))
    return [named] if delta and landed == (named.start, named.end) else periods


def _same_month_in_year(periods: list[Period], previous: Request | None, kws: set[str]) -> list[Period]:
    """"en in 2020, zelfde maand?" after January 2025: the month pointed back at, in the year named
    (January 2020), not both summed; "compare January 2025 with 2020" keeps them apart."""
    if previous is None or len(periods) != 2 or kws & registry.COMPARE:
        return periods
    years = [x for x in periods if x.whole_years and x.single_year]
    months = [x for x in periods if x.single_month and x in _periods(previous)]
    if len(years) == 1 and len(months) == 1 and months[0].first_year != years[0].first_year:
        return [months[0].with_year(years[0].first_year)]
    return periods


def _negation_lists(ents: list[Entity]) -> list[Entity]:
    """"sans compter ni le Brésil ni El Salvador", "not counting Brazil nor El Salvador": after a
    negation, a word of negation right after it is part of it, and one between two names of the
    same kind joins them: one negation of both."""
    out: list[Entity] = []
    negated = False
    for e, nxt in zip(ents, [*ents[1:], None]):
        plain = e.type == "neg" and e.value is None
        if plain and negated and out and out[-1].type == "neg" and out[-1].end == e.start:
            continue
        if plain and negated and out and nxt is not None and out[-1].type in NEGATABLE and nxt.type == out[-1].type:
            out.append(Entity("conj", None, e.start, e.end, text=e.text))
            continue
        negated = negated or plain
        out.append(e)
    return out


def _next_to_a_place(ents: list[Entity]) -> list[Entity]:
    """"quel pays arrive juste derrière le premier ?", "the one just ahead of the third": a place next
    to a place named by its number is that number plus or minus one."""
    out: list[Entity] = []
    for e in ents:
        step = 1 if out and _kw(out[-1], "behind") else -1 if out and _kw(out[-1], "ahead") else 0
        if step and e.type == "ordinal" and int(e.value) + step >= 1:
            out[-1] = replace(e, start=out[-1].start, value=int(e.value) + step)
            continue
        out.append(e)
    return out


def _described_years(ents: list[Entity]) -> list[Entity]:
    """"in het jaar vóór het recordjaar 2012", "the year before the record year 2012": a word of a
    record year right before a year describes it; it is that year's grain word, and asks no record."""
    # (after a word of range only: "was the record year 2012?" asks whether it was)
    out = [Entity("grain", "year", e.start, e.end, text=e.text)
           if _kw(e, "year_word") and after is not None
           and after.type == "year" and after.start == e.end and before is not None and before.type == "range" else e
           for before, e, after in zip([None, *ents], ents, [*ents[1:], None])]
    # ("the record year 2012": the record word, then the grain word, then the year)
    return [e for before, e, grain, year in zip([None, *out], out, [*out[1:], None], [*out[2:], None, None])
            if not (registry.EXTREMES & _kws(e) and grain is not None
                    and before is not None and before.type == "range"
                    and (grain.type, grain.value) == ("grain", "year") and grain.start == e.end
                    and year is not None and year.type == "year" and year.start == grain.end)]


# What a hyphen may join as a range ("2019-2020", "jul-dec", "2020-Q3").
HYPHEN_JOINS = TIME_TYPES | {"num", "weak_month", "year_or_figure"}


def _hyphens_in_words(ents: list[Entity]) -> list[Entity]:
    """"Dublin-vertrekken", "était-elle": a hyphen that does not stand right between two things a
    range joins is a compound's, no range ("jul-dec" is one)."""
    def joins(i: int, e: Entity) -> bool:
        before, after = ents[i - 1] if i else None, ents[i + 1] if i + 1 < len(ents) else None
        if after is not None and after.type == "num" and after.start == e.end:
            return True  # a minus ("top -3")
        return before is not None and after is not None and before.end == e.start and after.start == e.end \
            and before.type in HYPHEN_JOINS and after.type in HYPHEN_JOINS
    return [e for i, e in enumerate(ents)
            if not ((e.type, e.value, e.text) == ("range", "to", "-") and not joins(i, e))]


def _no_trailing_than(ents: list[Entity]) -> list[Entity]:
    """"en voor heel België dan?": "dan" with nothing after it is "then", and compares nothing;
    so is "dan" before a superlative with no comparative before it ("welke maand telde dan de
    meeste?"; "meer dan de meeste landen" compares)."""
    def then(i: int, e: Entity) -> bool:
        if (e.type, e.value) != ("kw", "than"):
            return False
        after = ents[i + 1] if i + 1 < len(ents) else None
        return after is None or bool(registry.EXTREMES & _kws(after)) and not any(_kw(x, "compare") for x in ents[:i])
    return [e for i, e in enumerate(ents) if not then(i, e)]


# What a share may be of, beside a trend ("the share of Brazil over 2019-2025" is no change in percent).
SHARE_OF = {"country", "category", "org", "asylum_people", "month", "quarter", "half"}


def _other_row_left_out(ents: list[Entity]) -> list[Entity]:
    """"2020 without the other countries", "if you leave out the 'other countries' line": the list's row of
    the other countries is a country left out like any (the total less it: the main countries together)."""
    return [replace(e, type="country", value=OTHER) if _kw(e, "other_countries") and i
            and ents[i - 1].type == "neg" and ents[i - 1].value is None else e for i, e in enumerate(ents)]


def _kw(e: Entity, kw: str) -> bool:
    return kw in _kws(e)


def _includes(ents: list[Entity], kind: str) -> bool:
    """"DVZ inbegrepen", "including the Immigration Office", "déboutés compris": a word of
    including beside an organisation or a category; beside a month ("d'octobre à décembre
    compris") it only closes a range."""
    return any({a.type, b.type} == {"kw", kind} and (_kw(a, "include") or _kw(b, "include"))
               for a, b in zip(ents, ents[1:]) if b.start - a.end <= 1)


def _pointing_back(ents: list[Entity], layout: when.Layout | None, previous: Request | None) -> list[Entity]:
    """The numbers that count what a word points back at, neither a figure nor a length of time."""
    # "those three together?", "the total of those three years": right after the word pointing back ("ces 3
    # dernières années" is a length)
    counted = [n for n, before, after in zip(ents[1:], ents, [*ents[2:], None]) if n.type == "num"
               and (before.type, before.value) == ("anaphor", None) and n.start == before.end
               and n.value in range(2, MAX_POINTED + 1)
               and not (after is not None and after.type in ("measure", "mod"))]
    determined = [n for n in ents if n.type == "num" and n.value in range(2, MAX_POINTED + 1)
                  and layout is not None and n.start in layout.determined and n not in counted]
    following = {id(n): after for n, after in zip(ents, [*ents[1:], None])}
    # "the three of them together?": said with its determiner right before the word pointing back
    counted += [n for n in determined if (after := following[id(n)]) is not None
                and (after.type, after.value) == ("anaphor", None) and after.start == n.end]
    # "which of the two was higher?" after two questions: said with its determiner and no noun after it ("the
    # two best years" counts years)
    counted += [n for n in determined if previous is not None and n not in counted
                and ((after := following[id(n)]) is None or after.type in ("kw", "conj"))
                and not any(e.type in ("grain", "measure") and e.start > n.start for e in ents)]
    return counted


def collect(ents: list[Entity], today: dt.date, lang: str,
            previous: Request | None = None, layout: when.Layout | None = None) -> Parsed:
    ents = _next_to_a_place(_negation_lists(_described_years(_no_trailing_than(_hyphens_in_words(ents)))))
    ents = _other_row_left_out(ents)
    pairs = _year_pairs(ents)
    # "kw:max+year_word" ("recordjaar"): one phrase, two keywords; a time word may also be one ("fall").
    all_kws = {kw for e in ents for kind, value in ((e.type, e.value), e.also or ("", "")) if kind == "kw"
               for kw in value.split("+")}
    # "November 2020 including Fedasil": the word of including is the organisation's too, though it closes the month
    ents = _not_forced(_not_only_period(ents))
    includes_org = _includes(ents, "org")
    includes_category = _includes(ents, "category")
    ents = _both_pointed(ents, layout)
    counted = _pointing_back(ents, layout, previous)
    ents = [e for e in ents if e not in counted]
    ents = _both_named(_after_a_country(ents), previous)
    # ("and for the year 2023?" after November 2020: a year said with its grain word is the whole year)
    whole = any(e.type == "whole" for e in ents) or any(
        (e.type, e.value) in (("grain", "year"), ("anaphor", "year")) and after.type == "year" and after.start == e.end
        for e, after in zip(ents, ents[1:]))
    ages = _ages(ents, all_kws)
    ratio, ents = _ratio(ents)
    ents = _numbered_places(_top_as_verb(ents))
    ents = _negated_claims(ents)
    if ratio:
        all_kws.add("compare")  # a ratio is claimed between two periods: they are compared
    # "évolution 2019 -> 2020 en pourcentage": the change between the two, in percent (of nothing else)
    change_in_percent = {"trend", "share"} <= all_kws and not any(e.type in SHARE_OF for e in ents)
    if change_in_percent:
        all_kws.add("compare")
    ents = _years_or_figures(ents, all_kws, ratio is not None)
    # two organisations compared leave a span whole ("de plus pour Fedasil que pour l'OE de janvier à septembre")
    two_orgs = len({o for e in ents if e.type == "org" for o in (ORGS if e.value == "both" else (e.value,))}) > 1 \
        or len({e.value for e in ents if e.type == "country"}) > 1  # "Turkey against Syria, January to September"
    # (the busiest and the quietest month "de janvier à septembre" compared, or the first place and the third:
    # the span they lie in stays whole)
    comparing = bool(all_kws & {"compare", "than"}) and not two_orgs and not registry.EXTREMES <= all_kws \
        and sum(e.type == "ordinal" for e in ents) < 2
    # ("and the month after?" after the busiest month of 2025: after the month picked, not after 2025)
    pointed = _pointed(previous)
    reading = when.read(ents, today, lang, pointed, comparing=comparing, layout=layout, picked=pointed)
    last_places = _last_places(reading, all_kws)
    reading.unread = [e for e in reading.unread if e not in last_places]
    periods, exclude, negated, bad_neg = _negations(ents, reading)
    periods = periods or _year_before_a_list(ents, reading, exclude)
    steps = _one_more_step(reading, previous) if not periods else []
    reading.unread = [e for e in reading.unread if e not in (s for _, s in steps)]
    periods = _in_the_year_talked_about(periods, previous) or [period for period, _ in steps]
    periods = _same_month_in_year(_shift_restated(periods, previous, ents), previous, all_kws)
    if "published_months" in all_kws:
        # "la moyenne mensuelle de 2025, sur les mois publiés": the months of the year with monthly figures
        periods = [replace(x, anchor="monthly") if x.whole_years and x.single_year and not x.anchor else x
                   for x in periods]
    narrowed = _ranked_within(ents, reading, periods, all_kws)
    periods = [x for x in periods if x not in narrowed]
    # A time word that is part of a negation ("ne sont pas passés par") is no period left unread.
    reading.unread = [e for e in reading.unread if e not in negated.values()]
    # a number of years or months that the periods have, said with the grain the time grammar used
    restated = {e.start for e in ents if e.type == "num" and _restates(e, ents, periods)}
    # "Brazil, El Salvador and Georgia in 2020, add the three together": after a determiner, as many as the
    # countries or categories named are those named again
    named = max(len({e.value for e in ents if e.type == kind}) for kind in ("country", "category"))
    restated |= {e.start for e in ents if e.type == "num" and named > 1 and e.value == named
                 and layout is not None and e.start in layout.determined}
    # What the time grammar used is the period's, not another slot's ("the first 3 months" is no top 3).
    ents = _other_meanings([e for i, e in enumerate(ents) if i not in reading.used and i not in negated])
    periods, ents = _elided_part(periods, ents)
    kws = {kw for e in ents for kw in _kws(e)} | ({"compare"} if ratio else set())
    if any(e.type == "claim" for e in ents) and not kws & {"max", "min", "top", "rank"}:
        # "which two months of 2020 stayed under 100?": a number before a grain word, where a threshold is
        # checked and nothing ranked, says how many the asker expects; the answer lists them all
        restated |= {e.start for e, after in zip(ents, ents[1:])
                     if e.type == "num" and after.type == "grain" and after.start == e.end}
    # "over the ten years 2007-2016": before a length the period restates, "over" is no claim
    claims = [e.value for e, after in zip(ents, [*ents[1:], None])
              if e.type == "claim" and (after is None or after.start not in restated)]
    if any(c.endswith("_compare") for c in claims) and not any(e.type == "num" for e in ents):
        kws.add("compare")  # "more than in 2019" compares; "more than 3,000 in 2024" checks a claim
    grains = {e.value for e in ents if e.type == "grain"} | {e.type for e in ents if e.type in ("quarter", "half")}
    kws |= {f"{g}_word" for g in grains}
    last_place = bool(last_places) or "last_place" in kws
    if last_place:
        # "which country was last in the 2020 top 10", "fermait le top 5": the list's last place
        kws |= {"from_bottom", "top"}
    if "second_last" in kws:
        kws.add("min")
    ranking = kws & {"max", "min", "top", "rank", "runner_up", "second_last"} or any(e.type == "ordinal" for e in ents)
    regions = list(dict.fromkeys(e.value for e in ents if e.type == "region"))
    if ranking and (regions or _asks_who(ents) and not _ranked_other_members(previous)) and not kws & UNITS:
        # "and the year after, who was first?", "which EU member state received the most": a place among
        # the countries
        kws.add("one_country")
    if change_in_percent:
        kws = (kws - {"share"}) | {"compare"}
    if "trend" in kws and kws & {"compare", "sum"}:
        # "l'évolution par rapport à 2021": the change against that period; "samengeteld over de jaren
        # 2021 t.e.m. 2025": their sum; no series
        kws.discard("trend")
    if "majority" in kws and not kws & UNITS:
        kws.discard("max")  # "most returns", "la majorité des retours" with no unit ranked: a majority, no record
    if "from_bottom" in kws:
        kws.add("min")  # "third from the bottom of the top 10": its places counted from the end
    if "runner_up" in kws:
        kws.add("rank")  # "the runner-up": the second place of a ranking
    if (kws & {"which_units", "month_word", "year_word"}) and any(e.type == "ordinal" for e in ents):
        kws.add("rank")  # "which month of 2020 came second": a place among the months
    orgs: list[str] = []
    for e in ents:
        if e.type == "org":
            for org in (ORGS if e.value == "both" else (e.value,)):
                if org not in orgs:
                    orgs.append(org)
    # "niet via de DVZ": the other organisation; "apart from rejected applicants": the other categories.
    left_out = {negated[i].value for i in negated if negated[i].type == "org"}
    if left_out >= set(ORGS) or "both" in left_out:
        # "ni Fedasil ni DVZ": every organisation left out leaves no one to count
        bad_neg.extend(e.text for e in negated.values() if e.type == "org")
    if left_out:
        # "Fedasil returns, not counting the Immigration Office": the named one stays.
        orgs = [o for o in ORGS if o not in left_out and "both" not in left_out]
    how_many = [e for e in ents if _kw(e, "how_many")]
    if len(how_many) > 1 and all(e.start > how_many[1].start for e in ents if e.type == "org"):
        orgs = []  # "how many in November 2020, and how many of them through DVZ?": the total, with its split
    if includes_org and not left_out or "sum" in kws and set(orgs) == set(ORGS):
        orgs = []  # "DVZ inbegrepen", "the total (Fedasil plus DVZ)": the total, which shows its split
    left_out_cats = {negated[i].value for i in negated if negated[i].type == "category"}
    # "hors top 10": the sheet's row of the other countries, outside a list as long as the one named
    outside = [e for e in negated.values() if e.type == "outside"]
    if outside:
        kws.add("other_countries")
    notes_out = list(dict.fromkeys(negated[i].value for i in sorted(negated) if negated[i].type == "info"))
    asked_about = []
    if notes_out and ("why" in kws or not (periods or any(e.type == "measure" for e in ents))):
        # "why are Dublin departures not counted?", "Dublin transfers not included?": asked about, not left out
        asked_about, notes_out = notes_out, []
    # "to countries other than Brazil": the total less that country, where the list has it.
    except_countries = list(dict.fromkeys(negated[i].value for i in sorted(negated) if negated[i].type == "country"))
    # "the main reasons people give for going home": a ranking of reasons, a cut the sheets do not make
    reasons = "reasons" in kws and bool(kws & {"top", "max"})
    percent, said = _percent(ents)
    fraction = any(e.type == "fraction" for e in ents)
    if fraction:
        kws.add("share")  # "plus d'un quart des retours": a share
    nums = [e for e in ents if e.type == "num" and e.start not in restated and e is not said and e not in counted]
    negative = any(e.type == "range" and e.value == "to" and any(n.start == e.end for n in nums) for e in ents)
    first = ents[0] if ents else None
    categories = _categories(ents)
    asylum_people = any(e.type == "asylum_people" for e in ents)
    if asylum_people and ("share" in kws or categories) and "applicants" not in categories:
        # "what share were asylum seekers", "asylum seekers and rejected asylum seekers": named as a share, or
        # beside another category, they are the applicants for international protection
        categories = ["applicants", *categories]
    if (includes_category or "either" in kws) and len(categories) > 1:
        # "demandeurs d'asile, déboutés compris", "whether still in procedure or already rejected": together
        kws.add("sum")
    if any(e.type == "asylum_people" for e in negated.values()):
        if categories:
            # "no legal residence, as opposed to asylum seekers": beside a category, the applicants in procedure
            left_out_cats.add("applicants")
        else:
            # "returns in 2020, not asylum seekers": those in procedure, or the rejected ones too? asked back
            bad_neg.extend(e.text for e in negated.values() if e.type == "asylum_people")
    if left_out_cats:
        # "apart from rejected applicants": the others; "rejected applicants (not the applicants in
        # procedure)": the one named, the negation only says which
        categories = [c for c in categories if c in CATEGORIES and c not in left_out_cats] \
            or [c for c in CATEGORIES if c not in left_out_cats]
    changes = _changes(periods, reading, kws)
    if not changes and (changes := _changes_said(pairs, ents, kws)):
        periods = [Period.years(earlier.first_year, later.last_year) for earlier, later in changes]
    return Parsed(
        kws=kws,
        periods=periods,
        time=reading,
        exclude=exclude,
        except_countries=except_countries,
        bad_neg=bad_neg,
        # "were a quarter of the returnees Brazilians?": a fraction said alone is about that much
        claim=claims[0].removesuffix("_compare").removesuffix("_after") if claims else "approx" if fraction else None,
        # "l'avant-dernière du top 10": the second place counted from the end
        ordinals=([2] if kws & {"second_last", "runner_up"} else []) + [1] * last_place + _first_and(ents)
        + [e.value for e in ents if e.type == "ordinal"],
        categories_left_out=bool(left_out_cats),
        orgs=orgs,
        # "the other countries": the sheet's "Andere" row.
        countries=list(dict.fromkeys(e.value for e in ents if e.type == "country"))[:MAX_LISTED]
        or (["other"] if "other_countries" in kws else []),
        categories=categories,
        nums=nums,
        counted=int(counted[0].value) if len(counted) == 1 else None,
        extreme_places=_extreme_places(ents),
        # "which years do you have?" asks what the data covers; "which years had more than ..." does not.
        # ("how many returns today?": a today that no span ends at is a day)
        # ("de krant van morgen", "for tomorrow's paper": a day near today, beside a period named, is the
        # asker's, not the figures')
        finer=[e.value for e in ents if e.type == "finer" and e.value != "day_near"]
        + ["day" for e in ents if (e.type, e.value) == ("rel", "today") or e.value == "day_near" and not periods],
        # ("got a figure for 2007?": a verb of getting said of the figure asked receives nothing)
        receive=[e.text for e, after in zip(ents, [*ents[1:], None]) if e.type == "receive"
                 and not (after is not None and _kw(after, "how_many"))],
        notes_out=notes_out,
        regions=regions,
        outside_of=next((int(e.value) for e in outside if isinstance(e.value, (int, float))), None),
        # ("and for the Immigration Office only, which month?" asks a ranking again, of what it names)
        info=[e.value for e in ents if e.type == "info" and e.value not in notes_out] + asked_about
        + (["coverage"] if "which_units" in kws and not claims and not ranking
           and not any(e.type in ("num", "org", "country", "category") for e in ents) else []),
        # "welke maanden kwamen boven de 280 terugkeerders uit": a verb of arriving said of returns is no arrival;
        # said of minors ("combien de mineurs non accompagnés sont arrivés"), it is
        oos=[e.value for e in ents if e.type == "oos" and not (e.value == "arrival" and any(
            (m.type, m.value) == ("measure", "returns") for m in ents))] + (["breakdown"] if ages or reasons else []),
        # a cut the sheets do not make, as written ("pommes" is no misspelled "hommes")
        breakdown=any((e.type, e.value, e.fuzzy) == ("oos", "breakdown", False) for e in ents) or ages or reasons,
        social=[e.type for e in ents if e.type in SOCIAL],
        bad=reading.bad + [e.value for e in ents if e.type == "bad_date"],
        measure=any(e.type == "measure" for e in ents),
        measures=list(dict.fromkeys(e.value for e in ents if e.type == "measure" and e.value != "returns")),
        asylum_people=any(e.type == "asylum_people" for e in ents),
        implicit=any(e.type == "rel" and e.value == "latest" for e in ents),
        followup=(first is not None and first.type == "conj" and first.start == 0)
        # ("in diezelfde maand": a month read as a period, not an operator to keep)
        or any(e.type == "anaphor" and e.value != "month" for e in ents),
        negative_n=negative,
        ratio=ratio,
        percent=percent if claims or fraction else None,
        whole=whole,
        changes=changes,
        year_back=any((e.type, e.value) == ("anaphor", "year") for e in ents),
        place_back=any((e.type, e.value) == ("anaphor", "place") for e in ents),
        of_those=any((e.type, e.value) == ("anaphor", None) for e in ents),
        last_place=last_place,
    )


# The order of a ratio that is asked, not claimed ("how many times more ...?").
ASKED = "asked"
PER = "per"
# what may follow a bare "for every", "pour un", "per" to make it a ratio's side
PER_SIDES = {"country", "category", "asylum_people", "org"}


def _percent(ents: list[Entity]) -> tuple[float | None, Entity | None]:
    """A share said as a number of percent ("25%", "25 procent") or as a fraction ("more than
    half", "plus d'un quart"), with the number entity it takes from the figures quoted."""
    for e, after in zip(ents, [*ents[1:], None]):
        if e.type == "num" and after is not None and _kw(after, "share") \
                and after.start == e.end:
            return float(e.value), e
        if e.type == "claim" and after is not None and after.type == "half" and after.value is None:
            return 50.0, None
        if e.type == "fraction":
            return float(e.value), None
    return None, None


def _both_pointed(ents: list[Entity], layout: when.Layout | None) -> list[Entity]:
    """"het verschil tussen de twee?", "et les deux ensemble ?": "the two" with nothing after it
    that it counts (no "months", no "organisations") points back at the last two questions."""
    determined = layout.determined if layout is not None else frozenset()
    return [replace(e, type="anaphor", value=None, also=None)
            if e.type == "num" and e.value == 2 and e.start in determined and all(x.type == "kw" for x in ents[i + 1:])
            else e for i, e in enumerate(ents)]


def _pointed(previous: Request | None) -> tuple[Period, ...]:
    """What "that month" points back at: the month the last answer picked, else the one it asked."""
    if previous is None:
        return ()
    return previous.picked or _periods(previous)


def _elided_part(periods: list[Period], ents: list[Entity]) -> tuple[list[Period], list[Entity]]:
    """"was the second half of 2019 busier than the first?": a place said after "than" alone is
    the same part of the same year (the first half), never a place of its own."""
    if len(periods) != 1 or periods[0].kind not in ("half", "quarter") or periods[0].anchor:
        return periods, ents
    part = periods[0]
    for i, e in enumerate(ents[1:], 1):
        before = ents[i - 1]
        if e.type == "ordinal" and i == len(ents) - 1 and _kw(before, "than"):
            make = Period.half if part.kind == "half" else Period.quarter
            if 1 <= e.value <= (2 if part.kind == "half" else 4):
                return [part, make(part.first_year, e.value)], ents[:i] + ents[i + 1:]
    return periods, ents


def _extreme_places(ents: list[Entity]) -> tuple[tuple[str, int], ...]:
    """"de op één na drukste maand ... met de rustigste", "the second-highest and the lowest": a
    place right before a superlative is that superlative's (a grain word or a hyphen may stand
    between), not the other's."""
    places: list[tuple[str, int]] = []
    for i, e in enumerate(ents):
        if e.type != "ordinal" or not isinstance(e.value, int):
            continue
        after = [x for x in ents[i + 1:i + 3] if x.type != "grain" and x.text != "-"][:1]
        if after and after[0].type == "kw" and after[0].start - e.end <= 3:
            places += [(order, e.value) for order in ("max", "min") if _kw(after[0], order)]
    return tuple(places)


def _first_and(ents: list[Entity]) -> list[int]:
    """"la meilleure année, et la deuxième": a superlative joined to a place by "and" names the
    first place too."""
    superlative = False
    for before, e in zip(ents, ents[1:]):
        superlative |= bool(_kws(before) & {"max", "min"})
        if e.type == "ordinal":
            return [1] if superlative and before.type == "conj" else []
    return []


def _ratio(ents: list[Entity]) -> tuple[tuple[str, float] | None, list[Entity]]:
    """"doubled" (change, 2), "three times as many" (as, 3: the number before the phrase,
    which is then no figure of its own)."""
    for i, e in enumerate(ents):
        if e.type != "ratio":
            continue
        order, _, n = e.value.partition(":")
        if order == PER:
            # "for every applicant still in procedure, how many rejected applicants?": the ratio of
            # two groups, when a group follows; "for each month of 2020" is a series
            if not (i + 1 < len(ents) and ents[i + 1].start == e.end and ents[i + 1].type in PER_SIDES):
                return None, ents[:i] + ents[i + 1:]
            order = ASKED
        if order == ASKED:
            # "for every returnee to El Salvador, how many to Brazil?" sets two named sides against each
            # other, as "combien de fois le total de 2025 dépasse-t-il celui de 2020 ?" does; "for every
            # month of 2020" names no two
            # ("de verhouding tussen Fedasil en DVZ": "both" names the two organisations)
            sides = max(len({v for x in ents if x.type == kind for v in (ORGS if x.value == "both" else (x.value,))})
                        for kind in ("country", "category", "org", "year"))
            return ((ASKED, 0.0) if sides > 1 else None), ents[:i] + ents[i + 1:]
        if n != "times":
            return (order, float(n)), ents[:i] + ents[i + 1:]
        if i and ents[i - 1].type == "num":
            return (order, float(ents[i - 1].value)), ents[:i - 1] + ents[i + 1:]
        if i and _kw(ents[i - 1], "how_many"):
            return (ASKED, 0.0), ents[:i - 1] + ents[i + 1:]  # "how many times more": the ratio is asked
    return None, ents


def _restates(n: Entity, ents: list[Entity], periods: list[Period]) -> bool:
    """"en dix ans, de 2007 à 2016", "the 12 months of 2019", "those two years": a length in
    years or months that a period named, or pointed back at, has; it says the period again."""
    grain = next((g.value for g in ents if g.type == "grain" and g.start == n.end), None)
    # "those two years", "ces deux années": how many the periods pointed back at are
    pointed = any(a.type == "anaphor" and a.end == n.start for a in ents)
    return (grain is not None and pointed) or any(_length(x, grain) == n.value for x in periods)


def _length(period: Period, grain: str | None) -> int | None:
    """How many years or months a period spans (None for another grain)."""
    if grain == "year" and period.whole_years:
        return period.last_year - period.first_year + 1
    return len(period.months()) if grain == "month" else None


def _stray_numbers(p: Parsed, program: Node | None) -> bool:
    """A number neither quoted as a figure nor used by the program ("the three busiest months": a Pick's n)."""
    tree = nodes(program) if program is not None else []
    ranking = intent_of(program) in ("top", "country") if program is not None else False
    # ("l'année où il y a eu 1.965 retours, quel était le premier pays ?": in a ranking, a figure no claim
    # checks names the period it describes, which no rule finds)
    claimed = p.claim is not None or "quoted" in p.kws or any(isinstance(x, Check) for x in tree)
    figure = registry.quoted(p) if not ranking or claimed else None
    picked = {x.n for x in tree if isinstance(x, Pick)}
    # ("the place of Syria in the top 5": a number beside "top" is the list's, which the answer names)
    listed = ranking and "top" in p.kws
    # ("top 1000000 countries": a list as long as the longest, TOP_LIMIT)
    return any(n.value != figure and n.value not in picked
               and not (listed and (n.value < registry.TOP_LIMIT or registry.TOP_LIMIT in picked)) for n in p.nums)


def _periods(request: Request) -> tuple[Period, ...]:
    return periods_of(request.program) if request.program is not None else request.periods


def _intent(request: Request) -> str:
    return intent_of(request.program) if request.program is not None else request.act


def build(ents: list[Entity], unread: list[Unread], today: dt.date, previous: Request | None, lang: str = "en",
          layout: when.Layout | None = None, earlier: Request | None = None,
          run: tuple[Request, ...] = ()) -> Request:
    """The Request, and in it the account of the words: those no rule could read that
    stand where a slot would go, or are no common word, make it a clarify that names
    them; common words elsewhere are passed over, and the answer says so."""
    strangers = [w for w in unread if len(w.text) > MIN_UNREAD_LEN]
    # "add up every year from 2020 through 2025", "sum up the yearly returns", "tel de jaartotalen op": the
    # years summed (the answer lists each), no series
    if any(_kw(e, "sum") for e in ents):
        ents = [e for e in ents if not _kw(e, "per_year")]
    if any((e.type, e.value) == ("kw", "new_topic") for e in ents) \
            and not (previous is not None and previous.act == "unknown" and previous.topic):
        # "OK, different question: ...", "autre chose : ..." keeps nothing of the last one; after a topic
        # outside the figures, "never mind, the voluntary ones then?" asks for them in its period
        previous = None
    if previous is not None and previous.act == "clarify" and previous.program is not None:
        # asked back, it waits for the part it lacks ("2019"); the year it offered was not chosen
        previous = Request("figures", map_selects(previous.program, _offered_year_dropped))
    p = collect(ents, today, lang, previous, layout)
    if previous is not None and previous.program is None and previous.unread \
            and (previous.act, previous.topic) in (("clarify", "word"), ("unknown", None)) \
            and p.followup and p.periods and not (p.measure or p.orgs or p.countries or p.categories or p.info
                                                  or p.oos or p.kws - {"how_many"} or strangers):
        # "et en 2024 ?" after a question with a word no rule read: still that word, not everyone's count
        return replace(previous, periods=tuple(p.periods), offer=None)
    q = _build(p, ents, strangers, previous)
    if "why" in p.kws and previous is not None and previous.act == "figures" and _bare(p) and not p.nums \
            and q.act == "figures":
        # "pourquoi ce pic ?", "why that drop?": the words name what the last answer showed, whose reasons are asked
        q = replace(previous, unread=(), ignored=q.ignored)
    if "why" in p.kws and q.act == "figures":
        q = replace(q, topic="why")  # the figures asked about, then the reasons given
    listed = inner(previous.program, Pick) if previous is not None and previous.program is not None else None
    if p.counted is not None and _bare(p) and listed is not None and listed.n == p.counted \
            and not p.kws & (registry.KEYWORDS - {"sum", "average", "how_many"}):
        # "ces trois ensemble ?", "ça fait combien à eux trois ?" after the three first countries: the list's sum
        q = Request("figures", Mean(listed) if "average" in p.kws else Total(listed))
    elif p.counted is not None and _bare(p) and q.act == "figures" and p.counted != len(run):
        # "those three together?" when the questions before were not three one-figure questions: which three?
        q = Request("clarify", topic="which_together")
    elif previous is not None and earlier is not None and q.act == "figures":
        q = _last_two(q, p, previous, earlier, run)
    if q.act == "figures" and q.program is not None:
        not_made = _operations_not_made(q.program, [e for i, e in enumerate(ents) if i not in p.time.used],
                                        follow_up=previous is not None) or _month_not_found(q.program, p, ents)
        if not_made:
            q = Request("clarify", topic="cross", unread=tuple(not_made))
    if q.act == "figures" and p.notes_out:
        q = replace(q, left_out=tuple(p.notes_out))
    if q.act == "figures" and p.outside_of is not None:
        q = replace(q, n=p.outside_of)
    passed = [w.text for w in strangers] + [e.text for e in p.time.talk]
    if passed and q.act not in ("unknown", "clarify", *SOCIAL):
        q = replace(q, ignored=tuple(passed))
    return q


def _offered_year_dropped(s: Select) -> Select:
    """"en mei?" after "en april?" was asked back with April 2025 offered: May of no year yet,
    never May 2025; and a year offered is no period yet ("which month had the most?" after
    "how many through DVZ?" was asked back with 2025 offered: the latest months, not the
    latest year that has all twelve)."""
    if not s.filled or s.period is None or s.period.anchor:
        return s
    p = s.period
    if p.whole_years:
        return replace(s, period=None, filled=False)
    return replace(s, period=Period((p.start[0] - p.end[0], p.start[1]), (0, p.end[1]), p.kind, "latest"))


# Above this, a number of years is no one's age.
MAX_AGE = 120


def _ages(ents: list[Entity], kws: set[str]) -> bool:
    """"de plus de 60 ans", "ouder dan 60 jaar", "over 60 years": an age, a cut the
    publications do not make, never a threshold on the returns. So is a small threshold
    beside "how many" said of people, not of months or years: "how many returnees were over
    60", "combien de familles de 5 personnes ou plus": "how many" asks the count itself, so
    the threshold is a property of the people."""
    aged = any(a.type == "claim" and n.type == "num" and g.type == "grain" and g.value == "year"
               and a.end == n.start and n.end == g.start and n.value < MAX_AGE
               for a, n, g in zip(ents, ents[1:], ents[2:]))
    grains = {e.start for e in ents if e.type == "grain"}
    of_people = "how_many" in kws and not kws & PER_UNIT and any(
        {a.type, b.type} == {"claim", "num"} and b.start - a.end <= 1
        and (n := a if a.type == "num" else b).value < MAX_AGE and n.end not in grains  # "over the 12 months"
        for a, b in zip(ents, ents[1:]))
    # "familles de 5 personnes", "families of five": a size said of what is counted
    sized = any(a.type == "measure" and a.value != "returns" and _size_after(ents, i) for i, a in enumerate(ents))
    return aged or of_people or sized


def _size_after(ents: list[Entity], i: int) -> bool:
    """A small number right after entity i, across a word such as "de", "of", "van"."""
    rest = ents[i + 1:i + 3]
    n = next((e for e in rest if e.type == "num"), None)
    if n is None:
        return False
    between = rest[:rest.index(n)]
    return n.value < MAX_AGE and n.start - ents[i].end <= 2 and all(x.type == "range" for x in between)


# Words that name the unit a question ranks or picks: months, quarters or years ("which month").
UNITS = frozenset({"which_units", "month_word", "quarter_word", "year_word"})
# Words that make a threshold one on months, quarters or years ("in how many months ... over 200").
PER_UNIT = UNITS | {"how_many_units"}


def _bounds_a_wave(ents: list[Entity]) -> bool:
    """"depuis le confinement de mars 2020", "after the first wave": the wave is where a span
    starts or ends, a day the figures do not have; it no longer just describes the month."""
    return any(a.type == "range" and b.type == "finer" and b.value == "wave" and b.start - a.end <= 1
               for a, b in zip(ents, ents[1:]))


def _lone(node: Compare) -> bool:
    """A comparison that names no period and at most one organisation: "the difference?"."""
    return isinstance(node.a, Select) and isinstance(node.b, Select) and node.a.period is None \
        and node.a.org == node.b.org


def _build(p: Parsed, ents: list[Entity], strangers: list[Unread], previous: Request | None) -> Request:
    periods = tuple(p.periods)[:MAX_LISTED]
    if not periods and previous is not None and previous.act == "unknown":
        # "et de retours volontaires, la même année ?" after forced returns in 2023: that year, as
        # after any question
        periods = previous.periods
    has_data = bool(p.measure or p.orgs or p.countries or p.categories)
    # "in welke jaren lag het totaal boven de 4000?": a threshold on years asks, without a measure word
    asks = bool(p.kws & INTENT_KEYWORDS) or "how_many" in p.kws or registry.threshold(p, periods)

    if p.breakdown and set(p.oos) == {"breakdown"} and (p.measure or periods or "how_many" in p.kws):
        # "how many women returned in 2025": voluntary return, by a cut the sheets do not make.
        return Request("info", topic="breakdown", periods=periods, how_many=True)
    if "hypothetical" in p.oos:
        # "how many would have returned without the pandemic?": about these figures, but none counts it
        return Request("info", topic="hypothetical", periods=periods)
    if p.oos:
        # the period is kept for a follow-up ("et de retours volontaires, la même année ?"), the one
        # talked about when it names none ("2023? / et ça a coûté combien ? / et l'année d'avant ?")
        return Request("unknown", topic=p.oos[0],
                       periods=periods or (_periods(previous) if previous is not None else ()))
    if previous is not None and previous.act in ("info", "unknown") and previous.topic == "breakdown" \
            and (periods or previous.periods) and "sum" in p.kws and not (p.countries or p.categories or p.orgs) \
            and not (asks and p.kws - {"sum", "how_many"}):
        # "how many women returned in 2021? / and in total?", "en in Wallonië? / en in heel België in 2023?":
        # everyone's count of that period
        parts = tuple(Select(x) for x in periods or previous.periods)
        return Request("figures", parts[0] if len(parts) == 1 else Each(parts))
    if previous is not None and previous.act == "unknown" and previous.topic and not (has_data or p.info or strangers):
        # "and in 2020?" after "how many asylum applications in 2019?": still not in these figures ("xyzzy
        # plugh" after it is not understood, and says so)
        return Request("unknown", topic=previous.topic)
    if previous is not None and previous.act == "info" and previous.topic in STANDALONE_INFO and periods \
            and not (has_data or p.info or p.kws & INTENT_KEYWORDS):
        # "and in 2020?" after "how many Dublin departures in 2017?": the same topic, that year
        return replace(previous, periods=periods)
    if p.asylum_people and not (p.measure or p.categories):
        # "how many asylum seekers in 2020" asks about asylum, not about returns.
        return Request("unknown", topic="asylum")
    if p.bad:
        return Request("clarify", topic="bad_date")
    if "why" in p.kws:
        # "why are Dublin departures not counted?": what the publications say of it, not a
        # negation; "why?" after April 2020: the reasons they give for those years (the
        # COVID-19 remark), never a figure in their place
        if p.info:
            return Request("info", topic=p.info[0], periods=periods)
        if p.periods and not (p.measure or p.countries or p.categories or p.orgs or p.nums
                              or p.kws & INTENT_KEYWORDS):
            # "Hoe komt het dat april en mei 2020 zo laag lagen?": the figures of the periods named, then the
            # reasons the publications give
            parts = tuple(Select(x) for x in periods)
            return Request("figures", parts[0] if len(parts) == 1 else Each(parts), topic="why")
        if not (p.measure or p.countries or p.categories or p.orgs or p.nums or p.kws & INTENT_KEYWORDS):
            # "why?": of the previous question's years and countries
            return Request("info", topic="why", periods=periods or (_periods(previous) if previous else ()),
                           unread=_countries_of(previous))
    aside = [e.text for e in ents if e.type == "aside_verb"]
    if aside and not any(e.type == "neg" and e.value == "post" for e in ents):
        # "leaving Belgium": no "aside" after it, so not a verb of leaving out
        return Request("clarify", topic="word", unread=tuple(aside))
    if p.receive and not p.measures and not (p.countries or p.regions or p.kws & {"one_country", "countries", "top"}):
        # "how many received in 2020?": received what? (with "reintegration support", read; a country
        # "received the most returnees" is a destination)
        return Request("clarify", topic="word", unread=tuple(p.receive))
    # "April 2020, in the first lockdown": the lockdown describes the period named, which is asked
    # "zomervakantie van 2025, van 1 juli tot 31 augustus": the months named say which holidays
    describes = bool(periods) and not p.time.finer and set(p.finer) <= {"wave", "holiday"} \
        and not _bounds_a_wave(ents) and ("holiday" not in p.finer or not all(x.whole_years for x in periods))
    if describes and "holiday" in p.finer:
        # "the 2019-2020 school year, i.e. September 2019 to June 2020": the months named, not the years
        periods = tuple(x for x in periods if not x.whole_years)
    if (p.time.finer or p.finer) and not describes:
        # "on 3 June 2020", "the second week of April": a grain the figures do not have,
        # named, with the month(s) that hold it offered; never that month's figure.
        grain, period = p.time.finer[0] if p.time.finer else (p.finer[0], periods[0] if periods else None)
        if period is not None and period.open:
            # "and on the 17th of March?" after March 2020: the month of the year talked about, or none named
            period = next((x for x in _in_the_year_talked_about([period], previous) if not x.open), None)
        return Request("clarify", topic="finer", periods=(period,) if period else (), unread=(grain,))
    if "second_last" in p.kws and not (p.countries or p.kws & {"top", "countries", "one_country"}):
        # "l'avant-dernier mois de 2020" is November, not a place among the months: asked back
        return Request("clarify", topic="word", unread=tuple(e.text for e in ents if e.value == "second_last"))
    if _nested(ents):
        return Request("clarify", topic="nested_ops")
    talked_about = _countries_of(previous)
    if p.kws & {"behind", "ahead"} and not p.countries and len(set(talked_about)) == 1 and p.of_those | p.place_back:
        # "Which country was just ahead of them then?" after the Colombians of 2025: the country talked about
        p.countries = [talked_about[0]]
    if p.kws & {"behind", "ahead"} and len(p.countries) != 1:
        # "the month behind the busiest", "behind Brazil and Georgia": no place next to one country of a list
        return Request("clarify", topic="word",
                       unread=tuple(e.text for e in _after_a_country(ents) if e.value in ("behind", "ahead")))
    zero = tuple(e.text for e in ents if (e.type, e.value) == ("neg", "none"))
    if zero and p.kws & {"how_many_units", "which_units"} and registry.grain_of(p) is not None:
        # "in hoeveel maanden van 2020 organiseerde DVZ helemaal geen terugkeer?": the months with none
        return registry.zero_members(p, periods)
    if zero:
        # "no DVZ returns", "aucun retour": the publications count returns that took place
        return Request("clarify", topic="zero", unread=zero)
    if p.kws & {"sum", "include"} and not p.kws & {"how_many", "max", "min", "top"} \
            and any(e.type == "neg" and e.value != "none" for e in ents) \
            and not (p.exclude or p.except_countries or p.countries or p.categories or p.info or p.measures):
        # "what does Fedasil's headline total leave out?", "wat laat het totaal buiten beschouwing?", "qu'est-ce
        # qui n'est pas compris dans le total ?": what the totals leave out, as their marks say
        return Request("info", topic="marks")
    if p.bad_neg or (p.exclude and not periods and not p.kws & {"max", "min"}):
        return Request("clarify", topic="negation", unread=tuple(p.bad_neg) or tuple(
            e.text for e in ents if e.type == "neg"))
    standalone = [topic for topic in STANDALONE_INFO if topic in p.info]
    asked_before = _periods(previous) if previous is not None and p.followup else ()
    blocking = tuple(w.text for w in strangers if w.slot or not w.passable)
    if standalone and blocking:
        # "Mag mijn hond mee op het terugkeervliegtuig?": a word no rule reads may be what is asked of the topic
        return Request("clarify", topic="word", unread=blocking)
    if standalone:
        # "and how many Dublin departures that year?": the year of the question before
        # "Et les transferts Dublin ?" after a count asks their count too; "Brazilians who flew home in March
        # 2020" names whom it counts
        counted_before = bool(asked_before) and previous is not None and previous.act == "figures"
        counts = bool(p.kws & {"how_many", "share"} or p.countries or p.categories) or counted_before
        # ("does the 2020 total include Dublin departures?" asks what the total holds, no count of them; "total
        # returns in 2017 if you add the Dublin departures" adds them to it)
        # (the returns said apart from the topic: "vrijwillige vertrekken in het kader van Dublin" is the topic)
        # (or, after a question, "donc au total avec les bus ça fait combien ?": the year talked about)
        returns_apart = any((e.type, e.value) == ("measure", "returns")
                            and next((x.type for x in ents[i + 1:] if x.type != "range"), None) != "info"
                            for i, e in enumerate(ents))
        added_to = periods or (_periods(previous) if previous is not None and "how_many" in p.kws else ())
        added = bool(added_to) and "sum" in p.kws and (returns_apart or not periods)
        holds = bool(p.kws & {"include", "sum"}) and not counts and not added
        if added:
            return Request("info", topic=standalone[0], periods=tuple(added_to), how_many=True, reading="added")
        return Request("info", topic=standalone[0], periods=() if holds else periods or asked_before,
                       how_many=counts and "what_is" not in p.kws
                       and standalone[0] != "percent_sum")  # there, percentages are the subject
    if p.time.unread or p.time.needs_anchor:
        # A period was written but not read: ask which, never answer for another one.
        return Request("clarify", topic="period", unread=tuple(e.text for e in p.time.unread))
    if p.time.vague:
        # "early 2020": the figures are monthly, and which months is the user's to say.
        return Request("clarify", topic="vague_period", periods=tuple(p.time.vague[:1]),
                       unread=tuple(p.time.vague_words[:1]))
    dated = [topic for topic in DATED_INFO if topic in p.info]
    # ("hoeveel via Fedasil in 2020 volgens de factsheet?", "combien étaient des sans-papiers, parmi ceux de la
    # fiche 2025 ?" ask for figures, of which the publication says where to read them)
    if dated and not (p.measure or p.kws & INTENT_KEYWORDS or "how_many" in p.kws) \
            and not (p.followup and previous is not None and previous.act == "figures"):
        # "why is 2025 incomplete?", "sources 2015": explain, for the year named ("et dans la fiche de
        # janvier à septembre 2025 ?" after a count names where to read the same figure, asked for then)
        return Request("info", topic=dated[0], periods=periods)
    # Words nothing could read may ask for what the data lacks ("widows", "cats"): asked
    # back when they stand where a slot would go or are no common word.
    if p.info == ["coverage"] and blocking:
        # "welke maand was het hoogst?": "which month" with a word no rule reads asks more than what the data covers
        return Request("clarify", topic="word", unread=blocking)
    if p.info and not (periods or p.countries or p.kws & INTENT_KEYWORDS or p.categories):
        content = [w for w in strangers if not w.passable]
        if "how_many" in p.kws and strangers or content:
            # "how many did IOM help worldwide?": a count asked of a topic the publications describe, with a
            # word no rule reads that may be what is counted: asked back, never the description in its place;
            # so is a word of content beside it ("what was IOM paid to run the programme?")
            return Request("clarify", topic="word", unread=tuple(w.text for w in content or strangers))
        return Request("info", topic=p.info[0])
    if p.info and "what_is" in p.kws and not periods:
        # "what does IOM mean?": "mean" asks for a meaning here, not an average.
        return Request("info", topic=p.info[0])
    if "what_is" in p.kws and p.orgs and not (periods or asks or blocking):
        # ("who is Fedasil's director?": a word no rule reads is what is asked of it, asked back below)
        return Request("info", topic=p.orgs[0])
    # Nothing else understood, the question is unknown.
    if strangers and not (has_data or periods) or blocking and not (has_data or p.kws & INTENT_KEYWORDS):
        # (its period is kept: "more or fewer than in March 2019?" after "and in March 2020 in
        # particular?" must not compare with the question before it)
        return Request("unknown", unread=blocking or tuple(w.text for w in strangers), periods=periods)
    if blocking:
        return Request("clarify", topic="word", unread=blocking)
    # "which year ranks fourth?" after a country list ranks years: a grain named is a question of its own
    last_pick = inner(previous.program, Pick) if previous is not None and previous.program is not None else None
    if last_pick is not None and len(p.ordinals) == 2 and p.kws & registry.COMPARE \
            and not (periods or p.countries or p.categories or p.orgs):
        # "how many more did the first have than the third?" after places of a list: those two places of it
        first, second = (replace(last_pick, k=k, n=1) for k in p.ordinals)
        return Request("figures", Compare(first, second))
    next_place = _next_place(ents, previous)
    if next_place is not None:
        return next_place
    placed = p.ordinals or _place_by_number(p, ents, previous)
    if previous is not None and placed and not (periods or p.countries or p.categories or p.orgs) \
            and registry.grain_of(p) is None:
        follow = _ordinal_followup(previous, placed[0])
        if follow is not None:
            return follow
    quoting = "quoted" in p.kws and bool(p.nums) and previous is not None
    # "the total of those three years?" points at the answers before
    pointing = p.counted is not None and previous is not None
    # "and without Brazil?" after a count: the count talked about, less what is left out
    leaves_out = bool(p.except_countries) and previous is not None and previous.act == "figures"
    if not (has_data or periods or asks or p.implicit or quoting or pointing or leaves_out):
        if p.social:
            return Request(p.social[-1] if "help" in p.social else p.social[0])
        return Request("unknown")

    q = registry.choose(p, periods)
    if q.act == "clarify":
        return q
    intent = _intent(q)
    if p.ratio and isinstance(q.program, Compare):
        order, n = p.ratio
        q = replace(q, program=replace(q.program, times=True) if order == ASKED
                    else Check(q.program, p.claim or "approx", n, ratio=order))
    negation = Request("clarify", topic="negation", unread=tuple(e.text for e in ents if e.type == "neg"))
    if p.regions:
        if intent != "top" or len(p.regions) > 1 or q.program is None:
            # "how many returned to Africa?": the publications count countries, and only rank a region's
            return Request("info", topic="region", periods=periods)
        # "which EU member state received the most": the places of the list among that region's countries
        q = replace(q, program=_ranked_among(q.program, p.regions[0]))
    assert q.program is not None  # a signature makes figures, with a program, or a clarify (returned above)
    leaves = selects(q.program)
    left_out: dict[str, list[Period] | list[str]] = {"extreme": p.exclude, "top": p.except_countries}
    ranked = left_out.get(intent)
    if ranked and not (p.exclude and p.except_countries):
        # "which month had the fewest, April not counted", "apart from Brazil, which country
        # came first": the ranking without those members
        without = _ranked_without(q.program, tuple(ranked))
        if intent == "top" and p.ordinals and len(ranked) == p.ordinals[0] - 1:
            # "Not Brazil, not Ukraine: which country came third?": as many left out as places ahead may name
            # the places ahead (the list's third) or be left out of it (the third of the rest): both, each said
            return replace(q, program=Each((q.program, without)))
        return replace(q, program=without)
    if p.except_countries:
        if intent != "count" or len(periods) > 1 or p.exclude:
            return negation
        whole = leaves[0]
        q = replace(q, program=Less(whole, tuple(replace(whole, country=c) for c in p.except_countries)))
    minus = any((e.type, e.value) == ("neg", "minus") for e in ents)
    if minus and intent == "count" and len(periods) == 1 and len(p.exclude) == 1 \
            and p.exclude[0].kind == periods[0].kind and not _overlap(p.exclude[0], periods[0]):
        # "Dec 2020 minus Dec 2019": a period less another it does not hold is their difference
        return replace(q, program=Compare(leaves[0], replace(leaves[0], period=p.exclude[0])))
    if p.exclude:
        if intent != "count" or len(periods) != 1 or any(
                x.start <= periods[0].start and periods[0].end <= x.end for x in p.exclude):
            # Only a count of one period can leave another out, and only a part of it ("2007 except 2007").
            return negation
        whole = leaves[0]
        q = replace(q, program=Less(whole, tuple(replace(whole, period=x) for x in p.exclude)))
    # "the place of Syria in the top 5": the number is the list's, which the answer names
    if intent != "clarify" and _stray_numbers(p, q.program):
        # A number we cannot place ("in the 90s", "3000 min 2952") may change the question.
        return Request("unknown")
    if intent == "count" and not (has_data or periods or p.implicit or "how_many" in p.kws or previous):
        # A lone keyword ("%", "versus") is no question about the figures.
        return Request("unknown")
    if p.implicit and q.program is not None:
        # "the latest figures": the engine's choice of period, asked for
        q = replace(q, program=map_selects(q.program, lambda s: replace(s, filled=True)
                                           if s.period is None or s.period.open else s))
    unused = _unused(p, q.program, ents)
    if unused:
        # A country, category, organisation or measure the program leaves out would make its
        # figure another question's: the data does not cross them that way.
        return Request("clarify", topic="cross", unread=unused)
    compared = _unchecked(q.program)
    # two countries in one year are two sides already
    lone_compare = _between_selections(compared) and len(periods) == 1 \
        and _select(compared.a).org == _select(compared.b).org \
        and _select(compared.a).country == _select(compared.b).country \
        and _select(compared.a).category == _select(compared.b).category
    # ("et sur toute l'année 2025 ?" after the Syrians of 2025 opens with "and": still a follow-up)
    if previous is not None and _mergeable(previous) and (_periods(previous)[:1] != periods[:1] or p.followup):
        # An operator asked without a period applies to the previous question's ("which month
        # was the highest?" after 2019 stays in 2019).
        # "so how many more in 2025 than in 2024?" after the Syrians of each: a comparison that names
        # nothing to count keeps the country talked about
        of_country = _between_selections(compared) and not has_data and len(set(_countries_of(previous))) == 1
        # (two changes compared, and a place claimed for a period named, are whole questions; so is a ranking of
        # another grain: "the two best years together" after the busiest month of 2020)
        grouped_by = _grouped_by(previous.program)
        other_grain = grouped_by is not None and registry.grain_of(p) not in (None, grouped_by)
        # (and so is the change of a country named anew: "how did the number of Brazilians change in 2021?" after
        # a list of 2025 is Brazil's 2021 against 2020, not 2025 against 2021)
        named_anew = lone_compare and bool(p.countries) and set(p.countries) != set(_countries_of(previous))
        whole_question = bool(p.changes) or isinstance(q.program, Check) and q.program.member is not None and periods \
            or other_grain or named_anew
        # "how many in the whole of 2025?" after DVZ's returns of two periods: a count that names only its
        # period keeps what was counted ("how many returns in 2025?" names the measure anew: everyone's)
        period_only = asks and not (p.measure or has_data or p.kws - {"how_many"}) and previous.program is not None \
            and any(s.org != "total" or s.country or s.category for s in selects(previous.program))
        if not whole_question and (lone_compare or of_country or p.followup or period_only
                                   or not (p.measure or asks or p.categories) or not periods):
            return merge(previous, q, p, negation)
    if lone_compare and not periods[0].anchor and periods[0].single_year:
        # "did returns go up in 2024?", "did they double in 2021?": against the same period a year earlier.
        period = periods[0]
        assert isinstance(compared, Compare)  # lone_compare says so
        earlier = replace(compared, b=replace(_select(compared.b), period=period.with_year(period.first_year - 1)))
        return replace(q, program=replace(q.program, of=earlier) if isinstance(q.program, Check) else earlier)
    return q


def _unused(p: Parsed, program: Node | None, ents: list[Entity]) -> tuple[str, ...]:
    """The words of the dimensions a question names that its program does not use (the
    organisations are the engine's to say: a country has no split, a negated one is the other)."""
    if program is None:
        return ()
    leaves = selects(program)
    tree = nodes(program)
    listed = {m for node in tree if isinstance(node, (Without, Less)) for m in
              (node.members if isinstance(node, Without) else [x.country or x.category for x in node.parts])}
    used: set[tuple[str, str | None]] = {("country", s.country) for s in leaves if s.country} \
        | {("category", s.category) for s in leaves if s.category}
    listed |= {node.after for node in tree if isinstance(node, Pick) and node.after is not None}  # "behind Brazil"
    if p.kws & {"behind", "ahead"} and any(isinstance(node, Pick) for node in tree):
        listed |= set(p.countries)  # "second, after Romania": the place is asked, the country says what came before
    used |= {("measure", s.measure) for s in leaves} | {(kind, m) for m in listed for kind in ("country", "category")}
    grouped = {g.by for g in tree if isinstance(g, Group)}
    used |= {("category", c) for c in CATEGORIES if "category" in grouped} | {("category", "all")}
    ents = [e for i, e in enumerate(ents) if i not in p.time.used]  # "premiers" of "les 3 premiers mois" is time's
    asked = [e for e in ents if e.type in ("country", "category", "measure") and e.value != "returns"]
    words = [e.text for e in asked if (e.type, e.value) not in used]
    cut = any(s.country or s.category for s in leaves)
    kws = [(e, _kws(e)) for e in ents if e.type == "kw"]
    if cut and not grouped & {"month", "quarter"}:
        # "in which month most Brazilians": countries and categories are given per year only
        words += [e.text for e, k in kws if k & {"month_word", "quarter_word", "per_month", "per_quarter"}]
        words += [e.text for e in ents if e.type == "grain" and e.value in ("month", "quarter")]
    if not any(isinstance(n, Count) for n in tree):
        # "in how many months ... than in the same month of 2019": a count of periods the program does not make
        words += [e.text for e, k in kws if "how_many_units" in k]
    if not any(isinstance(n, (Pick, Compare, Where, Check)) for n in tree) and intent_of(program) != "country":
        # "which destination did most rejected applicants go to": a ranking the program does not make
        words += [e.text for e, k in kws if k & {"max", "min", "top"} and "majority" not in k]
    return tuple(dict.fromkeys(words))


# The most answers a word pointing back may count ("those twelve months"); "that 3,000 returned" quotes a figure.
MAX_POINTED = 12


def _changes(periods: list[Period], reading: when.Reading, kws: set[str]) -> tuple[tuple[Period, Period], ...]:
    """"By how much did the 2023-to-2024 increase differ from the 2022-to-2023 one?": two
    intervals, each a change from its first edge to its last, when a word of change is said."""
    edges = [e for x in periods if (e := reading.edges.get(x)) is not None]
    return tuple(edges) if "change" in kws and len(periods) == len(edges) == 2 else ()


# Whether a period is one unit of the grain a word of grouping names ("per month", "yearly").
ONE_UNIT: dict[str, Callable[[Period], bool]] = {
    "per_month": lambda p: p.single_month,
    "per_quarter": lambda p: len(p.months()) == 3 and p.start[1] % 3 == 1,
    "per_year": lambda p: p.whole_years and p.single_year,
}


# The grain a "which ..." asks for, as the grouping that lists one of them at a time.
UNIT_WORDS = {"month_word": "per_month", "quarter_word": "per_quarter", "year_word": "per_year"}


def _operations_not_made(program: Node, ents: list[Entity], follow_up: bool) -> list[str]:
    """Words asking for an operation the program (merged with the last one's, for a
    follow-up) does not make: never passed over."""
    kws = [(e, _kws(e)) for e in ents if e.type == "kw"]
    tree = nodes(program)
    made = {type(n) for n in tree}
    words = []
    if not made & {Pick, Check, Compare} and not follow_up and intent_of(program) != "country":
        # (a country's answer gives its place: "Moldova, which came second, how many?")
        # "how many in 2021, the second?": a place the program does not pick ("et au deuxième ?" after a
        # quarter is the next one)
        words += [e.text for e in ents if e.type == "ordinal"]
    several = any(isinstance(n, Each) and len(n.parts) > 1 or isinstance(n, Pick) and n.n != 1 for n in tree)
    if several and Total not in made:
        # "add up Brazil and Moldova": a sum of several figures the program does not make
        words += [e.text for e, k in kws if "sum" in k]
    if not made & {Share, Compare, Check} and intent_of(program) in ("count", "series", "extreme"):
        # "what percentage went back in 2020": a share of nothing the program names
        words += [e.text for e, k in kws if "share" in k]
    if not made & {Compare, Pick, Group, Where, Less, Each} and intent_of(program) == "count":
        # "by what percentage did returns change according to '4,585 ... in 2013'?": a change the program does
        # not compute
        words += [e.text for e, k in kws if "compare" in k]
    if not made & {Pick, Group, Where} and any("change" in k for _, k in kws):
        # "quelles années ... ont connu une hausse ?": the members with a change, which the program neither lists
        # nor picks ("which year had more, 2019 or 2020?" gives both, which answers it)
        words += [e.text for e, k in kws if "which_units" in k]
    if Compare in made and not made & {Pick, Group, Where}:
        # "in welke maanden van 2020 lag het aantal hoger dan in dezelfde maand van 2019?": the months with a
        # difference, where the program compares two years ("which year had more, 2019 or 2020?" compares
        # the years asked about)
        compared = periods_of(program)
        words += [e.text for e, k in kws if "which_units" in k for unit in k & UNIT_WORDS.keys()
                  if not all(ONE_UNIT[UNIT_WORDS[unit]](x) for x in compared)]
    superlatives = [e.text for e, k in kws if k & {"max", "min"}]
    if superlatives and not made & {Pick, Check}:
        spans = [x for x in periods_of(program) if not (x.single_year or x.single_month)]
        if Where in made or Compare in made and spans:
            # "welke maand van 2020 waarin de DVZ niemand liet terugkeren had het hoogste totaal?": the highest
            # of what a filter keeps; "welk jaar sinds 2007 was, na 2012, het drukste?": a superlative the
            # comparison of two spans does not make
            words += superlatives
    if Mean not in made and intent_of(program) != "average":
        # "the average of the top five": an average the program does not make
        words += [e.text for e, k in kws if "average" in k]
    if any(k & ONE_UNIT.keys() for _, k in kws) and Mean not in made \
            and not any(isinstance(n, Group) and n.by not in ("country", "category") for n in tree):
        # "returns by nationality for each month of 2020": a grouping in time the program does not make,
        # unless it selects units of that grain one by one ("the yearly totals: 2007 against 2020")
        periods = periods_of(program)
        words += [e.text for e, k in kws for unit, one in ONE_UNIT.items()
                  if unit in k and not (periods and all(one(period) for period in periods))]
    return words


def _month_not_found(program: Node, p: Parsed, ents: list[Entity]) -> list[str]:
    """"In the month of 2020 with 12 returns through DVZ, what was the total?": a month asked for
    that the program neither ranks, filters, groups by nor names (it checks the year's figure) is
    described by what no rule reads; the words for it are not passed over."""
    tree = nodes(program)
    if "month_word" not in p.kws or not any(isinstance(n, Check) for n in tree) \
            or any(isinstance(n, (Group, Pick, Where)) for n in tree) \
            or not any(x.whole_years for x in periods_of(program)):
        return []
    return [e.text for e in ents if _kw(e, "month_word") or (e.type, e.value) == ("grain", "month")]


def _ranked_without(node: Node, members: tuple[Any, ...]) -> Node:
    """A ranking (a pick, checked or not, one per period) over its list less some members."""
    if isinstance(node, Each):
        return replace(node, parts=tuple(_ranked_without(part, members) for part in node.parts))
    if isinstance(node, (Check, Total)):
        return replace(node, of=_ranked_without(node.of, members))
    if isinstance(node, Pick):
        return replace(node, of=Without(node.of, members))
    return node


def _ranked_among(node: Node, region: str) -> Node:
    """A ranking (a pick, checked or not, one per period) over its list's countries of a region."""
    if isinstance(node, Each):
        return replace(node, parts=tuple(_ranked_among(part, region) for part in node.parts))
    if isinstance(node, (Check, Total)):
        return replace(node, of=_ranked_among(node.of, region))
    if isinstance(node, Pick):
        return replace(node, among=region)
    return node


def _one_figure(node: Node | None) -> Node | None:
    """A question's selection when it asks one figure: "the monthly figure for January 2025"
    is a series of one month, that month's figure; "the total for 2014" is 2014's figure."""
    node = _unchecked(node)
    if isinstance(node, Total) and isinstance(node.of, Select):
        return node.of
    if isinstance(node, Group) and node.by == "month" and node.of.period is not None and node.of.period.single_month:
        return node.of
    return node


def _category_siblings(earlier: Request, last: Request) -> bool:
    """Two questions that each asked one category of the same returnees."""
    before, after = _unchecked(earlier.program), _unchecked(last.program)
    return isinstance(before, Select) and isinstance(after, Select) and None not in (before.category, after.category) \
        and before.category != after.category and replace(before, category=after.category) == after


def sibling_selections(earlier: Request, last: Request) -> bool:
    """Two questions that each asked one figure, differing only in their period or country."""
    before, after = _one_figure(earlier.program), _one_figure(last.program)
    if not (isinstance(before, Select) and isinstance(after, Select)) or before.category is not None:
        return False
    before, after = replace(before, filled=False), replace(after, filled=False)
    return before != after and replace(before, period=after.period, country=after.country) == after


def _last_two(q: Request, p: Parsed, previous: Request, earlier: Request, run: tuple[Request, ...]) -> Request:
    """"the difference?" after "2019" and "and in 2020?", "combined?" after Brazil and "and
    Mongolia?": the last two questions, when each asked one figure and they differ only in
    their period or their country, compared or summed. After three or more such questions,
    "together?" does not say which: asked back, unless it counts them ("those three")."""
    if _category_siblings(earlier, previous) and "sum" in p.kws and _bare(p):
        # "rejected applicants in 2020 / and applicants? / the sum of both?": the two categories together
        return Request("figures", Total(Each(tuple(cast(Select, _unchecked(r.program)) for r in (earlier, previous)))))
    picks = [_unchecked(r.program) for r in (earlier, previous)]
    if "sum" in p.kws and _bare(p) and all(isinstance(x, Pick) and x.n == 1 for x in picks):
        # "additionne-moi les deux" after the second and the fourth place: two places of a list are not summed
        # in one step (never the last place alone)
        return Request("clarify", topic="which_together")
    if not sibling_selections(earlier, previous):
        return q
    before, last = (_asked(r) for r in (earlier, previous))
    lone = isinstance(q.program, Compare) and _lone(q.program)
    # ("quelle évolution entre les deux ?": the change between the two asked)
    evolution = _bare(p) and p.of_those and "trend" in p.kws
    if lone or evolution or _bare(p) and "share" in p.kws and before.period != last.period:
        # "the difference?", and "en procent?" after two periods: the change between them, in percent too;
        # "how many times more?": their ratio too
        return Request("figures", Compare(before, last, times=bool(p.ratio and p.ratio[0] == ASKED)))
    if len(run) > 2 and p.counted == len(run) and _bare(p):
        # "tel die drie eens op", "the total of those three years" after three one-figure questions: all three;
        # "which of those three was the largest?": the three side by side
        leaves = [_asked(r) for r in run]
        asked = Each(tuple(leaves))
        years = tuple(s.period for s in leaves if s.period is not None)
        if p.kws & registry.EXTREMES and len({s.org for s in leaves}) == 1 and len(years) == len(leaves) \
                and not any(s.country or s.category for s in leaves) and registry.several_years_named(p, years):
            # "which of those three years was the highest?" after three years: the most of them
            return registry.extreme_among(replace(p, orgs=[leaves[0].org] if leaves[0].org in ORGS else []), years)
        if p.kws & (registry.EXTREMES | registry.COMPARE):
            return Request("figures", asked)
        if not p.kws & (registry.KEYWORDS - {"sum", "average"}):
            return Request("figures", Mean(asked) if "average" in p.kws else Total(asked))
    grain = registry.grain_of(p)
    if _bare(p) and "average" in p.kws and len(run) == 2 \
            and (grain is None or all(ONE_UNIT[f"per_{grain}"](x.period) for x in (before, last) if x.period)):
        # "the average of those two years?" ("ça fait combien par mois en moyenne ?" after two years asks the
        # last one's months)
        return Request("figures", Mean(Each((before, last))))
    # ("welk percentage van het totaal van 2020 zijn die twee samen?": the period both asked, said again)
    restated = _bare(p) or before.period == last.period and not (p.countries or p.categories or p.orgs) \
        and all(x == before.period for x in p.periods)
    if "sum" in p.kws and restated:
        if len(run) > 2:
            return Request("clarify", topic="which_together")
        return Request("figures", Total(Each((before, last))))
    return q


def _asked(request: Request) -> Select:
    """The one figure a question of a run asked, as the user named it (no period filled in)."""
    return replace(cast(Select, _one_figure(request.program)), filled=False)


def _countries_of(request: Request | None) -> tuple[str, ...]:
    """The countries a question selected, in its order ("why?" after Brazil, "them" after the Colombians)."""
    if request is None or request.program is None:
        return ()
    return tuple(s.country for s in selects(request.program) if s.country)


def _grouped_by(program: Node | None) -> str | None:
    """What the list a program ranks or gives is of ("country", "month"...), if it is one."""
    group = inner(program, Group) if program is not None else None
    return group.by if group is not None else None


def _place_by_number(p: Parsed, ents: list[Entity], previous: Request | None) -> list[int]:
    """"en op vier?", "and number 4?" after a ranking of countries: a place said by its number alone."""
    ranked = previous is not None and _grouped_by(previous.program) == "country"
    # ("en op drie, met hoeveel mensen?": with its count)
    if not ranked or len(p.nums) != 1 or p.kws - {"how_many", "compare"} \
            or not all(e.type in ("conj", "num", "kw") for e in ents):
        return []
    return [int(p.nums[0].value)]


def _bare(p: Parsed) -> bool:
    """A follow-up that names nothing to select ("samen?", "en procent?"; "en hoeveel procent kreeg
    dat jaar re-integratiesteun?" names a measure and one year)."""
    return not (p.periods or p.countries or p.categories or p.orgs or p.measures or p.year_back)


def _unchecked(node: Node | None) -> Node | None:
    return node.of if isinstance(node, Check) else node


def _next_place(ents: list[Entity], previous: Request | None) -> Request | None:
    """"And the one after it?", "and the one before that?" after one place of a list: the place
    next to it, not the year after."""
    pick = inner(previous.program, Pick) if previous is not None and previous.program is not None else None
    shifts = [e.value for e in ents if e.type == "shift"]
    if previous is None or pick is None or pick.n != 1 or len(shifts) != 1 or _intent(previous) != "top" \
            or not all(e.type in ("conj", "shift", "anaphor") for e in ents) or pick.k + shifts[0] < 1:
        return None
    return _ordinal_followup(previous, pick.k + shifts[0])


def _ordinal_followup(previous: Request, place: int) -> Request | None:
    """"et le 4e ?" after a top list: the fourth place; "en het tweede?" after a quarter
    or half: that quarter or half of the same year."""
    program = previous.program
    if program is None:
        return None
    if _intent(previous) == "top":
        # a top list's program is a pick, or one per period, maybe summed ("the top 3 together"):
        # "and the 4th?" is that place alone
        found = [inner(part, Pick) for part in (program.parts if isinstance(program, Each) else (program,))]
        picks = [replace(pick, k=place, n=1) for pick in found if pick is not None]
        if not picks:
            return None
        return Request("figures", _filled(picks[0] if len(picks) == 1 else Each(tuple(picks))))
    pick = inner(program, Pick)
    if _intent(previous) == "extreme" and pick is not None and pick.n == 1 \
            and place <= UNITS_IN_A_YEAR.get(str(_grouped_by(program)), place):
        # "en welke kwam op de tweede plaats?" after the busiest month: the second of the same months
        return replace(previous, program=_replace_node(program, pick, replace(pick, k=place)), ignored=(), unread=())
    # ("and on the 17th?" after the quietest month of 2020: a day of the month it picked)
    periods = previous.picked if len(previous.picked) == 1 else _periods(previous)
    first = periods[0] if periods else None
    if first is not None and not first.anchor and first.kind in ("quarter", "half"):
        make, most = (Period.quarter, 4) if first.kind == "quarter" else (Period.half, 2)
        if place <= most:
            return replace(previous, program=reselect(program, (make(first.first_year, place),)), ignored=())
    if first is not None and not first.anchor and first.single_month and place <= DAYS_IN_A_MONTH:
        # "and on the 17th?" after March 2020: a day of that month, which the figures do not have
        return Request("clarify", topic="finer", periods=(first,), unread=("day",))
    return None


def _filled(node: Node) -> Node:
    """A program whose periods are now the user's, not the engine's choice."""
    return map_selects(node, lambda s: replace(s, filled=False))


def _mergeable(previous: Request) -> bool:
    return previous.act == "figures"


def _template(node: Node) -> tuple[Node, Node]:
    """A program's repeated part (the program asked of each period or country) and the
    wrapping around its repetition: Check(Total(Each(part, part...)))."""
    part = node
    while isinstance(part, (Check, Total, Each)):
        part = part.parts[0] if isinstance(part, Each) else part.of
    return part, node


def reselect(node: Node, periods: tuple[Period, ...] | None = None, org: str | None = None,
             countries: tuple[str, ...] | None = None, categories: tuple[str, ...] | None = None,
             keep_check: bool = False) -> Node:
    """The same operators over another selection: one part per country, period and
    category (each left as it was when not given)."""
    part, whole = _template(node)
    if isinstance(part, Less):
        # "2025 except March", then "and via DVZ?": the same parts left out of the new whole.
        def edit(s: Select, per: Period | None = None) -> Select:
            return replace(s, period=per or s.period, org=org if org is not None else s.org, filled=False)

        period = (periods or (None,))[0]
        # (a country left out is counted over the whole's period: "2020, then without Brazil?")
        return replace(part, whole=edit(part.whole, period),
                       parts=tuple(edit(x, period if x.period == part.whole.period else None) for x in part.parts))
    first = selects(part)[0]
    combos = [(c, per, cat) for c in (countries or (first.country,)) for per in (periods or (first.period,))
              for cat in (categories or (first.category,))]

    def select(s: Select, c: str | None, per: Period | None, cat: str | None) -> Select:
        return replace(s, period=per, country=c, category=cat, org=org if org is not None else s.org, filled=False)

    parts = [map_selects(part, partial(select, c=c, per=per, cat=cat)) for c, per, cat in combos]
    out: Node = parts[0] if len(parts) == 1 else Each(tuple(parts))
    if isinstance(whole, Total) or (isinstance(whole, Check) and isinstance(whole.of, Total)):
        out = Total(out)
    if keep_check and isinstance(whole, Check):
        out = replace(whole, of=out)
    return out


def _selection(node: Node) -> tuple[tuple[Period, ...], str, tuple[str, ...], tuple[str, ...]]:
    part, _ = _template(node)
    leaves = [part.whole] if isinstance(part, Less) else selects(node)
    return (tuple(dict.fromkeys(s.period for s in leaves if s.period is not None)),
            leaves[0].org if leaves else "total",
            tuple(dict.fromkeys(s.country for s in leaves if s.country is not None)),
            tuple(dict.fromkeys(s.category for s in leaves if s.category is not None)))


def merge(previous: Request, new: Request, p: Parsed, negation: Request | None = None) -> Request:
    """A follow-up keeps everything of the previous question it does not say anew: a new
    selection edits the previous program; a new operator takes the previous selection."""
    assert previous.program is not None and new.program is not None  # both ask for figures
    prev_periods, prev_org, prev_countries, prev_categories = _selection(previous.program)
    periods, org, countries, categories = _selection(new.program)
    new_intent, prev_intent = _intent(new), _intent(previous)
    if "overall" in p.kws and periods and not isinstance(_unchecked(new.program), Compare):
        # "and the overall total in 2019?" after a ranking: everyone's count of that period, nothing kept
        return new
    if "sum" in p.kws and "overall" not in p.kws and not (periods or countries or categories) \
            and isinstance(previous.program, (Pick, Each)):
        # "how many is that together?" after a list: its sum ("the sum of both?" after two monthly series:
        # of their periods' totals)
        listed = previous.program if isinstance(previous.program, Pick) else \
            Each(tuple(part.of if isinstance(part, Group) else part for part in previous.program.parts))
        return replace(previous, program=Total(listed), unread=(), ignored=new.ignored)
    shared = previous.program
    if "share" in p.kws and not (periods or countries or categories or p.orgs) and isinstance(shared, Select) \
            and (shared.org in ORGS or shared.country is not None):
        # "and what share is that?" after a count through Fedasil, or of a country: of the total
        return Request("figures", Share(shared, Select(shared.period, shared.org if shared.country else "total")))
    if _between_selections(compared := _unchecked(new.program)):
        # ("ça fait combien de plus en 2025 ?" after reintegration support in 2025 and 2021: of that measure)
        measures = {s.measure for s in selects(previous.program)}
        return _merge_compare(new, compared, periods, prev_periods, prev_org if not p.orgs else None,
                              prev_countries[0] if len(prev_countries) == 1 and not p.countries else None,
                              measures.pop() if len(measures) == 1 and not p.measures else _select(compared.a).measure)
    if periods and prev_periods:
        prev = prev_periods[0]
        if prev_intent == "compare" and new_intent == "count" and len(periods) == 1 and len(prev_periods) > 1:
            # "and 2021?" after "compare 2019 and 2020": 2021 against the later of the two.
            periods = (periods[0], max(prev_periods))
        elif all(x.whole_years and x.single_year for x in periods) and not prev.whole_years and not p.whole \
                and "sum" not in p.kws and not (countries or prev_countries):
            # "and 2019?" after "March 2020": the same months in 2019 ("and in total in 2019?": the year;
            # a country's figures are a year's list)
            periods = tuple(prev.with_year(x.first_year) for x in periods)
        elif all(x.open for x in periods) and not prev.open:
            periods = tuple(x.with_year(prev.first_year) for x in periods)
    elif not periods and p.of_those and previous.picked and (countries or categories):
        # "welke maand was het hoogst? / en hoeveel daarvan waren Brazilianen?": of the month picked
        periods = previous.picked
    elif not periods and p.year_back and previous.picked and all(x.whole_years for x in previous.picked):
        # "which year was the lowest? / and how many went to Brazil that year?": the year picked
        periods = previous.picked
    elif not periods:
        periods = tuple(Period.years(x.first_year, x.last_year) for x in prev_periods) if p.year_back \
            else prev_periods
        if new_intent == "extreme" and registry.grain_of(p) == "year" and all(x.single_year for x in periods):
            # "en wat was het recordjaar?" after 2018's count: among all the years, not within 2018
            periods = ()
        elif new_intent in ("extreme", "top") and registry.grain_of(p) == "month" \
                and all(x.single_month for x in periods):
            # "and the quietest month?" after February 2025's count: among the months of its year
            periods = tuple(Period.year(x.first_year) for x in periods)
    if not p.orgs and not p.year_back and not ("sum" in p.kws and periods) and "overall" not in p.kws:
        # "how many of them were Brazilians?" after "through Fedasil": still through Fedasil,
        # which the country lists do not split (the engine says so), never all returnees;
        # "that year" keeps the year only, and "in total in 2023" asks everyone's
        org = prev_org
    if not p.year_back:
        # ("cette année-là" keeps the year only: the reintegration support of that year, not of Syria)
        countries = countries or prev_countries
        categories = categories or prev_categories
    if isinstance(new.program, Check) and not isinstance(_unchecked(previous.program), Compare):
        # "and were there fewer than 1,500 in 2020?": a claim is about the count, not the previous operator
        template = new.program.of
    elif new_intent == "count" and _bare(p) and (not p.measure or p.place_back) \
            and isinstance(previous.program, Pick) and previous.program.n == 1:
        # "and the third? / how many people?", "combien y sont retournées ?": the place picked, whose answer
        # gives its count ("how many returns?" names the measure anew: the period's count, below)
        return replace(previous, how_many=True, unread=(), ignored=new.ignored)
    elif new_intent == "count" and (p.measure or "how_many" in p.kws) and not p.followup \
            and not isinstance(_unchecked(previous.program), (Select, Each, Total, Compare, Less)):
        # "how many returns?" after a ranking or an average asks for the count, of the same period
        # ("how many were that?" points back at what was picked)
        template = new.program
    elif new_intent == "count" and p.place_back and previous.places and periods != prev_periods:
        # "how many went there in July?" after the top destination of 2025: that country in the period said
        template, countries = new.program, previous.places
    elif new_intent == "count" and periods and all(x.single_month for x in periods) \
            and isinstance(_unchecked(previous.program), Pick) and registry.grain_of(p) is None \
            and not (_grouped_by(previous.program) == "country"
                     and (p.of_those or not (p.measure or "how_many" in p.kws))):
        # "and (how many in) that same month of 2019?" after the quietest month: a month's count, no pick
        # (after a list of countries, "and in March?" and "how many of those in March?" ask for the list then)
        template = new.program
    elif new_intent == "count" and periods and all(x.whole_years and x.single_year for x in periods) \
            and isinstance(_unchecked(previous.program), Pick) and registry.grain_of(p) in (None, "year") \
            and _grouped_by(previous.program) == "year":
        # "and the year before?" after the quietest year: that year's count, no pick among its one year
        template = new.program
    elif isinstance(new.program, Less) and isinstance(previous.program, Select):
        # "and how many of those did not go to Brazil?" after 2020's count: that count, less Brazil
        template = new.program
    elif isinstance(new.program, Less):
        left_out = tuple(x.country for x in new.program.parts if x.country is not None)
        if not left_out or _grouped_by(previous.program) != "country" \
                or inner(previous.program, Pick) is None:
            # what the previous answer cannot leave out is asked back, never dropped
            return negation or Request("clarify", topic="negation")
        # "And if you leave out Brazil?" after the top three: the ranking without it
        return replace(previous, program=_ranked_without(previous.program, left_out), unread=(),
                       ignored=new.ignored)
    elif new_intent == "count":
        template = previous.program
        compared = _unchecked(template)
        if _between_selections(compared) and len(periods) == 1 and _select(compared.a).period is not None \
                and _select(compared.a).period == _select(compared.b).period:
            # "same for the first nine months of 2025?" after Fedasil against DVZ in 2020: both sides in that period
            return replace(previous, program=map_selects(template, lambda s: replace(s, period=periods[0])),
                           ignored=new.ignored, unread=())
        if isinstance(compared, Compare):
            # "and 2013?" after "2012 against 2020" (checked or not): 2013 against 2020, the claim kept
            sides = Compare(Select(periods[0], org), Select(periods[1] if len(periods) > 1 else prev_periods[-1], org))
            return Request("figures", replace(template, of=sides) if isinstance(template, Check) else sides)
    else:
        template = _inherit(new.program, previous.program)
    program = reselect(template, periods, org, countries, categories)
    if isinstance(new.program, Check) and not isinstance(program, Check):
        program = replace(new.program, of=program)  # "and is it more than 3,000?": the new claim, checked
    # "et en pourcentage ?" after "combien de déboutés": the share is asked now, not a count
    return replace(new, program=program, reading=None) if new_intent != "count" else \
        replace(previous, program=program, ignored=new.ignored, unread=(),
                how_many=previous.how_many and "share" not in p.kws)


def _merge_compare(new: Request, node: Compare, periods: tuple[Period, ...], prev_periods: tuple[Period, ...],
                   prev_org: str | None, country: str | None = None, measure: str = "returns") -> Request:
    """A comparison that takes what it lacks from the previous question: the other side
    ("compare with 2019" after January 2020: January 2019), or the period (of two
    organisations, or of two periods named again), and its country ("how many more in
    2025?" after the Syrians of 2024)."""
    a, b = _select(node.a), _select(node.b)
    org = prev_org if prev_org in ORGS else a.org if prev_org is None else "total"
    if a.org != b.org:
        period = periods[0] if periods else prev_periods[0]
        program: Node = Compare(Select(period, a.org), Select(period, b.org))
    elif len(periods) == 1 and prev_periods:
        prev, other = prev_periods[0], periods[0]
        if other.whole_years and other.single_year and not prev.whole_years:
            other = prev.with_year(other.first_year)  # "compare with 2019" after January 2020: January 2019
        program = Compare(Select(prev, org, country=country, measure=measure),
                          Select(other, org, country=country, measure=measure))
    elif len(periods) >= 2:
        program = Compare(Select(periods[0], org, country=country, measure=measure),
                          Select(periods[1], org, country=country, measure=measure))
    else:
        program = node
    if isinstance(program, Compare):
        program = replace(program, times=node.times)  # "c'est combien de fois plus qu'en 2021 ?": the ratio too
    return replace(new, program=replace(new.program, of=program) if isinstance(new.program, Check) else program)


def _inherit(new: Node, previous: Node) -> Node:
    """A new operator keeps the previous question's grain and list length where it names none."""
    group, before = inner(new, Group), inner(previous, Group)
    if group is not None and group.by is None and before is not None and before.by is not None:
        new = _replace_group(new, replace(group, by=before.by))
    pick, old_pick = inner(new, Pick), inner(previous, Pick)
    if pick is not None and pick.n is None and old_pick is not None and old_pick.n is not None:
        new = _replace_node(new, pick, replace(pick, n=old_pick.n))
    return new


def _replace_group(node: Node, group: Group) -> Node:
    return _replace_node(node, inner(node, Group), group)


def _replace_node(node: Node, old: Node | None, new: Node) -> Node:
    if node is old:
        return new
    if isinstance(node, Select):
        return node
    if isinstance(node, Compare):
        return replace(node, a=_replace_node(node.a, old, new), b=_replace_node(node.b, old, new))
    if isinstance(node, Each):
        return replace(node, parts=tuple(_replace_node(x, old, new) for x in node.parts))
    if isinstance(node, Less):
        return node
    if isinstance(node, Share):
        return replace(node, part=_replace_node(node.part, old, new), whole=_replace_node(node.whole, old, new))
    if isinstance(node, Group):
        return replace(node, of=_select(_replace_node(node.of, old, new)))
    return replace(node, of=_replace_node(node.of, old, new))


def _between_selections(node: Node | None) -> TypeGuard[Compare]:
    """A comparison of two selections (not of two picks: "the busiest against the quietest month")."""
    return isinstance(node, Compare) and isinstance(node.a, Select) and isinstance(node.b, Select)


def _select(node: Node) -> Select:
    """A node known to be a selection: a side of a comparison (the signatures and `merge` make
    them so), a list's selection after an edit that replaces no selection."""
    assert isinstance(node, Select)
    return node
