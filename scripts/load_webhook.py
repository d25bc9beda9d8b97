"""Load test of the webhook: UPDATES questions posted by SENDERS concurrent senders (one
chat each, its questions one after another) to a real `returnbot telegram --webhook`
whose Bot API is the stand-in. Prints throughput and latency; the latency of an update
runs from the start of its POST to the moment the stand-in receives the answer.

    python scripts/load_webhook.py [--updates 500] [--senders 50] [--max-rate 0]

--max-rate is TELEGRAM_MAX_RATE for the bot: 0 measures the bot alone, 30 (the
production default) measures Telegram's flood limit instead. test_telegram.py runs
`run_load` and checks only that every update is answered exactly once, in order.
"""
from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# The Bot API stand-in and the bot processes of the tests (tests/support/).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from botapi_standin import BotAPIStandIn, Updates  # noqa: E402
from telegram_fixtures import TOKEN, USERNAME, free_port, post, start_webhook  # noqa: E402

FIRST_CHAT = 500_000
NEW_CHATS = 600_000
YEARS = list(range(2007, 2025))


@dataclass
class LoadResult:
    updates: int
    answered: int
    problems: list[str]        # lost, doubled, out of order, wrong answer, refused POST
    seconds: float             # first POST to last answer
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0

    def summary(self) -> str:
        return (f"{self.answered}/{self.updates} answered in {self.seconds:.2f} s: "
                f"{self.throughput:.0f} updates/s, latency p50 {self.percentile(50) * 1000:.0f} ms, "
                f"p99 {self.percentile(99) * 1000:.0f} ms, max {max(self.latencies, default=0) * 1000:.0f} ms, "
                f"mean {statistics.fmean(self.latencies or [0]) * 1000:.0f} ms; problems: {len(self.problems)}")


def run_load(api: BotAPIStandIn, port: int, updates: int = 500, senders: int = 50, timeout: float = 60.0,
             first_chat: int = FIRST_CHAT) -> LoadResult:
    factory = Updates(start=10_000_000)
    factory_lock = threading.Lock()
    per_chat = {first_chat + s: updates // senders + (1 if s < updates % senders else 0) for s in range(senders)}
    posted: dict[int, list[tuple[int, float]]] = {chat: [] for chat in per_chat}   # chat -> [(year, POST start)]
    problems: list[str] = []
    start_gate = threading.Barrier(senders)

    def sender(chat: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start_gate.wait()
        try:
            for k in range(per_chat[chat]):
                year = YEARS[k % len(YEARS)]
                with factory_lock:
                    update = factory.update(factory.text(chat, f"how many returns in {year}"))
                at = time.monotonic()
                posted[chat].append((year, at))
                status = post(port, update, conn=conn)
                if status != 200:
                    problems.append(f"chat {chat}: POST {k} got {status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=sender, args=(chat,)) for chat in per_chat]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    chats = set(per_chat)
    mine = lambda: [c for c in api.sent() if c.params.get("chat_id") in chats]  # noqa: E731
    try:
        api.wait_for(lambda: len(mine()) >= updates, timeout, f"{updates} answers")
    except AssertionError as exc:
        problems.append(str(exc))
    time.sleep(0.5)   # anything answered twice arrives now
    sent = mine()
    latencies = []
    for chat, questions in posted.items():
        answers = [c for c in sent if c.params["chat_id"] == chat]
        if len(answers) != len(questions):
            problems.append(f"chat {chat}: {len(questions)} questions, {len(answers)} answers")
        for (year, at), answer in zip(questions, answers):
            if not re.match(rf"In {year}, ", answer.params["_shown"]):
                shown = answer.params["_shown"][:40]
                problems.append(f"chat {chat}: answer out of order or wrong for {year}: {shown!r}")
            latencies.append(answer.at - at)
    last = max((c.at for c in sent), default=began)
    return LoadResult(updates, len(sent), problems, last - began, latencies)


def post_new_chats(port: int, count: int, senders: int = 16, first_chat: int = NEW_CHATS,
                   until: threading.Event | None = None) -> list[int]:
    """`count` questions, each from a chat of its own (as when a bot is shared widely), posted by
    `senders` connections at once; stops early when `until` is set. The chats posted to."""
    factory, lock = Updates(start=20_000_000 + first_chat), threading.Lock()
    chats = iter(range(first_chat, first_chat + count))
    posted: list[int] = []

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while not (until and until.is_set()):
                with lock:
                    chat = next(chats, None)
                    if chat is None:
                        return
                    update = factory.update(factory.text(chat, f"how many returns in {YEARS[chat % len(YEARS)]}"))
                try:
                    if post(port, update, conn=conn) == 200:
                        with lock:
                            posted.append(chat)
                except (OSError, http.client.HTTPException):
                    return   # the bot is gone (a kill test)
        finally:
            conn.close()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return posted


def database_writes(log: str) -> int:
    """The chat states the bot wrote, from its last log line."""
    found = re.findall(r"memory: ([0-9]+) chat state\(s\) written", log)
    return int(found[-1]) if found else -1


def new_chats(api: BotAPIStandIn, bot: object, port: int, count: int, senders: int) -> int:
    """`--new-chats`: the chats' memory under load, in database writes per chat."""
    began = time.monotonic()
    try:
        posted = post_new_chats(port, count, senders)
        api.wait_for(lambda: len(api.sent()) >= len(posted), max(60.0, count / 10), "every answer")
        seconds = time.monotonic() - began
    finally:
        status, stop_seconds = bot.stop()
    writes = database_writes(bot.log())
    print(f"{len(posted)} new chats posted by {senders} senders, all answered in {seconds:.1f} s; "
          f"database writes: {writes} ({writes / max(1, len(posted)):.2f} per chat); "
          f"bot stopped on SIGTERM in {stop_seconds:.2f} s with status {status}")
    return 1 if status or writes < 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--max-rate", default="0", help="TELEGRAM_MAX_RATE for the bot (0: no limit)")
    parser.add_argument("--new-chats", type=int, default=0,
                        help="instead: this many questions, each from a chat of its own; prints the database writes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, BotAPIStandIn(TOKEN, USERNAME) as api:
        port = free_port()
        bot = start_webhook(api, Path(tmp), port, TELEGRAM_MAX_RATE=args.max_rate)
        if args.new_chats:
            return new_chats(api, bot, port, args.new_chats, args.senders)
        try:
            result = run_load(api, port, args.updates, args.senders, timeout=max(60.0, args.updates / 10))
        finally:
            status, seconds = bot.stop()
        print(result.summary())
        for problem in result.problems[:20]:
            print("  " + problem)
        print(f"bot stopped on SIGTERM in {seconds:.2f} s with status {status}")
        return 1 if result.problems or status else 0


if __name__ == "__main__":
    sys.exit(main())
