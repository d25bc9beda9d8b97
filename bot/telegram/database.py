"""Where the Telegram bot keeps its chats between restarts: one table, chat id -> JSON and
last activity, in SQLite (a file in the user's state directory, the default) or in
PostgreSQL (when DATABASE_URL is set, as Heroku Postgres does). Every call runs on a
`Worker`'s thread with a deadline, and a call past it is cut off, so that a hung server
never holds the bot."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import queue
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.env import PORT_SHAPE
from bot.paths import state_dir

RETRY_SECONDS = 30.0         # after a failure, the database is left alone this long, then tried again
CALL_SECONDS = 5.0           # any call but a read: then it is cut off (also the server's statement_timeout)


class DatabaseConfigError(ValueError):
    """DATABASE_URL is malformed; the message names the variable, never its value."""


# What libpq reads differently from what was meant when a password is not percent-encoded.
ENCODE_HINT = ("; a user name or password holding @ : / ? # [ ] or % must be percent-encoded in the URL "
               "(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25)")


class Database:
    """One table, chat id -> JSON and last activity, in SQLite or PostgreSQL. Calls block, on
    the thread of a `Worker`; `interrupt` may be called from any other thread."""

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
            conn: Any
            if self.url:
                import psycopg  # lazy: only a bot with DATABASE_URL needs it

                # connect_timeout bounds a connection to a server that does not answer; the
                # statement_timeout a statement the server is slow with.
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=int(CALL_SECONDS))
                conn.execute(f"SET statement_timeout = {int(CALL_SECONDS * 1000)}")
            elif self.sqlite_path is None:
                raise sqlite3.OperationalError("no file for the SQLite database")
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


def why_failed(exc: BaseException) -> str:
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


class Worker:
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
