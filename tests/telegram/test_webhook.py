"""The webhook facing hostile traffic (bot/telegram/webhook.py), against the real
`python -m bot telegram --webhook` process and the Bot API stand-in on 127.0.0.1: the
secret and the size are checked before the body is read, slow connections are closed
within seconds, open connections are capped, good updates are answered throughout, and
no log line holds a question, an update body or a secret."""
from __future__ import annotations

import asyncio
import http.client
import json
import logging
import re
import socket
import time

import pytest
from telegram.ext import Application, DictPersistence, MessageHandler, PersistenceInput, filters

from bot.logs import RedactingFormatter
from bot.telegram import webhook as wh
from bot.telegram.app import BoundedApplication
from bot.telegram.config import Config
from bot.telegram.logs import _NoUpdateBodies
from bot.web import http as web_http
from botapi_standin import BotAPIStandIn, Updates
from telegram import Update
from telegram_fixtures import SECRET, TOKEN, USERNAME, BotProcess, bot_env, free_port, post, start_webhook

MARKER = "zyxwvu-question-marker"


@pytest.fixture(scope="module")
def hook(tmp_path_factory):
    """One webhook bot whose WEBHOOK_URL has a path of its own; each test uses chats of its own."""
    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, tmp_path_factory.mktemp("webhook"), port, TELEGRAM_MAX_RATE="0",
                            WEBHOOK_URL="https://bot.example.test/base")
        try:
            yield api, bot, port
        finally:
            bot.close()


def _post(port: int, body: bytes, path: str = "/base/telegram", **kwargs) -> int:
    return post(port, body, path=path, **kwargs)


def _update(chat: int, text: str = "how many returns in 2019") -> bytes:
    u = Updates(start=chat * 10)
    return json.dumps(u.update(u.text(chat, text))).encode()


