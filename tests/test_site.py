"""The rendered book, checked page by page in a real browser (headless Chromium).

For every page of the site, in reading order, the browser loads the page,
waits for MathJax, and the test checks what a reader would see:

* no error output, except in cells tagged ``raises-exception``;
* every math block typeset by MathJax, and no raw ``$$`` left in the text;
* every image loaded, with a nonzero size;
* every internal link pointing to a page and an anchor that exist;
* the "next" links lead from the index through every chapter to the last page.

Screenshots of three pages are kept in ``_build/screenshots``. The site is
the one ``make book`` wrote to ``_build/html``; if it is missing or older than
the chapters or the package, this test builds it first (executing every
chapter, a few minutes). Chromium comes from Debian's ``chromium`` and
``chromium-driver`` packages (``.ci/run`` installs them).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = ["index", "07_jaxprs", "16_beyond"]


def _pages_in_reading_order():
    toc = yaml.safe_load((ROOT / "myst.yml").read_text())["project"]["toc"]
    pages = []
    for entry in toc:
        for item in entry.get("children", [entry]):
            pages.append(Path(item["file"]).relative_to("book").with_suffix("").as_posix())
    return pages


def _newest_source_time():
    sources = [*ROOT.glob("book/*.md"), *ROOT.glob("book/*.py"), ROOT / "myst.yml",
               *ROOT.glob("minijax/**/*.py")]
    return max(p.stat().st_mtime for p in sources)


def _build_site_if_stale():
    index = SITE / "index.html"
    if index.exists() and index.stat().st_mtime >= _newest_source_time():
        return
    sphinx = Path(sys.executable).with_name("sphinx-build")
    if not sphinx.exists():
        pytest.skip("sphinx-build is not installed here: `make book` installs it and builds the site")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run([str(sphinx), "-E", "-W", "--keep-going", "-q", "-b", "html",
                    str(ROOT / "book"), str(SITE)], check=True, env=env)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed: `pip install -e '.[test]'` installs it")
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("Chromium is not installed: `apt-get install chromium chromium-driver` "
                    "(.ci/run does it)")
    _build_site_if_stale()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # Headless and offline: without the background-networking flags Chromium
    # keeps trying to reach Google's servers from a machine with no network.
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                 "--allow-file-access-from-files"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def _load(driver, page):
    """Open ``page`` and wait until MathJax has typeset it."""
    driver.get((SITE / f"{page}.html").as_uri())
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const wait = () => {
          if (document.readyState !== 'complete') return setTimeout(wait, 50);
          if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            return MathJax.startup.promise.then(() => done(true));
          if (!document.querySelector('.math')) return done(true);
          setTimeout(wait, 50);
        };
        wait();""")


PAGE_REPORT = """
const visible = el => !el.closest('.tag_raises-exception');
const allErrors = [...document.querySelectorAll(
    '.cell_output .traceback, .cell_output .output.error, .cell_output .stderr')];
const errors = allErrors.filter(visible).map(el => el.innerText.slice(0, 300));
const expectedErrors = allErrors.length - errors.length;
const maths = [...document.querySelectorAll('div.math, span.math')];
const untypeset = maths.filter(el => !el.querySelector('mjx-container'))
  .map(el => el.innerText.slice(0, 80));
const article = document.querySelector('article') || document.body;
const images = [...article.querySelectorAll('img')].map(img => ({
  src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0 && img.naturalHeight > 0}));
const links = [...article.querySelectorAll('a[href]')].map(a => a.href);
const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
const next = document.querySelector('a.right-next');
return {errors, expectedErrors, maths: maths.length, untypeset, rawDollars: article.innerText.includes('$$'),
        images, links, ids, next: next ? next.href : null};
"""


@pytest.fixture(scope="module")
def report(browser):
    """What the browser sees on every page, keyed by page name."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    seen = {}
    for page in _pages_in_reading_order():
        _load(browser, page)
        seen[page] = browser.execute_script(PAGE_REPORT)
        if page in SCREENSHOT_PAGES:
            browser.save_screenshot(str(SHOTS / f"{page}.png"))
    return seen


PAGES = _pages_in_reading_order()


@pytest.mark.parametrize("page", PAGES)
def test_no_error_output(report, page):
    assert report[page]["errors"] == [], f"{page} shows error output: {report[page]['errors']}"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(report, page):
    r = report[page]
    assert r["untypeset"] == [], f"{page}: math left untypeset: {r['untypeset']}"
    assert not r["rawDollars"], f"{page}: raw $$ in the rendered text"


@pytest.mark.parametrize("page", PAGES)
def test_images_load(report, page):
    broken = [i["src"] for i in report[page]["images"] if not i["ok"]]
    assert broken == [], f"{page}: images that did not load: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(report, page):
    broken = []
    for href in report[page]["links"]:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        if not target.exists():
            broken.append(href)
        elif url.fragment and target.suffix == ".html":
            name = target.relative_to(SITE).with_suffix("").as_posix()
            if name in report and url.fragment not in report[name]["ids"]:
                broken.append(href)
    assert broken == [], f"{page}: links to missing pages or anchors: {broken}"


def test_next_links_walk_the_whole_book(report):
    walked, page = ["index"], "index"
    while report[page]["next"]:
        page = Path(unquote(urlparse(report[page]["next"]).path)).relative_to(SITE)
        page = page.with_suffix("").as_posix()
        assert page not in walked, f"the 'next' links loop back to {page}"
        walked.append(page)
    assert walked == PAGES


def test_pages_have_content_to_check(report):
    """The checks above look at something: math, images and the tracebacks of
    cells tagged to raise exist in the book, and the screenshots were written."""
    assert sum(r["expectedErrors"] for r in report.values()) > 5
    assert sum(r["maths"] for r in report.values()) > 50
    assert sum(len(r["images"]) for r in report.values()) > 10
    for page in SCREENSHOT_PAGES:
        assert (SHOTS / f"{page}.png").stat().st_size > 10_000
