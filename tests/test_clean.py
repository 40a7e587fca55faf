"""Cleaning copied web text: furniture, header metadata, block quotes, Markdown bodies."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import furniture
from generator.blocks import Cleaned, first_sentence, normalise
from generator.clean import clean_text
from generator.excerpts import source_from_intro
from generator.furniture import FURNITURE, furniture_kind
from generator.headerlines import parse_byline, parse_credit, parse_date_line, parse_republished
from generator.markdown_body import parse_markdown
from generator.records import BLOCKQUOTE, TEXT

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

BODY = (
    "The council met on Tuesday to discuss the harbor. Members argued for hours about the budget, "
    "and the mayor promised a decision by the end of the month."
)


def cleaned(name: str) -> Cleaned:
    return clean_text(normalise((FIXTURES / name).read_text(encoding="utf-8")))


def texts(result: Cleaned) -> list[str]:
    return [b.text for b in result.blocks]


# --- normalisation -----------------------------------------------------------------


def test_normalise_line_ends_and_spaces_but_not_quotes():
    raw = "One\r\nTwo\rThree\u2028Four\u00a0five\u202fsix “curly” ‘single’ \u200bzero\u00adsoft\tTab\x07"
    assert normalise(raw) == "One\nTwo\nThree\nFour five six “curly” ‘single’ zerosoft Tab"


def test_lines_of_one_paragraph_are_joined_and_blank_lines_separate():
    text = "Title Of The Piece\n\nFirst sentence here.\nSecond sentence here.\n\nThird one.\n  Fourth one.  \n"
    result = clean_text(text)
    assert result.fields["title"] == "Title Of The Piece"
    assert texts(result) == ["First sentence here. Second sentence here.", "Third one. Fourth one."]


# --- the two seed shapes -----------------------------------------------------------


def test_diplomat_shape():
    result = cleaned("diplomat_shape.txt")
    f = result.fields
    assert f["title"] == "Read the Lighthouse Accord as It Is Written"
    assert f["subtitle"].startswith("Harbor City and Ridgeland disagree on many details")
    assert f["section"] == "Flashpoints | Diplomacy"
    assert f["photo_credit"] == "Harbor City Office of Public Information"
    assert "author" not in f and "date" not in f  # never invented
    body = texts(result)
    assert len(body) == 3
    assert body[0].startswith("Commentators keep searching")
    assert body[-1].endswith("take at face value.")
    assert result.removed_lines == (
        "Flashpoints",
        "Read the Lighthouse Accord as It Is Written",
        "Recent Features",
        "Flashpoints | Diplomacy",
        "Read the Lighthouse Accord as It Is Written",
        f["subtitle"],
        "Read the Lighthouse Accord as It Is Written",
        "Credit: Harbor City Office of Public Information",
        "Share this article",
        "Sign up for our newsletter",
    )


def test_fletcher_shape():
    result = cleaned("fletcher_shape.txt")
    f = result.fields
    assert f["title"] == "How close are the two harbor towns, really?"
    assert f["author"] == "Mara T. Quill"
    assert f["author_note"] == (
        "Professor of Municipal Affairs at the Westbrook School of Civic Studies at Eastvale University"
    )
    assert f["subtitle"] == "A story of two Evening Ledger reports."
    assert f["republished_from"] == "Quill's Ledger Notes"
    assert "date" not in f and "section" not in f and "photo_credit" not in f
    body = " ".join(texts(result))
    for debris in ("fbpx", "Faculty & Staff Media", "Leave a Reply", "Post Comment", "Name *", "originally published"):
        assert debris not in body
    assert result.removed_lines[:2] == ("fbpx", "Faculty & Staff Media")
    assert result.removed_lines[-1] == "Post Comment"


def test_fletcher_shape_blockquotes():
    blocks = cleaned("fletcher_shape.txt").blocks
    kinds = [b.kind for b in blocks]
    assert kinds == [TEXT, BLOCKQUOTE, BLOCKQUOTE, BLOCKQUOTE, BLOCKQUOTE, TEXT, TEXT, BLOCKQUOTE, BLOCKQUOTE, TEXT]
    assert {b.attribution for b in blocks[1:5]} == {"Tobias Wren, The Evening Ledger"}
    assert {b.attribution for b in blocks[7:9]} == {"Ilse Marrow and Piet Dunmore, The Evening Ledger"}
    assert blocks[5].text.startswith("Seems clear enough!")
    assert all(b.attribution is None for b in blocks if b.kind == TEXT)


def test_news_shape():
    result = cleaned("newsy.txt")
    f = result.fields
    assert f["title"] == "Council Approves New Ferry Schedule After Long Debate"
    assert f["author"] == "Jane Doe and John Roe"
    assert "author_note" not in f
    assert f["date"] == "2023-03-22"
    assert "subtitle" not in f  # a long one-sentence lead stays in the body
    body = texts(result)
    assert body[0].startswith("The town council on Tuesday approved")
    assert body[1].endswith("in the autumn.")
    assert len(body) == 3
    joined = " ".join(body)
    for debris in ("Advertisement", "cookies", "newsletter", "Share this", "Related", "Tags", "Menu", "Skip to"):
        assert debris not in joined
    assert "Tags: ferries, council, transport" in result.removed_lines


# --- header lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            "By Daniel W. Drezner, Professor of International Politics at the Fletcher School of Law and Diplomacy "
            "at Tufts University",
            ("Daniel W. Drezner", "Professor of International Politics at the Fletcher School of Law and Diplomacy "
             "at Tufts University"),
        ),
        ("By Jane Doe and John Roe", ("Jane Doe and John Roe", None)),
        ("By Jane Doe & John Roe", ("Jane Doe & John Roe", None)),
        ("By Jane Doe, John Roe and Ann Poe", ("Jane Doe, John Roe and Ann Poe", None)),
        ("By Jane Doe, Staff Writer", ("Jane Doe", "Staff Writer")),
        ("By Jane Doe, Reuters", ("Jane Doe", "Reuters")),
        ("By Jane Doe | Senior Correspondent", ("Jane Doe", "Senior Correspondent")),
        ("by: Ludwig van Beethoven", ("Ludwig van Beethoven", None)),
        ("Written by Ana María López-García", ("Ana María López-García", None)),
        ("By Monday, the talks had collapsed.", None),
        ("By the end of the year, prices rose.", None),
        ("By 2030 the fleet will double", None),
        ("Bypass the harbor", None),
    ],
)
def test_parse_byline(line, expected):
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("March 22, 2023", ("2023-03-22", False)),
        ("22 March 2023", ("2023-03-22", False)),
        ("Mar. 22, 2023", ("2023-03-22", False)),
        ("Wednesday, March 22, 2023", ("2023-03-22", False)),
        ("2023-03-22", ("2023-03-22", False)),
        ("Published: March 22, 2023 at 5:00 p.m. EDT", ("2023-03-22", False)),
        ("Published on 22nd of March 2023", ("2023-03-22", False)),
        ("Sept 1, 2022", ("2022-09-01", False)),
        ("Updated March 23, 2023", ("2023-03-23", True)),
        ("February 30, 2023", None),
        ("03/22/2023", None),  # numeric dates are ambiguous (day/month): left alone
        ("March 22, 2023, was a cold day.", None),
        ("March 2023", None),
    ],
)
def test_parse_date_line(line, expected):
    assert parse_date_line(line) == expected


def test_date_only_from_a_standalone_line_near_the_top():
    text = f"A Title For The Harbor\n\nThe vote took place on March 22, 2023, after a long debate.\n\n{BODY}"
    assert "date" not in clean_text(text).fields
    late = f"A Title For The Harbor\n\n{BODY}\n\n{BODY}\n\nMarch 22, 2023\n\n{BODY}"
    result = clean_text(late)
    assert "date" not in result.fields
    assert "March 22, 2023" in texts(result)  # not in the head: kept as text
    updated_only = f"A Title For The Harbor\n\nUpdated March 23, 2023\n\n{BODY}"
    result = clean_text(updated_only)
    assert "date" not in result.fields
    assert "Updated March 23, 2023" in result.removed_lines


def test_no_author_or_date_is_invented():
    result = clean_text(f"A Title For The Harbor\n\n{BODY}\n\n{BODY}")
    assert set(result.fields) == {"title"}
    assert texts(result) == [BODY, BODY]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Credit: Russian Presidential Press and Information Service", "Russian Presidential Press and Information Service"),
        ("Photo credit: Jane Doe/Agency", "Jane Doe/Agency"),
        ("Image: credit: nobody", None),
        ("Photo by Jane Doe via Agency", "Jane Doe via Agency"),
        ("The credit: it goes to the team that built the bridge over the river last year.", None),
    ],
)
def test_parse_credit(line, expected):
    assert parse_credit(line) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("This article was originally published on Drezner's World.", "Drezner's World"),
        ("This article first appeared in The Harbor Review.", "The Harbor Review"),
        ("This post originally appeared at Quill's Notes, a newsletter about towns.", "Quill's Notes"),
        ("Originally published in the Evening Ledger on March 3.", "The Evening Ledger"),
        ("*This essay was first published by Harbor Press. It is republished with permission.*", "Harbor Press"),
        ("Republished from Ridgeland Weekly https://example.org/x", "Ridgeland Weekly"),
        ("The report was published in Nature last year, showing a rise.", None),
        ("The story first appeared on social media.", None),  # lower case: not a named outlet
    ],
)
def test_parse_republished(line, expected):
    assert parse_republished(line) == expected


def test_caption_above_a_credit_is_dropped_even_when_it_is_not_the_title():
    text = f"A Title For The Harbor\n\n{BODY}\n\nThe mayor at the pier.\nPhoto credit: Jane Doe\n\n{BODY}"
    result = clean_text(text)
    assert texts(result) == [BODY, BODY]
    assert result.fields["photo_credit"] == "Jane Doe"
    assert "The mayor at the pier." in result.removed_lines


def test_title_repeated_later_is_dropped():
    text = f"A Title For The Harbor\n\n{BODY}\n\nA Title For The Harbor\n\n{BODY}"
    result = clean_text(text)
    assert texts(result) == [BODY, BODY]
    assert result.removed_lines == ("A Title For The Harbor", "A Title For The Harbor")


def test_known_title_from_a_sidecar_finds_the_title_line():
    text = f"Opinion Desk Picks\n\nThe Real Title Is Here\n\n{BODY}"
    result = clean_text(text, known_title="The real title is here")
    assert result.fields["title"] == "The Real Title Is Here"
    assert texts(result) == [BODY]


def test_short_lead_after_a_byline_is_a_standfirst_but_a_long_one_is_body():
    short = f"A Title For The Harbor\n\nBy Jane Doe\n\nA tale of two ferries.\n\n{BODY}"
    assert clean_text(short).fields["subtitle"] == "A tale of two ferries."
    lead = ("The town council on Tuesday approved a new ferry schedule after a debate that lasted more "
            "than six hours, ending a dispute.")
    long = f"A Title For The Harbor\n\nBy Jane Doe\n\n{lead}\n\n{BODY}"
    result = clean_text(long)
    assert "subtitle" not in result.fields
    assert texts(result) == [lead, BODY]


def test_text_without_any_title_line_keeps_everything():
    text = f"{BODY}\n\n{BODY}"
    result = clean_text(text)
    assert "title" not in result.fields
    assert texts(result) == [BODY, BODY]
    assert result.removed_lines == ()


def test_only_short_lines_are_not_all_removed():
    text = "Roses are red\nViolets are blue\n\nThe harbor is wide\nAnd the ferry is new"
    result = clean_text(text)
    assert result.fields["title"] == "Roses are red"
    assert texts(result) == ["Violets are blue", "The harbor is wide And the ferry is new"]


def test_comment_section_in_second_half_drops_the_rest_but_not_in_first_half():
    text = f"A Title For The Harbor\n\n{BODY}\n\n{BODY}\n\nComments\n\nGreat article! I loved it.\n\nNo, it is wrong."
    result = clean_text(text)
    assert texts(result) == [BODY, BODY]
    assert result.removed_lines[-2:] == ("Great article! I loved it.", "No, it is wrong.")
    early = f"A Title For The Harbor\n\nComments\n\n{BODY}\n\n{BODY}\n\n{BODY}"
    assert texts(clean_text(early)) == [BODY, BODY, BODY]


# --- furniture table -----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "fbpx", "Faculty & Staff Media", "Recent Features", "Leave a Reply", "Share this article", "Share on Facebook",
        "Tweet", "Email", "Subscribe", "Sign up for our newsletter", "Sign up for free updates in your inbox now",
        "The Morning Harbor newsletter", "Advertisement", "ADVERTISEMENT", "Scroll to continue with content",
        "Read more", "Read more:", "Continue reading the main story", "Related", "Related Articles",
        "Related: Ferry operator reports record summer", "You may also like", "Most Read", "Tags: a, b",
        "Topics", "© 2023 Harbor Media Ltd. All rights reserved.", "Copyright 2023 Harbor Media",
        "Follow us on Twitter", "Listen to this article", "5 min read", "Skip to main content", "Menu",
        "We use cookies to improve your experience. By continuing, you accept our Cookie Policy.",
        "Accept all cookies", "• Print", "12 Comments", "Your email address will not be published.",
    ],
)
def test_furniture_lines(line):
    assert furniture_kind(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "He wrote about it in his newsletter.",
        "Share prices rose sharply on Tuesday after the announcement.",
        "Copyright law in the region is weak.",
        "Subscribers to the ferry pass will pay less.",
        "Related parties must disclose their holdings.",
        "The menu of options before the council was short.",
        "Comments by the mayor drew criticism.",
        "Advertisement revenue fell by a third last year, the company said.",
    ],
)
def test_body_sentences_are_not_furniture(line):
    assert furniture_kind(line) is None


def test_every_furniture_entry_has_a_comment():
    source = Path(furniture.__file__).read_text(encoding="utf-8")
    for name, _, _ in FURNITURE:
        entry = source.index(f'("{name}",')
        previous_line = source[:entry].rstrip().rsplit("\n", 1)[-1].strip()
        assert previous_line.startswith("#"), name


# --- block quotes -------------------------------------------------------------------


def test_reported_intro_gives_the_outlet_as_attribution():
    text = (f"A Title For The Harbor\n\n{BODY}\n\nAs Reuters reported on Friday:\n\n"
            "The ferry company said it would add crossings. It gave no figures.\n\n"
            f"That seems optimistic to me. {BODY}")
    blocks = clean_text(text).blocks
    assert [(b.kind, b.attribution) for b in blocks] == [
        (TEXT, None), (TEXT, None), (BLOCKQUOTE, "Reuters"), (TEXT, None)]


def test_the_post_reported():
    assert source_from_intro("Last week the Post reported:") == "The Post"
    assert source_from_intro("Here is how the Harbor Times put it:") == "The Harbor Times"
    assert source_from_intro("According to Jane Doe:") == "Jane Doe"


@pytest.mark.parametrize(
    "intro",
    ["There are three reasons for this:", "He said:", "The list is as follows:", "Officials said:"],
)
def test_intro_must_name_a_source(intro):
    assert source_from_intro(intro) is None
    text = f"A Title For The Harbor\n\n{BODY}\n\n{intro}\n\nFirst, the tides. Second, the wind.\n\nI disagree!"
    assert all(b.kind == TEXT for b in clean_text(text).blocks)


def test_unsure_excerpt_end_leaves_text_alone():
    # A named source, but no comment in the author's voice, no ellipsis, no quotation marks: not marked.
    paras = "\n\n".join(f"Paragraph number {n} says something about the harbor. It is plain." for n in range(12))
    text = f"A Title For The Harbor\n\nThe first one, by Jane Doe, described the harbor:\n\n{paras}"
    assert all(b.kind == TEXT for b in clean_text(text).blocks)


def test_ellipsis_ends_an_excerpt_when_nothing_else_does():
    text = (f"A Title For The Harbor\n\n{BODY}\n\nThe story, by Jane Doe, began:\n\n"
            "The harbor was quiet that morning. Boats rocked gently....\n\n"
            "The council met at noon. It decided nothing.\n\nThe ferries ran late. Nobody minded much.")
    kinds = [b.kind for b in clean_text(text).blocks]
    assert kinds == [TEXT, TEXT, BLOCKQUOTE, TEXT, TEXT]


def test_wholly_quoted_paragraph_after_a_speaker_intro():
    text = (f"A Title For The Harbor\n\n{BODY}\n\nAt the pier, Mayor Ana Reyes said:\n\n"
            "“We will build the bridge, and we will build it this year.”\n\n"
            "The council has not yet voted. The budget is still open.")
    blocks = clean_text(text).blocks
    assert [(b.kind, b.attribution) for b in blocks] == [
        (TEXT, None), (TEXT, None), (BLOCKQUOTE, "Mayor Ana Reyes"), (TEXT, None)]


def test_a_whole_article_is_never_a_quote():
    text = "By Jane Doe, as the Post reported:\n\nOne two three. Four five six.\n\nSeven eight. Nine ten...."
    blocks = clean_text(text).blocks
    assert blocks[0].kind == TEXT


# --- Markdown --------------------------------------------------------------------------


def test_markdown_heading_quotes_and_nothing_else_interpreted():
    body = ("# The Harbor Question\n\nAs the Harbor Times wrote:\n\n> The ferry will run.\n> It will be late.\n>\n"
            "> Second quoted paragraph.\n\nSome **bold** and [a link](javascript:alert(1)) stay as text.\n"
            "## Not a title\n")
    result = parse_markdown(body)
    assert result.fields == {"title": "The Harbor Question"}
    assert [(b.kind, b.text, b.attribution) for b in result.blocks] == [
        (TEXT, "As the Harbor Times wrote:", None),
        (BLOCKQUOTE, "The ferry will run. It will be late.", "The Harbor Times"),
        (BLOCKQUOTE, "Second quoted paragraph.", "The Harbor Times"),
        (TEXT, "Some **bold** and [a link](javascript:alert(1)) stay as text. ## Not a title", None),
    ]
    assert result.removed_lines == ("# The Harbor Question",)


def test_markdown_heading_that_differs_from_the_known_title_is_kept():
    result = parse_markdown("# Something Else\n\nText.", known_title="The Title")
    assert "title" not in result.fields
    assert [b.text for b in result.blocks] == ["# Something Else", "Text."]
    same = parse_markdown("# The Title\n\nText.", known_title="The title")
    assert [b.text for b in same.blocks] == ["Text."]


# --- helpers and speed ---------------------------------------------------------------


def test_first_sentence_is_cut_at_a_word():
    assert first_sentence("Short one. Then more.") == "Short one."
    long = "word " * 40
    title = first_sentence(long)
    assert title.endswith("…") and len(title) <= 81 and "  " not in title


def test_typical_article_cleans_in_about_a_millisecond():
    text = normalise((FIXTURES / "fletcher_shape.txt").read_text(encoding="utf-8"))
    best = float("inf")
    for _ in range(5):  # best of five: the machine may be busy
        start = time.process_time()
        for _ in range(40):
            clean_text(text)
        best = min(best, (time.process_time() - start) / 40)
    assert best < 0.005, best  # ~0.8 ms on an idle machine


def test_five_megabytes_is_linear():
    paragraph = ("The harbor council met again. It argued about the ferry, the bridge and the toll. "
                 "Nobody agreed with anybody, as usual.\n")
    text = "A Title For The Harbor\n\n" + "\n".join(paragraph for _ in range(5 * 1024 * 1024 // len(paragraph)))
    start = time.perf_counter()
    result = clean_text(normalise(text))
    assert time.perf_counter() - start < 20
    assert len(result.blocks) > 1000


@pytest.mark.parametrize(
    "module", ["blocks", "clean", "excerpts", "furniture", "headerlines", "markdown_body", "ingest", "slugs"]
)
def test_patterns_are_compiled_at_module_level(module):
    source = (Path(furniture.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    for line in source.splitlines():
        if "re.compile(" in line:
            assert not line.startswith(" "), line  # not inside a function
    assert not re.search(r"\bre\.(?:match|fullmatch|search|sub|split|findall|finditer)\(", source)



_LINES = st.sampled_from([
    "", "", "A Title For The Harbor", "By Jane Doe", "March 22, 2023", "Share this article", "Credit: Jane Doe",
    "Section | Sub", "The story, by Jane Doe, said:", "As Reuters reported:", "I disagree!", "Ends with dots....",
    "“Quoted words.”", "Leave a Reply", "fbpx", BODY, "Short line", "This post first appeared in Harbor Notes.",
    "# Heading", "> quoted", "Related: X",
]) | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=40))
def test_cleaning_never_loses_or_invents_words(lines):
    text = normalise("\n".join(lines))
    total = len(text.split())
    has_quote_markers = any(line.lstrip().startswith(">") for line in text.split("\n"))
    for result, exact in ((clean_text(text), True), (parse_markdown(text), not has_quote_markers)):
        assert all(b.text and b.text == b.text.strip() for b in result.blocks)
        assert all(b.kind in (TEXT, BLOCKQUOTE) for b in result.blocks)
        assert all(b.attribution is None for b in result.blocks if b.kind == TEXT)
        assert all(value.strip() for value in result.fields.values())
        kept = sum(len(b.text.split()) for b in result.blocks)
        removed = sum(len(line.split()) for line in result.removed_lines)
        if exact:  # every word is either kept or listed as removed ("> " markers are dropped)
            assert kept + removed == total
    blocks = clean_text(text).blocks
    assert not blocks or blocks[0].kind == TEXT  # an excerpt always follows its intro
