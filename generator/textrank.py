"""Sentence vectors and TextRank centrality, for the extractive summary (:mod:`summarize`).

A sentence is represented by the counts of its content-word stems (a generic
English stop-word list removed, Snowball stems). :func:`graph_centrality` is
TextRank (Mihalcea & Tarau 2004): weighted PageRank over the graph whose edges
weigh the stems two sentences share, normalised by the log of their lengths.
Pure Python and deterministic.
"""

from __future__ import annotations

import math
import re

import snowballstemmer

GRAPH_DAMPING = 0.85  # the usual PageRank damping
GRAPH_MAX_ITERATIONS = 50  # power iteration cap; it stops earlier at GRAPH_TOLERANCE
GRAPH_TOLERANCE = 1e-5  # L1 change of the ranks; only their order matters, which is stable by then


# A generic English stop-word list (function words); not derived from any corpus.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me might
    more most must my myself no nor not now of off on once only or other our ours ourselves out over own
    said same say says she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves mr mrs ms s t
    """.split()
)

_WORD_RE = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


def _stem(word: str) -> str:
    s = _STEM_CACHE.get(word)
    if s is None:
        s = _STEMMER.stemWord(word)
        if len(_STEM_CACHE) < _STEM_CACHE_MAX:
            _STEM_CACHE[word] = s
    return s


def content_stems(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (stop words and 1-letter tokens dropped)."""
    return [_stem(w) for w in _WORD_RE.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def counts(stems: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in stems:
        out[s] = out.get(s, 0) + 1
    return out


def norm(v: dict[str, int]) -> float:
    return math.sqrt(sum(c * c for c in v.values()))


def cosine(a: dict[str, int], na: float, b: dict[str, int], nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(c * b.get(w, 0) for w, c in a.items()) / (na * nb)


def dot_products(vectors: list[dict[str, int]]) -> list[dict[int, int]]:
    """``dots[i][j]`` (i < j): the dot product of two sentences' stem counts, for the pairs
    that share a word, from an inverted index (cost follows shared words, not pairs)."""
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, v in enumerate(vectors):
        for w, c in v.items():
            postings.setdefault(w, []).append((i, c))
    dots: list[dict[int, int]] = [{} for _ in vectors]
    for plist in postings.values():
        if len(plist) < 2:
            continue
        for a in range(len(plist)):
            i, ci = plist[a]
            row = dots[i]
            for j, cj in plist[a + 1 :]:
                row[j] = row.get(j, 0) + ci * cj
    return dots


def graph_centrality(vectors: list[dict[str, int]], dots: list[dict[int, int]] | None = None) -> list[float]:
    """TextRank-style centrality of each sentence, scaled so the most central is 1.

    Edge weight between two sentences: the dot product of their content-stem
    counts divided by log(len a) + log(len b) (Mihalcea & Tarau 2004), then
    weighted PageRank with damping GRAPH_DAMPING by power iteration. ``dots``:
    :func:`dot_products` of ``vectors``, if already computed.
    """
    n = len(vectors)
    if n < 2:
        return [1.0] * n
    dots = dots if dots is not None else dot_products(vectors)
    logs = [math.log(sum(v.values())) if v else 0.0 for v in vectors]
    rows: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i, row in enumerate(dots):
        for j, dot in row.items():
            norm = logs[i] + logs[j]
            w = dot / norm if norm > 0 else float(dot)
            rows[i].append((j, w))
            rows[j].append((i, w))
    # row-normalise once: out[i] = [(j, damping * w_ij / sum_j w_ij)]
    out: list[list[tuple[int, float]]] = []
    dangling: list[int] = []
    for i, r in enumerate(rows):
        total = sum(w for _, w in r)
        if total:
            out.append([(j, GRAPH_DAMPING * w / total) for j, w in r])
        else:
            out.append([])
            dangling.append(i)
    rank = [1.0 / n] * n
    base = (1.0 - GRAPH_DAMPING) / n
    for _ in range(GRAPH_MAX_ITERATIONS):
        start = base + GRAPH_DAMPING * sum(rank[i] for i in dangling) / n
        new = [start] * n
        for i, r in enumerate(out):
            ri = rank[i]
            for j, w in r:
                new[j] += ri * w
        delta = sum(abs(x - y) for x, y in zip(new, rank))
        rank = new
        if delta < GRAPH_TOLERANCE:
            break
    top = max(rank)
    return [r / top for r in rank]
