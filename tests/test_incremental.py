"""The analysis cache and the process pool change speed only, never output."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import analysis_cache, buildstate, forked, pipeline, scout, work
from generator.errors import ProblemsError
from records_factory import mapped_views

REPO = Path(__file__).resolve().parents[1]
# Longer than a kernel clock tick: inputs written this long before a build have stats that
# prove their content (see site.RACY_FINE_NS; inputs edited just before are re-read).
TICK = 0.05
CORPUS = REPO / "tests" / "fixtures" / "corpus"


def _corpus(tmp_path: Path, copies: int) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in range(copies):
        for source in sorted(CORPUS.iterdir()):
            if source.suffix in (".txt", ".md", ".html") and source.name != "README.md":
                shutil.copy(source, seeds / f"{n:03d}_{source.name}")
    shutil.copy(REPO / "seeds" / "themes.yml", seeds / "themes.yml")
    return seeds


def _docs(seeds: Path, docs: Path, **settings) -> dict[str, bytes]:
    pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=docs, **settings))
    return {str(p.relative_to(docs)): p.read_bytes() for p in sorted(docs.rglob("*"))
            if p.is_file() and ".briefing-cache" not in p.parts}


def test_parallel_output_is_byte_identical_to_single_process(tmp_path):
    seeds = _corpus(tmp_path, copies=work.PARALLEL_MIN_ARTICLES // 4 + 1)
    single = _docs(seeds, tmp_path / "one", cache=False, workers=1)
    parallel = _docs(seeds, tmp_path / "two", cache=False, workers=2)
    assert len(single) > work.PARALLEL_MIN_ARTICLES
    assert parallel == single


def test_cached_rebuild_after_edits_equals_a_clean_build(tmp_path):
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "warm", cache=cache)
    # Edit one article, one sidecar pin, and one theme's cues.
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    (seeds / "001_beta_ledger.yml").write_text("positions:\n  asymmetry: balanced\n")
    themes = seeds / "themes.yml"
    themes.write_text(themes.read_text().replace("      - whip hand\n", "      - whip hand\n      - needs China\n", 1))
    warm = _docs(seeds, tmp_path / "warm", cache=cache)
    clean = _docs(seeds, tmp_path / "clean", cache=False)
    assert warm == clean
    assert b"India buys Russian oil" in warm["articles/read-moscow-and-beijing-at-their-word.md"]


def test_unchanged_articles_come_from_the_cache(tmp_path, caplog):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "docs", cache=cache)
    caplog.set_level("INFO", logger="generator.work")
    (seeds / "000_gamma_notes.md").write_text((seeds / "000_gamma_notes.md").read_text() + "\nOne more line.\n")
    _docs(seeds, tmp_path / "docs", cache=cache)
    assert "articles: 3 from cache, 1 analysed" in caplog.text


def test_nothing_changed_skips_the_build_but_any_change_or_damage_rebuilds(tmp_path, caplog):
    seeds = _corpus(tmp_path, copies=1)
    time.sleep(TICK)
    docs = tmp_path / "docs"
    first = _docs(seeds, docs)
    caplog.set_level("INFO", logger="generator.pipeline")
    assert _docs(seeds, docs) == first
    assert "nothing changed since the last build" in caplog.text
    caplog.clear()
    # A damaged output (a page deleted by hand) is regenerated.
    (docs / "matrix.md").unlink()
    assert _docs(seeds, docs) == first
    assert "nothing changed" not in caplog.text
    caplog.clear()
    # A changed input is picked up.
    (seeds / "000_gamma_notes.md").write_text((seeds / "000_gamma_notes.md").read_text() + "\nNew closing line.\n")
    after = _docs(seeds, docs)
    assert "nothing changed" not in caplog.text
    assert b"New closing line" in after["articles/summit-diplomacy-after-the-brics-meeting.md"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pages are rendered in parallel on Linux only")
def test_parallel_page_rendering_gives_the_same_pages(tmp_path, monkeypatch):
    from generator import render

    seeds = _corpus(tmp_path, copies=3)
    serial = _docs(seeds, tmp_path / "serial", cache=False, workers=1)
    pools = []
    real = multiprocessing.get_context  # render imports multiprocessing when it starts its pool
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: pools.append(method) or real(method))
    monkeypatch.setattr(render, "PARALLEL_RENDER_MIN_PAGES", 1)
    parallel = _docs(seeds, tmp_path / "parallel", cache=False, workers=2)
    assert pools.count("fork") == 1  # the pages really were rendered by a pool (whatever this machine's core count)
    assert parallel == serial and len(serial) > 20


def test_jobs_1_renders_in_this_process(tmp_path, monkeypatch):
    from generator import render

    seeds = _corpus(tmp_path, copies=3)
    monkeypatch.setattr(render, "PARALLEL_RENDER_MIN_PAGES", 1)
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method=None: pytest.fail("a pool was started with --jobs 1"))
    _docs(seeds, tmp_path / "docs", cache=False, workers=1)


def test_a_damaged_or_foreign_cache_is_ignored_and_rebuilt(tmp_path):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    clean = _docs(seeds, tmp_path / "clean", cache=False)
    _docs(seeds, tmp_path / "docs", cache=cache)
    damaged = sorted((cache / "articles").glob("*.pickle")) + sorted((cache / "rows").glob("*.pickle"))
    damaged += [cache / work.Cache.STATS, cache / "last-build.pickle", cache / "page-memo.pickle"]
    assert all(p.is_file() for p in damaged)
    # b"cgenerator.gone\nThing\n.": a pickle of a class from a module that no longer exists
    # (a cache written by another version of the generator).
    for damage in (b"", b"not a pickle", b"cgenerator.gone\nThing\n.", None):
        for shard in damaged:
            shard.write_bytes(damage if damage is not None else shard.read_bytes()[: shard.stat().st_size // 2])
        (seeds / "000_gamma_notes.md").touch()  # defeat the nothing-changed stamp
        assert _docs(seeds, tmp_path / "docs", cache=cache) == clean


def test_the_cache_holds_exactly_the_current_articles(tmp_path):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "docs", cache=cache)
    (seeds / "000_gamma_notes.md").unlink()
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text() + "\nA new closing paragraph for the cache test.\n")
    time.sleep(TICK)
    _docs(seeds, tmp_path / "docs", cache=cache)
    _, (stats, listed) = pickle.loads((cache / work.Cache.STATS).read_bytes())
    assert sorted(stats) == sorted(p.name for p in seeds.iterdir() if p.suffix in (".txt", ".md", ".html"))
    stored = {k for shard in (buildstate.load_shard(f)[1] for f in (cache / "articles").glob("*.pickle"))
              for k in shard}
    assert stored == {key for _, key in stats.values()} == listed


def test_an_edit_rewrites_only_the_cache_shards_it_touches(tmp_path):
    seeds = _corpus(tmp_path, copies=8)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "docs", cache=cache)
    def shards(store: str) -> dict[Path, tuple[int, int]]:
        return {f: (f.stat().st_mtime_ns, f.stat().st_ino) for f in (cache / store).glob("*.pickle")}

    def changed(before: dict, now: dict) -> set[Path]:
        return {f for f in before.keys() | now.keys() if before.get(f) != now.get(f)}

    records = shards("articles")
    assert len(records) > 10
    article = seeds / "003_beta_ledger.txt"
    article.write_text(article.read_text() + "\nOne more paragraph.\n")
    _docs(seeds, tmp_path / "docs", cache=cache)
    assert len(changed(records, shards("articles"))) == 1  # the new record replaced the old one (record_key)
    # An edit to a sentence the exports quote: the article's new part of the exports goes
    # to the shard of its old one too (export_row_key).
    records, rows = shards("articles"), shards("rows")
    assert len(rows) > 10
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("Russian oil exports toward Asian buyers.",
                                                   "Russian oil exports toward Asian customers."))
    docs = _docs(seeds, tmp_path / "docs", cache=cache)
    assert "Asian customers" in docs["data/matrix.json"].decode()
    assert len(changed(records, shards("articles"))) == 1 and len(changed(rows, shards("rows"))) == 1


def test_a_cache_file_is_replaced_whole_and_kept_if_its_new_version_cannot_be_written(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "stamp.pickle"
    buildstate.write_atomic(path, b"first")
    buildstate.write_atomic(path, b"second")
    assert path.read_bytes() == b"second" and [p.name for p in path.parent.iterdir()] == ["stamp.pickle"]

    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(buildstate, "write_all", disk_full)
    with pytest.raises(OSError):
        buildstate.write_atomic(path, b"third")
    assert path.read_bytes() == b"second"  # the previous file goes only once the new one is written
    assert [p.name for p in path.parent.iterdir()] == ["stamp.pickle"]  # no temporary left


def test_a_cached_article_whose_slug_changes_is_rebuilt_under_its_new_slug(tmp_path):
    seeds = _corpus(tmp_path, copies=2)  # every title twice: the second copies get "-2" slugs
    cache = tmp_path / "cache"
    before = _docs(seeds, tmp_path / "docs", cache=cache)
    assert any(name.endswith("-2.md") for name in before)
    for first in seeds.glob("000_*"):
        if first.suffix != ".yml":
            first.unlink()
    warm = _docs(seeds, tmp_path / "docs", cache=cache)
    assert warm == _docs(seeds, tmp_path / "clean", cache=False)
    assert not any(name.endswith("-2.md") for name in warm)


def test_a_second_build_of_the_same_docs_waits_for_the_first(tmp_path, caplog):
    seeds = _corpus(tmp_path, copies=1)
    docs = tmp_path / "docs"
    docs.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, time\n"
        f"fd = os.open({str(docs)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True); time.sleep(2)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        caplog.set_level("INFO", logger="generator.site")
        start = time.monotonic()
        built = _docs(seeds, docs)
        waited = time.monotonic() - start
    finally:
        holder.wait(timeout=30)
    assert "waiting for another build" in caplog.text
    assert waited >= 1.0
    assert built == _docs(seeds, tmp_path / "clean", cache=False)


def test_an_article_edited_during_a_build_is_cached_under_the_text_analysed(tmp_path, monkeypatch):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    article = seeds / "000_alpha_steppe.txt"
    original = article.read_text()
    real = analysis_cache.content_key

    def key_then_edit(path, rel, settings_key):  # the edit lands after the key, before the analysis
        key = real(path, rel, settings_key)
        if path == article:
            article.write_text(original.replace("India buys Russian arms", "India buys Russian oil"))
        return key

    monkeypatch.setattr(analysis_cache, "content_key", key_then_edit)
    assert b"Russian oil" in _docs(seeds, tmp_path / "docs", cache=cache)["articles/read-moscow-and-beijing-at-their-word.md"]
    monkeypatch.undo()
    article.write_text(original)  # back to the text the key was computed from
    rebuilt = _docs(seeds, tmp_path / "docs", cache=cache)
    assert rebuilt == _docs(seeds, tmp_path / "clean", cache=False)
    assert b"Russian arms" in rebuilt["articles/read-moscow-and-beijing-at-their-word.md"]


def test_an_edit_that_keeps_size_and_modification_time_is_seen(tmp_path):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "docs", cache=cache)
    article = seeds / "000_alpha_steppe.txt"
    before = article.stat()
    text = article.read_text()
    assert "Russian arms" in text
    article.write_text(text.replace("Russian arms", "Russian oils"))  # same length
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` or `rsync -t` leave it
    assert article.stat().st_size == before.st_size and article.stat().st_mtime_ns == before.st_mtime_ns
    rebuilt = _docs(seeds, tmp_path / "docs", cache=cache)
    assert b"Russian oils" in rebuilt["articles/read-moscow-and-beijing-at-their-word.md"]


def test_the_cache_sheds_what_it_no_longer_reads(tmp_path):
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    clean = _docs(seeds, tmp_path / "docs", cache=cache)
    # An earlier layout (one file per article, single-file stores), a shard of other
    # settings and the temporaries of a killed save.
    (cache / "ab").mkdir()
    (cache / "ab" / ("ab" + "0" * 62 + ".pickle")).write_bytes(b"old record")
    (cache / "pages.pickle").write_bytes(b"old memo")
    (cache / "pages").mkdir()  # the page memo as a shelf
    (cache / "pages" / "a.pickle").write_bytes(pickle.dumps(("", {"a" * 64: b"digest"})))
    (cache / "last-build.tmp4242").write_bytes(b"half")
    (cache / "articles" / "zz.pickle").write_bytes(pickle.dumps(("other settings", {"zz": b""})))
    (cache / "articles" / "00.pickle.tmp99").write_bytes(b"half")
    (seeds / "000_gamma_notes.md").touch()  # defeat the nothing-changed stamp
    assert _docs(seeds, tmp_path / "docs", cache=cache) == clean
    left = sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file())
    assert not [p for p in left if p.startswith(("ab", "pages/")) or "tmp" in p
                or p in ("pages.pickle", "articles/zz.pickle")]
    assert not (cache / "pages").exists()
    assert any(p.startswith("articles/") for p in left) and "page-memo.pickle" in left


def _tree(docs: Path) -> dict[str, bytes]:
    return {str(p.relative_to(docs)): p.read_bytes() for p in sorted(docs.rglob("*"))
            if p.is_file() and ".briefing-cache" not in p.parts}


@pytest.mark.skipif(os.name != "posix", reason="cache files are mapped on POSIX only")
def test_a_session_reads_the_cache_into_memory_a_one_off_build_maps_it(tmp_path):
    """A session (`briefing serve`) lives for hours: what it keeps must not change, or crash
    it, if a program rewrites a cache file in place (see buildstate.load_shard)."""
    seeds = _corpus(tmp_path, copies=1)
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs")
    pipeline.generate(settings)
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text() + "\nA closing paragraph the session reads.\n")
    time.sleep(TICK)
    one_off = pipeline.load_inputs(settings)
    assert mapped_views([*one_off.corpus.articles, *one_off.analyses.values()]) > 0
    session = pipeline.Session(settings)
    session.generate()
    kept = [r for done in session.warm.cache._loaded.values() for r in (done.article, done.analysis, done.row)]
    rows = list(session.warm.pages.rows().values())
    assert len(kept) == 3 * len(one_off.corpus.articles) and rows
    assert mapped_views(kept + rows) == 0


@pytest.mark.skipif(os.name != "posix", reason="cache files are mapped on POSIX only")
def test_briefing_generate_maps_the_cache_like_a_one_off_build(tmp_path):
    """The command line builds through a session (what it made then stays referenced until
    the process ends), but `briefing generate` ends with its build: it maps the cache's
    files like pipeline.generate, where copying them cost a one-article rebuild at 1,000
    articles ~12 ms of its ~0.2 s."""
    from generator import cli

    seeds = _corpus(tmp_path, copies=1)
    argv = ["generate", "--seeds", str(seeds), "--docs", str(tmp_path / "docs"), "-q"]
    assert cli.run(argv) == 0
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text() + "\nA closing paragraph the rebuild reads.\n")
    time.sleep(TICK)
    assert cli.run(argv) == 0
    session = cli._LEFT_FOR_EXIT[0]
    kept = [r for done in session.warm.cache._loaded.values() for r in (done.article, done.analysis, done.row)]
    rows = list(session.warm.pages.rows().values())
    assert kept and rows
    assert mapped_views(kept) > 0 and mapped_views(rows) > 0


@pytest.mark.skipif(os.name != "posix", reason="cache files are mapped on POSIX only")
def test_briefing_serve_reads_the_cache_into_memory(tmp_path, monkeypatch):
    """`briefing serve` lives for hours: its session's rebuilds read the cache's files into
    memory, never as views of a mapped file that another program could rewrite in place."""
    from generator import cli

    seeds = _corpus(tmp_path, copies=1)
    argv = ["generate", "--seeds", str(seeds), "--docs", str(tmp_path / "docs"), "-q"]
    assert cli.run(argv) == 0  # a cache to read back
    sessions = []
    monkeypatch.setattr(cli, "_serve", lambda args, session, result: sessions.append(session) or 0)
    assert cli.run(["serve", *argv[1:]]) == 0  # its first build, then (here) no server
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text() + "\nA closing paragraph the preview rebuilds.\n")
    time.sleep(TICK)
    (session,) = sessions
    session.generate()  # what the preview does after an edit
    kept = [r for done in session.warm.cache._loaded.values() for r in (done.article, done.analysis, done.row)]
    rows = list(session.warm.pages.rows().values())
    assert kept and rows
    assert mapped_views(kept + rows) == 0


def test_a_session_rebuilds_like_a_clean_build_without_reading_its_cache_back(tmp_path, monkeypatch):
    """`briefing serve` rebuilds through a Session: after each edit (article, theme, a broken
    codebook then its repair) docs/ equals a clean build's, and no cache file is read again."""
    from generator import buildstate

    seeds = _corpus(tmp_path, copies=2)
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs")
    session = pipeline.Session(settings)
    session.generate()
    shelves = []
    real_init = buildstate.Shelf.__init__
    monkeypatch.setattr(buildstate.Shelf, "__init__", lambda self, *a, **k: shelves.append(a) or real_init(self, *a, **k))
    article, themes = seeds / "000_alpha_steppe.txt", seeds / "themes.yml"
    original_themes = themes.read_text()

    def edits():
        article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
        yield "article"
        themes.write_text(original_themes.replace("      - whip hand\n", "      - whip hand\n      - needs China\n", 1))
        yield "theme"
        themes.write_text(original_themes + "  - id: [broken\n")
        with pytest.raises(pipeline.ProblemsError):
            session.generate()
        themes.write_text(original_themes)
        yield "repaired codebook"

    for edit in edits():
        session.generate()
        clean = _docs(seeds, tmp_path / f"clean-{edit}", cache=False)
        assert _tree(tmp_path / "docs") == clean, edit
    assert b"India buys Russian oil" in clean["articles/read-moscow-and-beijing-at-their-word.md"]
    assert shelves == []  # neither the analysis cache nor the page memo was loaded again


