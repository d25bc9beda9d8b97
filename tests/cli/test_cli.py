"""The command line as a user runs it: `python -m bot ...` in a subprocess (run_cli).

Subprocesses cost about half a second each, so each run checks as much as it can (one
`ask --json -` run answers many lines). Figures are written out by hand from
data/sources/*.txt, with the printed line in a comment.
"""
import json
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import run_cli

S20 = "fedasil-vrijwillige-terugkeer-2020.txt"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
JSON_FIELDS = {"question", "lang", "status", "intent", "text", "footnotes", "figures", "sources", "query", "tokens"}
NNBSP = "\u202f"


def json_lines(result):
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return [json.loads(line) for line in result.stdout.splitlines()]


def figure_pairs(reply):
    return [(f["value"], f["sources"]) for f in reply["figures"]]


def test_ask_one_question():
    result = run_cli("ask", "hoeveel terugkeerders in maart 2020")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    # 2020.txt:43 "Maart 111 1 112 260"
    assert "maart 2020" in out and "112" in out and "111" in out and "Fedasil" in out
    assert "¹" in out and "²" in out  # Dublin and COVID-19 notes
    assert out.rstrip().splitlines()[-1].startswith("Bron: Fedasil/IOM/DVZ")


STDIN_QUESTIONS = [
    "hoeveel terugkeerders in maart 2020",
    "en in april?",                            # on its own: no context, so not April 2020
    "combien de retours en décembre 2025 ?",   # no_data
    "how many deportations in 2020",           # unknown
    "top 3 countries 2020",
    "hoeveel terugkeerders in 2016",
]


def test_ask_stdin_answers_each_line_on_its_own_as_json():
    result = run_cli("ask", "--json", "-", stdin="".join(q + "\n" for q in STDIN_QUESTIONS))
    replies = json_lines(result)  # exit status 0 although some answers are no_data / unknown
    assert [r["question"] for r in replies] == STDIN_QUESTIONS
    for reply in replies:
        assert set(reply) == JSON_FIELDS
        assert reply["status"] in ("ok", "no_data", "clarify", "unknown")
        assert reply["query"]["intent"] == reply["intent"]
        for figure in reply["figures"]:
            assert figure["sources"] and all(":" in s for s in figure["sources"])
    march, april, december, deportations, top, y2016 = replies
    assert march == {
        "question": "hoeveel terugkeerders in maart 2020", "lang": "nl", "status": "ok", "intent": "count",
        "text": march["text"], "footnotes": ["dublin", "covid_2020"],
        "figures": march["figures"],
        "sources": [{"id": "factsheet-2020", "kind": "factsheet", "title": "Vrijwillige terugkeer in 2020", "date": None,
                     "publisher": "Fedasil/IOM/DVZ",
                     "url": "http://fedasil.be/fr/actualites/retour-volontaire/1847-retours-volontaires-en-2020"}],
        "query": {"intent": "count", "slots": {"periods": [{"start": "2020-03", "end": "2020-03", "kind": "month"}]},
                  "program": {"op": "Select", "period": {"period": {"start": "2020-03", "end": "2020-03", "kind": "month"}}}},
        # every word accounted for
        "tokens": [{"word": "hoeveel", "account": "read: kw how_many"},
                   {"word": "terugkeerders", "account": "read: measure returns"},
                   {"word": "in", "account": "read: carries nothing"}, {"word": "maart", "account": "read: month 3"},
                   {"word": "2020", "account": "read: year 2020"}],
    }
    assert sorted(figure_pairs(march)) == [(1, [f"{S20}:43"]), (111, [f"{S20}:43"]), (112, [f"{S20}:43"])]
    assert "112" in march["text"] and "Bron: Fedasil/IOM/DVZ" in march["text"]
    # without context "en in april?" is not April 2020 (61, 2020.txt:45)
    assert april["status"] == "clarify" and april["figures"] == []   # which year? the latest April offered
    assert "april 2025" in april["text"] and "2020" not in april["text"]
    assert december["status"] == "no_data" and december["lang"] == "fr"
    assert deportations["status"] == "no_data" and deportations["figures"] == []  # understood, not in the figures
    # 2020.txt:107, :109, :111
    assert figure_pairs(top)[0] == (480, [f"{S20}:107"])
    assert [v for v, _ in figure_pairs(top) if v >= 1][:3] == [480, 134, 104]
    assert figure_pairs(y2016) == [(4267, [f"{S20}:76"])]  # 2020.txt:76 "2016: 4.267*"
    assert y2016["footnotes"] == ["dublin"]


