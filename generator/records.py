"""Typed, immutable records passed between the pipeline stages.

Ingest produces :class:`Article`; analysis adds :class:`ArticleAnalysis`; the
codebook is a :class:`Codebook` of :class:`Theme`; theme matching produces one
:class:`Cell` per article x theme, backed by :class:`Evidence`, an article's
cells forming one :class:`CellRow`; the three together are one
:class:`ArticleWork`, what the analysis cache keeps. Nothing here
does I/O. Every piece of article text kept in these records is verbatim source
text, so that everything the site shows can be traced to a paragraph anchor.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from .deferred import Deferred, digest
from .slugs import slugify

# Paragraph kinds.
TEXT = "text"
BLOCKQUOTE = "blockquote"


@dataclass(frozen=True)
class Sentence:
    """One sentence, verbatim, located in its paragraph."""

    paragraph: int  # 1-based paragraph number; the anchor is f"p{paragraph}"
    index: int  # 0-based position inside the paragraph
    text: str
    start: int  # character offsets of ``text`` inside the paragraph text
    end: int

    @property
    def id(self) -> str:
        return f"p{self.paragraph}s{self.index + 1}"

    @property
    def anchor(self) -> str:
        return f"p{self.paragraph}"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of body text (or one paragraph of a block quote)."""

    number: int  # 1-based, stable for the same text
    text: str
    sentences: tuple[Sentence, ...]
    kind: str = TEXT  # TEXT or BLOCKQUOTE
    attribution: str | None = None  # for block quotes: what the article says they quote

    @property
    def anchor(self) -> str:
        return f"p{self.number}"


@dataclass(frozen=True)
class Metadata:
    """What is known about an article. ``None`` means "not stated".

    ``inferred`` names the fields that were guessed from the text rather than
    given by the analyst (sidecar/front matter) or by structured HTML metadata.
    """

    title: str
    subtitle: str | None = None
    author: str | None = None
    author_note: str | None = None
    outlet: str | None = None
    section: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    url: str | None = None  # http(s) only; anything else is dropped at ingest
    republished_from: str | None = None
    photo_credit: str | None = None
    editor_summary: str | None = None  # hand-written summary from the sidecar
    inferred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pin:
    """A position pinned by the editor in a sidecar or front matter, and where it was written."""

    theme: str
    position: str
    file: str  # the sidecar or Markdown file, as shown in messages
    line: int | None = None


@dataclass(frozen=True)
class Article(Deferred):
    """One source article after ingest and cleaning (paragraphs unpickled when first read)."""

    _deferred = ("paragraphs",)
    _kept = ("word_count", "listing", "base_slug")  # what every rebuild reads of every article
    _dropped = ("sentences",)

    slug: str  # unique, file-name safe; the page is f"articles/{slug}.md"
    source_file: str  # path relative to the seeds folder, e.g. "000_02ab58f7c63c58da.txt"
    meta: Metadata
    paragraphs: tuple[Paragraph, ...]
    pins: tuple[Pin, ...] = ()
    removed_lines: tuple[str, ...] = ()  # page furniture dropped by the cleaner
    content_hash: str = ""  # ingest.content_hash of the raw input bytes and sidecar

    @property
    def pinned_positions(self) -> tuple[tuple[str, str], ...]:
        """(theme id, position id) pairs pinned by the editor."""
        return tuple((p.theme, p.position) for p in self.pins)

    # Computed once per record (every stage asks): cached_property stores into the
    # instance __dict__, which a frozen dataclass allows; fields, equality and repr
    # are unchanged.
    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for p in self.paragraphs for s in p.sentences)

    @cached_property
    def word_count(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs)

    @cached_property
    def base_slug(self) -> str:
        """The slug of its title alone (:func:`slugs.slugify`), which the corpus numbers where
        titles collide (:func:`corpus.collect`): kept with the record, so that a rebuild does
        not slugify every title again (~1.5 ms at 1,000 articles)."""
        return slugify(self.meta.title)

    @cached_property
    def listing(self) -> str:
        """A digest of what pages other than the article's own can show of it: its slug,
        file and metadata (see :func:`generator.pagekeys.listing_key` and
        :func:`generator.pagekeys.entities_key`)."""
        meta = tuple(sorted(v) if isinstance(v, frozenset) else v for v in vars(self.meta).values())
        return digest(repr((self.slug, self.source_file, meta)))


