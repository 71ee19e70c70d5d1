"""The audit log: an append-only chain of entries, each sealed by a SHA-256 over its content.

An entry about a finding, share, case, asset or recipient also carries, in ``details["seal"]``,
the SHA-256 of that whole record as stored (see :mod:`leaktrace.store.seals`), and
:func:`verify` checks every such record against its latest seal after the chain itself.

Entry ``n`` stores ``prev_hash`` (entry ``n-1``'s hash, or 64 zeros for the first) and
``hash = SHA-256(canonical JSON of {id, at, actor, action, subject, details, prev_hash})``.
Editing, removing, reordering or inserting an entry breaks the chain, and
:func:`verify` names the first entry where it breaks and why. The chain's head
(last id and hash) is also kept in the ``meta`` table, so cutting entries off the
end is detected too.

Appends happen inside the caller's transaction, so an entry is written if and only if
the change it records is. Writers are serialised: SQLite transactions start with
``BEGIN IMMEDIATE`` (see :mod:`leaktrace.store.db`); on PostgreSQL they hold the store's
transaction-level advisory write lock. ``prev_hash`` is unique, so even without the lock the chain cannot fork.

>>> from leaktrace.store.db import make_engine, session_factory, transaction
>>> from leaktrace.store.models import Base
>>> engine = make_engine("sqlite://")
>>> Base.metadata.create_all(engine)
>>> Session = session_factory(engine)
>>> with transaction(Session) as session:
...     first = append(session, actor="ana", action="share", subject=("share", 1), details={"asset_id": 3})
...     second = append(session, actor="ana", action="trace", subject=("finding", 1))
>>> (first.id, second.id, second.prev_hash == first.hash)
(1, 2, True)
>>> with Session() as session:
...     verify(session)
Check(ok=True, entries=2, bad_id=None, problem=None, reason='', record=None, records=2)
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from leaktrace.errors import EvidenceTampered
from leaktrace.store import seals
from leaktrace.store.db import WRITE_LOCK_KEY
from leaktrace.store.models import AuditEntry, Meta, utcnow

__all__ = ["GENESIS", "Check", "append", "canonical_json", "entry_hash", "latest", "verify", "verify_chain"]

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
_PG_LOCK = WRITE_LOCK_KEY  # every write transaction of make_engine's holds it already; taken again (re-entrant) for any other engine


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept, no NaN: the same bytes for the same content.

    >>> canonical_json({"b": 1, "a": [1.5, None, "é"]})
    '{"a":[1.5,null,"é"],"b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(
    *, id: int, at: datetime, actor: str, action: str, subject_type: str | None, subject_id: str | None, details: Any, prev_hash: str
) -> str:
    """The SHA-256 hex digest that seals one entry."""
    body = {
        "id": id,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "subject": {"type": subject_type, "id": subject_id},
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as plain JSON data (non-finite floats become None, tuples lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})


def latest(session: Session) -> AuditEntry | None:
    """The newest entry, or None."""
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()


def append(session: Session, *, actor: str, action: str, subject: tuple[str, object] | None = None, details: dict | None = None) -> AuditEntry:
    """Add an entry at the end of the chain, inside the session's (write) transaction."""
    _lock(session)
    session.flush()
    last = latest(session)
    details = _plain(details or {})
    subject_type, subject_id = (None, None) if subject is None else (subject[0], str(subject[1]))
    if subject_type in seals.SEALED and subject_id is not None:
        details["seal"] = _seal(session, action, subject_type, subject_id)
    fields = dict(
        id=1 if last is None else last.id + 1,
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        prev_hash=GENESIS if last is None else last.hash,
    )
    entry = AuditEntry(**fields, details=canonical_json(details), hash=entry_hash(**fields, details=details))
    session.add(entry)
    head = session.get(Meta, HEAD_KEY)
    value = f"{entry.id}:{entry.hash}"
    if head is None:
        session.add(Meta(key=HEAD_KEY, value=value))
    else:
        head.value = value
    session.flush()
    return entry


def _seal(session: Session, action: str, kind: str, record_id: str) -> dict:
    """The seal of record ``kind`` ``record_id`` as it now stands in this transaction.

    A record created by ``action`` must not reuse the number of one removed behind leaktrace's
    back; any other entry about a record this transaction did not change must find it as its
    latest seal left it — an entry never re-seals, and so never launders, a forged record."""
    if action in seals.CREATES.get(kind, ()):
        before = seals.latest_seal(session, kind, record_id)
        if before is not None and before[1] is not None:
            raise EvidenceTampered(
                f"{kind} {record_id} was removed from the database outside leaktrace (audit entry {before[0]} sealed it); "
                "nothing was stored; run 'leaktrace audit verify'."
            )
    elif action == "seal":  # sealing as found is for records made before seals existed, once
        before = seals.latest_seal(session, kind, record_id)
        if before is not None:
            raise EvidenceTampered(f"{kind} {record_id} is sealed already (audit entry {before[0]}); it is never sealed as found again.")
    elif (kind, record_id) not in session.info.get(seals.CHECKED, ()):
        breach = seals.check_record(session, kind, record_id)
        if breach is not None:
            raise EvidenceTampered(f"{breach.reason} Nothing was recorded; run 'leaktrace audit verify'.")
    return seals.cached_seal(session, kind, record_id)


