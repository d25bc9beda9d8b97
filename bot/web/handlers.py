"""The site's requests: the page (`/`, and `/answer`, the same answer as a fragment for the
page's script), the downloads (`/answer.csv`, `/chart.png`), the API (`/api/ask`,
`/api/data.csv`) and `/healthz`.

Every response carries the security headers (a content security policy that allows no
inline script or style, no framing, no sniffing, no referrer: a URL holds a question).
Nothing a user sends is logged: tornado's access log is replaced by a count of refusals
(bot/web/http.py), its warnings that quote the request are silenced here, and a failure is
logged with its traceback but never with the request or the exception's message.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import traceback
import unicodedata
from typing import Any

from tornado.httputil import responses
from tornado.web import HTTPError, RequestHandler, StaticFileHandler

from bot.web.limits import client_key
from bot.web.site import Refused, Site
from bot.web.texts import browser_lang
from bot.web.view import AnswerView, Asked, answer_view, url
from intents.models import DEFAULT_LANG, LANGS, first_language
from intents.normalize import MAX_CHARS
from intents.pipeline import Reply

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
           "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}
HSTS = "max-age=31536000"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CACHE_SECONDS = 3600         # charts and the data table: the same until the next deploy, give or take
CSV = "text/csv; charset=utf-8"

log = logging.getLogger("returnbot.web")


def slug(question: str) -> str:
    """A file name's stem from a question: ASCII letters and digits, dashes, at most 60 characters."""
    folded = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", folded))[:60].strip("-") or "answer"


class Hardened:
    """The security headers on every response, errors and static files included, and no
    Server header telling which server runs."""

    def set_default_headers(self) -> None:
        handler: Any = self
        handler.clear_header("Server")
        for name, value in HEADERS.items():
            handler.set_header(name, value)
        headers = handler.request.headers
        # Behind a trusted proxy that terminates HTTPS (Heroku's router), browsers may remember it.
        if handler.application.settings.get("trusts_proxy") and headers.get("X-Forwarded-Proto") == "https":
            handler.set_header("Strict-Transport-Security", HSTS)


class StaticHandler(Hardened, StaticFileHandler):
    """The page's script, style sheet and icon."""


class Base(Hardened, RequestHandler):
    SUPPORTED_METHODS: tuple[str, ...] = ("GET",)

    def initialize(self, site: Site) -> None:
        self.site = site
        self.form = Asked("")   # what the form shows again after a refusal

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, HTTPError):
            return   # counted by the log function; tornado's own warning quotes the URL, that is, the question
        frames = "".join(traceback.format_tb(tb)).rstrip()
        log.error("%s failed with %s:\n%s", type(self).__name__, typ.__name__, frames)

    # -- the request ---------------------------------------------------------------------
    def browser(self) -> str | None:
        return browser_lang(self.request.headers.get("Accept-Language"))

    def read(self, strict: bool) -> Asked:
        """The question's parameters. A `lang` that is none of nl, fr, en is refused by the API
        (`strict`) and left out by the page; a `today` that is no date, and a question too long,
        are refused (the form keeps them, to be corrected)."""
        q = self.get_argument("q", "")
        lang = self.get_argument("lang", "").lower() or None
        today_text = self.get_argument("today", "")
        ctx = self.get_argument("ctx", "") or None
        if lang not in (None, *LANGS):
            if strict:
                raise Refused(400, "bad_lang")
            lang = None
        self.form = Asked(q, lang, None, ctx)
        if today_text:
            try:
                if not ISO_DATE.fullmatch(today_text):
                    raise ValueError(today_text)
                today = dt.date.fromisoformat(today_text)
            except ValueError:
                raise Refused(400, "bad_today") from None
            self.form = Asked(q, lang, today, ctx)
        if len(q) > MAX_CHARS:
            raise Refused(400, "too_long", length=len(q), max=MAX_CHARS)
        return self.form

    def take(self) -> None:
        """Counts one question against the client's rate; Refused (429) past it."""
        # tornado gives every connection its peer's address (None only for a connection it did not accept)
        key = client_key(self.request.remote_ip or "", self.request.headers.get("X-Forwarded-For"),
                         self.site.config.proxies)
        wait = self.site.limiter.take(key)
        if wait:
            raise Refused(429, "rate_limited", retry_after=wait, seconds=wait)

    def answer(self, asked: Asked) -> AnswerView:
        self.take()
        reply, stale = self.site.ask(asked, self.browser())
        texts = self.site.texts[reply.lang]
        view = answer_view(f"a{next(self.site.ids)}", asked, reply, self.site.signer.dump(reply.context), texts,
                           self.site.suggester)
        view.notice = texts["stale"] if stale else None
        return view

    # -- responses ------------------------------------------------------------------------
    def message(self, refused: Refused, lang: str) -> str:
        return self.site.texts[lang][refused.key].format(**refused.fields)

    def refuse(self, refused: Refused) -> str:
        """Sets the status (and Retry-After); the message in the language of the request."""
        self.set_status(refused.status)
        if refused.retry_after:
            self.set_header("Retry-After", str(refused.retry_after))
        return self.message(refused, first_language(self.form.lang, self.browser()))

    def page(self, view: AnswerView | None = None, error: str | None = None) -> None:
        """The whole page: the form (with the context a follow-up carries), the answer or the
        error, the language switch."""
        form = self.form
        lang = view.lang if view else first_language(form.lang, self.browser())
        ctx = view.next_ctx if view else form.ctx
        if view:
            switch = [(code, view.switch(code)) for code in LANGS]
        else:
            switch = [(code, form.link("/", lang=code, ctx=ctx)) for code in LANGS]
        texts = self.site.texts
        self.render("page.html", ui=texts[lang], ui_lang=lang, view=view, error=error,
                    reach=self.site.pipeline.reach(lang),
                    more=[(texts[lang][key], url("/", q=texts[lang][key + "_q"], lang=lang))
                          for key in ("glossary", "sources")],
                    answer_html=self.render_string("answer.html", a=view) if view else b"",
                    q=form.q if error else "", form_lang=form.lang, today=form.today, ctx=ctx or "",
                    langs=[(code, texts[code]["own_name"], link) for code, link in switch],
                    new=url("/", lang=form.lang, today=form.today), max_chars=MAX_CHARS,
                    examples=[(e, url("/", q=e, lang=form.lang, today=form.today)) for e in texts[lang]["examples"]])

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """An error page (or JSON under /api/), never a traceback."""
        lang = first_language(self.browser())
        key = {404: "not_found"}.get(status_code, "error" if status_code >= 500 else None)
        message = self.site.texts[lang][key] if key else responses.get(status_code, str(status_code))
        if self.request.path.startswith("/api/"):
            self.finish({"error": message, "status": status_code})
            return
        self.form = Asked("")
        self.page(error=message)



    def answered(self) -> tuple[Asked, Reply] | None:
        """A download's question and its answer; None when it is refused (the refusal sent)."""
        try:
            asked = self.read(strict=False)
            if not asked.q:
                raise HTTPError(400)
            self.take()
            reply, _ = self.site.ask(asked, self.browser())
        except Refused as refused:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(self.refuse(refused))
            return None
        return asked, reply

