"""A decode that can be stopped: run it in a forked child with a time budget and a memory cap.

The bounds :mod:`leaktrace.imagefiles` reads from a file's header and markers (pixels, sides,
shape, JPEG scans, metadata pieces) bound a decoder's work only as far as the format's structure
says it; a codec's own worst case (AV1 in AVIF, a TIFF's compression, a crafted WebP) is bounded
only indirectly, and a crash in a C decoder would take the process with it. So the pixels of a
stranger's file are decoded in a child forked for it: the parent waits at most ``seconds`` and
kills it; the child runs under ``RLIMIT_AS`` (its address space at the fork plus ``memory_bytes``),
so an allocation beyond the documented peak fails there, not in the parent; a child killed by a
signal (a decoder's segfault) is a refusal, not a dead server.

The child writes the pixels into a shared anonymous mapping the parent made before the fork
(the result's size is known from the header), so nothing is copied back; what else it returns
(the shape) or raises (an :class:`~leaktrace.errors.ImageRejected`) comes back pickled through a
pipe. A fork costs about 10 ms, plus the page tables of the parent's memory; it is safe while
other threads run (the web server's), measured with OpenCV's thread pool busy in two threads.

Linux and other POSIX systems only (``os.fork``); elsewhere :func:`run` calls ``fill`` in process.
"""

from __future__ import annotations

import ctypes
import faulthandler
import fcntl
import math
import mmap
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Overrun", "Resident", "run"]


