"""The Telegram bot's settings, read from the environment and checked before anything
else happens: a bad value stops the bot before the Bot API is contacted, with one line
that names the variable and never shows its value (a token or a secret may sit in it).

Standard library only (and bot/env.py, the rules the web page's settings share):
`returnbot ask` never imports this, and `telegram --polling` should not pay for the
webhook's server either.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

from bot.env import DEFAULT_PORT, ConfigError, port_number, valid_host

DEFAULT_MAX_RATE = 30.0      # messages per second, Telegram's limit for one bot
DEFAULT_PATH = "telegram"
WEBHOOK_PORTS = (443, 80, 88, 8443)   # the only ports Telegram posts webhooks to

TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,256}")   # Telegram allows 1-256 of these; 16+ to be a secret
PATH_SHAPE = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
# host[:port] or [IPv6]:port, no user name; ASCII digits in the port (urlsplit reads Arabic-Indic ones)
NETLOC_SHAPE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:@/]+)(:[0-9]{1,5})?")


@dataclasses.dataclass(frozen=True)
class Config:
    token: str
    api_url: str | None = None
    max_rate: float = DEFAULT_MAX_RATE
    listen: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    webhook_url: str = ""
    secret: str = ""
    path: str = DEFAULT_PATH   # the path served, the same as the path of webhook_url
    extra_secrets: tuple[str, ...] = ()   # e.g. the password in DATABASE_URL

    @property
    def secrets(self) -> tuple[str, ...]:
        """What logs must never show: the token, its secret half, the webhook secret."""
        return tuple(s for s in (self.token, self.token.partition(":")[2], self.secret, *self.extra_secrets) if s)


def _url(name: str, value: str, schemes: tuple[str, ...], example: str) -> SplitResult:
    """`value` split, if it is a URL with one of `schemes`, a well-formed host and port, and no
    user name, query or fragment."""
    problem = ConfigError(f"{name} must be a {' or '.join(schemes)} URL such as {example}")
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port   # both raise ValueError on a bad bracket or port
    except ValueError:
        raise problem from None
    if (parts.scheme not in schemes or not NETLOC_SHAPE.fullmatch(parts.netloc) or not host
            or not valid_host(host) or parts.query or parts.fragment or port == 0):
        raise problem
    return parts


def _api_url(value: str) -> str:
    """PTB appends the token to the base URL, so it has to end in /bot ({token} placeholders
    are PTB's own and left as they are)."""
    _url("TELEGRAM_API_URL", value.replace("{token}", "token"), ("http", "https"), "http://127.0.0.1:8081/bot")
    if "{token}" in value:
        return value
    value = value.rstrip("/")
    return value if value.endswith("/bot") else value + "/bot"


def read_config(mode: str, env: Mapping[str, str]) -> Config:
    token = env.get("TELEGRAM_TOKEN", "").strip()
    if not token:
        raise ConfigError("TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token in TELEGRAM_TOKEN")
    if not TOKEN_SHAPE.fullmatch(token):
        raise ConfigError("TELEGRAM_TOKEN does not look like a bot token (digits, a colon, then letters, "
                          "digits, - and _): copy it again from @BotFather")
    api = env.get("TELEGRAM_API_URL", "").strip()
    rate_text = env.get("TELEGRAM_MAX_RATE", "").strip() or str(DEFAULT_MAX_RATE)
    try:
        max_rate = float(rate_text) if rate_text.isascii() else -1.0
    except ValueError:
        max_rate = -1.0
    if not 0 <= max_rate < float("inf"):
        raise ConfigError("TELEGRAM_MAX_RATE must be a number of messages per second (0: no limit)")
    config = Config(token=token, api_url=_api_url(api) if api else None, max_rate=max_rate)
    if mode != "webhook":
        return config

    secret = env.get("WEBHOOK_SECRET", "").strip()
    if not secret:
        raise ConfigError("WEBHOOK_SECRET is not set: webhook mode needs one (16-256 letters, digits, - and _), "
                          "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not SECRET_SHAPE.fullmatch(secret):
        raise ConfigError("WEBHOOK_SECRET must be 16-256 characters among letters, digits, - and _")
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        raise ConfigError("WEBHOOK_URL is not set: webhook mode needs the bot's public https URL")
    parts = _url("WEBHOOK_URL", url, ("https",), "https://my-app.example.com (Telegram posts to https only)")
    if parts.port is not None and parts.port not in WEBHOOK_PORTS:
        ports = ", ".join(map(str, WEBHOOK_PORTS))
        raise ConfigError(f"WEBHOOK_URL must use one of the ports Telegram posts to: {ports}")
    base = parts.path.strip("/")
    if base and not PATH_SHAPE.fullmatch(base):
        raise ConfigError("WEBHOOK_URL's path must be letters, digits and . _ ~ - /")
    own = env.get("WEBHOOK_PATH", "").strip().strip("/") or DEFAULT_PATH
    if not PATH_SHAPE.fullmatch(own):
        raise ConfigError("WEBHOOK_PATH must be a URL path of letters, digits and . _ ~ - /")
    # The bot serves the whole path Telegram posts to, WEBHOOK_URL's own path included: a
    # router that forwards https://host/base/telegram as it is reaches the bot unchanged.
    path = f"{base}/{own}" if base else own
    port = port_number(env.get("PORT", "").strip() or str(DEFAULT_PORT))
    listen = env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0"
    if not valid_host(listen):
        raise ConfigError("WEBHOOK_LISTEN must be an IP address (e.g. 0.0.0.0 or ::) or a host name of this machine")
    return dataclasses.replace(config, secret=secret, webhook_url=f"https://{parts.netloc}/{path}", path=path,
                               port=port, listen=listen)
