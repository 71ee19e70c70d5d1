"""Recipient groups: named sets of recipients (a tender's bidders, an agency's team) a share can be addressed to.

A group is an address book entry, not evidence: a share to a group records each member it
reached (:func:`members_for_share`, called at share time), so changing or archiving the group
later never changes a share. Only recipients in use can join; a member archived later stays
listed (marked) but no new share reaches it. Each change is an audit entry about the group
(``group.create``, ``group.add``, ``group.remove``, ``group.archive``); groups are never removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from leaktrace import records
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.services.ids import MAX_ID
from leaktrace.services.recipients import _record as _recipient_record
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import GroupMember, Recipient, RecipientGroup, utcnow

__all__ = ["MAX_DESCRIPTION", "MAX_NAME", "add", "archive", "create", "get", "list_all", "members_for_share", "remove"]

#: Longest group name and description, characters.
MAX_NAME, MAX_DESCRIPTION = 200, 2000


def _record(g: RecipientGroup) -> records.Group:
    members = tuple(_recipient_record(m.recipient) for m in g.members)
    archived = None if g.archived_at is None else g.archived_at.isoformat()
    return records.Group(g.id, g.name, g.description, g.created_at.isoformat(), archived, members)


def _find(session: Session, ref: str | int) -> RecipientGroup:
    """The group named ``ref``, else numbered ``ref`` (a name wins over a number)."""
    text = " ".join(str(ref).split())
    query = select(RecipientGroup).options(selectinload(RecipientGroup.members).selectinload(GroupMember.recipient))
    group = session.scalar(query.where(RecipientGroup.name == text))
    if group is None and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID:
        group = session.scalar(query.where(RecipientGroup.id == int(text)))
    if group is None:
        raise NotFound(f"no recipient group named or numbered {text!r} (see 'leaktrace group list').")
    return group


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise BadInput("a group needs a name.")
    if name.isdigit():
        raise BadInput(f"group name {name!r} is a number; numbers are reserved for ids.")
    if len(name) > MAX_NAME:
        raise BadInput(f"a group's name may have at most {MAX_NAME} characters.")
    return name


def _joining(session: Session, refs: Iterable[str | int]) -> list[Recipient]:
    """The recipients ``refs`` name (names or ids), each once, in order; an archived one is refused."""
    out: list[Recipient] = []
    for ref in refs:
        r = queries.recipient_by_name_or_id(session, str(ref).strip())
        if r.archived_at is not None:
            raise BadInput(f"recipient {r.name!r} is archived: restore it before adding it to a group.")
        if r.id not in {x.id for x in out}:
            out.append(r)
    return out


def _open(group: RecipientGroup) -> None:
    if group.archived_at is not None:
        raise Conflict(f"group {group.name!r} is archived: its members no longer change.")


def create(ctx: Context, name: str, *, description: str | None = None, members: Iterable[str | int] = (), actor: str | None = None) -> records.Group:
    """Make group ``name`` (unique, not a number) of ``members`` (names or ids of recipients in use; may be none yet)."""
    name = _name(name)
    description = (description or "").strip() or None
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise BadInput(f"a group's description may have at most {MAX_DESCRIPTION} characters.")
    with store_db.transaction(ctx.sessions) as session:
        if session.scalar(select(RecipientGroup.id).where(RecipientGroup.name == name)) is not None:
            raise Conflict(f"a recipient group named {name!r} already exists.")
        joining = _joining(session, members)
        group = RecipientGroup(name=name, description=description)
        session.add(group)
        session.flush()
        for r in joining:
            session.add(GroupMember(group_id=group.id, recipient_id=r.id))
        session.flush()
        details = {"name": name, "description": description, "members": [r.id for r in joining]}
        audit.append(session, actor, "group.create", "group", group.id, details)
        session.expire(group, ["members"])
        return _record(_find(session, group.id))


def add(ctx: Context, ref: str | int, members: Iterable[str | int], *, actor: str | None = None) -> records.Group:
    """Add ``members`` (recipients in use, by name or id) to group ``ref``; those in it already are left as they are.

    :class:`BadInput` when none is named, :class:`Conflict` when every one is a member already."""
    with store_db.transaction(ctx.sessions) as session:
        group = _find(session, ref)
        _open(group)
        joining = _joining(session, members)
        if not joining:
            raise BadInput("name at least one recipient to add to the group.")
        present = {m.recipient_id for m in group.members}
        new = [r for r in joining if r.id not in present]
        if not new:
            raise Conflict(f"every recipient named is in group {group.name!r} already.")
        for r in new:
            session.add(GroupMember(group_id=group.id, recipient_id=r.id))
        session.flush()
        audit.append(session, actor, "group.add", "group", group.id, {"name": group.name, "members": [r.id for r in new]})
        session.expire(group, ["members"])
        return _record(_find(session, group.id))


def remove(ctx: Context, ref: str | int, members: Iterable[str | int], *, actor: str | None = None) -> records.Group:
    """Take ``members`` (names or ids) out of group ``ref``; shares made to it before keep every copy.

    :class:`NotFound` for a recipient that is not a member."""
    with store_db.transaction(ctx.sessions) as session:
        group = _find(session, ref)
        _open(group)
        leaving: list[Recipient] = []
        for m in members:
            r = queries.recipient_by_name_or_id(session, str(m).strip())
            if r.id not in {x.id for x in leaving}:
                leaving.append(r)
        if not leaving:
            raise BadInput("name at least one recipient to remove from the group.")
        rows = {m.recipient_id: m for m in group.members}
        for r in leaving:
            if r.id not in rows:
                raise NotFound(f"recipient {r.name!r} is not in group {group.name!r}.")
        for r in leaving:
            group.members.remove(rows[r.id])
        session.flush()
        audit.append(session, actor, "group.remove", "group", group.id, {"name": group.name, "members": [r.id for r in leaving]})
        return _record(group)


def archive(ctx: Context, ref: str | int, *, actor: str | None = None) -> records.Group:
    """Retire group ``ref``: listed only when asked, and no share can be addressed to it; its shares stand."""
    with store_db.transaction(ctx.sessions) as session:
        group = _find(session, ref)
        _open(group)
        group.archived_at = utcnow()
        session.flush()
        audit.append(session, actor, "group.archive", "group", group.id, {"name": group.name})
        return _record(group)


def get(ctx: Context, ref: str | int) -> records.Group:
    """Group ``ref`` (name or id) with its members, archived ones included."""
    with ctx.sessions() as session:
        return _record(_find(session, ref))


def list_all(ctx: Context, *, archived: bool = False) -> list[records.Group]:
    """The groups in use, oldest first (``archived``: only the archived ones)."""
    with ctx.sessions() as session:
        query = select(RecipientGroup).options(selectinload(RecipientGroup.members).selectinload(GroupMember.recipient)).order_by(RecipientGroup.id)
        query = query.where(RecipientGroup.archived_at.is_not(None) if archived else RecipientGroup.archived_at.is_(None))
        return [_record(g) for g in session.scalars(query)]


def members_for_share(session: Session, ref: str) -> list[Recipient]:
    """The recipients a share to group ``ref`` reaches now: its members in use, by id.

    :class:`NotFound` for an unknown group; :class:`BadInput` for an archived group or one with no
    member in use (a share must never reach nobody, or someone by surprise)."""
    group = _find(session, ref)
    if group.archived_at is not None:
        raise BadInput(f"group {group.name!r} is archived: share to its recipients by name, or to another group.")
    active = [m.recipient for m in group.members if m.recipient.archived_at is None]
    if not active:
        raise BadInput(f"group {group.name!r} has no recipient in use to share with (add some with 'leaktrace group add').")
    return active
