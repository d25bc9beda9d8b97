"""Entities (+ the previous Query of the conversation) -> Query.

Each intent is chosen by the slots and keywords it needs (its signature), in a
fixed order of precedence; the follow-up merge is explicit in `merge`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .entities import Entity, day_exists
from .models import Period, Query

# Keywords that ask for something of their own; without any, a short question
# such as "and in April?" is a follow-up of the previous one.
INTENT_KEYWORDS = {"compare", "trend", "per_month", "per_quarter", "per_year", "max", "min", "average", "top", "countries", "share", "rank"}
DATA_SIGNALS = {"measure", "org", "country", "category"}
MAX_UNKNOWN_WITH_MEASURE = 0
MIN_UNREAD_LEN = 2
TOP_LIMIT = 1000
# At most this many periods or countries in one answer, so that it stays readable
# (and under Telegram's 4,096 characters).
MAX_LISTED = 12
# The start of "until 2020" before the engine replaces it with the data's first year.
UNTIL_START = (1, 1)
# Larger "figures" are not about 3,000 returnees; left unplaced, they make the question unknown.
MAX_QUOTED = 10**9


@dataclass
class Parsed:
    """What the entities say, grouped by slot."""

    kws: set
    periods: list
    orgs: list
    countries: list
    categories: list
    nums: list
    info: list
    oos: list
    social: list
    bad: list
    measure: bool
    asylum_people: bool
    implicit: bool
    followup: bool
    negative_n: bool


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _unit(e: Entity | None) -> str | None:
    """What a number before this entity counts in "the last 3 months", "les 5 dernières années"."""
    if e is None:
        return None
    if e.type == "kw" and e.value == "month_word":
        return "months"
    if (e.type == "kw" and e.value == "year_word") or (e.type == "rel" and e.value == "years_ago"):
        return "years"
    return None


# "the last 30 years" is a span; "the last 300 years" is not a question about these figures.
MAX_SPAN = {"months": 12, "years": 30}


def _month_spans(ents: list[Entity]) -> list[Entity]:
    """"the first three months", "de laatste 3 maanden", "les 3 premiers mois", "the past
    five years" become one entity; a day before a month ("12 maart") is dropped, as the
    data is monthly. Years are only counted back ("last"), never "the first 3 years"."""
    out: list[Entity] = []
    i = 0
    while i < len(ents):
        e = ents[i]
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        unit = _unit(nxt)
        if e.type == "num" and unit and 1 <= e.value <= MAX_SPAN[unit] and float(e.value).is_integer():
            around = [x for x in (out[-1] if out else None, ents[i + 2] if i + 2 < len(ents) else None) if x]
            firsts = [x for x in around if x.type == "ordinal" and x.value == 1 or x.type == "kw" and x.value == "top"]
            lasts = [x for x in around if x.type == "ordinal" and x.value == 4 or x.type == "rel" and x.value == "latest"]
            if bool(firsts) != bool(lasts) and (unit == "months" or lasts):
                markers = firsts + lasts
                if out and out[-1] in markers:
                    out.pop()
                out.append(Entity(f"span_{unit}", ("first" if firsts else "last", int(e.value)), e.start, nxt.end))
                i += 2
                if i < len(ents) and ents[i] in markers:
                    i += 1
                continue
        after = ents[i + 2] if i + 2 < len(ents) else None
        unit = _unit(after)
        if e.type == "num" and nxt and unit and (nxt.type, nxt.value) in (("kw", "top"), ("rel", "latest")) \
                and 1 <= e.value <= MAX_SPAN[unit] and float(e.value).is_integer() and (unit == "months" or nxt.type == "rel"):
            # French order: "les 3 premiers mois", "les 3 derniers mois", "les 5 dernières années".
            side = "first" if nxt.type == "kw" else "last"
            out.append(Entity(f"span_{unit}", (side, int(e.value)), e.start, after.end))
            i += 3
            continue
        if e.type == "num" and nxt and nxt.type == "month" and nxt.start == e.end and 1 <= e.value <= 31:
            year = after.value if after and after.type == "year" and after.start == nxt.end else None
            if not day_exists(int(e.value), nxt.value, year) or not float(e.value).is_integer():
                out.append(Entity("bad_date", f"{e.value} {nxt.value}", e.start, nxt.end))
                i += 1
            else:
                # The month takes the day's place, so that "au 30 septembre" still follows "au".
                out.append(replace(nxt, start=e.start))
                i += 2
            continue
        out.append(e)
        i += 1
    return out


def _atoms(ents: list[Entity], today: dt.date) -> list[tuple[int, int, Period, bool]]:
    """Period atoms in order: (start, end, period, year_given). Months without a year
    borrow the nearest year given after them (or before), else year 0 (= left out)."""
    atoms: list[tuple[int, int, Period, bool]] = []
    years_at = [(e.start, e.value) for e in ents if e.type == "year"]
    used_years: set[int] = set()

    def year_for(pos: int) -> int | None:
        after = [(s, y) for s, y in years_at if s > pos]
        before = [(s, y) for s, y in years_at if s < pos]
        pick = after[0] if after else before[-1] if before else None
        if pick:
            used_years.add(pick[0])
            return pick[1]
        return None

    def span_end(e: Entity) -> int:
        """The atom reaches over a year written right after it ("maart 2019 tot ...")."""
        year_next = next((s for s, _ in years_at if s == e.end), None)
        return e.end + 1 if year_next is not None and year_next in used_years else e.end

    i = 0
    while i < len(ents):
        e = ents[i]
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        if e.type == "ym":
            atoms.append((e.start, e.end, Period.month(*e.value), True))
        elif e.type == "month":
            y = year_for(e.start)
            atoms.append((e.start, span_end(e), Period.month(y or 0, e.value), y is not None))
        elif (e.type in ("quarter", "half") and e.value) or (e.type == "ordinal" and nxt and nxt.type in ("quarter", "half")):
            word = nxt if e.type == "ordinal" else e
            number = min(e.value, 2) if word.type == "half" else e.value
            if e.type == "ordinal":
                i += 1
            y = year_for(e.start)
            make = Period.quarter if word.type == "quarter" else Period.half
            atoms.append((e.start, span_end(word), make(y or 0, number), y is not None))
        elif e.type == "span_months":
            side, count = e.value
            y = year_for(e.start)
            if y is None and side == "last":
                # "the last three months": counted back from today.
                end = _month_shift(today.year, today.month, -1)
                atoms.append((e.start, e.end, Period(_month_shift(*end, 1 - count), end, "range"), True))
            else:
                months = (1, count) if side == "first" else (13 - count, 12)
                atoms.append((e.start, span_end(e), Period((y or 0, months[0]), (y or 0, months[1]), "range"),
                              y is not None))
        elif e.type == "span_years":
            # "the last 5 years": the five calendar years before this one.
            atoms.append((e.start, e.end, Period.years(today.year - e.value[1], today.year - 1), True))
        elif e.type == "decade":
            atoms.append((e.start, e.end, Period.years(e.value, e.value + 9), True))
        elif e.type == "rel":
            period = _relative(e.value, ents, i, today)
            if period:
                atoms.append((e.start, e.end, period, True))
        i += 1
    for e in ents:
        if e.type == "year" and e.start not in used_years:
            atoms.append((e.start, e.end, Period.year(e.value), True))
    return sorted(atoms, key=lambda a: a[0])


def _relative(kind: str, ents: list[Entity], i: int, today: dt.date) -> Period | None:
    if kind == "last_year":
        return Period.year(today.year - 1)
    if kind == "this_year":
        return Period.year(today.year)
    if kind == "year_before_last":
        return Period.year(today.year - 2)
    if kind == "last_month":
        return Period.month(*_month_shift(today.year, today.month, -1))
    if kind == "this_month":
        return Period.month(today.year, today.month)
    if kind == "years_ago":
        prev = ents[i - 1] if i > 0 else None
        if prev is not None and prev.type == "num" and float(prev.value).is_integer() and prev.value < 200:
            return Period.year(today.year - int(prev.value))
    return None


def _periods(ents: list[Entity], today: dt.date, comparing: bool = False) -> list[tuple[Period, bool]]:
    """Join atoms into ranges where a range word stands between or before them. When
    comparing, "between 2019 and 2020" and "2012 to 2013" stay two periods, unless there
    are two ranges to compare ("January to September 2020 vs January to September 2025")."""
    atoms = _atoms(ents, today)
    join_to = not comparing or len(atoms) >= 4
    atom_ends = {a[1] for a in atoms}
    markers = {e.start: e.value for e in ents if e.type == "range"}
    conj_at = {e.start for e in ents if e.type == "conj"}
    ends = {e.start: e.end for e in ents}
    out: list[tuple[Period, bool]] = []
    i = 0
    while i < len(atoms):
        start, end, period, given = atoms[i]
        before = [m for pos, m in markers.items() if ends.get(pos) == start]
        # "until" counts from the start only when no period stands right before it
        # ("van 2016 tot 2020" compared is 2016 against 2020, not 2007-2020).
        alone = [m for pos, m in markers.items() if ends.get(pos) == start and pos not in atom_ends]
        if i + 1 < len(atoms):
            n_start, n_end, n_period, n_given = atoms[i + 1]
            link = markers.get(end) if ends.get(end) == n_start and join_to else None
            between = not comparing and "between" in before and end in conj_at and ends.get(end) == n_start
            if link in ("to", "until") or between:
                first, last = _join(period, n_period)
                kind = "years" if first.whole_years and last.whole_years else "range"
                out.append((Period(first.start, last.end, kind), given or n_given))
                i += 2
                continue
        if "since" in before:
            # "since July" without a year: to the end of the year the engine will choose.
            end_year = max(today.year, period.last_year) if period.first_year else period.last_year
            out.append((Period(period.start, (end_year, 12), "since"), given))
        elif "until" in alone and not period.whole_years:
            # "up to June 2025": from the start of that year.
            out.append((Period((period.first_year, 1), period.end, "range"), given))
        elif "until" in alone and period.first_year:
            # "until 2020": from the first year the figures have (the engine knows it).
            out.append((Period(UNTIL_START, period.end, "until"), given))
        else:
            out.append((period, given))
        i += 1
    return out


def _join(first: Period, last: Period) -> tuple[Period, Period]:
    """The two ends of a range; an end without a year takes the other's ("from July
    2019 to February": February 2020), and ends given backwards are swapped."""
    if first.first_year == 0 and last.first_year:
        first = first.with_year(last.first_year)
        if first > last:
            first = first.with_year(last.first_year - 1)
    elif last.first_year == 0 and first.first_year:
        last = last.with_year(first.last_year)
        if last < first:
            last = last.with_year(first.last_year + 1)
    return (first, last) if first <= last else (last, first)


