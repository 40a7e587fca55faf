"""Cross-link the analysed corpus: the comparison matrix, agreement, co-occurrence, exports.

Input: articles, their per-theme cells and analyses. Output: a :class:`Briefing`
that the renderer turns into pages, and the matrix exports (JSON and CSV) whose
formats are documented in the README.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from .deferred import bulk
from .records import Article, ArticleAnalysis, Cell, CellRow, Codebook, Mention, Stance, Theme

# Verdicts on a theme across sources.
AGREE = "agree"  # two or more sources take the same position, none differs
DIVERGE = "diverge"  # sources take different positions
SINGLE = "single"  # only one source takes a position
NO_POSITION = "no-position"  # addressed, but no source takes a position
UNADDRESSED = "unaddressed"  # no source addresses it

# Themes that share at least this many paragraphs are listed as co-occurring.
MIN_SHARED_PARAGRAPHS = 1
MAX_CO_OCCURRING = 5
# CSV cells starting with these are prefixed with "'" so spreadsheets do not
# run them as formulas (OWASP CSV injection guidance).
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ThemeView:
    """A theme across the corpus: the stances of the articles that address it. A page that
    lists a source's evidence reads its full cell (:meth:`Briefing.cell`)."""

    theme: Theme
    stances: tuple[Stance, ...]  # of the addressed cells only, in article order
    verdict: str
    positions: tuple[tuple[str, tuple[str, ...]], ...]  # position id -> article slugs
    co_occurring: tuple[tuple[str, int], ...]  # (theme id, shared paragraphs)

    @cached_property
    def strongest(self) -> tuple[Stance, ...]:
        """The stances, strongest first (stable: ties keep article order), as the theme page,
        the matrix overview and the theme's matrix listing list them."""
        return tuple(sorted(self.stances, key=lambda s: -s.strength))


@dataclass(frozen=True)
class EntityView:
    entity_id: str
    name: str
    kind: str
    mentions: tuple[tuple[str, Mention], ...]  # (article slug, mention)

    @property
    def total(self) -> int:
        return sum(m.count for _, m in self.mentions)


@dataclass(frozen=True)
class Briefing:
    """Everything the renderer needs, fully analysed and cross-linked.

    The corpus-wide views (:attr:`themes`, :attr:`entities`) are derived from the
    cells and analyses when first asked for: a rebuild whose listings the renderer
    finds unchanged (see :func:`generator.pagekeys.listing_key` and
    :func:`generator.pagekeys.entities_key`) never needs them."""

    articles: tuple[Article, ...]
    analyses: dict[str, ArticleAnalysis]
    codebook: Codebook
    rows: dict[str, CellRow]  # article slug -> its cells, in codebook order

    def cell(self, slug: str, theme_id: str) -> Cell:
        return self.rows[slug].cells[self._theme_index[theme_id]]

    @cached_property
    def _theme_index(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.codebook.themes)}

    @cached_property
    def themes(self) -> tuple[ThemeView, ...]:
        """Each theme across the corpus, in codebook order."""
        return _theme_views(self.articles, self.codebook, self.rows)

    @cached_property
    def entities(self) -> tuple[EntityView, ...]:
        """Each entity with its mentions, by kind, then most mentioned first."""
        return _entities(self.analyses, self.articles)

    @cached_property
    def titles(self) -> dict[str, str]:
        """Article slug -> title (read-only by convention; computed once)."""
        return {a.slug: a.meta.title for a in self.articles}

    @cached_property
    def listings(self) -> dict[str, str]:
        """Article slug -> :attr:`Article.listing`, in corpus order (read-only by convention;
        computed once, for the page keys)."""
        return {a.slug: a.listing for a in self.articles}

    @cached_property
    def addressed_count(self) -> int:
        """How many article x theme cells are addressed (each view holds its addressed cells)."""
        return sum(len(view.stances) for view in self.themes)

    def article(self, slug: str) -> Article:
        return next(a for a in self.articles if a.slug == slug)


