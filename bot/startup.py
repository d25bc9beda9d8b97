"""Loading the data at start, as every command does it: a damaged data directory is one
line on stderr (the file, the row, the rule) and exit status 2, never a traceback."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from intents.data import DataError

Loaded = TypeVar("Loaded")


def load_or_report(load: Callable[[str | None], Loaded], directory: str | None) -> Loaded | None:
    """`load(directory)`, or None once the error is on stderr (the caller returns 2)."""
    try:
        return load(directory)
    except DataError as exc:
        print(f"returnbot: {exc}", file=sys.stderr)
        return None
