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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .entities import _passable_words
from .models import LANGS
from .normalize import tokenize
from .resources import load_toml


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(text))


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
        # By first word, so that a question is scanned once whatever the size of the glossary.
        self.terms: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, entry in terms:
            if phrase:
                self.terms.setdefault(phrase[0], []).append((phrase, entry))

    @cached_property
    def markers(self) -> tuple[dict[str, list[tuple[tuple[str, ...], set[str], bool]]], set[str]]:
        """The words that ask for a meaning, by first word: (words, languages, strong); and the
        words a definition question may hold besides. Read on the first question that names a
        term, so that a one-shot question about the figures does not parse three lexicons."""
        found: dict[tuple[tuple[str, ...], bool], set[str]] = {}
        passable: set[str] = set()
        for lang in LANGS:
            lex = load_toml(lang, "lexicon.toml")
            for key, strong in (("define", True), ("define_weak", False)):
                for marker in lex[key]:
                    found.setdefault((_phrase(marker), strong), set()).add(lang)
            passable |= _passable_words(lang)
        by_first: dict[str, list[tuple[tuple[str, ...], set[str], bool]]] = {}
        for (phrase, strong), langs in found.items():
            if phrase:
                by_first.setdefault(phrase[0], []).append((phrase, langs, strong))
        return by_first, passable

    def asked(self, words: tuple[str, ...]) -> Asked | None:
        """The entries a question asks the meaning of, or None when it asks for something else."""
        matches = [(len(phrase), start, entry) for start, word in enumerate(words)
                   for phrase, entry in self.terms.get(word, ()) if words[start:start + len(phrase)] == phrase]
        taken: set[int] = set()
        found: list[tuple[int, str]] = []
        for length, start, entry in sorted(matches, key=lambda m: (-m[0], m[1])):
            # the longest term first: "rejected applicants", not "applicants"
            span = set(range(start, start + length))
            if not span & taken:
                taken |= span
                found.append((start, entry))
        if not found:
            return None
        by_first, passable = self.markers
        markers = []   # (is strong, languages), each marker outside the terms
        for start, word in enumerate(words):
            for phrase, langs, is_strong in by_first.get(word, ()):
                span = set(range(start, start + len(phrase)))
                if words[start:start + len(phrase)] == phrase and not span & taken:
                    markers.append((is_strong, langs, span))
        if not markers:
            return None
        strong = [m for m in markers if m[0]]
        for _, _, span in markers:
            taken |= span
        rest = [w for i, w in enumerate(words) if i not in taken and w.isalnum() and w not in passable]
        if rest and not (strong and all(not w.isdigit() for w in rest) and len(rest) <= 1):
            # Other words ask for more than a meaning ("what is the share of rejected applicants?").
            return None
        langs = set.union(*(langs for _, langs, _ in (strong or markers)))
        ids = tuple(dict.fromkeys(entry for _, entry in sorted(found)))
        return Asked(ids, next(iter(langs)) if len(langs) == 1 else None)
