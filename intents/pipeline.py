"""The whole path of one question: normalize -> language -> entities -> rules ->
Request (a program over the figures, or another act) -> engine -> Answer -> render.
Front ends (CLI, Telegram) call only this."""
from __future__ import annotations

import datetime as dt
import gc
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import Any

from . import data, when
from .engine import TERM_SEPARATOR, Engine
from .entities import Entity, Reading, asides, context_sentences, described, load_lexicon
from .glossary import Glossary
from .models import LANGS, Answer, first_language
from .normalize import MAX_CHARS, Token, fold, mark_sentences, tokenize
from .program import Request, node_json
from .render import Renderer
from .rules import MAX_POINTED, TIME_TYPES, build, sibling_selections


@dataclass(frozen=True)
class Context:
    """What a conversation remembers between two questions."""

    request: Request | None = None
    lang: str | None = None
    # The question before that one: "and in 2020?" after 2019, then "the difference?" compares both.
    earlier: Request | None = None
    # The questions in a row that asked one figure each, differing only in period or country, oldest
    # first ("January / February? / March?"): "together?" sums the last two only when they are all,
    # "those three together?" sums them all.
    run: tuple[Request, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"request": None if self.request is None else self.request.to_json(), "lang": self.lang,
                "earlier": None if self.earlier is None else self.earlier.to_json(),
                "run": [r.to_json() for r in self.run]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Context:
        """The inverse of to_json; raises KeyError, TypeError or ValueError on anything else (a
        conversation saved before runs were kept, with their length only, starts a new run)."""
        request, earlier, run = data["request"], data.get("earlier"), data.get("run")
        return cls(None if request is None else Request.from_json(request), data["lang"],
                   None if earlier is None else Request.from_json(earlier),
                   tuple(Request.from_json(r) for r in run) if isinstance(run, list) else ())


@dataclass(frozen=True)
class Reply:
    question: str
    text: str
    status: str
    lang: str
    context: Context
    answer: Answer
    renderer: Renderer = field(repr=False, compare=False)
    # For `--json`: what read each word of the question, worked out only when asked.
    pipeline: Pipeline | None = field(default=None, repr=False, compare=False)

    @cached_property
    def html(self) -> str:
        """Rendered on first use: the command line never needs it, Telegram needs only it."""
        return self.renderer.render(self.answer, as_html=True)

    def _query_json(self) -> dict[str, Any]:
        """How the question was understood: its intent and slots, and the program run."""
        out: dict[str, Any] = self.answer.slots.to_json()
        if self.answer.request.program is not None:
            out["program"] = node_json(self.answer.request.program)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "lang": self.lang,
            "status": self.status,
            "intent": self.answer.slots.intent,
            "text": self.text,
            "footnotes": list(self.answer.footnotes),
            "figures": [f.to_json() for f in self.answer.figures],
            "sources": [self.renderer.publication(sid) for sid in self.answer.sources],
            "query": self._query_json(),
            **({"tokens": self.pipeline.account(self.question, self.lang)} if self.pipeline else {}),
        }


# Entities a number read from words may take the place of ("dix-neuf": "-" is no range).
NUMBER_PARTS = {"num", "year", "ym", "range", "conj"}


@cache
def _text2num() -> Any:
    """text2num's converter, imported at the first question (a few ms), once: `from ... import`
    of a package walks the import machinery at every call."""
    from text_to_num import alpha2digit
    return alpha2digit


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# "twenty twenty-two", "twintig tweeëntwintig": a year said as two pairs of digits
YEAR_IN_PAIRS = re.compile(r"\b(19|20) ([1-9]\d)\b")


def _years_in_pairs(digits: str, said: str) -> str:
    """The year a number said in two pairs stands for ("20 22" from "twenty twenty-two"), where the
    question did not write those digits itself ("between 20 and 30")."""
    return digits if YEAR_IN_PAIRS.search(said) else YEAR_IN_PAIRS.sub(r"\1\2", digits)


# "tweeëntwintig" typed or folded as "tweeentwintig": text2num reads Dutch tens only with the diaeresis
DUTCH_TENS_UNFOLDED = re.compile(
    r"(twee|drie)en(?=(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)\b)")


