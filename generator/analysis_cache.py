"""The analysis cache: every article's :class:`~generator.records.ArticleWork` by content.

Records are keyed by the SHA-256 of the article's bytes and sidecar
(:func:`generator.corpus.content_hash`), its path, and the settings they were
computed under (the generator's own code, the aliases file, the summary
length): see :func:`record_key`. They live in a
:class:`~generator.buildstate.Shelf` (``articles/``) beside a stat index
(``stat-index.pickle``: size, times and inode of each input, see
:func:`generator.sources.survey`, and the keys stored), which lets an unchanged
file be reused without being read, and tells which records the store holds
before it is read. The cache holds pickles written by this program: it is as
trusted as the code (delete the folder at any time; it is rebuilt).
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path

from .buildstate import Shelf, keep, kept
from .corpus import content_hash
from .records import ArticleWork
from .sources import sidecar_path


class Cache:
    """Cached :class:`ArticleWork` records by key, in a :class:`~generator.buildstate.Shelf`
    (``articles/``), plus the stat index (``stat-index.pickle``). See module doc.

    A shard holds its records themselves (article, analysis, cells), so that a rebuild
    reads each shard with one unpickling (half the cost of unpickling every record on
    its own: 11 ms instead of 23 ms for the 1,000 records of the bench corpus); what a
    record does not show until asked stays a nested pickle (:class:`records.Deferred`),
    which is kept with the record and written back as it is. A shard is rewritten only
    when one of its records is not the one read (an edit rewrites a sixteenth of the
    store), and a build keeps exactly the records of the articles it read, so the cache
    never outgrows the corpus.
    """

    STATS = "stat-index.pickle"

    def __init__(self, folder: Path | None, settings_key: str, mapped: bool = True):
        self.folder = folder
        self.settings_key = settings_key
        self.mapped = mapped  # see buildstate.load_shard
        self.stats: dict[str, tuple[tuple, str]] = {}
        self._listed: frozenset[str] = frozenset()  # the keys the last build stored
        self._loaded: dict[str, ArticleWork] = {}
        # Only an index whose keys were computed under the same settings.
        saved = kept(folder / self.STATS, settings_key) if folder is not None else None
        if isinstance(saved, tuple) and len(saved) == 2:
            self.stats, self._listed = saved

    @cached_property
    def shelf(self) -> Shelf | None:
        """The stored records, read from disk when first needed (see :class:`work.Analysis`)."""
        return Shelf(self.folder / "articles", self.settings_key, self.mapped) if self.folder is not None else None

    def key_for_stat(self, rel: str, stat: tuple) -> str | None:
        known = self.stats.get(rel)
        return known[1] if known and known[0] == stat else None

    def adopt(self, key: str, done: ArticleWork) -> ArticleWork:
        """A record a worker computed."""
        self._loaded[key] = done
        return done

    def listed(self, key: str) -> bool:
        """Whether the last build stored a record under ``key`` (as its stat index lists), or
        one is held in memory: known without reading the stored records."""
        return key in self._loaded or key in self._listed

    def holds_any(self) -> bool:
        """Whether the last build stored any record, or one is held in memory (else no key is
        listed, and a build need not hash its inputs to find that out)."""
        return bool(self._listed or self._loaded)

    def in_memory(self, key: str) -> bool:
        """Whether the record under ``key`` is held in memory already (a warm cache)."""
        return key in self._loaded

    def load(self, key: str) -> ArticleWork | None:
        if key in self._loaded:  # a warm cache (see :func:`run`) holds the record already
            return self._loaded[key]
        stored = self.shelf.get(key) if self.shelf is not None else None
        if not (isinstance(stored, tuple) and len(stored) == 3):
            return None
        done = ArticleWork(*stored)
        self._loaded[key] = done
        return done

    def retain(self, keys: set[str]) -> None:
        """Forget the records in memory that are not under ``keys`` (this build's articles), so
        that a long-running process (a warm session) holds one corpus, even across failed builds."""
        self._loaded = {k: v for k, v in self._loaded.items() if k in keys}

    def save(self, stats: dict[str, tuple[tuple, str]], entries: dict[str, ArticleWork]) -> None:
        """Make the cache hold exactly ``entries`` (atomically per file); no-op without a folder."""
        if self.folder is None or self.shelf is None:
            return
        self.shelf.save({key: (done.article, done.analysis, done.row) for key, done in entries.items()},
                        same=_same_records)
        stored = frozenset(entries)
        if stats != self.stats or stored != self._listed or not (self.folder / self.STATS).is_file():
            keep(self.folder / self.STATS, self.settings_key, (stats, stored))
        # What stays in memory for the next build of a warm session: exactly what was saved.
        self.stats, self._loaded, self._listed = dict(stats), dict(entries), stored


def _same_records(old: object, new: object) -> bool:
    """Whether a shard's records are the ones it holds: the same objects, compared by
    identity (comparing records by value would unpickle what they defer)."""
    return (isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys()
            and all(all(a is b for a, b in zip(old[k], new[k], strict=True)) for k in new))


def record_key(settings_key: str, rel: str, path: Path, content: str) -> str:
    """The cache key of an article: its content hash (:func:`generator.corpus.content_hash`) under these
    settings. The path is part of the record (source_file, and the file names in messages),
    so part of the key. Its shard of the :class:`~generator.buildstate.Shelf` comes from
    the path alone (:meth:`~generator.buildstate.Shelf.key`): an edit then rewrites the one
    shard that holds the article (with a key hashed as a whole, the new record went to
    another shard than the old one fifteen times in sixteen: two shards rewritten, ~0.7 MB
    each at 1,000 articles)."""
    return Shelf.key(rel, hashlib.sha256(f"{settings_key}|{rel}|{path}|{content}".encode()).hexdigest())


def content_key(path: Path, rel: str, settings_key: str) -> str:
    side = sidecar_path(path)
    sidecar = side.read_bytes() if side.is_file() else None
    return record_key(settings_key, rel, path, content_hash(path.read_bytes(), sidecar))
