"""Telegram front end: the CLI's answers in a chat, by long polling or by webhook.

`returnbot telegram --polling|--webhook` calls `main`. Configuration comes from the
environment (see the README, "Deploy"); the bot's own texts from bot/messages.toml.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import html
import inspect
import logging
import os
import re
import signal
import socket
import sys
import textwrap
import tomllib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from pathlib import Path
from typing import Any

from telegram import (BotCommand, Chat, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup,
                      InlineQueryResultArticle, InlineQueryResultCachedPhoto, InputTextMessageContent,
                      LinkPreviewOptions, Message, MessageEntity, ReplyParameters, TelegramObject, Update)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (AIORateLimiter, Application, BaseUpdateProcessor, CallbackQueryHandler, CommandHandler,
                          ContextTypes, Defaults, InlineQueryHandler, MessageHandler, filters)

from bot.charts import chart_png
from bot.config import Config, ConfigError, read_config
from bot.export import has_table, wants_data
from bot.logs import RedactingFormatter
from bot.persistence import ChatState, ChatStore, Database, DatabaseConfigError, SQLPersistence
from bot.suggest import Suggester, parse_ask
from intents.data import DataError
from intents.pipeline import Pipeline, Reply
from intents.program import Request

LANGS = ("nl", "fr", "en")
DEFAULT_LANG = "en"
MESSAGES = Path(__file__).with_name("messages.toml")

# Each command with the names it answers to; the menus in messages.toml pick among these.
COMMANDS = {
    "start": ("start",),
    "help": ("help", "hulp", "aide"),
    "sources": ("sources", "source", "bron"),
    "glossary": ("glossary", "glossaire", "woordenlijst"),
    "lang": ("lang", "taal", "langue"),
}
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
LANG_PREFIX = "l"            # callback data "l:<nl|fr|en|auto>": a button of the /lang keyboard
TABLE_PREFIX = "x"           # callback data "x:<key>": the CSV button of an answer the chat remembers (ChatState.tables)
FOOTNOTE_FOLD = 240          # footnotes longer than this (characters) fold into an expandable quote
PHOTO_IDS = 1000             # charts remembered by Telegram file id, for inline results
TABLE_FILE = "returnbot.csv"        # an answer's figures, sent by its CSV button
DATA_FILE = "returnbot-data.csv"    # every observation, for "download all the data"
INLINE_CACHE_SECONDS = 60    # how long Telegram may reuse an inline answer (for this user only)

WORKERS = 16                 # updates answered at once (of different chats)
IN_FLIGHT = 4096             # updates accepted from the queue before the queue waits
DRAIN_SECONDS = 6.0          # after SIGTERM, pending updates get this long; the platform kills at 30 s

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

log = logging.getLogger("returnbot.telegram")


# ---- logging -------------------------------------------------------------------------

class _ShortTelegramErrors(logging.Filter):
    """A rejected token or an unreachable Bot API is not a bug: one line says it all, where
    PTB logs a traceback (and, for the token, `main` says what to do)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, (InvalidToken, NetworkError)):
            record.msg, record.args = f"{record.getMessage()} ({type(exc).__name__}: {exc})", None
            record.exc_info, record.exc_text = None, None
        return True