def _as_text2num_reads(folded: str, lang: str | None) -> str:
    return DUTCH_TENS_UNFOLDED.sub(r"\1ën", folded) if lang == "nl" else folded


# "septante-neuf pour cent": text2num reads "cent" of "pour cent" as a hundred
PERCENT_AS_HUNDRED = re.compile(r"\bpour 100\b")


def _percent_kept(digits: str, said: str) -> str:
    """"pour cent" stays the word for percent where the question said it."""
    return PERCENT_AS_HUNDRED.sub("pour cent", digits) if "pour cent" in said else digits


def _lone_weak_month(e: Entity, ents: list[Entity]) -> bool:
    return e.type == "weak_month" and not any(x.type in ("range", "month", "weak_month", "year")
                                              and (x.end == e.start or x.start == e.end) for x in ents)


def _keeps_meanings(before: list[Entity], after: list[Entity]) -> bool:
    """Whether every entity of the first reading, numbers aside, is still in the second; a
    number word with another meaning ("les deux": both) keeps it too, unless that meaning is a
    month word with no time word beside it ("les sept premiers mois": seven; "jan-sept": September)."""
    def meanings(ents: list[Entity]) -> Counter[tuple[str, Any]]:
        return Counter(meaning for e in ents if not _lone_weak_month(e, ents) for meaning in ((e.type, e.value), e.also)
                       if meaning and meaning[0] not in NUMBER_PARTS)
    return not meanings(before) - meanings(after)

def _apart_from_context(tokens: list[Token], ents: list[Entity], lang: str | None) -> tuple[set[int], list[Entity]]:
    """A sentence that asks nothing beside one that does is context ("je suis conseiller à
    Namur, on en parle au prochain conseil"): its tokens, and the entities of the rest, since
    neither its topic nor its time words are the question's."""
    talk = context_sentences(tokens, ents, lang) | asides(tokens, ents, lang)
    # a new topic said in a sentence of its own ("Never mind December.") still starts anew
    return talk, described([e for e in ents if e.start not in talk or (e.type, e.value) == ("kw", "new_topic")])


def _ranges_before_subjects(tokens: list[Token], ents: list[Entity], verbs: set[str]) -> list[Entity]:
    """"Since 2020 was a record year, how many were there?": a period that a verb follows at the
    head of a clause is its subject; the word of range before it joins clauses ("since" as
    "because") and starts no span ("returns since 2020 were ..." is a span)."""
    if not verbs:
        return ents
    joining = set()
    for i, e in enumerate(ents):
        heads = e.type == "range" and (e.start == 0 or tokens[e.start - 1].kind == "sym")
        j = i + 1
        while heads and j < len(ents) and ents[j].type in TIME_TYPES and ents[j].start == ents[j - 1].end:
            j += 1
        if j > i + 1 and ents[j - 1].end < len(tokens) and tokens[ents[j - 1].end].text in verbs:
            joining.add(i)
    return [e for i, e in enumerate(ents) if i not in joining]


def _run(context: Context | None, before: Request | None, now: Request | None) -> tuple[Request, ...]:
    """The run of one-figure questions that ends with `now`."""
    if now is None:
        return ()
    if context is None or before is None or not sibling_selections(before, now):
        return (now,)
    kept = context.run if context.request is before and context.run else (before,)
    return (*kept, now)[-MAX_POINTED:]


