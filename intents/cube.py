"""The observations the answers use, indexed once at start-up for the look-ups of a
question: a month, a year, a period made of them, a country list, a profile.

A question costs a handful of dictionary look-ups: a pandas filter costs 0.4-0.7 ms on
the machines this runs on, which is a whole question's budget, so the programs run over
these indexes, built from the table of observations.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .data import ALL, OTHER, Dataset, Observation
from .models import CATEGORIES, Period


@dataclass(frozen=True)
class Fig:
    """A figure an answer states: its value, the months it covers, the observations behind
    it, and its member of a list (a period, a country code, a category)."""

    value: float
    period: Period
    obs: tuple[Observation, ...]
    member: object = None

    @property
    def refs(self) -> list[str]:
        return [o.ref for o in self.obs]


@dataclass(frozen=True)
class CountryList:
    """One publication's list of countries for one period."""

    period: Period
    source: str
    basis: str
    # The countries with a count, in the order printed.
    counted: tuple[Observation, ...]
    # Places of a list printed without counts ("top 5: Brazil, Moldova, ...").
    ranked: tuple[Observation, ...]
    other: Observation | None
    total: Observation | None

    def obs(self) -> tuple[Observation, ...]:
        return self.counted + self.ranked + tuple(o for o in (self.other, self.total) if o is not None)


@dataclass(frozen=True)
class Profile:
    """One publication's split of the returnees into the three categories, for one period."""

    period: Period
    source: str
    counts: dict[str, Observation] = field(hash=False)
    percents: dict[str, Observation] = field(hash=False)
    total: Observation | None = None
    total_percent: Observation | None = None


def _months(o: Observation) -> int:
    return (o.end[0] - o.start[0]) * 12 + o.end[1] - o.start[1] + 1


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
        self.lists: dict[int, list[CountryList]] = defaultdict(list)
        self.profiles: dict[int, list[Profile]] = defaultdict(list)
        self._index_lists(used)
        self._index_profiles(used)
        years = self.year[("returns", "total")]
        self.first_year, self.last_year = min(years), max(years)

    def _index_lists(self, used: list[Observation]) -> None:
        grouped: dict[tuple, list[Observation]] = defaultdict(list)
        for o in used:
            if o.country is not None and o.measure == "returns":
                grouped[(o.source, o.start, o.end)].append(o)
        for (source, start, end), rows in sorted(grouped.items(), key=lambda kv: (kv[0][1], _months(kv[1][0]))):
            counted = sorted((o for o in rows if o.unit == "count" and o.country not in (OTHER, ALL)),
                             key=lambda o: int(o.locator) if o.locator.isdigit() else -o.value)
            ranked = sorted((o for o in rows if o.unit == "rank"), key=lambda o: o.value)
            self.lists[start[0]].append(CountryList(
                Period(start, end, "year"), source, rows[0].basis or "", tuple(counted), tuple(ranked),
                next((o for o in rows if o.country == OTHER and o.unit == "count"), None),
                next((o for o in rows if o.country == ALL and o.unit == "count"), None)))

    def _index_profiles(self, used: list[Observation]) -> None:
        grouped: dict[tuple, list[Observation]] = defaultdict(list)
        for o in used:
            if o.category is not None and o.measure == "returns":
                grouped[(o.source, o.start, o.end)].append(o)
        for (source, start, end), rows in sorted(grouped.items(), key=lambda kv: kv[0][1]):
            self.profiles[start[0]].append(Profile(
                Period(start, end, "year"), source,
                {o.category: o for o in rows if o.unit == "count" and o.category in CATEGORIES},
                {o.category: o for o in rows if o.unit == "percent" and o.category in CATEGORIES},
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

    @property
    def monthly_years(self) -> list[int]:
        return sorted({y for y, _ in self.months()})

    @property
    def split_years(self) -> list[int]:
        return sorted(set(self.years("fedasil")) & set(self.years("dvz")))

    @property
    def country_years(self) -> list[int]:
        return sorted(y for y, lists in self.lists.items() if any(lst.counted for lst in lists))

    @property
    def category_years(self) -> list[int]:
        return sorted(self.profiles)

    def country_list(self, year: int) -> CountryList | None:
        """The list with counts of a year, of the latest publication that prints one."""
        lists = [lst for lst in self.lists.get(year, ()) if lst.counted]
        return lists[-1] if lists else None

    def profile(self, year: int) -> Profile | None:
        profiles = self.profiles.get(year)
        return profiles[-1] if profiles else None

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
            covered = Period(self.span(years[0]).start, self.span(years[-1]).end, period.kind)
            return Fig(sum(o.value for o in obs), covered, obs)
        known_months = self.months(org, measure)
        months = [ym for ym in period.months() if ym in known_months]
        if not months:
            return None
        covered = Period(months[0], months[-1], period.kind)
        if len(covered.months()) != len(months):
            return None
        obs = tuple(known_months[ym] for ym in months)
        return Fig(sum(o.value for o in obs), period if covered.months() == period.months() else covered, obs)

    def latest_with_months(self, months: list[int]) -> int | None:
        published = self.months()
        for year in reversed(self.monthly_years):
            if all((year, m) in published for m in months):
                return year
        return None
