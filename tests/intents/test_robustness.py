"""Hostile, broken and random input: every line gets a reply, never an exception.

For each input the pipeline must return a Reply with a valid status, a text of at
most 4,096 characters (Telegram's limit) and numbers that come from the data:

* every Figure of the answer is a value printed on the source line it names (read
  back from the CSV tables, not from the engine) or is derived from those values as
  the query does: a sum over a run of rows, a difference, a share, a change, an
  average;
* every number in the reply text is one of those figures as the renderer formats
  it, a year, a list rank, the size of a published list, a rank, the count of an
  average, the user's own number, or a digit the answer template itself spells
  out ("top 5 countries 2020" in an example).

The fixed cases state the expected status where it is clear; hypothesis adds random
text and random mixes of lexicon words, numbers, dates, months and countries.
Timing is the bench's business (`returnbot bench`), not a test's.
"""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace

import pytest
from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from intents.data import bundled
from intents.engine import FIGURE_STYLES
from intents.models import STATUSES, Figure, Num
from intents.normalize import words
from intents.program import Check, Where, nodes
from intents.resources import load_toml

TODAY = dt.date(2026, 11, 22)
MAX_TEXT = 4096
LANGS = ("nl", "fr", "en")
DATA = bundled()
# The property tests are derandomized: the same examples on every run, so that a bug
# already known cannot turn a build red by chance. To search
# afresh, set RETURNBOT_HYPOTHESIS_EXAMPLES (e.g. 20000): random examples, that many.
DEEP = int(os.environ.get("RETURNBOT_HYPOTHESIS_EXAMPLES") or 0)
PROPERTY = settings(max_examples=DEEP or 300, derandomize=not DEEP, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# ---- the data, read back from the CSV files -----------------------------------------------
def _csv(name):
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _month(text):
    year, month = text.split("-")
    return int(year), int(month)


def _observations():
    """observations.csv, each row with where the answers cite it: `file:line` of a fact
    sheet's text, `URL#pN` of a web page."""
    register = {r["id"]: r for r in _csv("sources")}
    out = []
    for r in _csv("observations"):
        source = register[r["source"]]
        if source["file"]:
            ref = f"{source['file']}:{r['locator']}"
        else:
            lang, _, paragraph = r["locator"].partition(":")
            ref = f"{source['url_' + lang]}#{paragraph}"
        out.append({**r, "ref": ref, "start": _month(r["start"]), "end": _month(r["end"]), "value": float(r["value"])})
    for r in _csv("statements"):
        source = register[r["source"]]
        if r["returns"]:
            out.append({"measure": "statement", "unit": "count", "value": float(r["returns"]), "source": r["source"],
                        "ref": f"{source['file']}:{r['locator']}" if source["file"] else r["source"],
                        "start": (int(r["year"] or 0), 1), "end": (int(r["year"] or 0), 12), "organisation": "total",
                        "country": "", "category": "", "qualifier": ""})
    return out


OBS = _observations()


def _index():
    """WINDOWS: the sorted sources of every run of consecutive rows of one series (a month
    range, a year range, one row; a series is one publication's figures of one kind) ->
    the sums of their values. AT / PCT: source line -> the counts / percentages printed on it."""
    series, at, pct = defaultdict(list), defaultdict(set), defaultdict(set)
    for r in OBS:
        if r["unit"] in ("percent", "change"):  # both printed as percentages
            pct[r["ref"]].add(r["value"])
        elif r["unit"] == "count":
            key = (r["source"], r["measure"], r["organisation"], r["country"], r["category"],
                   r["start"] == r["end"], r["start"][0] == r["end"][0])
            series[key].append((r["start"], r["ref"], r["value"]))
            at[r["ref"]].add(r["value"])
    # Figures of one year from several publications add up across them ("2019-2025").
    years = defaultdict(list)
    for r in OBS:
        if r["unit"] == "count" and r["measure"] == "returns" and not r["country"] and not r["category"] \
                and r["start"] != r["end"] and r["start"][0] == r["end"][0]:
            years[r["organisation"]].append((r["start"], r["ref"], r["value"]))
    windows = defaultdict(set)
    for rows in [*series.values(), *years.values()]:
        rows.sort()
        for i in range(len(rows)):
            for j in range(i, min(len(rows), i + 40)):
                run = rows[i:j + 1]
                windows[tuple(sorted(r[1] for r in run))].add(sum(r[2] for r in run))
    return windows, at, pct


WINDOWS, AT, PCT = _index()


def _best_years():
    """(year, organisation) -> the figure of the longest span of that year, and its months."""
    best = {}
    for r in OBS:
        if r["unit"] == "count" and r["measure"] == "returns" and not r["country"] and not r["category"] \
                and not r["qualifier"] and r["start"] != r["end"] and r["start"][0] == r["end"][0]:
            key = (r["start"][0], r["organisation"])
            span = r["end"][1] - r["start"][1]
            if key not in best or span > best[key][0]:
                best[key] = (span, r["start"][1], r["end"][1], r["value"])
    return best


YEAR_FIGURES = _best_years()
MONTHLY = {(*r["start"], r["organisation"]): r["value"] for r in OBS if r["unit"] == "count" and r["start"] == r["end"]
           and r["measure"] == "returns" and not r["country"] and not r["category"]}
EXACT = defaultdict(set)
for _r in OBS:
    if _r["unit"] == "count" and _r["measure"] == "returns" and not _r["country"] and not _r["category"]:
        EXACT[(_r["organisation"], _r["start"], _r["end"])].add(_r["value"])
# Places and list sizes an answer may print: ranks given, and places in a list's order.
_lists = defaultdict(list)
for _r in OBS:
    if _r["country"] and _r["country"] not in ("other", "all") and _r["unit"] in ("count", "rank"):
        _lists[(_r["source"], _r["start"], _r["end"])].append(_r)
RANKS = defaultdict(set)
LIST_SIZES = set()
for _rows in _lists.values():
    LIST_SIZES.add(len({r["country"] for r in _rows}))
    for place, r in enumerate(sorted(_rows, key=lambda r: (r["unit"] == "rank", -r["value"])), start=1):
        RANKS[r["country"]].add(int(r["value"]) if r["unit"] == "rank" else place)
        RANKS[r["country"]].update(range(1, place + 1))


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def sums(sources):
    """What a run of rows with exactly these sources adds up to (empty: no such run); for
    lines that print one figure each, what they add up to, in whatever publications."""
    found = set(WINDOWS.get(tuple(sorted(sources)), set()))
    choices = [AT.get(s, ()) for s in sources]
    if sources and len(set(sources)) == len(sources) and all(choices) and math.prod(map(len, choices)) <= 4096:
        found |= {sum(combo) for combo in itertools.product(*choices)}
    return found


def splits(sources):
    """(a, c) for every way to cut the sources in two runs: a from the first part, c
    from the second (compare: newer, older; share: part, whole)."""
    for k in range(1, len(sources)):
        for a in sums(sources[:k]):
            for c in sums(sources[k:]):
                yield a, c


def derived(fig: Figure) -> bool:
    """True when the figure's value is on its source line(s) or follows from them."""
    v, src = fig.value, list(fig.sources)
    if not src or not all(s in AT or s in PCT for s in src):
        return False
    if fig.kind in ("count", "difference", "sum"):
        return (any(close(v, s) for s in sums(src))  # one row, or the sum of a run
                or all(any(close(v, x) for x in AT.get(s, ())) for s in src)  # a tie: on every line
                or any(close(v, abs(a - c)) for a, c in splits(src)))  # a difference
    if fig.kind in ("percent", "printed_change"):  # as printed: "20 %" is 0.20
        return len(src) == 1 and any(close(v * 100, p) for p in PCT.get(src[0], ()))
    if fig.kind == "percent_sum":  # the printed percentages of the lines, added
        return any(close(v * 100, sum(combo)) for combo in itertools.product(*(PCT.get(s, ()) for s in src)))
    if fig.kind == "share":
        return any(close(v, a / c if c else 0.0) for a, c in splits(src))
    if fig.kind == "ratio":  # one figure over another, either way round
        return any(a and c and (close(v, a / c) or close(v, c / a)) for a, c in splits(src))
    if fig.kind == "change":
        return any((c and close(v, (a - c) / c)) or (a and close(v, (c - a) / a)) for a, c in splits(src))
    if fig.kind == "average":  # a sum over k months or k years
        for s in sums(src):
            k = s / v if v else None
            if k is not None and close(k, round(k)) and 1 <= round(k) <= 12 * len(src):
                return True
    return False


# ---- numbers in the text --------------------------------------------------------------------
QUOTED = re.compile(r'"[^"\n]*"|«[^»\n]*»')  # the templates' example questions and sheet titles
RANK = re.compile(r"(?m)^\d{1,3}\. ")
SEPARATORS = ".,\u00a0\u202f "


def template_numbers(renderer, answer) -> set[int]:
    """Digits the answer's own templates spell out (help's examples, say)."""
    texts = []
    for line in answer.lines:
        template = renderer.template(line.key)
        texts.extend(template.values() if isinstance(template, dict) else [template])
    texts.extend(renderer.t["examples"][e] for e in answer.examples)
    return {int(x) for t in texts for x in re.findall(r"\d+", str(t))}


def unexplained_numbers(reply, pipeline) -> list[str]:
    """Each number of the reply text that is neither a figure (as rendered) nor one of
    the allowed non-figures; returned with some context."""
    renderer = pipeline.renderer(reply.lang)
    answer, query = reply.answer, reply.answer.slots
    text = reply.text
    for note in renderer.footnotes.values():  # the caveats are data text, quoted from the sheets
        text = text.replace(note, " ")
    if answer.sources:  # the publications named, with their dates and links
        text = text.replace(renderer.source(answer), " ")
    for sid in renderer.sources:  # a publication named in a sentence: "the press release of 3 February 2026"
        for named in (renderer.title(sid), renderer.the_source(sid), renderer.the_source(sid, "of_kind")):
            text = re.sub(re.escape(named), " ", text, flags=re.I)
    text = QUOTED.sub(" ", text)
    shown = {renderer.number(Num(f.value, FIGURE_STYLES.get(f.kind, "count"))) for f in answer.figures}
    shown |= {renderer.number(Num(v)) for v in (query.quoted, query.n) if v is not None}
    for s in sorted(shown, key=len, reverse=True):  # "1.847" before "847"
        text = re.sub(r"(?<!\d)" + re.escape(s) + r"(?!\d)", "§", text)
    text = RANK.sub("", text)
    # How many publications the register holds ("the figures come from 30 publications").
    # and how many figures ("the whole table: 355 figures from 30 publications")
    allowed = set(LIST_SIZES) | template_numbers(renderer, answer) | {len(renderer.sources)} \
        | {len(pipeline.engine.dataset.observations)}
    allowed |= {v for v in (query.n, query.quoted) if v is not None}
    # the user's own thresholds and claims, wherever the program holds them
    # (a check of a place, "was Afghanistan last?", holds no number)
    allowed |= {int(n.value) for n in nodes(answer.request.program) if isinstance(n, (Where, Check))
                and n.value is not None and float(n.value).is_integer()} \
        if answer.request.program is not None else set()
    # how many members a line lists ("8 months in 2020 had less than 180: March 2020: 112 · ...")
    allowed |= {len(v) for line in answer.lines for v in line.params.values() if isinstance(v, tuple)}
    allowed |= {rank for iso in query.countries for rank in RANKS.get(iso, ())}
    for f in answer.figures:
        if f.kind == "average" and f.value:
            allowed |= {round(s / f.value) for s in sums(list(f.sources)) if close(s / f.value, round(s / f.value))}
    out = []
    for m in re.finditer(r"\d+", text):
        before, after = text[max(0, m.start() - 2):m.start()], text[m.end():m.end() + 2]
        grouped = bool(re.fullmatch(r"\d[" + SEPARATORS + "]", before) or re.fullmatch("[" + SEPARATORS + r"]\d", after))
        value = int(m.group())
        if not grouped and (len(m.group()) == 4 and 1900 <= value <= 2100 or value in allowed):
            continue
        out.append(text[max(0, m.start() - 25):m.end() + 25])
    return out


# ---- what the data says a labelled total must be -----------------------------------------
LABEL = re.compile(r"^(total|fedasil|dvz) (\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")


def true_total(org, start, end):
    """The totals the data holds for an organisation over whole months start..end: a figure
    printed for exactly those months, the yearly figures of the years, or the months'."""
    (y1, m1), (y2, m2) = start, end
    found = set(EXACT.get((org, start, end), ()))
    years = [YEAR_FIGURES.get((y, org)) for y in range(y1, y2 + 1)]
    if all(years) and m1 == years[0][1] and m2 == years[-1][2]:
        found.add(sum(y[3] for y in years))
    total, (y, m) = 0, (y1, m1)
    while (y, m) <= (y2, m2):
        if (y, m, org) not in MONTHLY:
            return found
        total += MONTHLY[(y, m, org)]
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return found | {total}


def semantic_problems(reply) -> list[str]:
    problems = []
    for fig in reply.answer.figures:
        m = LABEL.match(fig.label)
        if m:
            org, y1, m1, y2, m2 = m.group(1), *map(int, m.groups()[1:])
            expected = true_total(org, (y1, m1), (y2, m2))
            if not any(close(fig.value, x) for x in expected):
                problems.append(f"{fig.label} = {fig.value}, the data says {expected}")
    for line in reply.answer.lines:
        p = line.params
        if line.key == "count.split" and {"fedasil", "dvz", "total"} <= p.keys():
            if p["fedasil"].value + p["dvz"].value != p["total"].value:
                problems.append(f"split {p['fedasil'].value} + {p['dvz'].value} != {p['total'].value}")
    return problems


# ---- one reply, checked whole ---------------------------------------------------------------
def check(reply, pipeline):
    assert reply.status in STATUSES, reply.status
    assert reply.status == reply.answer.status
    assert reply.lang in LANGS
    assert isinstance(reply.text, str) and isinstance(reply.html, str)
    assert 0 < len(reply.text) <= MAX_TEXT, len(reply.text)
    if reply.status == "unknown":
        assert reply.answer.figures == (), reply.text
    made_up = [f for f in reply.answer.figures if not derived(f)]
    assert not made_up, f"figures not found in the data: {made_up}\n{reply.text}"
    loose = unexplained_numbers(reply, pipeline)
    assert not loose, f"numbers in the text that are no figure: {loose}\n{reply.text}"
    problems = semantic_problems(reply)
    assert not problems, f"{problems}\n{reply.text}"
    json.dumps(reply.to_json())  # the --json output can always be written


# ---- fixed hostile inputs ------------------------------------------------------------------
ANY = None  # no status is clearly right; still a valid reply with honest numbers
CASES = [
    # length
    ("x" * 10_000, "clarify"),
    ("hoeveel terugkeerders in maart 2020 " * 400, "clarify"),
    ("2020 " * 100, ANY),
    ("januari " * 62, ANY),
    # control, escape and format characters
    ("\x00", ANY),
    ("\x00hoeveel\x00terugkeerders\x00in\x002020\x00", "ok"),
    ("\x1b[31mhoeveel terugkeerders in 2020\x1b[0m", "ok"),
    ("hoeveel\tterugkeerders\rin\t2020", "ok"),
    ("\x07\x08\x0b\x0c\x7f", ANY),
    ("\u202ehoeveel terugkeerders in 2020\u202c", "ok"),
    ("\u202e0202 ni sredreekgureT", "unknown"),
    ("\u200b", ANY),
    ("\ufeffhow many returns in 2020", "ok"),
    # zalgo, emoji
    ("h\u0335\u0322\u031bo\u0337e\u0336v\u0334e\u0337e\u0335l\u0338 \u0336t\u0337e\u0336r\u0334u\u0338g\u0335k\u0334e"
     "\u0338e\u0337r\u0336d\u0335e\u0337r\u0338s\u0336 \u0338i\u0338n\u0335 \u03342\u03380\u03362\u03350\u0337", "ok"),
    ("Z\u0337\u0322\u031ba\u0334l\u0338g\u0335o\u0336 \u0337c\u0336o\u0335m\u0338e\u0338s", "unknown"),
    ("\u0301" * 499, "unknown"),
    ("😀😀🎉", "unknown"),
    ("🇧🇪🇧🇷👍🏽", "unknown"),
    # format strings, markup, SQL, paths
    ("%s {0} {period}", "unknown"),
    ("{total} {period_in} %(n)d %%", "unknown"),
    ("<script>alert(1)</script>", "unknown"),
    ("<b>hoeveel</b> terugkeerders in <i>2020</i>", "ok"),
    ("'; DROP TABLE users; --", "unknown"),
    ("1' OR '1'='1", ANY),
    ("../../etc/passwd", "unknown"),
    ("C:\\Windows\\System32\\config", "unknown"),
    # numbers
    ("in 99999999999999999999", "unknown"),
    ("hoeveel terugkeerders in 99999999999999999999", ANY),
    ("how many returns in 1e308", ANY),
    ("hoeveel terugkeerders in -2020", ANY),
    ("in -2020", ANY),
    ("hoeveel terugkeerders in 0", ANY),
    ("how many returns in 2020.5", ANY),
    # dates
    ("32/13/2020", "clarify"),
    ("hoeveel terugkeerders op 32/13/2020", "clarify"),
    ("how many returns in 13/2020", "clarify"),
    ("combien de retours en 00/2020", "clarify"),
    ("2020-13", "clarify"),
    ("00/00/0000", "clarify"),
    ("hoeveel terugkeerders op 29/02/2020", "no_data"),
    # ranges
    ("van 2030 tot 2007", "no_data"),  # read as 2007-2030: the years after 2025 are not published
    ("hoeveel terugkeerders van 2030 tot 2007", "no_data"),
    ("how many returns from 2019 to 2018", "ok"),
    ("hoeveel terugkeerders van december 2020 tot januari 2020", "ok"),
    ("van 2030 tot 2026", "no_data"),
    # top N
    ("top 999999999 landen", "ok"),
    ("top 1000000 countries 2020", "ok"),
    ("top -3", "clarify"),
    ("top -3 landen", "clarify"),
    ("top -3 countries 2020", "clarify"),
    ("top 0 landen", "clarify"),
    # same period twice
    ("vergelijk 2020 met 2020", "clarify"),
    ("compare 2020 and 2020", "clarify"),
    ("comparer 2020 et 2020", "clarify"),
    # other scripts
    ("كم عدد العائدين في 2020", ANY),
    ("مرحبا كيف حالك", "unknown"),
    ("2020年有多少人返回比利时", ANY),
    ("你好", "unknown"),
    ("Сколько человек вернулось", "unknown"),
    # blank
    ("", "clarify"),
    ("   ", "clarify"),
    ("\n", "clarify"),
    ("\t \r\n", "clarify"),
    ("\u00a0", "clarify"),
    # lone surrogates (they reach ask() from JSON or a surrogateescape'd argv)
    ("\ud800", "unknown"),
    ("hoeveel terugkeerders in 2020 \udfff", "ok"),
    ("\udcff\udcfe", "unknown"),
]


@pytest.mark.parametrize("text,status", CASES, ids=[f"{i:02d}-{t[:24]!r}" for i, (t, _) in enumerate(CASES)])
def test_hostile_input(pipeline, ask, text, status):
    reply = ask(text)
    check(reply, pipeline)
    if status is not None:
        assert reply.status == status, reply.text


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_input_in_every_reply_language(pipeline, ask, lang):
    for text, _ in CASES:
        check(ask(text, lang=lang), pipeline)


def test_markup_in_the_question_never_reaches_the_html(ask):
    for text in ("<script>alert(1)</script>", "<b>hoeveel</b> terugkeerders in <i>2020</i>", "a & b < c"):
        reply = ask(text)
        assert "<script" not in reply.html and "<i>2020" not in reply.html


@pytest.mark.parametrize("text", ["\x1b[31mhoeveel terugkeerders in 2020\x1b[0m",
                                  "\x1b[1;32mhow many returns in 2020\x1b[0m"])
def test_a_question_in_terminal_colours_is_understood(pipeline, ask, text):
    reply = ask(text)
    check(reply, pipeline)
    assert reply.status == "ok", reply.text


# ---- bugs these inputs once showed ------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "is it true that 99999999999999999999999999999 returned in 2020",
    "klopt het dat er 12345678901234567890123456789 terugkeerders waren in 2020",
])
def test_huge_quoted_number_gets_a_reply(pipeline, ask, text):
    check(ask(text), pipeline)


