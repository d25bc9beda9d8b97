"""Charts of answers: yearly and monthly series, quarters, top lists and the profile of
returnees, drawn from the structured Answer (its lines and their typed params), in the
reply language. matplotlib (Agg, no display) is imported only when a chart is drawn.

The caveats are on the chart: the title states the exact period (the answer's own head
line), a partial year is hatched and named in the legend, months without figures leave a gap
(named, never bridged by a line), footnote marks sit on the title (marks that govern every
figure) or on the years they govern, and under the plot the footnotes' texts, the note on
what is calculated and the source, in the reader's language: a saved chart keeps them. A top
list shows its "other countries" as a bar; profiles of several years are drawn side by side.
PNG for screens, SVG for print."""
from __future__ import annotations

import io
import textwrap
import threading
from typing import Any, cast

from bot.charts.kinds import TOP_COUNTED, TOP_OTHER, drawn, focus, head_sections
from bot.texts import load_texts
from intents.models import Answer, Line, Num, Period
from intents.render import SUPERSCRIPT, Renderer

# Okabe-Ito: told apart with every common colour-vision deficiency, and in grey print.
BLUE, ORANGE, SKY, GREEN, PURPLE, GREY = "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#555555"
# The "other countries" bar: a group, not a country, so not the countries' colour.
OTHER_GREY = "#999999"
SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE)
SIZE, DPI = (9.0, 5.6), 120          # 1080 x 672 pixels: sharp on a phone, small to send
FONT = 14
TITLE_WIDTH = 60                     # characters a title line holds at FONT + 3
SOURCE_WIDTH = 130                   # characters a notes or source line holds at FONT - 5
NOTE_LINE = 0.16                     # inches a notes or source line takes (FONT - 5 with its leading)

_texts: dict[str, dict[str, str]] | None = None
# matplotlib is not thread-safe, even one figure per thread: the web page draws its charts
# off the event loop, while the Telegram bot in the same process draws on it.
_drawing = threading.Lock()


def _t(lang: str) -> dict[str, str]:
    global _texts
    if _texts is None:
        _texts = load_texts("charts")
    return _texts[lang]


def chart_png(answer: Answer, renderer: Renderer) -> bytes | None:
    return _chart(answer, renderer, "png")


def chart_svg(answer: Answer, renderer: Renderer) -> bytes | None:
    """The chart as a vector drawing, for print."""
    return _chart(answer, renderer, "svg")


def _chart(answer: Answer, renderer: Renderer, fmt: str) -> bytes | None:
    chosen = drawn(answer)
    if chosen is None:
        return None
    with _drawing:
        return _Drawing(answer, renderer, chosen[0]).image(fmt)


