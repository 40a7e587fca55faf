"""The docs/ writer: stays inside docs/, keeps hand-written files, removes stale pages, rolls back."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from generator import site
from generator.site import MANIFEST, Encoded, UnsafePathError, write_docs


@pytest.fixture(params=["in this thread", "in the background"])
def written(request, monkeypatch) -> str:
    """Run a test with pages written by the writer's thread, and with every page big enough
    to be written by a thread of its own (see site.BACKGROUND_WRITE_BYTES)."""
    if request.param == "in the background":
        monkeypatch.setattr(site, "BACKGROUND_WRITE_BYTES", 1)
    return request.param


def _disk_full_at(monkeypatch, name: str) -> list[str]:
    """Make the writer fail with a full disk when it comes to write the file ``name``;
    the names of the files it came to write, in order."""
    real = site._atomic_write
    calls: list[str] = []

    def failing(path, data):
        calls.append(path.name)
        if path.name == name:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(site, "_atomic_write", failing)
    return calls

def test_writes_files_and_manifest(tmp_path):
    report = write_docs(tmp_path, {"index.md": "# Home\n", "articles/a.md": "A\n"})
    assert (tmp_path / "index.md").read_text() == "# Home\n"
    assert (tmp_path / "articles/a.md").read_text() == "A\n"
    assert json.loads((tmp_path / MANIFEST).read_text())["generated"] == ["articles/a.md", "index.md"]
    assert report.written == ("articles/a.md", "index.md")


def test_hand_written_files_survive_and_are_never_overwritten(tmp_path):
    (tmp_path / "about.md").write_text("mine")
    (tmp_path / "matrix.md").write_text("hand-made matrix")
    report = write_docs(tmp_path, {"index.md": "x", "matrix.md": "generated"})
    assert (tmp_path / "about.md").read_text() == "mine"
    assert (tmp_path / "matrix.md").read_text() == "hand-made matrix"
    assert report.kept_hand_written == ("matrix.md",)
    write_docs(tmp_path, {"index.md": "y"})
    assert (tmp_path / "about.md").read_text() == "mine"
    assert (tmp_path / "matrix.md").read_text() == "hand-made matrix"


def test_stale_generated_pages_are_removed_with_empty_folders(tmp_path):
    write_docs(tmp_path, {"index.md": "x", "articles/old.md": "old"})
    report = write_docs(tmp_path, {"index.md": "x"})
    assert report.removed == ("articles/old.md",)
    assert not (tmp_path / "articles").exists()
    assert report.unchanged == ("index.md",)


def test_unchanged_files_keep_their_mtime(tmp_path):
    write_docs(tmp_path, {"index.md": "x"})
    os.utime(tmp_path / "index.md", (1_000_000, 1_000_000))
    write_docs(tmp_path, {"index.md": "x"})
    assert (tmp_path / "index.md").stat().st_mtime == 1_000_000


def test_known_outputs_spare_reading_back_pages_that_cannot_have_changed(tmp_path, monkeypatch):
    written = write_docs(tmp_path, {"index.md": "x", "a.md": "a"})
    # Written within the last timestamp tick of the write: the next build reads them back once more.
    assert not any(out.settled for out in written.outputs.values())
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)  # no wait before a signature is trusted
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    checked = write_docs(tmp_path, {"index.md": "x", "a.md": "a"}, written.outputs)
    assert checked.unchanged == ("a.md", "index.md") and all(out.settled for out in checked.outputs.values())
    reads = []
    real = site.Path.read_bytes
    monkeypatch.setattr(site.Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    report = write_docs(tmp_path, {"index.md": "x", "a.md": "a changed"}, checked.outputs)
    assert report.unchanged == ("index.md",) and report.written == ("a.md",)
    # Both still had their signatures: index.md the same digest, a.md another one, so it
    # was replaced, kept meanwhile as a hard link (not read back), which is gone now.
    assert reads == []
    assert (tmp_path / "a.md").read_text() == "a changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a.md", "index.md"])
    # A page whose signature changed (edited by hand) is read back and compared.
    (tmp_path / "index.md").write_text("edited")
    again = write_docs(tmp_path, {"index.md": "x", "a.md": "a changed"}, report.outputs)
    assert again.written == ("index.md",) and reads == ["index.md"]


def test_a_failed_write_puts_back_the_pages_it_kept_as_hard_links(tmp_path, monkeypatch, written):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)  # every page written is a tick old when the write ends
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    first = write_docs(tmp_path, {"a.md": "old a", "b.md": "old b", "c.md": "old c"})
    pages = {p.name: (p.read_bytes(), p.stat().st_ino) for p in tmp_path.glob("*.md")}
    manifest = (tmp_path / MANIFEST).read_text()
    _disk_full_at(monkeypatch, "c.md")
    with monkeypatch.context() as no_reads:
        no_reads.setattr(site.Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read back"))
        with pytest.raises(OSError):
            write_docs(tmp_path, {"a.md": "new a", "b.md": "new b", "c.md": "new c"}, first.outputs)
    # The very files (same inodes) are back, with no temporary left.
    assert {p.name: (p.read_bytes(), p.stat().st_ino) for p in tmp_path.glob("*.md")} == pages
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, *pages])
    assert (tmp_path / MANIFEST).read_text() == manifest


def test_a_write_that_fails_after_writing_leaves_no_hard_link_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    first = write_docs(tmp_path, {"a.md": "old a", "gone.md": "old"})
    replaced: list[Path] = []

    def fails(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(site, "_settle", fails)
    with pytest.raises(OSError):
        write_docs(tmp_path, {"a.md": "new a"}, first.outputs, replaced)
    assert replaced == []  # not handed over: deleted here
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a.md", "gone.md"])
    assert (tmp_path / "a.md").read_text() == "new a"  # written: only reading back failed


def test_a_caller_may_delete_the_replaced_files_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    first = write_docs(tmp_path, {"a.md": "old a", "b.md": "b"})
    replaced: list[Path] = []
    write_docs(tmp_path, {"a.md": "new a", "b.md": "b"}, first.outputs, replaced)
    assert len(replaced) == 1 and replaced[0].read_text() == "old a"  # a hard link to the old a.md
    assert replaced[0].name.startswith(site.TMP_PREFIX)
    with site.discarding(replaced):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a.md", "b.md"])
    assert (tmp_path / "a.md").read_text() == "new a"


def test_a_write_settles_what_it_wrote_a_tick_before_it_ended_so_the_next_reads_nothing_back(tmp_path, monkeypatch, written):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)  # every page written is a tick old when the write ends
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    written = write_docs(tmp_path, {"index.md": "x", "a.md": "a"})
    assert all(out.settled for out in written.outputs.values())
    reads = []
    real = site.Path.read_bytes
    monkeypatch.setattr(site.Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    again = write_docs(tmp_path, {"index.md": "x", "a.md": "a"}, written.outputs)
    assert again.unchanged == ("a.md", "index.md") and reads == []


def test_whole_second_timestamps_mean_a_coarse_file_system_and_a_longer_wait(tmp_path):
    first = write_docs(tmp_path, {"fine.md": "x", "coarse.md": "x"})
    now = time.time_ns()
    os.utime(tmp_path / "fine.md", ns=(now - 500_000_123, now - 500_000_123))
    whole = now // 10**9 * 10**9 - 10**9
    os.utime(tmp_path / "coarse.md", ns=(whole, whole))
    time.sleep(0.05)  # longer than a kernel clock tick, shorter than a FAT one
    checked = write_docs(tmp_path, {"fine.md": "x", "coarse.md": "x"}, first.outputs).outputs
    assert checked["fine.md"].settled and not checked["coarse.md"].settled


def test_a_page_edited_within_its_timestamp_tick_is_still_restored(tmp_path, monkeypatch):
    """On a file system with 2-second timestamps (FAT, SMB), a same-size edit right after the
    build wrote a page leaves its signature as it was; the writer reads such a page back."""
    real = site.signature
    # FAT as Linux reports it: times in whole 2-second steps, the change time the modification time.
    two = 2_000_000_000
    coarse = lambda path: (lambda s: s and (s[0], s[1] // two * two, s[1] // two * two, 0))(real(path))  # noqa: E731
    monkeypatch.setattr(site, "signature", coarse)
    first = write_docs(tmp_path, {"index.md": "generated\n"})
    (tmp_path / "index.md").write_text("GENERATED\n")
    report = write_docs(tmp_path, {"index.md": "generated\n"}, first.outputs)
    assert report.written == ("index.md",)
    assert (tmp_path / "index.md").read_text() == "generated\n"


def test_a_page_edited_by_hand_is_restored_even_with_its_size_and_mtime_put_back(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    first = write_docs(tmp_path, {"index.md": "generated\n"})
    trusted = write_docs(tmp_path, {"index.md": "generated\n"}, first.outputs).outputs
    assert trusted["index.md"].settled
    page = tmp_path / "index.md"
    before = page.stat()
    with open(page, "r+b") as handle:  # in place: same inode, same size
        handle.write(b"GENERATED\n")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    report = write_docs(tmp_path, {"index.md": "generated\n"}, trusted)
    assert report.written == ("index.md",)
    assert page.read_text() == "generated\n"


@pytest.mark.parametrize("bad", ["../evil.md", "/etc/passwd", "a/../../b.md", "a\\..\\b.md", ""])
def test_refuses_paths_outside_docs(tmp_path, bad):
    docs = tmp_path / "docs"
    with pytest.raises(UnsafePathError):
        write_docs(docs, {bad: "x"})
    assert not (tmp_path / "evil.md").exists()


def test_refuses_symlink_escape(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (docs / "link").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        write_docs(docs, {"link/x.md": "x"})
    assert not (outside / "x.md").exists()


def test_a_page_that_is_a_symlink_to_outside_is_never_written_through(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, {"page.md": "generated\n"})
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    (docs / "page.md").unlink()
    (docs / "page.md").symlink_to(outside)
    write_docs(docs, {"page.md": "generated again\n"})
    assert outside.read_text() == "keep me\n"
    assert not (docs / "page.md").is_symlink() and (docs / "page.md").read_text() == "generated again\n"


def test_tampered_manifest_cannot_delete_outside_docs(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (docs / MANIFEST).write_text(json.dumps({"generated": ["../victim.txt"]}))
    write_docs(docs, {"index.md": "x"})
    assert victim.read_text() == "keep"


def test_failure_mid_write_restores_previous_docs(tmp_path, monkeypatch, written):
    write_docs(tmp_path, {"a.md": "old a", "b.md": "old b"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = _disk_full_at(monkeypatch, "c.md")
    with pytest.raises(OSError):
        write_docs(tmp_path, {"a.md": "new a", "b.md": "new b", "c.md": "new c"})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert "a.md" in calls  # it really had replaced files before failing


def test_leftover_temporaries_from_a_killed_run_are_swept(tmp_path):
    (tmp_path / "articles").mkdir()
    half = tmp_path / "articles" / (site.TMP_PREFIX + "abc")
    half.write_text("half a page")
    write_docs(tmp_path, {"index.md": "x"})
    assert not half.exists()


def test_failed_first_write_leaves_no_folder_and_no_manifest(tmp_path, monkeypatch, written):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("mine")
    _disk_full_at(monkeypatch, "b.md")
    with pytest.raises(OSError):
        write_docs(docs, {"articles/a.md": "a", "themes/b.md": "b"})
    assert sorted(p.name for p in docs.iterdir()) == ["about.md"]


def test_pages_of_a_killed_run_are_still_known_as_generated(tmp_path, monkeypatch, written):
    """The manifest claims new pages before they are written: a page left by a killed
    run is updated (and later removed) by the next run, not mistaken for a hand-written one."""
    write_docs(tmp_path, {"index.md": "v1"})
    real = site._atomic_write

    def killed(path, data):
        real(path, data)
        if path.name == "new.md":
            raise KeyboardInterrupt  # stands in for SIGKILL right after this page landed

    monkeypatch.setattr(site, "_atomic_write", killed)
    with pytest.raises(KeyboardInterrupt):
        write_docs(tmp_path, {"index.md": "v2", "new.md": "new v1"})
    monkeypatch.setattr(site, "_atomic_write", real)
    # A real kill leaves the claimed manifest and the page behind; simulate that state.
    (tmp_path / "new.md").write_text("new v1")
    site._write_manifest(tmp_path, ["index.md", "new.md"])
    report = write_docs(tmp_path, {"index.md": "v2", "new.md": "new v2"})
    assert (tmp_path / "new.md").read_text() == "new v2" and report.kept_hand_written == ()
    write_docs(tmp_path, {"index.md": "v2"})
    assert not (tmp_path / "new.md").exists()


def test_pages_get_the_users_usual_file_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_docs(tmp_path / "docs", {"index.md": "x\n", "articles/a.md": "y\n"})
    finally:
        os.umask(umask)
    for rel in ("index.md", "articles/a.md"):
        assert (tmp_path / "docs" / rel).stat().st_mode & 0o777 == 0o644, rel


def test_the_manifest_is_rewritten_only_when_the_generated_set_changes(tmp_path):
    write_docs(tmp_path, {"index.md": "x", "articles/a.md": "a"})
    manifest = tmp_path / MANIFEST
    before = manifest.stat()
    write_docs(tmp_path, {"index.md": "y", "articles/a.md": "a"})  # a page changes, the set does not
    assert manifest.stat().st_ino == before.st_ino and manifest.stat().st_mtime_ns == before.st_mtime_ns
    write_docs(tmp_path, {"index.md": "y", "articles/b.md": "b"})
    assert json.loads(manifest.read_text())["generated"] == ["articles/b.md", "index.md"]
    assert not (tmp_path / "articles" / "a.md").exists()


def test_a_big_file_is_written_whole_in_pieces_even_when_a_write_comes_up_short(tmp_path, monkeypatch):
    data = os.urandom(3 * site.WRITE_PIECE_BYTES + 123)
    asked: list[int] = []
    real = os.write

    def short(fd, piece):
        asked.append(len(piece))
        return real(fd, piece[: max(1, len(piece) // 2)])  # the kernel may write less than asked

    monkeypatch.setattr(site.os, "write", short)
    write_docs(tmp_path, {"data/big.json": data})
    monkeypatch.undo()
    assert (tmp_path / "data" / "big.json").read_bytes() == data
    assert max(asked) == site.WRITE_PIECE_BYTES


def test_big_pages_are_written_by_a_thread_of_their_own_with_the_same_result(tmp_path, monkeypatch):
    """The exports are megabytes: written while the writer goes on (see
    site.BACKGROUND_WRITE_BYTES), with the file and report a small page gets."""
    big = os.urandom(site.BACKGROUND_WRITE_BYTES)
    page = Encoded.of(big)
    threads: dict[str, str] = {}
    real = site._atomic_write

    def noting(path, data):
        threads[path.name] = threading.current_thread().name
        real(path, data)

    monkeypatch.setattr(site, "_atomic_write", noting)
    report = write_docs(tmp_path, {"a.md": "small", "data/big.json": page, "z.md": "small too"})
    assert threads["big.json"] != threading.current_thread().name == threads["a.md"] == threads["z.md"]
    assert (tmp_path / "data" / "big.json").read_bytes() == big
    assert report.written == ("a.md", "data/big.json", "z.md")
    assert report.outputs["data/big.json"] == site.Output(site.signature(tmp_path / "data" / "big.json"), page.digest)
    again = write_docs(tmp_path, {"a.md": "small", "data/big.json": Encoded.of(big), "z.md": "small too"},
                       report.outputs)
    assert again.written == () and again.unchanged == ("a.md", "data/big.json", "z.md")


def test_a_big_page_whose_write_fails_in_the_background_is_rolled_back_with_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "RACY_FINE_NS", 0)  # kept as hard links, as a rebuild keeps the exports
    monkeypatch.setattr(site, "RACY_COARSE_NS", 0)
    first = write_docs(tmp_path, {"a.md": "old a", "data/big.json": b"old"})
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    _disk_full_at(monkeypatch, "big.json")
    with pytest.raises(OSError, match="No space left"):
        write_docs(tmp_path, {"a.md": "new a", "data/big.json": os.urandom(site.BACKGROUND_WRITE_BYTES),
                              "b.md": "new b"}, first.outputs)
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
