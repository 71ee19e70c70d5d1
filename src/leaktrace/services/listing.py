"""The lists of the web app, one page at a time: search, filters and paging done by the store.

Each function returns a :class:`Page` of the records the entity's own service builds (a listed
share is the record ``share list`` prints), for a free-text ``q``, the list's filters and a page
``number`` of ``per_page`` rows (or, for the REST API, ``per_page`` rows from ``offset``). :func:`page_numbers` reads a page number and size the way a
link or a person typed them: anything that is not a positive number is the first page (or the
default size), a size is kept within :data:`MAX_PER_PAGE`, and a page past the last shows the
last. A filter that cannot mean anything (an asset that is no number, a date that is no date)
is :class:`~leaktrace.errors.BadInput`, one sentence naming it.

>>> page_numbers("3", "20"), page_numbers("-1", "x"), page_numbers("9" * 5000, "100000")
((3, 20), (1, 50), (2147483647, 200))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from leaktrace.errors import BadInput
from leaktrace.services import assets as assets_service
from leaktrace.services import audit as audit_service
from leaktrace.services import cases as cases_service
from leaktrace.services import findings as findings_service
from leaktrace.services import recipients as recipients_service
from leaktrace.services import shares as shares_service
from leaktrace.services.context import Context
from leaktrace.services.ids import MAX_ID
from leaktrace.store import lists

__all__ = ["MAX_PER_PAGE", "PER_PAGE", "Page", "assets", "audit", "cases", "findings", "page_numbers", "recipients", "shares"]

#: Rows a page shows unless asked otherwise, and the most it shows.
PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    """One page of a list: its records, which page it is, and how many rows match and exist."""

    items: tuple[Any, ...]
    number: int  # from 1
    per_page: int
    matched: int  # rows the search and filters keep
    total: int  # rows of the list without them
    extra: dict[str, Any] | None = None  # what the list's page needs besides (a document's pages, copies per asset…)

    @property
    def pages(self) -> int:
        """How many pages the matches fill (1 when none match)."""
        return max(1, -(-self.matched // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of this page's first row among the matches; 0 when none match."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of its last row."""
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def filtered(self) -> bool:
        return self.matched != self.total


def page_numbers(number: object, per_page: object, *, default: int = PER_PAGE) -> tuple[int, int]:
    """(page number, rows per page) from what a query string held: lenient, never an error."""
    return _positive(number, 1, MAX_ID), _positive(per_page, default, MAX_PER_PAGE)


def _positive(value: object, default: int, most: int) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or int(text[:13]) < 1:  # 13 digits: int() of thousands of them is refused, and slow
        return default
    return most if len(text) > 12 else min(int(text), most)


def _span(number: int, per_page: int, offset: int | None) -> dict[str, Any]:
    """The store's window for page ``number``, or, given an ``offset`` (the REST API's), the rows
    from there (past the end: none)."""
    if offset is None:
        return {"offset": (number - 1) * per_page, "limit": per_page}
    return {"offset": offset, "limit": per_page, "clamp": False}


