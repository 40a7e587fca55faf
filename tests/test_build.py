"""Small end-to-end builds in temporary folders, through the real CLI entry point."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from generator.cli import run
from tests.browser import hand_written_docs

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
THEMES = REPO / "seeds" / "themes.yml"


@pytest.fixture
def project(tmp_path):
    """A copy of the fixture corpus and of the hand-written docs files, in a temporary project."""
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    shutil.copy(THEMES, seeds / "themes.yml")
    copy_hand_written_docs(tmp_path / "docs")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def copy_hand_written_docs(target: Path) -> None:
    """The repository's hand-written docs files (not pages a local `make site` generated)."""
    for rel in hand_written_docs():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "docs" / rel, target / rel)


def _generate(project: Path, *extra: str) -> int:
    return run(["generate", "-q", "--seeds", str(project / "seeds"), "--docs", str(project / "docs"), *extra])


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the analysis cache (a private, unpublished folder)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".briefing-cache" not in p.parts}


def test_generate_is_deterministic(project, tmp_path):
    assert _generate(project) == 0
    first = _snapshot(project / "docs")
    # A second run in a different folder, with files discovered in a different order of creation.
    other = tmp_path / "other"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns("docs"))
    copy_hand_written_docs(other / "docs")
    assert _generate(other) == 0
    assert _snapshot(other / "docs") == first
    assert _generate(project) == 0
    assert _snapshot(project / "docs") == first


def test_pages_for_every_article_and_theme(project):
    assert _generate(project) == 0
    docs = project / "docs"
    articles = sorted(p.name for p in (docs / "articles").glob("*.md"))
    assert articles == ["how-close-are-china-and-russia-really.md", "index.md", "pipelines-and-patience.md",
                        "read-moscow-and-beijing-at-their-word.md", "summit-diplomacy-after-the-brics-meeting.md"]
    theme_ids = re.findall(r"^  - id: ([a-z0-9-]+)$", THEMES.read_text(), flags=re.M)
    assert sorted(p.stem for p in (docs / "themes").glob("*.md")) == sorted(theme_ids + ["index"])
    for name in ("index.md", "matrix.md", "entities.md", "data/matrix.json", "data/matrix.csv", "img/heatmap.svg"):
        assert (docs / name).is_file(), name


def test_hand_written_files_survive_and_deleted_seed_page_goes(project):
    docs = project / "docs"
    (docs / "notes.md").write_text("# My notes\n")
    assert _generate(project) == 0
    page = docs / "articles" / "pipelines-and-patience.md"
    assert page.is_file()
    (project / "seeds" / "delta_page.html").unlink()
    assert _generate(project) == 0
    assert not page.exists()
    assert (docs / "notes.md").read_text() == "# My notes\n"
    assert (docs / "about.md").is_file()
    assert "Pipelines and Patience" not in (docs / "index.md").read_text()


def test_failed_build_leaves_docs_exactly_as_before(project, capsys):
    assert _generate(project) == 0
    before = _snapshot(project / "docs")
    themes = project / "seeds" / "themes.yml"
    themes.write_text(themes.read_text().replace("title: Asymmetry and leverage", "titel: Asymmetry and leverage"))
    (project / "seeds" / "alpha_steppe.txt").write_text("changed text that must not be published")
    assert _generate(project) == 1
    err = capsys.readouterr().err
    assert "unknown key 'titel'; did you mean 'title'?" in err
    assert "nothing was written" in err
    assert _snapshot(project / "docs") == before


def test_pinned_position_naming_nothing_is_a_located_error(project, capsys):
    (project / "seeds" / "alpha_steppe.yml").write_text("positions:\n  asymmetry: nobody-wins\n")
    assert run(["check", "--seeds", str(project / "seeds")]) == 1
    err = capsys.readouterr().err
    assert (f"{project / 'seeds' / 'alpha_steppe.yml'}:2: positions.asymmetry: theme 'asymmetry' has no position "
            "'nobody-wins'; expected one of: china-dominant, balanced") in err


def test_check_writes_nothing_and_reports_ok(project, capsys):
    before = _snapshot(project / "docs")
    assert run(["check", "--seeds", str(project / "seeds"), "--docs", str(project / "docs")]) == 0
    assert "ok: 4 articles" in capsys.readouterr().out
    assert _snapshot(project / "docs") == before


def test_check_uses_the_cache_but_writes_nothing_not_even_to_it(project, capsys, caplog):
    assert _generate(project) == 0
    seed = project / "seeds" / "alpha_steppe.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA closing line only check has read.\n", encoding="utf-8")
    everything = {p: p.read_bytes() for p in sorted((project / "docs").rglob("*")) if p.is_file()}
    caplog.set_level("INFO", logger="generator.work")
    assert run(["check", "--seeds", str(project / "seeds"), "--docs", str(project / "docs")]) == 0
    assert "articles: 3 from cache, 1 analysed" in caplog.text
    assert {p: p.read_bytes() for p in sorted((project / "docs").rglob("*")) if p.is_file()} == everything


