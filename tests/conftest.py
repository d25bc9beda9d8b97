import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intents.data import bundled
from intents.pipeline import Pipeline

# Fixtures of tests/support/ that several test modules use, registered here for all of them.
from postgres_server import own_postgres, postgres_url  # noqa: F401
from telegram_fixtures import polling, webhook  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline.load()


@pytest.fixture
def ask(pipeline):
    """Ask one question (no context) with the fixed reference date."""
    def _ask(question, **kw):
        kw.setdefault("today", TODAY)
        return pipeline.ask(question, **kw)
    return _ask


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the bundled data that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(bundled(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


def run_cli(*args, stdin=None, env=None, timeout=60):
    """Run `python -m bot ...` as a user would, from a neutral directory."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd="/")