def _categories(ents: list[Entity]) -> list[str]:
    """"demandeurs déboutés" (even misspelled, when "déboutés" is read on its own) are
    rejected applicants, not applicants and rejected applicants."""
    found = [e for e in ents if e.type == "category"]
    kept = [e.value for e, nxt in zip(found, found[1:] + [None])
            if not (e.value == "applicants" and nxt and nxt.value == "rejected" and nxt.start == e.end)]
    return list(dict.fromkeys(kept))


def collect(ents: list[Entity], unknown: list[str], today: dt.date) -> Parsed:
    ents = _month_spans(ents)
    # "kw:max+year_word" ("recordjaar"): one phrase, two keywords.
    kws = {kw for e in ents if e.type == "kw" for kw in e.value.split("+")}
    periods = _periods(ents, today, comparing=bool(kws & {"compare", "than"}))
    orgs: list[str] = []
    for e in ents:
        if e.type == "org":
            for org in (("fedasil", "dvz") if e.value == "both" else (e.value,)):
                if org not in orgs:
                    orgs.append(org)
    nums = [e for e in ents if e.type == "num"]
    negative = any(e.type == "range" and e.value == "to" and any(n.start == e.end for n in nums) for e in ents)
    first = ents[0] if ents else None
    return Parsed(
        kws=kws,
        periods=periods,
        orgs=orgs,
        # "the other countries": the sheet's "Andere" row.
        countries=list(dict.fromkeys(e.value for e in ents if e.type == "country"))[:MAX_LISTED]
        or (["other"] if "other_countries" in kws else []),
        categories=_categories(ents),
        nums=nums,
        info=[e.value for e in ents if e.type == "info"],
        oos=[e.value for e in ents if e.type == "oos"],
        social=[e.type for e in ents if e.type in ("greeting", "help", "thanks")],
        bad=[e.value for e in ents if e.type == "bad_date"],
        measure=any(e.type == "measure" for e in ents),
        asylum_people=any(e.type == "asylum_people" for e in ents),
        implicit=any(e.type == "rel" and e.value == "latest" for e in ents),
        followup=first is not None and first.type == "conj" and first.start == 0,
        negative_n=negative,
    )


