"""The intent registry (intents/registry.py) agrees with the engine's handlers, the
answer templates and the lexicons, so that an intent is added in one definition."""
import tomllib
from pathlib import Path

import pytest

from intents import registry
from intents.engine import HANDLERS

LOCALES = Path(__file__).resolve().parents[2] / "intents" / "locales"
LANGS = ("nl", "fr", "en")


def _toml(lang, name):
    with (LOCALES / lang / name).open("rb") as fh:
        return tomllib.load(fh)


def test_every_intent_has_a_handler_and_every_handler_an_intent():
    named = {intent.handler for intent in registry.INTENTS}
    assert named - set(HANDLERS) == set()
    assert set(HANDLERS) - named == set()


@pytest.mark.parametrize("lang", LANGS)
def test_the_templates_an_intent_names_exist(lang):
    answers = _toml(lang, "answers.toml")
    missing = [(i.name, t) for i in registry.INTENTS for t in i.templates if t not in answers]
    assert missing == []


def test_every_signature_keyword_is_a_lexicon_word():
    said = set()
    for lang in LANGS:
        for key in _toml(lang, "lexicon.toml")["entities"]:
            kind, _, value = key.partition(":")
            if kind == "kw":
                said |= set(value.split("+"))
    # "<grain>_word" keywords come from the grain words of the time grammar.
    asked = {k for k in registry.KEYWORDS if not k.endswith("_word")}
    assert asked - said == set()


def test_precedence_is_unambiguous_and_a_count_catches_the_rest():
    precedences = [s.precedence for s in registry.SIGNATURES]
    assert len(precedences) == len(set(precedences))
    last = registry.SIGNATURES[-1]
    assert last.make.__name__ == "_count" and not last.slots and not last.keywords
