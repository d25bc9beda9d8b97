"""The webhook's handler and its server, safe to face the internet.

The server is the web process's (bot/web/http.py: tornado, the server python-telegram-bot
itself uses for webhooks, with deadlines for headers and body, size caps and a cap on open
connections); the webhook is one path of it, beside the public page and the API
(bot/web/). The secret header (compared in constant time), the content type and the
announced length are checked before a byte of the body is read; a chunked body is cut off
as soon as it passes MAX_BODY.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import socket
import sys
from collections import Counter, OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING, cast

from telegram.error import NetworkError
from telegram.ext import Application
from tornado.http1connection import HTTP1Connection
from tornado.ioloop import PeriodicCallback
from tornado.web import RequestHandler, stream_request_body

from bot.telegram.config import Config
from bot.web.http import REPORT_SECONDS, CappedHTTPServer, Refusals, serve
from bot.web.routes import application
from telegram import Update

if TYPE_CHECKING:
    from bot.telegram.processor import ChatOrderedProcessor
    from bot.web.site import Site

MAX_BODY = 256 * 1024        # bytes; an update holds at most two 4,096-character texts with their entities: ~100 KB
MAX_BACKLOG = 64             # updates accepted and not yet done with: 4 x the updates answered at once
MAX_BACKLOG_PER_CHAT = 8     # of which one chat's (or one inline user's): the rest stays for the others
RECENT_UPDATES = 10_000      # update ids remembered, so that an update Telegram sends again is not answered twice
BACKLOG_SECONDS = 10.0       # an update waits this long for room in the backlog, then gets 503
SETWEBHOOK_TRIES = 3
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LENGTH = re.compile(r"[0-9]{1,18}")

log = logging.getLogger("returnbot.webhook")


class Backlog:
    """At most `size` updates accepted and not yet done with, and at most `per_chat` of one
    chat's. Past that the answer to Telegram's POST waits for room: Telegram, which posts at
    most max_connections updates at once, slows down to the bot's pace, where answering at
    once would pile every update it has up in the bot's memory (PTB turns each queued update
    into a task straight away). The share per chat keeps one busy chat (a group whose answers
    wait for its rate limit) from taking the room of all the others."""

    def __init__(self, size: int = MAX_BACKLOG, per_chat: int = MAX_BACKLOG_PER_CHAT):
        self.size, self.per_chat = size, per_chat
        self.held: Counter[Hashable] = Counter()   # by chat: accepted and not yet done with
        self.total = 0

    async def admit(self, key: Hashable) -> bool:
        """Waits for room for one more update of `key`'s chat; False if there was none for
        BACKLOG_SECONDS."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BACKLOG_SECONDS
        while self.total >= self.size or self.held[key] >= self.per_chat:
            if loop.time() > deadline:
                if not self.held[key]:
                    del self.held[key]
                return False
            await asyncio.sleep(0.01)
        self.total += 1
        self.held[key] += 1
        return True

    def done(self, key: Hashable) -> None:
        """An update of `key`'s chat is done with, answered or not."""
        self.total -= 1
        self.held[key] -= 1
        if self.held[key] <= 0:
            del self.held[key]


class RecentUpdates:
    """The ids of the last `size` updates taken in. Telegram sends an update again when its
    POST got no 200 in time; one taken in already is acknowledged, not answered twice."""

    def __init__(self, size: int = RECENT_UPDATES):
        self.size = size
        self.ids: OrderedDict[int, None] = OrderedDict()

    def claim(self, update_id: int) -> bool:
        """True the first time an id is seen (it is then held), False after."""
        if update_id in self.ids:
            return False
        self.ids[update_id] = None
        if len(self.ids) > self.size:
            self.ids.popitem(last=False)
        return True

    def release(self, update_id: int) -> None:
        """The update was refused (503): when Telegram sends it again, it is new."""
        self.ids.pop(update_id, None)


def json_content_type(value: str) -> bool:
    """application/json, with no charset or charset=utf-8 (any case, any spacing)."""
    kind, *params = (part.strip().lower() for part in value.split(";"))
    charsets = [p.partition("=")[2].strip().strip('"') for p in params if p.partition("=")[0].strip() == "charset"]
    return kind == "application/json" and all(c in ("utf-8", "utf8") for c in charsets)