def test_deleting_a_hand_written_page_at_a_generated_path_brings_the_generated_page_back(tmp_path):
    seeds = _corpus(tmp_path, copies=1)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("my own home page\n")
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=docs, cache=tmp_path / "cache")
    assert pipeline.generate(settings).report.kept_hand_written == ("index.md",)
    assert (docs / "index.md").read_text() == "my own home page\n"
    (docs / "index.md").unlink()
    pipeline.generate(settings)  # nothing else changed
    assert _tree(docs) == _docs(seeds, tmp_path / "clean", cache=False)


def test_a_session_whose_cache_folder_was_deleted_writes_it_whole_again(tmp_path, caplog):
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs", cache=cache)
    session = pipeline.Session(settings)
    session.generate()
    shutil.rmtree(cache)  # `rm -rf docs/.briefing-cache` while `briefing serve` runs
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    session.generate()
    caplog.clear()
    with caplog.at_level("INFO"):
        pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml",
                                            docs=tmp_path / "docs2", cache=cache))
    assert "articles: 8 from cache, 0 analysed" in caplog.text


def test_a_session_without_a_cache_recomputes_every_build(tmp_path, caplog):
    seeds = _corpus(tmp_path, copies=1)
    session = pipeline.Session(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml",
                                                 docs=tmp_path / "docs", cache=False))
    session.generate()
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    with caplog.at_level("INFO"):
        session.generate()
    assert "articles: 0 from cache, 4 analysed" in caplog.text


