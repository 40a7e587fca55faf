"""What each generated page depends on, hashed, and what the page memo keeps under those keys.

A rebuild renders a page again only when its key changed (see
:func:`render.render_site` and :class:`buildstate.PageMemo`): an article page by
:func:`article_page_key`; the entities index by :func:`entities_key`; the other
corpus-wide pages by :func:`listing_key` as a whole, and when that changed, each
theme's page by :func:`theme_keys`, each page of its matrix listing by
:func:`matrix_listing_keys` and the articles index by :func:`index_key`; an
article's rows of the matrix exports by :func:`export_row_key`. Keys are built from
the digests the records carry (:attr:`Article.listing`, :attr:`ArticleAnalysis.listing`,
:attr:`CellRow.shown`, :attr:`Cell.shown`), never from an article's text, so that
keying every page of a rebuild formats and unpickles as little as possible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import islice

from . import pages
from .buildstate import Shelf
from .listings import matrix_listing
from .matrix import Briefing
from .pages import _minutes
from .records import Article, Stance


def article_page_key(briefing: Briefing, article: Article, listed: frozenset[str], salt: str) -> str:
    """Everything an article page depends on, hashed: its text and analysis (through the
    content hash and ``salt``, which covers code, templates, settings and the codebook's
    titles and labels, see :func:`codebook_labels`), its slug, its cells, and which of its
    entities the index lists. Cells are keyed by what they say, not by the cues that found
    them, so that a cue edit re-renders only the pages whose cells it changes.

    Built as one string of digests and fixed forms (the file name quoted with ``repr``; the
    cells as :attr:`CellRow.shown`, their digest), so that keying every page of a rebuild
    formats nothing; every article of a run shares the same ``salt`` prefix."""
    slug = article.slug
    listed_flags = "".join(["1" if e in listed else "0" for e in briefing.analyses[slug].entity_ids])
    key = "\n".join((salt, article.content_hash, repr(article.source_file), slug, briefing.rows[slug].shown, listed_flags))
    return hashlib.sha256(key.encode()).hexdigest()


def codebook_labels(briefing: Briefing) -> str:
    """The codebook's theme titles and position labels, as shown on article pages."""
    return repr(tuple((t.id, t.title, tuple((p.id, p.label) for p in t.positions))
                      for t in briefing.codebook.themes))


def listing_key(briefing: Briefing, page_salt: str, as_of: str | None) -> str:
    """Everything the corpus-wide pages but the entities index depend on, hashed: the home
    page, the theme pages, the matrix with its listings and exports, the articles index,
    and the print page's themes part. Besides ``page_salt`` (see :func:`article_page_key`)
    and the briefing's date, that is the whole codebook and, per article in corpus order,
    what those pages show of it: the digests its records carry of its slug, file and
    metadata (:attr:`Article.listing`) and of its cells (:attr:`CellRow.shown`), and its
    reading time. Never its text or summary, which only its own page and its part of the
    print page show, nor its mentions (:func:`entities_key`): an edit that changes none of
    these leaves those pages as they were (tested by rendering them from records whose
    text cannot be read)."""
    rows = briefing.rows
    parts = [page_salt, repr(as_of), repr(briefing.codebook.themes)]
    for article in briefing.articles:
        parts += (article.listing, str(_minutes(article.word_count)), rows[article.slug].shown)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def entities_key(briefing: Briefing, page_salt: str) -> str:
    """What the entities index, and which entities it lists (which the article pages link),
    depend on, hashed: per article in corpus order, the digests its records carry of its
    slug, file and metadata (:attr:`Article.listing`) and of its mentions
    (:attr:`ArticleAnalysis.listing`). An edit that changes an article's cells but not its
    mentions, the commonest, then leaves the index as it was, and the rebuild never reads
    the mentions of every article (~20 ms at 1,000 articles)."""
    analyses = briefing.analyses
    parts = [page_salt]
    for article in briefing.articles:
        parts += (article.listing, analyses[article.slug].listing)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Listings:
    """What the page memo keeps of the corpus-wide pages but the entities index, under
    their :func:`listing_key`: when it is the same, every one of them is as it was."""

    digests: dict[str, bytes]  # docs/ path -> the page's digest (see site.Encoded)
    print_head: str  # the print page's part before the sources
    groups: tuple[str, ...] = ()  # the memo keys of the page groups it was made of (see PageGroup)


