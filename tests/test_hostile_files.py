"""Hostile files, hostile YAML and interrupted runs, through the real CLI.

The file rule (generator/ingest.py): an article input that cannot be read
(empty, only white space, binary/NUL, undecodable, missing, unreadable, too
large) is skipped with a warning and listed at the end of the run; ``--strict``
turns every such input into a problem and fails the build (exit 1, nothing
written). Problems in a sidecar, front matter or the codebook always fail the
build, each located as ``file:line:column: key: message``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator import ingest
from generator.cli import run
from generator.yamlsafe import MAX_YAML_BYTES

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
THEMES = HOSTILE / "seeds" / "themes.yml"
GOOD = ("The hostile marker paragraph is long enough to be a body paragraph of the article. "
        "A second sentence follows it.\n")
SKIP_HEADER = "skipped {n} unreadable file(s) (use --strict to fail instead):"
TMP_PREFIX = ".briefing-tmp-"


CACHE = ".briefing-cache"  # the analysis cache (generator/work.py), not a page: not compared


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder (folders as b"<dir>") under ``folder``, the analysis cache aside."""
    return {p.relative_to(folder).as_posix(): (b"<dir>" if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.relative_to(folder).parts[0] != CACHE}


@pytest.fixture
def project(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "themes.yml").write_bytes(THEMES.read_bytes())
    (seeds / "good.txt").write_text(GOOD, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("# About\n\nHand-written.\n", encoding="utf-8")
    (docs / "notes").mkdir()
    (docs / "notes" / "mine.md").write_text("# Mine\n", encoding="utf-8")
    return tmp_path


def generate(project: Path, *extra: str) -> int:
    return run(["generate", "-q", "--seeds", str(project / "seeds"), "--docs", str(project / "docs"), *extra])


def stderr_lines(capsys) -> list[str]:
    return capsys.readouterr().err.splitlines()


# ---------------------------------------------------------------------------- file-level cases

NOT_CP1252 = b"caf\x81 \x8d"  # not UTF-8, and 0x81/0x8D are undefined in Windows-1252

# name -> (bytes, message of the skip/strict problem, or None when the file must build)
FILE_CASES = {
    "empty.txt": (b"", "empty article"),
    "whitespace.txt": (b"  \n\t\n \r\n  \n", "empty article"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3:1: binary file, not a text article (NUL byte at byte offset 8)"),
    "nul.md": (b"# Title\n\nSome text\x00more text.\n", "3:10: binary file, not a text article (NUL byte at byte offset 18)"),
    "invalid.txt": (b"Line one.\n" + NOT_CP1252, "2:4: not valid UTF-8 (byte offset 13) nor Windows-1252 text; save the file as UTF-8"),
    "furniture.txt": (b"Share\nTweet\nSubscribe\n", "no article text left after removing page furniture"),
    "utf16.txt": (GOOD.encode("utf-16"), None),
    "utf8bom.md": (b"\xef\xbb\xbf# BOM title\n\n" + GOOD.encode(), None),
    "cp1252.txt": ("Caf\u00e9 culture is the hostile marker of a paragraph long enough to be a body. A second sentence."
                   .encode("cp1252"), None),
}


@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_file_case_skips_with_a_named_message_or_builds(project, capsys, name):
    data, message = FILE_CASES[name]
    (project / "seeds" / name).write_bytes(data)
    assert generate(project) == 0
    err = stderr_lines(capsys)
    shown = f"{project / 'seeds' / name}:{' ' if message and not message[0].isdigit() else ''}{message}"
    if message is None:
        assert not any(SKIP_HEADER.split("{")[0] in line for line in err), err
        pages = [p.name for p in (project / "docs" / "articles").glob("*.md")]
        assert len(pages) == 3, pages  # good.txt, this one, index.md
    else:
        assert err[-2:] == [SKIP_HEADER.format(n=1), f"  {shown}"], err
        # --strict: the same problem fails the build and nothing is written.
        before = snapshot(project / "docs")
        assert generate(project, "--strict") == 1
        err = stderr_lines(capsys)
        assert f"error: {shown}" in err, err
        assert err[-1] == "1 problem found; nothing was written."
        assert snapshot(project / "docs") == before


def test_skipped_files_are_all_listed_at_the_end(project, capsys):
    for name in ("empty.txt", "binary.txt", "invalid.txt"):
        (project / "seeds" / name).write_bytes(FILE_CASES[name][0])
    assert generate(project) == 0
    err = stderr_lines(capsys)
    seeds = project / "seeds"
    assert err[-4:] == [
        SKIP_HEADER.format(n=3),
        f"  {seeds / 'binary.txt'}:3:1: binary file, not a text article (NUL byte at byte offset 8)",
        f"  {seeds / 'empty.txt'}: empty article",
        f"  {seeds / 'invalid.txt'}:2:4: not valid UTF-8 (byte offset 13) nor Windows-1252 text; save the file as UTF-8",
    ]


def test_five_megabyte_article_builds(project):
    """Run in a subprocess with a 2 GiB address-space limit and a timeout, so a blow-up fails cleanly."""
    import random
    rng = random.Random(5)
    vocabulary = [f"{w}{i}" for i, w in enumerate(["gas", "trade", "deal", "summit", "pipeline", "border"] * 400)]
    vocabulary += ["China", "Russia", "energy", "partnership", "sanctions", "market"] * 50
    paragraphs = []
    size = 0
    while size < 5_100_000:
        sentences = [" ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + "." for _ in range(5)]
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    text = "A five megabyte article\n\n" + "\n\n".join(paragraphs) + "\n"
    (project / "seeds" / "big.txt").write_text(text, encoding="utf-8")
    assert (project / "seeds" / "big.txt").stat().st_size > 5_000_000

    def limit():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))

    cmd = [sys.executable, "-c", "from generator.cli import main; main()", "generate", "-q",
           "--seeds", str(project / "seeds"), "--docs", str(project / "docs")]
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=20, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail("a 5 MB article took more than 20 s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (project / "docs" / "articles" / "a-five-megabyte-article.md").read_text(encoding="utf-8")
    assert f"{{ #p{len(paragraphs)} }}" in page


def test_file_that_disappears_mid_run_is_skipped_by_name(project, capsys, monkeypatch):
    victim = project / "seeds" / "vanishing.txt"
    victim.write_text(GOOD, encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == victim and victim.exists():
            victim.unlink()  # discovered, then gone just before it is read
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert generate(project) == 0
    err = stderr_lines(capsys)
    assert err[-2:] == [SKIP_HEADER.format(n=1), f"  {victim}: {ingest.MISSING_MESSAGE}"]


def test_unreadable_file_is_skipped_by_name(project, capsys, monkeypatch):
    victim = project / "seeds" / "locked.txt"
    victim.write_text(GOOD, encoding="utf-8")
    victim.chmod(0)
    try:
        victim.read_bytes()
        readable_anyway = True  # running as root: chmod does not block reads, simulate it
    except PermissionError:
        readable_anyway = False
    if readable_anyway:
        real_read_bytes = Path.read_bytes

        def read_bytes(self):
            if self == victim:
                raise PermissionError(13, "Permission denied", str(self))
            return real_read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    try:
        assert generate(project) == 0
        err = stderr_lines(capsys)
        assert err[-2:] == [SKIP_HEADER.format(n=1), f"  {victim}: cannot read file: permission denied"]
        assert generate(project, "--strict") == 1
        assert f"error: {victim}: cannot read file: permission denied" in stderr_lines(capsys)
    finally:
        victim.chmod(0o644)


def test_oversized_article_is_skipped_by_name(project, capsys, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 1000)
    (project / "seeds" / "huge.txt").write_text(GOOD * 20, encoding="utf-8")
    assert generate(project) == 0
    size = (project / "seeds" / "huge.txt").stat().st_size
    assert stderr_lines(capsys)[-1] == f"  {project / 'seeds' / 'huge.txt'}: file is {size:,} bytes; the limit is 1,000"


# ---------------------------------------------------------------------------- hostile YAML

REFUSED = yaml.safe_load((HOSTILE / "cases.yml").read_text(encoding="utf-8")).get("refused", [])


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refused_input_fails_with_located_problems_and_writes_nothing(project, capsys, case):
    source = HOSTILE / case["file"]
    seeds = project / "seeds"
    if case["as"] == "sidecar":
        target = seeds / "good.yml"
    elif case["as"] == "article":
        target = seeds / source.name
    else:
        target = seeds / "themes.yml"
    target.write_bytes(source.read_bytes())
    before = snapshot(project / "docs")
    started = time.monotonic()
    assert generate(project) == 1
    assert time.monotonic() - started < 5, "refusing hostile YAML must be quick"
    err = stderr_lines(capsys)
    for expected in case["expect"]:
        assert f"error: {target}{expected}" in err, (expected, err[:10])
    assert err[-1].endswith("nothing was written.")
    assert snapshot(project / "docs") == before


def test_fifty_megabyte_codebook_is_refused_by_size(project, capsys):
    themes = project / "seeds" / "themes.yml"
    chunk = b"# padding " + b"x" * 1013 + b"\n"
    with themes.open("ab") as handle:
        for _ in range(50 * 1024):
            handle.write(chunk)
    size = themes.stat().st_size
    assert size > 50 * 1024 * 1024
    started = time.monotonic()
    assert generate(project) == 1
    assert time.monotonic() - started < 10
    err = stderr_lines(capsys)
    assert (f"error: {themes}: file is too large ({size} bytes); YAML files may be at most "
            f"{MAX_YAML_BYTES} bytes (1 MiB)") in err


# ---------------------------------------------------------------------------- nothing lost

def _first_generation(project: Path) -> dict[str, bytes]:
    assert generate(project) == 0
    return snapshot(project / "docs")


def test_bad_codebook_bad_sidecar_or_strict_skip_leave_docs_exactly_as_before(project, capsys):
    before = _first_generation(project)
    seeds = project / "seeds"
    (seeds / "good.txt").write_text("Changed text that must not be published, long enough to be a body. Yes.")
    themes = (seeds / "themes.yml").read_bytes()
    (seeds / "themes.yml").write_bytes(themes.replace(b"version: 1", b"version: 1\nonclick: x"))
    assert generate(project) == 1
    assert snapshot(project / "docs") == before
    (seeds / "themes.yml").write_bytes(themes)
    (seeds / "good.yml").write_text('url: "javascript:alert(1)"\n')
    assert generate(project) == 1
    assert snapshot(project / "docs") == before
    (seeds / "good.yml").unlink()
    (seeds / "empty.txt").write_bytes(b"")
    assert generate(project, "--strict") == 1
    assert snapshot(project / "docs") == before
    capsys.readouterr()


@pytest.mark.parametrize("stage", ["analyse", "render"])
def test_failure_in_a_later_stage_leaves_docs_exactly_as_before(project, monkeypatch, stage):
    before = _first_generation(project)
    (project / "seeds" / "good.txt").write_text(GOOD + "\nA new paragraph that would change every page.\n")

    def boom(*args, **kwargs):
        raise RuntimeError(f"{stage} failed")

    if stage == "analyse":
        from generator import worker
        monkeypatch.setattr(worker, "analyse_article", boom)
    else:
        from generator import render
        monkeypatch.setattr(render, "render_site", boom)
    with pytest.raises(RuntimeError):
        generate(project)
    assert snapshot(project / "docs") == before


@pytest.mark.parametrize("fail_at", [1, 3, "manifest"])
def test_failure_while_writing_restores_docs_exactly(project, monkeypatch, caplog, fail_at):
    from generator import site
    before = _first_generation(project)
    seeds = project / "seeds"
    (seeds / "good.txt").write_text(GOOD + "\nA new paragraph that changes the page.\n")
    (seeds / "second.txt").write_text("A second article is the hostile marker of new pages and new folders. Two.\n")
    real = site._atomic_write
    calls = []

    def failing(path, data):
        calls.append(path)
        if (fail_at == "manifest" and path.name == site.MANIFEST) or len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(site, "_atomic_write", failing)
    with caplog.at_level("ERROR"):
        assert generate(project) == 1  # reported as an error, not a traceback
    assert "No space left on device" in caplog.text
    after = snapshot(project / "docs")
    assert not [p for p in after if TMP_PREFIX in p]
    assert after == before


def test_failure_on_a_first_run_leaves_no_generated_folders(tmp_path, monkeypatch):
    """docs/ held only hand-written files: a write failure must not leave empty articles/ or themes/ behind."""
    from generator import site
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "themes.yml").write_bytes(THEMES.read_bytes())
    (seeds / "good.txt").write_text(GOOD)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("# About\n")
    before = snapshot(docs)
    real = site._atomic_write

    def failing(path, data):
        if path.name == site.MANIFEST:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(site, "_atomic_write", failing)
    assert run(["generate", "-q", "--seeds", str(seeds), "--docs", str(docs)]) == 1
    assert snapshot(docs) == before


# ---------------------------------------------------------------------------- kill -9

# Runs `briefing generate` with os.replace slowed down a little, so that a SIGKILL
# lands while pages are being written (the code under test is unchanged).
_SLOW_WRITER = (
    "import os, sys, time\n"
    "_replace = os.replace\n"
    "def slow_replace(a, b):\n"
    "    time.sleep(0.002)\n"
    "    _replace(a, b)\n"
    "os.replace = slow_replace\n"
    "from generator.cli import main\n"
    "sys.argv[0] = 'briefing'\n"
    "main()\n"
)


def _corpus(seeds: Path, count: int, version: str) -> None:
    for i in range(count):
        (seeds / f"a{i:03d}.txt").write_text(
            f"Article number {i} headline\n\nChina and Russia signed a gas pipeline deal in article {i}. "
            f"The strategic partnership grew, said version {version}.\n", encoding="utf-8")


def _generate_subprocess(root: Path, slow: bool = False) -> subprocess.Popen:
    cmd = [sys.executable, "-c", _SLOW_WRITER if slow else "from generator.cli import main; main()",
           "generate", "-q", "--seeds", str(root / "seeds"), "--docs", str(root / "docs")]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _pages(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*.md")}


def _state(root: Path, count: int, version: str) -> dict[str, bytes]:
    """docs/ after a clean run of the ``count``-article corpus at ``version``."""
    root.mkdir()
    (root / "seeds").mkdir()
    (root / "seeds" / "themes.yml").write_bytes(THEMES.read_bytes())
    _corpus(root / "seeds", count, version)
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n")
    proc = _generate_subprocess(root)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    proc.stderr.close()
    return snapshot(root / "docs")


def test_kill_9_mid_write_never_leaves_a_half_page_that_a_later_run_keeps(tmp_path):
    old_count, new_count = 60, 120
    old = _state(tmp_path / "clean-old", old_count, "one")
    new = _state(tmp_path / "clean-new", new_count, "two")
    old_pages = {k: v for k, v in old.items() if k.endswith(".md")}
    new_pages = {k: v for k, v in new.items() if k.endswith(".md")}
    outcomes = []
    for attempt, delay in enumerate((0.0, 0.03, 0.08, 0.15, 0.3)):
        root = tmp_path / f"run{attempt}"
        _state(root, old_count, "one")
        _corpus(root / "seeds", new_count, "two")
        docs = root / "docs"
        proc = _generate_subprocess(root, slow=True)
        # Wait until writing has started (a temporary file or the first changed page), then kill.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any(docs.rglob(TMP_PREFIX + "*")) or (docs / "articles" / "article-number-119-headline.md").exists():
                break
            time.sleep(0.001)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
        pages = _pages(docs)
        for rel, data in pages.items():
            assert data in (old_pages.get(rel), new_pages.get(rel)), f"delay {delay}: {rel} is neither old nor new"
        outcomes.append(sum(1 for rel, data in pages.items() if data == new_pages.get(rel) != old_pages.get(rel)))
        # A later clean run gives exactly what a clean run gives, and sweeps every temporary.
        proc = _generate_subprocess(root)
        err = proc.communicate(timeout=120)[1].decode()
        assert proc.returncode == 0, err
        after = snapshot(docs)
        assert not [p for p in after if TMP_PREFIX in p], f"delay {delay}: temporaries left"
        assert "was not generated by briefing" not in err, f"delay {delay}: {err}"
        assert after == new, f"delay {delay}: docs/ differs from a clean run: " + ", ".join(
            sorted(p for p in set(after) | set(new) if after.get(p) != new.get(p))[:5])
    assert any(0 < n for n in outcomes), f"no kill landed mid-write: {outcomes}"
