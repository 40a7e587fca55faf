"""The analysis of one article, as a worker process runs it (and the build process, when it
analyses in this process): read, clean, summarise, find quotes and entities, match themes.

:mod:`work` decides which articles need it and collects the results. The reading and
analysis modules, which compile many regular expressions, are imported here, where an
article is analysed: a rebuild that edits a few articles analyses them in a worker
process, and the build process itself then never imports them.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import buildstate, regexes
from .buildstate import pickled
from .errors import ProblemsError
from .records import Article, ArticleAnalysis, ArticleWork, CellRow, Codebook, Theme

if TYPE_CHECKING:
    from .aliases import Aliases


def theme_fingerprint(theme: Theme) -> str:
    """What a theme's cells were computed for (its every field, cues included)."""
    return hashlib.sha256(repr(theme).encode()).hexdigest()[:24]


def analyse_article(article: Article, aliases: Aliases, k: int) -> ArticleAnalysis:
    """Everything derived from one article alone (summary, key points, quotes, entities)."""
    from . import entities, quotes, summarize

    return ArticleAnalysis(
        slug=article.slug,
        summary=summarize.summarize(article, k),
        key_points=summarize.key_points(article, summary_k=k),
        quotes=quotes.find_quotes(article, aliases),
        mentions=entities.find_mentions(article, aliases),
    )


# What init readies for process, in each process that analyses.
_STATE: dict[str, object] = {}


def init(aliases_file: str | None, codebook: Codebook | str, k: int, cache_dir: str | None = None) -> None:
    """Ready this process to analyse: the gazetteer, and the codebook, or the path of its
    file (a worker reads it itself, so that it can start before the build has read it; a
    broken codebook gives no cells, as the build then reports it). With ``cache_dir``,
    the codebook and the built-in gazetteer a successful build kept there are used when
    they were made from the same files (see :func:`buildstate.saved_codebook` and
    :func:`buildstate.saved_gazetteer`), and so are the programs of its regular expressions
    (see :mod:`regexes`); a gazetteer built here instead, and programs generated here, are
    handed to the build with the first result, which keeps them (see :meth:`Batch.commit`)."""
    cache = Path(cache_dir) if cache_dir else None
    programs = buildstate.saved_regexes(cache)
    regexes.adopt(programs)  # before the analysis modules compile theirs
    from . import aliases as gazetteers

    if isinstance(codebook, str):
        try:
            codebook = buildstate.read_codebook(cache, Path(codebook))[0]
        except ProblemsError:
            codebook = Codebook(())
    source = gazetteers.gazetteer_source() if cache is not None else ""
    kept = buildstate.saved_gazetteer(cache, source)
    if kept is not None:
        gazetteers.adopt_gazetteer(kept)  # type: ignore[arg-type]
    try:
        aliases = gazetteers.load_aliases(Path(aliases_file) if aliases_file else None)
    except ProblemsError:  # the build reports it; the articles' own problems are still found
        aliases = gazetteers.load_aliases(None)
    built = {}
    if cache is not None and kept is None:
        built[buildstate.GAZETTEER] = pickled((source, gazetteers.builtin_gazetteer()))
    _STATE.update(aliases=aliases, codebook=codebook, k=k, built=built, keep_programs=cache is not None,
                  programs_missing=programs is None,
                  fingerprints=tuple((t.id, theme_fingerprint(t)) for t in codebook.themes))  # type: ignore[union-attr]


def process(job: tuple[str, str]) -> tuple[ArticleWork, dict[str, bytes] | None] | ProblemsError:
    """One article's :class:`ArticleWork` and, with this process's first result, what it built
    for the cache folder, by file name (see :func:`init`). From a worker process the record
    crosses pickled, and what it defers (:class:`~generator.deferred.Deferred`) then stays a
    nested pickle, which the build process reads only if a page shows it and the cache
    stores as it is."""
    from . import themes
    from .ingest import read_article
    from .slugs import slugify

    path, seeds = job
    try:
        article = read_article(Path(path), Path(seeds))
    except ProblemsError as err:  # UnreadableInput included: the caller applies the skip rule
        return err
    # The slug the title gives; Batch.settle changes it only if another article has it too.
    article = replace(article, slug=slugify(article.meta.title))
    analysis = analyse_article(article, _STATE["aliases"], _STATE["k"])  # type: ignore[arg-type]
    cells = themes.match_article(article, _STATE["codebook"])  # type: ignore[arg-type]
    row = CellRow(cells, _STATE["fingerprints"])  # type: ignore[arg-type]
    return ArticleWork(article, analysis, row), _built()


def _built() -> dict[str, bytes] | None:
    """What this process built for the cache folder (see :func:`init`), once: the gazetteer,
    and the programs of the regular expressions the analysis compiled, if it generated them."""
    built = _STATE.pop("built", None)
    if built is None:
        return None
    programs = regexes.programs(missing=bool(_STATE["programs_missing"])) if _STATE["keep_programs"] else None
    if programs is not None:
        built[buildstate.REGEXES] = pickled((regexes.interpreter(), programs))  # type: ignore[index]
    return built or None  # type: ignore[return-value]
