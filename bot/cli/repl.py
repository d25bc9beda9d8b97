"""`returnbot` and `returnbot repl`: questions one per line, each building on the ones
before, with line editing and a history kept from one run to the next at a terminal."""
from __future__ import annotations

import os
import sys

from bot.cli.session import Session, lines_of
from bot.paths import state_dir
from bot.texts import load_texts
from intents.models import DEFAULT_LANG, LANGS

HISTORY_LINES = 1000


def exit_words() -> set[str]:
    return {word for texts in load_texts("cli").values() for word in texts["exit"]}


def is_exit(line: str, words: set[str]) -> bool:
    return line.strip().rstrip(".!").strip().lower() in words


def environment_lang(env: dict[str, str] | os._Environ) -> str:
    """The language of the user's locale (LC_ALL, LC_MESSAGES, LANG) when it is nl or fr."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            code = env[name][:2].lower()
            return code if code in LANGS else DEFAULT_LANG
    return DEFAULT_LANG


def run_repl(session: Session) -> int:
    words = exit_words()
    if not sys.stdin.isatty():
        for line in lines_of(sys.stdin):
            if is_exit(line, words):
                break
            session.answer(line)
        return 0
    import readline  # line editing, and the history kept from one run to the next

    history = state_dir(os.environ) / "history"
    try:
        readline.read_history_file(history)
    except OSError:
        pass   # the first run, or an unreadable file: start without
    readline.set_history_length(HISTORY_LINES)
    session.terminal = sys.stdout.isatty()
    lang = session.args.lang or environment_lang(os.environ)
    texts = load_texts("cli", (lang,))[lang]
    print(session.wrap(texts["welcome"].format(reach=session.pipeline.reach(lang))))
    try:
        while True:
            try:
                line = input(texts["prompt"])
            except KeyboardInterrupt:
                print()
                continue
            except EOFError:
                print()
                return 0
            if is_exit(line, words):
                return 0
            if line.strip():
                try:
                    session.answer(line)
                except KeyboardInterrupt:   # cancels this answer (its chart, say), not the REPL
                    print()
    finally:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
        except OSError:
            pass   # a read-only home: the history is not kept, the REPL still works
