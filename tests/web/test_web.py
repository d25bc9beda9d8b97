"""The web page and the API (bot/web/) against the real `python -m bot web` process on
127.0.0.1: answers with their notes and sources, follow-ups through the signed context (a
forged one refused), escaping, the limits (length, rate, slow clients), the security
headers, the downloads, the API's object, and logs without questions or secrets. The
figures are written by hand from the publications."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import socket
import subprocess
import sys
import time

import pytest

from bot.web import http as web_http
from bot.web.signing import ContextSigner
from conftest import run_cli
from intents.pipeline import Context
from telegram_fixtures import bot_env
from web_fixtures import SECRET_KEY, TODAY, WebSite

MARKER = "qwxzv-marker-question"
FR = {"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    web = WebSite(tmp_path_factory.mktemp("web"))
    try:
        yield web
    finally:
        web.close()


def ctx_of(page: str) -> str:
    return html.unescape(re.search(r'name="ctx" value="([^"]*)"', page).group(1))


def visible(page: str) -> str:
    """The page's text, without tags and footnote marks."""
    page = re.sub(r"<sup>.*?</sup>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", "", page)).replace("\u202f", " ").replace("\u00a0", " ")


# ---- the page ---------------------------------------------------------------------------------

def test_the_page_in_the_browsers_language_with_its_security_headers(site):
    page = site.get("/", FR)
    assert page.status == 200 and '<html lang="fr">' in page.text and "Votre question" in page.text
    # Up to when the figures reach, made from the data: the year 2025 from the release of 3 February
    # 2026 (fedasil.be/fr/node/12902 p3), its months to September from the 2025 sheet (2025.txt:141).
    reach = re.search(r'<p class="reach">([^<]*)</p>', page.text).group(1).replace("\u00a0", " ")
    assert "décembre 2025" in reach and "septembre 2025" in reach and "3 février 2026" in reach, reach
    # The footer links to the glossary and the sources, asked in the page's language.
    assert 'href="/?q=glossaire&amp;lang=fr"' in page.text and 'href="/?q=sources&amp;lang=fr"' in page.text
    assert '<html lang="en">' in site.get("/", {"Accept-Language": "de-DE, nl;q=0"}).text
    assert '<html lang="nl">' in site.get("/", {"Accept-Language": "de, nl-BE;q=0.8, fr;q=0.7"}).text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp
    assert (page.headers["X-Content-Type-Options"], page.headers["X-Frame-Options"]) == ("nosniff", "DENY")
    assert page.headers["Referrer-Policy"] == "no-referrer" and "Server" not in page.headers
    # Nothing the policy would have to allow inline: every script has a source, no style or on* attributes.
    assert re.findall(r"<script(?![^>]*\ssrc=)", page.text) == []
    assert not re.search(r"\sstyle=|\son[a-z]+=", page.text)
    for path in ("/static/app.js", "/healthz", "/api/ask", "/nope"):
        assert site.get(path).headers["Content-Security-Policy"] == csp


def test_an_answer_reads_figure_then_notes_then_sources(site):
    page = site.get("/", q="hoeveel terugkeerders in maart 2020", today=TODAY).text
    text = visible(page)
    assert "In maart 2020 keerden 112 personen vrijwillig terug" in text   # 2020.txt:43
    order = [page.index(mark) for mark in ('class="body"', 'class="notes"', 'class="sources"', 'class="next"')]
    assert order == sorted(order)
    # Each footnote mark links to its note, whose text is there.
    for target in set(re.findall(r'class="fn" href="#([^"]+)"', page)):
        assert f'id="{target}"' in page
    assert "Dublin" in text and "COVID-19" in text and "Vrijwillige terugkeer in 2020" in text
    assert '<html lang="nl">' in page and "Verder vragen" in page


def test_follow_ups_carry_the_signed_context_in_each_language(site):
    first = site.get("/", q="hoeveel terugkeerders in maart 2020", today=TODAY).text
    april = site.get("/", q="en in april?", today=TODAY, ctx=ctx_of(first)).text
    assert "In april 2020 keerden 61 personen" in visible(april)   # 2020.txt:45
    first = site.get("/", q="combien de retours en mars 2020 ?", today=TODAY).text
    avril = site.get("/", q="et en avril ?", today=TODAY, ctx=ctx_of(first)).text
    assert "61" in visible(avril) and "avril 2020" in visible(avril) and '<html lang="fr">' in avril
    # Without the context, which year is asked back, the latest April the data has offered.
    alone = visible(site.get("/", q="en in april?", today=TODAY).text)
    assert "april 2025" in alone and "april 2020" not in alone and "Voor welke periode?" in alone


