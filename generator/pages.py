"""Build the context (see :mod:`contexts`) of each article, theme, home and print page.

One builder per page turns the cross-linked :class:`matrix.Briefing` into the
presentation-ready values its template receives: links, labels, percentages,
cut quotes; the helpers for those are shared with :mod:`listings`, which builds
the paginated corpus-wide listings. The bounds that keep these pages readable
at thousands of articles are named constants here, as is the choice of search
engine by corpus size (:func:`search_mode`).
"""

from __future__ import annotations

import json
import math
from itertools import islice

from .contexts import (
    ArticlePage,
    ArticleTheme,
    EntityRow,
    HomePage,
    MetaRow,
    ParagraphRow,
    PrintSource,
    QuoteRow,
    Ref,
    SourceOnTheme,
    SourceRow,
    ThemePage,
    ThemeRow,
)
from .escape import Md, html_escape, md_escape, md_link, safe_url
from .matrix import Briefing, ThemeView
from .records import BLOCKQUOTE, Article, Cell, Metadata, Sentence, Stance

# Average adult silent reading speed for non-fiction (Brysbaert 2019: 238 wpm).
WORDS_PER_MINUTE = 238
# Evidence quotes shown per source on a theme page and per theme on an article page.
QUOTES_PER_SOURCE = 3
# Characters of a quote shown in a matrix cell before it is cut with an ellipsis.
CELL_QUOTE_CHARS = 160
# Bounds that keep every page readable and its size independent of the corpus
# size (a 3,000-article briefing must not produce multi-megabyte index pages);
# those of the listings are in :mod:`listings`.
HOME_MAX_SOURCES = 20  # newest first; the rest via the articles index
THEME_PAGE_MAX_SOURCES = 30  # strongest first; the rest via the theme's matrix pages
PRINT_MAX_ARTICLES = 60  # newest first
# Sources named per position in a verdict line (home, theme and print pages), in
# article order; then "and N more" links to the theme's full listing.
STANCE_MAX_SOURCES = 5
# Full-text search: Material's lunr index is downloaded whole by the browser
# (12.6 MB at 3,000 articles; pages freeze past ~10 MB). From this many articles
# on, "auto" switches article text to Pagefind, whose sharded index loads only
# what a query needs; Material's search then covers the other pages.
PAGEFIND_MIN_ARTICLES = 500
NOT_STATED = "not stated"
NOT_ADDRESSED = "not addressed"


def search_mode(requested: str, articles: int) -> str:
    """"lunr" (Material's built-in search) or "pagefind"; "auto" decides by corpus size."""
    if requested == "auto":
        return "pagefind" if articles >= PAGEFIND_MIN_ARTICLES else "lunr"
    return requested


# ---- helpers -----------------------------------------------------------------------

def _article_href(slug: str, paragraph: int | None = None, depth: int = 1) -> Md:
    """Relative link to an article page (slugs are [a-z0-9-], so this is trusted)."""
    up = "../" * depth
    return Md(f"{up}articles/{slug}.md" + (f"#p{paragraph}" if paragraph else ""))


def _theme_href(theme_id: str, depth: int = 1) -> Md:
    return Md(f"{'../' * depth}themes/{theme_id}.md")


def _ref(sentence: Sentence, slug: str, depth: int) -> Ref:
    return Ref(sentence.text, _article_href(slug, sentence.paragraph, depth))


def _front_title(title: str) -> Md:
    """A page title for YAML front matter: HTML-escaped, then a JSON (= YAML) string.

    MkDocs themes print ``page.meta.title`` raw into ``<title>`` and the header;
    without it Material derives the title from the rendered heading and passes
    it through ``striptags``, which un-escapes entities: a title such as
    ``</title><script>`` would then run.
    """
    return Md(json.dumps(html_escape(title)))


def _newest_first(articles: tuple[Article, ...]) -> list[Article]:
    """Dated articles newest first, then undated ones, each group in input order."""
    dated = sorted((a for a in articles if a.meta.date), key=lambda a: a.meta.date, reverse=True)
    return dated + [a for a in articles if not a.meta.date]


