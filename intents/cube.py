"""The observations the answers use, indexed once at start-up for the look-ups of a
question: a month, a year, a period made of them, a country list, a profile.

A question costs a handful of dictionary look-ups: a pandas filter costs 0.4-0.7 ms on
the machines this runs on, which is a whole question's budget, so the programs run over
these indexes, built from the table of observations.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .data import ALL, APPLICANTS_AND_REJECTED, OTHER, Dataset, Observation
from .models import CATEGORIES, Period


@dataclass(frozen=True)
class Fig:
    """A figure an answer states: its value, the months it covers, the observations behind
    it, and its member of a list (a period, a country code, a category)."""

    value: float
    period: Period
    obs: tuple[Observation, ...]
    # What depends on the list: a Period, a year, a (year, month), a country code, a category.
    member: Any = None
    # Calculated, not published: a longer period's figure less the rest of it.
    derived: bool = False

    @property
    def refs(self) -> list[str]:
        return [o.ref for o in self.obs]


@dataclass(frozen=True)
class Entry:
    """A country's place in a list, with its count where the list gives one."""

    country: str
    place: int | None  # None: counted beside a ranking without a place in it
    count: Observation | None
    rank: Observation | None


@dataclass(frozen=True)
class CountryList:
    """One publication's list of the main countries over one period: counts (a table),
    ranks (a release's "top 5: Brazil, Moldova, ..."), or both."""

    period: Period
    source: str
    basis: str
    entries: tuple[Entry, ...]
    other: Observation | None
    total: Observation | None

    @property
    def counted(self) -> tuple[Observation, ...]:
        """The countries' counts, in the list's order."""
        return tuple(e.count for e in self.entries if e.count is not None)

    @property
    def ranks_only(self) -> bool:
        return not any(e.count is not None and e.count.exact for e in self.entries)

    def entry(self, country: str) -> Entry | None:
        return next((e for e in self.entries if e.country == country), None)

    def obs(self) -> tuple[Observation, ...]:
        return tuple(o for e in self.entries for o in (e.count, e.rank) if o is not None) + \
            tuple(o for o in (self.other, self.total) if o is not None)


def _country(o: Observation) -> str:
    """The country of an observation of a country list, where every one names one."""
    assert o.country is not None
    return o.country


def _entries(rows: list[Observation]) -> tuple[Entry, ...]:
    """Countries given a count and no rank hold the first places (ties share one); ranked
    countries hold their rank. Beside a ranking, a country only counted has no place ("6
    Syrians in 2024" beside "Brazil and Moldova first and second"), unless the ranking
    leaves the first places free for the counted ones ("Brazil and Iraq, 60 each, then
    Russia, Ukraine and Mongolia", ranked from 3)."""
    counts = {_country(o): o for o in rows if o.unit == "count" and o.country not in (OTHER, ALL)}
    ranks = {_country(o): o for o in rows if o.unit == "rank"}
    # A table's order is its lines'; a page's, the counts'.
    unranked = sorted((o for c, o in counts.items() if c not in ranks),
                      key=lambda o: (int(o.locator), 0) if o.locator.isdigit() else (0, -o.value))
    entries = [Entry(c, int(o.value), counts.get(c), o) for c, o in sorted(ranks.items(), key=lambda kv: kv[1].value)]
    ahead = not ranks or 0 < len(unranked) < min(int(o.value) for o in ranks.values())
    placed = [Entry(_country(o), 1 + sum(other.value > o.value for other in unranked) if ahead else None, o, None)
              for o in unranked]
    return tuple(placed + entries if ahead else entries + placed)


@dataclass(frozen=True)
class Profile:
    """One publication's split of the returnees into the three categories, for one period."""

    period: Period
    source: str
    counts: dict[str, Observation] = field(hash=False)
    percents: dict[str, Observation] = field(hash=False)
    total: Observation | None = None
    total_percent: Observation | None = None


# The categories a profile gives: the three, or asylum seekers in the procedure and rejected ones together.
PROFILE = (*CATEGORIES, APPLICANTS_AND_REJECTED)


def _months(o: Observation) -> int:
    return (o.end[0] - o.start[0]) * 12 + o.end[1] - o.start[1] + 1


def _before(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] - 1, 12) if ym[1] == 1 else (ym[0], ym[1] - 1)


def _after(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] + 1, 1) if ym[1] == 12 else (ym[0], ym[1] + 1)


