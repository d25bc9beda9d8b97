"""The Telegram bot's log lines: the secrets blanked (bot/logs.py), a rejected token or an
unreachable Bot API in one line, and never an update's body (it holds a user's question)."""
from __future__ import annotations

import logging
import sys

from telegram.error import InvalidToken, NetworkError

from bot.logs import RedactingFormatter
from bot.telegram.config import Config
from telegram import TelegramObject, Update


class _ShortTelegramErrors(logging.Filter):
    """A rejected token or an unreachable Bot API is not a bug: one line says it all, where
    PTB logs a traceback (and, for the token, `main` says what to do)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, (InvalidToken, NetworkError)):
            record.msg, record.args = f"{record.getMessage()} ({type(exc).__name__}: {exc})", None
            record.exc_info, record.exc_text = None, None
        return True


class _NoUpdateBodies(logging.Filter):
    """PTB puts whole updates in some of its messages ("Error while building CallbackContext
    for update %s"), and an update holds the user's question: such an argument is logged as
    its update id or its size only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, (TelegramObject, dict, bytes, bytearray))
                                                  for a in record.args):
            record.args = tuple(_short(a) for a in record.args)
        return True


def _short(arg: object) -> object:
    if isinstance(arg, Update):
        return f"<update {arg.update_id}>"
    if isinstance(arg, TelegramObject):
        return f"<{type(arg).__name__}>"
    if isinstance(arg, (dict, bytes, bytearray)):
        return f"<{type(arg).__name__} of {len(arg)}>"
    return arg


def setup_logging(config: Config) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(config.secrets))
    handler.addFilter(_ShortTelegramErrors())
    handler.addFilter(_NoUpdateBodies())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # These log request URLs (which hold the token) or every request, at INFO and DEBUG.
    for name in ("httpx", "httpcore", "telegram", "tornado"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
