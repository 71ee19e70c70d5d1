"""Record ids as the store keeps them: integers in 1 … 2^31−1 (:data:`MAX_ID`: the ids are INTEGER
columns, 32 bits on PostgreSQL; SQLite would hold more, but both stores answer the same).

Every id that comes from outside (a CLI argument, a URL, a form) goes through :func:`number`, so
an id the store cannot hold is a record that does not exist (:class:`~leaktrace.errors.NotFound`,
exit 2 / 404), never an ``OverflowError``.
"""

from __future__ import annotations

from leaktrace.errors import NotFound
from leaktrace.store.queries import MAX_ID

__all__ = ["MAX_ID", "number"]


def number(value: int | str, what: str) -> int:
    """``value`` as the id of a ``what`` record, or :class:`NotFound` naming it.

    >>> number("12", "finding")
    12
    >>> number(2**63, "finding")
    Traceback (most recent call last):
    leaktrace.errors.NotFound: no finding numbered 9223372036854775808.
    """
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(f"no {what} numbered {value!r}.") from None
    if isinstance(value, bool) or not 1 <= n <= MAX_ID:
        raise NotFound(f"no {what} numbered {value}.")
    return n
