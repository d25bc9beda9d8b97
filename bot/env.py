"""What both processes' settings share: the error that names a bad variable, and the
rules for a port and an address (the Telegram bot's webhook and the web page listen
alike). Standard library only."""
from __future__ import annotations

import ipaddress
import re

DEFAULT_PORT = 8443
PORT_SHAPE = re.compile(r"[0-9]{1,5}")   # ASCII digits only: int() also reads '²' and Arabic-Indic digits
LABEL_SHAPE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class ConfigError(Exception):
    """A missing or malformed setting; its message names the variable, never its value."""


def valid_host(host: str) -> bool:
    """An IP address or a DNS name (RFC 1123 labels). A name's last label is never all
    digits, so that '999.1.1.1' is a broken IPv4 address rather than a host name."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    return len(host) <= 253 and all(LABEL_SHAPE.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def port_number(value: str) -> int:
    if not PORT_SHAPE.fullmatch(value) or not 0 < int(value) < 65536:
        raise ConfigError("PORT must be a port number (1-65535) in ASCII digits")
    return int(value)
