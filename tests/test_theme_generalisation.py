"""Theme assignment generalises to a different corpus and a different codebook.

With a small five-topic codebook (tests/fixtures/bbc/topics.yml, written from
general knowledge of each news desk, not from these articles), the strongest
theme of each BBC development article should be the topic folder it was filed
under, for a clear majority of articles. Other topics are kept aside by the
project owner to check the same property.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from generator.codebook import load_codebook
from generator.ingest import read_article
from generator.themes import match_article

CODEBOOK = Path(__file__).resolve().parent / "fixtures" / "bbc" / "topics.yml"
# Pinned floor: the share of articles whose strongest theme is their own topic.
# Achieved 0.85 (51/60) when written; the requirement is a clear majority.
MIN_ACCURACY = 0.8


def test_strongest_theme_is_the_filed_topic(bbc):
    book = load_codebook(CODEBOOK)
    outcomes: Counter[str] = Counter()
    misses = []
    for path in sorted((bbc / "article").glob("*/*.txt")):
        topic = path.parent.name
        article = read_article(path, path.parent)
        cells = match_article(article, book)
        best = max(cells, key=lambda c: (c.strength, -[t.id for t in book.themes].index(c.theme)))
        hit = best.theme == topic and best.strength > 0
        outcomes[hit] += 1
        if not hit:
            misses.append(f"{topic}/{path.name}: strongest {best.theme} ({best.strength})")
    accuracy = outcomes[True] / sum(outcomes.values())
    assert sum(outcomes.values()) == 60
    assert accuracy >= MIN_ACCURACY, f"accuracy {accuracy:.2f}; misses: {misses}"
