"""Evidence reports as HTTP responses, through ``Workspace.report(finding_id, fmt)`` when it exists."""

from __future__ import annotations

import inspect

from fastapi.responses import Response

from leaktrace.services.workspace import Workspace
from leaktrace.web.errors import NotImplementedYet

MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def available(ws: Workspace) -> bool:
    return callable(getattr(ws, "report", None))


def response(ws: Workspace, finding_id: int, fmt: str, actor: str) -> Response:
    """The report of finding ``finding_id`` as a download (501 until the report service exists)."""
    if not available(ws):
        raise NotImplementedYet("evidence reports are not available in this build yet.")
    ws.show_finding(finding_id)  # 404 before any rendering work
    takes_actor = "actor" in inspect.signature(ws.report).parameters
    data = ws.report(finding_id, fmt, actor=actor) if takes_actor else ws.report(finding_id, fmt)
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="finding-{finding_id}.{fmt}"'})
