"""The audit trail: who shared, traced, reported, changed a case, logged in, exported the key.

Services that change something append their entry with :func:`append` inside their own
transaction (the entry exists if and only if the change does). Code outside a service
transaction — the report glue, the web app's login — calls :func:`record`.

An act done with a token that an admin minted for someone else is that someone's act (the actor)
but names the admin too: the web app opens an :func:`attribution` scope per request, the token's
check (:func:`leaktrace.services.users.user_for_token`) calls :func:`attribute`, and every entry
appended in the scope carries ``via_token`` and ``token_minted_by`` in its details.
"""

from __future__ import annotations

import json
import os
import pwd
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import Session

from leaktrace import records
from leaktrace.errors import BadInput, EvidenceTampered
from leaktrace.services.context import Context
from leaktrace.store import audit as chain
from leaktrace.store import db as store_db
from leaktrace.store import queries, seals
from leaktrace.store.models import AuditEntry

#: The actions the trail records (``subject_type`` in brackets).
ACTIONS = (
    "workspace.init",  # (key) a workspace created, with its master key's fingerprint
    "asset.add",  # (asset) an original registered, with its SHA-256
    "asset.edit",  # (asset) its title changed: before and after
    "asset.archive",
    "asset.restore",  # (asset) hidden from the forms and refused to share (still traced), and back
    "recipient.add",
    "recipient.update",
    "recipient.remove",  # (recipient)
    "recipient.edit",  # (recipient) its name, e-mail or organisation changed: each field before and after
    "recipient.archive",
    "recipient.restore",  # (recipient) offered to no new share, with a reason; and back
    "group.create",
    "group.add",
    "group.remove",
    "group.archive",  # (group) a named set of recipients made, members added and removed, retired
    "share",  # (share) copies made and sent
    "copy.deliver",  # (share) a retained copy handed over once to the share's sender
    "copy.download",  # (share) a retained copy downloaded again, with a reason
    "copy.regenerate",  # (share) a copy re-made from the key and the original, with a reason
    "copy.discard",  # (share) delivered copies removed from the blob store
    "blob.collect",  # (none) stored files no record names, removed by doctor --repair: count and bytes
    "trace",  # (finding) a leak traced and its finding stored
    "report",  # (finding) an evidence report rendered
    "case.open",
    "case.update",  # (case)
    "reminder.sent",  # (none) the due remediation actions e-mailed: to whom, which actions
    "login",
    "login.failed",
    "logout",  # (user) a web session begun and ended (``session``: its login entry), a failed login
    "user.unlock",  # (user) an admin lifted a lockout after failed logins
    "key.export",
    "key.import",
    "key.split",  # (key)
    "checkpoint",  # (checkpoint) a signed head of this log issued
    "seal",  # (any sealed record) a record made before sealing, sealed as found
    "user.add",
    "user.update",
    "token.create",
    "token.revoke",  # (user / token)
    "invitation.create",
    "invitation.accept",  # (invitation) a recipient's user invited, and made when the link was used
    "invitation.cancel",  # (invitation) a pending invitation ended: its link opens nothing
    "invitation.email",  # (invitation) its link e-mailed to the invitee (the address, never the link)
    "terms.accept",  # (acceptance) a recipient's user accepted a share's terms
    "portal.download",  # (receipt) a copy made for a recipient at download time and handed to their user
    "share.revoke",  # (share) the portal stops serving some or all of a share's copies
)


#: What the current scope (one web request) adds to the details of each entry appended in it; None outside one.
#: A dict, filled in place: a request's dependencies and route run in threads on copies of the context.
_attributed: ContextVar[dict | None] = ContextVar("leaktrace_audit_attributed", default=None)


@contextmanager
def attribution() -> Iterator[dict]:
    """A scope (one web request, around its dependencies and route) whose entries carry what :func:`attribute` adds."""
    token = _attributed.set({})
    try:
        yield _attributed.get()
    finally:
        _attributed.reset(token)