def _pages(count: int, per_page: int, href) -> tuple[Md, ...]:
    """Links to the pages of a paginated listing; ``href(n)`` gives page n's link."""
    total = max(1, -(-count // per_page))
    return tuple(md_link(f"{n}", href(n)) for n in range(1, total + 1)) if total > 1 else ()


def _minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def _pct(strength: float) -> str:
    return f"{round(strength * 100)}%"


def _cut(text: str, limit: int = CELL_QUOTE_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _position_label(briefing: Briefing, cell: Cell | Stance) -> str:
    if not cell.position:
        return ""
    theme = briefing.codebook.theme(cell.theme)
    position = theme.position(cell.position) if theme else None
    return position.label if position else cell.position


# ---- page builders -----------------------------------------------------------------

def _meta_rows(meta: Metadata) -> tuple[MetaRow, ...]:
    """An article's metadata as shown on its page and on the print page."""
    url = safe_url(meta.url)
    rows = [
        MetaRow("Outlet", meta.outlet or NOT_STATED, "outlet" in meta.inferred),
        MetaRow("Section", meta.section or NOT_STATED, "section" in meta.inferred),
        MetaRow("Author", meta.author or NOT_STATED, "author" in meta.inferred),
    ]
    if meta.author_note:
        rows.append(MetaRow("About the author", meta.author_note, "author_note" in meta.inferred))
    rows.append(MetaRow("Date", meta.date or NOT_STATED, "date" in meta.inferred))
    if meta.republished_from:
        rows.append(MetaRow("Republished from", meta.republished_from, "republished_from" in meta.inferred))
    if meta.photo_credit:
        rows.append(MetaRow("Photo credit", meta.photo_credit, "photo_credit" in meta.inferred))
    rows.append(MetaRow("Original", md_link(meta.url, url) if url else NOT_STATED, False))
    return tuple(rows)


def article_page(briefing: Briefing, article: Article, depth: int = 1,
                 listed: frozenset[str] | None = None, pagefind: bool = False) -> ArticlePage:
    """``depth``: how many folders below docs/ the page lives; ``listed``: entity ids the index shows."""
    meta = article.meta
    analysis = briefing.analyses[article.slug]
    themes, unaddressed = [], []
    for theme in briefing.codebook.themes:
        cell = briefing.cell(article.slug, theme.id)
        link = md_link(theme.title, _theme_href(theme.id, depth))
        if not cell.addressed:
            unaddressed.append(link)
            continue
        themes.append(ArticleTheme(
            link=link, strength=_pct(cell.strength), position=_position_label(briefing, cell),
            pinned=cell.pinned,
            evidence=tuple(_ref(e.sentence, article.slug, depth) for e in cell.evidence[:QUOTES_PER_SOURCE]),
        ))
    themes.sort(key=lambda t: -int(t.strength.rstrip("%")))

    quotes = tuple(
        QuoteRow(q.text, q.speaker or "speaker not stated", _article_href(article.slug, q.sentence.paragraph, depth))
        for q in analysis.quotes
    )
    entities = tuple(
        EntityRow(
            link=(md_link(m.name, Md(f"{'../' * depth}entities.md#{m.entity_id}"))
                  if listed is None or m.entity_id in listed else md_escape(m.name)),
            kind=m.kind, count=m.count,
            places=tuple(md_link(f"¶{n}", f"#p{n}") for n in m.paragraphs),
        )
        for m in analysis.mentions
    )
    paragraphs, previous = [], None
    for p in article.paragraphs:
        quote = p.kind == BLOCKQUOTE
        # Name the source once at the start of a run of excerpt paragraphs.
        shown = p.attribution if quote and (previous is None or previous != (True, p.attribution)) else None
        paragraphs.append(ParagraphRow(p.anchor, p.text, quote, shown))
        previous = (quote, p.attribution)
    return ArticlePage(
        front_title=_front_title(meta.title), pagefind=pagefind, title=meta.title, subtitle=meta.subtitle, meta=_meta_rows(meta), editor_summary=meta.editor_summary,
        summary=tuple(_ref(s, article.slug, depth) for s in analysis.summary),
        key_points=tuple(_ref(s, article.slug, depth) for s in analysis.key_points),
        themes=tuple(themes), unaddressed=tuple(unaddressed), quotes=quotes, entities=entities,
        paragraphs=tuple(paragraphs), source_file=article.source_file, words=article.word_count,
        minutes=_minutes(article.word_count), removed_lines=len(article.removed_lines),
    )


def print_source(briefing: Briefing, article: Article) -> PrintSource:
    """One source's part of the print page (links lead from docs/ itself)."""
    analysis = briefing.analyses[article.slug]
    return PrintSource(
        title=article.meta.title, meta=_meta_rows(article.meta), editor_summary=article.meta.editor_summary,
        summary=tuple(_ref(s, article.slug, 0) for s in analysis.summary),
        key_points=tuple(_ref(s, article.slug, 0) for s in analysis.key_points),
    )


def _stance(briefing: Briefing, view: ThemeView, titles: dict[str, str], depth: int) -> tuple[tuple[str, tuple[Md, ...]], ...]:
    """Per position taken on the theme: its label and links to the sources that take it
    (the first :data:`STANCE_MAX_SOURCES`, then a link to the full listing)."""
    theme = view.theme
    listing = Md(f"{'../' * depth}matrix/{theme.id}/index.md")
    out = []
    for pid, slugs in view.positions:
        position = theme.position(pid)
        links = [md_link(titles[s], _article_href(s, None, depth)) for s in slugs[:STANCE_MAX_SOURCES]]
        if len(slugs) > STANCE_MAX_SOURCES:
            links.append(md_link(f"and {len(slugs) - STANCE_MAX_SOURCES} more in the list of every source", listing))
        out.append((position.label if position else pid, tuple(links)))
    return tuple(out)


def theme_page(briefing: Briefing, view: ThemeView, depth: int = 1, pagefind: bool = False) -> ThemePage:
    theme = view.theme
    titles = briefing.titles
    listed = [briefing.cell(s.article, theme.id) for s in view.strongest[:THEME_PAGE_MAX_SOURCES]]
    sources = tuple(
        SourceOnTheme(
            link=md_link(titles[c.article], _article_href(c.article, None, depth)),
            position=_position_label(briefing, c), pinned=c.pinned, strength=_pct(c.strength),
            quotes=tuple(_ref(e.sentence, c.article, depth) for e in c.evidence[:QUOTES_PER_SOURCE]),
        )
        for c in listed
    )
    addressed = {s.article for s in view.stances}
    known = {t.id for t in briefing.codebook.themes}
    return ThemePage(
        front_title=_front_title(theme.title), pagefind=pagefind, title=theme.title, description=theme.description,
        listing=Md(f"{'../' * depth}matrix/{theme.id}/index.md"),
        hidden=max(0, len(view.stances) - THEME_PAGE_MAX_SOURCES), cues=tuple(c.text for c in theme.cues),
        positions=tuple((p.label, p.description or "") for p in theme.positions),
        verdict=view.verdict,
        stance=_stance(briefing, view, titles, depth),
        sources=sources,
        silent=tuple(md_link(a.meta.title, _article_href(a.slug, None, depth)) for a in islice(
            (a for a in briefing.articles if a.slug not in addressed), THEME_PAGE_MAX_SOURCES)),
        related=tuple(md_link(briefing.codebook.theme(r).title, _theme_href(r, depth)) for r in theme.related if r in known),
        co_occurring=tuple((md_link(briefing.codebook.theme(t).title, _theme_href(t, depth)), n) for t, n in view.co_occurring),
    )


def _heatmap_alt(briefing: Briefing) -> str:
    covered = briefing.addressed_count
    return (f"Coverage heatmap: {len(briefing.codebook.themes)} themes by {len(briefing.articles)} articles; "
            f"{covered} of {len(briefing.articles) * len(briefing.codebook.themes)} cells addressed; the comparison matrix gives every value.")


def home_page(briefing: Briefing, as_of: str | None, pagefind: bool = False) -> HomePage:
    sources = tuple(
        SourceRow(
            link=md_link(a.meta.title, _article_href(a.slug, None, 0)),
            outlet=a.meta.outlet or NOT_STATED, author=a.meta.author or NOT_STATED,
            date=a.meta.date or NOT_STATED, minutes=_minutes(a.word_count),
        )
        for a in _newest_first(briefing.articles)[:HOME_MAX_SOURCES]
    )
    titles = briefing.titles
    themes = tuple(
        ThemeRow(
            link=md_link(v.theme.title, _theme_href(v.theme.id, 0)), verdict=v.verdict,
            description=v.theme.description,
            positions=_stance(briefing, v, titles, 0),
            addressed_by=len(v.stances),
        )
        for v in briefing.themes
    )
    return HomePage(as_of, sources, themes, _heatmap_alt(briefing), len(briefing.articles),
                    Md("search.md") if pagefind else None)