def test_a_follow_up_link_and_a_permalink_stand_on_their_own(site):
    first = site.get("/", q="how many returned in 2025?", today=TODAY).text
    text = visible(first)
    assert "3,122" in text and "2,397" in text   # the release of 3 February 2026; the 2025 sheet
    assert 'href="https://fedasil.be/fr/node/12902"' in first   # the release, as a link
    link = html.unescape(re.search(r'class="permalink" href="([^"]+)"', first).group(1))
    assert link.startswith("/?q=how+many+returned+in+2025") and "lang=en" in link
    assert visible(site.get(link).text).count("3,122") == text.count("3,122")
    links = re.findall(r'class="ask" href="([^"]+)">([^<]+)<', first)
    follow = {label: html.unescape(link) for link, label in links}
    assert all("ctx=" in link for link in follow.values())
    assert "3,267" in visible(site.get(follow["And in 2024?"]).text)   # the release of 31 January 2025


def test_the_language_switch_asks_the_same_question_again(site):
    page = site.get("/", q="top 5 nationalities 2025", today=TODAY).text
    french = html.unescape(re.search(r'href="([^"]+)" lang="fr"', page).group(1))
    answer = site.get(french).text
    assert '<html lang="fr">' in answer and "Brésil" in visible(answer) and "685" in visible(answer)
    assert 'name="lang" value="fr"' in answer   # the choice holds for the next question


def test_a_forged_or_foreign_context_is_refused(site):
    first = site.get("/", q="hoeveel terugkeerders in maart 2020", today=TODAY).text
    token = ctx_of(first)
    payload, signature = token.split(".")
    altered = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    altered["request"]["program"]["period"]["period"]["start"] = "2019-03"
    forged = base64.urlsafe_b64encode(json.dumps(altered).encode()).rstrip(b"=").decode() + "." + signature
    foreign = ContextSigner("another-key-of-another-site-0123456789").dump(Context())
    for bad in (forged, foreign, token[:-2], token + "A", "not a token", "x" * 5000):
        page = site.get("/", q="en in april?", today=TODAY, ctx=bad)
        assert page.status == 400, bad
        assert "niet van deze site" in page.text or "not made by this site" in page.text
        assert "61" not in visible(page.text) and ctx_of(page.text) == ""
        assert site.get("/answer.csv", q="en in april?", ctx=bad).status == 400
    assert site.get("/", q="en in april?", today=TODAY, ctx=token).status == 200


def test_every_user_text_is_escaped(site):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)> "\'&'
    for path in ("/", "/answer"):
        page = site.get(path, q=attack).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    too_long = site.get("/", q=attack * 20).text
    assert "<script>alert" not in too_long and "&lt;script&gt;" in too_long   # kept in the box, escaped


def test_a_question_over_500_characters_is_refused_with_a_clear_message(site):
    page = site.get("/", {"Accept-Language": "en"}, q="how many returns in 2020 " + "x" * 476)
    assert page.status == 400 and "Your question is 501 characters long; at most 500 fit" in visible(page.text)
    assert 'aria-invalid="true"' in page.text
    api = site.get("/api/ask", q="y" * 501)
    assert api.status == 400 and "501" in json.loads(api.body)["error"]
    assert site.get("/api/ask", q="how many returns in 2020 " + "x" * 475).status == 200


# ---- downloads and the API -------------------------------------------------------------------

def test_the_answers_csv_and_chart(site):
    table = site.get("/answer.csv", q="per maand 2020", today=TODAY)
    assert table.status == 200 and table.headers["Content-Type"].startswith("text/csv")
    assert 'filename="returnbot-per-maand-2020.csv"' in table.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len([r for r in rows if r["organisation"] == "total"]) == 12
    assert all(r["source"] == "factsheet-2020" for r in rows)
    page = site.get("/", q="per maand 2020", today=TODAY).text
    alt = html.unescape(re.search(r'<img src="[^"]+" alt="([^"]+)"', page).group(1))
    assert alt.startswith("Grafiek: Vrijwillige terugkeer uit België per maand, 2020")
    chart = site.get(html.unescape(re.search(r'<img src="([^"]+)"', page).group(1)))
    assert chart.status == 200 and chart.body[:8] == b"\x89PNG\r\n\x1a\n"
    assert site.get("/chart.png", q="hoeveel terugkeerders in maart 2020").status == 404   # one figure: no chart
    assert "<img" not in site.get("/", q="hoeveel terugkeerders in maart 2020").text
    # "download all the data": the answer's CSV is the whole observation table, as /api/data.csv
    page = site.get("/", q="download all the data").text
    assert 'class="csv"' in page
    whole = site.get("/answer.csv", q="download all the data")
    assert whole.status == 200 and whole.text == site.get("/api/data.csv", lang="en").text


def test_the_api_gives_the_object_of_ask_json(site):
    question = "how many returned in 2025?"
    api = site.get("/api/ask", q=question, today=TODAY)
    assert api.status == 200 and api.headers["Content-Type"] == "application/json; charset=utf-8"
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    cli = run_cli("ask", "--json", "--today", TODAY, question)
    assert json.loads(api.body) == json.loads(cli.stdout)
    answer = json.loads(api.body)
    assert {f["value"] for f in answer["figures"]} >= {3122, 2397}
    release = next(s for s in answer["sources"] if s["id"] == "release-2026-02-03")
    assert release["url"] == "https://fedasil.be/fr/node/12902" and release["date"] == "3 February 2026"
    french = json.loads(site.get("/api/ask", q=question, today=TODAY, lang="fr").body)
    assert french["lang"] == "fr" and "3 122" in french["text"].replace("\u202f", " ")


