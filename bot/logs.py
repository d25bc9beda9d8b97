"""Log lines safe to keep: the secrets blanked (in any case, URL-encoded too) and every line
cut to MAX_LOG_LINE characters. Used by every long-running process (the Telegram bot, the
web page)."""
from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

MAX_LOG_LINE = 500           # characters


class RedactingFormatter(logging.Formatter):
    """Blanks the secrets in the whole formatted record, traceback included: PTB puts the
    token in request URLs and in the message of InvalidToken. Cuts every line to MAX_LOG_LINE
    characters, so that no message (a library's echo of what it was sent) can grow the log
    by more than that."""

    def __init__(self, secrets: tuple[str, ...]):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        # In any case and URL-encoded too: a server may echo a request URL in lower case, with
        # the token's colon as %3A. The longest first, so that no part of one is left over.
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""), quote_plus(secret))}
        self.pattern = re.compile("|".join(map(re.escape, sorted(forms, key=len, reverse=True))), re.IGNORECASE) \
            if forms else None

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self.pattern:
            text = self.pattern.sub("[redacted]", text)
        return "\n".join(line if len(line) <= MAX_LOG_LINE else line[:MAX_LOG_LINE] + " [cut]"
                         for line in text.split("\n"))
