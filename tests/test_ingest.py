"""Ingest: discovery, decoding rules, sidecars and front matter, HTML, the corpus and its errors."""

from __future__ import annotations

import codecs
import logging
import shutil
import time
from pathlib import Path

import pytest

from generator import ingest
from generator.errors import ProblemsError
from generator.ingest import Corpus, UnreadableInput, content_hash, load_corpus, read_article
from generator.sources import discover
from generator.records import BLOCKQUOTE, TEXT

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

BODY = (
    "The council met on Tuesday to discuss the harbor. Members argued for hours about the budget, "
    "and the mayor promised a decision by the end of the month."
)
ARTICLE = f"A Title For The Harbor\n\n{BODY}\n\n{BODY}\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problem_of(excinfo: pytest.ExceptionInfo) -> str:
    (problem,) = excinfo.value.problems
    return str(problem)


# --- discovery ---------------------------------------------------------------------------


def test_discover_finds_articles_recursively_in_path_order(tmp_path):
    for name in ["b.txt", "a.md", "sub/c.html", "sub/d.HTM", "A.txt", "sub/deeper/e.txt"]:
        write(tmp_path, name, ARTICLE)
    for name in [".hidden.txt", ".git/x.txt", "_draft.txt", "_drafts/y.txt", "README.md", "readme.md", "b.yml",
                 "themes.yml", "aliases.yml", "notes.yaml", "image.png", "data.json", "sub/README.md"]:
        write(tmp_path, name, ARTICLE)
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["A.txt", "a.md", "b.txt", "sub/c.html", "sub/d.HTM", "sub/deeper/e.txt"]


def test_discover_empty_folder(tmp_path):
    assert discover(tmp_path) == []
    assert load_corpus(tmp_path) == Corpus((), ())


def test_missing_seeds_folder_is_a_problem(tmp_path):
    with pytest.raises(ProblemsError) as excinfo:
        load_corpus(tmp_path / "nope")
    assert "seeds folder not found" in problem_of(excinfo)


# --- reading the fixtures --------------------------------------------------------------


def test_read_txt_fixture():
    article = read_article(FIXTURES / "fletcher_shape.txt", FIXTURES)
    assert article.slug == ""
    assert article.source_file == "fletcher_shape.txt"
    meta = article.meta
    assert meta.title == "How close are the two harbor towns, really?"
    assert meta.author == "Mara T. Quill"
    assert meta.republished_from == "Quill's Ledger Notes"
    assert meta.inferred == {"title", "subtitle", "author", "author_note", "republished_from"}
    assert [p.number for p in article.paragraphs] == list(range(1, 11))
    assert article.paragraphs[1].kind == BLOCKQUOTE
    assert article.paragraphs[1].attribution == "Tobias Wren, The Evening Ledger"
    assert article.paragraphs[1].sentences[0].paragraph == 2
    assert "Leave a Reply" in article.removed_lines
    raw = (FIXTURES / "fletcher_shape.txt").read_bytes()
    assert article.content_hash == content_hash(raw, None)


def test_source_file_is_relative_posix(tmp_path):
    path = write(tmp_path, "sub/dir/x.txt", ARTICLE)
    assert read_article(path, tmp_path).source_file == "sub/dir/x.txt"


# --- decoding and normalisation -----------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        ARTICLE.encode("utf-8"),
        codecs.BOM_UTF8 + ARTICLE.encode("utf-8"),
        ARTICLE.encode("utf-16"),  # with BOM (native order)
        codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le"),
        ARTICLE.replace("\n", "\r\n").encode("utf-8"),
        ARTICLE.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "utf32-le", "crlf", "lone-cr"],
)
def test_encodings_and_line_ends_read_the_same(tmp_path, encoded):
    article = read_article(write(tmp_path, "a.txt", encoded), tmp_path)
    assert article.meta.title == "A Title For The Harbor"
    assert [p.text for p in article.paragraphs] == [BODY, BODY]
    assert article.content_hash == content_hash(encoded, None)


def test_non_breaking_spaces_split_but_curly_quotes_stay(tmp_path):
    text = "A Title For The Harbor\n\nThe mayor\u00a0said “yes”.\u00a0It was ‘final’. Then\u202fshe left.\n"
    article = read_article(write(tmp_path, "a.txt", text), tmp_path)
    paragraph = article.paragraphs[0]
    assert paragraph.text == "The mayor said “yes”. It was ‘final’. Then she left."
    assert "\u00a0" not in paragraph.text


