"""The conversation's context, carried by the page instead of kept by the server.

A follow-up ("en in april?") needs what the previous question asked. The server keeps no
session: the page carries the context (a hidden field of the form, the links it offers),
as JSON signed with SECRET_KEY (HMAC-SHA256), so that nobody can make the server read a
context it did not write. The signature is checked, in constant time, before a byte of the
JSON is parsed; the JSON is not secret (it holds the parsed request, never the question's
words).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from intents.pipeline import Context

MAX_TOKEN = 4096             # characters; a context of two requests is a few hundred
# Keeps a signature made for the context from being valid for anything else signed with the key.
PURPOSE = b"returnbot web context v1\x00"


class ForgedContext(Exception):
    """A context token that this server did not sign (altered, made up, or signed with
    another key: another deployment, or a key changed since)."""


class StaleContext(Exception):
    """A token this server signed whose context it can no longer read (made by an older
    version): the question is answered on its own."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ContextSigner:
    def __init__(self, key: str):
        self.key = key.encode("utf-8")

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.key, PURPOSE + payload, hashlib.sha256).digest()

    def dump(self, context: Context) -> str:
        payload = json.dumps(context.to_json(), separators=(",", ":"), ensure_ascii=True).encode("ascii")
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def load(self, token: str) -> Context:
        """The context of a token this server signed; ForgedContext for any other token,
        StaleContext for one it signed but cannot read any more."""
        body, dot, signature = token.partition(".")
        if not dot or len(token) > MAX_TOKEN or not token.isascii():
            raise ForgedContext
        try:
            payload, mac = _unb64(body), _unb64(signature)
        except (binascii.Error, ValueError):
            raise ForgedContext from None
        # The decoder skips characters outside its alphabet: only the one spelling it writes is its own.
        if _b64(payload) != body or _b64(mac) != signature or not hmac.compare_digest(mac, self._mac(payload)):
            raise ForgedContext
        try:
            return Context.from_json(json.loads(payload))
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            raise StaleContext from None