@pytest.mark.parametrize("text,number,shown", [
    ("klopt het dat er 2.953 terugkeerders waren in 2023?", 2953, "2.953"),  # the sheet: 2 952 (2025.txt:244)
    ("is it true that 1234567 people returned in 2020?", 1234567, "1,234,567"),
])
def test_quoted_number_is_echoed_as_written(ask, text, number, shown):
    reply = ask(text)
    assert reply.answer.slots.quoted == number, reply.text
    assert shown in reply.text, reply.text


@pytest.mark.parametrize("text", ["klopt het dat er 99999999999999999999 terugkeerders waren in 2020?",
                                  "is it true that 9007199254740993 people returned in 2020?"])
def test_absurd_quoted_number_is_not_taken_as_a_claim(ask, text):
    assert ask(text).status == "unknown"


@pytest.mark.parametrize("text", ["hoeveel terugkeerders op 31 februari 2020", "returns on 29 February 2021",
                                  "retours le 31/04/2020", "returns 2020-02-30", "retours le 31 avril 2020"])
def test_impossible_day_of_month_asks_again(ask, text):
    assert ask(text).status == "clarify"


def test_top_with_unicode_minus_asks_again(ask):
    assert ask("top \u22123 landen").status == "clarify"


@pytest.mark.parametrize("text", ["how many Brazilians in 2025", "aandeel van brazilië in 2020"])
def test_country_answer_prints_only_figures(pipeline, ask, text):
    reply = ask(text)
    assert unexplained_numbers(reply, pipeline) == [], reply.text