def test_windows_1252_fallback_with_a_warning(tmp_path, caplog):
    raw = "A Title For The Harbor\n\nThe mayor said “yes” to the café plan. It was final.\n".encode("cp1252")
    with caplog.at_level(logging.WARNING, logger="generator.ingest"):
        article = read_article(write(tmp_path, "a.txt", raw), tmp_path)
    assert article.paragraphs[0].text == "The mayor said “yes” to the café plan. It was final."
    assert "read as Windows-1252" in caplog.text
    assert "byte offset 39" in caplog.text  # the first byte of “


def test_undecodable_bytes_are_a_located_problem(tmp_path):
    raw = b"Title line\nsecond line \x81\x8d here\n"  # 0x81 is neither UTF-8 nor Windows-1252
    path = write(tmp_path, "bad.txt", raw)
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo) == (
        f"{tmp_path / 'bad.txt'}:2:13: not valid UTF-8 (byte offset 23) nor Windows-1252 text; save the file as UTF-8"
    )


def test_nul_bytes_mean_binary(tmp_path):
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo).endswith("binary file, not a text article (NUL byte at byte offset 8)")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, "\u00a0\u200b\n".encode()])
def test_empty_article(tmp_path, content):
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo) == f"{tmp_path / 'empty.txt'}: empty article"


def test_only_furniture_is_no_text(tmp_path):
    path = write(tmp_path, "f.txt", "Share this article\n\nAdvertisement\n\nSign up for our newsletter\n")
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo).endswith("no article text left after removing page furniture")


def test_five_megabyte_article_reads_fine(tmp_path):
    paragraph = f"{BODY}\n\n"
    text = "A Title For The Harbor\n\n" + paragraph * (5 * 1024 * 1024 // len(paragraph))
    path = write(tmp_path, "big.txt", text)
    assert path.stat().st_size > 5_000_000
    start = time.perf_counter()
    article = read_article(path, tmp_path)
    assert time.perf_counter() - start < 60
    assert len(article.paragraphs) > 10_000


def test_file_gone_between_discover_and_read(tmp_path):
    path = write(tmp_path, "gone.txt", ARTICLE)
    write(tmp_path, "kept.txt", ARTICLE)
    (found_gone, found_kept) = discover(tmp_path)
    path.unlink()
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(found_gone, tmp_path)
    assert problem_of(excinfo) == f"{path}: file not found (it was removed or renamed while the build ran)"
    assert read_article(found_kept, tmp_path).meta.title == "A Title For The Harbor"


def test_unreadable_file_is_a_problem_not_a_traceback(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", ARTICLE)
    real = Path.read_bytes

    def deny(self):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo) == f"{path}: cannot read file: permission denied"


def test_too_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 10)
    path = write(tmp_path, "a.txt", ARTICLE)
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert "the limit is 10" in problem_of(excinfo)


# --- titles and slugs ---------------------------------------------------------------------


def test_title_falls_back_to_first_sentence(tmp_path):
    text = f"{BODY}\n\n{BODY}\n"
    article = read_article(write(tmp_path, "no-title.txt", text), tmp_path)
    assert article.meta.title == "The council met on Tuesday to discuss the harbor."
    assert "title" in article.meta.inferred


def test_title_is_never_empty(tmp_path):
    article = read_article(write(tmp_path, "only-dots.txt", "...\n"), tmp_path)
    assert article.meta.title == "..."  # first "sentence": never empty
    corpus = load_corpus(tmp_path)
    assert corpus.articles[0].slug == "article"


@pytest.mark.parametrize("title, slug", [("/etc/passwd", "etc-passwd"), ("..", "article"), ("index", "index-article"),
                                         ("!!!", "article")])
def test_sidecar_titles_get_safe_slugs(tmp_path, title, slug):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "a.yml", f"title: '{title}'\n")
    (article,) = load_corpus(tmp_path).articles
    assert article.meta.title == title
    assert article.slug == slug


def test_corpus_slugs_are_unique_and_follow_discovery_order(tmp_path):
    for name in ["c.txt", "a.txt", "b/x.txt"]:
        write(tmp_path, name, ARTICLE)
    write(tmp_path, "d.txt", "Another Title Entirely\n\n" + BODY)
    corpus = load_corpus(tmp_path)
    assert [(a.source_file, a.slug) for a in corpus.articles] == [
        ("a.txt", "a-title-for-the-harbor"),
        ("b/x.txt", "a-title-for-the-harbor-2"),
        ("c.txt", "a-title-for-the-harbor-3"),
        ("d.txt", "another-title-entirely"),
    ]
    assert load_corpus(tmp_path) == corpus


