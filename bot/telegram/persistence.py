"""Where the Telegram bot keeps its chats between restarts: `SQLPersistence`, PTB's
persistence for chat_data (bot/telegram/chatdata.py), over a `Database` (SQLite, or
PostgreSQL with DATABASE_URL), each changed chat once per flush, in one transaction.
Database work never holds an answer: a chat's state is read with a deadline, writes happen
beside the answers, and a call that hangs is cut off. A database that is down is logged
once; the bot goes on answering from memory and writes what it kept when the database is
back.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.telegram.chatdata import CHAT_TTL, MAX_CHATS, ChatData
from bot.telegram.database import CALL_SECONDS, Database, Worker, why_failed

FLUSH_SECONDS = 1.0          # changed chats are written this often (and at stop)
READ_SECONDS = 0.5           # a chat's state is read before its update for at most this long
STOP_SECONDS = 5.0           # the last write at stop: with the 6 s drain, well within the platform's 30 s

log = logging.getLogger("returnbot.persistence")


class SQLPersistence(BasePersistence[dict[Any, Any], ChatData, dict[Any, Any]]):
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
        self._writer, self._reader = Worker(db, "returnbot-db-write"), Worker(db.copy(), "returnbot-db-read")
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

    async def _call(self, worker: Worker, seconds: float, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, result), or (False, None) when the database failed or is being left alone. A
        read past its deadline pauses the reads only: the writes, which hold no answer, go on."""
        reading = worker is self._reader
        if time.monotonic() < max(self._down_until, self._reads_until if reading else 0.0):
            return False, None
        try:
            result = await worker.call(seconds, fn, *args)
        except Exception as exc:   # any driver error or a deadline: the bot must go on from memory
            if reading and isinstance(exc, TimeoutError):
                self._reads_until = time.monotonic() + self.db.retry
                log.warning("the database (%s) did not answer a read within %.1f s: answering from memory, "
                            "reads resume in %d s", self.db.describe(), seconds, self.db.retry)
                return False, None
            self._down_until = time.monotonic() + self.db.retry
            if not self._down:
                self._down = True
                log.warning("the database (%s) is unavailable: %s; answering from memory, trying again every %d s",
                            self.db.describe(), why_failed(exc), self.db.retry)
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
    async def get_chat_data(self) -> dict[int, ChatData]:
        ok, loaded = await self._call(self._writer, CALL_SECONDS, self.db.load, self.clock() - self.ttl, self.size)
        if not ok:
            return {}
        chats, damaged = loaded
        log.info("memory: %d chat(s) from %s", len(chats), self.db.describe())
        if damaged:
            self._damaged |= damaged
            log.warning("memory: %d damaged row(s) left out: those chats start afresh", len(damaged))
        states = {chat_id: ChatData.from_json(data) for chat_id, data in chats.items()}
        return {chat_id: state for chat_id, state in states.items() if state.seen}   # not another version's

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        if chat_id in self._pending:
            return   # memory holds what the database has not got yet
        ok, stored = await self._call(self._reader, READ_SECONDS, self._reader.db.read, chat_id)
        if stored is False:
            if chat_id not in self._damaged and len(self._damaged) < self.size:
                self._damaged.add(chat_id)
                log.warning("memory: a damaged row of one chat left out: that chat starts afresh")
            return
        # Another process answered this chat since: take its state. Never go back in time.
        if ok and isinstance(stored, dict) and float(stored.get("seen") or 0) > chat_data.seen:
            chat_data.become(ChatData.from_json(stored))

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        if data.seen:   # a chat the bot never answered has nothing to keep
            self._pending[chat_id] = (data.seen, json.dumps(data.to_json()))
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
            if self._flushing is not None:
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
