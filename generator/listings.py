"""The corpus-wide listings: the comparison matrix (overview and each theme's full,
paginated listing), the articles index and the entities index.

Their contexts (see :mod:`contexts`) are built here from the cross-linked
briefing; the page helpers (links, labels, cut quotes) are shared with
:mod:`pages`. The bounds that keep these listings readable and small at
thousands of articles are named constants here.
"""

from __future__ import annotations

from collections import Counter

from .contexts import EntityRow, IndexPage, MatrixCell, MatrixPage, MatrixThemePage
from .escape import Md, html_escape, md_escape, md_link
from .matrix import Briefing, EntityView, ThemeView
from .pages import (
    NOT_ADDRESSED,
    NOT_STATED,
    _article_href,
    _cut,
    _front_title,
    _heatmap_alt,
    _minutes,
    _newest_first,
    _pages,
    _pct,
    _position_label,
    _theme_href,
)
from .records import Stance

# Up to this many articles the matrix is one themes x articles table; beyond,
# one table per theme with articles as sortable rows.
WIDE_MATRIX_MAX_ARTICLES = 6
# Bounds that keep each listing page's size independent of the corpus size.
ARTICLES_PER_PAGE = 200  # articles index pagination
MATRIX_OVERVIEW_ROWS = 25  # per theme on the matrix page (strongest first)
MATRIX_ROWS_PER_PAGE = 250  # per page of a theme's full matrix listing
ENTITY_MAX_ROWS_PER_KIND = 200  # most-mentioned first
ENTITY_MAX_ARTICLES = 12  # articles listed per entity


def _matrix_cell(briefing: Briefing, stance: Stance | None, depth: int) -> MatrixCell:
    """A matrix cell: an addressed cell's stance (with its first quote), or None (not addressed)."""
    if stance is None:
        return MatrixCell(NOT_ADDRESSED, "", Md(""), False, "0%")
    label = _position_label(briefing, stance) or "addressed, no position"
    return MatrixCell(
        text=label, quote=_cut(stance.quote) if stance.quote else "",
        href=_article_href(stance.article, stance.paragraph, depth),
        pinned=stance.pinned, strength=_pct(stance.strength),
    )


def matrix_page(briefing: Briefing) -> MatrixPage:
    articles, themes = briefing.articles, briefing.codebook.themes
    wide = len(articles) <= WIDE_MATRIX_MAX_ARTICLES
    columns = tuple(md_link(a.meta.title, _article_href(a.slug, None, 0)) for a in articles) if wide else ()
    theme_links = [md_link(t.title, _theme_href(t.id, 0)) for t in themes]
    stances = {(s.article, s.theme): s for a in articles for s in briefing.rows[a.slug].stances} if wide else {}
    rows = tuple(
        (theme_links[i], tuple(_matrix_cell(briefing, stances.get((a.slug, t.id)), 0) for a in articles))
        for i, t in enumerate(themes)
    ) if wide else ()
    titles = briefing.titles
    views = {v.theme.id: v for v in briefing.themes}
    per_theme = tuple(
        (theme_links[i], tuple(
            (md_link(titles[s.article], _article_href(s.article, None, 0)), _matrix_cell(briefing, s, 0))
            for s in views[t.id].strongest[:MATRIX_OVERVIEW_ROWS]
        ))
        for i, t in enumerate(themes)
    ) if not wide else ()
    more = tuple((len(views[t.id].stances), Md(f"matrix/{t.id}/index.md")) for t in themes) if not wide else ()
    return MatrixPage(wide, columns, rows, per_theme, more, _heatmap_alt(briefing))


def matrix_listing(view: ThemeView) -> list[tuple[str, int, list[Stance]]]:
    """The pages of one theme's full matrix listing (under matrix/<id>/), strongest first:
    per page, its docs/ path, the index of its first row, and the stances it lists."""
    stances = view.strongest
    return [(f"matrix/{view.theme.id}/{_listing_name(start // MATRIX_ROWS_PER_PAGE + 1)}", start,
             list(stances[start:start + MATRIX_ROWS_PER_PAGE]))
            for start in range(0, max(1, len(stances)), MATRIX_ROWS_PER_PAGE)]


