"""Dump the answer to every question of the phrasing and time corpora, one JSON object a
line, so that a redesign can show what it changed: run it before and after, then diff.

    python scripts/dump_answers.py > before.jsonl
    ... change ...
    python scripts/dump_answers.py > after.jsonl
    diff before.jsonl after.jsonl

A case's earlier turns (`context`) are asked first, as the corpus test does; each line
holds the question, the reference date and the reply as `returnbot ask --json` gives it.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
from pathlib import Path

from intents.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
PHRASING_TODAY = "2026-11-22"
TIME_FRAMES = {"nl": "hoeveel terugkeerders {}", "fr": "combien de retours {}", "en": "how many returns {}"}


def phrasing_cases():
    for path in sorted(CORPUS.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            yield (case.get("context", []), case["q"], case.get("today", PHRASING_TODAY),
                   case.get("force_lang"), case.get("hint"))


def time_cases():
    for lang, frame in TIME_FRAMES.items():
        corpus = tomllib.loads((CORPUS / "time" / f"{lang}.toml").read_text(encoding="utf-8"))
        for case in corpus["case"]:
            yield [], frame.format(case["text"]), case.get("today", corpus["reference"]), None, None
        for case in corpus.get("negative", []):
            yield [], frame.format(case["text"]), corpus["reference"], None, None


def main() -> int:
    pipeline = Pipeline.load()
    out = sys.stdout
    for turns, question, today, lang, hint in [*phrasing_cases(), *time_cases()]:
        day = dt.date.fromisoformat(today)
        context = None
        for earlier in turns:
            context = pipeline.ask(earlier, context=context, today=day).context
        reply = pipeline.ask(question, context=context, today=day, lang=lang, lang_hint=hint)
        record = {"context": turns, "today": today, **reply.to_json()}
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
