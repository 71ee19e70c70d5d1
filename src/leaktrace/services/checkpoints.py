"""Signed checkpoints of the audit log, in the manner of Certificate Transparency's signed tree heads.

The log is a Merkle tree (:mod:`leaktrace.core.merkle`) over the audit entries' hashes in id
order. A *checkpoint* is its size, root and time, signed with the workspace's **log key**: an
Ed25519 key of its own (``HOME/audit.key``, 32 raw bytes, mode 0600), separate from the master
key, whose public half is also kept in the ``meta`` table. The key is made at ``init`` (and, for
a workspace made before, on first use).

A checkpoint is meant to leave the machine: exported as its JSON (``audit checkpoint --out``, or
every one into the ``checkpoint_dir`` setting's folder), printed in every evidence report, kept
by legal. Whoever holds one can later ask :func:`verify_against` whether today's log *extends*
it — an RFC 9162 consistency proof from its root to today's. Rewriting an entry the checkpoint
covers changes the root of the first ``tree_size`` entries, and no proof bridges the two roots,
so the rewrite is detected even when it recomputes every hash of the chain and is done by
someone who holds the log key and signs new checkpoints over the rewritten log: the older one
still says what the log was. Removing entries below the checkpoint's size is detected too.

Issuing a checkpoint is itself an audit entry (action ``checkpoint``), appended *after* the head
it signs: a checkpoint of ``n`` entries covers entries 1 to ``n``, and its own entry is ``n + 1``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from leaktrace import records
from leaktrace.atomic import write_atomic
from leaktrace.core import merkle
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, EvidenceTampered, KeyProblem, NotFound
from leaktrace.services import audit
from leaktrace.services.context import Context, write_secret
from leaktrace.store import audit as chain
from leaktrace.store import db as store_db
from leaktrace.store.models import AuditEntry, Meta, utcnow
from leaktrace.store.models import Checkpoint as CheckpointRow

__all__ = [
    "LOG_KEY_FILE",
    "check_stored",
    "ensure_key",
    "for_report",
    "latest",
    "from_dict",
    "inclusion",
    "inclusion_holds",
    "issue",
    "load",
    "save",
    "verify_against",
]

LOG_KEY_FILE = "audit.key"
PUBLIC_KEY = "audit_log_public_key"  # meta: base64 of the raw Ed25519 public key
_SEED_BYTES = 32
_MAX_FILE = 64 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")


# ------------------------------------------------------------------------------------ the log key


def key_path(home: Path) -> Path:
    """Where the workspace at ``home`` keeps its log signing key."""
    return home / LOG_KEY_FILE


def ensure_key(home: Path, sessions) -> None:
    """Make the log key (0600) and remember its public half, unless the workspace has them."""
    _signing_key(home, sessions)


def _signing_key(home: Path, sessions) -> Ed25519PrivateKey:
    """The log key: read (refused if readable by others, malformed, or not this log's), or made."""
    path = key_path(home)
    stored = _stored_public_key(sessions)
    if not path.exists():
        if stored is not None:
            raise KeyProblem(
                f"{path}: the audit log's signing key is missing; restore it from its backup "
                "(checkpoints already issued still verify, but no new one can be signed)."
            )
        try:
            write_secret(path, Ed25519PrivateKey.generate().private_bytes_raw())
        except FileExistsError:  # another process made it first
            pass
    key = _read_key(path)
    public = _b64(key.public_key().public_bytes_raw())
    if stored is None:
        with store_db.transaction(sessions) as session:
            row = session.get(Meta, PUBLIC_KEY)
            if row is None:
                session.add(Meta(key=PUBLIC_KEY, value=public))
            stored = public if row is None else row.value
    if stored != public:
        raise KeyProblem(f"{path}: this signing key (key id {_key_id(public)[:16]}) is not this audit log's (key id {_key_id(stored)[:16]}).")
    return key


def _read_key(path: Path) -> Ed25519PrivateKey:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyProblem(f"{path}: the audit log's signing key is readable by others (mode {mode:04o}); run 'chmod 600 {path}'.")
    raw = path.read_bytes()
    if len(raw) != _SEED_BYTES:
        raise KeyProblem(f"{path}: the audit log's signing key must be {_SEED_BYTES} bytes, found {len(raw)}.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _stored_public_key(sessions) -> str | None:
    with sessions() as session:
        row = session.get(Meta, PUBLIC_KEY)
        return None if row is None else row.value


def _public_key(ctx: Context) -> str:
    """This log's public key (base64), made with the key if the workspace has none yet."""
    stored = _stored_public_key(ctx.sessions)
    if stored is None:
        return _b64(_signing_key(ctx.home, ctx.sessions).public_key().public_bytes_raw())
    return stored


def _known_public_key(ctx: Context) -> str | None:
    """This log's public key as the workspace knows it, writing nothing: the stored one, else the key
    file's (a workspace made before the public key was stored), else None (it never had a log key)."""
    stored = _stored_public_key(ctx.sessions)
    if stored is not None or not key_path(ctx.home).exists():
        return stored
    return _b64(_read_key(key_path(ctx.home)).public_key().public_bytes_raw())


def _log_id(ctx: Context) -> str:
    from leaktrace.services import meta

    return meta.stored_fingerprint(ctx.sessions) or key_fingerprint(ctx.master_key)


# ------------------------------------------------------------------------------------ issuing


def _leaves(entries: list[AuditEntry]) -> list[bytes]:
    """The tree's leaves: each entry's hash as bytes (a hash that is not hex, as its text: it still counts)."""
    out = []
    for e in entries:
        try:
            out.append(bytes.fromhex(e.hash))
        except (TypeError, ValueError):
            out.append(str(e.hash).encode())
    return out


def _entries(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _timestamp(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat()


def _sign(key: Ed25519PrivateKey, log_id: str, tree_size: int, root_hash: str, timestamp: str) -> records.Checkpoint:
    public = _b64(key.public_key().public_bytes_raw())
    signature = key.sign(merkle.signed_bytes(log_id, tree_size, root_hash, timestamp))
    return records.Checkpoint(log_id, tree_size, root_hash, timestamp, _key_id(public), public, _b64(signature))


def _issue(ctx: Context, actor: str | None, entry_id: int | None = None, out: Path | None = None) -> tuple[records.Checkpoint, list[bytes]]:
    if out is not None:
        _check_new_file(out)
    key = _signing_key(ctx.home, ctx.sessions)
    log_id = _log_id(ctx)
    folder = _export_folder(ctx)
    with store_db.transaction(ctx.sessions) as session:
        entries = _entries(session)
        check = chain.verify_chain(session, entries)
        if not check.ok:
            raise EvidenceTampered(f"the audit log does not verify ({check.reason}); no checkpoint is signed over it.")
        problem = _against_stored(session, _leaves(entries), _b64(key.public_key().public_bytes_raw()), log_id)
        if problem is not None:  # the genuine key never signs a log rewritten behind it
            raise EvidenceTampered(f"{problem} No checkpoint is signed over it.")
        if entry_id is not None and not 1 <= entry_id <= len(entries):
            raise BadInput(f"audit entry {entry_id} does not exist (the log has {len(entries)} entries).")
        leaves = _leaves(entries)
        at = utcnow().replace(microsecond=0)
        head = _sign(key, log_id, len(leaves), merkle.root(leaves).hex(), _timestamp(at))
        row = CheckpointRow(tree_size=head.tree_size, root_hash=head.root_hash, signed_at=at, key_id=head.key_id, signature=head.signature)
        session.add(row)
        session.flush()
        target = None if folder is None else folder / _file_name(head)
        details = {"tree_size": head.tree_size, "root_hash": head.root_hash, "key_id": head.key_id, "timestamp": head.timestamp}
        if target is not None:
            details["exported_to"] = str(target)
        audit.append(session, actor, "checkpoint", "checkpoint", row.id, details)
        if target is not None:  # in the transaction: a failed export issues nothing
            _export(head, target)
        if out is not None:
            save(head, out)
    return head, leaves


def _against_stored(session, leaves: list[bytes], public_key: str, log_id: str) -> str | None:
    """Why today's log does not extend the newest checkpoint this workspace issued (None: it does,
    or none was issued): a checkpoint row whose signature fails was forged in the database, and a
    log whose first entries no longer have the root that checkpoint signed was rewritten."""
    row = session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc()).limit(1)).first()
    if row is None:
        return None
    head = records.Checkpoint(log_id, row.tree_size, row.root_hash, _timestamp(row.signed_at), row.key_id, public_key, row.signature)
    if not _signature_ok(head):
        return f"checkpoint {row.id} stored in this workspace does not verify with the audit log's key (forged or altered in the database)."
    if row.tree_size > len(leaves):
        return f"the audit log has {len(leaves)} entries, fewer than the {row.tree_size} that checkpoint {row.id} signed {head.timestamp} covers: entries were removed."
    if merkle.root(leaves[: row.tree_size]).hex() != row.root_hash:
        return f"the audit log's first {row.tree_size} entries are not the ones checkpoint {row.id} signed {head.timestamp}: the log was rewritten."
    return None


def check_stored(ctx: Context) -> str | None:
    """Why today's log does not extend the newest checkpoint this workspace issued, or None
    (``audit verify`` asks: a rewrite that recomputed every hash still fails here unless the
    rewriter also held the log key)."""
    public = _stored_public_key(ctx.sessions)
    if public is None:
        return None
    with ctx.sessions() as session:
        return _against_stored(session, _leaves(_entries(session)), public, _log_id(ctx))


def issue(ctx: Context, *, actor: str | None = None, out: Path | None = None) -> records.Checkpoint:
    """Sign the current head of the audit log, store it, record it (after the entries it covers),
    write it into ``checkpoint_dir`` when that is set and to ``out`` (a new file) when given."""
    return _issue(ctx, actor, out=out)[0]


def latest(ctx: Context) -> records.Checkpoint:
    """The newest checkpoint this workspace issued, as it was signed (nothing is written);
    :class:`~leaktrace.errors.NotFound` when none was."""
    public = _stored_public_key(ctx.sessions)
    with ctx.sessions() as session:
        row = session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc()).limit(1)).first()
        if row is None or public is None:
            raise NotFound("no checkpoint has been issued yet; issue one with 'leaktrace audit checkpoint' or POST /api/v1/audit/checkpoint.")
        return records.Checkpoint(_log_id(ctx), row.tree_size, row.root_hash, _timestamp(row.signed_at), row.key_id, public, row.signature)


