"""``/api/v1/assets``: list assets and upload new ones (multipart): images, or a PDF document (its pages become assets of their own);
retitle one, archive it (kept and still traced, no longer offered or shared) and restore it."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile

from leaktrace.services import listing
from leaktrace.web import uploads
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import AssetId, Limit, WorkspaceDep, require
from leaktrace.web.schemas import AssetAdded, AssetPublic, AssetsPublic, AssetUpdate, page

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=AssetsPublic)
def list_assets(
    ws: WorkspaceDep,
    user: require("read"),
    q: Search = None,
    limit: Limit = None,
    offset: Offset = None,
    archived: Annotated[bool, Query(description="The archived assets instead of those in use.")] = False,
) -> dict:
    """Every image and document in use (``archived``: the archived ones), oldest first; with ``q`` (title, file name, SHA-256, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset, old_limit=False)
    rows = ws.list_assets(archived=archived) if paged is None else list(listing.assets(ws.context, archived=archived, **paged).items)
    return page(rows)


@router.post("", response_model=list[AssetAdded], status_code=201)
def add_asset(
    request: Request,
    ws: WorkspaceDep,
    user: require("assets"),
    file: Annotated[UploadFile, File(description="The confidential original (PNG, JPEG, WebP, TIFF…, or a PDF document).")],
    title: Annotated[str | None, Form(max_length=500)] = None,
) -> list[dict]:
    """Register an image or a PDF document as an asset; the same shape as ``leaktrace asset add --json`` (``path``: the upload's name)."""
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="asset", documents=True) as path:
        rows = ws.add_assets([path], title=title or path.stem, actor=user.name)
    return [dataclasses.replace(r, path=path.name).to_dict() for r in rows]


@router.patch("/{asset_id}", response_model=AssetPublic)
def edit_asset(asset_id: AssetId, body: AssetUpdate, ws: WorkspaceDep, user: require("assets")) -> dict:
    """Give an asset a new title (``asset edit --json``), audited with the old one."""
    return ws.edit_asset(asset_id, title=body.title, actor=user.name).to_dict()


@router.post("/{asset_id}/archive", response_model=AssetPublic)
def archive_asset(asset_id: AssetId, ws: WorkspaceDep, user: require("assets")) -> dict:
    """Archive an asset (a document with its pages; ``asset archive --json``): still traced, no longer offered or shared; 409 if it is already."""
    return ws.archive_asset(asset_id, actor=user.name).to_dict()


@router.post("/{asset_id}/restore", response_model=AssetPublic)
def restore_asset(asset_id: AssetId, ws: WorkspaceDep, user: require("assets")) -> dict:
    """Bring an archived asset back (``asset restore --json``); 409 if it is not archived."""
    return ws.restore_asset(asset_id, actor=user.name).to_dict()
