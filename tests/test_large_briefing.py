"""A briefing of hundreds of articles keeps every index page bounded and readable.

The fixture corpus is copied many times (the copies take the same positions, so
every verdict line has many sources) and built at two sizes: no page but the
paginated listings may grow with the corpus, and those hold a bounded number of
rows per page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pycountry
import pytest

from generator import listings, pages, pipeline

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
# Copies of the 4 fixture articles (and one dispatch each): 160 and 480 articles. SMALL is past every
# bound of generator.pages (30 sources on a theme page, 25 matrix rows...), so
# that a bounded page has already reached its full size.
SMALL, LARGE = 32, 96
LISTINGS = re.compile(r"^(articles/index\.md|library/\d+\.md|matrix/[a-z0-9-]+/(index|\d+)\.md)$")


COUNTRIES = sorted(c.name for c in pycountry.countries if c.name.isalpha())
ENTITY_ROWS = 10  # the entity index's bound for this test (the real one, 200, needs a far larger corpus)


def _build(root: Path, copies: int) -> dict[str, str]:
    seeds, docs = root / "seeds", root / "docs"
    seeds.mkdir(parents=True)
    for n in range(copies):
        for source in sorted(CORPUS.iterdir()):
            if source.suffix in (".txt", ".md", ".html") and source.name != "README.md":
                shutil.copy(source, seeds / f"{n:03d}_{source.name}")
        # One more article per copy naming a country no other copy names, so that the
        # entity index has more places than it may list.
        (seeds / f"{n:03d}_dispatch.md").write_text(
            f"# Dispatch {n}\n\nThe delegation from {COUNTRIES[n]} arrived on Monday for talks on trade.\n",
            encoding="utf-8")
    shutil.copy(REPO / "seeds" / "themes.yml", seeds / "themes.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(listings, "ENTITY_MAX_ROWS_PER_KIND", ENTITY_ROWS)
        pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=docs, cache=False,
                                            search="lunr"))
    return {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in docs.rglob("*.md")
            if ".briefing-cache" not in p.parts and p.name != "about.md"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    root = tmp_path_factory.mktemp("large")
    return _build(root / "small", SMALL), _build(root / "large", LARGE)


def _table_rows(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("| [") or line.startswith("| <span"))


def test_no_page_but_the_paginated_listings_grows_with_the_corpus(builds):
    small, large = builds
    assert sum(1 for p in large if p.startswith("articles/") and p != "articles/index.md") == 5 * LARGE
    places = large["entities.md"].split("## Places", 1)[1].split("##", 1)[0]
    assert _table_rows(places) == ENTITY_ROWS and "more appear only on their articles" in large["entities.md"]
    for path, text in sorted(small.items()):
        if path.startswith("articles/") and path != "articles/index.md" or LISTINGS.match(path):
            continue
        grown = len(large[path].encode()) / len(text.encode())
        # Counts in the text ("60 sources" -> "300 sources") may add a few bytes.
        assert grown < 1.05, f"{path} grew {grown:.2f}x from {5 * SMALL} to {5 * LARGE} articles"


def test_listings_are_paginated(builds):
    _, large = builds
    paged = {p: t for p, t in large.items() if LISTINGS.match(p)}
    assert "library/2.md" in paged or 5 * LARGE <= listings.ARTICLES_PER_PAGE
    for path, text in paged.items():
        limit = listings.ARTICLES_PER_PAGE if not path.startswith("matrix/") else listings.MATRIX_ROWS_PER_PAGE
        assert _table_rows(text) <= limit, path
        # Only the first page of a listing goes into Material's search index (which every
        # reader downloads whole); the others would make it grow with the corpus.
        excluded = text.startswith("---\n") and "\nsearch:\n  exclude: true" in text.split("\n---\n", 1)[0]
        assert excluded == (path != "articles/index.md"), path


def test_verdict_lines_name_a_few_sources_then_link_the_full_listing(builds):
    _, large = builds
    home = large["index.md"]
    lines = [line for line in home.splitlines() if "**Sources" in line or "**One source" in line]
    assert lines, "no theme with a position in the fixture corpus"
    for line in lines:
        for stance in line.split("; "):
            assert len(re.findall(r"\]\(articles/", stance)) <= pages.STANCE_MAX_SOURCES, stance
        assert re.search(r"\[and \d+ more in the list of every source\]\(matrix/[a-z0-9-]+/index\.md\)", line), line
    assert _table_rows(home.split("## Sources", 1)[1].split("##", 1)[0]) == pages.HOME_MAX_SOURCES
