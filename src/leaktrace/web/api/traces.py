"""``/api/v1/traces``: upload a leak, get the finding (the ``trace --json`` document)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from leaktrace.web import uploads
from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import FindingPublic

router = APIRouter(prefix="/traces", tags=["traces"])


@router.post("", response_model=FindingPublic, status_code=201)
def trace(
    request: Request,
    ws: WorkspaceDep,
    user: require("traces"),
    file: Annotated[UploadFile, File(description="The leaked image.")],
    asset_id: Annotated[int | None, Form(description="Skip the search: the asset it comes from.")] = None,
) -> dict:
    """Trace a leak; ``leak.path`` is the upload's name (the finding stores it as ``upload:NAME``)."""
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="leak") as path:
        finding = ws.trace(path, asset_id=asset_id, actor=user.name, display_name=f"upload:{path.name}")
    return dataclasses.replace(finding, leak=dataclasses.replace(finding.leak, path=path.name)).to_dict()
