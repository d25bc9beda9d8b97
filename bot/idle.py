"""The web process before webhook mode is set up: a first `git push heroku main` starts
one web dyno running `returnbot telegram --webhook`, with only TELEGRAM_TOKEN set. Rather
than exit (and be restarted in a loop by the platform), it says once in the log what to
set, answers the platform's router on PORT with the same sentence (503), and waits for
SIGTERM. It never contacts Telegram."""
from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("returnbot.telegram")

NOT_SET_UP = ("webhook mode is not set up (WEBHOOK_URL and WEBHOOK_SECRET are not set): the web process idles. "
              "Set both for webhook mode, or run the polling worker instead: heroku ps:scale web=0 worker=1")


def wanted(env: Mapping[str, str]) -> bool:
    """Webhook mode on a platform (PORT set) with neither webhook setting: the first deploy."""
    return bool(env.get("PORT", "").strip()) and not env.get("WEBHOOK_URL", "").strip() \
        and not env.get("WEBHOOK_SECRET", "").strip()


def main(env: Mapping[str, str]) -> int:
    port_text = env.get("PORT", "").strip()
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        print(f"returnbot telegram: PORT must be a port number (1-65535), not {port_text!r}", file=sys.stderr)
        return 2
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    body = (NOT_SET_UP + "\n").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            """Quiet: one line at start says it all."""

    server = ThreadingHTTPServer((env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0", int(port_text)), Handler)
    server.daemon_threads = True
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log.warning(NOT_SET_UP)
    stop.wait()
    server.shutdown()
    server.server_close()
    log.info("stopped")
    return 0