@stream_request_body
class UpdateHandler(RequestHandler):
    """POST of one update. Everything that can be checked from the headers is checked in
    `prepare`, before tornado reads the body; the body is collected in `data_received`."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: Application, processor: ChatOrderedProcessor, backlog: Backlog,
                   recent: RecentUpdates, secret: bytes) -> None:
        self.app, self.processor, self.backlog, self.recent, self.secret = app, processor, backlog, recent, secret
        self.body = bytearray()

    @property
    def connection(self) -> HTTP1Connection:
        """The request's connection: tornado's HTTP/1 server makes every one an HTTP1Connection."""
        return cast(HTTP1Connection, self.request.connection)

    async def _refuse(self, status: int) -> None:
        """Answers `status` and closes the connection, so that the rest of the body is never read."""
        self.set_status(status)
        self.set_header("Connection", "close")
        await self.finish()
        self.connection.close()

    async def prepare(self) -> None:
        headers = self.request.headers
        # tornado decodes header values as latin-1: encoding them back gives the bytes sent.
        if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode("latin-1"), self.secret):
            return await self._refuse(403)
        if not json_content_type(headers.get("Content-Type", "")):
            return await self._refuse(415)
        length = headers.get("Content-Length")
        if length is not None and not _LENGTH.fullmatch(length):
            return await self._refuse(400)
        if length is not None and int(length) > MAX_BODY:
            return await self._refuse(413)
        if length is None:
            # Chunked: tornado would refuse a chunk that passes its cap with 400 before a byte of it
            # is read; data_received refuses it with 413 instead, having held at most MAX_BODY.
            self.connection.set_max_body_size(sys.maxsize)

    async def data_received(self, chunk: bytes) -> None:
        self.body += chunk
        if len(self.body) > MAX_BODY:
            self.body = bytearray()
            await self._refuse(413)

    async def post(self) -> None:
        try:
            data = json.loads(self.body.decode("utf-8"))
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("not an update")
            update = Update.de_json(data, self.app.bot)
        except Exception:   # de_json raises TypeError, KeyError, AttributeError... on a malformed update
            return self.set_status(400)
        if not self.recent.claim(update.update_id):
            return None   # 200: taken in already
        # 503 while the bot stops or has no room: Telegram sends the update again later.
        if not self.app.running or not await self.backlog.admit(self.processor.key(update)) or not self.app.running:
            self.recent.release(update.update_id)
            return self.set_status(503)
        await self.app.update_queue.put(update)


class WebhookServer:
    """The server and the Application around it: `start` registers the webhook and opens the
    door (to the webhook's path and to the site's pages), `stop` closes it and lets the
    Application finish what it holds."""

    def __init__(self, app: Application, processor: ChatOrderedProcessor, config: Config,
                 sockets: list[socket.socket], allowed_updates: list[str], site: Site):
        self.app, self.config, self.sockets, self.allowed_updates = app, config, sockets, allowed_updates
        self.refusals = Refusals()
        backlog = Backlog()
        processor.on_done = backlog.done
        handler_args = {"app": app, "processor": processor, "backlog": backlog, "recent": RecentUpdates(),
                        "secret": config.secret.encode()}
        # The webhook's path first: it wins over any page of the site's.
        routes = [(f"/{re.escape(config.path)}", UpdateHandler, handler_args)]
        self.site = site
        self.web = application(site, routes, self.refusals)
        self.server: CappedHTTPServer | None = None
        self.reporter = PeriodicCallback(self.refusals.report, REPORT_SECONDS * 1000)

    async def _set_webhook(self) -> None:
        for attempt in range(1, SETWEBHOOK_TRIES + 1):
            try:
                await self.app.bot.set_webhook(self.config.webhook_url, secret_token=self.config.secret,
                                               allowed_updates=self.allowed_updates)
                return
            except NetworkError as exc:
                if attempt == SETWEBHOOK_TRIES:
                    raise
                log.warning("setWebhook failed (%s), trying again", exc)
                await asyncio.sleep(attempt)

    async def start(self) -> None:
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self._set_webhook()
        await self.app.start()
        self.server = serve(self.web, self.sockets, self.refusals, MAX_BODY)
        self.reporter.start()

    def run(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serves until SIGTERM or SIGINT, whose handler raises SystemExit (as PTB's own does)."""
        try:
            loop.run_until_complete(self.start())
            log.info("webhook mode: listening on %s port %d, path /%s, beside the page and the API", self.config.listen,
                     self.config.port, self.config.path)
            loop.run_forever()
        except SystemExit:
            pass
        finally:
            loop.run_until_complete(self.stop())

    async def stop(self) -> None:
        """Safe to call whatever `start` got to."""
        if self.server:
            self.server.stop()
        else:
            for sock in self.sockets:
                sock.close()
        if self.app.running:
            await self.app.stop()
            if self.app.post_stop:
                await self.app.post_stop(self.app)
        if self.server:
            await self.server.close_all_connections()
        self.reporter.stop()
        self.refusals.report()
        self.site.close()
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)
