"""Follow-up questions offered as buttons under an answer: chosen from what the answer's
request can lead to and from what the data holds; worded by bot/locales/<lang>/suggest.toml.
The Telegram bot shows them as buttons, the web page as links."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.texts import LOCALES, check_keys, load_texts
from intents.models import LANGS
from intents.pipeline import Pipeline, Reply

MAX_BUTTONS = 3
CALLBACK_BYTES = 64    # Telegram's limit on a button's callback_data
ASK_PREFIX = "a"       # callback data "a:<lang>:<question>": the question, asked as if typed


@dataclass(frozen=True)
class Suggestion:
    label: str
    ask: str
    lang: str

    @property
    def data(self) -> str:
        return f"{ASK_PREFIX}:{self.lang}:{self.ask}"


def parse_ask(data: str) -> tuple[str, str] | None:
    """(language, question) from a button's callback data, None if it is not one of ours."""
    prefix, _, rest = data.partition(":")
    lang, _, question = rest.partition(":")
    if prefix != ASK_PREFIX or lang not in LANGS or not question.strip():
        return None
    return lang, question


class Suggester:
    def __init__(self, pipeline: Pipeline, locales: Path = LOCALES):
        self.t: dict[str, dict[str, Any]] = load_texts("suggest", locales=locales)
        check_keys(self.t, "suggest.toml", nested=("clarify",))
        self.pipeline = pipeline
        engine = pipeline.engine
        self.first_year = engine.first_year
        self.years = set(engine.years)
        self.months = set(engine.months)
        self.monthly_years, self.country_years = engine.monthly_years, engine.country_years
        self.category_years = engine.category_years

    def for_reply(self, reply: Reply) -> list[Suggestion]:
        answer, lang = reply.answer, reply.lang
        if answer.status == "clarify":
            # The question without the words it could not read, then what the line asks back
            # ("clarify.compare"), whatever the intent.
            topics = [line.key.partition(".")[2] for line in answer.lines if line.key.startswith("clarify.")]
            asks = ([answer.request.offer] if answer.request.offer else []) + \
                (self.t[lang]["clarify"].get(topics[0], []) if topics else [])
            fitting = [Suggestion(q, q, lang) for q in asks]
            return [s for s in fitting if len(s.data.encode()) <= CALLBACK_BYTES][:MAX_BUTTONS]
        if answer.status == "no_data" and answer.request.topic == "finer" and answer.request.periods:
            # "and on the 17th?": the month (or year) that holds the day, one tap away, as the answer offers it
            return self._holding(answer.request.periods[0], lang)
        if answer.status in ("no_data", "unknown") and answer.examples:
            examples = self.pipeline.renderer(lang).t["examples"]
            return [Suggestion(examples[e], examples[e], lang) for e in answer.examples][:MAX_BUTTONS]
        if answer.status != "ok":
            return []
        out: list[Suggestion] = []
        for kind, fields in self._kinds(answer.slots, lang):
            template = self.t[lang][kind]
            fields = {"first": self.first_year, **fields}
            s = Suggestion(template["label"].format(**fields), template["ask"].format(**fields), lang)
            if s not in out and len(s.data.encode()) <= CALLBACK_BYTES:
                out.append(s)
        return out[:MAX_BUTTONS]

    def _holding(self, period: Any, lang: str) -> list[Suggestion]:
        """The month or year a finer grain was asked of, as a question the figures answer."""
        if period.anchor or not (period.single_month or period.single_year and period.whole_years):
            return []
        if period.single_month:
            year, month = period.start
            kind, fields = "month_total", {"year": year, "month": self.pipeline.renderer(lang).months[month]}
        else:
            kind, fields = "year_total", {"year": period.first_year}
        template = self.t[lang][kind]
        label = template["label"].format(**fields)
        s = Suggestion(label[:1].upper() + label[1:], template["ask"].format(**fields), lang)
        return [s] if len(s.data.encode()) <= CALLBACK_BYTES else []

    def _kinds(self, query, lang: str) -> list[tuple[str, dict[str, Any]]]:
        """What this question can lead to, most useful first; only what the data holds."""
        if not query.periods:
            return []
        period = query.periods[-1]
        year = period.last_year
        latest_list = self.country_years[-1] if self.country_years else None
        kinds: list[tuple[str, dict[str, Any]]] = []

        def add(kind: str, ok: bool = True, **fields: Any) -> None:
            if ok:
                kinds.append((kind, fields))

        lists, profiles, monthly = year in self.country_years, year in self.category_years, year in self.monthly_years
        others = [y for y in self.country_years if y != year]
        if query.intent == "count" and period.single_month:
            y, m = period.start
            following = (y + (m == 12), m % 12 + 1)
            add("next_month", following in self.months, year=following[0],
                month=self.pipeline.renderer(lang).months[following[1]])
            add("year_total", year=y)
            add("monthly", monthly, year=y)
        elif query.intent == "count" and period.single_year:
            add("prev_year", year - 1 in self.years, prev=year - 1)
            add("monthly", monthly, year=year)
            add("top", lists, year=year)
            add("compare_prev", year - 1 in self.years, year=year, prev=year - 1)
        elif query.intent == "series" and period.single_year:
            add("quarterly" if query.grain != "quarter" else "monthly", monthly, year=year)
            add("top", lists, year=year)
            add("trend")
        elif query.intent == "series":
            add("top", latest_list is not None, year=latest_list)
            add("profile", bool(self.category_years), year=self.category_years[-1] if self.category_years else 0)
            add("monthly", bool(self.monthly_years), year=self.monthly_years[-1] if self.monthly_years else 0)
        elif query.intent == "top":
            add("profile", profiles, year=year)
            add("other_top", bool(others), other=others[-1] if others else 0)
            add("year_total", year=year)
        elif query.intent == "categories":
            add("top", lists, year=year)
            add("year_total", year=year)
            add("trend")
        elif query.intent == "compare":
            add("trend")
            add("monthly", monthly, year=year)
            add("top", lists, year=year)
        else:
            add("trend")
            add("top", latest_list is not None, year=year if lists else latest_list)
        return kinds
