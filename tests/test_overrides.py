"""Tests for generator.overrides: sidecar files and Markdown front matter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.errors import ProblemsError
from generator.overrides import FIELDS, Overrides, load_sidecar, split_front_matter

FULL_SIDECAR = """\
title: "  Take the Xi-Putin Relationship at Face Value  "
subtitle: A subtitle
author: A. Writer
author_note: Writes about Eurasia.
outlet: The Diplomat
section: Flashpoints | Diplomacy
date: 2023-03-22
url: https://thediplomat.com/2023/03/example/
republished_from: Somewhere Else
summary: >
  A hand-written summary
  over two lines.
positions:
  asymmetry: china-dominant
  western-narratives: west-exaggerates-rifts
"""


def sidecar(tmp_path: Path, text: str | bytes) -> Overrides:
    path = tmp_path / "article.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_sidecar(path, "seeds/article.yml")


def sidecar_problems(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        sidecar(tmp_path, text)
    return [str(p) for p in info.value.problems]


def front_matter_problems(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        split_front_matter(text, "seeds/a.md")
    return [str(p) for p in info.value.problems]


# -- sidecars -------------------------------------------------------------------------


def test_full_sidecar(tmp_path):
    o = sidecar(tmp_path, FULL_SIDECAR)
    assert o.title == "Take the Xi-Putin Relationship at Face Value"
    assert o.subtitle == "A subtitle"
    assert o.author == "A. Writer"
    assert o.author_note == "Writes about Eurasia."
    assert o.outlet == "The Diplomat"
    assert o.section == "Flashpoints | Diplomacy"
    assert o.date == "2023-03-22"
    assert o.url == "https://thediplomat.com/2023/03/example/"
    assert o.republished_from == "Somewhere Else"
    assert o.summary == "A hand-written summary over two lines."
    assert o.positions == (("asymmetry", "china-dominant"), ("western-narratives", "west-exaggerates-rifts"))
    assert o.lines["title"] == 1
    assert o.lines["date"] == 7
    assert o.lines["positions"] == 13
    assert o.lines["positions.asymmetry"] == 14
    assert o.lines["positions.western-narratives"] == 15
    assert not o.is_empty()
    assert set(o.given()) == set(FIELDS) - {"positions"}


def test_overrides_are_immutable_and_hashable(tmp_path):
    o = sidecar(tmp_path, FULL_SIDECAR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        o.lines["title"] = 99  # type: ignore[index]
    assert hash(o) == hash(sidecar(tmp_path, FULL_SIDECAR))
    assert o == sidecar(tmp_path, FULL_SIDECAR)


def test_missing_sidecar_is_empty(tmp_path):
    o = load_sidecar(tmp_path / "none.yml", "seeds/none.yml")
    assert o == Overrides() and o.is_empty() and dict(o.lines) == {}


def test_empty_sidecar_is_empty(tmp_path):
    assert sidecar(tmp_path, "# nothing yet\n").is_empty()


def test_empty_strings_count_as_absent(tmp_path):
    o = sidecar(tmp_path, "title: ''\nauthor: '   '\noutlet:\nsection: S\n")
    assert o.title is None and o.author is None and o.outlet is None and o.section == "S"
    assert set(o.lines) == {"section"}


def test_sidecar_must_be_a_mapping(tmp_path):
    assert sidecar_problems(tmp_path, "- title\n") == [
        "seeds/article.yml:1:1: must be a mapping of fields (title: ...), not a list"
    ]


def test_unknown_fields(tmp_path):
    assert sidecar_problems(tmp_path, "titel: x\ncolour: z\n") == [
        "seeds/article.yml:1:1: titel: unknown key 'titel'; did you mean 'title'?",
        "seeds/article.yml:2:1: colour: unknown key 'colour'; expected one of: "
        + ", ".join(FIELDS),
    ]


def test_wrong_types(tmp_path):
    assert sidecar_problems(tmp_path, "title: [a, b]\nauthor: {name: x}\nsubtitle: 1984\noutlet: true\n") == [
        "seeds/article.yml:1:8: title: must be text, not a list",
        "seeds/article.yml:2:9: author: must be text, not a mapping",
        "seeds/article.yml:3:11: subtitle: must be text, not a number; quote it if it is meant as text",
        "seeds/article.yml:4:9: outlet: must be text, not a boolean; quote it if it is meant as text",
    ]


@pytest.mark.parametrize(
    ("written", "kept"),
    [("2023-03-22", "2023-03-22"), ("'2023-03'", "2023-03"), ("2023", "2023"), ("'2023'", "2023"), ("2024-02-29", "2024-02-29")],
)
def test_good_dates(tmp_path, written, kept):
    assert sidecar(tmp_path, f"date: {written}\n").date == kept


@pytest.mark.parametrize(
    "bad",
    ["22/03/2023", "March 2023", "2023-3-22", "2023-13-01", "2023-02-30", "2023-03-22T10:00:00", "23"],
)
def test_bad_dates(tmp_path, bad):
    assert sidecar_problems(tmp_path, f"date: '{bad}'\n") == [
        f"seeds/article.yml:1:7: date: not an ISO date: '{bad}'; write YYYY-MM-DD (or YYYY-MM, or YYYY)"
    ]


@pytest.mark.parametrize("good", ["http://example.org", "https://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG"])
def test_good_urls(tmp_path, good):
    assert sidecar(tmp_path, f"url: '{good}'\n").url == good


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "ftp://example.org/x", "mailto:a@example.org", "data:text/html,hi", "file:///etc/passwd", "example.org/page"]
)
def test_non_http_urls_are_refused(tmp_path, bad):
    assert sidecar_problems(tmp_path, f"url: '{bad}'\n") == [
        "seeds/article.yml:1:6: url: only http(s) links are allowed"
    ]


@pytest.mark.parametrize("bad", ["https://", "http:///path", "https://exa mple.org"])
def test_malformed_http_urls(tmp_path, bad):
    assert sidecar_problems(tmp_path, f"url: '{bad}'\n") == [f"seeds/article.yml:1:6: url: not a valid link: '{bad}'"]


def test_positions_must_be_a_mapping(tmp_path):
    assert sidecar_problems(tmp_path, "positions: [asymmetry, china-dominant]\n") == [
        "seeds/article.yml:1:12: positions: must be a mapping of theme id to position id"
        " (e.g. asymmetry: china-dominant), not a list"
    ]


def test_position_values_must_be_ids(tmp_path):
    assert sidecar_problems(tmp_path, "positions:\n  asymmetry: [a, b]\n  sanctions: ''\n  other: 3\n") == [
        "seeds/article.yml:2:14: positions.asymmetry: must be a position id (text), not a list",
        "seeds/article.yml:3:14: positions.sanctions: must be a position id (text), not empty text",
        "seeds/article.yml:4:10: positions.other: must be a position id (text), not a number",
    ]


def test_duplicate_pins_are_yaml_duplicates(tmp_path):
    assert sidecar_problems(tmp_path, "positions:\n  asymmetry: balanced\n  asymmetry: china-dominant\n") == [
        "seeds/article.yml:3:3: positions.asymmetry: duplicate key 'asymmetry' (first defined at line 2);"
        " YAML would silently keep only the last one"
    ]


def test_empty_positions_is_no_pins(tmp_path):
    assert sidecar(tmp_path, "positions: {}\n").positions == ()
    assert sidecar(tmp_path, "positions:\n").positions == ()


def test_every_problem_in_one_run(tmp_path):
    text = "titel: x\ntitle: [a]\ndate: 22/03/2023\nurl: javascript:alert(1)\npositions: [a]\nauthor: yes\nauthor: b\n"
    assert sidecar_problems(tmp_path, text) == [
        "seeds/article.yml:1:1: titel: unknown key 'titel'; did you mean 'title'?",
        "seeds/article.yml:2:8: title: must be text, not a list",
        "seeds/article.yml:3:7: date: not an ISO date: '22/03/2023'; write YYYY-MM-DD (or YYYY-MM, or YYYY)",
        "seeds/article.yml:4:6: url: only http(s) links are allowed",
        "seeds/article.yml:5:12: positions: must be a mapping of theme id to position id"
        " (e.g. asymmetry: china-dominant), not a list",
        "seeds/article.yml:6:9: author: read as a boolean by YAML; quote it if you mean the word",
        "seeds/article.yml:7:1: author: duplicate key 'author' (first defined at line 6);"
        " YAML would silently keep only the last one",
    ]


def test_sidecar_yaml_errors_are_located(tmp_path):
    assert sidecar_problems(tmp_path, b"title: caf\xe9\n") == [
        "seeds/article.yml:1:11: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]
    assert sidecar_problems(tmp_path, "title: x\n\tauthor: y\n") == [
        "seeds/article.yml:2:1: a tab is used for indentation; YAML indentation must use spaces"
    ]


def test_sidecar_with_bom(tmp_path):
    assert sidecar(tmp_path, "\ufefftitle: T\n".encode()).title == "T"


# -- front matter --------------------------------------------------------------------------


def test_front_matter_is_split_off():
    text = "---\ntitle: Hello\ndate: 2023-03-22\npositions:\n  asymmetry: balanced\n---\n# Heading\n\nBody.\n"
    overrides, body, before = split_front_matter(text, "seeds/a.md")
    assert overrides.title == "Hello" and overrides.date == "2023-03-22"
    assert overrides.positions == (("asymmetry", "balanced"),)
    assert overrides.lines == {"title": 2, "date": 3, "positions": 4, "positions.asymmetry": 5}
    assert body == "# Heading\n\nBody.\n"
    assert before == 6
    assert text.splitlines()[before] == "# Heading"


def test_no_front_matter():
    text = "# Heading\n---\nnot: front matter\n"
    assert split_front_matter(text, "seeds/a.md") == (Overrides(), text, 0)
    assert split_front_matter("", "seeds/a.md") == (Overrides(), "", 0)


def test_front_matter_closed_by_dots_and_crlf():
    overrides, body, before = split_front_matter("---\r\ntitle: T\r\n...\r\nBody\r\n", "seeds/a.md")
    assert overrides.title == "T" and body == "Body\r\n" and before == 3


def test_front_matter_with_bom():
    overrides, body, _ = split_front_matter("\ufeff---\ntitle: T\n---\nBody\n", "seeds/a.md")
    assert overrides.title == "T" and body == "Body\n"


def test_empty_front_matter():
    assert split_front_matter("---\n---\nBody\n", "seeds/a.md") == (Overrides(), "Body\n", 2)


def test_unclosed_front_matter():
    assert front_matter_problems("---\ntitle: T\n\nBody\n") == [
        "seeds/a.md:1:1: front matter opened with '---' is never closed by a '---' line"
    ]


def test_front_matter_problems_use_file_lines():
    text = "---\ntitle: T\nurl: ftp://x.org\nsumary: S\n---\nBody\n"
    assert front_matter_problems(text) == [
        "seeds/a.md:3:6: url: only http(s) links are allowed",
        "seeds/a.md:4:1: sumary: unknown key 'sumary'; did you mean 'summary'?",
    ]


def test_front_matter_syntax_error_uses_file_lines():
    assert front_matter_problems("---\ntitle: 'T\nauthor: A\n---\nBody\n") == [
        "seeds/a.md:2:8: this quote is never closed"
    ]


# -- pinned positions against the codebook --------------------------------------------------


def test_pin_problems_against_the_seed_codebook(tmp_path):
    from generator.codebook import load_codebook
    from generator.overrides import pin_problems, pins_of

    book = load_codebook(Path(__file__).resolve().parent.parent / "seeds" / "themes.yml")
    text = (
        "positions:\n"
        "  asymmetry: china-dominant\n"
        "  asymetry: balanced\n"
        "  sanctions: china-cautios\n"
        "  western-narratives: nonsense\n"
        "  energy-trade: anything\n"
    )
    o = sidecar(tmp_path, text)
    assert [str(p) for p in pin_problems(pins_of(o, "seeds/article.yml"), book)] == [
        "seeds/article.yml:3: positions.asymetry: unknown theme 'asymetry'; did you mean 'asymmetry'?",
        "seeds/article.yml:4: positions.sanctions: theme 'sanctions' has no position 'china-cautios';"
        " did you mean 'china-cautious'?",
        "seeds/article.yml:5: positions.western-narratives: theme 'western-narratives' has no position 'nonsense';"
        " expected one of: west-exaggerates-rifts, rifts-real",
        "seeds/article.yml:6: positions.energy-trade: theme 'energy-trade' has no positions to pin",
    ]
