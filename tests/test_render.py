"""Rendering: the corpus-wide pages are a function of what :func:`pagekeys.listing_key` covers,
the entities index of what :func:`pagekeys.entities_key` covers."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import corpuswide, pagekeys, pipeline, render
from generator import listings
from generator import pages as page_builders
from generator.listings import listed_entities
from generator.matrix import Briefing, article_export_rows
from generator.pages import WORDS_PER_MINUTE
from generator.records import Article, Cell, CellRow, Evidence, Metadata, Sentence
from tests import records_factory as rf
from tests.records_factory import Unreadable, with_fields

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def briefing(tmp_path_factory) -> Briefing:
    seeds = tmp_path_factory.mktemp("seeds")
    for source in CORPUS.iterdir():
        if source.name != "README.md":
            shutil.copy(source, seeds / source.name)
    shutil.copy(REPO / "seeds" / "themes.yml", seeds / "themes.yml")
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=seeds / "docs", cache=False)
    return pipeline.analyse(settings)[0]


def _without_text(briefing: Briefing) -> Briefing:
    """The same briefing, but every article's text, summary, key points and quotes unreadable."""
    articles = []
    for article in briefing.articles:
        blind = dataclasses.replace(article, paragraphs=Unreadable())
        vars(blind)["word_count"] = article.word_count  # its reading time is shown in listings
        articles.append(blind)
    analyses = {slug: dataclasses.replace(a, summary=Unreadable(), key_points=Unreadable(), quotes=Unreadable())
                for slug, a in briefing.analyses.items()}
    return Briefing(tuple(articles), analyses, briefing.codebook, briefing.rows)


def _corpus_pages(briefing: Briefing) -> dict[str, str]:
    env = render.environment()
    rows = [article_export_rows(briefing, a) for a in briefing.articles]
    return corpuswide.corpus_pages(briefing, "2024-05-01", True, rows,
                                   lambda name, page: env.get_template(name).render(page=page))


def _entities_page(briefing: Briefing) -> str:
    return render.environment().get_template("entities.md.j2").render(
        page=render.entities_page(briefing, listed_entities(briefing)))


def _without_cells(briefing: Briefing) -> Briefing:
    """The same briefing, but every article's text and cells unreadable."""
    blind = _without_text(briefing)
    rows = {slug: with_fields(row, cells=Unreadable()) for slug, row in briefing.rows.items()}
    return dataclasses.replace(blind, rows=rows)


def _without_mentions(briefing: Briefing) -> Briefing:
    """The same briefing, but every article's mentions unreadable."""
    analyses = {slug: dataclasses.replace(a, mentions=Unreadable()) for slug, a in briefing.analyses.items()}
    return Briefing(briefing.articles, analyses, briefing.codebook, briefing.rows)


def test_corpus_wide_pages_never_read_an_articles_text_nor_its_mentions(briefing):
    pages = _corpus_pages(briefing)
    assert len(pages) > 10 and "themes/index.md" in pages and "data/matrix.json" in pages
    assert "entities.md" not in pages  # rendered on its own (see entities_key)
    assert _corpus_pages(_without_text(briefing)) == pages
    assert _corpus_pages(_without_mentions(briefing)) == pages


def test_the_entities_index_never_reads_an_articles_text_nor_its_cells(briefing):
    page = _entities_page(briefing)
    assert "Vladimir Putin" in page
    assert _entities_page(_without_cells(briefing)) == page


def _key(briefing: Briefing, as_of: str = "2024-05-01") -> str:
    return pagekeys.listing_key(briefing, "salt", as_of)


def test_the_listing_key_ignores_the_text_and_follows_what_listings_show(briefing):
    key = _key(briefing)
    assert _key(_without_text(briefing)) == key
    assert _key(briefing, "2024-05-02") != key
    first = briefing.articles[0]
    retitled = dataclasses.replace(first, meta=dataclasses.replace(first.meta, title="Another title"))
    assert _key(dataclasses.replace(briefing, articles=(retitled, *briefing.articles[1:]))) != key
    longer = dataclasses.replace(first)
    vars(longer)["word_count"] = first.word_count + 10 * WORDS_PER_MINUTE  # ten more minutes to read
    assert _key(dataclasses.replace(briefing, articles=(longer, *briefing.articles[1:]))) != key
    # The same evidence sentence, at the same place, with other words.
    slug, row = next((slug, row) for slug, row in briefing.rows.items() if any(c.evidence for c in row.cells))
    i, cell = next((i, c) for i, c in enumerate(row.cells) if c.evidence)
    said = cell.evidence[0]
    reworded = dataclasses.replace(said, sentence=Sentence(
        said.sentence.paragraph, said.sentence.index, said.sentence.text + " Or so it seems.",
        said.sentence.start, said.sentence.end + 16))
    cells = list(row.cells)
    cells[i] = dataclasses.replace(cell, evidence=(reworded, *cell.evidence[1:]))
    rows = {**briefing.rows, slug: CellRow(tuple(cells), row.theme_fingerprints)}
    assert _key(dataclasses.replace(briefing, rows=rows)) != key
    # A theme's definition, which theme pages show.
    themes = list(briefing.codebook.themes)
    themes[0] = dataclasses.replace(themes[0], description=themes[0].description + " Revised.")
    codebook = dataclasses.replace(briefing.codebook, themes=tuple(themes))
    assert _key(dataclasses.replace(briefing, codebook=codebook)) != key



