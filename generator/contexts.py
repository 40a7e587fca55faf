"""What each template receives: one frozen dataclass per template in ``site_templates/``.

Every template gets exactly one context (pinned both ways by
``tests/test_template_context.py``), plus the small row records those contexts
are made of. :mod:`pages` and :mod:`listings` build them from the cross-linked
:class:`matrix.Briefing`. Contexts hold presentation-ready values: untrusted
text stays plain ``str`` (the template layer escapes it) and links built by
the generator are :class:`escape.Md`.

A context is made, handed to one template and dropped: nothing compares, hashes or
prints it. So the dataclasses are ``eq=False, repr=False``. They are still frozen:
assigning to a field raises. Generating ``__eq__``, ``__hash__`` and ``__repr__`` is
about half of what making a frozen dataclass costs on Python 3.11. Leaving them out
makes this module's import ~2.7 ms shorter, 7.8 against 5.1 ms (median of 8 imports
on this project's 2-core machine). Every build that renders a page pays that import,
and a one-article rebuild at 1,000 articles takes ~0.2 s.
"""

from __future__ import annotations

from dataclasses import dataclass

from .escape import Md


@dataclass(frozen=True, eq=False, repr=False)
class Ref:
    """A verbatim sentence and the link to its paragraph."""

    text: str
    href: Md  # trusted: built from slug and paragraph number


@dataclass(frozen=True, eq=False, repr=False)
class MetaRow:
    """A row of an article's metadata table; ``inferred``: guessed from the text, not stated."""

    label: str
    value: str | Md
    inferred: bool


@dataclass(frozen=True, eq=False, repr=False)
class SourceRow:
    """A source in the home page's table (newest first)."""

    link: Md
    outlet: str
    author: str
    date: str
    minutes: int


@dataclass(frozen=True, eq=False, repr=False)
class ThemeRow:
    """A theme on the home page: its verdict and who takes which position."""

    link: Md
    verdict: str
    description: str
    positions: tuple[tuple[str, tuple[Md, ...]], ...]  # label -> article links
    addressed_by: int


@dataclass(frozen=True, eq=False, repr=False)
class HomePage:
    """Context of ``home.md.j2``."""

    as_of: str | None
    sources: tuple[SourceRow, ...]
    themes: tuple[ThemeRow, ...]
    heatmap_alt: str
    article_count: int
    search_page: Md | None  # link to the full-text (Pagefind) search page, when used


@dataclass(frozen=True, eq=False, repr=False)
class ArticleTheme:
    """A theme an article addresses, with its position and evidence (article page)."""

    link: Md
    strength: str
    position: str  # label, or "" when no position
    pinned: bool
    evidence: tuple[Ref, ...]


@dataclass(frozen=True, eq=False, repr=False)
class QuoteRow:
    """A quotation on an article page, with its speaker and paragraph link."""

    text: str
    speaker: str
    href: Md


@dataclass(frozen=True, eq=False, repr=False)
class EntityRow:
    """A person, place or organisation and where it is mentioned (article page, entities index)."""

    link: Md
    kind: str
    count: int
    places: tuple[Md, ...]


@dataclass(frozen=True, eq=False, repr=False)
class ParagraphRow:
    """One paragraph of an article's text; ``attribution`` names an excerpt's source once per run."""

    anchor: str
    text: str
    quote: bool
    attribution: str | None


@dataclass(frozen=True, eq=False, repr=False)
class ArticlePage:
    """Context of ``article.md.j2``."""

    front_title: Md  # the title for the page's front matter, see pages._front_title
    pagefind: bool  # article text is searched with Pagefind, not Material's index
    title: str
    subtitle: str | None
    meta: tuple[MetaRow, ...]
    editor_summary: str | None
    summary: tuple[Ref, ...]
    key_points: tuple[Ref, ...]
    themes: tuple[ArticleTheme, ...]
    unaddressed: tuple[Md, ...]
    quotes: tuple[QuoteRow, ...]
    entities: tuple[EntityRow, ...]
    paragraphs: tuple[ParagraphRow, ...]
    source_file: str
    words: int
    minutes: int
    removed_lines: int


