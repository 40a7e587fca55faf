"""Small builders of records for unit tests (articles from plain paragraphs, themes from cue lists),
and what records read back from the cache hold."""

from __future__ import annotations

import mmap

from generator.cues import compile_cue
from generator.matrix import ExportRows
from generator.records import Article, Codebook, Cue, Metadata, Pin, Position, Theme
from generator.sentences import build_paragraph


def article(slug: str, *paragraphs: str, title: str | None = None,
            pins: tuple[tuple[str, str], ...] = ()) -> Article:
    return Article(
        slug=slug, source_file=f"{slug}.txt", meta=Metadata(title=title or slug.title()),
        paragraphs=tuple(build_paragraph(i + 1, text) for i, text in enumerate(paragraphs)),
        pins=tuple(Pin(t, p, f"{slug}.yml") for t, p in pins),
    )


def cues(*texts: str) -> tuple[Cue, ...]:
    return tuple(Cue(text=t, pattern=compile_cue(t)) for t in texts)


def theme(theme_id: str, theme_cues: tuple[str, ...], positions: dict[str, tuple[str, ...]] | None = None,
          related: tuple[str, ...] = ()) -> Theme:
    return Theme(
        id=theme_id, title=theme_id.replace("-", " ").capitalize(), description=f"About {theme_id}.",
        cues=cues(*theme_cues), related=related,
        positions=tuple(Position(id=p, label=p.replace("-", " "), cues=cues(*c)) for p, c in (positions or {}).items()),
    )


def codebook(*themes: Theme) -> Codebook:
    return Codebook(themes=themes, source="test-themes.yml")


class Unreadable(tuple):
    """Stands for a field the code under test must not read: any use of it raises."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError("a field that must not be read was read")

    __iter__ = __len__ = __getitem__ = __bool__ = __contains__ = __eq__ = __hash__ = _refuse  # type: ignore[assignment]


def with_fields(record: object, **fields: object) -> object:
    """A copy of a frozen record with ``fields`` replaced as they are, derived digests kept
    (``dataclasses.replace`` would recompute them from the replaced fields)."""
    copy = object.__new__(type(record))
    vars(copy).update({k: v for k, v in vars(record).items() if k != "_deferred_pickle"}, **fields)
    return copy


def mapped_views(records) -> int:
    """How many of the records' bulk bytes (nested pickles, export parts) are views of a
    mapped cache file (see buildstate.load_shard)."""
    parts = [vars(r).get("_deferred_pickle") for r in records]
    parts += [p for r in records if isinstance(r, ExportRows) for p in (r.json_article, r.json_cells, r.csv_rows)]
    return sum(isinstance(p, memoryview) and isinstance(p.obj, mmap.mmap) for p in parts)
