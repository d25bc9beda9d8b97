"""The site's addresses: each path with its handler (bot/web/handlers.py), after the ones a
caller puts first (the Telegram webhook's path), in one tornado Application."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado.web import Application

from bot.web import handlers
from bot.web.http import Refusals
from bot.web.site import Site

HERE = Path(__file__).parent


def application(site: Site, before: list[tuple[Any, ...]], refusals: Refusals) -> Application:
    """The site's routes after `before` (the webhook's path), with its templates and files.
    Each answered request is counted by `refusals` (no access log: a URL holds a question)."""
    args = {"site": site}
    routes = [*(before or []),
              (r"/", handlers.PageHandler, args),
              (r"/answer", handlers.FragmentHandler, args),
              (r"/answer\.csv", handlers.AnswerCSVHandler, args),
              (r"/chart\.png", handlers.ChartHandler, args),
              (r"/api/ask", handlers.APIAskHandler, args),
              (r"/api/data\.csv", handlers.DataCSVHandler, args),
              (r"/healthz", handlers.HealthHandler, args)]
    return Application(routes, template_path=str(HERE / "templates"), static_path=str(HERE / "static"),
                       static_handler_class=handlers.StaticHandler, default_handler_class=handlers.NotFoundHandler,
                       default_handler_args=args, compress_response=True, trusts_proxy=site.config.proxies > 0,
                       log_function=refusals.record)