def attribute(**details: object) -> None:
    """Add ``details`` to every entry appended from now on in the current :func:`attribution` scope (none: nothing)."""
    scope = _attributed.get()
    if scope is not None:
        scope.update(details)


def default_actor() -> str:
    """Who runs this process, for entries made from the command line or the Python API: the
    operating-system account and the host, ``user@host``. Read from the process's user id, never
    from ``LOGNAME``/``USER`` (an environment variable does not choose who is recorded)."""
    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, OSError):
        user = f"uid{os.geteuid()}"
    return f"{user}@{socket.gethostname() or 'localhost'}"


def append(
    session: Session, actor: str | None, action: str, subject_type: str | None = None, subject_id: object = None, details: dict | None = None
) -> AuditEntry:
    """Append an entry inside ``session``'s transaction (the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to ACTIONS")
    subject = None if subject_type is None else (subject_type, subject_id)
    extra = _attributed.get()
    if extra:
        details = {**(details or {}), **extra}
    return chain.append(session, actor=actor or default_actor(), action=action, subject=subject, details=details)


def record(
    ctx: Context,
    *,
    actor: str | None,
    action: str,
    subject_type: str | None = None,
    subject_id: object = None,
    details: dict | None = None,
    session: Session | None = None,
) -> records.AuditEntry:
    """Record an entry: in ``session``'s transaction if given, else in a transaction of its own."""
    if session is not None:
        return _entry(append(session, actor, action, subject_type, subject_id, details))
    with store_db.transaction(ctx.sessions) as own:
        return _entry(append(own, actor, action, subject_type, subject_id, details))


def _entry(e: AuditEntry) -> records.AuditEntry:
    """The interface record of a stored entry; details that no longer parse as JSON are shown as
    stored (``verify`` names the entry)."""
    try:
        details = json.loads(e.details)
    except ValueError:
        details = e.details
    return records.AuditEntry(e.id, e.at.isoformat(), e.actor, e.action, e.subject_type, e.subject_id, details, e.prev_hash, e.hash)


def list_entries(ctx: Context, *, limit: int | None = None) -> list[records.AuditEntry]:
    """The newest ``limit`` entries (all by default), newest first."""
    if limit is not None and limit < 1:
        raise BadInput(f"--limit must be at least 1, not {limit}.")
    with ctx.sessions() as session:
        return [_entry(e) for e in queries.list_audit(session, limit=limit)]


def verify(ctx: Context) -> records.AuditCheck:
    """Check the whole chain: ok, or the first bad entry's id, what is wrong and why; and the head."""
    from leaktrace.services import checkpoints  # it records its own entries through this module

    with ctx.sessions() as session:
        check = chain.verify(session)
        last = chain.latest(session)
    if check.ok:
        rewritten = checkpoints.check_stored(ctx)
        if rewritten is not None:
            check = chain.Check(False, check.entries, None, "rewritten", rewritten, None, check.records)
    return records.AuditCheck(
        check.ok,
        check.entries,
        check.bad_id,
        check.problem,
        check.reason,
        None if last is None else records.AuditHead(last.id, last.hash),
        check.record,
        check.records,
    )


def check_seal(ctx: Context, subject_type: str, subject_id: object) -> None:
    """Refuse (:class:`EvidenceTampered`, one line) when record ``subject_type`` ``subject_id`` no
    longer matches its latest seal in the audit log, or the chain that holds the seal is broken:
    nothing is built on a record that was changed behind leaktrace's back."""
    with ctx.sessions() as session:
        chain_check = chain.verify_chain(session)
        if not chain_check.ok:
            raise EvidenceTampered(f"the audit log does not verify ({chain_check.reason}); nothing is issued from it.")
        breach = seals.check_record(session, subject_type, subject_id)
    if breach is not None:
        raise EvidenceTampered(f"{breach.reason} Nothing is issued from it; run 'leaktrace audit verify'.")
