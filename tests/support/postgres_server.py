"""A throwaway PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster
in a temporary directory, trust authentication, listening on a free port of 127.0.0.1
only. As root (CI), the server runs as the `postgres` user, which PostgreSQL requires.

`RETURNBOT_TEST_DATABASE_URL` points the tests at a server of your own instead. Without
either, the tests that need one are skipped, except under CI=true, where they fail:
`.ci/run` installs the package, so CI must run them."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from telegram_fixtures import free_port

NEEDS = ("PostgreSQL tests need the server binaries (Debian: apt-get install postgresql) "
         "or RETURNBOT_TEST_DATABASE_URL")


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but no PostgreSQL server for the tests: {reason}", pytrace=False)
    pytest.skip(reason)


class Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="returnbot-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no postgres user to run the server")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> str:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-instructions")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self.url

    def halt(self) -> None:
        """Stops the server, keeping its data: `restart` brings it back on the same port."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")

    def freeze(self, signum: int = signal.SIGSTOP) -> None:
        """SIGSTOP to the server and its backends: it answers nothing, yet the kernel still
        accepts its connections, as with a hung network path. `freeze(SIGCONT)` thaws it."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        for pid in [postmaster, *map(int, children)]:
            os.kill(pid, signum)

    def add_password_user(self, url: str, user: str, password: str) -> str:
        """A user who must give a password (the others are trusted); its URL."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
            hba = self.data / "pg_hba.conf"
            hba.write_text(f"host all {user} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
            conn.execute("SELECT pg_reload_conf()")
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def own_postgres():
    """A server of the module's own, which its tests may stop, restart and freeze (the
    session's server is shared, and RETURNBOT_TEST_DATABASE_URL's cannot be stopped)."""
    bindir = _bindir()
    if bindir is None:
        unavailable(NEEDS)
    server = Server(bindir)
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        unavailable(f"could not start a PostgreSQL server: {exc}")
    try:
        yield server
    finally:
        try:
            server.freeze(signal.SIGCONT)
        except (OSError, ValueError):
            pass   # not running
        server.stop()


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL server for this test session (see the module's doc)."""
    own = os.environ.get("RETURNBOT_TEST_DATABASE_URL")
    if own:
        yield own
        return
    bindir = _bindir()
    if bindir is None:
        unavailable(NEEDS)
    server = Server(bindir)
    try:
        url = server.start()
    except RuntimeError as exc:
        server.stop()
        unavailable(f"could not start a PostgreSQL server: {exc}")
    try:
        yield url
    finally:
        server.stop()


def reset(url: str) -> None:
    """An empty table for the next test."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS returnbot_chats")


class LatencyProxy:
    """A TCP proxy on 127.0.0.1 that holds every chunk `delay` seconds each way, as a network
    between the bot and its database would (Heroku Postgres is about 1 ms from a dyno)."""

    def __init__(self, port: int, delay: float = 0.001):
        import socket
        import threading

        self.target, self.delay = port, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return   # closed
            server = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, target) -> None:
        import socket
        import time

        try:
            while data := source.recv(65536):
                time.sleep(self.delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()

