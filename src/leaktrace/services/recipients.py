"""Recipients: the people and organisations that receive fingerprinted copies.

A recipient is never removed: its key reference fixes its fingerprints, and its scores and
shares name it. Its name, e-mail and organisation can be edited (:func:`edit`), and it can be
archived (:func:`archive`, undone by :func:`restore`): an archived recipient is kept for evidence
and still tested by every trace of an asset it received, but no form offers it, ``--to all`` and
groups skip it, and lists show it only when asked. Each addition and change is an audit entry
about the recipient (``recipient.add``, ``recipient.edit``, ``recipient.archive``,
``recipient.restore``), which seals the record as it now stands.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from leaktrace import records
from leaktrace.errors import BadInput, Conflict
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Copy, FindingScore, Invitation, Recipient, utcnow

#: Longest name, e-mail and organisation, characters (the columns' sizes).
MAX_NAME, MAX_EMAIL, MAX_ORG = 200, 320, 200


def _record(r: Recipient) -> records.Recipient:
    """The interface record of a stored recipient (never its key reference)."""
    archived = None if r.archived_at is None else r.archived_at.isoformat()
    return records.Recipient(r.id, r.name, r.email, r.org, r.created_at.isoformat(), archived)


def _name(name: str) -> str:
    """``name`` tidied (runs of spaces as one), or :class:`BadInput` when it is blank or a number."""
    name = " ".join(name.split())
    if not name:
        raise BadInput("a recipient needs a name.")
    if name.isdigit():
        raise BadInput(f"recipient name {name!r} is a number; numbers are reserved for ids.")
    if len(name) > MAX_NAME:
        raise BadInput(f"a recipient's name may have at most {MAX_NAME} characters.")
    return name


def _detail(value: str | None, what: str, most: int) -> str | None:
    """An e-mail or organisation as stored: stripped, None when blank."""
    value = (value or "").strip() or None
    if value is not None and len(value) > most:
        raise BadInput(f"a recipient's {what} may have at most {most} characters.")
    return value


def add(ctx: Context, name: str, *, email: str | None = None, org: str | None = None, actor: str | None = None) -> records.Recipient:
    """Register a recipient; each gets a random key reference from which its fingerprints derive.

    Stored with its ``recipient.add`` audit entry (by ``actor``; the OS account for the CLI) in one transaction."""
    name = _name(name)
    with store_db.transaction(ctx.sessions) as session:
        if session.scalar(select(Recipient).where(Recipient.name == name)) is not None:
            raise Conflict(f"a recipient named {name!r} already exists.")
        recipient = Recipient(name=name, email=email, org=org, key_ref=secrets.token_hex(16))
        session.add(recipient)
        session.flush()
        audit.append(session, actor, "recipient.add", "recipient", recipient.id, {"name": name, "email": email, "org": org})
        return _record(recipient)


def edit(
    ctx: Context, ref: str | int, *, name: str | None = None, email: str | None = None, org: str | None = None, actor: str | None = None
) -> records.Recipient:
    """Change recipient ``ref``'s (name or id) name, e-mail or organisation (None: keep it; a blank
    e-mail or organisation clears it), with one ``recipient.edit`` entry holding each field's
    ``before`` and ``after``. Its fingerprints never change: they derive from its key reference.

    The name is frozen once a copy was made for the recipient or a finding scored it: copies,
    receipts, findings and their reports name it, and a report made again must say what it said.

    :class:`BadInput` when nothing would change, or for a name :func:`add` would refuse;
    :class:`Conflict` for a new name of a recipient that evidence already names."""
    with store_db.transaction(ctx.sessions) as session:
        r = queries.recipient_by_name_or_id(session, str(ref))
        wanted = {}
        if name is not None:
            wanted["name"] = _name(name)
        if email is not None:
            wanted["email"] = _detail(email, "e-mail", MAX_EMAIL)
        if org is not None:
            wanted["org"] = _detail(org, "organisation", MAX_ORG)
        changed = {k: v for k, v in wanted.items() if getattr(r, k) != v}
        if not changed:
            raise BadInput(f"recipient {r.name!r} already has these details: nothing to change (give --name, --email or --org).")
        if "name" in changed:
            named = session.scalar(select(func.count()).select_from(Copy).where(Copy.recipient_id == r.id)) or session.scalar(
                select(func.count()).select_from(FindingScore).where(FindingScore.recipient_id == r.id)
            )
            if named:
                raise Conflict(
                    f"recipient {r.name!r} has copies or findings that name it, and their reports must keep saying what they said: "
                    "its name no longer changes (its e-mail and organisation still may)."
                )
            other = queries.find_recipient_by_name(session, changed["name"])
            if other is not None and other.id != r.id:
                raise Conflict(f"a recipient named {changed['name']!r} already exists.")
        before = {k: getattr(r, k) for k in changed}
        for k, v in changed.items():
            setattr(r, k, v)
        session.flush()
        audit.append(session, actor, "recipient.edit", "recipient", r.id, {"before": before, "after": changed})
        return _record(r)


def archive(ctx: Context, ref: str | int, *, reason: str, actor: str | None = None) -> records.Recipient:
    """Archive recipient ``ref`` (name or id), for ``reason`` (kept in its ``recipient.archive`` entry):
    it stays, and every trace of an asset it received still tests it, but no new share reaches it.
    Its portal closes: its pending invitations are cancelled (an ``invitation.cancel`` entry each),
    none can be made, and its users see their shares and receipts but download nothing (until
    :func:`restore`; the cancelled invitations stay cancelled).

    :class:`BadInput` without a reason; :class:`Conflict` when it is archived already."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise BadInput("say why the recipient is archived (--reason): it goes into the audit log.")
    with store_db.transaction(ctx.sessions) as session:
        r = queries.recipient_by_name_or_id(session, str(ref))
        if r.archived_at is not None:
            raise Conflict(f"recipient {r.name!r} is archived already (since {r.archived_at.isoformat()[:16]} UTC).")
        r.archived_at = now = utcnow()
        session.flush()
        audit.append(session, actor, "recipient.archive", "recipient", r.id, {"name": r.name, "reason": reason})
        pending = select(Invitation).where(
            Invitation.recipient_id == r.id, Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None), Invitation.expires_at > now
        )
        for invitation in session.scalars(pending.order_by(Invitation.id)).all():
            invitation.cancelled_at = now
            details = {"recipient_id": r.id, "email": invitation.email, "because": "recipient.archive"}
            audit.append(session, actor, "invitation.cancel", "invitation", invitation.id, details)
        session.flush()
        return _record(r)


def restore(ctx: Context, ref: str | int, *, actor: str | None = None) -> records.Recipient:
    """Bring archived recipient ``ref`` back into the forms, ``--to all`` and its groups (``recipient.restore``).

    :class:`Conflict` when it is not archived."""
    with store_db.transaction(ctx.sessions) as session:
        r = queries.recipient_by_name_or_id(session, str(ref))
        if r.archived_at is None:
            raise Conflict(f"recipient {r.name!r} is not archived.")
        r.archived_at = None
        session.flush()
        audit.append(session, actor, "recipient.restore", "recipient", r.id, {"name": r.name})
        return _record(r)


def get(ctx: Context, ref: str | int) -> records.Recipient:
    """Recipient ``ref`` (name or id), archived or not."""
    with ctx.sessions() as session:
        return _record(queries.recipient_by_name_or_id(session, str(ref)))


def list_all(ctx: Context, *, archived: bool | None = None) -> list[records.Recipient]:
    """Every recipient, oldest first; ``archived=False``: only those in use (what a form offers),
    ``True``: only the archived ones."""
    with ctx.sessions() as session:
        return [_record(r) for r in queries.list_recipients(session) if archived is None or (r.archived_at is not None) == archived]
