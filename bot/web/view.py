"""A reply laid out for the page: what the templates show, from the answer's parts (never
from its rendered text), with the links that ask again (permalink, follow-ups, language
switch) and download (CSV, chart).

Everything here is data for bot/web/templates/, which escape every value they print; the
only HTML passed through is the renderer's own (the answer's lines and notes, in which it
has escaped every text, the user's words included).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.charts.kinds import chart_kind
from bot.export import wants_data
from bot.suggest import Suggester
from intents.models import LANGS
from intents.pipeline import Reply
from intents.render import SUPERSCRIPT

# The renderer's footnote marks in HTML, `<sup>1</sup>`: each becomes a link to its note,
# read out as "footnote 1" by a screen reader (a bare "112 1" would read as two numbers).
MARK = re.compile(r"<sup>([0-9]{1,3})</sup>")
SUPERSCRIPTS = "".join(str(n).translate(SUPERSCRIPT) for n in range(10))


def url(path: str, **params: Any) -> str:
    """`path` with its query; parameters that are None or empty are left out."""
    query = urlencode([(k, str(v)) for k, v in params.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class Asked:
    """A question as a request carries it: the words, the language forced (the switch or a
    permalink), the reference date, and the signed context it follows on from."""

    q: str
    lang: str | None = None
    today: dt.date | None = None
    ctx: str | None = None

    def link(self, path: str = "/", **change: Any) -> str:
        fields = {"q": self.q, "lang": self.lang, "today": self.today and self.today.isoformat(), "ctx": self.ctx}
        fields.update(change)
        return url(path, **fields)


@dataclass
class AnswerView:
    """One answered question, as answer.html shows it."""

    id: str                      # unique on the page: the notes' anchors hang on it
    asked: Asked
    reply: Reply
    next_ctx: str                # the signed context a follow-up carries
    texts: dict[str, Any]        # the page's texts, in the reply's language
    body: list[str] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    computed: str | None = None
    publications: list[dict[str, str | None]] = field(default_factory=list)
    chart: bool = False
    chart_alt: str = ""
    suggestions: list[tuple[str, str]] = field(default_factory=list)   # (label, link)
    notice: str | None = None    # the context could not be carried over

    @property
    def lang(self) -> str:
        return self.reply.lang

    @property
    def permalink(self) -> str:
        """The same answer for anyone who opens it: the question, the language it was answered
        in, and the context it followed on from (signed, so it stays valid)."""
        return self.asked.link("/", lang=self.lang)

    @property
    def page(self) -> str:
        """This answer's page as it was asked (its language not forced): where the browser's
        history points when the page's script shows it without a reload."""
        return self.asked.link("/")

    @property
    def csv_link(self) -> str:
        return self.asked.link("/answer.csv", lang=self.lang)

    @property
    def chart_link(self) -> str:
        return self.asked.link("/chart.png", lang=self.lang)

    @property
    def has_figures(self) -> bool:
        """Whether the answer has a CSV: its figures, or the whole table it was asked for."""
        return bool(self.reply.answer.figures) or wants_data(self.reply.answer)

    @property
    def follow_heading(self) -> str:
        return self.texts["follow_ups" if self.reply.status == "ok" else "offers"]

    def switch(self, lang: str) -> str:
        """This question asked again in another language (its context kept)."""
        return self.asked.link("/", lang=lang)


def _mark_links(line: str, answer_id: str, word: str) -> str:
    return MARK.sub(lambda m: f'<sup><a class="fn" href="#{answer_id}-n{m.group(1)}">'
                              f'<span class="vh">{word} </span>{m.group(1)}</a></sup>', line)


def _chart_title(reply: Reply) -> str:
    """The chart's title as the answer words it: its first line, without marks or colon."""
    first = reply.renderer.parts(reply.answer).body[0]
    return first.translate({ord(c): None for c in SUPERSCRIPTS}).strip().rstrip(":\u00a0\u202f ").strip()


def answer_view(answer_id: str, asked: Asked, reply: Reply, next_ctx: str, texts: dict[str, Any],
                suggester: Suggester) -> AnswerView:
    view = AnswerView(answer_id, asked, reply, next_ctx, texts)
    parts = reply.renderer.parts(reply.answer, as_html=True)
    view.body = [_mark_links(line, answer_id, texts["footnote"]) for line in parts.body]
    view.notes = list(parts.notes)
    view.computed = parts.computed
    fmt = reply.renderer.t["format"]
    for p in parts.publications:
        view.publications.append({"credit": p["publisher"], "url": p["url"], "date": p["date"],
                                  "name": fmt["publication"].format(kind=p["kind"], title=p["title"])})
    view.chart = chart_kind(reply.answer) is not None
    if view.chart:
        view.chart_alt = texts["chart_alt"].format(title=_chart_title(reply))
    forced = asked.lang if asked.lang in LANGS else None
    for s in suggester.for_reply(reply):
        view.suggestions.append((s.label, Asked(s.ask, forced, asked.today, next_ctx).link("/")))
    return view
