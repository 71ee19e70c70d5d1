"""Seals: each audit entry about a finding, share, case, asset or recipient carries the SHA-256 of
that whole record as stored, so an edit made straight in the database is named by ``audit verify``.

A record's canonical form is its row and its child rows (a finding's scores; a share's copies;
a case's events, remediation actions and responsible recipients), every column by name, values
as JSON (datetimes ISO 8601 UTC), children ordered by id, NULL columns left out (so a column a
later migration adds keeps old seals valid), serialised by :func:`leaktrace.store.audit.canonical_json`
and hashed. The seal of a record is the one in the *latest* entry about it: the record must
match it now, and a record no entry seals was inserted behind leaktrace's back. A record whose
latest seal says ``null`` was deleted by leaktrace; any other missing record was deleted by hand.

Changing a record that no longer matches its seal is refused before the change is written
(:func:`guard`, a ``before_flush`` hook every session of the store carries): a legitimate update
never re-seals, and so never launders, a forged row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from leaktrace.errors import EvidenceTampered
from leaktrace.store import models

__all__ = [
    "CREATES",
    "SEALED",
    "VERSION",
    "Breach",
    "cached_seal",
    "check_record",
    "digest",
    "guard",
    "install",
    "latest_seal",
    "latest_seals",
    "record_of",
    "scan",
    "seal",
]

VERSION = 1
#: record type → the audit actions that create such a record
CREATES: dict[str, tuple[str, ...]] = {
    "finding": ("trace",),
    "share": ("share",),
    "case": ("case.open",),
    "asset": ("asset.add",),
    "recipient": ("recipient.add",),
    "checkpoint": ("checkpoint",),
    "user": ("user.add",),
    "token": ("token.create",),
    "invitation": ("invitation.create",),
    "acceptance": ("terms.accept",),
    "receipt": ("portal.download",),
}


@dataclass(frozen=True)
class Kind:
    """How one kind of sealed record is stored: its table and its child tables (by foreign key);
    ``mutable``: the columns (by table name) that leaktrace legitimately changes after creation,
    left out of the record's *fixed* digest (``"*"``: all of that table's rows); ``volatile``:
    columns left out of every digest (bookkeeping no entry records, such as a token's last use)."""

    table: Table
    children: tuple[tuple[Table, str], ...] = ()
    mutable: dict[str, frozenset[str]] = field(default_factory=dict)
    volatile: frozenset[str] = frozenset()


# What may change once a record exists (``mutable``): a finding never changes; an asset only its title and archive; a share
# only as its copies are delivered; a case through its updates (its timeline only grows); a
# recipient's details; a user's role, password and state; a token's revocation; an invitation
# once, when it is accepted or cancelled. An acceptance of terms and a download's receipt never change.
SEALED: dict[str, Kind] = {
    "finding": Kind(models.Finding.__table__, ((models.FindingScore.__table__, "finding_id"),)),
    "share": Kind(models.Share.__table__, ((models.Copy.__table__, "share_id"),), mutable={"copies": frozenset({"delivered_at", "revoked_at"})}),
    "case": Kind(
        models.Case.__table__,
        (
            (models.CaseEvent.__table__, "case_id"),
            (models.RemediationAction.__table__, "case_id"),
            (models.CaseResponsible.__table__, "case_id"),
        ),
        mutable={
            "cases": frozenset({"status", "nda_ref", "penalty_minor", "penalty_currency", "updated_at"}),
            "case_events": frozenset({"*"}),
            "remediation_actions": frozenset({"*"}),
            "case_responsibles": frozenset({"*"}),
        },
    ),
    "asset": Kind(models.Asset.__table__, mutable={"assets": frozenset({"title", "archived_at"})}),
    "recipient": Kind(models.Recipient.__table__, mutable={"recipients": frozenset({"name", "email", "org", "archived_at"})}),
    "checkpoint": Kind(models.Checkpoint.__table__),  # a signed head the workspace issued: removing its row is seen
    # who may do what: a role raised or a token slipped in by hand is named like any forged record
    "user": Kind(models.User.__table__, mutable={"users": frozenset({"role", "disabled", "password_hash"})}),
    "token": Kind(models.Token.__table__, mutable={"tokens": frozenset({"revoked"})}, volatile=frozenset({"last_used_at"})),
    "invitation": Kind(models.Invitation.__table__, mutable={"invitations": frozenset({"accepted_at", "user_id", "cancelled_at"})}),
    "acceptance": Kind(models.Acceptance.__table__),
    "receipt": Kind(models.Receipt.__table__),
}

#: mapped class → (record type, attribute holding the record's id)
_OWNERS: dict[type, tuple[str, str]] = {
    models.Finding: ("finding", "id"),
    models.FindingScore: ("finding", "finding_id"),
    models.Share: ("share", "id"),
    models.Copy: ("share", "share_id"),
    models.Case: ("case", "id"),
    models.CaseEvent: ("case", "case_id"),
    models.RemediationAction: ("case", "case_id"),
    models.CaseResponsible: ("case", "case_id"),
    models.Asset: ("asset", "id"),
    models.Recipient: ("recipient", "id"),
    models.Checkpoint: ("checkpoint", "id"),
    models.User: ("user", "id"),
    models.Token: ("token", "id"),
    models.Invitation: ("invitation", "id"),
    models.Acceptance: ("acceptance", "id"),
    models.Receipt: ("receipt", "id"),
}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(mapping: Any, volatile: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {k: _value(v) for k, v in mapping.items() if v is not None and k not in volatile}


def _canonical(kind: str, row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> str:
    from leaktrace.store.audit import canonical_json

    return canonical_json({"v": VERSION, "type": kind, "row": row, "children": children})


def _fixed(kind: str, row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> str:
    """The canonical form of what of the record never changes once it exists."""
    spec = SEALED[kind]
    keep = spec.mutable.get(spec.table.name, frozenset())
    fixed_children = {
        name: [{k: v for k, v in r.items() if k not in spec.mutable.get(name, frozenset())} for r in rows]
        for name, rows in children.items()
        if "*" not in spec.mutable.get(name, frozenset())
    }
    return _canonical(kind, {k: v for k, v in row.items() if k not in keep}, fixed_children)


def _parts(kind: str, row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> tuple[str, str]:
    """(full digest, fixed digest) of a record's row and children."""
    return _hash(_canonical(kind, row, children)), _hash(_fixed(kind, row, children))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_of(session: Session, kind: str, record_id: object) -> str | None:
    """The canonical form of record ``kind`` ``record_id`` as stored now (None: no such row).

    Read with Core statements on the session's connection: what the database holds in this
    transaction, not what the session has cached."""
    loaded = _load(session, kind, record_id)
    return None if loaded is None else _canonical(kind, *loaded)


#: ``session.info`` key a migration sets: the tables are read with the columns the database has at
#: that revision (a later revision's columns do not exist yet; a NULL column is left out of the
#: canonical form anyway, so the digest is the same once they are added).
MIGRATING = "leaktrace.seals.migrating"


def _selectable(session: Session, table: Any) -> Any:
    if not session.info.get(MIGRATING):
        return select(table)
    present = session.info.setdefault(f"{MIGRATING}.{table.name}", {c["name"] for c in sa_inspect(session.connection()).get_columns(table.name)})
    return select(*[c for c in table.c if c.name in present])


def _load(session: Session, kind: str, record_id: object) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]] | None:
    """(row, children) of record ``kind`` ``record_id`` as stored now, or None."""
    spec = SEALED[kind]
    if not str(record_id).isdigit():
        return None
    connection = session.connection()
    key = int(str(record_id))
    row = connection.execute(_selectable(session, spec.table).where(spec.table.c.id == key)).mappings().first()
    if row is None:
        return None
    children = {
        table.name: [
            _row(r, spec.volatile) for r in connection.execute(_selectable(session, table).where(table.c[fk] == key).order_by(table.c.id)).mappings()
        ]
        for table, fk in spec.children
    }
    return _row(row, spec.volatile), children


def seal(session: Session, kind: str, record_id: object) -> dict[str, Any]:
    """The seal an entry about record ``kind`` ``record_id`` carries: the digests of the whole record
    and of its fixed part as stored now (``sha256`` None: there is no such record)."""
    loaded = _load(session, kind, record_id)
    if loaded is None:
        return {"v": VERSION, "sha256": None}
    full, fixed = _parts(kind, *loaded)
    return {"v": VERSION, "sha256": full, "fixed": fixed}


def digest(session: Session, kind: str, record_id: object) -> str | None:
    """The SHA-256 (hex) of record ``kind`` ``record_id`` as stored now; None when there is no such row."""
    return cached_seal(session, kind, record_id)["sha256"]


def cached_seal(session: Session, kind: str, record_id: object) -> dict[str, Any]:
    """:func:`seal`, remembered for the rest of the transaction until a flush changes the record
    (so the hundred ``copy.deliver`` entries of one delivery read the share once, not a hundred times)."""
    if not session.info.get(GUARDED):  # no guard forgets what a flush changes: read it every time
        return seal(session, kind, record_id)
    cache = session.info.setdefault(_DIGESTS, {})
    key = (kind, str(record_id))
    if key not in cache:
        cache[key] = seal(session, kind, record_id)
    return dict(cache[key])


def _digest_now(session: Session, kind: str, record_id: object) -> str | None:
    return seal(session, kind, record_id)["sha256"]


def _all_digests(session: Session, kind: str) -> dict[str, str]:
    """Every record of ``kind`` → its digest, in a few statements (one per table)."""
    spec = SEALED[kind]
    connection = session.connection()
    rows = {str(r["id"]): _row(r, spec.volatile) for r in connection.execute(select(spec.table).order_by(spec.table.c.id)).mappings()}
    children: dict[str, dict[str, list[dict[str, Any]]]] = {rid: {t.name: [] for t, _ in spec.children} for rid in rows}
    for table, fk in spec.children:
        for r in connection.execute(select(table).order_by(table.c.id)).mappings():
            owner = str(r[fk])
            if owner in children:
                children[owner][table.name].append(_row(r, spec.volatile))
            else:  # a child row whose record is gone: it seals nothing, so report it through its owner
                children.setdefault(owner, {t.name: [] for t, _ in spec.children})[table.name].append(_row(r, spec.volatile))
    return {rid: _hash(_canonical(kind, rows[rid], children[rid])) if rid in rows else "orphan" for rid in children}


def seal_of(details: Any) -> tuple[bool, str | None]:
    """(whether ``details`` carry a seal, the sealed digest or None for a deleted record)."""
    if isinstance(details, dict) and isinstance(details.get("seal"), dict) and "sha256" in details["seal"]:
        return True, details["seal"]["sha256"]
    return False, None


def latest_seals(entries: Iterable[models.AuditEntry]) -> dict[tuple[str, str], tuple[int, str | None]]:
    """(record type, id) → (id of the latest entry sealing it, its digest or None), from ``entries`` in id order."""
    out: dict[tuple[str, str], tuple[int, str | None]] = {}
    for entry in entries:
        if entry.subject_type not in SEALED or entry.subject_id is None:
            continue
        try:
            details = json.loads(entry.details)
        except ValueError:
            continue
        sealed, value = seal_of(details)
        if sealed:
            out[(entry.subject_type, entry.subject_id)] = (entry.id, value)
    return out


@dataclass(frozen=True)
class Breach:
    """A record that does not match its seal: which one, the entry that sealed it, what happened."""

    kind: str
    record_id: str
    entry_id: int | None
    problem: str  # edited | removed | inserted
    reason: str

    @property
    def record(self) -> str:
        return f"{self.kind} {self.record_id}"


def _refixed(entries: Iterable[models.AuditEntry]) -> Iterator[Breach]:
    """Records re-sealed with a different fixed part: what never changes once a record exists was
    changed, and an entry appended to seal the change (by someone who can write the database)."""
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for entry in entries:
        if entry.subject_type not in SEALED or entry.subject_id is None:
            continue
        try:
            details = json.loads(entry.details)
        except ValueError:
            continue
        stamp = details.get("seal") if isinstance(details, dict) else None
        if not isinstance(stamp, dict) or stamp.get("sha256") is None or "fixed" not in stamp:
            continue
        key = (entry.subject_type, entry.subject_id)
        if key not in first:
            first[key] = (entry.id, stamp["fixed"])
        elif first[key][1] != stamp["fixed"]:
            kind, rid = key
            yield Breach(
                kind,
                rid,
                entry.id,
                "edited",
                f"{kind} {rid} was re-sealed by audit entry {entry.id} with content that never changes once stored, "
                f"unlike when audit entry {first[key][0]} sealed it.",
            )


def scan(session: Session, entries: list[models.AuditEntry]) -> Iterator[Breach]:
    """Every sealed record that no longer matches the latest seal of it in ``entries`` (a verified
    chain), or whose unchanging part differs between two of its seals."""
    yield from _refixed(entries)
    seals = latest_seals(entries)
    for kind in SEALED:
        stored = _all_digests(session, kind)
        for rid, value in sorted(stored.items(), key=lambda kv: (len(kv[0]), kv[0])):
            entry_id, sealed = seals.get((kind, rid), (None, None))
            if value == "orphan":
                yield Breach(kind, rid, entry_id, "inserted", f"{kind} {rid} has rows in the database but no record (inserted by hand).")
            elif entry_id is None:
                yield Breach(kind, rid, None, "inserted", f"{kind} {rid} was inserted outside leaktrace: no audit entry seals it.")
            elif sealed is None:
                yield Breach(kind, rid, entry_id, "inserted", f"{kind} {rid} was deleted by audit entry {entry_id} but is in the database again.")
            elif sealed != value:
                yield Breach(kind, rid, entry_id, "edited", f"{kind} {rid} was changed after audit entry {entry_id} sealed it.")
        for (k, rid), (entry_id, sealed) in seals.items():
            if k == kind and sealed is not None and rid not in stored:
                yield Breach(kind, rid, entry_id, "removed", f"{kind} {rid} was removed from the database; audit entry {entry_id} sealed it.")


def check_record(session: Session, kind: str, record_id: object) -> Breach | None:
    """Whether record ``kind`` ``record_id`` matches its latest seal now (None when it does)."""
    rid = str(record_id)
    sealed = latest_seal(session, kind, rid)
    value = _digest_now(session, kind, rid)  # before_flush reads the record as it was: never cache that
    if sealed is None:
        if value is None:
            return None
        return Breach(kind, rid, None, "inserted", f"{kind} {rid} was inserted outside leaktrace: no audit entry seals it.")
    entry_id, expected = sealed
    if expected == value:
        return None
    if value is None:
        return Breach(kind, rid, entry_id, "removed", f"{kind} {rid} was removed from the database; audit entry {entry_id} sealed it.")
    if expected is None:
        return Breach(kind, rid, entry_id, "inserted", f"{kind} {rid} was deleted by audit entry {entry_id} but is in the database again.")
    return Breach(kind, rid, entry_id, "edited", f"{kind} {rid} was changed after audit entry {entry_id} sealed it.")


def latest_seal(session: Session, kind: str, rid: str) -> tuple[int, str | None] | None:
    table = models.AuditEntry.__table__
    query = select(table.c.id, table.c.details).where(table.c.subject_type == kind, table.c.subject_id == rid).order_by(table.c.id.desc())
    for entry_id, details in session.connection().execute(query):
        try:
            sealed, value = seal_of(json.loads(details))
        except ValueError:
            continue
        if sealed:
            return entry_id, value
    return None


# ----------------------------------------------------------------------------- the guard

CHECKED = "leaktrace_seals_checked"  # Session.info: records checked (or created) in this transaction
_DIGESTS = "leaktrace_seal_digests"
#: ``Session.info`` key of the sessions that carry the guard (see :func:`install`)
GUARDED = "leaktrace_sealed"


def _touched(session: Session) -> set[tuple[str, str]]:
    """The sealed records this flush will change (existing ones: new rows have nothing to check
    unless their id was sealed before)."""
    out: set[tuple[str, str]] = set()
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        owner = _OWNERS.get(type(obj))
        if owner is None:
            continue
        kind, attribute = owner
        record_id = getattr(obj, attribute, None)
        if record_id is None and attribute != "id":
            parent = getattr(obj, {"finding_id": "finding", "share_id": "share", "case_id": "case"}[attribute], None)
            record_id = getattr(parent, "id", None)
        if record_id is not None and (obj not in session.dirty or session.is_modified(obj)):
            out.add((kind, str(record_id)))
    return out


def guard(session: Session, flush_context: Any, instances: Any) -> None:
    """``before_flush``: refuse to change a sealed record that no longer matches its seal, or to
    reuse the id of one that was removed behind leaktrace's back."""
    checked = session.info.setdefault(CHECKED, set())
    touched = _touched(session)
    cache = session.info.get(_DIGESTS)
    if cache:
        for key in touched:
            cache.pop(key, None)
    for kind, rid in sorted(touched - checked):
        checked.add((kind, rid))
        breach = check_record(session, kind, rid)
        if breach is not None:
            raise EvidenceTampered(f"{breach.reason} Nothing was changed; run 'leaktrace audit verify'.")


def _created(session: Session, flush_context: Any) -> None:
    """``after_flush``: records created in this transaction are sealed by their own entry, not checked."""
    checked = session.info.setdefault(CHECKED, set())
    for obj in session.new:
        owner = _OWNERS.get(type(obj))
        if owner is not None and owner[1] == "id" and obj.id is not None:
            checked.add((owner[0], str(obj.id)))


def install(factory: Any) -> None:
    """Give every session of ``factory`` (a sessionmaker made with ``info={GUARDED: True}``) the :func:`guard`."""
    event.listen(factory, "before_flush", guard)
    event.listen(factory, "after_flush", _created)
    event.listen(factory, "after_commit", _forget)
    event.listen(factory, "after_rollback", _forget)


def _forget(session: Session) -> None:
    session.info.pop(CHECKED, None)
    session.info.pop(_DIGESTS, None)


def backfill(session: Session, *, actor: str) -> int:
    """Seal, as they are found now, the records that no audit entry seals yet (a store made before
    seals existed): one ``seal`` entry each, inside the caller's transaction. Returns how many.

    The seal then proves only that the record has not changed since the upgrade; what it was
    before is vouched for by the entries of the chain that already named it."""
    from leaktrace.store import audit

    entries = list(session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.id)))
    sealed = latest_seals(entries)
    count = 0
    present = set(sa_inspect(session.connection()).get_table_names())  # a migration's revision may predate a kind's table
    for kind, spec in SEALED.items():
        if spec.table.name not in present:
            continue
        for (record_id,) in session.connection().execute(select(spec.table.c.id).order_by(spec.table.c.id)):
            if (kind, str(record_id)) not in sealed:
                audit.append(
                    session, actor=actor, action="seal", subject=(kind, record_id), details={"reason": "sealed as found when seals were introduced"}
                )
                count += 1
    return count
