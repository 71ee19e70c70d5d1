"""throttle: exponential back-off per client, bounded memory, forgotten after a quiet spell or a good login."""

from __future__ import annotations

import pytest

from leaktrace.services import throttle


def test_the_delay_doubles_after_the_free_failures_up_to_the_cap():
    assert [throttle.delay(n) for n in range(4, 10)] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert throttle.delay(10**6) == throttle.MAX_WAIT == 900.0
    assert throttle.delay(3, free=3) == 1.0


def test_a_client_waits_then_is_forgotten_after_a_quiet_spell_or_a_good_login():
    clock = [0.0]
    t = throttle.ClientThrottle(clock=lambda: clock[0])
    for _ in range(7):
        t.failed("a")
    assert t.wait("a") == pytest.approx(4.0) and t.wait("b") == 0.0 and t.wait(None) == 0.0
    clock[0] = 3.0
    assert t.wait("a") == pytest.approx(1.0)
    clock[0] = 4.0
    assert t.wait("a") == 0.0
    t.failed("a")  # the 8th: 8 s now
    assert t.wait("a") == pytest.approx(8.0)
    clock[0] += throttle.MAX_WAIT + 1
    assert t.wait("a") == 0.0
    t.failed("a")
    assert t.wait("a") == 0.0  # counted from one again
    for _ in range(6):
        t.failed("c")
    t.succeeded("c")
    assert t.wait("c") == 0.0
    t.failed(None)
    t.succeeded(None)


def test_memory_is_bounded_the_longest_quiet_forgotten_first():
    clock = [0.0]
    t = throttle.ClientThrottle(clock=lambda: clock[0], max_clients=3)
    for client in ("a", "b", "c", "d"):
        for _ in range(6):
            t.failed(client)
        clock[0] += 0.1
    assert len(t._seen) == 3 and "a" not in t._seen
    assert t.wait("a") == 0.0 and t.wait("d") > 0