class Cube:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        recency = {sid: i for i, sid in enumerate(dataset.sources)}
        # Of the figures of one year, the one covering most of it, then the latest publication's.
        used = sorted(dataset.used, key=lambda o: (_months(o), recency[o.source]))
        plain = [o for o in used if o.country is None and o.category is None and o.unit == "count"]
        self.month: dict[tuple[str, str], dict[tuple[int, int], Observation]] = defaultdict(dict)
        self.year: dict[tuple[str, str], dict[int, Observation]] = defaultdict(dict)
        for o in plain:
            if o.start == o.end:
                self.month[(o.measure, o.org)][o.start] = o
            elif o.start[0] == o.end[0]:
                self.year[(o.measure, o.org)][o.year] = o
        # The figure used for each cell (the latest publication's).
        self.cells = {o.cell: o for o in dataset.used}
        # Every figure by its publication, for what one publication says of one period.
        self.printed = {(o.source, *o.cell): o for o in dataset.observations if o.exact}
        self.lists: dict[int, list[CountryList]] = defaultdict(list)
        self._country_lists: dict[int, list[CountryList]] = {}
        self.profiles: dict[int, list[Profile]] = defaultdict(list)
        # A list or a profile is read whole from the publication that prints it.
        self._index_lists(list(dataset.observations))
        self._index_profiles(list(dataset.observations))
        years = self.year[("returns", "total")]
        self.first_year, self.last_year = min(years), max(years)
        # Totals within one year by (measure, organisation, year): every publication's, and those used.
        self.totals_in: dict[tuple[str, str, int], list[Observation]] = defaultdict(list)
        self.totals_used: dict[tuple[str, str, int], list[Observation]] = defaultdict(list)
        for index, rows in ((self.totals_in, self.printed.values()), (self.totals_used, self.cells.values())):
            for o in rows:
                if o.country is None and o.category is None and o.unit == "count" and o.start[0] == o.end[0]:
                    index[(o.measure, o.org, o.start[0])].append(o)

    def _index_lists(self, used: list[Observation]) -> None:
        grouped: dict[tuple[str, tuple[int, int], tuple[int, int]], list[Observation]] = defaultdict(list)
        for o in used:
            # a list of one category's countries ("irregular migrants went mainly to Ukraine") is no main list
            if o.country is not None and o.category is None and o.measure == "returns" and o.unit != "change":
                grouped[(o.source, o.start, o.end)].append(o)
        for (source, start, end), rows in sorted(grouped.items(), key=lambda kv: (kv[0][1], _months(kv[1][0]))):
            entries = _entries(rows)
            if not entries:
                continue
            # the ranks' basis, or else the counts' (without a rank, every entry has its count)
            first = ([o for o in rows if o.unit == "rank"] or [e.count for e in entries if e.count is not None])[0]
            self.lists[start[0]].append(CountryList(
                Period(start, end, "year"), source, first.basis or "", entries,
                next((o for o in rows if o.country == OTHER and o.unit == "count"), None),
                next((o for o in rows if o.country == ALL and o.unit == "count"), None)))

    def _index_profiles(self, used: list[Observation]) -> None:
        grouped: dict[tuple[str, tuple[int, int], tuple[int, int]], list[Observation]] = defaultdict(list)
        for o in used:
            if o.category is not None and o.measure == "returns":
                grouped[(o.source, o.start, o.end)].append(o)
        for (source, start, end), rows in sorted(grouped.items(), key=lambda kv: kv[0][1]):
            self.profiles[start[0]].append(Profile(
                Period(start, end, "year"), source,
                {o.category: o for o in rows if o.unit == "count" and o.category in PROFILE},
                {o.category: o for o in rows if o.unit == "percent" and o.category in PROFILE},
                next((o for o in rows if o.category == ALL and o.unit == "count"), None),
                next((o for o in rows if o.category == ALL and o.unit == "percent"), None)))

    # ---- what the data covers -----------------------------------------------------------
    def years(self, org: str = "total", measure: str = "returns") -> dict[int, Observation]:
        return self.year[(measure, org)]

    def months(self, org: str = "total", measure: str = "returns") -> dict[tuple[int, int], Observation]:
        return self.month[(measure, org)]

    def span(self, year: int) -> Period:
        """The months a year's published total covers (a partial year: only those)."""
        o = self.years()[year]
        return Period(o.start, o.end, "year")

    def partial(self, year: int) -> bool:
        o = self.years().get(year)
        return o is not None and (o.start[1], o.end[1]) != (1, 12)

    def month_span(self, year: int) -> Period:
        """The months of a year that have monthly figures (2025: January-September)."""
        months = [ym for ym in self.months() if ym[0] == year]
        return Period(min(months), max(months), "year")

    @property
    def split_spans(self) -> tuple[Period, ...]:
        """What the split by organisation covers, year by year (2012, 2020, January-September 2025)."""
        fedasil = self.years("fedasil")
        return tuple(Period(fedasil[y].start, fedasil[y].end, "year") for y in self.split_years)

    @property
    def monthly_years(self) -> list[int]:
        return sorted({y for y, _ in self.months()})

    @property
    def split_years(self) -> list[int]:
        return sorted(set(self.years("fedasil")) & set(self.years("dvz")))

    @property
    def country_years(self) -> list[int]:
        return sorted(self.lists)

    @property
    def category_years(self) -> list[int]:
        return sorted(self.profiles)

    def country_lists(self, year: int) -> list[CountryList]:
        """The lists a year has, the whole year's first: the longest list over the whole
        year (of the latest publication among equals), then a list over part of the year
        that gives more countries' counts (the fact sheet's January-September list beside a
        release's ranking); else the part-year lists, longest first (memoised: the lists do
        not change once loaded, and an answer asks for them several times)."""
        if year not in self._country_lists:
            self._country_lists[year] = self._choose_lists(year)
        return list(self._country_lists[year])

    def _choose_lists(self, year: int) -> list[CountryList]:
        lists = self.lists.get(year, [])
        whole = [lst for lst in lists if lst.period.whole_years]
        best = max(whole, key=lambda lst: (len(lst.entries), len(lst.counted)), default=None)
        counted = len(best.counted) if best is not None else 0
        parts = [lst for lst in lists if not lst.period.whole_years and len(lst.counted) > counted]
        parts.sort(key=lambda lst: (len(lst.counted), lst.period.end), reverse=True)
        return ([best] if best is not None else []) + parts[:1]

    def total_of(self, source: str, period: Period, measure: str = "returns") -> Observation | None:
        """The total one publication gives for a period (a share is only taken of it)."""
        return self.printed.get((source, measure, period.start, period.end, "total", None, None, "count", None))

    def lists_for(self, period: Period) -> list[CountryList]:
        """The lists of a year, or the lists over exactly these months ("January-September 2025")."""
        if period.whole_years:
            return self.country_lists(period.first_year)
        return [lst for lst in self.lists.get(period.first_year, []) if lst.period.months() == period.months()]

    def country_list(self, year: int) -> CountryList | None:
        """The year's list that counts most countries, for what needs counts (groups, sums,
        what is left out of a total): a release that counts one country of its ranking gives
        way to a fact sheet that counts all of its own."""
        lists = [lst for lst in self.country_lists(year) if not lst.ranks_only]
        return max(lists, key=lambda lst: len(lst.counted), default=None)

    def profile(self, year: int) -> Profile | None:
        profiles = self.profiles_of(year)
        return profiles[0] if profiles else None

    def profiles_of(self, year: int) -> list[Profile]:
        """A year's profiles: the fullest over the whole year (of the latest publication
        among equals), then the fullest over part of it from another publication."""
        size = lambda p: (len(p.counts) + len(p.percents), p.period.end)  # noqa: E731
        profiles = self.profiles.get(year, [])
        whole = [p for p in profiles if p.period.whole_years]
        parts = [p for p in profiles if not p.period.whole_years]
        return [max(group, key=size) for group in (whole, parts) if group]

    # ---- figures over a period ------------------------------------------------------------
    def figure(self, period: Period, org: str = "total", measure: str = "returns") -> Fig | None:
        """The figure of a period: the yearly figures of whole years, else the months
        published within it (clipped to what is published, the Fig says which months); None
        when the data does not hold it, or only with gaps that would skew a sum."""
        if period.whole_years:
            known = self.years(org, measure)
            years = [y for y in range(period.first_year, period.last_year + 1) if y in self.years("total", measure)]
            if not years or len(years) != years[-1] - years[0] + 1 or not all(y in known for y in years):
                return None
            obs = tuple(known[y] for y in years)
            covered = Period(obs[0].start, obs[-1].end, period.kind)
            return Fig(sum(o.value for o in obs), covered, obs)
        exact = self.printed_count(period, org, measure)
        if exact is not None:
            return Fig(exact.value, period, (exact,))
        known_months = self.months(org, measure)
        months = [ym for ym in period.months() if ym in known_months]
        if not months:
            return self.difference(period, org, measure)
        covered = Period(months[0], months[-1], period.kind)
        if len(covered.months()) != len(months):
            return None
        obs = tuple(known_months[ym] for ym in months)
        return Fig(sum(o.value for o in obs), period if covered.months() == period.months() else covered, obs)

    def printed_count(self, period: Period, org: str = "total", measure: str = "returns") -> Observation | None:
        """The count a publication prints for exactly this period ("ces dix dernières années": 2007-2016)."""
        return self.cells.get((measure, period.start, period.end, org, None, None, "count", None))

    def difference(self, period: Period, org: str = "total", measure: str = "returns") -> Fig | None:
        """A period no publication gives, as the figure of a longer one less the rest of it,
        both published ("October-December 2025" = the year 2025 less January-September):
        a calculated figure, never a published one. Its observations: the whole, then the part."""
        if not period.single_year:
            return None
        figures = self.totals_in.get((measure, org, period.first_year), [])
        for whole in figures:
            if not (whole.start <= period.start and period.end <= whole.end):
                continue
            for part in figures:
                rest = (part.start, part.end)
                if (rest, period.end) == ((whole.start, _before(period.start)), whole.end) or \
                        (rest, period.start) == ((_after(period.end), whole.end), whole.start):
                    return Fig(whole.value - part.value, period, (whole, part), derived=True)
        return None

    def parts_of_year(self, year: int, measure: str = "returns") -> list[Observation]:
        """The figures of a year's total over some of its months, longest first."""
        return sorted((o for o in self.totals_used.get((measure, "total", year), [])
                       if o.start != o.end and not o.whole_year), key=lambda o: (o.start, o.end), reverse=True)

    def latest_with_months(self, months: list[int]) -> int | None:
        published = self.months()
        for year in reversed(self.monthly_years):
            if all((year, m) in published for m in months):
                return year
        return None
