"""The Telegram bot's configuration (bot/telegram/config.py): every bad value stops the bot at
once, before the Bot API is contacted, with exit status 2 and one line that names the
variable and never shows its value."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.env import ConfigError, valid_host
from bot.telegram.config import read_config
from botapi_standin import BotAPIStandIn
from telegram_fixtures import SECRET, TOKEN, USERNAME, bot_env, free_port

GOOD = {"TELEGRAM_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET, "WEBHOOK_URL": "https://bot.example.test", "PORT": "5000"}

# (variable changed, value): each must be refused, naming the variable.
BAD = [
    ("WEBHOOK_URL", "http://bot.example.test"),            # Telegram posts to https only
    ("WEBHOOK_URL", "https://bot example.test"),
    ("WEBHOOK_URL", "https://[::1"),
    ("WEBHOOK_URL", "https://[::1]x"),
    ("WEBHOOK_URL", "https://bot.example.test:99999"),
    ("WEBHOOK_URL", "https://bot.example.test:8080"),       # not a port Telegram posts to
    ("WEBHOOK_URL", "https://bot.example.test:٤٤٣"),        # Arabic-Indic 443
    ("WEBHOOK_URL", "https://user:pw@bot.example.test"),
    ("WEBHOOK_URL", "https://bot.example.test/?a=1"),
    ("WEBHOOK_URL", "https://bot.example.test/#x"),
    ("WEBHOOK_URL", "https://bot.example.test/a b"),
    ("WEBHOOK_URL", "https:///telegram"),
    ("WEBHOOK_URL", "https://bot_example.test"),
    ("TELEGRAM_API_URL", "http://[::1"),
    ("TELEGRAM_API_URL", "http://bad host:8081/bot"),
    ("TELEGRAM_API_URL", "ftp://127.0.0.1/bot"),
    ("TELEGRAM_API_URL", "http://127.0.0.1:port/bot"),
    ("PORT", "²"),
    ("PORT", "¹²³"),
    ("PORT", "٨٠٨٠"),
    ("PORT", "0"),
    ("PORT", "-1"),
    ("PORT", "80 80"),
    ("WEBHOOK_LISTEN", "999.1.1.1"),
    ("WEBHOOK_LISTEN", "not a host"),
    ("WEBHOOK_LISTEN", "[::1]"),
    ("WEBHOOK_LISTEN", "0.0.0.0:80"),
    ("TELEGRAM_MAX_RATE", "inf"),
    ("TELEGRAM_MAX_RATE", "١٠"),
]


@pytest.mark.parametrize("name,value", BAD)
def test_a_bad_value_is_refused_naming_the_variable_not_the_value(name, value):
    with pytest.raises(ConfigError) as caught:
        read_config("webhook", {**GOOD, name: value})
    message = str(caught.value)
    assert message.startswith(name) or f" {name}" in message.split(":")[0], message
    assert value not in message and SECRET not in message and TOKEN not in message


@pytest.mark.parametrize("listen", ["0.0.0.0", "::", "127.0.0.1", "::1", "localhost", "web-1.internal"])
def test_good_listen_addresses(listen):
    assert read_config("webhook", {**GOOD, "WEBHOOK_LISTEN": listen}).listen == listen


def test_hosts():
    assert valid_host("api.telegram.org") and valid_host("10.0.0.1") and valid_host("fe80::1")
    assert not valid_host("1.2.3.999") and not valid_host("a..b") and not valid_host("-a.b") and not valid_host("")


def test_the_path_telegram_is_given_is_the_path_served():
    config = read_config("webhook", {**GOOD, "WEBHOOK_URL": "https://bot.example.test/base/"})
    assert (config.webhook_url, config.path) == ("https://bot.example.test/base/telegram", "base/telegram")
    config = read_config("webhook", {**GOOD, "WEBHOOK_URL": "https://bot.example.test:8443/a/b",
                                     "WEBHOOK_PATH": "/hook/"})
    assert (config.webhook_url, config.path) == ("https://bot.example.test:8443/a/b/hook", "a/b/hook")
    config = read_config("webhook", {**GOOD, "WEBHOOK_URL": "https://[2001:db8::1]:443"})
    assert (config.webhook_url, config.path) == ("https://[2001:db8::1]:443/telegram", "telegram")


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "telegram", *args], capture_output=True, text=True,
                          env=bot_env(**env), cwd="/", timeout=60)


@pytest.mark.parametrize("name,value", [("WEBHOOK_URL", "http://bot.example.test"), ("PORT", "²"),
                                        ("WEBHOOK_LISTEN", "999.1.1.1"), ("WEBHOOK_LISTEN", "not a host"),
                                        ("WEBHOOK_URL", "https://[::1"), ("TELEGRAM_API_URL", "http://[::1")])
def test_the_process_stops_before_contacting_the_bot_api(name, value):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        env = {**GOOD, "PORT": str(free_port()), "WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_API_URL": api.base_url,
               name: value}
        result = _run("--webhook", **env)
        assert api.calls == []
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and name in result.stderr and "Traceback" not in result.stderr
    assert value not in result.stderr.replace("returnbot telegram", "")


@pytest.mark.parametrize("args", [("--polling", "--webhook"), (), ("--webhook", "--polling", "--webhook")])
def test_one_mode_or_one_line(args):
    result = _run(*args, TELEGRAM_TOKEN=TOKEN)
    assert result.returncode == 2
    assert result.stderr == "returnbot telegram: give one mode, --polling or --webhook\n"
