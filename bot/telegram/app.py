"""Telegram front end: the CLI's answers in a chat, by long polling or by webhook.

`returnbot telegram --polling|--webhook` calls `main`: it checks the configuration
(bot/telegram/config.py), builds the Application around the handlers
(bot/telegram/handlers.py) and runs it until SIGTERM. Configuration comes from the
environment (see the README, "Deploy").
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import sys
from typing import Any

from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, Defaults

from bot.env import ConfigError
from bot.startup import load_or_report
from bot.telegram.chatdata import context_types
from bot.telegram.config import Config, read_config
from bot.telegram.database import Database, DatabaseConfigError
from bot.telegram.handlers import ChatBot
from bot.telegram.logs import setup_logging
from bot.telegram.persistence import SQLPersistence
from bot.telegram.processor import ChatOrderedProcessor
from bot.telegram.texts import Texts
from intents.models import DEFAULT_LANG, LANGS
from intents.pipeline import Pipeline
from telegram import LinkPreviewOptions, Update

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
DRAIN_SECONDS = 6.0          # after SIGTERM, pending updates get this long; the platform kills at 30 s

log = logging.getLogger("returnbot.telegram")


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
               .concurrent_updates(processor).context_types(context_types()))
    if config.api_url:
        builder = builder.base_url(config.api_url)
    if config.max_rate > 0:
        # Retries honour Telegram's retry_after when a 429 comes all the same.
        # PTB types its builder for a rate limiter without per-call arguments; AIORateLimiter has some.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=config.max_rate,  # type: ignore[arg-type]
                                                      max_retries=3))
    if db is not None:
        builder = builder.persistence(SQLPersistence(db, size=bot.memory.size, ttl=bot.memory.ttl))

    async def post_init(app: Application) -> None:
        log.info("connected to the Bot API as @%s", app.bot.username)
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
        from bot.web.config import KEY_MADE, read_web_config, webhook_configured  # standard library only
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
    pipeline = load_or_report(Pipeline.load, data_dir)
    if pipeline is None:
        return 2
    sockets = site = None
    if web_config is not None:   # webhook mode
        from bot.telegram import webhook  # lazy: polling has no use for the HTTP server
        from bot.web.http import bind
        from bot.web.site import Site
        site = Site(pipeline, web_config)
        bound = bind(config.port, config.listen, "returnbot telegram")
        if isinstance(bound, int):
            return bound
        sockets = bound
    processor = ChatOrderedProcessor()
    app = build_application(config, ChatBot(pipeline, Texts()), processor, db)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)   # PTB runs on the current event loop
    _stop_on_signals(loop, processor)
    try:
        if sockets is not None and site is not None:
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