@dataclass(frozen=True)
class Quote:
    """A direct quotation found in an article, with its speaker when the text says."""

    text: str  # the words inside the quotation marks, verbatim
    speaker: str | None
    sentence: Sentence


@dataclass(frozen=True)
class Mention:
    """An entity (person, place, organisation) and where an article mentions it."""

    entity_id: str  # stable slug, shared across articles
    name: str  # canonical name
    kind: str  # "person" | "place" | "organisation"
    paragraphs: tuple[int, ...]  # paragraph numbers, sorted, unique
    count: int


@dataclass(frozen=True)
class ArticleAnalysis(Deferred):
    """Everything derived from one article alone (unpickled when first read)."""

    _deferred = ("summary", "key_points", "quotes", "mentions")
    _kept = ("listing", "entity_ids")

    slug: str
    summary: tuple[Sentence, ...]
    key_points: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]  # no defaults for deferred fields: see Deferred.__init_subclass__
    mentions: tuple[Mention, ...]

    @cached_property
    def listing(self) -> str:
        """A digest of what pages other than the article's own can show of its analysis:
        its mentions (the entities index; see :func:`generator.pagekeys.entities_key`)."""
        return digest(repr(self.mentions))

    @cached_property
    def entity_ids(self) -> tuple[str, ...]:
        """The ids of the entities it mentions, in order (what keys its page besides its text)."""
        return tuple(m.entity_id for m in self.mentions)


@dataclass(frozen=True)
class Cue:
    """A cue from the codebook: a phrase matched on word stems, or an explicit regex."""

    text: str  # as written in the codebook
    pattern: re.Pattern[str] | Any = field(compare=False)  # a compiled regex, or cues.LazyCuePattern
    is_regex: bool = False


@dataclass(frozen=True)
class Position:
    id: str
    label: str
    cues: tuple[Cue, ...]
    description: str | None = None


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    cues: tuple[Cue, ...]
    related: tuple[str, ...] = ()
    positions: tuple[Position, ...] = ()

    def position(self, position_id: str) -> Position | None:
        return next((p for p in self.positions if p.id == position_id), None)


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    source: str = ""  # file it was read from

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)


@dataclass(frozen=True)
class Evidence:
    """A verbatim sentence that supports a theme or a position, and the cue that matched."""

    sentence: Sentence
    cue: str


@dataclass(frozen=True)
class Cell:
    """One article x theme cell of the comparison matrix."""

    article: str  # article slug
    theme: str  # theme id
    strength: float  # 0..1; 0 means "not addressed"
    evidence: tuple[Evidence, ...] = ()
    position: str | None = None  # position id, or None
    pinned: bool = False  # position set by the editor, not inferred
    position_evidence: tuple[Evidence, ...] = ()
    # A digest of what pages show of the cell: pages are keyed by it (see pagekeys), by what
    # the cell says and not by the cues that found it. Derived
    # once, when the cell is made, and kept with it in the analysis cache, so that a rebuild
    # does not format every cell of the corpus again to key its pages (a fifth of rendering
    # at 3,000 articles when it did).
    shown: str = field(init=False, repr=False, compare=False)
    # Whether the article addresses the theme: it has evidence, or the editor pinned a
    # position. Derived once, as an attribute: a rebuild asks it of every cell of the
    # corpus (~40,000 at 3,000 articles), a property call each time.
    addressed: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        evidence = "".join([f"|{e.sentence.paragraph}.{e.sentence.index}:{e.sentence.text!r}" for e in self.evidence])
        object.__setattr__(self, "shown", digest(f"{self.theme}|{self.strength!r}|{self.position!r}|{self.pinned:d}{evidence}"))
        object.__setattr__(self, "addressed", bool(self.evidence) or self.pinned)


