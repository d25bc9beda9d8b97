"""Query -> Answer over the dataset.

The observations are indexed once at start-up; each query then reads a handful of cells, so a
question costs well under a millisecond. Every figure keeps the rows it came from.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Callable

from . import registry
from .data import ALL, OTHER, Dataset, Observation, year_runs
from .models import CATEGORIES, LANGS, Answer, Figure, Line, Num, Period, Query, Ref

Row = tuple[str, int, str]
# A quoted figure checked as stated: the published value against the quoted one.
# "almost 3,000": at most that and within a tenth below it; "about 3,000": within a tenth either way.
CLAIMS = {"gt": lambda value, quoted: value > quoted, "ge": lambda value, quoted: value >= quoted,
          "lt": lambda value, quoted: value < quoted, "le": lambda value, quoted: value <= quoted,
          "almost": lambda value, quoted: 0.9 * quoted <= value <= quoted,
          "approx": lambda value, quoted: abs(value - quoted) <= 0.1 * quoted}
FIGURE_STYLES = {"percent": "printed_percent", "percent_sum": "printed_percent", "share": "percent", "change": "change",
                 "average": "decimal", "ratio": "ratio"}
# A span of up to this many years is also given year by year ("the last three years").
MAX_PER_YEAR = 12
# Information topics answered by their answers.toml line alone (before any statements).
PLAIN_INFO = ("other_figures",)


def _months(o: Observation) -> list[tuple[int, int]]:
    return Period(o.start, o.end).months()


def _one_org(query: Query) -> str:
    """The organisation a figure is counted through: the one named, else both ("total")."""
    return query.orgs[0] if len(query.orgs) == 1 else "total"


def _nums(value: Any):
    """The numbers of a line's params, inside tuples too (\"Other years: ...\")."""
    if isinstance(value, Num):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nums(item)


# The engine's answer to each intent, by the handler name registry.py gives it.
HANDLERS: dict[str, Callable[..., None]] = {}


def handles(name: str) -> Callable:
    def register(method: Callable) -> Callable:
        HANDLERS[name] = method
        return method
    return register


class Builder:
    """Collects the lines, figures and rows of one answer."""

    def __init__(self, engine: Engine, query: Query):
        self.engine, self.query = engine, query
        self.lines: list[Line] = []
        self.figures: list[Figure] = []
        self.cited: list[str] = []
        self.status = "ok"
        self.examples: tuple[str, ...] = ()

    def line(self, key: str, rows: tuple[Row, ...] = (), **params: Any) -> None:
        self.lines.append(Line(key, params, tuple(rows)))

    def figure(self, value: float, kind: str, label: str, sources: list[str] | tuple[str, ...],
               rows: list[Row] | tuple[Row, ...] = ()) -> Num:
        """A stated figure; `rows` (table, year, organisation) decide its footnotes."""
        self.figures.append(Figure(value, kind, label, tuple(sources)))
        return Num(value, FIGURE_STYLES.get(kind, "count"), tuple(rows))

    def cite(self, source: str) -> None:
        """A sheet the answer quotes words from, as `file:line` or its file name."""
        self.cited.append(source)

    def _place_notes(self, line: Line) -> Line:
        """A footnote marks the figures it governs. A mark at the end of a line governs
        every figure on it; a note that governs only some is marked on each of those."""
        notes_for = self.engine.footnotes_for
        nums = [n for n in _nums(tuple(line.params.values())) if n.rows]
        sets = [set(notes_for(n.rows)) for n in nums]
        common = set.intersection(*sets) if sets else set()
        ends = tuple(fid for fid in self.engine.footnote_ids if fid in common or fid in notes_for(line.rows))

        def mark(value: Any) -> Any:
            if isinstance(value, Num) and value.rows:
                return replace(value, notes=tuple(f for f in notes_for(value.rows) if f not in common))
            if isinstance(value, tuple):
                return tuple(mark(item) for item in value)
            return value
        return replace(line, params={k: mark(v) for k, v in line.params.items()}, notes=ends)

    def answer(self) -> Answer:
        lines = [self._place_notes(line) for line in self.lines]
        order = self.engine.footnote_ids
        ids: list[str] = []
        for line in lines:
            used = set(line.notes) | {fid for n in _nums(tuple(line.params.values())) for fid in n.notes}
            ids.extend(fid for fid in order if fid in used and fid not in ids)
        files = []
        for src in [s for fig in self.figures for s in fig.sources] + self.cited:
            file = src.split(":")[0]
            if file not in files:
                files.append(file)
        return Answer(self.status, self.query, tuple(lines), tuple(self.figures), tuple(ids),
                      tuple(sorted(files)), self.examples)