def test_without_file_signatures_every_build_checks_the_pages(tmp_path, monkeypatch):
    """Where the platform gives no trustworthy signature (site.signature returns None, as on
    Windows), a deleted page must still come back on the next build."""
    from generator import buildstate, site

    monkeypatch.setattr(site, "signature", lambda path: None)
    monkeypatch.setattr(buildstate, "signature", lambda path: None)
    seeds = _corpus(tmp_path, copies=1)
    docs = tmp_path / "docs"
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=docs, cache=tmp_path / "cache")
    pipeline.generate(settings)
    (docs / "index.md").unlink()
    pipeline.generate(settings)
    assert _tree(docs) == _docs(seeds, tmp_path / "clean", cache=False)


def test_an_article_saved_twice_within_one_timestamp_tick_is_read_again(tmp_path, monkeypatch):
    """On a file system with 2-second timestamps (FAT, SMB), an article saved twice within one
    tick at the same size keeps its stat; the build after the first save must not let that
    stat vouch for the content (nor take the nothing-changed shortcut)."""
    from generator import sources

    real = sources._stat

    def coarse(path, sidecar):  # whole 2-second ticks, no inode: what such a file system shows
        st = real(path, sidecar)
        tick = lambda ns: ns // 2_000_000_000 * 2_000_000_000  # noqa: E731
        return (st[0], tick(st[1]), tick(st[2]), 0, *st[4:])

    monkeypatch.setattr(sources, "_stat", coarse)
    seeds = _corpus(tmp_path, copies=1)
    article = seeds / "000_alpha_steppe.txt"
    original = article.read_text()
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs",
                                 cache=tmp_path / "cache")
    pipeline.generate(settings)
    article.write_text(original.replace("India buys Russian arms", "India buys Russian oils"))  # same size
    pipeline.generate(settings)
    page = (tmp_path / "docs" / "articles" / "read-moscow-and-beijing-at-their-word.md").read_text()
    assert "India buys Russian oils" in page


