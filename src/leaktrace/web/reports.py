"""Evidence reports as HTTP downloads (for the API and the pages alike)."""

from __future__ import annotations

from fastapi.responses import Response

from leaktrace.services.workspace import Workspace

MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def response(ws: Workspace, finding_id: int, fmt: str, actor: str) -> Response:
    """The report of finding ``finding_id`` as a download, made (and audited) as ``actor``."""
    data = ws.report(finding_id, fmt, actor=actor)
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="finding-{finding_id}.{fmt}"'})
