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
import re
from functools import lru_cache

from .cues import CUE_WORD_SPLIT, WORD_SEPARATOR, word_forms
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


_TOKEN = re.compile(r"\w+")
_SEPARATOR_ONLY = re.compile(WORD_SEPARATOR + r"\Z")


class CueIndex:
    """Finds which cues of a set occur in a text, with the same results as their regexes.

    A phrase cue of plain words matches when its words' allowed forms
    (:func:`cues.word_forms`) occur as consecutive whole words separated
    only by white space or hyphens, which is exactly what
    :func:`cues.compile_cue` compiles. Looking tokens up in a dictionary
    costs one pass per sentence, where ~10 regex searches per theme cost 30x
    more. Regex cues, and phrases with digits or punctuation, use their regex.
    """

    def __init__(self, cues: tuple[Cue, ...]):
        self.by_first: dict[str, list[tuple[Cue, tuple[frozenset[str], ...]]]] = {}
        self.by_regex: list[Cue] = []
        for cue in cues:
            words = [w for w in CUE_WORD_SPLIT.split(cue.text.strip()) if w]
            if cue.is_regex or not words or not all(w.isalpha() for w in words):
                self.by_regex.append(cue)
                continue
            forms = tuple(frozenset(word_forms(w)) for w in words)
            for form in forms[0]:
                self.by_first.setdefault(form, []).append((cue, forms))

    def matches(self, text: str) -> set[Cue]:
        """The cues found in ``text`` (cues compare by their text and kind)."""
        found = {cue for cue in self.by_regex if cue.pattern.search(text)}
        tokens = _tokens(text)
        for i, (word, _, _) in enumerate(tokens):
            for cue, forms in self.by_first.get(word, ()):
                if cue in found or i + len(forms) > len(tokens):
                    continue
                if all(
                    tokens[i + k][0] in forms[k]
                    and _SEPARATOR_ONLY.match(text, tokens[i + k - 1][2], tokens[i + k][1])
                    for k in range(1, len(forms))
                ):
                    found.add(cue)
        return found


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """Lower-cased words of a sentence with their offsets (cached: every theme asks)."""
    return tuple((m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text))


@lru_cache(maxsize=1024)
def _index(cues: tuple[Cue, ...]) -> CueIndex:
    return CueIndex(cues)


def _strength(weights: list[float], sentence_count: int) -> float:
    if not weights or sentence_count == 0:
        return 0.0
    share = sum(weights) / sentence_count
    return round(share / (share + HALF_STRENGTH_SHARE), STRENGTH_DECIMALS)


def _decide_position(theme: Theme, hits: list[tuple[Sentence, set[str]]]) -> tuple[str | None, tuple[Evidence, ...]]:
    """The position whose cues match the most sentences; None on a tie or no match."""
    tallies: list[tuple[int, str, tuple[Evidence, ...]]] = []
    for position in theme.positions:
        evidence = []
        for sentence, matched in hits:
            first = next((c.text for c in position.cues if c.text in matched), None)
            if first is not None:
                evidence.append(Evidence(sentence=sentence, cue=first))
        if evidence:
            tallies.append((len(evidence), position.id, tuple(evidence)))
    if not tallies:
        return None, ()
    tallies.sort(key=lambda t: -t[0])
    if len(tallies) > 1 and tallies[0][0] == tallies[1][0]:
        log.debug("%s: positions tie, none chosen", theme.id)
        return None, ()
    return tallies[0][1], tallies[0][2][:MAX_EVIDENCE]


def _all_cues(theme: Theme) -> tuple[Cue, ...]:
    return tuple(theme.cues) + tuple(c for p in theme.positions for c in p.cues)


def theme_cell(article: Article, theme: Theme) -> Cell:
    """The matrix cell of one article on one theme."""
    return _cell(article, theme, _found(article, _index(_all_cues(theme))))


def _found(article: Article, index: CueIndex) -> list[tuple[Sentence, frozenset[tuple[str, bool]]]]:
    """Per sentence, the cues found, as (text, is_regex): what makes two cues equal, hashed
    in C (a Cue's generated __hash__ runs Python code, and every theme asks every sentence)."""
    return [(s, frozenset((c.text, c.is_regex) for c in index.matches(s.text))) for s in article.sentences]


def _cell(article: Article, theme: Theme, found: list[tuple[Sentence, frozenset[tuple[str, bool]]]]) -> Cell:
    """The cell, given the cues found in each sentence (a superset of this theme's is fine)."""
    keys = [(cue.text, cue.is_regex) for cue in _all_cues(theme)]
    evidence: list[Evidence] = []
    weights: list[float] = []
    hits: list[tuple[Sentence, set[str]]] = []
    for sentence, cues in found:
        if not cues:
            continue
        matched = [key[0] for key in keys if key in cues]
        if not matched:
            continue
        hits.append((sentence, set(matched)))
        distinct = sorted(set(matched), key=matched.index)[:MAX_CUES_PER_SENTENCE]
        weights.append(1.0 + EXTRA_CUE_WEIGHT * (len(distinct) - 1))
        evidence.append(Evidence(sentence=sentence, cue=distinct[0]))
    strength = _strength(weights, len(article.sentences))

    pins = dict(article.pinned_positions)
    if theme.id in pins:
        position, position_evidence, pinned = pins[theme.id], (), True
    else:
        position, position_evidence = _decide_position(theme, hits)
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
    """One cell per theme, in codebook order; each sentence is scanned once for all cues."""
    found = _found(article, _index(tuple(c for theme in codebook.themes for c in _all_cues(theme))))
    return tuple(_cell(article, theme, found) for theme in codebook.themes)
