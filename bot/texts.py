"""The front ends' own texts, one loader for all: bot/locales/<lang>/<name>.toml, a file per
front end and language, laid out as the pipeline's intents/locales/<lang>/ are. Each
front end checks its texts at start: every language has the keys English has."""
from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from intents.models import LANGS

LOCALES = Path(__file__).with_name("locales")
REFERENCE = "en"   # the language whose keys every other one must have


def load_texts(name: str, langs: Iterable[str] = LANGS, locales: Path = LOCALES) -> dict[str, dict[str, Any]]:
    """`name`'s texts in each of `langs`, by language."""
    texts = {}
    for lang in langs:
        with (locales / lang / f"{name}.toml").open("rb") as fh:
            texts[lang] = tomllib.load(fh)
    return texts


def check_keys(texts: dict[str, dict[str, Any]], name: str, skip: Iterable[str] = (),
               nested: Iterable[str] = ()) -> None:
    """ValueError unless every language has English's keys, each of the same type (those in
    `skip` may differ), and the same keys inside the tables named in `nested`."""
    skip, nested = set(skip), tuple(nested)

    def shape(table: dict[str, Any]) -> tuple[dict[str, type], list[set[str]]]:
        return ({k: type(v) for k, v in table.items() if k not in skip},
                [set(table[k]) if isinstance(table.get(k), dict) else set() for k in nested])

    reference = shape(texts[REFERENCE])
    for lang, table in texts.items():
        if shape(table) != reference:
            raise ValueError(f"{name}: [{lang}] has other keys than [{REFERENCE}]")
