"""Stored files handed to an interface: an asset's original, a recorded copy, a finding's leak.

Each comes from the blob store with a file name and a media type, and only for what is
recorded: a copy by the SHA-256 of a copy that a share made, never an arbitrary blob.

A copy's bytes are never handed over for reading. :func:`deliver_copy` gives a copy that waits
for delivery to its share's sender, once (``copy.deliver``), and then discards it unless copies
are retained; :func:`download_copy` gives a retained copy to an admin who states a reason
(``copy.download``). Each act is in the audit log, committed before the bytes are returned, and
the bytes are checked against the recorded SHA-256 first.

A finding's leak that is byte for byte a recorded copy (an untouched copy was traced) is that
copy: :func:`leak_file` hands it over as :func:`download_copy` does, to an admin with a reason
(``copy.download``, ``"via": "leak"``), never to whoever merely reads.

>>> media_type(b"\\x89PNG\\r\\n\\x1a\\n..."), media_type(b"%PDF-1.7"), media_type(b"<html>")
('image/png', 'application/pdf', 'application/octet-stream')
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from leaktrace import imagefiles, records
from leaktrace.errors import BadInput, Conflict, EvidenceTampered, Forbidden, NotFound
from leaktrace.records import StoredFile
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, checkpoints, findings, permissions, retention, shares
from leaktrace.services import copies as copies_service
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import utcnow

_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "image/webp"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"%PDF-", "application/pdf"),
)


def media_type(data: bytes) -> str:
    """The media type of ``data`` (an image or a PDF) by its first bytes (``application/octet-stream`` if none)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "application/octet-stream"


def _file(ctx: Context, sha256: str, filename: str) -> StoredFile:
    data = ctx.blobs.get(sha256)
    return StoredFile(data, filename, media_type(data))


def asset_file(ctx: Context, asset_id: int | str) -> StoredFile:
    """The original of asset ``asset_id``, under the file name it was registered with."""
    asset = assets_service.get(ctx, asset_id)
    return _file(ctx, asset.sha256, asset.filename)


#: Longest side of a thumbnail, pixels.
THUMBNAIL_SIDE = 480
#: Longest side of a leak's thumbnail in the list of findings, pixels (twice what the list shows).
LEAK_THUMBNAIL_SIDE = 240


def asset_thumbnail(ctx: Context, asset_id: int | str) -> StoredFile:
    """A small PNG of the original of image or page ``asset_id`` (a document's: its first page), for lists."""
    asset = assets_service.get(ctx, asset_id)
    if asset.asset_kind == "document":
        from leaktrace.services import documents

        asset = documents.pages_of(ctx, asset.id)[0]
    from leaktrace.services import asset_cache

    return StoredFile(asset_cache.thumbnail(ctx, asset, THUMBNAIL_SIDE), f"{asset.id}-thumbnail.png", "image/png")


def leak_thumbnail(ctx: Context, finding_id: int | str) -> StoredFile:
    """A small PNG of finding ``finding_id``'s leak image, for the list of findings (the same
    thumbnail code as an asset's; the leak decoded within ``decode_budget_s``, as a stranger's file).

    :class:`NotFound` for a leak that is a PDF (a document has no one picture) and for one that is
    byte for byte a recorded copy: that is a supplier's copy, never shown, not even small.
    """
    f = findings.get(ctx, finding_id)
    if f.leak.page is not None:
        raise NotFound(f"the leak of finding {f.id} is a PDF file: it has no thumbnail.")
    with ctx.sessions() as session:
        if queries.find_copy_by_sha256(session, f.leak.sha256) is not None:
            raise NotFound(f"the leak of finding {f.id} is a recorded copy: it is not shown.")
    from leaktrace.services import asset_cache

    pixels = int(f.leak.width) * int(f.leak.height)
    data = asset_cache.blob_thumbnail(ctx, f.leak.sha256, LEAK_THUMBNAIL_SIDE, pixels=pixels, budget_s=ctx.settings.decode_budget_s)
    return StoredFile(data, f"finding-{f.id}-leak-thumbnail.png", "image/png")


def deliver_copy(ctx: Context, sha256: str, *, actor: str) -> StoredFile:
    """The copy whose file has SHA-256 ``sha256``, handed once to the sender of the share that made
    it (``actor``), under the name the share gave it; then discarded unless copies are retained.

    :class:`Forbidden` for anyone else while it waits, :class:`Conflict` once it was delivered.
    """
    sha = sha256.lower()
    with store_db.transaction(ctx.sessions) as session:
        rows = queries.copies_by_sha256(session, sha)
        if not rows:
            raise NotFound(f"no copy with SHA-256 {sha}.")
        rows = [c for c in rows if c.share.delivery is None]  # a portal share's copy (the same file) is made at each download
        if not rows:
            raise Conflict(f"the copy {sha[:12]}… is delivered through the recipient portal: the recipient's user downloads a copy made for them.")
        waiting = [c for c in rows if c.delivered_at is None]
        mine = [c for c in waiting if c.share.created_by == actor]
        if not mine and waiting:
            s = waiting[0].share
            raise Forbidden(f"the copy {sha[:12]}… of share {s.id} waits for its sender, {s.created_by or 'someone else'}; only they can take it.")
        if not mine:
            raise Conflict(
                f"the copy {sha[:12]}… was delivered on {rows[-1].delivered_at:%Y-%m-%d %H:%M} UTC and is handed over once; "
                "an admin can download a retained copy or regenerate it, with a reason."
            )
        copy = mine[0]
        data = _copy_bytes(ctx, sha)
        copy.delivered_at = utcnow()
        session.flush()
        audit.append(
            session, actor, "copy.deliver", "share", copy.share_id, {"recipient_id": copy.recipient_id, "copy_sha256": sha, "via": "download"}
        )
        digests = retention.record_discard(ctx, session, actor, copy.share_id, [copy])
        filename = copy.filename
    retention.unlink(ctx, digests)
    return StoredFile(data, filename, media_type(data))