class _NoUpdateBodies(logging.Filter):
    """PTB puts whole updates in some of its messages ("Error while building CallbackContext
    for update %s"), and an update holds the user's question: such an argument is logged as
    its update id or its size only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, (TelegramObject, dict, bytes, bytearray))
                                                  for a in record.args):
            record.args = tuple(_short(a) for a in record.args)
        return True


def _short(arg: object) -> object:
    if isinstance(arg, Update):
        return f"<update {arg.update_id}>"
    if isinstance(arg, TelegramObject):
        return f"<{type(arg).__name__}>"
    if isinstance(arg, (dict, bytes, bytearray)):
        return f"<{type(arg).__name__} of {len(arg)}>"
    return arg


def setup_logging(config: Config) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(config.secrets))
    handler.addFilter(_ShortTelegramErrors())
    handler.addFilter(_NoUpdateBodies())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # These log request URLs (which hold the token) or every request, at INFO and DEBUG.
    for name in ("httpx", "httpcore", "telegram", "tornado"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


# ---- the bot's own texts --------------------------------------------------------------

class Texts:
    """bot/messages.toml, checked at start: the same keys in every language, menus that
    name only commands the bot answers to."""

    def __init__(self, path: Path = MESSAGES):
        with path.open("rb") as fh:
            self.t: dict[str, dict[str, Any]] = tomllib.load(fh)
        self._check(path.name)

    def _check(self, name: str) -> None:
        if set(self.t) != set(LANGS):
            raise ValueError(f"{name}: languages {sorted(self.t)}, expected {sorted(LANGS)}")
        shape = {k: type(v) for k, v in self.t[DEFAULT_LANG].items() if k != "commands"}
        known = {alias for aliases in COMMANDS.values() for alias in aliases}
        for lang, texts in self.t.items():
            if {k: type(v) for k, v in texts.items() if k != "commands"} != shape:
                raise ValueError(f"{name}: [{lang}] has other keys than [{DEFAULT_LANG}]")
            if set(texts["names"]) != {*LANGS, "auto"} or len(texts["examples"]) != 3:
                raise ValueError(f"{name}: [{lang}] needs names for {LANGS} and auto, and three examples")
            for command, description in texts["commands"].items():
                if command not in known or not COMMAND_NAME.fullmatch(command) or not 1 <= len(description) <= 256:
                    raise ValueError(f"{name}: [{lang}.commands] {command!r} is not a command the bot answers")

    def get(self, lang: str, key: str, **fields: str) -> str:
        return self.t[lang][key].format(**fields)

    def welcome(self, lang: str, username: str, reach: str = "") -> str:
        """`reach`: up to when the figures reach (Pipeline.reach), never written in the text."""
        t = self.t[lang]
        examples = "\n".join(t["example"].format(question=html.escape(q)) for q in t["examples"])
        return t["welcome"].format(examples=examples, follow_up=html.escape(t["follow_up"]),
                                   bot=html.escape("@" + username), reach=html.escape(reach))

    def commands(self, lang: str) -> list[BotCommand]:
        return [BotCommand(name, description) for name, description in self.t[lang]["commands"].items()]


# ---- updates: concurrent across chats, in order within one -------------------------------

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
        self._last: dict[int | None, asyncio.Future] = {}
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


# ---- HTML for Telegram ---------------------------------------------------------------------

_SUP_RUN = re.compile(r"(?:<sup>\d+</sup>)+")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def telegram_html(text: str) -> str:
    """Telegram's HTML has no <sup>: footnote marks become superscript digits, spaced as
    in the plain-text answer ("¹ ²")."""
    return _SUP_RUN.sub(lambda m: " ".join(n.translate(_SUPERSCRIPT) for n in re.findall(r"\d+", m.group())), text)


def answer_html(reply: Reply) -> str:
    """The answer as Telegram HTML. Long footnotes fold into an expandable blockquote, so
    that on a phone the figure and the source stay in view; the text shown is the same."""
    text = telegram_html(reply.html)
    count = len(reply.answer.footnotes)
    body, sep, tail = text.rpartition("\n\n")
    lines = tail.split("\n")
    notes = lines[:count]
    if not count or not sep or len(_visible("\n".join(notes))) <= FOOTNOTE_FOLD:
        return text
    folded = "<blockquote expandable>" + "\n".join(notes) + "</blockquote>"
    return body + sep + "\n".join([folded, *lines[count:]])


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_ATOM = re.compile(r"<[^<>]*>|&#?[0-9A-Za-z]+;|\s+|[^<&\s]+|.", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)")


def _visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _break_rank(atom: str) -> int:
    """3 for a paragraph break, 2 for a line break, 1 for a space, 0 for no break."""
    if not atom.isspace():
        return 0
    return min(atom.count("\n"), 2) + 1


def split_html(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cuts an HTML message into parts of at most `limit` UTF-16 units: at the last
    paragraph break that fits, else the last line break, else the last space, else
    anywhere but inside a tag or an entity. Tags open at a cut are closed before it and
    opened again after it, so that every part is valid HTML on its own. The length
    counted is that of the HTML source, never less than what Telegram counts."""
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if _visible(text).strip() else []
    atoms: list[str] = []
    for atom in _ATOM.findall(text):
        # A word too long for a message is cut in pieces: a part must hold at least one atom.
        step = limit // 8 if len(atom) > limit // 8 and atom[0] not in "<&" else len(atom)
        atoms.extend(atom[k:k + step] for k in range(0, len(atom), step))
    # stacks[k]: the tags open before atom k, as (name, opening tag).
    stacks: list[tuple[tuple[str, str], ...]] = [()]
    for atom in atoms:
        stack = stacks[-1]
        tag = _TAG.match(atom)
        if tag and tag.group(1):
            if stack and stack[-1][0] == tag.group(2).lower():
                stack = stack[:-1]
        elif tag:
            stack = stack + ((tag.group(2).lower(), atom),)
        stacks.append(stack)

    def closing(k: int) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stacks[k]))

    parts: list[str] = []
    i = 0
    while i < len(atoms):
        if atoms[i].isspace():
            i += 1
            continue
        prefix = "".join(tag for _, tag in stacks[i])
        size = utf16_len(prefix)
        best_rank, cut = 0, None
        j = i
        while j < len(atoms):
            grown = size + utf16_len(atoms[j])
            if grown + utf16_len(closing(j + 1)) > limit and j > i:
                break
            size = grown
            rank = _break_rank(atoms[j])
            if rank and rank >= best_rank:
                best_rank, cut = rank, j
            j += 1
        if j == len(atoms) or cut is None:
            cut = j
        parts.append(prefix + "".join(atoms[i:cut]).rstrip() + closing(cut))
        i = cut
    return [part for part in parts if _visible(part).strip()]


