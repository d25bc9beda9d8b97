"""The page in a real browser: Debian's chromium driven by Selenium through chromium-driver,
against the real `python -m bot web` process. Asked in each language, followed up, switched
language, opened by its permalink, its CSV downloaded; with and without JavaScript; checked
for what WCAG 2.1 AA asks that a program can see (labels, text alternatives, contrast, focus
order, reading order, the language of each part) and at a phone's width.

Needs `chromium` and `chromium-driver` (`apt-get install chromium chromium-driver`; .ci/run
installs them). Without them the tests are skipped with that message, except under CI=true,
where they fail: CI must run them.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

from web_fixtures import TODAY, WebSite

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "/usr/lib/chromium/chromedriver")
WAIT = 15                    # seconds for an answer (the first chart imports matplotlib)
# WCAG 2.1 AA, 1.4.3: text at least 4.5:1 on its background (large text 3:1; none is counted as large here).
MIN_CONTRAST = 4.5


def _needs(reason: str) -> None:
    message = f"{reason}: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chrome() -> tuple[str, str]:
    try:
        import selenium  # noqa: F401
    except ImportError:
        _needs("selenium is not installed (pip install -e '.[test]')")
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = next((path for name in DRIVERS if (path := shutil.which(name))), None)
    if browser is None or driver is None:
        _needs(f"no {'chromium' if browser is None else 'chromedriver'} on this machine")
    return browser, driver


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    web = WebSite(tmp_path_factory.mktemp("browser"))
    try:
        yield web
    finally:
        web.close()


class Browser:
    """One headless chromium: its languages, JavaScript on or off, its window size, where it downloads."""

    def __init__(self, chrome: tuple[str, str], downloads: Path, languages: str = "nl-BE,nl",
                 javascript: bool = True, size: tuple[int, int] = (1280, 900)):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = chrome[0]
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         f"--window-size={size[0]},{size[1]}", f"--lang={languages.split(',')[0]}"):
            options.add_argument(argument)
        prefs = {"intl.accept_languages": languages, "download.default_directory": str(downloads),
                 "download.prompt_for_download": False}
        if not javascript:
            prefs["profile.managed_default_content_settings.javascript"] = 2
        options.add_experimental_option("prefs", prefs)
        self.downloads = downloads
        self.driver = webdriver.Chrome(service=Service(chrome[1]), options=options)
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.driver.quit()

    def css(self, selector: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait(self, condition, what: str):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        # An element found just before the page changes goes stale: look again.
        return WebDriverWait(self.driver, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: condition(), message=what)

    def lang(self) -> str:
        return self.driver.execute_script("return document.documentElement.lang")

    def ask(self, question: str) -> None:
        box = self.css("#q")[0]
        box.clear()
        box.send_keys(question + "\n")

    def answers(self) -> list[str]:
        return [a.text for a in self.css("article.answer")]

    def ask_and_wait(self, question: str, expected: str) -> str:
        before = len(self.css("article.answer"))
        self.ask(question)
        self.wait(lambda: len(self.css("article.answer")) > before and expected in self.css("article.answer")[0].text,
                  f"an answer to {question!r} with {expected!r}")
        return self.css("article.answer")[0].text

    def downloaded(self, suffix: str) -> Path:
        found: list[Path] = []
        self.wait(lambda: found.extend(self.downloads.glob(f"*{suffix}")) or found, f"a {suffix} download")
        return found[0]


def _flat(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_ask_follow_up_and_download_without_a_reload(chrome, site, tmp_path):
    with Browser(chrome, tmp_path) as b:
        b.driver.get(f"{site.base}/?today={TODAY}")
        assert b.lang() == "nl"   # Accept-Language
        b.driver.execute_script("window.notReloaded = true;")
        first = b.ask_and_wait("hoeveel terugkeerders in maart 2020", "112")   # 2020.txt:43
        assert "In maart 2020 keerden 112" in _flat(first) and "Bron" in first
        assert b.driver.execute_script("return document.activeElement.closest('article') !== null")
        assert "q=hoeveel+terugkeerders" in b.driver.current_url
        second = b.ask_and_wait("en in april?", "61")   # 2020.txt:45
        assert "april 2020" in second and len(b.answers()) == 2
        # A follow-up link, then its chart and its figures.
        b.css("article.answer:first-child a.ask")[-1].click()   # "Per maand 2020"
        b.wait(lambda: "December 2020" in b.css("article.answer")[0].text, "the months of 2020")
        image = b.css("article.answer:first-child figure img")[0]
        b.wait(lambda: b.driver.execute_script("return arguments[0].naturalWidth", image) > 0, "the chart")
        assert image.get_attribute("alt").startswith("Grafiek: Vrijwillige terugkeer uit België per maand, 2020")
        b.css("article.answer:first-child a.csv")[0].click()
        rows = list(csv.DictReader(io.StringIO(b.downloaded(".csv").read_text(encoding="utf-8"))))
        assert [r["value"] for r in rows if r["organisation"] == "total"][:4] == ["223", "222", "112", "61"]
        assert b.driver.execute_script("return window.notReloaded === true")


def test_switch_language_and_open_the_permalink(chrome, site, tmp_path):
    with Browser(chrome, tmp_path, "en-GB,en") as b:
        b.driver.get(f"{site.base}/?today={TODAY}")
        b.ask_and_wait("how many returned in 2025?", "3,122")   # the release of 3 February 2026
        assert "2,397" in b.answers()[0]   # January-September, the 2025 fact sheet
        b.css('.langs a[lang="fr"]')[0].click()
        b.wait(lambda: b.lang() == "fr", "the French page")
        french = _flat(b.answers()[0])
        assert "3 122" in french and "2 397" in french and "Votre question" in b.driver.page_source
        permalink = b.css("article.answer a.permalink")[0].get_attribute("href")
    with Browser(chrome, tmp_path, "nl-BE,nl") as fresh:   # another reader, another browser language
        fresh.driver.get(permalink)
        assert _flat(fresh.answers()[0]) == french


def test_each_language_follows_up(chrome, site, tmp_path):
    with Browser(chrome, tmp_path, "fr-BE,fr") as b:
        b.driver.get(f"{site.base}/?today={TODAY}")
        b.ask_and_wait("combien de retours en mars 2020 ?", "112")
        assert "avril 2020" in b.ask_and_wait("et en avril ?", "61")   # 2020.txt:45
        # A question in another language: the page's own texts follow it (a page load).
        b.ask("how many returns in 2016")
        b.wait(lambda: b.lang() == "en", "the English page")
        assert "4,267" in b.answers()[0]   # 2020.txt:76


def test_the_page_works_without_javascript(chrome, site, tmp_path):
    with Browser(chrome, tmp_path, javascript=False) as b:
        b.driver.get(f"{site.base}/?today={TODAY}")
        b.ask("hoeveel terugkeerders in maart 2020")
        b.wait(lambda: "112" in " ".join(b.answers()), "the answer page")
        assert "/?q=hoeveel+terugkeerders" in b.driver.current_url   # a GET form
        b.ask("en in april?")
        b.wait(lambda: "q=en+in+april" in b.driver.current_url, "the follow-up page")
        assert "In april 2020 keerden 61" in _flat(b.answers()[0]) and len(b.answers()) == 1
        b.css("article.answer a.ask")[0].click()
        b.wait(lambda: "mei 2020" in " ".join(b.answers()), "the follow-up link")   # "En in mei?"


CONTRAST = """
function channel(c) { c = c / 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }
function luminance(rgb) { return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]); }
function parse(text) { return text.match(/[0-9.]+/g).map(Number); }
function background(el) {
  for (; el; el = el.parentElement) {
    var c = parse(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) { return c; }
  }
  return [255, 255, 255];
}
var out = [];
document.querySelectorAll(arguments[0]).forEach(function (el) {
  if (!el.offsetParent || !el.textContent.trim()) { return; }
  var a = luminance(parse(getComputedStyle(el).color)), b = luminance(background(el));
  out.push([el.tagName + '.' + el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
});
return out;
"""
TEXTS = "h1, h2, h3, p, li, a, label, button, .label, input, .error, footer p"


def test_what_wcag_asks_that_a_program_can_check(chrome, site, tmp_path):
    with Browser(chrome, tmp_path) as b:
        b.driver.get(f"{site.base}/?q=per+maand+2020&today={TODAY}&ctx=forged")   # the error box
        assert b.css("#error")[0].is_displayed()
        ratios = b.driver.execute_script(CONTRAST, TEXTS)
        assert [r for r in ratios if r[1] < MIN_CONTRAST] == []
        b.driver.get(f"{site.base}/?q=per+maand+2020&today={TODAY}")
        assert b.lang() == "nl" and b.css("article.answer")[0].get_attribute("lang") == "nl"
        for field in b.css("input:not([type=hidden]), button"):
            labelled = field.tag_name == "button" and field.text.strip() or \
                b.css(f'label[for="{field.get_attribute("id")}"]')
            assert labelled, field.get_attribute("outerHTML")
        assert all(img.get_attribute("alt").strip() for img in b.css("img"))
        ratios = b.driver.execute_script(CONTRAST, TEXTS)
        assert len(ratios) > 20 and [r for r in ratios if r[1] < MIN_CONTRAST] == []
        # Reading order: the figures, the chart, the notes, the sources, the next questions.
        order = b.driver.execute_script("""
            var all = Array.from(document.querySelectorAll('*'));
            return ['.body', 'figure', '.notes', '.sources', '.next'].map(function (s) {
                return all.indexOf(document.querySelector('article.answer ' + s)); });""")
        assert -1 not in order and order == sorted(order)
        # Focus order follows the page: no positive tabindex, the question box before the answer's links.
        assert b.css("[tabindex]:not([tabindex='-1']):not([tabindex='0'])") == []
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys
        focused = []
        for _ in range(12):   # from the top of the page
            ActionChains(b.driver).send_keys(Keys.TAB).perform()
            focused.append(b.driver.execute_script(
                "var e = document.activeElement; return e.id || e.className || e.tagName;"))
        assert focused[:2] == ["skip", "A"], focused   # the skip link, then the name of the site
        assert focused.index("q") < next(i for i, f in enumerate(focused) if f in ("fn", "permalink", "ask")), focused
        # A visible focus indicator.
        outline = b.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")


def test_readable_on_a_phone(chrome, site, tmp_path):
    with Browser(chrome, tmp_path, size=(390, 844)) as b:
        b.driver.get(f"{site.base}/?q=evolutie+sinds+2007&today={TODAY}")
        image = b.css("figure img")[0]
        b.wait(lambda: b.driver.execute_script("return arguments[0].naturalWidth", image) > 0, "the chart")
        width = b.driver.execute_script("return document.documentElement.clientWidth")
        assert b.driver.execute_script("return document.documentElement.scrollWidth") <= width   # no sideways scroll
        assert image.size["width"] <= width and b.css("#q")[0].size["width"] > width / 2
        font = b.driver.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize)")
        assert font >= 16
