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
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import TEMPLATES, corpuswide
from .escape import Md, md_escape
from .listings import entities_page, listed_entities
from .matrix import Briefing, ExportRows, article_export_rows
from .pagekeys import (EntityIndex, Listings, PageGroup, article_page_key, codebook_labels, entities_key,
                       export_row_key, listing_key)
from .pages import PRINT_MAX_ARTICLES, _cut, _newest_first, article_page, print_source
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
    builds rendered (see :class:`buildstate.PageMemo`), under the keys of
    :mod:`pagekeys` (all with ``salt``): the digest of each article page, of the entities
    index, of the other corpus-wide pages as a whole and of each of their groups (a
    theme's page with its part of the print page; each page of its matrix listing; the
    articles index), each article's part of the print page, and its rows of the exports.
    It is updated in place to hold exactly this run's pages, so an incremental build
    renders only what changed: the edited articles' pages, and of the corpus-wide pages
    only those of the groups whose keys the edit changed, and then the overview pages
    (home, matrix, exports, for which the rows are read; see :mod:`corpuswide`). With a
    memo, pages are given as :class:`site.Encoded`; one the
    memo has is rendered again only if the writer must write it (its file was changed or
    removed). Without a memo, as text.
    """
    env = environment(templates, cache_dir)
    pagefind = search == "pagefind"
    previous = dict(memo.pages) if memo is not None else {}
    fresh: dict[str, object] = {}

    def render(name: str, page: object) -> str:
        return env.get_template(name).render(page=page)

    page_salt = f"{salt}|{search}|{codebook_labels(briefing)}"
    listing = f"{listing_key(briefing, page_salt, as_of)}|listings" if memo is not None else ""
    kept = previous.get(listing) if listing else None
    kept = kept if isinstance(kept, Listings) else None
    articles = briefing.articles
    pages: dict[str, str | Encoded] = {}
    @functools.cache
    def article_pages() -> tuple[list[str], dict[int, tuple[str, ExportRows]]]:
        """The article pages and the entities index (into ``pages``), once: each article
        page's key, and the article pages made this run with their export rows, by index."""
        entity_index = f"{entities_key(briefing, page_salt)}|entities" if memo is not None else ""
        known = previous.get(entity_index) if entity_index else None
        known = known if isinstance(known, EntityIndex) else None
        shown = listed_entities(briefing) if known is None else ()
        listed = known.listed if known is not None else frozenset(e.entity_id for e in shown)
        keys = [article_page_key(briefing, a, listed, page_salt) if memo is not None else "" for a in articles]
        todo = [i for i, key in enumerate(keys) if not isinstance(previous.get(key), bytes)]
        made = dict(zip(todo, _render_articles(briefing, todo, listed, pagefind, env, workers), strict=True))

        def again(i: int) -> str:  # an article page the memo has, for the writer, if it must write it
            return render("article.md.j2", article_page(briefing, articles[i], 1, listed, pagefind))

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
            fresh[entity_index] = known
        return keys, made

    @functools.cache
    def corpus() -> dict[str, str]:  # every corpus-wide page, should the writer need one the memo has
        return corpuswide.corpus_pages(briefing, as_of, pagefind, _export_rows(briefing, article_pages()[1], memo,
                                                                               page_salt), render)

    if kept is not None and all(isinstance(previous.get(key), PageGroup) for key in kept.groups):
        article_pages()
        corpus_wide: dict[str, str | Encoded] = {p: Encoded(d, make=lambda p=p: corpus()[p])
                                                 for p, d in kept.digests.items()}
        fresh.update({key: previous[key] for key in kept.groups})
    else:  # something they show changed: the groups whose keys did not change are kept
        if not previous:
            # A first build renders every page: its article pages by a pool of processes
            # (see _render_articles) before the groups are. A rebuild with a memo makes the
            # article pages it must (an edit's few; every one if the templates, settings or
            # codebook labels changed, then with its pool too) while a forked process
            # renders the corpus-wide groups (see corpuswide.Groups), and then the
            # exports, which need their rows.
            article_pages()
        groups = corpuswide.Groups(previous, fresh, memo is not None)
        corpus_wide, kept = corpuswide.render_listings(
            briefing, as_of, pagefind, page_salt, groups,
            lambda: _export_rows(briefing, article_pages()[1], memo, page_salt), render, workers)
    keys = article_pages()[0]
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
