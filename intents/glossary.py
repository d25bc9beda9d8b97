"""Questions that ask what a term means ("what does 'rejected applicants' mean?", "wat is de
DVZ?", "que veut dire Dublin ?"), answered from the glossary (data/glossary.csv).

Read before the rules, which would take a term that is also a slot of the figures (a
category, an organisation) for a question about its figures. A question is a definition
question when it names a glossary term and a word that asks for a meaning (`define` in the
lexicon: "mean", "betekent", "veut dire"); a weaker word ("what is", "wat is", "c'est quoi":
`define_weak`) counts only when nothing else is asked, so that "what is the share of rejected
applicants in 2020" stays a question about the figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .entities import _passable_words
from .models import LANGS
from .normalize import tokenize
from .resources import load_toml


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(text))


def _find(words: tuple[str, ...], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if words[i:i + n] == phrase] if n else []


@dataclass(frozen=True)
class Asked:
    """A definition question: the entries it names (glossary ids, in the order asked) and the
    language of the word that asked for a meaning, where only one language has it."""

    ids: tuple[str, ...]
    lang: str | None


class Glossary:
    def __init__(self, rows: Iterable[dict[str, Any]]):
        # (words of a term, entry id), longest first, over every language: questions mix them.
        terms = {(_phrase(term), row["id"]) for row in rows for lang in LANGS for term in row["terms"][lang]}
        self.terms = sorted((t for t in terms if t[0]), key=lambda t: -len(t[0]))
        self.strong: dict[tuple[str, ...], set[str]] = {}
        self.weak: dict[tuple[str, ...], set[str]] = {}
        self.passable: set[str] = set()
        for lang in LANGS:
            lex = load_toml(lang, "lexicon.toml")
            for key, table in (("define", self.strong), ("define_weak", self.weak)):
                for marker in lex[key]:
                    table.setdefault(_phrase(marker), set()).add(lang)
            self.passable |= _passable_words(lang)

    def asked(self, words: tuple[str, ...]) -> Asked | None:
        """The entries a question asks the meaning of, or None when it asks for something else."""
        taken: set[int] = set()
        found: list[tuple[int, str]] = []
        for phrase, entry in self.terms:   # the longest term first: "rejected applicants", not "applicants"
            for start in _find(words, phrase):
                span = set(range(start, start + len(phrase)))
                if not span & taken:
                    taken |= span
                    found.append((start, entry))
        if not found:
            return None
        markers = [(phrase, langs) for table in (self.strong, self.weak) for phrase, langs in table.items()
                   if any(not set(range(i, i + len(phrase))) & taken for i in _find(words, phrase))]
        strong = [m for m in markers if m[0] in self.strong]
        if not markers:
            return None
        for phrase, _ in markers:
            for start in _find(words, phrase):
                taken |= set(range(start, start + len(phrase)))
        rest = [w for i, w in enumerate(words) if i not in taken and w.isalnum() and w not in self.passable]
        if rest and not (strong and all(not w.isdigit() for w in rest) and len(rest) <= 1):
            # Other words ask for more than a meaning ("what is the share of rejected applicants?").
            return None
        langs = set.union(*(langs for _, langs in (strong or markers)))
        ids = tuple(dict.fromkeys(entry for _, entry in sorted(found)))
        return Asked(ids, next(iter(langs)) if len(langs) == 1 else None)
