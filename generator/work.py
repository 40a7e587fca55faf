"""Per-article work (read, clean, analyse, match themes), cached by content and run on every core.

The expensive part of a build is per article and independent of the other
articles, so it is done here, once per article content:

* **Cache.** Results are stored in ``docs/.briefing-cache/articles/``
  (a dot folder, skipped by MkDocs), keyed by the SHA-256 of the article's bytes and sidecar, the generator's own
  source code (so a new version recomputes everything), the aliases file and
  the summary length. Theme cells are keyed by that article key plus a
  fingerprint of the one theme, so editing one theme recomputes only its cells.
  A stat index (size, times, inode: :func:`sources.stat_of`) lets an unchanged
  file be reused without being read. The cache holds pickles written by this program: it is as trusted as
  the code (delete the folder at any time; it is rebuilt).
* **Parallelism.** Articles not in the cache are processed by a pool of
  processes (one per core) when there are enough of them to pay for it. Each
  result depends only on its own article, so the output is identical to a
  single-process run (tested).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from . import entities, quotes, summarize, themes
from .aliases import Aliases, load_aliases
from .buildstate import UNREADABLE, Shelf, code_fingerprint, write_pickle
from .errors import ProblemsError
from .ingest import content_hash, read_article
from .slugs import slugify
from .sources import Survey, sidecar_path
from .records import Article, ArticleAnalysis, Cell, Codebook, Theme

log = logging.getLogger(__name__)

# Below this many uncached articles a process pool costs more than it saves.
# Measured on this 2-core machine: a fork pool starts in ~10 ms, and an article
# costs ~2 ms to analyse (bench/stages.py) plus ~0.2 ms to pickle across; at 16
# articles the pool saves about as much as it costs, and more from there on.
PARALLEL_MIN_ARTICLES = 16


@dataclass(frozen=True)
class Done:
    """One article's work. Fresh from analysis, ``article``, ``analysis`` and ``cells`` carry the
    slug of the article's title; :meth:`Batch.settle` changes it where titles collide (and the
    cache keeps the settled record)."""

    article: Article
    analysis: ArticleAnalysis
    cells: tuple[Cell, ...]  # in codebook order
    theme_fingerprints: tuple[tuple[str, str], ...] = ()  # what the cells were computed for


def theme_fingerprint(theme: Theme) -> str:
    return hashlib.sha256(repr(theme).encode()).hexdigest()[:24]


def analyse_article(article: Article, aliases: Aliases, k: int) -> ArticleAnalysis:
    """Everything derived from one article alone (summary, key points, quotes, entities)."""
    return ArticleAnalysis(
        slug=article.slug,
        summary=summarize.summarize(article, k),
        key_points=summarize.key_points(article, summary_k=k),
        quotes=quotes.find_quotes(article, aliases),
        mentions=entities.find_mentions(article, aliases),
    )


# ---- worker side (also used in-process) ------------------------------------------------

_STATE: dict[str, object] = {}


def _init(aliases_file: str | None, codebook: Codebook, k: int) -> None:
    _STATE.update(aliases=load_aliases(Path(aliases_file) if aliases_file else None),
                  codebook=codebook, k=k,
                  fingerprints=tuple((t.id, theme_fingerprint(t)) for t in codebook.themes))


def _process(job: tuple[str, str]) -> tuple[bytes, bytes] | ProblemsError:
    """One article's :class:`Done`, pickled as the cache stores it (the two blobs cross to
    the parent, which keeps them for the cache instead of pickling the record again)."""
    path, seeds = job
    try:
        article = read_article(Path(path), Path(seeds))
    except ProblemsError as err:  # UnreadableInput included: the caller applies the skip rule
        return err
    # The slug the title gives; Batch.settle changes it only if another article has it too.
    article = replace(article, slug=slugify(article.meta.title))
    analysis = analyse_article(article, _STATE["aliases"], _STATE["k"])  # type: ignore[arg-type]
    cells = themes.match_article(article, _STATE["codebook"])  # type: ignore[arg-type]
    return _pickled((article, analysis)), _pickled((cells, _STATE["fingerprints"]))


def _progress(results, total: int) -> list:
    """Collect results, showing "analysing n/total" on an interactive terminal (never in CI logs)."""
    show = total >= PARALLEL_MIN_ARTICLES and sys.stderr.isatty() and not os.environ.get("CI")
    out = []
    for done in results:
        out.append(done)
        if show and (len(out) % max(1, total // 100) == 0 or len(out) == total):
            sys.stderr.write(f"\ranalysing articles: {len(out)}/{total}")
            sys.stderr.flush()
    if show:
        sys.stderr.write("\n")
    return out


# ---- the cache -----------------------------------------------------------------------------

class Cache:
    """Cached :class:`Done` records by key, in a :class:`~generator.buildstate.Shelf`
    (``articles/``), plus the stat index (``stat-index.pickle``). See module doc.

    Each record is kept as two pickles, the article with its analysis and its
    theme cells, so that a build re-pickles only what it recomputed (a theme
    edit: cells), and the shelf rewrites only the shards that changed. A build
    keeps exactly the records of the articles it read, so the cache never
    outgrows the corpus.
    """

    STATS = "stat-index.pickle"

    def __init__(self, folder: Path | None, settings_key: str):
        self.folder = folder
        self.settings_key = settings_key
        self.stats: dict[str, tuple[tuple, str]] = {}
        self.shelf = Shelf(folder / "articles", settings_key) if folder is not None else None
        self._loaded: dict[str, Done] = {}
        self._fresh: dict[str, tuple[bytes, bytes]] = {}  # key -> blobs a worker pickled this run
        if folder is not None:
            try:
                with open(folder / self.STATS, "rb") as handle:
                    saved_key, stats = pickle.load(handle)
                if saved_key == settings_key:  # keys were computed under the same settings
                    self.stats = stats
            except UNREADABLE:
                pass

    def key_for_stat(self, rel: str, stat: tuple) -> str | None:
        known = self.stats.get(rel)
        return known[1] if known and known[0] == stat else None

    def adopt(self, key: str, done: Done, blobs: tuple[bytes, bytes]) -> Done:
        """A record a worker computed, and the blobs it was pickled to (kept for :meth:`save`)."""
        self._fresh[key] = blobs
        self._loaded[key] = done
        return done

    def _blobs(self, key: str) -> tuple[bytes, bytes] | None:
        if key in self._fresh:
            return self._fresh[key]
        blobs = self.shelf.get(key) if self.shelf is not None else None
        return blobs if isinstance(blobs, tuple) and len(blobs) == 2 else None  # type: ignore[return-value]

    def load(self, key: str) -> Done | None:
        if key in self._loaded:  # a warm cache (see :func:`run`) holds the record already
            return self._loaded[key]
        blobs = self._blobs(key)
        if blobs is None:
            return None
        try:
            done = Done(*pickle.loads(blobs[0]), *pickle.loads(blobs[1]))
        except UNREADABLE:
            return None
        self._loaded[key] = done
        return done

    def save(self, stats: dict[str, tuple[tuple, str]], entries: dict[str, Done]) -> None:
        """Make the cache hold exactly ``entries`` (atomically per file); no-op without a folder."""
        if self.folder is None or self.shelf is None:
            return
        blobs: dict[str, object] = {}
        for key, done in entries.items():
            loaded, old = self._loaded.get(key), self._blobs(key)
            if loaded is done and old is not None:
                blobs[key] = old
                continue
            main = (old[0] if old is not None and loaded is not None and loaded.article is done.article
                    else _pickled((done.article, done.analysis)))
            blobs[key] = (main, _pickled((done.cells, done.theme_fingerprints)))
        self.shelf.save(blobs)
        if stats != self.stats:
            write_pickle(self.folder / self.STATS, (self.settings_key, stats))
        # What stays in memory for the next build of a warm session: exactly what was saved.
        self.stats, self._loaded, self._fresh = dict(stats), dict(entries), {}


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _record_key(settings_key: str, rel: str, path: Path, content: str) -> str:
    """The cache key of an article: its content hash (:func:`ingest.content_hash`) under these
    settings. The path is part of the record (source_file, and the file names in messages),
    so part of the key."""
    return hashlib.sha256(f"{settings_key}|{rel}|{path}|{content}".encode()).hexdigest()


def _content_key(path: Path, rel: str, settings_key: str) -> str:
    side = sidecar_path(path)
    sidecar = side.read_bytes() if side.is_file() else None
    return _record_key(settings_key, rel, path, content_hash(path.read_bytes(), sidecar))


@dataclass
class Batch:
    """The outcome of :func:`run`; the cache is only written by :meth:`commit`, after a
    successful build, so that a failed build leaves ``docs/`` (cache included) as it was."""

    outcomes: list[Done | ProblemsError]
    cache: Cache
    entries: dict[str, Done]  # what the cache holds after commit: this run's articles, by key
    stats: dict[str, tuple[tuple, str]]

    def settle(self, articles: tuple[Article, ...]) -> list[Done]:
        """The successful outcomes, in order, with the slugs of ``articles`` (the same articles,
        slugged by :func:`generator.ingest.collect`). A record whose slug is already right is
        returned as it is, so that a rebuild neither copies nor re-pickles it."""
        done = [o for o in self.outcomes if isinstance(o, Done)]
        by_record = {id(d): key for key, d in self.entries.items()}
        settled = []
        for record, article in zip(done, articles, strict=True):
            if record.article.slug != article.slug:
                slug = article.slug
                fresh = Done(article, replace(record.analysis, slug=slug),
                             tuple(replace(c, article=slug) for c in record.cells), record.theme_fingerprints)
                if id(record) in by_record:
                    self.entries[by_record[id(record)]] = fresh
                record = fresh
            settled.append(record)
        return settled

    def commit(self) -> None:
        self.cache.save(self.stats, self.entries)


def run(survey: Survey, codebook: Codebook, aliases_file: Path | None, k: int,
        cache_dir: Path | None, workers: int | None = None, warm: Cache | None = None) -> Batch:
    """Every article's :class:`Done` (or its problem), in the order of ``survey.paths``;
    ``workers``: processes to analyse uncached articles with (1: in this process).

    ``warm``: the cache of the previous build in this process (a
    :class:`~generator.pipeline.Session`), used instead of reading the cache folder
    again when it was made for the same folder and settings. Records are immutable
    and keyed by content, so one held in memory is as good as one read back."""
    paths, seeds = survey.paths, survey.seeds
    aliases_bytes = aliases_file.read_bytes() if aliases_file else b""
    settings_key = f"{code_fingerprint()}|{hashlib.sha256(aliases_bytes).hexdigest()}|k={k}"
    if warm is not None and warm.folder == cache_dir and warm.settings_key == settings_key:
        cache = warm
    else:
        cache = Cache(cache_dir, settings_key)
    fingerprints = {t.id: theme_fingerprint(t) for t in codebook.themes}
    results: list[Done | ProblemsError | None] = [None] * len(paths)
    keys: list[str | None] = [None] * len(paths)
    stats: dict[str, tuple[tuple, str]] = {}
    todo: list[int] = []
    for i, (path, rel, stat) in enumerate(zip(paths, survey.rels, survey.stats, strict=True)):
        try:
            if stat is None:
                raise OSError(f"cannot stat {path}")
            key = cache.key_for_stat(rel, stat) or _content_key(path, rel, settings_key)
        except OSError:
            todo.append(i)  # read_article reports the problem
            continue
        keys[i] = key
        stats[rel] = (stat, key)
        cached = cache.load(key)
        if cached is None:
            todo.append(i)
            continue
        results[i] = _with_cells(cached, codebook, fingerprints)

    jobs = [(str(paths[i]), str(seeds)) for i in todo]
    init = (str(aliases_file) if aliases_file else None, codebook, k)
    workers = workers or 1
    if len(jobs) >= PARALLEL_MIN_ARTICLES and workers > 1:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=init) as pool:
            computed = _progress(pool.map(_process, jobs, chunksize=max(1, len(jobs) // (workers * 8))), len(jobs))
    else:
        _init(*init)
        computed = _progress(map(_process, jobs), len(jobs))
    log.info("articles: %d from cache, %d analysed", len(paths) - len(todo), len(todo))
    for i, outcome in zip(todo, computed, strict=True):
        if isinstance(outcome, ProblemsError):
            results[i] = outcome
            continue
        # Keyed by the bytes the worker analysed: if the file changed since it was
        # stat-ed and hashed above, the record must not go under the old content's key.
        done = Done(*pickle.loads(outcome[0]), *pickle.loads(outcome[1]))
        path, rel, stat = paths[i], survey.rels[i], survey.stats[i]
        keys[i] = _record_key(settings_key, rel, path, done.article.content_hash)
        if stat is not None:
            stats[rel] = (stat, keys[i])
        results[i] = cache.adopt(keys[i], done, outcome)
    entries = {key: done for key, done in zip(keys, results) if key is not None and isinstance(done, Done)}
    return Batch(results, cache, entries, stats)  # type: ignore[arg-type]


def _with_cells(stored: Done, codebook: Codebook, fingerprints: dict[str, str]) -> Done:
    """A cached result, with the cells of changed or new themes recomputed."""
    if dict(stored.theme_fingerprints) == fingerprints:
        return stored
    old = dict(stored.theme_fingerprints)
    have = {c.theme: c for c in stored.cells}
    cells = tuple(
        have[t.id] if t.id in have and old.get(t.id) == fingerprints[t.id] else themes.theme_cell(stored.article, t)
        for t in codebook.themes
    )
    return Done(stored.article, stored.analysis, cells, tuple(fingerprints.items()))
