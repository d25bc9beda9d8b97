"""Soak test of the webhook under mixed traffic: a real `returnbot telegram --webhook`
process, the Bot API stand-in, everything on 127.0.0.1. Not a collected test (it takes
a minute or two); the figures go in docs/PERFORMANCE.md.

    python scripts/soak_webhook.py [--updates 20000] [--chats 5000] [--senders 40]

While SENDERS connections post the good updates (each chat's questions one after
another, as Telegram does; a refused or failed POST is sent again, as Telegram does),
other clients post malformed updates with the right secret, updates with a wrong or no
secret announcing 90 MB bodies, bodies over the size limit, and SLOW connections that
send their headers a byte a second. It prints the updates answered, lost (must be 0),
doubled, the latency from POST to answer, the bot's memory as the run goes and its peak.
Every loop is bounded in count and in time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

# The Bot API stand-in and the bot processes of the tests (tests/support/), and the bot itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.telegram.webhook import MAX_BODY, SECRET_HEADER  # noqa: E402
from botapi_standin import BotAPIStandIn, Updates  # noqa: E402
from load_webhook import database_writes  # noqa: E402
from telegram_fixtures import SECRET, TOKEN, USERNAME, free_port, start_webhook  # noqa: E402

FIRST_CHAT = 700_000
YEARS = list(range(2007, 2025))
TRIES = 10                 # sends of one update before it counts as lost
DEADLINE = 900.0           # seconds for the whole run


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Soak:
    def __init__(self, api: BotAPIStandIn, port: int, pid: int, updates: int, chats: int, senders: int, slow: int):
        self.api, self.port, self.pid = api, port, pid
        self.updates, self.chats, self.senders, self.slow = updates, chats, senders, slow
        self.done = threading.Event()
        self.deadline = time.monotonic() + DEADLINE
        self.lock = threading.Lock()
        self.factory = Updates(start=50_000_000)
        self.posted: dict[int, list[tuple[int, float]]] = {}    # chat -> [(year, first POST start)]
        self.statuses: Counter[str] = Counter()                 # what the hostile clients got
        self.retries = 0
        self.gave_up = 0
        self.memory: list[tuple[int, int]] = []                  # (answers so far, RSS kB)

    # ---- the good traffic ------------------------------------------------------------------
    def _post(self, conn: http.client.HTTPConnection | None, body: bytes, headers: dict) -> tuple[int, object]:
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("POST", "/telegram", body, headers)
            response = conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
            return response.status, conn
        except (OSError, http.client.HTTPException):
            if conn:
                conn.close()
            return 0, None

    def sender(self, chats: list[int], rounds: int) -> None:
        headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
        conn = None
        for k in range(rounds):
            for chat in chats:
                year = YEARS[(chat + k) % len(YEARS)]
                with self.lock:
                    body = json.dumps(self.factory.update(self.factory.text(chat, f"how many returns in {year}")))
                    self.posted.setdefault(chat, []).append((year, time.monotonic()))
                for attempt in range(TRIES):
                    status, conn = self._post(conn, body.encode(), headers)
                    if status == 200:
                        break
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.2 * (attempt + 1))
                else:
                    with self.lock:
                        self.gave_up += 1
                if time.monotonic() > self.deadline:
                    return

    # ---- the hostile traffic ----------------------------------------------------------------
    def hostile(self, kind: str, count: int) -> None:
        """`count` requests of one bad kind, spread over the run."""
        for n in range(count):
            if self.done.is_set() or time.monotonic() > self.deadline:
                return
            if kind == "malformed":
                bodies = [b"{not json", b"[]", b'{"update_id": "x"}', b'{"update_id": 1, "message": {"chat": 5}}']
                status, _ = self._post(None, bodies[n % len(bodies)],
                                       {"Content-Type": "application/json", SECRET_HEADER: SECRET})
            elif kind == "oversized":
                status = self._raw(f"Content-Length: {MAX_BODY + 1}\r\n{SECRET_HEADER}: {SECRET}\r\n")
            else:
                secret = f"{SECRET_HEADER}: wrong-{n}\r\n" if n % 2 else ""
                status = self._raw(f"Content-Length: {90 * 1024 * 1024}\r\n{secret}")
            with self.lock:
                self.statuses[f"{kind} {status or 'closed'}"] += 1
            time.sleep(0.01)

    def _raw(self, headers: str) -> int:
        """Sends the request's headers only (its body never comes) and reads the status."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
                sock.sendall(f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}\r\n"
                             .encode())
                head = sock.recv(64)
                return int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else 0
        except OSError:
            return 0

    def slowloris(self) -> None:
        """Keeps `slow` connections open that send a header byte a second; reopens those closed."""
        socks: list[socket.socket] = []
        while not self.done.is_set() and time.monotonic() < self.deadline:
            for sock in list(socks):
                try:
                    sock.send(b"X")
                except OSError:
                    socks.remove(sock)
                    sock.close()
                    with self.lock:
                        self.statuses["slow connection closed by the bot"] += 1
            while len(socks) < self.slow:
                try:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                    sock.setblocking(False)
                    sock.send(b"POST /telegram HTTP/1.1\r\n")
                except OSError:
                    break
                socks.append(sock)
            time.sleep(1.0)
        for sock in socks:
            sock.close()

    def sampler(self) -> None:
        while not self.done.is_set() and time.monotonic() < self.deadline:
            self.memory.append((len(self.answers()), rss_kb(self.pid)))
            time.sleep(1.0)

    def answers(self) -> list:
        return [c for c in self.api.sent() if FIRST_CHAT <= c.params.get("chat_id", 0) < FIRST_CHAT + self.chats]

    # ---- the run -------------------------------------------------------------------------------
    def run(self) -> dict:
        chats = list(range(FIRST_CHAT, FIRST_CHAT + self.chats))
        rounds = self.updates // self.chats
        groups = [chats[s::self.senders] for s in range(self.senders)]
        threads = [threading.Thread(target=self.sender, args=(group, rounds)) for group in groups]
        background = [threading.Thread(target=self.hostile, args=(kind, count))
                      for kind, count in (("malformed", 2000), ("unauthorised", 2000), ("oversized", 500))]
        background += [threading.Thread(target=self.slowloris), threading.Thread(target=self.sampler)]
        began = time.monotonic()
        for t in background + threads:
            t.start()
        for t in threads:
            t.join(max(1.0, self.deadline - time.monotonic()))
        posted = sum(len(v) for v in self.posted.values())
        try:
            self.api.wait_for(lambda: len(self.answers()) >= posted, max(5.0, self.deadline - time.monotonic()),
                              f"{posted} answers")
        except AssertionError:
            pass
        seconds = time.monotonic() - began
        time.sleep(1.0)   # anything answered twice arrives now
        self.done.set()
        for t in background:
            t.join(30)
        self.memory.append((len(self.answers()), rss_kb(self.pid)))
        return self.result(posted, seconds)

    def result(self, posted: int, seconds: float) -> dict:
        by_chat: dict[int, list] = {}
        for call in self.answers():
            by_chat.setdefault(call.params["chat_id"], []).append(call)
        lost = doubled = wrong = 0
        latencies = []
        for chat, questions in self.posted.items():
            answers = by_chat.get(chat, [])
            lost += max(0, len(questions) - len(answers))
            doubled += max(0, len(answers) - len(questions))
            for (year, at), answer in zip(questions, answers):
                wrong += not re.match(rf"In {year}, ", answer.params["_shown"])
                latencies.append(answer.at - at)
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        marks = {}
        for fraction in (0.25, 0.5, 0.75, 1.0):
            reached = [kb for answered, kb in self.memory if answered >= fraction * posted]
            marks[f"{int(fraction * 100)}%"] = reached[0] // 1024 if reached else None
        return {"posted": posted, "answered": sum(len(v) for v in by_chat.values()), "lost": lost,
                "doubled": doubled, "wrong or out of order": wrong, "seconds": round(seconds, 1),
                "p50 ms": round(cuts[49] * 1000), "p99 ms": round(cuts[98] * 1000),
                "max ms": round(max(latencies, default=0) * 1000), "retries": self.retries, "gave up": self.gave_up,
                "RSS MB when this share was answered": marks, "peak RSS MB": rss_kb(self.pid, "VmHWM") // 1024,
                "hostile": dict(sorted(self.statuses.items()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--chats", type=int, default=5_000)
    parser.add_argument("--senders", type=int, default=40, help="concurrent connections posting good updates")
    parser.add_argument("--slow", type=int, default=200, help="slow connections held open throughout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, Path(tmp), port, TELEGRAM_MAX_RATE="0")
        try:
            result = Soak(api, port, bot.proc.pid, args.updates, args.chats, args.senders, args.slow).run()
        finally:
            status, seconds = bot.stop(timeout=30)
            log = bot.log()
            bot.close()
        for key, value in result.items():
            print(f"{key}: {value}")
        print(f"bot stopped on SIGTERM in {seconds:.2f} s with status {status}; log: {len(log.splitlines())} lines, "
              f"longest {max(map(len, log.splitlines()), default=0)} characters")
        writes = database_writes(log)
        print(f"database writes: {writes} chat states for {args.chats} chats ({writes / args.chats:.2f} per chat)")
        bad = result["lost"] or result["doubled"] or result["wrong or out of order"] or status
        return 1 if bad or "Traceback" in log or SECRET in log or TOKEN in log else 0


if __name__ == "__main__":
    sys.exit(main())
