"""Unit tests of generator.summarize on small hand-made articles."""

from __future__ import annotations

import pytest

from generator.records import Article, Metadata
from generator.sentences import build_paragraph
from generator.summarize import default_key_point_count, key_points, summarize


def make_article(title: str, paragraphs: list[str]) -> Article:
    return Article(
        slug="test",
        source_file="test.txt",
        meta=Metadata(title=title),
        paragraphs=tuple(build_paragraph(i + 1, p) for i, p in enumerate(paragraphs)),
    )


ARTICLE = make_article(
    "Central bank raises interest rates to curb inflation",
    [
        "The central bank raised interest rates by half a point on Thursday to curb inflation. "
        "It was the third rise this year.",
        "Inflation reached 6.2% in May, the highest level for a decade, driven by energy prices. "
        "The bank said interest rates would stay high until inflation falls back towards its target.",
        "“We will do what it takes,” the governor said. Markets had expected the move.",
        "Higher interest rates make mortgages more expensive and may slow the economy. "
        "Some economists warned that the bank risks a recession if inflation falls faster than expected.",
        "The weather was mild. Shops reported steady trade.",
    ],
)
ALL_TEXTS = [s.text for s in ARTICLE.sentences]


def positions(sentences) -> list[tuple[int, int]]:
    return [(s.paragraph, s.index) for s in sentences]


def test_summary_is_verbatim_in_document_order() -> None:
    summary = summarize(ARTICLE, 3)
    assert len(summary) == 3
    assert all(s in ARTICLE.sentences for s in summary)
    for s in summary:
        para = ARTICLE.paragraphs[s.paragraph - 1]
        assert para.text[s.start : s.end] == s.text
    assert positions(summary) == sorted(positions(summary))


def test_summary_prefers_central_sentences() -> None:
    summary = [s.text for s in summarize(ARTICLE, 2)]
    assert "The weather was mild." not in summary
    assert "Shops reported steady trade." not in summary
    assert any("interest rates" in t for t in summary)


def test_deterministic() -> None:
    first = summarize(ARTICLE, 3)
    rebuilt = make_article(ARTICLE.meta.title, [p.text for p in ARTICLE.paragraphs])
    for _ in range(3):
        assert summarize(ARTICLE, 3) == first
        assert summarize(rebuilt, 3) == first
    assert key_points(ARTICLE) == key_points(rebuilt)


def test_k_larger_than_article() -> None:
    summary = summarize(ARTICLE, 100)
    assert summary == ARTICLE.sentences


@pytest.mark.parametrize("k", [0, -1])
def test_k_zero_or_negative(k: int) -> None:
    assert summarize(ARTICLE, k) == ()


def test_empty_article() -> None:
    empty = make_article("Nothing here", [])
    assert summarize(empty) == ()
    assert key_points(empty) == ()
    blank = make_article("Blank", ["   "])
    assert summarize(blank) == ()
    assert key_points(blank) == ()


def test_one_sentence_article() -> None:
    one = make_article("Short", ["Only one sentence here."])
    assert [s.text for s in summarize(one, 3)] == ["Only one sentence here."]
    assert [s.text for s in key_points(one)] == ["Only one sentence here."]


def test_article_without_title_words() -> None:
    art = make_article("", ["Alpha beta gamma. Beta gamma delta. Epsilon."])
    assert len(summarize(art, 2)) == 2


def test_key_points_default_count_is_3_to_5() -> None:
    assert len(key_points(ARTICLE)) == 3
    long_article = make_article(
        "Long",
        [f"Sentence number {i} talks about topic {i % 4} and the budget." for i in range(40)],
    )
    kp = key_points(long_article)
    assert 3 <= len(kp) <= 5
    for n_sent in range(1, 200):
        assert 3 <= default_key_point_count(n_sent) <= 5
    assert default_key_point_count(10) == 3 and default_key_point_count(200) == 5


@pytest.mark.parametrize("n", [3, 4, 5])
def test_key_points_count_chosen(n: int) -> None:
    kp = key_points(ARTICLE, n)
    assert len(kp) == n


def test_key_points_verbatim_in_order() -> None:
    kp = key_points(ARTICLE, 4)
    assert all(s in ARTICLE.sentences for s in kp)
    assert positions(kp) == sorted(positions(kp))
    assert len(set(kp)) == len(kp)


def test_key_points_add_to_the_summary() -> None:
    summary = set(summarize(ARTICLE, 3))
    kp = key_points(ARTICLE, 3)
    assert not summary & set(kp)  # 10 sentences: enough to avoid repeating the summary


def test_key_points_short_article_may_overlap_summary() -> None:
    art = make_article("Rates", ["Rates rose. Prices rose too. Wages did not rise. Savers gained."])
    kp = key_points(art, 3)
    assert len(kp) == 3
    assert all(s in art.sentences for s in kp)
