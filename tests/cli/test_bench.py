"""`returnbot bench` on a tiny input: the shape of its lines and the logic of its
verdicts, never the timings themselves (those depend on the machine)."""
import io
import re
import sys

import pytest

from bot.cli import bench
from intents.models import STATUSES

NUMBER = r"(\d+(?:\.\d+)?)"
VERDICT = r"(PASS|FAIL)"
# line pattern -> how many times it must appear
SHAPE = {
    r"returnbot bench: Python \d+\.\d+\.\d+, \d+ CPUs, \S+ \S+": 1,
    r"questions: 20 from tests/corpus \(\d+ files\), 1 timed passes after 1 warm-up pass \(\d+ samples\)": 1,
    r"questions that raised: \d+": 1,
    rf"parse\+answer p50: {NUMBER} ms \(budget <= {NUMBER} ms\) {VERDICT}": 1,
    rf"parse\+answer p99: {NUMBER} ms \(budget <= {NUMBER} ms\) {VERDICT}": 1,
    rf"parse\+answer max: {NUMBER} ms": 1,
    r"questions over 2 ms at least once: \d+": 1,
    rf'slowest: {NUMBER} ms ".+"': 5,
    r"start-up '\S+(?: -m bot)? ask hoeveel terugkeerders in maart 2020' \(median of 1\): \d+ ms": 1,
    r"start-up python -c 'import pandas' \(median of 1\): \d+ ms": 1,
    rf"start-up ratio: {NUMBER}x \(budget <= {NUMBER}x\) {VERDICT}": 1,
    r"start-up CPU time \(user\+sys, median\): ask \d+ ms, import pandas \d+ ms, ratio \d+\.\d\dx "
    r"\(less sensitive to other load than wall time\)": 1,
    rf"peak RSS ask: {NUMBER} MB \(budget <= {NUMBER} MB\) {VERDICT}(?: \(exit codes .*\))?": 1,
    rf"peak RSS repl after 20 questions: {NUMBER} MB \(budget <= {NUMBER} MB\) {VERDICT}(?: \(exit code .*\))?": 1,
    r"repl wall time for 20 questions: \d+\.\d\d s \(\d+\.\d{3} ms per question, start-up and printing included\)": 1,
}


@pytest.fixture(scope="module")
def tiny_run():
    out = io.StringIO()
    code = bench.main(None, limit=20, passes=1, startup_runs=1, repl_questions=20, out=out)
    return code, out.getvalue().splitlines()


def test_bench_returns_0(tiny_run):
    assert tiny_run[0] == 0


def test_every_line_has_its_shape(tiny_run):
    _, lines = tiny_run
    for pattern, times in SHAPE.items():
        matching = [line for line in lines if re.fullmatch(pattern, line)]
        assert len(matching) == times, f"{pattern!r} matched {len(matching)} lines in:\n" + "\n".join(lines)
    raised = next(int(line.rpartition(" ")[2]) for line in lines if line.startswith("questions that raised"))
    errors = [line for line in lines if re.fullmatch(r'error: ".+" \w+: .*', line)]
    assert len(errors) == min(raised, 5)
    assert len(lines) == sum(SHAPE.values()) + len(errors), "\n".join(lines)


def test_each_verdict_follows_from_its_figure_and_budget(tiny_run):
    _, lines = tiny_run
    checked = 0
    for line in lines:
        m = re.search(rf"{NUMBER} ?(?:ms|x|MB) \(budget <= {NUMBER} ?(?:ms|x|MB)\) {VERDICT}(?: \(exit.*)?$", line)
        if m:
            figure, budget, verdict = float(m.group(1)), float(m.group(2)), m.group(3)
            # the printed figure is rounded: only judge when rounding cannot flip it
            if abs(figure - budget) > 0.01 and "exit code" not in line:
                assert verdict == ("PASS" if figure <= budget else "FAIL"), line
            checked += 1
    assert checked == 5


def test_children_ran_to_a_clean_exit(tiny_run):
    _, lines = tiny_run
    assert not [line for line in lines if "exit code" in line], lines


def test_budgets_are_the_agreed_ones():
    assert (bench.BUDGET_P50_MS, bench.BUDGET_P99_MS, bench.BUDGET_STARTUP_RATIO, bench.BUDGET_RSS_MB) == \
        (0.5, 2.0, 1.3, 150.0)


def test_percentiles():
    t = bench.Timing(tuple(float(x) for x in range(100, 0, -1)), ())
    assert (t.pct(0.5), t.pct(0.99), t.pct(1.0), t.pct(0.0)) == (50.0, 99.0, 100.0, 1.0)
    assert bench.Timing((3.0,), ()).pct(0.99) == 3.0


def test_questions_come_from_the_corpus_with_their_context():
    questions, source = bench.load_questions()
    assert source.startswith("tests/corpus (")
    assert len(questions) >= 20
    assert any(q.context for q in questions)


def test_without_the_tests_directory_the_shipped_list_is_used(tmp_path, pipeline):
    questions, source = bench.load_questions(tmp_path / "no-corpus-here")
    assert source == "bot/cli/bench_questions.txt"
    assert len(questions) >= 50
    assert not [q for q in questions if not q.text.strip() or q.text.startswith("#")]
    for q in questions:
        assert pipeline.ask(q.text, today=q.today).status in STATUSES


def test_a_question_that_raises_is_reported_not_fatal():
    class Flaky:
        def ask(self, text, **kw):
            if text == "boom":
                raise KeyError("month_None")
            return None

    questions = [bench.Question("a"), bench.Question("boom"), bench.Question("b")]
    timing = bench.time_questions(Flaky(), questions, passes=2)
    assert timing.errors == (("boom", "KeyError: 'month_None'"),)
    assert len(timing.samples_ms) == 4
    out = io.StringIO()
    bench.report_timing(timing, "test", 3, 2, out)
    assert "questions that raised: 1" in out.getvalue() and 'error: "boom" KeyError' in out.getvalue()


def test_a_child_that_fails_is_reported():
    child = bench.run_child([sys.executable, "-c", "import sys; sys.exit('broken: on purpose')"])
    assert child.exit_code == 1 and child.last_error == "broken: on purpose"
    assert child.rss_mb > 0 and child.wall_ms > 0 and child.cpu_ms >= 0


def test_timing_takes_one_sample_per_question_and_pass(pipeline):
    questions = bench.load_questions()[0][:7]
    timing = bench.time_questions(pipeline, questions, passes=3)
    assert len(timing.samples_ms) == 21 and all(ms > 0 for ms in timing.samples_ms)
    assert {q for _, q in timing.slowest} == {q.text for q in questions}
    assert [ms for ms, _ in timing.slowest] == sorted((ms for ms, _ in timing.slowest), reverse=True)
