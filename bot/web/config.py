"""The web process's settings, read from the environment and checked before anything
starts: a bad value stops it with one line that names the variable, never its value.

Standard library only, like the Telegram bot's (bot/telegram/config.py), whose rules it shares
(bot/env.py: the port, the address).
"""
from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Mapping

from bot.env import DEFAULT_PORT, ConfigError, port_number, valid_host

DEFAULT_RATE = 60            # questions per minute per client address
MAX_RATE = 100_000
MIN_KEY_CHARS = 32           # app.json's generator makes 64 hexadecimal characters
MAX_PROXIES = 5
KEY_MADE = ("SECRET_KEY is not set: the page's follow-up links are signed with a key made at start, and stop working "
            "when the process restarts (set SECRET_KEY, the same for every process of the site)")
NUMBER = re.compile(r"[0-9]{1,6}")   # ASCII digits only: int() also reads '²' and Arabic-Indic digits


@dataclasses.dataclass(frozen=True)
class WebConfig:
    secret_key: str = dataclasses.field(repr=False)
    # Made at start because SECRET_KEY is not set: a conversation's link dies with the process.
    key_made: bool = False
    rate: int = DEFAULT_RATE     # questions per minute per client address; 0: no limit
    proxies: int = 0             # proxies in front that append the client's address to X-Forwarded-For
    port: int = DEFAULT_PORT
    listen: str = "0.0.0.0"

    @property
    def secrets(self) -> tuple[str, ...]:
        """What the logs must never show."""
        return (self.secret_key,)


def webhook_configured(env: Mapping[str, str]) -> bool:
    """Whether the web process also runs the Telegram bot by webhook: WEBHOOK_URL is set (a
    missing secret is then refused by bot/telegram/config.py). A secret alone is no such wish: app.json
    generates one for every deploy, including those whose bot runs by polling in the worker."""
    return bool(env.get("WEBHOOK_URL", "").strip())


def _count(env: Mapping[str, str], name: str, default: int, top: int, meaning: str) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not NUMBER.fullmatch(text) or int(text) > top:
        raise ConfigError(f"{name} must be {meaning}, a whole number from 0 to {top:,}")
    return int(text)


def read_web_config(env: Mapping[str, str]) -> WebConfig:
    key = env.get("SECRET_KEY", "").strip()
    made = not key
    if made:
        key = secrets.token_urlsafe(48)
    elif len(key) < MIN_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise ConfigError(f"SECRET_KEY must be at least {MIN_KEY_CHARS} printable ASCII characters, e.g. from: "
                          "python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    rate = _count(env, "WEB_RATE_LIMIT", DEFAULT_RATE, MAX_RATE,
                  "the questions allowed per minute per client (0: no limit)")
    proxies = _count(env, "WEB_TRUSTED_PROXIES", 0, MAX_PROXIES,
                     "the number of proxies in front of the process that add to X-Forwarded-For (Heroku: 1)")
    port = port_number(env.get("PORT", "").strip() or str(DEFAULT_PORT))
    listen = env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0"
    if not valid_host(listen):
        raise ConfigError("WEBHOOK_LISTEN must be an IP address (e.g. 0.0.0.0 or ::) or a host name of this machine")
    return WebConfig(key, made, rate, proxies, port, listen)
