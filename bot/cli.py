"""Command line: `returnbot [repl|ask|telegram|bench] [options]`."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Iterable, TextIO

from bot.paths import state_dir
from intents.data import DataError
from intents.pipeline import Context, Pipeline, Reply
from intents.resources import load_toml

COMMANDS = ("repl", "ask", "telegram", "web", "bench", "data")
LANGS = ("nl", "fr", "en")
HISTORY_LINES = 1000
MIN_COLUMNS = 20   # a narrower terminal still gets lines of a few words, not one word a line


def exit_words() -> set[str]:
    return {word for lang in LANGS for word in load_toml(lang, "answers.toml")["cli"]["exit"]}


def is_exit(line: str, words: set[str]) -> bool:
    return line.strip().rstrip(".!").strip().lower() in words


def environment_lang(env: dict[str, str] | os._Environ) -> str:
    """The language of the user's locale (LC_ALL, LC_MESSAGES, LANG) when it is nl or fr."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            code = env[name][:2].lower()
            return code if code in ("nl", "fr") else "en"
    return "en"


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
    common.add_argument("--chart", metavar="FILE.png|FILE.svg", type=Path,
                        help="write the chart of a chart-able answer (a series, a top list, the profile) to FILE.png, "
                             "or as a vector drawing to FILE.svg")
    common.add_argument("--csv", metavar="FILE.csv", type=Path,
                        help="write the answer's figures to FILE.csv, one row per figure with its period, "
                             "breakdown, value, unit and source")
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
    web = sub.add_parser("web", help="serve the web page and the API on PORT (and the Telegram webhook, if set)")
    web.add_argument("--data", metavar="DIR")
    bench = sub.add_parser("bench", help="measure speed and memory and print the figures")
    bench.add_argument("--data", metavar="DIR")
    check = sub.add_parser("data", help="check a data directory and print what it covers").add_subparsers(
        dest="data_command", required=True)
    check.add_parser("check", help="the start-up rules on DIR (default: $RETURNBOT_DATA or the bundled data); "
                                   "exit status 2 if it is damaged").add_argument("directory", nargs="?", metavar="DIR")
    return parser


class OutputClosed(Exception):
    """stdout is closed or full: the end of the output, as SIGPIPE is for a Unix tool."""


class Session:
    """One conversation: keeps the context between questions and prints answers."""

    def __init__(self, pipeline: Pipeline, args: argparse.Namespace, out: TextIO):
        self.pipeline, self.args, self.out = pipeline, args, out
        self.context: Context | None = None
        # At a terminal, answers are wrapped at its width, read again for each answer: the
        # window may have been resized since. Elsewhere (a pipe, a file) they are not wrapped.
        self.terminal = False
        self.write_failed = False   # a chart or CSV file that could not be written: exit status 2

    def answer(self, question: str, keep_context: bool = True) -> Reply:
        reply = self.pipeline.ask(question, context=self.context if keep_context else None,
                                  lang=self.args.lang, today=self.args.today)
        if keep_context:
            self.context = reply.context
        try:
            if self.args.json:
                self.out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
            else:
                self.out.write(self.wrap(reply.text) + "\n\n")
            self.out.flush()
        except OSError:   # a closed pipe, a full disk
            raise OutputClosed from None
        if self.args.chart:
            self.write_chart(reply)
        if self.args.csv:
            self.write_csv(reply)
        return reply

    def wrap(self, text: str) -> str:
        """Each line wrapped at the terminal's width between words (never inside one); a
        footnote's continuation lines indented under its text."""
        width = self.columns()
        if not width:
            return text
        out = []
        for line in text.split("\n"):
            indent = "  " if line[:1] in "⁰¹²³⁴⁵⁶⁷⁸⁹" else ""
            out.append(textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                                     break_on_hyphens=False) if line else line)
        return "\n".join(out)

    def columns(self) -> int | None:
        """The width to wrap at: the terminal's as it is now (not $COLUMNS, which a shell sets
        once and a resize leaves stale), one column short of it; None off a terminal."""
        if not self.terminal:
            return None
        try:
            return max(os.get_terminal_size(self.out.fileno()).columns - 1, MIN_COLUMNS)
        except (OSError, ValueError, AttributeError):   # no longer a terminal, or no descriptor
            return None

    def write_chart(self, reply: Reply) -> None:
        """The chart goes to the file; what happened goes to stderr, so stdout stays the answers."""
        from bot.charts import chart_kind, chart_png, chart_svg  # lazy: only --chart pays for it

        texts = load_toml(reply.lang, "answers.toml")["cli"]
        if chart_kind(reply.answer) is None:
            print(texts["no_chart"], file=sys.stderr)
            return
        try:
            draw = chart_svg if self.args.chart.suffix.lower() == ".svg" else chart_png   # a vector drawing for print
            self.args.chart.write_bytes(draw(reply.answer, self.pipeline.renderer(reply.lang)))
        except OSError as exc:
            print(f"returnbot: cannot write {self.args.chart}: {exc.strerror}", file=sys.stderr)
            self.write_failed = True
            return
        print(texts["chart_written"].format(path=self.args.chart), file=sys.stderr)

    def write_csv(self, reply: Reply) -> None:
        """The answer's figures (or, for "download all the data", the observation table) go to
        the file; what happened goes to stderr, as for a chart."""
        texts = load_toml(reply.lang, "answers.toml")["cli"]
        from bot.export import table_csv  # pandas only once a table is written

        table = table_csv(reply.answer, self.pipeline.engine.dataset, self.pipeline.renderer(reply.lang))
        if table is None:
            print(texts["no_csv"], file=sys.stderr)
            return
        try:
            with self.args.csv.open("w", encoding="utf-8", newline="") as fh:
                fh.write(table)
        except OSError as exc:
            print(f"returnbot: cannot write {self.args.csv}: {exc.strerror}", file=sys.stderr)
            self.write_failed = True
            return
        print(texts["csv_written"].format(path=self.args.csv), file=sys.stderr)


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def run_ask(session: Session, question: list[str]) -> int:
    for option, name in ((session.args.chart, "--chart"), (session.args.csv, "--csv")):
        if question == ["-"] and option:
            print(f"returnbot: {name} takes one question, not - (one file per answer)", file=sys.stderr)
            return 2
    if question == ["-"]:
        for line in _lines(sys.stdin):
            session.answer(line, keep_context=False)
    else:
        session.answer(" ".join(question), keep_context=False)
    return 2 if session.write_failed else 0


def run_repl(session: Session) -> int:
    words = exit_words()
    if not sys.stdin.isatty():
        for line in _lines(sys.stdin):
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
    texts = load_toml(lang, "answers.toml")["cli"]
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
        if args.command == "web":
            from bot.web.config import webhook_configured   # standard library only
            if webhook_configured(os.environ):
                from bot.telegram import main as telegram_main   # the page beside the webhook, one server
                return telegram_main("webhook", args.data)
            from bot.web.server import main as web_main   # lazy: `ask` must not pay for tornado
            return web_main(args.data)
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
