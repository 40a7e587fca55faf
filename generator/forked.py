"""A few jobs run in forked child processes, without a process pool.

A rebuild after a few edits analyses them in a worker process while the build
process reads the cached records back (see :class:`work.Analysis`). For a handful
of jobs, :mod:`concurrent.futures`' pool costs more than the jobs: importing it
with :mod:`multiprocessing`, starting its threads and queues, and joining its
worker took ~15 ms more than a bare ``fork`` and a pipe (measured on this 2-core
machine; a one-article rebuild at 1,000 articles takes ~0.2 s). :func:`forked`
forks the children itself: each runs ``init`` and its share of the jobs, and sends
the pickled results back through a pipe. :func:`shared` splits jobs of unknown
cost between one child and this process, once it is done with its own work (the
corpus-wide pages of a rebuild, see :class:`corpuswide.Groups`). :func:`ahead` forks a
child that sends this process messages as it goes (a rebuild's scout, see
:mod:`scout`). Only where
``fork`` is the platform's safe default (Linux, see :func:`available`); elsewhere
the caller uses its pool, or works alone.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager


class WorkerError(RuntimeError):
    """A forked child failed without an exception it could send back (or died)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a forked child (set as its ``__cause__``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def available() -> bool:
    """Whether :func:`forked` may be used: on Linux, where ``fork`` is Python's own default
    for worker processes (macOS defaults to spawn: forking there is unsafe)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


@contextmanager
def forked(fn: Callable, jobs: Sequence, init: Callable, init_args: tuple,
           processes: int) -> Iterator[Iterator]:
    """Start up to ``processes`` children at once, each running ``init(*init_args)`` and then
    ``fn`` on a contiguous share of ``jobs``; yield an iterator over the results, in the
    order of ``jobs`` (it waits for each child in turn). An exception in a child is raised
    here, with the child's traceback as its cause. On leaving, children still running
    (the caller failed meanwhile) are killed, and every child is reaped."""
    count = max(1, min(processes, len(jobs)))
    size = -(-len(jobs) // count) if jobs else 0
    shares = [jobs[i:i + size] for i in range(0, len(jobs), size)] if jobs else []
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    reaped: dict[int, int] = {}  # pid -> wait status

    def reap(pid: int) -> int:
        if pid not in reaped:
            reaped[pid] = _wait(pid)
        return reaped[pid]

    try:
        for share in shares:
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a limit on processes): raised, pipe closed
                os.close(read), os.close(write)
                raise
            if pid == 0:  # the child: never returns
                os.close(read)
                _child(write, fn, share, init, init_args)
            os.close(write)  # so that the next child does not inherit it, and EOF comes
            children.append((pid, read))
        yield _results(children, reap)
    finally:
        for pid, read in children:
            os.close(read)
            if pid not in reaped:  # still running, or exited unread: never signal a reaped pid
                _kill(pid)
                reap(pid)


class Sharing:
    """The jobs of :func:`shared`. A forked child runs them from the front and this process,
    in :meth:`finish`, from the back, until they meet. Each announces in shared memory the
    job it starts (the child its next from the front, this process its last from the back)
    and stops at the other's. There is no lock, so no process ever waits for the other:
    each mark only moves one way, so a stale read can only make both run the job where
    they meet, which gives the same result twice. Any job without a result at the end
    (none ran it; or the child died, killed, before sending its results) is run here."""

    def __init__(self, fn: Callable, jobs: Sequence):
        self.fn, self.jobs = fn, jobs
        self._marks = mmap.mmap(-1, 8)  # [jobs the child started, first job this process started]
        struct.pack_into("ii", self._marks, 0, 0, len(jobs))
        self._results: Iterator | None = None

    def _child_jobs(self, _: object) -> list[tuple[int, object]]:
        done = []
        for i in range(len(self.jobs)):
            if struct.unpack_from("i", self._marks, 4)[0] <= i:
                break
            struct.pack_into("i", self._marks, 0, i + 1)
            done.append((i, self.fn(self.jobs[i])))
        return done

    def finish(self) -> list:
        """Run here, from the back, the jobs the child has not started; then every result, in
        the order of the jobs (the child's exceptions are raised here, see :func:`forked`)."""
        mine: dict[int, object] = {}
        for i in reversed(range(len(self.jobs))):
            if struct.unpack_from("i", self._marks, 0)[0] > i:
                break
            struct.pack_into("i", self._marks, 4, i)
            mine[i] = self.fn(self.jobs[i])
        try:
            got = dict(self._results)  # type: ignore[arg-type]
        except WorkerError:  # the child died without sending its results (an exception it raised is raised)
            got = {}
        got.update(mine)
        for i in range(len(self.jobs)):
            if i not in got:
                got[i] = self.fn(self.jobs[i])
        return [got[i] for i in range(len(self.jobs))]


@contextmanager
def shared(fn: Callable, jobs: Sequence) -> Iterator[Sharing]:
    """Run ``fn`` on ``jobs`` in one forked child while this process does something else,
    then helps: :meth:`Sharing.finish` runs here the jobs the child has not started, taking
    them from the back, and returns every result in order. For jobs whose costs are not
    known in advance, split between this process's other work and the child's share.
    Where no child can be forked, or it dies, this process runs what it leaves."""
    sharing = Sharing(fn, jobs)
    with ExitStack() as stack:
        stack.callback(sharing._marks.close)
        try:
            results = stack.enter_context(forked(sharing._child_jobs, [None], _nothing, (), processes=1))
        except OSError:  # no process to be had (a limit on processes): every job runs here
            results = iter(())
        sharing._results = (item for chunk in results for item in chunk)
        yield sharing


class Ahead:
    """A forked child working ahead of this process (see :func:`ahead`), and what it sends."""

    def __init__(self, pid: int, read: int):
        self.pid = pid
        self._pipe = os.fdopen(read, "rb")
        self._status: int | None = None

    def receive(self) -> object:
        """The child's next message, in the order it sent them (waiting for it). An exception
        the child raised is raised here, with its traceback as the cause; a child that ended
        without sending one, or that was closed (see :meth:`close`), raises :class:`WorkerError`."""
        if self._pipe.closed:
            raise WorkerError("the worker process was stopped")
        head = self._pipe.read(8)
        if len(head) == 8:
            (size,) = struct.unpack("<Q", head)
            data = self._pipe.read(size)
            if len(data) == size:
                ok, value, remote = pickle.loads(data)
                if ok:
                    return value
                if value is None:
                    raise WorkerError(f"a worker process failed:\n{remote}")
                raise value from RemoteTraceback(remote)
        self._reap()
        raise WorkerError(f"a worker process exited ({_describe(self._status)}) "  # type: ignore[arg-type]
                          "before sending what was expected")

    def _reap(self) -> None:
        if self._status is None:
            self._status = _wait(self.pid)

    def close(self) -> None:
        """Kill the child if it still runs (nothing more is wanted from it), and reap it; any
        later :meth:`receive` raises :class:`WorkerError`. Closing twice does nothing."""
        self._pipe.close()
        if self._status is None:
            _kill(self.pid)
            self._reap()


@contextmanager
def ahead(fn: Callable[[Callable[[object], None]], None]) -> Iterator[Ahead]:
    """Fork a child that runs ``fn(send)``, sending this process what it has as soon as it
    has it (``send`` pickles one message); this process reads the messages in order with
    :meth:`Ahead.receive`, and may stop reading at any time. An exception ``fn`` raises is
    sent as its last message. On leaving, the child is killed if it still runs, and
    reaped. :class:`OSError` if no child can be forked."""
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read), os.close(write)
        raise
    if pid == 0:  # the child: never returns
        os.close(read)
        _ahead_child(write, fn)
    os.close(write)
    child = Ahead(pid, read)
    try:
        yield child
    finally:
        child.close()


def _ahead_child(write: int, fn: Callable[[Callable[[object], None]], None]) -> None:
    status = 0
    try:
        with os.fdopen(write, "wb") as pipe:
            def send(value: object, ok: bool = True, remote: str = "") -> None:
                data = pickle.dumps((ok, value, remote), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(struct.pack("<Q", len(data)) + data)
                pipe.flush()

            try:
                fn(send)
            except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
                _, value, remote = _failure(err)
                send(value, False, remote)
    except BaseException:  # noqa: BLE001 - the parent sees no message and reports the exit
        status = 1
    finally:
        os._exit(status)  # no exit handlers, no flushing of the parent's buffers


def _nothing() -> None:
    """A child of :func:`shared` needs no set-up: it inherits everything."""


def _results(children: list[tuple[int, int]], reap: Callable[[int], int]) -> Iterator:
    for pid, read in children:
        with os.fdopen(os.dup(read), "rb") as pipe:
            data = pipe.read()
        status = reap(pid)
        try:
            ok, value, remote = pickle.loads(data)
        except Exception:  # nothing or part of it: the child died (killed, out of memory)
            raise WorkerError(f"a worker process exited ({_describe(status)}) before sending its results") from None
        if not ok:
            if value is None:
                raise WorkerError(f"a worker process failed:\n{remote}")
            raise value from RemoteTraceback(remote)
        yield from value


def _child(write: int, fn: Callable, jobs: Sequence, init: Callable, init_args: tuple) -> None:
    status = 0
    try:
        try:
            init(*init_args)
            payload: tuple = (True, [fn(job) for job in jobs], "")
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
            payload = _failure(err)
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001 - the parent sees no result and reports the exit
        status = 1
    finally:
        os._exit(status)  # no exit handlers, no flushing of the parent's buffers


def _failure(err: BaseException) -> tuple[bool, BaseException | None, str]:
    """What a child sends back of an exception it raised (while handling it): not ok, the
    exception if it survives pickling (else None), and its traceback as text."""
    remote = traceback.format_exc()
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return False, None, remote
    return False, err, remote


def _wait(pid: int) -> int:
    """The wait status of the child ``pid``, once it has exited; 0 if the kernel reaped it
    already (a host that ignores SIGCHLD)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _kill(pid: int) -> None:
    """Kill the child ``pid`` (not reaped yet) if it has not exited."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"status {os.waitstatus_to_exitcode(status)}"
