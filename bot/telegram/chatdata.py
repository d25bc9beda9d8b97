"""What the Telegram bot remembers of a chat: PTB's chat_data, of a class of its own
(`ChatData`, given to PTB through ContextTypes), saved as JSON by the persistence
(bot/telegram/persistence.py), and bounded in number and age (`ChatMemory`)."""
from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from intents.models import LANGS
from intents.pipeline import Context

MAX_CHATS = 10_000           # chats remembered at once; the least recently active go first
CHAT_TTL = 7 * 24 * 3600     # a chat silent this long is forgotten, /lang choice included
CONTEXT_TTL = 3600           # a follow-up refers to a question asked at most this long ago
# An answer's CSV button works while its answer is among the chat's latest this many with a table.
MAX_TABLES = 8
STATE_VERSION = 2            # bumped when the stored shape changes: older entries are ignored


@dataclasses.dataclass
class ChatData:
    # The last question's: what a follow-up builds on, and the language of the last answer.
    context: Context | None = None
    forced: str | None = None        # language set with /lang
    asked: float = 0.0               # when `context` was stored (wall clock: it outlives the process)
    seen: float = 0.0                # the chat's last activity; 0 for a chat the bot never answered
    # The answers whose CSV button may still be pressed: key (the button's) -> {"request": the
    # resolved request as JSON, "lang": the reply's language}; the latest MAX_TABLES only.
    tables: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def lang(self) -> str | None:
        """The language of the last answer."""
        return self.context.lang if self.context else None

    def add_table(self, request: dict[str, Any], lang: str) -> str:
        """Remembers an answer for its CSV button; the key the button carries."""
        key = str(max((int(k) for k in self.tables), default=0) + 1)
        self.tables[key] = {"request": request, "lang": lang}
        for old in sorted(self.tables, key=int)[:-MAX_TABLES]:
            del self.tables[old]
        return key

    def copy(self) -> ChatData:
        return dataclasses.replace(self, tables=dict(self.tables))

    def become(self, other: ChatData) -> None:
        """Takes `other`'s state in place: PTB holds this very object, and saves it."""
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(other, field.name))

    def to_json(self) -> dict[str, Any]:
        return {"v": STATE_VERSION, "forced": self.forced, "asked": self.asked, "seen": self.seen,
                "context": None if self.context is None else self.context.to_json(), "tables": self.tables}

    @classmethod
    def from_json(cls, data: Any) -> ChatData:
        """A fresh state for anything this version did not write (an older shape, a damaged row)."""
        if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
            return cls()
        try:
            raw = data.get("context")
            # A state written when the language had a key of its own ("lang") and no context was kept
            context = Context(None, data["lang"]) if raw is None and data.get("lang") in LANGS else \
                None if raw is None else Context.from_json(raw)
            tables = data.get("tables") or {}   # a state written before the CSV button has none
            if not all(k.isdigit() and isinstance(v, dict) and v.get("lang") in LANGS
                       and isinstance(v.get("request"), dict) for k, v in tables.items()):
                tables = {}
            return cls(context=context, forced=data.get("forced"), asked=float(data.get("asked") or 0),
                       seen=float(data.get("seen") or 0), tables=dict(tables))
        except (TypeError, ValueError, KeyError, AttributeError):
            return cls()


# What the handlers get: PTB's context, with a ChatData as each chat's chat_data.
BotContext = CallbackContext[ExtBot[None], dict[Any, Any], ChatData, dict[Any, Any]]


def context_types() -> ContextTypes[BotContext, dict[Any, Any], ChatData, dict[Any, Any]]:
    """For the Application's builder: each chat's chat_data is a ChatData."""
    return ContextTypes(chat_data=ChatData)


class Chats(Protocol):
    """Where the chats' states are: PTB's Application."""

    @property
    def chat_data(self) -> Mapping[int, ChatData]: ...

    def drop_chat_data(self, chat_id: int) -> None: ...


class ChatMemory:
    """What the bot remembers per chat, bounded in size and age so memory cannot grow
    without end: at most `size` chats (the least recently active are dropped first), a
    chat is forgotten after `ttl` seconds of silence, its conversation context after
    `context_ttl`. The states are PTB's chat_data; dropping one (PTB's drop_chat_data)
    also deletes it from the database. Used from the event loop only, so it needs no lock."""

    def __init__(self, size: int = MAX_CHATS, ttl: float = CHAT_TTL, context_ttl: float = CONTEXT_TTL,
                 clock: Callable[[], float] = time.time):
        self.size, self.ttl, self.context_ttl, self.clock = size, ttl, context_ttl, clock
        # chat -> last activity, oldest first; made from the chats PTB loaded, on first use
        self._order: OrderedDict[int, float] | None = None

    def __len__(self) -> int:
        return len(self._order or ())

    def get(self, chats: Chats, chat_id: int) -> ChatData:
        """A copy of the chat's state (a fresh one for a new or forgotten chat)."""
        data = chats.chat_data.get(chat_id)   # .get: looking does not make an entry
        if data is None or self.clock() - data.seen > self.ttl:
            return ChatData()
        return data.copy()

    def follow_up(self, state: ChatData) -> Context | None:
        """The context a follow-up question builds on: none after `context_ttl`."""
        return state.context if self.clock() - state.asked <= self.context_ttl else None

    def put(self, chats: Chats, chat_id: int, state: ChatData) -> None:
        now = self.clock()
        order = self._ordered(chats)
        chats.chat_data[chat_id].become(dataclasses.replace(state, seen=now))   # made on first use, as PTB does
        order[chat_id] = now
        order.move_to_end(chat_id)
        self._evict(chats, now)

    def move(self, chats: Chats, old: int, new: int) -> None:
        """A group that became a supergroup (a new chat id) keeps what it had: its /lang choice
        (unless the new chat has one of its own) and the later of the two contexts."""
        state = self.get(chats, old)
        if state == ChatData():
            return
        mine = self.get(chats, new)
        if mine != ChatData():
            later = state if state.asked > mine.asked else mine
            state = dataclasses.replace(later, forced=mine.forced or state.forced)
        self.put(chats, new, state)
        self._ordered(chats).pop(old, None)
        chats.drop_chat_data(old)

    def _ordered(self, chats: Chats) -> OrderedDict[int, float]:
        if self._order is None:
            # Chats the bot answered; PTB makes an empty entry for any chat it sees, on first use.
            seen = sorted((data.seen, chat_id) for chat_id, data in chats.chat_data.items() if data.seen)
            self._order = OrderedDict((chat_id, when) for when, chat_id in seen)
            self._evict(chats, self.clock())
        return self._order

    def _evict(self, chats: Chats, now: float) -> None:
        order = self._order
        while order:
            oldest_id, oldest = next(iter(order.items()))
            if len(order) <= self.size and now - oldest <= self.ttl:
                break
            del order[oldest_id]
            chats.drop_chat_data(oldest_id)
