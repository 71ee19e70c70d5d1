"""Backup and restore of the master key.

Losing the master key loses the ability to trace every copy ever shared: the
export is the only backup, and the import checks that a restored key is the one
the workspace was created with.
"""

from __future__ import annotations

from pathlib import Path

from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, KeyProblem
from leaktrace.services import audit
from leaktrace.services.context import KEY_BYTES, Context, key_path, write_secret
from leaktrace.settings import Settings
from leaktrace.store import db as store_db

LOSS_WARNING = "Keep this file offline and safe: whoever holds it can strip or forge fingerprints, and without it no copy can ever be traced."


def export_key(ctx: Context, dest: Path, *, actor: str | None = None) -> Path:
    """Write the master key to ``dest`` (a new file, mode 0600) and record the export in the audit trail."""
    if dest.exists():
        raise BadInput(f"{dest}: already exists; choose a new file for the key backup.")
    if not dest.parent.is_dir():
        raise BadInput(f"{dest.parent}: no such folder.")
    with store_db.transaction(ctx.sessions) as session:
        audit.append(session, actor, "key.export", "key", key_fingerprint(ctx.master_key), {"path": str(dest)})
        write_secret(dest, ctx.master_key.hex().encode() + b"\n")  # a failed write rolls the entry back
    return dest


def import_key(settings: Settings, source: Path) -> str:
    """Restore the master key from a backup made by ``export_key``; returns the key's fingerprint."""
    if not source.is_file():
        raise BadInput(f"{source}: no such file.")
    raw = source.read_bytes()
    try:
        key = bytes.fromhex(raw.decode("ascii").strip()) if len(raw) != KEY_BYTES else raw
    except (UnicodeDecodeError, ValueError):
        raise KeyProblem(f"{source}: not a leaktrace key backup.") from None
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{source}: not a leaktrace key backup (a key is {KEY_BYTES} bytes).")
    fingerprint = key_fingerprint(key)
    engine = store_db.make_engine(settings.resolved_database_url, lock_timeout_s=settings.lock_timeout_s)
    try:
        from leaktrace.services import meta

        expected = meta.stored_fingerprint(store_db.session_factory(engine, readonly=True))
    finally:
        engine.dispose()
    if expected is not None and expected != fingerprint:
        raise KeyProblem(f"{source}: this key (fingerprint {fingerprint}) does not belong to this workspace (expected {expected}).")
    path = key_path(settings.home)
    if path.exists():
        if path.read_bytes() == key:
            return fingerprint
        raise KeyProblem(f"{path}: a different master key is already in place; move it away before importing.")
    write_secret(path, key)
    return fingerprint
