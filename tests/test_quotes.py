"""Direct quotations and their speakers (generator.quotes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.aliases import load_aliases
from generator.quotes import MIN_QUOTE_WORDS, find_quotes
from generator.records import BLOCKQUOTE, Article, Metadata
from generator.sentences import build_paragraph

SEEDS_ALIASES = Path(__file__).resolve().parent.parent / "seeds" / "aliases.yml"


def make_article(*paragraphs: str | tuple[str, str], author: str | None = "Jane Roe") -> Article:
    """An article from paragraph texts; a (kind, text) tuple gives another kind."""
    built = []
    for number, item in enumerate(paragraphs, start=1):
        kind, text = item if isinstance(item, tuple) else ("text", item)
        built.append(build_paragraph(number, text, kind=kind))
    return Article(slug="t", source_file="t.txt", meta=Metadata(title="T", author=author), paragraphs=tuple(built))


def triples(article: Article, aliases=None) -> list[tuple[str, str | None, str]]:
    return [(q.text, q.speaker, q.sentence.id) for q in find_quotes(article, aliases)]


ARTICLE = make_article(
    "Chinese President Xi Jinping arrived in Moscow on Monday. "
    "“We will not be lectured by anyone about our friendships,” Xi said. "
    "“Our partnership has no limits and no forbidden areas.”",
    "“The West has misread this relationship for a decade now,” said Alexander Gabuev of the "
    "Carnegie Endowment. Gabuev added that the Kremlin needs Beijing more than ever.",
    "As one Russian state official put it, “there is no alternative to Chinese markets for our energy "
    "exports.” However, the U.S. disagrees. A State Department spokesperson said “the partnership is "
    "one of convenience and little else.”",
    "Lord Palmerston’s dictum that “nations have no permanent friends, only permanent interests” still "
    "applies. The so-called “no limits” friendship is a \"marriage of convenience\" at best.",
    "“Sanctions have failed. They have only pushed Moscow closer to Beijing,” Gabuev wrote in Foreign "
    "Affairs. “It was never going to work that way,” he said.",
    'Xi told reporters: "We stand ready to work with all parties for peace."',
)


def test_quotes_texts_speakers_and_sentences():
    assert triples(ARTICLE) == [
        ("We will not be lectured by anyone about our friendships", "Xi Jinping", "p1s2"),
        # A whole-sentence quotation continues the attributed one before it.
        ("Our partnership has no limits and no forbidden areas.", "Xi Jinping", "p1s3"),
        ("The West has misread this relationship for a decade now", "Alexander Gabuev of the Carnegie Endowment", "p2s1"),
        ("there is no alternative to Chinese markets for our energy exports.", "one Russian state official", "p3s1"),
        ("the partnership is one of convenience and little else.", "a State Department spokesperson", "p3s3"),
        ("nations have no permanent friends, only permanent interests", "Lord Palmerston", "p4s1"),
        # Spans a sentence boundary; bound to the sentence where it opens; surname -> full name.
        ("Sanctions have failed. They have only pushed Moscow closer to Beijing", "Alexander Gabuev", "p5s1"),
        # A pronoun does not say who: never guessed.
        ("It was never going to work that way", None, "p5s3"),
        ("We stand ready to work with all parties for peace.", "Xi Jinping", "p6s1"),
    ]


def test_quote_text_is_verbatim_inside_its_paragraph():
    for quote in find_quotes(ARTICLE):
        paragraph = ARTICLE.paragraphs[quote.sentence.paragraph - 1]
        assert quote.text in paragraph.text
        assert paragraph.text.index(quote.text) >= quote.sentence.start


def test_scare_quotes_and_short_phrases_are_not_quotes():
    article = make_article(
        "The so-called “no limits” partnership is a “marriage of convenience” for \"both sides\".",
        "Officials called it “a friendship with five words”.",
    )
    assert MIN_QUOTE_WORDS == 6
    assert find_quotes(article) == ()
    six = make_article("He called it “a partnership with six whole words” in public.")
    assert [q.text for q in find_quotes(six)] == ["a partnership with six whole words"]


def test_alias_makes_the_speaker_canonical():
    article = make_article("“We will never accept a world run by one power,” Xi said on Tuesday.")
    assert triples(article) == [("We will never accept a world run by one power", "Xi", "p1s1")]
    aliases = load_aliases(SEEDS_ALIASES)
    assert triples(article, aliases) == [("We will never accept a world run by one power", "Xi Jinping", "p1s1")]
    putin = make_article("Putin warned that “any attack on our allies will be treated as an attack on us.”")
    assert [q.speaker for q in find_quotes(putin, aliases)] == ["Vladimir Putin"]


@pytest.mark.parametrize(
    "text, speaker",
    [
        ("According to Alexander Gabuev, “the relationship is deeply unequal in every respect.”", "Alexander Gabuev"),
        ("“The relationship is deeply unequal in every respect,” according to Alexander Gabuev.", "Alexander Gabuev"),
        ("Foreign Minister Sergei Lavrov noted that “the old order has ended for good now.”", "Sergei Lavrov"),
        ("Dr. Maria Petrova argued “sanctions have made the two countries closer than ever.”", "Maria Petrova"),
        ("But Fiona Hill warned: “this is a marriage that could end in tears for Moscow.”", "Fiona Hill"),
        ("Gabuev told the Financial Times that “Russia has become the junior partner at last.”", "Gabuev"),
        ("“Russia has become the junior partner at last,” the Chinese ambassador declared.", "the Chinese ambassador"),
        ("“Nations have no permanent friends, only permanent interests,” as Lord Palmerston put it.", "Lord Palmerston"),
        ("In the words of Henry Kissinger, “the task is to keep both powers closer to us.”", "Henry Kissinger"),
        ("“This war was started by the West and its allies,” wrote a columnist in the Global Times.", "a columnist in the Global Times"),
        ("Analysts expect “a long period of uneasy but durable cooperation between them.”", None),
        ("“We reject the idea of a new Cold War in Asia,” she added.", None),
        ("He said that “Beijing will never abandon its old friends in Moscow.”", None),
    ],
)
def test_attribution_patterns(text, speaker):
    assert [q.speaker for q in find_quotes(make_article(text))] == [speaker]


def test_whole_sentence_quote_takes_speaker_from_previous_sentence():
    article = make_article(
        "Alexander Gabuev put it bluntly. “Russia needs China far more than China needs Russia.”",
        "The mood was grim. “Nobody in the room expected the talks to last this long.”",
    )
    assert triples(article) == [
        ("Russia needs China far more than China needs Russia.", "Alexander Gabuev", "p1s2"),
        ("Nobody in the room expected the talks to last this long.", None, "p2s2"),
    ]


def test_blockquote_quotes_are_found_but_never_given_to_the_author():
    article = make_article(
        (BLOCKQUOTE, "“We are building a new world order together with our partners,” the statement read."),
        (BLOCKQUOTE, "“Our cooperation is not aimed at any third country at all.”"),
        author="Jane Roe",
    )
    found = triples(article)
    assert [t[0] for t in found] == [
        "We are building a new world order together with our partners",
        "Our cooperation is not aimed at any third country at all.",
    ]
    assert all(speaker != "Jane Roe" for _, speaker, _ in found)
    assert [t[1] for t in found] == [None, None]


def test_unclosed_curly_quote_runs_to_paragraph_end():
    article = make_article(
        "The communiqué was long. “Both sides agree that the world is changing in ways not seen for a century.",
        "“Both sides will deepen their coordination at the United Nations,” the communiqué said.",
    )
    assert triples(article) == [
        ("Both sides agree that the world is changing in ways not seen for a century.", None, "p1s2"),
        ("Both sides will deepen their coordination at the United Nations", "the communiqué", "p2s1"),
    ]


def test_no_quotation_marks_gives_nothing():
    assert find_quotes(make_article("Nothing here is quoted at all, not even once.")) == ()