class _Drawing:
    def __init__(self, answer: Answer, renderer: Renderer, kind: str):
        self.r, self.kind = renderer, kind
        self.t = _t(renderer.lang)
        chosen = drawn(answer)
        self.sections = chosen[1] if chosen else head_sections(answer)
        self.answer = focus(answer, self.sections)
        self.numbers = {fid: n for n, fid in enumerate(self.answer.footnotes, start=1)}
        items = [line for _, items in self.sections for line in items]
        # A mark that governs every item belongs on the title; the others on their items.
        self.common = set.intersection(*(set(line.notes) for line in items)) if items else set()
        self.common |= {fid for head, _ in self.sections for fid in head.notes}

    # -- texts -----------------------------------------------------------------------------
    def marks(self, notes: Any) -> str:
        # No-break spaces: a wrapped title must not leave a mark alone on a line.
        return "\u00a0".join(str(n).translate(SUPERSCRIPT) for n in sorted(self.numbers[f] for f in notes))

    def item_marks(self, line: Line) -> str:
        """The marks of an item that the title does not carry: its line's and its figure's own."""
        return self.marks(self.item_notes(line))

    def item_notes(self, line: Line) -> set[str]:
        value = line.params.get("value")
        return (set(line.notes) | set(value.notes if isinstance(value, Num) else ())) - self.common

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(int(round(value)), locale=self.r.locale)

    def title(self) -> str:
        head = self.sections[0][0]
        if self.kind == "profile" and len(self.sections) > 1:
            # Profiles side by side: the periods they cover, in the order drawn.
            from babel.lists import format_list

            text = self.t["profiles"].format(periods=format_list([self.profile_label(h) for h, _ in self.sections],
                                                                 locale=self.r.locale))
        elif self.overlay:
            # One line per year: the title names the years ("2025 en 2020").
            years = tuple(h.params["period"].first_year for h, _ in self.sections)
            text = self.r.sentence(head.key, {"period": years}, bold=False)
        else:
            text = self.r.sentence(head.key, head.params, bold=False)
        text = text.rstrip(" :\u00a0\u202f")
        marks = self.marks(self.common)
        return textwrap.fill(text + ("\u00a0" + marks if marks else ""), TITLE_WIDTH)

    @property
    def overlay(self) -> bool:
        return self.kind == "months" and len(self.sections) > 1 and \
            all(head.params["period"].single_year for head, _ in self.sections)

    def profile_label(self, head: Line) -> str:
        """A profile named by its period, and by its publication where two share a period."""
        period = self.r.period(head.params["period"], "bare")
        same = [h for h, _ in self.sections if h.params["period"] == head.params["period"]]
        return period if len(same) == 1 else f"{period} ({self.r.ref(head.params['source'])})"

    def notes(self) -> list[str]:
        """Under the plot: each footnote's text, the note on what is calculated and the source,
        as the answer gives them (Renderer.parts), wrapped."""
        parts = self.r.parts(self.answer)
        lines = []
        for n, text in parts.notes:
            lines.extend(textwrap.wrap(f"{str(n).translate(SUPERSCRIPT)} {text}", SOURCE_WIDTH,
                                       subsequent_indent="   "))
        for extra in (parts.computed, parts.source):
            if extra:
                lines.extend(textwrap.wrap(extra, SOURCE_WIDTH, break_long_words=False, break_on_hyphens=False))
        return lines

    # -- drawing ---------------------------------------------------------------------------
    def image(self, fmt: str = "png") -> bytes:
        import matplotlib

        out = io.BytesIO()
        fig = self.figure()
        # No date and fixed ids in an SVG: the same chart makes the same file.
        with matplotlib.rc_context({"svg.hashsalt": "returnbot"}):
            fig.savefig(out, format=fmt, dpi=DPI, facecolor="white", metadata={"Date": None} if fmt == "svg" else None)
        return out.getvalue()

    def figure(self) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        # The plot keeps its size; the notes and the source add their lines below it.
        lines = self.notes()
        band = NOTE_LINE * len(lines) + 0.1
        height = SIZE[1] + band
        fig = Figure(figsize=(SIZE[0], height), dpi=DPI)
        fig.set_layout_engine("constrained", h_pad=0.12)
        ax = fig.add_subplot()
        ax.tick_params(labelsize=FONT - 2)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        getattr(self, "_" + self.kind)(ax)
        fig.suptitle(self.title(), x=0.01, ha="left", fontsize=FONT + 3, fontweight="bold")
        fig.text(0.01, 0.05 / height, "\n".join(lines), ha="left", va="bottom", fontsize=FONT - 5, color=GREY,
                 linespacing=1.25)
        # the constrained layout set above, whose set() takes the rectangle to fill
        cast(Any, fig.get_layout_engine()).set(rect=(0, (band + 0.05) / height, 1, 1 - (band + 0.05) / height))
        return fig

    def _count_axis(self, ax, axis: str = "y") -> None:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(FuncFormatter(lambda v, _: self.number(v)))
        target.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.grid(axis=axis, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(self.t["returns"], fontsize=FONT - 1)

    def _bars(self, ax, labels: list[str], values: list[float | None], partial: list[bool]) -> None:
        import pandas as pd

        frame = pd.DataFrame({"label": labels, "value": values, "partial": partial})
        x = range(len(frame))
        colours = [SKY if p else BLUE for p in frame["partial"]]
        bars = ax.bar(x, frame["value"].fillna(0), color=colours, hatch=["//" if p else "" for p in frame["partial"]],
                      edgecolor="white", linewidth=0.5)
        rotate = len(frame) > 10
        for bar, value in zip(bars, frame["value"]):
            if pd.notna(value):
                ax.annotate(self.number(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                            fontsize=FONT - (4 if rotate else 2), rotation=90 if rotate else 0, color="#222222")
        ax.set_xticks(list(x), frame["label"], rotation=90 if rotate else 0)
        ax.set_xlim(-0.7, len(frame) - 0.3)
        ax.margins(y=0.2 if rotate else 0.12)
        self._count_axis(ax)
        if frame["partial"].any():
            self._partial_legend(ax, frame.index[frame["partial"]])

    def _partial_legend(self, ax, where) -> None:
        from matplotlib.patches import Patch

        spans = [line.params["label"] for _, items in self.sections for line in items
                 if line.params["label"].end[1] != 12 and line.params["label"].kind == "year"]
        if spans:
            partial = Period(spans[0].start, spans[0].end, "months")
            text = self.t["partial"].format(period=self.r.period(partial, "bare"))
            ax.legend(handles=[Patch(facecolor=SKY, hatch="//", edgecolor="white", label=text)], loc="upper right",
                      fontsize=FONT - 3, frameon=False)

    def _years(self, ax) -> None:
        import pandas as pd

        rows = {line.params["label"].first_year: line for _, items in self.sections for line in items}
        years = pd.RangeIndex(min(rows), max(rows) + 1)   # a year without a figure stays an empty slot
        labels = [f"{y}{self.item_marks(rows[y])}" if y in rows else str(y) for y in years]
        values = [rows[y].params["value"].value if y in rows else None for y in years]
        partial = [y in rows and rows[y].params["label"].end[1] != 12 for y in years]
        self._bars(ax, labels, values, partial)

    def _quarters(self, ax) -> None:
        items = [line for _, items in self.sections for line in items]
        labels = [self.t["quarter"].format(quarter=(line.params["label"].start[1] + 2) // 3,
                                           year=line.params["label"].first_year) + self.item_marks(line)
                  for line in items]
        self._bars(ax, labels, [line.params["value"].value for line in items], [False] * len(items))

    def _months(self, ax) -> None:
        import pandas as pd

        abbr = self.r.locale.months["format"]["abbreviated"]
        if self.overlay:
            # One line per year over the same twelve months: "2025 vs 2020".
            for colour, (head, items) in zip(SERIES_COLOURS, self.sections):
                year = head.params["period"].first_year
                series = pd.Series({line.params["label"].start[1]: line.params["value"].value for line in items})
                series = series.reindex(range(1, 13))
                # the year's marks on its legend entry ("2020¹ ²"): what governs its months only
                notes = set().union(*(self.item_notes(line) for line in items))
                ax.plot(series.index, series.values, marker="o", color=colour, linewidth=2.5,
                        label=str(year) + self.marks(notes))
            ax.set_xticks(range(1, 13), [abbr[m] for m in range(1, 13)])
            ax.legend(fontsize=FONT - 2, frameon=False, loc="best")
            ax.set_ylim(bottom=0)
            self._count_axis(ax)
            return
        items = [line for _, items in self.sections for line in items]
        index = pd.PeriodIndex([pd.Period(year=p.start[0], month=p.start[1], freq="M")
                                for p in (line.params["label"] for line in items)])
        frame = pd.DataFrame({"value": [line.params["value"].value for line in items],
                              "fedasil": [getattr(line.params.get("fedasil"), "value", None) for line in items],
                              "dvz": [getattr(line.params.get("dvz"), "value", None) for line in items]},
                             index=index)
        full = pd.period_range(index.min(), index.max(), freq="M")
        frame = frame.reindex(full)   # months without figures become NaN: a gap, not a line across
        x = list(range(len(full)))
        if len(full) <= 12 and frame["fedasil"].notna().all():
            ax.bar(x, frame["fedasil"], color=BLUE, label=self.t["fedasil"])
            ax.bar(x, frame["dvz"], bottom=frame["fedasil"], color=ORANGE, label=self.t["dvz"])
            marks = {line.params["label"].start: self.item_marks(line) for line in items}
            for xi, value, month in zip(x, frame["value"], full):
                ax.annotate(self.number(value) + marks.get((month.year, month.month), ""), (xi, value), xytext=(0, 3),
                            textcoords="offset points", ha="center", va="bottom", fontsize=FONT - 3)
            ax.legend(fontsize=FONT - 3, frameon=False, loc="upper right", ncols=2)
            ax.margins(y=0.15)
        else:
            ax.plot(x, frame["value"], color=BLUE, linewidth=2.5, marker="o" if len(full) <= 24 else None)
        if len(full) <= 12:
            ax.set_xticks(x, [abbr[p.month] for p in full])
        else:
            # A year's label carries the marks that govern its months only ("2020²").
            year_notes: dict[int, set[str]] = {}
            for line in items:
                year_notes.setdefault(line.params["label"].first_year, set()).update(self.item_notes(line))
            ticks = [i for i, p in enumerate(full) if p.month == 1 or i == 0]
            labels = [str(full[i].year) if full[i].month == 1 else f"{abbr[full[i].month]}\n{full[i].year}"
                      for i in ticks]
            ax.set_xticks(ticks, [label + self.marks(year_notes.get(full[i].year, ()))
                                  for label, i in zip(labels, ticks)])
            ax.set_ylim(bottom=0)
        self._gaps(ax, frame["value"].isna().tolist(), full)
        self._count_axis(ax)

    def _gaps(self, ax, missing: list[bool], months) -> None:
        """Shades and names each run of months without figures."""
        start = None
        for i, gap in enumerate([*missing, False]):
            if gap and start is None:
                start = i
            elif not gap and start is not None:
                first, last = months[start], months[i - 1]
                years = Period((first.year, first.month), (last.year, last.month), "range")
                ax.axvspan(start - 0.5, i - 0.5, color="#eeeeee", zorder=0)
                ax.text((start + i - 1) / 2, 0.5, self.t["gap"].format(years=self._gap_years(years)),
                        transform=ax.get_xaxis_transform(), ha="center", va="center", fontsize=FONT - 3,
                        color=GREY)
                start = None

    def _gap_years(self, gap: Period) -> str:
        if gap.whole_years:
            return self.r.period(Period.years(gap.first_year, gap.last_year), "bare") if not gap.single_year \
                else str(gap.first_year)
        return self.r.period(gap, "bare")

    def _hbars(self, ax, names: list[str], values: list[float], labels: list[str], colours: Any) -> None:
        """Horizontal bars, the first on top, each with its label at its end."""
        y = list(range(len(names)))
        ax.barh(y, values, color=colours)
        for yi, value, label in zip(y, values, labels):
            ax.annotate(label, (value, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=FONT - 1)
        ax.set_yticks(y, names, fontsize=FONT - 1)
        ax.invert_yaxis()

    def _top(self, ax) -> None:
        """The countries, then "other countries" (the list's rest, often its largest group)."""
        items = [line for line in self.sections[0][1] if line.key == TOP_COUNTED]
        other = [line for line in self.sections[0][1] if line.key == TOP_OTHER]

        def label(line: Line) -> str:
            return f"{self.r.number(line.params['value'])} ({self.r.number(line.params['share'])})"

        self._hbars(ax, [self.r.ref(line.params["country"]) for line in items] + [self.t["other"]] * len(other),
                    [line.params["value"].value for line in items + other], [label(line) for line in items + other],
                    [BLUE] * len(items) + [OTHER_GREY] * len(other))
        ax.margins(x=0.25)
        self._count_axis(ax, "x")

    def _profile(self, ax) -> None:
        from babel.numbers import format_decimal
        from matplotlib.ticker import FuncFormatter

        if len(self.sections) > 1:
            shares = self._profiles(ax)
        else:
            items = self.sections[0][1]
            shares = [line.params["pct"].value for line in items]
            labels = [self.r.number(line.params["pct"]) + (f" ({self.r.number(line.params['value'])})"
                                                           if "value" in line.params else "") for line in items]
            self._hbars(ax, [textwrap.fill(_capital(self.r.ref(line.params["category"])), 24) for line in items],
                        shares, labels, [BLUE, ORANGE, GREEN][:len(items)])
        ax.set_xlim(0, max(shares) * 1.35)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, format=self.r.pct0,
                                                                               locale=self.r.locale)))
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel(self.t["share"], fontsize=FONT - 1)


    def _profiles(self, ax) -> list[float]:
        """Several profiles (2020, 2025, the years later releases add): one bar per profile in
        each category, a colour per profile, each with its share as printed."""
        categories = list(dict.fromkeys(line.params["category"].code for _, items in self.sections for line in items))
        size = 0.8 / len(self.sections)
        shares: list[float] = []
        for n, (colour, (head, items)) in enumerate(zip(SERIES_COLOURS, self.sections)):
            pcts = {line.params["category"].code: line.params["pct"] for line in items}
            y = [categories.index(c) - 0.4 + size * (n + 0.5) for c in pcts]
            ax.barh(y, [p.value for p in pcts.values()], height=size * 0.9, color=colour,
                    label=self.profile_label(head))
            for yi, pct in zip(y, pcts.values()):
                ax.annotate(self.r.number(pct), (pct.value, yi), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=FONT - 3)
            shares.extend(p.value for p in pcts.values())
        names = {line.params["category"].code: line.params["category"] for _, items in self.sections for line in items}
        ax.set_yticks(range(len(categories)), [textwrap.fill(_capital(self.r.ref(names[c])), 24) for c in categories],
                      fontsize=FONT - 1)
        ax.invert_yaxis()
        ax.legend(fontsize=FONT - 3, frameon=False, loc="upper right")
        return shares


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