def test_a_few_edits_among_many_cached_articles_are_analysed_by_a_worker_like_a_clean_build(tmp_path, monkeypatch):
    """A rebuild with few articles to analyse and many cached ones analyses them in a worker
    process (work.OVERLAP_MIN_CACHED) while it reads the cache back: same pages as a clean build."""
    monkeypatch.setattr(work, "OVERLAP_MIN_CACHED", 4)  # the real threshold (100) is about speed only
    pools = []
    real_forked = work.forked.forked

    def spy(fn, jobs, *args, **kwargs):
        if fn is work.process:  # not the corpus-wide pages' renderer (corpuswide.Groups)
            pools.append(len(jobs))
        return real_forked(fn, jobs, *args, **kwargs)

    monkeypatch.setattr(work.forked, "forked", spy)
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "warm", cache=cache, workers=2)
    time.sleep(TICK)
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    pools.clear()
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=2)
    assert pools == [1]  # one forked worker (no pool: see generator.forked) for the one edited article
    assert warm == _docs(seeds, tmp_path / "clean", cache=False, workers=1)


def _cells_of(docs: dict[str, bytes], slug: str) -> dict[str, dict]:
    """An article's cells in the JSON export, by theme."""
    return {c["theme"]: c for c in json.loads(docs["data/matrix.json"])["cells"] if c["article"] == slug}


