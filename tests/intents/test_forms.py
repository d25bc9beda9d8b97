"""Inflected forms (intents/locales/<lang>/forms.txt, made by scripts/make_forms.py from
simplemma's dictionary): a word no lexicon lists that is a form of a lexicon word reads
as that word, the answer still quotes the user's word, and no form shadows a word of
any lexicon. Only the last test needs simplemma, a developer tool."""
import importlib.util
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from intents.entities import Lexicon, load_lexicon, words_of
from intents.models import LANGS
from intents.normalize import fold, tokenize
from intents.resources import LOCALE_DIR, load_toml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _words(phrase: str) -> list[str]:
    return [t.text for t in tokenize(phrase)]


def _table(lang: str) -> dict[str, str]:
    lines = (LOCALE_DIR / lang / "forms.txt").read_text(encoding="utf-8").split("\n")
    return dict(line.split(" ") for line in lines if line and not line.startswith("#"))


# Forms that no lexicon lists and that were unread, or read as something else, before the table.
@pytest.mark.parametrize("lang,form,kind,value", [
    ("en", "dropped", "kw", "compare"),
    ("en", "rising", "kw", "compare"),
    ("en", "decreasing", "kw", "compare"),
    ("en", "child", "oos", "breakdown"),
    ("en", "denying", "category", "rejected"),
    ("nl", "zakte", "kw", "compare"),
    ("nl", "stijgende", "kw", "compare"),
    ("nl", "terugkeerde", "measure", "returns"),
    ("nl", "dwong", "oos", "deportation"),
    ("nl", "vrouw", "oos", "breakdown"),
    ("fr", "pires", "kw", "min"),
    ("fr", "refusant", "category", "rejected"),
    ("fr", "rapatriees", "measure", "returns"),
])
def test_a_form_reads_as_its_lexicon_word(lexicon, lang, form, kind, value):
    ents, unknown, _ = lexicon.entities(tokenize(form), lang)
    assert [(e.type, e.value, e.fuzzy, e.text) for e in ents] == [(kind, value, False, form)]
    assert unknown == []


def test_a_form_of_a_stop_word_is_read_and_not_asked_back(lexicon):
    ents, unknown, _ = lexicon.entities(tokenize("retours intervenus en 2020"), "fr")
    assert unknown == [] and [e.type for e in ents] == ["measure", "year"]


@pytest.mark.parametrize("lang,text,kind,value", [
    ("nl", "zonder wettige verblijf", "category", "irregular"),
    ("fr", "sans titres de séjour", "category", "irregular"),
])
def test_a_form_completes_a_phrase_of_several_words(lexicon, lang, text, kind, value):
    """Read exactly (not repaired as a misspelling), and quoted as written."""
    tokens = tokenize(text)
    ents, _, _ = lexicon.entities(tokens, lang)
    assert [(e.type, e.value, e.start, e.end, e.fuzzy, e.text) for e in ents] == \
        [(kind, value, 0, len(tokens), False, fold(text))]


def test_a_form_reads_in_its_own_language_only(lexicon):
    """English "paid" is a form of "pays" ("who pays for the trip"), which alone means
    something in French only (countries)."""
    assert _table("en")["paid"] == "pays"
    ents, _, _ = lexicon.entities(tokenize("how many returns paid in 2020"), "en")
    assert ("kw", "countries") not in {(e.type, e.value) for e in ents}


@pytest.mark.parametrize("lang,form", [("nl", "zakte"), ("fr", "refusant"), ("en", "dropped")])
def test_a_form_tells_the_language(lexicon, lang, form):
    assert lexicon.detect([form, "2020"], None)[0] == lang


def test_the_answer_quotes_the_users_word(ask):
    reply = ask("combien de retours en 2020 exceptant")  # a form of "excepte", with nothing to leave out
    assert reply.status == "clarify"
    assert "« exceptant »" in reply.text and "« excepte »" not in reply.text


