"""The page's own texts (bot/locales/<lang>/web.toml) and the reader's language from the
browser's Accept-Language header."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.texts import LOCALES, check_keys, load_texts
from intents.models import LANGS

MAX_RANGES = 20              # language ranges read from one Accept-Language header


class PageTexts:
    """web.toml, checked at start: the same keys, of the same types, in every language."""

    def __init__(self, locales: Path = LOCALES):
        self.t: dict[str, dict[str, Any]] = load_texts("web", locales=locales)
        check_keys(self.t, "web.toml")

    def __getitem__(self, lang: str) -> dict[str, Any]:
        return self.t[lang]


def browser_lang(header: str | None) -> str | None:
    """The first of nl, fr, en the reader's browser prefers (by q-value, then by order), None
    if it names none of them. "nl-BE;q=0.8, fr" gives fr; "*" alone names none."""
    ranges = []
    for n, item in enumerate((header or "").split(",")[:MAX_RANGES]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().partition("-")[0]
        if primary in LANGS and 0 < quality <= 1:
            ranges.append((-quality, n, primary))
    return min(ranges)[2] if ranges else None