def _request(body_length: int | None, secret: str | None = SECRET, content_type: str = "application/json",
             path: str = "/base/telegram", chunked: bool = False) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: bot.example.test", f"Content-Type: {content_type}"]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    if body_length is not None:
        lines.append(f"Content-Length: {body_length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _status(sock: socket.socket) -> int:
    """The status of the answer, read without sending anything more."""
    head = b""
    while b"\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            raise AssertionError(f"closed without an answer after {head!r}")
        head += data
    return int(head.split()[1])


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed `sock`; fails if it is still open after `seconds`."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    raise AssertionError(f"still open after {seconds} s")


def test_paths_and_methods(hook):
    api, bot, port = hook
    assert _post(port, _update(5001), path="/telegram") == 404   # WEBHOOK_URL's path is part of the path served
    assert _post(port, _update(5001)) == 200
    assert api.wait_sent(5001)[0].params["_shown"].startswith("In 2019,")
    conn = _connect(port)
    conn.sendall(b"GET /base/telegram HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _status(conn) == 405


def test_the_page_and_the_api_beside_the_webhook(hook):
    """One server: the page, the API and the webhook's path, each answered as on its own."""
    api, bot, port = hook
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/?q=hoeveel+terugkeerders+in+maart+2020")
    page = conn.getresponse()
    assert page.status == 200 and "<b>112</b>" in page.read().decode()   # 2020.txt:43
    conn.request("GET", "/api/ask?q=how+many+returns+in+2016")
    answer = json.loads(conn.getresponse().read())
    assert answer["status"] == "ok" and 4267 in [f["value"] for f in answer["figures"]]   # 2020.txt:76
    conn.close()
    assert _post(port, _update(5003)) == 200
    assert api.wait_sent(5003)[0].params["_shown"].startswith("In 2019,")


def test_the_secret_is_checked_before_the_body_is_read(hook):
    api, bot, port = hook
    for secret in (None, "wrong-" + SECRET, SECRET[:-1] + "é"):
        conn = _connect(port)
        conn.sendall(_request(90 * 1024 * 1024, secret=secret))   # the body never comes
        assert _status(conn) == 403
        _closed_within(conn, 2)


def test_a_body_over_the_limit_is_refused_from_its_length(hook):
    api, bot, port = hook
    conn = _connect(port)
    conn.sendall(_request(wh.MAX_BODY + 1))
    assert _status(conn) == 413
    _closed_within(conn, 2)
    conn = _connect(port)
    conn.sendall(_request(None).replace(b"\r\n\r\n", b"\r\nContent-Length: \xc2\xb2\r\n\r\n"))   # '²'
    assert _status(conn) == 400
    # At the limit it is read: an update padded with spaces to exactly MAX_BODY bytes.
    body = _update(5002)
    assert _post(port, body + b" " * (wh.MAX_BODY - len(body))) == 200
    api.wait_sent(5002)


def test_a_chunked_body_is_cut_off_at_the_limit(hook):
    api, bot, port = hook
    conn = _connect(port)
    conn.sendall(_request(None, chunked=True))
    piece = b"x" * 65536
    sent = 0
    with pytest.raises(OSError):
        for _ in range(64):   # 4 MiB if nothing stopped it
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
            time.sleep(0.01)
    assert sent <= wh.MAX_BODY + 8 * len(piece)
    # A good chunked update is answered.
    conn = _connect(port)
    body = _update(5003)
    conn.sendall(_request(None, chunked=True) + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert _status(conn) == 200
    api.wait_sent(5003)


@pytest.mark.parametrize("content_type,status", [
    ("application/json; charset=utf-8", 200), ('application/json;charset="UTF-8"', 200), ("Application/JSON", 200),
    ("application/json; charset=latin-1", 415), ("text/plain", 415), ("", 415)])
def test_content_types(hook, content_type, status):
    api, bot, port = hook
    chat = 5100 + len(content_type)
    assert _post(port, _update(chat), content_type=content_type) == status
    if status == 200:
        api.wait_sent(chat)


def test_slow_headers_slow_bodies_and_idle_connections_are_closed_and_good_updates_still_answered(hook):
    api, bot, port = hook
    idle = [_connect(port) for _ in range(20)]
    slow_headers = [_connect(port) for _ in range(20)]
    slow_bodies = [_connect(port) for _ in range(20)]
    for conn in slow_bodies:
        conn.sendall(_request(1000) + b'{"update_id": ')
    start = time.monotonic()
    answered = 0
    while time.monotonic() - start < web_http.HEADER_SECONDS + 2:
        for conn in slow_headers:
            try:
                conn.send(b"X")   # a header that never ends, a byte at a time
            except OSError:
                pass
        answered += _post(port, _update(5200 + answered)) == 200
        time.sleep(0.4)
    for conn in idle + slow_headers + slow_bodies:
        _closed_within(conn, 1.5)
    for n in range(answered):
        api.wait_sent(5200 + n)
    assert answered >= 10


def test_connections_are_capped_and_the_cap_frees_itself(hook):
    api, bot, port = hook
    held = [_connect(port) for _ in range(web_http.MAX_CONNECTIONS)]
    time.sleep(0.5)
    extra = _connect(port)
    assert _status(extra) == 503
    _closed_within(extra, 2)
    for conn in held:
        _closed_within(conn, web_http.HEADER_SECONDS + 2)
    assert _post(port, _update(5300)) == 200
    api.wait_sent(5300)


def test_an_update_sent_again_is_answered_once(hook):
    api, bot, port = hook
    u = Updates(start=5500)
    asked = json.dumps(u.update(u.text(5500, "how many returns in 2019"))).encode()
    assert _post(port, asked) == 200
    assert _post(port, asked) == 200   # Telegram got no 200 in time and sends it again: acknowledged
    assert _post(port, json.dumps(u.update(u.text(5500, "how many returns in 2018"))).encode()) == 200
    # One chat's updates are answered in order: had the second been answered, it would come before this.
    sent = [c.params["_shown"] for c in api.wait_sent(5500, 2)]
    assert sent[0].startswith("In 2019,") and sent[1].startswith("In 2018,")


def test_a_busy_group_waiting_for_its_rate_limit_leaves_room_for_other_chats(tmp_path):
    import threading

    with BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, tmp_path, port)   # Telegram's rate limits: a group gets 20 messages a minute
        group, u, lock = -9001, Updates(start=90_000), threading.Lock()
        stop = threading.Event()

        def group_sender() -> None:
            for _ in range(3):
                with lock:
                    body = json.dumps(u.update(u.text(group, f"@{USERNAME} how many returns in 2019",
                                                      mention=f"@{USERNAME}"))).encode()
                if stop.is_set():
                    return
                try:
                    post(port, body)
                except OSError:
                    return

        senders = [threading.Thread(target=group_sender) for _ in range(39)]
        try:
            for t in senders:
                t.start()
            api.wait_for(lambda: len(api.sent(group)) >= 20, 20, "the group's first 20 answers")
            statuses = []
            for n in range(5):
                with lock:
                    body = json.dumps(u.update(u.text(9100 + n, "how many returns in 2018"))).encode()
                started = time.monotonic()
                statuses.append((post(port, body), round(time.monotonic() - started, 1)))
            for n in range(5):
                api.wait_sent(9100 + n, timeout=5)
        finally:
            stop.set()
            bot.close()
            for t in senders:
                t.join(15)
    assert all(status == 200 and seconds < 2 for status, seconds in statuses), statuses


def test_malformed_updates_never_reach_the_log(hook):
    api, bot, port = hook
    bodies = [b"{not json " + MARKER.encode(), json.dumps([MARKER]).encode(),
              json.dumps({"update_id": 1, "message": {"text": MARKER, "chat": 5}}).encode(),
              json.dumps({"update_id": MARKER, "message": {"text": MARKER}}).encode(),
              MARKER.encode("utf-16")]
    for body in bodies:
        assert _post(port, body) == 400
    # A field PTB does not know is kept aside, as Telegram adds fields now and then.
    assert _post(port, json.dumps({"update_id": 1, MARKER * 1000: 1}).encode()) == 200
    assert _post(port, _update(5400, MARKER)) == 200   # a question that is not understood: answered, not logged
    api.wait_sent(5400)
    status, _ = bot.stop()
    log = bot.log()
    assert status == 0
    assert MARKER not in log
    assert all(len(line) < 600 for line in log.splitlines())
    # The counts cover the module's earlier tests too (one bot for all).
    counts = re.search(r"refused \d+ HTTP request\(s\) since the last report \((.*)\)", log)
    assert counts and "connection cap: 1" in counts.group(1)
    assert int(re.search(r"400: (\d+)", counts.group(1)).group(1)) >= len(bodies)
    bot.assert_no_secrets()


# ---- in-process pieces -----------------------------------------------------------------------

def test_json_content_type():
    assert wh.json_content_type("application/json") and wh.json_content_type("application/json ; charset = utf8")
    assert not wh.json_content_type("application/jsonx") and not wh.json_content_type("application/json; charset=ascii")


def test_the_backlog_waits_for_room_then_gives_up_and_keeps_room_for_other_chats(monkeypatch):
    async def scenario():
        backlog = wh.Backlog(size=3, per_chat=2)
        assert await backlog.admit(1) and await backlog.admit(1)
        third = asyncio.create_task(backlog.admit(1))
        await asyncio.sleep(0.1)
        assert not third.done()   # chat 1 has its share
        assert await asyncio.wait_for(backlog.admit(2), 1)   # another chat still gets in
        backlog.done(1)
        assert await asyncio.wait_for(third, 1)
        fourth = asyncio.create_task(backlog.admit(3))   # the backlog is full
        await asyncio.sleep(0.1)
        assert not fourth.done()
        backlog.done(2)
        assert await asyncio.wait_for(fourth, 1)
        monkeypatch.setattr(wh, "BACKLOG_SECONDS", 0.2)
        return await backlog.admit(4), backlog.total, dict(backlog.held)

    assert asyncio.run(scenario()) == (False, 3, {1: 2, 3: 1})


def test_recent_update_ids_are_bounded():
    recent = wh.RecentUpdates(size=3)
    assert [recent.claim(n) for n in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert recent.claim(1) and not recent.claim(4)   # 1 was forgotten, the oldest of four
    recent.release(4)
    assert recent.claim(4) and len(recent.ids) == 3


def test_log_lines_hold_no_update_and_stay_short():
    config = Config(token=TOKEN, secret=SECRET)
    handler = logging.Handler()
    handler.setFormatter(RedactingFormatter(config.secrets))
    handler.addFilter(_NoUpdateBodies())
    u = Updates(start=77)
    update = Update.de_json(u.update(u.text(1, MARKER)), None)
    records = [logging.LogRecord("telegram.ext.Application", logging.CRITICAL, __file__, 1,
                                 "Error while building CallbackContext for update %s", (update,), None),
               logging.LogRecord("x", logging.ERROR, __file__, 1, "got %s and %s", ({"text": MARKER}, b"x" * 10), None),
               logging.LogRecord("x", logging.ERROR, __file__, 1, "long %s", ("y" * 100_000,), None)]
    texts = [handler.format(r) for r in records if handler.filter(r)]
    assert "for update <update 78>" in texts[0] and "<dict of 1> and <bytes of 10>" in texts[1]
    assert all(MARKER not in t and len(t) < 600 for t in texts)


def test_persistence_id_sets_stay_empty_without_a_persistence_and_work_with_one():
    async def run(persistence):
        with BotAPIStandIn(TOKEN, USERNAME) as api:
            builder = Application.builder().application_class(BoundedApplication).token(TOKEN).base_url(api.base_url)
            if persistence:
                builder = builder.persistence(persistence)
            app = builder.build()

            async def ignore(update, context):
                pass

            app.add_handler(MessageHandler(filters.ALL, ignore))
            await app.initialize()
            u = Updates()
            for chat in range(1, 1001):
                await app.process_update(Update.de_json(u.update(u.text(chat, "x")), app.bot))
            sizes = len(app._chat_ids_to_be_updated_in_persistence), len(app._user_ids_to_be_updated_in_persistence)
            if persistence:
                await app.update_persistence()
                sizes += (len(persistence.chat_data),)
            await app.shutdown()
            return sizes

    assert asyncio.run(run(None)) == (0, 0)
    chats_only = DictPersistence(store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False,
                                                             callback_data=False))
    assert asyncio.run(run(chats_only)) == (1000, 0, 1000)


def test_a_taken_port_stops_before_the_bot_api_is_contacted(tmp_path):
    with socket.socket() as taken, BotAPIStandIn(TOKEN, USERNAME) as api:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bot = BotProcess("webhook", tmp_path, bot_env(
            TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url, PORT=str(taken.getsockname()[1]),
            WEBHOOK_URL="https://bot.example.test", WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1"))
        try:
            assert bot.wait(30) == 1
        finally:
            bot.close()
        assert api.calls == []
    assert "could not listen on WEBHOOK_LISTEN and PORT: Address already in use" in bot.log()
    assert "Traceback" not in bot.log()