def test_check_prints_github_annotations_under_actions(project, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    themes = project / "seeds" / "themes.yml"
    themes.write_text(themes.read_text().replace("  - id: asymmetry\n", "  - id: Asymmetry\n"))
    assert run(["check", "--seeds", str(project / "seeds")]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^::error file=.*themes\.yml,line=\d+,col=\d+::themes\[\d+\]\.id: 'Asymmetry' is not a valid id",
                     out, flags=re.M)


def test_matrix_json_quotes_are_verbatim_and_anchors_exist(project):
    assert _generate(project) == 0
    docs = project / "docs"
    data = json.loads((docs / "data" / "matrix.json").read_text())
    sources = {a["id"]: (project / "seeds" / a["source_file"]).read_text(encoding="utf-8") for a in data["articles"]}
    checked = 0
    for cell in data["cells"]:
        for ev in cell["evidence"]:
            source = re.sub(r"\s+", " ", sources[cell["article"]])
            assert ev["quote"] in source or ev["quote"] in re.sub(r"<[^>]+>", "", source)
            page, anchor = re.fullmatch(r"articles/([a-z0-9-]+)/#(p\d+)", ev["anchor"]).groups()
            assert f"{{ #{anchor} " in (docs / "articles" / f"{page}.md").read_text()
            checked += 1
    assert checked > 10


def test_export_prints_the_same_json_as_the_site(project, capsys):
    assert _generate(project) == 0
    capsys.readouterr()
    assert run(["export", "--format", "json", "--seeds", str(project / "seeds")]) == 0
    assert capsys.readouterr().out == (project / "docs" / "data" / "matrix.json").read_text()


def test_summarize_json_is_exactly_sentences(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("A headline\n\nFirst sentence here. Second one follows.\n\nA third sentence ends it.\n")
    import io
    from contextlib import redirect_stdout
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert run(["summarize", str(article), "--sentences", "2", "--json"]) == 0
    data = json.loads(buffer.getvalue())
    assert list(data) == ["sentences"] and len(data["sentences"]) == 2
    assert all(s in article.read_text() for s in data["sentences"])


@pytest.mark.slow
def test_build_runs_mkdocs_strict_and_indexes_article_text(project):
    site = project / "site"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "briefing"), "build", "-q", "--site", str(site)],
        cwd=project, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING -" not in result.stderr and "Material for MkDocs reaches end of life" not in result.stderr
    assert (site / "index.html").is_file()
    for slug in ("how-close-are-china-and-russia-really", "read-moscow-and-beijing-at-their-word"):
        assert (site / "articles" / slug / "index.html").is_file()
    assert (site / "matrix" / "index.html").is_file()
    assert (site / "data" / "matrix.json").is_file() and (site / "data" / "matrix.csv").is_file()
    index = (site / "search" / "search_index.json").read_text()
    assert "needier partner" in index and "counter-intelligence" in index
    html = (site / "articles" / "how-close-are-china-and-russia-really" / "index.html").read_text()
    assert 'id="p5"' in html


def test_the_command_leaves_nothing_unsaid_when_it_exits(project):
    """`briefing` skips Python's slow teardown at exit (cli.main): its output, log and exit
    status must still be complete; a reader that stops early gets no traceback."""
    briefing = str(Path(sys.executable).parent / "briefing")
    export = subprocess.run([briefing, "export", "--format", "csv"], cwd=project, capture_output=True, text=True)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert run(["export", "--format", "csv", "--seeds", str(project / "seeds")]) == 0
    assert export.returncode == 0 and export.stdout == buffer.getvalue()
    generated = subprocess.run([briefing, "generate"], cwd=project, capture_output=True, text=True)
    assert generated.returncode == 0
    assert generated.stderr.splitlines()[-1].startswith("INFO: docs/: ")
    head = subprocess.run(f"{briefing} export --format json | head -c 10", shell=True, cwd=project,
                          capture_output=True, text=True)
    assert head.stdout == '{\n"article' and "Traceback" not in head.stderr
    # A reader that leaves before the first byte (`true` reads nothing): no traceback either.
    gone = subprocess.run(f"{briefing} export --format json | true; echo $?",
                          shell=True, cwd=project, capture_output=True, text=True, executable="/bin/bash")
    assert "Traceback" not in gone.stderr and "Broken pipe" not in gone.stderr
    closed = subprocess.run(f"{briefing} export --format csv >&-", shell=True, cwd=project,
                            capture_output=True, text=True)
    assert closed.returncode == 1 and "Traceback" not in closed.stderr
    assert "cannot write the output" in closed.stderr
    if Path("/dev/full").exists():  # a full disk: the output is lost, and the command says so
        full = subprocess.run(f"{briefing} export --format csv > /dev/full", shell=True, cwd=project,
                              capture_output=True, text=True)
        assert full.returncode == 1 and "cannot write the output: No space left on device" in full.stderr
    (project / "seeds" / "themes.yml").write_text("themes:\n  - id: Bad Id\n")
    broken = subprocess.run([briefing, "generate"], cwd=project, capture_output=True, text=True)
    assert broken.returncode == 1 and "themes.yml:2" in broken.stderr


@pytest.mark.parametrize("argv", [
    ["generate", "--seeds", "s", "--jobs", "2", "-q"],
    ["build", "--site", "out", "--strict"],
    ["check", "--themes", "t.yml"],
    ["serve", "--dev-addr", "0.0.0.0:9000"],
    ["summarize", "a.txt", "--sentences", "2", "--json"],
    ["export", "--format", "csv"],
    ["suggest-themes", "--docs", "d"],
])
def test_the_parser_built_for_one_command_reads_it_as_the_full_parser_does(argv, capsys):
    """run() gives only the command it runs its options (build_parser(command)): the same
    arguments read the same, and the command's --help is the same."""
    from generator.cli import COMMANDS, build_parser

    assert set(COMMANDS) >= {argv[0]}
    assert build_parser(argv[0]).parse_args(argv) == build_parser().parse_args(argv)
    helps = []
    for parser in (build_parser(argv[0]), build_parser()):
        with pytest.raises(SystemExit):
            parser.parse_args([argv[0], "--help"])
        helps.append(capsys.readouterr().out)
    assert helps[0] == helps[1] and "--help" in helps[0]
