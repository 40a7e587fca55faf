"""Per-article work (read, clean, analyse, match themes), cached by content and run on every core.

The expensive part of a build is per article and independent of the other
articles, so it is done here, once per article content:

* **Cache.** Results are kept in ``docs/.briefing-cache/articles/`` (a dot
  folder, skipped by MkDocs) by :mod:`analysis_cache`, keyed by the article's
  content and the settings (a new version of the generator recomputes
  everything). Theme cells carry a fingerprint of each theme, so editing one
  theme recomputes only its cells.
* **Parallelism.** Articles not in the cache are processed by a pool of
  processes (one per core) when there are enough of them to pay for it, or by
  one worker while this process reads many cached records back (a rebuild
  after a few edits: :data:`OVERLAP_MIN_CACHED`). Each result depends only on
  its own article, so the output is identical to a single-process run (tested).

The analysis of one article, as a worker process runs it, is :mod:`worker`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from . import analysis_cache, forked
from .analysis_cache import Cache, record_key
from . import buildstate
from .buildstate import code_fingerprint
from .errors import ProblemsError
from .records import Article, ArticleWork, CellRow, Codebook, fingerprints_digest
from .sources import Survey
from .worker import init, process, theme_fingerprint

log = logging.getLogger(__name__)

# Below this many uncached articles a process pool costs more than it saves.
# Measured on this 2-core machine: a fork pool starts in ~10 ms, and an article
# costs ~2 ms to analyse (bench/stages.py) plus ~0.2 ms to pickle across; at 16
# articles the pool saves about as much as it costs, and more from there on.
PARALLEL_MIN_ARTICLES = 16

# Fewer uncached articles are still analysed in a worker process when the cache holds
# at least this many, so that reading those back overlaps with the analysis (and the
# build process never imports the analysis code, ~70 ms). Reading a cached record
# back costs ~0.05 ms and the rest of a rebuild ~0.3 ms per article, a worker ~15 ms
# to fork and return its result (measured on this 2-core machine at 1,000 articles):
# from ~100 articles on, there is more to overlap than the worker costs.
OVERLAP_MIN_CACHED = 100


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


@dataclass
class Batch:
    """The outcome of an :class:`Analysis`; the cache is only written by :meth:`commit`, after
    a successful build, so that a failed build leaves ``docs/`` (cache included) as it was."""

    outcomes: list[ArticleWork | ProblemsError]
    cache: Cache
    entries: dict[str, ArticleWork]  # what the cache holds after commit: this run's articles, by key
    stats: dict[str, tuple[tuple, str]]
    built: dict[str, bytes] | None = None  # for the cache folder, by file name (see worker.init)

    def settle(self, articles: tuple[Article, ...]) -> list[ArticleWork]:
        """The successful outcomes, in order, with the slugs of ``articles`` (the same articles,
        slugged by :func:`generator.ingest.collect`). A record whose slug is already right is
        returned as it is, so that a rebuild neither copies nor re-pickles it."""
        done = [o for o in self.outcomes if isinstance(o, ArticleWork)]
        by_record = {id(d): key for key, d in self.entries.items()}
        settled = []
        for record, article in zip(done, articles, strict=True):
            if record.article.slug != article.slug:
                slug = article.slug
                fresh = ArticleWork(article, replace(record.analysis, slug=slug), CellRow(
                    tuple(replace(c, article=slug) for c in record.cells), record.row.theme_fingerprints))
                if id(record) in by_record:
                    self.entries[by_record[id(record)]] = fresh
                record = fresh
            settled.append(record)
        return settled

    def commit(self) -> None:
        self.cache.save(self.stats, self.entries)
        if self.built and self.cache.folder is not None:
            buildstate.save_built(self.cache.folder, self.built)


class Analysis:
    """The per-article work of one build, started before the codebook is read: every
    article's :class:`ArticleWork` (or its problem), in the order of ``survey.files``.

    Entering it finds, by the stat index alone (without reading the stored records),
    which articles the cache does not hold, and starts analysing them in worker
    processes (``workers``; 1: in this process, when :meth:`finish` runs) when there
    are enough of them (:data:`PARALLEL_MIN_ARTICLES`) or many cached records to read
    back meanwhile (:data:`OVERLAP_MIN_CACHED`). Workers read the codebook themselves (``themes``);
    :meth:`finish` takes the one the build validated, reads back the cached records,
    and recomputes any cells computed for another codebook (the file changed between
    the two reads). A record the index lists but the store has lost (a damaged cache
    folder) is analysed in this process, after the rest.

    ``warm``: the cache of the previous build in this process (a
    :class:`~generator.pipeline.Session`), used instead of reading the cache folder
    again when it was made for the same folder and settings (never without a cache
    folder: ``--no-cache`` means recompute). Records are immutable and keyed by
    content, so one held in memory is as good as one read back. ``mapped``: whether the
    cache's shards are read as views of mapped files (see :func:`buildstate.load_shard`;
    not in a session, which lives for hours)."""

    def __init__(self, survey: Survey, themes: Path, aliases_file: Path | None, k: int,
                 cache_dir: Path | None, workers: int | None = None, warm: Cache | None = None,
                 mapped: bool = True, ahead: forked.Ahead | None = None):
        self.survey, self.k = survey, k
        self.aliases = str(aliases_file) if aliases_file else None
        aliases_bytes = aliases_file.read_bytes() if aliases_file else b""
        self.settings_key = f"{code_fingerprint()}|{hashlib.sha256(aliases_bytes).hexdigest()}|k={k}"
        if (warm is not None and cache_dir is not None and warm.folder == cache_dir
                and warm.settings_key == self.settings_key):
            self.cache = warm
        else:
            self.cache = Cache(cache_dir, self.settings_key, mapped)
        self.keys: list[str | None] = [None] * len(survey.files)
        self.stats: dict[str, tuple[tuple, str]] = {}
        self.todo: list[int] = []
        trusted = survey.settled  # a stat goes into the index only if it proves the content
        # An input whose stat the index lacks is hashed to look its content up, unless the
        # cache holds nothing (a first build): then hashing every input would only delay
        # the workers (~30 ms at 1,000 articles); its key comes with its record.
        hashing = self.cache.holds_any()
        for i, (rel, stat) in enumerate(zip(survey.rels, survey.stats, strict=True)):
            key = self.cache.key_for_stat(rel, stat) if stat is not None else None
            if key is None and stat is not None and hashing:
                try:
                    key = analysis_cache.content_key(survey.path(i), rel, self.settings_key)
                except OSError:
                    pass  # read_article reports the problem
            if key is None:  # analysed (or reported)
                self.todo.append(i)
                continue
            self.keys[i] = key
            if trusted[i]:
                self.stats[rel] = (stat, key)
            if not self.cache.listed(key):
                self.todo.append(i)
        missing = set(self.todo)
        # Worth a worker only when there is reading back to overlap with: a warm session
        # (serve) holds its records in memory, and keeps the analysis code once imported.
        unread = sum(1 for i, key in enumerate(self.keys)
                     if i not in missing and key is not None and not self.cache.in_memory(key))
        self.jobs = [(str(survey.path(i)), str(survey.seeds)) for i in self.todo]
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        self.init_args = (self.aliases, str(themes), k, self.cache_dir)
        overlap = unread >= OVERLAP_MIN_CACHED
        # One article to analyse, by a forked worker: what a scout analyses ahead (see analyse_ahead).
        self.one_ahead = len(self.jobs) == 1 and _forks(self.jobs, workers or 1, overlap)
        if ahead is not None and self.one_ahead and _receive_plan(ahead) == self.jobs:
            self._analysing = _received(ahead)  # the scout's analysis of the same article
        else:
            if ahead is not None:  # its analysis is not wanted: stopped (the writer then checks docs/ itself)
                ahead.close()
            self._analysing = _analysing(self.jobs, self.init_args, workers or 1, overlap)
        self._analysed: Iterator | None = None

    def __enter__(self) -> Analysis:
        self._analysed = self._analysing.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._analysing.__exit__(*exc)

    def finish(self, codebook: Codebook, meanwhile: Callable[[], None] | None = None) -> Batch:
        """The outcomes, with cells for ``codebook``. ``meanwhile``: called once, after the
        cached records are read back and before waiting for the analysis of the others
        (work of the caller's that does not need them)."""
        survey, cache, keys, todo = self.survey, self.cache, self.keys, list(self.todo)
        seeds = survey.seeds
        fingerprints = {t.id: theme_fingerprint(t) for t in codebook.themes}
        wanted = fingerprints_digest(tuple(fingerprints.items()))
        results: list[ArticleWork | ProblemsError | None] = [None] * len(keys)
        missing, late = set(todo), []
        for i, key in enumerate(keys):
            if key is not None and i not in missing:
                cached = cache.load(key)
                if cached is None:  # listed, but missing or unreadable: analysed here, after the rest
                    late.append(i)
                else:
                    results[i] = cached if cached.row.computed_for == wanted else _with_cells(cached, codebook, fingerprints)
        if meanwhile is not None:
            meanwhile()
        analysed = self._analysed
        if analysed is None:  # in this process, with the validated codebook
            if self.jobs:
                init(self.aliases, codebook, self.k, self.cache_dir)
            analysed = map(process, self.jobs)
        computed = _progress(analysed, len(todo))
        if late:
            init(self.aliases, codebook, self.k, self.cache_dir)
            computed += [process((str(survey.path(i)), str(seeds))) for i in late]
            todo += late
        log.info("articles: %d from cache, %d analysed", len(keys) - len(todo), len(todo))
        stats, built_here = dict(self.stats), None
        for i, outcome in zip(todo, computed, strict=True):
            if isinstance(outcome, ProblemsError):
                results[i] = outcome
                continue
            # Keyed by the bytes the worker analysed: if the file changed since it was
            # stat-ed and hashed above, the record must not go under the old content's key.
            done, built = outcome
            path, rel, stat = survey.path(i), survey.rels[i], survey.stats[i]
            keys[i] = record_key(self.settings_key, rel, path, done.article.content_hash)
            if stat is not None and survey.settled[i]:
                stats[rel] = (stat, keys[i])
            done = cache.adopt(keys[i], done)
            built_here = built_here or built  # each worker builds the same: the first is kept
            results[i] = done if done.row.computed_for == wanted else _with_cells(done, codebook, fingerprints)
        entries = {key: done for key, done in zip(keys, results) if key is not None and isinstance(done, ArticleWork)}
        cache.retain(set(entries))
        return Batch(results, cache, entries, stats, built_here)  # type: ignore[arg-type]


def analyse_ahead(survey: Survey, themes: Path, aliases_file: Path | None, k: int, cache_dir: Path | None,
                  workers: int, send: Callable[[object], None]) -> None:
    """In a scout (a child forked when a rebuild starts, see :mod:`scout`): find
    what the build's :class:`Analysis` will find to analyse, and send it (its jobs: the
    paths of the inputs, or None); if it is one article, which the build would give a
    forked worker, analyse it and send the outcome (as :func:`_analysing` gives it), so that
    the build takes it instead of forking that worker later."""
    analysis = Analysis(survey, themes, aliases_file, k, cache_dir, workers)
    if not analysis.one_ahead:
        send(None)
        return
    send(analysis.jobs)
    init(*analysis.init_args)
    send([process(job) for job in analysis.jobs])


def _receive_plan(ahead: forked.Ahead) -> object:
    """What the scout found to analyse (see :func:`analyse_ahead`); None if it failed."""
    try:
        return ahead.receive()
    except Exception:  # noqa: BLE001 - the build then analyses as it would without a scout
        ahead.close()
        return None


@contextmanager
def _received(ahead: forked.Ahead) -> Iterator[Iterator]:
    """The scout's outcomes (see :func:`analyse_ahead`), in the form :func:`_analysing` gives:
    waited for when first asked for (:meth:`Analysis.finish`, after reading back the cache)."""
    def outcomes() -> Iterator:
        yield from ahead.receive()  # type: ignore[misc]

    yield outcomes()


def _forks(jobs: list[tuple[str, str]], workers: int, overlap: bool) -> bool:
    """Whether :func:`_analysing` gives ``jobs`` to forked children (not a pool, not this process)."""
    return bool(jobs) and workers >= 2 and len(jobs) < PARALLEL_MIN_ARTICLES and overlap and forked.available()


@contextmanager
def _analysing(jobs: list[tuple[str, str]], init_args: tuple, workers: int, overlap: bool) -> Iterator[Iterator | None]:
    """The outcomes of :func:`worker.process` for ``jobs``, in order, computed by a pool of
    processes while the caller's ``with`` block runs: with ``workers`` > 1, when there are
    enough of them (:data:`PARALLEL_MIN_ARTICLES`) or when ``overlap`` (there are many
    cached records to read back meanwhile; fewer jobs than a pool pays for run in forked
    children, see :mod:`forked`). None: the caller runs them in this process."""
    if not jobs or workers < 2 or (len(jobs) < PARALLEL_MIN_ARTICLES and not overlap):
        yield None
    elif _forks(jobs, workers, overlap):  # a few: no pool (see forked)
        with forked.forked(process, jobs, init, init_args, workers) as results:
            yield results
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=init, initargs=init_args) as pool:
            yield pool.map(process, jobs, chunksize=max(1, len(jobs) // (workers * 8)))


def _with_cells(stored: ArticleWork, codebook: Codebook, fingerprints: dict[str, str]) -> ArticleWork:
    """A cached result whose cells were computed for another codebook, with the cells of
    changed or new themes recomputed."""
    from . import themes

    old = dict(stored.row.theme_fingerprints)
    have = {c.theme: c for c in stored.cells}
    cells = tuple(
        have[t.id] if t.id in have and old.get(t.id) == fingerprints[t.id] else themes.theme_cell(stored.article, t)
        for t in codebook.themes
    )
    return ArticleWork(stored.article, stored.analysis, CellRow(cells, tuple(fingerprints.items())))
