"""An answer as Telegram HTML (superscript footnote marks, long footnotes folded), cut into
messages Telegram accepts."""
from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from intents.pipeline import Reply
from intents.render import SUPERSCRIPT

FOOTNOTE_FOLD = 240          # footnotes longer than this (characters) fold into an expandable quote

_SUP_RUN = re.compile(r"(?:<sup>\d+</sup>)+")


def telegram_html(text: str) -> str:
    """Telegram's HTML has no <sup>: footnote marks become superscript digits, spaced as
    in the plain-text answer ("¹ ²")."""
    return _SUP_RUN.sub(lambda m: " ".join(n.translate(SUPERSCRIPT) for n in re.findall(r"\d+", m.group())), text)


def answer_html(reply: Reply) -> str:
    """The answer as Telegram HTML. Long footnotes fold into an expandable blockquote, so
    that on a phone the figure and the source stay in view; the text shown is the same."""
    text = telegram_html(reply.html)
    count = len(reply.answer.footnotes)
    body, sep, tail = text.rpartition("\n\n")
    lines = tail.split("\n")
    notes = lines[:count]
    if not count or not sep or len(visible_text("\n".join(notes))) <= FOOTNOTE_FOLD:
        return text
    folded = "<blockquote expandable>" + "\n".join(notes) + "</blockquote>"
    return body + sep + "\n".join([folded, *lines[count:]])


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_ATOM = re.compile(r"<[^<>]*>|&#?[0-9A-Za-z]+;|\s+|[^<&\s]+|.", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)")


def visible_text(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _break_rank(atom: str) -> int:
    """3 for a paragraph break, 2 for a line break, 1 for a space, 0 for no break."""
    if not atom.isspace():
        return 0
    return min(atom.count("\n"), 2) + 1


def split_html(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cuts an HTML message into parts of at most `limit` UTF-16 units: at the last
    paragraph break that fits, else the last line break, else the last space, else
    anywhere but inside a tag or an entity. Tags open at a cut are closed before it and
    opened again after it, so that every part is valid HTML on its own. The length
    counted is that of the HTML source, never less than what Telegram counts."""
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if visible_text(text).strip() else []
    atoms: list[str] = []
    for atom in _ATOM.findall(text):
        # A word too long for a message is cut in pieces: a part must hold at least one atom.
        step = limit // 8 if len(atom) > limit // 8 and atom[0] not in "<&" else len(atom)
        atoms.extend(atom[k:k + step] for k in range(0, len(atom), step))
    # stacks[k]: the tags open before atom k, as (name, opening tag).
    stacks: list[tuple[tuple[str, str], ...]] = [()]
    for atom in atoms:
        stack = stacks[-1]
        tag = _TAG.match(atom)
        if tag and tag.group(1):
            if stack and stack[-1][0] == tag.group(2).lower():
                stack = stack[:-1]
        elif tag:
            stack = stack + ((tag.group(2).lower(), atom),)
        stacks.append(stack)

    def closing(k: int) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stacks[k]))

    parts: list[str] = []
    i = 0
    while i < len(atoms):
        if atoms[i].isspace():
            i += 1
            continue
        prefix = "".join(tag for _, tag in stacks[i])
        size = utf16_len(prefix)
        best_rank, cut = 0, None
        j = i
        while j < len(atoms):
            grown = size + utf16_len(atoms[j])
            if grown + utf16_len(closing(j + 1)) > limit and j > i:
                break
            size = grown
            rank = _break_rank(atoms[j])
            if rank and rank >= best_rank:
                best_rank, cut = rank, j
            j += 1
        if j == len(atoms) or cut is None:
            cut = j
        parts.append(prefix + "".join(atoms[i:cut]).rstrip() + closing(cut))
        i = cut
    return [part for part in parts if visible_text(part).strip()]
