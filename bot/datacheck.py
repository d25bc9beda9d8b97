"""`returnbot data check [DIR]`: the start-up rules on a data directory, and what it covers."""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from intents import data
from intents.data import DataError, KEYS

TEXTS = Path(__file__).with_name("data_check.toml")


def _runs(years) -> str:
    """2013, 2014, 2015, 2017 -> 2013-2015, 2017."""
    return ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in data.year_runs(years)) or "-"


def report(dataset: data.Dataset) -> list[str]:
    with TEXTS.open("rb") as fh:
        t: dict[str, Any] = tomllib.load(fh)
    tables = dataset.tables
    out = [t["ok"].format(directory=dataset.directory)]
    out += [t["sheet"].format(**s) for s in tables["sources"]]
    yearly = sorted(tables["yearly"], key=lambda r: r["year"])
    out.append(t["yearly"].format(first=yearly[0]["year"], last=yearly[-1]["year"]))
    out += [t["partial"].format(year=r["year"], first=r["first_month"], last=r["last_month"])
            for r in yearly if (r["first_month"], r["last_month"]) != (1, 12)]
    for mark in sorted({r["marks"] for r in yearly if r["marks"]}):
        out.append(t["marks"].format(mark=mark, years=_runs([r["year"] for r in yearly if r["marks"] == mark])))
    for year in sorted({r["year"] for r in tables["monthly"]}):
        rows = [r for r in tables["monthly"] if r["year"] == year]
        orgs = [o for o in data.MONTHLY_ORGS if any(r["organisation"] == o for r in rows)]
        months = [r["month"] for r in rows]
        out.append(t["monthly"].format(year=year, first=min(months), last=max(months), orgs=", ".join(orgs)))
    out.append(t["split"].format(years=_runs([r["year"] for r in tables["yearly_by_organisation"]])))
    for year in sorted({r["year"] for r in tables["countries"]}):
        rows = [r for r in tables["countries"] if r["year"] == year]
        out.append(t["countries"].format(year=year, n=sum(1 for r in rows if r["rank"]), basis=rows[0]["basis"],
                                         other=t["other"] if any(r["iso"] == "other" for r in rows) else ""))
    for year in sorted({r["year"] for r in tables["categories"]}):
        rows = [r for r in tables["categories"] if r["year"] == year]
        what = t["counts"] if all(r["returns"] is not None for r in rows) else t["percentages"]
        out.append(t["categories"].format(year=year, what=what))
    out += [t["footnote"].format(id=f["id"], mark=f" ({f['mark']})" if f["mark"] else "", applies_to=f["applies_to"],
                                 source=f["source"]) for f in tables["footnotes"]]
    out += [t["statement"].format(id=s["id"], topics=", ".join(s["topics"]), source=s["source"])
            for s in tables["statements"]]
    for table, pairs in dataset.superseded.items():
        for old, new in pairs:
            key = "/".join(str(old[k]) for k in KEYS[table])
            out.append(t["superseded"].format(table=table, key=key, old=old["source"], new=new["source"]))
    return out


def main(directory: str | None) -> int:
    try:
        dataset = data.load(directory)
    except DataError as exc:
        print(f"returnbot: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report(dataset)))
    return 0
