"""Text -> tokens: fold case and accents, drop control and formatting characters,
and read numbers and numeric dates ("03/2020", "2020-03", "Q1", "3.000") whole."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple, cast

MAX_CHARS = 500
# Terminal colour codes pasted along with a question ("\x1b[31m").
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Order matters: the longest numeric shapes first.
_TOKEN = re.compile(r"""
    (?P<dmy>\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b)
  | (?P<ymd>\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b)
  | (?P<yq>\b(?:\d{4}|\d{2})\ ?[-/]?\ ?[qtk]\d\b)
  | (?P<yh>\b(?:\d{4}|\d{2})\ ?[-/]?\ ?[hs]\d\b)
  | (?P<my>\b\d{1,2}(?:[.-]|\ ?/\ ?)\d{4}\b)
  | (?P<yy>'\d{2}\b)
  | (?P<ym>\b\d{4}[/.-]\d{1,2}\b(?![/.-]?\d))
  | (?P<decade>\b(?:jaren|annees)\ +'?(?:\d0|(?:19|20)\d0)\b(?!\ *(?:en|et|tot|a|-|,)\ *'?\d)
               |\b(?:\d0|(?:19|20)\d0)'?s\b)
  | (?P<quarter>\b[qtk]\d\b)
  | (?P<half>\b[hs]\d\b)
  | (?P<ordnum>\b\d{1,3}(?:st|nd|rd|th|eme|ieme|er|re|ste|de|me|e)\b)
  | (?P<num>(?<!\d)\d{1,3}(?:[., \u00a0\u202f]\d{3}(?!\d))+|\d+(?:[.,]\d+)?)
  | (?P<word>[a-z]+)
  | (?P<foreign>[^\W\d_a-z]+)
  | (?P<sym>[%&,;?\-–/*])
""", re.VERBOSE)


class Token(NamedTuple):
    """A word, number or symbol of a question (a tuple: every question makes dozens)."""

    text: str
    kind: str  # word, num, ordnum, sym, dmy, ymd, my, ym, yq, yh, yy, quarter, half, decade
    # What depends on the kind: a number, the numbers of a date, a year, a place; None for a word.
    value: Any = None
    grouped: bool = False  # a number written with thousands separators ("3.000")


_ASCII_CONTROLS = {**{c: " " for c in range(32)}, 127: " ", ord("`"): "'"}


def fold(text: str) -> str:
    """Lower case, no accents, no control or bidi characters, one apostrophe."""
    if text.isascii():
        # Fast path (most questions, and every lexicon phrase without accents).
        return ANSI_ESCAPE.sub(" ", text).translate(_ASCII_CONTROLS).lower()
    text = ANSI_ESCAPE.sub(" ", unicodedata.normalize("NFKC", text))
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    text = text.replace("’", "'").replace("`", "'").replace("‘", "'").replace("\u2212", "-")
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def _number(text: str) -> tuple[int | float, bool]:
    """Whole numbers stay exact ints, so a quoted figure is echoed as typed."""
    grouped = bool(re.fullmatch(r"\d{1,3}(?:[., \u00a0\u202f]\d{3})+", text))
    if grouped:
        return int(re.sub(r"\D", "", text)), True
    return (int(text) if text.isdigit() else float(text.replace(",", "."))), False


def _possessive_year(raw: str, before: list[Token], rest: str) -> bool:
    """"2020's returns", "what share of 2020's total", "did 2025's total exceed 2020's?": a year
    with an English possessive and no article before it; "the 2010's" and "in the 2000s" are
    decades, and so is "in 2010's" with no noun after it."""
    return bool(re.fullmatch(r"(?:19|20)\d0's", raw) and (not before or before[-1].text not in ("the", "in"))
                and (re.match(r"\s+[^\W\d_]", rest) or before))


def _decade(digits: str) -> int:
    """The first year of "the 90s", "2010s", "jaren '90": two digits are 19xx from 30 up."""
    value = int(digits)
    if len(digits) == 4:
        return value
    return value + (1900 if value >= 30 else 2000)


# The end of a sentence inside a question ("Ik ben journalist. Hoeveel...", "... tegenover 2019. Ik ben
# factchecker"): a full stop or an exclamation mark after a word or a number, before a capital or the
# end, or a line break. Marked as a "?" token, so that what a sentence holds can be told apart;
# "sept. 2025", "nr. 56", "2.426" and "av. J.-C." are no ends.
_SENTENCE_END = re.compile(r"(?<=[^\W_])[.!]+(?=\s+[\"'«“(]?[^\W\d_a-z][^\W\d_]|\s*$)|!+|\s*\n\s*"
                           # an ellipsis ends a sentence before a word in lower case too ("... hoeveel"), and so
                           # does a full stop after a bracket or a word too long to be abbreviated ("(17u). hoeveel")
                           r"|(?<=[^\W_])(?:\.{2,}|…)(?=\s+[^\W\d_])|(?:(?<=[^\W\d_]{5})|(?<=\)))\.(?=\s+[^\W\d_])")
# A colon before a space ends a clause as a semicolon does ("for my paper: how many ...?"); "20:19" stays a time.
_CLAUSE_END = re.compile(r"\s*:(?=\s)")


# A bracket sets its words apart as a comma does ("H2 2020 (jul-dec)" is no July 2020).
_BRACKET = re.compile(r"[()]")


def mark_sentences(text: str) -> str:
    return _BRACKET.sub(" , ", _CLAUSE_END.sub(" ; ", _SENTENCE_END.sub(" ? ", text)))


def _found(m: re.Match[str] | None) -> str:
    """The digits a token's own pattern guarantees it holds."""
    assert m is not None
    return m.group()


def tokenize(text: str) -> list[Token]:
    folded = fold(text)
    tokens = []
    for m in _TOKEN.finditer(folded):
        # Every alternative of _TOKEN is a named group, so a match always names one.
        kind = cast(str, m.lastgroup)
        raw = m.group()
        if kind == "num":
            value, grouped = _number(raw)
            tokens.append(Token(raw, "num", value, grouped))
        elif kind in ("dmy", "ymd", "my", "ym"):
            parts = [int(p) for p in re.split(r"\s*[/.-]\s*", raw)]
            tokens.append(Token(raw, kind, tuple(parts)))
        elif kind in ("yq", "yh"):
            # "2020Q3", "20q3", "2025-H1": a two-digit year is 20xx.
            year = int(_found(re.match(r"\d+", raw)))
            tokens.append(Token(raw, kind, (year + 2000 if year < 100 else year, int(raw[-1]))))
        elif kind == "yy":
            # "'19": 1900s from '30 up, as for decades.
            tokens.append(Token(raw, kind, _decade(raw[1:]) if int(raw[1:]) >= 30 else 2000 + int(raw[1:])))
        elif kind in ("quarter", "half"):
            tokens.append(Token(raw, kind, int(raw[1])))
        elif kind == "ordnum":
            # "11th", "3e", "2de": a place, whatever its number
            tokens.append(Token(raw, kind, int(_found(re.match(r"\d+", raw)))))
        elif kind == "decade" and _possessive_year(raw, tokens, folded[m.end():]):
            # "2020's returns": the year's, not the decade's ("the 2020's" stays a decade)
            year = int(_found(re.match(r"\d{4}", raw)))
            tokens.append(Token(raw[:4], "num", year))
        elif kind == "decade":
            tokens.append(Token(raw, kind, _decade(_found(re.search(r"\d+", raw)))))
        else:
            # Letters of other scripts are words nothing will read: they make the
            # question unknown rather than leave its numbers to be misread.
            tokens.append(Token(raw, "word" if kind == "foreign" else kind))
    return tokens


def words(text: str) -> tuple[str, ...]:
    """A lexicon phrase as the token texts a question would give."""
    return tuple(t.text for t in tokenize(text))
