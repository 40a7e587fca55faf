"""What a reader does with the built fixture site, in headless Chromium.

The site is the real ``briefing build`` of tests/fixtures/corpus (see conftest.py),
served on 127.0.0.1. Every test's page fails at teardown on a console error, an
uncaught exception or a request to any other host (which is blocked).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from . import CORPUS, FIXTURE_TITLES, REPO, THEMES, Recorder, open_page, skip_or_fail

pytestmark = pytest.mark.browser

# Search phrase -> title of the only article that contains it.
SEARCHES = {
    "needier partner": "How close are China and Russia, really?",
    "counter-intelligence": "Read Moscow and Beijing at Their Word",
}
AXE_JS = Path(os.environ.get("BRIEFING_AXE_JS", REPO / "node_modules" / "axe-core" / "axe.min.js"))
AXE_BLOCKING = ("critical", "serious")
# Violations that come from Material's own templates, not from ours, accepted for
# exactly one (rule id, element) pair each. Nothing else is ignored: violations
# from site_templates/, docs/stylesheets/briefing.css or mkdocs.yml fail the test.
AXE_MATERIAL_KNOWN: dict[tuple[str, str], str] = {
    # Material 9 partials/search.html renders <div class="md-search" role="dialog">
    # without aria-label/aria-labelledby. Our templates only render page content;
    # fixing it means overriding Material's partial (theme.custom_dir) or upstream.
    ("aria-dialog-name", ".md-search"): "Material partials/search.html: role=dialog without a name",
}


def codebook_titles() -> dict[str, str]:
    data = yaml.safe_load(THEMES.read_text(encoding="utf-8"))
    return {t["id"]: t["title"] for t in data["themes"]}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def path_of(url: str) -> str:
    return urlsplit(url).path


def heading(page) -> str:
    """The page's h1 as a reader sees it (without the ¶ permalink)."""
    return norm(page.eval_on_selector(
        "article h1",
        "h => { const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(e => e.remove());"
        " return c.textContent; }"))


def links(page, selector: str = "article.md-content__inner a[href]") -> list[tuple[str, str]]:
    """(visible text, absolute URL) of every link matching ``selector``."""
    return page.eval_on_selector_all(
        selector, "els => els.map(a => [a.textContent.trim(), a.href])")


# --------------------------------------------------------------------------- home


def test_home_lists_every_article_and_links_every_theme(page, site_url):
    page.goto(site_url)
    assert heading(page) == "Briefing"
    found = links(page)
    texts = {text for text, _ in found}
    missing = [t for t in FIXTURE_TITLES.values() if t not in texts]
    assert not missing, f"home page has no link titled {missing}; links: {sorted(texts)}"
    # Every article of the corpus is one FIXTURE_TITLES names (README.md and _* are not articles).
    assert {p.name for p in CORPUS.iterdir() if p.name != "README.md" and not p.name.startswith("_")} \
        == set(FIXTURE_TITLES)

    by_text: dict[str, set[str]] = {}
    for text, href in found:
        by_text.setdefault(text, set()).add(path_of(href))
    for theme_id, title in codebook_titles().items():
        assert title in by_text, f"home page has no link to theme {theme_id!r} ({title!r})"
        assert f"/themes/{theme_id}/" in by_text[title], (title, by_text[title])
    # Article links lead to article pages (whose headings the every-page test checks).
    for title in FIXTURE_TITLES.values():
        assert all(re.fullmatch(r"/articles/[a-z0-9-]+/", p) for p in by_text[title]), by_text[title]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize("phrase, title", list(SEARCHES.items()))
def test_search_finds_the_article_and_opens_it(page, site_url, phrase, title):
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(phrase, delay=20)
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    target = results.filter(has=page.locator("h1", has_text=title)).first
    target.wait_for(state="visible")
    href = target.evaluate("a => a.href")
    assert re.search(r"/articles/[a-z0-9-]+/", href), f"result titled {title!r} is not an article: {href}"
    target.click()
    page.wait_for_url(re.compile(r"/articles/[a-z0-9-]+/"))
    page.wait_for_load_state("load")
    assert heading(page) == title
    # The phrase itself is on the page that was opened.
    assert phrase.lower() in norm(page.inner_text("article")).lower()


# --------------------------------------------------------------------------- matrix