def test_repl_keeps_context_for_a_follow_up():
    result = run_cli("repl", "--json", stdin="hoeveel terugkeerders in maart 2020\nen in april?\n")
    first, second = json_lines(result)
    assert second["query"]["slots"]["periods"] == [{"start": "2020-04", "end": "2020-04", "kind": "month"}]
    assert (61, [f"{S20}:45"]) in figure_pairs(second)  # 2020.txt:45 "April 61 0 61 185"


def _welcome_and_prompts():
    texts = []
    for lang in ("nl", "fr", "en"):
        with (LOCALES / lang / "cli.toml").open("rb") as fh:
            cli = tomllib.load(fh)
        texts.append(cli["prompt"].strip())
        texts.extend(line for line in cli["welcome"].splitlines() if line.strip())
    return texts


def test_repl_without_command_on_a_pipe_in_french():
    """`returnbot --lang fr` with a pipe: the REPL, in French, no prompt nor welcome, stops at exit."""
    stdin = "hoeveel terugkeerders in maart 2020\nen in april?\nexit\nhoeveel terugkeerders in 2016\n"
    result = run_cli("--lang", "fr", stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    first = out.splitlines()[0]
    assert "mars 2020" in first and "112" in first  # the answer comes first, no greeting
    assert "avril 2020" in out and "61" in out  # the follow-up, in context
    assert "Source\u00a0: Fedasil/OIM/Office des étrangers" in out and "Bron" not in out and "maart" not in out
    assert f"4{NNBSP}267" not in out  # nothing after "exit"
    for text in _welcome_and_prompts():
        assert text not in out


def test_lang_forces_french_on_a_dutch_question():
    result = run_cli("ask", "--lang", "fr", "--json", "hoeveel", "terugkeerders", "in", "maart", "2020")
    (reply,) = json_lines(result)
    assert reply["question"] == "hoeveel terugkeerders in maart 2020"
    assert reply["lang"] == "fr"
    assert "mars 2020" in reply["text"] and "Source\u00a0: " in reply["text"]
    assert "maart" not in reply["text"] and "Bron" not in reply["text"]


@pytest.mark.parametrize("today,value,source", [
    ("2025-11-22", 3267, f"{S25}:242"),  # 2025.txt:242 "2024: 3 267"
    ("2022-03-01", 1965, f"{S25}:248"),  # 2025.txt:248 "2021: 1 965"
])
def test_today_sets_last_year(today, value, source):
    result = run_cli("ask", "--json", "--today", today, "-", stdin="hoeveel terugkeerders vorig jaar\n")
    (reply,) = json_lines(result)
    assert reply["status"] == "ok"
    assert figure_pairs(reply)[0] == (value, [source])
    assert f"{value // 1000}.{value % 1000:03d}" in reply["text"]  # 3.267 / 1.965 in nl_BE


@pytest.mark.parametrize("args,option", [
    (("ask", "--lang", "de", "hoeveel in 2020"), "--lang"),
    (("ask", "--today", "2026-13-45", "hoeveel in 2020"), "--today"),
])
def test_bad_options_exit_2(args, option):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert option in result.stderr and "Traceback" not in result.stderr


def test_damaged_data_exits_2(data_copy):
    (data_copy / "observations.csv").unlink()
    result = run_cli("ask", "--data", str(data_copy), "hoeveel in 2020")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "observations.csv" in lines[0] and "'file-present'" in lines[0]


def test_console_script_matches_python_m_bot():
    script = Path(sys.executable).parent / "returnbot"
    if not script.exists():
        pytest.skip("console script not installed")
    direct = subprocess.run([str(script), "ask", "how many returns in 2016"], capture_output=True, text=True,
                            timeout=60, cwd="/")
    via_module = run_cli("ask", "how many returns in 2016")
    assert direct.returncode == via_module.returncode == 0
    assert direct.stdout == via_module.stdout
    assert "4,267" in direct.stdout  # 2020.txt:76


PROBE = """
import runpy, sys
sys.argv = ["returnbot", "ask", "hoeveel in 2020"]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code
heavy = ("telegram", "bot.telegram", "matplotlib", "psycopg", "bot.charts.drawing", "pandas", "tornado", "selenium",
         "bot.web", "bot.export")
loaded = sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + "." for h in heavy)))
print("PROBE", code, "intents.pipeline" in sys.modules, loaded, file=sys.stderr)
"""


def test_ask_does_not_import_telegram_matplotlib_psycopg_pandas_or_the_web():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, cwd="/")
    probe = [line for line in result.stderr.splitlines() if line.startswith("PROBE")]
    assert probe, result.stderr
    # the probe ran the real `ask` (exit 0, pipeline loaded) and saw none of them
    assert probe[0] == "PROBE 0 True []"
    assert "1.847" in result.stdout  # 2020.txt:63 "totaal 1.827 20 1.847*"


