"""Find what each article says on each theme of the codebook.

For every article x theme this produces one :class:`Cell`: the sentences that
match the theme's cues (or its positions' cues), a strength in [0, 1] that is
comparable across articles, and a position decided only by position cues or
pinned by the editor. Nothing is guessed: a cell without matching sentences
and without a pin is "not addressed"; a tie between positions gives no
position.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .records import Article, Cell, Codebook, Cue, Evidence, Sentence, Theme

log = logging.getLogger(__name__)

# Strength = share / (share + HALF_STRENGTH_SHARE), where share is the
# (cue-weighted) fraction of the article's sentences that touch the theme. It
# rises steeply at first and never saturates, so two strong themes still rank
# apart. Calibrated on the BBC development set with a five-topic codebook
# (tests/fixtures/bbc/topics.yml): an article's own topic typically touches
# 15-40 % of its sentences, another topic under 10 %; at 0.1 a theme touching
# a tenth of the sentences scores 0.5, a third scores about 0.77.
HALF_STRENGTH_SHARE = 0.1
# A sentence that matches several cues of the same theme counts a little more,
# up to this many cues (distinct cues are stronger evidence than one repeated).
MAX_CUES_PER_SENTENCE = 3
# Bonus per extra distinct cue in the same sentence (0.25 -> 3 cues weigh 1.5).
EXTRA_CUE_WEIGHT = 0.25
# Evidence kept per cell (the page shows the first few; the JSON keeps these).
MAX_EVIDENCE = 8
STRENGTH_DECIMALS = 3


def _matching_cues(sentence: Sentence, cues: Iterable[Cue]) -> list[str]:
    return [cue.text for cue in cues if cue.pattern.search(sentence.text)]


def _strength(weights: list[float], sentence_count: int) -> float:
    if not weights or sentence_count == 0:
        return 0.0
    share = sum(weights) / sentence_count
    return round(share / (share + HALF_STRENGTH_SHARE), STRENGTH_DECIMALS)


def _decide_position(theme: Theme, article: Article) -> tuple[str | None, tuple[Evidence, ...]]:
    """The position whose cues match the most sentences; None on a tie or no match."""
    tallies: list[tuple[int, str, tuple[Evidence, ...]]] = []
    for position in theme.positions:
        evidence = []
        for sentence in article.sentences:
            hits = _matching_cues(sentence, position.cues)
            if hits:
                evidence.append(Evidence(sentence=sentence, cue=hits[0]))
        if evidence:
            tallies.append((len(evidence), position.id, tuple(evidence)))
    if not tallies:
        return None, ()
    tallies.sort(key=lambda t: -t[0])
    if len(tallies) > 1 and tallies[0][0] == tallies[1][0]:
        log.debug("%s / %s: positions tie, none chosen", article.slug, theme.id)
        return None, ()
    return tallies[0][1], tallies[0][2][:MAX_EVIDENCE]


def theme_cell(article: Article, theme: Theme) -> Cell:
    """The matrix cell of one article on one theme."""
    all_cues = list(theme.cues) + [c for p in theme.positions for c in p.cues]
    evidence: list[Evidence] = []
    weights: list[float] = []
    for sentence in article.sentences:
        hits = _matching_cues(sentence, all_cues)
        if not hits:
            continue
        distinct = sorted(set(hits), key=hits.index)[:MAX_CUES_PER_SENTENCE]
        weights.append(1.0 + EXTRA_CUE_WEIGHT * (len(distinct) - 1))
        evidence.append(Evidence(sentence=sentence, cue=distinct[0]))
    strength = _strength(weights, len(article.sentences))

    pins = dict(article.pinned_positions)
    if theme.id in pins:
        position, position_evidence, pinned = pins[theme.id], (), True
    else:
        position, position_evidence = _decide_position(theme, article)
        pinned = False
    # Best evidence first for display: sentences that decided the position,
    # then the rest in document order.
    decided = {e.sentence.id for e in position_evidence}
    ordered = list(position_evidence) + [e for e in evidence if e.sentence.id not in decided]
    return Cell(
        article=article.slug,
        theme=theme.id,
        strength=strength,
        evidence=tuple(ordered[:MAX_EVIDENCE]),
        position=position,
        pinned=pinned,
        position_evidence=position_evidence,
    )


def match_article(article: Article, codebook: Codebook) -> tuple[Cell, ...]:
    """One cell per theme, in codebook order."""
    return tuple(theme_cell(article, theme) for theme in codebook.themes)
