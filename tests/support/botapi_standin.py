"""A stand-in for the Telegram Bot API, served on 127.0.0.1 for the tests: the bot under
test talks to it through TELEGRAM_API_URL as it would to Telegram.

It records every call, serves getUpdates by long polling from a queue the test fills,
and checks what the bot sends as Telegram would: HTML with Telegram's tags only,
balanced, at most 4,096 UTF-16 units of text (1,024 for a caption), never empty; a
photo must be a PNG, a document a named file; buttons must carry at most 64 bytes of callback data. It also
answers callback queries, message edits, chat-member look-ups (`admins` are the users it
calls administrators) and inline queries. It can be told to fail the next sendMessage to
a chat, or to answer sendMessage slowly.

With BOTAPI_RECORD=FILE it also appends every call to FILE, one JSON object a line, with
what changes from run to run (ports, message and query ids, dates, file bytes) replaced,
so that two runs of the Telegram tests can be compared with `sort` and `diff` (a change
that should not change the bot's behaviour, before and after).
"""
from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
PNG = b"\x89PNG\r\n\x1a\n"
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
        "blockquote", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Parameters PTB sends as plain strings; every other value is JSON-encoded.
STRING_PARAMS = {"text", "url", "secret_token", "language_code", "parse_mode", "ip_address", "caption"}
_HTML_TOKEN = re.compile(r"<(/?)([^\s>/]*)([^>]*)>|&([^;\s&<]*);|([<&])|([^<&]+)", re.S)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# Parameters whose values differ from one run to the next, replaced in the record.
VOLATILE_PARAMS = {"message_id", "callback_query_id", "inline_query_id", "date", "offset", "timeout", "url",
                   "reply_parameters", "reply_to_message_id"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The text Telegram would show for `text` in parse_mode HTML; ValueError where
    Telegram would answer "can't parse entities"."""
    shown: list[str] = []
    stack: list[str] = []
    for m in _HTML_TOKEN.finditer(text):
        closing, name, attrs, entity, bare, plain = m.groups()
        if plain is not None:
            shown.append(plain)
        elif bare is not None:
            raise ValueError(f"unescaped {bare!r} at byte offset {len(text[:m.start()].encode())}")
        elif entity is not None:
            if entity in NAMED_ENTITIES:
                shown.append(NAMED_ENTITIES[entity])
            elif re.fullmatch(r"#[0-9]+|#x[0-9a-fA-F]+", entity):
                shown.append(html.unescape(f"&{entity};"))
            else:
                raise ValueError(f"unsupported entity &{entity};")
        else:
            name = name.lower()
            if name not in TAGS:
                raise ValueError(f"unsupported {'end' if closing else 'start'} tag {name!r}")
            if closing:
                if not stack or stack[-1] != name:
                    raise ValueError(f"unmatched end tag {name!r}")
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise ValueError("span without class tg-spoiler")
                stack.append(name)
    if stack:
        raise ValueError(f"unclosed tags {stack}")
    return "".join(shown)


class Refused(Exception):
    """What Telegram would answer with 400: the description."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class BotAPIStandIn:
    def __init__(self, token: str, username: str = "returnbot_test_bot", poll_cap: float = 1.0):
        self.token, self.username = token, username
        self.bot_id = int(token.partition(":")[0])
        self.poll_cap = poll_cap              # longest a getUpdates waits, whatever timeout it asks
        self.calls: list[Call] = []
        self.unknown: list[str] = []          # methods the stand-in does not know
        self.rejected: list[tuple[str, str]] = []   # (method, reason) answered with 400
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[str, list[dict]] = {}
        self.send_delay = 0.0
        self.admins: set[int] = set()         # users getChatMember calls administrators
        self._updates: list[dict] = []
        self._failures: dict[int, int] = {}
        self._describe: dict[int, Callable[[str], str]] = {}
        self._message_ids = itertools.count(1)
        self._sequence: dict[tuple[str, Any], int] = {}   # (test, chat) -> calls recorded
        self._cond = threading.Condition()
        self._stopping = False
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK hold every answer back by tens of milliseconds.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                standin._serve(self)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                """Quiet: the calls are recorded instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="botapi-standin", daemon=True)

    # ---- life cycle -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> BotAPIStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> BotAPIStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- what the test does ---------------------------------------------------------------
    def push(self, *updates: dict) -> None:
        with self._cond:
            self._updates.extend(updates)
            self._cond.notify_all()

    def fail_next_send(self, chat_id: int, times: int = 1,
                       description: Callable[[str], str] = lambda url: "Bad Request: injected failure") -> None:
        """The next `times` sends to the chat get 400 with `description(the request's URL)`:
        Telegram's descriptions sometimes echo what they were sent."""
        with self._cond:
            self._failures[chat_id] = times
            self._describe[chat_id] = description

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None, methods: tuple[str, ...] = ("sendMessage",)) -> list[Call]:
        """sendMessage (or `methods`) calls that succeeded, to one chat or to all."""
        with self._cond:
            return [c for c in self.calls if c.method in methods and c.params.get("_ok")
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def wait_delivered(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Messages and photos to a chat, in the order sent."""
        both = ("sendMessage", "sendPhoto")
        self.wait_for(lambda: len(self.sent(chat_id, both)) >= count, timeout,
                      f"{count} message(s) or photo(s) to chat {chat_id}")
        return self.sent(chat_id, both)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = [(c.method, c.params.get("chat_id")) for c in self.calls[-10:]]
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last calls: {recent}")
                self._cond.wait(min(left, 0.2))

    def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout, f"{count} message(s) to chat {chat_id}")
        return self.sent(chat_id)

    # ---- the API ----------------------------------------------------------------------------
    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", url.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if not match:
            return self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if match.group(1) != self.token:
            return self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = match.group(2)
        params = self._params(request.headers.get("Content-Type", ""), body, url.query)
        params["_url"] = f"http://{request.headers.get('Host', '')}{url.path}"
        call = Call(method, params)
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self.unknown.append(method)
            return self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        try:
            status, result = handler(params)
        except Refused as exc:
            status, result = 400, str(exc)
        self._record(method, params, status)
        if status == 200:
            with self._cond:
                params["_ok"] = True
                self._cond.notify_all()
            return self._reply(request, 200, {"ok": True, "result": result})
        with self._cond:
            self.rejected.append((method, result))
        return self._reply(request, status, {"ok": False, "error_code": status, "description": result})

    def _record(self, method: str, params: dict, status: int) -> None:
        """Appends the call to $BOTAPI_RECORD: the test, the chat, the call's place among that
        chat's calls in that test (the order that is kept from run to run), method, status and
        the parameters without what changes from run to run."""
        path = os.environ.get("BOTAPI_RECORD")
        if not path or method in ("getUpdates", "getMe"):
            return
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
        chat = params.get("chat_id")
        with self._cond:
            key = (test, chat)
            self._sequence[key] = self._sequence.get(key, 0) + 1
            seq = self._sequence[key]

        def stable(key: str, value: Any) -> Any:
            if isinstance(value, bytes):
                return hashlib.sha256(value).hexdigest()[:16]
            if key in VOLATILE_PARAMS or key.startswith("_") and key not in ("_shown", "_document_filename"):
                return "<volatile>"
            if isinstance(value, dict):
                return {k: stable(k, v) for k, v in value.items()}
            if isinstance(value, list):
                return [stable(key, v) for v in value]
            return value

        line = json.dumps({"test": test, "chat": chat, "seq": seq, "method": method, "status": status,
                           "params": stable("", params)}, ensure_ascii=False, sort_keys=True)
        with self._cond, open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    @staticmethod
    def _params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
        if content_type.startswith("application/json"):
            return json.loads(body or b"{}")
        raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        if content_type.startswith("multipart/form-data"):
            # A file upload: files stay bytes, the other fields are decoded as below.
            form = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
            for part in form.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True)
                raw[name] = data if part.get_filename() else data.decode()
                if part.get_filename():
                    raw[f"_{name}_filename"] = part.get_filename()
        else:
            raw.update(parse_qsl(body.decode(), keep_blank_values=True))
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in STRING_PARAMS or isinstance(value, bytes):
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass   # the bot gave up on this request (e.g. a long poll cancelled at stop)

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "ReturnBot", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _api_getMe(self, params: dict) -> tuple[int, Any]:
        return 200, self._bot_user()

    def _api_getUpdates(self, params: dict) -> tuple[int, Any]:
        if self.webhook["url"]:
            return 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.poll_cap)
        deadline = time.monotonic() + wait
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return 200, self._updates[: int(params.get("limit") or 100)]

    @staticmethod
    def _shown(text: str, params: dict, limit: int, what: str) -> str:
        """What Telegram would show of `text`, or Refused as Telegram would refuse it."""
        if params.get("parse_mode") == "HTML":
            try:
                shown = parse_html(text)
            except ValueError as exc:
                raise Refused(f"Bad Request: can't parse entities: {exc}") from None
        else:
            shown = text
        if utf16_len(shown) > limit:
            raise Refused(f"Bad Request: {what} is too long")
        return shown

    @staticmethod
    def _check_markup(params: dict) -> None:
        markup = params.get("reply_markup")
        if markup is None:
            return
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not rows:
            raise Refused("Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise Refused("Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise Refused("Bad Request: BUTTON_DATA_INVALID")

    def _chat(self, chat_id: Any) -> dict:
        chat = {"id": chat_id, "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"}
        if chat["type"] == "supergroup":
            chat["title"] = "group"
        return chat

    def _injected(self, params: dict) -> str | None:
        """The description of an injected failure for this send, if one is due."""
        chat_id = params.get("chat_id")
        with self._cond:
            if self._failures.get(chat_id):
                self._failures[chat_id] -= 1
                return self._describe[chat_id](params["_url"])
        return None

    def _api_sendMessage(self, params: dict) -> tuple[int, Any]:
        chat_id, text = params.get("chat_id"), params.get("text", "")
        failure = self._injected(params)
        if failure:
            return 400, failure
        if self.send_delay:
            time.sleep(self.send_delay)
        shown = self._shown(text, params, MAX_TEXT, "message")
        if not shown.strip():
            return 400, "Bad Request: message text is empty"
        self._check_markup(params)
        params["_shown"] = shown
        return 200, {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self._chat(chat_id),
                     "from": self._bot_user(), "text": shown}

    def _api_sendPhoto(self, params: dict) -> tuple[int, Any]:
        chat_id, photo = params.get("chat_id"), params.get("photo")
        failure = self._injected(params)
        if failure:
            return 400, failure
        if not (isinstance(photo, bytes) and photo.startswith(PNG)):
            return 400, "Bad Request: IMAGE_PROCESS_FAILED"
        shown = self._shown(params.get("caption", ""), params, MAX_CAPTION, "message caption")
        self._check_markup(params)
        params["_shown"] = shown
        number = next(self._message_ids)
        params["_message_id"] = number
        message = {"message_id": number, "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": self._bot_user(), "photo": [{"file_id": f"photo-file-{number}",
                                                        "file_unique_id": f"photo-{number}",
                                                        "width": 1080, "height": 672}]}
        if shown:
            message["caption"] = shown
        return 200, message

    def _api_sendDocument(self, params: dict) -> tuple[int, Any]:
        """A file: uploaded as bytes with a name, as Telegram needs it; its caption as for a photo."""
        chat_id, document = params.get("chat_id"), params.get("document")
        if not (isinstance(document, bytes) and document and params.get("_document_filename")):
            return 400, "Bad Request: there is no document in the request"
        shown = self._shown(params.get("caption", ""), params, MAX_CAPTION, "message caption")
        self._check_markup(params)
        params["_shown"] = shown
        number = next(self._message_ids)
        return 200, {"message_id": number, "date": int(time.time()), "chat": self._chat(chat_id),
                     "from": self._bot_user(), "caption": shown,
                     "document": {"file_id": f"document-file-{number}", "file_unique_id": f"document-{number}",
                                  "file_name": params["_document_filename"], "file_size": len(document)}}

    def _api_editMessageText(self, params: dict) -> tuple[int, Any]:
        shown = self._shown(params.get("text", ""), params, MAX_TEXT, "message")
        if not shown.strip():
            return 400, "Bad Request: message text is empty"
        params["_shown"] = shown
        return 200, {"message_id": params.get("message_id"), "date": int(time.time()),
                     "chat": self._chat(params.get("chat_id")), "from": self._bot_user(), "text": shown}

    def _api_answerCallbackQuery(self, params: dict) -> tuple[int, Any]:
        if not params.get("callback_query_id"):
            return 400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
        if len(params.get("text") or "") > 200:
            return 400, "Bad Request: MESSAGE_TOO_LONG"
        return 200, True

    def _api_getChatMember(self, params: dict) -> tuple[int, Any]:
        user_id = params.get("user_id")
        user = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if user_id not in self.admins:
            return 200, {"status": "member", "user": user}
        rights = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                  "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                  "can_post_stories", "can_edit_stories", "can_delete_stories")
        return 200, {"status": "administrator", "user": user, **{right: False for right in rights}}

    def _api_answerInlineQuery(self, params: dict) -> tuple[int, Any]:
        results = params.get("results")
        if not params.get("inline_query_id") or not isinstance(results, list) or len(results) > 50:
            return 400, "Bad Request: RESULTS_TOO_MUCH"
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                return 400, "Bad Request: RESULT_ID_INVALID"
            content = result.get("input_message_content")
            if result.get("type") == "article" and not (content and content.get("message_text")):
                return 400, "Bad Request: MESSAGE_EMPTY"
            if content:
                content["_shown"] = self._shown(content["message_text"], content, MAX_TEXT, "message")
            if result.get("type") == "photo" and "caption" in result:
                result["_shown"] = self._shown(result["caption"], result, MAX_CAPTION, "message caption")
            self._check_markup(result)
        return 200, True

    def _api_setWebhook(self, params: dict) -> tuple[int, Any]:
        if not str(params.get("url", "")).startswith(("http://", "https://")):
            return 400, "Bad Request: bad webhook: an HTTPS URL must be provided for webhook"
        with self._cond:
            self.webhook = dict(params)
        return 200, True

    def _api_deleteWebhook(self, params: dict) -> tuple[int, Any]:
        with self._cond:
            self.webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return 200, True

    def _api_getWebhookInfo(self, params: dict) -> tuple[int, Any]:
        return 200, {"url": self.webhook["url"], "has_custom_certificate": False,
                     "pending_update_count": len(self._updates)}

    def _api_setMyCommands(self, params: dict) -> tuple[int, Any]:
        commands = params.get("commands")
        if not isinstance(commands, list) or not all(
                _COMMAND.fullmatch(c.get("command", "")) and 1 <= len(c.get("description", "")) <= 256
                for c in commands):
            return 400, "Bad Request: invalid commands"
        with self._cond:
            self.commands[params.get("language_code", "")] = commands
        return 200, True

    def _api_getMyCommands(self, params: dict) -> tuple[int, Any]:
        return 200, self.commands.get(params.get("language_code", ""), [])

    def _api_deleteMyCommands(self, params: dict) -> tuple[int, Any]:
        with self._cond:
            self.commands.pop(params.get("language_code", ""), None)
        return 200, True

    def _api_close(self, params: dict) -> tuple[int, Any]:
        return 200, True

    _api_logOut = _api_close


class Updates:
    """Builds updates as Telegram sends them; ids count up from `start`."""

    def __init__(self, start: int = 1):
        self._ids = itertools.count(start)

    def _message(self, chat_id: int, lang: str | None, **content: Any) -> dict:
        group = chat_id < 0
        chat = {"id": chat_id, "type": "supergroup", "title": "Test group"} if group else \
            {"id": chat_id, "type": "private", "first_name": "Test"}
        user_id = content.pop("user_id", abs(chat_id) % 1_000_000_000 or 1)
        user = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if lang:
            user["language_code"] = lang
        return {"message_id": next(self._ids), "date": int(time.time()), "chat": chat, "from": user, **content}

    def update(self, message: dict, edited: bool = False) -> dict:
        key = "edited_message" if edited else "message"
        if edited:
            message = {**message, "edit_date": int(time.time())}
        return {"update_id": next(self._ids), key: message}

    def text(self, chat_id: int, text: str, lang: str | None = "en", *, mention: str | None = None,
             reply_to: dict | None = None, command: bool = False) -> dict:
        content: dict[str, Any] = {"text": text}
        entities = []
        if mention:
            at = text.find(mention)
            entities.append({"type": "mention", "offset": utf16_len(text[:at]), "length": utf16_len(mention)})
        if command:
            word = text.split()[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(word)})
        if entities:
            content["entities"] = entities
        if reply_to:
            content["reply_to_message"] = reply_to
        return self._message(chat_id, lang, **content)

    def callback(self, chat_id: int, data: str, message: dict, lang: str | None = "en",
                 user_id: int | None = None) -> dict:
        """A press on a button under `message` (one of the bot's)."""
        user = {"id": user_id or abs(chat_id) % 1_000_000_000 or 1, "is_bot": False, "first_name": "Test"}
        if lang:
            user["language_code"] = lang
        query = {"id": str(next(self._ids)), "from": user, "chat_instance": f"ci{chat_id}", "data": data,
                 "message": message}
        return {"update_id": next(self._ids), "callback_query": query}

    def inline(self, user_id: int, query: str, lang: str | None = "en") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if lang:
            user["language_code"] = lang
        return {"update_id": next(self._ids), "inline_query": {"id": str(next(self._ids)), "from": user,
                                                                "query": query, "offset": ""}}

    def command(self, chat_id: int, text: str, lang: str | None = "en") -> dict:
        return self.text(chat_id, text, lang, command=True)

    def sticker(self, chat_id: int, lang: str | None = "en") -> dict:
        return self._message(chat_id, lang, sticker={
            "file_id": "sticker1", "file_unique_id": "u1", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "type": "regular", "emoji": "\N{THUMBS UP SIGN}"})

    def photo(self, chat_id: int, lang: str | None = "en", caption: str | None = None) -> dict:
        extra = {"caption": caption} if caption else {}
        return self._message(chat_id, lang, photo=[
            {"file_id": "photo1", "file_unique_id": "p1", "width": 90, "height": 90}], **extra)

    def voice(self, chat_id: int, lang: str | None = "en") -> dict:
        return self._message(chat_id, lang, voice={"file_id": "voice1", "file_unique_id": "v1", "duration": 2})

    def joined(self, chat_id: int, lang: str | None = "en") -> dict:
        return self._message(chat_id, lang, new_chat_members=[{"id": 77, "is_bot": False, "first_name": "New"}])

    def migration(self, old: int, new: int) -> tuple[dict, dict]:
        """The two service messages of a group that becomes a supergroup: one in the old chat,
        one in the new."""
        moved = self._message(old, None, migrate_to_chat_id=new)
        moved["chat"]["type"] = "group"
        arrived = self._message(new, None, migrate_from_chat_id=old)
        return moved, arrived

    def from_bot(self, chat_id: int, bot_id: int, username: str, text: str = "an answer") -> dict:
        """A message the bot sent earlier, as it appears in reply_to_message."""
        message = self._message(chat_id, None, text=text)
        message["from"] = {"id": bot_id, "is_bot": True, "first_name": "ReturnBot", "username": username}
        return message
