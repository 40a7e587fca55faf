"""Full-text search with Pagefind (what large briefings use), driven in Chromium.

The fixture corpus is built with ``--search pagefind`` (large corpora get it
automatically): article pages leave Material's index, Pagefind indexes them,
and the generated Search page finds article text and opens the article.
"""

from __future__ import annotations

import json

import pytest

from . import StaticServer, build_fixture_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory):
    built = build_fixture_site(tmp_path_factory.mktemp("pagefind-build"), "--search", "pagefind")
    with StaticServer(built.site) as server:
        yield built, server.url


def test_article_text_leaves_material_index_and_pagefind_indexes_it(pagefind_site):
    built, _ = pagefind_site
    index = json.loads((built.site / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert not any(loc.startswith(("articles/", "themes/")) and loc not in ("articles/", "themes/")
                   for loc in locations)
    assert "print/" not in locations
    assert (built.site / "pagefind" / "pagefind-ui.js").is_file()
    assert any((built.site / "pagefind" / "fragment").iterdir())


def test_search_page_finds_article_text_and_opens_the_article(pagefind_site, page, recorder):
    _, url = pagefind_site
    page.goto(url.rstrip("/") + "/search/")
    box = page.locator("#briefing-search input")
    box.fill("needier partner")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert "How close are China and Russia, really?" in titles  # the article (theme pages quoting it may follow)
    result = page.locator('.pagefind-ui__result-link[href*="/articles/how-close-are-china-and-russia-really/"]').first
    downloaded = sum(1 for r in recorder.requests if "/pagefind/" in r)
    assert downloaded >= 3  # the UI, the index entry, and fragments: all local
    result.click()
    page.wait_for_url("**/articles/how-close-are-china-and-russia-really/**")
    assert "needier partner" in page.locator("article").inner_text()
