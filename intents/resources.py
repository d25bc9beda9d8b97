"""Where the per-language data files live, and how they are read."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent / "locales"


def load_toml(lang: str, name: str) -> dict[str, Any]:
    with (LOCALE_DIR / lang / name).open("rb") as fh:
        return tomllib.load(fh)
