"""The hostile corpus (tests/fixtures/hostile) in headless Chromium: nothing it injects exists or runs.

The site is this module's own build of the hostile seeds (shared with tests/test_hostile.py,
one build per session), served on 127.0.0.1. Chromium, Playwright and the page fixture
(outside requests blocked and failing, console errors failing) come from conftest.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from . import StaticServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import test_hostile  # noqa: E402  (the same module object pytest collects: one build per session)

pytestmark = pytest.mark.browser

PAGES = sorted({c["page"] for c in test_hostile.SITE_CASES} | {"matrix.md", "themes/index.md", "index.md",
                                                                 "articles/index.md", "entities.md"})

# Elements the input tries to create; none may exist in the page's content.
INJECTED = ", ".join([
    "article iframe", "article object", "article embed", "article form", "article textarea", "article style",
    "article script", "article base", "article meta", "article svg", "article details", "article hr",
    "[onerror]", "[onload]", "[onclick]", "[onmouseover]", "[style*='display:none']",
    "a[href^='javascript:' i]", "a[href^='data:' i]", "[src^='javascript:' i]", "[src^='data:text' i]",
    "article img:not([src$='img/heatmap.svg'])", "article .admonition.warning", "article .admonition.danger",
    "article .admonition.note",
])


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    built = test_hostile.hostile_site_once(tmp_path_factory)
    with StaticServer(built.site) as server:
        yield server.url


def _url(base: str, page: str) -> str:
    stem = page.removesuffix(".md")
    if stem == "index":
        return base
    if stem.endswith("/index"):
        return base + stem.removesuffix("index")
    return base + stem + "/"




@pytest.mark.parametrize("rel", PAGES)
def test_hostile_page_runs_nothing_and_shows_no_injected_element(page, hostile_url, rel):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(_url(hostile_url, rel))
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)
    assert not dialogs, f"{rel}: a dialog opened: {dialogs}"
    found = page.eval_on_selector_all(INJECTED, "els => els.map(e => e.outerHTML.slice(0, 120))")
    assert not found, f"{rel}: injected elements: {found}"
    headings = page.eval_on_selector_all(
        "article h1, article h2, article h3, article h4, article h5, article h6",
        "els => els.map(e => { const c = e.cloneNode(true); c.querySelectorAll('.headerlink').forEach(x => x.remove());"
        " return [e.tagName, c.textContent.trim()]; })")
    assert sum(1 for tag, _ in headings if tag == "H1") == 1, headings
    assert not [h for h in headings if h[1] in test_hostile.FAKE_HEADINGS], headings
    assert page.evaluate("document.title").endswith("China–Russia briefing")


def test_searching_hostile_text_runs_nothing(page, hostile_url):
    """Search results show titles and text of hostile pages: as text, never as elements."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("hostile", delay=20)
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 0", timeout=20_000)
    page.wait_for_timeout(200)
    text = page.eval_on_selector(".md-search-result", "e => e.innerText")
    assert "<script>alert('theme')</script>" in text
    found = page.eval_on_selector_all(
        ".md-search-result script, .md-search-result img, .md-search-result iframe, .md-search-result svg, "
        ".md-search-result [onerror], .md-search-result [onload], .md-search-result a[href^='javascript:' i]",
        "els => els.map(e => e.outerHTML.slice(0, 120))")
    assert not found, found
    assert not dialogs, dialogs