class Pipeline:
    def __init__(self, dataset: data.Dataset):
        self.engine = Engine(dataset)
        self.lexicon = load_lexicon()
        self.glossary = Glossary(dataset.glossary)
        self.renderers: dict[str, Renderer] = {}

    def renderer(self, lang: str) -> Renderer:
        """Built on first use: a one-shot question needs one language only."""
        if lang not in self.renderers:
            self.renderers[lang] = Renderer(lang, self.engine.footnote_text, self.engine.dataset.sources,
                                             self.engine.statement_text, self.engine.partials, self.engine.bases,
                                             self.engine.dataset.credits, self.engine.dataset.glossary)
        return self.renderers[lang]

    def reach(self, lang: str) -> str:
        """Up to when the figures reach and the latest publication, in a sentence for a
        welcome text: made from the data, so that a new publication updates it."""
        return self.renderer(lang).sentence("info.reach", self.engine.reach(), bold=False)

    @classmethod
    def load(cls, data_dir: str | os.PathLike[str] | None = None) -> Pipeline:
        pipeline = cls(data.load(data_dir))
        # The lexicon, the data and their tables live as long as the process: frozen, the cyclic
        # collector no longer walks them at each full collection (in alternated runs, a fifth of a
        # question's time).
        gc.freeze()
        return pipeline

    def understand(self, text: str, context: Context | None, hint: str | None,
                   today: dt.date, offer: bool = False) -> tuple[Request, str | None]:
        if not text.strip():
            return Request("clarify", topic="empty"), None
        if len(text) > MAX_CHARS:
            return Request("clarify", topic="too_long"), None
        marked = mark_sentences(text)
        tokens = tokenize(marked)
        lang, _ = self.lexicon.detect([t.text for t in tokens], hint)
        asked = self.glossary.asked(tuple(t.text for t in tokens))
        if asked is not None:
            # "what does 'rejected applicants' mean?": the glossary, not the category's figures
            return Request("info", topic="term:" + TERM_SEPARATOR.join(asked.ids)), asked.lang or lang
        ents, unknown, matched = self.lexicon.entities(tokens, lang, hint)
        lang, tokens, ents, unknown, matched = self._numbers_as_digits(marked, tokens, lang, hint,
                                                                       (ents, unknown, matched))
        if lang is None and matched:
            lang, _ = self.lexicon.detect(matched, hint)
        reading = first_language(lang, hint)
        talk, ents = _apart_from_context(tokens, ents, reading)
        ents = _ranges_before_subjects(tokens, ents, self.lexicon.subject_verbs[reading])
        dets = self.lexicon.determiners[reading]
        # after a determiner, or starting with one ("les deux"), a number counts grains as a span
        layout = when.Layout(
            determined=frozenset(e.start for e in ents if e.start and tokens[e.start - 1].text in dets
                                 or e.end - e.start > 1 and tokens[e.start].text in dets),
            glued=frozenset(e.start for i, e in enumerate(ents) if i and self._glued(tokens, ents[i - 1], e, reading)))
        previous = context.request if context else None
        unread = self.lexicon.unread(tokens, ents, unknown, reading, talk)
        request = build(ents, unread, today, previous, reading, layout, context.earlier if context else None,
                        context.run if context else ())
        if request.act == "clarify" and request.topic == "word" and not offer:
            request = replace(request, offer=self._offer(text, request.unread, context, hint or lang, today))
        return request, lang

    def account(self, text: str, lang: str) -> list[dict[str, str]]:
        """Each word of a question and what became of it: read (as what), passed over (a
        function word, talk or context) or not read."""
        tokens = tokenize(mark_sentences(text))
        ents, unknown, matched = self.lexicon.entities(tokens, lang, None)
        found, tokens, ents, unknown, _ = self._numbers_as_digits(mark_sentences(text), tokens, lang, None,
                                                                  (ents, unknown, matched))
        talk, ents = _apart_from_context(tokens, ents, first_language(found))
        unread = dict(zip((i for i, _ in unknown), self.lexicon.unread(tokens, ents, unknown, first_language(found),
                                                                        talk)))
        out = []
        for i, tok in enumerate(tokens):
            if tok.text == "?" and tok.kind == "sym":
                continue
            entity = next((e for e in ents if e.start <= i < e.end), None)
            if entity is not None:
                read = f"read: {entity.type}" + (f" {entity.value}" if entity.value is not None else "")
            elif i in unread:
                read = "passed over" if unread[i].passable and not unread[i].slot else "not read"
            else:
                read = ("passed over" if i in talk else "read: carries nothing") if tok.kind == "word" \
                    else "read: punctuation"
            out.append({"word": tok.text, "account": read})
        return out

    def _offer(self, text: str, words: tuple[str, ...], context: Context | None, hint: str | None,
               today: dt.date) -> str | None:
        """The question without the words that could not be read, offered back when it is a
        question about the figures: a paraphrase costs the user one tap."""
        unread = {fold(w) for w in words}
        said = text.split()
        dropped = [i for i, w in enumerate(said) if fold(w).strip(".,;:!?()'\"«»") in unread]
        if any(i and any(c.isdigit() for c in said[i - 1]) for i in dropped):
            return None  # "2000 km": without its unit the number would be read as returns
        # the function words that lead to a dropped word go with it ("per fiets", "during the lockdown")
        for i in sorted(dropped):
            j = i - 1
            while j >= 0 and j not in dropped and fold(said[j]).strip(".,;:!?()'\"«»") in self.lexicon.passable:
                dropped.append(j)
                j -= 1
        kept = " ".join(w for i, w in enumerate(said) if i not in dropped)
        if kept == text or not kept.strip():
            return None
        again, _ = self.understand(kept, context, hint, today, offer=True)
        answered = again.act == "figures" and self.engine.run(again, today).status == "ok"
        return kept.replace(" ?", "?").strip() if answered else None

    def _glued(self, tokens: list[Token], before: Entity, entity: Entity, lang: str) -> bool:
        """Whether only glue words stand between two entities, so that they may form one
        period; a word with another meaning binds across fewer of them (`also_glue`): "fall
        of 2019" is a season, "did returns fall in 2020" a comparison."""
        glue = self.lexicon.also_glue[lang] if before.also or entity.also else self.lexicon.glue[lang]
        if before.type in ("ordinal", "num") and entity.type in ("month", "weak_month"):
            glue = self.lexicon.day_glue[lang]  # "the 2nd of January" is a day, "came second in January" is not
        if before.type in ("ordinal", "num") and (entity.type, entity.value) == ("range", "from") \
                and entity.text not in self.lexicon.day_glue[lang]:
            return False  # "came second from January to September" names no day: only "of" binds it
        return all(t.text in glue for t in tokens[before.end:entity.start])

    def _numbers_as_digits(self, text: str, tokens: list[Token], lang: str | None, hint: str | None,
                           parsed: Reading) -> tuple[str | None, list[Token], *Reading]:
        """Numbers written as words ("top vijf", "deux mille dix-neuf", "ten years") read
        as digits, where that takes nothing the words meant away: a phrase that holds a
        number word ("les deux organisations", "sept. 2025") stays as it is. Number words
        also tell the language when nothing else does."""
        alpha2digit = _text2num()
        folded = fold(text)
        best = (lang, tokens, *parsed)
        if not folded.isascii() and not _encodable(folded):
            return best  # lone surrogates: no number words in them, and text2num needs UTF-8
        for candidate in [lang] if lang else [hint, *LANGS] if hint else LANGS:
            # Isolated numbers under 2 stay words: "een", "un", "one" are articles and pronouns as often as numbers.
            digits = _percent_kept(_years_in_pairs(alpha2digit(_as_text2num_reads(folded, candidate), candidate,
                                                               threshold=2), folded), folded)
            if digits == folded:
                continue
            converted = tokenize(digits)
            again = self.lexicon.entities(converted, candidate)
            if len(again[1]) <= len(best[3]) and _keeps_meanings(parsed[0], again[0]):
                best = (lang or candidate, converted, *again)
                break
        return best

    def ask(self, text: str, *, context: Context | None = None, lang: str | None = None,
            lang_hint: str | None = None, today: dt.date | None = None) -> Reply:
        today = today or dt.date.today()
        hint = lang or (context.lang if context and context.lang else None) or lang_hint
        query, detected = self.understand(text, context, hint, today)
        reply_lang = first_language(lang, detected, hint)
        answer = self.engine.run(query, today)
        renderer = self.renderer(reply_lang)
        # An unknown question is forgotten, unless it named a topic the figures leave out ("and in 2020?"
        # after asylum applications asks about them again) or a period: what follows it may be about it
        remembered = answer.request if answer.status != "unknown" or answer.request.topic or answer.request.periods \
            else (context.request if context else None)
        before = context.request if context and remembered is not None and context.request is not remembered else None
        return Reply(
            question=text,
            text=renderer.render(answer),
            status=answer.status,
            lang=reply_lang,
            context=Context(remembered, reply_lang, before, _run(context, before, remembered)),
            answer=answer,
            renderer=renderer,
            pipeline=self,
        )
