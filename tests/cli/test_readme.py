"""Runs the README's example sessions and checks their output, as a reader would."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```\n(\$ [^\n]*returnbot[^\n]*)\n(.*?)```", re.S)


def _examples():
    return [pytest.param(cmd[2:], out, id=cmd[2:60]) for cmd, out in BLOCK.findall(README.read_text(encoding="utf-8"))]


def test_readme_has_examples_in_three_languages():
    commands = " ".join(cmd for cmd, _ in (p.values for p in _examples()))
    assert "maart" in commands and "combien" in commands and "nationalities" in commands


@pytest.mark.parametrize("command,expected", _examples())
def test_readme_example(command, expected):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip() == expected.rstrip()