def _verdict(stances: list[Stance]) -> str:
    if not stances:
        return UNADDRESSED
    taken = [s.position for s in stances if s.position]
    if not taken:
        return NO_POSITION
    if len(set(taken)) > 1:
        return DIVERGE
    return AGREE if len(taken) > 1 else SINGLE


def _co_occurrence(rows: dict[str, CellRow]) -> dict[str, Counter]:
    """Per theme, how many (article, paragraph) places it shares with each other theme
    (from each article's :attr:`CellRow.shared_paragraphs`). The places are counted by
    the themes they share first: at 1,000 articles, ~2,000 places share one of ~100
    combinations, and counting pairs per place took 2.1-2.4 ms, per combination 0.5 ms."""
    combinations = Counter(themes for row in rows.values() for themes in row.shared_paragraphs)
    shared: dict[str, Counter] = defaultdict(Counter)
    for themes, places in combinations.items():
        for a in themes:
            for b in themes:
                if a != b:
                    shared[a][b] += places
    return shared


def _entities(analyses: dict[str, ArticleAnalysis], articles: tuple[Article, ...]) -> tuple[EntityView, ...]:
    grouped: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for article in articles:
        for mention in analyses[article.slug].mentions:
            grouped[mention.entity_id].append((article.slug, mention))
    views = [
        EntityView(entity_id=eid, name=ms[0][1].name, kind=ms[0][1].kind, mentions=tuple(ms))
        for eid, ms in grouped.items()
    ]
    views.sort(key=lambda v: (v.kind, -v.total, v.name.lower(), v.entity_id))
    return tuple(views)


def cross_link(
    articles: tuple[Article, ...],
    analyses: dict[str, ArticleAnalysis],
    codebook: Codebook,
    rows: dict[str, CellRow],
) -> Briefing:
    """The briefing of these articles (its corpus-wide views are derived when first read)."""
    return Briefing(articles, analyses, codebook, rows)


def _theme_views(articles: tuple[Article, ...], codebook: Codebook,
                 rows: dict[str, CellRow]) -> tuple[ThemeView, ...]:
    shared = _co_occurrence(rows)
    by_theme: dict[str, list[Stance]] = {t.id: [] for t in codebook.themes}
    for article in articles:
        for stance in rows[article.slug].stances:
            by_theme[stance.theme].append(stance)
    views = []
    for theme in codebook.themes:
        addressed = by_theme[theme.id]
        by_position: dict[str, list[str]] = defaultdict(list)
        for stance in addressed:
            if stance.position:
                by_position[stance.position].append(stance.article)
        order = [p.id for p in theme.positions]
        positions = tuple(
            (pid, tuple(by_position[pid])) for pid in sorted(by_position, key=order.index)
        )
        co = sorted(
            ((other, n) for other, n in shared[theme.id].items() if n >= MIN_SHARED_PARAGRAPHS),
            key=lambda t: (-t[1], t[0]),
        )[:MAX_CO_OCCURRING]
        views.append(ThemeView(theme, tuple(addressed), _verdict(addressed), positions, tuple(co)))
    return tuple(views)


def article_url(slug: str, paragraph: int | None = None) -> str:
    """Site-root-relative URL of an article page (directory URLs), with its paragraph anchor."""
    return f"articles/{slug}/" + (f"#p{paragraph}" if paragraph else "")


@dataclass(frozen=True)
class ExportRows:
    """One article's part of the matrix exports, rendered as UTF-8 bytes (memoised per
    article by the renderer): the exports are megabytes at thousands of articles, and
    joined as bytes they are never decoded, copied as text or encoded again. Read back
    from the memo's shelf, each part is a read-only ``memoryview`` (of the mapped shard
    file, see :func:`buildstate.load_shard`): joined, tested for emptiness and compared
    for equality as the bytes would be, and never used otherwise."""

    json_article: bytes | memoryview  # its entry in the JSON export's "articles"
    json_cells: bytes | memoryview  # its cells as JSON objects, one per line, joined by b",\n  "
    csv_rows: bytes | memoryview  # its CSV rows, each ending in b"\n"

    def __reduce_ex__(self, protocol: int) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(bulk(p, protocol) for p in (self.json_article, self.json_cells, self.csv_rows))