# ---- charts ------------------------------------------------------------------------------------

def test_chart_option_writes_the_chart_or_says_there_is_none(tmp_path):
    target = tmp_path / "out.png"
    result = run_cli("ask", "--chart", str(target), "evolutie sinds 2007")
    assert result.returncode == 0 and result.stderr == f"grafiek geschreven naar {target}\n"
    assert "2012: 5.656" in result.stdout   # 2020.txt: the yearly table
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    other = tmp_path / "none.png"
    result = run_cli("ask", "--chart", str(other), "how many returns in March 2020")
    assert result.returncode == 0 and result.stderr == "this answer has no chart\n" and not other.exists()
    result = run_cli("ask", "--chart", str(tmp_path / "missing" / "x.png"), "top 5 pays 2020")
    assert result.returncode == 2 and result.stderr.startswith("returnbot: cannot write ")
    assert "Traceback" not in result.stderr


def test_chart_option_needs_one_question_and_works_in_the_repl(tmp_path):
    result = run_cli("ask", "--chart", str(tmp_path / "x.png"), "-", stdin="trend since 2007\n")
    assert result.returncode == 2 and "--chart takes one question" in result.stderr
    target = tmp_path / "repl.png"
    result = run_cli("repl", "--chart", str(target), stdin="per maand 2020\nen in 2019?\n")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"grafiek geschreven naar {target}"] * 2
    assert target.exists()


# ---- the REPL ----------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["exit", "exit.", "quitter", "Stoppen", "quit!", "au revoir"])
def test_repl_leaves_on_exit_words_of_every_language(word):
    result = run_cli(stdin=f"how many returns in 2016\n{word}\nhow many returns in 2015\n")
    assert result.returncode == 0
    assert "4,267" in result.stdout and "2015" not in result.stdout   # 2020.txt:76


def test_repl_answers_a_greeting_that_is_also_a_farewell():
    """"dag" greets as often as it leaves: it is answered, and the conversation goes on."""
    result = run_cli("repl", "--json", stdin="dag\nhoeveel keerden er terug in maart 2020\nen de maand erna?\n")
    assert result.returncode == 0
    greeting, march, april = json_lines(result)
    assert (61, [f"{S20}:45"]) in figure_pairs(april)  # 2020.txt:45 "April 61 0 61 185"


class _Terminal:
    """The REPL (`python -m bot ARGS`) at a (pseudo-)terminal `columns` wide; `out` holds what it
    printed so far."""

    def __init__(self, env: dict[str, str], *args: str, columns: int = 60):
        import fcntl
        import os
        import pty
        import struct
        import termios
        import time

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        # As a user's shell starts it: Ctrl-C not ignored, even when the test runner runs in the
        # background (a shell's `&` ignores SIGINT, and a child would inherit that).
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=slave, stdout=slave, stderr=slave,
                                     cwd="/", env={**os.environ, "TERM": "dumb", **env}, close_fds=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        os.close(slave)
        self.out = b""
        self.deadline = time.monotonic() + 60

    def read_until(self, marker: bytes) -> bool:
        import os
        import select
        import time

        while marker not in self.out and time.monotonic() < self.deadline:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    break
        return marker in self.out

    def resize(self, columns: int) -> None:
        """The window made `columns` wide, as a terminal emulator does (the REPL gets SIGWINCH)."""
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))

    def type(self, line: str) -> None:
        import os

        os.write(self.master, line.encode() + b"\n")

    def close(self) -> None:
        import os

        if self.proc.poll() is None:
            self.proc.kill()
        os.close(self.master)


def _terminal_session(lines: list[str], env: dict[str, str], columns: int = 60) -> str:
    """The REPL at a terminal `columns` wide, answering `lines` at its prompts: what it printed."""
    terminal = _Terminal(env, columns=columns)
    try:
        for line in lines:
            terminal.read_until(b"> ")
            terminal.out = terminal.out.replace(b"> ", b">\x00", 1)   # this prompt is answered
            terminal.type(line)
        terminal.read_until(b"\x00never")
        terminal.proc.wait(30)
    finally:
        terminal.close()
    return terminal.out.replace(b"\x00", b" ").decode(errors="replace").replace("\r\n", "\n")


