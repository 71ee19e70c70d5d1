"""Shares: send an asset to recipients, each getting its own fingerprinted copy.

Atomicity: every copy is first made, checked against the quality gate and stored
durably in the blob store (each as soon as it is made, by :mod:`leaktrace.services.copies`:
no copy's pixels or bytes are kept after that); then the share and its copies are recorded
in one transaction; only then are the copy files written into the output folder, each
read back from the blob store and written by atomic rename. A process killed at any point
leaves no copy file without its record, and no record without its file in the blob store
(at worst blobs that no record names).
"""

from __future__ import annotations

import re
from pathlib import Path

from leaktrace import imagefiles, records
from leaktrace.errors import BadInput
from leaktrace.services import assets as assets_service
from leaktrace.services import audit
from leaktrace.services import copies as copies_service
from leaktrace.services.context import Context, Progress
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Copy, Share


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "recipient"


def copy_filename(asset_filename: str, recipient_name: str, fmt: str) -> str:
    ext = "jpg" if fmt == "JPEG" else "png"
    return f"{_slug(Path(asset_filename).stem)}--{_slug(recipient_name)}.{ext}"


def share(
    ctx: Context,
    asset_id: int | str,
    to: list[str],
    out: Path,
    *,
    note: str | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
) -> list[records.Copy]:
    """Make, record (with its audit entry, run by ``actor``) and write one fingerprinted copy per recipient."""
    actor = actor or audit.default_actor()
    if not to:
        raise BadInput("name at least one recipient with --to.")
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: exists and is not a folder.")
    asset = assets_service.get(ctx, asset_id)
    with ctx.sessions() as session:
        recipients = []
        for ref in to:
            r = queries.recipient_by_name_or_id(session, ref)
            if r.id not in {x.id for x in recipients}:
                session.expunge(r)
                recipients.append(r)
    prepared = assets_service.prepare(ctx, asset)
    fmt = "JPEG" if asset.format == "JPEG" else "PNG"
    made: list[copies_service.Made] = []  # digests and numbers only
    for m in copies_service.make(ctx, asset, prepared, recipients, fmt):
        made.append(m)
        if progress:
            progress(len(made), len(recipients), m.recipient.name)
    with store_db.transaction(ctx.sessions) as session:
        record = Share(asset_id=asset.id, note=note, created_by=actor)
        session.add(record)
        session.flush()
        for m in made:
            session.add(
                Copy(
                    share_id=record.id,
                    recipient_id=m.recipient.id,
                    sha256=m.sha256,
                    filename=copy_filename(asset.filename, m.recipient.name, fmt),
                    psnr=float(m.psnr),
                    ssim=float(m.ssim),
                )
            )
        share_id = record.id
        audit.append(
            session,
            actor,
            "share",
            "share",
            share_id,
            {"asset_id": asset.id, "note": note, "copies": [{"recipient_id": m.recipient.id, "sha256": m.sha256} for m in made]},
        )
    out.mkdir(parents=True, exist_ok=True)
    result = []
    for m in made:
        path = out / copy_filename(asset.filename, m.recipient.name, fmt)
        imagefiles.write_atomic(path, ctx.blobs.get(m.sha256))  # one file in memory at a time
        result.append(
            records.Copy(m.recipient.name, m.recipient.id, m.sha256, share_id, path.name, round(m.psnr, 2), round(m.ssim, 5), path=str(path))
        )
    return result


def list_all(ctx: Context) -> list[records.Share]:
    """Every share with its copies, oldest first."""
    with ctx.sessions() as session:
        return [_record(s) for s in queries.list_shares(session)]


def _record(s: Share) -> records.Share:
    """The interface record of a stored share and its copies (loaded with their recipients)."""
    copies = tuple(records.Copy(c.recipient.name, c.recipient_id, c.sha256, s.id, c.filename, c.psnr, c.ssim) for c in s.copies)
    return records.Share(s.id, s.asset_id, s.note, s.created_by, s.created_at.isoformat(), copies)
