"""Follow-up buttons (bot/suggest.py): for every question of the corpus, in every language,
each suggested question stands on its own (answered, without context, in the reply's
language), differs from the question it follows, and fits Telegram's 64 bytes of
callback data."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from bot.suggest import CALLBACK_BYTES, MAX_BUTTONS, Suggester, parse_ask
from bot.texts import LOCALES
from intents.pipeline import Pipeline

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load()


@pytest.fixture(scope="module")
def suggester(pipeline) -> Suggester:
    return Suggester(pipeline)


def corpus_questions() -> list[str]:
    out = []
    for path in sorted(CORPUS.glob("*.toml")):
        with path.open("rb") as fh:
            out.extend(case["q"] for case in tomllib.load(fh)["case"])
    return out


def test_every_suggestion_stands_on_its_own(pipeline, suggester):
    questions = corpus_questions()
    assert len(questions) > 100
    offered = answered = 0
    for question in questions:
        reply = pipeline.ask(question)
        suggestions = suggester.for_reply(reply)
        assert len(suggestions) <= MAX_BUTTONS
        offered += bool(suggestions) and reply.status == "ok"
        answered += reply.status == "ok"
        for s in suggestions:
            assert len(s.data.encode()) <= CALLBACK_BYTES and parse_ask(s.data) == (reply.lang, s.ask), s
            follow = pipeline.ask(s.ask, lang_hint=reply.lang)
            assert follow.status == "ok" and follow.lang == reply.lang, (question, s.ask, follow.text)
            if reply.status == "ok":
                assert follow.answer.request != reply.answer.request, (question, s.ask)
    assert offered > 0.8 * answered   # most answers lead somewhere


def test_suggestions_follow_the_answer(pipeline, suggester):
    def asks(question):
        return [s.ask for s in suggester.for_reply(pipeline.ask(question))]

    assert asks("how many returns in 2020") == ["how many returns in 2019", "per month 2020", "top 5 countries 2020"]
    # 2021 has no monthly figures (not offered) and a country list (the release of 28 January 2022).
    assert asks("combien de retours en 2021") == ["combien de retours en 2020", "top 5 pays 2021", "compare 2020 et 2021"]
    # September 2025 is the last published month: no "and in October?".
    assert asks("hoeveel terugkeerders in september 2025") == ["hoeveel terugkeerders in 2025", "per maand 2025"]
    # the other list offered is the latest before 2025's: the release of 31 January 2025 on 2024
    assert asks("top 5 nationalities 2025") == ["profile 2025", "top 5 countries 2024", "how many returns in 2025"]


def test_a_grain_the_figures_lack_offers_the_month_that_holds_it(pipeline, suggester):
    """"and on the 17th?": no figure for a day, and the month it falls in is one tap away."""
    context = pipeline.ask("hoeveel terugkeerders in maart 2020").context
    reply = pipeline.ask("en op de 17de?", context=context)
    assert reply.status == "no_data"
    assert [(s.label, s.ask) for s in suggester.for_reply(reply)] == [("Maart 2020", "hoeveel terugkeerders in maart 2020")]
    reply = pipeline.ask("how many returns on 3 June 2020?")
    assert [s.ask for s in suggester.for_reply(reply)] == ["how many returns in June 2020"]


def test_templates_have_the_same_keys_in_every_language(tmp_path, pipeline):
    locales = shutil.copytree(LOCALES, tmp_path / "locales")
    french = locales / "fr" / "suggest.toml"
    french.write_text(french.read_text().replace('\nprev_year =', '\nprevious_year ='))
    with pytest.raises(ValueError, match=r"\[fr\] has other keys"):
        Suggester(pipeline, locales)


def test_callback_data_that_is_not_a_question_is_refused():
    assert parse_ask("a:nl:hoeveel in 2020") == ("nl", "hoeveel in 2020")
    for data in ("a:de:wie viele", "a:nl:", "l:nl", "", "a:nl: "):
        assert parse_ask(data) is None
