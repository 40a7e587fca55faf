"""Tests of generator.sentences: exact splits on the hard cases, offsets, paragraphs."""

from __future__ import annotations

import pytest

from generator.records import BLOCKQUOTE, TEXT
from generator.sentences import build_paragraph, split_sentences


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


CASES = [
    # abbreviations with dots inside and at the end
    (
        "The U.S. economy grew. The U.S.-led coalition held talks.",
        ["The U.S. economy grew.", "The U.S.-led coalition held talks."],
    ),
    (
        "Troops left the U.S. The war was over.",
        ["Troops left the U.S.", "The war was over."],
    ),
    (
        "Mr. Smith met Dr. Jones at St. Paul's. They talked.",
        ["Mr. Smith met Dr. Jones at St. Paul's.", "They talked."],
    ),
    (
        "Daniel W. Drezner argues otherwise. He is a professor.",
        ["Daniel W. Drezner argues otherwise.", "He is a professor."],
    ),
    (
        "It was George W. Bush. Then came Barack H. Obama.",
        ["It was George W. Bush.", "Then came Barack H. Obama."],
    ),
    (
        "Lord Palmerston said so. Lord Palmerston was wrong.",
        ["Lord Palmerston said so.", "Lord Palmerston was wrong."],
    ),
    (
        "Some fruits, e.g. apples, are red. Others, i.e. limes, are green.",
        ["Some fruits, e.g. apples, are red.", "Others, i.e. limes, are green."],
    ),
    (
        "Use a fruit, e.g. Granny Smith apples. They keep.",
        ["Use a fruit, e.g. Granny Smith apples.", "They keep."],
    ),
    (
        "The deal closed on Jan. 5 in London. Shares rose.",
        ["The deal closed on Jan. 5 in London.", "Shares rose."],
    ),
    (
        "He bought No. 10 last year. It was expensive.",
        ["He bought No. 10 last year.", "It was expensive."],
    ),
    (
        "It was bought by Acme Inc. The price was not disclosed.",
        ["It was bought by Acme Inc.", "The price was not disclosed."],
    ),
    (
        "Shares of Acme Inc. Europe fell.",
        ["Shares of Acme Inc. Europe fell."],
    ),
    # numbers
    (
        "Growth was 3.5 percent. Profits hit $1.2bn in 2004. Costs fell 0.5%.",
        ["Growth was 3.5 percent.", "Profits hit $1.2bn in 2004.", "Costs fell 0.5%."],
    ),
    # quotations ending inside the quote marks
    (
        "“We must stand together.” He said the party was united.",
        ["“We must stand together.”", "He said the party was united."],
    ),
    (
        '"We must stand together." He said the party was united.',
        ['"We must stand together."', "He said the party was united."],
    ),
    (
        "She asked: “Is it over?” Nobody answered.",
        ["She asked: “Is it over?”", "Nobody answered."],
    ),
    (
        "“Is it over?” asked the reporter. Nobody answered.",
        ["“Is it over?” asked the reporter.", "Nobody answered."],
    ),
    (
        '"It is over," he said. "We won."',
        ['"It is over," he said.', '"We won."'],
    ),
    # a quotation in mid-sentence is never split, even with sentence ends inside it
    (
        "He shouted “Stop. Now. Please.” and walked out. Then he left.",
        ["He shouted “Stop. Now. Please.” and walked out.", "Then he left."],
    ),
    (
        'The sign said "Closed. Go away." in red letters. We left.',
        ['The sign said "Closed. Go away." in red letters.', "We left."],
    ),
    # a quotation that opens the sentence may hold several sentences
    (
        '"We are pleased. The results speak for themselves," he said.',
        ['"We are pleased.', 'The results speak for themselves," he said.'],
    ),
    # an unclosed quotation (continues in the next paragraph) does not block splitting
    (
        'He said "this is the start. We go on. More later',
        ['He said "this is the start.', "We go on.", "More later"],
    ),
    # ellipses
    (
        "He waited... and waited. Nothing came.",
        ["He waited... and waited.", "Nothing came."],
    ),
    (
        "He waited…. Nothing came.",
        ["He waited….", "Nothing came."],
    ),
    (
        "He waited.... Nothing came.",
        ["He waited....", "Nothing came."],
    ),
    (
        "It was… strange. So it goes…",
        ["It was… strange.", "So it goes…"],
    ),
    (
        "And then… The End.",
        ["And then…", "The End."],
    ),
    # closing brackets stay with the sentence
    (
        "Sales rose (by a lot.) Costs fell.",
        ["Sales rose (by a lot.)", "Costs fell."],
    ),
    (
        "Sales rose (see chart). Costs fell!",
        ["Sales rose (see chart).", "Costs fell!"],
    ),
    # exclamation and question marks
    ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
    # no lower-case sentence start
    ("The vote was 5 vs. 4 in favour. it passed.", ["The vote was 5 vs. 4 in favour. it passed."]),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_exact_splits(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_spans_are_stripped_and_verbatim() -> None:
    text = "  First one.   Second one!\n Third?  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one!", "Third?"]
    assert spans[0][0] == 2
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text(text: str) -> None:
    assert split_sentences(text) == []


def test_no_terminator() -> None:
    assert split("A heading without a full stop") == ["A heading without a full stop"]


def test_build_paragraph() -> None:
    text = "Mr. Blair spoke. “It is over,” he said. Growth was 3.5 percent."
    p = build_paragraph(4, text)
    assert p.number == 4 and p.kind == TEXT and p.attribution is None and p.text == text
    assert [s.text for s in p.sentences] == [
        "Mr. Blair spoke.",
        "“It is over,” he said.",
        "Growth was 3.5 percent.",
    ]
    for i, s in enumerate(p.sentences):
        assert s.paragraph == 4 and s.index == i
        assert text[s.start : s.end] == s.text
    assert p.sentences[1].id == "p4s2" and p.sentences[1].anchor == "p4"


def test_build_paragraph_blockquote() -> None:
    p = build_paragraph(2, "We shall fight. We shall never surrender.", kind=BLOCKQUOTE, attribution="Churchill")
    assert p.kind == BLOCKQUOTE and p.attribution == "Churchill"
    assert len(p.sentences) == 2


def test_spans_cover_text_in_order() -> None:
    text = "One. Two? Three! “Four.” (Five.) Six… Seven"
    spans = split_sentences(text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    # only whitespace between sentences
    gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
    assert all(not g.strip() for g in gaps)
