"""The HTTP server of the web process, shared by the page and the Telegram webhook.

tornado's HTTPServer run with the limits it has built in (a deadline for a request's
headers and another for its body, caps on their sizes) plus a cap on open connections;
refused requests are counted and summed up in the log at most once a minute, never with
their content (a URL holds the question asked).

uvicorn was considered and left aside: it has no deadline for a request's headers or body
(a connection that sends its headers one byte at a time is held for as long as it likes),
and its concurrency limit counts those slow connections, so they would turn good requests
away with 503.
"""
from __future__ import annotations

import logging
import socket
import sys
from collections import Counter
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream, StreamClosedError
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

MAX_HEADERS = 16 * 1024      # bytes of request line and headers (a question's URL is at most a few KB)
HEADER_SECONDS = 5.0         # to send the request line and headers, from the connection or the previous answer
BODY_SECONDS = 5.0           # to send the body, once the headers are in
MAX_CONNECTIONS = 500        # open at once; Telegram uses at most 40 (setWebhook's max_connections)
REPORT_SECONDS = 60.0        # refused requests are summed up in the log at most this often
_OVER_CAP = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
             b"Connection: close\r\n\r\n")

log = logging.getLogger("returnbot.http")


class Refusals:
    """Counts refused requests by status; `report` logs the counts in one line and starts
    again. A flood of bad requests must not flood the log."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def record(self, handler: RequestHandler) -> None:
        """tornado's log_function: called once per answered request, instead of its access log
        (one line per request, the path and the query included)."""
        status = handler.get_status()
        if status >= 400:
            self.counts[str(status)] += 1

    def report(self) -> None:
        if self.counts:
            log.warning("refused %d HTTP request(s) since the last report (%s)", sum(self.counts.values()),
                        ", ".join(f"{status}: {n}" for status, n in sorted(self.counts.items())))
            self.counts.clear()


class CappedHTTPServer(HTTPServer):
    """tornado's HTTPServer with at most `max_connections` open: one more is answered 503 and
    closed at once. The deadlines keep slow connections from holding their place for long."""

    # tornado's Configurable hands the constructor's keywords to initialize, these two included.
    def initialize(self, *args: Any, max_connections: int, refusals: Refusals,  # type: ignore[override]
                   **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections, self.refusals, self.open = max_connections, refusals, 0

    # TCPServer's handle_stream "may be a coroutine"; HTTPServer's own is not.
    async def handle_stream(self, stream: IOStream, address: tuple) -> None:  # type: ignore[override]
        if self.open >= self.max_connections:
            self.refusals.counts["connection cap"] += 1
            try:
                await stream.write(_OVER_CAP)
            except StreamClosedError:
                pass   # the client has gone already
            stream.close()
            return
        self.open += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        self.open -= 1
        super().on_close(server_conn)


def bind(port: int, listen: str, prog: str) -> list[socket.socket] | int:
    """The listening sockets, bound before anything else starts (in webhook mode, before the
    Bot API is contacted: a taken port must not leave Telegram posting to a bot that is not there);
    or, when the address or the port cannot be used, the exit status after one line that says why."""
    try:
        return bind_sockets(port, listen)
    except socket.gaierror:
        print(f"{prog}: WEBHOOK_LISTEN is not an address of this machine", file=sys.stderr)
        return 2
    except OSError as exc:
        log.error("could not listen on WEBHOOK_LISTEN and PORT: %s", exc.strerror or exc)
        return 1


def serve(app: Application, sockets: list[socket.socket], refusals: Refusals, max_body: int) -> CappedHTTPServer:
    """Starts serving `app` on `sockets` with the limits above; bodies up to `max_body` bytes."""
    server = CappedHTTPServer(app, max_connections=MAX_CONNECTIONS, refusals=refusals,
                              idle_connection_timeout=HEADER_SECONDS, body_timeout=BODY_SECONDS,
                              max_header_size=MAX_HEADERS, max_body_size=max_body)
    server.add_sockets(sockets)
    return server
