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

__all__ = ["Overrun", "run"]


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
