"""The phrasing corpus: tests/corpus/{nl,fr,en}.toml, one parametrized test per case.

A case names the question, the intent, the slots that matter and the figures that
must appear in the rendered answer (written by hand from the fact sheets)."""
import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from intents.models import Period

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SPACES = re.compile(r"[\u00a0\u202f ]")
# Footnote marks on a figure ("112¹ ²"): the case's `footnotes` checks them, not its `figures`.
MARKS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?: [⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
DEFAULT_TODAY = "2026-11-22"


def _cases():
    for path in sorted(CORPUS.glob("*.toml")):
        lang = path.stem
        with path.open("rb") as fh:
            cases = tomllib.load(fh)["case"]
        for i, case in enumerate(cases):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            yield pytest.param(lang, case, id=f"{lang}-{i:03d}-{case['q'][:40]}", marks=marks)


def compact(p: Period) -> str:
    """2020-03 for a month, 2020 for a year, 2015..2020 for years, else start..end months."""
    if p.whole_years:
        return str(p.first_year) if p.single_year else f"{p.first_year}..{p.last_year}"
    if p.single_month:
        return "%04d-%02d" % p.start
    return "%04d-%02d..%04d-%02d" % (*p.start, *p.end)


def flat(text: str) -> str:
    """Spaces and minus signs as anyone types them (the answers use no-break spaces
    and U+2212), without footnote marks."""
    return SPACES.sub(" ", MARKS.sub("", text)).replace("\u2212", "-")


@pytest.mark.parametrize("lang,case", list(_cases()))
def test_case(pipeline, lang, case):
    today = dt.date.fromisoformat(case.get("today", DEFAULT_TODAY))
    context = None
    for earlier in case.get("context", []):
        context = pipeline.ask(earlier, context=context, today=today).context
    reply = pipeline.ask(case["q"], context=context, today=today, lang=case.get("force_lang"),
                         lang_hint=case.get("hint"))
    query = reply.answer.slots
    text = flat(reply.text)
    assert reply.status == case.get("status", "ok"), reply.text
    assert query.intent == case["intent"], reply.text
    assert reply.lang == case.get("lang", lang), reply.text
    slots = case.get("slots", {})
    if "periods" in slots:
        assert [compact(p) for p in query.periods] == slots["periods"], reply.text
    for name in ("orgs", "countries", "categories"):
        if name in slots:
            assert list(getattr(query, name)) == slots[name], reply.text
    for name in ("n", "extreme", "grain", "topic", "quoted", "claim"):
        if name in slots:
            assert getattr(query, name) == slots[name], reply.text
    for figure in case.get("figures", []):
        assert flat(figure) in text, f"{figure!r} not in:\n{reply.text}"
    for figure in case.get("absent", []):
        assert flat(figure) not in text, f"{figure!r} should not be in:\n{reply.text}"
    if "footnotes" in case:
        assert list(reply.answer.footnotes) == case["footnotes"], reply.text
    if reply.answer.request.act == "unknown":  # not understood, or a topic outside the figures: no figure
        assert reply.answer.figures == (), reply.text
