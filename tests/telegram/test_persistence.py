"""What the Telegram bot remembers survives a restart (bot/telegram/chatdata.py, persistence.py).

Units: the chat state as JSON, the persistence over SQLite and over a real PostgreSQL
server (tests/support/postgres_server.py starts one), a database that is down. End to end: the
real bot process is stopped and started again between two questions, with SQLite and
with PostgreSQL, and keeps the /lang choice and the follow-up context."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bot.telegram.chatdata import ChatData, ChatMemory
from bot.telegram.database import Database, DatabaseConfigError
from bot.telegram.persistence import SQLPersistence
from botapi_standin import BotAPIStandIn, Updates
from intents.pipeline import Pipeline
from postgres_server import LatencyProxy, reset
from telegram_fixtures import TOKEN, USERNAME, start_polling

PASSWORD = "pw-for-tests-" + "0123456789"


@pytest.fixture(scope="module")
def cli() -> Pipeline:
    return Pipeline.load()


def shown(call) -> str:
    return call.params["_shown"]


# ---- the state as JSON --------------------------------------------------------------------------

def test_state_round_trips_through_json(cli):
    reply = cli.ask("hoeveel terugkeerders via DVZ in maart 2020")
    state = ChatData(context=reply.context, forced="fr", asked=12.5, seen=13.0)
    again = ChatData.from_json(state.to_json())
    assert again == state and again.lang == "nl"
    # The restored context answers the follow-up as the original does.
    assert cli.ask("en in april?", context=again.context).text == cli.ask("en in april?", context=reply.context).text


def test_a_month_the_answer_picked_round_trips_as_json_text(cli):
    """"and the same month of 2020?" after the busiest month of 2019 needs the month picked,
    also after the state was written out as JSON text (it once held a Period json cannot write)."""
    context = cli.ask("which month of 2019 was the busiest?").context
    again = ChatData.from_json(json.loads(json.dumps(ChatData(context=context).to_json())))
    assert again.context == context
    assert "112" in cli.ask("and the same month of 2020?", context=again.context).text  # 2020.txt:41 (March)


def test_the_question_before_the_last_round_trips_too(cli):
    """"het verschil?" after "2019" and "en in 2020?" needs both questions, also after a restart."""
    context = cli.ask("en in 2020?", context=cli.ask("hoeveel terugkeerders in 2019").context).context
    again = ChatData.from_json(ChatData(context=context).to_json())
    assert again.context == context
    assert "579 minder" in cli.ask("het verschil?", context=again.context).text  # 2020.txt:63-70: 2,426 - 1,847


def test_a_run_of_questions_round_trips_and_an_old_run_length_starts_anew(cli):
    """"tel die drie op" after three months needs all three questions, also after a restart; a
    state saved when only the run's length was kept starts a new run."""
    context = None
    for question in ("hoeveel terugkeerders in januari 2020", "en februari", "en maart"):
        context = cli.ask(question, context=context).context
    again = ChatData.from_json(ChatData(context=context).to_json())
    assert len(again.context.run) == 3
    assert "557" in cli.ask("tel die drie eens op", context=again.context).text  # 2020.txt:39-41: 223 + 222 + 112
    saved = ChatData(context=context).to_json()
    saved["context"]["run"] = 3
    assert ChatData.from_json(saved).context.run == ()


def test_state_of_another_version_or_damaged_is_a_fresh_start():
    assert ChatData.from_json({"v": 0, "lang": "nl"}) == ChatData()
    assert ChatData.from_json({"v": 1, "context": {"query": {"periods": [{"start": 5}]}}}) == ChatData()
    assert ChatData.from_json("garbage") == ChatData()


def test_a_state_that_kept_its_language_apart_keeps_it():
    """Written before the language was the context's: no context, the language on its own."""
    state = ChatData.from_json({"v": 2, "context": None, "lang": "fr", "forced": None, "asked": 5.0, "seen": 6.0})
    assert (state.lang, state.context.request, state.seen) == ("fr", None, 6.0)