@pytest.mark.parametrize("first,follow_up", [
    ("how many returns in 2020", "and top -3 countries?"),
    ("hoeveel terugkeerders in 2020", "en top -3 landen?"),
])
def test_follow_up_that_asks_again_gets_a_reply(pipeline, first, follow_up):
    context = pipeline.ask(first, today=TODAY).context
    reply = pipeline.ask(follow_up, context=context, today=TODAY)
    check(reply, pipeline)
    assert reply.status == "clarify", reply.text


@pytest.mark.parametrize("context,text", [
    (None, "top 5 landen in maart"),
    (None, "top 3 countries in August"),
    ("how many returns in 2020", "February 10/1/2026"),
])
def test_a_month_without_a_year_never_shows_year_0(pipeline, context, text):
    previous = pipeline.ask(context, today=TODAY).context if context else None
    reply = pipeline.ask(text, context=previous, today=TODAY)
    assert not re.search(r"(?<![\d.,])0(?=[.,:;)]|\s*$| \()", reply.text.split("\n\n")[0], re.M), reply.text
    assert all(p.first_year for p in reply.answer.slots.periods), reply.answer.slots


@pytest.mark.parametrize("text,month", [
    ("hoeveel terugkeerders in maart en 05/2020", (2020, 5)),
    ("how many returns in December and 05/2019", (2019, 5)),
    ("combien de retours en février et 10/01/2020", (2020, 1)),
])
def test_a_month_with_its_year_keeps_it_beside_one_without(ask, text, month):
    reply = ask(text)
    assert any(p.start == month for p in reply.answer.slots.periods), reply.answer.slots


