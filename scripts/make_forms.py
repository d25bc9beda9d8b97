"""Writes intents/locales/<lang>/forms.txt: the inflected forms of the lexicon's words,
from simplemma's dictionary (the forms it maps to the same lemma as a lexicon word).
Each line is a form no lexicon lists and the lexicon word it stands for ("dropped
drop", "zakte gezakt", "intervenus intervenu"), or the word of asking.txt or work.txt
("demandent demande", "journalists journalist"): a word of a question that no
lexicon knows is read as that word before phrases are matched (intents/entities.py).

A form is left out when it is a word of any of the three lexicons (it must not shadow
a real entry, whatever the question's language), shorter than MIN_FORM letters, or a
common word of another language (the head of general_words.txt: a French form must not
make an English word a French entity). No form stands for a time word, a negation read after
what it leaves out (`neg:post`), a word shorter than MIN_FORM letters or a word of the
lexicon's `uninflected` list, and none for lexicon words of one lemma that mean
different things, unless one of them is the lemma itself.

Run it again after changing a lexicon.toml or general_words.txt, or after upgrading
simplemma (a developer tool, not a dependency; its dictionaries load in 0.2-0.5 s
per language, which is why the table is made here and not at start-up):
    pip install -e '.[scripts]' && python scripts/make_forms.py
"""
from __future__ import annotations

import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

from simplemma.strategies.dictionaries import DefaultDictionaryFactory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.entities import COMMON_RANK, Lexicon, words_of  # noqa: E402 (the path above makes the package importable)
from intents.models import LANGS  # noqa: E402
from intents.normalize import fold, words  # noqa: E402
from intents.resources import LOCALE_DIR, load_toml  # noqa: E402

# Shorter words are function words and abbreviations, whose spellings other lemmas share
# ("du": dû, devoir; "bij": bijen, bees): neither a form nor a word it stands for is shorter.
MIN_FORM = 4
# The phrases whose words a form may stand for: the entity and time tables, stop words and
# fillers; the Lexicon reads them all into its vocabulary. The other lists (count nouns,
# glue, slot markers...) hold words of these too.
SOURCE_LISTS = ("stop", "fillers")
SOURCE_TABLES = ("entities", "time")
# ... and the verbs of asking and the words of who asks: "les élèves demandent" is talk as "demande" is
# (not the rest of talk.txt: "dearer" is no "dear").
WORD_LISTS = ("asking.txt", "work.txt")


def phrase_words(phrases: list[str]) -> set[str]:
    """The single words of the phrases, as the tokenizer gives them."""
    return {w for p in phrases for w in words(p) if w.isalpha()}


def taken_words(lexicon: Lexicon) -> set[str]:
    """Every word of the three lexicons: the Lexicon's vocabulary (babel's month and country
    names included) and the words of every list."""
    taken = {w for lang in LANGS for w in lexicon.vocab[lang]}
    for lang in LANGS:
        lists = [v for v in load_toml(lang, "lexicon.toml").values() if isinstance(v, list)]
        taken |= phrase_words([p for phrases in lists for p in phrases])
    return taken


def common_words(lang: str) -> set[str]:
    """The language's common words, as the Lexicon reads them: the head of
    general_words.txt, which lists the most frequent first."""
    lines = (LOCALE_DIR / lang / "general_words.txt").read_text(encoding="utf-8").split("\n")
    return set([w for w in lines if w and not w.startswith("#")][:COMMON_RANK])


def lemma_key(lemma: str) -> str:
    """simplemma writes some Dutch separable verbs' lemmas with an underscore
    ("terug_keren") and lists forms under the plain spelling too ("terugkeren")."""
    return fold(lemma).replace("_", "")


