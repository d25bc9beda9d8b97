"""Request -> Answer: runs a question's program over the observations and says what it
finds, in lines of answers.toml with typed params; other acts (information, asking back,
not understood, greetings) get their own lines.

The program is first resolved (a period left open is filled with the latest the data
has for what is asked), then evaluated operator by operator (`evaluate`), then presented
by the shape of its answer: one figure, a list, a series, a comparison, a verdict.
Every figure keeps the observations it comes from, so its sources and footnotes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeGuard, TypeVar, cast

from . import registry
from .cube import CountryList, Cube, Entry, Fig
from .data import APPLICANTS_AND_REJECTED, Dataset, Observation, year_runs
from .entities import OFF_TOPIC, region_members
from .models import CATEGORIES, LANGS, ORGS, Answer, Figure, Line, Num, Period, Ref, nums_in
from .program import (
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
    periods_of,
    selects,
)

Obs = tuple[Observation, ...]
# A quoted figure checked as stated: the published value against the quoted one.
# "almost 3,000": at most that and within a tenth below it; "about 3,000": within a tenth either way.
CLAIMS: dict[str, Callable[[float, float], bool]] = {"eq": lambda value, quoted: value == quoted,
          "gt": lambda value, quoted: value > quoted, "ge": lambda value, quoted: value >= quoted,
          "lt": lambda value, quoted: value < quoted, "le": lambda value, quoted: value <= quoted,
          "almost": lambda value, quoted: 0.9 * quoted <= value <= quoted,
          "approx": lambda value, quoted: abs(value - quoted) <= 0.1 * quoted}
FIGURE_STYLES = {"percent": "printed_percent", "percent_sum": "printed_percent", "share": "percent", "change": "change",
                 "printed_change": "printed_change",
                 "average": "decimal", "ratio": "ratio"}
# The measures a question names, and those it is answered with: "families" are households in
# one release and the share of returnees who travelled as a family in another.
RELATED = {"families": ("families", "family_members")}
# What a list says of a country: nothing, its place only, or its count.
NOT_LISTED, RANKED, COUNTED = 0, 1, 2
# A country asked without a period: its figures in this many of the latest lists that name it.
LATEST_LISTS = 3
# A span of up to this many years is also given year by year ("the last three years").
MAX_PER_YEAR = 12
# Information topics answered by their answers.toml line alone (before any statements).
PLAIN_INFO = ("other_figures",)
# Information that answers a question the figures cannot: no figure, and said so (no_data).
UNCOUNTED_INFO = ("hypothetical", "region")
# Handlers that answer one program: a follow-up that made one per previous part ("lowest
# year" after "2012 and 2013", "in how many months...?" after a comparison) is answered part by part.
PER_PART = ("extreme", "compare", "listing", "average")


def _part_of_year(o: Observation) -> bool:
    """A figure over some months of one year (not one month, not the whole year)."""
    return o.start[0] == o.end[0] and o.start != o.end and not o.whole_year and o.unit != "change"


def _partial_id(o: Observation) -> str:
    return "partial_%s_%04d-%02d..%04d-%02d" % (o.source, *o.start, *o.end)


def _basis_id(o: Observation) -> str:
    return "basis_%s_%s" % (o.source, o.basis)


def _runs(years: list[int]) -> tuple[Period, ...]:
    """Years as periods of consecutive years: 2012-2025, not fourteen years one by one."""
    return tuple(Period.years(a, z) if z > a else Period.year(a) for a, z in year_runs(years))


def _org(s: Select) -> str:
    """The organisation a figure is counted through: the one named, else both ("total")."""
    return s.org if s.org in ("fedasil", "dvz") else "total"


# What Engine.value gives: a figure, its sources, its observations and the months it covers.
Value = tuple[int, list[str], Obs, Period]
T = TypeVar("T")


def _with_ties(entries: Sequence[Entry], n: int) -> list[Entry]:
    """The first n places, and those tied with the last of them ("the main destination in June
    2012": Brazil and Iraq, 60 each, joint first)."""
    shown = list(entries[:n])
    if shown and shown[-1].place is not None:
        shown += [e for e in entries[n:] if e.place == shown[-1].place]
    return shown


def _all_found(found: list[T | None]) -> TypeGuard[list[T]]:
    """Whether everything looked for was found."""
    return None not in found


def _when(s: Select) -> Period:
    """The period of a selection being answered: `resolve` fills every one left out (a country
    asked without one is answered by the lists that name it, which read s.period themselves)."""
    return cast(Period, s.period)


def _program(request: Request) -> Node:
    """The program of a request for figures, the only kind a handler of figures is given."""
    return cast(Node, request.program)


def _quoted(check: Check) -> float:
    """The figure a checked count or ratio quotes: registry.py checks them only against one."""
    return cast(float, check.value)


def _list_of(node: Node) -> Group:
    """The list a pick is made from: every pick is of one."""
    return cast(Group, inner(node, Group))


def _not_in_one_step(b: Builder) -> None:
    """A program the handlers cannot make in one step: asked back in two, never answered in part."""
    b.status = "clarify"
    b.line("clarify.nested_ops")


def _sides(node: Compare) -> tuple[Select, Select]:
    """The sides of a comparison, which are selections (registry.py and rules.merge make them so)."""
    return cast(Select, node.a), cast(Select, node.b)


# Publications listed when no year is asked; the others are asked for by year.
LATEST_SOURCES = 8
# Between the glossary entries of one "term:" topic ("term:destination+nationality").
TERM_SEPARATOR = "+"
# Beside the fact sheets, the publications "where can I find the fact sheet?" links to.
LATEST_WHERE = 3

# The measure an information topic is about, where the publications count it ("how many
# Dublin departures in 2017?": 205, release of 31 January 2018).
TOPIC_MEASURES = {"dublin": "dublin_departures", "bus": "bus_returns"}

# The engine's answer to each kind of request, by the handler name registry.py gives it.
# A handler adds the lines of its kind of answer to the builder.
Handler = Callable[["Engine", "Builder", Request, dt.date], None]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(method: Handler) -> Handler:
        HANDLERS[name] = method
        return method
    return register


class Builder:
    """Collects the lines, figures and observations of one answer."""

    def __init__(self, engine: Engine, request: Request):
        self.engine, self.request = engine, request
        self.lines: list[Line] = []
        self.figures: list[Figure] = []
        self.cited: list[str] = []
        self.status = "ok"
        self.examples: tuple[str, ...] = ()
        self.picked: tuple[Period, ...] = ()
        self.places: tuple[str, ...] = ()

    def line(self, key: str, obs: Obs | list[Observation] = (), **params: Any) -> None:
        self.lines.append(Line(key, params, tuple(obs)))

    def figure(self, value: float, kind: str, label: str, sources: list[str] | tuple[str, ...],
               obs: Obs | list[Observation] = (), of: Obs | list[Observation] = ()) -> Num:
        """A stated figure; `obs` (the observations it is made of) decide its footnotes. `of`
        names them where they must not mark the figure, so that the figure still carries the
        observations it is read or calculated from (for a table of the answer's figures)."""
        self.figures.append(Figure(value, kind, label, tuple(sources), tuple(obs or of)))
        return Num(value, FIGURE_STYLES.get(kind, "count"), tuple(obs))

    def fig(self, fig: Fig, label: str, kind: str = "count", notes: bool = True) -> Num:
        return self.figure(int(fig.value), kind, label, fig.refs, fig.obs if notes else (), fig.obs)

    def together(self, figs: Sequence[Fig], notes: bool = True) -> Num:
        """The sum of figures stated one by one before it, from the observations of each."""
        obs = tuple(o for f in figs for o in f.obs)
        return self.figure(sum(f.value for f in figs), "sum", "together", [o.ref for o in obs],
                           obs if notes else (), obs)

    def cite(self, source: str) -> None:
        """A publication the answer quotes words from, by its id in the register."""
        self.cited.append(source)

    def _place_notes(self, line: Line) -> tuple[Line, set[str]]:
        """A footnote marks the figures it governs. A mark at the end of a line governs
        every figure on it; a note that governs only some is marked on each of those.
        Returns the line marked, and every note it marks."""
        notes_for = self.engine.footnotes_for
        nums = [n for n in nums_in(tuple(line.params.values())) if n.rows]
        sets = [set(notes_for(n.rows)) for n in nums]
        common = set.intersection(*sets) if sets else set()
        of_line = set(notes_for(line.rows))
        ends = tuple(fid for fid in self.engine.footnote_ids if fid in common or fid in of_line)
        if all(notes == common for notes in sets):
            # no figure needs a mark of its own
            return (line if ends == line.notes else replace(line, notes=ends)), set(ends)

        def mark(value: Any) -> Any:
            if isinstance(value, Num) and value.rows:
                return replace(value, notes=tuple(f for f in notes_for(value.rows) if f not in common))
            if isinstance(value, tuple):
                return tuple(mark(item) for item in value)
            return value
        return replace(line, params={k: mark(v) for k, v in line.params.items()}, notes=ends), \
            set(ends).union(*sets)

    def answer(self) -> Answer:
        placed = [self._place_notes(line) for line in self.lines]
        order = self.engine.footnote_ids
        ids: list[str] = []
        for _, used in placed:
            ids.extend(fid for fid in order if fid in used and fid not in ids)
        lines = [line for line, _ in placed]
        used = {self.engine.source_of[ref] for fig in self.figures for ref in fig.sources} | set(self.cited)
        sources = tuple(sid for sid in self.engine.dataset.sources if sid in used)
        request = replace(self.request, picked=self.picked, places=self.places) \
            if self.picked or self.places else self.request
        return Answer(self.status, request, tuple(lines), tuple(self.figures), tuple(ids), sources,
                      self.examples)


@dataclass(frozen=True)
class Items:
    """A list: its members' figures in order, the months it spans, and the observations
    that say what it is (a country list's rows)."""

    items: tuple[Fig, ...]
    scope: Period
    obs: Obs = ()


class Engine:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.cube = Cube(dataset)
        c = self.cube
        self.first_year, self.last_year = c.first_year, c.last_year
        self.years = sorted(c.years())
        self.months = sorted(c.months())
        self.monthly_years = c.monthly_years
        self.split_spans = c.split_spans
        self.country_years = c.country_years
        self.category_years = c.category_years
        # Figures over part of a year ("January-September 2025") carry a note that says so,
        # made from the observation: no coverage fact is written anywhere else.
        self.partials = {_partial_id(o): (o.source, Period(o.start, o.end, "months"))
                         for o in sorted(dataset.observations, key=lambda o: (o.start, o.end)) if _part_of_year(o)}
        # A country list says what it counts (destination, nationality, origin): also made from the data.
        self.bases = {_basis_id(o): (o.source, o.basis, Period(o.start, o.end, "months"))
                      for o in sorted(dataset.observations, key=lambda o: (o.start, o.end))
                      if o.basis is not None and o.unit in ("count", "rank")}
        self.footnote_ids = [f["id"] for f in dataset.footnotes] + list(self.partials) + list(self.bases)
        self._notes: dict[tuple[str, str, int, str, str], frozenset[str]] = {}
        self._notes_of: dict[tuple[int, ...], list[str]] = {}  # by the observations' identities (they live as long)
        self._note_order = {fid: i for i, fid in enumerate(self.footnote_ids)}
        self.footnote_text = {f["id"]: {lang: f[lang] for lang in LANGS} for f in dataset.footnotes}
        # What a caveat says its figures leave out ("dublin"): a question leaving it out is answered by them.
        self.leaves_out = {f["id"]: f["leaves_out"] for f in dataset.footnotes if f["leaves_out"]}
        # Where each figure and statement was read -> the publication's id.
        self.source_of = {o.ref: o.source for o in dataset.observations}
        self.source_of.update({row["ref"]: row["source"] for row in (*dataset.statements, *dataset.footnotes)})
        self.statement_text = {s["id"]: {lang: s[lang] for lang in LANGS} for s in dataset.statements}
        self.statements = dataset.statements
        # Of a figure used, what other publications give for it where they differ ("3000" in a headline).
        self.disputed: dict[int, list[Observation]] = {}
        for old, new in dataset.disagreements:
            self.disputed.setdefault(new.row, []).append(old)

    # ---- coverage -------------------------------------------------------------------
    def year_span(self, year: int) -> Period:
        """The months a year's published total covers (2025: January-September)."""
        return self.cube.span(year)

    def partial(self, year: int) -> bool:
        return self.cube.partial(year)

    def coverage_line(self, b: Builder) -> None:
        monthly = tuple(self.cube.month_span(y) for y in self.monthly_years)
        b.line("coverage", first=self.first_year, last=self.last_year, monthly=monthly,
               countries=_runs(self.country_years), categories=_runs(self.category_years))

    def ranked_years(self, period: Period) -> tuple[list[int], list[int]]:
        """The years of a period that can be ranked or averaged, and the partial ones
        left out (2025 would otherwise look like a low year)."""
        years = [y for y in range(period.first_year, period.last_year + 1) if y in self.cube.years()]
        skipped = [y for y in years if self.partial(y)] if len(years) > 1 else []
        return [y for y in years if y not in skipped], skipped

    def footnotes_for(self, obs: Obs) -> list[str]:
        """The notes governing any of the observations, in footnotes.csv order (memoised: an
        answer asks it of the same observations for every figure and line)."""
        key = tuple(id(o) for o in obs)
        notes = self._notes_of.get(key)
        if notes is None:
            notes = self._notes_of[key] = self._footnotes_for(obs)
        return notes

    def _footnotes_for(self, obs: Obs) -> list[str]:
        found: set[str] = set()
        for o in obs:
            key = (o.measure, o.table, o.year, o.org, o.source)
            notes = self._notes.get(key)
            if notes is None:
                # Kinds of figures (measure, kind, year, organisation, publication) are few: each is matched once.
                notes = self._notes[key] = frozenset(
                    fid for fid in self.dataset.selectors if any(s.matches(o) for s in self.dataset.selectors[fid]))
            found |= notes
            if _part_of_year(o):
                found.add(_partial_id(o))
            if o.basis is not None and o.unit in ("count", "rank"):
                found.add(_basis_id(o))
        return sorted(found, key=self._note_order.__getitem__)

    # ---- resolving what the parser left open ------------------------------------------
    def resolve(self, program: Node) -> Node:
        """Fill a left-out period: the latest the data has for what was asked (a year with
        a country list for a list, months for a month); "ever" and "until" from where the
        figures start. A comparison over one span of years ("since 2019") compares its ends."""
        intent = intent_of(program)
        if isinstance(program, Compare):
            return self._resolve_compare(program, intent)
        if isinstance(program, Check) and isinstance(program.of, Compare):
            return replace(program, of=self._resolve_compare(program.of, intent))
        whole_span = self._whole_span(program, intent)
        return map_selects(program, lambda s: self._resolve_select(s, intent, whole_span))

    def _whole_span(self, program: Node, intent: str) -> bool:
        group = inner(program, Group)
        grain = group.by if group is not None else None
        ever = any(s.period is not None and s.period.anchor == "all" for s in selects(program))
        # "which years had more than 4,000?": every period published, not the latest
        return intent in ("filter", "count_of") \
            or intent in ("extreme", "series", "average") and (grain != "month" or ever)

    def _resolve_select(self, s: Select, intent: str, whole_span: bool) -> Select:
        p = s.period
        if p is not None and p.anchor == "monthly":
            # the months of the year that have monthly figures (2025: January-September)
            months = [ym for ym in self.cube.months() if ym[0] == p.first_year]
            span = Period(min(months), max(months), "range") if months else Period(p.start, p.end, p.kind)
            return replace(s, period=span)
        if p is not None and p.anchor == "first":
            return replace(s, period=Period((min(self.first_year, p.last_year), 1), p.end,
                                            "years" if p.end[1] == 12 else "range"))
        if p is not None and p.anchor == "all":
            p = None
        if p is not None and not p.open:
            return s
        if p is None and intent in ("country", "share") and s.country is not None:
            return s  # a country without a period: every list that has it
        if p is None:
            if whole_span:
                return replace(s, period=Period.years(self.first_year, self.last_year), filled=True)
            return replace(s, period=Period.year(self.latest_year_for(intent, s)), filled=True)
        if intent in ("top", "country", "share", "categories"):
            # Per-country and profile figures are yearly: the month cannot be kept.
            return replace(s, period=Period.year(self.latest_year_for(intent, s)), filled=True)
        year = self.cube.latest_with_months([m for _, m in p.months()]) or self.monthly_years[-1]
        return replace(s, period=p.with_year(year), filled=True)

    def _resolve_compare(self, node: Compare, intent: str) -> Compare:
        a, b = node.a, node.b
        if isinstance(a, Select) and isinstance(b, Select):
            if a.period is not None and b.period is None and a.org == b.org and not a.period.single_year:
                years, _ = self.ranked_years(a.period)
                if len(years) > 1:
                    return replace(node, a=replace(a, period=Period.year(years[-1])),
                                   b=replace(b, period=Period.year(years[0])))
            if b.period is None and a.org == b.org:
                return replace(node, a=self._resolve_select(a, intent, False))  # one side only: asked back
        # map_selects keeps every operator, so a comparison stays one
        return cast(Compare, map_selects(node, lambda s: self._resolve_select(s, intent, False)))

    def _latest_listing(self, isos: list[str]) -> int | None:
        """The latest year whose lists name one of these countries."""
        return max((y for y in self.country_years for lst in self.cube.country_lists(y)
                    if any(lst.entry(iso) is not None for iso in isos)), default=None)

    def latest_year_for(self, intent: str, s: Select | None = None) -> int:
        if intent == "measure" and s is not None:
            measures = RELATED.get(s.measure, (s.measure,))
            years = [o.year for o in self.dataset.observations if o.measure in measures and o.whole_year]
            if years:
                return max(years)
        if intent in ("top", "country", "share") and (intent == "top" or (s is not None and s.country)):
            return self.country_years[-1]
        if intent == "categories":
            return self.category_years[-1]
        return self.last_year

    def resolve_period(self, period: Period) -> Period:
        """An open period placed in the latest year that has its months."""
        if not period.open:
            return period
        year = self.cube.latest_with_months([m for _, m in period.months()]) or self.monthly_years[-1]
        return period.with_year(year)

    # ---- figures ----------------------------------------------------------------------
    def value(self, period: Period, org: str) -> tuple[int, list[str], Obs, Period] | None:
        """Returns for a period and organisation ('total' for both), with its sources,
        observations and the period actually covered (clipped to what is published); None
        when the data does not hold it, or holds it only with gaps that would skew a sum."""
        fig = self.cube.figure(period, org)
        if fig is None:
            return None
        return int(fig.value), fig.refs, fig.obs, fig.period

    def split(self, period: Period, covered: Period) -> list[Value] | None:
        """Fedasil's and DVZ's parts of a total, only when both cover exactly what the
        total covers (a range reaching into 2019 has a total but no split)."""
        parts = [self.value(period, org) for org in ("fedasil", "dvz")]
        if all(p is not None and p[3] == covered for p in parts):
            return cast(list[Value], parts)  # both found, as the condition says
        return None

    def missing_reason(self, b: Builder, period: Period, org: str, today: dt.date) -> None:
        """Say why a period has no figure, and what the data holds instead."""
        b.status = "no_data"
        years = self.cube.years()
        if period.start > (today.year, today.month) or period.first_year > self.last_year:
            b.line("nodata.future", period=period)
        elif org != "total" and (total := self.value(period, "total")) is not None:
            b.line("nodata.org_split", period=total[3], org=Ref("org", org),
                   years=self.split_spans, total=b.figure(total[0], "count", "total", total[1], total[2]))
            return
        elif period.single_year and period.first_year in years:
            year = period.first_year
            published = years[year]
            figure = b.figure(published.value, "count", "total", [published.ref], (published,))
            if year in self.monthly_years:
                b.line("nodata.unpublished", period=period, span=self.year_span(year), total=figure)
            else:
                b.line("nodata.no_monthly", year=year, total=figure)
            return
        elif any(ym in self.cube.months(org) for ym in period.months()):
            b.line("nodata.gap", period=period)
        else:
            b.line("nodata.period", period=period)
        self.coverage_line(b)

    # ---- evaluation: the operators over lists -------------------------------------------
    def evaluate(self, node: Node) -> Items | Fig | None:
        """A list node's members with their figures, or a figure; None when the data does
        not hold it."""
        if isinstance(node, Group):
            return self._group(node)
        if isinstance(node, Pick):
            items = self.evaluate(node.of)
            if not isinstance(items, Items):
                return None
            return replace(items, items=_pick(items.items, node))
        if isinstance(node, Where):
            items = self.evaluate(node.of)
            if not isinstance(items, Items):
                return None
            return replace(items, items=tuple(f for f in items.items if CLAIMS[node.relation](f.value, node.value)))
        if isinstance(node, Without):
            items = self.evaluate(node.of)
            if not isinstance(items, Items):
                return None
            return replace(items, items=tuple(f for f in items.items if f.member not in node.members))
        if isinstance(node, Select):
            return self.cube.figure(node.period, _org(node)) if node.period is not None else None
        return None

    def _country_list(self, period: Period) -> CountryList | None:
        """A year's list, or the list published over exactly the months asked ("January-September 2025")."""
        return self.cube.country_list(period.first_year) if period.whole_years \
            else next(iter(self.cube.lists_for(period)), None)

    def _group(self, node: Group) -> Items | None:
        s = node.of
        period, org = s.period, _org(s)
        if period is None:
            return None
        by = node.by or ("month" if period.single_year else "year")
        if by == "year":
            years, _ = self.ranked_years(period)
            known = self.cube.years(org)
            figs = tuple(Fig(known[y].value, self.year_span(y), (known[y],), y) for y in years if y in known)
        elif by == "month":
            monthly = self.cube.months(org)
            figs = tuple(Fig(monthly[ym].value, Period.month(*ym), (monthly[ym],), Period.month(*ym))
                         for ym in period.months() if ym in monthly)
        elif by in ("quarter", "half"):
            make, per_year = (Period.quarter, 4) if by == "quarter" else (Period.half, 2)
            units = [make(y, i) for y in range(period.first_year, period.last_year + 1) for i in range(1, per_year + 1)]
            found = [(u, self.cube.figure(u, org)) for u in units if period.start <= u.start and u.end <= period.end]
            figs = tuple(Fig(f.value, u, f.obs, u)
                         for u, f in found if f is not None and f.period.months() == u.months())
        elif by == "country":
            lst = self._country_list(period)
            if lst is None:
                return None
            figs = tuple(Fig(o.value, lst.period, (o,), o.country) for o in lst.counted if o.exact)
            return Items(figs, lst.period, lst.obs())
        else:
            profile = self.cube.profile(period.first_year)
            if profile is None or not profile.counts:
                return None
            figs = tuple(Fig(profile.counts[c].value, profile.period, (profile.counts[c],), c) for c in CATEGORIES)
            return Items(figs, profile.period)
        if not figs:
            return None
        return Items(figs, Period(figs[0].period.start, figs[-1].period.end, period.kind))

    # ---- requests ---------------------------------------------------------------------
    def run(self, request: Request, today: dt.date) -> Answer:
        if request.program is not None:
            resolved = self.resolve(request.program)
            guessed = any(r.filled and not a.filled for a, r in zip(selects(request.program), selects(resolved)))
            unnamed = [s.country for s in selects(request.program) if s.country and s.period is None and not s.filled]
            listed = self._latest_listing(unnamed) if intent_of(request.program) == "country" else None
            if listed is not None:
                # "how many Brazilians?": which year's list is the user's to say (one that names them)
                resolved = map_selects(resolved, lambda s: replace(s, period=Period.year(listed), filled=True))
                guessed = True
            if intent_of(request.program) in ("count", "country") and guessed:
                # "how many?", "how many in November?": a count for a period the user did not
                # name would answer another question; asked back, the latest offered
                request = Request("clarify", topic="which_period", periods=periods_of(resolved)[:1],
                                  program=resolved)  # kept: "2019" or "and in 2019?" answers it
            else:
                request = replace(request, program=resolved)
        b = Builder(self, request)
        self._handle(b, request, today)
        if not b.lines:
            # a program no handler finds anything to say for is asked back, never an empty answer
            b.status = "clarify"
            b.line("clarify.nothing")
        if request.topic == "why" and request.program is not None and b.status in ("ok", "no_data"):
            # "why did returns drop in 2020?": the figures, then the reasons given for them
            self._reasons(b, periods_of(request.program), {s.country for s in selects(request.program)}, today)
        if request.ignored and b.status in ("ok", "no_data"):
            b.line("note.ignored", words=", ".join(request.ignored))
        answer = b.answer()
        if request.left_out and not set(request.left_out) <= {self.leaves_out.get(f) for f in answer.footnotes}:
            # "2010 without the Dublin departures": figures whose caveats do not leave them out cannot be made so
            return self.run(Request("clarify", topic="negation", unread=request.left_out), today)
        return answer

    def _handle(self, b: Builder, request: Request, today: dt.date) -> None:
        name = registry.handler_of(request)
        if name in PER_PART and isinstance(request.program, Each):
            for part in request.program.parts:
                self._handle(b, replace(request, program=part), today)
            return
        HANDLERS[name](self, b, request, today)

    def _announce(self, b: Builder, s: Select) -> None:
        if s.filled:
            period = _when(s)
            key = "resolved.latest_month" if not period.whole_years else "resolved.latest_year"
            found = self.value(period, "total")
            b.line(key, period=found[3] if found else period)

    @handles("count")
    def _count(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        check = node if isinstance(node, Check) else None
        if check is not None:
            node = check.of
        if isinstance(node, Less):
            if node.parts[0].country is not None:
                self._count_except_countries(b, node)
            else:
                self._count_except(b, node, today)
            return
        total = isinstance(node, Total)
        leaves = selects(node)
        span = Period.joined([_when(s) for s in leaves]) if total and len({_org(s) for s in leaves}) == 1 else None
        if span is not None and any(self.value(_when(s), _org(s)) is None for s in leaves):
            # "okt, nov en dec 2025 samen": months the publications do not give, added up, are their span,
            # which may be derived from what they give (the year less January-September)
            total, leaves = False, [replace(leaves[0], period=span)]
        if request.reading == "asylum_people" and not self._profiled_years(leaves):
            # "asylum seekers in March 2020": the applicants for international protection are counted
            # only in the yearly profile; that is said first, and all returnees only offered
            b.status = "no_data"
            b.line("reading.asylum_people_none", years=_runs(self.category_years))
        for s in leaves:
            self._announce(b, s)
            period = _when(s)
            both = s.org == "both"
            org = _org(s)
            found = self.value(period, org)
            if found is None:
                self.missing_reason(b, period, org, today)
                continue
            value, sources, obs, covered = found
            if len(obs) == 2 and obs[0].start <= period.start and period.end <= obs[0].end \
                    and obs[0].end >= obs[1].end and cast(Fig, self.cube.figure(period, org)).derived:  # found above
                self._derived(b, period, org, obs)
                continue
            fig = b.figure(value, "count", f"{org} {covered.to_json()['start']}..{covered.to_json()['end']}", sources,
                           obs)
            split = self.split(period, covered) if org == "total" else None
            if split:
                fedasil, dvz = split
                b.line("count.split", period=covered, total=fig,
                       fedasil=b.figure(fedasil[0], "count", "fedasil", fedasil[1], fedasil[2]),
                       dvz=b.figure(dvz[0], "count", "dvz", dvz[1], dvz[2]))
            elif org == "total":
                b.line("count.total", period=covered, total=fig)
            else:
                b.line("count.org", period=covered, value=fig, org=Ref("org", org))
            if org == "total" and not split and both:
                b.status = "no_data"
                b.line("count.no_split", period=covered, years=self.split_spans)
            if covered != period and period.kind != "since":
                # the figure asked for is not published: what is, for part of it, is shown as such
                b.status = "no_data"
                b.line("count.clipped", period=period, covered=covered)
            if len(obs) == 1:
                self._disputed(b, obs[0])
            elif (printed := self.cube.printed_count(covered, org)) is not None and printed.value != value:
                # a sum of years beside the total a publication printed for the span, on another footing
                b.line("count.disputed", source=Ref("source", printed.source), value=replace(
                    b.figure(printed.value, "count", "also published", [printed.ref], of=(printed,)),
                    qualifier=printed.qualifier))
            if check is not None and check.relation != "eq":
                holds = CLAIMS[check.relation](value, _quoted(check))
                b.line("count.claim_true" if holds else "count.claim_false", quoted=Num(int(_quoted(check))),
                       value=Num(value), relation=Ref("relation", check.relation))
            elif check is not None:
                b.line("count.quoted_same" if check.value == value else "count.quoted_other",
                       quoted=Num(int(_quoted(check))), value=Num(value))
            if s.filled and period.single_month:
                self._other_years(b, period)
            if org == "total" and period.whole_years and period.single_year and covered == period:
                self._part_of_year(b, period.first_year, obs)
            if period.whole_years and 1 < period.last_year - period.first_year + 1 <= MAX_PER_YEAR:
                self._per_year(b, period, org)
        # several periods asked ("June, July and August 2019"): each, then together
        if total or (isinstance(node, Each) and len({_org(s) for s in leaves}) == 1):
            self._sum(b, [self.value(_when(s), _org(s)) for s in leaves])
        if request.reading == "asylum_people" and self._profiled_years(leaves):
            self._asylum_reading(b, leaves, today)

    def _disputed(self, b: Builder, o: Observation) -> None:
        """Another publication's figure for the same thing, where it differs: named, not used."""
        for old in self.disputed.get(o.row, ()):
            value = replace(b.figure(old.value, "count", "also published", [old.ref], of=(old,)),
                            qualifier=old.qualifier)
            b.line("count.disputed", source=Ref("source", old.source), value=value)

    def _derived(self, b: Builder, period: Period, org: str, obs: Obs) -> None:
        """A period no publication gives, calculated from two that are published."""
        whole, part = obs
        b.line("count.derived", period=period, org=Ref("org", org),
               value=b.figure(whole.value - part.value, "difference", "whole less part", [whole.ref, part.ref],
                              of=(whole, part)),
               whole=b.figure(whole.value, "count", "whole", [whole.ref], (whole,)),
               part=b.figure(part.value, "count", "part", [part.ref], (part,)),
               whole_period=Period(whole.start, whole.end, "months"),
               part_period=Period(part.start, part.end, "months"),
               whole_source=Ref("source", whole.source), part_source=Ref("source", part.source))

    def _part_of_year(self, b: Builder, year: int, shown: Obs) -> None:
        """Beside a whole year's figure, another publication's figure over part of it, with
        the detail that one gives (the fact sheet's January-September, split by organisation)."""
        part, split = self._part_split(year, shown)
        if part is None:
            return
        period = Period(part.start, part.end, "months")
        total = b.figure(part.value, "count", "part of the year", [part.ref], (part,))
        if split:
            fedasil, dvz = split
            b.line("count.part_split", period=period, source=Ref("source", part.source), total=total,
                   fedasil=b.figure(fedasil.value, "count", "fedasil", [fedasil.ref], (fedasil,)),
                   dvz=b.figure(dvz.value, "count", "dvz", [dvz.ref], (dvz,)))
        else:
            b.line("count.part", period=period, source=Ref("source", part.source), total=total)

    def _part_split(self, year: int, shown: Obs) -> tuple[Observation | None, Obs]:
        """Another publication's total over part of a year, and its split by organisation
        when the same publication gives one."""
        parts = [o for o in self.cube.parts_of_year(year) if o.source not in {x.source for x in shown}]
        if not parts:
            return None, ()
        part = parts[0]
        split = [self.cube.cells.get(("returns", part.start, part.end, org, None, None, "count", None)) for org in ORGS]
        # all found, as the condition says
        return part, tuple(cast(list[Observation], split)) if all(o is not None and o.source == part.source
                                                                  for o in split) else ()

    def _sum(self, b: Builder, found: list[Value | None]) -> None:
        """Several periods added up, when each is published and none overlaps another."""
        spans = sorted(f[3] for f in found if f is not None)
        if len(found) < 2 or not _all_found(found) or any(a.end >= b_.start for a, b_ in zip(spans, spans[1:])):
            return
        b.line("count.sum", total=b.figure(sum(f[0] for f in found), "sum", "sum of the periods",
                                           [s for f in found for s in f[1]], of=[o for f in found for o in f[2]]))

    def _profiled_years(self, leaves: list[Select]) -> list[int]:
        """The years asked whose profile counts the applicants for international protection."""
        return [_when(s).first_year for s in leaves
                if _when(s).whole_years and _when(s).single_year and _when(s).first_year in self.category_years]

    def _asylum_reading(self, b: Builder, leaves: list[Select], today: dt.date) -> None:
        """The second reading of "asylum seekers": the applicants for international protection."""
        b.line("reading.asylum_people", years=_runs(self.category_years))
        for year in self._profiled_years(leaves):
            self._categories(b, Request("figures", Select(Period.year(year), category="applicants")), today)

    def _count_except(self, b: Builder, node: Less, today: dt.date) -> None:
        """One period less others inside it ("2025 except March"): both must be published."""
        period = _when(node.whole)
        org = _org(node.whole)
        whole = self.value(period, org)
        parts = [self.value(_when(p), org) for p in node.parts]
        inside = all(_when(p).start >= period.start and _when(p).end <= period.end for p in node.parts)
        if whole is None or not inside or not _all_found(parts):
            self.missing_reason(b, period if whole is None else _when(node.parts[0]), org, today)
            return
        minus = sum(p[0] for p in parts)
        obs = tuple(whole[2]) + tuple(o for p in parts for o in p[2])
        excluded = tuple(p[3] for p in parts)
        b.line("count.except" if org == "total" else "count.except_org", obs, period=whole[3], org=Ref("org", org),
               excluded=excluded[0] if len(excluded) == 1 else excluded,
               value=b.figure(whole[0] - minus, "difference", f"{org} less excluded",
                              list(whole[1]) + [s for p in parts for s in p[1]], of=obs),
               total=b.figure(whole[0], "count", org, whole[1], of=whole[2]),
               minus=b.figure(minus, "count", "excluded", [s for p in parts for s in p[1]],
                              of=[o for p in parts for o in p[2]]))

    def _count_except_countries(self, b: Builder, node: Less) -> None:
        """A year's total less some countries of its list ("2020, other than Brazil"), all
        from the publication that prints the list."""
        period = _when(node.whole)
        year = period.first_year
        # a year's lists, or the list over exactly the months asked ("January-September 2025")
        lists = self.cube.country_lists(year) if period.whole_years else self.cube.lists_for(period)
        if not lists or (period.whole_years and not period.single_year):
            b.status = "no_data"
            b.line("nodata.country_year" if period.whole_years else "nodata.country_month",
                   year=period, years=self._list_years())
            return
        self._not_by_org(b, node.whole, "nodata.country_org")
        isos = [cast(str, p.country) for p in node.parts]  # the countries left out
        countries = tuple(Ref("country", iso) for iso in isos)
        counts = [self._counts_in(lst, isos) for lst in lists]
        usable = next((i for i, found in enumerate(counts) if found is not None), None)
        if usable is None:
            for iso in isos:
                self._country_year(b, "country", iso, year)
            b.status = "no_data"
            return
        # A list before it that does not count them (a release's ranking) is named, not skipped silently.
        for lst in lists[:usable]:
            b.cite(lst.source)
            b.line("count.except_uncounted", lst.obs()[:1], source=Ref("source", lst.source), period=lst.period,
                   countries=countries[0] if len(countries) == 1 else countries)
        # the first list that counts them all
        lst, (rows, total) = lists[usable], cast(tuple[list[Observation], Observation], counts[usable])
        if lst.period.months() != period.months():
            b.status = "no_data"  # "all of 2025 but Brazil": the part of the year a list counts, offered, no answer
        minus = sum(int(r.value) for r in rows)
        sources = [total.ref] + [r.ref for r in rows]
        b.line("count.except_countries", lst.obs()[:1], period=lst.period,
               countries=countries[0] if len(countries) == 1 else countries, basis=Ref("basis", lst.basis),
               value=b.figure(int(total.value) - minus, "difference", "total less countries", sources,
                              of=[total, *rows]),
               total=b.figure(int(total.value), "count", f"total {year}", [total.ref], of=(total,)),
               minus=b.figure(minus, "count", "countries", [r.ref for r in rows], of=rows))

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
        months = self.cube.months()
        for year in reversed(self.monthly_years):
            if year != period.first_year and (year, month) in months:
                o = months[(year, month)]
                items.append((Period.month(year, month),
                              b.figure(o.value, "count", f"total {year}-{month:02d}", [o.ref], (o,))))
        if items:
            b.line("count.other_years", items=tuple(items))

    # ---- compare ----------------------------------------------------------------------
    @handles("compare")
    def _compare(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        check = node if isinstance(node, Check) else None
        if check is not None:
            node = check.of
        if not isinstance(node, Compare):
            # comparisons one per period, or summed: not a program these figures answer in one step
            _not_in_one_step(b)
            return
        self._compare_sides(b, node, today, check)

    def _compare_sides(self, b: Builder, node: Compare, today: dt.date, check: Check | None = None) -> None:
        if isinstance(node.a, Compare) and isinstance(node.b, Compare):
            self._compare_changes(b, node.a, node.b, today)
            return
        if isinstance(node.a, Pick) and isinstance(node.b, Pick):
            self._compare_picks(b, node.a, node.b, today)
            return
        if not (isinstance(node.a, Select) and isinstance(node.b, Select)):
            _not_in_one_step(b)
            return
        a, c = _sides(node)
        if a.category is not None and c.category is not None:
            self._compare_categories(b, a, c, today, times=node.times)
            return
        if a.measure != "returns" or c.measure != "returns":
            self._compare_measures(b, a, c, today)
            return
        if a.country is not None or c.country is not None:
            self._compare_countries(b, node, today)
            return
        if a.period is None or c.period is None:
            b.status = "clarify"
            b.line("clarify.compare")
            return
        sides = [(a.period, _org(a)), (c.period, _org(c))]
        if sides[0] == sides[1]:
            b.status = "clarify"
            same = self.value(*sides[0])
            if same:
                b.line("clarify.same_period", period=same[3],
                       total=b.figure(same[0], "count", "total", same[1], same[2]))
            else:
                b.line("clarify.compare")
            return
        named_first = sides[0][0]
        # Newest first, as a reader expects "2020 against 2019".
        if sides[0][0] < sides[1][0]:
            sides.reverse()
        found = [self.value(p, o) for p, o in sides]
        if not _all_found(found):
            p, o = sides[found.index(None)]
            self.missing_reason(b, p, o, today)
            return
        values, note, part = self._like_for_like(sides, found, narrow=not (a.whole or c.whole))
        (av, a_src, a_obs, a_cov), (cv, c_src, c_obs, c_cov) = values
        diff = av - cv
        key = f"compare.{_direction(diff)}"
        if sides[0][1] != sides[1][1]:
            # "DVZ in August 2025 against Fedasil in January 2025": each side says its period too
            key = key.replace("compare.", "compare_orgs." if sides[0][0] == sides[1][0] else "compare_cross.")
        elif sides[0][1] != "total":
            key = key.replace("compare.", "compare_org.")
        pct = b.figure(diff / cv, "change", "difference", a_src + c_src, of=(*a_obs, *c_obs)) if cv else None
        b.line(key, a=b.figure(av, "count", "first", a_src, a_obs), b=b.figure(cv, "count", "second", c_src, c_obs),
               pa=a_cov, pb=c_cov, oa=Ref("org", sides[0][1]), ob=Ref("org", sides[1][1]),
               diff=b.figure(abs(diff), "difference", "difference", a_src + c_src, of=(*a_obs, *c_obs)),
               pct=pct or Num(0, "change"))
        if note:
            b.line(note, partial=part)
        self._published_change(b, a_cov, c_cov, sides[0][1] if sides[0][1] == sides[1][1] else None)
        if node.times and sides[0][1] != sides[1][1]:
            self._times(b, "compare_orgs.times", (av, a_src, a_obs, Ref("org", sides[0][1])),
                        (cv, c_src, c_obs, Ref("org", sides[1][1])))
        elif node.times:
            self._times(b, "compare.times", (av, a_src, a_obs, a_cov), (cv, c_src, c_obs, c_cov))
        if check is not None and check.ratio and av and cv:
            first_named_newer = named_first == sides[0][0]
            top, bottom = ((av, a_src), (cv, c_src)) if check.ratio == "change" or first_named_newer \
                else ((cv, c_src), (av, a_src))
            ratio = top[0] / bottom[0]
            holds = CLAIMS[check.relation](ratio, _quoted(check))
            b.line("compare.ratio_true" if holds else "compare.ratio_false",
                   ratio=b.figure(ratio, "ratio", "ratio", top[1] + bottom[1], of=(*a_obs, *c_obs)),
                   n=Num(_quoted(check), "ratio"),
                   relation=Ref("relation", check.relation))

    def _compare_categories(self, b: Builder, a: Select, c: Select, today: dt.date, times: bool = False) -> None:
        """"How many more irregular migrants than rejected applicants in 2020?": each as the profile
        gives it, then the difference of their counts where the profile counts both (and how many
        times the one is the other, when that is asked)."""
        self._categories(b, Request("figures", Each((a, c))), today)
        profiles = self.cube.profiles_of(_when(a).first_year) if b.status == "ok" else []
        counts = [(p.counts.get(cast(str, a.category)), p.counts.get(cast(str, c.category))) for p in profiles
                  if p.period.months() == _when(a).months() or _when(a).whole_years]
        if not counts or None in counts[0]:
            if b.status == "ok":
                b.status = "no_data"  # percentages only: a difference of counts is not published
            return
        first, second = cast(tuple[Observation, Observation], counts[0])
        diff = first.value - second.value
        b.line(f"compare_categories.{_direction(diff)}", ca=Ref("category", a.category),
               cb=Ref("category", c.category),
               diff=b.figure(abs(diff), "difference", "difference", [first.ref, second.ref], of=(first, second)))
        if times:
            self._times(b, "compare_categories.times",
                        (first.value, [first.ref], (first,), Ref("category", a.category)),
                        (second.value, [second.ref], (second,), Ref("category", c.category)))

    def _compare_changes(self, b: Builder, first: Compare, second: Compare, today: dt.date) -> None:
        """"By how much did the 2023-to-2024 rise differ from the 2022-to-2023 one?": each change,
        then the difference between the two; nothing more when either is missing."""
        changes = []
        for change in (first, second):
            self._compare_sides(b, change, today)
            later, earlier = sorted(_sides(change), key=lambda s: cast(Period, s.period), reverse=True)
            found = [self.value(cast(Period, s.period), _org(s)) for s in (later, earlier)]
            if b.status != "ok" or not _all_found(found):
                return
            (lv, l_src, l_obs, _), (ev, e_src, e_obs, _) = found
            changes.append((lv - ev, l_src + e_src, (*l_obs, *e_obs)))
        (d1, src1, obs1), (d2, src2, obs2) = changes
        b.line("compare.changes", diff=b.figure(abs(d1 - d2), "difference", "difference of the changes",
                                                src1 + src2, of=(*obs1, *obs2)))

    @staticmethod
    def _times(b: Builder, key: str, *sides: tuple[float, list[str], Obs, Period | Ref]) -> None:
        """How many times the larger of two figures is the smaller, named by its period,
        organisation or country: nothing where one is 0."""
        (big, big_src, big_obs, name), (small, small_src, small_obs, other) = sorted(sides, key=lambda s: -s[0])
        if small:
            b.line(key, big=name, small=other,
                   ratio=b.figure(big / small, "ratio", "ratio", big_src + small_src, of=(*big_obs, *small_obs)))

    def _compare_measures(self, b: Builder, a: Select, c: Select, today: dt.date) -> None:
        """"reintegration support in 2021 / and in 2022 / the difference?": what the releases give
        of each, then the difference of their exact counts; none without both."""
        self._measure(b, Request("figures", Each((a, c))), today)
        found = [(count, _when(s)) for s in (a, c) if (count := self._measure_count(s)) is not None]
        if b.status != "ok" or len(found) < 2 or a.measure != c.measure:
            b.status = "no_data"  # an approximate figure, or none, makes no difference to give
            return
        # newest first, as a reader expects "2022 against 2021"
        (first, pa), (second, pb) = sorted(found, key=lambda x: x[1], reverse=True)
        diff = first.value - second.value
        b.line(f"compare_measure.{_direction(diff)}", pa=pa, pb=pb,
               a=b.figure(first.value, "count", "first", [first.ref], of=(first,)),
               b=b.figure(second.value, "count", "second", [second.ref], of=(second,)),
               diff=b.figure(abs(diff), "difference", "difference", [first.ref, second.ref], of=(first, second)))

    def _measure_rows(self, s: Select, within: bool = False) -> list[Observation]:
        """What the publications give of a measure over exactly the period selected (`within`: over
        a part of it, of the country named or of any); a measure only one organisation publishes
        (the return desk: Fedasil) answers for all."""
        measures = RELATED.get(s.measure, (s.measure,))
        start, end = _when(s).start, _when(s).end
        return [o for o in self.dataset.observations if o.measure in measures and _org(s) in ("total", o.org)
                and o.category is None
                and ((o.start, o.end) == (start, end) and o.country == s.country
                     or within and start <= o.start and o.end <= end and (o.start, o.end) != (start, end)
                     and s.country in (None, o.country) and o.unit in ("count", "percent"))]

    def _measure_count(self, s: Select) -> Observation | None:
        """The exact count a publication gives of a measure over exactly the period selected."""
        return next((o for o in self._measure_rows(s) if o.unit == "count" and not o.qualifier), None)

    def _compare_countries(self, b: Builder, node: Compare, today: dt.date) -> None:
        """Two countries, or one country in two periods: what the lists give of each, then
        their difference where both are counted (of the lists of the periods asked)."""
        self._country(b, Request("figures", Each((node.a, node.b))), today)
        sides = list(_sides(node))
        if sides[0].country == sides[1].country and sides[0].period is not None and sides[1].period is not None \
                and sides[0].period < sides[1].period:
            sides.reverse()  # one country in two periods: the newest first, "2025 against 2024"
        counts = [self._country_count(s) for s in sides]
        one_country = sides[0].country == sides[1].country and sides[0].period is not None \
            and sides[1].period is not None
        # "how did the number of Ukrainians change in 2019?": the change a publication prints for the country
        printed = one_country and self._published_country_change(b, sides[0], sides[1])
        if not _all_found(counts) or b.status != "ok":
            b.status = "ok" if printed else "no_data"  # a place without a count, or no list: no difference to give
            return
        (a, pa), (c, pc) = counts
        diff = int(a.value) - int(c.value)
        b.line(f"compare_countries.{_direction(diff)}",
               ca=Ref("country", sides[0].country), cb=Ref("country", sides[1].country), pa=pa, pb=pc,
               a=b.figure(int(a.value), "count", "first", [a.ref], of=(a,)),
               b=b.figure(int(c.value), "count", "second", [c.ref], of=(c,)),
               diff=b.figure(abs(diff), "difference", "difference", [a.ref, c.ref], of=(a, c)))
        if node.times:
            self._times(b, "compare_countries.times",
                        (int(a.value), [a.ref], (a,), Ref("country", sides[0].country)),
                        (int(c.value), [c.ref], (c,), Ref("country", sides[1].country)))

    def _published_country_change(self, b: Builder, newer: Select, older: Select) -> bool:
        """The change a publication prints for a country between the two periods (Ukrainians, -47% in
        2019 against 2018); whether there is one."""
        assert newer.period is not None and older.period is not None  # one country in two periods, said so
        printed = self._printed_changes(b, newer.period, older.period, newer.org, newer.country)
        for o, value in printed:
            b.line("compare_countries.published", source=Ref("source", o.source), country=Ref("country", o.country),
                   period=newer.period, before=older.period, value=value)
        return bool(printed)

    def _country_count(self, s: Select) -> tuple[Observation, Period] | None:
        """A country's count in the first list of its period that counts it, with the
        list's period (January-September 2025 for "2025" when only that list counts it)."""
        if s.period is None or s.country is None:
            return None
        lists = self._lists_naming(s.country, s.period.first_year) if s.period.whole_years and s.period.single_year \
            else self.cube.lists_for(s.period)
        for lst in lists:
            count = self._count_in(lst, s.country)
            if count is not None:
                return count, lst.period
        return None

    def _published_change(self, b: Builder, newer: Period, older: Period, org: str | None) -> None:
        """The change a publication prints for the same two periods, beside the one calculated
        (the release's "-4.5%" where the figures give -4.4%)."""
        for o, value in self._printed_changes(b, newer, older, org):
            b.line("compare.published", source=Ref("source", o.source), value=value)

    def _printed_changes(self, b: Builder, newer: Period, older: Period, org: str | None,
                         country: str | None = None) -> list[tuple[Observation, Num]]:
        """The changes publications print between two periods (of a country, if one is named), one
        publication for each value printed: the newest; each cited, with its figure."""
        printed = [o for o in self.dataset.observations if o.unit == "change" and o.measure == "returns"
                   and o.org == org and o.country == country and o.category is None
                   and (o.start, o.end) == (newer.start, newer.end) and o.against == (older.start, older.end)]
        newest = {o.value: o for o in sorted(printed, key=lambda o: self.dataset.sources[o.source].recency)}
        found = []
        for o in newest.values():
            b.cite(o.source)
            value = b.figure(o.value / 100, "printed_change", "printed change", [o.ref], of=(o,))
            found.append((o, replace(value, qualifier=o.qualifier)))
        return found

    def _like_for_like(self, sides: list[tuple[Period, str]], found: list[Value],
                       narrow: bool = True) -> tuple[list[Value], str | None, Period | None]:
        """Part of a year (January-June 2025, or a year published only in part) against a
        whole one: compare the same months where the other year has monthly figures (unless
        the whole year was said), else say it is uneven."""
        covers = [f[3] for f in found]
        partial = [i for i, cov in enumerate(covers)
                   if cov.single_year and not cov.whole_years and not cov.single_month]
        if len(partial) != 1 or sides[0][1] != sides[1][1]:
            return found, None, None
        other = 1 - partial[0]
        if not (covers[other].whole_years and covers[other].single_year):
            return found, None, None
        part = covers[partial[0]]
        same = Period((covers[other].first_year, part.start[1]), (covers[other].first_year, part.end[1]), "months")
        narrowed = self.value(same, sides[other][1])
        if narrowed is None or narrowed[3] != same or not narrow:
            return found, "compare.uneven", part
        found = list(found)
        found[other] = narrowed
        return found, "compare.same_months", part

    # ---- series -----------------------------------------------------------------------
    @handles("series")
    def _series(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        # the series intent's program: a list, or one per period
        groups = cast(list[Group], list(node.parts) if isinstance(node, Each) else [node])
        for group in groups:
            period, by = _when(group.of), group.by
            monthly = by == "month" or (period.single_year and by not in ("year", "quarter"))
            if by == "quarter":
                self._series_quarters(b, period, today)
            elif monthly:
                self._series_months(b, period, today)
            else:
                self._series_years(b, period, today)

    def _series_years(self, b: Builder, period: Period, today: dt.date) -> None:
        known = self.cube.years()
        years = [y for y in range(period.first_year, period.last_year + 1) if y in known]
        if not years:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.years_head", period=Period.years(years[0], years[-1]))
        for year in years:
            o = known[year]
            b.line("series.item", label=self.year_span(year),
                   value=b.figure(o.value, "count", f"total {year}", [o.ref], (o,)))
        complete = [y for y in years if not self.partial(y)]
        if len(complete) > 1:
            # A partial year would make the change look larger than it is.
            first, last = known[complete[0]], known[complete[-1]]
            b.line("series.summary", a=Num(first.value), pa=complete[0], c=Num(last.value), pc=complete[-1],
                   pct=b.figure((last.value - first.value) / first.value, "change", "change", [first.ref, last.ref],
                                    of=(first, last)))

    def _series_months(self, b: Builder, period: Period, today: dt.date) -> None:
        known = self.cube.months()
        months = [ym for ym in period.months() if ym in known]
        if not months:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.months_head", period=Period(months[0], months[-1], period.kind))
        fedasil, dvz = self.cube.months("fedasil"), self.cube.months("dvz")
        for ym in months:
            o = known[ym]
            total = b.figure(o.value, "count", f"total {ym[0]}-{ym[1]:02d}", [o.ref], (o,))
            label = Period.month(*ym)
            if ym in fedasil:
                f, d = fedasil[ym], dvz[ym]
                b.line("series.item_split", label=label, value=total,
                       fedasil=b.figure(f.value, "count", "fedasil", [f.ref], (f,)),
                       dvz=b.figure(d.value, "count", "dvz", [d.ref], (d,)))
            else:
                b.line("series.item", label=label, value=total)

    def _series_quarters(self, b: Builder, period: Period, today: dt.date) -> None:
        """Sums of three published months; a quarter with a month missing is left out."""
        items = self._group(Group(Select(period), "quarter"))
        if items is None:
            self.missing_reason(b, period, "total", today)
            return
        b.line("series.quarters_head", period=Period(items.items[0].member.start, items.items[-1].member.end,
                                                     period.kind))
        for fig in items.items:
            quarter = fig.member
            sums = {org: self.cube.figure(quarter, org) for org in ("fedasil", "dvz")}
            total = b.fig(fig, f"total {quarter}")
            if all(f is not None and f.period == quarter for f in sums.values()):
                b.line("series.item_split", label=quarter, value=total,
                       # both found, as the condition says
                       fedasil=b.fig(cast(Fig, sums["fedasil"]), f"fedasil {quarter}"),
                       dvz=b.fig(cast(Fig, sums["dvz"]), f"dvz {quarter}"))
            else:
                b.line("series.item", label=quarter, value=total)

    # ---- the most, the fewest, the k-th -----------------------------------------------------
    def _compare_picks(self, b: Builder, most: Pick, fewest: Pick, today: dt.date) -> None:
        """"the gap between the busiest and the quietest month of 2020": each, then the difference."""
        picked = []
        for pick in (most, fewest):
            # ("how many more did the first nationality have than the third?": places of a country list)
            show = self._top if _list_of(pick).by == "country" else self._extreme
            show(b, Request("figures", pick), today)
            items = self.evaluate(pick)
            if not isinstance(items, Items) or not items.items:
                return
            picked.append(items.items[0])
        top, low = picked
        b.line("compare.extremes", diff=b.figure(top.value - low.value, "difference", "most less fewest",
                                                   [o.ref for o in top.obs + low.obs], of=top.obs + low.obs))

    @handles("extreme")
    def _extreme(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        combined = node if isinstance(node, (Total, Mean)) else None
        if combined is not None:
            node = combined.of  # "together?" after the record year: the sum of one place is that place
        check = node if isinstance(node, Check) else None
        pick = check.of if check is not None else node
        if not isinstance(pick, Pick):
            # a claim checked of several places at once: not a program these figures answer in one step
            _not_in_one_step(b)
            return
        group = _list_of(pick)
        period, org = _when(group.of), _org(group.of)
        by = group.by
        without = inner(pick, Without)
        left_out = without.members if without is not None else ()
        if left_out:
            b.line("extreme.without", members=left_out)
        if by == "quarter":
            self._extreme_quarter(b, pick, period, org, today)
            return
        by_month = by == "month" or (by is None and period.single_year)
        if by_month:
            known = self.cube.months(org)
            # every month of what is left out ("maart tot mei niet meegerekend")
            skip = {ym for m in left_out if isinstance(m, Period) for ym in m.months()}
            keys = [ym for ym in period.months() if ym in known and ym not in skip]
            if not keys:
                self.missing_reason(b, period, org, today)
                return
            values: dict[int | tuple[int, int], Observation] = {ym: known[ym] for ym in keys}
            skipped: list[int] = []
        else:
            years, skipped = self.ranked_years(period)
            years = [y for y in years if not any(isinstance(m, Period) and m.first_year <= y <= m.last_year
                                                 for m in left_out)]
            if not years:
                self.missing_reason(b, period, org, today)
                return
            yearly = self.cube.years(org)
            if any(y not in yearly for y in years):
                # "the year the Immigration Office had the most": only a ranking of its own years would answer
                self.missing_reason(b, period, org, today)
                return
            values = {y: yearly[y] for y in years}
        scope = Period(keys[0], keys[-1], period.kind) if by_month else Period.years(years[0], years[-1])
        if by_month and period.single_year and group.of.whole \
                and len(keys) < len([ym for ym in period.months() if ym not in skip]):
            # "le mois record de toute l'année 2025": only January-September have months, so it is not known
            # ("the busiest month of 2025" is among the months published, which the answer names)
            b.status = "no_data"
            b.line("count.clipped", period=period, covered=scope)
        if check is not None and check.relation == "rank":
            self._rank(b, check.member, values, pick.order, scope, by_month)
            return
        figs = tuple(Fig(o.value, Period(o.start, o.end, "months"), (o,), key) for key, o in values.items())
        if pick.n is not None and pick.n > 1:
            placed = _pick(figs, pick)
            self._places(b, placed, pick, scope, by_month, org)
            if combined is not None and len(placed) > 1:
                self._places_combined(b, placed, combined, by_month)
            return
        placed = _pick(figs, replace(pick, n=1))
        if not placed:
            b.status = "no_data"
            b.line("extreme.fewer", n=Num(len(values)), k=Ref("ordinal", str(pick.k)))
            return
        best = placed[0].value
        winners = [f.member for f in placed]
        obs = tuple(values[k] for k in winners)
        labels = tuple(Period.month(*ym) for ym in winners) if by_month else tuple(winners)
        value = b.figure(int(best), "count", pick.order, [o.ref for o in obs], obs)
        grain = "month" if by_month else "year"
        place = "_k" if pick.k > 1 else ""
        b.line(f"extreme.{grain}_{pick.order}{place}", scope=scope, winners=labels, value=value, org=Ref("org", org),
               k=Ref("ordinal", str(pick.k)))
        if len(labels) == 1:
            b.picked += (labels[0] if by_month else Period.year(cast(int, labels[0])),)
            total = self.value(b.picked[-1], "total") if b.request.how_many and org != "total" else None
            if total is not None:
                b.line("count.total", period=total[3], total=b.figure(total[0], "count", "total", total[1], total[2]))
        if check is not None and check.member is not None:
            self._extreme_verdict(b, check.member, values, best, by_month)
        if not by_month and skipped:
            b.line("extreme.partial_skipped", years=tuple(self.year_span(y) for y in skipped))

    def _extreme_verdict(self, b: Builder, checked: Period, values: dict[int | tuple[int, int], Observation],
                         best: float, by_month: bool) -> None:
        """"was November the busiest month of 2020?": yes, or no and its own figure."""
        key = checked.start if by_month else checked.first_year
        if key not in values:
            return
        o = values[key]
        b.line("extreme.check_yes" if o.value == best else "extreme.check_no", checked=checked,
               value=b.figure(int(o.value), "count", "checked", [o.ref], (o,)))

    def _places(self, b: Builder, placed: tuple[Fig, ...], pick: Pick, scope: Period, by_month: bool,
                org: str) -> None:
        """"the three busiest months of 2019": those places, most first (fewest first for "min")."""
        ordered = sorted(placed, key=lambda f: -f.value if pick.order == "max" else f.value)
        items = tuple((Period.month(*f.member) if by_month else f.member, _member_figure(b, f)) for f in ordered)
        b.line(f"extreme.places_{'month' if by_month else 'year'}_{pick.order}", scope=scope, n=Num(pick.n or 0),
               items=items, org=Ref("org", org))

    def _places_combined(self, b: Builder, placed: tuple[Fig, ...], combined: Total | Mean, by_month: bool) -> None:
        """"the three busiest months of 2025 added up", "... on average": their sum or their mean."""
        if isinstance(combined, Mean):
            obs = tuple(o for f in placed for o in f.obs)
            b.line(f"extreme.mean_{'month' if by_month else 'year'}", mean=b.figure(
                sum(f.value for f in placed) / len(placed), "average", "average", [o.ref for o in obs], of=obs))
        else:
            b.line("extreme.together", total=b.together(placed, notes=False))

    def _rank(self, b: Builder, member: Period, values: dict[int | tuple[int, int], Observation], order: str,
              scope: Period, by_month: bool) -> None:
        """"2020's rank among the years": its place, ties sharing one, among those published."""
        key = member.start if by_month else member.first_year
        if key not in values:
            b.status = "no_data"
            b.line("extreme.rank_missing", checked=member, scope=scope)
            return
        o = values[key]
        b.line(f"extreme.rank_{'month' if by_month else 'year'}_{order}", checked=member, scope=scope,
               k=Num(_place(o.value, (v.value for v in values.values()), order)), n=Num(len(values)),
               value=b.figure(int(o.value), "count", "checked", [o.ref], (o,)))

    def _extreme_quarter(self, b: Builder, pick: Pick, period: Period, org: str, today: dt.date) -> None:
        """The busiest or quietest quarter among those whose three months are published."""
        quarters = [Period.quarter(y, q) for y in range(period.first_year, period.last_year + 1) for q in range(1, 5)]
        found = {q: self.value(q, org) for q in quarters if q.start >= period.start and q.end <= period.end}
        complete = {q: v for q, v in found.items() if v is not None and v[3].months() == q.months()}
        if not complete:
            self.missing_reason(b, period, org, today)
            return
        placed = _pick(tuple(Fig(v[0], q, v[2], q) for q, v in complete.items()), replace(pick, n=1))
        if not placed:
            b.status = "no_data"
            b.line("extreme.fewer", n=Num(len(complete)), k=Ref("ordinal", str(pick.k)))
            return
        best = placed[0].value
        winners = [f.member for f in placed]
        obs = tuple(o for q in winners for o in complete[q][2])
        value = b.figure(int(best), "count", pick.order, [s for q in winners for s in complete[q][1]], of=obs)
        scope = Period(min(complete).start, max(complete).end, period.kind)
        b.line(f"extreme.quarter_{pick.order}{'_k' if pick.k > 1 else ''}", obs, scope=scope, winners=tuple(winners),
               value=value, org=Ref("org", org), k=Ref("ordinal", str(pick.k)))
        partial = tuple(q for q, v in found.items() if v is not None and v[3].months() != q.months())
        if partial:
            b.line("extreme.quarters_incomplete", periods=partial)

    # ---- the members of a list past a threshold ------------------------------------------
    @handles("listing")
    def _listing(self, b: Builder, request: Request, today: dt.date) -> None:
        """"which months of 2025 had more than 275 returns?" (the members), "in how many
        months of 2019 were there fewer than 180?" (how many, and which)."""
        node = _program(request)
        count, total = isinstance(node, Count), isinstance(node, Total)
        where = cast(Where, node.of if isinstance(node, (Count, Total)) else node)  # the filter intents' program
        group = cast(Group, where.of)  # a filter is of a list
        period, org = _when(group.of), _org(group.of)
        if group.by == "country":
            self._countries_where(b, where, count, total)
            return
        items = self.evaluate(group)
        if not isinstance(items, Items) or not items.items:
            self.missing_reason(b, period, org, today)
            return
        grain = group.by or ("month" if period.single_year else "year")
        passed = tuple(f for f in items.items if CLAIMS[where.relation](f.value, where.value))
        params: dict[str, Any] = dict(scope=items.scope, relation=Ref("relation", where.relation),
                                      value=Num(int(where.value)), org=Ref("org", org))
        if org != "total":
            b.line("listing.org", org=Ref("org", org))  # the lines below count that organisation's returns
        if grain == "month" and not period.single_year:
            b.line("listing.monthly_only", monthly=tuple(self.cube.month_span(y) for y in self.monthly_years))
        elif items.scope.months() != period.months() and period.kind != "since":
            b.line("count.clipped", period=period, covered=items.scope)
        if not passed:
            b.line(f"listing.none_{grain}", **params)
            # the member nearest to the threshold: the most for "more than", the fewest for "less than"
            near = (min if where.relation in ("lt", "le") else max)(items.items, key=lambda f: f.value)
            if where.relation != "eq":
                b.line("listing.nearest", member=near.member,
                       value=b.figure(int(near.value), "count", str(near.member), [o.ref for o in near.obs], near.obs))
            return
        pairs = tuple((f.member, _member_figure(b, f)) for f in passed)
        if count:
            b.line(f"listing.count_{grain}", count=Num(len(passed)), items=pairs, **params)
        else:
            b.line(f"listing.{grain}", items=pairs, **params)
        if total:
            b.line("listing.together", total=b.together(passed))

    def _countries_where(self, b: Builder, where: Where, count: bool, total: bool) -> None:
        """"which country had 96 returnees in 2020?", "which countries had more than 100?": the
        countries of the period's list whose count passes, and what the list cannot tell: a
        country it leaves out had fewer than its last, and may pass too."""
        group = cast(Group, where.of)
        s = group.of
        if s.filled:
            # no period named: the latest list, as for a ranking
            s = replace(s, period=Period.year(self.country_years[-1]))
            group = replace(group, of=s)
        period = _when(s)
        self._not_by_org(b, s, "nodata.country_org")
        lst, items = self._country_list(period), self.evaluate(group)
        if lst is None or not isinstance(items, Items) or not items.items:
            b.status = "no_data"
            b.line("nodata.country_year", year=period, years=self._list_years())
            return
        b.cite(lst.source)
        passed = tuple(f for f in items.items if CLAIMS[where.relation](f.value, where.value))
        params: dict[str, Any] = dict(scope=items.scope, relation=Ref("relation", where.relation),
                                      value=Num(int(where.value)), source=Ref("source", lst.source))
        pairs = tuple((Ref("country", str(f.member)), _member_figure(b, f)) for f in passed)
        if not passed:
            b.line("listing.none_country", **params)
        elif count:
            b.line("listing.count_country", count=Num(len(passed)), items=pairs, **params)
        else:
            b.line("listing.country", items=pairs, **params)
        last = min(f.value for f in items.items)
        if where.relation in ("lt", "le") or where.value < last:
            # the others had fewer than the list's last: some of them may pass as well
            if not passed or where.relation in ("lt", "le"):
                b.status = "no_data"
            b.line("listing.country_unlisted", n=Num(len(items.items)), last=Num(int(last)), source=params["source"])
        if total and passed:
            b.line("listing.together", total=b.together(passed))

    # ---- average ----------------------------------------------------------------------
    @handles("average")
    def _average(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        # the average intent's program: a mean of a list, or one per period
        for mean in cast(tuple[Mean, ...], node.parts if isinstance(node, Each) else (node,)):
            if isinstance(mean.of, Each):
                self._mean_of_figures(b, request, mean.of, today)
                continue
            group = cast(Group, mean.of)
            period, org, by = _when(group.of), _org(group.of), group.by
            per_year = by == "year" or (by is None and not period.single_year)
            if per_year:
                years, skipped = self.ranked_years(period)
                if not years:
                    self.missing_reason(b, period, org, today)
                    continue
                known = self.cube.years()
                obs = tuple(known[y] for y in years)
                total = sum(o.value for o in obs)
                src = [o.ref for o in obs]
                b.line("average.year", period=Period.years(years[0], years[-1]),
                       avg=b.figure(total / len(years), "average", "per year", src, of=obs),
                       total=b.figure(total, "count", "total", src, obs), count=Num(len(years)))
                if skipped:
                    b.line("extreme.partial_skipped", years=tuple(self.year_span(y) for y in skipped))
                continue
            if by in ("quarter", "half"):
                self._average_of_units(b, group, today)
                continue
            found = self.value(period, org)
            if found is None:
                self.missing_reason(b, period, org, today)
                continue
            value, src, obs, covered = found
            months = len(covered.months())
            b.line("average.month", period=covered, org=Ref("org", org),
                   avg=b.figure(value / months, "average", "per month", src, of=obs),
                   total=b.figure(value, "count", "total", src, obs), count=Num(months))
            self._published_average(b, covered, org)

    def _mean_of_figures(self, b: Builder, request: Request, figures: Each, today: dt.date) -> None:
        """"the average of those three years" after three counts: each figure, then their mean."""
        self._count(b, replace(request, program=figures), today)
        found = [self.value(_when(s), _org(s)) for s in selects(figures)]
        if not _all_found(found):
            return
        total = sum(f[0] for f in found)
        b.line("average.figures", count=Num(len(found)),
               avg=b.figure(total / len(found), "average", "mean of the figures", [s for f in found for s in f[1]],
                            of=[o for f in found for o in f[2]]))

    def _published_average(self, b: Builder, period: Period, org: str) -> None:
        """The monthly average a publication prints for the same period, beside the one
        calculated (the release's "320 a month" where 3,827 over 12 months gives 318.9)."""
        for o in self.dataset.observations:
            if o.measure == "returns_per_month" and o.org == org and (o.start, o.end) == (period.start, period.end):
                b.cite(o.source)
                value = b.figure(o.value, "count", "printed average", [o.ref], of=(o,))
                b.line("average.published", source=Ref("source", o.source), value=replace(value, qualifier=o.qualifier))

    def _average_of_units(self, b: Builder, group: Group, today: dt.date) -> None:
        """"per quarter on average in 2020": the quarters (halves) whose months are all
        published, added up and divided by how many there are."""
        period, org = _when(group.of), _org(group.of)
        items = self.evaluate(group)
        if not isinstance(items, Items) or not items.items:
            self.missing_reason(b, period, org, today)
            return
        obs = tuple(o for f in items.items for o in f.obs)
        src = [o.ref for o in obs]
        total = sum(f.value for f in items.items)
        b.line(f"average.{group.by}", period=items.scope, org=Ref("org", org),
               avg=b.figure(total / len(items.items), "average", f"per {group.by}", src, of=obs),
               total=b.figure(total, "count" if all(not f.derived for f in items.items) else "sum", "total", src, obs),
               count=Num(len(items.items)))

    @staticmethod
    def _not_by_org(b: Builder, s: Select, key: str) -> None:
        """Countries and the profile are printed for both organisations together: a
        question about one of them gets that said first, then the joint figures."""
        if s.org != "total":
            b.status = "no_data"
            b.line(key)

    # ---- countries ----------------------------------------------------------------------
    @handles("top")
    def _top(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        picks = list(node.parts) if isinstance(node, Each) else [node]
        leaves = [cast(Select, inner(p, Select)) for p in picks]  # every pick is of a selection
        if any(_when(s).whole_years and not _when(s).single_year for s in leaves):
            # "top 3 of the last 2 years": the lists rank one year each, never a span of years
            b.status = "no_data"
            b.line("nodata.country_month", years=self._list_years())
            return
        if any(not _when(s).whole_years and not self.cube.lists_for(_when(s)) for s in leaves):
            # "top 2 nationalities in June 2025": the lists are of years or of the months a
            # publication gives them for; say so, then give the year's.
            b.status = "no_data"
            b.line("nodata.country_month", years=self._list_years())
        self._not_by_org(b, leaves[0], "nodata.country_org")
        if leaves[0].filled:
            others = [y for y in self.country_years if y != _when(leaves[0]).first_year]
            b.line("resolved.latest_list", year=_when(leaves[0]).first_year, others=_runs(others))
        for pick, s in zip(picks, leaves):
            year = _when(s).first_year
            lists = self.cube.lists_for(_when(s)) or self.cube.country_lists(year)
            if not lists:
                b.status = "no_data"
                b.line("nodata.country_year", year=year, years=self._list_years())
                continue
            combined = pick if isinstance(pick, (Total, Mean)) else None
            counted = [self._top_list(b, combined.of if combined else pick, lst, combined) for lst in lists]
            if request.how_many and not any(counted):
                b.status = "no_data"  # "how many were that?" of a place its lists rank without a count

    def _list_years(self) -> tuple[Period, ...]:
        return _runs(self.country_years)

    def _top_list(self, b: Builder, pick: Node, lst: CountryList, combined: Total | Mean | None = None) -> bool:
        """A list as its publication gives it: counts with their shares of the same
        publication's total, or places only; named by its period and publication. The
        fewest ("the three smallest") are the last places of the list, said to be of the
        list; `combined`: their sum or their average, where the list counts them all.
        Returns whether each place shown has a count."""
        fewest = isinstance(pick, Pick) and pick.order == "min"
        without = inner(pick, Without) if isinstance(pick, Pick) else None
        left_out = set(without.members) if without is not None else set()
        among = pick.among if isinstance(pick, Pick) else None
        members = region_members()[among] if among is not None else None
        # The fewest first, as the question ranks them; without the countries left out, and of the
        # region asked only
        entries = tuple(e for e in (reversed(lst.entries) if fewest else lst.entries)
                        if e.country not in left_out and e.place is not None
                        and (members is None or e.country in members))
        if among is not None:
            # a country of the region the list does not name had fewer than the list's last: the list ranks them
            b.line("top.among", region=Ref("region", among), period=lst.period, basis=Ref("basis", lst.basis),
                   n=Num(sum(e.place is not None for e in lst.entries)), source=Ref("source", lst.source),
                   of_source=Ref("of_source", lst.source))
            if not entries:
                b.status = "no_data"
                b.line("top.none_among", region=Ref("region", among))
                return False
        wanted = pick.n if isinstance(pick, Pick) else None
        rank = pick.k if isinstance(pick, Pick) and pick.k > 1 else None
        n = min(wanted or len(entries), len(entries))
        total = self.cube.total_of(lst.source, lst.period) or lst.total
        head = lst.obs()[:1]
        source = Ref("source", lst.source)
        b.cite(lst.source)
        if isinstance(pick, Pick) and pick.after is not None:
            # "the country right behind Brazil": the place after the one named, where the list has it
            named = next((i for i, e in enumerate(entries) if e.country == pick.after), None)
            if named is None:
                b.status = "no_data"
                b.line("top.not_listed", country=Ref("country", pick.after), source=source)
                return False
            rank = named + 1 + pick.k
            if rank < 1:
                b.status = "no_data"
                b.line("top.none_ahead", country=Ref("country", pick.after), source=source)
                return False
        if left_out:
            b.line("extreme.without", members=tuple(Ref("country", c) for c in sorted(left_out)))
        if rank:
            if rank > len(entries):
                b.status = "no_data"
                b.line("top.capped", source=source, n=Num(len(entries)))
                return False
            b.line("top.rank_fewest" if fewest else "top.rank", head, rank=rank, period=lst.period,
                   basis=Ref("basis", lst.basis), source=source, n=Num(len(entries)))
            # the place among the countries left once some are left out ("third, not counting Brazil"),
            # else the place the list prints
            shown = [entries[rank - 1]] if fewest or left_out \
                else [e for e in entries if e.place == rank] or [entries[rank - 1]]
        else:
            key = "top.fewest" if fewest else "top.ranks" if lst.ranks_only else "top.head"
            b.line(key, head, n=Num(n), period=lst.period, basis=Ref("basis", lst.basis), source=source,
                   of_source=Ref("of_source", lst.source), listed=Num(len(entries)))
            shown = _with_ties(entries, n)
        for e in shown:
            self._top_item(b, e, total)
        if len(shown) == 1:
            b.places = (shown[0].country,)
        if combined is not None and len(shown) > 1:
            counts = [self._count_in(lst, e.country) for e in shown]
            if not _all_found(counts):
                b.line("top.together_uncounted", source=source)
                if lst.period.whole_years:
                    b.status = "no_data"  # the year's sum is not published; a part-year list's may follow
            elif isinstance(combined, Mean):
                b.line("top.mean", n=Num(len(counts)), mean=b.figure(
                    sum(c.value for c in counts) / len(counts), "average", "average", [c.ref for c in counts],
                    of=counts))
            else:
                together = b.figure(sum(int(c.value) for c in counts), "sum", "together", [c.ref for c in counts],
                                    of=counts)
                if total is None:
                    b.line("top.together", total=together)
                else:
                    # "what percentage went to the top three combined?": their share of the total too
                    b.line("top.together_share", total=together, share=b.figure(
                        together.value / total.value, "share", "together share", [*(c.ref for c in counts), total.ref],
                        of=(*counts, total)))
        if wanted and wanted > len(entries):
            b.line("top.capped", source=source, n=Num(len(entries)))
        if lst.other is not None and n == len(entries) and not rank and among is None and total is not None:
            other = lst.other
            b.line("top.other", value=b.figure(int(other.value), "count", "other", [other.ref], of=(other,)),
                   share=b.figure(other.value / total.value, "share", "other share", [other.ref, total.ref],
                                  of=(other, total)))
        if total is not None:
            b.line("top.total", year=Period(lst.period.start, lst.period.end, "year"),
                   value=b.figure(int(total.value), "count", "total", [total.ref], (total,)))
        return all(e.count is not None for e in shown)

    def _top_item(self, b: Builder, e: Any, total: Observation | None) -> None:
        country = Ref("country", e.country)
        if e.count is None:
            b.line("top.item_rank", rank=e.place, country=country)
            return
        value = b.figure(int(e.count.value), "count", e.country, [e.count.ref], of=(e.count,))
        value = replace(value, qualifier=e.count.qualifier)
        if total is None or not e.count.exact or (e.rank is not None and e.count.basis != e.rank.basis):
            b.line("top.item_count", rank=e.place, country=country, value=value)
            return
        b.line("top.item", rank=e.place, country=country, value=value,
               share=b.figure(e.count.value / total.value, "share", f"{e.country} share", [e.count.ref, total.ref],
                                    of=(e.count, total)))

    @handles("country")
    def _country(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        place_asked = isinstance(node, Check) and node.relation == "rank"
        claimed = node if isinstance(node, Check) and not place_asked else None  # a share claimed
        # "was Syria the top nationality?": the place claimed, whose holder is named when it is another
        claimed_place = int(node.value) if isinstance(node, Check) and place_asked and node.value else None
        if isinstance(node, Check):
            node = node.of
        kind = "share" if isinstance(node, Share) or (isinstance(node, Each) and isinstance(node.parts[0], Share)) \
            else "country"
        leaves = [s for s in selects(node) if s.country is not None]
        isos = list(dict.fromkeys(cast(str, s.country) for s in leaves))  # the leaves that name a country
        periods = list(dict.fromkeys(s.period for s in leaves if s.period is not None))
        earlier: list[int] = []
        periods_of_years = [p for p in periods if p.whole_years]
        if periods and not periods_of_years:
            years = []
        elif not periods:
            # No period: the latest years whose lists name the country (the others named), else the latest list.
            listed = [y for y in self.country_years
                      if any(lst.entry(iso) is not None for iso in isos for lst in self.cube.country_lists(y))]
            years, earlier = listed[-LATEST_LISTS:] or self.country_years[-1:], listed[:-LATEST_LISTS]
        else:
            # "between 2020 and 2025": the years of the range that have a country list.
            years = list(dict.fromkeys(y for p in periods_of_years for y in range(p.first_year, p.last_year + 1)
                                       if y in self.country_years or p.single_year))
        if not years and not any(not p.whole_years for p in periods):
            b.status = "no_data"
            b.line("nodata.country_year", year=periods[0], years=self._list_years())
            return
        exact = [p for p in periods if not p.whole_years and self.cube.lists_for(p)]
        if any(not p.whole_years and p not in exact for p in periods):
            b.status = "no_data"
            b.line("nodata.country_month", years=self._list_years())
            return
        self._not_by_org(b, leaves[0], "nodata.country_org")
        found = NOT_LISTED
        for iso in isos:
            for year in years:
                found = max(found, self._country_year(b, kind, iso, year, claimed_place))
            for period in exact:  # "Syrians, January-September 2025": the list over those months
                found = max([found, *(self._country_in(b, kind, iso, lst, claimed_place)
                                      for lst in self.cube.lists_for(period))])
        if isinstance(node, Total) and len(isos) > 1:
            # each year's lists, and the list over the months named ("January-September 2025")
            for lists in [*map(self.cube.country_lists, years), *map(self.cube.lists_for, exact)]:
                counted = [(lst, [self._count_in(lst, iso) for iso in isos]) for lst in lists]
                found_in = next(((lst, rows) for lst, rows in counted if _all_found(rows)), None)
                if found_in is not None:
                    lst, rows = found_in
                    added = sum(int(r.value) for r in rows)
                    b.line("country.sum", year=lst.period, total=b.figure(
                        added, "sum", f"countries {lst.period.first_year}", [r.ref for r in rows], of=rows))
                    whole = self.cube.total_of(lst.source, lst.period) or lst.total
                    if whole is not None and all(r.exact for r in rows):
                        # "what share of 2020 are those two together?": the sum's share of that year's returns
                        b.line("country.sum_share", year=lst.period, whole=b.figure(int(whole.value), "count", "total",
                                                                                   [whole.ref], of=(whole,)),
                               share=b.figure(added / whole.value, "share", "together share",
                                              [r.ref for r in rows] + [whole.ref], of=(*rows, whole)))
        if isinstance(node, Total) and len(isos) == 1 and len(years) + len(exact) > 1:
            self._country_over_periods(b, isos[0], [Period.years(y, y) for y in years] + exact)
        if earlier:
            b.line("country.also_listed", countries=tuple(Ref("country", iso) for iso in isos), years=_runs(earlier))
        if claimed is not None and len(leaves) == 1:
            self._country_share_claim(b, claimed, leaves[0])
        if found < (RANKED if place_asked else COUNTED):
            # a place without a count is what the publications give, and no number for "how many"
            b.status = "no_data"
            b.examples = ("country",) if found == NOT_LISTED else ()

    def _country_share_claim(self, b: Builder, check: Check, s: Select) -> None:
        """"was Brazil more than 25% of the 2020 returns?": its share of the list's total against the claim."""
        found = self._country_count(s)
        if found is None:
            return
        count, period = found
        total = next((self.cube.total_of(lst.source, lst.period) or lst.total for lst in self.cube.lists_for(period)
                      if lst.entry(cast(str, s.country)) is not None), None)
        if total is not None and total.value:
            _share_claim(b, check, count.value / total.value, [count.ref, total.ref], (count, total))

    def _country_over_periods(self, b: Builder, iso: str, periods: list[Period]) -> None:
        """"Colombia in 2020 and in January-September 2025 together": the sum of its counts,
        one per period, only when every period has a list over exactly its months that counts it."""
        found = [self._country_count(Select(p, country=iso)) for p in periods]
        rows = [f[0] if f is not None and f[1].months() == p.months() else None for p, f in zip(periods, found)]
        counted = [r for r in rows if r is not None]
        if len(counted) < len(rows):
            b.status = "no_data"  # the sum asked for cannot be made
            b.line("country.no_sum", country=Ref("country", iso),
                   periods=tuple(p for p, r in zip(periods, rows) if r is None))
            return
        b.line("country.sum_periods", country=Ref("country", iso), total=b.figure(
            sum(int(r.value) for r in counted), "sum", f"{iso} periods", [r.ref for r in counted], of=counted))

    def _counts_in(self, lst: CountryList, isos: list[str]) -> tuple[list[Observation], Observation] | None:
        """The counts of some countries in a list and the total they are part of, if it has all."""
        rows = [self._count_in(lst, iso) for iso in isos]
        total = self.cube.total_of(lst.source, lst.period) or lst.total
        return None if not _all_found(rows) or total is None else (rows, total)

    @staticmethod
    def _count_in(lst: CountryList, iso: str) -> Observation | None:
        """A country's count in a list; "other" is the list's "Andere" row."""
        if iso == "other":
            return lst.other
        e = lst.entry(iso)
        return e.count if e is not None and e.count is not None and e.count.exact else None

    @handles("share")
    def _share(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        claimed = node if isinstance(node, Check) else None  # a share claimed ("DVZ, more than 5%?")
        if isinstance(node, Check):
            node = node.of
        # the share intent's program: a share, or one per period
        shares = cast(list[Share], list(node.parts) if isinstance(node, Each) else [node])
        if any(s.country is not None for s in selects(node)):
            self._country(b, request, today)
            return
        for share in shares:
            part = cast(Select, share.part)  # an organisation's part of the total, or a period's of a longer one
            period, org = _when(part), _org(part)
            if _when(cast(Select, share.whole)) != period:
                self._period_share(b, part, cast(Select, share.whole), today)
                continue
            found, whole = self.value(period, org), self.value(period, "total")
            if found is None or whole is None or found[3] != whole[3]:
                self.missing_reason(b, period, org, today)
                if whole is not None and period.whole_years and period.single_year:
                    self._part_share(b, period.first_year, org, whole[2])
                continue
            b.line("share.org", org=Ref("org", org), period=whole[3],
                   share=b.figure(found[0] / whole[0] if whole[0] else 0, "share", f"{org} share", found[1] + whole[1],
                                  of=(*found[2], *whole[2])),
                   value=b.figure(found[0], "count", org, found[1], found[2]),
                   total=b.figure(whole[0], "count", "total", whole[1], whole[2]))
            if claimed is not None and whole[0]:
                _share_claim(b, claimed, found[0] / whole[0], found[1] + whole[1], (*found[2], *whole[2]))

    def _period_share(self, b: Builder, part: Select, whole: Select, today: dt.date) -> None:
        """"what share of Fedasil's 2020 returns took place in December?": the part over the whole,
        each published for exactly its months."""
        org = _org(part)
        found, total = self.value(_when(part), org), self.value(_when(whole), org)
        for f, s in ((found, part), (total, whole)):
            if f is None or f[3] != _when(s):
                self.missing_reason(b, _when(s), org, today)
                return
        assert found is not None and total is not None  # checked above
        b.line("share.period" if org == "total" else "share.period_org", part=found[3], whole=total[3],
               org=Ref("org", org), share=b.figure(found[0] / total[0] if total[0] else 0, "share", "period share",
                                                   found[1] + total[1], of=(*found[2], *total[2])),
               value=b.figure(found[0], "count", "part", found[1], found[2]),
               total=b.figure(total[0], "count", "total", total[1], total[2]))

    def _part_share(self, b: Builder, year: int, org: str, shown: Obs) -> None:
        """A year with no split: the share another publication gives over part of it."""
        part, split = self._part_split(year, shown)
        if not split:
            return
        part = cast(Observation, part)  # a split is given with its part
        o = split[ORGS.index(org)]
        b.line("share.part", source=Ref("source", part.source), org=Ref("org", org),
               period=Period(part.start, part.end, "months"),
               share=b.figure(o.value / part.value, "share", f"{org} share", [o.ref, part.ref], of=(o, part)),
               value=b.figure(o.value, "count", org, [o.ref], (o,)),
               total=b.figure(part.value, "count", "total", [part.ref], (part,)))

    def _country_year(self, b: Builder, kind: str, iso: str, year: int, claimed: int | None = None) -> int:
        lists = self.cube.country_lists(year)
        if not lists:
            b.line("nodata.country_year", year=year, years=self._list_years())
            return NOT_LISTED
        # a count or a place over part of the year (January-September 2025) is shown, but is not the year's
        whole = Period.years(year, year).months()
        return max(min(self._country_in(b, kind, iso, lst, claimed),
                       COUNTED if lst.period.months() == whole else NOT_LISTED)
                   for lst in self._lists_naming(iso, year))

    def _lists_naming(self, iso: str, year: int) -> list[CountryList]:
        """A year's main lists; for a country they leave out, or only rank, the lists of other
        publications that name it, or count it ("contre 6 en 2024": Syria in the release of
        2026; Georgia 432 in 2018, in the release of 2020 beside the 2018 top 3)."""
        lists = self.cube.country_lists(year)
        others = [lst for lst in self.cube.lists.get(year, []) if lst not in lists and lst.period.whole_years]
        if all(lst.entry(iso) is None for lst in lists):
            return [lst for lst in others if lst.entry(iso) is not None] or lists
        if all(self._count_in(lst, iso) is None for lst in lists):
            return lists + [lst for lst in others if self._count_in(lst, iso) is not None]
        return lists

    def _country_in(self, b: Builder, kind: str, iso: str, lst: CountryList, claimed: int | None = None) -> int:
        found = self._country_place(b, kind, iso, lst)
        e = lst.entry(iso)
        if claimed is not None and e is not None and e.place is not None and e.place != claimed:
            # "is it true that Syria was the top nationality?": no, no. 3; the first was Brazil
            for holder in (x for x in lst.entries if x.place == claimed):
                self._top_item(b, holder, None)
        return found

    def _country_place(self, b: Builder, kind: str, iso: str, lst: CountryList) -> int:
        b.cite(lst.source)
        basis = Ref("basis", lst.basis)
        source = Ref("source", lst.source)
        count = sum(e.place is not None for e in lst.entries)
        head = lst.obs()[:1]
        if iso == "other":
            return self._other_countries(b, lst, basis, count)
        e = lst.entry(iso)
        if e is None:
            b.line("nodata.country_not_listed", head, country=Ref("country", iso), period=lst.period, basis=basis,
                   n=Num(count), source=source, listed=tuple(Ref("country", x.country) for x in lst.entries))
            if lst.other is not None:
                b.line("nodata.country_other", head, period=lst.period,
                       value=b.figure(int(lst.other.value), "count", "other", [lst.other.ref], of=(lst.other,)))
            return NOT_LISTED
        total = self.cube.total_of(lst.source, lst.period) or lst.total
        params = dict(country=Ref("country", iso), period=lst.period, rank=e.place, n=Num(count), basis=basis,
                      source=source)
        if e.count is None:
            b.line("country.ranked", head, **params)
            return RANKED
        value = replace(b.figure(int(e.count.value), "count", iso, [e.count.ref], of=(e.count,)),
                        qualifier=e.count.qualifier)
        if e.place is None or count == 1:
            # counted beside the ranking, without a place in it, or the only one named ("no. 1 of 1" says nothing)
            b.line("country.count_unplaced", head, value=value, country=Ref("country", iso), period=lst.period,
                   source=source)
        elif total is not None and e.count.exact:
            share = b.figure(e.count.value / total.value, "share", f"{iso} share", [e.count.ref, total.ref],
                             of=(e.count, total))
            b.line("share.country" if kind == "share" else "country.figure", head, value=value, share=share,
                   total=b.figure(int(total.value), "count", f"total {lst.period.first_year}", [total.ref],
                                  of=(total,)), **params)
            return COUNTED
        else:
            b.line("country.count", head, value=value, **params)
        if kind == "share":
            # "what share went to Iraq in 2015?": "more than 1,000", or a count without its total, makes no share
            b.status = "no_data"
            b.line("share.uncounted", country=Ref("country", iso), period=lst.period, source=source)
        return COUNTED

    def _other_countries(self, b: Builder, lst: CountryList, basis: Ref, count: int) -> int:
        """"the other countries": the sheet's "Andere" row, where it prints one."""
        other = lst.other
        head = lst.obs()[:1]
        if other is None:
            b.line("nodata.country_no_other", head, period=lst.period, basis=basis, n=Num(count),
                   source=Ref("source", lst.source))
            return NOT_LISTED
        if b.request.n is not None and b.request.n != count:
            # "outside the top 5" when the sheet counts the others outside its top 10: another figure
            b.status = "no_data"
            b.line("nodata.country_other_not_n", head, period=lst.period, basis=basis, n=Num(count),
                   asked=Num(b.request.n), source=Ref("source", lst.source))
            return NOT_LISTED
        # data.load refuses an "other" row without a total
        total = cast(Observation, self.cube.total_of(lst.source, lst.period) or lst.total)
        b.line("country.other", head, period=lst.period, n=Num(count), basis=basis,
               value=b.figure(int(other.value), "count", "other", [other.ref], of=(other,)),
               share=b.figure(other.value / total.value, "share", "other share", [other.ref, total.ref],
                              of=(other, total)),
               total=b.figure(int(total.value), "count", f"total {lst.period.first_year}", [total.ref], of=(total,)))
        return COUNTED

    # ---- the profile of the returnees -----------------------------------------------------
    @handles("categories")
    def _categories(self, b: Builder, request: Request, today: dt.date) -> None:
        node = _program(request)
        leaves = selects(node)
        if any(s.country is not None for s in leaves):
            # "undocumented people from Moldova": a cut the sheets do not make.
            b.status = "no_data"
            b.line("nodata.category_country", categories=tuple(self.category_years),
                   countries=tuple(self.country_years))
            return
        periods = list(dict.fromkeys(_when(s) for s in leaves))
        # A profile is of a year, or of the months a publication gives it for ("January-September 2025").
        asked = {p: [x for x in self.cube.profiles_of(p.first_year) if p.whole_years or x.period.months() == p.months()]
                 for p in periods if p.single_year}
        if any(not asked.get(p) and not (p.whole_years and p.single_year) for p in periods):
            b.status = "no_data"
            b.line("nodata.categories_year", years=_runs(self.category_years))
            return
        self._not_by_org(b, leaves[0], "nodata.categories_org")
        without = inner(node, Without)
        pick = inner(node, Pick)
        together = isinstance(node, Total)
        for period in periods:
            profiles = asked.get(period)
            if not profiles:
                b.status = "no_data"
                b.line("nodata.categories_year", years=_runs(self.category_years))
                continue
            picked = [s.category for s in leaves if s.period == period and s.category is not None]
            wanted = tuple(c for c in CATEGORIES if without is None or c not in without.members) if without \
                else tuple(picked) or CATEGORIES
            for profile in profiles:
                if pick is not None and pick.k > len(wanted):
                    # "the fourth largest category": there are three
                    b.status = "no_data"
                    b.line("extreme.fewer", n=Num(len(wanted)), k=Ref("ordinal", str(pick.k)))
                    continue
                self._profile(b, profile, _extreme_category(profile, wanted, pick), together, request.how_many)

    def _profile(self, b: Builder, profile: Any, wanted: tuple[str, ...], together: bool, how_many: bool) -> None:
        """A profile as its publication gives it: counts with the printed percentages, or
        percentages only; a group it gives instead of two categories is given as such."""
        counts, percents = profile.counts, profile.percents
        total = profile.total
        source, period = Ref("source", profile.source), profile.period
        head: Obs = (tuple(percents.values()) + tuple(counts.values()))[:1]
        many = len(wanted) == len(CATEGORIES)
        if many:
            b.line("categories.head", head, period=period, source=source)
            head = ()
        shown = []
        for cat in wanted:
            pct_obs, count = percents.get(cat), counts.get(cat)
            if pct_obs is None and count is None:
                continue
            shown.append(cat)
            params: dict[str, Any] = dict(category=Ref("category", cat), period=period, source=source)
            if pct_obs is not None:
                params["pct"] = replace(b.figure(pct_obs.value / 100, "percent", f"{cat} percent", [pct_obs.ref],
                                                 of=(pct_obs,)),
                                        qualifier=pct_obs.qualifier)
            if count is not None:
                params["value"] = replace(b.figure(int(count.value), "count", cat, [count.ref], of=(count,)),
                                          qualifier=count.qualifier)
            form = "count_pct" if count is not None and pct_obs is not None else "count" if count is not None else "pct"
            if form == "count_pct" and total is not None:
                params["total"] = b.figure(int(total.value), "count", "total", [total.ref], of=(total,))
                form = "figure"
            b.line(f"categories.item_{form}" if many else f"category.{form}", head, **params)
        missing = [c for c in wanted if c not in shown]
        grouped = APPLICANTS_AND_REJECTED in counts or APPLICANTS_AND_REJECTED in percents
        if missing and grouped and set(missing) <= {"applicants", "rejected"}:
            # "applicants and rejected together: 2,032": the release does not split them, so a
            # figure for one of them is not published (the group is shown as what is)
            if not many and set(missing) != {"applicants", "rejected"}:
                b.status = "no_data"
            self._profile(b, profile, (APPLICANTS_AND_REJECTED,), False, how_many) if not many else \
                self._profile_group(b, profile)
        elif missing and not shown:
            b.status = "no_data"
            b.line("category.none", head, categories=tuple(Ref("category", c) for c in missing), period=period,
                   source=source)
            return
        if together and len(shown) > 1:
            self._categories_together(b, profile, tuple(shown))
        if not any(c in counts for c in shown) and shown:
            b.line("categories.pct_only", source=source)
            if how_many:
                b.status = "no_data"  # "how many undocumented migrants in 2025": only the share is printed

    def _profile_group(self, b: Builder, profile: Any) -> None:
        count, pct = profile.counts.get(APPLICANTS_AND_REJECTED), profile.percents.get(APPLICANTS_AND_REJECTED)
        params: dict[str, Any] = dict(category=Ref("category", APPLICANTS_AND_REJECTED))
        if pct is not None:
            params["pct"] = replace(b.figure(pct.value / 100, "percent", "group percent", [pct.ref], of=(pct,)),
                                    qualifier=pct.qualifier)
        if count is not None:
            params["value"] = replace(b.figure(int(count.value), "count", "group", [count.ref], of=(count,)),
                                      qualifier=count.qualifier)
        form = "count_pct" if count is not None and pct is not None else "count" if count is not None else "pct"
        b.line(f"categories.item_{form}", **params)

    def _categories_together(self, b: Builder, profile: Any, wanted: tuple[str, ...]) -> None:
        if profile.total is not None and all(c in profile.counts for c in wanted):
            rows = [profile.counts[cat] for cat in wanted]
            sources = [r.ref for r in rows]
            value = sum(int(r.value) for r in rows)
            total = int(profile.total.value)
            b.line("categories.together", period=profile.period,
                   value=b.figure(value, "sum", "together", sources, of=rows),
                   total=b.figure(total, "count", "total", [profile.total.ref], of=(profile.total,)),
                   pct=b.figure(value / total, "share", "together share", sources + [profile.total.ref],
                                of=(*rows, profile.total)))
        elif all(c in profile.percents and profile.percents[c].exact for c in wanted):
            rows = [profile.percents[cat] for cat in wanted]
            added = round(sum(r.value for r in rows), 6)
            b.line("categories.together_pct", period=profile.period,
                   pct=b.figure(added / 100, "percent_sum", "together percent", [r.ref for r in rows], of=rows))

    # ---- what else the publications count -------------------------------------------------
    @handles("measure")
    def _measure(self, b: Builder, request: Request, today: dt.date) -> None:
        """Reintegration support, families, unaccompanied minors...: each publication's
        figures for the period, the fullest first; where two disagree, both are named."""
        for s in selects(_program(request)):
            measures = RELATED.get(s.measure, (s.measure,))
            found = self._measure_rows(s)
            # (within one year only: over a span of years, the years it is given for are said)
            within = self._measure_rows(s, within=True) if not found and _when(s).single_year else []
            if within:
                # "how many on special flights in 2020?": no figure for the year, one for November 2020
                b.status = "no_data"
                b.line("measure.within", measure=Ref("measure", s.measure), period=_when(s))
                for o in within:
                    self._measure_line(b, Period(o.start, o.end, "range"), o.source, [o])
                continue
            if not found:
                years = _runs(sorted({o.year for o in self.dataset.observations
                                      if o.measure in measures and o.whole_year}))
                b.status = "no_data"
                if s.country is not None:
                    b.line("measure.none_country", measure=Ref("measure", s.measure), country=Ref("country", s.country))
                elif years:
                    b.line("measure.none", measure=Ref("measure", s.measure), period=s.period, years=years)
                else:
                    b.line("measure.none_ever", measure=Ref("measure", s.measure))
                continue
            if request.how_many and not any(o.unit == "count" for o in found):
                # "how many received reintegration support in 2019?": only shares are published, said as such
                b.status = "no_data"
                b.line("measure.shares_only", measure=Ref("measure", s.measure), period=_when(s))
            by_source: dict[str, list[Observation]] = {}
            for o in found:
                by_source.setdefault(o.source, []).append(o)
            order = list(self.dataset.sources)
            ranked = sorted(by_source.items(), key=lambda kv: (len(kv[1]), order.index(kv[0])), reverse=True)
            shown: dict[tuple[str, str], Observation] = {}
            for source, rows in ranked:
                new = [o for o in rows
                       if (o.measure, o.unit) not in shown or shown[(o.measure, o.unit)].value != o.value]
                if not new:
                    continue
                for o in new:
                    shown.setdefault((o.measure, o.unit), o)
                self._measure_line(b, _when(s), source, new)

    def _measure_line(self, b: Builder, period: Period, source: str, rows: list[Observation]) -> None:
        for measure in dict.fromkeys(o.measure for o in rows):
            # "plus de 13 000" leads to the 13,392 of the same release: the exact one is the figure
            count = min((o for o in rows if o.measure == measure and o.unit == "count"),
                        key=lambda o: bool(o.qualifier), default=None)
            pct = next((o for o in rows if o.measure == measure and o.unit == "percent"), None)
            params: dict[str, Any] = dict(period=period, source=Ref("source", source))
            if rows[0].country is not None:
                params["country"] = Ref("country", rows[0].country)
            if count is not None:
                params["value"] = replace(b.figure(count.value, "count", measure, [count.ref], (count,)),
                                          qualifier=count.qualifier)
            if pct is not None:
                params["pct"] = replace(b.figure(pct.value / 100, "percent", f"{measure} percent", [pct.ref], (pct,)),
                                        qualifier=pct.qualifier)
            form = "count_pct" if count is not None and pct is not None else "count" if count is not None else "pct"
            b.line(f"measure.{measure}.{form}", **params)

    # ---- information ----------------------------------------------------------------------
    @handles("info")
    def _info(self, b: Builder, request: Request, today: dt.date) -> None:
        """An information answer: its own lines from the data, then what the sheets say
        in words on the topic (statements.csv), then figures the topic calls for."""
        topic = cast(str, request.topic)  # an information request names its topic
        # "Dublin transfers in 2020?": a topic the releases count, with a period, asks for its figure
        how_many = request.how_many or bool(request.periods) and topic in TOPIC_MEASURES
        if how_many and self._topic_figures(b, topic, request.periods):
            if request.reading == "added":
                self._topic_added(b, topic, request.periods)
            return  # the figures asked for: what the topic is, is for "what is"
        # "term:<ids>": what terms of the glossary mean (intents/glossary.py), answered by _about_term.
        about = getattr(self, f"_about_{topic.partition(':')[0]}", None)
        if topic == "why":
            self._reasons(b, request.periods, set(request.unread), today)
        elif about is not None:
            about(b)
        elif topic in PLAIN_INFO:
            b.line(f"info.{topic}")
        elif topic in UNCOUNTED_INFO:
            b.status = "no_data"
            b.line(f"info.{topic}")
        # A statement about the topic itself comes before one that only bears on it (reasons
        # are the years', _reasons).
        for row in sorted((r for r in self.statements if topic in r["topics"] and topic != "why"),
                          key=lambda r: r["topics"][0] != topic):
            self._statement(b, row)
        if topic == "covid":
            self._covid_years(b, today)
        if request.reading == "added":
            self._topic_added(b, topic, request.periods)
        if not b.lines:
            b.line("info.none")
        if how_many and not self._counted(topic, request.periods):
            # "how many Dublin departures in 2020?": the sheets say what it is, with no figure for it.
            b.status = "no_data"
            if topic != "breakdown":
                if request.periods:
                    b.line("info.no_count_period", period=request.periods[0])
                else:
                    b.line("info.no_count")

    def _topic_figures(self, b: Builder, topic: str, periods: tuple[Period, ...]) -> bool:
        """"how many Dublin departures in 2017?", "what share by bus in 2013?": the figures the
        publications give of the measure the topic is about, for the years asked."""
        measure = TOPIC_MEASURES.get(topic)
        years = {y for p in periods for y in range(p.first_year, p.last_year + 1)}
        rows = [o for o in self.dataset.observations if o.measure == measure and o.whole_year and o.year in years]
        by_source: dict[tuple[int, str], list[Observation]] = {}
        for o in rows:
            by_source.setdefault((o.year, o.source), []).append(o)
        for (year, source), found in sorted(by_source.items()):
            self._measure_line(b, Period.year(year), source, found)
        return bool(rows)

    def _topic_added(self, b: Builder, topic: str, periods: tuple[Period, ...]) -> None:
        """"total returns in 2017 if you add the Dublin departures": each year's total, and the two added
        (about as much, where the topic's count is said with "almost" or "about")."""
        measure = TOPIC_MEASURES[topic]
        for year in sorted({y for p in periods for y in range(p.first_year, p.last_year + 1)}):
            total = self.cube.years().get(year)
            counted = sorted((o for o in self.dataset.observations if o.measure == measure and o.whole_year
                              and o.year == year and o.unit == "count"), key=lambda o: bool(o.qualifier))
            # (or what the publications say in words: "almost 300 by bus to the Balkans in 2011", an estimate)
            said = [row for row in self.statements if topic in row["topics"] and row["year"] == year
                    and row["returns"] is not None]
            if total is None or not total.whole_year or not (counted or said):
                continue
            value, ref, approx = (counted[0].value, counted[0].ref, bool(counted[0].qualifier)) if counted \
                else (said[0]["returns"], said[0]["ref"], True)
            added = b.figure(int(total.value + value), "sum", "added", [total.ref, ref], of=(total,))
            b.line("info.added", year=year,
                   total=b.figure(int(total.value), "count", f"total {year}", [total.ref], of=(total,)),
                   sum=replace(added, qualifier="about") if approx else added)

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
            total = self.cube.years().get(row["year"])
            if total is not None:
                params["total"] = b.figure(total.value, "count", f"total {row['year']}", [total.ref], of=(total,))
        b.cite(row["source"])
        b.line(f"statement.{row['id']}", **params)

    def _covid_years(self, b: Builder, today: dt.date) -> None:
        """The year the remark is about beside the year before, as the sheet prints them."""
        known = self.cube.years()
        for row in self.statements:
            year = row["year"]
            if "covid" in row["topics"] and year in known and year - 1 in known:
                self._compare_sides(b, Compare(Select(Period.year(year)), Select(Period.year(year - 1))), today)

    def _marked_years(self, mark: str) -> tuple[Period, ...]:
        """The yearly totals a publication prints the mark on, as runs of years (2013-2025)."""
        return tuple(Period.years(first, last) for first, last in year_runs(
            o.year for o in self.dataset.observations if o.mark == mark and o.table == "yearly"))

    def _reasons(self, b: Builder, periods: tuple[Period, ...], countries: set[str | None], today: dt.date) -> None:
        """The reasons the publications give for the years asked: those about the year, and
        those about a country (topics with its code) when the question is about it; for a month,
        what the publications count of that month besides the returns ("a special flight")."""
        years = {y for p in periods for y in range(p.first_year, p.last_year + 1)}
        codes = {c.lower() for c in countries if c}
        rows = [r for r in self.statements if "why" in r["topics"] and r["year"] in years
                and (not set(r["topics"]) - {"why", "covid"} or set(r["topics"]) & codes)]
        for row in rows:
            self._statement(b, row)
        events = [o for p in periods if p.single_month for o in self.dataset.observations
                  if o.measure != "returns" and (o.start, o.end) == (p.start, p.end)]
        for o in events:
            self._measure(b, Request("figures", Select(Period(o.start, o.end, "month"), country=o.country,
                                                       measure=o.measure)), today)
        if not rows and not events:
            b.status = "no_data"  # the figures are given, the reason asked for is not published
            b.line("info.why_none")

    def _about_fedasil(self, b: Builder) -> None:
        b.line("info.fedasil")

    def _about_dvz(self, b: Builder) -> None:
        b.line("info.dvz", years=self.split_spans)

    def _about_dublin(self, b: Builder) -> None:
        note = next((f for f in self.dataset.footnotes if f["id"] == "dublin"), None)
        if note is not None and note["mark"]:
            b.cite(note["source"])
            b.line("info.dublin", mark=note["mark"], years=self._marked_years(note["mark"]))

    def _about_marks(self, b: Builder) -> None:
        for note in self.dataset.footnotes:
            if note["mark"]:
                b.cite(note["source"])
                b.line("info.mark", mark=note["mark"], years=self._marked_years(note["mark"]),
                       text=Ref("footnote", note["id"]))

    def _about_partial(self, b: Builder) -> None:
        """Publications over part of a year: of the years asked, else the latest one."""
        asked = {y for p in b.request.periods for y in range(p.first_year, p.last_year + 1)}
        # a span inside the year (June-September) leaves no single rest to name
        spans = sorted({sp for sp in self.partials.values() if sp[1].start[1] == 1 or sp[1].end[1] == 12},
                       key=lambda sp: (sp[1].end, sp[1].start))
        shown = [sp for sp in spans if sp[1].first_year in asked] if asked else spans[-1:]
        totals_given: set[int] = set()
        for source, span in shown:
            year = span.first_year
            # the months the publication leaves out: after it, or before it when it ends in December
            rest = Period((year, span.end[1] + 1), (year, 12), "months") if span.end[1] < 12 \
                else Period((year, 1), (year, span.start[1] - 1), "months")
            total = self.cube.years().get(year)
            b.cite(source)
            if total is None or self.partial(year):
                b.line("info.partial", year=year, span=span, rest=rest)
                continue
            if year not in totals_given:
                totals_given.add(year)
                b.cite(total.source)
                b.line("info.partial_total", year=year, total_source=Ref("source", total.source),
                       total=b.figure(total.value, "count", f"total {year}", [total.ref], (total,)))
            b.line("info.partial_part", span=span, rest=rest, source=Ref("source", source))
        if not shown:
            b.line("info.partial_none", last=self.last_year)

    def _about_sources(self, b: Builder) -> None:
        """The publications, the newest first: those on the years asked, else the latest
        few and the years the others cover. The answer's lines are the sources themselves."""
        sources = sorted(self.dataset.sources.values(), key=lambda s: s.recency, reverse=True)
        asked = {y for p in b.request.periods for y in range(p.first_year, p.last_year + 1)}
        shown = [s for s in sources if s.year in asked] if asked else sources[:LATEST_SOURCES]
        b.line("info.sources", n=Num(len(sources)),
               publisher=tuple(Ref("credit", c) for c in dict.fromkeys(s.credit for s in sources)))
        for source in shown:
            b.line("info.source_item", title=Ref("title", source.id))
        older = sorted({s.year for s in sources if s not in shown})
        if older:
            b.line("info.sources_more", years=_runs(older), example=older[-1])

    def _about_where(self, b: Builder) -> None:
        """Where the publications can be read: the fact sheets first, each with its link or
        saying that none is known, then the latest other publications, then the website."""
        sources = sorted(self.dataset.sources.values(), key=lambda s: s.recency, reverse=True)
        sheets = [s for s in sources if s.kind == "fact_sheet"]
        others = [s for s in sources if s.kind != "fact_sheet"][:LATEST_WHERE]
        b.line("info.where")
        for source in sheets + others:   # the lines are the sources: the source line names none of them
            b.line("info.source_item" if source.urls else "info.no_link", title=Ref("title", source.id))
        b.line("info.where_more", n=Num(len(sources)))
        for row in self.statements:
            if "website" in row["topics"]:
                self._statement(b, row)

    def reach(self) -> dict[str, Any]:
        """How current the figures are, from the data: the last month any total covers, the
        last month with a figure of its own, and the latest publication of the register."""
        returns = [o for o in self.dataset.used if o.measure == "returns" and o.country is None and o.category is None]
        last = max(o.end for o in returns)
        monthly = max((o.end for o in returns if o.start == o.end), default=last)
        latest = max(self.dataset.sources.values(), key=lambda s: s.recency)
        return {"month": Period.month(*last), "monthly": Period.month(*monthly), "source": Ref("source", latest.id)}

    def _about_latest(self, b: Builder) -> None:
        """"What is the latest publication?", "when were the figures last updated?": the
        register's newest publication, and up to when the figures reach."""
        latest = max(self.dataset.sources.values(), key=lambda s: s.recency)
        b.line("info.latest", title=Ref("title", latest.id))
        b.line("info.reach", **self.reach())

    def _about_term(self, b: Builder) -> None:
        """What terms mean, from the glossary: in the publication's own words where it defines
        the term, else what the publications say of it, never a definition of our own."""
        entries = {row["id"]: row for row in self.dataset.glossary}
        # "term:<ids>", the topic of this answer
        for entry in cast(str, b.request.topic).partition(":")[2].split(TERM_SEPARATOR):
            row = entries.get(entry)
            if row is None:   # a context from an older glossary
                continue
            b.cite(row["source"])
            b.line("glossary.defined" if row["defined"] == "yes" else "glossary.used", term=Ref("term", entry),
                   source=Ref("source", row["source"]), text=Ref("gloss", entry))

    def _about_glossary(self, b: Builder) -> None:
        ids = [row["id"] for row in self.dataset.glossary]
        # The example: an entry the publications define, after the first (which the list opens with).
        example = next((row["id"] for row in self.dataset.glossary[1:] if row["defined"] == "yes"), ids[0])
        b.line("glossary.list", terms=tuple(Ref("term", i) for i in ids), example=Ref("term", example))

    def _about_download(self, b: Builder) -> None:
        """"download all the data", "csv": what the observation table holds; the front ends
        attach it (bot/export.py)."""
        b.line("info.download", n=Num(len(self.dataset.observations)), sources=Num(len(self.dataset.sources)))

    def _about_coverage(self, b: Builder) -> None:
        b.line("info.coverage")
        self.coverage_line(b)

    def _about_percent_sum(self, b: Builder) -> None:
        """A profile whose printed percentages do not add up to its printed total (of the
        years asked, else of every year)."""
        asked = {y for p in b.request.periods for y in range(p.first_year, p.last_year + 1)}
        for year in self.category_years:
            for profile in self.cube.profiles_of(year) if not asked or year in asked else ():
                total = profile.total_percent
                if total is None:
                    continue
                b.cite(profile.source)
                rows = [(c, profile.percents[c]) for c in CATEGORIES if c in profile.percents]
                added = round(sum(o.value for _, o in rows), 6)
                items = tuple(b.figure(o.value / 100, "percent", f"{c} percent", [o.ref], of=(o,)) for c, o in rows)
                key = "info.percent_sum" if added != total.value else "info.percent_sum_equal"
                b.line(key, period=profile.period, source=Ref("source", profile.source), items=items,
                       added=b.figure(added / 100, "percent_sum", "sum of the percentages", [o.ref for _, o in rows],
                                      of=[o for _, o in rows]),
                       printed=b.figure(total.value / 100, "percent", "printed total", [total.ref], of=(total,)))

    # ---- asking back, not understood, greetings -------------------------------------------
    @handles("clarify")
    def _clarify(self, b: Builder, request: Request, today: dt.date) -> None:
        b.status = "clarify"
        if request.topic == "word":
            b.line("clarify.word", words=", ".join(request.unread))
            if request.offer:
                b.line("clarify.offer", offer=request.offer)
            return
        if request.topic == "which_together":
            b.line("clarify.which_together")
            return
        if request.topic in ("negation", "zero"):
            b.line(f"clarify.{request.topic}", words=", ".join(request.unread))
            return
        if request.topic == "cross":
            b.status = "no_data"
            b.line("nodata.cross", words=", ".join(request.unread))
            return
        if request.topic == "finer":
            # Not a question back: the data has no such figure; the months that hold it are offered.
            b.status = "no_data"
            grain = Ref("finer", request.unread[0])
            if request.periods:
                b.line("nodata.finer", grain=grain, period=request.periods[0])
            else:
                b.line("nodata.finer_alone", grain=grain)
            return
        if request.topic == "period":
            b.line("clarify.period" if request.unread else "clarify.anchor", words=", ".join(request.unread))
            self.coverage_line(b)
            return
        if request.topic == "which_period":
            b.line("clarify.which_period", period=request.periods[0])
            return
        if request.topic == "vague_period":
            third = self.resolve_period(request.periods[0])
            b.line("clarify.vague_period", words=", ".join(request.unread),
                   period=Period(third.start, third.end, "range"))
            return
        lists = tuple(Ref("list_size", (len(lst.entries), lst.basis, lst.period))
                      for y in self.country_years for lst in self.cube.country_lists(y)[:1])[-4:]
        b.line(f"clarify.{request.topic}", n=Num(request.n or 0), lists=lists)

    @handles("social")
    def _social(self, b: Builder, request: Request, today: dt.date) -> None:
        b.line(request.act)

    @handles("unknown")
    def _unknown(self, b: Builder, request: Request, today: dt.date) -> None:
        # Two kinds of "no": words not understood, or a topic understood that is not in the
        # figures ("how many deportations in 2023?"): the figures do not hold it.
        b.status = "no_data" if request.topic and request.topic != OFF_TOPIC else "unknown"
        b.line("unknown_words" if request.unread else "unknown", words=", ".join(request.unread))
        if request.topic:
            b.line(f"unknown_topic.{request.topic}")
        self.coverage_line(b)
        b.examples = ("count", "top")


def _share_claim(b: Builder, check: Check, share: float, src: list[str], obs: Obs) -> None:
    """A share against the one claimed (`check.value`, in percent)."""
    claimed = _quoted(check) / 100
    b.line("share.claim_true" if CLAIMS[check.relation](share, claimed) else "share.claim_false",
           share=b.figure(share, "share", "share claimed", src, of=obs), quoted=Num(claimed, "printed_percent"),
           relation=Ref("relation", check.relation))


def _direction(diff: float) -> str:
    """The key of a comparison's sentence: the first side more, fewer or as many."""
    return "same" if diff == 0 else "more" if diff > 0 else "less"


def _extreme_category(profile: Any, wanted: tuple[str, ...], pick: Pick | None) -> tuple[str, ...]:
    """The categories of a profile to show: all wanted, or the largest (smallest) of them,
    by the counts or else the percentages its publication gives."""
    if pick is None:
        return wanted
    values = {c: o.value for c in wanted if (o := profile.counts.get(c) or profile.percents.get(c)) is not None}
    if len(values) < len(wanted):
        return wanted  # a category given only grouped with another cannot be ranked: the profile as given
    ordered = sorted(values, key=lambda c: -values[c] if pick.order == "max" else values[c])
    return (ordered[pick.k - 1],)


def _place(value: float, values: Iterable[float], order: str) -> int:
    """The place of a figure among others, most first ("max") or fewest first; ties share one."""
    return 1 + sum((v > value) if order == "max" else (v < value) for v in values)


def _pick(items: tuple[Fig, ...], pick: Pick) -> tuple[Fig, ...]:
    """Places k..k+n-1 by the figures, ties sharing a place ("1, 2, 2, 4")."""
    ordered = sorted(items, key=lambda f: -f.value if pick.order == "max" else f.value)
    last = pick.k + (pick.n if pick.n is not None else len(items)) - 1
    return tuple(f for f in ordered if pick.k <= _place(f.value, (g.value for g in items), pick.order) <= last)


def _member_figure(b: Builder, f: Fig) -> Num:
    """A list member's count, as an answer states it."""
    return b.figure(int(f.value), "count", str(f.member), [o.ref for o in f.obs], f.obs)