@pytest.mark.parametrize("params,word", [({}, "q"), ({"q": "2020", "lang": "de"}, "lang"),
                                         ({"q": "2020", "today": "07/12/2026"}, "YYYY-MM-DD"),
                                         ({"q": "2020", "today": "2026-02-30"}, "YYYY-MM-DD")])
def test_the_api_refuses_bad_parameters_in_one_line(site, params, word):
    response = site.get("/api/ask", **params)
    assert response.status == 400 and word in json.loads(response.body)["error"]


def test_the_observation_table(site):
    table = site.get("/api/data.csv", lang="nl")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert table.status == 200 and table.headers["Access-Control-Allow-Origin"] == "*"
    assert len(rows) > 300 and {"reference", "used", "source_title", "source_url"} <= set(rows[0])
    march = next(r for r in rows if r["start"] == r["end"] == "2020-03" and r["organisation"] == "total")
    assert (march["value"], march["reference"]) == ("112", "fedasil-vrijwillige-terugkeer-2020.txt:43")


def test_health_unknown_paths_and_methods(site):
    assert site.get("/healthz").text == "ok\n" and site.get("/healthz", method="HEAD").status == 200
    missing = site.get("/wp-admin", FR)
    assert missing.status == 404 and "Cette page n'existe pas" in visible(missing.text)
    assert site.get("/", method="POST").status == 405
    assert site.get("/api/nope").status == 404 and "error" in json.loads(site.get("/api/nope").body)


def test_slow_headers_are_cut_off(site):
    conn = socket.create_connection(("127.0.0.1", site.port), timeout=10)
    conn.sendall(b"GET /?q=2020 HTTP/1.1\r\nHost: x\r\n")   # the headers never end
    start = time.monotonic()
    conn.settimeout(web_http.HEADER_SECONDS + 5)
    assert conn.recv(1024) == b""
    assert time.monotonic() - start < web_http.HEADER_SECONDS + 3


# ---- the rate limit ---------------------------------------------------------------------------

def test_at_most_n_questions_a_minute_per_client(tmp_path):
    web = WebSite(tmp_path, WEB_RATE_LIMIT="5", WEB_TRUSTED_PROXIES="1")
    try:
        client = {"X-Forwarded-For": "198.51.100.7"}
        assert [web.get("/api/ask", client, q="2020").status for _ in range(5)] == [200] * 5
        refused = web.get("/api/ask", client, q="2020")
        assert refused.status == 429 and 1 <= int(refused.headers["Retry-After"]) <= 12
        # A first entry the client wrote itself changes nothing: the proxy's own entry counts.
        assert web.get("/", {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}, q="2020").status == 429
        assert web.get("/answer.csv", client, q="2020").status == 429
        page = web.get("/", {**client, "Accept-Language": "nl"}, q="2020")
        assert "Te veel vragen" in page.text and page.headers["Retry-After"]
        assert web.get("/api/ask", {"X-Forwarded-For": "198.51.100.8"}, q="2020").status == 200
        assert web.get("/healthz", client).status == 200 and web.get("/", client).status == 200
        assert web.stop() == 0
    finally:
        web.close()
    assert "429: " in web.log()


# ---- configuration and logs --------------------------------------------------------------------

@pytest.mark.parametrize("name,value", [("SECRET_KEY", "short-key"), ("WEB_RATE_LIMIT", "fast"),
                                        ("WEB_RATE_LIMIT", "²"), ("WEB_TRUSTED_PROXIES", "99"), ("PORT", "0")])
def test_a_bad_setting_stops_the_process_in_one_line(tmp_path, name, value):
    env = bot_env(**{"PORT": "8080", "WEBHOOK_LISTEN": "127.0.0.1", "SECRET_KEY": SECRET_KEY, name: value})
    result = subprocess.run([sys.executable, "-m", "bot", "web"], capture_output=True, text=True, env=env, cwd="/",
                            timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and name in result.stderr and "Traceback" not in result.stderr
    assert value not in result.stderr.replace("returnbot web", "")


def test_questions_and_the_key_are_never_logged(site):
    for path in ("/", "/answer", "/answer.csv", "/chart.png", "/api/ask"):
        site.get(path, q=f"{MARKER} per month 2020")
    site.get("/", q=MARKER, ctx="forged.token")
    site.get("/api/ask", q=MARKER * 30)
    site.get("/?q=%ff%fe" + MARKER)   # not UTF-8
    log = site.log()
    assert MARKER not in log and SECRET_KEY not in log and "Traceback" not in log
    assert all(len(line) < 600 for line in log.splitlines())
