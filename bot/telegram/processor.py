"""The order in which the Telegram bot answers updates: different chats side by side, one
chat's one after another."""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram.ext import BaseUpdateProcessor

from telegram import Update

WORKERS = 16                 # updates answered at once (of different chats)
IN_FLIGHT = 4096             # updates accepted from the queue before the queue waits

log = logging.getLogger("returnbot.telegram")


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Answers the updates of different chats concurrently (at most `workers` at once) and
    those of one chat one after another in arrival order, so that a follow-up question
    always sees the context its predecessor left. `drain` puts a deadline on every update
    still waiting or running, so that a stop cannot hang on a backlog."""

    def __init__(self, workers: int = WORKERS):
        # PTB's own semaphore only bounds the updates taken from the queue; waiting for an
        # earlier update of the same chat must not hold one of the `workers` slots.
        super().__init__(max_concurrent_updates=IN_FLIGHT)
        self._workers = asyncio.BoundedSemaphore(workers)
        self._last: dict[Hashable, asyncio.Future[None]] = {}
        self._scopes: set[asyncio.Timeout] = set()
        self._deadline: float | None = None
        self.unanswered = 0
        self.on_done: Callable[[Hashable], None] | None = None   # told of each update done with (the webhook's backlog)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        if self.unanswered:
            log.warning("%d update(s) left unanswered: the bot was stopping", self.unanswered)

    def drain(self, seconds: float) -> None:
        self._deadline = asyncio.get_running_loop().time() + seconds
        for scope in self._scopes:
            scope.reschedule(self._deadline)

    @staticmethod
    def key(update: object) -> Hashable:
        """What orders updates: the chat; an inline query has none, so its user's updates keep
        their order, as in a private chat."""
        chat = update.effective_chat if isinstance(update, Update) else None
        user = update.effective_user if isinstance(update, Update) else None
        return chat.id if chat else (user.id if user else None)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        # A group that becomes a supergroup: its memory moves after the old chat's last update
        # and before the new chat's first, so the migration is ordered in both chats.
        message = update.effective_message if isinstance(update, Update) else None
        moved = message and (message.migrate_to_chat_id or message.migrate_from_chat_id)
        keys = [key, moved] if moved else [key]
        previous = [self._last[k] for k in keys if k in self._last]
        mine = asyncio.get_running_loop().create_future()
        for k in keys:
            self._last[k] = mine
        try:
            async with asyncio.timeout_at(self._deadline) as scope:
                self._scopes.add(scope)
                try:
                    if previous:
                        await asyncio.wait(previous)
                    async with self._workers:
                        await coroutine
                finally:
                    self._scopes.discard(scope)
        except TimeoutError:
            if not scope.expired():
                raise
            self.unanswered += 1
        finally:
            if inspect.iscoroutine(coroutine):
                coroutine.close()   # never started when the deadline came first: no "never awaited" warning
            mine.set_result(None)
            for k in keys:
                if self._last.get(k) is mine:
                    del self._last[k]
            if self.on_done is not None:
                self.on_done(key)