class PageHandler(Base):
    """`/`: the page; with `q`, the page with the answer (no script needed)."""

    def get(self) -> None:
        try:
            asked = self.read(strict=False)
            if not asked.q:
                return self.page()
            view = self.answer(asked)
        except Refused as refused:
            if refused.key == "forged":
                self.form = Asked(self.form.q, self.form.lang, self.form.today)   # ask it again on its own
            return self.page(error=self.refuse(refused))
        self.page(view)


class FragmentHandler(Base):
    """`/answer`: the answer alone, for the page's script to insert without a reload."""

    def get(self) -> None:
        try:
            asked = self.read(strict=False)
            if not asked.q:
                raise HTTPError(400)
            view = self.answer(asked)
        except Refused as refused:
            message = self.refuse(refused)
            self.render("error.html", message=message, status=refused.status)
            return
        self.render("answer.html", a=view)


class AnswerCSVHandler(Base):
    """`/answer.csv`: the answer's figures, one row per figure (bot/export.py)."""

    def get(self) -> None:
        answered = self.answered()
        if answered is None:
            return
        asked, reply = answered
        from bot.export import answer_csv, wants_data  # lazy: pandas only when a table is asked for

        self.set_header("Content-Type", CSV)
        self.set_header("Content-Disposition", f'attachment; filename="returnbot-{slug(asked.q)}.csv"')
        # "download all the data": the observation table, as /api/data.csv gives it
        self.finish(self.site.data_csv(reply.lang) if wants_data(reply.answer)
                    else answer_csv(reply.answer, reply.renderer).encode("utf-8"))


class ChartHandler(Base):
    """`/chart.png`: the answer's chart, drawn as the command line and Telegram draw it."""

    async def get(self) -> None:
        answered = self.answered()
        if answered is None:
            return
        asked, reply = answered
        png = await self.site.chart(reply)
        if png is None:
            raise HTTPError(404)
        self.set_header("Content-Type", "image/png")
        self.set_header("Content-Disposition", f'inline; filename="returnbot-{slug(asked.q)}.png"')
        self.set_header("Cache-Control", f"public, max-age={CACHE_SECONDS}")
        self.finish(png)


class APIAskHandler(Base):
    """`/api/ask`: the object `returnbot ask --json` prints. The language is `lang` or the
    question's own, never the browser's, so that a question gets the same answer from any client."""

    def get(self) -> None:
        self.set_header("Access-Control-Allow-Origin", "*")
        try:
            asked = self.read(strict=True)
            if not asked.q:
                raise Refused(400, "missing_q")
            self.take()
            reply, _ = self.site.ask(Asked(asked.q, asked.lang, asked.today), None)
        except Refused as refused:
            message = self.refuse(refused)
            self.finish({"error": message, "status": refused.status})
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(reply.to_json(), ensure_ascii=False).encode("utf-8"))


class DataCSVHandler(Base):
    """`/api/data.csv`: every observation, with its publication (names and titles in `lang`)."""

    def get(self) -> None:
        lang = self.get_argument("lang", "").lower()
        lang = lang if lang in LANGS else DEFAULT_LANG
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Content-Type", CSV)
        self.set_header("Content-Disposition", f'attachment; filename="returnbot-observations-{lang}.csv"')
        self.set_header("Cache-Control", f"public, max-age={CACHE_SECONDS}")
        self.finish(self.site.data_csv(lang))


class HealthHandler(Base):
    """`/healthz`: the process answers (the data was loaded and checked before it listened)."""

    SUPPORTED_METHODS = ("GET", "HEAD")

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok\n")

    def head(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish()


class NotFoundHandler(Base):
    """Any other path, whatever the method."""

    SUPPORTED_METHODS = RequestHandler.SUPPORTED_METHODS

    def prepare(self) -> None:
        raise HTTPError(404)