@pytest.mark.parametrize("text", ["how many returns from 07/2019 to February",
                                  "hoeveel terugkeerders van 07/2008 tot februari"])
def test_a_range_to_a_month_without_a_year_stays_in_this_era(pipeline, ask, text):
    reply = ask(text)
    assert all(1900 <= p.first_year <= p.last_year <= 2100 for p in reply.answer.slots.periods), reply.answer.slots
    check(reply, pipeline)


# ---- the checks can fail --------------------------------------------------------------------
def test_a_made_up_figure_is_caught(pipeline, ask):
    reply = ask("hoeveel terugkeerders in maart 2020")
    assert reply.answer.figures and all(derived(f) for f in reply.answer.figures)
    for fig in reply.answer.figures:
        assert not derived(replace(fig, value=fig.value + 1000)), fig
        assert not derived(replace(fig, value=4321)), fig
        assert not derived(replace(fig, sources=("fedasil-vrijwillige-terugkeer-2020.txt:999",))), fig
    assert not derived(Figure(0.4321, "share", "x", reply.answer.figures[0].sources * 2))
    assert not derived(Figure(12, "count", "x", ()))


def test_a_figure_derived_the_wrong_way_is_caught():
    s20 = "fedasil-vrijwillige-terugkeer-2020.txt"
    year_2019, year_2020 = f"{s20}:70", f"{s20}:63"
    assert derived(Figure(2426 + 1847, "count", "sum", (year_2019, year_2020)))
    assert not derived(Figure(2426 + 1847 + 1, "count", "sum", (year_2019, year_2020)))
    assert derived(Figure((1847 - 2426) / 2426, "change", "change", (year_2020, year_2019)))
    assert not derived(Figure((1847 - 2426) / 1847 + 0.01, "change", "change", (year_2020, year_2019)))
    assert derived(Figure((2426 + 1847) / 2, "average", "avg", (year_2019, year_2020)))
    assert not derived(Figure((2426 + 1847) / 2.5, "average", "avg", (year_2019, year_2020)))
    assert derived(Figure(0.20, "percent", "pct", (f"{s20}:136",)))
    assert not derived(Figure(0.21, "percent", "pct", (f"{s20}:136",)))