def test_corpus_wide_pages_are_rendered_again_only_when_an_edit_changes_what_they_show(tmp_path, monkeypatch):
    """The page memo keeps the corpus-wide pages under pagekeys.listing_key: an edit to the
    text that no listing shows renders the article's own page only. An edit to a sentence
    quoted as evidence renders the overview pages again, and of the theme pages and the
    pages of the themes' matrix listings only those that show a cell of the article that
    changed (pagekeys.theme_keys, pagekeys.matrix_listing_keys); the entities
    index only if the article's mentions changed (pagekeys.entities_key). Either way, the
    pages are those of a clean build. (With one worker, so that the spies see every page
    rendered: with more, corpuswide.Groups renders the same groups in a forked process,
    see test_corpuswide.py.)"""
    from generator import corpuswide, render

    overviews, themes, listings, indexes = [], [], [], []
    real_summary, real_exports, real_themes = corpuswide.summary_pages, corpuswide.export_pages, corpuswide.theme_pages
    real_listing, real_index = corpuswide.listing_page, render.entities_page
    monkeypatch.setattr(corpuswide, "summary_pages", lambda *a, **k: overviews.append("home") or real_summary(*a, **k))
    monkeypatch.setattr(corpuswide, "export_pages",
                        lambda *a, **k: overviews.append("exports") or real_exports(*a, **k))
    monkeypatch.setattr(corpuswide, "theme_pages",
                        lambda b, view, *a: themes.append(view.theme.id) or real_themes(b, view, *a))
    monkeypatch.setattr(corpuswide, "listing_page",
                        lambda b, v, path, *a: listings.append(path) or real_listing(b, v, path, *a))
    monkeypatch.setattr(render, "entities_page", lambda *a, **k: indexes.append(1) or real_index(*a, **k))
    seeds = _corpus(tmp_path, copies=1)
    cache = tmp_path / "cache"
    before = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    every_theme = [t["id"] for t in json.loads(before["data/matrix.json"])["themes"]]
    assert (overviews, themes, indexes) == (["home", "exports"], every_theme, [1])
    assert listings == [f"matrix/{t}/index.md" for t in every_theme]  # one page each at this size
    article = seeds / "000_alpha_steppe.txt"
    slug = "read-moscow-and-beijing-at-their-word"
    text = article.read_text()
    # Not evidence of any theme, and a few words do not change the reading time.
    article.write_text(text.replace("There are frictions, of course.", "There are frictions, of course, as ever."))
    overviews.clear(), themes.clear(), listings.clear(), indexes.clear()
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    assert (overviews, themes, listings, indexes) == ([], [], [], [])
    assert warm == _docs(seeds, tmp_path / "clean", cache=False)
    changed = {rel for rel in warm if warm[rel] != before[rel]}
    assert changed == {f"articles/{slug}.md"}
    # Quoted as evidence (in the matrix exports): same place in the text, other words.
    assert "Russian oil exports toward Asian buyers." in warm["data/matrix.json"].decode()
    article.write_text(article.read_text().replace("Russian oil exports toward Asian buyers.",
                                                   "Russian oil exports toward Asian customers."))
    overviews.clear(), themes.clear(), listings.clear(), indexes.clear()
    old_cells = _cells_of(warm, slug)
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    new_cells = _cells_of(warm, slug)
    assert "Russian oil exports toward Asian customers." in warm["data/matrix.json"].decode()
    assert overviews == ["home", "exports"]
    edited = [t for t in every_theme if old_cells[t] != new_cells[t]]
    assert themes == edited and 0 < len(edited) < len(every_theme)
    assert listings == [f"matrix/{t}/index.md" for t in edited]
    assert indexes == []  # the article's mentions are the same: the entities index is kept
    shutil.rmtree(tmp_path / "clean")
    assert warm == _docs(seeds, tmp_path / "clean", cache=False)


def _two_copies_built_with_one_source_per_theme_page(tmp_path, monkeypatch):
    """Two copies of the fixture corpus, built once with a cache, theme pages showing one
    source (pages.THEME_PAGE_MAX_SOURCES, pages.STANCE_MAX_SOURCES at one): the seeds,
    the cache, the first build's docs, and the lists the theme pages and the matrix
    listing pages rendered from then on are appended to (theme ids, docs/ paths)."""
    from generator import corpuswide, pages

    monkeypatch.setattr(pages, "THEME_PAGE_MAX_SOURCES", 1)
    monkeypatch.setattr(pages, "STANCE_MAX_SOURCES", 1)
    themes: list[str] = []
    listings: list[str] = []
    real_themes, real_listing = corpuswide.theme_pages, corpuswide.listing_page
    monkeypatch.setattr(corpuswide, "theme_pages",
                        lambda b, view, *a: themes.append(view.theme.id) or real_themes(b, view, *a))
    monkeypatch.setattr(corpuswide, "listing_page",
                        lambda b, v, path, *a: listings.append(path) or real_listing(b, v, path, *a))
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    before = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    themes.clear(), listings.clear()
    return seeds, cache, before, themes, listings


def test_a_theme_page_is_rendered_again_only_when_an_edit_changes_a_cell_it_shows(tmp_path, monkeypatch):
    """A theme page shows its strongest sources (pages.THEME_PAGE_MAX_SOURCES) and the first
    sources of each position (pages.STANCE_MAX_SOURCES); pagekeys.theme_keys keys it by
    those alone. With both at one, an edit to a quoted sentence of the second copy of an
    article (never listed first: ties keep corpus order) renders again the matrix listings
    that show its changed cells and no theme page; the pages equal a clean build's, theme
    pages included. (An edit to a cell a theme page shows renders it again: see
    test_corpus_wide_pages_are_rendered_again_only_when_an_edit_changes_what_they_show.)"""
    seeds, cache, before, themes, listings = _two_copies_built_with_one_source_per_theme_page(tmp_path, monkeypatch)
    second = seeds / "001_alpha_steppe.txt"
    slug = "read-moscow-and-beijing-at-their-word-2"  # the second copy's (see slugs.py)
    second.write_text(second.read_text().replace("Russian oil exports toward Asian buyers.",
                                                 "Russian oil exports toward Asian customers."))
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    edited = [t for t, cell in _cells_of(warm, slug).items() if cell != _cells_of(before, slug)[t]]
    assert edited and listings == [f"matrix/{t}/index.md" for t in edited]
    assert themes == []
    assert warm == _docs(seeds, tmp_path / "clean", cache=False, workers=1)


