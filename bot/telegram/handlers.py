"""The Telegram bot's handlers: questions, commands, buttons, inline queries, everything
else. The answers are the pipeline's; what a chat remembers is its chat_data (ChatData)."""
from __future__ import annotations

import datetime as dt
import logging
import re
import textwrap
from collections import OrderedDict
from typing import Any, cast

from telegram.constants import MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, InlineQueryHandler, MessageHandler, filters

from bot.charts.drawing import chart_png
from bot.export import has_table, wants_data
from bot.suggest import Suggester, parse_ask
from bot.telegram.chatdata import BotContext, ChatData, ChatMemory
from bot.telegram.formatting import answer_html, split_html, telegram_html, utf16_len, visible_text
from bot.telegram.texts import COMMANDS, Texts
from intents.models import LANGS, first_language
from intents.pipeline import Context, Pipeline, Reply
from intents.program import Request
from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputTextMessageContent,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)

LANG_PREFIX = "l"            # callback data "l:<nl|fr|en|auto>": a button of the /lang keyboard
TABLE_PREFIX = "x"           # callback data "x:<key>": the CSV button of an answer the chat remembers (ChatData.tables)
PHOTO_IDS = 1000             # charts remembered by Telegram file id, for inline results
TABLE_FILE = "returnbot.csv"        # an answer's figures, sent by its CSV button
DATA_FILE = "returnbot-data.csv"    # every observation, for "download all the data"
INLINE_CACHE_SECONDS = 60    # how long Telegram may reuse an inline answer (for this user only)

log = logging.getLogger("returnbot.telegram")


def _user_lang(update: Update) -> str | None:
    user = update.effective_user
    code = (user.language_code or "")[:2].lower() if user else ""
    return code if code in LANGS else None


