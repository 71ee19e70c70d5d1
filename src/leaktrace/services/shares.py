"""Shares: send an asset to recipients, each getting its own fingerprinted copy.

Atomicity: every copy is first made, checked against the quality gate and stored
durably in the blob store; then the share and its copies are recorded in one
transaction; only then are the copy files written (each by atomic rename) into
the output folder. A process killed at any point leaves no copy file without its
record, and no record without its file in the blob store.
"""

from __future__ import annotations

import re
from pathlib import Path

from leaktrace import imagefiles, records
from leaktrace.core import embed, keys, quality
from leaktrace.errors import BadInput
from leaktrace.services import assets as assets_service
from leaktrace.services import audit
from leaktrace.services.context import Context, Progress
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Copy, Share


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "recipient"


def copy_filename(asset_filename: str, recipient_name: str, fmt: str) -> str:
    ext = "jpg" if fmt == "JPEG" else "png"
    return f"{_slug(Path(asset_filename).stem)}--{_slug(recipient_name)}.{ext}"


def share(ctx: Context, asset_id: int | str, to: list[str], out: Path, *, note: str | None = None, actor: str | None = None,
          progress: Progress | None = None) -> list[records.Copy]:
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
    made = []
    for i, r in enumerate(recipients):
        signs = keys.signs_from_seed(keys.derive_seed(ctx.master_key, asset.key_ref, r.key_ref), prepared.grid[0] * prepared.grid[1])
        image = embed.embed(prepared.original, signs, strength=asset.strength, grid=prepared.grid, mask=prepared.mask)
        data = imagefiles.encode_image(image, fmt, quality=ctx.settings.jpeg_quality)
        sent = image if fmt == "PNG" else imagefiles.read_image_bytes(data, "copy.jpg")
        psnr, ssim = quality.psnr(prepared.original, sent), quality.ssim(prepared.original, sent)
        if psnr < ctx.settings.min_psnr or ssim < ctx.settings.min_ssim:
            raise BadInput(f"the copy of asset {asset.id} for {r.name} misses the quality gate (PSNR {psnr:.1f} dB, SSIM {ssim:.4f}); nothing was shared.")
        sha = ctx.blobs.put(data)
        made.append((r, sha, data, psnr, ssim))
        if progress:
            progress(i + 1, len(recipients), r.name)
    with store_db.transaction(ctx.sessions) as session:
        record = Share(asset_id=asset.id, note=note, created_by=actor)
        session.add(record)
        session.flush()
        for r, sha, _, psnr, ssim in made:
            session.add(Copy(share_id=record.id, recipient_id=r.id, sha256=sha, filename=copy_filename(asset.filename, r.name, fmt), psnr=float(psnr), ssim=float(ssim)))
        share_id = record.id
        audit.append(session, actor, "share", "share", share_id, {
            "asset_id": asset.id, "note": note, "copies": [{"recipient_id": r.id, "sha256": sha} for r, sha, _, _, _ in made]})
    out.mkdir(parents=True, exist_ok=True)
    result = []
    for r, sha, data, psnr, ssim in made:
        path = out / copy_filename(asset.filename, r.name, fmt)
        imagefiles.write_atomic(path, data)
        result.append(records.Copy(r.name, r.id, sha, share_id, path.name, round(psnr, 2), round(ssim, 5), path=str(path)))
    return result


def list_all(ctx: Context) -> list[records.Share]:
    """Every share with its copies, oldest first."""
    with ctx.sessions() as session:
        return [record(s) for s in queries.list_shares(session)]


def record(s: Share) -> records.Share:
    """The interface record of a stored share and its copies (loaded with their recipients)."""
    copies = tuple(records.Copy(c.recipient.name, c.recipient_id, c.sha256, s.id, c.filename, c.psnr, c.ssim) for c in s.copies)
    return records.Share(s.id, s.asset_id, s.note, s.created_by, s.created_at.isoformat(), copies)

