"""The build pipeline: ingest -> analyse -> cross-link -> render -> write.

:func:`generate` reads like the pipeline. All input is validated and every
analysis is done before anything is written, so a failure at any stage leaves
``docs/`` as it was.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import TEMPLATES, buildstate, forked
from .errors import Problem, ProblemsError
from .site import exclusive
from .scout import checked_inputs, prechecked, scouting
from .sources import Survey, check_seeds, survey

# The stages are imported where they run, not here: a build whose inputs have not
# changed (see buildstate) then starts without compiling the analysis's regular
# expressions or loading Jinja, in a fifth of the time.
if TYPE_CHECKING:
    from .corpus import Corpus
    from .matrix import Briefing
    from .records import Article, ArticleAnalysis, CellRow, Codebook
    from .site import WriteReport
    from .work import Batch, Cache

log = logging.getLogger(__name__)

DEFAULT_SUMMARY_SENTENCES = 3


@dataclass(frozen=True)
class Settings:
    """Where inputs and outputs live, and the few knobs of a build."""

    seeds: Path = Path("seeds")
    themes: Path = Path("seeds/themes.yml")
    docs: Path = Path("docs")
    aliases: Path | None = None  # default: <seeds>/aliases.yml when it exists
    summary_sentences: int = DEFAULT_SUMMARY_SENTENCES
    strict: bool = False
    templates: Path = TEMPLATES
    cache: Path | None | bool = True  # True: <docs>/.briefing-cache; False/None: no cache
    workers: int | None = None  # processes for analysis and page rendering; None: one per usable core

    @property
    def processes(self) -> int:
        """``workers``, or the cores this process may run on (its affinity, which in a
        container can be fewer than the machine has)."""
        if self.workers:
            return max(1, self.workers)
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    search: str = "auto"  # "lunr", "pagefind", or "auto" (by corpus size; see pages.search_mode)

    @property
    def cache_dir(self) -> Path | None:
        if self.cache is True:
            # Inside docs/ so that nothing is written outside it; MkDocs and
            # Zensical skip dot folders, and the docs writer never touches it.
            return self.docs / ".briefing-cache"
        return self.cache or None

    @property
    def aliases_file(self) -> Path | None:
        if self.aliases is not None:
            return self.aliases
        default = self.seeds / "aliases.yml"
        return default if default.is_file() else None


@dataclass(frozen=True)
class Inputs:
    codebook: Codebook
    corpus: Corpus
    analyses: dict[str, ArticleAnalysis]
    rows: dict[str, CellRow]  # article slug -> its cells
    batch: Batch  # commit() writes the analysis cache; generate does so after writing docs/
    # The codebook's bytes, when it was parsed from them in this build (generate then keeps
    # it for the next, see buildstate.saved_codebook); None when it came from the cache.
    codebook_bytes: bytes | None = None


@dataclass(frozen=True)
class Result:
    """What a generate run did (small, so that it can be saved with the build stamp)."""

    as_of: str | None
    report: WriteReport | None
    skipped: tuple[Problem, ...]
    articles: int
    search: str  # "lunr" or "pagefind"


@dataclass
class Warm:
    """What a :class:`Session` keeps in memory from one build to the next (mutable, and
    only ever used by one build at a time): the analysis cache and the page memo as the
    last build left them on disk. Both are keyed by content, so nothing in them can be
    stale: at worst a key is missing and its record is recomputed."""

    cache: Cache | None = None
    pages: buildstate.PageMemo | None = None
    # Whether the session's process ends after it (``briefing generate`` and ``build``):
    # its builds then read the cache folder's files as views of mapped files, as
    # :func:`generate` does without a session (see buildstate.load_shard). A session
    # that lives for hours (``briefing serve``) reads them into memory.
    one_shot: bool = False


class Session:
    """Builds of one :class:`Settings`, one after another in one process, as
    ``briefing serve`` runs them after each edit. Each build is exactly
    :func:`generate` (same output, same cache on disk); the session only spares it
    reading back the analysis cache and page memo that the previous build wrote,
    which is most of what a one-article rebuild costs besides starting Python.
    What a build leaves alive is frozen for the garbage collector (see
    :func:`_no_cyclic_gc`); a long-running caller runs :func:`collect_garbage`
    between builds, when it is idle.

    ``one_shot``: the process ends after the session's build (the command line's
    ``generate``, which builds through a session so that what the build made stays
    referenced until the process ends, see :func:`generator.cli.main`, and ``build``,
    which then runs MkDocs). Its
    build then maps the cache's files, as :func:`generate` does without a session (see
    :func:`buildstate.load_shard`). Reading them copied instead made a one-article
    rebuild at 1,000 articles ~12 ms slower: an interleaved A/B of 20 rebuilds on this
    project's 2-core machine gave 12.4 ms, paired median, copied slower in 19 of 20."""

    def __init__(self, settings: Settings, one_shot: bool = False):
        self.settings = settings
        self.warm = Warm(one_shot=one_shot)

    def generate(self) -> Result:
        return generate(self.settings, warm=self.warm)


