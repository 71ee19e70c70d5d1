"""``/api/v1/shares``: share an asset (one fingerprinted copy per recipient) and list shares; portal
shares (``/portal``: no file kept), their revocation and their receipts."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from leaktrace.services import portal
from leaktrace.services import shares as shares_service
from leaktrace.web.deps import ShareId, WorkspaceDep, require
from leaktrace.web.schemas import CopyPublic, CopySent, PortalShareCreate, ReceiptsPublic, ShareCreate, SharePublic, ShareRevoke, SharesPublic, page

router = APIRouter(prefix="/shares", tags=["shares"])


@router.get("", response_model=SharesPublic)
def list_shares(ws: WorkspaceDep, user: require("read")) -> dict:
    return page(ws.list_shares())


@router.post("", response_model=list[CopySent], status_code=201)
def share(body: ShareCreate, ws: WorkspaceDep, user: require("shares")) -> list[dict]:
    """Make one copy per recipient. Each waits in the workspace until this user (the share's sender)
    downloads it from its ``download`` link, once; then it is discarded unless copies are retained
    (``path`` is the file's name)."""
    rows = shares_service.share(ws.context, body.asset_id, body.to, None, note=body.note, actor=user.name, groups=body.groups)
    return [dataclasses.replace(r, path=r.filename).to_dict() for r in rows]


@router.post("/portal", response_model=list[CopyPublic], status_code=201)
def portal_share(body: PortalShareCreate, ws: WorkspaceDep, user: require("shares")) -> list[dict]:
    """Share through the recipient portal: each copy is gated and recorded (SHA-256, size), none is kept;
    each recipient's user accepts ``terms`` and downloads a copy made for them then (a receipt each)."""
    rows = shares_service.share(
        ws.context,
        body.asset_id,
        body.to,
        None,
        note=body.note,
        actor=user.name,
        portal=True,
        terms=body.terms,
        expires_days=body.expires_days,
        groups=body.groups,
    )
    return [r.to_dict() for r in rows]


@router.post("/{share_id}/revoke", response_model=SharePublic)
def revoke(share_id: ShareId, body: ShareRevoke, ws: WorkspaceDep, user: require("shares")) -> dict:
    """The portal stops serving the share's copies (every one, or ``recipients``'); earlier receipts stand."""
    return shares_service.revoke(ws.context, share_id, body.recipients, actor=user.name).to_dict()


@router.get("/{share_id}/receipts", response_model=ReceiptsPublic)
def receipts(share_id: ShareId, ws: WorkspaceDep, user: require("read")) -> dict:
    """The receipts of a portal share's downloads, oldest first."""
    return page(portal.receipts(ws.context, share_id))