def test_a_made_up_number_in_the_text_is_caught(pipeline, ask):
    reply = ask("how many returns in March 2020")
    assert unexplained_numbers(reply, pipeline) == []
    for extra in (" 1,234 more.", " 13 people.", " 2.5%", " 99,999"):
        assert unexplained_numbers(replace(reply, text=reply.text + extra), pipeline), extra
    swapped = reply.text.replace("112", "113", 1)
    assert swapped != reply.text and unexplained_numbers(replace(reply, text=swapped), pipeline)


def test_a_wrong_total_is_caught(ask):
    reply = ask("how many returns in 2019")
    assert semantic_problems(reply) == []
    fig = reply.answer.figures[0]
    wrong = replace(reply.answer, figures=(replace(fig, value=fig.value - 1),))
    assert semantic_problems(replace(reply, answer=wrong))


# ---- the command line, once, with a batch of the above ---------------------------------------
def test_cli_answers_a_batch_of_hostile_lines():
    lines = [t for t, _ in CASES if "\n" not in t and "\r" not in t and not re.search(r"[\ud800-\udfff]", t)]
    result = run_cli("ask", "--json", "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    out = [json.loads(x) for x in result.stdout.split("\n") if x]
    assert len(out) == len(lines)
    assert all(o["status"] in STATUSES for o in out)
    assert all(len(o["text"]) <= MAX_TEXT for o in out)


def _cli_bytes(args, stdin: bytes, env: dict):
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **env}, cwd="/")