@dataclass(frozen=True)
class PageGroup:
    """What the page memo keeps of a group of corpus-wide pages that depend on less than
    the whole listing (a theme's page, see :func:`theme_keys`; a page of its matrix
    listing, see :func:`matrix_listing_keys`; the articles index, see :func:`index_key`),
    under the group's key: when the listing changed but the group's key
    did not, its pages are as they were and are not rendered again."""

    digests: dict[str, bytes]  # docs/ path -> the page's digest (see site.Encoded)
    print_part: str = ""  # the group's part of the print page (a theme's section)


@dataclass(frozen=True)
class EntityIndex:
    """What the page memo keeps of the entities index, under its :func:`entities_key`."""

    listed: frozenset[str]  # the entity ids the index lists
    digest: bytes  # entities.md's digest (see site.Encoded)


def theme_keys(briefing: Briefing, page_salt: str) -> list[str]:
    """What each theme's page and its part of the print page show, hashed, in codebook order
    (see :func:`corpuswide.theme_pages` and :func:`pages.theme_page`). Besides ``page_salt``
    (which covers the codebook's titles and labels), that is the theme itself, its verdict,
    the themes it co-occurs with and how many articles address it; per position, how many
    take it and the first :data:`pages.STANCE_MAX_SOURCES` of them (the digests of their
    slug, file and metadata, :attr:`Article.listing`); the strongest
    :data:`pages.THEME_PAGE_MAX_SOURCES` sources, each with that digest and its cell's
    (:attr:`Stance.shown`, the cell's :attr:`Cell.shown`: strength, position, evidence);
    and the first :data:`pages.THEME_PAGE_MAX_SOURCES` articles that do not address it.
    An edit to one article's text changes the keys of the themes on whose pages its changed
    cells are shown, not the others': at 1,000 articles, a cell further down than the
    strongest 30 is shown only by the theme's matrix listing."""
    listing = briefing.listings
    keys = []
    for view in briefing.themes:
        parts = [page_salt, repr(view.theme), repr(view.co_occurring), view.verdict, str(len(view.stances))]
        for pid, slugs in view.positions:
            parts.append(f"position {pid!r} {len(slugs)}")
            parts += [listing[slug] for slug in slugs[:pages.STANCE_MAX_SOURCES]]
        parts.append("strongest")
        parts += [f"{listing[s.article]}:{s.shown}" for s in view.strongest[:pages.THEME_PAGE_MAX_SOURCES]]
        addressed = {s.article for s in view.stances}
        parts.append("silent")
        parts += islice((text for slug, text in listing.items() if slug not in addressed), pages.THEME_PAGE_MAX_SOURCES)
        keys.append(hashlib.sha256("\n".join(parts).encode()).hexdigest())
    return keys


def matrix_listing_keys(briefing: Briefing, page_salt: str) -> list[list[tuple[str, int, list[Stance], str]]]:
    """Per theme (in codebook order), the pages of its full matrix listing
    (:func:`listings.matrix_listing`: docs/ path, first row, stances), each with what it
    depends on, hashed: ``page_salt`` (the codebook's titles and labels), its path and
    first row, how many cells the theme has (the page links), and per row the digests of
    its article's slug, file and metadata and of its cell. An edit that changes one cell
    changes the page it is on (and those it moves across, strongest first), not the others."""
    listing = briefing.listings
    out = []
    for view in briefing.themes:
        theme_listing = []
        for path, start, stances in matrix_listing(view):
            parts = [page_salt, path, str(start), str(len(view.stances))]
            parts += [f"{listing[s.article]}:{s.shown}" for s in stances]
            theme_listing.append((path, start, stances, hashlib.sha256("\n".join(parts).encode()).hexdigest()))
        out.append(theme_listing)
    return out


def index_key(briefing: Briefing, page_salt: str) -> str:
    """What the articles index depends on, hashed: per article in corpus order, the digest of
    its slug, file and metadata (:attr:`Article.listing`) and its reading time."""
    parts = [page_salt]
    for article in briefing.articles:
        parts += (article.listing, str(_minutes(article.word_count)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def export_row_key(briefing: Briefing, article: Article, page_salt: str) -> str:
    """What an article's part of the matrix exports depends on, hashed: its slug, file and
    metadata (its entry shows its slug, title and file) and cells, and the codebook's
    titles (in ``page_salt``). Its shard of the memo's ``rows/`` (see
    :class:`buildstate.PageMemo`) comes from the article's file alone
    (:meth:`buildstate.Shelf.key`), so that an edit rewrites one shard, not two."""
    key = "\n".join((page_salt, article.listing, briefing.rows[article.slug].shown))
    return Shelf.key(article.source_file, hashlib.sha256(key.encode()).hexdigest())
