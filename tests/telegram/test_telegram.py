"""The Telegram front end (bot/telegram/).

End to end: the real `python -m bot telegram --polling|--webhook` processes against the
Bot API stand-in on 127.0.0.1 (tests/support/botapi_standin.py); answers are compared with what
the pipeline gives the CLI. The pieces the processes are made of (configuration, HTML
splitting, per-chat memory, update ordering, the bot's texts) are tested on their own.
"""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import html
import http.client
import io
import logging
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import InvalidToken

from bot.env import ConfigError
from bot.logs import RedactingFormatter
from bot.telegram.app import main as telegram_main
from bot.telegram.chatdata import ChatData, ChatMemory
from bot.telegram.config import Config, read_config
from bot.telegram.formatting import split_html, telegram_html
from bot.telegram.processor import ChatOrderedProcessor
from bot.telegram.texts import Texts
from bot.texts import LOCALES
from botapi_standin import BotAPIStandIn, Updates, parse_html, utf16_len
from intents.data import bundled
from intents.models import LANGS
from intents.pipeline import Context, Pipeline
from load_webhook import run_load
from telegram import Chat, Message, Update
from telegram_fixtures import (
    OTHER_TOKEN,
    ROOT,
    SECRET,
    TOKEN,
    USERNAME,
    BotProcess,
    bot_env,
    free_port,
    post,
    start_polling,
    start_webhook,
)

CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="module")
def cli() -> Pipeline:
    """The pipeline as the CLI uses it: what the bot must say."""
    return Pipeline.load()


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


def shown(call) -> str:
    return call.params["_shown"]


# ---- configuration ------------------------------------------------------------------------------

def test_config_needs_a_token_and_never_echoes_it():
    with pytest.raises(ConfigError, match="TELEGRAM_TOKEN is not set"):
        read_config("polling", {})
    broken = TOKEN.replace(":", "-")
    with pytest.raises(ConfigError, match="does not look like a bot token") as exc:
        read_config("polling", {"TELEGRAM_TOKEN": broken})
    assert broken not in str(exc.value)


