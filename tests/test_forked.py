"""generator.forked: a few jobs in forked children, results in order, failures raised here."""

from __future__ import annotations

import errno
import os
import signal
import time

import pytest

from generator import forked

pytestmark = pytest.mark.skipif(not forked.available(), reason="forked children are used on Linux only")

_STATE: dict[str, object] = {}


def _init(offset: int) -> None:
    _STATE["offset"] = offset


def _job(x: int) -> tuple[int, int]:
    return x + _STATE["offset"], os.getpid()  # type: ignore[operator]


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The pids of the children forked during the test."""
    pids: list[int] = []
    real = os.fork

    def spy() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", spy)
    return pids


def _all_reaped(pids: list[int]) -> bool:
    """Whether every one of ``pids`` has exited and been waited for (it is no child any more).
    Other children of the test process (a browser test's server) do not count."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


def test_results_come_back_in_the_order_of_the_jobs_from_each_childs_share(forks):
    with forked.forked(_job, list(range(7)), _init, (100,), processes=3) as results:
        out = list(results)
    assert [value for value, _ in out] == [100 + x for x in range(7)]
    pids = [pid for _, pid in out]
    assert len(set(pids)) == 3 and os.getpid() not in pids  # three children, contiguous shares
    assert pids == sorted(pids, key=pids.index)  # each child's results are together
    assert _all_reaped(forks)


def _fails(x: int) -> int:
    if x == 2:
        raise ValueError(f"job {x} is bad")
    return x


def test_an_exception_in_a_child_is_raised_here_with_the_childs_traceback(forks):
    with pytest.raises(ValueError, match="job 2 is bad") as caught:
        with forked.forked(_fails, [1, 2, 3], _init, (0,), processes=1) as results:
            list(results)
    assert isinstance(caught.value.__cause__, forked.RemoteTraceback)
    assert "_fails" in str(caught.value.__cause__)  # where it happened, in the child
    assert _all_reaped(forks)


class _Unpicklable(Exception):
    def __init__(self, handle):
        super().__init__("cannot cross")
        self.handle = handle

    def __reduce__(self):
        raise TypeError("not picklable")


def _raises_unpicklable(x: int) -> int:
    raise _Unpicklable(object())


def test_an_exception_that_cannot_cross_is_reported_with_its_traceback():
    with pytest.raises(forked.WorkerError, match="cannot cross") as caught:
        with forked.forked(_raises_unpicklable, [1], _init, (0,), processes=1) as results:
            list(results)
    assert "_raises_unpicklable" in str(caught.value)


def _dies(x: int) -> int:
    os._exit(3)


def test_a_child_that_dies_before_sending_its_results_is_reported(forks):
    with pytest.raises(forked.WorkerError, match=r"exited \(status 3\) before sending its results"):
        with forked.forked(_dies, [1], _init, (0,), processes=1) as results:
            list(results)
    assert _all_reaped(forks)


def _slow(x: int) -> int:
    time.sleep(60)
    return x


def test_children_still_running_when_the_caller_fails_are_killed_and_reaped(forks):
    started = time.monotonic()
    with pytest.raises(KeyError):
        with forked.forked(_slow, [1, 2], _init, (0,), processes=2):
            raise KeyError("the build failed meanwhile")
    assert time.monotonic() - started < 30  # not left to finish their minute
    assert _all_reaped(forks)


def test_no_jobs_start_no_child(forks):
    with forked.forked(_job, [], _init, (0,), processes=2) as results:
        assert list(results) == []
    assert forks == []


_PARENT = os.getpid()


def _shared_job(x: int) -> tuple[int, int]:
    if os.getpid() != _PARENT:  # the forked child: tell the test, then take its time
        os.write(_STATE["started"], b"!")  # type: ignore[arg-type]
        if _STATE.get("slow"):
            time.sleep(0.2)
    return x * 10, os.getpid()


def test_shared_jobs_are_split_between_the_child_from_the_front_and_this_process_from_the_back():
    read, write = os.pipe()
    _STATE.update(started=write, slow=True)
    try:
        with forked.shared(_shared_job, list(range(6))) as sharing:
            os.read(read, 1)  # this process's other work lasts until the child has started job 0
            out = sharing.finish()
    finally:
        os.close(read), os.close(write)
        _STATE.clear()
    assert [value for value, _ in out] == [0, 10, 20, 30, 40, 50]
    pids = [pid for _, pid in out]
    assert pids[0] != os.getpid() and pids[1:] == [os.getpid()] * 5  # the child was still on job 0


def test_shared_jobs_all_run_in_the_child_while_this_process_is_busy():
    read, write = os.pipe()
    _STATE.update(started=write)
    try:
        with forked.shared(_shared_job, list(range(4))) as sharing:
            for _ in range(4):
                os.read(read, 1)  # busy until the child has started every job
            out = sharing.finish()
    finally:
        os.close(read), os.close(write)
        _STATE.clear()
    assert [value for value, _ in out] == [0, 10, 20, 30]
    assert os.getpid() not in {pid for _, pid in out}


def _fails_in_child(x: int) -> int:
    if os.getpid() != _PARENT:
        os.write(_STATE["started"], b"!")  # type: ignore[arg-type]
        raise ValueError(f"job {x} failed")
    return x


def test_a_shared_job_failing_in_the_child_raises_here(forks):
    read, write = os.pipe()
    _STATE.update(started=write)
    try:
        with pytest.raises(ValueError, match="job 0 failed"):
            with forked.shared(_fails_in_child, [0, 1]) as sharing:
                os.read(read, 1)  # the child has started (and failed) job 0
                sharing.finish()
    finally:
        os.close(read), os.close(write)
        _STATE.clear()
    assert _all_reaped(forks)


def _killed_in_child(x: int) -> int:
    if os.getpid() != _PARENT:
        os.write(_STATE["started"], b"!")  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGKILL)  # stands in for the out-of-memory killer
    return x * 10


