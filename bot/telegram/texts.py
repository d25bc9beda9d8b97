"""The Telegram bot's own texts (bot/locales/<lang>/telegram.toml: welcome, command menus,
the /lang keyboard, errors), checked at start, and the commands the bot answers to."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from bot.texts import LOCALES, check_keys, load_texts
from intents.models import LANGS
from telegram import BotCommand

# Each command with the names it answers to; the menus in telegram.toml pick among these.
COMMANDS = {
    "start": ("start",),
    "help": ("help", "hulp", "aide"),
    "sources": ("sources", "source", "bron"),
    "glossary": ("glossary", "glossaire", "woordenlijst"),
    "lang": ("lang", "taal", "langue"),
}
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class Texts:
    """telegram.toml, checked at start: the same keys in every language, menus that name
    only commands the bot answers to."""

    def __init__(self, locales: Path = LOCALES):
        self.t: dict[str, dict[str, Any]] = load_texts("telegram", locales=locales)
        self._check("telegram.toml")

    def _check(self, name: str) -> None:
        check_keys(self.t, name, skip=("commands",))
        known = {alias for aliases in COMMANDS.values() for alias in aliases}
        for lang, texts in self.t.items():
            if set(texts["names"]) != {*LANGS, "auto"} or len(texts["examples"]) != 3:
                raise ValueError(f"{name}: [{lang}] needs names for {LANGS} and auto, and three examples")
            for command, description in texts["commands"].items():
                if command not in known or not COMMAND_NAME.fullmatch(command) or not 1 <= len(description) <= 256:
                    raise ValueError(f"{name}: [{lang}.commands] {command!r} is not a command the bot answers")

    def get(self, lang: str, key: str, **fields: str) -> str:
        return self.t[lang][key].format(**fields)

    def welcome(self, lang: str, username: str, reach: str = "") -> str:
        """`reach`: up to when the figures reach (Pipeline.reach), never written in the text."""
        t = self.t[lang]
        examples = "\n".join(t["example"].format(question=html.escape(q)) for q in t["examples"])
        return t["welcome"].format(examples=examples, follow_up=html.escape(t["follow_up"]),
                                   bot=html.escape("@" + username), reach=html.escape(reach))

    def commands(self, lang: str) -> list[BotCommand]:
        return [BotCommand(name, description) for name, description in self.t[lang]["commands"].items()]
