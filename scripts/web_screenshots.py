"""The screenshots of the web page in docs/ (web-desktop.png, web-phone.png): a real
`returnbot web` process and Debian's chromium through Selenium, as tests/web/test_browser.py
drives them. Needs chromium and chromium-driver (apt-get install chromium chromium-driver).

    python scripts/web_screenshots.py [DIR]         # default: docs/
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_web import ROOT, free_port, start_server  # noqa: E402

TODAY = "2026-12-07"
# (file, window size, browser language, questions asked in turn, the text the last answer shows)
SHOTS = [("web-desktop.png", (1280, 1500), "en-GB,en", ["how many returned in 2025?", "per month 2025"], "September"),
         ("web-phone.png", (390, 1600), "fr-BE,fr", ["combien de retours en mars 2020 ?", "et en avril ?"], "61")]


def shoot(base: str, name: str, size: tuple[int, int], languages: str, questions: list[str], last: str,
          out: Path) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                     f"--window-size={size[0]},{size[1]}", f"--lang={languages.split(',')[0]}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": languages})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=options)
    try:
        driver.get(f"{base}/?today={TODAY}")
        for n, question in enumerate(questions, start=1):
            box = driver.find_element(By.ID, "q")
            box.clear()
            box.send_keys(question + "\n")
            WebDriverWait(driver, 20).until(lambda d, n=n: len(d.find_elements(By.CSS_SELECTOR, "article.answer")) == n)
        WebDriverWait(driver, 20).until(lambda d: last in d.find_element(By.CSS_SELECTOR, "article.answer").text)
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(
            "return Array.from(document.images).every(function (i) { return i.complete && i.naturalWidth > 0; })"))
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
        driver.save_screenshot(str(out / name))
        print(f"wrote {out / name}")
    finally:
        driver.quit()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    port = free_port()
    server = start_server(port, Path(f"/tmp/returnbot-screenshots-{port}.log"))
    try:
        for shot in SHOTS:
            shoot(f"http://127.0.0.1:{port}", *shot, out=out)
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
