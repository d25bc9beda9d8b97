"""How many questions one client may ask, and who the client is.

A token bucket per client address: `rate` questions a minute on average, in bursts of up to
`rate`; past that a request is refused with the seconds to wait (429 with Retry-After).
The table of clients is bounded: the least recently seen is forgotten first, so that a
flood of addresses costs memory once, not for good.

The client is the address of the connection, or, behind proxies that add the address
they were connected from to X-Forwarded-For (Heroku's router: one), that address as the
nearest trusted proxy saw it: the entries before it are whatever the client wrote, so they
are never trusted. IPv6 clients are counted by their /64, which one client usually holds whole.
"""
from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CLIENTS = 10_000


def client_key(remote_ip: str, forwarded: str | None, proxies: int) -> str:
    """The key a client is counted by: its IPv4 address or its IPv6 /64."""
    address = remote_ip
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies:
            address = hops[-proxies]
    # A proxy that wrote something else than an address: count by the connection (the proxy).
    for candidate in (address, remote_ip):
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address):
            return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
        return str(ip)
    return remote_ip


class RateLimiter:
    def __init__(self, rate: int, clients: int = MAX_CLIENTS, clock: Callable[[], float] = time.monotonic):
        self.rate, self.clients, self.clock = rate, clients, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()   # key -> (tokens, when)

    def take(self, key: str) -> int:
        """0 when `key` may ask now (and it is counted), else the whole seconds to wait."""
        if not self.rate:
            return 0
        now = self.clock()
        per_second = self.rate / 60
        tokens, when = self.buckets.pop(key, (float(self.rate), now))
        tokens = min(float(self.rate), tokens + (now - when) * per_second)
        if tokens >= 1:
            tokens -= 1
            wait = 0
        else:
            wait = max(1, math.ceil((1 - tokens) / per_second))
        self.buckets[key] = (tokens, now)
        while len(self.buckets) > self.clients:
            self.buckets.popitem(last=False)
        return wait