@pytest.mark.parametrize("lang", LANGS)
def test_no_form_shadows_a_word_of_any_lexicon(lexicon, lang):
    """Whatever the question's language: a form is no word of the three lexicons, babel's
    month and country names included, nor of any of their lists."""
    listed = {w for other in LANGS for value in load_toml(other, "lexicon.toml").values() if isinstance(value, list)
              for phrase in value for w in _words(phrase)}
    shadowing = [form for form in _table(lang) if lexicon._known(form) or form in listed]
    assert shadowing == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_form_stands_for_a_word_of_its_own_lexicon(lexicon, lang):
    """... or of its lists of the verbs of asking and of who asks."""
    listed = words_of(lang, "asking.txt") | words_of(lang, "work.txt")
    assert [w for w in _table(lang).values() if w not in lexicon.vocab[lang] and w not in listed] == []


@pytest.mark.parametrize("lang,form,word", [("fr", "demandent", "demander"), ("en", "journalists", "journalist"),
                                            ("nl", "leraars", "leraar")])
def test_a_form_of_a_verb_of_asking_or_of_who_asks_is_passed_over_as_the_word_is(lexicon, lang, form, word):
    assert _table(lang)[form] == word
    assert form in lexicon.passable


@pytest.mark.parametrize("lang", LANGS)
def test_no_form_stands_for_a_time_word_a_negation_after_or_an_uninflected_word(lang):
    lex = load_toml(lang, "lexicon.toml")
    time_words = {w for phrases in lex["time"].values() for p in phrases for w in _words(p)}
    after = {w for p in lex["entities"].get("neg:post", []) for w in _words(p) if len(_words(p)) == 1}
    barred = time_words | after | {fold(w) for w in lex["uninflected"]}
    assert sorted({w for w in _table(lang).values() if w in barred}) == []


@pytest.mark.parametrize("lang,form", [("en", "meant"), ("en", "helped"), ("en", "larger"), ("nl", "dagen"),
                                       ("nl", "gevlucht"), ("nl", "goede"), ("fr", "vivre"), ("fr", "devait"),
                                       ("fr", "excluent")])
def test_a_form_of_another_word_is_left_out(lang, form):
    """"meant" is no average, "dagen" no greeting, "vivre" no stock of residents,
    "devait" (devoir) is no form of "du", and "excluent" leaves out what follows, unlike
    "exclu" (`neg:post`)."""
    assert form not in _table(lang)


def test_the_built_lexicon_keeps_the_forms(tmp_path, monkeypatch):
    """The table goes into the pickled lexicon: the second start reads it from there."""
    monkeypatch.setenv("RETURNBOT_CACHE", str(tmp_path))
    built = load_lexicon()
    assert list(tmp_path.glob("lexicon-*.pickle"))
    assert load_lexicon().forms == built.forms == {lang: _table(lang) for lang in LANGS}


def _script():
    pytest.importorskip("simplemma", reason="simplemma makes forms.txt: pip install -e '.[scripts]' (or pip install simplemma)")
    made_with = re.search(r"simplemma (\S+)'s", (LOCALE_DIR / "en" / "forms.txt").read_text(encoding="utf-8")).group(1)
    try:
        installed = version("simplemma")
    except PackageNotFoundError:  # importable but not installed as a distribution
        installed = None
    if installed != made_with:
        pytest.skip(f"forms.txt was made with simplemma {made_with}, {installed} is installed: "
                    f"pip install simplemma=={made_with}, or run scripts/make_forms.py with the new one")
    spec = importlib.util.spec_from_file_location("make_forms", ROOT / "scripts" / "make_forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_tables_are_what_the_script_makes_from_the_lexicons():
    made = _script().tables()
    stale = [lang for lang in LANGS if made[lang] != (LOCALE_DIR / lang / "forms.txt").read_text(encoding="utf-8")]
    assert stale == [], "run: python scripts/make_forms.py"
