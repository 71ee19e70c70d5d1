"""Recipients: the people and organisations that receive fingerprinted copies.

A recipient is only ever added (its key reference fixes its fingerprints, and its scores and
shares name it): there is no update or removal. Each addition is an audit entry.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from leaktrace import records
from leaktrace.errors import BadInput, Conflict
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Recipient


def _record(r: Recipient) -> records.Recipient:
    """The interface record of a stored recipient (never its key reference)."""
    return records.Recipient(r.id, r.name, r.email, r.org, r.created_at.isoformat())


def add(ctx: Context, name: str, *, email: str | None = None, org: str | None = None, actor: str | None = None) -> records.Recipient:
    """Register a recipient; each gets a random key reference from which its fingerprints derive.

    Stored with its ``recipient.add`` audit entry (by ``actor``; the OS account for the CLI) in one transaction."""
    name = " ".join(name.split())
    if not name:
        raise BadInput("a recipient needs a name.")
    if name.isdigit():
        raise BadInput(f"recipient name {name!r} is a number; numbers are reserved for ids.")
    with store_db.transaction(ctx.sessions) as session:
        if session.scalar(select(Recipient).where(Recipient.name == name)) is not None:
            raise Conflict(f"a recipient named {name!r} already exists.")
        recipient = Recipient(name=name, email=email, org=org, key_ref=secrets.token_hex(16))
        session.add(recipient)
        session.flush()
        audit.append(session, actor, "recipient.add", "recipient", recipient.id, {"name": name, "email": email, "org": org})
        return _record(recipient)


def list_all(ctx: Context) -> list[records.Recipient]:
    """Every recipient, oldest first."""
    with ctx.sessions() as session:
        return [_record(r) for r in queries.list_recipients(session)]
