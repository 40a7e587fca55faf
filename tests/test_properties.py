"""Property-based tests: slugs, and whole rendered article pages, for any text.

tests/test_escape.py covers md_escape on single strings; here the properties are
about what the site is made of: file names (slugs, anchors) and a complete article
page rendered by render.render_site and converted with the site's Markdown
extensions (tests/markdown_render.py).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import render
from generator.records import CellRow
from generator.matrix import cross_link
from generator.worker import analyse_article
from generator.themes import match_article
from generator.aliases import load_aliases
from generator.slugs import MAX_LENGTH, slugify, unique_slugs
from tests import records_factory as rf
from tests.markdown_render import to_html

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
# Text rich in what Markdown, HTML and Jinja give meaning to.
HOSTILE_ALPHABET = "<>&[]()!{}%#*_`|\\:/=-.~^$+\"' \nabcjavscriptonerlimg7"
HOSTILE_TEXT = st.text(alphabet=HOSTILE_ALPHABET, min_size=1, max_size=60)
PAYLOADS = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "{{ 7*7 }}",
    "{% include 'x' %}", "# fake heading", "!!! warning", "<!-- c -->", "[r]: javascript:x", "| a | b |",
    "`code`", "***", "{ #p1 onclick=x }", "<https://evil.example>", "&lt;b&gt;",
])
PARAGRAPH = st.lists(st.one_of(PAYLOADS, HOSTILE_TEXT, ANY_TEXT), min_size=1, max_size=4).map(" ".join)


def _visible(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text)
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------- slugs

@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(ANY_TEXT, HOSTILE_TEXT, PAYLOADS, st.just(""), st.just(".."), st.just("index")),
                max_size=40))
def test_unique_slugs_are_safe_unique_bounded_and_deterministic(titles):
    slugs = unique_slugs(titles)
    assert slugs == unique_slugs(list(titles))
    assert len(slugs) == len(titles) and len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert SLUG.match(slug), slug
        assert len(slug) <= MAX_LENGTH
        assert slug != "index"
    # A prefix of the list gets the same slugs: adding articles never renames earlier ones.
    half = len(titles) // 2
    assert unique_slugs(titles[:half]) == slugs[:half]


@settings(max_examples=200, deadline=None)
@given(st.one_of(ANY_TEXT, HOSTILE_TEXT))
def test_slug_is_a_fixed_point(title):
    slug = slugify(title)
    assert SLUG.match(slug) and slugify(slug) in (slug, f"{slug}-article")


# ---------------------------------------------------------------------------- whole pages

class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.paragraphs: list[str] = []  # text of <p id="pN"> in order
        self._in: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs_d = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs_d))
        if tag == "p" and re.fullmatch(r"p\d+", attrs_d.get("id", "")):
            self._in, self._buf = attrs_d["id"], []

    def handle_endtag(self, tag):
        if tag == "p" and self._in:
            self.paragraphs.append("".join(self._buf))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)


CODEBOOK = rf.codebook(rf.theme("marker", ("marker",), positions={"for-it": ("for",)}))
ALIASES = load_aliases(None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.one_of(PAYLOADS, HOSTILE_TEXT, ANY_TEXT), paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=4))
def test_rendered_article_page_shows_every_paragraph_and_creates_nothing(title, paragraphs):
    texts = [p if _visible(p) else "x" for p in paragraphs]
    texts = [f"{t} marker." for t in texts]  # every paragraph addresses the theme: quotes in tables too
    article = rf.article("a", *texts, title=title)
    analyses = {"a": analyse_article(article, ALIASES, 3)}
    briefing = cross_link((article,), analyses, CODEBOOK, {"a": CellRow(match_article(article, CODEBOOK), ())})
    pages = render.render_site(briefing, "2024-01-01")
    for rel in ("articles/a.md", "matrix.md", "themes/marker.md", "index.md"):
        markdown = pages[rel]
        assert not re.search(r"(?<!\\)\{[{%#]", markdown.split("\n---\n", 1)[-1]), rel
        html = to_html(markdown.split("\n---\n", 1)[-1] if markdown.startswith("---\n") else markdown)
        parser = _Html()
        parser.feed(html)
        for tag, attrs in parser.tags:
            assert tag not in ("script", "img", "iframe", "style", "hr", "pre", "h4", "h5", "h6") or (
                tag == "img" and attrs.get("src") == "img/heatmap.svg"), (rel, tag, attrs)
            assert not [a for a in attrs if a.startswith("on")], (rel, tag, attrs)
            href = attrs.get("href", "")
            assert not re.match(r"[a-zA-Z][\w+.-]*:", href), (rel, href)
            assert "briefing-excerpt" not in attrs.get("class", ""), rel
        if rel == "articles/a.md":
            shown = [_visible(p) for p in parser.paragraphs]
            assert shown == [_visible(t) for t in texts], "paragraphs not visible verbatim and in order"
            h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S).group(1)
            h1 = re.sub(r'<a class="headerlink".*?</a>', "", h1)
            shown_title = _visible(unescape(re.sub(r"<[^>]+>", "", h1)))
            assert shown_title == _visible(title) or not _visible(title), (shown_title, title)
            assert len(re.findall(r"<h1", html)) == 1
