"""The time corpus: tests/corpus/time/{nl,fr,en}.toml, in the shape of Duckling's.

Each case puts a time expression into a plain question of its language and checks
the periods of the request, at the file's reference date (or the case's `today`).
`period` is a compact period ("2013-03", "2013-01..2013-03", "2013", "2012..2014",
"latest:03" for a month whose year the engine will pick, "first..2010" for a period
from the first year of the figures), a list of them, or "none".
`ours` replaces Duckling's value where returnbot reads the expression differently on
purpose (`why` says why); "vague:<period>" is asked back, offering that period. The `negative` list holds things that are not periods.
"""
import datetime as dt
import tomllib
from pathlib import Path

import pytest

from intents.models import Period

TIME = Path(__file__).resolve().parents[1] / "corpus" / "time"
FRAMES = {"nl": "hoeveel terugkeerders {}", "fr": "combien de retours {}", "en": "how many returns {}"}
# The figures are monthly: these statuses mean the expression was read (or asked back).
READ = ("ok", "no_data")


def compact(p: Period) -> str:
    if p.anchor == "first":
        return "first..%04d" % p.last_year if p.end[1] == 12 else "first..%04d-%02d" % p.end
    if p.open:
        months = "%02d" % p.start[1] if p.single_month else "%+d-%02d..%+d-%02d" % (*p.start, *p.end)
        return f"latest:{months}"
    if p.whole_years:
        return str(p.first_year) if p.single_year else f"{p.first_year}..{p.last_year}"
    if p.single_month:
        return "%04d-%02d" % p.start
    return "%04d-%02d..%04d-%02d" % (*p.start, *p.end)


def _load(lang):
    with (TIME / f"{lang}.toml").open("rb") as fh:
        return tomllib.load(fh)


def _cases():
    for lang in FRAMES:
        corpus = _load(lang)
        for i, case in enumerate(corpus["case"]):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            today = case.get("today", corpus["reference"])
            yield pytest.param(lang, today, case, id=f"{lang}-{i:03d}-{case['text'][:40]}", marks=marks)


def _negatives():
    for lang in FRAMES:
        for i, case in enumerate(_load(lang).get("negative", [])):
            yield pytest.param(lang, case["text"], id=f"{lang}-{i:03d}-{case['text'][:40]}")


@pytest.mark.parametrize("lang,today,case", list(_cases()))
def test_time_expression(pipeline, lang, today, case):
    expected = case.get("ours", case["period"])
    request, _ = pipeline.understand(FRAMES[lang].format(case["text"]), None, lang, dt.date.fromisoformat(today))
    query = request.slots
    got = [compact(p) for p in query.periods]
    if isinstance(expected, str) and expected.startswith("vague:"):
        assert (query.intent, query.topic) == ("clarify", "vague_period"), query
        assert got == [expected.removeprefix("vague:")], query
        return
    expected = [] if expected == "none" else [expected] if isinstance(expected, str) else expected
    if expected:
        assert got == expected, query
        assert query.intent not in ("unknown", "clarify"), query
    else:
        assert got == [] and query.intent in ("clarify", "unknown"), query


@pytest.mark.parametrize("lang,text", list(_negatives()))
def test_not_a_period(pipeline, lang, text):
    request, _ = pipeline.understand(FRAMES[lang].format(text), None, lang, dt.date(2013, 2, 12))
    assert request.slots.periods == (), request


# Words that also mean something else than a period ("from Syria", "the third country",
# "per month", "this figure", "dans les années 2010", "cijfers over 2020", "il y a eu"): they shape a
# period when they can, and are otherwise left to the rest of the question.
NEUTRAL = {"range", "conj", "ordinal", "grain", "quarter", "half", "whole", "mod:this", "decade", "month", "hence:pre", "ago:pre"}
# Words that only restate the period they stand beside ("in 2020 so far").
KEEPS_PERIOD = {"ytd"}


def _lexicon(lang):
    path = Path(__file__).resolve().parents[2] / "intents" / "locales" / lang / "lexicon.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _time_words():
    for lang in FRAMES:
        lexicon = _lexicon(lang)
        for key, phrases in lexicon["time"].items():
            kind = key.partition(":")[0]
            if kind in NEUTRAL or key in NEUTRAL:
                continue
            for phrase in phrases:
                # A word with another meaning ([also]) is left to it where no rule binds it.
                if phrase not in lexicon.get("also", {}):
                    yield pytest.param(lang, key, phrase, id=f"{lang}-{key}-{phrase}")


@pytest.mark.parametrize("lang,key,phrase", list(_time_words()))
def test_no_time_word_is_dropped(pipeline, lang, key, phrase):
    """A time word beside a complete question either changes its period or makes the
    answer a clarify: it is never silently left out."""
    question = FRAMES[lang].format(f"in 2020 {phrase}" if lang != "fr" else f"en 2020 {phrase}")
    reply = pipeline.ask(question, lang=lang, today=dt.date(2026, 12, 2))
    periods = [compact(p) for p in reply.answer.slots.periods]
    if reply.status == "clarify":
        return
    if key.partition(":")[0] in KEEPS_PERIOD:
        assert periods == ["2020"], reply.text
    else:
        assert periods != ["2020"], reply.text


@pytest.mark.parametrize("lang", FRAMES)
def test_a_word_with_another_meaning_is_a_time_word(lang):
    """Each word of [also] is a time word whose other meaning the lexicon knows."""
    lexicon = _lexicon(lang)
    time_words = {phrase for phrases in lexicon["time"].values() for phrase in phrases}
    keys = set(lexicon["entities"]) | {"stop"}
    wrong = {phrase: other for phrase, other in lexicon.get("also", {}).items()
             if phrase not in time_words or other not in keys}
    assert wrong == {}