def test_cli_survives_bytes_that_are_not_utf8_in_the_default_locale():
    result = _cli_bytes(["ask", "-"], b"hoeveel terugkeerders in 2020 \xff\xfe\n\xc3\x28\n", {})
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert b"1.847" in result.stdout


def test_cli_survives_bytes_that_are_not_utf8_with_strict_stdio():
    result = _cli_bytes(["ask", "-"], b"hoeveel terugkeerders in 2020 \xff\n", {"PYTHONIOENCODING": "utf-8"})
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 0


def test_cli_json_survives_an_argument_that_is_not_utf8():
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", os.fsdecode(b"hoeveel in 2020 \xff")],
                            capture_output=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, cwd="/")
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 0


# ---- property-based ---------------------------------------------------------------------------
def _vocabulary() -> list[str]:
    words = set()
    for lang in LANGS:
        lex = load_toml(lang, "lexicon.toml")
        words.update(lex.get("stop", []))
        for phrases in lex.get("entities", {}).values():
            words.update(phrases)
        words.update(load_toml(lang, "answers.toml").get("examples", {}).values())
        locale = Locale.parse(lang)
        words.update(locale.months["format"]["wide"].values())
        words.update(locale.months["format"]["abbreviated"].values())
        words.update(name for code, name in locale.territories.items() if code.isalpha() and len(code) == 2)
    return sorted(words)


