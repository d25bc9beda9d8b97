"""The web front end's pieces in-process: the signed context, the rate limiter and who the
client is, the browser's language, the settings, file names."""
from __future__ import annotations

import base64
import datetime as dt

import pytest

from bot.env import ConfigError
from bot.web.config import read_web_config, webhook_configured
from bot.web.handlers import slug
from bot.web.limits import RateLimiter, client_key
from bot.web.signing import MAX_TOKEN, ContextSigner, ForgedContext, StaleContext
from bot.web.texts import PageTexts, browser_lang
from intents.pipeline import Context

KEY = "k" * 40


def test_a_signed_context_comes_back_as_it_went(pipeline):
    context = pipeline.ask("hoeveel terugkeerders in maart 2020", today=dt.date(2026, 12, 7)).context
    signer = ContextSigner(KEY)
    token = signer.dump(context)
    assert token.isascii() and len(token) < MAX_TOKEN
    assert signer.load(token) == context
    follow = pipeline.ask("en in april?", context=signer.load(token), today=dt.date(2026, 12, 7))
    assert "61" in follow.text   # 2020.txt:45


def test_anything_not_signed_here_is_forged():
    signer = ContextSigner(KEY)
    token = signer.dump(Context())
    body, mac = token.split(".")
    for bad in ("", ".", body, f"{body}.", f"{body}.{mac[:-1]}", f"{body[:-1]}A.{mac}", f"{body}.{mac}=",
                ContextSigner("j" * 40).dump(Context()), "é" + token, token + "." + mac, "x" * (MAX_TOKEN + 1)):
        with pytest.raises(ForgedContext):
            signer.load(bad)


def test_a_context_signed_here_but_no_longer_readable_is_stale():
    signer = ContextSigner(KEY)
    payload = b'{"request": null}'   # an older shape: no language
    with pytest.raises(StaleContext):
        signer.load(f"{_b64(payload)}.{_b64(signer._mac(payload))}")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_limit_allows_a_burst_then_one_question_per_share_of_a_minute():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)   # one question every 10 seconds on average
    assert [limiter.take("a") for _ in range(6)] == [0] * 6
    assert limiter.take("a") == 10 and limiter.take("b") == 0
    clock.now += 4
    assert limiter.take("a") == 6
    clock.now += 6
    assert limiter.take("a") == 0 and limiter.take("a") == 10
    clock.now += 3600   # a long pause refills the bucket, no more than full
    assert [limiter.take("a") for _ in range(7)] == [0] * 6 + [10]
    assert RateLimiter(0).take("a") == 0   # no limit


def test_the_table_of_clients_is_bounded():
    limiter = RateLimiter(1, clients=100, clock=Clock())
    for n in range(1000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter.buckets) == 100


def test_the_client_is_the_connection_or_what_the_trusted_proxies_saw():
    assert client_key("10.0.0.1", "198.51.100.7", 0) == "10.0.0.1"   # no proxy trusted: the header is anyone's
    assert client_key("10.0.0.1", "198.51.100.7", 1) == "198.51.100.7"
    assert client_key("10.0.0.1", "1.2.3.4, 198.51.100.7", 1) == "198.51.100.7"
    assert client_key("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.9", 2) == "198.51.100.7"
    assert client_key("10.0.0.1", "198.51.100.7", 2) == "10.0.0.1"   # fewer hops than proxies: the connection
    assert client_key("10.0.0.1", "unknown", 1) == "10.0.0.1"
    assert client_key("2001:db8:1:2:3:4:5:6", None, 0) == client_key("2001:db8:1:2:ffff::1", None, 0) \
        == "2001:db8:1:2::/64"
    assert client_key("::ffff:198.51.100.7", None, 0) == "198.51.100.7"


@pytest.mark.parametrize("header,lang", [("fr-BE,fr;q=0.9,en;q=0.8", "fr"), ("en-GB, nl;q=0.9", "en"),
                                         ("de-DE, nl-BE;q=0.5, fr;q=0.7", "fr"), ("NL", "nl"), ("de, *", None),
                                         ("nl;q=0, en;q=0.1", "en"), ("fr;q=abc, nl", "nl"), ("", None), (None, None),
                                         ("fr;q=nan, en;q=2, nl;q=0.3", "nl")])
def test_the_browsers_language(header, lang):
    assert browser_lang(header) == lang


def test_the_page_texts_have_the_same_keys_in_every_language(tmp_path):
    PageTexts()
    for lang, text in (("nl", 'a = "x"\n'), ("fr", 'a = "x"\n'), ("en", 'a = "x"\nb = "y"\n')):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "web.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[nl\] has other keys"):
        PageTexts(tmp_path)


def test_the_settings():
    config = read_web_config({"SECRET_KEY": KEY, "WEB_RATE_LIMIT": "10", "WEB_TRUSTED_PROXIES": "1", "PORT": "8000"})
    assert (config.rate, config.proxies, config.port, config.key_made) == (10, 1, 8000, False)
    assert KEY not in repr(config)
    made = read_web_config({})
    assert made.key_made and len(made.secret_key) >= 32 and made.rate == 60
    for name, value in (("SECRET_KEY", "k" * 31), ("SECRET_KEY", "k" * 31 + "é"), ("WEB_RATE_LIMIT", "-1"),
                        ("WEB_RATE_LIMIT", "1000001"), ("WEB_TRUSTED_PROXIES", "6"), ("WEBHOOK_LISTEN", "a..b")):
        with pytest.raises(ConfigError, match=name) as refused:
            read_web_config({name: value})
        assert value not in str(refused.value)
    assert webhook_configured({"WEBHOOK_URL": "https://x.example"})
    assert not webhook_configured({"WEBHOOK_SECRET": "s" * 20})   # app.json makes one for every deploy


def test_file_names_from_questions():
    assert slug("Hoeveel terugkeerders in maart 2020?") == "hoeveel-terugkeerders-in-maart-2020"
    assert slug("Évolution depuis 2007 !") == "evolution-depuis-2007"
    assert slug('"; rm -rf / <x>') == "rm-rf-x" and slug("???") == "answer" and len(slug("a" * 500)) == 60
