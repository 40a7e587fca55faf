"""Render the corpus-wide pages (every page but the article pages and the entities index),
in groups that a rebuild renders again only when their keys changed.

:func:`render.render_site` calls :func:`render_listings` when what these pages show
changed (else the memo has them all, under :func:`pagekeys.listing_key`): each theme's
page with its section of the print page, each page of its matrix listing and the
articles index are groups (:class:`Groups`), each kept when its own key
(:mod:`pagekeys`) did not change; the overview pages (home, matrix overview, the
exports, the heatmap, the themes index, the print page's part before the sources)
are always rendered then. :func:`corpus_pages` renders them all at once, for the
writer when it must write a page the memo has and for tests. ``render`` is the
caller's template renderer, ``render(template name, context) -> text``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from .contexts import IndexPage, PrintPage, SearchPage
from .escape import Md, md_link
from .heatmap import heatmap_svg
from .listings import article_index_pages, matrix_listing, matrix_page, matrix_theme_page, matrix_theme_pages
from .matrix import Briefing, ExportRows, ThemeView, matrix_csv_bytes, matrix_json_bytes
from .pagekeys import Listings, PageGroup, index_key, matrix_listing_keys, theme_keys
from .pages import PRINT_MAX_ARTICLES, home_page, theme_page
from .site import Encoded


def render_listings(briefing: Briefing, as_of: str | None, pagefind: bool, page_salt: str, groups: Groups,
                    rows: Callable[[], list[ExportRows]], render) -> tuple[dict[str, str | Encoded], Listings]:
    """The corpus-wide pages but the entities index, when what they show changed: each
    theme's page (with its section of the print page), each page of its matrix listing and
    the articles index as groups, rendered only if their keys changed (see :class:`Groups`);
    then the overview pages, from the themes' print sections and the export ``rows``."""
    memo = groups.memo
    corpus_wide: dict[str, str | Encoded] = {}
    parts = []
    themes = theme_keys(briefing, page_salt) if memo else [""] * len(briefing.themes)
    listings = (matrix_listing_keys(briefing, page_salt) if memo
                else [[(*page, "") for page in matrix_listing(view)] for view in briefing.themes])
    for view, key, listing_pages in zip(briefing.themes, themes, listings, strict=True):
        got, part = groups.get(f"{key}|theme" if key else "",
                               functools.partial(theme_pages, briefing, view, pagefind, render))
        corpus_wide.update(got)
        parts.append(part)
        for path, start, stances, page_key in listing_pages:
            corpus_wide.update(groups.get(f"{page_key}|matrix" if page_key else "", functools.partial(
                listing_page, briefing, view, path, start, stances, render))[0])
    index = f"{index_key(briefing, page_salt)}|index" if memo else ""
    corpus_wide.update(groups.get(index, lambda: (index_pages(briefing, render), ""))[0])
    texts = overview_pages(briefing, as_of, pagefind, rows(), tuple(parts), render)
    head = texts.pop("print.md")
    corpus_wide.update({p: Encoded.of(t) if memo else t for p, t in texts.items()})
    return corpus_wide, Listings({p: e.digest for p, e in corpus_wide.items() if isinstance(e, Encoded)}, head,
                                 tuple(groups.keys))


class Groups:
    """Corpus-wide pages rendered in groups, each memoised under its key (see
    :class:`pagekeys.PageGroup`): a group whose key the memo has is not rendered (its
    pages are made again only if the writer must write one). Without a memo (keys ""),
    every group is rendered, as text."""

    def __init__(self, previous: dict[str, object], fresh: dict[str, object], memo: bool):
        self.previous, self.fresh, self.memo = previous, fresh, memo
        self.keys: list[str] = []  # of the groups got so far

    def get(self, key: str, make: Callable[[], tuple[dict[str, str], str]]) -> tuple[dict[str, str | Encoded], str]:
        """The group's pages and its part of the print page."""
        kept = self.previous.get(key) if self.memo else None
        if isinstance(kept, PageGroup):
            again = functools.cache(make)
            pages: dict[str, str | Encoded] = {p: Encoded(d, make=lambda p=p: again()[0][p])
                                               for p, d in kept.digests.items()}
        else:
            texts, part = make()
            if not self.memo:
                return dict(texts), part
            pages = {p: Encoded.of(t) for p, t in texts.items()}
            kept = PageGroup({p: e.digest for p, e in pages.items()}, part)  # type: ignore[union-attr]
        self.fresh[key] = kept
        self.keys.append(key)
        return pages, kept.print_part