VOCABULARY = _vocabulary()
YEARS = st.integers(1990, 2035)
NUMBERS = st.one_of(
    YEARS.map(str),
    st.integers(-50, 3000).map(str),
    st.integers(0, 10 ** 15).map(str),  # larger numbers are no claim: see test_absurd_quoted_number_is_not_taken_as_a_claim
    st.sampled_from(["0", "1", "12", "13", "31", "32", "1.847", "1,847", "2.5", "3,5", "99999999", "-3", "–3"]),
)
DATES = st.one_of(
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", st.integers(0, 40), st.integers(0, 14), YEARS),
    st.builds(lambda m, y: f"{m:02d}/{y}", st.integers(0, 14), YEARS),
    st.builds(lambda y, m: f"{y}-{m:02d}", YEARS, st.integers(0, 14)),
    st.builds(lambda q, y: f"{q} {y}", st.sampled_from(["Q1", "Q4", "T2", "K3", "H1", "S2", "Q5", "H3"]), YEARS),
)
TOKENS = st.one_of(
    st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY),
    NUMBERS, DATES, st.sampled_from(["-", "–", "?", ",", "&", "%", "/", "...", "!", "'", '"', "top", "en", "and", "et"]),
    st.text(max_size=6),
)
QUESTIONS = st.lists(TOKENS, max_size=14).map(" ".join)
REPLY_LANG = st.sampled_from([None, *LANGS])


