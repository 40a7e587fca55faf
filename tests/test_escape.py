"""Escaping of untrusted text: it renders as itself and never as structure."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.escape import Md, md_escape, md_link, safe_url
from tests.markdown_render import to_html, visible_text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror=alert(1)>',
    "<iframe src='https://example.org'></iframe>",
    "[x](javascript:alert(1))",
    '<a href="data:text/html,<script>alert(1)</script>">y</a>',
    "{{ 7*7 }} and {% include 'x' %}",
    "# fake heading",
    "---",
    "!!! warning \"Admonition\"",
    "<!-- comment -->",
    "`code` and ``more``",
    "*bold* __under__ ***both***",
    "[ref]: https://example.org",
    "1. not a list",
    "- not a list",
    "> not a quote",
    "| a | b |",
    "text {: onclick=\"alert(1)\" }",
    "    four spaces",
    "&amp; &lt;b&gt;",
    "<https://example.org>",
]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text)).strip()


def test_hostile_strings_render_as_their_own_text():
    for text in HOSTILE:
        rendered = to_html(md_escape(text))
        assert visible_text(rendered) == _normalise(text), text
        inner = rendered.removeprefix("<p>").removesuffix("</p>")
        assert "<" not in inner, (text, rendered)


def test_escaped_text_stays_one_paragraph_in_a_table_cell():
    row = f"| a | b |\n|---|---|\n| {md_escape('x | y')} | z |\n"
    html = to_html(row)
    assert html.count("<td>") == 2
    assert "x | y" in visible_text(html)


def test_md_values_pass_through_and_links_escape_their_text():
    assert md_escape(Md("[a](b.md)")) == "[a](b.md)"
    assert md_link("a]b", "x.md") == "[a\\]b](x.md)"


def test_safe_url_accepts_only_http_and_https():
    assert safe_url("https://example.org/a b") == "https://example.org/a%20b"
    assert safe_url("http://example.org/x)y") == "http://example.org/x%29y"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://example.org", "//example.org", "", None,
                "JaVaScRiPt:alert(1)", "https:///nohost"):
        assert safe_url(bad) is None, bad


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_round_trip_any_text(text):
    """Any text renders back to the same visible characters (white space folded)."""
    escaped = md_escape(text)
    expected = _normalise(text)
    html = to_html(escaped)
    assert visible_text(html).strip() == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<>&[]()!{}%#*_`|\\:/ajvscript=-. \n", max_size=60))
def test_never_starts_a_tag_link_or_template(text):
    escaped = md_escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert "{{" not in escaped and "{%" not in escaped
    assert not re.search(r"(?<!\\)\[", escaped)
    assert "<a " not in to_html(escaped)
