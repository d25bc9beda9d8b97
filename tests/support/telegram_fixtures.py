"""Fixtures for tests/telegram/test_telegram.py and scripts/load_webhook.py: a fake token, the Bot
API stand-in, and the real bot processes (`python -m bot telegram ...`) run against it."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from botapi_standin import BotAPIStandIn, Updates

# Built from pieces so that no token-shaped string sits in the repository.
TOKEN = "".join(["1234", "56789", ":", "AAFake", "TokenForTestsOnly_", "abcdefghijklmn"])
OTHER_TOKEN = "".join(["9876", "54321", ":", "AAOther", "TokenForTestsOnly_", "abcdefghijklm"])
SECRET = "-".join(["webhook", "secret", "for", "tests", "0123456789"])
USERNAME = "returnbot_test_bot"
ROOT = Path(__file__).resolve().parents[2]
BOT_ENV = ("TELEGRAM_", "WEBHOOK_", "PORT", "RETURNBOT_")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(**extra: str) -> dict[str, str]:
    """The test's environment without any bot setting of the machine's own, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(BOT_ENV)}
    env.update(extra)
    return env


class BotProcess:
    """`python -m bot telegram --MODE` with its output in a file; killed if still running at close."""

    def __init__(self, mode: str, log_dir: Path, env: dict[str, str], data: Path | None = None,
                 command: list[str] | None = None):
        self.log_path = log_dir / f"bot-{mode}-{time.monotonic_ns()}.log"
        # The SQLite memory of the test's own: a restart in the same log_dir finds it again. The
        # lexicon cache is signed with a key of the state directory, so it goes beside it rather
        # than into the user's cache directory, where each test's key would leave a file.
        env = {"RETURNBOT_STATE": str(log_dir / "state"), "RETURNBOT_CACHE": str(log_dir / "cache"), **env}
        args = command or [sys.executable, "-m", "bot", "telegram", f"--{mode}"]
        args = args + (["--data", str(data)] if data else [])
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(args, cwd="/", env=env, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout)

    def stop(self, timeout: float = 10.0) -> tuple[int, float]:
        """SIGTERM, as the platform sends it; (exit status, seconds it took)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout)
        return status, time.monotonic() - start

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def assert_no_secrets(self, *others: str) -> None:
        """No secret in the log, in any case, nor URL-encoded."""
        text = self.log().lower()
        for secret in (TOKEN, TOKEN.partition(":")[2], OTHER_TOKEN, OTHER_TOKEN.partition(":")[2], SECRET, *others):
            for form in (secret, quote(secret, safe="")):
                assert form.lower() not in text, f"a secret is in the log {self.log_path}"


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port} after {timeout}s") from None
            time.sleep(0.05)


def post(port: int, payload: bytes | dict, secret: str | None = SECRET, path: str = "/telegram",
         content_type: str = "application/json", conn: http.client.HTTPConnection | None = None) -> int:
    """POSTs to the bot's webhook as Telegram does; the HTTP status."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        if own:
            conn.close()


class Running:
    """A bot process with its stand-in and an update factory."""

    def __init__(self, api: BotAPIStandIn, bot: BotProcess, port: int | None = None):
        self.api, self.bot, self.port = api, bot, port
        self.updates = Updates(start=1000)

    def push(self, message: dict, edited: bool = False) -> dict:
        self.api.push(self.updates.update(message, edited=edited))
        return message


def start_polling(api: BotAPIStandIn, log_dir: Path, data: Path | None = None, command: list[str] | None = None,
                  **env: str) -> BotProcess:
    bot = BotProcess("polling", log_dir, bot_env(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url, **env), data,
                     command)
    try:
        api.wait_for(lambda: api.calls_to("getUpdates") or bot.proc.poll() is not None, 20, "the first getUpdates")
    except AssertionError:
        bot.close()
        raise
    assert bot.proc.poll() is None, bot.log()
    return bot


def start_webhook(api: BotAPIStandIn, log_dir: Path, port: int, command: list[str] | None = None,
                  **env: str) -> BotProcess:
    bot = BotProcess("webhook", log_dir, bot_env(**{
        "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url, "PORT": str(port),
        "WEBHOOK_URL": "https://bot.example.test", "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1", **env}),
        command=command)
    try:
        api.wait_for(lambda: api.calls_to("setWebhook") or bot.proc.poll() is not None, 20, "setWebhook")
        assert bot.proc.poll() is None, bot.log()
        wait_port(port)
    except AssertionError:
        bot.close()
        raise
    return bot


@pytest.fixture(scope="module")
def polling(tmp_path_factory):
    """One polling bot for the module's chat tests; each test uses chats of its own."""
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path_factory.mktemp("polling"))
        try:
            yield Running(api, bot)
        finally:
            bot.close()
            bot.assert_no_secrets()
            assert api.unknown == [], f"the bot called methods the stand-in does not know: {api.unknown}"


@pytest.fixture(scope="module")
def webhook(tmp_path_factory):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        # The rate limiter stays in the path, set above what the load test sends.
        bot = start_webhook(api, tmp_path_factory.mktemp("webhook"), port, TELEGRAM_MAX_RATE="1000")
        try:
            yield Running(api, bot, port)
        finally:
            bot.close()
            bot.assert_no_secrets()
            assert api.unknown == [], f"the bot called methods the stand-in does not know: {api.unknown}"
