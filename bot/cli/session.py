"""One conversation on the command line: the answers printed (wrapped at a terminal's
width), and their charts and tables written to files; `returnbot ask`."""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Iterable
from typing import TextIO

from bot.texts import load_texts
from intents.pipeline import Context, Pipeline, Reply
from intents.render import SUPERSCRIPT_DIGITS

MIN_COLUMNS = 20   # a narrower terminal still gets lines of a few words, not one word a line


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
            indent = "  " if line[:1] in SUPERSCRIPT_DIGITS else ""
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
        from bot.charts.drawing import chart_png, chart_svg  # lazy: only --chart pays for it
        from bot.charts.kinds import chart_kind

        texts = load_texts("cli", (reply.lang,))[reply.lang]
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
        texts = load_texts("cli", (reply.lang,))[reply.lang]
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


def lines_of(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\r\n")


def run_ask(session: Session, question: list[str]) -> int:
    for option, name in ((session.args.chart, "--chart"), (session.args.csv, "--csv")):
        if question == ["-"] and option:
            print(f"returnbot: {name} takes one question, not - (one file per answer)", file=sys.stderr)
            return 2
    if question == ["-"]:
        for line in lines_of(sys.stdin):
            session.answer(line, keep_context=False)
    else:
        session.answer(" ".join(question), keep_context=False)
    return 2 if session.write_failed else 0
