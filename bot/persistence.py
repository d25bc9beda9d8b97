"""What the Telegram bot remembers per chat, and where it keeps it between restarts.

`ChatStore` is the bounded per-chat memory the handlers read and write (language,
/lang choice, the context of the last question). Its entries are plain JSON-able dicts
in PTB's `chat_data`, so PTB's persistence interface can save them: `SQLPersistence`
writes them to SQLite (a file in the user's state directory, the default) or to
PostgreSQL (when DATABASE_URL is set, as Heroku Postgres does), each changed chat once
per flush, in one transaction. Database work never holds an answer: a chat's state is
read with a deadline, writes happen beside the answers, and a call that hangs is cut
off. A database that is down is logged once; the bot goes on answering from memory and
writes what it kept when the database is back.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import logging
import os
import queue
import re
import socket
import sqlite3
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.paths import state_dir
from intents.models import LANGS
from intents.pipeline import Context

MAX_CHATS = 10_000           # chats remembered at once; the least recently active go first
CHAT_TTL = 7 * 24 * 3600     # a chat silent this long is forgotten, /lang choice included
CONTEXT_TTL = 3600           # a follow-up refers to a question asked at most this long ago
FLUSH_SECONDS = 1.0          # changed chats are written this often (and at stop)
RETRY_SECONDS = 30.0         # after a failure, the database is left alone this long, then tried again
READ_SECONDS = 0.5           # a chat's state is read before its update for at most this long
CALL_SECONDS = 5.0           # any other database call: then it is cut off (also the server's statement_timeout)
STOP_SECONDS = 5.0           # the last write at stop: with the 6 s drain, well within the platform's 30 s
# An answer's CSV button works while its answer is among the chat's latest this many with a table.
MAX_TABLES = 8
STATE_VERSION = 2            # bumped when the stored shape changes: older entries are ignored

log = logging.getLogger("returnbot.persistence")


class DatabaseConfigError(ValueError):
    """DATABASE_URL is malformed; the message names the variable, never its value."""


# What libpq reads differently from what was meant when a password is not percent-encoded.
ENCODE_HINT = ("; a user name or password holding @ : / ? # [ ] or % must be percent-encoded in the URL "
               "(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25)")
PORT_SHAPE = re.compile(r"[0-9]{1,5}")


# ---- one chat's state, as JSON ------------------------------------------------------------

@dataclasses.dataclass
class ChatState:
    context: Context | None = None   # what a follow-up question builds on
    lang: str | None = None          # language of the last answer
    forced: str | None = None        # language set with /lang
    asked: float = 0.0               # when `context` was stored (wall clock: it outlives the process)
    seen: float = 0.0
    # The answers whose CSV button may still be pressed: key (the button's) -> {"request": the
    # resolved request as JSON, "lang": the reply's language}; the latest MAX_TABLES only.
    tables: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def add_table(self, request: dict[str, Any], lang: str) -> str:
        """Remembers an answer for its CSV button; the key the button carries."""
        key = str(max((int(k) for k in self.tables), default=0) + 1)
        self.tables[key] = {"request": request, "lang": lang}
        for old in sorted(self.tables, key=int)[:-MAX_TABLES]:
            del self.tables[old]
        return key


def state_to_json(state: ChatState) -> dict[str, Any]:
    return {"v": STATE_VERSION, "lang": state.lang, "forced": state.forced, "asked": state.asked, "seen": state.seen,
            "context": None if state.context is None else state.context.to_json(), "tables": state.tables}


def state_from_json(data: Any) -> ChatState:
    """A fresh state for anything this version did not write (an older shape, a damaged row)."""
    if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
        return ChatState()
    try:
        raw = data.get("context")
        context = None if raw is None else Context.from_json(raw)
        tables = data.get("tables") or {}   # a state written before the CSV button has none
        if not all(k.isdigit() and isinstance(v, dict) and v.get("lang") in LANGS and isinstance(v.get("request"), dict)
                   for k, v in tables.items()):
            tables = {}
        return ChatState(context=context, lang=data.get("lang"), forced=data.get("forced"),
                         asked=float(data.get("asked") or 0), seen=float(data.get("seen") or 0), tables=dict(tables))
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

    def move(self, old: int, new: int) -> None:
        """A group that became a supergroup (a new chat id) keeps what it had: its /lang choice
        (unless the new chat has one of its own) and the later of the two contexts."""
        state = self.get(old)
        if state == ChatState():
            return
        mine = self.get(new)
        if mine != ChatState():
            later = state if state.asked > mine.asked else mine
            state = dataclasses.replace(later, forced=mine.forced or state.forced)
        self.put(new, state)
        self._order.pop(old, None)
        self.drop(old)

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
    """One table, chat id -> JSON and last activity, in SQLite or PostgreSQL. Calls block, on
    the thread of a `_Worker`; `interrupt` may be called from any other thread."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS returnbot_chats (chat_id BIGINT PRIMARY KEY, "
              "seen DOUBLE PRECISION NOT NULL, data TEXT NOT NULL)")
    UPSERT = ("INSERT INTO returnbot_chats (chat_id, seen, data) VALUES (?, ?, ?) "
              "ON CONFLICT (chat_id) DO UPDATE SET seen = excluded.seen, data = excluded.data")

    def __init__(self, url: str | None, sqlite_path: Path | None = None, retry: float = RETRY_SECONDS):
        self.url, self.sqlite_path, self.retry = url, sqlite_path, retry
        self.kind = "postgresql" if url else "sqlite"
        self.mark = "%s" if url else "?"
        self._conn: Any = None
        self._params = _conninfo(url) if url else {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Database:
        retry_text = env.get("RETURNBOT_DB_RETRY", "").strip()
        if retry_text and not (PORT_SHAPE.fullmatch(retry_text) and int(retry_text) > 0):
            raise DatabaseConfigError("RETURNBOT_DB_RETRY must be a number of seconds (1 or more) in ASCII digits")
        retry = float(retry_text or RETRY_SECONDS)
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            return cls(None, state_dir(env) / "telegram.sqlite3", retry)
        return cls(url, retry=retry)

    def copy(self) -> Database:
        """The same database over a connection of its own."""
        return Database(self.url, self.sqlite_path, self.retry)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What logs must never show: the password in DATABASE_URL, as given and decoded."""
        given = re.match(r"[a-z]+://[^@/]*?:([^@]*)@", self.url or "")
        return tuple({s for s in (self._params.get("password"), given and given.group(1)) if s})

    def describe(self) -> str:
        """For the log: the kind and where, without user or password."""
        if self.url:
            params = self._params
            return f"PostgreSQL at {params['host']}:{params.get('port') or 5432}/{params.get('dbname', '')}"
        return f"SQLite at {self.sqlite_path}"

    def _connect(self) -> Any:
        if self._conn is None:
            if self.url:
                import psycopg  # lazy: only a bot with DATABASE_URL needs it

                # connect_timeout bounds a connection to a server that does not answer; the
                # statement_timeout a statement the server is slow with.
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=int(CALL_SECONDS))
                conn.execute(f"SET statement_timeout = {int(CALL_SECONDS * 1000)}")
            else:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.sqlite_path, isolation_level=None, timeout=CALL_SECONDS)
                conn.text_factory = bytes   # a row that is not UTF-8 is one damaged row, not a failed query
                # WAL: a commit survives the process being killed; NORMAL: without a disk sync at each one.
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(self.SCHEMA)
            self._conn = conn
        return self._conn

    def interrupt(self) -> None:
        """From another thread: ends the call in progress, which a hung server would hold for
        good. PostgreSQL: the socket is shut down under libpq, whose wait then fails at once;
        SQLite has a call for it."""
        conn = self._conn
        if conn is None:
            return
        try:
            if self.url:
                with socket.socket(fileno=os.dup(conn.fileno())) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            else:
                conn.interrupt()
        except Exception:   # already closed or broken: nothing left to interrupt
            pass

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

    def load(self, since: float, limit: int) -> tuple[dict[int, dict], set[int]]:
        """The chats active since `since`, the latest `limit`; and those whose row is damaged
        (left out: they start afresh)."""
        self._run("DELETE FROM returnbot_chats WHERE seen < ?", (since,))
        rows = self._run("SELECT chat_id, data FROM returnbot_chats ORDER BY seen DESC LIMIT ?", (limit,))
        chats = {int(chat_id): _decode(data) for chat_id, data in rows}
        good = {chat_id: data for chat_id, data in chats.items() if data is not None}
        return good, set(chats) - set(good)

    def read(self, chat_id: int) -> dict | None | bool:
        """The chat's stored state; None when there is none, False when its row is damaged."""
        rows = self._run("SELECT data FROM returnbot_chats WHERE chat_id = ?", (chat_id,))
        if not rows:
            return None
        data = _decode(rows[0][0])
        return False if data is None else data

    def write(self, changes: dict[int, tuple[float, str] | None]) -> None:
        """Chat id -> (last activity, its JSON), or None to delete it: all in one transaction."""
        rows = [(chat_id, *change) for chat_id, change in changes.items() if change is not None]
        gone = [(chat_id,) for chat_id, change in changes.items() if change is None]
        try:
            conn = self._connect()
            if self.url:
                with conn.transaction(), conn.cursor() as cursor:
                    self._write(cursor, rows, gone)
            else:
                conn.execute("BEGIN")
                try:
                    self._write(conn, rows, gone)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except Exception:
            self.close()
            raise

    def _write(self, cursor: Any, rows: list[tuple], gone: list[tuple]) -> None:
        if rows:
            cursor.executemany(self.UPSERT.replace("?", self.mark), rows)
        if gone:
            cursor.executemany(f"DELETE FROM returnbot_chats WHERE chat_id = {self.mark}", gone)


def _conninfo(url: str) -> dict[str, str]:
    """DATABASE_URL read by libpq's own rules (psycopg's conninfo parsing), checked for what
    libpq accepts but cannot have been meant: no host, a port that is not a number (an
    unencoded / in the password), an @ in the host (an unencoded @ in the password)."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise DatabaseConfigError("DATABASE_URL must be a PostgreSQL URL such as "
                                  "postgresql://user:password@host:5432/dbname")
    from psycopg import Error
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    except Error:   # its message quotes the value
        raise DatabaseConfigError("DATABASE_URL is not a URL that PostgreSQL's client can read" + ENCODE_HINT) from None
    hosts, ports = params.get("host", ""), params.get("port", "")
    if not hosts:
        raise DatabaseConfigError("DATABASE_URL names no host: it must look like "
                                  "postgresql://user:password@host:5432/dbname" + ENCODE_HINT)
    if any(not (PORT_SHAPE.fullmatch(port) and 0 < int(port) < 65536) for port in ports.split(",") if ports):
        raise DatabaseConfigError("DATABASE_URL's port is not a number (1-65535)" + ENCODE_HINT)
    if "@" in hosts:
        raise DatabaseConfigError("DATABASE_URL's host holds an @" + ENCODE_HINT)
    return params


def _decode(data: Any) -> dict | None:
    """A stored state, or None for a row that is not a JSON object."""
    try:
        value = json.loads(data)
    except (TypeError, ValueError):   # ValueError covers bad UTF-8 and bad JSON
        return None
    return value if isinstance(value, dict) else None


def _why(exc: BaseException) -> str:
    """What an operator needs to tell the causes apart, without the driver's message (it names
    the user and the host)."""
    if isinstance(exc, TimeoutError):
        return "it did not answer within the deadline (a hung server or network path)"
    text = str(exc).lower()
    if "password" in text or "authentication" in text or "pg_hba" in text or "role" in text:
        return "it refused the user name or password in DATABASE_URL"
    if "does not exist" in text:
        return "the database named in DATABASE_URL does not exist"
    if any(sign in text for sign in ("refused", "translate host", "no route", "unreachable", "timeout expired",
                                     "server closed", "server running", "terminating connection")):
        return "nothing answers at that address (the server is down or out of reach)"
    if "locked" in text or "busy" in text:
        return "the file is locked by another process"
    if "unable to open" in text or "readonly" in text or "disk" in text or "full" in text:
        return f"the file cannot be opened or written ({type(exc).__name__})"
    return type(exc).__name__


class _Worker:
    """A thread with a database connection of its own. A call past its deadline is cut off
    (`Database.interrupt`), so that the thread is free again; the thread is a daemon, so that
    a call hung beyond that cannot hold the process at exit."""

    def __init__(self, db: Database, name: str):
        self.db = db
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self.db.close()
                return
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue   # its caller gave up before it started
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

    async def call(self, seconds: float, fn: Callable[..., Any], *args: Any) -> Any:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((future, fn, args))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), seconds)
        except TimeoutError:
            if future.running():
                self.db.interrupt()
            raise

    def close(self) -> None:
        self._queue.put(None)


class SQLPersistence(BasePersistence):
    """PTB's persistence for chat_data only, over a `Database`. PTB loads every chat at
    start, refreshes a chat from the database before each of its updates (so that a
    second process's answers are seen), and hands over the changed chats every
    FLUSH_SECONDS and at stop; they are written in one transaction, each once, by one
    writer beside the answers. A read has READ_SECONDS, any other call CALL_SECONDS. When
    the database fails, the failure is logged once, the database is left alone for
    `db.retry` seconds and then tried again, and the writes wait in memory."""

    def __init__(self, db: Database, size: int = MAX_CHATS, ttl: float = CHAT_TTL,
                 clock: Callable[[], float] = time.time):
        super().__init__(PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False),
                         update_interval=FLUSH_SECONDS)
        self.db, self.size, self.ttl, self.clock = db, size, ttl, clock
        # Reads on a connection of their own: a long write never makes an answer wait.
        self._writer, self._reader = _Worker(db, "returnbot-db-write"), _Worker(db.copy(), "returnbot-db-read")
        # chat -> (last activity, its JSON), None for a deletion: the latest only
        self._pending: dict[int, tuple[float, str] | None] = {}
        self._writing: dict[int, tuple[float, str] | None] = {}   # the batch being written
        self._flushing: asyncio.Task | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._down_until = 0.0
        self._down = False
        self._reads_until = 0.0   # reads are skipped until then: one was too slow
        self._damaged: set[int] = set()   # chats whose damaged row was logged
        self.written = self.flushes = 0

    async def _call(self, worker: _Worker, seconds: float, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, result), or (False, None) when the database failed or is being left alone. A
        read past its deadline pauses the reads only: the writes, which hold no answer, go on."""
        reading = worker is self._reader
        if time.monotonic() < max(self._down_until, self._reads_until if reading else 0.0):
            return False, None
        try:
            result = await worker.call(seconds, fn, *args)
        except TimeoutError if reading else ():
            self._reads_until = time.monotonic() + self.db.retry
            log.warning("the database (%s) did not answer a read within %.1f s: answering from memory, "
                        "reads resume in %d s", self.db.describe(), seconds, self.db.retry)
            return False, None
        except Exception as exc:   # any driver error or a deadline: the bot must go on from memory
            self._down_until = time.monotonic() + self.db.retry
            if not self._down:
                self._down = True
                log.warning("the database (%s) is unavailable: %s; answering from memory, trying again every %d s",
                            self.db.describe(), _why(exc), self.db.retry)
            return False, None
        if self._down:
            self._down = False
            log.info("the database (%s) is available again", self.db.describe())
        return True, result

    # -- writing ---------------------------------------------------------------------------
    def _schedule(self) -> None:
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(0)   # PTB hands the changed chats over one coroutine each: take them all at once
        while self._pending:
            batch = self._writing = self._pending
            self._pending = {}
            ok, _ = await self._call(self._writer, CALL_SECONDS, self.db.write, batch)
            self._writing = {}
            if not ok:
                self._pending = {**batch, **self._pending}   # newer changes made meanwhile win
                self._retry_later()
                return
            self.written += len(batch)
            self.flushes += 1

    def _retry_later(self) -> None:
        """Tries again when the database has been left alone long enough, traffic or not."""
        if self._retry is None:
            def again() -> None:
                self._retry = None
                self._schedule()

            delay = max(0.0, self._down_until - time.monotonic())
            self._retry = asyncio.get_running_loop().call_later(delay, again)

    async def saved(self) -> None:
        """Waits for the write in progress and those it finds pending (not past a failure)."""
        while self._flushing is not None and not self._flushing.done():
            await asyncio.shield(self._flushing)

    # -- what PTB calls ------------------------------------------------------------------
    async def get_chat_data(self) -> dict[int, dict]:
        ok, loaded = await self._call(self._writer, CALL_SECONDS, self.db.load, self.clock() - self.ttl, self.size)
        if not ok:
            return {}
        chats, damaged = loaded
        log.info("memory: %d chat(s) from %s", len(chats), self.db.describe())
        if damaged:
            self._damaged |= damaged
            log.warning("memory: %d damaged row(s) left out: those chats start afresh", len(damaged))
        return chats

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        if chat_id in self._pending:
            return   # memory holds what the database has not got yet
        ok, stored = await self._call(self._reader, READ_SECONDS, self._reader.db.read, chat_id)
        if stored is False:
            if chat_id not in self._damaged and len(self._damaged) < self.size:
                self._damaged.add(chat_id)
                log.warning("memory: a damaged row of one chat left out: that chat starts afresh")
            return
        # Another process answered this chat since: take its state. Never go back in time.
        if ok and isinstance(stored, dict) and float(stored.get("seen") or 0) > float(chat_data.get("seen") or 0):
            chat_data.clear()
            chat_data.update(stored)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        if data:
            self._pending[chat_id] = (float(data.get("seen") or 0), json.dumps(data))
            self._schedule()

    async def drop_chat_data(self, chat_id: int) -> None:
        self._pending[chat_id] = None
        self._schedule()

    async def flush(self) -> None:
        """At stop: the last write, whatever happened before, within STOP_SECONDS."""
        if self._retry is not None:
            self._retry.cancel()
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await self.saved()
                self._down_until = 0.0
                self._schedule()
                await self.saved()
        except TimeoutError:
            self._flushing.cancel()
            self._writer.db.interrupt()
        unsaved = {**self._writing, **self._pending}
        if unsaved:
            log.warning("%d chat(s) could not be saved: the database is unavailable", len(unsaved))
        log.info("memory: %d chat state(s) written in %d flush(es)", self.written, self.flushes)
        self._writer.close()
        self._reader.close()

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