def test_repl_at_a_terminal_greets_in_lang_wraps_and_keeps_history(tmp_path):
    env = {"LANG": "nl_BE.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "RETURNBOT_STATE": str(tmp_path),
           "RETURNBOT_CACHE": str(tmp_path / "cache")}
    shown = _terminal_session(["hoeveel terugkeerders in maart 2020", "stoppen"], env)
    welcome = tomllib.loads((LOCALES / "nl" / "cli.toml").read_text())["welcome"].strip()
    # The greeting is wrapped at the terminal's width too, between words.
    greeting = shown.split("vraag>", 1)[0]
    assert " ".join(welcome.splitlines()[0].split()) in " ".join(greeting.split()) and "vraag>" in shown
    assert all(len(line) <= 59 for line in greeting.splitlines()), greeting
    # It says up to when the figures reach, made from the data (the release of 3 February 2026).
    assert "december 2025" in greeting and "3 februari 2026" in " ".join(greeting.split()), greeting
    answer = shown.split("maart 2020\n", 1)[1]
    lines = [line for line in answer.splitlines() if line.strip() and "vraag>" not in line]
    # A word longer than the line (a link) stands alone on its line, whole.
    assert lines and all(len(line) <= 59 or " " not in line.strip() for line in lines), lines
    # Wrapped between words only: the same words as the answer, none cut.
    from intents.pipeline import Pipeline

    expected = Pipeline.load().ask("hoeveel terugkeerders in maart 2020").text
    assert answer.split()[:-2] == expected.split() and "112" in expected   # 2020.txt:43
    assert (tmp_path / "history").read_text().splitlines()[-2:] == ["hoeveel terugkeerders in maart 2020", "stoppen"]
    # The next run finds it: the history file is read back, and grows.
    _terminal_session(["en in april?", "exit."], env)
    assert (tmp_path / "history").read_text().splitlines()[-4:] == [
        "hoeveel terugkeerders in maart 2020", "stoppen", "en in april?", "exit."]


# ---- the lexicon cache -------------------------------------------------------------------------

