"""What every list page shares: its query parameters and the links between its pages.

A list page takes ``q`` (search), ``page`` and ``per_page`` as text, so a link someone edited
(``page=-1``, ``page=abc``, ``page=99999999``) shows the first or the last page instead of an
error (:func:`leaktrace.services.listing.page_numbers`); the list's own filters are further
parameters. Every link of the pager keeps the filters and changes only ``page``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request

from leaktrace.services.listing import Page, page_numbers

#: A list page's text parameter (search or filter): at most 200 characters.
Text = Annotated[str, Query(max_length=200)]
#: ``page`` and ``per_page``: text, read leniently (a page number of hundreds of digits is the last page).
Number = Annotated[str, Query(max_length=1000)]

__all__ = ["Number", "Text", "numbers", "pager"]


def flag(text: str) -> bool:
    """A query switch such as ``?archived=1``: on unless blank or "0"."""
    return text.strip() not in ("", "0")


def numbers(page: str, per_page: str) -> dict[str, int]:
    """``number`` and ``per_page`` for a :mod:`leaktrace.services.listing` function."""
    number, size = page_numbers(page, per_page)
    return {"number": number, "per_page": size}


def _href(request: Request, **change: Any) -> str:
    """This page's path and query with ``change`` applied (blank values dropped)."""
    params = {k: v for k, v in request.query_params.items() if v != ""}
    params.update({k: str(v) for k, v in change.items()})
    params = {k: v for k, v in params.items() if v not in ("", "None")}
    return request.url.path + ("?" + urlencode(params) if params else "")


def pager(request: Request, page: Page, *, around: int = 2) -> dict[str, Any]:
    """The pager of ``page``: previous and next links, and numbered links to the first and last
    pages and those ``around`` the current one (``None`` marks a gap), each keeping the filters."""
    numbers = sorted({1, page.pages, *range(max(1, page.number - around), min(page.pages, page.number + around) + 1)})
    links: list[dict[str, Any] | None] = []
    for n in numbers:
        if links and links[-1] is not None and n > links[-1]["number"] + 1:
            links.append(None)
        links.append({"number": n, "href": _href(request, page=n), "here": n == page.number})
    return {
        "links": links if page.pages > 1 else [],
        "prev": _href(request, page=page.number - 1) if page.number > 1 else None,
        "next": _href(request, page=page.number + 1) if page.number < page.pages else None,
    }