def after_privileged_act(ctx: Context, *, actor: str | None = None) -> records.Checkpoint | None:
    """When the workspace exports checkpoints (``checkpoint_dir``), sign and export one right after
    a privileged act (a copy re-made or downloaded again): someone who can write the database can
    cut the newest entries off the log, but not off a checkpoint already kept elsewhere."""
    if not ctx.settings.checkpoint_dir:
        return None
    return issue(ctx, actor=actor)


def for_report(ctx: Context, entry_id: int, *, actor: str | None = None) -> tuple[records.Checkpoint, records.InclusionProof]:
    """A checkpoint issued now and the proof that audit entry ``entry_id`` is in its tree: what an
    evidence report prints for its finding's ``trace`` entry."""
    head, leaves = _issue(ctx, actor, entry_id)
    return head, _inclusion(head, leaves, entry_id)


def _export_folder(ctx: Context) -> Path | None:
    if not ctx.settings.checkpoint_dir:
        return None
    folder = Path(ctx.settings.checkpoint_dir).expanduser()
    folder = folder if folder.is_absolute() else ctx.home / folder
    if not folder.is_dir():
        raise BadInput(f"{folder}: the checkpoint_dir folder does not exist (is the share mounted?); no checkpoint was issued.")
    return folder


def _file_name(head: records.Checkpoint) -> str:
    at = head.timestamp.replace("+00:00", "Z").replace("-", "").replace(":", "")
    return f"leaktrace-checkpoint-{head.log_id}-{head.tree_size:09d}-{at}.json"