# --- sidecars -----------------------------------------------------------------------------


def test_sidecar_wins_over_inferred_metadata(tmp_path):
    shutil.copy(FIXTURES / "fletcher_shape.txt", tmp_path / "f.txt")
    sidecar = (
        "title: Harbor Towns, Reconsidered\n"
        "author: M. T. Quill\n"
        "date: 2023-01-05\n"
        "outlet: Eastvale University\n"
        "url: https://example.org/harbor\n"
        "summary: Two reports, two readings.\n"
        "positions:\n"
        "  alignment: close\n"
    )
    write(tmp_path, "f.yml", sidecar)
    article = read_article(tmp_path / "f.txt", tmp_path)
    meta = article.meta
    assert meta.title == "Harbor Towns, Reconsidered"
    assert meta.author == "M. T. Quill"
    assert meta.author_note.startswith("Professor of Municipal Affairs")  # still inferred from the text
    assert meta.date == "2023-01-05"
    assert meta.outlet == "Eastvale University"
    assert meta.url == "https://example.org/harbor"
    assert meta.editor_summary == "Two reports, two readings."
    assert article.pinned_positions == (("alignment", "close"),)
    assert meta.inferred == {"subtitle", "author_note", "republished_from"}
    # the text's own title line is still recognised and dropped from the body
    assert "How close are the two harbor towns, really?" in article.removed_lines
    assert article.content_hash == content_hash((tmp_path / "f.txt").read_bytes(), (tmp_path / "f.yml").read_bytes())


def test_content_hash_tells_where_the_bytes_are():
    # The page memo and the cache are keyed by it: moving bytes between an article and
    # its sidecar, or adding an empty sidecar, must change it.
    assert content_hash(b"Title\nbody", b"x: 1\n") != content_hash(b"Title\nbodyx: 1\n", b"")
    assert content_hash(b"Title\nbody", b"") != content_hash(b"Title\nbody", None)
    assert content_hash(b"a", None) == content_hash(b"a", None)


def test_sidecar_errors_are_fatal_in_both_modes_and_all_collected(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "a.yml", "title: [unclosed\n")
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "b.yml", "titel: Typo\n")
    write(tmp_path, "c.txt", b"")  # unreadable: skipped in the default mode
    for strict in (False, True):
        with pytest.raises(ProblemsError) as excinfo:
            load_corpus(tmp_path, strict=strict)
        files = [Path(p.file).name for p in excinfo.value.problems]
        assert "a.yml" in files and "b.yml" in files
        assert ("c.txt" in files) is strict
    assert not isinstance(excinfo.value, UnreadableInput)


def test_sidecar_problem_and_unreadable_article_are_reported_together(tmp_path):
    write(tmp_path, "a.txt", b"")
    write(tmp_path, "a.yml", "titel: Typo\n")
    with pytest.raises(ProblemsError) as excinfo:
        read_article(tmp_path / "a.txt", tmp_path)
    assert not isinstance(excinfo.value, UnreadableInput)
    assert [Path(p.file).name for p in excinfo.value.problems] == ["a.yml", "a.txt"]


# --- skipped vs strict -------------------------------------------------------------------------


def test_default_mode_skips_unreadable_inputs_with_a_warning(tmp_path, caplog):
    write(tmp_path, "good.txt", ARTICLE)
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "binary.txt", b"\x00\x01")
    with caplog.at_level(logging.WARNING, logger="generator.ingest"):
        corpus = load_corpus(tmp_path)
    assert [a.source_file for a in corpus.articles] == ["good.txt"]
    assert [Path(p.file).name for p in corpus.skipped] == ["binary.txt", "empty.txt"]
    assert "skipped" in caplog.text and "empty article" in caplog.text


def test_strict_mode_raises_with_every_problem(tmp_path):
    write(tmp_path, "good.txt", ARTICLE)
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "binary.txt", b"\x00\x01")
    with pytest.raises(ProblemsError) as excinfo:
        load_corpus(tmp_path, strict=True)
    assert [Path(p.file).name for p in excinfo.value.problems] == ["binary.txt", "empty.txt"]


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_with_front_matter(tmp_path):
    text = (
        "---\ntitle: The Harbor Question\nauthor: Jane Doe\ndate: 2023-03-22\n---\n"
        "# The Harbor Question\n\nAs the Harbor Times wrote:\n\n> The ferry will run late.\n\n"
        "That is <b>not</b> news.\n"
    )
    article = read_article(write(tmp_path, "q.md", text), tmp_path)
    assert article.meta.title == "The Harbor Question"
    assert article.meta.author == "Jane Doe"
    assert article.meta.inferred == frozenset()
    assert [(p.kind, p.text, p.attribution) for p in article.paragraphs] == [
        (TEXT, "As the Harbor Times wrote:", None),
        (BLOCKQUOTE, "The ferry will run late.", "The Harbor Times"),
        (TEXT, "That is <b>not</b> news.", None),  # untrusted text kept verbatim; the renderer escapes it
    ]


