"""``/api/v1/copies/{sha256}``: download one recorded copy."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import Response

from leaktrace.web.deps import WorkspaceDep, require

router = APIRouter(prefix="/copies", tags=["shares"])


@router.get("/{sha256}", response_class=Response, responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}})
def download_copy(ws: WorkspaceDep, user: require("read"), sha256: str = Path(pattern="^[0-9a-fA-F]{64}$")) -> Response:
    f = ws.copy_file(sha256)
    return Response(f.data, media_type=f.media_type, headers={"Content-Disposition": f'attachment; filename="{f.filename}"'})