def test_matrix_quote_opens_the_highlighted_paragraph(page, site_url):
    page.goto(urljoin(site_url, "matrix/"))
    quote_links = page.locator("article table td a[href*='#p']")
    assert quote_links.count() > 0, "no quote links in the matrix"
    link = quote_links.nth(quote_links.count() // 2)  # one from the middle of the table
    quote = norm(link.inner_text()).strip("“”")
    href = link.get_attribute("href")
    anchor = href.rsplit("#", 1)[1]
    assert re.fullmatch(r"p\d+", anchor), href

    link.click()
    page.wait_for_url(re.compile(rf"/articles/[^/]+/#{anchor}$"))
    page.wait_for_load_state("load")
    target = page.locator(f"#{anchor}")
    # The quoted sentence is in that paragraph (long quotes end with an ellipsis).
    para = norm(target.inner_text())
    assert quote.rstrip(" …") in para, (quote, para)

    state = page.evaluate(
        """id => {
            const el = document.getElementById(id);
            const other = [...document.querySelectorAll('article [id^="p"]')]
                .find(e => /^p\\d+$/.test(e.id) && e.id !== id);
            const r = el.getBoundingClientRect();
            const header = document.querySelector('.md-header').getBoundingClientRect();
            const s = getComputedStyle(el), o = getComputedStyle(other);
            return {
                isTarget: el.matches(':target'),
                top: r.top, bottom: r.bottom, headerBottom: header.bottom, vh: innerHeight,
                target: [s.outlineStyle, s.outlineWidth, s.backgroundColor],
                normal: [o.outlineStyle, o.outlineWidth, o.backgroundColor],
            };
        }""",
        anchor,
    )
    assert state["isTarget"], state
    # In the viewport and not hidden under Material's fixed header.
    assert state["headerBottom"] - 1 <= state["top"] < state["vh"], state
    assert state["target"] != state["normal"], f"#{anchor} is not highlighted: {state}"


def _first_column(page) -> list[str]:
    return page.eval_on_selector_all(
        "article table tbody tr", "rows => rows.map(r => r.cells[0].textContent.trim())")


def test_matrix_header_click_sorts_rows(page, site_url):
    page.goto(urljoin(site_url, "matrix/"))
    header = page.locator("article table thead th").first
    page.wait_for_function("() => document.querySelector('article table[data-sortable]') !== null")
    before = _first_column(page)
    assert len(before) == len(codebook_titles())
    assert before != sorted(before, key=str.lower), "rows already sorted: the test would prove nothing"

    header.click()
    after = _first_column(page)
    assert after != before, "clicking the header did not reorder the rows"
    assert sorted(after) == sorted(before), "sorting lost or duplicated rows"
    direction = header.get_attribute("aria-sort")
    expected = sorted(before, key=str.lower, reverse=direction == "descending")
    assert [t.lower() for t in after] == [t.lower() for t in expected], (direction, after)

    header.click()
    again = _first_column(page)
    assert again == list(reversed(after)), "second click did not reverse the order"


# --------------------------------------------------------------------------- every page


def _site_pages(site: Path) -> list[str]:
    rels = (p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return sorted("" if rel == "." else rel for rel in rels)


def test_every_page_loads_offline_without_console_errors(browser, built_site, site_url):
    """Visit every page of the site; nothing may be requested from another host or log an error."""
    recorder = Recorder()
    context, page = open_page(browser, recorder)
    try:
        pages = _site_pages(built_site.site)
        assert len(pages) >= len(FIXTURE_TITLES) + len(codebook_titles()) + 5
        problems, article_titles = {}, set()
        for rel in pages:
            recorder.clear_problems()
            response = page.goto(urljoin(site_url, f"{rel}/" if rel else ""))
            assert response is not None and response.ok, (rel, response and response.status)
            if re.fullmatch(r"articles/[a-z0-9-]+", rel):
                article_titles.add(heading(page))
            if recorder.problems():
                problems[rel or "/"] = recorder.problems()
        assert not problems, json.dumps(problems, indent=1)
        assert article_titles == set(FIXTURE_TITLES.values()), "article pages' headings"
        local_assets = {path_of(u) for u in recorder.requests if "/assets/" in u}
        assert local_assets, "Material's assets were not requested from 127.0.0.1"
    finally:
        context.close()


# --------------------------------------------------------------------------- accessibility


def _axe_source() -> Path:
    if not AXE_JS.is_file():
        skip_or_fail(f"axe-core not installed ({AXE_JS} missing): "
                     "npm install --no-save --no-package-lock --prefix . axe-core@4 (what .ci/run does)")
    return AXE_JS


def _page_urls(site_url: str) -> dict[str, str]:
    article = "articles/how-close-are-china-and-russia-really/"
    return {
        "home": site_url,
        "article": urljoin(site_url, article),
        "theme": urljoin(site_url, "themes/asymmetry/"),
        "matrix": urljoin(site_url, "matrix/"),
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_axe(browser, site_url, scheme):
    """axe-core on home, an article, a theme page and the matrix: no critical or serious violations."""
    axe = _axe_source()
    recorder = Recorder()
    context, page = open_page(browser, recorder, color_scheme=scheme)
    report = {}
    try:
        for name, url in _page_urls(site_url).items():
            page.goto(url)
            page.wait_for_load_state("load")
            page.add_script_tag(path=str(axe))
            result = page.evaluate(
                """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
                })))""")
            blocking = []
            for v in result:
                nodes = [n for n in v["nodes"] if (v["id"], n["target"]) not in AXE_MATERIAL_KNOWN]
                if v["impact"] in AXE_BLOCKING and nodes:
                    blocking.append({**v, "nodes": nodes})
            if blocking:
                report[name] = blocking
        assert not recorder.problems(), recorder.problems()
    finally:
        context.close()
    lines = [f"{name}: {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}\n"
             f"    e.g. {', '.join(n['target'] for n in v['nodes'][:3])}\n"
             f"    {' / '.join(s.strip() for s in v['nodes'][0]['summary'].splitlines()[1:])}"
             for name, violations in report.items() for v in violations]
    if report:
        pytest.fail(f"axe: critical/serious violations ({scheme} scheme):\n" + "\n".join(lines), pytrace=False)