class Stance(NamedTuple):
    """What the corpus-wide views and the matrix need of one addressed cell (see
    :attr:`CellRow.stances`): all but its evidence, of which only the first sentence
    (what a matrix row quotes). A theme page, which quotes more, reads the full
    :class:`Cell`."""

    article: str  # article slug
    theme: str  # theme id
    strength: float
    position: str | None
    pinned: bool
    shown: str  # Cell.shown
    quote: str  # the first evidence sentence, verbatim ("" if none: a pinned position)
    paragraph: int | None  # its paragraph (None if none)


@dataclass(frozen=True)
class CellRow(Deferred):
    """One article's theme cells, in codebook order, and the fingerprints of the themes they
    were computed for (see :func:`generator.worker.theme_fingerprint`); both unpickled when
    first read. What a rebuild asks of every article is kept beside them: a digest of what
    pages show of its cells (keying the pages), of the themes they were computed for
    (whether any must be recomputed), and which themes share a paragraph."""

    _deferred = ("cells", "theme_fingerprints")
    _dropped = ("stances",)

    cells: tuple[Cell, ...]
    theme_fingerprints: tuple[tuple[str, str], ...]
    shown: str = field(init=False, repr=False, compare=False)  # digest of each cell's Cell.shown
    computed_for: str = field(init=False, repr=False, compare=False)  # see fingerprints_digest
    # Per paragraph that is evidence for two or more themes, those themes (in codebook
    # order): the article's part of the themes' co-occurrence (matrix._co_occurrence),
    # which a rebuild that changes what the theme pages show then counts without
    # unpickling every article's cells (~10 ms at 1,000 articles).
    shared_paragraphs: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)
    # The addressed cells' stances (see :attr:`stances`), pickled apart from the cells.
    stances_pickle: bytes = field(init=False, repr=False, compare=False)

    @cached_property
    def stances(self) -> tuple[Stance, ...]:
        """The addressed cells with only their first evidence sentence, in codebook order: what
        the theme views (:attr:`matrix.Briefing.themes`) and the matrix pages are built from.
        Kept as a small pickle of their own, read only by a build that builds the views,
        which then unpickles the full cells only of the sources the theme pages it renders
        list (at 3,000 articles the cells of every article took ~85 ms to unpickle)."""
        return pickle.loads(self.stances_pickle)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", digest(" ".join([c.shown for c in self.cells])))
        object.__setattr__(self, "computed_for", fingerprints_digest(self.theme_fingerprints))
        by_paragraph: dict[int, list[str]] = {}
        for cell in self.cells:
            for evidence in cell.evidence:
                themes = by_paragraph.setdefault(evidence.sentence.paragraph, [])
                if cell.theme not in themes:
                    themes.append(cell.theme)
        object.__setattr__(self, "shared_paragraphs",
                           tuple(tuple(themes) for _, themes in sorted(by_paragraph.items()) if len(themes) > 1))
        stances = tuple(
            Stance(c.article, c.theme, c.strength, c.position, c.pinned, c.shown,
                   c.evidence[0].sentence.text if c.evidence else "",
                   c.evidence[0].sentence.paragraph if c.evidence else None)
            for c in self.cells if c.addressed)
        object.__setattr__(self, "stances_pickle", pickle.dumps(stances, protocol=pickle.HIGHEST_PROTOCOL))


def fingerprints_digest(fingerprints: tuple[tuple[str, str], ...]) -> str:
    """One digest of a codebook's theme fingerprints, in order."""
    return digest(repr(fingerprints))


@dataclass(frozen=True)
class ArticleWork:
    """One article's work (:mod:`work`): the article, its analysis and its theme cells. Fresh
    from analysis, all three carry the slug of the article's title;
    :meth:`work.Batch.settle` changes it where titles collide (and the cache keeps the
    settled record)."""

    article: Article
    analysis: ArticleAnalysis
    row: CellRow

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.row.cells
