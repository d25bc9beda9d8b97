"""Tables to download: an answer's figures, and the whole observation table, as CSV.

Front-end neutral: the command line (`returnbot ask --csv`), the web page and the API call
these; each front end only chooses where the bytes go. Machine-readable whatever the
reader's language: dot decimals, no thousands separators, periods as ISO months
(`YYYY-MM`), codes for organisations, countries and categories (a country's name in the
reader's language beside its code). Written with pandas, imported when a table is written:
`returnbot ask` without `--csv` never pays for it, and a front end may ask `has_table` freely.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from intents.data import ALL, Dataset, Observation, Source
from intents.models import Answer, Figure, Ref
from intents.render import Renderer

# The answers that are tables (a series, a list, a profile, a comparison): a front end offers
# their figures as CSV (Telegram's button). Intent names of intents/registry.py.
TABLE_INTENTS = ("series", "top", "categories", "compare", "filter", "count_of")
# The information topic that asks for the whole observation table ("download all the data").
DOWNLOAD_TOPIC = "download"
# One row per figure the answer states.
ANSWER_COLUMNS = ("measure", "start", "end", "organisation", "country", "country_name", "basis", "category",
                  "value", "unit", "kind", "status", "qualifier", "source", "locator", "reference")
# One row per observation, with what a reader needs to find and judge it.
DATA_COLUMNS = ("measure", "start", "end", "organisation", "country", "country_name", "basis", "category", "unit",
                "value", "qualifier", "against", "mark", "label", "source", "locator", "reference", "used",
                "source_kind", "source_title", "source_published", "source_url")
# Figures stated as fractions (0.286) are written as percentages (28.6), as the publications
# print them and as data/observations.csv holds them.
AS_PERCENT = {"percent": "percent", "share": "percent", "percent_sum": "percent", "change": "change",
              "printed_change": "change"}
UNITS = {"ratio": "ratio"}
# The kinds a publication prints; any other kind is calculated by returnbot.
PRINTED = ("count", "percent", "printed_change")
# What several values in one cell are joined with (a figure calculated from several rows).
JOIN = ";"
# The breakdown's values that stand for "no breakdown" when a calculated figure mixes a part
# with its whole (a country's share: the country and the list's total).
WHOLE = ("total", ALL, "")


def _number(value: float, calculated: bool) -> str:
    """Dot decimals, no exponent, no thousands separator; a calculated figure to two decimals
    (the answer shows one), a published one as printed."""
    value = round(value, 2 if calculated else 6)
    if float(value).is_integer():
        return str(int(value))
    return format(value, "f").rstrip("0").rstrip(".")


def _month(ym: tuple[int, int]) -> str:
    return "%04d-%02d" % ym


def _cell(values: Iterable[str | None]) -> str:
    """One value for a breakdown column: the rows' common value, else the parts that are not
    the whole (the country of a country's share), joined."""
    found = list(dict.fromkeys(v or "" for v in values))
    if len(found) == 1:
        return found[0]
    return JOIN.join(sorted(v for v in found if v not in WHOLE))


def _cited(ref: str, sources: dict[str, Source]) -> tuple[str, str]:
    """(source id, locator) of a reference as answers cite it: `file:line` of a fact sheet's
    text, `URL#pN` of a page's paragraph (the locator is then `lang:pN`)."""
    if "#p" in ref:
        url, _, paragraph = ref.rpartition("#p")
        for source in sources.values():
            for lang, link in source.urls.items():
                if link == url:
                    return source.id, f"{lang}:p{paragraph}"
    else:
        file, _, line = ref.rpartition(":")
        for source in sources.values():
            if source.file == file:
                return source.id, line
    return "", ""


def _country_names(codes: str, renderer: Renderer) -> str:
    return JOIN.join(renderer.ref(Ref("country", code)) for code in codes.split(JOIN) if code and code != ALL)


def _figure_row(figure: Figure, renderer: Renderer) -> dict[str, str]:
    rows: tuple[Observation, ...] = figure.rows
    scale = 100 if figure.kind in AS_PERCENT else 1
    # Printed: read from one observation as it stands, or from one statement of a publication
    # (the 2011 bus estimate), which is no observation.
    printed = figure.kind in PRINTED and (len(rows) == 1 and abs(figure.value * scale - rows[0].value) < 1e-6
                                          or not rows and len(figure.sources) == 1)
    cited = [_cited(ref, renderer.sources) for ref in figure.sources]
    country = _cell(o.country for o in rows)
    return {
        "measure": _cell(o.measure for o in rows),
        "start": _month(min(o.start for o in rows)) if rows else "",
        "end": _month(max(o.end for o in rows)) if rows else "",
        "organisation": _cell(o.org for o in rows),
        "country": country,
        "country_name": _country_names(country, renderer),
        "basis": _cell(o.basis for o in rows),
        "category": _cell(o.category for o in rows),
        "value": _number(figure.value * scale, not printed),
        "unit": AS_PERCENT.get(figure.kind) or UNITS.get(figure.kind, "count"),
        "kind": figure.kind,
        "status": "published" if printed else "calculated",
        "qualifier": (rows[0].qualifier or "") if printed and rows else "",
        "source": JOIN.join(sid for sid, _ in cited),
        "locator": JOIN.join(locator for _, locator in cited),
        "reference": JOIN.join(figure.sources),
    }


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    import pandas as pd  # lazy: only when a table is written

    # Every cell is text already (numbers formatted above): pandas would write a column that
    # mixes 112 and 28.6 as 112.0.
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()


def answer_csv(answer: Answer, renderer: Renderer) -> str:
    """The answer's figures, one row per figure as the answer states them (in its order):
    the months they cover, their breakdown, value and unit, whether a publication prints
    them or returnbot calculated them, and where they were read. A figure calculated from
    several rows covers their months; a breakdown they do not share is given by the parts
    that are not the whole (a share of Brazil: BR), joined with ';' where there are several,
    as are its sources. A figure the answer states twice (a list's total beside each of its
    parts) is written once. Only the header for an answer without figures."""
    rows = {tuple(row.values()): row for row in (_figure_row(f, renderer) for f in answer.figures)}
    return _csv(list(rows.values()), ANSWER_COLUMNS)


def _published(source: Source) -> str:
    return "-".join(("%04d", "%02d", "%02d")[i] % part for i, part in enumerate(source.published or ()))


def data_csv(dataset: Dataset, renderer: Renderer) -> str:
    """Every observation of the data (data/observations.csv), with its reference as the
    answers cite it, whether the answers use it (the latest publication's figure for its
    cell) and its publication's kind, title, date and link in the reader's language."""
    used = {o.row for o in dataset.used}
    rows = []
    for o in dataset.observations:
        source = dataset.sources[o.source]
        country = o.country or ""
        rows.append({
            "measure": o.measure, "start": _month(o.start), "end": _month(o.end), "organisation": o.org,
            "country": country, "country_name": _country_names(country, renderer) if country else "",
            "basis": o.basis or "", "category": o.category or "", "unit": o.unit,
            "value": _number(o.value, False), "qualifier": o.qualifier or "",
            "against": "%s..%s" % (_month(o.against[0]), _month(o.against[1])) if o.against else "",
            "mark": o.mark or "", "label": o.label or "", "source": o.source, "locator": o.locator,
            "reference": o.ref, "used": "true" if o.row in used else "false",
            "source_kind": source.kind, "source_title": source.title(renderer.lang)[0],
            "source_published": _published(source),
            "source_url": source.urls.get(renderer.lang) or next(iter(source.urls.values()), ""),
        })
    return _csv(rows, DATA_COLUMNS)


def has_table(answer: Answer) -> bool:
    """Whether the answer is a table of figures (a series, a list, a profile, a comparison)."""
    return answer.status == "ok" and answer.slots.intent in TABLE_INTENTS and len(answer.figures) > 1


def wants_data(answer: Answer) -> bool:
    """Whether the question asked for the whole observation table ("download all the data")."""
    return answer.request.act == "info" and answer.request.topic == DOWNLOAD_TOPIC


def table_csv(answer: Answer, dataset: Dataset, renderer: Renderer) -> str | None:
    """What a download of this answer holds: the whole observation table when that was asked
    for, else the answer's figures; None for an answer without figures."""
    if wants_data(answer):
        return data_csv(dataset, renderer)
    return answer_csv(answer, renderer) if answer.figures else None
