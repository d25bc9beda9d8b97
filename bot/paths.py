"""Where returnbot keeps what it writes for a user: the state directory (the Telegram
bot's SQLite memory, the REPL's history)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def state_dir(env: Mapping[str, str]) -> Path:
    """RETURNBOT_STATE, else $XDG_STATE_HOME/returnbot, else ~/.local/state/returnbot."""
    if env.get("RETURNBOT_STATE"):
        return Path(env["RETURNBOT_STATE"])
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "returnbot"
