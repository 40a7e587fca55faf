"""corpuswide.Groups: which corpus-wide page groups a build renders, and where.

The pages these groups make in a real build are compared with clean and single-process
builds in test_incremental.py; here, the groups themselves.
"""

from __future__ import annotations

import os
import select
import time

import pytest

from generator import corpuswide, forked
from generator.pagekeys import PageGroup
from generator.site import Encoded


def _maker(i: int, calls: list[int], started: int | None = None):
    def make() -> tuple[dict[str, str], str]:
        calls.append(i)  # in the process that renders it
        if started is not None and os.getpid() != _PARENT:  # the forked process: tell, then take its time
            os.write(started, b"!")
            time.sleep(0.2)
        return {f"group-{i}.md": f"page {i} rendered by {os.getpid()}\n"}, f"part {i}"
    return make


_PARENT = os.getpid()


def _read_within(fd: int, seconds: float = 10.0) -> bytes:
    """One byte from ``fd``, or b"" if none comes within ``seconds``: a test whose forked
    process never writes then fails instead of hanging."""
    ready, _, _ = select.select([fd], [], [], seconds)
    return os.read(fd, 1) if ready else b""


def _groups(processes: int, kept: dict[str, object], meanwhile=None, started: int | None = None,
            ) -> tuple[corpuswide.Groups, dict[str, object], list[int], object]:
    fresh: dict[str, object] = {}
    calls: list[int] = []
    groups = corpuswide.Groups(dict(kept), fresh, memo=True)
    for i in range(4):
        assert groups.want(f"key-{i}", _maker(i, calls, started)) == i
    done, nothing = groups.render(meanwhile or (lambda: os.getpid()), processes)
    assert nothing is None  # no job to do first
    return groups, fresh, calls, done


@pytest.mark.skipif(not forked.available(), reason="corpus-wide groups are rendered in a forked process on Linux only")
def test_a_forked_process_renders_the_groups_the_memo_lacks_and_this_one_helps_from_the_back():
    kept = {"key-1": PageGroup({"group-1.md": b"digest-1"}, "part 1 as kept")}
    read, write = os.pipe()
    # This process's other work lasts until the forked one has started its first group.
    groups, fresh, calls, meanwhile = _groups(2, kept, lambda: _read_within(read), write)
    os.close(read), os.close(write)
    assert meanwhile == b"!"
    assert calls == [3, 2]  # here, from the back, up to the group the other had started
    by = {i: groups.got[i][0][f"group-{i}.md"].data.decode().split()[-1] for i in (0, 2, 3)}  # type: ignore[union-attr]
    assert by[2] == by[3] == str(os.getpid()) and by[0] not in (str(os.getpid()), "")
    assert [part for _, part in groups.got] == ["part 0", "part 1 as kept", "part 2", "part 3"]
    # The kept group is not rendered; its page is made again only if asked for (by the writer).
    page = groups.got[1][0]["group-1.md"]
    assert isinstance(page, Encoded) and page.digest == b"digest-1" and page.made is None
    assert fresh["key-1"] is kept["key-1"]
    digest = groups.got[0][0]["group-0.md"].digest  # type: ignore[union-attr]
    assert fresh["key-0"] == PageGroup({"group-0.md": digest}, "part 0")
    assert groups.keys == [f"key-{i}" for i in range(4)]


def test_with_one_process_the_groups_are_rendered_here_in_order():
    kept = {"key-1": PageGroup({"group-1.md": b"digest-1"}, "part 1 as kept")}
    groups, fresh, calls, meanwhile = _groups(1, kept)
    assert calls == [0, 2, 3] and meanwhile == os.getpid()
    page = groups.got[0][0]["group-0.md"]
    assert page.data == f"page 0 rendered by {os.getpid()}\n".encode()  # type: ignore[union-attr]
    assert list(fresh) == [f"key-{i}" for i in range(4)]


def test_fewer_groups_than_pay_for_a_fork_are_rendered_here(monkeypatch):
    monkeypatch.setattr(corpuswide, "PARALLEL_GROUPS_MIN", 4)
    kept = {"key-1": PageGroup({"group-1.md": b"digest-1"}, "part 1 as kept")}
    _, _, calls, _ = _groups(2, kept)
    assert calls == [0, 2, 3]  # three to render, fewer than four


def test_without_a_memo_every_group_is_rendered_as_text():
    calls: list[int] = []
    groups = corpuswide.Groups({"key-0": PageGroup({"group-0.md": b"x"}, "old")}, {}, memo=False)
    groups.want("", _maker(0, calls))
    groups.render(lambda: None, processes=1)
    assert calls == [0]
    assert groups.got == [({"group-0.md": f"page 0 rendered by {os.getpid()}\n"}, "part 0")]


@pytest.mark.skipif(not forked.available(), reason="corpus-wide groups are rendered in a forked process on Linux only")
def test_the_job_done_first_is_the_forked_process_s_first_and_its_result_comes_back():
    """The overview pages but the exports (corpuswide.summary_pages) are a job done ahead of
    the groups: by the forked process, before any group, while this one makes the exports."""
    read, write = os.pipe()

    def first() -> int:
        if os.getpid() != _PARENT:
            os.write(write, b"F")  # this process's other work lasts until the forked one has done this
        return os.getpid()

    def group(i: int):
        def make() -> tuple[dict[str, str], str]:
            if os.getpid() != _PARENT:
                os.write(write, b"G")  # had the forked process rendered a group first, this came first
            return {f"group-{i}.md": "page"}, f"part {i}"
        return make

    groups = corpuswide.Groups({}, {}, memo=True)
    for i in range(2):
        groups.want(f"key-{i}", group(i))
    meanwhile, by = groups.render(lambda: _read_within(read), 2, first=first)
    os.close(read), os.close(write)
    assert meanwhile == b"F" and by not in (os.getpid(), None)
    assert [part for _, part in groups.got] == ["part 0", "part 1"]


def test_with_one_process_the_job_done_first_is_done_here_before_the_groups():
    order: list[str] = []
    groups = corpuswide.Groups({}, {}, memo=True)
    groups.want("key-0", lambda: (order.append("group") or {"group-0.md": "page"}, "part"))
    meanwhile, first = groups.render(lambda: order.append("meanwhile") or 1, 1,
                                     first=lambda: order.append("first") or 2)
    assert (meanwhile, first, order) == (1, 2, ["first", "group", "meanwhile"])
