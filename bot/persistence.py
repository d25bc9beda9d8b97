"""What the Telegram bot remembers per chat, and where it keeps it between restarts.

`ChatStore` is the bounded per-chat memory the handlers read and write (language,
/lang choice, the context of the last question). Its entries are plain JSON-able dicts
in PTB's `chat_data`, so PTB's persistence interface can save them: `SQLPersistence`
writes them to SQLite (a file in the user's state directory, the default) or to
PostgreSQL (when DATABASE_URL is set, as Heroku Postgres does). A database that is down
is logged once; the bot goes on answering from memory and writes what it kept when the
database is back.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sqlite3
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram.ext import BasePersistence, PersistenceInput

from bot.paths import state_dir
from intents.pipeline import Context

MAX_CHATS = 10_000           # chats remembered at once; the least recently active go first
CHAT_TTL = 7 * 24 * 3600     # a chat silent this long is forgotten, /lang choice included
CONTEXT_TTL = 3600           # a follow-up refers to a question asked at most this long ago
FLUSH_SECONDS = 1.0          # PTB writes changed chats this often (and at stop)
RETRY_SECONDS = 30.0         # after a failure, the database is left alone this long
STATE_VERSION = 2            # bumped when the stored shape changes: older entries are ignored

log = logging.getLogger("returnbot.persistence")


class DatabaseConfigError(ValueError):
    """DATABASE_URL is malformed; the message names the variable, never its value."""


# ---- one chat's state, as JSON ------------------------------------------------------------

@dataclasses.dataclass
class ChatState:
    context: Context | None = None   # what a follow-up question builds on
    lang: str | None = None          # language of the last answer
    forced: str | None = None        # language set with /lang
    asked: float = 0.0               # when `context` was stored (wall clock: it outlives the process)
    seen: float = 0.0


def state_to_json(state: ChatState) -> dict[str, Any]:
    return {"v": STATE_VERSION, "lang": state.lang, "forced": state.forced, "asked": state.asked, "seen": state.seen,
            "context": None if state.context is None else state.context.to_json()}


def state_from_json(data: Any) -> ChatState:
    """A fresh state for anything this version did not write (an older shape, a damaged row)."""
    if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
        return ChatState()
    try:
        raw = data.get("context")
        context = None if raw is None else Context.from_json(raw)
        return ChatState(context=context, lang=data.get("lang"), forced=data.get("forced"),
                         asked=float(data.get("asked") or 0), seen=float(data.get("seen") or 0))
    except (TypeError, ValueError, KeyError, AttributeError):
        return ChatState()


# ---- bounded memory over chat_data --------------------------------------------------------------

class ChatStore:
    """What the bot remembers per chat, bounded in size and age so memory cannot grow
    without end: at most `size` chats (the least recently active are dropped first), a
    chat is forgotten after `ttl` seconds of silence, its conversation context after
    `context_ttl`. The entries live in `chats` (PTB's chat_data in the bot, a dict on its
    own); `drop` removes one (PTB's drop_chat_data, which also deletes it from the
    database). Used from the event loop only, so it needs no lock."""

    def __init__(self, size: int = MAX_CHATS, ttl: float = CHAT_TTL, context_ttl: float = CONTEXT_TTL,
                 clock: Callable[[], float] = time.time):
        self.size, self.ttl, self.context_ttl, self.clock = size, ttl, context_ttl, clock
        self.chats: MutableMapping[int, dict] = defaultdict(dict)
        self.drop: Callable[[int], None] = lambda chat_id: self.chats.pop(chat_id, None)
        self._order: OrderedDict[int, float] = OrderedDict()   # chat -> last activity, oldest first

    def attach(self, chats: MutableMapping[int, dict], drop: Callable[[int], None]) -> None:
        """Works over `chats` from now on (PTB's chat_data, as loaded from the database)."""
        self.chats, self.drop = chats, drop
        seen = sorted((state_from_json(data).seen, chat_id) for chat_id, data in chats.items())
        self._order = OrderedDict((chat_id, when) for when, chat_id in seen)
        self._evict(self.clock())

    def __len__(self) -> int:
        return len(self._order)

    def get(self, chat_id: int) -> ChatState:
        """A copy of the chat's state (a fresh one for a new or forgotten chat)."""
        now = self.clock()
        data = self.chats.get(chat_id)
        state = state_from_json(data) if data else ChatState()
        if now - state.seen > self.ttl:
            return ChatState()
        if now - state.asked > self.context_ttl:
            state.context = None
        return state

    def put(self, chat_id: int, state: ChatState) -> None:
        now = self.clock()
        entry = self.chats[chat_id]   # created on first use, in PTB's chat_data as in a defaultdict
        entry.clear()   # in place: PTB hands this very dict to the persistence
        entry.update(state_to_json(dataclasses.replace(state, seen=now)))
        self._order[chat_id] = now
        self._order.move_to_end(chat_id)
        self._evict(now)

    def _evict(self, now: float) -> None:
        while self._order:
            oldest_id, oldest = next(iter(self._order.items()))
            if len(self._order) <= self.size and now - oldest <= self.ttl:
                break
            del self._order[oldest_id]
            self.drop(oldest_id)


# ---- databases ---------------------------------------------------------------------------------

class Database:
    """One table, chat id -> JSON and last activity, in SQLite or PostgreSQL. Calls block:
    `SQLPersistence` runs them on a thread of their own."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS returnbot_chats (chat_id BIGINT PRIMARY KEY, "
              "seen DOUBLE PRECISION NOT NULL, data TEXT NOT NULL)")

    def __init__(self, url: str | None, sqlite_path: Path | None = None):
        self.url, self.sqlite_path = url, sqlite_path
        self.kind = "postgresql" if url else "sqlite"
        self.mark = "%s" if url else "?"
        self._conn: Any = None

    @classmethod
    def from_env(cls, env: dict[str, str] | MutableMapping[str, str]) -> Database:
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            return cls(None, state_dir(env) / "telegram.sqlite3")
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
            raise DatabaseConfigError("DATABASE_URL must be a PostgreSQL URL such as "
                                      "postgresql://user:password@host:5432/dbname")
        return cls(url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What logs must never show: the password in DATABASE_URL."""
        password = urlsplit(self.url).password if self.url else None
        return (password,) if password else ()

    def describe(self) -> str:
        """For the start-up log line: the kind and where, without user or password."""
        if self.url:
            parts = urlsplit(self.url)
            return f"PostgreSQL at {parts.hostname}:{parts.port or 5432}{parts.path}"
        return f"SQLite at {self.sqlite_path}"

    def _connect(self) -> Any:
        if self._conn is None:
            if self.url:
                import psycopg  # lazy: only a bot with DATABASE_URL needs it

                self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            else:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.sqlite_path, isolation_level=None, timeout=5)
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(self.SCHEMA)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            cursor = self._connect().execute(sql.replace("?", self.mark), params)
            return list(cursor.fetchall()) if cursor.description else []
        except Exception:
            self.close()   # a broken connection is opened anew on the next call
            raise

    def load(self, since: float, limit: int) -> dict[int, dict]:
        self._run("DELETE FROM returnbot_chats WHERE seen < ?", (since,))
        rows = self._run("SELECT chat_id, data FROM returnbot_chats ORDER BY seen DESC LIMIT ?", (limit,))
        return {int(chat_id): json.loads(data) for chat_id, data in rows}

    def read(self, chat_id: int) -> dict | None:
        rows = self._run("SELECT data FROM returnbot_chats WHERE chat_id = ?", (chat_id,))
        return json.loads(rows[0][0]) if rows else None

    def write(self, chat_id: int, data: dict) -> None:
        self._run("INSERT INTO returnbot_chats (chat_id, seen, data) VALUES (?, ?, ?) "
                  "ON CONFLICT (chat_id) DO UPDATE SET seen = excluded.seen, data = excluded.data",
                  (chat_id, float(data.get("seen") or 0), json.dumps(data)))

    def delete(self, chat_id: int) -> None:
        self._run("DELETE FROM returnbot_chats WHERE chat_id = ?", (chat_id,))


