"""``/api/v1/assets``: list assets and upload new ones (multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from leaktrace.web import uploads
from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import AssetAdded, AssetsPublic

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=AssetsPublic)
def list_assets(ws: WorkspaceDep, user: require("read")) -> dict:
    rows = ws.list_assets()
    return {"data": rows, "count": len(rows)}


@router.post("", response_model=list[AssetAdded], status_code=201)
def add_asset(
    request: Request,
    ws: WorkspaceDep,
    user: require("assets"),
    file: Annotated[UploadFile, File(description="The confidential original (PNG, JPEG, WebP, TIFF…).")],
    title: Annotated[str | None, Form(max_length=500)] = None,
) -> list[dict]:
    """Register an image as an asset; the same shape as ``leaktrace asset add --json``."""
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="asset") as path:
        rows = ws.add_assets([path], title=title or path.stem)
    return [{k: r[k] for k in ("id", "sha256", "width", "height", "duplicate")} | {"path": path.name} for r in rows]
