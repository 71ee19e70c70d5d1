"""A scan's screening on a Ray cluster: ``leaktrace scan --ray auto|ADDRESS``.

The work function is the local executor's, :func:`leaktrace.services.scans.screen_file` (plain
values in and out), run by Ray actors: one per CPU the cluster offers (or ``--workers``), each
building the workspace's context and asset index once, when it screens its first file, and
keeping them for every later file (so the index is loaded once per worker process, never per
task). Only the driver writes the store and traces the matches, as with the local executor.

Failures never fail the scan: an actor that dies (killed, out of memory) is restarted and its
file retried (:data:`RETRIES` times); a file that still fails, or whose screening raised, comes
back as that file's failure with its reason, and the scan goes on. (Ray Data's default fails a
whole job on one bad block; a firehose has bad files every minute.)

``auto`` starts a Ray instance on this machine for the scan and stops it afterwards; an address
(``ray://head:10001`` or ``head:6379``) joins a running cluster, whose nodes must have leaktrace
installed and see the workspace folder and the scanned files at the same paths (a shared file
system), with the store on PostgreSQL (a SQLite file is not for many machines).

Ray is an optional dependency (``pip install 'leaktrace[cluster]'``); without it ``--ray`` stops in
one line saying so.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from leaktrace.errors import BadInput, MissingDependency
from leaktrace.services import scans

__all__ = ["RETRIES", "RayExecutor"]

#: Times a file is given to a restarted actor after its actor died, before it is reported failed.
RETRIES = 2
#: Seconds to wait for a cluster's address to answer before refusing it.
CONNECT_TIMEOUT_S = 5.0
#: Files in flight per actor (one screening, one queued), as the local executor does.
IN_FLIGHT = 2


def _ray():
    try:
        import ray
    except ImportError:
        raise MissingDependency("--ray needs Ray, which is not installed: pip install 'leaktrace[cluster]' (or pip install ray)") from None
    return ray


def _screener_class(ray):
    @ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES)
    class Screener:
        """Holds this worker process's screening state (scans' per-process cache) between files."""

        def screen(self, settings, item_id: int, path: str) -> scans.Screened:
            return scans.screen_file(settings, item_id, path)

        def pid(self) -> int:
            return os.getpid()

    return Screener


def _reachable(address: str) -> None:
    """Refuse in one line, within :data:`CONNECT_TIMEOUT_S`, an address where nothing listens (Ray itself
    would retry for minutes, logging on stderr)."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise BadInput(f"--ray {address}: not 'auto' nor an address HOST:PORT (or ray://HOST:PORT).")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise BadInput(f"--ray {address}: no Ray cluster answers there ({exc.strerror or exc}).") from None


class RayExecutor:
    """:class:`leaktrace.services.scans.Executor` on Ray actors (see the module's docstring)."""

    def __init__(self, address: str, workers: int | None = None) -> None:
        ray = self.ray = _ray()
        self.started = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False, "namespace": "leaktrace"}
            if address != "auto":
                _reachable(address)
            try:
                if address == "auto":
                    ray.init(num_cpus=workers or os.cpu_count() or 1, **options)
                else:
                    ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BadInput(f"--ray {address}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
            self.started = True
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        count = min(workers, cpus) if workers else cpus
        screener = _screener_class(ray)
        self.actors = [screener.remote() for _ in range(count)]

    def __len__(self) -> int:
        return len(self.actors)

    def pids(self) -> list[int]:
        """The actors' process ids (tests check that files are spread over them)."""
        return self.ray.get([a.pid.remote() for a in self.actors])

    def imap(self, fn: Callable[..., scans.Screened], tasks: Iterable[tuple]) -> Iterator[scans.Screened]:
        """Screen each ``(settings, item_id, path)`` task on the actors, yielding results as they come (any order).

        ``fn`` is the local executor's work function; the actors run that same function."""
        ray = self.ray
        tasks = iter(tasks)
        free = list(range(len(self.actors))) * IN_FLIGHT
        running: dict[Any, tuple[int, tuple]] = {}
        while True:
            while free:
                task = next(tasks, None)
                if task is None:
                    break
                slot = free.pop()
                running[self.actors[slot].screen.remote(*task)] = (slot, task)
            if not running:
                return
            (ref,), _ = ray.wait(list(running), num_returns=1)
            slot, task = running.pop(ref)
            free.append(slot)
            yield self._result(ref, task)

    def _result(self, ref, task: tuple) -> scans.Screened:
        _, item_id, path = task
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayActorError:
            return scans.Screened(item_id, False, reason=f"{path}: its screening worker died {RETRIES + 1} times on it (killed, or out of memory).")
        except self.ray.exceptions.RayError as exc:
            cause = getattr(exc, "cause", None) or exc
            return scans.Screened(
                item_id, False, reason=f"{path}: screening failed on the cluster ({type(cause).__name__}: {str(cause).splitlines()[0][:200]})."
            )

    def close(self) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception:  # noqa: BLE001 - a dead actor or a gone cluster: nothing left to stop
                pass
        self.actors = []
        if self.started:
            self.ray.shutdown()
            self.started = False
