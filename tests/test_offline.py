"""The built site loads nothing from another host (no browser needed).

Done-criterion of the issue: "`grep -r` over `site/` finds no reference to an
outside host in HTML, CSS or JS the site loads". A literal grep for ``http`` is
not a usable test: every inline SVG icon carries ``xmlns="http://www.w3.org/2000/svg"``
(a namespace name, never fetched), the footer links to Material's homepage and
an article links to its source (``<a href>`` is navigation the reader chooses,
not something the page loads), and Material's bundles contain URLs in code paths
this site never runs. So the rule is precise instead, per kind of file:

* **HTML** (every ``*.html``) and **SVG** images, strictly: every attribute that
  makes the browser fetch something -- ``src``/``srcset`` on any element,
  ``href`` of ``<link>`` (any ``rel``) and of SVG ``<image>``/``<use>``,
  ``<object data>``, ``<video poster>``, ``<base href>``, a refresh
  ``<meta>`` -- plus ``url(...)``/``@import`` in ``style`` attributes and
  ``<style>`` blocks, and any absolute URL inside an inline ``<script>``
  (Material's config JSON included) must stay on the site: relative, root-
  relative or ``data:``. ``<a href>`` and ``xmlns`` are not loads.
* **CSS**, strictly: after removing comments, every ``url(...)`` and
  ``@import`` target must be relative or ``data:`` (Material's icons are
  ``data:`` URIs; the Font Awesome licence URL sits in a comment).
* **JS**: JavaScript cannot be parsed here reliably enough to tell a URL in a
  comment from one in a ``fetch``, so every host in an ``http(s)://host`` or
  quoted ``//host`` string is listed, and each must be in ``JS_INERT`` below:
  an explicit allowlist of (file, host) pairs, each with the reason the URL is
  never requested by this site, and checks that keep those reasons true (no
  ``repo_url`` in mkdocs.yml, no Mermaid diagram on any page, search language
  English only). A new host, or an allowed one in another file, fails.
  Files under ``assets/javascripts/lunr/`` are the search worker's language
  packs: it imports them only for a non-English search language, so with
  ``lang: [en]`` (checked) the site never loads them and they are not scanned.

``search/search_index.json`` is data (the pages' text, which may quote URLs),
not code, and is not scanned.
"""

from __future__ import annotations

import fnmatch
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from browser import REPO, fixture_site_once

# (glob of the file relative to site/, host) -> why this site never requests it.
JS_INERT: dict[tuple[str, str], str] = {
    ("assets/javascripts/bundle.*.min.js", "api.github.com"):
        "Material's repository facts (stars, forks, version): fetched only when mkdocs.yml sets "
        "repo_url to a GitHub repository; ours sets no repo_url",
    ("assets/javascripts/bundle.*.min.js", "${e}"):
        "Material's GitLab repository facts (https://${host}/api/v4/projects/...): only with a "
        "GitLab repo_url; ours sets none",
    ("assets/javascripts/bundle.*.min.js", "unpkg.com"):
        "Material loads mermaid.min.js only for a page with a Mermaid diagram (none here, checked) "
        "and resize-observer-polyfill only when the browser lacks ResizeObserver (every browser "
        "since 2020 has it)",
    ("assets/javascripts/bundle.*.min.js", "clipboardjs.com"): "licence comment of clipboard.js",
    ("assets/javascripts/workers/search.*.min.js", "lunrjs.com"): "licence comment of lunr.js",
    ("assets/javascripts/workers/search.*.min.js", "tartarus.org"):
        "comment crediting the Porter stemmer",
    ("assets/javascripts/workers/search.*.min.js", "bit.ly"):
        "text of a console.warn about an invalid search query, never requested",
}
NOT_LOADED_JS = "assets/javascripts/lunr/*"

ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # scheme://... or //host
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.I | re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""", re.I)
URL_IN_TEXT = re.compile(r"""(?:https?:)?//[^\s"'`<>()\\]+""", re.I)
JS_HOST = re.compile(r"""https?://([^/\s"'`)\\]+)|["'`]//([a-z0-9-]+(?:\.[a-z0-9-]+)+)""", re.I)


def is_outside(url: str) -> bool:
    """True when loading ``url`` would contact another host (data:, relative, /root are local)."""
    url = url.strip()
    if url.lower().startswith(("data:", "blob:", "#", "about:")):
        return False
    if ABSOLUTE.match(url):
        return True
    scheme = urlsplit(url).scheme.lower()
    return scheme not in ("", "data")


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def css_problems(text: str) -> list[tuple[int, str]]:
    """(line, url) of every url()/@import target in CSS that is outside the site."""
    blanked = CSS_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)  # keep line numbers
    found = [(m.start(2), m.group(2)) for m in CSS_URL.finditer(blanked)]
    found += [(m.start(1), m.group(1)) for m in CSS_IMPORT.finditer(blanked)]
    return [(line_of(text, i), u) for i, u in found if is_outside(u)]