class Overrun(Exception):
    """The child did not finish: ``kind`` is "time" (killed at the budget), "memory" (an
    allocation over the cap failed) or "crash" (killed by a signal, or exited without an answer)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}" if detail else kind)


def run(fill: Callable[[memoryview], Any], nbytes: int, *, seconds: float, memory_bytes: int) -> tuple[mmap.mmap, Any]:
    """Call ``fill(buffer)`` in a forked child; return the buffer it filled and what it returned.

    Parameters
    ----------
    fill : callable
        Runs in the child: writes the result into ``buffer`` (``nbytes`` bytes, shared with the
        parent) and returns something picklable (e.g. the result's shape); an exception it raises
        is raised again here (pickled), except ``MemoryError``, which is :class:`Overrun` "memory".
    nbytes : int, bytes
        Size of the shared result buffer.
    seconds : float, s
        Wall-clock budget of the child, from the fork to its answer.
    memory_bytes : int, bytes
        Address space the child may add to what it inherits (its ``RLIMIT_AS`` is its size at
        the fork plus this).

    Raises
    ------
    Overrun
        The child ran out of time or memory, or died.
    """
    buffer = mmap.mmap(-1, max(1, nbytes), flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    if not hasattr(os, "fork"):  # pragma: no cover - not POSIX
        return buffer, fill(memoryview(buffer))
    read_end, write_end = os.pipe()
    limit = _address_space() + int(memory_bytes)
    pid = os.fork()
    if pid == 0:  # the child: never returns to the caller's code
        try:
            os.close(read_end)
            _child(fill, buffer, write_end, limit, seconds)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        answer = _wait(read_end, seconds)
    finally:
        os.close(read_end)
        _reap(pid, kill=True)
    if answer is None:
        raise Overrun("time", f"over {seconds:g} s")
    if not answer:
        raise Overrun("crash", "the decoder died")
    status, value = pickle.loads(answer)
    if status == "ok":
        return buffer, value
    if status == "memory":
        raise Overrun("memory", value)
    raise value


def _child(fill: Callable[[memoryview], Any], buffer: mmap.mmap, write_end: int, limit: int, seconds: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills us
    _die_with_parent(seconds)
    faulthandler.disable()  # a decoder's crash is the parent's one-line refusal, not a dump on stderr
    try:
        _cap_address_space(limit)
        answer: tuple[str, Any] = ("ok", fill(memoryview(buffer)))
    except MemoryError as exc:
        answer = ("memory", str(exc))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        answer = ("raised", exc)
    try:
        data = pickle.dumps(answer)
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        data = pickle.dumps(("raised", RuntimeError(repr(answer[1]))))
    with os.fdopen(write_end, "wb") as out:
        out.write(data)


def _die_with_parent(seconds: float) -> None:
    """Never outlive the budget, even if the parent is killed (kill -9) before it can kill us: the
    kernel sends SIGKILL when the parent dies (Linux's ``PR_SET_PDEATHSIG``) and at the CPU-time
    limit: the budget on every core (a decoder may run threads), and a second."""
    cpu = int(math.ceil(seconds * (os.cpu_count() or 1))) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or cpu < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu if hard == resource.RLIM_INFINITY else hard))
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the CPU limit still holds
        pass


def _cap_address_space(limit: int) -> None:
    """Lower this process's address-space limit to ``limit`` bytes, never above a hard limit set before us (``ulimit -v``)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _wait(read_end: int, seconds: float) -> bytes | None:
    """The child's whole answer (b"" if it died without one), or None at the budget."""
    deadline = time.monotonic() + seconds
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            ready, _, _ = select.select([read_end], [], [], left)
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue
        if not ready:
            return None
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, *, kill: bool) -> None:
    """Wait for the child, killing it first if it is still running (a timeout, or Ctrl-C here)."""
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done:
        return
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - exited in between
            pass
    os.waitpid(pid, 0)


def _address_space() -> int:
    """This process's virtual size now, in bytes (``/proc/self/statm``'s first field)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Resident:
    """A forked child kept for many decodes, one at a time: what :func:`run` bounds, without a fork per file.

    A scan screens thousands of files a minute and :func:`run`'s fork (with its teardown) costs
    10–20 ms a file, as much as decoding a small view of it. ``call(fn, *args, seconds=...)`` runs
    ``fn(*args)`` in a child forked once (again after a failure, and every :attr:`renew` calls, so a
    decoder's leak is bounded): the answer comes back pickled through a pipe (the pixels copied once).
    The guarantees are :func:`run`'s: at ``seconds`` the child is killed (:class:`Overrun` "time");
    an allocation over its cap fails there ("memory"); a child killed by a signal is "crash"; the
    child dies with this process and ignores Ctrl-C. Its address space is capped once, at its fork
    plus ``memory_bytes`` (:func:`run` caps each call by the file's own pixels: give the bound of
    the largest file accepted). No CPU-time limit: that would count every call; the wall-clock kill
    bounds each one. Not for a process whose other threads fork too (the web server uses :func:`run`).
    """

    renew = 1000  # calls before the child is replaced

    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = int(memory_bytes)
        self._pid: int | None = None
        self._to_child = self._from_child = -1
        self._calls = 0

    def call(self, fn: Callable[..., Any], *args: Any, seconds: float, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in the child (``fn`` must pickle: a module-level function); raises what it raised, or :class:`Overrun`."""
        if self._pid is None or self._calls >= self.renew or not hasattr(os, "fork"):
            self.close()
            if not hasattr(os, "fork"):  # pragma: no cover - not POSIX
                return fn(*args, **kwargs)
            self._start()
        self._calls += 1
        request = pickle.dumps((fn, args, kwargs))
        try:
            _write_message(self._to_child, request)
        except OSError:  # the child died between calls (killed from outside): this file never ran, so run it in a new one
            self.close()
            self._start()
            try:
                _write_message(self._to_child, request)
            except OSError:
                self.close()
                raise Overrun("crash", "the decoder died") from None
        try:
            answer = _read_message(self._from_child, time.monotonic() + seconds)
        except BaseException:  # Ctrl-C here, mid-call: the child's state is unknown
            self.close()
            raise
        if answer is None:
            self.close()
            raise Overrun("time", f"over {seconds:g} s")
        if not answer:
            self.close()
            raise Overrun("crash", "the decoder died")
        status, value = pickle.loads(answer)
        if status == "ok":
            return value
        if status == "memory":
            self.close()  # an allocator that failed may leave the child's heap in any state
            raise Overrun("memory", value)
        self.close()  # a file the decoder refused may be hostile: the next file gets a fresh child, as with a fork per file
        raise value

    def close(self) -> None:
        """Stop the child (a later :meth:`call` forks another)."""
        if self._pid is None:
            return
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:  # pragma: no cover - closed already
                pass
        _reap(self._pid, kill=True)
        self._pid, self._calls = None, 0

    def __del__(self) -> None:  # pragma: no cover - the child dies with its parent anyway
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit
            pass

    def _start(self) -> None:
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        try:  # pixels come back through it: a larger buffer, fewer switches between the two processes
            fcntl.fcntl(answers_write, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except OSError:  # pragma: no cover - over /proc/sys/fs/pipe-max-size: the default buffer
            pass
        limit = _address_space() + self.memory_bytes
        pid = os.fork()
        if pid == 0:  # the child: serves until its parent closes the pipe
            try:
                os.close(requests_write)
                os.close(answers_read)
                _serve(requests_read, answers_write, limit)
            finally:
                os._exit(0)
        os.close(requests_read)
        os.close(answers_write)
        self._pid, self._to_child, self._from_child = pid, requests_write, answers_read


def _serve(requests: int, answers: int, limit: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    faulthandler.disable()
    _cap_address_space(limit)
    while True:
        request = _read_message(requests, None)
        if not request:
            return
        try:
            fn, args, kwargs = pickle.loads(request)
            answer: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError as exc:
            answer = ("memory", str(exc))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            answer = ("raised", exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError as exc:
            data = pickle.dumps(("memory", str(exc)))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            data = pickle.dumps(("raised", RuntimeError(repr(answer[1]))))
        _write_message(answers, data)


def _write_message(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_message(fd: int, deadline: float | None) -> bytes | None:
    """One length-prefixed message (b"" at end of file: the writer died or closed), or None at ``deadline``."""
    header = _read_exact(fd, 8, deadline)
    if header is None or len(header) < 8:
        return header if header is None else b""
    data = _read_exact(fd, int.from_bytes(header, "little"), deadline)
    return data if data is None else (data if len(data) == int.from_bytes(header, "little") else b"")


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