@pytest.mark.parametrize("url, problem", [
    ("postgresql://u:Kq/Zv7x@db.example.test:5432/d", "port is not a number"),    # libpq: host 'u', port 'Kq'
    ("postgresql://u:Xq7@Zr9@db.example.test/d", "host holds an @"),
    ("postgresql://u:Jd8Mz@db.example.test:54x2/d", "port is not a number"),
    ("postgresql://u:Jd8Mz@[::1/d", "not a URL"),
    ("postgresql://u:Jd8Mz@db.example.test:99999/d", "port is not a number"),
])
def test_a_malformed_database_url_is_explained_without_any_part_of_it(url, problem):
    with pytest.raises(DatabaseConfigError) as caught:
        Database.from_env({"DATABASE_URL": url})
    message = str(caught.value)
    assert message.startswith("DATABASE_URL") and problem in message and "percent-encoded" in message
    password = url.split("//u:")[1].rsplit("@", 1)[0]
    assert not any(password[k:k + 3] in message for k in range(len(password) - 2)), message


def test_a_database_url_is_read_as_libpq_reads_it():
    # libpq takes # and ? in a password as they are, where a URL parser would cut there.
    for password in ("pw#with?marks", "p%23w"):
        db = Database.from_env({"DATABASE_URL": f"postgres://u:{password}@db.example.test:5433/d1"})
        assert db.describe() == "PostgreSQL at db.example.test:5433/d1"
        assert password in db.secrets
    assert "p#w" in Database.from_env({"DATABASE_URL": "postgres://u:p%23w@h/d"}).secrets
    assert Database.from_env({"RETURNBOT_DB_RETRY": "2"}).retry == 2
    for bad in ("0", "soon", "²", "-5"):
        with pytest.raises(DatabaseConfigError, match="^RETURNBOT_DB_RETRY must be") as caught:
            Database.from_env({"RETURNBOT_DB_RETRY": bad})
        assert bad not in str(caught.value)


