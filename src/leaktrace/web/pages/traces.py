"""``/trace``: upload a leak; the finding page shows the result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from leaktrace.web import uploads
from leaktrace.web.deps import Csrf, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._render import KeepForm, redirect, render

router = APIRouter()


@router.get("/trace")
def trace_form(request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    rows = ws.list_assets()
    pages = {a.id: ws.show_asset(a.id).page_assets for a in rows if a.kind == "document"}  # a leak is of a page, never of a whole document
    return render(request, "trace.html", user, assets=rows, pages=pages, limit_mb=request.app.state.web.max_upload_mb)


@form_page("/trace")
def _trace_again(request: Request) -> Response:
    return trace_form(request, request.app.state.workspace, request.state.user)


@router.post("/trace")
def trace(
    request: Request,
    ws: WorkspaceDep,
    user: require("traces"),
    _: Csrf,
    _form: KeepForm,
    file: Annotated[UploadFile, File()],
    asset_id: Annotated[str, Form()] = "",
    source_url: Annotated[str, Form()] = "",
    found_at: Annotated[str, Form()] = "",
    captured_by: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Trace the upload with the chain of custody typed in the form (blank fields: not given)."""
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="leak", documents=True) as path:
        finding = ws.trace(
            path,
            asset_id=asset_id or None,
            actor=user.name,
            display_name=f"upload:{path.name}",
            source_url=source_url,
            found_at=found_at,
            captured_by=captured_by,
            note=note,
        )
    return redirect(f"/findings/{finding.id}")