def test_shared_jobs_of_a_child_that_died_run_here(forks):
    read, write = os.pipe()
    _STATE.update(started=write)
    try:
        with forked.shared(_killed_in_child, list(range(4))) as sharing:
            os.read(read, 1)  # the child has started job 0, and is being killed
            out = sharing.finish()
    finally:
        os.close(read), os.close(write)
        _STATE.clear()
    assert out == [0, 10, 20, 30]
    assert _all_reaped(forks)


def test_shared_jobs_run_here_when_no_child_can_be_forked(monkeypatch):
    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    fds_before = len(os.listdir("/proc/self/fd"))
    with forked.shared(_shared_job, list(range(3))) as sharing:
        out = sharing.finish()
    assert [value for value, _ in out] == [0, 10, 20] and {pid for _, pid in out} == {os.getpid()}
    assert len(os.listdir("/proc/self/fd")) == fds_before  # the pipe made for the child is closed


def _sends(send) -> None:
    send("first")
    send({"second": [2, 3]})
    raise KeyError("after two messages")


def test_a_child_ahead_sends_its_messages_in_order_and_then_its_exception(forks):
    with forked.ahead(_sends) as child:
        assert child.receive() == "first"
        assert child.receive() == {"second": [2, 3]}
        with pytest.raises(KeyError, match="after two messages") as raised:
            child.receive()
        assert "_sends" in str(raised.value.__cause__)  # the child's traceback
        with pytest.raises(forked.WorkerError, match=r"exited \(status 0\) before sending what was expected"):
            child.receive()  # nothing more
    assert _all_reaped(forks)


def _sends_then_dies(send) -> None:
    send("one")
    os._exit(3)


def test_a_child_ahead_that_dies_is_reported_when_its_next_message_is_read(forks):
    with forked.ahead(_sends_then_dies) as child:
        assert child.receive() == "one"
        with pytest.raises(forked.WorkerError, match=r"exited \(status 3\)"):
            child.receive()
    assert _all_reaped(forks)


def _sends_then_sleeps(send) -> None:
    send("ready")
    time.sleep(60)


def test_a_child_ahead_no_longer_wanted_is_killed_and_reaped(forks):
    started = time.monotonic()
    with forked.ahead(_sends_then_sleeps) as child:
        assert child.receive() == "ready"
    assert time.monotonic() - started < 30  # not left to sleep its minute
    assert _all_reaped(forks)


def test_children_are_waited_for_even_where_the_host_ignores_sigchld():
    """A host program that sets SIGCHLD to SIG_IGN has the kernel reap its children itself:
    waiting for one then fails, which must not fail the build."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with forked.ahead(_sends_then_dies) as child:
            assert child.receive() == "one"
            time.sleep(0.2)  # reaped by the kernel meanwhile
        with forked.forked(_job, [1, 2], _init, (10,), processes=2) as results:
            assert [x for x, _ in results] == [11, 12]
    finally:
        signal.signal(signal.SIGCHLD, previous)