def test_config_polling_defaults_and_api_url():
    config = read_config("polling", {"TELEGRAM_TOKEN": f" {TOKEN}\n"})
    assert (config.token, config.api_url, config.max_rate) == (TOKEN, None, 30.0)
    for given_url, used in [("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot"),
                            ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
                            ("https://proxy.example.test/tg/bot/", "https://proxy.example.test/tg/bot")]:
        assert read_config("polling", {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": given_url}).api_url == used
    with pytest.raises(ConfigError, match="TELEGRAM_API_URL"):
        read_config("polling", {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_URL": "127.0.0.1:8081"})
    with pytest.raises(ConfigError, match="TELEGRAM_MAX_RATE"):
        read_config("polling", {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_MAX_RATE": "fast"})


def test_config_webhook():
    env = {"TELEGRAM_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET, "WEBHOOK_URL": "https://bot.example.test/", "PORT": "5000"}
    config = read_config("webhook", env)
    assert (config.webhook_url, config.path, config.port, config.listen, config.secret) == \
        ("https://bot.example.test/telegram", "telegram", 5000, "0.0.0.0", SECRET)
    assert read_config("webhook", {**env, "WEBHOOK_PATH": "/hook/tg/"}).webhook_url == "https://bot.example.test/hook/tg"
    for change, message in [({"WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET is not set"),
                            ({"WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET must be"),
                            ({"WEBHOOK_SECRET": SECRET + "!"}, "WEBHOOK_SECRET must be"),
                            ({"WEBHOOK_URL": ""}, "WEBHOOK_URL"),
                            ({"WEBHOOK_URL": "bot.example.test"}, "WEBHOOK_URL"),
                            ({"PORT": "http"}, "PORT"), ({"PORT": "70000"}, "PORT"),
                            ({"WEBHOOK_PATH": "a b"}, "WEBHOOK_PATH")]:
        with pytest.raises(ConfigError, match=message) as exc:
            read_config("webhook", {**env, **change})
        assert SECRET not in str(exc.value) and TOKEN not in str(exc.value)


def test_main_refuses_bad_configuration_in_one_line(monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "WEBHOOK_", "PORT")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    assert telegram_main("webhook", None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET is not set" in err and TOKEN not in err


def test_missing_token_is_a_clear_error():
    result = subprocess.run([sys.executable, "-m", "bot", "telegram", "--polling"], capture_output=True, text=True,
                            env=bot_env(), cwd="/", timeout=30)
    assert result.returncode == 2
    assert result.stderr.startswith("returnbot telegram: TELEGRAM_TOKEN is not set")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# ---- logs never show the secrets ----------------------------------------------------------------

def test_formatter_redacts_token_and_secret_everywhere():
    config = Config(token=TOKEN, secret=SECRET)
    formatter = RedactingFormatter(config.secrets)
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        record = logging.LogRecord("httpx", logging.ERROR, __file__, 1, "POST %s/getMe secret=%s",
                                   (f"https://api.telegram.org/bot{TOKEN}", SECRET), sys.exc_info())
    text = formatter.format(record)
    assert "getMe" in text and "rejected by the server" in text
    assert TOKEN not in text and TOKEN.partition(":")[2] not in text and SECRET not in text


def test_formatter_redacts_secrets_in_any_case_and_url_encoded():
    from urllib.parse import quote

    password = "Pa55:w/rd#?x"
    formatter = RedactingFormatter(Config(token=TOKEN, secret=SECRET, extra_secrets=(password,)).secrets)
    for shown in (TOKEN.lower(), TOKEN.upper(), quote(TOKEN, safe=""), quote(TOKEN, safe="").lower(), SECRET.upper(),
                  quote(password, safe=""), quote(password, safe="").lower(), password.swapcase()):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "url %s end", (f"/bot{shown}/sendMessage",), None)
        assert formatter.format(record).endswith("url /bot[redacted]/sendMessage end"), shown


def test_a_bot_api_error_that_echoes_the_url_in_lower_case_logs_no_token(tmp_path):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path)
        try:
            api.fail_next_send(6001, description=lambda url: f"Bad Request: wrong file identifier {url.lower()}")
            u = Updates()
            api.push(u.update(u.text(6001, "how many returns in 2019")))
            api.wait_for(lambda: "update" in bot.log() and "failed" in bot.log(), 10, "the failure in the log")
            bot.stop()
        finally:
            bot.close()
    assert "wrong file identifier" in bot.log().lower()
    bot.assert_no_secrets()


def test_rejected_token_stops_with_one_line_and_no_token(tmp_path):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = BotProcess("polling", tmp_path, bot_env(TELEGRAM_TOKEN=OTHER_TOKEN, TELEGRAM_API_URL=api.base_url))
        try:
            assert bot.wait(30) == 2
        finally:
            bot.close()
    log = bot.log()
    assert "rejected TELEGRAM_TOKEN" in log and "Traceback" not in log
    bot.assert_no_secrets()


# ---- HTML for Telegram --------------------------------------------------------------------------

def _corpus_questions():
    for path in sorted(CORPUS.glob("*.toml")):
        with path.open("rb") as fh:
            yield from (case["q"] for case in tomllib.load(fh)["case"])


def test_every_answer_is_valid_telegram_html_showing_the_cli_text(cli):
    questions = [*_corpus_questions(), 'how many <b>returns</b> & "departures" in 2020?', "<i>", "&amp;", "a < b > c"]
    assert len(questions) > 100
    for lang in LANGS:
        for question in questions + ["help", "sources"]:
            reply = cli.ask(question, lang=lang)
            parts = split_html(telegram_html(reply.html))
            assert parts, question
            for part in parts:
                assert utf16_len(part) <= 4096
            assert "\n".join(parse_html(p) for p in parts) == reply.text, question


def test_footnote_marks_become_superscripts_as_in_the_text():
    assert telegram_html("x<sup>1</sup><sup>2</sup> y<sup>12</sup>.") == "x¹ ² y¹²."
    assert telegram_html("<b>3</b>") == "<b>3</b>"


def test_split_prefers_paragraphs_then_lines():
    paragraphs = ["<b>" + "a" * 1500 + "</b>", "b" * 1500, "c" * 1500]
    parts = split_html("\n\n".join(paragraphs))
    assert parts == ["\n\n".join(paragraphs[:2]), paragraphs[2]]
    lines = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    parts = split_html(lines)
    assert len(parts) == 3 and all(utf16_len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == lines


def test_split_closes_and_reopens_tags_across_a_cut():
    text = "<i>intro " + " ".join(["<b>word</b>"] * 800) + " end</i>"
    parts = split_html(text, limit=1000)
    assert len(parts) > 4
    for part in parts:
        assert utf16_len(part) <= 1000
        parse_html(part)
        assert part.startswith("<i>") and part.endswith("</i>")
    assert " ".join(parse_html(p) for p in parts) == parse_html(text)


def test_split_cuts_a_word_longer_than_a_message():
    parts = split_html(("<b>" + "€" * 5000 + "</b> &amp; 🙂") * 2)
    assert len(parts) >= 2 and all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parse_html(p) for p in parts).replace(" ", "") == ("€" * 5000 + "&🙂") * 2


_word = st.text(alphabet=st.sampled_from("ab€🙂<>&\"'"), min_size=1, max_size=30).map(
    html.escape)
_styled = st.one_of(_word, _word.map(lambda w: f"<b>{w}</b>"), _word.map(lambda w: f"<i>{w} <b>{w}</b></i>"))
_line = st.lists(_styled, min_size=1, max_size=40).map(" ".join)
_html = st.lists(st.tuples(_line, st.sampled_from(["\n", "\n\n", " "])), min_size=1, max_size=40).map(
    lambda items: "".join(line + sep for line, sep in items).strip())


@settings(max_examples=150, deadline=None)
@given(_html, st.integers(min_value=60, max_value=600))
def test_split_property(text, limit):
    parts = split_html(text, limit=limit)
    for part in parts:
        assert utf16_len(part) <= limit
        parse_html(part)
    assert re.sub(r"\s+", "", "".join(parse_html(p) for p in parts)) == re.sub(r"\s+", "", parse_html(text))


# ---- the bot's own texts ------------------------------------------------------------------------

def test_messages_are_valid_html_and_the_examples_work(cli, texts):
    for lang in LANGS:
        t = texts.t[lang]
        parse_html(texts.welcome(lang, USERNAME))
        for key in ("help_commands", "non_text", "unknown_command", "error", "lang_auto"):
            parse_html(texts.get(lang, key))
        parse_html(texts.get(lang, "lang_set", language=t["names"][lang]))
        parse_html(texts.get(lang, "lang_choose", language=t["names"]["auto"]))
        for key in ("lang_admins_only", "lang_admins_only_short", "button_gone", "own_name", "lang_auto_button"):
            assert parse_html(texts.get(lang, key)) == texts.get(lang, key)   # plain: also used outside HTML
        for example in t["examples"]:
            reply = cli.ask(example)
            assert (reply.status, reply.lang) == ("ok", lang), example
        follow = cli.ask(t["follow_up"], context=cli.ask(t["examples"][0]).context)
        assert (follow.status, follow.lang) == ("ok", lang), t["follow_up"]
        assert "2023" in follow.text
        assert [c.command for c in texts.commands(lang)][0] == "start"


def test_messages_with_a_missing_key_are_refused(tmp_path):
    locales = shutil.copytree(LOCALES, tmp_path / "locales")
    french, dutch = locales / "fr" / "telegram.toml", locales / "nl" / "telegram.toml"
    french.write_text(french.read_text().replace('error = "Désolé', 'erreur = "Désolé'))
    with pytest.raises(ValueError, match=r"\[fr\] has other keys"):
        Texts(locales)
    shutil.copy(LOCALES / "fr" / "telegram.toml", french)
    dutch.write_text(dutch.read_text().replace("bron = ", "bronnen = "))
    with pytest.raises(ValueError, match="bronnen"):
        Texts(locales)


# ---- per-chat memory ----------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Chats:
    """PTB's Application as ChatMemory sees it: chat_data made on first use, and dropped."""

    def __init__(self):
        self.chat_data = defaultdict(ChatData)

    def drop_chat_data(self, chat_id: int) -> None:
        self.chat_data.pop(chat_id, None)


DUTCH = Context(None, "nl")   # a conversation in Dutch with nothing to follow up on


def test_chat_memory_is_bounded_in_size():
    chats, memory = Chats(), ChatMemory(size=100, clock=Clock())
    for chat in range(1000):
        memory.put(chats, chat, ChatData(context=DUTCH))
    assert len(memory) == 100 and len(chats.chat_data) == 100
    assert memory.get(chats, 0).lang is None and memory.get(chats, 999).lang == "nl"
    memory.get(chats, 900)   # reading does not make a chat recent: only writing (activity) does
    memory.put(chats, 1000, ChatData())
    assert memory.get(chats, 900).lang is None and memory.get(chats, 901).lang == "nl" and len(memory) == 100


def test_chat_memory_forgets_by_age():
    clock = Clock()
    chats, memory = Chats(), ChatMemory(size=100, ttl=1000, context_ttl=60, clock=clock)
    context = Pipeline.load().ask("combien de retours en mars 2020").context
    memory.put(chats, 1, ChatData(context=context, forced="fr", asked=clock.now))
    clock.now += 59
    assert memory.follow_up(memory.get(chats, 1)) == context
    clock.now += 2
    state = memory.get(chats, 1)
    assert (memory.follow_up(state), state.lang, state.forced) == (None, "fr", "fr")
    clock.now += 1000
    assert memory.get(chats, 1) == ChatData()
    memory.put(chats, 2, ChatData())
    assert len(memory) == 1 and list(chats.chat_data) == [2]   # the silent chat is dropped as soon as another one is written


def test_chat_memory_hands_out_copies():
    chats, memory = Chats(), ChatMemory(clock=Clock())
    memory.put(chats, 1, ChatData(forced="nl"))
    memory.get(chats, 1).forced = "fr"
    memory.get(chats, 1).add_table({}, "fr")
    assert memory.get(chats, 1).forced == "nl" and not memory.get(chats, 1).tables


# ---- update ordering ----------------------------------------------------------------------------

def _update(update_id: int, chat_id: int) -> Update:
    message = Message(update_id, dt.datetime.now(dt.UTC), Chat(chat_id, Chat.PRIVATE), text="x")
    return Update(update_id, message=message)


def test_processor_keeps_each_chat_in_order_and_runs_chats_side_by_side():
    async def scenario():
        processor = ChatOrderedProcessor(workers=4)
        done: list[tuple[int, int]] = []
        running = peak = 0
        rng = random.Random(5)

        async def handle(chat, n):
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(rng.random() / 200)
            done.append((chat, n))
            running -= 1

        updates = [(chat, n) for n in range(10) for chat in range(8)]
        await asyncio.gather(*(processor.process_update(_update(i, chat), handle(chat, n))
                               for i, (chat, n) in enumerate(updates)))
        return done, peak

    done, peak = asyncio.run(scenario())
    assert len(done) == 80 and 1 < peak <= 4
    for chat in range(8):
        assert [n for c, n in done if c == chat] == list(range(10))


def test_processor_orders_a_migration_in_both_chats():
    async def scenario():
        processor = ChatOrderedProcessor(workers=4)
        done: list[str] = []

        async def handle(name, seconds=0.0):
            await asyncio.sleep(seconds)
            done.append(name)

        now = dt.datetime.now(dt.UTC)
        moved = Update(2, message=Message(2, now, Chat(-100200, Chat.SUPERGROUP), migrate_from_chat_id=-200))
        await asyncio.gather(processor.process_update(_update(1, -200), handle("old chat's question", 0.05)),
                             processor.process_update(moved, handle("migration")),
                             processor.process_update(_update(3, -100200), handle("new chat's question")))
        return done

    assert asyncio.run(scenario()) == ["old chat's question", "migration", "new chat's question"]


def test_chat_memory_moves_a_chat_keeping_the_later_context():
    clock = Clock()
    chats, memory = Chats(), ChatMemory(clock=clock)
    context = Pipeline.load().ask("how many returns in march 2020").context
    memory.put(chats, 1, ChatData(forced="fr"))
    memory.move(chats, 1, 2)
    assert memory.get(chats, 2).forced == "fr" and memory.get(chats, 1) == ChatData()
    memory.put(chats, 3, ChatData(context=context, asked=clock.now, forced="nl"))
    memory.move(chats, 3, 2)   # the old chat's later context, the new chat's own /lang choice
    assert (memory.get(chats, 2).context, memory.get(chats, 2).forced) == (context, "fr") and len(memory) == 1
    assert list(chats.chat_data) == [2]


def test_processor_drain_ends_what_is_left():
    async def scenario():
        processor = ChatOrderedProcessor(workers=2)
        finished = []

        async def slow(n):
            await asyncio.sleep(30)
            finished.append(n)

        tasks = [asyncio.create_task(processor.process_update(_update(n, n % 3), slow(n))) for n in range(20)]
        await asyncio.sleep(0.05)
        start = asyncio.get_running_loop().time()
        processor.drain(0.2)
        await asyncio.gather(*tasks)
        return finished, asyncio.get_running_loop().time() - start

    finished, took = asyncio.run(scenario())
    assert finished == [] and took < 2


# ---- polling, end to end ------------------------------------------------------------------------

def test_polling_start_registers_menus_and_drops_no_webhook_conflict(polling, texts):
    api = polling.api
    assert api.calls_to("getMe") and api.calls_to("deleteWebhook")
    assert set(api.commands) == {"nl", "fr", "en", ""}
    for lang in LANGS:
        assert api.commands[lang] == [{"command": c.command, "description": c.description}
                                      for c in texts.commands(lang)]
    assert api.commands[""] == api.commands["en"]
    assert {c["command"] for c in api.commands["nl"]} == {"start", "help", "bron", "woordenlijst", "lang"}
    polls = api.calls_to("getUpdates")
    assert polls[0].params.get("allowed_updates") == ["message", "edited_message", "callback_query", "inline_query"]


def test_question_gets_the_cli_answer_and_follow_ups_keep_context(polling, cli):
    chat = 1001
    first = cli.ask("how many returns in march 2020", lang_hint="en")
    follow = cli.ask("and in april?", context=first.context, lang_hint="en")
    polling.push(polling.updates.text(chat, "how many returns in march 2020"))
    polling.push(polling.updates.text(chat, "and in april?"))
    sent = polling.api.wait_sent(chat, 2)
    assert [shown(c) for c in sent] == [first.text, follow.text]
    assert "April 2020" in follow.text
    assert sent[0].params["parse_mode"] == "HTML" and "<b>112</b>" in sent[0].params["text"]
    assert "reply_parameters" not in sent[0].params   # private chat: no quote


def test_question_with_html_in_it_is_answered(polling, cli):
    chat = 1002
    questions = ['how many <b>returns</b> & "departures" in 2020?', "<script>alert(1)</script> &amp; <b>"]
    for question in questions:
        polling.push(polling.updates.text(chat, question))
    sent = polling.api.wait_sent(chat, 2)
    assert [shown(c) for c in sent] == [cli.ask(q, lang_hint="en").text for q in questions]
    assert cli.ask(questions[0]).status == "ok"
    assert not [r for r in polling.api.rejected if r[0] == "sendMessage" and "parse" in r[1]]


def test_reply_language_falls_back_to_chat_then_user_then_english(polling, cli):
    polling.push(polling.updates.text(1003, "2019", lang="fr"))              # neutral: the user's language
    polling.push(polling.updates.text(1003, "hoeveel terugkeerders in 2020", lang="fr"))
    polling.push(polling.updates.text(1003, "2018", lang="fr"))              # neutral: the chat's last language
    polling.push(polling.updates.text(1004, "2019", lang="de"))              # neutral, no known language: English
    sent = polling.api.wait_sent(1003, 3)
    assert [shown(c) for c in sent] == [cli.ask("2019", lang_hint="fr").text,
                                        cli.ask("hoeveel terugkeerders in 2020").text,
                                        cli.ask("2018", lang_hint="nl").text]
    assert sent[0].params["_shown"].startswith("En 2019") and sent[2].params["_shown"].startswith("In 2018 keerden")
    assert shown(polling.api.wait_sent(1004)[0]) == cli.ask("2019", lang_hint="en").text


def test_lang_command_forces_and_releases_the_language(polling, cli, texts):
    chat, u = 1005, polling.updates
    for message in [u.command(chat, "/lang fr"), u.text(chat, "how many returns in 2020"),
                    u.command(chat, "/lang auto"), u.text(chat, "how many returns in 2020")]:
        polling.push(message)
    sent = [shown(c) for c in polling.api.wait_delivered(chat, 4)]
    fr = texts.t["fr"]
    assert sent[0] == parse_html(texts.get("fr", "lang_set", language=fr["names"]["fr"]))
    assert sent[1] == cli.ask("how many returns in 2020", lang="fr").text and sent[1].startswith("En 2020")
    assert sent[2] == parse_html(texts.get("fr", "lang_auto"))
    assert sent[3] == cli.ask("how many returns in 2020").text


def _buttons(call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def test_lang_by_buttons_is_confirmed_in_the_chosen_language(polling, cli, texts):
    chat, u, api = 1013, polling.updates, polling.api
    polling.push(u.command(chat, "/lang", lang="nl"))
    polling.push(u.command(chat, "/lang xx", lang="nl"))
    menus = api.wait_sent(chat, 2)
    assert [shown(c) for c in menus] == [parse_html(texts.get("nl", "lang_choose", language="de taal van uw vraag"))] * 2
    buttons = _buttons(menus[0])
    assert buttons == [("Nederlands", "l:nl"), ("Français", "l:fr"), ("English", "l:en"),
                       ("De taal van mijn vraag", "l:auto")]
    menu = u.from_bot(chat, api.bot_id, USERNAME, text=shown(menus[0]))
    api.push(u.callback(chat, "l:fr", menu, lang="nl"))
    api.wait_for(lambda: api.sent(chat, ("editMessageText",)), 10, "the menu edited into the confirmation")
    edit = api.sent(chat, ("editMessageText",))[-1]
    assert edit.params["_shown"] == parse_html(texts.get("fr", "lang_set", language="français"))
    assert edit.params["message_id"] == menu["message_id"] and "reply_markup" not in edit.params
    assert api.calls_to("answerCallbackQuery")
    polling.push(u.text(chat, "how many returns in 2019", lang="nl"))
    answer = api.wait_delivered(chat, 3)[-1]
    assert shown(answer) == cli.ask("how many returns in 2019", lang="fr").text   # 2020.txt:35: 2 426


def test_follow_up_buttons_answer_as_if_typed_even_from_an_old_message(polling, cli):
    chat, u, api = 1014, polling.updates, polling.api
    polling.push(u.text(chat, "hoeveel terugkeerders in maart 2020", lang="nl"))
    first = api.wait_delivered(chat)[0]
    assert shown(first) == cli.ask("hoeveel terugkeerders in maart 2020").text
    buttons = _buttons(first)
    assert buttons == [("En in april?", "a:nl:hoeveel terugkeerders in april 2020"),
                       ("Heel 2020", "a:nl:hoeveel terugkeerders in 2020"), ("Per maand 2020", "a:nl:per maand 2020")]
    old = u.from_bot(chat, api.bot_id, USERNAME, text=shown(first))
    before = len(api.calls_to("answerCallbackQuery"))
    api.push(u.callback(chat, buttons[0][1], old, lang="en"))
    second = api.wait_delivered(chat, 2)[1]
    assert shown(second) == cli.ask("hoeveel terugkeerders in april 2020").text
    assert shown(second).startswith("In april 2020 keerden 61")   # 2020.txt:45
    # The pressed question is the context of the next one, as if typed.
    polling.push(u.text(chat, "en in mei?", lang="nl"))
    third = api.wait_delivered(chat, 3)[2]
    assert shown(third).startswith("In mei 2020 keerden 67")   # 2020.txt:46
    api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) > before, 5, "the callback answered")


def test_unknown_button_is_answered_with_an_alert(polling, texts):
    chat, u, api = 1015, polling.updates, polling.api
    old = u.from_bot(chat, api.bot_id, USERNAME)
    before = len(api.calls_to("answerCallbackQuery"))
    for data in ("v0:something", "a:xx:question", "l:de"):
        api.push(u.callback(chat, data, old, lang="fr"))
    api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) >= before + 3, 10, "three callbacks answered")
    answers = api.calls_to("answerCallbackQuery")[before:]
    assert {a.params.get("text") for a in answers} == {texts.get("fr", "button_gone")}
    assert all(a.params.get("show_alert") for a in answers) and not api.sent(chat)


def test_clarify_reply_offers_its_suggestions_as_buttons(polling, cli):
    chat, u, api = 1016, polling.updates, polling.api
    polling.push(u.text(chat, "compare"))
    reply = api.wait_delivered(chat)[0]
    assert cli.ask("compare").status == "clarify"
    assert _buttons(reply) == [("compare 2019 and 2020", "a:en:compare 2019 and 2020"),
                               ("Fedasil vs Immigration Office in 2020", "a:en:Fedasil vs Immigration Office in 2020")]
    api.push(u.callback(chat, "a:en:compare 2019 and 2020", u.from_bot(chat, api.bot_id, USERNAME)))
    answer = api.wait_delivered(chat, 2)[1]
    assert shown(answer) == cli.ask("compare 2019 and 2020").text
    assert "1,847" in shown(answer) and "2,426 in 2019" in shown(answer)   # 2020.txt:63


def test_group_language_is_set_by_admins_only(polling, cli, texts):
    chat, u, api = -1018, polling.updates, polling.api
    api.admins.add(77001)
    polling.push(u.text(chat, f"/lang@{USERNAME} fr", command=True) | {"from": {"id": 77002, "is_bot": False,
                                                                                "first_name": "M"}})
    refused = api.wait_sent(chat)[0]
    assert shown(refused) == parse_html(texts.get("en", "lang_admins_only"))
    menu = u.from_bot(chat, api.bot_id, USERNAME)
    before = len(api.calls_to("answerCallbackQuery"))
    api.push(u.callback(chat, "l:fr", menu, user_id=77002))
    api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) > before, 10, "the refusal")
    assert api.calls_to("answerCallbackQuery")[-1].params["text"] == texts.get("en", "lang_admins_only_short")
    asked = u.text(chat, f"@{USERNAME} how many returns in 2020", mention=f"@{USERNAME}")
    polling.push(asked)
    assert shown(api.wait_sent(chat, 2)[1]) == cli.ask("how many returns in 2020").text   # not French
    api.push(u.callback(chat, "l:fr", menu, user_id=77001))
    api.wait_for(lambda: api.sent(chat, ("editMessageText",)), 10, "the confirmation")
    polling.push(u.text(chat, f"@{USERNAME} how many returns in 2020", mention=f"@{USERNAME}"))
    assert shown(api.wait_sent(chat, 3)[2]) == cli.ask("how many returns in 2020", lang="fr").text


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# Series whose answers fit in a caption (1,024 characters): "trend since 2015" no longer does
# since its source line carries the 2020 sheet's link; a longer answer follows the photo.
@pytest.mark.parametrize("chat, question, lang", [(1019, "trend since 2021", "en"),
                                                  (1020, "évolution depuis 2021", "fr"),
                                                  (1021, "per kwartaal 2020", "nl")])
def test_trend_question_is_answered_with_a_chart_and_the_answer_as_caption(polling, cli, chat, question, lang):
    polling.push(polling.updates.text(chat, question, lang=lang))
    sent = polling.api.wait_delivered(chat)
    assert [c.method for c in sent] == ["sendPhoto"]
    expected = cli.ask(question)
    assert expected.lang == lang and shown(sent[0]) == expected.text
    assert 1000 <= _png_size(sent[0].params["photo"])[0] <= 2000 and len(sent[0].params["photo"]) < 500_000
    assert _buttons(sent[0])   # the follow-ups sit under the photo


def test_chart_with_a_long_answer_sends_the_text_after_the_photo(polling, cli):
    chat = 1022
    polling.push(polling.updates.text(chat, "per maand 2019 tot 2025", lang="nl"))
    sent = polling.api.wait_delivered(chat, 2)
    expected = cli.ask("per maand 2019 tot 2025").text
    assert len(expected) > 1024
    assert [c.method for c in sent] == ["sendPhoto", "sendMessage"]
    assert shown(sent[0]) == "" and shown(sent[1]) == expected
    assert "April 2020: 61" in expected   # 2020.txt:45
    assert not _buttons(sent[0]) and _buttons(sent[1])
    # The footnotes fold into an expandable quote; the text shown stays the answer's.
    assert "<blockquote expandable>" in sent[1].params["text"]


def test_inline_query_offers_the_answer_and_a_chart_sent_before(polling, cli):
    u, api = polling.updates, polling.api
    api.push(u.inline(1023, "hoeveel terugkeerders in 2020"))
    api.wait_for(lambda: inline_answers(api), 10, "the inline answer")
    results = inline_answers(api)[-1].params["results"]
    assert [r["type"] for r in results] == ["article"]
    assert results[0]["input_message_content"]["_shown"] == cli.ask("hoeveel terugkeerders in 2020").text
    assert results[0]["description"].startswith("In 2020 keerden 1.847")   # 2020.txt:63
    # Once the chart of an answer was sent in a chat, inline mode offers it too.
    polling.push(u.text(1024, "profile 2020"))
    polling.push(u.text(1024, "how many returns in 2019"))   # once answered, the photo's handler is done
    photo = api.wait_delivered(1024, 2)[0]
    api.push(u.inline(1023, "profile 2020"))
    api.wait_for(lambda: len(inline_answers(api)) >= 2, 10, "the second inline answer")
    results = inline_answers(api)[-1].params["results"]
    assert [r["type"] for r in results] == ["article", "photo"]
    assert results[1]["photo_file_id"] == "photo-file-" + str(photo_message_id(api, photo))
    assert results[1]["_shown"] == cli.ask("profile 2020").text
    api.push(u.inline(1023, ""))
    api.wait_for(lambda: len(inline_answers(api)) >= 3, 10, "the examples")
    examples = inline_answers(api)[-1].params["results"]
    assert [r["title"] for r in examples] == Texts().t["en"]["examples"]


def inline_answers(api) -> list:
    return api.sent(methods=("answerInlineQuery",))


def photo_message_id(api, call) -> int:
    """The message id the stand-in gave the photo (its calls are numbered in order)."""
    photos = api.calls_to("sendPhoto")
    assert call in photos
    return int(call.params["_message_id"])


def test_start_help_and_sources_in_the_users_language(polling, cli, texts):
    chat, u = 1006, polling.updates
    for text in ["/start", "/help", "/bron", "/sources", "/source", "/aide"]:
        polling.push(u.command(chat, text, lang="nl"))
    sent = [shown(c) for c in polling.api.wait_sent(chat, 6)]
    assert sent[0] == parse_html(texts.welcome("nl", USERNAME, cli.reach("nl")))
    # Up to when the figures reach, from the data: the release of 3 February 2026 gives the
    # year 2025 (fedasil.be/fr/node/12902 p3), the 2025 sheet its months to September (2025.txt:141).
    assert "december 2025" in sent[0] and "september 2025" in sent[0] and "3 februari 2026" in sent[0]
    assert all(example in sent[0] for example in texts.t["nl"]["examples"])
    help_nl = cli.ask("help", lang="nl").text
    assert sent[1] == help_nl + "\n\n" + parse_html(texts.get("nl", "help_commands"))
    assert sent[2] == sent[3] == sent[4] == cli.ask("sources", lang="nl").text
    assert sent[5] == sent[1]


def test_glossary_command_in_the_users_language(polling, cli):
    chat, u = 1030, polling.updates
    for text in ["/woordenlijst", "/glossary", "/glossaire"]:
        polling.push(u.command(chat, text, lang="nl"))
    sent = [shown(c) for c in polling.api.wait_sent(chat, 3)]
    assert sent[0] == sent[1] == sent[2] == cli.ask("glossary", lang="nl").text
    assert "uitgeprocedeerde verzoekers" in sent[0] and "Dienst Vreemdelingenzaken" in sent[0]


def test_non_text_messages_get_a_friendly_reply(polling, texts):
    u = polling.updates
    polling.push(u.sticker(1007, lang="en"))
    polling.push(u.photo(1007, lang="en"))
    polling.push(u.voice(1007, lang="en"))
    polling.push(u.sticker(1017, lang="fr"))
    sent = [shown(c) for c in polling.api.wait_sent(1007, 3)]
    assert sent == [parse_html(texts.get("en", "non_text"))] * 3
    assert shown(polling.api.wait_sent(1017)[0]) == parse_html(texts.get("fr", "non_text"))


def test_a_photo_whose_caption_is_the_question_is_answered(polling, cli):
    u, api = polling.updates, polling.api
    polling.push(u.photo(1025, lang="nl", caption="hoeveel terugkeerders in maart 2020"))
    group = -1026
    polling.push(u.photo(group, caption=f"@{USERNAME} how many returns in 2019") | {
        "caption_entities": [{"type": "mention", "offset": 0, "length": len(USERNAME) + 1}]})
    assert shown(api.wait_sent(1025)[0]) == cli.ask("hoeveel terugkeerders in maart 2020").text
    assert shown(api.wait_sent(group)[0]) == cli.ask("how many returns in 2019").text


def test_a_group_that_becomes_a_supergroup_keeps_its_language_and_context(polling, cli, texts):
    old, new, u, api = -1027, -1001000001027, polling.updates, polling.api
    api.admins.add(77027)
    admin = {"from": {"id": 77027, "is_bot": False, "first_name": "A"}}
    polling.push(u.text(old, f"/lang@{USERNAME} fr", command=True) | admin)
    polling.push(u.text(old, f"@{USERNAME} how many returns in march 2020", mention=f"@{USERNAME}"))
    api.wait_sent(old, 2)
    for message in u.migration(old, new):
        polling.push(message)
    polling.push(u.text(new, f"@{USERNAME} and in april?", mention=f"@{USERNAME}"))
    first = cli.ask("how many returns in march 2020", lang="fr")
    assert shown(api.wait_sent(new)[0]) == cli.ask("and in april?", context=first.context, lang="fr").text
    assert shown(api.sent(new)[0]).startswith("En avril 2020, 61")   # 2020.txt:45


def test_edited_question_is_answered_again_quoting_it(polling, cli):
    chat = 1008
    original = polling.push(polling.updates.text(chat, "how many returns in 2019"))
    polling.push({**original, "text": "how many returns in 2018"}, edited=True)
    sent = polling.api.wait_sent(chat, 2)
    assert shown(sent[0]).startswith("In 2019,")
    assert shown(sent[1]) == cli.ask("how many returns in 2018", context=cli.ask("how many returns in 2019").context).text
    assert sent[1].params["reply_parameters"]["message_id"] == original["message_id"]


def test_group_answers_only_when_mentioned_or_replied_to(polling, cli, texts):
    chat, u, api = -1009, polling.updates, polling.api
    polling.push(u.text(chat, "how many returns in 2020"))                       # not for the bot
    polling.push(u.sticker(chat))
    polling.push(u.joined(chat))
    polling.push(u.command(chat, "/help@some_other_bot"))
    polling.push(u.command(chat, "/frobnicate"))
    asked = polling.push(u.text(chat, f"@{USERNAME} how many returns in 2019", mention=f"@{USERNAME}"))
    sent = api.wait_sent(chat, 1)
    assert len(sent) == 1, [shown(c) for c in sent]
    assert shown(sent[0]) == cli.ask("how many returns in 2019").text
    assert sent[0].params["reply_parameters"]["message_id"] == asked["message_id"]
    previous = u.from_bot(chat, api.bot_id, USERNAME)
    polling.push(u.text(chat, "and in 2018?", reply_to=previous))                # a reply to the bot: a follow-up
    polling.push(u.command(chat, f"/frobnicate@{USERNAME}"))
    polling.push(u.sticker(chat) | {"reply_to_message": previous})
    sent = api.wait_sent(chat, 4)
    follow = cli.ask("and in 2018?", context=cli.ask("how many returns in 2019").context)
    assert [shown(c) for c in sent[1:]] == [follow.text, parse_html(texts.get("en", "unknown_command")),
                                           parse_html(texts.get("en", "non_text"))]


def test_unknown_command_in_a_private_chat(polling, texts):
    polling.push(polling.updates.command(1011, "/frobnicate", lang="nl"))
    assert shown(polling.api.wait_sent(1011)[0]) == parse_html(texts.get("nl", "unknown_command"))


def test_a_failing_update_is_reported_and_the_bot_goes_on(polling, cli, texts):
    chat, api = 1010, polling.api
    api.fail_next_send(chat)
    polling.push(polling.updates.text(chat, "how many returns in 2016"))
    polling.push(polling.updates.text(chat, "how many returns in 2015"))
    sent = api.wait_sent(chat, 2)
    assert [shown(c) for c in sent] == [parse_html(texts.get("en", "error")), cli.ask("how many returns in 2015").text]
    assert ("sendMessage", "Bad Request: injected failure") in api.rejected
    api.wait_for(lambda: "update" in polling.bot.log() and "failed" in polling.bot.log(), 5, "the error in the log")
    assert "BadRequest: Injected failure" in polling.bot.log()


def test_long_answer_is_split_at_paragraphs_and_lines(tmp_path, cli):
    data = tmp_path / "data"
    shutil.copytree(bundled(), data, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    rows = list(csv.DictReader((data / "footnotes.csv").open(encoding="utf-8", newline="")))
    for row in rows:
        if row["id"] in ("dublin", "covid_2020"):
            row["en"] = " ".join([row["en"]] * 20)   # two footnotes of 1,800-3,500 characters
    with (data / "footnotes.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    expected = Pipeline.load(data).ask("how many returns in march 2020").text
    assert len(expected) > 4096
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path, data=data)
        try:
            u = Updates()
            api.push(u.update(u.text(1012, "how many returns in march 2020")))
            api.wait_for(lambda: len(api.sent(1012)) >= 3, 10, "three parts")
            status, _ = bot.stop()
        finally:
            bot.close()
    parts = [shown(c) for c in api.sent(1012)]
    assert status == 0 and len(parts) == 3 and not api.rejected
    assert all(utf16_len(c.params["text"]) <= 4096 for c in api.sent(1012))
    # The answer, then the notes: the paragraph break first, then line breaks.
    body, notes = expected.split("\n\n")
    first, second, source = notes.split("\n")
    assert parts == [body, first, second + "\n" + source]
    bot.assert_no_secrets()


def test_polling_stops_on_sigterm_within_10_s_even_with_a_backlog(tmp_path):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path)
        try:
            api.send_delay = 2.0   # 16 at a time: 100 updates (one getUpdates) would take 13 s
            u = Updates(100)
            api.push(*[u.update(u.text(2000 + n, "how many returns in 2019")) for n in range(300)])
            api.wait_for(lambda: api.calls_to("sendMessage"), 10, "the first answer")
            status, seconds = bot.stop(timeout=15)
        finally:
            bot.close()
    assert status == 0 and seconds < 10, (status, seconds)
    assert 0 < len(api.sent()) < 300
    assert re.search(r"WARNING .*: [0-9]+ update\(s\) left unanswered: the bot was stopping", bot.log())
    # The first batch (ids 100-199) was acknowledged, so a restart does not answer it twice.
    # Whether PTB also acknowledges the last batch depends on where the stop caught its
    # long poll, so the test does not ask for that.
    assert max(c.params.get("offset", 0) for c in api.calls_to("getUpdates")) > 199
    bot.assert_no_secrets()


# ---- webhook, end to end -------------------------------------------------------------------------

def test_webhook_is_registered_with_the_secret(webhook):
    hook = webhook.api.webhook
    assert hook["url"] == "https://bot.example.test/telegram"
    assert hook["secret_token"] == SECRET
    assert hook["allowed_updates"] == ["message", "edited_message", "callback_query", "inline_query"]
    assert not webhook.api.calls_to("getUpdates")


def test_webhook_answers_a_good_post(webhook, cli):
    u = webhook.updates
    assert post(webhook.port, u.update(u.text(3001, "combien de retours en 2020 ?", lang="nl"))) == 200
    assert shown(webhook.api.wait_sent(3001)[0]) == cli.ask("combien de retours en 2020 ?").text


def test_webhook_refuses_a_wrong_or_missing_secret(webhook):
    u, port = webhook.updates, webhook.port
    assert post(port, u.update(u.text(3002, "how many returns in 2020")), secret="wrong-" + SECRET) == 403
    assert post(port, u.update(u.text(3002, "how many returns in 2020")), secret=None) == 403
    assert post(port, u.update(u.text(3002, "how many returns in 2017"))) == 200
    sent = webhook.api.wait_sent(3002)
    assert len(sent) == 1 and shown(sent[0]).startswith("In 2017,")


def test_webhook_survives_malformed_bodies(webhook):
    u, port = webhook.updates, webhook.port
    assert post(port, b"{not json") >= 400
    assert post(port, b"\xff\xfe\x00") >= 400
    assert post(port, b'{"update_id": "x", "message": 5}') >= 400
    assert post(port, b"[]") >= 400
    assert post(port, u.update(u.text(3003, "x")), content_type="text/plain") == 415
    assert post(port, u.update(u.text(3003, "how many returns in 2014"))) == 200
    assert shown(webhook.api.wait_sent(3003)[0]).startswith("In 2014,")
    assert webhook.bot.proc.poll() is None


def test_webhook_load_500_updates_from_50_senders_all_answered_once(webhook):
    result = run_load(webhook.api, webhook.port, updates=500, senders=50, timeout=40)
    print(result.summary())
    assert result.problems == []
    assert result.answered == 500


def test_webhook_stops_on_sigterm(webhook):
    status, seconds = webhook.bot.stop()
    assert status == 0 and seconds < 10
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", webhook.port), timeout=1).close()
    with pytest.raises((OSError, http.client.HTTPException)):
        post(webhook.port, {"update_id": 1})


# ---- the Procfile, as the platform runs it ----------------------------------------------------------

def _procfile() -> dict[str, list[str]]:
    """The Procfile's commands, with `returnbot` the console script installed next to this Python."""
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        words = command.split()
        script = Path(sys.executable).with_name(words[0])
        assert script.exists(), f"{words[0]} is not installed next to {sys.executable}"
        processes[name.strip()] = [str(script), *words[1:]]
    return processes


def test_procfile_worker_answers_through_the_stand_in(tmp_path, cli):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path, command=_procfile()["worker"])
        try:
            u = Updates()
            api.push(u.update(u.text(4001, "hoeveel terugkeerders in maart 2020")))
            answer = shown(api.wait_sent(4001)[0])
            status, _ = bot.stop()
        finally:
            bot.close()
    assert answer.startswith("In maart 2020 keerden 112¹ personen vrijwillig terug")   # 2020.txt:43 (¹ Dublin: the total and DVZ, not Fedasil)
    assert answer == cli.ask("hoeveel terugkeerders in maart 2020").text and status == 0
    bot.assert_no_secrets()


def test_procfile_web_answers_through_the_stand_in_and_enforces_the_secret(tmp_path, cli):
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, tmp_path, port, command=_procfile()["web"])
        try:
            u = Updates()
            assert post(port, u.update(u.text(4002, "how many returns in 2020")), secret=None) == 403
            assert post(port, u.update(u.text(4002, "combien de retours via l'Office des étrangers en 2025 ?"))) == 200
            answer = shown(api.wait_sent(4002)[0])
            status, _ = bot.stop()
        finally:
            bot.close()
    assert api.webhook["secret_token"] == SECRET
    assert answer == cli.ask("combien de retours via l'Office des étrangers en 2025 ?").text and status == 0
    assert "Office des étrangers" in answer and len(api.sent(4002)) == 1
    bot.assert_no_secrets()


def _documents(api, chat, count):
    api.wait_for(lambda: len(api.sent(chat, ("sendDocument",))) >= count, 15, f"{count} document(s) to chat {chat}")
    return api.sent(chat, ("sendDocument",))


def test_a_table_has_a_csv_button_that_sends_its_figures_as_a_document(polling, cli, texts):
    chat, u, api = 1031, polling.updates, polling.api
    polling.push(u.text(chat, "per maand 2020", lang="nl"))
    first = api.wait_delivered(chat)[0]
    csv_buttons = [(label, data) for label, data in _buttons(first) if data.startswith("x:")]
    assert csv_buttons == [(texts.get("nl", "csv_button"), "x:1")]
    # A later question moves the conversation on; the button still stands for its own answer.
    polling.push(u.text(chat, "hoeveel terugkeerders in 2016", lang="nl"))
    api.wait_delivered(chat, 2)
    api.push(u.callback(chat, "x:1", u.from_bot(chat, api.bot_id, USERNAME, text=shown(first)), lang="nl"))
    document = _documents(api, chat, 1)[0]
    assert document.params["_document_filename"] == "returnbot.csv"
    assert shown(document) == texts.get("nl", "csv_caption")
    rows = list(csv.DictReader(io.StringIO(document.params["document"].decode("utf-8"))))
    totals = [r for r in rows if r["organisation"] == "total"]
    assert len(totals) == 12 and len(rows) == 36   # 12 months, each with Fedasil and DVZ
    march = next(r for r in totals if r["start"] == "2020-03")
    assert march["value"] == "112" and march["reference"] == "fedasil-vrijwillige-terugkeer-2020.txt:43"
    assert all(r["reference"] for r in rows)


def test_a_single_figure_has_no_csv_button_and_a_forgotten_table_is_said_so(polling, texts):
    chat, u, api = 1032, polling.updates, polling.api
    polling.push(u.text(chat, "hoeveel terugkeerders in maart 2020", lang="nl"))
    first = api.wait_delivered(chat)[0]
    assert not [data for _, data in _buttons(first) if data.startswith("x:")]
    before = len(api.calls_to("answerCallbackQuery"))
    api.push(u.callback(chat, "x:7", u.from_bot(chat, api.bot_id, USERNAME), lang="nl"))
    api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) > before, 10, "the callback answered")
    answer = api.calls_to("answerCallbackQuery")[before]
    assert answer.params.get("text") == texts.get("nl", "table_gone") and answer.params.get("show_alert")
    assert not api.sent(chat, ("sendDocument",))


@pytest.mark.parametrize("chat, question, lang", [(1033, "download all the data", "en"), (1034, "csv", "en"),
                                                  (1035, "télécharger les données", "fr"), (1036, "downloaden", "nl")])
def test_download_all_the_data_sends_the_observation_table(polling, cli, texts, chat, question, lang):
    api = polling.api
    polling.push(polling.updates.text(chat, question, lang=lang))
    message = api.wait_delivered(chat)[0]
    assert shown(message) == cli.ask(question).text
    document = _documents(api, chat, 1)[0]
    assert document.params["_document_filename"] == "returnbot-data.csv"
    rows = list(csv.DictReader(io.StringIO(document.params["document"].decode("utf-8"))))
    assert len(rows) == len(cli.engine.dataset.observations)
    # 2020.txt:43 "Maart 111 1 112 260", the way every figure points back at where it was read
    assert {"start": "2020-03", "organisation": "total", "value": "112"}.items() <= next(
        r for r in rows if r["start"] == r["end"] == "2020-03" and r["organisation"] == "total").items()
