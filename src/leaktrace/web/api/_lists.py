"""The optional paging parameters of the REST API's lists: ``q`` (search), ``limit`` and ``offset``.

Without them a list answers as it always did (every row, or the ``limit`` newest). With ``q`` or
``offset`` it answers the rows of :mod:`leaktrace.services.listing` (the web pages' search, in the
list's usual order): at most ``limit`` of them from ``offset`` (past the end: none). The body keeps
its shape, ``{"data": [...], "count": N}`` (``count``: the rows in ``data``); a client pages on
until ``count`` is below its ``limit``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from leaktrace.services.ids import MAX_ID

__all__ = ["Offset", "Search", "window"]

Search = Annotated[str | None, Query(max_length=200, description="Text the rows must hold (the web page's search).")]
Offset = Annotated[int | None, Query(ge=0, le=MAX_ID, description="Rows to skip, in the list's order.")]


def window(q: str | None, limit: int | None, offset: int | None, *, old_limit: bool = True) -> dict | None:
    """The listing arguments for ``q``/``limit``/``offset``, or None when the old answer applies:
    no ``q``, no ``offset``, and a ``limit`` only where the list always took one (``old_limit``)."""
    if q is None and offset is None and (limit is None or old_limit):
        return None
    return {"q": q, "offset": offset or 0, "per_page": limit or MAX_ID}
