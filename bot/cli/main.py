"""Command line: `returnbot [repl|ask|telegram|web|bench|data] [options]`. Each command's
module is imported when it runs: `returnbot ask` must not pay for telegram, tornado or
matplotlib."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from bot.cli.repl import run_repl
from bot.cli.session import OutputClosed, Session, run_ask
from bot.startup import load_or_report
from intents.models import LANGS
from intents.pipeline import Pipeline

COMMANDS = ("repl", "ask", "telegram", "web", "bench", "data")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="one JSON object per answer, one per line")
    common.add_argument("--lang", choices=LANGS, help="reply in this language, whatever the question's")
    common.add_argument("--today", type=_date, help="reference date for 'last year' and the like (YYYY-MM-DD)")
    common.add_argument("--data", metavar="DIR", help="data directory (default: $RETURNBOT_DATA or the bundled data)")
    common.add_argument("--chart", metavar="FILE.png|FILE.svg", type=Path,
                        help="write the chart of a chart-able answer (a series, a top list, the profile) to FILE.png, "
                             "or as a vector drawing to FILE.svg")
    common.add_argument("--csv", metavar="FILE.csv", type=Path,
                        help="write the answer's figures to FILE.csv, one row per figure with its period, "
                             "breakdown, value, unit and source")
    parser = argparse.ArgumentParser(
        prog="returnbot",
        description="Answers questions on voluntary return from Belgium (Fedasil fact sheets), "
                    "in Dutch, French or English.",
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
    web = sub.add_parser("web", help="serve the web page and the API on PORT (and the Telegram webhook, if set)")
    web.add_argument("--data", metavar="DIR")
    bench = sub.add_parser("bench", help="measure speed and memory and print the figures")
    bench.add_argument("--data", metavar="DIR")
    check = sub.add_parser("data", help="check a data directory and print what it covers").add_subparsers(
        dest="data_command", required=True)
    check.add_parser("check", help="the start-up rules on DIR (default: $RETURNBOT_DATA or the bundled data); "
                                   "exit status 2 if it is damaged").add_argument("directory", nargs="?", metavar="DIR")
    return parser


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
    if args.command == "telegram":
        if len(set(args.modes)) != 1:
            print("returnbot telegram: give one mode, --polling or --webhook", file=sys.stderr)
            return 2
        from bot.telegram.app import main as telegram_main  # lazy: `ask` must not pay for telegram
        return telegram_main(args.modes[0], args.data)
    if args.command == "web":
        from bot.web.config import webhook_configured  # standard library only
        if webhook_configured(os.environ):
            from bot.telegram.app import main as telegram_main  # the page beside the webhook, one server
            return telegram_main("webhook", args.data)
        from bot.web.server import main as web_main  # lazy: `ask` must not pay for tornado
        return web_main(args.data)
    if args.command == "data":
        from bot.cli.datacheck import main as data_check_main
        return data_check_main(args.directory)
    if args.command == "bench":
        from bot.cli.bench import main as bench_main
        return bench_main(args.data)
    pipeline = load_or_report(Pipeline.load, args.data)
    if pipeline is None:
        return 2
    if sys.stdout is None:   # started with stdout closed: nothing can be shown
        return 0
    session = Session(pipeline, args, sys.stdout)
    try:
        if args.command == "ask":
            return run_ask(session, args.question)
        return run_repl(session)
    except KeyboardInterrupt:
        return 0
    except OutputClosed:
        # What is still buffered goes nowhere, so that the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