@PROPERTY
@given(text=st.text(max_size=600), lang=REPLY_LANG)
def test_any_text_gets_an_honest_reply(pipeline, text, lang):
    check(pipeline.ask(text, lang=lang, today=TODAY), pipeline)


@PROPERTY
@given(text=QUESTIONS, lang=REPLY_LANG, hint=REPLY_LANG)
def test_any_mix_of_known_words_gets_an_honest_reply(pipeline, text, lang, hint):
    check(pipeline.ask(text, lang=lang, lang_hint=hint, today=TODAY), pipeline)


@settings(PROPERTY, max_examples=DEEP or 150)
@given(turns=st.lists(QUESTIONS, min_size=1, max_size=4),
       today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_conversation_gets_honest_replies(pipeline, turns, today):
    context = None
    for text in turns:
        reply = pipeline.ask(text, context=context, today=today)
        check(reply, pipeline)
        context = reply.context


@pytest.mark.parametrize("text,expected", [
    ("returns on 29 February 2020", "how many voluntary returns in February 2020?"),
    ("returns 2020-02-29", "how many voluntary returns in February 2020?"),
    ("terugkeerders op 29/02/2020", "hoeveel vrijwillige terugkeerders in februari 2020?"),
])
def test_a_leap_day_exists_and_its_month_is_offered(ask, text, expected):
    """A day is no month: the figures are monthly, so the month that holds the day is
    offered, never given as the day's figure (February 2020: 222, 2020.txt:41)."""
    reply = ask(text)
    assert reply.status == "no_data" and expected in reply.text, reply.text
    assert "222" not in reply.text


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_no_phrase_has_two_meanings_in_one_lexicon(lang):
    """A phrase listed under two keys would silently take the later one."""
    entities = load_toml(lang, "lexicon.toml")["entities"]
    seen: dict[tuple[str, ...], str] = {}
    clashes = []
    for key, phrases in entities.items():
        for phrase in phrases:
            first = seen.setdefault(words(phrase), key)
            if first != key:
                clashes.append(f"{phrase!r}: {first} and {key}")
    assert clashes == []


@pytest.mark.parametrize("first,then", [
    ("2012 and 2013", "lowest year"),                          # an extreme over each of two periods (was TypeError)
    ("recordjaar vrijwillige terugkeer", "together?"),         # the sum of one place (was TypeError)
    ("top 3 countries together in 2024", "and the 4th?"),      # a place after a summed list (was TypeError)
    ("waren er in 2012 drie keer zoveel terugkeerders als in 2020?", "what about 2013"),  # a checked comparison edited
    ("on average how many returned each month in 2019", "waren het er in 2020 minder dan 1500?"),  # a claim after a mean
    ("dvz share 2025", "the minister said 3.300 returned in 2024, is that correct?"),  # a claim after a share
    ("vergelijk 2019 en 2020", "in how many months were there fewer than 180?"),  # a count of months after a comparison
])
def test_a_follow_up_on_any_kind_of_answer_gets_an_honest_reply(pipeline, first, then):
    """Found by asking every corpus question after a sample of others (79,800 pairs, none raises)."""
    context = pipeline.ask(first, today=TODAY).context
    check(pipeline.ask(then, context=context, today=TODAY), pipeline)


@pytest.mark.parametrize("lang,question", [("en", "how many returns in 2020?"), ("fr", "combien de retours en 2020 ?"),
                                           ("nl", "hoeveel terugkeerders in 2020?")])
def test_a_program_no_handler_answers_is_asked_back_never_empty(pipeline, monkeypatch, lang, question):
    """A program for which the handlers write nothing (a combination they do not foresee) gets
    a question back in the user's language, never an empty answer with status ok."""
    monkeypatch.setattr(type(pipeline.engine), "_handle", lambda self, b, request, today: None)
    reply = pipeline.ask(question, lang=lang, today=dt.date(2026, 12, 7))
    assert reply.status == "clarify"
    assert reply.text.strip() and reply.lang == lang and not reply.answer.figures
