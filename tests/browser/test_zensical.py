"""The same generated docs/ built with Zensical (reads our mkdocs.yml): smoke checks in Chromium.

The docs folder is the one ``briefing build`` generated for the MkDocs tests
(copied, so both builds see identical Markdown). Zensical has no ``--site-dir``
option, so it builds from a byte-identical copy of mkdocs.yml placed next to
the copied docs (``docs_dir: docs``, ``site_dir: site`` resolve there). Its
search UI is its own (a dialog in a shadow root with ``role=option`` results),
not Material's; Playwright's role locators pierce the shadow root.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest

from . import FIXTURE_TITLES, REPO, Built, StaticServer, skip_or_fail

pytestmark = pytest.mark.browser

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOCATION = re.compile(r"\[\s*(\S+:\d+:\d+)\s*\]")
ARTICLE = "articles/how-close-are-china-and-russia-really/"
SEARCH = ("needier partner", "How close are China and Russia, really?")


@dataclass(frozen=True)
class ZensicalBuild:
    site: Path
    returncode: int
    output: str


def _zensical() -> list[str]:
    exe = Path(sys.executable).with_name("zensical")
    if exe.is_file():
        return [str(exe)]
    try:
        import zensical  # noqa: F401
    except ImportError:
        skip_or_fail("zensical not installed (pip install -e '.[test]')")
    return [sys.executable, "-m", "zensical"]


@pytest.fixture(scope="module")
def zensical_build(built_site: Built, tmp_path_factory) -> ZensicalBuild:
    root = tmp_path_factory.mktemp("zensical")
    shutil.copytree(built_site.docs, root / "docs")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    proc = subprocess.run([*_zensical(), "build", "--clean", "-f", str(root / "mkdocs.yml")],
                          cwd=root, env=dict(os.environ, NO_COLOR="1"),
                          capture_output=True, text=True, timeout=180)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    if proc.returncode != 0 or not (root / "site" / "index.html").is_file():
        pytest.fail(f"zensical build failed (exit {proc.returncode}):\n{output}", pytrace=False)
    return ZensicalBuild(root / "site", proc.returncode, output)


@pytest.fixture(scope="module")
def zensical_url(zensical_build: ZensicalBuild):
    with StaticServer(zensical_build.site) as server:
        yield server.url


def _heading(page) -> str:
    return re.sub(r"\s+", " ", page.eval_on_selector(
        "article h1",
        "h => { const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(e => e.remove());"
        " return c.textContent; }")).strip()


def _paragraphs(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "article [id]", "els => els.filter(e => /^p\\d+$/.test(e.id))"
                        ".map(e => [e.id, e.textContent.replace(/\\s+/g, ' ').trim()])")


def test_zensical_builds_without_warnings(zensical_build: ZensicalBuild):
    """MkDocs builds with --strict; Zensical must not warn either (same links, same anchors)."""
    warnings, lines = [], zensical_build.output.splitlines()
    for i, line in enumerate(lines):
        if "warning" in line.lower():
            where = next((m.group(1) for m in map(LOCATION.search, lines[i + 1:i + 3]) if m), "?")
            warnings.append(f"{where}: {line.strip()}")
    assert not warnings, f"{len(warnings)} Zensical warnings:\n" + "\n".join(warnings)


def test_zensical_home_lists_every_article(page, zensical_url):
    page.goto(zensical_url)
    texts = page.eval_on_selector_all("article a[href]", "els => els.map(a => a.textContent.trim())")
    missing = [t for t in FIXTURE_TITLES.values() if t not in texts]
    assert not missing, f"Zensical home has no link titled {missing}"


def test_zensical_article_has_the_same_paragraphs_with_ids(page, zensical_url, site_url):
    page.goto(urljoin(site_url, ARTICLE))
    mkdocs = _paragraphs(page)
    page.goto(urljoin(zensical_url, ARTICLE))
    assert _heading(page) == SEARCH[1]
    zensical = _paragraphs(page)
    assert zensical, "no paragraph with an id pN on the Zensical article page"
    assert zensical == mkdocs


def test_zensical_matrix_renders_a_sortable_table(page, zensical_url):
    page.goto(urljoin(zensical_url, "matrix/"))
    table = page.locator("article table").first
    assert table.locator("thead th").count() == 1 + len(FIXTURE_TITLES)
    assert table.locator("tbody tr").count() >= 10
    quotes = table.locator("td a[href*='#p']")
    assert quotes.count() > 0
    href = quotes.first.get_attribute("href")
    assert re.search(r"articles/[a-z0-9-]+/#p\d+$", href), href
    page.wait_for_function("() => document.querySelector('article table[data-sortable]') !== null")


def test_zensical_search_finds_the_article(page, zensical_url):
    phrase, title = SEARCH
    page.goto(zensical_url)
    page.locator(".md-search__button").first.click()
    box = page.get_by_role("combobox", name="Search")
    box.fill(phrase)
    options = page.get_by_role("option")
    article = options.filter(has_text=title).and_(page.locator("a[href*='/articles/']")).first
    article.wait_for(state="visible")
    article.click()
    page.wait_for_url(re.compile(r"/articles/how-close-are-china-and-russia-really/"))
    assert _heading(page) == title
