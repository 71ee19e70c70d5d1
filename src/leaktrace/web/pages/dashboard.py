"""``/``: recent shares, recent findings, open cases, and the remediation actions that are due."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.pages._render import render

router = APIRouter()
RECENT = 8


@router.get("/")
def dashboard(request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    assets = {a.id: a for a in ws.list_assets(archived=None)}
    shares = sorted(ws.list_shares(), key=lambda s: s.created_at, reverse=True)[:RECENT]
    findings = ws.list_findings(limit=RECENT)
    cases = [c for c in ws.list_cases() if c.status != "closed"]
    counts = {"recipients": len(ws.list_recipients(archived=False)), "assets": sum(a.archived_at is None for a in assets.values())}
    due = ws.due_actions()
    return render(request, "dashboard.html", user, shares=shares, assets=assets, findings=findings, cases=cases, counts=counts, due=due)