@dataclass(frozen=True)
class Check:
    """The result of :func:`verify`: ok, or the first bad entry's id, what is wrong (``problem``:
    edited, removed, reordered or inserted) and a one-line ``reason``."""

    ok: bool
    entries: int
    bad_id: int | None = None
    problem: str | None = None
    reason: str = ""
    record: str | None = None  # "finding 3": the sealed record that fails, when one does
    records: int = 0  # sealed records checked


def _recompute(entry: AuditEntry, *, id: int | None = None) -> str | None:
    try:
        details = json.loads(entry.details)
    except (TypeError, ValueError):
        return None
    return entry_hash(
        id=entry.id if id is None else id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        details=details,
        prev_hash=entry.prev_hash,
    )


def verify(session: Session) -> Check:
    """The chain (:func:`verify_chain`), then every sealed record against its latest seal."""
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    check = verify_chain(session, entries)
    return check if not check.ok else _check_records(session, entries)


def verify_chain(session: Session, entries: list[AuditEntry] | None = None) -> Check:
    """Walk the chain from the first entry; stop at the first one that does not hold."""
    if entries is None:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    by_hash = {e.hash: e for e in entries}
    prev: AuditEntry | None = None
    for entry in entries:
        expected_id = 1 if prev is None else prev.id + 1
        expected_prev = GENESIS if prev is None else prev.hash
        if entry.id != expected_id:
            return Check(
                False, len(entries), expected_id, "removed", f"audit entry {expected_id} is missing (removed): the log jumps to entry {entry.id}."
            )
        sealed = _recompute(entry) == entry.hash
        if not sealed:
            return _unsealed(entry, prev, entries, by_hash)
        if entry.prev_hash != expected_prev:
            assert prev is not None  # the first entry's prev_hash is sealed and GENESIS, or it failed above
            return Check(
                False, len(entries), prev.id, "edited", f"audit entry {prev.id} was edited: entry {entry.id} was chained to a different hash."
            )
        prev = entry
    return _check_head(session, entries, prev)


def _unsealed(entry: AuditEntry, prev: AuditEntry | None, entries: list[AuditEntry], by_hash: dict) -> Check:
    """Why an entry's hash no longer matches it: moved to another id, or its content changed."""
    n = len(entries)
    hint = 1 if entry.prev_hash == GENESIS else (by_hash[entry.prev_hash].id + 1 if entry.prev_hash in by_hash else None)
    candidates = ([hint] if hint else []) + list(range(1, n + 2))
    origin = next((i for i in candidates if i != entry.id and _recompute(entry, id=i) == entry.hash), None)
    if origin is None:
        return Check(False, n, entry.id, "edited", f"audit entry {entry.id} was edited: its content no longer matches its hash.")
    if origin == entry.id - 1 and prev is not None and entry.prev_hash != prev.hash:
        return Check(False, n, prev.id, "inserted", f"audit entry {prev.id} was inserted: entry {entry.id} was written as entry {origin}.")
    if origin > entry.id and entry.prev_hash != GENESIS and entry.prev_hash not in by_hash:
        return Check(
            False,
            n,
            entry.id,
            "removed",
            f"an audit entry before entry {entry.id} was removed and the log renumbered: it was written as entry {origin}.",
        )
    return Check(False, n, entry.id, "reordered", f"audit entry {entry.id} was reordered: it was written as entry {origin}.")


def _check_head(session: Session, entries: list[AuditEntry], last: AuditEntry | None) -> Check:
    head = session.get(Meta, HEAD_KEY)
    if head is None:
        if last is None:
            return Check(True, 0)
        return Check(False, len(entries), 1, "inserted", "audit entries exist but the log's head was never recorded (inserted).")
    head_id, _, head_hash = head.value.partition(":")
    head_number = int(head_id) if head_id.isdigit() else 0
    last_id = 0 if last is None else last.id
    if head_number > last_id:
        return Check(
            False, len(entries), last_id + 1, "removed", f"audit entries {last_id + 1} to {head_number} were removed from the end of the log."
        )
    if head_number < last_id:
        return Check(
            False, len(entries), head_number + 1, "inserted", f"audit entries {head_number + 1} to {last_id} were inserted after the log's head."
        )
    if last is not None and last.hash != head_hash:
        return Check(False, len(entries), last.id, "edited", f"audit entry {last.id} was edited: it is not the recorded head of the log.")
    return Check(True, len(entries))


def _check_records(session: Session, entries: list[AuditEntry]) -> Check:
    """Every sealed record against its latest seal (the chain has been verified)."""
    for breach in seals.scan(session, entries):
        return Check(False, len(entries), breach.entry_id, breach.problem, breach.reason, breach.record)
    return Check(True, len(entries), records=len(seals.latest_seals(entries)))
