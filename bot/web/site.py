"""The site: what its handlers share (the pipeline, the texts, the context's signer, the
rate limiter, the follow-up suggester, the caches of charts and data tables), the answer
to one question, and the refusal of a request (the routes that serve it all, alone or
beside the Telegram webhook, are bot/web/routes.py)."""
from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.suggest import Suggester
from bot.web.config import WebConfig
from bot.web.limits import RateLimiter
from bot.web.signing import ContextSigner, ForgedContext, StaleContext
from bot.web.texts import PageTexts
from bot.web.view import Asked
from intents.pipeline import Context, Pipeline, Reply

CHARTS = 64                  # charts kept drawn (PNG, ~60 KB each), by language and request


class Refused(Exception):
    """A request refused with a message of web.toml (`key`, formatted with `fields`)."""

    def __init__(self, status: int, key: str, retry_after: int | None = None, **fields: Any):
        super().__init__(key)
        self.status, self.key, self.retry_after, self.fields = status, key, retry_after, fields


class Site:
    def __init__(self, pipeline: Pipeline, config: WebConfig):
        self.pipeline, self.config = pipeline, config
        self.texts = PageTexts()
        self.signer = ContextSigner(config.secret_key)
        self.limiter = RateLimiter(config.rate)
        self.suggester = Suggester(pipeline)
        self.ids = itertools.count(1)
        self.charts: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()
        # matplotlib draws one chart at a time, off the event loop: a chart takes ~0.2 s of CPU,
        # which would hold every other request (and the webhook's updates) meanwhile.
        self.chart_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")
        self.tables: dict[str, bytes] = {}

    def ask(self, asked: Asked, hint: str | None) -> tuple[Reply, bool]:
        """The reply to a question, following on from its context; and whether a context it
        carried could not be read (signed here, by an older version: answered on its own).
        Refused for a context this server did not sign."""
        context: Context | None = None
        stale = False
        if asked.ctx:
            try:
                context = self.signer.load(asked.ctx)
            except ForgedContext:
                raise Refused(400, "forged") from None
            except StaleContext:
                stale = True
        reply = self.pipeline.ask(asked.q, context=context, lang=asked.lang, lang_hint=hint, today=asked.today)
        return reply, stale

    async def chart(self, reply: Reply) -> bytes | None:
        """The answer's chart as PNG (None if it has none), drawn once per language and request."""
        from bot.charts.drawing import chart_png  # lazy: matplotlib only when a chart is asked for

        key = (reply.lang, repr(reply.answer.request))
        if key not in self.charts:
            png = await asyncio.get_running_loop().run_in_executor(
                self.chart_pool, chart_png, reply.answer, self.pipeline.renderer(reply.lang))
            self.charts[key] = png
            while len(self.charts) > CHARTS:
                self.charts.popitem(last=False)
        self.charts.move_to_end(key)
        return self.charts[key]

    def data_csv(self, lang: str) -> bytes:
        """The observation table with its publications, in `lang` (names and titles), made once."""
        if lang not in self.tables:
            from bot.export import data_csv  # lazy: pandas only when a table is asked for

            self.tables[lang] = data_csv(self.pipeline.engine.dataset, self.pipeline.renderer(lang)).encode("utf-8")
        return self.tables[lang]

    def close(self) -> None:
        self.chart_pool.shutdown(wait=False, cancel_futures=True)