def _stray_numbers(p: Parsed, ents: list[Entity], q: Query) -> bool:
    ago = {e.start for e in ents if e.type == "rel" and e.value == "years_ago"}
    quoted = _quoted(p)
    return any(n.value != quoted and n.end not in ago for n in p.nums)


def _top_n(p: Parsed) -> int | None:
    for e in p.nums:
        if float(e.value).is_integer() and not e.fuzzy:
            return int(e.value)
    return None


def _quoted(p: Parsed) -> int | None:
    """A figure the user quotes: written like a figure ("3.000", "2000 people"), or
    any whole number after "is it true", "more than" and the like."""
    claims = bool(p.kws & {"quoted", "compare", "than"})
    for e in p.nums:
        if float(e.value).is_integer() and e.value < MAX_QUOTED and (e.fuzzy or (claims and e.value >= 32)):
            return int(e.value)
    return None


def _year_steps(ents: list[Entity], today: dt.date, previous: Query | None) -> list[Entity]:
    """"the year before" / "the year after" count from the previous question's period
    ("and the year before?" after March 2020: March 2019, as merge keeps the months);
    without one, "the year before" is last year and "the year after" reads nothing."""
    base = previous.periods[0].first_year if previous is not None and previous.periods else 0
    out = []
    for e in ents:
        if e.type == "rel" and e.value in ("year_before", "year_after"):
            step = -1 if e.value == "year_before" else 1
            if base:
                e = Entity("year", base + step, e.start, e.end)
            elif step < 0:
                e = Entity("year", today.year - 1, e.start, e.end)
        out.append(e)
    return out


