"""The build pipeline: ingest -> analyse -> cross-link -> render -> write.

:func:`generate` reads like the pipeline. All input is validated and every
analysis is done before anything is written, so a failure at any stage leaves
``docs/`` as it was.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import entities, quotes, summarize, themes
from .codebook import load_codebook
from .errors import Problem, ProblemsError
from .ingest import Corpus, load_corpus
from .matrix import Briefing, cross_link
from .overrides import pin_problems
from .records import Article, ArticleAnalysis, Cell, Codebook
from .render import TEMPLATES, render_site
from .site import WriteReport, write_docs

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

    @property
    def aliases_file(self) -> Path | None:
        if self.aliases is not None:
            return self.aliases
        default = self.seeds / "aliases.yml"
        return default if default.is_file() else None


@dataclass(frozen=True)
class Inputs:
    codebook: Codebook
    aliases: entities.Aliases
    corpus: Corpus


@dataclass(frozen=True)
class Result:
    briefing: Briefing
    report: WriteReport | None
    skipped: tuple[Problem, ...]


def load_inputs(settings: Settings) -> Inputs:
    """Read and validate the codebook, aliases and articles; raise with every problem at once."""
    problems: list[Problem] = []
    codebook = aliases = corpus = None
    try:
        codebook = load_codebook(settings.themes)
    except ProblemsError as err:
        problems += err.problems
    try:
        aliases = entities.load_aliases(settings.aliases_file)
    except ProblemsError as err:
        problems += err.problems
    try:
        corpus = load_corpus(settings.seeds, strict=settings.strict)
    except ProblemsError as err:
        problems += err.problems
    if codebook is not None and corpus is not None:
        problems += check_pins(corpus.articles, codebook)
    if problems:
        raise ProblemsError(problems)
    return Inputs(codebook, aliases, corpus)


def check_pins(articles: tuple[Article, ...], codebook: Codebook) -> list[Problem]:
    """Pinned positions must name a theme of the codebook and one of its positions."""
    return pin_problems((pin for article in articles for pin in article.pins), codebook)


def analyse_article(article: Article, aliases: entities.Aliases, k: int) -> ArticleAnalysis:
    """Everything derived from one article alone (summary, key points, quotes, entities)."""
    return ArticleAnalysis(
        slug=article.slug,
        summary=summarize.summarize(article, k),
        key_points=summarize.key_points(article),
        quotes=quotes.find_quotes(article, aliases),
        mentions=entities.find_mentions(article, aliases),
    )


def match_themes(articles: tuple[Article, ...], codebook: Codebook) -> dict[tuple[str, str], Cell]:
    return {
        (cell.article, cell.theme): cell
        for article in articles
        for cell in themes.match_article(article, codebook)
    }


def as_of(articles: tuple[Article, ...]) -> str | None:
    """The briefing's date: SOURCE_DATE_EPOCH if set, else the newest source date, else none."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
    dates = sorted(a.meta.date for a in articles if a.meta.date)
    return dates[-1] if dates else None


def analyse(settings: Settings) -> tuple[Briefing, tuple[Problem, ...]]:
    """Ingest, analyse and cross-link; no writing."""
    inputs = load_inputs(settings)
    articles = inputs.corpus.articles
    log.info("read %d articles and %d themes", len(articles), len(inputs.codebook.themes))
    analyses = {a.slug: analyse_article(a, inputs.aliases, settings.summary_sentences) for a in articles}
    cells = match_themes(articles, inputs.codebook)
    return cross_link(articles, analyses, inputs.codebook, cells), inputs.corpus.skipped


def generate(settings: Settings, write: bool = True) -> Result:
    """The whole pipeline: ingest -> analyse -> cross-link -> render -> write ``docs/``."""
    briefing, skipped = analyse(settings)
    files = render_site(briefing, as_of(briefing.articles), settings.templates)
    report = write_docs(settings.docs, files) if write else None
    if report:
        log.info("docs/: %d written, %d unchanged, %d removed",
                 len(report.written), len(report.unchanged), len(report.removed))
    return Result(briefing, report, skipped)