def _listing_name(n: int) -> str:
    return "index.md" if n == 1 else f"{n}.md"


def matrix_theme_page(briefing: Briefing, view: ThemeView, start: int, stances: list[Stance]) -> MatrixThemePage:
    """One page of a theme's full matrix listing (see :func:`matrix_listing`)."""
    titles = briefing.titles
    theme = view.theme
    return MatrixThemePage(
        front_title=_front_title(f"{theme.title}: every source"), title=theme.title,
        theme_link=md_link(theme.title, _theme_href(theme.id, 2)),
        rows=tuple((md_link(titles[s.article], _article_href(s.article, None, 2)), _matrix_cell(briefing, s, 2))
                   for s in stances),
        first=start + 1, total=len(view.stances),
        pages=_pages(len(view.stances), MATRIX_ROWS_PER_PAGE, lambda n: Md(_listing_name(n))),
    )


def matrix_theme_pages(briefing: Briefing, view: ThemeView) -> dict[str, MatrixThemePage]:
    """The full listing of one theme's cells, strongest first, paginated (pages under matrix/<id>/)."""
    return {path: matrix_theme_page(briefing, view, start, stances) for path, start, stances in matrix_listing(view)}


def listed_entities(briefing: Briefing) -> tuple[EntityView, ...]:
    """The entities the index page shows: the most mentioned of each kind, bounded."""
    shown, per_kind = [], Counter()
    for view in briefing.entities:  # already ordered by kind, then mentions
        if per_kind[view.kind] < ENTITY_MAX_ROWS_PER_KIND:
            shown.append(view)
            per_kind[view.kind] += 1
    return tuple(shown)


def entities_page(briefing: Briefing, shown: tuple[EntityView, ...]) -> IndexPage:
    titles = briefing.titles
    rows = tuple(
        EntityRow(
            link=Md(f'<span id="{html_escape(e.entity_id)}"></span>' + md_escape(e.name)), kind=e.kind,
            count=e.total,
            places=tuple(md_link(titles[slug], _article_href(slug, m.paragraphs[0], 0))
                         for slug, m in e.mentions[:ENTITY_MAX_ARTICLES])
            + ((md_escape(f"and {len(e.mentions) - ENTITY_MAX_ARTICLES} more articles"),)
               if len(e.mentions) > ENTITY_MAX_ARTICLES else ()),
        )
        for e in shown
    )
    cut = len(briefing.entities) - len(shown)
    note = (f"The {ENTITY_MAX_ROWS_PER_KIND} most mentioned of each kind are listed; {cut} more appear only "
            "on their articles' pages.") if cut else ""
    return IndexPage(rows=(), entities=rows, note=note)


def article_index_pages(briefing: Briefing) -> dict[str, IndexPage]:
    """The articles index, newest first, paginated: articles/index.md, then library/2.md, ..."""
    ordered = _newest_first(briefing.articles)
    name = lambda n: "articles/index.md" if n == 1 else f"library/{n}.md"  # noqa: E731
    links = _pages(len(ordered), ARTICLES_PER_PAGE, lambda n: Md("../" + name(n)))
    out = {}
    for start in range(0, max(1, len(ordered)), ARTICLES_PER_PAGE):
        out[name(start // ARTICLES_PER_PAGE + 1)] = IndexPage(rows=tuple(
            (md_link(a.meta.title, _article_href(a.slug)), a.meta.outlet or NOT_STATED,
             a.meta.author or NOT_STATED, a.meta.date or NOT_STATED, _minutes(a.word_count))
            for a in ordered[start:start + ARTICLES_PER_PAGE]), pages=links,
            # Later pages only list titles again: kept out of the search index, which
            # would otherwise grow with the corpus (each article page is indexed itself).
            searchable=start == 0)
    return out