def build(ents: list[Entity], unknown: list[str], today: dt.date, previous: Query | None) -> Query:
    ents = _year_steps(ents, today, previous)
    p = collect(ents, unknown, today)
    periods = tuple(period for period, _ in p.periods)[:MAX_LISTED]
    implicit = p.implicit or any(period.first_year == 0 for period in periods)
    has_data = bool(p.measure or p.orgs or p.countries or p.categories)
    asks = bool(p.kws & INTENT_KEYWORDS) or "how_many" in p.kws

    if p.oos:
        return Query("unknown", topic=p.oos[0])
    if p.asylum_people and not p.measure:
        # "how many asylum seekers in 2020" asks about asylum, not about returns.
        return Query("unknown", topic="asylum")
    if p.bad:
        return Query("clarify", topic="bad_date")
    if "dublin" in p.info:
        # Dublin departures are left out of every figure: explain, whatever period was asked.
        return Query("info", topic="dublin")
    if "partial" in p.info and not (p.measure or p.kws & INTENT_KEYWORDS):
        # "why is 2025 incomplete?": explain, though a year is named.
        return Query("info", topic="partial")
    if p.info and not (periods or p.countries or p.kws & INTENT_KEYWORDS or p.categories):
        return Query("info", topic=p.info[0])
    if "what_is" in p.kws and p.orgs and not (periods or asks):
        return Query("info", topic=p.orgs[0])
    # Words nothing could read may ask for what the data lacks ("bananas", "widows"):
    # tolerate one only beside a word that names what the data counts.
    unread = [w for w in unknown if len(w) > MIN_UNREAD_LEN]
    if unread and (not has_data or len(unread) > MAX_UNKNOWN_WITH_MEASURE):
        return Query("unknown")
    quoting = "quoted" in p.kws and bool(p.nums) and previous is not None
    if not (has_data or periods or asks or p.implicit or quoting):
        if p.social:
            return Query(p.social[-1] if "help" in p.social else p.social[0])
        return Query("unknown")

    q = _intent(p, periods, implicit)
    if q.intent == "clarify":
        return q
    if q.intent not in ("top", "clarify") and _stray_numbers(p, ents, q):
        # A number we cannot place ("in the 90s", "3000 min 2952") may change the question.
        return Query("unknown")
    if q.intent == "count" and not (has_data or periods or p.implicit or "how_many" in p.kws or previous):
        # A lone keyword ("%", "versus") is no question about the figures.
        return Query("unknown")
    lone_compare = q.intent == "compare" and len(q.periods) == 1 and len(q.orgs) < 2
    if previous is not None and _mergeable(previous) and previous.periods[:1] != q.periods[:1]:
        if lone_compare or p.followup or not (p.measure or asks or p.categories):
            return merge(previous, q, p)
    if lone_compare and q.periods[0].first_year and q.periods[0].single_year:
        # "did returns go up in 2024?": against the same period a year earlier.
        period = q.periods[0]
        return replace(q, periods=(period, period.with_year(period.first_year - 1)))
    return q