def load_inputs(settings: Settings, found: Survey | None = None, warm: Warm | None = None,
                meanwhile: Callable[[], None] | None = None, ahead: forked.Ahead | None = None) -> Inputs:
    """Read, validate and analyse everything; raise with every problem at once, before any writing.
    ``found``: the seeds folder's inputs, if :func:`generate` has surveyed them already;
    ``ahead``: a scout that may have analysed the edited article already (see :mod:`scout`);
    ``warm``: a session's state (see :class:`Session`); ``meanwhile``: see :meth:`work.Analysis.finish`."""
    from . import work
    from .corpus import collect
    from .records import Codebook

    try:
        found = found or survey(check_seeds(settings.seeds))
    except ProblemsError as err:
        raise ProblemsError(_configuration(settings)[2] + list(err.problems)) from None
    # The articles the cache lacks are being analysed (by a worker, if it pays) while the
    # codebook is read and the cached records are read back (see work.Analysis).
    with work.Analysis(found, settings.themes, settings.aliases_file, settings.summary_sentences,
                       settings.cache_dir, settings.processes, warm.cache if warm else None,
                       mapped=warm is None or warm.one_shot, ahead=ahead) as analysis:
        codebook, parsed, problems = _configuration(settings)
        # Per-article work runs even if the codebook is broken (with an empty one), so
        # that sidecar and article problems are reported in the same run.
        batch = analysis.finish(codebook or Codebook(()), meanwhile)
    if warm is not None:
        warm.cache = batch.cache
    outcomes = batch.outcomes
    try:
        corpus = collect([o.article if isinstance(o, work.ArticleWork) else o for o in outcomes], settings.strict)
    except ProblemsError as err:
        problems += err.problems
        corpus = None
    if codebook is not None and corpus is not None:
        problems += check_pins(corpus.articles, codebook)
    if problems:
        raise ProblemsError(problems)
    analyses, rows = {}, {}
    for result in batch.settle(corpus.articles):
        analyses[result.article.slug] = result.analysis
        rows[result.article.slug] = result.row
    return Inputs(codebook, corpus, analyses, rows, batch, parsed)


def _configuration(settings: Settings) -> tuple[Codebook | None, bytes | None, list[Problem]]:
    """The codebook (the one a successful build validated from the same bytes, if the cache
    keeps it), the bytes it was parsed from (None: it came from the cache), and the
    problems of the codebook and aliases files."""
    problems: list[Problem] = []
    codebook, parsed = None, None
    try:
        codebook, parsed = buildstate.read_codebook(settings.cache_dir, settings.themes)
    except ProblemsError as err:
        problems += err.problems
    if settings.aliases_file is not None:  # checked here; the analysis loads it where it runs
        from .aliases import load_aliases

        try:
            load_aliases(settings.aliases_file)
        except ProblemsError as err:
            problems += err.problems
    return codebook, parsed, problems


def check_pins(articles: tuple[Article, ...], codebook: Codebook) -> list[Problem]:
    """Pinned positions must name a theme of the codebook and one of its positions."""
    pins = [pin for article in articles for pin in article.pins]
    if not pins:  # the checks' module imports the YAML parser, which a rebuild may not need
        return []
    from .overrides import pin_problems

    return pin_problems(pins, codebook)