class _LoadedRefs(HTMLParser):
    """Collects (line, what, url) for everything an HTML or SVG document makes the browser load."""

    LINKED = {"link", "image", "use", "feimage", "base"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[int, str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        a = {k.lower(): (v or "") for k, v in attrs}
        for name in ("src", "data-src", "poster"):
            if name in a:
                self.refs.append((line, f"<{tag} {name}>", a[name]))
        if "srcset" in a:
            for part in a["srcset"].split(","):
                if part.strip():
                    self.refs.append((line, f"<{tag} srcset>", part.split()[0]))
        if tag == "object" and "data" in a:
            self.refs.append((line, "<object data>", a["data"]))
        if tag in self.LINKED:
            for name in ("href", "xlink:href"):
                if name in a:
                    self.refs.append((line, f"<{tag} {name}>", a[name]))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            target = a.get("content", "").partition("url=")[2] or a.get("content", "").partition("URL=")[2]
            if target:
                self.refs.append((line, "<meta refresh>", target))
        if "style" in a:
            self.refs += [(line, f"<{tag} style>", u) for _, u in css_problems(a["style"])]
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        line = self.getpos()[0]
        if self._in == "style":
            self.refs += [(line + n - 1, "<style>", u) for n, u in css_problems(data)]
        elif self._in == "script":
            self.refs += [(line + line_of(data, m.start()) - 1, "<script> (inline)", m.group())
                          for m in URL_IN_TEXT.finditer(data)]


def html_problems(text: str) -> list[tuple[int, str, str]]:
    parser = _LoadedRefs()
    parser.feed(text)
    parser.close()
    return [(line, what, url) for line, what, url in parser.refs if is_outside(url)]


def js_hosts(text: str) -> list[tuple[int, str]]:
    return [(line_of(text, m.start()), (m.group(1) or m.group(2)).lower()) for m in JS_HOST.finditer(text)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return fixture_site_once(tmp_path_factory).site


def _rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


@pytest.mark.slow
def test_html_and_svg_load_nothing_from_another_host(site: Path):
    files = sorted(site.rglob("*.html")) + sorted(site.rglob("*.svg"))
    assert len(files) > 10
    found = [f"{_rel(site, f)}:{line}: {what} {url}"
             for f in files for line, what, url in html_problems(f.read_text(encoding="utf-8"))]
    assert not found, "outside references in HTML/SVG:\n" + "\n".join(found)


@pytest.mark.slow
def test_css_loads_nothing_from_another_host(site: Path):
    files = sorted(site.rglob("*.css"))
    assert any(f.name == "briefing.css" for f in files)
    found = [f"{_rel(site, f)}:{line}: url {url}"
             for f in files for line, url in css_problems(f.read_text(encoding="utf-8"))]
    assert not found, "outside references in CSS:\n" + "\n".join(found)


@pytest.mark.slow
def test_js_mentions_only_inert_hosts(site: Path):
    loaded = [f for f in sorted(site.rglob("*.js")) if not fnmatch.fnmatch(_rel(site, f), NOT_LOADED_JS)]
    assert any(f.name == "briefing.js" for f in loaded)
    found, used = [], set()
    for f in loaded:
        rel = _rel(site, f)
        for line, host in js_hosts(f.read_text(encoding="utf-8")):
            key = next((k for k in JS_INERT if k[1] == host and fnmatch.fnmatch(rel, k[0])), None)
            if key is None:
                found.append(f"{rel}:{line}: {host}")
            else:
                used.add(key)
    assert not found, ("hosts in JS that are not in the commented allowlist JS_INERT "
                       "(add one only with the reason this site never requests it):\n" + "\n".join(found))
    stale = [k for k in JS_INERT if k not in used]
    assert not stale, f"allowlist entries no longer needed (remove them): {stale}"


@pytest.mark.slow
def test_the_reasons_of_the_js_allowlist_hold(site: Path):
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "repo_url" not in config, "repo_url makes Material fetch api.github.com / GitLab: revisit JS_INERT"
    mermaid = [_rel(site, f) for f in site.rglob("*.html") if 'class="mermaid' in f.read_text(encoding="utf-8")]
    assert not mermaid, f"Mermaid diagrams make Material load unpkg.com/mermaid: {mermaid}"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["en"], "a non-English search language loads assets/javascripts/lunr/*"


def test_rule_catches_outside_references():
    """The checks above really find what they look for."""
    html = ('<link rel="stylesheet" href="https://fonts.googleapis.com/css">\n'
            '<script src="//cdn.example/x.js"></script><img srcset="a.png 1x, https://x.example/b.png 2x">\n'
            '<div style="background: url(\'http://x.example/bg.png\')"></div>'
            '<style>@import "https://x.example/y.css";</style>\n'
            '<a href="https://example.org/article">fine</a><svg xmlns="http://www.w3.org/2000/svg"></svg>'
            '<img src="data:image/png;base64,AAAA"><script src="assets/bundle.js"></script>')
    found = [(line, url) for line, _, url in html_problems(html)]
    assert found == [(1, "https://fonts.googleapis.com/css"), (2, "//cdn.example/x.js"),
                     (2, "https://x.example/b.png"), (3, "http://x.example/bg.png"),
                     (3, "https://x.example/y.css")]
    css = '/* https://fontawesome.com */\na{background:url("data:image/svg+xml;<svg xmlns=\'http://www.w3.org/2000/svg\'/>")}\nb{background:url(//x.example/i.png)}'
    assert css_problems(css) == [(3, "//x.example/i.png")]
    assert js_hosts('a="https://unpkg.com/x";b=\'//cdn.example/y\';c=/x//i.test(z)') == [
        (1, "unpkg.com"), (1, "cdn.example")]
