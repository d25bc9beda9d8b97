"""Telegram front end: the CLI's answers in a chat, by long polling or by webhook.

`returnbot telegram --polling|--webhook` calls `main`. Configuration comes from the
environment (see the README, "Deploy"); the bot's own texts from bot/messages.toml.
"""
from __future__ import annotations

import asyncio
import dataclasses
import html
import inspect
import logging
import os
import re
import signal
import socket
import sys
import tomllib
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from telegram import BotCommand, Chat, LinkPreviewOptions, Message, MessageEntity, TelegramObject, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (AIORateLimiter, Application, BaseUpdateProcessor, CommandHandler, ContextTypes,
                          Defaults, MessageHandler, filters)

from bot.config import Config, ConfigError, read_config
from bot.persistence import ChatState, ChatStore, Database, DatabaseConfigError, SQLPersistence
from intents.data import DataError
from intents.pipeline import Pipeline

LANGS = ("nl", "fr", "en")
DEFAULT_LANG = "en"
MESSAGES = Path(__file__).with_name("messages.toml")

# Each command with the names it answers to; the menus in messages.toml pick among these.
COMMANDS = {
    "start": ("start",),
    "help": ("help", "hulp", "aide"),
    "sources": ("sources", "source", "bron"),
    "lang": ("lang", "taal", "langue"),
}
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE]

WORKERS = 16                 # updates answered at once (of different chats)
IN_FLIGHT = 4096             # updates accepted from the queue before the queue waits
DRAIN_SECONDS = 6.0          # after SIGTERM, pending updates get this long; the platform kills at 30 s
MAX_LOG_LINE = 500           # characters

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

log = logging.getLogger("returnbot.telegram")


# ---- logging -------------------------------------------------------------------------