def as_of(articles: tuple[Article, ...]) -> str | None:
    """The briefing's date: SOURCE_DATE_EPOCH if set, else the newest source date, else none."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        from datetime import datetime, timezone  # here: only with SOURCE_DATE_EPOCH (~1.5 ms to import)

        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
    dates = sorted(a.meta.date for a in articles if a.meta.date)
    return dates[-1] if dates else None


@contextmanager
def _no_cyclic_gc(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cycle collector for one build.

    A build allocates millions of small objects that live until it ends (records,
    pages) and creates no reference cycles worth collecting; the collector's full
    passes over them cost 10-25 % of a 1,000-article build (measured with
    bench/run.py), and more when the cache is unpickled. Memory is still freed
    by reference counting; the collector's state is restored afterwards.

    ``freeze`` (a :class:`Session`'s builds): what the build leaves alive (the
    session keeps every record) is then frozen (``gc.freeze``); otherwise the
    first collection after re-enabling traverses it all, ~90 ms at 1,000
    articles, in the middle of whatever runs next. Frozen objects are never
    collected as cycles (they are still freed when unreferenced) until
    :func:`collect_garbage`, which ``briefing serve`` runs while idle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def collect_garbage() -> None:
    """Collect reference cycles among what a :class:`Session`'s builds left frozen (see
    :func:`_no_cyclic_gc`), at a moment when ~0.1 s does not matter. It unfreezes every
    frozen object, also any the host program froze itself."""
    gc.unfreeze()
    gc.collect()


def analyse(settings: Settings) -> tuple[Briefing, tuple[Problem, ...]]:
    """Ingest, analyse and cross-link; no writing."""
    with _no_cyclic_gc():
        briefing, inputs = _analyse(settings)
    return briefing, inputs.corpus.skipped


def _analyse(settings: Settings, found: Survey | None = None, warm: Warm | None = None,
             meanwhile: Callable[[], None] | None = None,
             ahead: forked.Ahead | None = None) -> tuple[Briefing, Inputs]:
    inputs = load_inputs(settings, found, warm, meanwhile, ahead)
    from .matrix import cross_link  # here: the analysis workers start before this import

    articles = inputs.corpus.articles
    log.info("read %d articles and %d themes", len(articles), len(inputs.codebook.themes))
    return cross_link(articles, inputs.analyses, inputs.codebook, inputs.rows), inputs


def generate(settings: Settings, write: bool = True, warm: Warm | None = None) -> Result:
    """The whole pipeline: ingest -> analyse -> cross-link -> render -> write ``docs/``
    (one build of a ``docs/`` at a time: see :func:`site.exclusive`). ``warm``: see :class:`Session`."""
    with _no_cyclic_gc(freeze=warm is not None), (exclusive(settings.docs) if write else nullcontext()):
        return _generate(settings, write, warm)


def _generate(settings: Settings, write: bool, warm: Warm | None) -> Result:
    last = buildstate.last_build(settings.cache_dir) if write else None
    with scouting(settings, write, warm, last) as scout:
        if scout is not None:
            import jinja2  # noqa: F401 - while the scout checks the inputs (see generator.scout)
        found, stamp, unchanged = checked_inputs(settings, write, last, scout)
        if unchanged:
            log.info("nothing changed since the last build; docs/ is up to date")
            return last.result  # type: ignore[union-attr,return-value]
        return _rebuild(settings, write, warm, last, found, stamp, scout)


def _rebuild(settings: Settings, write: bool, warm: Warm | None, last: buildstate.LastBuild | None,
             found: Survey | None, stamp: str, scout: forked.Ahead | None) -> Result:
    from .site import discarding, write_docs

    # What rendering needs that no analysis changes: done while a worker process
    # analyses the changed articles, if one does (see work.Analysis).
    prepared: list[buildstate.PageMemo | None] = []

    def prepare() -> None:
        from . import render  # noqa: F401 - Jinja and the page builders
        prepared.append(_page_memo(settings, warm))

    briefing, inputs = _analyse(settings, found, warm, prepare, scout)
    from .pages import search_mode
    from .render import render_site

    skipped = inputs.corpus.skipped
    day = as_of(briefing.articles)
    search = search_mode(settings.search, len(briefing.articles))
    memo = prepared[0] if prepared else _page_memo(settings, warm)
    salt = buildstate.render_salt(settings.templates, settings.aliases_file, settings.summary_sentences)
    files = render_site(briefing, day, settings.templates, search, memo, salt, settings.cache_dir,
                        settings.processes)
    replaced: list[Path] = []  # what the written files replaced, deleted while the cache is saved
    report = (write_docs(settings.docs, files, last.outputs if last else None, replaced, prechecked(scout))
              if write else None)
    result = Result(day, report and replace(report, outputs={}), skipped, len(briefing.articles), search)
    if report:
        with discarding(replaced):
            inputs.batch.commit()
            if inputs.codebook_bytes is not None:
                buildstate.save_codebook(settings.cache_dir, settings.themes, inputs.codebook_bytes, inputs.codebook)
            if memo is not None:
                memo.save()
                if warm is not None:
                    warm.pages = memo
            buildstate.prune_legacy(settings.cache_dir)
            log.info("docs/: %d written, %d unchanged, %d removed",
                     len(report.written), len(report.unchanged), len(report.removed))
            buildstate.save_stamp(settings.cache_dir, stamp, settings.docs, report, result)
    return result


def _page_memo(settings: Settings, warm: Warm | None) -> buildstate.PageMemo | None:
    """The memo of rendered pages (see render.render_site), a session's if it has one."""
    if warm is not None and warm.pages is not None and warm.pages.folder == settings.cache_dir:
        return warm.pages
    # A lasting session (serve) reads the cache's shards into memory (see buildstate.load_shard).
    return buildstate.page_memo(settings.cache_dir, mapped=warm is None or warm.one_shot)
