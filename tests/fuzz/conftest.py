"""Hypothesis profiles of the fuzz tests: a bounded run in ``make test``, a long one in ``make fuzz``.

``LEAKTRACE_FUZZ`` picks the profile: unset or ``quick`` (the suite's run: few examples, derandomized so
that ``make test`` is reproducible), ``long`` (``make fuzz``: a big budget, random each run). Every
profile keeps a per-example deadline (a decode that takes seconds is a finding) and no example
database in the working tree; a failure prints the ``@reproduce_failure`` blob to replay it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"database": None, "print_blob": True, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("quick", max_examples=200, deadline=2000, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=20_000, deadline=5000, **_COMMON)
settings.load_profile(os.environ.get("LEAKTRACE_FUZZ", "quick"))


def budget(share: float) -> int:
    """This test's number of examples: ``share`` of the profile's (a trace costs a thousand decodes)."""
    return max(3, int(settings().max_examples * share))