def _entities_key(briefing: Briefing) -> str:
    return pagekeys.entities_key(briefing, "salt")


def test_the_entities_key_follows_titles_and_mentions_and_nothing_else(briefing):
    key = _entities_key(briefing)
    first = briefing.articles[0]
    # The text, the cells and the reading time: not shown by the entities index.
    assert _entities_key(_without_cells(briefing)) == key
    # Its titles and its mentions: shown.
    retitled = dataclasses.replace(first, meta=dataclasses.replace(first.meta, title="Another title"))
    assert _entities_key(dataclasses.replace(briefing, articles=(retitled, *briefing.articles[1:]))) != key
    analysis = briefing.analyses[first.slug]
    fewer = dataclasses.replace(analysis, mentions=analysis.mentions[1:])
    assert _entities_key(dataclasses.replace(briefing, analyses={**briefing.analyses, first.slug: fewer})) != key
    # Mentions are no longer part of the listing key.
    assert _key(dataclasses.replace(briefing, analyses={**briefing.analyses, first.slug: fewer})) == _key(briefing)


# What a theme page shows of sources it does not list, which sources it lists, and which
# rows a page of a matrix listing holds, matter once a theme has more sources than a page
# lists: small limits let a few articles reach them.
_SMALL_LIMITS = ((page_builders, "THEME_PAGE_MAX_SOURCES", 1), (page_builders, "STANCE_MAX_SOURCES", 1),
                 (listings, "MATRIX_ROWS_PER_PAGE", 2))


def _keyed_pages_with_small_limits(*corpora: list) -> list[dict[str, tuple[str, str]]]:
    """:func:`_keyed_pages` of each of ``corpora`` (see :func:`_small_briefing`), built with
    the :data:`_SMALL_LIMITS`."""
    with pytest.MonkeyPatch.context() as patch:
        for module, name, value in _SMALL_LIMITS:
            patch.setattr(module, name, value)
        return [_keyed_pages(_small_briefing(sources)) for sources in corpora]
_THEMES = (rf.theme("t0", ("alpha",), {"p": ("up",), "q": ("down",)}, related=("t1",)),
           rf.theme("t1", ("beta",), {"p": ("up",), "q": ("down",)}))
# An addressed cell: strength, position, pinned, evidence (paragraph and sentence). Most
# cells address their theme, most with a position, so that positions have several sources.
_cell_parts = (st.sampled_from([0.2, 0.5, 0.8]), st.sampled_from(["p", "q", "p", "q", None]), st.booleans(),
               st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["Up we go.", "Down it went."])),
                        min_size=1, max_size=2))
_cell = st.one_of(st.none(), st.tuples(*_cell_parts), st.tuples(*_cell_parts))  # None: not addressed
_source = st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 2), st.tuples(_cell, _cell))


def _small_briefing(sources: list) -> Briefing:
    """Articles from (title, reading minutes, (cell of t0, cell of t1)); None: not addressed."""
    articles, rows = [], {}
    for i, (title, minutes, cells) in enumerate(sources):
        slug = f"a{i}"
        article = Article(slug, f"{slug}.txt", Metadata(title=title), ())
        vars(article)["word_count"] = minutes * WORDS_PER_MINUTE
        articles.append(article)
        made = []
        for theme, cell in zip(_THEMES, cells, strict=True):
            if cell is None:
                made.append(Cell(slug, theme.id, 0.0))
                continue
            strength, position, pinned, said = cell
            evidence = tuple(Evidence(Sentence(p, 0, text, 0, len(text)), "alpha") for p, text in said)
            made.append(Cell(slug, theme.id, strength, evidence, position, pinned))
        rows[slug] = CellRow(tuple(made), ())
    return Briefing(tuple(articles), {}, rf.codebook(*_THEMES), rows)


