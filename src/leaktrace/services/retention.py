"""Which copies stay in the workspace: none after delivery, unless the workspace retains copies.

A copy's file is in the blob store from the moment it is made until it is delivered (written
into the sender's folder, or downloaded once by the share's sender). Then, unless the setting
``retain_copies`` is on, it is discarded: the share keeps the copy's SHA-256 and size for ever,
and the copy can be made again from the master key and the original only by an audited,
privileged act (:func:`leaktrace.services.copies.regenerate`). The sender then holds no copy a
supplier could be framed with.

Discarding is two steps, each safe to interrupt:

1. :func:`record_discard`, in the delivery's own transaction: a ``copy.discard`` audit entry
   about the share, naming the copies whose files go (those no other record still needs).
2. :func:`unlink`, after that commit, inside a write transaction of its own (on SQLite it
   holds the write lock, so a share being recorded at the same moment cannot lose a file it
   needs): each file is deleted unless a record needs it by now.

A process killed between the two leaves delivered files in the blob store; :func:`sweep`
(run before every share) finds every delivered copy whose file is still stored although it is
not retained (left by a killed process, kept while ``retain_copies`` was on, or made before
this rule), records its discard and deletes it. It looks at the copies delivered since the
last sweep (a day's margin), so its cost follows recent deliveries, not the store's history. A file that is also an asset's original or a
finding's leak (a leak that is an untouched copy) is never deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import utcnow

__all__ = ["record_discard", "sweep", "unlink"]

DELIVERED = "delivered"
FOUND_STORED = "found stored after delivery"
#: Workspace fact: when the last sweep started (ISO 8601, UTC).
SWEPT_KEY = "copies_swept_at"
#: A sweep looks back this far before the last one: deliveries that were under way then, clocks of other hosts.
SWEEP_MARGIN = timedelta(days=1)


def record_discard(ctx: Context, session: Session, actor: str | None, share_id: int, copies: Sequence[Any], *, reason: str = DELIVERED) -> list[str]:
    """In ``session``'s transaction, after ``copies`` (rows of share ``share_id``) were marked
    delivered: append the ``copy.discard`` entry for those whose file no record needs any more,
    and return their digests (for :func:`unlink` after the commit). Nothing when copies are retained."""
    if ctx.settings.retain_copies:
        return []
    session.flush()
    going = [c for c in copies if ctx.blobs.exists(c.sha256) and not queries.blob_needed(session, c.sha256, keep_delivered=False)]
    if going:
        details = {"copies": [{"recipient_id": c.recipient_id, "copy_sha256": c.sha256} for c in going], "reason": reason}
        audit.append(session, actor, "copy.discard", "share", share_id, details)
    return sorted({c.sha256 for c in going})


def unlink(ctx: Context, digests: Iterable[str]) -> int:
    """Delete the stored files ``digests`` that no record needs (checked again, under the write
    lock); return how many were deleted."""
    digests = sorted(set(digests))
    if not digests:
        return 0
    keep = bool(ctx.settings.retain_copies)
    deleted = 0
    with store_db.transaction(ctx.sessions) as session:
        for sha in digests:
            if not queries.blob_needed(session, sha, keep_delivered=keep):
                deleted += ctx.blobs.discard(sha)
    return deleted


def sweep(ctx: Context, *, actor: str | None = None) -> int:
    """Discard every delivered copy whose file is still stored although copies are not retained
    (a ``copy.discard`` entry per share, reason "found stored after delivery"); return how many
    files were deleted. A copy made before sizes were kept gets its size recorded first.

    Only copies delivered since the last sweep (less :data:`SWEEP_MARGIN`) are looked at; the
    first sweep, and the first after copies were retained, looks at every delivered copy.
    """
    if ctx.settings.retain_copies:
        return 0  # and the watermark stays: when retaining stops, what was kept meanwhile is looked at
    started = utcnow()
    with ctx.sessions() as session:
        mark = queries.get_meta(session, SWEPT_KEY)
        since = None if mark is None else datetime.fromisoformat(mark) - SWEEP_MARGIN
        stored = [(share_id, copy_id) for share_id, copy_id, sha in queries.delivered_copies(session, since=since) if ctx.blobs.exists(sha)]
    by_share: dict[int, list[int]] = defaultdict(list)
    for share_id, copy_id in stored:
        by_share[share_id].append(copy_id)
    digests: list[str] = []
    with store_db.transaction(ctx.sessions) as session:
        for share_id, ids in sorted(by_share.items()):
            share = queries.share_by_id(session, share_id)
            copies = [c for c in share.copies if c.id in ids and not queries.blob_needed(session, c.sha256, keep_delivered=False)]
            for c in copies:
                if c.size is None:  # changed only with the discard entry that follows, which seals it
                    c.size = ctx.blobs.path(c.sha256).stat().st_size
            digests += record_discard(ctx, session, actor, share_id, copies, reason=FOUND_STORED)
        queries.set_meta(session, SWEPT_KEY, started.isoformat())
    return unlink(ctx, digests)