def theme_pages(briefing: Briefing, view: ThemeView, pagefind: bool, render) -> tuple[dict[str, str], str]:
    """One theme's page and its section of the print page: what :func:`pagekeys.theme_keys` covers."""
    pages = {f"themes/{view.theme.id}.md": render("theme.md.j2", theme_page(briefing, view, 1, pagefind))}
    return pages, render("print_theme.md.j2", theme_page(briefing, view, depth=0))


def listing_page(briefing: Briefing, view: ThemeView, path: str, start: int, stances: list,
                 render) -> tuple[dict[str, str], str]:
    """One page of a theme's full matrix listing: what :func:`pagekeys.matrix_listing_keys` covers."""
    return {path: render("matrix_theme.md.j2", matrix_theme_page(briefing, view, start, stances))}, ""


def index_pages(briefing: Briefing, render) -> dict[str, str]:
    """The articles index: what :func:`pagekeys.index_key` covers."""
    return {path: render("articles.md.j2", page) for path, page in article_index_pages(briefing).items()}


def overview_pages(briefing: Briefing, as_of: str | None, pagefind: bool, rows: list[ExportRows],
                   print_parts: tuple[str, ...], render) -> dict[str, str | bytes]:
    """The home page, the matrix overview, the themes index, the exports, the heatmap, the
    search page (Pagefind mode) and the print page's part before the sources (the themes'
    ``print_parts`` under its heading)."""
    pages: dict[str, str | bytes] = {"index.md": render("home.md.j2", home_page(briefing, as_of, pagefind))}
    if pagefind:
        pages["search.md"] = render("search.md.j2", SearchPage(len(briefing.articles)))
    pages["matrix.md"] = render("matrix.md.j2", matrix_page(briefing))
    pages["print.md"] = render("print.md.j2", PrintPage(
        themes=tuple(Md(part) for part in print_parts),
        shown=min(len(briefing.articles), PRINT_MAX_ARTICLES), total=len(briefing.articles),
    ))
    pages["themes/index.md"] = render("themes.md.j2", IndexPage(rows=tuple(
        (md_link(v.theme.title, f"{v.theme.id}.md"), v.theme.description, len(v.stances), v.verdict)
        for v in briefing.themes)))
    pages["data/matrix.json"] = matrix_json_bytes(briefing, rows)
    pages["data/matrix.csv"] = matrix_csv_bytes(briefing, rows)
    pages["img/heatmap.svg"] = heatmap_svg(briefing)
    return pages


def corpus_pages(briefing: Briefing, as_of: str | None, pagefind: bool, rows: list[ExportRows],
                 render) -> dict[str, str | bytes]:
    """Every page but the article pages and the entities index, and of the print page its
    part before the sources: all of it built from what :func:`pagekeys.listing_key` covers."""
    pages: dict[str, str | bytes] = {}
    parts = []
    for view in briefing.themes:
        got, part = theme_pages(briefing, view, pagefind, render)
        pages.update(got)
        parts.append(part)
        for path, page in matrix_theme_pages(briefing, view).items():
            pages[path] = render("matrix_theme.md.j2", page)
    pages.update(index_pages(briefing, render))
    pages.update(overview_pages(briefing, as_of, pagefind, rows, tuple(parts), render))
    return pages