def _keyed_pages(briefing: Briefing) -> dict[str, tuple[str, str]]:
    """Every page the memo keeps by key (a theme's page and print section, each page of its
    matrix listing, the articles index) and each article's rows of the exports: docs/ path
    (or a name for the rows) -> (its text, its key)."""
    env = render.environment()

    def rendered(name: str, page: object) -> str:
        return env.get_template(name).render(page=page)

    salt = f"salt|lunr|{pagekeys.codebook_labels(briefing)}"
    out = {}
    for view, key in zip(briefing.themes, pagekeys.theme_keys(briefing, salt), strict=True):
        got, part = corpuswide.theme_pages(briefing, view, False, rendered)
        out.update({path: (text, key) for path, text in got.items()})
        out[f"print.md, section {view.theme.id}"] = (part, key)
    for view, pages in zip(briefing.themes, pagekeys.matrix_listing_keys(briefing, salt), strict=True):
        for path, start, stances, key in pages:
            got, _ = corpuswide.listing_page(briefing, view, path, start, stances, rendered)
            out.update({path: (text, key) for path, text in got.items()})
    key = pagekeys.index_key(briefing, salt)
    out.update({path: (text, key) for path, text in corpuswide.index_pages(briefing, rendered).items()})
    for article in briefing.articles:  # an article's part of the exports, memoised by its own key
        rows = article_export_rows(briefing, article)
        out[f"data/matrix.*, rows of {article.slug}"] = (repr(rows), pagekeys.export_row_key(briefing, article, salt))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources=st.lists(_source, min_size=3, max_size=10), edit=st.data())
def test_the_pages_the_memo_keeps_by_key_change_only_with_their_key(sources, edit):
    """pagekeys covers what the pages it keys show: for any small corpus and any one edit
    to one source (its title, its length, or one part of one of its cells), a theme page,
    print section, page of a matrix listing, articles index or article's rows of the exports
    that comes out different has a different key (the page memo would otherwise keep it stale)."""
    i = edit.draw(st.integers(0, len(sources) - 1), label="source")
    title, minutes, cells = sources[i]
    change = edit.draw(st.sampled_from(["title", "length", "strength", "position", "pinned", "evidence",
                                        "addressed"]), label="change")
    if change == "title":
        title = edit.draw(st.sampled_from(["A", "B", "C", "D"]), label="title")
    elif change == "length":
        minutes = edit.draw(st.integers(0, 3), label="minutes")
    else:
        j = edit.draw(st.integers(0, 1), label="theme")
        cell = cells[j]
        if cell is None:  # any change to a cell not addressed makes it addressed
            cell = edit.draw(st.tuples(*_cell_parts), label="cell")
        elif change == "addressed":
            cell = None
        else:
            k = ["strength", "position", "pinned", "evidence"].index(change)
            part = edit.draw(_cell_parts[k], label=change)
            cell = (*cell[:k], part, *cell[k + 1:])
        cells = (cell, cells[1]) if j == 0 else (cells[0], cell)
    before, after = _keyed_pages_with_small_limits(sources, [*sources[:i], (title, minutes, cells), *sources[i + 1:]])
    assert any(path.startswith("matrix/") for path in before)
    for path in before.keys() & after.keys():
        (text, key), (new_text, new_key) = before[path], after[path]
        assert text == new_text or key != new_key, path


@pytest.mark.parametrize("edit", ["a weak source stops addressing the theme", "a source moves to the other position"])
def test_a_theme_page_is_keyed_by_counts_that_no_source_it_lists_shows(edit):
    """The edits the property test above finds only now and then: one that changes a theme
    page's count of sources, or of a position's sources, and neither the sources it lists
    (the strongest, the first of each position, the first silent one) nor its verdict."""
    up, down = (0.8, "p", False, [(1, "Up we go.")]), (0.5, "q", False, [(1, "Down it went.")])
    if edit == "a weak source stops addressing the theme":
        sources = [("A", 1, (None, None)), ("B", 1, (up, None)), ("C", 1, ((0.2, None, False, [(2, "Up.")]), None))]
        edited = [*sources[:2], ("C", 1, (None, None))]
    else:
        weak_up, weak_down = (0.2, "p", False, [(2, "Up.")]), (0.2, "q", False, [(2, "Up.")])
        sources = [("A", 1, (up, None)), ("B", 1, (down, None)), ("C", 1, (weak_up, None)), ("D", 1, (weak_up, None))]
        edited = [*sources[:3], ("D", 1, (weak_down, None))]
    before, after = _keyed_pages_with_small_limits(sources, edited)
    (page, key), (new_page, new_key) = before["themes/t0.md"], after["themes/t0.md"]
    assert page != new_page and key != new_key
