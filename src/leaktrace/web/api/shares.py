"""``/api/v1/shares``: share an asset (one fingerprinted copy per recipient) and list shares."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from leaktrace.web import uploads
from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import CopyPublic, ShareCreate, SharesPublic

router = APIRouter(prefix="/shares", tags=["shares"])


@router.get("", response_model=SharesPublic)
def list_shares(ws: WorkspaceDep, user: require("read")) -> dict:
    rows = ws.list_shares()
    return {"data": rows, "count": len(rows)}


@router.post("", response_model=list[CopyPublic], status_code=201)
def share(body: ShareCreate, ws: WorkspaceDep, user: require("shares")) -> list[dict]:
    """Make one copy per recipient; each is downloaded from its ``download`` link."""
    with uploads.temp_folder() as folder:
        rows = ws.share(body.asset_id, body.to, folder, note=body.note, actor=user.name)
    return [
        {"recipient": r["recipient"], "recipient_id": r["recipient_id"], "path": Path(r["path"]).name, "sha256": r["sha256"],
         "share_id": r.get("share_id"), "psnr": r.get("psnr"), "ssim": r.get("ssim"), "download": f"/api/v1/copies/{r['sha256']}"}
        for r in rows
    ]
