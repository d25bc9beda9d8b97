"""What a Procfile platform (Heroku) gets: app.json valid against the app.json schema,
requirements.txt pinning every dependency of pyproject.toml, and a first push with only
TELEGRAM_TOKEN whose web process serves the page, with one clear log line on running the
bot, instead of crash-looping."""
from __future__ import annotations

import http.client
import json
import re
import tomllib

from telegram_fixtures import ROOT, TOKEN, BotProcess, bot_env, free_port, wait_port

# The app.json schema (devcenter.heroku.com/articles/app-json-schema; the `app.json`
# package's lib/schema.js): the keys it knows and the shape of each.
TOP_KEYS = {"name", "description", "keywords", "website", "repository", "logo", "success_url", "scripts", "env",
            "formation", "image", "addons", "buildpacks", "environments", "stack"}
ENV_KEYS = {"description", "value", "required", "generator"}


def test_app_json_follows_the_schema():
    app = json.loads((ROOT / "app.json").read_text())
    assert set(app) <= TOP_KEYS
    assert 3 <= len(app["name"]) <= 30 and len(app["description"]) <= 140
    assert all(isinstance(k, str) for k in app["keywords"])
    for name, spec in app["env"].items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
        assert isinstance(spec, str) or (set(spec) <= ENV_KEYS and isinstance(spec.get("description", ""), str))
        if isinstance(spec, dict):
            assert isinstance(spec.get("value", ""), str) and isinstance(spec.get("required", False), bool)
            assert spec.get("generator", "secret") == "secret"
    processes = {line.partition(":")[0] for line in (ROOT / "Procfile").read_text().splitlines()}
    for process, spec in app["formation"].items():
        assert process in processes and set(spec) <= {"quantity", "size"} and isinstance(spec["quantity"], int)
    for addon in app["addons"]:
        assert isinstance(addon, str) or (set(addon) <= {"plan", "as", "options"} and isinstance(addon["plan"], str))
    assert all(set(b) == {"url"} for b in app["buildpacks"])
    # The bot's memory outlives a restart on Heroku only in a database: the button adds one.
    assert any((a if isinstance(a, str) else a["plan"]).startswith("heroku-postgresql") for a in app["addons"])


def test_requirements_pin_every_dependency_and_install_the_package():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert "." in lines
    pins = {}
    for line in lines:
        if line != ".":
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^\s;]*)( ;.*)?", line)
            assert match, f"not an exact pin: {line!r}"
            pins[match.group(1).lower()] = match.group(2)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower()
        assert name in pins, f"{name} is not pinned in requirements.txt: regenerate it (see requirements.in)"
    assert "uv pip compile requirements.in" in (ROOT / "requirements.in").read_text()


def test_first_push_with_only_the_token_serves_the_page_and_says_how_to_run_the_bot(tmp_path):
    port = free_port()
    env = bot_env(TELEGRAM_TOKEN=TOKEN, PORT=str(port), WEBHOOK_LISTEN="127.0.0.1")
    bot = BotProcess("webhook", tmp_path, env)
    try:
        wait_port(port, 20)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/?q=how+many+returns+in+2016")
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
        assert bot.proc.poll() is None   # running, not crash-looping
        status, _ = bot.stop()
    finally:
        bot.close()
    assert response.status == 200 and "4,267" in body   # 2020.txt:76
    log = bot.log()
    assert status == 0 and log.count("webhook mode is not set up") == 1 and "Traceback" not in log
    assert "WEBHOOK_URL and WEBHOOK_SECRET" in log and "worker=1" in log
    assert "how many returns" not in log   # the question is never logged
    bot.assert_no_secrets()