class RedactingFormatter(logging.Formatter):
    """Blanks the secrets in the whole formatted record, traceback included: PTB puts the
    token in request URLs and in the message of InvalidToken. Cuts every line to MAX_LOG_LINE
    characters, so that no message (a library's echo of what it was sent) can grow the log
    by more than that."""

    def __init__(self, secrets: tuple[str, ...]):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = sorted(secrets, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return "\n".join(line if len(line) <= MAX_LOG_LINE else line[:MAX_LOG_LINE] + " [cut]"
                         for line in text.split("\n"))


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

    def welcome(self, lang: str, username: str) -> str:
        t = self.t[lang]
        examples = "\n".join(t["example"].format(question=html.escape(q)) for q in t["examples"])
        return t["welcome"].format(examples=examples, follow_up=html.escape(t["follow_up"]),
                                   bot=html.escape("@" + username))

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
        self.finished = 0   # updates done with, answered or not: the webhook's backlog counts on it

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        if self.unanswered:
            log.warning("%d update(s) left unanswered: the bot was stopping", self.unanswered)

    def drain(self, seconds: float) -> None:
        self._deadline = asyncio.get_running_loop().time() + seconds
        for scope in self._scopes:
            scope.reschedule(self._deadline)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat else None
        previous = self._last.get(key)
        mine = asyncio.get_running_loop().create_future()
        self._last[key] = mine
        try:
            async with asyncio.timeout_at(self._deadline) as scope:
                self._scopes.add(scope)
                try:
                    if previous is not None:
                        await asyncio.wait([previous])
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
            if self._last.get(key) is mine:
                del self._last[key]
            self.finished += 1


# ---- HTML for Telegram ---------------------------------------------------------------------

_SUP_RUN = re.compile(r"(?:<sup>\d+</sup>)+")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def telegram_html(text: str) -> str:
    """Telegram's HTML has no <sup>: footnote marks become superscript digits, spaced as
    in the plain-text answer ("¹ ²")."""
    return _SUP_RUN.sub(lambda m: " ".join(n.translate(_SUPERSCRIPT) for n in re.findall(r"\d+", m.group())), text)


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
    """The handlers: questions, commands, everything else. One per process."""

    def __init__(self, pipeline: Pipeline, texts: Texts, store: ChatStore | None = None):
        self.pipeline, self.texts = pipeline, texts
        self.store = store if store is not None else ChatStore()

    def register(self, app: Application) -> None:
        messages = filters.UpdateType.MESSAGES
        app.add_handler(CommandHandler(COMMANDS["start"], self.on_start, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["help"], self.on_help, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["sources"], self.on_sources, filters=messages))
        app.add_handler(CommandHandler(COMMANDS["lang"], self.on_lang, filters=messages))
        app.add_handler(MessageHandler(messages & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(messages & filters.TEXT, self.on_text))
        # Only new messages: a photo whose caption is edited needs no second reminder.
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                       self.on_other))
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

    async def send(self, update: Update, text: str) -> None:
        """Sends HTML, in parts if it is too long. In groups, and for an edited question, the
        first part quotes the message it answers."""
        message = update.effective_message
        quote = message.chat.type != Chat.PRIVATE or update.edited_message is not None
        for n, part in enumerate(split_html(text)):
            await message.reply_html(part, do_quote=quote and n == 0)

    # -- handlers ----------------------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, bot = update.effective_message, context.bot
        if not self.addressed(message, bot.id, bot.username):
            return
        chat = message.chat_id
        state = self.store.get(chat)
        reply = self.pipeline.ask(self.without_mention(message.text, bot.username), context=state.context,
                                  lang=state.forced, lang_hint=state.lang or _user_lang(update) or DEFAULT_LANG)
        await self.send(update, telegram_html(reply.html))
        state.context, state.lang, state.asked = reply.context, reply.lang, self.store.clock()
        self.store.put(chat, state)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_message.chat_id
        state = self.store.get(chat)
        state.context = None   # a new start: no follow-up refers to what came before
        await self.send(update, self.texts.welcome(self.language(update, state), context.bot.username))
        self.store.put(chat, state)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        reply = self.pipeline.ask("help", lang=lang)
        await self.send(update, telegram_html(reply.html) + "\n\n" + self.texts.get(lang, "help_commands"))

    async def on_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        await self.send(update, telegram_html(self.pipeline.ask("sources", lang=lang).html))

    async def on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_message.chat_id
        state = self.store.get(chat)
        choice = context.args[0].lower() if context.args else ""
        if choice in LANGS:
            state.forced = choice
            text = self.texts.get(choice, "lang_set", language=self.texts.t[choice]["names"][choice])
        elif choice == "auto":
            state.forced = None
            text = self.texts.get(self.language(update, state), "lang_auto")
        else:
            lang = self.language(update, state)
            text = self.texts.get(lang, "lang_usage", language=self.texts.t[lang]["names"][state.forced or "auto"])
        await self.send(update, text)
        self.store.put(chat, state)

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
        if not isinstance(update, Update) or update.effective_message is None:
            return
        lang = self.language(update, self.store.get(update.effective_message.chat_id))
        try:
            await update.effective_message.reply_html(self.texts.get(lang, "error"), do_quote=False)
        except TelegramError as exc:
            log.warning("could not tell chat of update %s about the failure: %s", update_id, exc)


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
    refused)."""
    try:
        config = read_config(mode, os.environ)
        db = Database.from_env(os.environ)
    except (ConfigError, DatabaseConfigError) as exc:
        print(f"returnbot telegram: {exc}", file=sys.stderr)
        return 2
    setup_logging(dataclasses.replace(config, extra_secrets=db.secrets))
    log.info("memory kept in %s", db.describe())
    try:
        pipeline = Pipeline.load(data_dir)
    except DataError as exc:
        print(f"returnbot: {exc}", file=sys.stderr)
        return 2
    sockets = None
    if mode == "webhook":
        from bot import webhook   # lazy: polling has no use for the HTTP server
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
            webhook.WebhookServer(app, processor, config, sockets, ALLOWED_UPDATES).run(loop)
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