def test_a_bad_database_url_stops_the_bot_in_one_line(tmp_path):
    import subprocess
    import sys

    from telegram_fixtures import bot_env

    result = subprocess.run([sys.executable, "-m", "bot", "telegram", "--polling"], capture_output=True, text=True,
                            cwd="/", timeout=60, env=bot_env(TELEGRAM_TOKEN=TOKEN,
                                                             DATABASE_URL="postgresql://u:Wq/Zk9x@h:5432/d"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "DATABASE_URL" in result.stderr and "Wq" not in result.stderr and "Zk9x" not in result.stderr


def test_database_url_is_checked_and_its_password_kept_secret(tmp_path):
    assert Database.from_env({"RETURNBOT_STATE": str(tmp_path)}).sqlite_path == tmp_path / "telegram.sqlite3"
    assert Database.from_env({"XDG_STATE_HOME": str(tmp_path)}).sqlite_path == tmp_path / "returnbot" / "telegram.sqlite3"
    db = Database.from_env({"DATABASE_URL": f"postgres://u:{PASSWORD}@db.example.test:5433/d1"})
    assert db.secrets == (PASSWORD,) and PASSWORD not in db.describe()
    assert db.describe() == "PostgreSQL at db.example.test:5433/d1"
    for bad in (f"mysql://u:{PASSWORD}@h/d", "postgres:///nohost", "db.example.test"):
        with pytest.raises(DatabaseConfigError, match="DATABASE_URL") as exc:
            Database.from_env({"DATABASE_URL": bad})
        assert PASSWORD not in str(exc.value)


# ---- the persistence, on both databases -----------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return lambda: Database(None, tmp_path / "state" / "telegram.sqlite3")
    url = request.getfixturevalue("postgres_url")
    reset(url)
    return lambda: Database(url)


def _state(cli, question: str, seen: float) -> ChatData:
    return ChatData(context=cli.ask(question).context, asked=seen, seen=seen)


def test_persistence_keeps_chats_bounded_by_age_and_count(database, cli):
    async def scenario():
        now = 10_000.0
        first = SQLPersistence(database(), size=2, ttl=100, clock=lambda: now)
        await first.update_chat_data(1, _state(cli, "how many returns in 2019", now - 150))   # too old
        await first.update_chat_data(2, _state(cli, "how many returns in 2018", now - 50))
        await first.update_chat_data(3, _state(cli, "how many returns in 2017", now - 20))
        await first.update_chat_data(4, _state(cli, "how many returns in 2016", now - 10))
        await first.drop_chat_data(4)
        await first.update_chat_data(5, _state(cli, "how many returns in 2015", now - 5))
        await first.flush()
        second = SQLPersistence(database(), size=2, ttl=100, clock=lambda: now)
        chats = await second.get_chat_data()
        await second.flush()
        return chats

    chats = asyncio.run(scenario())
    assert sorted(chats) == [3, 5]
    assert chats[5].context.request.slots.periods[0].first_year == 2015


def test_refresh_takes_a_newer_state_and_never_an_older_one(database, cli):
    async def scenario():
        persistence = SQLPersistence(database())
        other = SQLPersistence(database())   # a second process on the same database
        await other.update_chat_data(7, _state(cli, "how many returns in 2014", 500.0))
        await other.saved()
        mine = _state(cli, "how many returns in 2013", 400.0)
        await persistence.refresh_chat_data(7, mine)
        taken = mine.copy()
        newest = _state(cli, "how many returns in 2012", 900.0)
        await persistence.refresh_chat_data(7, newest)
        await persistence.flush()
        await other.flush()
        return taken, newest

    taken, newest = asyncio.run(scenario())
    assert taken.context.request.slots.periods[0].first_year == 2014
    assert newest.context.request.slots.periods[0].first_year == 2012


def test_a_database_that_is_down_is_logged_once_and_the_writes_wait(tmp_path, caplog, cli):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")

    async def scenario():
        db = Database(None, blocker / "telegram.sqlite3")
        persistence = SQLPersistence(db)
        loaded = await persistence.get_chat_data()
        for chat in (1, 2, 3):
            await persistence.update_chat_data(chat, _state(cli, "how many returns in 2019", time.time() + chat))
        state = _state(cli, "how many returns in 2011", 50.0)
        await persistence.refresh_chat_data(1, state)
        pending = sorted(persistence._pending)
        blocker.unlink()   # the database comes back
        await persistence.flush()
        return loaded, pending, state

    with caplog.at_level(logging.INFO, logger="returnbot.persistence"):
        loaded, pending, state = asyncio.run(scenario())
    assert loaded == {} and pending == [1, 2, 3]
    assert state.context.request.slots.periods[0].first_year == 2011
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
    assert any("available again" in r.getMessage() for r in caplog.records)

    async def reload():
        again = SQLPersistence(Database(None, blocker / "telegram.sqlite3"))
        chats = await again.get_chat_data()
        await again.flush()
        return chats

    assert sorted(asyncio.run(reload())) == [1, 2, 3]


def test_chat_memory_over_loaded_chat_data_drops_the_oldest(cli):
    class Chats:
        # PTB's chat_data is a defaultdict: a new chat's entry is made on first use.
        chat_data = defaultdict(ChatData, {n: _state(cli, "how many returns in 2019", float(n)) for n in range(1, 6)})

        def drop_chat_data(self, chat_id: int) -> None:
            dropped.append(chat_id)
            self.chat_data.pop(chat_id)

    dropped: list[int] = []
    chats, memory = Chats(), ChatMemory(size=3, ttl=1000, clock=lambda: 10.0)
    memory.put(chats, 9, ChatData(forced="fr"))
    assert dropped == [1, 2, 3] and len(memory) == 3 and chats.chat_data[9].forced == "fr"


# ---- a restart of the real bot process ------------------------------------------------------------

def _restart_scenario(tmp_path: Path, cli: Pipeline, **env: str) -> tuple[list[str], list[str], str]:
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        u = Updates()
        bot = start_polling(api, tmp_path, **env)
        try:
            api.push(u.update(u.command(5001, "/lang fr")))
            api.push(u.update(u.text(5002, "how many returns in march 2020")))
            api.wait_sent(5001)
            api.wait_sent(5002)
            status, _ = bot.stop()
        finally:
            bot.close()
        assert status == 0, bot.log()
        again = start_polling(api, tmp_path, **env)
        try:
            api.push(u.update(u.text(5001, "how many returns in 2020")))
            api.push(u.update(u.text(5002, "and in april?")))
            lang_chat = [shown(c) for c in api.wait_sent(5001, 2)]
            follow_chat = [shown(c) for c in api.wait_sent(5002, 2)]
            again.stop()
        finally:
            again.close()
        bot.assert_no_secrets()
        again.assert_no_secrets()
    return lang_chat, follow_chat, bot.log() + again.log()


def _check_restart(result, cli):
    lang_chat, follow_chat, log = result
    first = cli.ask("how many returns in march 2020")
    assert follow_chat == [first.text, cli.ask("and in april?", context=first.context).text]
    assert follow_chat[1].startswith("In April 2020, 61")   # 2020.txt:45
    assert lang_chat[1] == cli.ask("how many returns in 2020", lang="fr").text
    assert lang_chat[1].startswith("En 2020, 1\u202f847")   # 2020.txt:63
    return log


def test_restart_keeps_language_and_context_with_sqlite(tmp_path, cli):
    log = _check_restart(_restart_scenario(tmp_path, cli), cli)
    assert "memory kept in SQLite at" in log and (tmp_path / "state" / "telegram.sqlite3").exists()


def test_restart_keeps_language_and_context_with_postgresql(tmp_path, cli, postgres_url):
    reset(postgres_url)
    log = _check_restart(_restart_scenario(tmp_path, cli, DATABASE_URL=postgres_url), cli)
    assert "memory kept in PostgreSQL at 127.0.0.1" in log and not (tmp_path / "state" / "telegram.sqlite3").exists()


def test_bot_with_its_database_down_answers_and_says_so_once(tmp_path, cli):
    from telegram_fixtures import free_port

    url = f"postgresql://returnbot:{PASSWORD}@127.0.0.1:{free_port()}/returnbot"   # nothing listens there
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        u = Updates()
        bot = start_polling(api, tmp_path, DATABASE_URL=url)
        try:
            first = cli.ask("how many returns in march 2020")
            api.push(u.update(u.text(5003, "how many returns in march 2020")))
            api.push(u.update(u.text(5003, "and in april?")))
            sent = [shown(c) for c in api.wait_sent(5003, 2, timeout=30)]
            status, _ = bot.stop(timeout=20)
        finally:
            bot.close()
    assert sent == [first.text, cli.ask("and in april?", context=first.context).text]
    log = bot.log()
    assert status == 0 and log.count("answering from memory") == 1 and "Traceback" not in log
    assert PASSWORD not in log and "returnbot:" not in log
    assert "nothing answers at that address" in log


def test_a_wrong_database_password_is_told_apart_from_a_server_that_is_down(tmp_path, own_postgres):
    url = own_postgres.add_password_user(own_postgres.url, "returnbot_pw", PASSWORD)
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        bot = start_polling(api, tmp_path, DATABASE_URL=url.replace(PASSWORD, "wrong-" + PASSWORD))
        try:
            api.wait_for(lambda: "unavailable" in bot.log(), 10, "the failure in the log")
            status, _ = bot.stop()
        finally:
            bot.close()
    log = bot.log()
    assert status == 0 and "refused the user name or password in DATABASE_URL" in log, log
    bot.assert_no_secrets(PASSWORD, "wrong-" + PASSWORD)


def _rows(url: str) -> set[int]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        return {row[0] for row in conn.execute("SELECT chat_id FROM returnbot_chats")}


def test_what_was_kept_while_postgresql_was_down_is_written_when_it_is_back(tmp_path, cli, own_postgres):
    reset(own_postgres.url)
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        u = Updates()
        bot = start_polling(api, tmp_path, DATABASE_URL=own_postgres.url, RETURNBOT_DB_RETRY="2")
        try:
            api.push(u.update(u.text(8001, "how many returns in march 2020")))
            api.wait_sent(8001)
            api.wait_for(lambda: 8001 in _rows(own_postgres.url), 5, "chat 8001 written")
            own_postgres.halt()
            api.push(u.update(u.text(8002, "how many returns in march 2020")))
            api.wait_sent(8002)   # answered from memory
            api.wait_for(lambda: "unavailable" in bot.log(), 10, "the failure in the log")
            own_postgres.restart()
            back = time.monotonic()
            # No more traffic: the retry alone writes what was kept.
            api.wait_for(lambda: 8002 in _rows(own_postgres.url), 2 + 3, "chat 8002 written without traffic")
            assert time.monotonic() - back < 5
            status, _ = bot.stop()
        finally:
            bot.close()
    assert status == 0 and "available again" in bot.log()


def test_a_frozen_postgresql_holds_neither_an_answer_nor_the_stop(tmp_path, cli, own_postgres):
    import signal

    reset(own_postgres.url)
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        u = Updates()
        bot = start_polling(api, tmp_path, DATABASE_URL=own_postgres.url)
        try:
            api.push(u.update(u.text(8101, "how many returns in march 2020")))
            api.wait_sent(8101)
            own_postgres.freeze()
            asked = time.monotonic()
            api.push(u.update(u.text(8102, "how many returns in march 2020")))
            api.push(u.update(u.text(8101, "and in april?")))
            assert shown(api.wait_sent(8102, timeout=3)[0]) == cli.ask("how many returns in march 2020").text
            first = cli.ask("how many returns in march 2020")
            assert shown(api.wait_sent(8101, 2, timeout=3)[1]) == cli.ask("and in april?", context=first.context).text
            assert time.monotonic() - asked < 3
            api.wait_for(lambda: "did not answer" in bot.log(), 10, "the hung database in the log")
            status, seconds = bot.stop(timeout=15)
        finally:
            bot.close()
            own_postgres.freeze(signal.SIGCONT)
    assert status == 0 and seconds < 10, (status, seconds)
    assert "could not be saved" in bot.log() and "Traceback" not in bot.log()


# ---- faults, against the real bot process -----------------------------------------------------------

def _sqlite_chats(path: Path) -> set[int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT chat_id FROM returnbot_chats")}


def test_under_load_each_changed_chat_is_written_once(tmp_path):
    from load_webhook import database_writes, post_new_chats
    from telegram_fixtures import free_port, start_webhook

    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, tmp_path, port, TELEGRAM_MAX_RATE="0")
        try:
            posted = post_new_chats(port, 300, senders=16)
            api.wait_for(lambda: len(api.sent()) >= len(posted), 30, "every answer")
            status, _ = bot.stop()
        finally:
            bot.close()
    assert status == 0 and len(posted) == 300
    # One question per chat: one write per chat (a few at most, were a chat marked twice).
    assert len(posted) <= database_writes(bot.log()) <= 1.5 * len(posted), bot.log()
    assert _sqlite_chats(tmp_path / "state" / "telegram.sqlite3") == set(posted)


def test_kill_9_under_load_loses_at_most_the_flush_interval(tmp_path):
    import signal
    import threading

    from bot.telegram.persistence import FLUSH_SECONDS
    from load_webhook import post_new_chats
    from telegram_fixtures import free_port, start_webhook

    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, tmp_path, port, TELEGRAM_MAX_RATE="0")
        stop = threading.Event()
        senders = threading.Thread(target=post_new_chats, args=(port, 100_000), kwargs={"until": stop})
        try:
            senders.start()
            # Killed once the first answers are older than the interval and a margin.
            api.wait_for(lambda: api.sent() and time.monotonic() - api.sent()[0].at > FLUSH_SECONDS + 1.5, 30,
                         "answers older than the flush interval")
            bot.proc.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            bot.proc.wait(5)
        finally:
            stop.set()
            senders.join(30)
            bot.close()
        answered = {call.params["chat_id"]: call.at for call in api.sent()}
    stored = _sqlite_chats(tmp_path / "state" / "telegram.sqlite3")
    # The state is stored once the answer is sent: a chat answered over an interval ago is written.
    old = {chat for chat, at in answered.items() if killed - at > FLUSH_SECONDS + 1}
    lost = sorted(killed - answered[chat] for chat in old - stored)
    assert old and not lost, f"{len(lost)} chat(s) answered before the kill are not in the file, the oldest {lost[-1]:.1f} s"


def test_a_damaged_row_costs_its_chat_only(tmp_path, cli):
    import sqlite3

    now = time.time()
    db_path = tmp_path / "state" / "telegram.sqlite3"

    async def fill():
        persistence = SQLPersistence(Database(None, db_path))
        for chat in range(7000, 7121):
            await persistence.update_chat_data(chat, _state(cli, "how many returns in march 2020", now))
        await persistence.flush()

    asyncio.run(fill())
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE returnbot_chats SET data = ? WHERE chat_id = 7060", (b'\xff{"v": 1, "lang": "fr"',))
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        u = Updates()
        bot = start_polling(api, tmp_path)
        try:
            api.push(u.update(u.text(7001, "and in april?")), u.update(u.text(7060, "and in april?")))
            good, damaged = shown(api.wait_sent(7001)[0]), shown(api.wait_sent(7060)[0])
            status, _ = bot.stop()
        finally:
            bot.close()
    first = cli.ask("how many returns in march 2020")
    assert good == cli.ask("and in april?", context=first.context).text   # the context of a good row is kept
    assert damaged == cli.ask("and in april?").text   # the damaged one starts afresh
    log = bot.log()
    assert status == 0 and "memory: 120 chat(s)" in log and log.count("damaged row") == 1, log
    assert "unavailable" not in log and "Traceback" not in log


def test_postgresql_1_ms_away_keeps_up_with_the_load_and_stops_in_time(tmp_path, postgres_url):
    from urllib.parse import urlsplit

    from load_webhook import database_writes, post_new_chats
    from telegram_fixtures import free_port, start_webhook

    reset(postgres_url)
    proxy = LatencyProxy(urlsplit(postgres_url).port)
    far = postgres_url.replace(f":{urlsplit(postgres_url).port}/", f":{proxy.port}/")
    try:
        with BotAPIStandIn(TOKEN, USERNAME) as api:
            port = free_port()
            bot = start_webhook(api, tmp_path, port, TELEGRAM_MAX_RATE="0", DATABASE_URL=far)
            try:
                started = time.monotonic()
                posted = post_new_chats(port, 300, senders=16)
                api.wait_for(lambda: len(api.sent()) >= len(posted), 15, "every answer")
                took = time.monotonic() - started
                status, seconds = bot.stop()
            finally:
                bot.close()
    finally:
        proxy.close()
    log = bot.log()
    assert status == 0 and len(posted) == 300 and took < 8 and seconds < 5, (took, seconds, log)
    assert "unanswered" not in log and "unavailable" not in log
    assert database_writes(log) <= 1.5 * len(posted)
    assert _rows(postgres_url) == set(posted)

