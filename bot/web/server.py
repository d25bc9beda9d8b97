"""`returnbot web` without webhook settings: the page and the API alone on PORT.

This is the `web` process of a deploy whose bot runs by polling in the worker (or runs
nowhere yet: a first push with no settings at all). With WEBHOOK_URL set, `returnbot web`
runs `returnbot telegram --webhook` instead, which serves the same site beside the
webhook's path on the same server (bot/telegram/webhook.py).
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys

from tornado.ioloop import PeriodicCallback

from bot.env import ConfigError
from bot.logs import RedactingFormatter
from bot.startup import load_or_report
from bot.web.config import KEY_MADE, WebConfig, read_web_config
from bot.web.http import REPORT_SECONDS, Refusals, bind, serve
from bot.web.routes import application
from bot.web.site import Site
from intents.pipeline import Pipeline

MAX_BODY = 4 * 1024          # bytes: the site answers GET requests only, which have no body
STOP_SECONDS = 5.0           # open connections get this long to finish at SIGTERM
NOT_SET_UP = ("webhook mode is not set up (WEBHOOK_URL is not set): this process serves the page and the API only. "
              "Set WEBHOOK_URL and WEBHOOK_SECRET to run the Telegram bot here too, or run the polling worker: "
              "heroku ps:scale worker=1")

log = logging.getLogger("returnbot.web")


def setup_logging(config: WebConfig) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(config.secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # tornado logs every request at INFO (its access log, with the query: the question) and
    # malformed requests with their content.
    logging.getLogger("tornado").setLevel(logging.WARNING)
    logging.captureWarnings(True)


async def _serve(site: Site, sockets: list[socket.socket]) -> None:
    refusals = Refusals()
    server = serve(application(site, [], refusals), sockets, refusals, MAX_BODY)
    reporter = PeriodicCallback(refusals.report, REPORT_SECONDS * 1000)
    reporter.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("stopping")
    server.stop()
    try:
        await asyncio.wait_for(server.close_all_connections(), STOP_SECONDS)
    except TimeoutError:
        log.warning("connections still open after %.0f s: closed", STOP_SECONDS)
    reporter.stop()
    refusals.report()
    site.close()


def main(data_dir: str | None) -> int:
    """Serves until SIGTERM or SIGINT, then returns 0. Returns 2 for a bad setting or damaged
    data (one line on stderr), 1 when the port cannot be had."""
    try:
        config = read_web_config(os.environ)
    except ConfigError as exc:
        print(f"returnbot web: {exc}", file=sys.stderr)
        return 2
    setup_logging(config)
    pipeline = load_or_report(Pipeline.load, data_dir)
    if pipeline is None:
        return 2
    sockets = bind(config.port, config.listen, "returnbot web")
    if isinstance(sockets, int):
        return sockets
    site = Site(pipeline, config)
    log.warning(NOT_SET_UP)
    if config.key_made:
        log.warning(KEY_MADE)
    log.info("serving the page and the API on %s port %d", config.listen, config.port)
    asyncio.run(_serve(site, sockets))
    log.info("stopped")
    return 0