class SQLPersistence(BasePersistence):
    """PTB's persistence for chat_data only, over a `Database`. PTB loads every chat at
    start, refreshes a chat from the database before each of its updates (so that a
    second process's answers are seen), and writes changed chats every FLUSH_SECONDS and
    at stop. When the database fails, the failure is logged once, the database is left
    alone for RETRY_SECONDS, and the writes wait in memory."""

    def __init__(self, db: Database, size: int = MAX_CHATS, ttl: float = CHAT_TTL,
                 clock: Callable[[], float] = time.time):
        super().__init__(PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False),
                         update_interval=FLUSH_SECONDS)
        self.db, self.size, self.ttl, self.clock = db, size, ttl, clock
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="returnbot-db")
        self._pending: dict[int, dict | None] = {}   # writes (None: a deletion) not yet done
        self._down_until = 0.0
        self._down = False

    async def _call(self, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, result), or (False, None) when the database failed or is being left alone."""
        if time.monotonic() < self._down_until:
            return False, None
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)
        except Exception as exc:   # any driver error: the bot must go on from memory
            self._down_until = time.monotonic() + RETRY_SECONDS
            if not self._down:
                self._down = True
                log.warning("the database (%s) is unavailable, answering from memory until it is back: %s",
                            self.db.describe(), type(exc).__name__)
            return False, None
        if self._down:
            self._down = False
            log.info("the database (%s) is available again", self.db.describe())
        return True, result

    async def _write_pending(self) -> None:
        while self._pending:
            chat_id, data = next(iter(self._pending.items()))
            ok, _ = await self._call(self.db.delete if data is None else self.db.write,
                                     *((chat_id,) if data is None else (chat_id, data)))
            if not ok:
                return
            if self._pending.get(chat_id) is data:
                del self._pending[chat_id]

    # -- what PTB calls ------------------------------------------------------------------
    async def get_chat_data(self) -> dict[int, dict]:
        ok, chats = await self._call(self.db.load, self.clock() - self.ttl, self.size)
        if ok:
            log.info("memory: %d chat(s) from %s", len(chats), self.db.describe())
        return chats if ok else {}

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        await self._write_pending()
        if chat_id in self._pending:
            return   # memory holds what the database has not got yet
        ok, stored = await self._call(self.db.read, chat_id)
        # Another process answered this chat since: take its state. Never go back in time.
        if ok and isinstance(stored, dict) and float(stored.get("seen") or 0) > float(chat_data.get("seen") or 0):
            chat_data.clear()
            chat_data.update(stored)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        if data:
            self._pending[chat_id] = data
            await self._write_pending()

    async def drop_chat_data(self, chat_id: int) -> None:
        self._pending[chat_id] = None
        await self._write_pending()

    async def flush(self) -> None:
        self._down_until = 0.0   # the last chance: try once more whatever happened before
        await self._write_pending()
        if self._pending:
            log.warning("%d chat(s) could not be saved: the database is unavailable", len(self._pending))
        await asyncio.get_running_loop().run_in_executor(self._thread, self.db.close)
        self._thread.shutdown(wait=True)

    # -- what the bot does not keep ------------------------------------------------------
    async def get_user_data(self) -> dict:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        return {}

    async def update_conversation(self, name: str, key: tuple, new_state: object) -> None:
        """No conversation handlers."""

    async def update_user_data(self, user_id: int, data: dict) -> None:
        """No user_data."""

    async def update_bot_data(self, data: dict) -> None:
        """No bot_data."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is self-contained in the buttons."""

    async def drop_user_data(self, user_id: int) -> None:
        """No user_data."""

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """No user_data."""

    async def refresh_bot_data(self, bot_data: dict) -> None:
        """No bot_data."""
