"""The lists the web app pages through: a search, filters and one window of rows, all in SQL.

Each function takes an open :class:`~sqlalchemy.orm.Session`, a free-text ``q`` (matched
case-insensitively as a substring of the list's text columns; ``%`` and ``_`` are literal),
the list's own filters, and a window (``offset``, ``limit`` rows). It counts the rows that
match and the rows there are, and loads only the window, with the relations its callers use
(as :mod:`leaktrace.store.queries` does). An ``offset`` past the last match is moved to the
last window, so a page number from an old link still shows rows (``clamp=False``: no rows, the
REST API's ``offset``). Kept apart from
:mod:`~leaktrace.store.queries` (one question, one answer) because every function here
shares the count-and-window shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from leaktrace.store.models import Asset, AuditEntry, Case, CaseResponsible, Copy, Finding, FindingScore, Recipient, Share
from leaktrace.store.queries import _CASE_LOADS, _SHARE_LOADS, MAX_ID

__all__ = ["Window", "assets", "audit", "audit_actors", "cases", "copied", "copies_of", "findings", "recipient_names", "recipients", "shares"]


@dataclass(frozen=True)
class Window:
    """One window of a list: its rows, where it starts, how many rows match, how many there are."""

    rows: list[Any]
    offset: int  # rows before this window, among the matches
    matched: int  # rows the search and filters keep
    total: int  # rows of the list without search or filters


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` holds ``text`` (any case; ``%``, ``_`` and ``\\`` taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _number(text: str) -> int | None:
    """``text`` as a record id (``12`` or ``#12``), or None when it names none."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) <= 10 and 1 <= int(digits) <= MAX_ID else None


def _any_of(q: str | None, columns: Iterable[Any], *, id_column: Any = None, extra: Iterable[ColumnElement[bool]] = ()) -> ColumnElement[bool] | None:
    """The search condition: ``q`` in any of ``columns``, or ``q`` the row's id; None for no search."""
    text = (q or "").strip()
    if not text:
        return None
    terms = [_contains(c, text) for c in columns] + list(extra)
    number = _number(text)
    if id_column is not None and number is not None:
        terms.append(id_column == number)
    return or_(*terms)


def _window(session: Session, query: Select, where: list, total_of: Select, *, offset: int, limit: int, clamp: bool = True) -> Window:
    """Count the matches of ``query`` under ``where``, and load the window of ``limit`` rows at
    ``offset`` (past the last match: the last window, unless not ``clamp``, then none)."""
    for w in where:
        if w is not None:
            query = query.where(w)
    matched = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    total = int(session.scalar(total_of) or 0)
    limit = max(1, int(limit))
    offset = max(0, min(int(offset), (max(matched, 1) - 1) // limit * limit) if clamp else int(offset))
    rows = list(session.scalars(query.offset(offset).limit(limit)))
    return Window(rows, offset, matched, total)


def recipients(session: Session, *, q: str | None = None, archived: bool = False, offset: int = 0, limit: int = 50, clamp: bool = True) -> Window:
    """Recipients in use (``archived``: the archived ones), oldest first, whose name, organisation or
    e-mail holds ``q`` (or numbered ``q``)."""
    which = Recipient.archived_at.is_not(None) if archived else Recipient.archived_at.is_(None)
    query = select(Recipient).where(which).order_by(Recipient.id)
    where = [_any_of(q, (Recipient.name, Recipient.org, Recipient.email), id_column=Recipient.id)]
    return _window(session, query, where, select(func.count(Recipient.id)).where(which), offset=offset, limit=limit, clamp=clamp)


_NOT_PAGE = or_(Asset.kind.is_(None), Asset.kind != "page")


def assets(
    session: Session, *, q: str | None = None, kind: str | None = None, archived: bool = False, offset: int = 0, limit: int = 50, clamp: bool = True
) -> Window:
    """Images and documents in use (``archived``: the archived ones; never a document's pages), oldest
    first, whose title or file name holds ``q``, whose SHA-256 starts with it, or numbered ``q``; only
    of ``kind`` ("image" or "document") if given."""
    which = Asset.archived_at.is_not(None) if archived else Asset.archived_at.is_(None)
    query = select(Asset).where(_NOT_PAGE, which).order_by(Asset.id)
    text = (q or "").strip().lower()
    sha = [Asset.sha256.startswith(text)] if len(text) >= 6 and all(c in "0123456789abcdef" for c in text) else []
    where = [_any_of(q, (Asset.title, Asset.filename), id_column=Asset.id, extra=sha)]
    if kind == "document":
        where.append(Asset.kind == "document")
    elif kind == "image":
        where.append(or_(Asset.kind.is_(None), Asset.kind == "image"))
    return _window(session, query, where, select(func.count(Asset.id)).where(_NOT_PAGE, which), offset=offset, limit=limit, clamp=clamp)


def _recipient_is(column_id: Any, column_name: Any, ref: str) -> ColumnElement[bool]:
    """The recipient columns name ``ref`` exactly, or number it."""
    number = _number(ref)
    return or_(column_name == ref.strip(), column_id == number) if number is not None else column_name == ref.strip()


def shares(
    session: Session,
    *,
    q: str | None = None,
    asset_id: int | None = None,
    recipient: str | None = None,
    offset: int = 0,
    limit: int = 50,
    clamp: bool = True,
) -> Window:
    """Shares, newest first, with asset and copies loaded: those whose note, sender, asset title or
    a recipient's name holds ``q`` (or numbered ``q``); only of asset ``asset_id`` (a document's,
    for one of its pages) and only those that reached ``recipient`` (a name or an id), if given."""
    query = select(Share).options(*_SHARE_LOADS).order_by(Share.id.desc())
    text = (q or "").strip()
    extra = []
    if text:
        extra = [
            Share.asset.has(_contains(Asset.title, text)),
            Share.copies.any(Copy.recipient.has(_contains(Recipient.name, text))),
        ]
    where = [_any_of(q, (Share.note, Share.created_by), id_column=Share.id, extra=extra)]
    if asset_id is not None:
        where.append(Share.asset_id == select(func.coalesce(Asset.document_id, Asset.id)).where(Asset.id == asset_id).scalar_subquery())
    if recipient:
        where.append(Share.copies.any(Copy.recipient.has(_recipient_is(Recipient.id, Recipient.name, recipient))))
    return _window(session, query, where, select(func.count(Share.id)), offset=offset, limit=limit, clamp=clamp)


def findings(
    session: Session,
    *,
    q: str | None = None,
    accused: str | None = None,
    asset_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
    clamp: bool = True,
) -> Window:
    """Findings, newest first, with asset and scores loaded: those whose leak file name, asset
    title, tracer or an accused recipient's name holds ``q``, whose leak's SHA-256 starts with it,
    or numbered ``q``; only those accusing ``accused`` (a recipient's name or id; ``"nobody"``:
    those accusing no one), of asset ``asset_id`` (a document: any of its pages), traced at or
    after ``since`` and before ``before`` (UTC), when given."""
    query = select(Finding).options(selectinload(Finding.asset), selectinload(Finding.scores)).order_by(Finding.id.desc())
    text = (q or "").strip()
    extra = []
    if text:
        extra = [
            Finding.asset.has(_contains(Asset.title, text)),
            Finding.scores.any(and_(FindingScore.accused, _contains(FindingScore.recipient_name, text))),
        ]
        if len(text) >= 6 and all(c in "0123456789abcdef" for c in text.lower()):
            extra.append(Finding.leak_sha256.startswith(text.lower()))
    where = [_any_of(q, (Finding.leak_path, Finding.actor), id_column=Finding.id, extra=extra)]
    if accused and accused.strip().lower() == "nobody":
        where.append(~Finding.scores.any(FindingScore.accused))
    elif accused:
        where.append(Finding.scores.any(and_(FindingScore.accused, _recipient_is(FindingScore.recipient_id, FindingScore.recipient_name, accused))))
    if asset_id is not None:
        where.append(or_(Finding.asset_id == asset_id, Finding.asset_id.in_(select(Asset.id).where(Asset.document_id == asset_id))))
    if since is not None:
        where.append(Finding.created_at >= since)
    if before is not None:
        where.append(Finding.created_at < before)
    return _window(session, query, where, select(func.count(Finding.id)), offset=offset, limit=limit, clamp=clamp)


def copied(session: Session, sha256s: Iterable[str]) -> set[str]:
    """Which of ``sha256s`` are the files of recorded copies (a leak that is one *is* that copy)."""
    wanted = sorted({s.lower() for s in sha256s})
    if not wanted:
        return set()
    return set(session.scalars(select(Copy.sha256).where(Copy.sha256.in_(wanted)).distinct()))


def cases(session: Session, *, q: str | None = None, status: str | None = None, offset: int = 0, limit: int = 50, clamp: bool = True) -> Window:
    """Cases, newest first, loaded as :func:`leaktrace.store.queries.case_by_id` loads one: those
    whose NDA reference, opener or a responsible recipient's name holds ``q``, or numbered ``q``
    (or whose finding is); only with ``status`` if given."""
    query = select(Case).options(*_CASE_LOADS).order_by(Case.id.desc())
    text = (q or "").strip()
    extra = []
    if text:
        extra = [Case.responsibles.any(CaseResponsible.recipient.has(_contains(Recipient.name, text)))]
        number = _number(text)
        if number is not None:
            extra.append(Case.finding_id == number)
    where = [_any_of(q, (Case.nda_ref, Case.opened_by), id_column=Case.id, extra=extra)]
    if status:
        where.append(Case.status == status)
    return _window(session, query, where, select(func.count(Case.id)), offset=offset, limit=limit, clamp=clamp)


def audit(
    session: Session,
    *,
    q: str | None = None,
    actor: str | None = None,
    actions: Iterable[str] | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
    clamp: bool = True,
) -> Window:
    """Audit entries, newest first: those by ``actor`` (exactly), of one of ``actions``, about
    records of ``subject_type`` (and, with ``subject_id``, that one record), whose details hold
    ``q``, when given. ``actions`` empty matches nothing."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    where: list = [_any_of(q, (AuditEntry.details, AuditEntry.actor), id_column=AuditEntry.id)]
    if actor:
        where.append(AuditEntry.actor == actor)
    if actions is not None:
        wanted = list(actions)
        where.append(AuditEntry.action.in_(wanted) if wanted else false())
    if subject_type:
        where.append(AuditEntry.subject_type == subject_type)
    if subject_id:
        where.append(AuditEntry.subject_id == subject_id)
    return _window(session, query, where, select(func.count(AuditEntry.id)), offset=offset, limit=limit, clamp=clamp)


def audit_actors(session: Session, *, limit: int = 200) -> list[str]:
    """The distinct actors of the audit log, by name (at most ``limit``): the choices of its actor filter."""
    return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor).limit(limit)))


def copies_of(session: Session, asset_ids: Iterable[int]) -> dict[int, int]:
    """How many copies were shared of each of ``asset_ids`` (those never shared are left out)."""
    wanted = sorted(set(asset_ids))
    if not wanted:
        return {}
    query = (
        select(Share.asset_id, func.count(Copy.id)).join(Copy, Copy.share_id == Share.id).where(Share.asset_id.in_(wanted)).group_by(Share.asset_id)
    )
    return {int(a): int(n) for a, n in session.execute(query)}


def recipient_names(session: Session, recipient_ids: Iterable[int]) -> dict[int, str]:
    """Recipient id → name, for those of ``recipient_ids`` that exist."""
    wanted = sorted({int(i) for i in recipient_ids if 1 <= int(i) <= MAX_ID})
    if not wanted:
        return {}
    return {int(i): n for i, n in session.execute(select(Recipient.id, Recipient.name).where(Recipient.id.in_(wanted)))}
