"""Command line: `returnbot [repl|ask|telegram|bench] [options]`."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Iterable, TextIO

from intents.data import DataError
from intents.pipeline import Context, Pipeline, Reply
from intents.resources import load_toml

COMMANDS = ("repl", "ask", "telegram", "bench", "data")
EXIT_WORDS = {"exit", "quit", ":q", "stop", "bye", "/exit", "/quit"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="one JSON object per answer, one per line")
    common.add_argument("--lang", choices=("nl", "fr", "en"), help="reply in this language, whatever the question's")
    common.add_argument("--today", type=_date, help="reference date for 'last year' and the like (YYYY-MM-DD)")
    common.add_argument("--data", metavar="DIR", help="data directory (default: $RETURNBOT_DATA or the bundled data)")
    parser = argparse.ArgumentParser(
        prog="returnbot",
        description="Answers questions on voluntary return from Belgium (Fedasil fact sheets), in Dutch, French or English.",
        epilog="Without a command: the REPL. Options go after the command: returnbot ask --json 'top 5 2020'.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("repl", parents=[common], help="ask questions one per line, with conversation context")
    ask = sub.add_parser("ask", parents=[common], help="answer one question, or each line of stdin with '-'")
    ask.add_argument("question", nargs="+", help="the question, or - to read one question per line from stdin")
    tg = sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_TOKEN)")
    # Not argparse's required group: its refusal is the whole usage text plus the error; one
    # mode is checked in main, which says it in one line.
    tg.add_argument("--polling", action="append_const", const="polling", dest="modes", default=[])
    tg.add_argument("--webhook", action="append_const", const="webhook", dest="modes", default=[])
    tg.add_argument("--data", metavar="DIR")
    bench = sub.add_parser("bench", help="measure speed and memory and print the figures")
    bench.add_argument("--data", metavar="DIR")
    check = sub.add_parser("data", help="check a data directory and print what it covers").add_subparsers(
        dest="data_command", required=True)
    check.add_parser("check", help="the start-up rules on DIR (default: $RETURNBOT_DATA or the bundled data); "
                                   "exit status 2 if it is damaged").add_argument("directory", nargs="?", metavar="DIR")
    return parser


class Session:
    """One conversation: keeps the context between questions and prints answers."""

    def __init__(self, pipeline: Pipeline, args: argparse.Namespace, out: TextIO):
        self.pipeline, self.args, self.out = pipeline, args, out
        self.context: Context | None = None

    def answer(self, question: str, keep_context: bool = True) -> Reply:
        reply = self.pipeline.ask(question, context=self.context if keep_context else None,
                                  lang=self.args.lang, today=self.args.today)
        if keep_context:
            self.context = reply.context
        if self.args.json:
            self.out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        else:
            self.out.write(reply.text + "\n\n")
        self.out.flush()
        return reply


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def run_ask(session: Session, question: list[str]) -> int:
    if question == ["-"]:
        for line in _lines(sys.stdin):
            session.answer(line, keep_context=False)
    else:
        session.answer(" ".join(question), keep_context=False)
    return 0


def run_repl(session: Session) -> int:
    if not sys.stdin.isatty():
        for line in _lines(sys.stdin):
            if line.strip().lower() in EXIT_WORDS:
                break
            session.answer(line)
        return 0
    import readline  # noqa: F401  (imported for its side effect: line editing and history in input())

    texts = load_toml(session.args.lang or "en", "answers.toml")["cli"]
    print(texts["welcome"])
    while True:
        try:
            line = input(texts["prompt"])
        except KeyboardInterrupt:
            print()
            continue
        except EOFError:
            print()
            return 0
        if line.strip().lower() in EXIT_WORDS:
            return 0
        if line.strip():
            session.answer(line)


def main(argv: list[str] | None = None) -> int:
    # Bytes that are not UTF-8 (a pasted fragment, a stray argument) must not stop the
    # program: they are replaced, and the question still gets its answer.
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "repl")
    args = _options().parse_args(argv)
    try:
        if args.command == "telegram":
            if len(set(args.modes)) != 1:
                print("returnbot telegram: give one mode, --polling or --webhook", file=sys.stderr)
                return 2
            from bot.telegram import main as telegram_main  # lazy: `ask` must not pay for telegram
            return telegram_main(args.modes[0], args.data)
        if args.command == "data":
            from bot.datacheck import main as data_check_main
            return data_check_main(args.directory)
        if args.command == "bench":
            from bot.bench import main as bench_main
            return bench_main(args.data)
        pipeline = Pipeline.load(args.data)
    except DataError as exc:
        print(f"returnbot: {exc}", file=sys.stderr)
        return 2
    session = Session(pipeline, args, sys.stdout)
    try:
        if args.command == "ask":
            return run_ask(session, args.question)
        return run_repl(session)
    except (KeyboardInterrupt, BrokenPipeError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
