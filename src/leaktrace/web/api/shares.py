"""``/api/v1/shares``: share an asset (one fingerprinted copy per recipient) and list shares."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import CopySent, ShareCreate, SharesPublic, page

router = APIRouter(prefix="/shares", tags=["shares"])


@router.get("", response_model=SharesPublic)
def list_shares(ws: WorkspaceDep, user: require("read")) -> dict:
    return page(ws.list_shares())


@router.post("", response_model=list[CopySent], status_code=201)
def share(body: ShareCreate, ws: WorkspaceDep, user: require("shares")) -> list[dict]:
    """Make one copy per recipient. Each waits in the workspace until this user (the share's sender)
    downloads it from its ``download`` link, once; then it is discarded unless copies are retained
    (``path`` is the file's name)."""
    rows = ws.share(body.asset_id, body.to, None, note=body.note, actor=user.name)
    return [dataclasses.replace(r, path=r.filename).to_dict() for r in rows]