@dataclass(frozen=True, eq=False, repr=False)
class SourceOnTheme:
    """A source on a theme page: its position, strength and evidence quotes."""

    link: Md
    position: str
    pinned: bool
    strength: str
    quotes: tuple[Ref, ...]


@dataclass(frozen=True, eq=False, repr=False)
class ThemePage:
    """Context of ``theme.md.j2``."""

    front_title: Md
    pagefind: bool  # searched with Pagefind (large briefings), so left out of Material's index
    title: str
    description: str
    listing: Md  # link to the theme's full matrix listing
    hidden: int  # sources addressing the theme beyond pages.THEME_PAGE_MAX_SOURCES
    cues: tuple[str, ...]
    positions: tuple[tuple[str, str], ...]  # (label, description)
    verdict: str
    stance: tuple[tuple[str, tuple[Md, ...]], ...]  # position label -> article links
    sources: tuple[SourceOnTheme, ...]
    silent: tuple[Md, ...]  # articles that do not address it
    related: tuple[Md, ...]
    co_occurring: tuple[tuple[Md, int], ...]


@dataclass(frozen=True, eq=False, repr=False)
class MatrixCell:
    """One cell of the comparison matrix: an article's position on a theme."""

    text: str  # position label or pages.NOT_ADDRESSED or "addressed"
    quote: str
    href: Md  # empty when not addressed
    pinned: bool
    strength: str


@dataclass(frozen=True, eq=False, repr=False)
class MatrixPage:
    """Context of ``matrix.md.j2``."""

    wide: bool
    columns: tuple[Md, ...]  # article links (wide layout)
    rows: tuple[tuple[Md, tuple[MatrixCell, ...]], ...]  # theme link -> cells (wide)
    per_theme: tuple[tuple[Md, tuple[tuple[Md, MatrixCell], ...]], ...]  # theme -> (article, cell)
    more: tuple[tuple[int, Md], ...]  # per theme (narrow layout): (addressed count, link to full listing)
    heatmap_alt: str


@dataclass(frozen=True, eq=False, repr=False)
class MatrixThemePage:
    """Context of ``matrix_theme.md.j2``: every article addressing one theme, one page of them."""

    front_title: Md
    title: str
    theme_link: Md
    rows: tuple[tuple[Md, MatrixCell], ...]
    first: int  # 1-based rank of the first row
    total: int
    pages: tuple[Md, ...]  # links to every page of this listing


@dataclass(frozen=True, eq=False, repr=False)
class PrintPage:
    """Context of ``print.md.j2``: every theme's section, then the heading of the sources
    part; the sections are rendered on their own, one ``print_theme.md.j2`` (a
    :class:`ThemePage`) each, so that a rebuild renders only the themes an edit changed;
    the sources themselves follow, one ``print_source.md.j2`` each (see render.render_site)."""

    themes: tuple[Md, ...]  # each theme's section, rendered
    shown: int  # sources that follow: the newest, at most pages.PRINT_MAX_ARTICLES
    total: int


@dataclass(frozen=True, eq=False, repr=False)
class PrintSource:
    """Context of ``print_source.md.j2``: one source's part of the print page."""

    title: str
    meta: tuple[MetaRow, ...]
    editor_summary: str | None
    summary: tuple[Ref, ...]
    key_points: tuple[Ref, ...]


@dataclass(frozen=True, eq=False, repr=False)
class SearchPage:
    """Context of ``search.md.j2``: the Pagefind full-text search page (large briefings)."""

    articles: int


@dataclass(frozen=True, eq=False, repr=False)
class IndexPage:
    """Context of ``articles.md.j2``, ``themes.md.j2`` and ``entities.md.j2``: a titled table."""

    rows: tuple[tuple[object, ...], ...]
    entities: tuple[EntityRow, ...] = ()
    pages: tuple[Md, ...] = ()  # links to every page of a paginated index
    note: str = ""  # e.g. how a bounded list was cut
    searchable: bool = True  # False: left out of Material's search index (pages 2+ of a listing)
