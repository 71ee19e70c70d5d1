"""``/api/v1/assets``: list assets and upload new ones (multipart): images, or a PDF document (its pages become assets of their own)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from leaktrace.services import listing
from leaktrace.web import uploads
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import Limit, WorkspaceDep, require
from leaktrace.web.schemas import AssetAdded, AssetsPublic, page

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=AssetsPublic)
def list_assets(ws: WorkspaceDep, user: require("read"), q: Search = None, limit: Limit = None, offset: Offset = None) -> dict:
    """Every image and document, oldest first; with ``q`` (title, file name, SHA-256, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset, old_limit=False)
    rows = ws.list_assets() if paged is None else list(listing.assets(ws.context, **paged).items)
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