def _document(head: records.Checkpoint) -> bytes:
    return (json.dumps(head.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _export(head: records.Checkpoint, target: Path) -> None:
    data = _document(head)
    try:
        if target.exists() and target.read_bytes() == data:  # the same head signed in the same second: the same bytes
            return
        write_atomic(target, data, mode=0o644)
    except OSError as exc:
        raise BadInput(f"{target}: cannot write the checkpoint ({exc.strerror or exc}); no checkpoint was issued.") from None


def _check_new_file(path: Path) -> None:
    if path.exists():
        raise BadInput(f"{path}: already exists; a checkpoint is never overwritten, choose a new file.")
    if not path.parent.is_dir():
        raise BadInput(f"{path.parent}: no such folder.")


def save(head: records.Checkpoint, path: Path) -> Path:
    """Write a checkpoint's JSON to a new file (an existing one is never replaced)."""
    _check_new_file(path)
    try:
        write_atomic(path, _document(head), mode=0o644)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write the checkpoint ({exc.strerror or exc}).") from None
    return path


# ------------------------------------------------------------------------------------ reading one


def load(path: Path) -> records.Checkpoint:
    """A checkpoint read from its JSON file; one-line errors for a missing, garbled or other file."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file.")
    if path.stat().st_size > _MAX_FILE:
        raise BadInput(f"{path}: not a leaktrace checkpoint (larger than {_MAX_FILE // 1024} KB).")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadInput(f"{path}: not a leaktrace checkpoint (not JSON).") from None
    return from_dict(data, source=str(path))


def from_dict(data: object, *, source: str = "the checkpoint") -> records.Checkpoint:
    """A checkpoint from its JSON document (extra keys are ignored: they are not signed)."""

    def bad(why: str) -> BadInput:
        return BadInput(f"{source}: not a leaktrace checkpoint ({why}).")

    if not isinstance(data, dict):
        raise bad("not a JSON object")
    fields = ("log_id", "tree_size", "root_hash", "timestamp", "key_id", "public_key", "signature")
    missing = [f for f in fields if f not in data]
    if missing:
        raise bad(f"no {', '.join(missing)}")
    size = data["tree_size"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise bad("tree_size is not a whole number ≥ 0")
    for name in ("log_id", "root_hash", "timestamp", "key_id", "public_key", "signature"):
        if not isinstance(data[name], str) or not data[name] or any(c in data[name] for c in "\r\n"):
            raise bad(f"{name} is not one line of text")
    for name in ("root_hash", "key_id"):
        if not _HEX64.fullmatch(data[name]):
            raise bad(f"{name} is not 64 lowercase hex digits")
    try:
        datetime.fromisoformat(data["timestamp"])
    except ValueError:
        raise bad("timestamp is not an ISO 8601 time") from None
    for name, length in (("public_key", 32), ("signature", 64)):
        raw = _unb64(data[name])
        if raw is None or len(raw) != length:
            raise bad(f"{name} is not base64 of {length} bytes")
    return records.Checkpoint(*(data[f] for f in fields))


# ------------------------------------------------------------------------------------ checking


def _signature_ok(head: records.Checkpoint) -> bool:
    public, signature = _unb64(head.public_key), _unb64(head.signature)
    if public is None or signature is None or len(public) != 32 or head.key_id != _key_id(head.public_key):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, merkle.signed_bytes(head.log_id, head.tree_size, head.root_hash, head.timestamp))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_against(ctx: Context, checkpoint: records.Checkpoint) -> records.ConsistencyCheck:
    """Whether today's log extends the one ``checkpoint`` signed: its signature holds, its key is
    this log's, it covers no more entries than the log has, and an RFC 9162 consistency proof
    leads from its root to today's."""
    with ctx.sessions() as session:
        leaves = _leaves(_entries(session))
    n, now = len(leaves), merkle.root(leaves)

    def result(ok: bool, reason: str, proof: tuple[str, ...] = ()) -> records.ConsistencyCheck:
        return records.ConsistencyCheck(ok, reason, checkpoint, n, now.hex(), proof)

    m, when = checkpoint.tree_size, checkpoint.timestamp
    if not _signature_ok(checkpoint):
        return result(False, f"the checkpoint of {m} entries signed {when} has a signature that does not verify: it was altered or forged.")
    ours = _known_public_key(ctx)  # a check writes nothing, not even a first log key
    if ours is None:
        return result(False, "this workspace has no audit log key yet, so no checkpoint of its log was ever signed: this one is another log's.")
    if checkpoint.public_key != ours:
        return result(
            False,
            f"the checkpoint was signed by key {checkpoint.key_id[:16]}, not by this workspace's audit log key {_key_id(ours)[:16]}: "
            "it is not a checkpoint of this log.",
        )
    log_id = _log_id(ctx)
    if checkpoint.log_id != log_id:
        return result(False, f"the checkpoint is of log {checkpoint.log_id}, not of this workspace's log {log_id}.")
    if m > n:
        return result(False, f"the log has {n} entries, fewer than the {m} the checkpoint signed {when} covers: entries were removed.")
    proof = merkle.consistency_proof(leaves, m)
    if not merkle.verify_consistency(m, n, bytes.fromhex(checkpoint.root_hash), now, proof):
        return result(
            False,
            f"today's log does not extend the checkpoint signed {when}: its first {m} entries are not the ones the checkpoint signed (rewritten).",
        )
    hexes = tuple(p.hex() for p in proof)
    return result(
        True,
        f"today's log of {n} entries extends the checkpoint of {m} entries signed {when} (a consistency proof of {len(proof)} hash{'' if len(proof) == 1 else 'es'}).",
        hexes,
    )


def _inclusion(head: records.Checkpoint, leaves: list[bytes], entry_id: int) -> records.InclusionProof:
    m = head.tree_size
    covered = leaves[:m]
    if len(leaves) < m or merkle.root(covered).hex() != head.root_hash:
        raise EvidenceTampered(
            f"the audit log no longer holds the {m} entries the checkpoint signed {head.timestamp} covers; run 'leaktrace audit verify'."
        )
    path = merkle.inclusion_proof(covered, entry_id - 1)
    return records.InclusionProof(entry_id, covered[entry_id - 1].hex(), m, head.root_hash, tuple(p.hex() for p in path))


def inclusion(ctx: Context, entry_id: int, checkpoint: records.Checkpoint) -> records.InclusionProof:
    """The proof that audit entry ``entry_id`` is in ``checkpoint``'s tree (refused when the log
    no longer holds that tree)."""
    if not 1 <= entry_id <= checkpoint.tree_size:
        raise BadInput(f"audit entry {entry_id} is not in the checkpoint of {checkpoint.tree_size} entries.")
    with ctx.sessions() as session:
        leaves = _leaves(_entries(session))
    return _inclusion(checkpoint, leaves, entry_id)


def inclusion_holds(proof: records.InclusionProof) -> bool:
    """Whether an inclusion proof verifies (RFC 9162 §2.1.3.2), from its own fields alone."""
    try:
        path = [bytes.fromhex(p) for p in proof.path]
        leaf, root_hash = bytes.fromhex(proof.entry_hash), bytes.fromhex(proof.root_hash)
    except ValueError:
        return False
    return merkle.verify_inclusion(leaf, proof.entry_id - 1, proof.tree_size, root_hash, path)


# ------------------------------------------------------------------------------------ encodings


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None


def _key_id(public_b64: str) -> str:
    """Hex SHA-256 of the raw public key."""
    raw = _unb64(public_b64) or b""
    return hashlib.sha256(raw).hexdigest()