class _Planted:
    """A pickle that runs a command when it is loaded, as an attacker would plant it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_planted_in_the_lexicon_cache_is_not_run_by_returnbot_ask(tmp_path):
    import pickle

    env = {"RETURNBOT_CACHE": str(tmp_path / "cache"), "RETURNBOT_STATE": str(tmp_path / "state")}
    question = "hoeveel terugkeerders in maart 2020"
    first = run_cli("ask", question, env=env)
    assert first.returncode == 0 and first.stderr == ""
    (cache,) = (tmp_path / "cache").glob("lexicon-*")
    # The key that signs it lives in the state directory, never beside the cache.
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["lexicon-cache.key"]
    marker = tmp_path / "ran"
    cache.write_bytes(pickle.dumps(_Planted(marker)))
    result = run_cli("ask", question, env=env)
    assert not marker.exists()
    assert (result.returncode, result.stdout) == (0, first.stdout)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "lexicon cache" in lines[0] and "Traceback" not in result.stderr, result.stderr
    again = run_cli("ask", question, env=env)   # rebuilt: the next run reads it, quietly
    assert (again.stdout, again.stderr) == (first.stdout, "")


def test_an_unreadable_foreign_or_tampered_lexicon_cache_is_ignored_and_rebuilt(tmp_path, monkeypatch, caplog):
    import logging
    import pickle

    from intents import entities

    monkeypatch.setenv("RETURNBOT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RETURNBOT_STATE", str(tmp_path / "state"))
    built = entities.load_lexicon()
    (cache,) = (tmp_path / "cache").glob("lexicon-*")
    good = cache.read_bytes()
    tampered = bytearray(good)
    tampered[len(good) // 2] ^= 1
    marker = tmp_path / "ran"
    for bad in (b"\x80\x09 not a pickle of this protocol", b"", bytes(tampered), good[:len(good) // 2],
                good[:len(entities.CACHE_MAGIC) + entities.CACHE_SIGNATURE_BYTES] + pickle.dumps(_Planted(marker))):
        cache.write_bytes(bad)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="returnbot.cache"):
            assert entities.load_lexicon().forms == built.forms
        assert [r.getMessage() for r in caplog.records] == [
            f"the lexicon cache {cache} is unreadable, damaged or not ours: ignored, and built again"]
        assert cache.read_bytes() == good and not marker.exists()   # written anew
    # Another key (another state directory's) has a file of its own; ours copied there is foreign.
    (key,) = (tmp_path / "state").iterdir()
    key.write_bytes(b"k" * len(key.read_bytes()))
    caplog.clear()
    entities.load_lexicon()
    mine, other = sorted((tmp_path / "cache").glob("lexicon-*"), key=lambda p: p.stat().st_mtime)
    other.write_bytes(mine.read_bytes())
    with caplog.at_level(logging.WARNING, logger="returnbot.cache"):
        entities.load_lexicon()
    assert len(caplog.records) == 1


# ---- a closed or full stdout, Ctrl-C during an answer -------------------------------------------

@pytest.mark.parametrize("how", ["closed", "full"])
def test_a_closed_or_full_stdout_ends_the_output_quietly(how):
    import os

    command = [sys.executable, "-m", "bot", "ask", "-"]
    stdin = "how many returns in 2016\n" * 50
    if how == "closed":
        result = subprocess.run(command, input=stdin, stdout=None, stderr=subprocess.PIPE, text=True, timeout=60,
                                cwd="/", preexec_fn=lambda: os.close(1))
    else:
        with open("/dev/full", "w") as full:
            result = subprocess.run(command, input=stdin, stdout=full, stderr=subprocess.PIPE, text=True,
                                    timeout=60, cwd="/")
    assert (result.returncode, result.stderr) == (0, "")


def test_ctrl_c_while_a_chart_is_drawn_cancels_that_answer_only(tmp_path):
    import signal

    chart = tmp_path / "out.png"
    # A matplotlib configuration directory of its own: its font cache is built at the first
    # chart (seconds), so that the signal surely falls in the drawing, however loaded the machine.
    terminal = _Terminal({"LANG": "en_GB.UTF-8", "LC_ALL": "", "RETURNBOT_STATE": str(tmp_path),
                          "MPLCONFIGDIR": str(tmp_path / "mpl"),
                          "RETURNBOT_CACHE": str(tmp_path / "cache")}, "--chart", str(chart), columns=80)
    try:
        assert terminal.read_until(b"> ")
        terminal.type("trend since 2007")
        assert terminal.read_until(b"Source")   # the text is out ("Source:" or "Sources:"); the chart (matplotlib's first import) is being drawn
        terminal.proc.send_signal(signal.SIGINT)
        terminal.type("how many returns in march 2020")
        assert terminal.read_until(b"In March 2020, 112"), terminal.out.decode(errors="replace")   # 2020.txt:43
        terminal.type("exit")
        assert terminal.proc.wait(30) == 0
    finally:
        terminal.close()
    out = terminal.out.decode(errors="replace")
    assert "chart written" not in out, out
    assert not chart.exists(), out


def test_repl_wraps_at_the_terminals_width_after_a_resize(tmp_path):
    env = {"LANG": "en_GB.UTF-8", "LC_ALL": "", "COLUMNS": "200", "RETURNBOT_STATE": str(tmp_path),
           "RETURNBOT_CACHE": str(tmp_path / "cache")}
    terminal = _Terminal(env, columns=100)
    try:
        answers = []
        for columns in (100, 40):
            terminal.resize(columns)
            terminal.read_until(b"> ")
            start = len(terminal.out)
            terminal.out = terminal.out.replace(b"> ", b">\x00", 1)
            terminal.type("how many returns in March 2020")
            terminal.read_until(b"Source")
            terminal.read_until(b"> ")
            answers.append(terminal.out[start:].decode(errors="replace").replace("\r\n", "\n"))
        terminal.type("exit")
        terminal.proc.wait(30)
    finally:
        terminal.close()
    for columns, shown in zip((100, 40), answers):
        lines = [line for line in shown.split("March 2020\n", 1)[1].splitlines() if line.strip() and "> " not in line]
        # each line within the window as it is now ($COLUMNS is stale), a link alone on its line
        assert lines and all(len(line) < columns or " " not in line.strip() for line in lines), (columns, lines)
        assert max(len(line) for line in lines if " " in line.strip()) > columns * 0.6, (columns, lines)
    assert "112" in answers[0] and "112" in answers[1]   # 2020.txt:43