def lemma_index(lang: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Folded form -> its lemmas, lemma -> its folded forms. Folding accents and case
    as the tokenizer does may give one form two lemmas ("passe": passer, passé)."""
    lemmas: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, set[str]] = defaultdict(set)
    for form, lemma in DefaultDictionaryFactory().get_dictionary(lang).items():
        folded, key = fold(form), lemma_key(lemma)
        lemmas[folded].add(key)
        forms[key].add(folded)
    return lemmas, forms


def meaning(lexicon: Lexicon, word: str, lang: str) -> tuple | None:
    """What the word alone means in the language; None for a word found only in longer phrases."""
    return lexicon.phrases.get((word,), {}).get(lang)


class Language:
    """One language's lexicon words and which of them a form may stand for."""

    def __init__(self, lang: str, lexicon: Lexicon) -> None:
        lex = load_toml(lang, "lexicon.toml")
        self.lang, self.lexicon = lang, lexicon
        self.words = phrase_words([p for name in SOURCE_LISTS for p in lex[name]]
                                  + [p for name in SOURCE_TABLES for ps in lex[name].values() for p in ps]
                                  + [w for name in WORD_LISTS for w in words_of(lang, name)])
        # Time words are a closed class, listed whole in [time]; their other forms are mostly
        # other words ("lasted", "ended", "passait", "secondes", "gevolgd").
        self.time_words = phrase_words([p for ps in lex["time"].values() for p in ps])
        self.uninflected = {fold(w) for w in lex["uninflected"]}

    def eligible(self, word: str) -> bool:
        # A negation read after what it leaves out ("exclu", "uitgesloten") stands for no form:
        # its other forms are verbs that leave out what follows ("excluent septembre").
        return len(word) >= MIN_FORM and word not in self.time_words and word not in self.uninflected \
            and meaning(self.lexicon, word, self.lang) != ("neg", "post")

    def choose(self, form_lemmas: set[str], candidates: set[str]) -> str | None:
        """The lexicon word a form stands for: the one that is its lemma ("terugkeerden" ->
        "terugkeren"), else the shortest of words that all mean the same ("dalen" -> "daalt",
        of "daalt", "daalde", "gedaald"); none when the words mean different things or the
        head may not be stood for."""
        heads = candidates & form_lemmas
        if len(heads) == 1:
            head = heads.pop()
            return head if self.eligible(head) else None
        if len({meaning(self.lexicon, w, self.lang) for w in candidates}) != 1:
            return None
        return min((w for w in candidates if self.eligible(w)), key=lambda w: (len(w), w), default=None)

    def forms(self, taken: set[str], common_elsewhere: set[str]) -> dict[str, str]:
        """Form -> lexicon word."""
        lemmas, forms = lemma_index(self.lang)
        candidates: dict[str, set[str]] = defaultdict(set)
        for word in self.words:
            # A lexicon word may itself be a lemma the dictionary never maps to itself.
            for lemma in lemmas.get(word, set()) | {word}:
                for form in forms.get(lemma, ()):
                    candidates[form].add(word)
        table = {}
        for form, words_ in candidates.items():
            if len(form) < MIN_FORM or not (form.isascii() and form.isalpha()) \
                    or form in taken or form in common_elsewhere:
                continue
            word = self.choose(lemmas[form], words_)
            if word is not None and word != form:
                table[form] = word
        return table


def render(lang: str, table: dict[str, str]) -> str:
    header = (f"# Inflected forms of the {lang} lexicon's words -> the lexicon word, from simplemma "
              f"{version('simplemma')}'s dictionary (forms that share the word's lemma), folded; "
              f"made by scripts/make_forms.py\n")
    return header + "".join(f"{form} {word}\n" for form, word in sorted(table.items()))


def tables() -> dict[str, str]:
    """The text of each language's forms.txt, as made from the current lexicons."""
    lexicon = Lexicon()
    taken = taken_words(lexicon)
    common = {lang: common_words(lang) for lang in LANGS}
    texts = {}
    for lang in LANGS:
        elsewhere = set().union(*(common[other] for other in LANGS if other != lang))
        texts[lang] = render(lang, Language(lang, lexicon).forms(taken, elsewhere))
    return texts


def main() -> None:
    for lang, text in tables().items():
        path = LOCALE_DIR / lang / "forms.txt"
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {text.count(chr(10)) - 1} forms")


if __name__ == "__main__":
    main()
