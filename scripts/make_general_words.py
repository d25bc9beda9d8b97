"""Writes intents/locales/<lang>/general_words.txt: the most frequent words of Dutch,
French and English, from wordfreq. A word of a question that no lexicon reads is
passed over when it is one of these (and does not stand where a slot would go), so
that "btw", "eigenlijk" or "rapidement" do not block an answer.

Run it again after upgrading wordfreq (a developer tool, not a dependency):
    pip install wordfreq && python scripts/make_general_words.py
"""
from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import wordfreq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.models import LANGS  # noqa: E402 (the path above makes the package importable)
from intents.normalize import fold  # noqa: E402

TOP = 40000


def main() -> None:
    for lang in LANGS:
        # Most frequent first: the lexicon reads the head of the list as the common words.
        words = list(dict.fromkeys(fold(w) for w in wordfreq.top_n_list(lang, TOP) if fold(w).isalpha() and len(w) > 1))
        path = ROOT / "intents" / "locales" / lang / "general_words.txt"
        header = (f"# The {TOP} most frequent {lang} words (wordfreq {version('wordfreq')}), folded, "
                  "most frequent first; made by scripts/make_general_words.py\n")
        path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(words)} words")


if __name__ == "__main__":
    main()