def test_markdown_heading_is_the_title_without_front_matter(tmp_path):
    article = read_article(write(tmp_path, "h.md", f"## Harbor Notes ##\n\n{BODY}\n"), tmp_path)
    assert article.meta.title == "Harbor Notes"
    assert "title" not in article.meta.inferred
    assert [p.text for p in article.paragraphs] == [BODY]


def test_markdown_sidecar_wins_over_front_matter(tmp_path):
    write(tmp_path, "m.md", f"---\ntitle: Front\nauthor: Front Author\n---\n{BODY}\n")
    write(tmp_path, "m.yml", "title: Sidecar\n")
    meta = read_article(tmp_path / "m.md", tmp_path).meta
    assert (meta.title, meta.author) == ("Sidecar", "Front Author")


def test_markdown_front_matter_error_is_fatal(tmp_path):
    write(tmp_path, "m.md", f"---\ntitle: x\nbogus: 1\n---\n{BODY}\n")
    write(tmp_path, "n.md", f"---\ntitle: never closed\n{BODY}\n")
    with pytest.raises(ProblemsError) as excinfo:
        load_corpus(tmp_path)
    names = [Path(p.file).name for p in excinfo.value.problems]
    assert names == ["m.md", "n.md"]
    assert "bogus" in str(excinfo.value)


# --- HTML ----------------------------------------------------------------------------------------

HTML = """<!doctype html><html><head><meta charset="utf-8">
<title>Cats Learn to Climb | The Sample Gazette</title>
<meta property="og:title" content="Cats Learn to Climb Tiny Ladders">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-03-22T10:00:00Z">
<meta property="og:site_name" content="The Sample Gazette">
<meta property="og:url" content="{url}">
</head><body><nav>Home | News | Sport</nav>
<article><h1>Cats Learn to Climb Tiny Ladders</h1>
<p>The first paragraph explains that cats have learned to climb tiny ladders in a laboratory. It is long enough
to look like the body text of a real article about cats and their ladders.</p>
<p>The researchers, writing in the Harbor Journal, reported:</p>
<blockquote><p>Cats are capable of far more than we assumed, and ladders are merely the beginning.</p></blockquote>
<p>Another paragraph follows with <b>bold</b> text and a <a href="https://example.org/x">link</a>. It has
literal text &lt;script&gt;alert(1)&lt;/script&gt; in it.</p>
</article><footer>Copyright 2023</footer><script>var tracking = 1;</script></body></html>
"""


def test_html_main_text_metadata_and_blockquotes(tmp_path):
    article = read_article(write(tmp_path, "cats.html", HTML.format(url="https://example.org/cats")), tmp_path)
    meta = article.meta
    assert meta.title == "Cats Learn to Climb Tiny Ladders"
    assert meta.author == "Jane Doe"
    assert meta.date == "2023-03-22"
    assert meta.outlet == "The Sample Gazette"
    assert meta.url == "https://example.org/cats"
    assert meta.inferred == frozenset()
    kinds = [(p.kind, p.attribution) for p in article.paragraphs]
    assert kinds == [(TEXT, None), (TEXT, None), (BLOCKQUOTE, "The Harbor Journal"), (TEXT, None)]
    everything = " ".join(p.text for p in article.paragraphs) + " ".join(
        str(v) for v in vars(meta).values() if isinstance(v, str))
    assert "<" not in everything and "tracking" not in everything and "Home | News" not in everything


def test_html_url_must_be_http(tmp_path):
    article = read_article(write(tmp_path, "cats.htm", HTML.format(url="javascript:alert(1)")), tmp_path)
    assert article.meta.url is None


def test_html_without_text_is_a_problem(tmp_path):
    path = write(tmp_path, "empty.html", "<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>")
    with pytest.raises(UnreadableInput) as excinfo:
        read_article(path, tmp_path)
    assert problem_of(excinfo).endswith("no article text found in the HTML page")
