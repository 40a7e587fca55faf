"""Render the cross-linked briefing into the files of ``docs/`` with Jinja2 templates.

Templates in ``site_templates/`` hold presentation only; their contexts are
built in :mod:`pages` and :mod:`listings`. Article text only ever enters a template as a *value*:
the environment's ``finalize`` escapes every ``{{ … }}`` output with
:func:`escape.md_escape` unless the generator marked it as trusted Markdown
(:class:`escape.Md`), so untrusted text can never become Markdown, HTML, a
link or Jinja syntax.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import TEMPLATES
from .escape import Md, md_escape, md_link
from .heatmap import heatmap_svg
from .matrix import Briefing, ExportRows, article_export_rows, matrix_csv, matrix_json
from .contexts import IndexPage, PrintPage, SearchPage
from .listings import article_index_pages, entities_page, listed_entities, matrix_page, matrix_theme_pages
from .pages import PRINT_MAX_ARTICLES, _cut, _minutes, _newest_first, article_page, home_page, print_source, theme_page
from .records import Article
from .site import Encoded

if TYPE_CHECKING:
    from .buildstate import PageMemo


def _finalize(value: object) -> object:
    if isinstance(value, (Md, bool, int, float)):
        return value
    return md_escape(value)


def environment(templates: Path = TEMPLATES, cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment; with ``cache_dir``, compiled templates are kept there between runs."""
    bytecode = None
    if cache_dir is not None:
        (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(cache_dir / "jinja"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=bytecode,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,  # Markdown, not HTML: escaping is done by finalize
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cut"] = _cut
    # join keeps trusted links trusted and escapes everything else.
    env.filters["join"] = lambda items, sep="": Md(sep.join(str(_finalize(i)) for i in items))
    # Only for the output of this project's own macros, whose every {{ }} was
    # already escaped by finalize inside the macro.
    env.filters["rendered"] = Md
    return env


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
    their :func:`listing_key`."""

    digests: dict[str, bytes]  # docs/ path -> the page's digest (see site.Encoded)
    print_head: str  # the print page's part before the sources


@dataclass(frozen=True)
class EntityIndex:
    """What the page memo keeps of the entities index, under its :func:`entities_key`."""

    listed: frozenset[str]  # the entity ids the index lists
    digest: bytes  # entities.md's digest (see site.Encoded)


def export_row_key(briefing: Briefing, article: Article, page_salt: str) -> str:
    """What an article's rows of the matrix exports depend on, hashed: its slug, title and
    cells, and the codebook's titles (in ``page_salt``)."""
    key = "\n".join((page_salt, article.listing, briefing.rows[article.slug].shown))
    return hashlib.sha256(key.encode()).hexdigest()


# Article pages (and their rows of the matrix exports) are rendered by a pool of
# forked processes (which inherit the briefing, so nothing but texts crosses
# processes) when at least this many need rendering: each takes ~1 ms, a fork
# pool ~50 ms to start.
PARALLEL_RENDER_MIN_PAGES = 200
_RENDER_STATE: dict[str, object] = {}


def _render_chunk(indices: list[int]) -> list[tuple[str, ExportRows]]:
    briefing, listed, pagefind, template = (_RENDER_STATE[k] for k in ("briefing", "listed", "pagefind", "template"))
    out = []
    for i in indices:
        article = briefing.articles[i]  # type: ignore[attr-defined]
        page = article_page(briefing, article, 1, listed, pagefind)  # type: ignore[arg-type]
        out.append((template.render(page=page), article_export_rows(briefing, article)))  # type: ignore
    return out


def _render_articles(briefing: Briefing, todo: list[int], listed: frozenset[str], pagefind: bool,
                     env: jinja2.Environment, workers: int) -> list[tuple[str, ExportRows]]:
    """The article pages at indices ``todo`` with their export rows, in order; in parallel
    when it pays (same output). Forked workers inherit the briefing for free; only on Linux,
    where fork is Python's own default (macOS defaults to spawn: fork is unsafe there)."""
    _RENDER_STATE.update(briefing=briefing, listed=listed, pagefind=pagefind,
                         template=env.get_template("article.md.j2"))
    try:
        if len(todo) < PARALLEL_RENDER_MIN_PAGES or workers < 2 or not sys.platform.startswith("linux"):
            return _render_chunk(todo)
        import multiprocessing as mp  # here: a rebuild renders a few pages in this process

        size = -(-len(todo) // (workers * 4))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        with mp.get_context("fork").Pool(workers) as pool:
            return [done for chunk in pool.map(_render_chunk, chunks) for done in chunk]
    finally:
        _RENDER_STATE.clear()


def render_site(briefing: Briefing, as_of: str | None, templates: Path = TEMPLATES,
                search: str = "lunr", memo: PageMemo | None = None, salt: str = "",
                cache_dir: Path | None = None, workers: int = 1) -> dict[str, str | Encoded]:
    """All generated files of ``docs/``, as relative POSIX path -> text. No I/O but template
    reads (and the memo's rows, see below).

    ``search``: "lunr" or "pagefind" (see :func:`search_mode`). ``memo``: what earlier
    builds rendered (see :class:`buildstate.PageMemo`): the digest of each article page
    by :func:`article_page_key`, of the entities index by :func:`entities_key`, of each
    other corpus-wide page by :func:`listing_key` (all with ``salt``), each article's
    part of the print page, and its rows of the exports
    by :func:`export_row_key`. It is updated in place to hold exactly this run's pages,
    so an incremental build renders only what changed: the edited articles' pages, and
    the corpus-wide pages only if the edit changes what they show (the rows are then
    read). With a memo, pages are given as :class:`site.Encoded`; one the memo has is
    rendered again only if the writer must write it (its file was changed or removed).
    Without a memo, as text.
    """
    env = environment(templates, cache_dir)
    pagefind = search == "pagefind"
    previous = dict(memo.pages) if memo is not None else {}
    fresh: dict[str, object] = {}

    def render(name: str, page: object) -> str:
        return env.get_template(name).render(page=page)

    page_salt = f"{salt}|{search}|{codebook_labels(briefing)}"
    index = f"{entities_key(briefing, page_salt)}|entities" if memo is not None else ""
    known = previous.get(index) if index else None
    known = known if isinstance(known, EntityIndex) else None
    shown = listed_entities(briefing) if known is None else ()
    listed = known.listed if known is not None else frozenset(e.entity_id for e in shown)
    listing = f"{listing_key(briefing, page_salt, as_of)}|listings" if memo is not None else ""
    kept = previous.get(listing) if listing else None
    kept = kept if isinstance(kept, Listings) else None
    articles = briefing.articles
    keys = [article_page_key(briefing, a, listed, page_salt) if memo is not None else "" for a in articles]
    todo = [i for i, key in enumerate(keys) if not isinstance(previous.get(key), bytes)]
    made = dict(zip(todo, _render_articles(briefing, todo, listed, pagefind, env, workers), strict=True))

    def again(i: int) -> str:  # an article page the memo has, for the writer, if it must write it
        return render("article.md.j2", article_page(briefing, articles[i], 1, listed, pagefind))

    pages: dict[str, str | Encoded] = {}
    for i, (article, key) in enumerate(zip(articles, keys, strict=True)):
        if i in made:
            text = made[i][0]
            page: str | Encoded = Encoded.of(text) if memo is not None else text
        else:
            page = Encoded(previous[key], make=functools.partial(again, i))  # type: ignore[arg-type]
        pages[f"articles/{article.slug}.md"] = page
        if memo is not None:
            fresh[key] = page.digest  # type: ignore[union-attr]

    def entities() -> str:
        return render("entities.md.j2", entities_page(briefing, shown or listed_entities(briefing)))

    if known is None:
        text = entities()
        pages["entities.md"] = Encoded.of(text) if memo is not None else text
        known = EntityIndex(listed, pages["entities.md"].digest if memo is not None else b"")  # type: ignore[union-attr]
    else:
        pages["entities.md"] = Encoded(known.digest, make=entities)
    if memo is not None:
        fresh[index] = known

    @functools.cache
    def corpus() -> dict[str, str]:
        rows = _export_rows(briefing, made, memo, page_salt)
        return corpus_pages(briefing, as_of, pagefind, rows, render)

    if kept is None:
        texts = dict(corpus())
        head = texts.pop("print.md")
        corpus_wide: dict[str, str | Encoded] = {p: Encoded.of(t) if memo is not None else t for p, t in texts.items()}
        kept = Listings({p: e.digest for p, e in corpus_wide.items() if isinstance(e, Encoded)}, head)
    else:
        corpus_wide = {p: Encoded(d, make=lambda p=p: corpus()[p]) for p, d in kept.digests.items()}
    pages.update(corpus_wide)
    if memo is not None:
        fresh[listing] = kept
    # The print page: its themes part, then each of the newest sources' part (memoised
    # by its article's page key).
    key_of = dict(zip((a.slug for a in articles), keys, strict=True))
    parts = [kept.print_head]
    for article in _newest_first(articles)[:PRINT_MAX_ARTICLES]:
        key = f"{key_of[article.slug]}|print" if memo is not None else ""
        part = previous.get(key) if key else None
        if not isinstance(part, str):
            part = render("print_source.md.j2", print_source(briefing, article))
        if memo is not None:
            fresh[key] = part
        parts.append(part)
    pages["print.md"] = "".join(parts)
    if memo is not None:
        memo.pages.clear()
        memo.pages.update(fresh)
    return pages


def _export_rows(briefing: Briefing, made: dict[int, tuple[str, ExportRows]], memo: PageMemo | None,
                 page_salt: str) -> list[ExportRows]:
    """Every article's rows of the matrix exports: made with its page this run, else kept by
    the memo (which then holds exactly these), else made now."""
    if memo is None:
        return [made[i][1] if i in made else article_export_rows(briefing, a) for i, a in enumerate(briefing.articles)]
    kept = memo.rows()
    rows, fresh = [], {}
    for i, article in enumerate(briefing.articles):
        key = export_row_key(briefing, article, page_salt)
        row = made[i][1] if i in made else kept.get(key)
        if not isinstance(row, ExportRows):
            row = article_export_rows(briefing, article)
        rows.append(row)
        fresh[key] = row
    kept.clear()
    kept.update(fresh)
    return rows


def corpus_pages(briefing: Briefing, as_of: str | None, pagefind: bool, rows: list[ExportRows],
                 render) -> dict[str, str]:
    """Every page but the article pages and the entities index, and of the print page its
    part before the sources: all of it built from what :func:`listing_key` covers."""
    pages = {"index.md": render("home.md.j2", home_page(briefing, as_of, pagefind))}
    if pagefind:
        pages["search.md"] = render("search.md.j2", SearchPage(len(briefing.articles)))
    for view in briefing.themes:
        pages[f"themes/{view.theme.id}.md"] = render("theme.md.j2", theme_page(briefing, view, 1, pagefind))
        for path, page in matrix_theme_pages(briefing, view).items():
            pages[path] = render("matrix_theme.md.j2", page)
    pages["matrix.md"] = render("matrix.md.j2", matrix_page(briefing))
    pages["print.md"] = render("print.md.j2", PrintPage(
        themes=tuple(theme_page(briefing, v, depth=0) for v in briefing.themes),
        shown=min(len(briefing.articles), PRINT_MAX_ARTICLES), total=len(briefing.articles),
    ))
    for path, page in article_index_pages(briefing).items():
        pages[path] = render("articles.md.j2", page)
    pages["themes/index.md"] = render("themes.md.j2", IndexPage(rows=tuple(
        (md_link(v.theme.title, f"{v.theme.id}.md"), v.theme.description, len(v.cells), v.verdict)
        for v in briefing.themes)))
    pages["data/matrix.json"] = matrix_json(briefing, rows)
    pages["data/matrix.csv"] = matrix_csv(briefing, rows)
    pages["img/heatmap.svg"] = heatmap_svg(briefing)
    return pages
