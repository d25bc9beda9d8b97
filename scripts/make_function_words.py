"""Writes intents/locales/<lang>/function_words.txt (and first_person.txt, singular_determiners.txt):
the closed-class words of Dutch, French and English (determiners, pronouns, prepositions, auxiliaries, conjunctions,
particles, interjections), read from the Universal Dependencies treebanks. A word of a
question that no rule reads is passed over only when it is one of these or a word of
talk (talk.txt): any other word may carry the meaning, and is asked about.

A form is kept when its most frequent part of speech in the treebank is a closed class
and it occurs at least MIN_COUNT times (one annotation slip does not make a noun a
pronoun). Run it again after updating the treebanks (a developer tool; the treebanks are
fetched at development time, never at run time):
    git clone https://github.com/UniversalDependencies/UD_Dutch-Alpino   (UD_French-GSD, UD_English-EWT)
    python scripts/make_function_words.py DIR_OF_THE_THREE_CLONES
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.normalize import fold  # noqa: E402 (the path above makes the package importable)

TREEBANKS = {"nl": "UD_Dutch-Alpino", "fr": "UD_French-GSD", "en": "UD_English-EWT"}
CLOSED = {"ADP", "AUX", "CCONJ", "DET", "PART", "PRON", "SCONJ", "INTJ"}
MIN_COUNT = 2


def _conllu(repo: Path) -> tuple[str, dict[str, str]]:
    """The commit and the text of the released .conllu files of a treebank clone (a
    working tree, or a bare mirror read with git)."""
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "--name-only", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.split()
    texts = {}
    for name in names:
        if name.endswith(".conllu"):
            shown = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{name}"], capture_output=True, text=True)
            if shown.returncode == 0:  # a mirror may leave out its largest file (the training set)
                texts[name] = shown.stdout
    return commit, texts


# A negation is closed-class but carries the meaning ("no returns", "geen", "aucun"): it is
# read by a rule or asked back, never passed over.
NEGATION = ("Polarity=Neg", "PronType=Neg")


def closed_forms(texts: list[str]) -> list[str]:
    tags: dict[str, Counter] = defaultdict(Counter)
    negations: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            cols = line.split("\t")
            if len(cols) < 4 or not cols[0].isdigit():
                continue  # comments, multiword-token ranges ("du" = "de le"), empty nodes
            form = fold(cols[1])
            if form.replace("'", "").isalpha():
                tags[form][cols[3]] += 1
                if any(feature in cols[5].split("|") for feature in NEGATION):
                    negations.add(form)
    kept = []
    for form, counts in tags.items():
        tag, n = counts.most_common(1)[0]
        if tag in CLOSED and sum(counts.values()) >= MIN_COUNT and form not in negations:
            kept.append(form)
    return sorted(kept)


def first_person_forms(texts: list[str]) -> list[str]:
    """The pronouns and determiners of the first person ("ik", "mijn", "je", "notre", "my"):
    a clause in them that ends before the question says who asks and why (entities.py)."""
    # counts per form: uses as a pronoun or determiner of the first person (or its possessor's), other uses
    persons: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for line in text.splitlines():
            cols = line.split("\t")
            if len(cols) < 6 or not cols[0].isdigit():
                continue
            form = fold(cols[1])
            if form.replace("'", "").isalpha():
                features = cols[5].split("|")
                first = cols[3] in ("PRON", "DET") and ("Person=1" in features or "Person[psor]=1" in features)
                persons[form][first] += 1
    return sorted(form for form, counts in persons.items()
                  if counts[True] >= MIN_COUNT and counts[True] > counts[False])


def singular_determiners(texts: list[str]) -> list[str]:
    """The determiners annotated Number=Sing in most of their uses ("le", "cette", "du"): a place
    after one ("le premier pays") is one place, where the noun ("pays") is the same in the plural."""
    numbers: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for line in text.splitlines():
            cols = line.split("\t")
            if len(cols) < 6 or not cols[0].isdigit() or cols[3] != "DET":
                continue
            numbers[fold(cols[1])]["Number=Sing" in cols[5].split("|")] += 1
    return sorted(form for form, counts in numbers.items()
                  if counts[True] >= MIN_COUNT and counts[True] > counts[False])


def main(clones: Path) -> None:
    for lang, name in TREEBANKS.items():
        repo = next(p for p in (clones / name, clones / f"UniversalDependencies+{name}" / "repo") if p.exists())
        commit, texts = _conllu(repo)
        words = closed_forms(list(texts.values()))
        path = ROOT / "intents" / "locales" / lang / "function_words.txt"
        header = (f"# Closed-class words of {lang} ({', '.join(sorted(CLOSED))}), folded: the forms of "
                  f"{name} (commit {commit}: {', '.join(sorted(texts))}) whose most frequent part of speech is "
                  "one of these, seen at least "
                  f"{MIN_COUNT} times; made by scripts/make_function_words.py\n")
        path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(words)} words")
        persons = first_person_forms(list(texts.values()))
        path = ROOT / "intents" / "locales" / lang / "first_person.txt"
        path.write_text(f"# Pronouns and determiners of the first person in {lang}, folded: the PRON and DET forms "
                        f"of {name} (commit {commit}) annotated Person=1 in most of their uses, seen at least "
                        f"{MIN_COUNT} times; "
                        "made by scripts/make_function_words.py\n" + "\n".join(persons) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(persons)} words")
        singular = singular_determiners(list(texts.values()))
        path = ROOT / "intents" / "locales" / lang / "singular_determiners.txt"
        path.write_text(f"# Determiners in the singular in {lang}, folded: the DET forms of {name} (commit {commit}) "
                        f"annotated Number=Sing in most of their uses, seen at least {MIN_COUNT} times (none where "
                        "the treebank does not annotate the number of determiners); made by "
                        "scripts/make_function_words.py\n" + "\n".join(singular) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(singular)} words")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror"))