# ---- handlers ---------------------------------------------------------------------------------

def _user_lang(update: Update) -> str | None:
    user = update.effective_user
    code = (user.language_code or "")[:2].lower() if user else ""
    return code if code in LANGS else None


class ChatBot:
    """The handlers: questions, commands, buttons, inline queries, everything else. One per process."""

    def __init__(self, pipeline: Pipeline, texts: Texts, store: ChatStore | None = None,
                 suggester: Suggester | None = None):
        self.pipeline, self.texts = pipeline, texts
        self.store = store if store is not None else ChatStore()
        self.suggester = suggester or Suggester(pipeline)
        # Charts Telegram already holds, by answer: an inline result can only show a photo
        # by URL or by the file id of one sent before (the bot serves no URLs).
        self.photo_ids: OrderedDict[tuple[str, str], str] = OrderedDict()

    def register(self, app: Application) -> None:
        messages = filters.UpdateType.MESSAGES
        app.add_handler(CommandHandler(COMMANDS["start"], self.on_start, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["help"], self.on_help, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["sources"], self.on_sources, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["glossary"], self.on_glossary, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["lang"], self.on_lang, filters=messages))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(MessageHandler(messages & filters.COMMAND, self.on_unknown_command))
        # A photo (or any file) whose caption is the question is answered as the text would be.
        app.add_handler(MessageHandler(messages & (filters.TEXT | filters.CAPTION), self.on_text))
        # Only new messages: a sticker or voice message that is edited needs no second reminder.
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.CAPTION
                                       & ~filters.StatusUpdate.ALL, self.on_other))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_error_handler(self.on_error)

    # -- who is asked, in which language -----------------------------------------------------
    @staticmethod
    def addressed(message: Message, bot_id: int, username: str) -> bool:
        """Private chats: always. Groups: only when the bot is mentioned or replied to."""
        if message.chat.type == Chat.PRIVATE:
            return True
        if message.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
            return False
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot_id:
            return True
        kinds = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        found = {**message.parse_entities(kinds), **message.parse_caption_entities(kinds)}
        return any((e.type == MessageEntity.MENTION and text.lower() == "@" + username.lower())
                   or (e.type == MessageEntity.TEXT_MENTION and e.user and e.user.id == bot_id)
                   for e, text in found.items())

    @staticmethod
    def without_mention(text: str, username: str) -> str:
        return re.sub(rf"(?<![\w@])@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()

    def language(self, update: Update, state: ChatState) -> str:
        """The language of a reply that has no question to take it from."""
        return state.forced or state.lang or _user_lang(update) or DEFAULT_LANG

    @staticmethod
    async def may_set_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Private chats: anyone. Groups: the admins only (an anonymous admin writes as the
        group itself), so that one member cannot change the language for everyone."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type == Chat.PRIVATE:
            return True
        message = update.message
        if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True
        if user is None:
            return False
        member = await context.bot.get_chat_member(chat.id, user.id)
        return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)

    # -- sending -------------------------------------------------------------------------------
    async def send(self, update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Sends HTML, in parts if it is too long, the buttons under the last part. In groups,
        and for an edited question, the first part quotes the message it answers."""
        message = update.effective_message
        quote = message.chat.type != Chat.PRIVATE or update.edited_message is not None
        parts = split_html(text)
        for n, part in enumerate(parts):
            await message.reply_html(part, do_quote=quote and n == 0,
                                     reply_markup=markup if n == len(parts) - 1 else None)

    def buttons(self, reply: Reply, table: str | None = None) -> InlineKeyboardMarkup | None:
        """The follow-up questions, one button a row (labels stay whole on a phone); then the
        CSV button of an answer that is a table (`table`: the key the chat remembers it by)."""
        rows = [[InlineKeyboardButton(s.label, callback_data=s.data)] for s in self.suggester.for_reply(reply)]
        if table is not None:
            rows.append([InlineKeyboardButton(self.texts.get(reply.lang, "csv_button"),
                                              callback_data=f"{TABLE_PREFIX}:{table}")])
        return InlineKeyboardMarkup(rows) if rows else None

    async def send_table(self, bot: Any, chat_id: int, answer: Any, lang: str) -> None:
        """An answer's figures (or, for "download all the data", the observation table) as a
        CSV document (bot/export.py)."""
        from bot.export import table_csv, wants_data   # pandas only when a table is sent

        table = table_csv(answer, self.pipeline.engine.dataset, self.pipeline.renderer(lang))
        if table is None:
            return
        whole = wants_data(answer)
        await bot.send_document(chat_id, table.encode("utf-8"), filename=DATA_FILE if whole else TABLE_FILE,
                                caption=self.texts.get(lang, "data_caption" if whole else "csv_caption"))

    async def send_reply(self, update: Update, reply: Reply, chat_id: int, bot: Any,
                         table: str | None = None) -> None:
        """An answer: its chart as a photo with the answer as caption when there is a chart
        (the text follows on its own when it is too long for a caption), else the text;
        the follow-up buttons under what comes last."""
        text, markup = answer_html(reply), self.buttons(reply, table)
        chart = chart_png(reply.answer, self.pipeline.renderer(reply.lang))
        if chart is None:
            if update.callback_query is not None:
                for part_markup, part in _with_last(split_html(text), markup):
                    await bot.send_message(chat_id, part, reply_markup=part_markup)
            else:
                await self.send(update, text, markup)
            return
        message = update.message or update.edited_message
        reply_to = {"reply_parameters": ReplyParameters(message.message_id)} \
            if message is not None and (message.chat.type != Chat.PRIVATE or update.edited_message) else {}
        if utf16_len(_visible(text)) <= MessageLimit.CAPTION_LENGTH:   # Telegram counts what it shows
            sent = await bot.send_photo(chat_id, chart, caption=text, reply_markup=markup, **reply_to)
            self.remember_photo(reply, sent)
            return
        self.remember_photo(reply, await bot.send_photo(chat_id, chart, **reply_to))
        for part_markup, part in _with_last(split_html(text), markup):
            await bot.send_message(chat_id, part, reply_markup=part_markup)

    @staticmethod
    def chart_key(reply: Reply) -> tuple[str, str]:
        return reply.lang, repr(reply.answer.request)

    def remember_photo(self, reply: Reply, sent: Message) -> None:
        if sent.photo:
            key = self.chart_key(reply)
            self.photo_ids[key] = sent.photo[-1].file_id
            self.photo_ids.move_to_end(key)
            while len(self.photo_ids) > PHOTO_IDS:
                self.photo_ids.popitem(last=False)

    # -- handlers ----------------------------------------------------------------------------
    async def answer_question(self, update: Update, context: ContextTypes.DEFAULT_TYPE, chat: int, question: str,
                              lang_hint: str | None = None) -> None:
        state = self.store.get(chat)
        reply = self.pipeline.ask(question, context=state.context, lang=state.forced,
                                  lang_hint=lang_hint or state.lang or _user_lang(update) or DEFAULT_LANG)
        # A table's CSV button carries a key; the chat remembers the answer it stands for.
        table = state.add_table(reply.answer.request.to_json(), reply.lang) if has_table(reply.answer) else None
        await self.send_reply(update, reply, chat, context.bot, table)
        if wants_data(reply.answer):
            await self.send_table(context.bot, chat, reply.answer, reply.lang)
        state.context, state.lang, state.asked = reply.context, reply.lang, self.store.clock()
        self.store.put(chat, state)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, bot = update.effective_message, context.bot
        if not self.addressed(message, bot.id, bot.username):
            return
        question = self.without_mention(message.text or message.caption, bot.username)
        await self.answer_question(update, context, message.chat_id, question)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group that becomes a supergroup gets a new chat id: what the bot remembers moves
        with it. Telegram says so in both chats (migrate_to_chat_id in the old one,
        migrate_from_chat_id in the new one); the second finds nothing left to move."""
        message = update.effective_message
        old = message.migrate_from_chat_id or message.chat_id
        new = message.migrate_to_chat_id or message.chat_id
        self.store.move(old, new)
        # PTB saves the chats of the update it handles: the new one is another chat.
        context.application.mark_data_for_update_persistence(chat_ids=new)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_message.chat_id
        state = self.store.get(chat)
        state.context = None   # a new start: no follow-up refers to what came before
        lang = self.language(update, state)
        await self.send(update, self.texts.welcome(lang, context.bot.username, self.pipeline.reach(lang)))
        self.store.put(chat, state)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        reply = self.pipeline.ask("help", lang=lang)
        await self.send(update, telegram_html(reply.html) + "\n\n" + self.texts.get(lang, "help_commands"))

    async def on_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        await self.send(update, telegram_html(self.pipeline.ask("sources", lang=lang).html))

    async def on_glossary(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        await self.send(update, telegram_html(self.pipeline.ask("glossary", lang=lang).html))

    def lang_keyboard(self, lang: str) -> InlineKeyboardMarkup:
        """Each language named in itself; "the question's language" in the current one."""
        native = [InlineKeyboardButton(self.texts.t[code]["own_name"], callback_data=f"{LANG_PREFIX}:{code}")
                  for code in LANGS]
        auto = InlineKeyboardButton(self.texts.get(lang, "lang_auto_button"), callback_data=f"{LANG_PREFIX}:auto")
        return InlineKeyboardMarkup([native, [auto]])

    def set_language(self, update: Update, choice: str) -> str:
        """Stores a /lang choice (a language or "auto"); the confirmation, in the new language."""
        chat = update.effective_chat.id
        state = self.store.get(chat)
        state.forced = choice if choice in LANGS else None
        self.store.put(chat, state)
        if choice in LANGS:
            return self.texts.get(choice, "lang_set", language=self.texts.t[choice]["names"][choice])
        return self.texts.get(self.language(update, state), "lang_auto")

    async def on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        state = self.store.get(update.effective_message.chat_id)
        lang = self.language(update, state)
        choice = context.args[0].lower() if context.args else ""
        if not await self.may_set_language(update, context):
            await self.send(update, self.texts.get(lang, "lang_admins_only"))
        elif choice in (*LANGS, "auto"):
            await self.send(update, self.set_language(update, choice))
        else:
            # Telegram makes only "/lang" tappable in "/lang nl": the buttons let a phone choose.
            now = self.texts.t[lang]["names"][state.forced or "auto"]
            await self.send(update, self.texts.get(lang, "lang_choose", language=now), self.lang_keyboard(lang))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button under one of the bot's messages: a language, or a question to answer as if
        typed. The query is always answered (the button stops spinning), even for a button
        this version does not know."""
        query = update.callback_query
        data = query.data or ""
        chat = update.effective_chat
        asked = parse_ask(data)
        prefix, _, choice = data.partition(":")
        lang = self.language(update, self.store.get(chat.id)) if chat else (_user_lang(update) or DEFAULT_LANG)
        if chat is not None and prefix == LANG_PREFIX and choice in (*LANGS, "auto"):
            if not await self.may_set_language(update, context):
                await _answer_query(query, self.texts.get(lang, "lang_admins_only_short"), alert=True)
                return
            await _answer_query(query)
            text = self.set_language(update, choice)
            try:
                await query.edit_message_text(text, reply_markup=None)
            except BadRequest:   # the message is too old to edit, or already says this
                await context.bot.send_message(chat.id, text)
        elif chat is not None and asked is not None:
            await _answer_query(query)
            await self.answer_question(update, context, chat.id, asked[1], lang_hint=asked[0])
        elif chat is not None and prefix == TABLE_PREFIX:
            await self.on_table_button(query, context, chat.id, choice, lang)
        else:
            await _answer_query(query, self.texts.get(lang, "button_gone"), alert=True)

    async def on_table_button(self, query: Any, context: ContextTypes.DEFAULT_TYPE, chat: int, key: str,
                              lang: str) -> None:
        """The CSV button: the answer it stands for, run again from its stored request (whose
        periods are resolved: the same figures whenever it is pressed), sent as a document."""
        entry = self.store.get(chat).tables.get(key)
        try:
            request = Request.from_json(entry["request"]) if entry else None
        except (KeyError, TypeError, ValueError):
            request = None   # written by another version
        if request is None:
            await _answer_query(query, self.texts.get(lang, "table_gone"), alert=True)
            return
        await _answer_query(query)
        answer = self.pipeline.engine.run(request, dt.date.today())
        await self.send_table(context.bot, chat, answer, entry["lang"])

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot question` in any chat: the answer as a result to send, and the chart as a
        second one when this process has sent that chart before (see `photo_ids`). An empty
        query offers the welcome's examples, answered."""
        query = update.inline_query
        hint = _user_lang(update) or DEFAULT_LANG
        questions = [query.query.strip()] if query.query.strip() else self.texts.t[hint]["examples"]
        results: list[Any] = []
        for n, question in enumerate(questions[:3]):
            reply = self.pipeline.ask(question, lang_hint=hint)
            text = split_html(answer_html(reply))[0]
            title = _visible(text).split("\n", 1)[0]
            results.append(InlineQueryResultArticle(
                f"a{n}", title=textwrap.shorten(question, 64, placeholder="…"),
                description=textwrap.shorten(title, 120, placeholder="…"),
                input_message_content=InputTextMessageContent(text)))
            file_id = self.photo_ids.get(self.chart_key(reply))
            if file_id:
                caption = text if utf16_len(_visible(text)) <= MessageLimit.CAPTION_LENGTH else None
                results.append(InlineQueryResultCachedPhoto(f"c{n}", file_id, title=question[:64], caption=caption))
        await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        command = message.text.split(maxsplit=1)[0]
        target = command.partition("@")[2].lower()
        ours = target == context.bot.username.lower() or (not target and message.chat.type == Chat.PRIVATE)
        if ours:
            lang = self.language(update, self.store.get(message.chat_id))
            await self.send(update, self.texts.get(lang, "unknown_command"))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, bot = update.effective_message, context.bot
        if self.addressed(message, bot.id, bot.username):
            lang = self.language(update, self.store.get(message.chat_id))
            await self.send(update, self.texts.get(lang, "non_text"))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs the failure and tells the user; the bot goes on with the next update."""
        update_id = getattr(update, "update_id", None)
        log.error("update %s failed", update_id, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        lang = self.language(update, self.store.get(update.effective_chat.id))
        try:
            await context.bot.send_message(update.effective_chat.id, self.texts.get(lang, "error"))
        except TelegramError as exc:
            log.warning("could not tell chat of update %s about the failure: %s", update_id, exc)


def _with_last(parts: list[str], markup: InlineKeyboardMarkup | None) -> list[tuple[Any, str]]:
    """The parts of a message, the buttons with the last one only."""
    return [(markup if n == len(parts) - 1 else None, part) for n, part in enumerate(parts)]


async def _answer_query(query: Any, text: str | None = None, alert: bool = False) -> None:
    """answerCallbackQuery; Telegram refuses it for a query older than about 15 minutes,
    which must not stop the answer itself."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        log.info("callback query not answered: %s", exc)


# ---- running --------------------------------------------------------------------------------

class BoundedApplication(Application):
    """PTB notes the chat and the user of every update for the next persistence run, but only
    a persistence that stores chat_data (user_data) ever empties that set: without one the
    sets grow by one entry per chat and user for good. Here a set is kept only while a
    persistence stores what it is for."""

    def _mark_for_persistence_update(self, *, update: object | None = None, job: Any = None) -> None:
        super()._mark_for_persistence_update(update=update, job=job)
        stores = self.persistence.store_data if self.persistence else None
        if not (stores and stores.chat_data):
            self._chat_ids_to_be_updated_in_persistence.clear()
        if not (stores and stores.user_data):
            self._user_ids_to_be_updated_in_persistence.clear()


def build_application(config: Config, bot: ChatBot, processor: ChatOrderedProcessor,
                      db: Database | None = None) -> Application:
    defaults = Defaults(parse_mode=ParseMode.HTML, allow_sending_without_reply=True,
                        link_preview_options=LinkPreviewOptions(is_disabled=True))
    builder = (Application.builder().application_class(BoundedApplication).token(config.token).defaults(defaults)
               .concurrent_updates(processor))
    if config.api_url:
        builder = builder.base_url(config.api_url)
    if config.max_rate > 0:
        # Retries honour Telegram's retry_after when a 429 comes all the same.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=config.max_rate, max_retries=3))
    if db is not None:
        builder = builder.persistence(SQLPersistence(db, size=bot.store.size, ttl=bot.store.ttl))

    async def post_init(app: Application) -> None:
        log.info("connected to the Bot API as @%s", app.bot.username)
        bot.store.attach(app.chat_data, app.drop_chat_data)
        try:
            for lang in LANGS:
                await app.bot.set_my_commands(bot.texts.commands(lang), language_code=lang)
            await app.bot.set_my_commands(bot.texts.commands(DEFAULT_LANG))
        except TelegramError as exc:
            log.warning("could not register the command menus: %s", exc)

    app = builder.post_init(post_init).build()
    bot.register(app)
    return app


def _stop_on_signals(loop: asyncio.AbstractEventLoop, processor: ChatOrderedProcessor) -> None:
    """SIGTERM (the platform's stop) and SIGINT stop the bot: pending updates get
    DRAIN_SECONDS, then PTB stops the updater and the application. PTB's own stop signals
    are off (stop_signals=None) because they cannot set that deadline."""
    stopping = False

    def stop(signum: int) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        log.info("%s received: stopping", signal.Signals(signum).name)
        processor.drain(DRAIN_SECONDS)
        raise SystemExit   # the way PTB's own handler ends run_polling/run_webhook

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop, signum)


def main(mode: str, data_dir: str | None) -> int:
    """`returnbot telegram --polling|--webhook`: runs until SIGTERM or SIGINT, then returns 0.
    Returns 2 for bad configuration or data (one line on stderr) and for a token the Bot API
    rejects, 1 when the bot cannot start otherwise (API unreachable, port taken, webhook
    refused). Webhook mode serves the web page and the API on the same server; on a platform
    (PORT set) without WEBHOOK_URL (a first deploy, or a bot that polls in the worker), it
    serves the page alone."""
    if mode == "webhook":
        from bot.web.config import KEY_MADE, read_web_config, webhook_configured   # standard library only
        if os.environ.get("PORT", "").strip() and not webhook_configured(os.environ):
            from bot.web.server import main as web_main
            return web_main(data_dir)
    try:
        config = read_config(mode, os.environ)
        db = Database.from_env(os.environ)
        web_config = read_web_config(os.environ) if mode == "webhook" else None
    except (ConfigError, DatabaseConfigError) as exc:
        print(f"returnbot telegram: {exc}", file=sys.stderr)
        return 2
    setup_logging(dataclasses.replace(config, extra_secrets=db.secrets + (web_config.secrets if web_config else ())))
    if web_config and web_config.key_made:
        log.warning(KEY_MADE)
    log.info("memory kept in %s", db.describe())
    if os.environ.get("DYNO") and db.url is None:
        # Heroku's disk is wiped at every restart: only a database keeps the memory.
        log.warning("DATABASE_URL is not set: the chats' memory is lost at every dyno restart "
                    "(add Heroku Postgres: heroku addons:create heroku-postgresql:essential-0)")
    try:
        pipeline = Pipeline.load(data_dir)
    except DataError as exc:
        print(f"returnbot: {exc}", file=sys.stderr)
        return 2
    sockets = site = None
    if mode == "webhook":
        from bot import webhook   # lazy: polling has no use for the HTTP server
        from bot.web.site import Site
        site = Site(pipeline, web_config)
        try:
            sockets = webhook.bind(config)
        except socket.gaierror:
            print("returnbot telegram: WEBHOOK_LISTEN is not an address of this machine", file=sys.stderr)
            return 2
        except OSError as exc:
            log.error("could not listen on WEBHOOK_LISTEN and PORT: %s", exc.strerror or exc)
            return 1
    processor = ChatOrderedProcessor()
    app = build_application(config, ChatBot(pipeline, Texts()), processor, db)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)   # PTB runs on the current event loop
    _stop_on_signals(loop, processor)
    try:
        if sockets is not None:
            webhook.WebhookServer(app, processor, config, sockets, ALLOWED_UPDATES, site).run(loop)
        else:
            log.info("polling mode")
            app.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None, bootstrap_retries=3)
    except InvalidToken:
        log.error("the Bot API rejected TELEGRAM_TOKEN: check it with @BotFather (/token)")
        return 2
    except (TelegramError, OSError) as exc:
        log.error("could not start: %s", exc)
        return 1
    log.info("stopped")
    return 0
