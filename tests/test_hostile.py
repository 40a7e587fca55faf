"""Hostile input, end to end: tests/fixtures/hostile/seeds built into a real site.

The corpus (cases listed in tests/fixtures/hostile/cases.yml) tries to inject
HTML, scripts, links, Markdown structure and Jinja through article bodies,
titles, sidecar metadata, the codebook and the aliases file. It is built once
per session with the real ``briefing build`` (generate + ``mkdocs build
--strict``) in a temporary project, and both the generated Markdown and the
built HTML are checked: nothing from the input becomes an element, attribute,
link, heading, admonition or template output, and every hostile string is
visible to the reader as the text it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.blocks import normalise

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
SEEDS = HOSTILE / "seeds"
CASES = yaml.safe_load((HOSTILE / "cases.yml").read_text(encoding="utf-8"))
SITE_CASES = CASES["site"]
HAND_WRITTEN = ("about.md", "stylesheets", "javascripts")
# The only external link the corpus may produce: meta_sidecar.yml's url, percent-encoded by safe_url.
ALLOWED_EXTERNAL = {
    "https://example.org/x%29%5D%28javascript:alert%281%29%29%22onmouseover=%22alert%281%29",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset",
                  "cite", "longdesc", "manifest", "ping"}
# Elements no generated page's content area may contain (they could only come from input).
FORBIDDEN_IN_CONTENT = {"script", "style", "iframe", "frame", "object", "embed", "form", "input", "textarea",
                        "button", "select", "base", "meta", "link", "svg", "math", "details", "video", "audio",
                        "source", "applet", "template", "noscript", "hr", "dl", "sup", "abbr"}
# Heading texts that input paragraphs try to create.
FAKE_HEADINGS = {"fake heading", "another fake heading", "Setext heading"}


# ---------------------------------------------------------------------------- the one build

@dataclass(frozen=True)
class HostileSite:
    root: Path
    seeds: Path
    docs: Path
    site: Path
    stderr: str
    outside_before: dict[str, bytes]
    hand_written_before: dict[str, bytes]


def briefing_command() -> list[str]:
    script = Path(sys.executable).with_name("briefing")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from generator.cli import main; sys.argv[0] = 'briefing'; main()"]


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file and folder under ``folder`` (folders as b"<dir>"), minus the top-level names in ``skip``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] in skip:
            continue
        out[rel.as_posix()] = b"<dir>" if path.is_dir() else path.read_bytes()
    return out


def make_project(root: Path, seeds: Path = SEEDS) -> Path:
    """A temporary project: seeds copied, the hand-written docs files and mkdocs.yml as in the repository."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(seeds, root / "seeds")
    (root / "docs").mkdir()
    for name in HAND_WRITTEN:
        src = REPO / "docs" / name
        if src.is_dir():
            shutil.copytree(src, root / "docs" / name)
        else:
            shutil.copy2(src, root / "docs" / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


_BUILT: dict[str, HostileSite | str] = {}


def hostile_site_once(tmp_path_factory) -> HostileSite:
    """``briefing build`` of the hostile corpus, once per session (shared with the browser test)."""
    if "site" not in _BUILT:
        root = make_project(tmp_path_factory.mktemp("hostile-build"))
        outside_before = snapshot(root, skip=("docs", "site"))
        hand_written_before = snapshot(root / "docs")
        cmd = [*briefing_command(), "build", "--seeds", "seeds", "--docs", "docs", "--site", "site",
               "--config", "mkdocs.yml"]
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not (root / "site" / "index.html").is_file():
            _BUILT["site"] = f"`{' '.join(cmd)}` exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        else:
            _BUILT["site"] = HostileSite(root, root / "seeds", root / "docs", root / "site", proc.stderr,
                                         outside_before, hand_written_before)
    built = _BUILT["site"]
    if isinstance(built, str):
        pytest.fail(built, pytrace=False)
    return built


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> HostileSite:
    return hostile_site_once(tmp_path_factory)


# ---------------------------------------------------------------------------- reading built HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_content: bool
    text: str = ""  # for headings and scripts: their text


@dataclass
class Page:
    """What a built page holds, as html.parser sees it."""

    elements: list[Element] = field(default_factory=list)
    scripts: list[Element] = field(default_factory=list)
    headings: list[Element] = field(default_factory=list)  # inside the content area
    content_text: str = ""  # visible text of the content area
    tables: list[list[int]] = field(default_factory=list)  # cells per row, per content table


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.article_depth = 0
        self.skip_depth = 0  # inside script/style
        self.open_heading: Element | None = None
        self.headerlink_depth = 0
        self.script: Element | None = None
        self.text: list[str] = []
        self.row: list[int] | None = None

    def handle_starttag(self, tag, attrs):
        attrs_d = {k: (v or "") for k, v in attrs}
        if tag == "article" and "md-content__inner" in attrs_d.get("class", ""):
            self.article_depth += 1
        elif tag == "article" and self.article_depth:
            self.article_depth += 1
        inside = self.article_depth > 0
        element = Element(tag, attrs_d, inside)
        self.page.elements.append(element)
        if tag == "script":
            self.script = element
            self.page.scripts.append(element)
        if tag in ("script", "style") and tag not in VOID:
            self.skip_depth += 1
        if inside:
            if re.fullmatch(r"h[1-6]", tag):
                self.open_heading = element
            if tag == "a" and "headerlink" in attrs_d.get("class", ""):
                self.headerlink_depth += 1
            if tag == "table":
                self.page.tables.append([])
            if tag == "tr" and self.page.tables:
                self.page.tables[-1].append(0)
            if tag in ("td", "th") and self.page.tables and self.page.tables[-1]:
                self.page.tables[-1][-1] += 1
            if tag in ("p", "li", "td", "th", "tr", "div", "br", "blockquote") or re.fullmatch(r"h[1-6]", tag):
                self.text.append(" ")

    def handle_endtag(self, tag):
        if tag == "article" and self.article_depth:
            self.article_depth -= 1
        if tag in ("script", "style") and self.skip_depth:
            self.skip_depth -= 1
            self.script = None
        if self.open_heading is not None and tag == self.open_heading.tag:
            self.page.headings.append(self.open_heading)
            self.open_heading = None
        if tag == "a" and self.headerlink_depth:
            self.headerlink_depth -= 1
        if self.article_depth and tag in ("p", "li", "td", "th", "div", "blockquote"):
            self.text.append(" ")

    def handle_data(self, data):
        if self.script is not None:
            self.script.text += data
            return
        if self.skip_depth or not self.article_depth:
            return
        if self.open_heading is not None and not self.headerlink_depth:
            self.open_heading.text += data
        if not self.headerlink_depth:
            self.text.append(data)

    def close(self):
        super().close()
        self.page.content_text = norm("".join(self.text))


# A browser reads <title> as RCDATA: text up to the first "</title", never tags.
_TITLE_ELEMENT = re.compile(r"(?is)(<title>)(.*?)(</title)")


def parse_page(path: Path) -> Page:
    parser = _PageParser()
    raw = path.read_text(encoding="utf-8")
    raw = _TITLE_ELEMENT.sub(lambda m: m.group(1) + m.group(2).replace("<", "&lt;") + m.group(3), raw, count=1)
    parser.feed(raw)
    parser.close()
    return parser.page


def norm(text: str) -> str:
    """What a reader compares: invisible characters dropped, white space folded."""
    return re.sub(r"\s+", " ", normalise(text)).strip()


def html_of(site: Path, page: str) -> Path:
    """docs-relative Markdown page -> its built HTML file."""
    stem = page.removesuffix(".md")
    if stem == "index":
        return site / "index.html"
    if stem.endswith("/index"):
        return site / stem.removesuffix("index") / "index.html"
    return site / stem / "index.html"


def generated_pages(hostile: HostileSite) -> list[str]:
    manifest = json.loads((hostile.docs / ".briefing-manifest.json").read_text())
    return [p for p in manifest["generated"] if p.endswith(".md")]


def _script_signature(element: Element) -> str:
    if "src" in element.attrs:
        return "src:" + re.sub(r"^(\.\./)+|^\./", "", element.attrs["src"])
    text = re.sub(r'"\.{1,2}(/\.\.)*"', '"BASE"', element.text)  # the page's relative base URL
    return f"inline:{element.attrs.get('id', '')}:{element.attrs.get('type', '')}:" + re.sub(r"(\.\./)+", "", text)


# ---------------------------------------------------------------------------- the tests

def test_corpus_has_at_least_40_cases():
    refused = CASES.get("refused", [])
    assert len(SITE_CASES) + len(refused) >= 40
    ids = [c["id"] for c in SITE_CASES + refused]
    assert len(ids) == len(set(ids))
    for case in SITE_CASES:
        assert (SEEDS / case["source"]).is_file(), case


def test_build_is_clean_and_writes_only_docs_and_site(hostile):
    assert "WARNING -" not in hostile.stderr, hostile.stderr
    assert "Traceback" not in hostile.stderr
    assert snapshot(hostile.root, skip=("docs", "site")) == hostile.outside_before
    after = snapshot(hostile.docs)
    for rel, data in hostile.hand_written_before.items():
        assert after.get(rel) == data, f"hand-written docs/{rel} changed"
    # Generated files are all inside docs/ under the names the manifest records, with safe names.
    manifest = json.loads((hostile.docs / ".briefing-manifest.json").read_text())["generated"]
    for rel in manifest:
        assert re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)*\.(md|json|csv|svg)", rel), rel
        assert (hostile.docs / rel).resolve().is_relative_to(hostile.docs.resolve())