def article_export_rows(briefing: Briefing, article: Article) -> ExportRows:
    """The JSON entry, JSON cells and CSV rows of one article, in codebook order (see README: "Matrix exports")."""
    records = []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for theme in briefing.codebook.themes:
        cell = briefing.cell(article.slug, theme.id)
        evidence = [{"quote": ev.sentence.text, "anchor": article_url(article.slug, ev.sentence.paragraph)}
                    for ev in cell.evidence]
        records.append(json.dumps({
            "article": article.slug, "theme": theme.id, "strength": cell.strength,
            "position": cell.position, "pinned": cell.pinned, "evidence": evidence,
        }, ensure_ascii=False))
        first = evidence[0] if evidence else {"quote": "", "anchor": ""}
        # Only the free-text fields can start with a formula character: ids are
        # [a-z0-9-] starting with a letter or digit, the anchor starts "articles/".
        writer.writerow((
            article.slug, _csv_safe(article.meta.title), theme.id, _csv_safe(theme.title),
            f"{cell.strength:.3f}", cell.position or "", "true" if cell.pinned else "false",
            len(evidence), _csv_safe(first["quote"]), first["anchor"],
        ))
    entry = json.dumps({"id": article.slug, "title": article.meta.title, "source_file": article.source_file},
                       ensure_ascii=False)
    return ExportRows(entry.encode("utf-8"), ",\n  ".join(records).encode("utf-8"), out.getvalue().encode("utf-8"))


def _export_rows(briefing: Briefing, rows: list[ExportRows] | None) -> list[ExportRows]:
    return rows if rows is not None else [article_export_rows(briefing, a) for a in briefing.articles]


def matrix_json(briefing: Briefing, rows: list[ExportRows] | None = None) -> str:
    """The JSON export: one article, theme or cell per line (diff-friendly, and fast:
    json's C encoder only runs without ``indent``). ``rows``: per article, if already made."""
    return matrix_json_bytes(briefing, rows).decode("utf-8")


def matrix_json_bytes(briefing: Briefing, rows: list[ExportRows] | None = None) -> bytes:
    """:func:`matrix_json`, as the UTF-8 bytes the site publishes."""
    rows = _export_rows(briefing, rows)
    articles = [r.json_article for r in rows]
    themes = [json.dumps({"id": t.id, "title": t.title}, ensure_ascii=False).encode("utf-8")
              for t in briefing.codebook.themes]
    cells = [r.json_cells for r in rows if r.json_cells]
    # One join of every fragment: the file is megabytes at thousands of articles, and
    # each intermediate string would be another copy of it.
    out = [b"{\n"]
    for name, items in ((b"articles", articles), (b"themes", themes), (b"cells", cells)):
        if out[-1] != b"{\n":
            out.append(b",\n")
        if not items:
            out.append(b'"%s": []' % name)
            continue
        out.append(b'"%s": [\n  ' % name)
        for i, item in enumerate(items):
            out += (b",\n  ", item) if i else (item,)
        out.append(b"\n]")
    out.append(b"\n}\n")
    return b"".join(out)


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_CSV_FORMULA_START):
        return "'" + value
    return value


CSV_HEADER = ("article,article_title,theme,theme_title,strength,position,"
              "pinned,evidence_count,quote,anchor\n")


def matrix_csv(briefing: Briefing, rows: list[ExportRows] | None = None) -> str:
    """One row per article x theme; the strongest quote and its anchor."""
    return matrix_csv_bytes(briefing, rows).decode("utf-8")


def matrix_csv_bytes(briefing: Briefing, rows: list[ExportRows] | None = None) -> bytes:
    """:func:`matrix_csv`, as the UTF-8 bytes the site publishes."""
    # One join, header included: the file is megabytes at thousands of articles.
    return b"".join([CSV_HEADER.encode("utf-8"), *(r.csv_rows for r in _export_rows(briefing, rows))])