def _page(window: lists.Window, per_page: int, items, **extra: Any) -> Page:
    return Page(tuple(items), window.offset // per_page + 1, per_page, window.matched, window.total, extra or None)


def _id_filter(value: str | None, what: str) -> int | None:
    """A filter naming a record by number (``12`` or ``#12``); blank: no filter."""
    text = (value or "").strip().removeprefix("#")
    if not text:
        return None
    if not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        raise BadInput(f"the {what} filter takes {what} numbers, such as 12, not {value!r}.")
    return int(text)


def _day(value: str | None, what: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"the {what} date {value!r} is not a date in the form YYYY-MM-DD.") from None


def recipients(
    ctx: Context, *, q: str | None = None, archived: bool = False, number: int = 1, per_page: int = PER_PAGE, offset: int | None = None
) -> Page:
    """Recipients in use (``archived``: the archived ones), oldest first, by name, organisation, e-mail or number."""
    with ctx.sessions() as session:
        w = lists.recipients(session, q=q, archived=archived, **_span(number, per_page, offset))
        return _page(w, per_page, (recipients_service._record(r) for r in w.rows))


def assets(
    ctx: Context,
    *,
    q: str | None = None,
    kind: str | None = None,
    archived: bool = False,
    number: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
) -> Page:
    """Images and documents in use (``archived``: the archived ones), oldest first, by title, file
    name, SHA-256 or number; ``kind`` "image" or "document" (blank: both). ``extra``: ``pages``
    (document id → its pages' records) and ``shared`` (asset id → copies shared)."""
    if kind and kind not in ("image", "document"):
        raise BadInput(f"the kind filter is 'image' or 'document', not {kind!r}.")
    with ctx.sessions() as session:
        w = lists.assets(session, q=q, kind=kind or None, archived=archived, **_span(number, per_page, offset))
        items = [assets_service.record(a) for a in w.rows]
        shared = lists.copies_of(session, [a.id for a in items])
    from leaktrace.services import documents

    pages = {a.id: tuple(assets_service.record(p) for p in documents.pages_of(ctx, a.id)) for a in items if a.kind == "document"}
    return _page(w, per_page, items, pages=pages, shared=shared)


def shares(
    ctx: Context,
    *,
    q: str | None = None,
    asset: str | None = None,
    recipient: str | None = None,
    number: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
) -> Page:
    """Shares, newest first, by note, sender, asset title, a recipient's name or number; only of
    ``asset`` (a number) and to ``recipient`` (a name or number), when given."""
    asset_id = _id_filter(asset, "asset")
    with ctx.sessions() as session:
        w = lists.shares(session, q=q, asset_id=asset_id, recipient=(recipient or "").strip() or None, **_span(number, per_page, offset))
        return _page(w, per_page, (shares_service._record(ctx, s) for s in w.rows))


def findings(
    ctx: Context,
    *,
    q: str | None = None,
    accused: str | None = None,
    asset: str | None = None,
    since: str | None = None,
    until: str | None = None,
    number: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
) -> Page:
    """Findings, newest first, by leak file name, asset, tracer, an accused recipient or number;
    only accusing ``accused`` (a name or number; "nobody"), of ``asset`` (a number), traced from
    day ``since`` through day ``until`` (YYYY-MM-DD, UTC), when given. ``extra``: ``copied``, the
    leak SHA-256s that are recorded copies (never shown, not even as a thumbnail)."""
    asset_id = _id_filter(asset, "asset")
    start, end = _day(since, "from"), _day(until, "to")
    if start and end and end < start:
        raise BadInput(f"the dates run backwards: from {start.isoformat()} to {end.isoformat()}.")
    lo = None if start is None else datetime.combine(start, time(), UTC)
    hi = None if end is None else datetime.combine(end + timedelta(days=1), time(), UTC)
    with ctx.sessions() as session:
        w = lists.findings(
            session,
            q=q,
            accused=(accused or "").strip() or None,
            asset_id=asset_id,
            since=lo,
            before=hi,
            **_span(number, per_page, offset),
        )
        items = [findings_service._finding(f) for f in w.rows]
        copied = lists.copied(session, [f.leak.sha256 for f in items])
    return _page(w, per_page, items, copied=copied)


def cases(
    ctx: Context, *, q: str | None = None, status: str | None = None, number: int = 1, per_page: int = PER_PAGE, offset: int | None = None
) -> Page:
    """Cases, newest first, by NDA, opener, a responsible recipient, the case's or its finding's number; only with ``status``."""
    if status and status not in cases_service.STATUSES:
        raise BadInput(f"unknown case status {status!r}; use one of {', '.join(cases_service.STATUSES)}.")
    with ctx.sessions() as session:
        w = lists.cases(session, q=q, status=status or None, **_span(number, per_page, offset))
        return _page(w, per_page, (cases_service._record(c) for c in w.rows))


#: Subjects the audit log's entries are about (``subject_type``), for its filter.
SUBJECTS = ("asset", "recipient", "share", "finding", "case", "user", "token", "key", "checkpoint")


def audit(
    ctx: Context,
    *,
    q: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    number: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
) -> Page:
    """Audit entries, newest first, by ``actor`` (exactly), ``action`` (one of
    :data:`leaktrace.services.audit.ACTIONS`, or a family such as ``copy`` for every ``copy.*``),
    ``subject`` (``finding``, or one record: ``finding 12``, ``finding #12``) and ``q`` in the
    details. ``extra``: ``actors``, the log's actors (the filter's choices), and ``recipients``, the
    names of the recipients the page's entries name by id."""
    actions = None
    wanted = (action or "").strip()
    if wanted:
        actions = [a for a in audit_service.ACTIONS if a == wanted or a.startswith(wanted + ".")]
        if not actions:
            raise BadInput(f"unknown audit action {wanted!r}; the log records {', '.join(audit_service.ACTIONS)}.")
    subject_type, subject_id = _subject(subject)
    with ctx.sessions() as session:
        w = lists.audit(
            session,
            q=q,
            actor=(actor or "").strip() or None,
            actions=actions,
            subject_type=subject_type,
            subject_id=subject_id,
            **_span(number, per_page, offset),
        )
        actors = lists.audit_actors(session)
        items = [audit_service._entry(e) for e in w.rows]
        names = lists.recipient_names(session, _recipient_ids(items))
    return _page(w, per_page, items, actors=actors, recipients=names)


def _recipient_ids(entries) -> set[int]:
    """The recipients the entries' details name by id (``recipient_id``, a share's ``copies``, a revocation's ``recipients``)."""
    out: set[int] = set()
    for e in entries:
        d = e.details if isinstance(e.details, dict) else {}
        copies = d.get("copies")
        items = [d, *(c for c in copies if isinstance(c, dict))] if isinstance(copies, list) else [d]
        out.update(i["recipient_id"] for i in items if isinstance(i.get("recipient_id"), int))
        if isinstance(d.get("recipients"), list):
            out.update(i for i in d["recipients"] if isinstance(i, int))
    return out


def _subject(text: str | None) -> tuple[str | None, str | None]:
    """``finding 12`` → ("finding", "12"); ``finding`` → ("finding", None); blank → (None, None)."""
    words = (text or "").replace("#", " ").replace(":", " ").split()
    if not words:
        return None, None
    kind = words[0].lower()
    if kind not in SUBJECTS or len(words) > 2:
        raise BadInput(f"the subject filter is a kind of record ({', '.join(SUBJECTS)}), optionally with its id, such as 'finding 12'; not {text!r}.")
    return kind, words[1] if len(words) == 2 else None
