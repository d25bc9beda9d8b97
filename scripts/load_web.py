"""Load on the web API: N questions from C concurrent clients on loopback, against a real
`returnbot web` process (started here, on a free port of 127.0.0.1, without a rate limit),
or against a running one (--url). Prints what was answered, what was lost, the latency
percentiles and the server's memory.

    python scripts/load_web.py                      # 1,000 questions, 20 clients, /api/ask
    python scripts/load_web.py --path / -n 500      # the page itself (HTML)

The questions are bot/cli/bench_questions.txt (three languages, a few hostile ones), in turn.
A question is lost when it gets no 200 with a well-formed answer (JSON with a status, or
a page with an answer). Exit status 1 if any was lost; the timings are printed against the
budget (p99 under 100 ms) and never make the script fail: they depend on the machine.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bot" / "bench_questions.txt"
BUDGET_P99_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "WEB_", "PORT"))}
    env.update(PORT=str(port), WEBHOOK_LISTEN="127.0.0.1", WEB_RATE_LIMIT="0", SECRET_KEY=secrets.token_urlsafe(48))
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server exited: see {log}")
            time.sleep(0.05)
    server.kill()
    sys.exit(f"nothing listens on port {port} after 30 s: see {log}")


def well_formed(path: str, body: bytes) -> bool:
    if path.startswith("/api/"):
        try:
            return json.loads(body).get("status") in ("ok", "no_data", "clarify", "unknown")
        except ValueError:
            return False
    return b'<article class="answer"' in body


def client(host: str, port: int, path: str, todo: queue.Queue, results: list) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while True:
        try:
            question = todo.get_nowait()
        except queue.Empty:
            break
        start = time.perf_counter()
        try:
            conn.request("GET", f"{path}?{urlencode({'q': question, 'today': '2026-12-07'})}")
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200 and well_formed(path, body)
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        results.append((time.perf_counter() - start, ok))
    conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=1000)
    parser.add_argument("-c", "--clients", type=int, default=20)
    parser.add_argument("--path", default="/api/ask", help="/api/ask (default) or / (the page)")
    parser.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000 (its rate limit applies)")
    args = parser.parse_args()
    questions = [q for q in QUESTIONS.read_text(encoding="utf-8").splitlines() if q.strip()]
    server = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname, parts.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        server = start_server(port, Path(f"/tmp/returnbot-load-web-{port}.log"))
    try:
        # One untimed pass of every question (the first chart-free answers build the renderers).
        warm: list = []
        warm_up: queue.Queue = queue.Queue()
        for q in questions:
            warm_up.put(q)
        client(host, port, args.path, warm_up, warm)
        todo: queue.Queue = queue.Queue()
        for n in range(args.requests):
            todo.put(questions[n % len(questions)])
        results: list = []
        threads = [threading.Thread(target=client, args=(host, port, args.path, todo, results))
                   for _ in range(args.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        rss = peak_rss_mb(server.pid) if server else None
    finally:
        if server:
            server.terminate()
            server.wait(10)
    times = [t * 1000 for t, _ in results]
    answered = sum(1 for _, ok in results if ok)
    lost = args.requests - answered
    p99 = percentile(times, 99)
    print(f"returnbot load_web: {args.requests} questions to {args.path} from {args.clients} clients, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"answered: {answered}, lost: {lost}")
    print(f"wall time: {wall:.2f} s ({args.requests / wall:.0f} questions/s)")
    print(f"latency p50: {percentile(times, 50):.1f} ms, p90: {percentile(times, 90):.1f} ms, "
          f"p99: {p99:.1f} ms (budget <= {BUDGET_P99_MS:.0f} ms) {'PASS' if p99 <= BUDGET_P99_MS else 'FAIL'}, "
          f"max: {max(times):.1f} ms")
    if rss is not None:
        print(f"server peak RSS: {rss:.1f} MB")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