def download_copy(ctx: Context, share_id: int | str, recipient: str, *, reason: str | None, actor: str | None = None) -> StoredFile:
    """The stored (retained, or still waiting) copy share ``share_id`` made for ``recipient``, for an
    admin who gives a reason; recorded as ``copy.download``."""
    reason = copies_service.reason_given(reason, "downloading")
    actor = actor or audit.default_actor()
    number = copies_service.share_number(share_id)
    with store_db.transaction(ctx.sessions) as session:
        copy = queries.copy_of_share(session, number, str(recipient))
        if not ctx.blobs.exists(copy.sha256):
            raise NotFound(
                f"the copy share {number} made for {copy.recipient.name} was not retained after delivery; regenerate it from the key and the original, with a reason."
            )
        data = _copy_bytes(ctx, copy.sha256)
        audit.append(
            session, actor, "copy.download", "share", number, {"recipient_id": copy.recipient_id, "copy_sha256": copy.sha256, "reason": reason}
        )
        filename = copy.filename
    checkpoints.after_privileged_act(ctx, actor=actor)
    return StoredFile(data, filename, media_type(data))


def save(stored: StoredFile, out: Path) -> Path:
    """Write a handed-over file to ``out`` (atomically, mode 0600); into it under its own name if
    ``out`` is a folder. Returns where it was written."""
    path = out / stored.filename if out.is_dir() else out
    if not path.parent.is_dir():
        raise NotFound(f"{path.parent}: no such folder.")
    imagefiles.write_atomic(path, stored.data)
    return path


def _copy_bytes(ctx: Context, sha256: str) -> bytes:
    data = ctx.blobs.get(sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceTampered(f"the stored copy {sha256} no longer hashes to its recorded SHA-256; nothing was handed over.")
    return data


def leak_copies(ctx: Context, finding_id: int | str) -> list[records.Copy]:
    """The recorded copies whose file is byte for byte finding ``finding_id``'s leak (the same SHA-256):
    a leak that is one of them *is* that copy (empty for a leak that is not)."""
    f = findings.get(ctx, finding_id)
    with ctx.sessions() as session:
        return [shares.copy_record(ctx, c) for c in queries.copies_by_sha256(session, f.leak.sha256)]


def leak_file(ctx: Context, finding_id: int | str, *, role: str | None = None, reason: str | None = None, actor: str | None = None) -> StoredFile:
    """The leak file finding ``finding_id`` was traced from, as it was found.

    A leak whose SHA-256 is a recorded copy's is that supplier's exact copy, so it is handed over
    only as a copy is downloaded: to a ``role`` that may ``copies`` (an admin; ``None`` is the local
    operator of the CLI or the Python API), with a ``reason``, recorded as ``copy.download``
    (``"via": "leak"``) about each share that made it, committed before the bytes are returned.
    :class:`Forbidden` for any other role, :class:`BadInput` without a reason. Any other leak is
    handed to whoever may read, with no entry.
    """
    f = findings.get(ctx, finding_id)
    filename = f.leak.path.rsplit("/", 1)[-1] or "leak"
    with store_db.transaction(ctx.sessions) as session:
        made = queries.copies_by_sha256(session, f.leak.sha256)
        if not made:
            return _file(ctx, f.leak.sha256, filename)
        first = made[0]
        what = f"the leak file of finding {f.id} is byte for byte the copy share {first.share_id} made for {first.recipient.name}"
        if role is not None and not permissions.can(role, "copies"):
            raise Forbidden(f"{what}; only an admin may download it, with a reason recorded in the audit log.")
        text = " ".join((reason or "").split())
        if not text:
            raise BadInput(f"{what}: downloading it needs a reason, which is recorded in the audit log.")
        data = _copy_bytes(ctx, f.leak.sha256)
        for c in made:
            details = {"recipient_id": c.recipient_id, "copy_sha256": c.sha256, "reason": text, "via": "leak", "finding_id": f.id}
            audit.append(session, actor, "copy.download", "share", c.share_id, details)
    checkpoints.after_privileged_act(ctx, actor=actor)
    return StoredFile(data, filename, media_type(data))