class Engine:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        recency = {sid: i for i, sid in enumerate(dataset.sources)}
        # Of the figures of one year, the one covering most of it, then the latest publication's.
        returns = sorted((o for o in dataset.used if o.measure == "returns"),
                         key=lambda o: (len(_months(o)), recency[o.source]))
        counts = [o for o in returns if o.unit == "count"]

        def row(o: Observation, **more: Any) -> dict[str, Any]:
            return {"returns": int(o.value), "source": o.ref, **more}
        # Point look-ups go through plain dicts: a pandas filter costs 0.4-0.7 ms, a whole question's budget.
        self._month = {(o.year, o.start[1], o.org): row(o) for o in counts if o.table == "monthly"}
        self._year = {o.year: row(o, first_month=o.start[1], last_month=o.end[1], marks=o.mark)
                      for o in counts if o.table == "yearly"}
        self._year_org = {(o.year, o.org): row(o) for o in counts if o.table == "organisation"}
        lists: dict[int, tuple[str, tuple]] = {}
        for o in counts:
            if o.table == "countries":
                lists[o.year] = (o.source, (o.start, o.end))
        listed = sorted((o for o in counts if o.table == "countries" and o.country not in (OTHER, ALL)
                         and lists[o.year] == (o.source, (o.start, o.end))),
                        key=lambda o: (o.year, int(o.locator) if o.locator.isdigit() else 0))
        self._ranked: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for o in listed:
            ranked = self._ranked.setdefault(o.year, [])
            ranked.append((o.country, row(o, rank=len(ranked) + 1, basis=o.basis, name=o.label)))
        self._country_rows = {(year, iso): r for year, ranked in self._ranked.items() for iso, r in ranked}
        self._country_rows.update({(o.year, OTHER): row(o, rank=None, basis=o.basis, name=o.label)
                                   for o in counts if o.country == OTHER and lists[o.year] == (o.source, (o.start, o.end))})
        self._basis = {o.year: o.basis for o in returns if o.country is not None}
        self._category = {}
        for o in returns:
            if o.category is not None and o.category != ALL:
                entry = self._category.setdefault((o.year, o.category), {"returns": None, "percent": None})
                entry["percent" if o.unit == "percent" else "returns"] = o.value if o.unit == "percent" else int(o.value)
                entry["source"] = o.ref
        self._total = {}
        for o in returns:
            if ALL in (o.country, o.category):
                entry = self._total.setdefault(("countries" if o.country else "categories", o.year),
                                               {"returns": None, "percent": None})
                entry["percent" if o.unit == "percent" else "returns"] = o.value if o.unit == "percent" else int(o.value)
                entry["source"] = o.ref
        self.first_year, self.last_year = min(self._year), max(self._year)
        self.years = sorted(self._year)
        self.months = sorted((y, m) for y, m, org in self._month if org == "total")
        self.monthly_years = sorted({y for y, _, _ in self._month})
        self.split_years = sorted({y for y, _ in self._year_org})
        self.country_years = sorted(self._ranked)
        self.category_years = sorted({y for y, _ in self._category})
        self.footnote_ids = [f["id"] for f in dataset.footnotes]
        self._row_notes: dict[Row, frozenset[str]] = {}
        self.footnote_text = {f["id"]: {lang: f[lang] for lang in LANGS} for f in dataset.footnotes}
        self.source_titles = {s.file: (s.title("nl")[0], s.credit, s.year) for s in dataset.sources.values() if s.file}
        self.statement_text = {s["id"]: {lang: s[lang] for lang in LANGS} for s in dataset.statements}
        self.statements = dataset.statements

    # ---- coverage -------------------------------------------------------------------
    def year_span(self, year: int) -> Period:
        """The months a year's published total covers (2025: January-September)."""
        row = self._year[year]
        return Period((year, row["first_month"]), (year, row["last_month"]), "year")

    def partial(self, year: int) -> bool:
        row = self._year.get(year)
        return bool(row) and (row["first_month"], row["last_month"]) != (1, 12)

    def coverage_line(self, b: Builder) -> None:
        monthly = tuple(self.year_span(y) for y in self.monthly_years)
        b.line("coverage", first=self.first_year, last=self.last_year, monthly=monthly,
               countries=tuple(self.country_years), categories=tuple(self.category_years))

    def ranked_years(self, period: Period) -> tuple[list[int], list[int]]:
        """The years of a period that can be ranked or averaged, and the partial ones
        left out (2025 would otherwise look like a low year)."""
        years = [y for y in range(period.first_year, period.last_year + 1) if y in self._year]
        skipped = [y for y in years if self.partial(y)] if len(years) > 1 else []
        return [y for y in years if y not in skipped], skipped

    def footnotes_for(self, rows: tuple[Row, ...]) -> list[str]:
        """The notes governing any of the rows, in footnotes.csv order."""
        found: set[str] = set()
        for row in rows:
            notes = self._row_notes.get(row)
            if notes is None:
                # Rows are (table, year, organisation) of the data: few, so each is matched once.
                notes = self._row_notes[row] = frozenset(
                    fid for fid in self.footnote_ids if any(s.covers("returns", *row) for s in self.dataset.selectors[fid]))
            found |= notes
        return [fid for fid in self.footnote_ids if fid in found]

    def latest_with_months(self, months: list[int]) -> int | None:
        for year in reversed(self.monthly_years):
            if all((year, m, "total") in self._month for m in months):
                return year
        return None

    # ---- resolving what the parser left open ------------------------------------------
    def resolve(self, query: Query) -> Query:
        """Fill in a left-out year: the latest one the data has for what was asked.
        A comparison over one span of years ("since 2019") compares its ends."""
        if query.intent == "compare" and len(query.periods) == 1 and not query.periods[0].single_year \
                and len(query.orgs) < 2:
            years, _ = self.ranked_years(query.periods[0])
            if len(years) > 1:
                return replace(query, periods=(Period.year(years[-1]), Period.year(years[0])))
        if any(p.anchor == "first" for p in query.periods):
            query = replace(query, periods=tuple(
                Period((min(self.first_year, p.last_year), 1), p.end, "years" if p.end[1] == 12 else "range")
                if p.anchor == "first" else p for p in query.periods))
        if not query.year_implicit and not any(p.open for p in query.periods):
            return query
        periods = []
        filled = []
        for p in query.periods:
            if not p.open:
                periods.append(p)
                continue
            filled.append(len(periods))
            if query.intent in ("top", "country", "share", "categories"):
                # Per-country and profile figures are yearly: the month cannot be kept.
                periods.append(Period.year(self.latest_year_for(query)))
            else:
                year = self.latest_with_months([m for _, m in p.months()]) or self.monthly_years[-1]
                periods.append(p.with_year(year))
        if not periods:
            whole_span = query.intent in ("extreme", "series", "average") and (query.grain != "month" or query.ever)
            periods = [Period.years(self.first_year, self.last_year) if whole_span
                       else Period.year(self.latest_year_for(query))]
            filled = [0]
        return replace(query, periods=tuple(periods), filled=tuple(filled))

    def latest_year_for(self, query: Query) -> int:
        if query.intent in ("top", "country", "share") and (query.countries or query.intent == "top"):
            return self.country_years[-1]
        if query.intent == "categories":
            return self.category_years[-1]
        if query.intent in ("extreme", "average", "series") and query.grain == "month":
            return self.monthly_years[-1]
        return self.last_year

    # ---- figures ----------------------------------------------------------------------
    def value(self, period: Period, org: str) -> tuple[int, list[str], list[Row], Period] | None:
        """Returns for a period and organisation ('total' for both), with its sources,
        rows and the period actually covered (clipped to what is published); None when
        the data does not hold it, or holds it only with gaps that would skew a sum."""
        if period.whole_years:
            years = [y for y in range(period.first_year, period.last_year + 1) if y in self._year]
            if not years or len(years) != years[-1] - years[0] + 1:
                return None
            if org == "total":
                rows = [self._year[y] for y in years]
                used = [("yearly", y, "total") for y in years]
            elif all((y, org) in self._year_org for y in years):
                rows = [self._year_org[(y, org)] for y in years]
                used = [("organisation", y, org) for y in years]
            else:
                return None
            covered = Period(self.year_span(years[0]).start, self.year_span(years[-1]).end, period.kind)
            return sum(r["returns"] for r in rows), [r["source"] for r in rows], used, covered
        months = [(y, m) for y, m in period.months() if (y, m, org) in self._month]
        if not months:
            return None
        covered = Period(months[0], months[-1], period.kind)
        if len(covered.months()) != len(months):
            return None
        rows = [self._month[(y, m, org)] for y, m in months]
        return (sum(r["returns"] for r in rows), [r["source"] for r in rows],
                [("monthly", y, org) for y, _ in months], period if covered.months() == period.months() else covered)

    def split(self, period: Period, covered: Period):
        """Fedasil's and DVZ's parts of a total, only when both cover exactly what the
        total covers (a range reaching into 2019 has a total but no split)."""
        parts = [self.value(period, org) for org in ("fedasil", "dvz")]
        if all(p is not None and p[3] == covered for p in parts):
            return parts
        return None

    def missing_reason(self, b: Builder, period: Period, org: str, today: dt.date) -> None:
        """Say why a period has no figure, and what the data holds instead."""
        b.status = "no_data"
        if period.start > (today.year, today.month) or period.first_year > self.last_year:
            b.line("nodata.future", period=period)
        elif org != "total" and self.value(period, "total") is not None:
            total = self.value(period, "total")
            b.line("nodata.org_split", period=total[3], org=Ref("org", org),
                   years=tuple(self.split_years), total=b.figure(total[0], "count", "total", total[1], total[2]))
            return
        elif period.single_year and period.first_year in self._year:
            year = period.first_year
            span = self.year_span(year)
            if year in self.monthly_years:
                total = self._year[year]
                b.line("nodata.unpublished", period=period, span=span,
                       total=b.figure(total["returns"], "count", "total", [total["source"]], [("yearly", year, "total")]))
                return
            total = self._year[year]
            b.line("nodata.no_monthly", year=year,
                   total=b.figure(total["returns"], "count", "total", [total["source"]], [("yearly", year, "total")]))
            return
        elif any((y, m, org) in self._month for y, m in period.months()):
            b.line("nodata.gap", period=period)
        else:
            b.line("nodata.period", period=period)
        self.coverage_line(b)

    # ---- intents ----------------------------------------------------------------------
    def run(self, query: Query, today: dt.date) -> Answer:
        query = self.resolve(query)
        b = Builder(self, query)
        HANDLERS[registry.BY_NAME[query.intent].handler](self, b, query, today)
        if query.ignored and b.status in ("ok", "no_data"):
            b.line("note.ignored", words=", ".join(query.ignored))
        return b.answer()

    def _periods(self, query: Query) -> tuple[Period, ...]:
        return query.periods or (Period.year(self.last_year),)

    def _announce(self, b: Builder, query: Query, index: int, period: Period) -> None:
        if index in query.filled:
            key = "resolved.latest_month" if not period.whole_years else "resolved.latest_year"
            b.line(key, period=self.value(period, "total")[3] if self.value(period, "total") else period)

    @handles("count")
    def _count(self, b: Builder, query: Query, today: dt.date) -> None:
        if query.exclude:
            self._count_except(b, query, today)
            return
        if query.except_countries:
            self._count_except_countries(b, query)
            return
        for index, period in enumerate(self._periods(query)):
            self._announce(b, query, index, period)
            both = set(query.orgs) == {"fedasil", "dvz"}
            # Both organisations asked for: the total with its split, or, where there is none, the total and say so.
            orgs = ("total",) if not query.orgs or both else query.orgs
            for org in orgs:
                found = self.value(period, org)
                if found is None:
                    self.missing_reason(b, period, org, today)
                    continue
                value, sources, rows, covered = found
                fig = b.figure(value, "count", f"{org} {covered.to_json()['start']}..{covered.to_json()['end']}", sources,
                               rows)
                split = self.split(period, covered) if org == "total" else None
                if split:
                    split, dvz = split
                    b.line("count.split", period=covered, total=fig,
                           fedasil=b.figure(split[0], "count", "fedasil", split[1], split[2]),
                           dvz=b.figure(dvz[0], "count", "dvz", dvz[1], dvz[2]))
                elif org == "total":
                    b.line("count.total", period=covered, total=fig)
                else:
                    b.line("count.org", period=covered, value=fig, org=Ref("org", org))
                if org == "total" and not split and both:
                    b.status = "no_data"
                    b.line("count.no_split", period=covered, years=tuple(self.split_years))
                if covered != period and period.kind not in ("year", "since"):
                    b.line("count.clipped", period=period, covered=covered)
                if query.quoted is not None and query.claim:
                    holds = CLAIMS[query.claim](value, query.quoted)
                    b.line("count.claim_true" if holds else "count.claim_false", quoted=Num(query.quoted),
                           value=Num(value), relation=Ref("relation", query.claim))
                elif query.quoted is not None:
                    b.line("count.quoted_same" if query.quoted == value else "count.quoted_other",
                           quoted=Num(query.quoted), value=Num(value))
            if index in query.filled and period.single_month:
                self._other_years(b, period)
            if period.whole_years and 1 < period.last_year - period.first_year + 1 <= MAX_PER_YEAR:
                self._per_year(b, period, _one_org(query))
        if query.total:
            self._sum(b, query, [self.value(p, _one_org(query))
                                 for p in self._periods(query)])
        if query.topic == "asylum_people":
            self._asylum_reading(b, query, today)

    def _sum(self, b: Builder, query: Query, found: list) -> None:
        """Several periods added up, when each is published and none overlaps another."""
        spans = sorted(f[3] for f in found if f is not None)
        if len(found) < 2 or None in found or any(a.end >= b_.start for a, b_ in zip(spans, spans[1:])):
            return
        b.line("count.sum", total=b.figure(sum(f[0] for f in found), "sum", "sum of the periods",
                                           [s for f in found for s in f[1]]))

    def _asylum_reading(self, b: Builder, query: Query, today: dt.date) -> None:
        """The second reading of "asylum seekers": the applicants for international protection."""
        years = [p.first_year for p in self._periods(query)
                 if p.whole_years and p.single_year and p.first_year in self.category_years]
        b.line("reading.asylum_people" if years else "reading.asylum_people_none", years=tuple(self.category_years))
        for year in years:
            self._categories(b, replace(query, intent="categories", categories=("applicants",), topic=None,
                                        periods=(Period.year(year),)), today)

    def _count_except(self, b: Builder, query: Query, today: dt.date) -> None:
        """One period less others inside it ("2025 except March"): both must be published."""
        period = query.periods[0]
        org = _one_org(query)
        whole = self.value(period, org)
        parts = [self.value(p, org) for p in query.exclude]
        inside = all(p.start >= period.start and p.end <= period.end for p in query.exclude)
        if whole is None or not inside or any(p is None for p in parts):
            self.missing_reason(b, period if whole is None else query.exclude[0], org, today)
            return
        minus = sum(p[0] for p in parts)
        rows = tuple(whole[2] + [r for p in parts for r in p[2]])
        excluded = tuple(p[3] for p in parts)
        b.line("count.except" if org == "total" else "count.except_org", rows, period=whole[3], org=Ref("org", org),
               excluded=excluded[0] if len(excluded) == 1 else excluded,
               value=b.figure(whole[0] - minus, "difference", f"{org} less excluded",
                              list(whole[1]) + [s for p in parts for s in p[1]]),
               total=b.figure(whole[0], "count", org, whole[1]),
               minus=b.figure(minus, "count", "excluded", [s for p in parts for s in p[1]]))

    def _count_except_countries(self, b: Builder, query: Query) -> None:
        """A year's total less some countries of its list ("2020, other than Brazil")."""
        period = self._periods(query)[0]
        year = period.first_year
        if not (period.whole_years and period.single_year) or year not in self.country_years:
            b.status = "no_data"
            b.line("nodata.country_year" if period.whole_years else "nodata.country_month",
                   year=period, years=tuple(self.country_years))
            return
        self._not_by_org(b, query, "nodata.country_org")
        rows = [self._country_rows.get((year, iso)) for iso in query.except_countries]
        if None in rows:
            for iso in query.except_countries:
                self._country_year(b, query, iso, year)
            b.status = "no_data"
            return
        total = self._year[year]
        minus = sum(r["returns"] for r in rows)
        sources = [total["source"]] + [r["source"] for r in rows]
        countries = tuple(Ref("country", iso) for iso in query.except_countries)
        b.line("count.except_countries", (("countries", year, "total"),), period=self.year_span(year),
               countries=countries[0] if len(countries) == 1 else countries, basis=Ref("basis", self._basis[year]),
               value=b.figure(total["returns"] - minus, "difference", "total less countries", sources),
               total=b.figure(total["returns"], "count", f"total {year}", [total["source"]]),
               minus=b.figure(minus, "count", "countries", [r["source"] for r in rows]))

    def _per_year(self, b: Builder, period: Period, org: str) -> None:
        """"the last three years": the total, then each year of it, as the sheets print them."""
        items = []
        for year in range(period.first_year, period.last_year + 1):
            found = self.value(Period.year(year), org)
            if found is not None:
                items.append((found[3], b.figure(found[0], "count", f"{org} {year}", found[1], found[2])))
        if len(items) > 1:
            b.line("count.per_year", items=tuple(items))

    def _other_years(self, b: Builder, period: Period) -> None:
        month = period.start[1]
        items = []
        for year in reversed(self.monthly_years):
            if year != period.first_year and (year, month, "total") in self._month:
                row = self._month[(year, month, "total")]
                items.append((Period.month(year, month), b.figure(row["returns"], "count", f"total {year}-{month:02d}",
                                                                  [row["source"]], [("monthly", year, "total")])))
        if items:
            b.line("count.other_years", items=tuple(items))

    @handles("compare")
    def _compare(self, b: Builder, query: Query, today: dt.date) -> None:
        periods = self._periods(query)
        orgs = query.orgs or ("total",)
        if len(periods) >= 2:
            sides = [(p, orgs[0]) for p in periods[:2]]
        elif len(orgs) >= 2:
            sides = [(periods[0], o) for o in orgs[:2]]
        else:
            b.status = "clarify"
            b.line("clarify.compare")
            return
        if sides[0] == sides[1]:
            b.status = "clarify"
            found = self.value(*sides[0])
            if found:
                b.line("clarify.same_period", period=found[3],
                       total=b.figure(found[0], "count", "total", found[1], found[2]))
            else:
                b.line("clarify.compare")
            return
        # Newest first, as a reader expects "2020 against 2019".
        if sides[0][0] < sides[1][0]:
            sides.reverse()
        found = [self.value(p, o) for p, o in sides]
        if None in found:
            p, o = sides[found.index(None)]
            self.missing_reason(b, p, o, today)
            return
        found, note = self._like_for_like(sides, found)
        (a, a_src, a_rows, a_cov), (c, c_src, c_rows, c_cov) = found
        diff = a - c
        key = "compare.same" if diff == 0 else "compare.more" if diff > 0 else "compare.less"
        if sides[0][1] != sides[1][1]:
            key = key.replace("compare.", "compare_orgs.")
        elif sides[0][1] != "total":
            key = key.replace("compare.", "compare_org.")
        pct = b.figure(diff / c, "change", "difference", a_src + c_src) if c else None
        b.line(key, a=b.figure(a, "count", "first", a_src, a_rows), b=b.figure(c, "count", "second", c_src, c_rows),
               pa=a_cov, pb=c_cov, oa=Ref("org", sides[0][1]), ob=Ref("org", sides[1][1]),
               diff=b.figure(abs(diff), "count", "difference", a_src + c_src), pct=pct or Num(0, "change"))
        if note:
            b.line(note, partial=a_cov if a_cov.kind == "year" and not a_cov.whole_years else c_cov)
        if query.ratio and a and c:
            self._ratio_verdict(b, query, sides, (a, a_src), (c, c_src))

    def _ratio_verdict(self, b: Builder, query: Query, sides, newer, older) -> None:
        """"did returns double?", "three times as many as in 2020?": the ratio, checked as stated."""
        first_named_newer = query.periods[0] == sides[0][0]
        top, bottom = (newer, older) if query.ratio_order == "change" or first_named_newer else (older, newer)
        ratio = top[0] / bottom[0]
        holds = CLAIMS[query.claim or "approx"](ratio, query.ratio)
        b.line("compare.ratio_true" if holds else "compare.ratio_false",
               ratio=b.figure(ratio, "ratio", "ratio", top[1] + bottom[1]), n=Num(query.ratio, "ratio"),
               relation=Ref("relation", query.claim or "approx"))

    def _like_for_like(self, sides, found):
        """A partial year (2025: January-September) against a whole one: compare the
        same months where the other year has monthly figures, else say it is uneven."""
        covers = [f[3] for f in found]
        partial = [i for i, cov in enumerate(covers) if cov.kind == "year" and cov.single_year and not cov.whole_years]
        if len(partial) != 1 or sides[0][1] != sides[1][1]:
            return found, None
        other = 1 - partial[0]
        if not (covers[other].whole_years and covers[other].single_year):
            return found, None
        same = Period((covers[other].first_year, covers[partial[0]].start[1]),
                      (covers[other].first_year, covers[partial[0]].end[1]), "months")
        narrowed = self.value(same, sides[other][1])
        if narrowed is None or narrowed[3] != same:
            return found, "compare.uneven"
        found = list(found)
        found[other] = narrowed
        return found, "compare.same_months"

    @handles("series")
    def _series(self, b: Builder, query: Query, today: dt.date) -> None:
        periods = self._periods(query)
        for period in periods:
            monthly = query.grain == "month" or (period.single_year and query.grain not in ("year", "quarter"))
            if query.grain == "quarter":
                self._series_quarters(b, period, today)
            elif monthly:
                self._series_months(b, period, today)
            else:
                self._series_years(b, period, today)

    def _series_years(self, b: Builder, period: Period, today: dt.date) -> None:
        years = [y for y in range(period.first_year, period.last_year + 1) if y in self._year]
        if not years:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.years_head", period=Period.years(years[0], years[-1]))
        for year in years:
            row = self._year[year]
            b.line("series.item", label=self.year_span(year),
                   value=b.figure(row["returns"], "count", f"total {year}", [row["source"]], [("yearly", year, "total")]))
        complete = [y for y in years if not self.partial(y)]
        if len(complete) > 1:
            # A partial year would make the change look larger than it is.
            first, last = self._year[complete[0]], self._year[complete[-1]]
            b.line("series.summary", a=Num(first["returns"]), pa=complete[0], c=Num(last["returns"]), pc=complete[-1],
                   pct=b.figure((last["returns"] - first["returns"]) / first["returns"], "change", "change",
                                [first["source"], last["source"]]))

    def _series_months(self, b: Builder, period: Period, today: dt.date) -> None:
        months = [(y, m) for y, m in period.months() if (y, m, "total") in self._month]
        if not months:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.months_head", period=Period(months[0], months[-1], period.kind))
        for y, m in months:
            row = self._month[(y, m, "total")]
            total = b.figure(row["returns"], "count", f"total {y}-{m:02d}", [row["source"]], [("monthly", y, "total")])
            label = Period.month(y, m)
            if (y, m, "fedasil") in self._month:
                f, d = self._month[(y, m, "fedasil")], self._month[(y, m, "dvz")]
                b.line("series.item_split", label=label, value=total,
                       fedasil=b.figure(f["returns"], "count", "fedasil", [f["source"]], [("monthly", y, "fedasil")]),
                       dvz=b.figure(d["returns"], "count", "dvz", [d["source"]], [("monthly", y, "dvz")]))
            else:
                b.line("series.item", label=label, value=total)

    def _series_quarters(self, b: Builder, period: Period, today: dt.date) -> None:
        """Sums of three published months; a quarter with a month missing is left out."""
        quarters = [Period.quarter(y, q) for y in range(period.first_year, period.last_year + 1) for q in range(1, 5)]
        quarters = [q for q in quarters if period.start <= q.start and q.end <= period.end
                    and all((y, m, "total") in self._month for y, m in q.months())]
        if not quarters:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.quarters_head", period=Period(quarters[0].start, quarters[-1].end, period.kind))
        for quarter in quarters:
            y = quarter.first_year
            sums = {}
            for org in ("total", "fedasil", "dvz"):
                rows = [self._month.get((y, m, org)) for _, m in quarter.months()]
                if all(rows):
                    sums[org] = b.figure(sum(r["returns"] for r in rows), "count", f"{org} {quarter}",
                                         [r["source"] for r in rows], [("monthly", y, org)])
            if "fedasil" in sums and "dvz" in sums:
                b.line("series.item_split", label=quarter, value=sums["total"],
                       fedasil=sums["fedasil"], dvz=sums["dvz"])
            else:
                b.line("series.item", label=quarter, value=sums["total"])

    @handles("extreme")
    def _extreme(self, b: Builder, query: Query, today: dt.date) -> None:
        period = self._periods(query)[0]
        org = (query.orgs or ("total",))[0]
        if query.grain == "quarter":
            self._extreme_quarter(b, query, period, org, today)
            return
        by_month = query.grain == "month" or (query.grain is None and period.single_year)
        if by_month:
            keys = [(y, m, org) for y, m in period.months() if (y, m, org) in self._month]
            if not keys:
                self.missing_reason(b, period, org, today)
                return
            values = {k: self._month[k]["returns"] for k in keys}
        else:
            years, skipped = self.ranked_years(period)
            if not years:
                self.missing_reason(b, period, org, today)
                return
            values = {y: self._year[y]["returns"] for y in years}
        best = (max if query.extreme == "max" else min)(values.values())
        winners = [k for k, v in values.items() if v == best]
        if by_month:
            rows = [self._month[k] for k in winners]
            labels = tuple(Period.month(y, m) for y, m, _ in winners)
            used = tuple(("monthly", y, org) for y, _, _ in winners)
            scope = Period(keys[0][:2], keys[-1][:2], period.kind)
        else:
            rows = [self._year[y] for y in winners]
            labels = tuple(winners)
            used = tuple(("yearly", y, "total") for y in winners)
            scope = Period.years(years[0], years[-1])
        value = b.figure(int(best), "count", query.extreme, [r["source"] for r in rows], used)
        grain = "month" if by_month else "year"
        b.line(f"extreme.{grain}_{query.extreme}", scope=scope, winners=labels, value=value, org=Ref("org", org))
        if query.checked:
            self._extreme_verdict(b, query.checked[0], values, best, by_month, org)
        if not by_month and skipped:
            b.line("extreme.partial_skipped", years=tuple(self.year_span(y) for y in skipped))

    def _extreme_verdict(self, b: Builder, checked: Period, values: dict, best: int, by_month: bool, org: str) -> None:
        """"was November the busiest month of 2020?": yes, or no and its own figure."""
        key = (*checked.start, org) if by_month else checked.first_year
        if key not in values:
            return
        row = self._month[key] if by_month else self._year[key]
        used = (("monthly", checked.first_year, org),) if by_month else (("yearly", checked.first_year, "total"),)
        b.line("extreme.check_yes" if values[key] == best else "extreme.check_no", checked=checked,
               value=b.figure(int(values[key]), "count", "checked", [row["source"]], used))

    def _extreme_quarter(self, b: Builder, query: Query, period: Period, org: str, today: dt.date) -> None:
        """The busiest or quietest quarter among those whose three months are published."""
        quarters = [Period.quarter(y, q) for y in range(period.first_year, period.last_year + 1) for q in range(1, 5)]
        found = {q: self.value(q, org) for q in quarters if q.start >= period.start and q.end <= period.end}
        complete = {q: v for q, v in found.items() if v is not None and v[3].months() == q.months()}
        if not complete:
            self.missing_reason(b, period, org, today)
            return
        best = (max if query.extreme == "max" else min)(v[0] for v in complete.values())
        winners = [q for q, v in complete.items() if v[0] == best]
        rows = tuple(r for q in winners for r in complete[q][2])
        value = b.figure(int(best), "count", query.extreme, [s for q in winners for s in complete[q][1]])
        scope = Period(min(complete).start, max(complete).end, period.kind)
        b.line(f"extreme.quarter_{query.extreme}", rows, scope=scope, winners=tuple(winners), value=value,
               org=Ref("org", org))
        partial = tuple(q for q, v in found.items() if v is not None and v[3].months() != q.months())
        if partial:
            b.line("extreme.quarters_incomplete", periods=partial)

    @handles("average")
    def _average(self, b: Builder, query: Query, today: dt.date) -> None:
        for period in self._periods(query):
            org = (query.orgs or ("total",))[0]
            per_year = query.grain == "year" or (query.grain is None and not period.single_year)
            if per_year:
                years, skipped = self.ranked_years(period)
                if not years:
                    self.missing_reason(b, period, org, today)
                    continue
                total = sum(self._year[y]["returns"] for y in years)
                src = [self._year[y]["source"] for y in years]
                b.line("average.year", period=Period.years(years[0], years[-1]),
                       avg=b.figure(total / len(years), "average", "per year", src),
                       total=b.figure(total, "count", "total", src, [("yearly", y, "total") for y in years]),
                       count=Num(len(years)))
                if skipped:
                    b.line("extreme.partial_skipped", years=tuple(self.year_span(y) for y in skipped))
                continue
            found = self.value(period, org)
            if found is None:
                self.missing_reason(b, period, org, today)
                continue
            value, src, rows, covered = found
            months = len(covered.months())
            b.line("average.month", period=covered, org=Ref("org", org),
                   avg=b.figure(value / months, "average", "per month", src),
                   total=b.figure(value, "count", "total", src, rows), count=Num(months))

    @staticmethod
    def _not_by_org(b: Builder, query: Query, key: str) -> None:
        """Countries and the profile are printed for both organisations together: a
        question about one of them gets that said first, then the joint figures."""
        if query.orgs:
            b.status = "no_data"
            b.line(key)

    @handles("top")
    def _top(self, b: Builder, query: Query, today: dt.date) -> None:
        years = [p.first_year for p in self._periods(query)]
        if any(not p.whole_years for p in query.periods):
            # "top 2 nationalities in June 2025": the lists are yearly; say so, then give the year's.
            b.status = "no_data"
            b.line("nodata.country_month", years=tuple(self.country_years))
        self._not_by_org(b, query, "nodata.country_org")
        if query.filled:
            others = [y for y in self.country_years if y != years[0]]
            b.line("resolved.latest_list", year=years[0], others=tuple(others))
        for year in years:
            if year not in self.country_years:
                b.status = "no_data"
                b.line("nodata.country_year", year=year, years=tuple(self.country_years))
                continue
            ranked = self._ranked[year]
            n = min(query.n or len(ranked), len(ranked))
            total = self._year[year]
            if query.rank:
                if query.rank > len(ranked):
                    b.status = "no_data"
                    b.line("top.capped", year=year, n=Num(len(ranked)))
                    continue
                b.line("top.rank", (("countries", year, "total"),), rank=query.rank, year=year,
                       basis=Ref("basis", self._basis[year]))
            else:
                b.line("top.head", (("countries", year, "total"),), n=Num(n), year=year,
                       basis=Ref("basis", self._basis[year]))
            for iso, row in ranked[query.rank - 1:query.rank] if query.rank else ranked[:n]:
                b.line("top.item", rank=int(row["rank"]), country=Ref("country", iso),
                       value=b.figure(int(row["returns"]), "count", iso, [row["source"]]),
                       share=b.figure(row["returns"] / total["returns"], "share", f"{iso} share",
                                      [row["source"], total["source"]]))
            if query.n and query.n > len(ranked):
                b.line("top.capped", year=year, n=Num(len(ranked)))
            if (year, "other") in self._country_rows and n == len(ranked):
                other = self._country_rows[(year, "other")]
                b.line("top.other", value=b.figure(other["returns"], "count", "other", [other["source"]]),
                       share=b.figure(other["returns"] / total["returns"], "share", "other share",
                                      [other["source"], total["source"]]))
            b.line("top.total", year=self.year_span(year),
                   value=b.figure(total["returns"], "count", "total", [total["source"]], [("yearly", year, "total")]))

    @handles("country")
    def _country(self, b: Builder, query: Query, today: dt.date) -> None:
        if query.periods and all(p.whole_years for p in query.periods):
            # "between 2020 and 2025": the years of the range that have a country list.
            years = [y for p in query.periods for y in range(p.first_year, p.last_year + 1)
                     if y in self.country_years or p.single_year]
        else:
            years = [p.first_year for p in query.periods] if query.periods else list(self.country_years)
        if not years and query.periods:
            b.status = "no_data"
            b.line("nodata.country_year", year=query.periods[0], years=tuple(self.country_years))
            return
        if any(not p.whole_years for p in query.periods):
            b.status = "no_data"
            b.line("nodata.country_month", years=tuple(self.country_years))
            return
        self._not_by_org(b, query, "nodata.country_org")
        found_any = False
        for iso in query.countries:
            for year in years:
                found_any |= self._country_year(b, query, iso, year)
        if query.total and len(query.countries) > 1:
            for year in years:
                rows = [self._country_rows.get((year, iso)) for iso in query.countries]
                if None not in rows:
                    b.line("country.sum", year=self.year_span(year), total=b.figure(
                        sum(r["returns"] for r in rows), "sum", f"countries {year}", [r["source"] for r in rows]))
        if not found_any:
            b.status = "no_data"
            b.examples = ("country",)

    @handles("share")
    def _share(self, b: Builder, query: Query, today: dt.date) -> None:
        if query.countries:
            self._country(b, query, today)
            return
        for period in self._periods(query):
            for org in query.orgs or ("dvz",):
                part, whole = self.value(period, org), self.value(period, "total")
                if part is None or whole is None or part[3] != whole[3]:
                    self.missing_reason(b, period, org, today)
                    continue
                b.line("share.org", org=Ref("org", org), period=whole[3],
                       share=b.figure(part[0] / whole[0] if whole[0] else 0, "share", f"{org} share", part[1] + whole[1]),
                       value=b.figure(part[0], "count", org, part[1], part[2]),
                       total=b.figure(whole[0], "count", "total", whole[1], whole[2]))

    def _country_year(self, b: Builder, query: Query, iso: str, year: int) -> bool:
        if year not in self.country_years:
            b.line("nodata.country_year", year=year, years=tuple(self.country_years))
            return False
        basis = Ref("basis", self._basis[year])
        count = len(self._ranked[year])
        if iso == "other":
            return self._other_countries(b, year, basis, count)
        row = self._country_rows.get((year, iso))
        if row is None:
            b.line("nodata.country_not_listed", (("countries", year, "total"),), country=Ref("country", iso),
                   year=year, basis=basis, n=Num(count))
            if (year, "other") in self._country_rows:
                other = self._country_rows[(year, "other")]
                b.line("nodata.country_other", (("countries", year, "total"),), year=year,
                       value=b.figure(other["returns"], "count", "other", [other["source"]]))
            return False
        total = self._year[year]
        share = b.figure(row["returns"] / total["returns"], "share", f"{iso} share", [row["source"], total["source"]])
        key = "share.country" if query.intent == "share" else "country.figure"
        b.line(key, (("countries", year, "total"),), country=Ref("country", iso), year=self.year_span(year),
               value=b.figure(row["returns"], "count", iso, [row["source"]]), rank=int(row["rank"]),
               n=Num(count), basis=basis, share=share,
               total=b.figure(total["returns"], "count", f"total {year}", [total["source"]]))
        return True

    def _other_countries(self, b: Builder, year: int, basis: Ref, count: int) -> bool:
        """"the other countries": the sheet's "Andere" row, where it prints one."""
        other = self._country_rows.get((year, "other"))
        if other is None:
            b.line("nodata.country_no_other", (("countries", year, "total"),), year=year, basis=basis, n=Num(count))
            return False
        total = self._year[year]
        b.line("country.other", (("countries", year, "total"),), year=self.year_span(year), n=Num(count), basis=basis,
               value=b.figure(other["returns"], "count", "other", [other["source"]]),
               share=b.figure(other["returns"] / total["returns"], "share", "other share",
                              [other["source"], total["source"]]),
               total=b.figure(total["returns"], "count", f"total {year}", [total["source"]]))
        return True

    @handles("categories")
    def _categories(self, b: Builder, query: Query, today: dt.date) -> None:
        if query.countries:
            # "undocumented people from Moldova": a cut the sheets do not make.
            b.status = "no_data"
            b.line("nodata.category_country", categories=tuple(self.category_years),
                   countries=tuple(self.country_years))
            return
        years = [p.first_year for p in self._periods(query)]
        if query.periods and any(not (p.whole_years and p.single_year) for p in query.periods):
            b.status = "no_data"
            b.line("nodata.categories_year", years=tuple(self.category_years))
            return
        self._not_by_org(b, query, "nodata.categories_org")
        for year in years:
            if year not in self.category_years:
                b.status = "no_data"
                b.line("nodata.categories_year", years=tuple(self.category_years))
                continue
            wanted = query.categories or CATEGORIES
            printed_total = self._total.get(("categories", year), {})
            has_counts = printed_total.get("returns") is not None
            used = (("categories", year, "total"),)
            if len(wanted) == 3:
                b.line("categories.head", used, year=self.year_span(year))
                used = ()
            for cat in wanted:
                row = self._category[(year, cat)]
                pct = b.figure(row["percent"] / 100, "percent", f"{cat} percent", [row["source"]])
                if has_counts:
                    value = b.figure(int(row["returns"]), "count", cat, [row["source"]])
                    total = b.figure(int(printed_total["returns"]), "count", "total", [printed_total["source"]])
                    key = "categories.item" if len(wanted) == 3 else "category.figure"
                    b.line(key, used, category=Ref("category", cat), value=value, pct=pct, total=total,
                           year=self.year_span(year))
                else:
                    key = "categories.item_pct" if len(wanted) == 3 else "category.figure_pct"
                    b.line(key, used, category=Ref("category", cat), pct=pct, year=self.year_span(year))
            if query.topic == "others" and len(wanted) > 1:
                self._categories_together(b, year, wanted, has_counts, printed_total)
            if not has_counts:
                b.line("categories.pct_only", year=year)
                if query.how_many:
                    b.status = "no_data"  # "how many undocumented migrants in 2025": only the share is printed

    def _categories_together(self, b: Builder, year: int, wanted, has_counts: bool, printed_total) -> None:
        rows = [self._category[(year, cat)] for cat in wanted]
        sources = [r["source"] for r in rows]
        if has_counts:
            value = sum(int(r["returns"]) for r in rows)
            b.line("categories.together", year=self.year_span(year),
                   value=b.figure(value, "sum", "together", sources),
                   total=b.figure(int(printed_total["returns"]), "count", "total", [printed_total["source"]]),
                   pct=b.figure(value / int(printed_total["returns"]), "share", "together share",
                                sources + [printed_total["source"]]))
        else:
            added = round(sum(r["percent"] for r in rows), 6)
            b.line("categories.together_pct", year=self.year_span(year),
                   pct=b.figure(added / 100, "percent_sum", "together percent", sources))

    @handles("info")
    def _info(self, b: Builder, query: Query, today: dt.date) -> None:
        """An information answer: its own lines from the data, then what the sheets say
        in words on the topic (statements.csv), then figures the topic calls for."""
        topic = query.topic
        about = getattr(self, f"_about_{topic}", None)
        if about is not None:
            about(b)
        elif topic in PLAIN_INFO:
            b.line(f"info.{topic}")
        # A statement about the topic itself comes before one that only bears on it.
        for row in sorted((r for r in self.statements if topic in r["topics"]), key=lambda r: r["topics"][0] != topic):
            self._statement(b, row)
        if topic == "covid":
            self._covid_years(b, query, today)
        if not b.lines:
            b.line("info.none")
        if query.how_many and not self._counted(topic, query.periods):
            # "how many Dublin departures in 2020?": the sheets say what it is, with no figure for it.
            b.status = "no_data"
            if topic != "breakdown":
                if query.periods:
                    b.line("info.no_count_period", period=query.periods[0])
                else:
                    b.line("info.no_count")

    def _counted(self, topic: str, periods: tuple[Period, ...]) -> bool:
        """Whether the sheets give a number for this topic (in one of these periods)."""
        years = {row["year"] for row in self.statements if topic in row["topics"] and row["returns"] is not None}
        return any(any(p.first_year <= y <= p.last_year for y in years) for p in periods) if periods else bool(years)

    def _about_breakdown(self, b: Builder) -> None:
        b.line("info.breakdown")
        self.coverage_line(b)

    def _statement(self, b: Builder, row: dict[str, Any]) -> None:
        params: dict[str, Any] = {}
        if row["year"] is not None:
            params["year"] = row["year"]
        if row["returns"] is not None:
            params["returns"] = b.figure(row["returns"], "count", row["id"], [row["ref"]])
            total = self._year.get(row["year"])
            if total is not None:
                params["total"] = b.figure(total["returns"], "count", f"total {row['year']}", [total["source"]])
        b.cite(row["ref"])
        b.line(f"statement.{row['id']}", **params)

    def _covid_years(self, b: Builder, query: Query, today: dt.date) -> None:
        """The year the remark is about beside the year before, as the sheet prints them."""
        for row in self.statements:
            year = row["year"]
            if "covid" in row["topics"] and year in self._year and year - 1 in self._year:
                self._compare(b, replace(query, intent="compare", periods=(Period.year(year), Period.year(year - 1))),
                              today)

    def _marked_years(self, mark: str) -> tuple[Period, ...]:
        """The yearly totals a mark stands on, as runs of years (2013-2025)."""
        return tuple(Period.years(first, last)
                     for first, last in year_runs(y for y, row in self._year.items() if row["marks"] == mark))

    def _about_fedasil(self, b: Builder) -> None:
        b.line("info.fedasil")

    def _about_dvz(self, b: Builder) -> None:
        b.line("info.dvz", years=tuple(self.split_years))

    def _about_dublin(self, b: Builder) -> None:
        note = next((f for f in self.dataset.footnotes if f["id"] == "dublin"), None)
        if note is not None and note["mark"]:
            b.cite(note["ref"])
            b.line("info.dublin", mark=note["mark"], years=self._marked_years(note["mark"]))

    def _about_marks(self, b: Builder) -> None:
        for note in self.dataset.footnotes:
            if note["mark"]:
                b.cite(note["ref"])
                b.line("info.mark", mark=note["mark"], years=self._marked_years(note["mark"]),
                       text=Ref("footnote", note["id"]))

    def _about_partial(self, b: Builder) -> None:
        partial = [y for y in self._year if self.partial(y)]
        for year in partial:
            span = self.year_span(year)
            b.cite(self._year[year]["source"])
            b.line("info.partial", year=year, span=span, rest=Period((year, span.end[1] + 1), (year, 12), "months"))
        if not partial:
            b.line("info.partial_none", last=self.last_year)

    def _about_sources(self, b: Builder) -> None:
        files = [s.file for s in self.dataset.sources.values() if s.file]
        publishers = tuple(dict.fromkeys(s.credit for s in self.dataset.sources.values() if s.file))
        for file in files:
            b.cite(file)
        b.line("info.sources", n=Num(len(files)), titles=tuple(Ref("title", f) for f in files), publisher=publishers)
        self.coverage_line(b)

    def _about_coverage(self, b: Builder) -> None:
        b.line("info.coverage")
        self.coverage_line(b)

    def _about_percent_sum(self, b: Builder) -> None:
        """A profile whose printed percentages do not add up to its printed total."""
        for (table, year), total in sorted(self._total.items()):
            if table != "categories" or total.get("percent") is None:
                continue
            rows = [(c, self._category[(year, c)]) for c in CATEGORIES if (year, c) in self._category]
            added = round(sum(r["percent"] for _, r in rows), 6)
            items = tuple(b.figure(r["percent"] / 100, "percent", f"{c} percent", [r["source"]]) for c, r in rows)
            key = "info.percent_sum" if added != total["percent"] else "info.percent_sum_equal"
            b.line(key, year=year, items=items,
                   added=b.figure(added / 100, "percent_sum", "sum of the percentages", [r["source"] for _, r in rows]),
                   printed=b.figure(total["percent"] / 100, "percent", "printed total", [total["source"]]))

    @handles("clarify")
    def _clarify(self, b: Builder, query: Query, today: dt.date) -> None:
        b.status = "clarify"
        if query.topic == "word":
            b.line("clarify.word", words=", ".join(query.unread))
            return
        if query.topic == "negation":
            b.line("clarify.negation", words=", ".join(query.unread))
            return
        if query.topic == "period":
            b.line("clarify.period" if query.unread else "clarify.anchor", words=", ".join(query.unread))
            self.coverage_line(b)
            return
        if query.topic == "vague_period":
            third = self.resolve(query).periods[0]
            b.line("clarify.vague_period", words=", ".join(query.unread),
                   period=Period(third.start, third.end, "range"))
            return
        lists = tuple(Ref("list_size", (len(self._ranked[y]), self._basis[y], y)) for y in self.country_years)
        b.line(f"clarify.{query.topic}", n=Num(query.n or 0), lists=lists)

    @handles("social")
    def _social(self, b: Builder, query: Query, today: dt.date) -> None:
        b.line(query.intent)

    @handles("unknown")
    def _unknown(self, b: Builder, query: Query, today: dt.date) -> None:
        b.status = "unknown"
        # Two kinds of "no": words not understood, or a topic that is not in the figures.
        b.line("unknown_words" if query.unread else "unknown", words=", ".join(query.unread))
        if query.topic:
            b.line(f"unknown_topic.{query.topic}")
        self.coverage_line(b)
        b.examples = ("count", "top")