@pytest.mark.parametrize("case", SITE_CASES, ids=[c["id"] for c in SITE_CASES])
def test_case_lands_on_its_page_as_visible_text(hostile, case):
    md_path = hostile.docs / case["page"]
    assert md_path.is_file(), f"{case['source']} produced no {case['page']}"
    page = parse_page(html_of(hostile.site, case["page"]))
    h1 = [h for h in page.headings if h.tag == "h1"]
    assert len(h1) == 1, [h.text for h in h1]
    if "title" in case:
        assert norm(h1[0].text) == norm(case["title"])
    expected = list(case.get("visible", []))
    source = SEEDS / case["source"]
    if source.suffix == ".md" and case["page"].startswith("articles/"):
        expected += _md_paragraphs(source)
    for text in expected:
        assert norm(text) in page.content_text, f"not visible on {case['page']}: {text[:200]!r}"


def _md_paragraphs(path: Path) -> list[str]:
    """Body paragraphs of a hostile .md seed (after front matter and the title heading), as a reader sees them."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if blocks and blocks[0].lstrip().startswith("# "):
        blocks = blocks[1:]
    return [" ".join(line.strip() for line in b.splitlines()) for b in blocks]


def test_ten_thousand_character_line_is_shown_whole(hostile):
    line = next(l for l in (SEEDS / "long_line.md").read_text(encoding="utf-8").splitlines() if len(l) >= 10_000)
    page = parse_page(html_of(hostile.site, "articles/a-ten-thousand-character-line.md"))
    assert norm(line) in page.content_text


def test_no_script_from_input_on_any_page(hostile):
    baseline = sorted(_script_signature(s) for s in parse_page(hostile.site / "about" / "index.html").scripts)
    assert any(s.startswith("src:assets/javascripts/") for s in baseline)
    for rel in generated_pages(hostile):
        page = parse_page(html_of(hostile.site, rel))
        scripts = sorted(_script_signature(s) for s in page.scripts)
        assert scripts == baseline, f"{rel}: scripts differ from a hand-written page's"
        for s in page.scripts:
            src = s.attrs.get("src")
            assert src is None or re.fullmatch(r"(\.\./)*(assets/javascripts|javascripts)/[\w.-]+\.js", src), src


def test_html_title_element_cannot_be_closed_by_input(hostile):
    for rel in generated_pages(hostile):
        raw = html_of(hostile.site, rel).read_text(encoding="utf-8")
        match = _TITLE_ELEMENT.search(raw)
        assert match and "<" not in match.group(2), f"{rel}: <title>{match and match.group(2)[:80]}"
        assert raw.count("<title>") == 1, f"{rel}: input opened or closed <title>"


def test_no_event_handler_attributes_and_no_dangerous_urls(hostile):
    for rel in generated_pages(hostile):
        page = parse_page(html_of(hostile.site, rel))
        for el in page.elements:
            handlers = [a for a in el.attrs if a.lower().startswith("on")]
            assert not handlers, f"{rel}: <{el.tag} {handlers}>"
            for name, value in el.attrs.items():
                if name.lower() in URL_ATTRIBUTES or name.lower().endswith("href"):
                    squashed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
                    assert not squashed.startswith(BAD_SCHEMES), f"{rel}: <{el.tag} {name}={value!r}>"
                    if el.in_content and re.match(r"[a-z][a-z0-9+.-]*:", squashed):
                        assert value in ALLOWED_EXTERNAL, f"{rel}: external link from input: {value!r}"


def test_no_element_from_input_in_the_content_area(hostile):
    for rel in generated_pages(hostile):
        page = parse_page(html_of(hostile.site, rel))
        content = [el for el in page.elements if el.in_content]
        bad = sorted({el.tag for el in content} & FORBIDDEN_IN_CONTENT)
        assert not bad, f"{rel}: {bad}"
        for el in content:
            if el.tag == "img":
                assert el.attrs.get("src", "").endswith("img/heatmap.svg"), f"{rel}: {el.attrs}"
            if el.tag in ("pre", "code") and rel != "index.md":  # home.md.j2 itself shows `*` and `.txt`
                pytest.fail(f"{rel}: <{el.tag}> from input")
            classes = el.attrs.get("class", "").split()
            if "admonition" in classes:
                assert rel.startswith("articles/") and classes == ["admonition", "abstract"], f"{rel}: {classes}"
            if "briefing-excerpt" in classes:
                pytest.fail(f"{rel}: an input paragraph gave itself the excerpt class")
        ids = [el.attrs["id"] for el in content if "id" in el.attrs]
        assert len(ids) == len(set(ids)), f"{rel}: duplicate ids {sorted(i for i in ids if ids.count(i) > 1)}"
        h1 = [h for h in page.headings if h.tag == "h1"]
        assert len(h1) == 1, f"{rel}: {len(h1)} h1"
        for h in page.headings:
            assert norm(h.text) not in FAKE_HEADINGS, f"{rel}: input became a heading: <{h.tag}>{h.text}"


def test_tables_keep_their_columns(hostile):
    """A `|` in a title, quote, label or description never adds or drops a column."""
    for rel in generated_pages(hostile):
        page = parse_page(html_of(hostile.site, rel))
        for table in page.tables:
            rows = [n for n in table if n]
            assert rows and len(set(rows)) == 1, f"{rel}: rows with different cell counts {rows}"


def test_templates_never_evaluate_input(hostile):
    for rel in generated_pages(hostile):
        page = parse_page(html_of(hostile.site, rel))
        if "7*7" in page.content_text:
            assert "{{ 7*7 }}" in page.content_text
            assert not re.search(r"(?<![\w.])49(?![\d%]| words)", page.content_text), f"{rel}: 7*7 was evaluated"
    assert "{% include 'article.md.j2' %}" in parse_page(
        html_of(hostile.site, "articles/template-syntax.md")).content_text


def test_generated_markdown_is_fully_escaped(hostile):
    trusted_tags = re.compile(r'<br>|<span id="[a-z0-9-]+"></span>')
    link_target = re.compile(r"(?<!\\)\]\(([^)]*)\)")
    for rel in generated_pages(hostile):
        text = (hostile.docs / rel).read_text(encoding="utf-8")
        front = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
        if front:  # generator-written YAML: a JSON-quoted, HTML-escaped title (and trusted keys)
            for line in front.group(1).splitlines():
                if line.startswith("title: "):
                    value = json.loads(line.removeprefix("title: "))
                    assert "<" not in value and ">" not in value, f"{rel}: front-matter title {value!r}"
            text = text[front.end():]
        assert "<" not in trusted_tags.sub("", text), f"{rel}: raw '<' in the Markdown"
        assert not re.search(r"(?<!\\)\{[{%#]", text), f"{rel}: Jinja syntax in the Markdown"
        for target in link_target.findall(text):
            assert target in ALLOWED_EXTERNAL or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target), (rel, target)
            assert " " not in target and "\\" not in target, (rel, target)
        for line in text.splitlines():
            # No block of input origin: every line that starts a block does so with template text.
            if re.fullmatch(r'!!! abstract "[A-Za-z\' ]+"', line):
                continue
            assert not re.match(r"\s*(!!!|```|~~~|\[[^\]]*\]:|\*\s\*|<)", line), f"{rel}: {line[:80]!r}"


def test_slugs_of_hostile_titles_are_safe_and_distinct(hostile):
    pages = sorted(p.name for p in (hostile.docs / "articles").glob("*.md"))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", p) for p in pages), pages
    articles = [s for s in SEEDS.iterdir() if s.suffix in (".md", ".txt", ".html")]
    assert len(pages) == len(articles) + 1  # + articles/index.md
    assert {"same-title.md", "same-title-2.md", "article.md", "etc-passwd.md", "index-article.md"} <= set(pages)


def test_data_exports_and_heatmap_stay_data(hostile):
    data = json.loads((hostile.docs / "data" / "matrix.json").read_text(encoding="utf-8"))
    assert any("<script>alert('theme')</script>" in t.get("title", "") for t in data["themes"])
    svg = ET.fromstring((hostile.docs / "img" / "heatmap.svg").read_bytes())  # well-formed XML
    for el in svg.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "iframe", "a"), tag
        assert not [a for a in el.attrib if a.rsplit("}", 1)[-1].lower().startswith("on")], el.attrib
    index = (hostile.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script" not in index and "<img" not in index and "<iframe" not in index


def test_csv_export_cells_cannot_start_a_formula(hostile):
    """Spreadsheet apps run a CSV cell that starts with = + - @ as a formula (CSV injection)."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO((hostile.docs / "data" / "matrix.csv").read_text(encoding="utf-8"))))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell[:60]