def test_a_theme_page_is_rendered_again_when_a_source_it_does_not_list_stops_addressing_it(tmp_path, monkeypatch):
    """The other half of the test above: with both limits at one, the second copy of an
    article, never listed first, loses the paragraph that made it address two themes. Their
    pages show it only in their counts, their silent sources and their co-occurrences, and
    are rendered again; the pages equal a clean build's. (That the key covers each of those
    on its own: tests/test_render.py::test_the_pages_the_memo_keeps_by_key_change_only_with_their_key
    and test_a_theme_page_is_keyed_by_counts_that_no_source_it_lists_shows.)"""
    seeds, cache, before, themes, _ = _two_copies_built_with_one_source_per_theme_page(tmp_path, monkeypatch)
    second = seeds / "001_alpha_steppe.txt"
    slug = "read-moscow-and-beijing-at-their-word-2"  # the second copy's (see slugs.py)
    energy = ("Energy ties keep growing. A new gas pipeline is planned, and bilateral trade reached a record "
              "last year, according to customs data. Sanctions have pushed Russian oil exports toward Asian buyers.")
    text = second.read_text()
    assert energy in text
    second.write_text(text.replace(energy, "The weather in the capital was mild that week."))
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)

    def addressing(docs: dict[str, bytes]) -> set[str]:
        return {t for t, cell in _cells_of(docs, slug).items() if cell["evidence"] or cell["pinned"]}

    lost = addressing(before) - addressing(warm)
    assert lost and lost <= set(themes)
    assert warm == _docs(seeds, tmp_path / "clean", cache=False, workers=1)


def test_an_edit_renders_again_only_the_matrix_listing_pages_that_show_the_changed_cells(tmp_path, monkeypatch):
    """With a theme's matrix listing over several pages, an edit to a quoted sentence renders
    again the pages that list the article's changed cells, not the theme's other pages; the
    pages equal a clean build's."""
    from generator import corpuswide, listings

    monkeypatch.setattr(listings, "MATRIX_ROWS_PER_PAGE", 2)
    rendered = []
    real_listing = corpuswide.listing_page
    monkeypatch.setattr(corpuswide, "listing_page",
                        lambda b, v, path, *a: rendered.append(path) or real_listing(b, v, path, *a))
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    before = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    slug = "read-moscow-and-beijing-at-their-word"
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("Russian oil exports toward Asian buyers.",
                                                   "Russian oil exports toward Asian customers."))
    rendered.clear()
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=1)
    again = list(rendered)
    assert warm == _docs(seeds, tmp_path / "clean", cache=False)
    edited = {t for t, cell in _cells_of(warm, slug).items() if cell != _cells_of(before, slug)[t]}
    showing = {rel for rel in warm if rel.startswith("matrix/") and rel.split("/")[1] in edited
               and f"articles/{slug}.md)".encode() in warm[rel]}
    paged = {rel for rel in warm if rel.startswith("matrix/") and rel.split("/")[1] in edited}
    assert showing and len(paged) > len(showing)  # the edited themes' listings span more pages
    assert sorted(again) == sorted(showing)


def test_workers_read_the_codebook_themselves_and_cells_follow_the_one_the_build_validated(tmp_path, monkeypatch):
    """Workers start before the build has read the codebook and read it themselves (see
    work.Analysis); if the file changes between the two reads, the cells are those of the
    codebook the build validated: the pages equal a clean build's with that codebook."""
    monkeypatch.setattr(work, "OVERLAP_MIN_CACHED", 4)
    seeds = _corpus(tmp_path, copies=2)
    cache = tmp_path / "cache"
    _docs(seeds, tmp_path / "warm", cache=cache, workers=2)
    edited = tmp_path / "edited-themes.yml"
    edited.write_text((seeds / "themes.yml").read_text().replace("      - whip hand\n",
                                                                 "      - whip hand\n      - counter-intelligence\n", 1))
    real, parent = Path.read_bytes, os.getpid()
    # The build's own read sees the edited file; the workers' read (forked) the original.
    monkeypatch.setattr(Path, "read_bytes",
                        lambda path: real(edited if os.getpid() == parent and path.name == "themes.yml" else path))
    time.sleep(TICK)
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    warm = _docs(seeds, tmp_path / "warm", cache=cache, workers=2)
    monkeypatch.setattr(Path, "read_bytes", real)
    (seeds / "themes.yml").write_text(edited.read_text())
    clean = _docs(seeds, tmp_path / "clean", cache=False, workers=1)
    assert warm == clean
    assert b"counter-intelligence has arrested" in clean["data/matrix.json"]


def test_a_broken_aliases_file_is_reported_when_workers_analyse(tmp_path, monkeypatch):
    monkeypatch.setattr(work, "PARALLEL_MIN_ARTICLES", 1)
    seeds = _corpus(tmp_path, copies=1)
    (seeds / "aliases.yml").write_text("aliases:\n  Xi: {kind: person}\nsurprise: 1\n")
    with pytest.raises(ProblemsError) as caught:
        pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs",
                                            workers=2))
    assert any("surprise" in str(p) for p in caught.value.problems), caught.value.problems
    assert not (tmp_path / "docs").exists() or not any((tmp_path / "docs").iterdir())


def test_a_rebuild_reuses_the_validated_codebook_until_its_file_or_the_generator_changes(tmp_path, monkeypatch):
    from generator import buildstate, codebook as codebook_module

    parsed = []
    real = codebook_module.load_codebook
    monkeypatch.setattr(codebook_module, "load_codebook", lambda *a: parsed.append(a[0]) or real(*a))
    seeds = _corpus(tmp_path, copies=1)
    cache, themes = tmp_path / "cache", seeds / "themes.yml"
    _docs(seeds, tmp_path / "docs", cache=cache)
    assert len(parsed) == 1
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text() + "\nOne more closing line.\n")
    _docs(seeds, tmp_path / "docs", cache=cache)
    assert len(parsed) == 1  # the same bytes: not parsed again
    raw = themes.read_bytes()
    assert buildstate.saved_codebook(cache, themes, raw) == real(themes)
    assert buildstate.saved_codebook(cache, themes, raw + b"\n") is None
    assert buildstate.saved_codebook(cache, tmp_path / "other.yml", raw) is None
    monkeypatch.setattr(buildstate, "code_fingerprint", lambda: "another version")
    assert buildstate.saved_codebook(cache, themes, raw) is None


