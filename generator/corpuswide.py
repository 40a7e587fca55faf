"""Render the corpus-wide pages (every page but the article pages and the entities index),
in groups that a rebuild renders again only when their keys changed.

:func:`render.render_site` calls :func:`render_listings` when what these pages show
changed (else the memo has them all, under :func:`pagekeys.listing_key`): each theme's
page with its section of the print page, each page of its matrix listing and the
articles index are groups (:class:`Groups`), each kept when its own key
(:mod:`pagekeys`) did not change; the overview pages (home, matrix overview, the
exports, the heatmap, the themes index, the print page's part before the sources)
are always rendered then: the exports by this process (after a rebuild's article
pages, see :func:`render.render_site`), while a forked one renders the other overview
pages and then the groups (:meth:`Groups.render`).
:func:`corpus_pages` renders them all at once, for the writer when it must write a
page the memo has and for tests. ``render`` is the caller's template renderer,
``render(template name, context) -> text``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TypeVar

from . import forked
from .contexts import IndexPage, PrintPage, SearchPage
from .escape import Md, md_link
from .heatmap import heatmap_svg
from .listings import article_index_pages, matrix_listing, matrix_page, matrix_theme_page, matrix_theme_pages
from .matrix import Briefing, ExportRows, ThemeView, matrix_csv_bytes, matrix_json_bytes
from .pagekeys import Listings, PageGroup, index_key, matrix_listing_keys, theme_keys
from .pages import PRINT_MAX_ARTICLES, home_page, theme_page
from .site import Encoded

T = TypeVar("T")
U = TypeVar("U")
_FIRST = -1  # the job number of what Groups.render does first


def render_listings(briefing: Briefing, as_of: str | None, pagefind: bool, page_salt: str, groups: Groups,
                    rows: Callable[[], list[ExportRows]], render, processes: int = 1,
                    ) -> tuple[dict[str, str | Encoded], Listings]:
    """The corpus-wide pages but the entities index, when what they show changed: each
    theme's page (with its section of the print page), each page of its matrix listing and
    the articles index as groups, rendered only if their keys changed (see :class:`Groups`,
    which renders them in a forked process meanwhile, given ``processes``, after the
    overview pages but the exports); the exports from the export ``rows``; and the print
    page's head from the themes' print sections."""
    memo = groups.memo
    themes = theme_keys(briefing, page_salt) if memo else [""] * len(briefing.themes)
    listings = (matrix_listing_keys(briefing, page_salt) if memo
                else [[(*page, "") for page in matrix_listing(view)] for view in briefing.themes])
    theme_groups = []
    for view, key, listing_pages in zip(briefing.themes, themes, listings, strict=True):
        theme_groups.append(groups.want(f"{key}|theme" if key else "",
                                        functools.partial(theme_pages, briefing, view, pagefind, render)))
        for path, start, stances, page_key in listing_pages:
            groups.want(f"{page_key}|matrix" if page_key else "",
                        functools.partial(listing_page, briefing, view, path, start, stances, render))
    index = f"{index_key(briefing, page_salt)}|index" if memo else ""
    groups.want(index, lambda: (index_pages(briefing, render), ""))
    exports, summary = groups.render(lambda: groups.encoded(export_pages(briefing, rows())), processes,
                                     first=lambda: groups.encoded(summary_pages(briefing, as_of, pagefind, render)))
    corpus_wide: dict[str, str | Encoded] = {}
    for pages, _ in groups.got:
        corpus_wide.update(pages)
    head = print_head(briefing, tuple(groups.got[i][1] for i in theme_groups), render)
    corpus_wide.update(summary)
    corpus_wide.update(exports)
    return corpus_wide, Listings({p: e.digest for p, e in corpus_wide.items() if isinstance(e, Encoded)}, head,
                                 tuple(groups.keys))


# Below this many jobs (groups to render, and the overview pages but the exports), they
# are rendered in this process. Measured on this 2-core machine at 1,000 articles, where a
# one-article edit renders 6 pages of matrix listings again (~4 ms each) and the overview
# pages (~10 ms), while this process makes the exports (~25 ms with their rows; since
# 2026-11-23 also the edited article's page and the entities index, ~5 ms): the forked
# process starts rendering within 1 ms of the fork, but renders 20-30 % slower
# (copy-on-write of the memory it touches), and its pages cross a pipe; two jobs already
# pay for it.
PARALLEL_GROUPS_MIN = 2


class Groups:
    """Corpus-wide pages rendered in groups, each memoised under its key (see
    :class:`pagekeys.PageGroup`): a group whose key the memo has is not rendered (its
    pages are made again only if the writer must write one). Without a memo (keys ""),
    every group is rendered, as text.

    Groups are declared with :meth:`want`, then rendered together by :meth:`render`: by a
    forked process (which inherits the briefing, so that only pages cross processes) while
    this one makes the rest of the pages and then renders, from the back, the groups the
    other has not started (:func:`forked.shared`), when there are enough of them
    (:data:`PARALLEL_GROUPS_MIN`) and a second core; the output is the same either way."""

    def __init__(self, previous: dict[str, object], fresh: dict[str, object], memo: bool):
        self.previous, self.fresh, self.memo = previous, fresh, memo
        self.keys: list[str] = []  # of the groups declared
        self.got: list[tuple[dict[str, str | Encoded], str]] = []  # their pages and print parts, once rendered
        self._makes: list[Callable[[], tuple[dict[str, str], str]]] = []

    def want(self, key: str, make: Callable[[], tuple[dict[str, str], str]]) -> int:
        """Declare a group (its key and how to render it); its index in :attr:`got`."""
        self.keys.append(key)
        self._makes.append(make)
        return len(self.keys) - 1

    def _kept(self, i: int) -> PageGroup | None:
        kept = self.previous.get(self.keys[i]) if self.memo else None
        return kept if isinstance(kept, PageGroup) else None

    def render(self, meanwhile: Callable[[], T], processes: int = 1,
               first: Callable[[], U] | None = None) -> tuple[T, U | None]:
        """Render the declared groups the memo lacks, fill :attr:`got` (each group's pages
        and print part, in order) and return what ``meanwhile`` returns, which runs in this
        process while a forked one renders the groups, if that pays, and what ``first``
        returns: a job done ahead of the groups, by the forked process if there is one
        (unless this one, done with ``meanwhile``, gets to it first)."""
        kept_groups = [self._kept(i) for i in range(len(self.keys))]
        jobs = ([_FIRST] if first is not None else []) + [i for i, kept in enumerate(kept_groups) if kept is None]

        def make(i: int) -> object:
            return first() if i == _FIRST else self._make(i)  # type: ignore[misc]

        if processes >= 2 and len(jobs) >= PARALLEL_GROUPS_MIN and forked.available():
            with forked.shared(make, jobs) as sharing:  # this process helps once meanwhile is done
                other = meanwhile()
                made = dict(zip(jobs, sharing.finish(), strict=True))
        else:
            made = {i: make(i) for i in jobs}
            other = meanwhile()
        for i, (key, kept) in enumerate(zip(self.keys, kept_groups, strict=True)):
            if kept is None:
                pages, part = made[i]
                self.got.append((pages, part))
                if self.memo:
                    digests = {p: e.digest for p, e in pages.items()}  # type: ignore[union-attr]
                    self.fresh[key] = PageGroup(digests, part)
                continue
            again = functools.cache(self._makes[i])
            self.got.append(({p: Encoded(d, make=lambda p=p, again=again: again()[0][p])
                              for p, d in kept.digests.items()}, kept.print_part))
            self.fresh[key] = kept
        return other, made.get(_FIRST)  # type: ignore[return-value]

    def _make(self, i: int) -> tuple[dict[str, str | bytes | Encoded], str]:
        """Group ``i`` rendered, its pages encoded if there is a memo (text otherwise)."""
        texts, part = self._makes[i]()
        return self.encoded(texts), part

    def encoded(self, pages: Mapping[str, str | bytes]) -> dict[str, str | bytes | Encoded]:
        """``pages`` encoded (with their digests) if there is a memo, as they are otherwise."""
        return {p: Encoded.of(t) for p, t in pages.items()} if self.memo else dict(pages)


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


def summary_pages(briefing: Briefing, as_of: str | None, pagefind: bool, render) -> dict[str, str | bytes]:
    """The overview pages but the exports: the home page, the matrix overview, the themes
    index, the heatmap and the search page (Pagefind mode)."""
    pages: dict[str, str | bytes] = {"index.md": render("home.md.j2", home_page(briefing, as_of, pagefind))}
    if pagefind:
        pages["search.md"] = render("search.md.j2", SearchPage(len(briefing.articles)))
    pages["matrix.md"] = render("matrix.md.j2", matrix_page(briefing))
    pages["themes/index.md"] = render("themes.md.j2", IndexPage(rows=tuple(
        (md_link(v.theme.title, f"{v.theme.id}.md"), v.theme.description, len(v.stances), v.verdict)
        for v in briefing.themes)))
    pages["img/heatmap.svg"] = heatmap_svg(briefing)
    return pages


def export_pages(briefing: Briefing, rows: list[ExportRows]) -> dict[str, str | bytes]:
    """The matrix exports, from every article's export ``rows``."""
    return {"data/matrix.json": matrix_json_bytes(briefing, rows), "data/matrix.csv": matrix_csv_bytes(briefing, rows)}


def print_head(briefing: Briefing, print_parts: tuple[str, ...], render) -> str:
    """The print page's part before the sources: the themes' ``print_parts`` under its heading."""
    return render("print.md.j2", PrintPage(
        themes=tuple(Md(part) for part in print_parts),
        shown=min(len(briefing.articles), PRINT_MAX_ARTICLES), total=len(briefing.articles),
    ))


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
    pages.update(summary_pages(briefing, as_of, pagefind, render))
    pages.update(export_pages(briefing, rows))
    pages["print.md"] = print_head(briefing, tuple(parts), render)
    return pages