class ChatBot:
    """The handlers: questions, commands, buttons, inline queries, everything else. One per process."""

    def __init__(self, pipeline: Pipeline, texts: Texts, memory: ChatMemory | None = None,
                 suggester: Suggester | None = None):
        self.pipeline, self.texts = pipeline, texts
        self.memory = memory if memory is not None else ChatMemory()
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
        kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]   # as PTB types them
        found = {**message.parse_entities(kinds), **message.parse_caption_entities(kinds)}
        return any((e.type == MessageEntity.MENTION and text.lower() == "@" + username.lower())
                   or (e.type == MessageEntity.TEXT_MENTION and e.user and e.user.id == bot_id)
                   for e, text in found.items())

    @staticmethod
    def without_mention(text: str, username: str) -> str:
        return re.sub(rf"(?<![\w@])@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()

    def language(self, update: Update, state: ChatData) -> str:
        """The language of a reply that has no question to take it from."""
        return first_language(state.forced, state.lang, _user_lang(update))

    @staticmethod
    async def may_set_language(update: Update, context: BotContext) -> bool:
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
        message = _message(update)
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
        from bot.export import table_csv, wants_data  # pandas only when a table is sent

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
        if utf16_len(visible_text(text)) <= MessageLimit.CAPTION_LENGTH:   # Telegram counts what it shows
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
    async def answer_question(self, update: Update, context: BotContext, chat: int, question: str,
                              lang_hint: str | None = None) -> None:
        state = self.memory.get(context.application, chat)
        reply = self.pipeline.ask(question, context=self.memory.follow_up(state), lang=state.forced,
                                  lang_hint=first_language(lang_hint, state.lang, _user_lang(update)))
        # A table's CSV button carries a key; the chat remembers the answer it stands for.
        table = state.add_table(reply.answer.request.to_json(), reply.lang) if has_table(reply.answer) else None
        await self.send_reply(update, reply, chat, context.bot, table)
        if wants_data(reply.answer):
            await self.send_table(context.bot, chat, reply.answer, reply.lang)
        state.context, state.asked = reply.context, self.memory.clock()
        self.memory.put(context.application, chat, state)

    async def on_text(self, update: Update, context: BotContext) -> None:
        message, bot = _message(update), context.bot
        if not self.addressed(message, bot.id, bot.username):
            return
        # text or caption, as the handler's filter asks
        question = self.without_mention(message.text or message.caption or "", bot.username)
        await self.answer_question(update, context, message.chat_id, question)

    async def on_migrate(self, update: Update, context: BotContext) -> None:
        """A group that becomes a supergroup gets a new chat id: what the bot remembers moves
        with it. Telegram says so in both chats (migrate_to_chat_id in the old one,
        migrate_from_chat_id in the new one); the second finds nothing left to move."""
        message = _message(update)
        old = message.migrate_from_chat_id or message.chat_id
        new = message.migrate_to_chat_id or message.chat_id
        self.memory.move(context.application, old, new)
        # PTB saves the chats of the update it handles: the new one is another chat.
        context.application.mark_data_for_update_persistence(chat_ids=new)

    async def on_start(self, update: Update, context: BotContext) -> None:
        chat = _message(update).chat_id
        state = self.memory.get(context.application, chat)
        # A new start: no follow-up refers to what came before; the chat keeps its language.
        state.context = Context(None, state.lang) if state.lang else None
        lang = self.language(update, state)
        await self.send(update, self.texts.welcome(lang, context.bot.username, self.pipeline.reach(lang)))
        self.memory.put(context.application, chat, state)

    async def on_help(self, update: Update, context: BotContext) -> None:
        lang = self.language(update, self.memory.get(context.application, _message(update).chat_id))
        reply = self.pipeline.ask("help", lang=lang)
        await self.send(update, telegram_html(reply.html) + "\n\n" + self.texts.get(lang, "help_commands"))

    async def on_sources(self, update: Update, context: BotContext) -> None:
        lang = self.language(update, self.memory.get(context.application, _message(update).chat_id))
        await self.send(update, telegram_html(self.pipeline.ask("sources", lang=lang).html))

    async def on_glossary(self, update: Update, context: BotContext) -> None:
        lang = self.language(update, self.memory.get(context.application, _message(update).chat_id))
        await self.send(update, telegram_html(self.pipeline.ask("glossary", lang=lang).html))

    def lang_keyboard(self, lang: str) -> InlineKeyboardMarkup:
        """Each language named in itself; "the question's language" in the current one."""
        native = [InlineKeyboardButton(self.texts.t[code]["own_name"], callback_data=f"{LANG_PREFIX}:{code}")
                  for code in LANGS]
        auto = InlineKeyboardButton(self.texts.get(lang, "lang_auto_button"), callback_data=f"{LANG_PREFIX}:auto")
        return InlineKeyboardMarkup([native, [auto]])

    def set_language(self, update: Update, context: BotContext, choice: str) -> str:
        """Stores a /lang choice (a language or "auto"); the confirmation, in the new language."""
        chat = _chat_id(update)
        state = self.memory.get(context.application, chat)
        state.forced = choice if choice in LANGS else None
        self.memory.put(context.application, chat, state)
        if choice in LANGS:
            return self.texts.get(choice, "lang_set", language=self.texts.t[choice]["names"][choice])
        return self.texts.get(self.language(update, state), "lang_auto")

    async def on_lang(self, update: Update, context: BotContext) -> None:
        state = self.memory.get(context.application, _message(update).chat_id)
        lang = self.language(update, state)
        choice = context.args[0].lower() if context.args else ""
        if not await self.may_set_language(update, context):
            await self.send(update, self.texts.get(lang, "lang_admins_only"))
        elif choice in (*LANGS, "auto"):
            await self.send(update, self.set_language(update, context, choice))
        else:
            # Telegram makes only "/lang" tappable in "/lang nl": the buttons let a phone choose.
            now = self.texts.t[lang]["names"][state.forced or "auto"]
            await self.send(update, self.texts.get(lang, "lang_choose", language=now), self.lang_keyboard(lang))

    async def on_button(self, update: Update, context: BotContext) -> None:
        """A button under one of the bot's messages: a language, or a question to answer as if
        typed. The query is always answered (the button stops spinning), even for a button
        this version does not know."""
        query = cast(CallbackQuery, update.callback_query)   # a CallbackQueryHandler's
        data = query.data or ""
        chat = update.effective_chat
        asked = parse_ask(data)
        prefix, _, choice = data.partition(":")
        lang = self.language(update, self.memory.get(context.application, chat.id)) if chat else \
            first_language(_user_lang(update))
        if chat is not None and prefix == LANG_PREFIX and choice in (*LANGS, "auto"):
            if not await self.may_set_language(update, context):
                await _answer_query(query, self.texts.get(lang, "lang_admins_only_short"), alert=True)
                return
            await _answer_query(query)
            text = self.set_language(update, context, choice)
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

    async def on_table_button(self, query: Any, context: BotContext, chat: int, key: str,
                              lang: str) -> None:
        """The CSV button: the answer it stands for, run again from its stored request (whose
        periods are resolved: the same figures whenever it is pressed), sent as a document."""
        entry = self.memory.get(context.application, chat).tables.get(key)
        try:
            request = Request.from_json(entry["request"]) if entry else None
        except (KeyError, TypeError, ValueError):
            request = None   # written by another version
        if request is None or entry is None:
            await _answer_query(query, self.texts.get(lang, "table_gone"), alert=True)
            return
        await _answer_query(query)
        answer = self.pipeline.engine.run(request, dt.date.today())
        await self.send_table(context.bot, chat, answer, entry["lang"])

    async def on_inline(self, update: Update, context: BotContext) -> None:
        """`@bot question` in any chat: the answer as a result to send, and the chart as a
        second one when this process has sent that chart before (see `photo_ids`). An empty
        query offers the welcome's examples, answered."""
        query = cast(InlineQuery, update.inline_query)   # an InlineQueryHandler's
        hint = first_language(_user_lang(update))
        questions = [query.query.strip()] if query.query.strip() else self.texts.t[hint]["examples"]
        results: list[Any] = []
        for n, question in enumerate(questions[:3]):
            reply = self.pipeline.ask(question, lang_hint=hint)
            text = split_html(answer_html(reply))[0]
            title = visible_text(text).split("\n", 1)[0]
            results.append(InlineQueryResultArticle(
                f"a{n}", title=textwrap.shorten(question, 64, placeholder="…"),
                description=textwrap.shorten(title, 120, placeholder="…"),
                input_message_content=InputTextMessageContent(text)))
            file_id = self.photo_ids.get(self.chart_key(reply))
            if file_id:
                caption = text if utf16_len(visible_text(text)) <= MessageLimit.CAPTION_LENGTH else None
                results.append(InlineQueryResultCachedPhoto(f"c{n}", file_id, title=question[:64], caption=caption))
        await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True)

    async def on_unknown_command(self, update: Update, context: BotContext) -> None:
        message = _message(update)
        command = (message.text or "").split(maxsplit=1)[0]
        target = command.partition("@")[2].lower()
        ours = target == context.bot.username.lower() or (not target and message.chat.type == Chat.PRIVATE)
        if ours:
            lang = self.language(update, self.memory.get(context.application, message.chat_id))
            await self.send(update, self.texts.get(lang, "unknown_command"))

    async def on_other(self, update: Update, context: BotContext) -> None:
        message, bot = _message(update), context.bot
        if self.addressed(message, bot.id, bot.username):
            lang = self.language(update, self.memory.get(context.application, message.chat_id))
            await self.send(update, self.texts.get(lang, "non_text"))

    async def on_error(self, update: object, context: BotContext) -> None:
        """Logs the failure and tells the user; the bot goes on with the next update."""
        update_id = getattr(update, "update_id", None)
        log.error("update %s failed", update_id, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        lang = self.language(update, self.memory.get(context.application, update.effective_chat.id))
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


def _message(update: Update) -> Message:
    """The update's message: the handlers that ask for it are registered for messages only."""
    return cast(Message, update.effective_message)


def _chat_id(update: Update) -> int:
    """The update's chat: the handlers that ask for it are registered for updates in a chat."""
    return cast(Chat, update.effective_chat).id
