"""`returnbot data check [DIR]`: the start-up rules on a data directory, what it covers,
what each publication adds, which figures a later publication supersedes and where two
publications disagree."""
from __future__ import annotations

from typing import Any

import pandas as pd

from bot.startup import load_or_report
from bot.texts import load_texts
from intents import data
from intents.data import ALL, OTHER, Observation
from intents.models import ORGS


def _runs(years) -> str:
    """2013, 2014, 2015, 2017 -> 2013-2015, 2017."""
    return ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in data.year_runs(years)) or "-"


def _month(ym: tuple[int, int]) -> str:
    return "%04d-%02d" % ym


def _period(o: Observation) -> str:
    if o.whole_year:
        return str(o.year)
    return _month(o.start) if o.start == o.end else f"{_month(o.start)}..{_month(o.end)}"


def _cell(o: Observation) -> str:
    """A figure's cell in a few words: "returns 2025-01..2025-09 dvz", "returns 2020 country BR"."""
    parts = [o.measure, _period(o)]
    if o.org != "total":
        parts.append(o.org)
    if o.country:
        parts.append(f"country {o.country}")
    if o.category:
        parts.append(f"category {o.category}")
    if o.unit != "count":
        parts.append(o.unit)
    return " ".join(parts)


def _frame(dataset: data.Dataset) -> pd.DataFrame:
    rows = [{"source": o.source, "measure": o.measure, "table": o.table, "unit": o.unit, "year": o.year,
             "period": _period(o), "org": o.org, "cell": o.cell} for o in dataset.observations]
    return pd.DataFrame(rows)


def _adds(frame: pd.DataFrame, t: dict[str, Any]) -> dict[str, str]:
    """Per source, the figures no other source gives, summarised by measure, kind and unit."""
    givers = frame.groupby("cell")["source"].nunique()
    own = frame[frame["cell"].map(givers) == 1]
    out: dict[str, str] = {}
    for source, rows in own.groupby("source", sort=False):
        kinds = rows.groupby(["measure", "table", "unit"], sort=True)["year"].agg(lambda ys: _runs(ys))
        out[source] = "; ".join(t["kind"].format(measure=m, table=tb, unit=u, years=ys)
                                for (m, tb, u), ys in kinds.items())
    return out


def report(dataset: data.Dataset) -> list[str]:
    t: dict[str, Any] = load_texts("data_check", langs=("en",))["en"]   # for whoever maintains the data: English
    frame = _frame(dataset)
    adds = _adds(frame, t)
    counted = frame.groupby("source").size()
    out = [t["ok"].format(directory=dataset.directory, n=len(dataset.observations), sources=len(dataset.sources))]
    for s in dataset.sources.values():
        title, _ = s.title("nl")
        date = "-".join("%02d" % p for p in s.published) if s.published else t["undated"]
        out.append(t["source"].format(id=s.id, kind=s.kind, title=title, year=s.year, date=date, credit=s.credit,
                                      n=int(counted.get(s.id, 0)), adds=adds.get(s.id) or t["nothing"]))
    used = [o for o in dataset.used if o.measure == "returns" and o.unit == "count"]
    years = [o for o in used if o.table == "yearly"]
    whole = {o.year for o in years if o.whole_year}
    out.append(t["yearly"].format(years=_runs(o.year for o in years)))
    out += [t["partial"].format(year=o.year, first=o.start[1], last=o.end[1], source=o.source)
            for o in years if not o.whole_year and o.year not in whole]
    for mark in sorted({o.mark for o in years if o.mark}):
        out.append(t["marks"].format(mark=mark, years=_runs(o.year for o in years if o.mark == mark)))
    months = [o for o in used if o.table == "monthly"]
    for year in sorted({o.year for o in months}):
        rows = [o for o in months if o.year == year]
        orgs = [org for org in data.ORGANISATIONS[1:] + data.ORGANISATIONS[:1] if any(o.org == org for o in rows)]
        out.append(t["monthly"].format(year=year, first=min(o.start[1] for o in rows),
                                       last=max(o.start[1] for o in rows),
                                       orgs=", ".join(orgs)))
    split = [{o.year for o in used if o.table == "organisation" and o.org == org} for org in ORGS]
    out.append(t["split"].format(years=_runs(split[0] & split[1])))
    lists = sorted({(o.source, o.start, o.end, o.basis) for o in dataset.used if o.country and o.measure == "returns"},
                   key=lambda k: (k[1], k[0]))
    for source, start, end, basis in lists:
        rows = [o for o in dataset.used if o.country and o.source == source and (o.start, o.end) == (start, end)]
        named = {o.country for o in rows if o.country not in (OTHER, ALL)}
        what = "counts" if any(o.unit == "count" and o.country not in (OTHER, ALL) for o in rows) else "ranks"
        out.append(t["countries"].format(period=_period(rows[0]), n=len(named), basis=basis, what=t[what],
                                         other=t["other"] if any(o.country == OTHER for o in rows) else "",
                                         source=source))
    profiles = sorted({(o.source, o.start, o.end) for o in dataset.used if o.category and o.measure == "returns"},
                      key=lambda k: (k[1], k[0]))
    for source, start, end in profiles:
        rows = [o for o in dataset.used if o.category and o.source == source and (o.start, o.end) == (start, end)]
        what = t["counts"] if any(o.unit == "count" and o.category != ALL for o in rows) else t["percentages"]
        out.append(t["categories"].format(period=_period(rows[0]), what=what, source=source))
    others = frame[frame["measure"] != "returns"].groupby("measure")["year"].agg(lambda ys: _runs(ys))
    out += [t["measure"].format(measure=m, years=ys) for m, ys in others.items()]
    out += [t["footnote"].format(id=f["id"], mark=f" ({f['mark']})" if f["mark"] else "", applies_to=f["applies_to"],
                                 source=f["ref"]) for f in dataset.footnotes]
    out += [t["statement"].format(id=s["id"], topics=", ".join(s["topics"]), source=s["ref"])
            for s in dataset.statements]
    disagree = {id(old) for old, _ in dataset.disagreements}
    for old, new in dataset.superseded:
        key = "disagree" if id(old) in disagree else "superseded"
        out.append(t[key].format(cell=_cell(old), old=old.ref, new=new.ref, old_value=f"{old.value:g}",
                                 new_value=f"{new.value:g}"))
    return out


def main(directory: str | None) -> int:
    dataset = load_or_report(data.load, directory)
    if dataset is None:
        return 2
    print("\n".join(report(dataset)))
    return 0