def _intent(p: Parsed, periods: tuple[Period, ...], implicit: bool) -> Query:
    orgs = tuple(p.orgs)
    base = dict(periods=periods, orgs=orgs, year_implicit=implicit or not periods)
    top_n = _top_n(p)
    if p.categories:
        cats = tuple(c for c in p.categories if c != "all")
        return Query("categories", categories=cats, **base)
    if p.countries:
        intent = "share" if "share" in p.kws else "country"
        return Query(intent, periods=periods, orgs=orgs, countries=tuple(p.countries), year_implicit=False)
    if p.kws & {"top", "countries", "one_country"}:
        if p.negative_n or top_n == 0:
            return Query("clarify", topic="top_n")
        if top_n is None and "one_country" in p.kws and p.kws & {"max", "top"}:
            top_n = 1
        n = top_n if top_n is None or top_n < TOP_LIMIT else TOP_LIMIT
        return Query("top", n=n, periods=periods, orgs=orgs, year_implicit=not periods)
    if "share" in p.kws and orgs:
        return Query("share", **base)
    if ("compare" in p.kws or "than" in p.kws) and len(periods) > 2:
        # A comparison is of two; three or more periods are each given, none left out.
        return Query("count", **base)
    if ("compare" in p.kws or "than" in p.kws) and (len(periods) >= 2 or len(orgs) >= 2):
        return Query("compare", **base)
    if "max" in p.kws or "min" in p.kws:
        grain = _grain(p, periods)
        if grain == "year" and len(periods) == 1 and periods[0].whole_years and periods[0].single_year:
            # "was 2012 the record year?": the record among all the years, which answers it.
            base.update(periods=(), year_implicit=True)
        return Query("extreme", extreme="max" if "max" in p.kws else "min", grain=grain, **base)
    if "average" in p.kws:
        return Query("average", grain=_grain(p, periods), **base)
    if p.kws & {"trend", "per_month", "per_quarter", "per_year"}:
        return Query("series", grain=_grain(p, periods), **base)
    if "compare" in p.kws:
        quoted = _quoted(p)
        if quoted is not None:
            return Query("count", quoted=quoted, **base)
        return Query("compare", **base)
    return Query("count", quoted=_quoted(p), **base)


def _grain(p: Parsed, periods: tuple[Period, ...]) -> str | None:
    if "per_quarter" in p.kws:
        return "quarter"
    if "per_month" in p.kws or "month_word" in p.kws:
        return "month"
    if "per_year" in p.kws or "year_word" in p.kws:
        return "year"
    return None


def _mergeable(previous: Query) -> bool:
    return previous.intent not in ("unknown", "help", "greeting", "thanks", "info", "clarify")


def merge(previous: Query, new: Query, p: Parsed) -> Query:
    """A follow-up keeps everything of the previous question it does not say anew."""
    if new.intent == "compare" and len(new.periods) == 1 and previous.periods:
        return replace(new, periods=(previous.periods[0], new.periods[0]), orgs=new.orgs or previous.orgs[:1],
                       year_implicit=False)
    intent = previous.intent if new.intent == "count" else new.intent
    periods = new.periods
    if periods and previous.periods:
        prev = previous.periods[0]
        if previous.intent == "compare" and new.intent == "count" and len(periods) == 1 and len(previous.periods) > 1:
            # "and 2021?" after "compare 2019 and 2020": 2021 against the later of the two.
            periods = (periods[0], max(previous.periods))
        elif all(x.whole_years and x.single_year for x in periods) and not prev.whole_years:
            # "and 2019?" after "March 2020": the same months in 2019.
            periods = tuple(prev.with_year(x.first_year) for x in periods)
        elif all(x.first_year == 0 for x in periods):
            periods = tuple(x.with_year(prev.first_year) for x in periods)
    elif not periods:
        periods = previous.periods
    implicit = previous.year_implicit and not new.periods
    if periods and all(x.first_year != 0 for x in periods):
        implicit = False
    return replace(
        previous,
        intent=intent,
        periods=periods,
        orgs=new.orgs or (previous.orgs if not new.countries else ()),
        countries=new.countries or previous.countries,
        categories=new.categories or previous.categories,
        n=new.n or previous.n,
        extreme=new.extreme or previous.extreme,
        grain=new.grain or previous.grain,
        quoted=new.quoted,
        year_implicit=implicit,
    )
