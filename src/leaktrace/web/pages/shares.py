"""``/share``: pick an asset and recipients, download the fingerprinted copies as one zip."""

from __future__ import annotations

import io
import zipfile
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.errors import BadInput
from leaktrace.web import uploads
from leaktrace.web.deps import Csrf, WorkspaceDep, require
from leaktrace.web.pages._render import render

router = APIRouter()


@router.get("/share")
def share_form(request: Request, ws: WorkspaceDep, user: require("read"), asset: int | None = None) -> Response:
    assets = ws.list_assets()
    return render(request, "share.html", user, assets=assets, recipients=ws.list_recipients(), shares=ws.list_shares(),
                  selected=asset, titles={a.id: a.title for a in assets})


@router.post("/share")
def share(request: Request, ws: WorkspaceDep, user: require("shares"), _: Csrf, asset_id: Annotated[int, Form()],
          to: Annotated[list[str] | None, Form()] = None, note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if not to:
        raise BadInput("pick at least one recipient.")
    buffer = io.BytesIO()
    with uploads.temp_folder() as folder:
        rows = ws.share(asset_id, to, folder, note=note.strip() or None, actor=user.name)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # images are compressed already
            for r in rows:
                archive.write(r.path, r.filename)
    share_id = rows[0].share_id if rows else "new"
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="share-{share_id}-asset-{asset_id}.zip"'})
