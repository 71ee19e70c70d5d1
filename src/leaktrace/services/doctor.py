"""``leaktrace doctor``: what a workspace holds that it should not, and what it lacks.

- **Orphan blobs**: stored files that no record names (not an asset's original, not a copy's
  file, not a finding's leak or valid-region mask). A share stores each copy before its record
  and a killed share removes nothing, so orphans are what killed processes left. A file younger
  than the grace period is spared (a share or trace under way names it soon; storing bytes that
  are already stored marks the file as stored now). ``repair=True`` removes the orphans and the
  partial files of interrupted writes, under the write lock, each checked again against the
  records there; one ``blob.collect`` audit entry (``count``, ``bytes``) records what went.
- **Missing files** a record needs (an original, a leak, a mask, a copy waiting for delivery).
- **The audit log**: :func:`leaktrace.services.audit.verify`.
- **File modes**: anything in the workspace others may read, write or enter.

Only orphans and partial files are repaired; the rest is for a person to look at.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from leaktrace import records
from leaktrace.errors import BadInput
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries

__all__ = ["GRACE_S", "MIN_GRACE_S", "check"]

#: Default grace period: a stored file no record names is an orphan only when older than this.
GRACE_S = 3600.0
#: The shortest grace period accepted (a share of many large copies takes minutes).
MIN_GRACE_S = 60.0


def check(ctx: Context, *, repair: bool = False, grace_s: float = GRACE_S, actor: str | None = None) -> records.DoctorReport:
    """Look the workspace over; with ``repair``, remove orphans and partial files older than ``grace_s`` seconds."""
    if not grace_s >= MIN_GRACE_S:
        raise BadInput(f"the grace period must be at least {MIN_GRACE_S:g} s, not {grace_s:g} s (a share under way stores files before its record).")
    cutoff = time.time() - grace_s
    with ctx.sessions() as session:
        named, needed = queries.blob_references(session)
    stored = set(ctx.blobs)
    unnamed = sorted(stored - named)
    orphans = [sha for sha in unnamed if _old(ctx.blobs.path(sha), cutoff)]
    partial = [p for p in ctx.blobs.partial_files() if _old(p, cutoff)]
    orphan_bytes = sum(_size(ctx.blobs.path(sha)) for sha in orphans)
    removed, removed_bytes = _collect(ctx, orphans, partial, cutoff, actor) if repair and (orphans or partial) else (0, 0)
    missing = tuple(sorted(needed - stored))
    verified = audit.verify(ctx)
    loose = tuple(_loose(ctx.home))
    left = not repair and bool(orphans or partial)
    return records.DoctorReport(
        ok=not left and not missing and verified.ok and not loose,
        blobs=len(stored),
        orphans=tuple(orphans),
        orphan_bytes=orphan_bytes,
        young=len(unnamed) - len(orphans),
        partial_files=len(partial),
        missing=missing,
        audit=verified,
        loose=loose,
        grace_s=float(grace_s),
        repaired=repair,
        removed=removed,
        removed_bytes=removed_bytes,
    )


def _collect(ctx: Context, orphans: list[str], partial: list[Path], cutoff: float, actor: str | None) -> tuple[int, int]:
    """Remove ``orphans`` and ``partial`` files under the write lock (no share can record a file
    while it is held), each checked again: still unnamed, still older than the cutoff."""
    count = size = 0
    with store_db.transaction(ctx.sessions) as session:
        for sha in orphans:
            path = ctx.blobs.path(sha)
            if _old(path, cutoff) and not queries.blob_needed(session, sha, keep_delivered=True):
                bytes_ = _size(path)
                if ctx.blobs.discard(sha):
                    count, size = count + 1, size + bytes_
        for path in partial:
            if _old(path, cutoff):
                bytes_ = _size(path)
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                count, size = count + 1, size + bytes_
        if count:
            audit.append(session, actor, "blob.collect", details={"count": count, "bytes": size})
    return count, size


def _old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _loose(home: Path) -> list[records.LooseFile]:
    """Everything under ``home`` (and ``home`` itself) whose mode lets others in; symlinks are not followed."""
    found = []
    for folder, dirs, files in os.walk(home):
        base = Path(folder)
        if base == home:
            found += _mode_of(home, home)
        for name in dirs + files:
            found += _mode_of(home, base / name)
    return found


def _mode_of(home: Path, path: Path) -> list[records.LooseFile]:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return []
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not mode & 0o077:
        return []
    return [records.LooseFile(str(path.relative_to(home)) if path != home else ".", f"{mode:04o}")]