def test_a_codebook_that_fails_validation_is_never_kept(tmp_path):
    from generator import buildstate

    seeds = _corpus(tmp_path, copies=1)
    cache, themes = tmp_path / "cache", seeds / "themes.yml"
    _docs(seeds, tmp_path / "docs", cache=cache)
    broken = themes.read_bytes().replace(b"  - id: asymmetry\n", b"  - id: asymmetry\n    colour: red\n", 1)
    themes.write_bytes(broken)
    with pytest.raises(ProblemsError, match="colour"):
        _docs(seeds, tmp_path / "docs", cache=cache)
    assert buildstate.saved_codebook(cache, themes, broken) is None
    with pytest.raises(ProblemsError, match="colour"):  # and it is reported again, every time
        _docs(seeds, tmp_path / "docs", cache=cache)


def test_pages_kept_only_as_digests_are_rendered_again_when_their_files_were_changed_or_removed(tmp_path):
    """The page memo keeps digests, not pages (see site.Encoded): a rebuild that finds a
    generated file changed or removed renders that page again, article or corpus-wide."""
    seeds = _corpus(tmp_path, copies=1)
    cache, docs = tmp_path / "cache", tmp_path / "docs"
    before = _docs(seeds, docs, cache=cache)
    time.sleep(TICK)
    _docs(seeds, docs, cache=cache)  # now every page's signature is settled
    (docs / "themes" / "asymmetry.md").unlink()
    (docs / "data" / "matrix.json").unlink()
    (docs / "articles" / "read-moscow-and-beijing-at-their-word.md").write_text("vandalised\n")
    (docs / "matrix.md").write_bytes(b"")
    assert _docs(seeds, docs, cache=cache) == before


def test_a_rebuild_analyses_with_the_gazetteer_a_build_kept_without_importing_pycountry(tmp_path):
    """The built-in gazetteer (pycountry's countries and the shipped lists) is built once and
    kept in the cache (buildstate.saved_gazetteer), and so are the programs of the analysis's
    regular expressions (buildstate.saved_regexes): a later analysis in a fresh process
    adopts them (and has nothing new to keep), and gives the pages a clean build gives."""
    from generator import aliases, buildstate

    seeds = _corpus(tmp_path, copies=1)
    docs = tmp_path / "docs"
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=docs, workers=1)
    pipeline.generate(settings)
    cache = docs / ".briefing-cache"
    kept, built = buildstate.saved_gazetteer(cache, aliases.gazetteer_source()), aliases.builtin_gazetteer()
    assert vars(kept.forms) == vars(built.forms) and vars(kept.titles) == vars(built.titles)
    assert kept.stopwords == built.stopwords and len(kept.forms.values) > 200
    assert buildstate.saved_gazetteer(cache, "made from something else") is None
    programs = (cache / buildstate.REGEXES).stat()
    assert len(buildstate.saved_regexes(cache)) >= 65  # type: ignore[arg-type]
    time.sleep(TICK)
    article = seeds / "000_alpha_steppe.txt"
    article.write_text(article.read_text().replace("India buys Russian arms", "India buys Russian oil"))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "generator", "generate", "--seeds", str(seeds),
         "--themes", str(seeds / "themes.yml"), "--docs", str(docs), "--jobs", "1", "-q"],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert "generator.speakers" in proc.stderr  # the article was analysed in this process...
    assert "pycountry" not in proc.stderr  # ...with the gazetteer kept, not built again,
    assert not re.search(r"\|\s+yaml$", proc.stderr, re.M)  # and no YAML read: codebook kept, no sidecar
    kept_programs = (cache / buildstate.REGEXES).stat()  # not written again
    assert (kept_programs.st_ino, kept_programs.st_mtime_ns) == (programs.st_ino, programs.st_mtime_ns)
    built = {str(p.relative_to(docs)): p.read_bytes() for p in sorted(docs.rglob("*"))
             if p.is_file() and ".briefing-cache" not in p.parts}
    assert built == _docs(seeds, tmp_path / "clean", cache=False)


def test_only_a_build_with_a_cache_hashes_inputs_the_stat_index_lacks(tmp_path, monkeypatch):
    """A first build has nothing to look an input's content up in, so it does not hash every
    input before analysing (the workers would wait for it); a later build hashes a touched
    input and finds its record by content. Either way the pages are a clean build's."""
    hashed = []
    real = analysis_cache.content_key
    monkeypatch.setattr(analysis_cache, "content_key", lambda path, *a: hashed.append(path.name) or real(path, *a))
    seeds = _corpus(tmp_path, copies=1)
    time.sleep(TICK)  # inputs left alone for a tick: the first build puts their stats in the index
    cache = tmp_path / "cache"
    first = _docs(seeds, tmp_path / "docs", cache=cache, workers=1)
    assert hashed == []
    time.sleep(TICK)
    touched = seeds / "000_alpha_steppe.txt"
    touched.write_bytes(touched.read_bytes())  # same content, new stat
    (seeds / "000_gamma_notes.md").touch()
    analysed = []
    monkeypatch.setattr(work, "process", lambda job: analysed.append(job) or pytest.fail("re-analysed"))
    again = _docs(seeds, tmp_path / "docs", cache=cache, workers=1)
    assert sorted(hashed) == ["000_alpha_steppe.txt", "000_gamma_notes.md"]
    assert analysed == [] and again == first


def _scouting(monkeypatch, on: bool = True) -> None:
    """Scout the rebuilds of the small test corpora (see generator.scout; the thresholds are
    set for large corpora), or never."""
    monkeypatch.setattr(scout, "SCOUT_MIN_ARTICLES", 1 if on else 10**9)
    monkeypatch.setattr(work, "OVERLAP_MIN_CACHED", 1)


