"""``/audit``: the audit trail, newest first, and the result of verifying its hash chain."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.pages._render import render

router = APIRouter()
PAGE = 200


@router.get("/audit")
def audit(request: Request, ws: WorkspaceDep, user: require("read"), verify: bool = False) -> Response:
    check = ws.verify_audit() if verify else None
    return render(request, "audit.html", user, entries=ws.list_audit(limit=PAGE), check=check, page=PAGE)
