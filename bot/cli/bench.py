"""`returnbot bench`: speed and memory against the budgets in docs/PERFORMANCE.md.

Prints plain lines, one figure each, with the budget and PASS/FAIL beside it. It
informs and always returns 0: the figures depend on the machine, so they do not
fail a build. Runs in well under two minutes on two cores.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TextIO

from bot.startup import load_or_report

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
FALLBACK = "bench_questions.txt"
TODAY = dt.date(2026, 11, 22)  # the corpus's reference date, so answers do not drift
STARTUP_QUESTION = "hoeveel terugkeerders in maart 2020"

BUDGET_P50_MS = 0.5
BUDGET_P99_MS = 2.0
BUDGET_STARTUP_RATIO = 1.3
BUDGET_RSS_MB = 150.0
SLOW_MS = 2.0


@dataclass(frozen=True)
class Question:
    text: str
    context: tuple[str, ...] = ()
    today: dt.date = TODAY


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]
    slowest: tuple[tuple[float, str], ...]  # (worst time in ms, question), slowest first
    errors: tuple[tuple[str, str], ...] = ()  # (question, exception) for questions that raised

    def pct(self, q: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


# ---- questions -------------------------------------------------------------------------
def load_questions(corpus: Path = CORPUS) -> tuple[list[Question], str]:
    """Every question of tests/corpus/*.toml (the earlier turns of a case are questions
    too); without the tests directory, the list shipped in bot/cli/bench_questions.txt."""
    files = sorted(corpus.glob("*.toml")) if corpus.is_dir() else []
    questions: list[Question] = []
    for path in files:
        with path.open("rb") as fh:
            cases = tomllib.load(fh).get("case", [])
        for case in cases:
            today = dt.date.fromisoformat(case["today"]) if "today" in case else TODAY
            context = tuple(case.get("context", ()))
            questions.extend(Question(q, context[:i], today) for i, q in enumerate(context))
            questions.append(Question(case["q"], context, today))
    if questions:
        return questions, f"tests/corpus ({len(files)} files)"
    return [Question(q) for q in fallback_questions()], f"bot/cli/{FALLBACK}"


def fallback_questions() -> list[str]:
    text = importlib_resources.files("bot.cli").joinpath(FALLBACK).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


# ---- parse + answer ------------------------------------------------------------------------
def time_questions(pipeline, questions: Sequence[Question], passes: int = 5) -> Timing:
    """Wall time of pipeline.ask per question, after one warm-up pass. A question's
    earlier turns are asked first, outside the timing, to build its context. A question
    that raises is reported and left out of the timing (the bench must not stop)."""
    runnable: list[tuple[Question, object]] = []
    errors: list[tuple[str, str]] = []
    for q in questions:
        try:
            context = None
            for earlier in q.context:
                context = pipeline.ask(earlier, context=context, today=q.today).context
            pipeline.ask(q.text, context=context, today=q.today)  # warm-up: caches, lazy imports
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            errors.append((q.text, f"{type(exc).__name__}: {exc}"))
            continue
        runnable.append((q, context))
    samples: list[float] = []
    worst: dict[str, float] = {}
    clock = time.perf_counter_ns
    for _ in range(passes):
        for q, context in runnable:
            t0 = clock()
            pipeline.ask(q.text, context=context, today=q.today)
            ms = (clock() - t0) / 1e6
            samples.append(ms)
            worst[q.text] = max(ms, worst.get(q.text, 0.0))
    slowest = tuple(sorted(((ms, text) for text, ms in worst.items()), reverse=True))
    return Timing(tuple(samples), slowest, tuple(errors))


# ---- child processes ----------------------------------------------------------------------
def returnbot_command() -> list[str]:
    """The installed `returnbot` script beside this interpreter, else `python -m bot`."""
    script = Path(sys.executable).parent / "returnbot"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("returnbot")
    return [found] if found else [sys.executable, "-m", "bot"]


def _maxrss_mb(usage: resource.struct_rusage) -> float:
    # Linux gives kilobytes, macOS bytes.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


@dataclass(frozen=True)
class Child:
    wall_ms: float
    cpu_ms: float  # user + system
    rss_mb: float  # the child's own peak resident set
    exit_code: int
    last_error: str  # last line of its stderr


def run_child(argv: list[str], stdin: bytes | None = None) -> Child:
    """Run one child to its end. os.wait4 gives the rusage of that child alone, unlike
    RUSAGE_CHILDREN (the largest child so far)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, cwd=os.getcwd())
        status, usage = _feed_and_wait(proc, stdin)
        wall = (time.perf_counter() - t0) * 1000
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(wall, (usage.ru_utime + usage.ru_stime) * 1000, _maxrss_mb(usage), proc.returncode,
                 lines[-1] if lines else "")


def _feed_and_wait(proc: subprocess.Popen, stdin: bytes | None) -> tuple[int, resource.struct_rusage]:
    if stdin is not None and proc.stdin is not None:
        try:
            proc.stdin.write(stdin)
        except BrokenPipeError:  # the child stopped early; its exit code says why
            pass
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
    _, status, usage = os.wait4(proc.pid, 0)
    return status, usage


@dataclass(frozen=True)
class Startup:
    ask_ms: float
    pandas_ms: float
    ask_cpu_ms: float
    pandas_cpu_ms: float
    ask_rss_mb: float
    runs: int
    command: str
    exit_codes: tuple[int, ...]
    error: str = ""

    @property
    def ratio(self) -> float:
        return self.ask_ms / self.pandas_ms if self.pandas_ms else float("inf")

    @property
    def cpu_ratio(self) -> float:
        return self.ask_cpu_ms / self.pandas_cpu_ms if self.pandas_cpu_ms else float("inf")


def measure_startup(runs: int = 5, data_dir: str | None = None) -> Startup:
    """Median one-shot `returnbot ask` against a bare `python -c "import pandas"`,
    interleaved so that both see the same machine load."""
    ask = returnbot_command() + ["ask", STARTUP_QUESTION] + (["--data", data_dir] if data_dir else [])
    bare = [sys.executable, "-c", "import pandas"]
    run_child(bare)  # one untimed run of each: page cache, .pyc files
    run_child(ask)
    asks, bares = [], []
    for _ in range(runs):
        asks.append(run_child(ask))
        bares.append(run_child(bare))
    error = next((c.last_error for c in asks if c.exit_code), "")
    return Startup(statistics.median(c.wall_ms for c in asks), statistics.median(c.wall_ms for c in bares),
                   statistics.median(c.cpu_ms for c in asks), statistics.median(c.cpu_ms for c in bares),
                   max(c.rss_mb for c in asks), runs, " ".join([Path(ask[0]).name, *ask[1:]]),
                   tuple(c.exit_code for c in asks), error)


@dataclass(frozen=True)
class ReplRun:
    questions: int
    wall_ms: float
    rss_mb: float
    exit_code: int
    error: str = ""


def measure_repl(questions: Sequence[str], count: int = 10_000, data_dir: str | None = None) -> ReplRun:
    """Peak RSS of one `returnbot repl` that answered `count` questions from a pipe
    (the corpus, cycled; exit words left out so that the session runs to the end)."""
    from bot.cli.repl import exit_words, is_exit

    words = exit_words()
    usable = [q for q in questions if not is_exit(q, words) and "\n" not in q and "\r" not in q]
    lines = list(itertools.islice(itertools.cycle(usable), count))
    feed = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    argv = returnbot_command() + ["repl"] + (["--data", data_dir] if data_dir else [])
    child = run_child(argv, stdin=feed)
    return ReplRun(len(lines), child.wall_ms, child.rss_mb, child.exit_code,
                   child.last_error if child.exit_code else "")


# ---- report ---------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def short(text: str, width: int = 60) -> str:
    text = repr(text)[1:-1]
    return text if len(text) <= width else text[:width - 1] + "…"


def report_timing(t: Timing, source: str, n_questions: int, passes: int, out: TextIO) -> None:
    print(f"questions: {n_questions} from {source}, {passes} timed passes after 1 warm-up pass "
          f"({len(t.samples_ms)} samples)", file=out)
    print(f"questions that raised: {len(t.errors)}", file=out)
    for q, error in t.errors[:5]:
        print(f"error: \"{short(q)}\" {short(error, 80)}", file=out)
    if not t.samples_ms:
        return
    p50, p99, worst = t.pct(0.50), t.pct(0.99), max(t.samples_ms)
    print(f"parse+answer p50: {p50:.3f} ms (budget <= {BUDGET_P50_MS:g} ms) {verdict(p50 <= BUDGET_P50_MS)}", file=out)
    print(f"parse+answer p99: {p99:.3f} ms (budget <= {BUDGET_P99_MS:g} ms) {verdict(p99 <= BUDGET_P99_MS)}", file=out)
    print(f"parse+answer max: {worst:.3f} ms", file=out)
    slow = [(ms, q) for ms, q in t.slowest if ms > SLOW_MS]
    print(f"questions over {SLOW_MS:g} ms at least once: {len(slow)}", file=out)
    for ms, q in t.slowest[:5]:
        print(f"slowest: {ms:.3f} ms \"{short(q)}\"", file=out)


def report_startup(s: Startup, out: TextIO) -> None:
    print(f"start-up {s.command!r} (median of {s.runs}): {s.ask_ms:.0f} ms", file=out)
    print(f"start-up python -c 'import pandas' (median of {s.runs}): {s.pandas_ms:.0f} ms", file=out)
    print(f"start-up ratio: {s.ratio:.2f}x (budget <= {BUDGET_STARTUP_RATIO:g}x) "
          f"{verdict(s.ratio <= BUDGET_STARTUP_RATIO)}",
          file=out)
    print(f"start-up CPU time (user+sys, median): ask {s.ask_cpu_ms:.0f} ms, import pandas {s.pandas_cpu_ms:.0f} ms, "
          f"ratio {s.cpu_ratio:.2f}x (less sensitive to other load than wall time)", file=out)
    ok = all(code == 0 for code in s.exit_codes)
    print(f"peak RSS ask: {s.ask_rss_mb:.1f} MB (budget <= {BUDGET_RSS_MB:g} MB) "
          f"{verdict(s.ask_rss_mb <= BUDGET_RSS_MB and ok)}"
          + ("" if ok else f" (exit codes {s.exit_codes}: {short(s.error, 80)})"), file=out)


def report_repl(r: ReplRun, out: TextIO) -> None:
    ok = r.exit_code == 0
    print(f"peak RSS repl after {r.questions} questions: {r.rss_mb:.1f} MB (budget <= {BUDGET_RSS_MB:g} MB) "
          f"{verdict(r.rss_mb <= BUDGET_RSS_MB and ok)}"
          + ("" if ok else f" (exit code {r.exit_code}: {short(r.error, 80)})"), file=out)
    per = r.wall_ms / r.questions if r.questions else 0.0
    print(f"repl wall time for {r.questions} questions: {r.wall_ms / 1000:.2f} s ({per:.3f} ms per question, "
          f"start-up and printing included)", file=out)


def main(data_dir: str | None = None, *, limit: int | None = None, passes: int = 5, startup_runs: int = 5,
         repl_questions: int = 10_000, out: TextIO | None = None) -> int:
    from intents.pipeline import Pipeline

    out = out or sys.stdout
    pipeline = load_or_report(Pipeline.load, data_dir)
    if pipeline is None:
        return 2
    print(f"returnbot bench: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()} "
          f"{platform.machine()}", file=out)
    questions, source = load_questions()
    if limit is not None:
        questions = questions[:limit]
    out.flush()
    report_timing(time_questions(pipeline, questions, passes), source, len(questions), passes, out)
    out.flush()
    report_startup(measure_startup(startup_runs, data_dir), out)
    out.flush()
    report_repl(measure_repl([q.text for q in questions], repl_questions, data_dir), out)
    out.flush()
    return 0
