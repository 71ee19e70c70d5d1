"""Exponential back-off of failed logins: per client (in this process's memory) and the delay rule shared with accounts.

After :data:`FREE` failures, each further try must wait 1 s, then 2, 4, … up to :data:`MAX_WAIT`
after the last failure. A client is an address as the web server sees it; what it remembers is
bounded (:data:`MAX_CLIENTS`, the longest-quiet forgotten first) and lost on restart — the
per-account back-off and lockout, kept in the audit log, survive restarts
(:mod:`leaktrace.services.users`). A second instance that never forgets (``forget_after=inf``)
counts the failures of names no user has, so that an unknown name backs off and locks like a
known one and the answers do not tell which names exist.

>>> delay(4), delay(5), delay(7), delay(40)
(0.0, 1.0, 4.0, 900.0)
>>> t = ClientThrottle(clock=lambda: 100.0)
>>> for _ in range(6):
...     t.failed("10.0.0.1")
>>> t.wait("10.0.0.1"), t.wait("10.0.0.2")
(2.0, 0.0)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: Failures allowed before any wait.
FREE = 5
#: The longest wait asked for, in seconds (and how long a quiet client's failures are remembered).
MAX_WAIT = 900.0
#: Clients remembered at once.
MAX_CLIENTS = 10_000


def delay(failures: int, *, free: int = FREE) -> float:
    """Seconds to wait after the last of ``failures`` consecutive failures before the next try."""
    if failures < free:
        return 0.0
    return float(min(MAX_WAIT, 2.0 ** min(failures - free, 30)))


class ClientThrottle:
    """Failed logins per client in memory; thread-safe."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS, free: int = FREE, forget_after: float = MAX_WAIT
    ) -> None:
        self._clock = clock
        self._free = free
        self._forget = forget_after
        self._max = max_clients
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()  # client -> (failures, at)
        self._lock = threading.Lock()

    def wait(self, client: str | None) -> float:
        """Seconds ``client`` must still wait before trying again (0 if it may try now)."""
        if client is None:
            return 0.0
        with self._lock:
            failures, at = self._seen.get(client, (0, 0.0))
            now = self._clock()
            if failures and now - at > self._forget:
                del self._seen[client]
                return 0.0
            return max(0.0, at + delay(failures, free=self._free) - now)

    def failures(self, client: str) -> int:
        """Failures of ``client`` remembered now."""
        with self._lock:
            failures, at = self._seen.get(client, (0, 0.0))
            return failures if self._clock() - at <= self._forget else 0

    def failed(self, client: str | None) -> None:
        """Count a failed login of ``client``."""
        if client is None:
            return
        with self._lock:
            failures, at = self._seen.pop(client, (0, 0.0))
            now = self._clock()
            self._seen[client] = (1 if now - at > self._forget else failures + 1, now)
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)

    def succeeded(self, client: str | None) -> None:
        """Forget ``client``'s failures after a good login."""
        if client is not None:
            with self._lock:
                self._seen.pop(client, None)
