"""The corpus of a build: the skip rule applied to every input's outcome, unique slugs,
and the content hash that keys an input in the analysis cache.

Kept apart from :mod:`ingest` (which reads and cleans an input) so that a rebuild
that takes every article from the cache never imports the reading and analysis
code: :mod:`work` analyses changed articles in a worker process that imports it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace

from .errors import Problem, ProblemsError, UnreadableInput
from .records import Article
from .slugs import unique_slugs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Corpus:
    """Every readable article, with unique slugs, in discovery order; and the skipped inputs."""

    articles: tuple[Article, ...]
    skipped: tuple[Problem, ...] = ()


def content_hash(raw: bytes, sidecar: bytes | None) -> str:
    """SHA-256 of an input's bytes and its sidecar's (``None``: no sidecar), unambiguous:
    moving bytes from the end of one to the other changes it."""
    digest = hashlib.sha256(len(raw).to_bytes(8, "big") + raw)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar)
    return digest.hexdigest()


def collect(outcomes: list[Article | ProblemsError], strict: bool = False) -> Corpus:
    """Apply the skip rule to read outcomes and give the articles unique slugs, in input order.

    The articles of the corpus are the successful outcomes, in the same order.
    """
    articles: list[Article] = []
    skipped: list[Problem] = []
    fatal: list[Problem] = []
    for outcome in outcomes:
        if isinstance(outcome, UnreadableInput):
            skipped.extend(outcome.problems)
            if not strict:
                for problem in outcome.problems:
                    log.warning("skipped %s", problem)
        elif isinstance(outcome, ProblemsError):
            fatal.extend(outcome.problems)
        else:
            articles.append(outcome)
    if fatal or (strict and skipped):
        raise ProblemsError(fatal + (skipped if strict else []))
    slugs = unique_slugs([article.meta.title for article in articles], [article.base_slug for article in articles])
    articles = [article if article.slug == slug else replace(article, slug=slug)
                for article, slug in zip(articles, slugs, strict=True)]
    return Corpus(tuple(articles), tuple(skipped))
