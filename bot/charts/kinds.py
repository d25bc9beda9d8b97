"""Which chart an answer makes, and the answer as far as that chart shows it; cheap (no
matplotlib, no pandas), so that a front end can say there is a chart without drawing it."""
from __future__ import annotations

from dataclasses import replace

from intents.models import Answer, Line, nums_in

HEADS = {"series.years_head": "years", "series.months_head": "months", "series.quarters_head": "quarters",
         "top.head": "top", "categories.head": "profile"}
ITEMS = {"series.item", "series.item_split", "top.item", "top.other", "categories.item_figure",
         "categories.item_count_pct", "categories.item_pct"}
# A top list's countries with their counts, and its "other countries" row; a list printed as
# places only (a release's "top 5") has no bars to draw.
TOP_COUNTED, TOP_OTHER = "top.item", "top.other"


def head_sections(answer: Answer) -> list[tuple[Line, list[Line]]]:
    """Each head line with the item lines that follow it."""
    out: list[tuple[Line, list[Line]]] = []
    for line in answer.lines:
        if line.key in HEADS:
            out.append((line, []))
        elif line.key in ITEMS and out:
            out[-1][1].append(line)
    return out


def drawn(answer: Answer) -> tuple[str, list[tuple[Line, list[Line]]]] | None:
    """The chart an answer makes and the sections it draws, or None: a single figure, a
    comparison of two, a reply that is not an answer. Of a year's two top lists (a release's
    places, a sheet's counts) the one with counts is drawn; profiles are drawn side by side."""
    if answer.status != "ok":
        return None
    sections = head_sections(answer)
    kinds = {HEADS[head.key] for head, _ in sections}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind == "top":
        sections = [(h, items) for h, items in sections if any(i.key == TOP_COUNTED for i in items)]
        if len(sections) != 1:
            return None   # two lists of counts side by side would not be readable on a phone
    if kind == "profile":
        sections = [(h, items) for h, items in sections if len(items) > 1]
    if sum(len(items) for _, items in sections) < 2:
        return None
    return kind, sections


def chart_kind(answer: Answer) -> str | None:
    """What chart the answer makes, without drawing it (None for an answer that has none)."""
    chosen = drawn(answer)
    return chosen[0] if chosen else None


def focus(answer: Answer, sections: list[tuple[Line, list[Line]]]) -> Answer:
    """The answer as far as the chart shows it: the lines drawn, and only the footnotes,
    figures and sources of their figures, numbered anew for the notes under the plot."""
    lines = tuple(line for head, items in sections for line in (head, *items))
    nums = [n for line in lines for n in nums_in(tuple(line.params.values()))]
    # A figure's own rows, or its line's where the figure carries none (a share, marked on its line)
    rows = {o for n in nums for o in n.rows} | {o for line in lines for o in line.rows}
    notes = {f for line in lines for f in line.notes} | {f for n in nums for f in n.notes}
    return replace(answer, lines=lines, footnotes=tuple(f for f in answer.footnotes if f in notes),
                   # the figures drawn (a change the answer also states is not on the chart)
                   figures=tuple(f for f in answer.figures
                                 if f.value in {n.value for n in nums} and rows & set(f.rows)),
                   sources=tuple(s for s in answer.sources if s in {o.source for o in rows}))