def _built_for_scouting(tmp_path: Path, monkeypatch) -> tuple[Path, pipeline.Settings, Path]:
    """A corpus built once, whose rebuilds are scouted: its seeds, settings, and the article
    the tests edit."""
    _scouting(monkeypatch)
    seeds = _corpus(tmp_path, copies=2)
    settings = pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs", workers=2)
    pipeline.generate(settings)
    return seeds, settings, seeds / "000_alpha_steppe.txt"


def _edit(article: Path, old: str = "India buys Russian arms", new: str = "India buys Russian oil") -> None:
    article.write_text(article.read_text().replace(old, new))
    time.sleep(TICK)


@pytest.mark.skipif(not forked.available(), reason="a scout is forked on Linux only")
def test_a_scouted_rebuild_takes_the_edit_from_the_scout_and_equals_a_clean_build(tmp_path, monkeypatch, caplog):
    """A rebuild's scout (a child forked as the build starts) checks the inputs and analyses
    the one edited article; the build forks no worker of its own, and docs/ comes out as a
    clean build's. With nothing changed, the scout says so."""
    seeds, settings, article = _built_for_scouting(tmp_path, monkeypatch)
    _edit(article)
    analysed_here = []  # what the build gives its own workers (the scout's own bookkeeping runs in the scout)
    real = work._analysing
    monkeypatch.setattr(work, "_analysing", lambda jobs, *a, **k: analysed_here.append(jobs) or real(jobs, *a, **k))
    caplog.set_level("INFO", logger="generator")
    pipeline.generate(settings)
    assert analysed_here == []
    assert "articles: 7 from cache, 1 analysed" in caplog.text
    scouted = _tree(settings.docs)
    assert scouted == _docs(seeds, tmp_path / "clean", cache=False, workers=1)
    assert b"India buys Russian oil" in scouted["articles/read-moscow-and-beijing-at-their-word.md"]
    caplog.clear()
    analysed_here.clear()  # the clean build's
    pipeline.generate(settings)
    assert "nothing changed since the last build" in caplog.text and analysed_here == []
    assert _tree(settings.docs) == scouted


def _fails(*args: object) -> None:
    raise RuntimeError("the scout failed")


@pytest.mark.skipif(not forked.available(), reason="a scout is forked on Linux only")
def test_a_rebuild_whose_scout_fails_checks_and_analyses_itself(tmp_path, monkeypatch):
    seeds, settings, article = _built_for_scouting(tmp_path, monkeypatch)
    monkeypatch.setattr(scout, "_scout", _fails)
    _edit(article)
    pipeline.generate(settings)
    assert _tree(settings.docs) == _docs(seeds, tmp_path / "clean", cache=False, workers=1)


@pytest.mark.parametrize("scouted", [True, False])
def test_a_missing_seeds_folder_is_reported_alike_with_or_without_a_scout(tmp_path, monkeypatch, scouted):
    _scouting(monkeypatch, scouted)
    seeds = _corpus(tmp_path, copies=2)
    themes = tmp_path / "themes.yml"
    shutil.copy(seeds / "themes.yml", themes)
    settings = pipeline.Settings(seeds=seeds, themes=themes, docs=tmp_path / "docs", workers=2)
    pipeline.generate(settings)
    shutil.rmtree(seeds)
    with pytest.raises(ProblemsError) as raised:
        pipeline.generate(settings)
    assert [str(p) for p in raised.value.problems] == [f"{seeds}: seeds folder not found"]


@pytest.mark.skipif(not forked.available(), reason="a scout is forked on Linux only")
def test_a_scouted_rebuild_restores_pages_changed_by_hand_and_removes_leftover_temporaries(tmp_path, monkeypatch):
    """The scout makes the writer's checks of docs/ ahead (site.precheck): a generated page
    changed or deleted by hand before the rebuild is written again, and a temporary file a
    killed build left is removed, as without a scout."""
    seeds, settings, article = _built_for_scouting(tmp_path, monkeypatch)
    time.sleep(TICK)
    _edit(article, new="India buys Russian gas")
    pipeline.generate(settings)  # reads back the pages, now a timestamp tick old: their signatures are trusted
    docs = settings.docs
    untouched_by_the_edit = sorted(p for p in (docs / "articles").glob("*.md") if "moscow" not in p.name)
    untouched_by_the_edit[0].write_text("changed by hand\n")
    untouched_by_the_edit[1].unlink()
    leftover = docs / "articles" / ".briefing-tmp-0123456789ab"
    leftover.write_text("half a page")
    _edit(article, "India buys Russian gas")
    pipeline.generate(settings)
    assert not leftover.exists()
    assert _tree(docs) == _docs(seeds, tmp_path / "clean", cache=False, workers=1)


def _plans_another_article(survey, themes, aliases_file, k, cache_dir, workers, send) -> None:
    send([(str(survey.seeds / "elsewhere.txt"), str(survey.seeds))])  # not what the build finds
    send(["an outcome the build must never take"])


@pytest.mark.skipif(not forked.available(), reason="a scout is forked on Linux only")
def test_a_scout_that_planned_other_work_is_stopped_and_the_build_analyses_itself(tmp_path, monkeypatch):
    seeds, settings, article = _built_for_scouting(tmp_path, monkeypatch)
    monkeypatch.setattr(work, "analyse_ahead", _plans_another_article)
    analysed_here = []
    real = work._analysing
    monkeypatch.setattr(work, "_analysing", lambda jobs, *a, **k: analysed_here.append(jobs) or real(jobs, *a, **k))
    _edit(article)
    pipeline.generate(settings)
    assert [[path for path, _ in jobs] for jobs in analysed_here] == [[str(article)]]
    assert _tree(settings.docs) == _docs(seeds, tmp_path / "clean", cache=False, workers=1)
