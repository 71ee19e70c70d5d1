"""``/api/v1/traces``: upload a leak, get the finding (the ``trace --json`` document)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from leaktrace.web import uploads
from leaktrace.web.deps import AssetId, WorkspaceDep, require
from leaktrace.web.schemas import TRACE_CUSTODY, FindingPublic

router = APIRouter(prefix="/traces", tags=["traces"])


@router.post("", response_model=FindingPublic, status_code=201)
def trace(
    request: Request,
    ws: WorkspaceDep,
    user: require("traces"),
    file: Annotated[UploadFile, File(description="The leaked image.")],
    asset_id: Annotated[AssetId | None, Form(description="Skip the search: the asset it comes from.")] = None,
    source_url: Annotated[str | None, Form(description=TRACE_CUSTODY["source_url"])] = None,
    found_at: Annotated[str | None, Form(description=TRACE_CUSTODY["found_at"])] = None,
    captured_by: Annotated[str | None, Form(description=TRACE_CUSTODY["captured_by"])] = None,
    note: Annotated[str | None, Form(description=TRACE_CUSTODY["note"])] = None,
) -> dict:
    """Trace a leak; ``leak.path`` is the upload's name (the finding stores it as ``upload:NAME``).

    The optional ``source_url``, ``found_at``, ``captured_by`` and ``note`` record the leak's
    chain of custody with the finding (``custody`` in the answer); a bad one is refused (400)
    before anything is traced."""
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="leak", documents=True) as path:
        finding = ws.trace(
            path,
            asset_id=asset_id,
            actor=user.name,
            display_name=f"upload:{path.name}",
            source_url=source_url,
            found_at=found_at,
            captured_by=captured_by,
            note=note,
        )
    return dataclasses.replace(finding, leak=dataclasses.replace(finding.leak, path=path.name)).to_dict()
