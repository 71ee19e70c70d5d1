"""``/api/v1/findings``: stored findings and their evidence reports."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from leaktrace.services import listing
from leaktrace.web import reports
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import FindingId, Limit, WorkspaceDep, require
from leaktrace.web.schemas import FindingPublic, FindingsPublic, page

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("", response_model=FindingsPublic)
def list_findings(ws: WorkspaceDep, user: require("read"), limit: Limit = None, q: Search = None, offset: Offset = None) -> dict:
    """Findings, newest first (the ``limit`` newest); with ``q`` (leak file, asset, tracer, accused, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset)
    return page(ws.list_findings(limit=limit) if paged is None else list(listing.findings(ws.context, **paged).items))


@router.get("/{finding_id}", response_model=FindingPublic)
def show_finding(finding_id: FindingId, ws: WorkspaceDep, user: require("read")) -> dict:
    return ws.show_finding(finding_id).to_dict()


@router.post("/{finding_id}/report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def report_pdf(finding_id: FindingId, ws: WorkspaceDep, user: require("reports")) -> Response:
    return reports.response(ws, finding_id, "pdf", user.name)


@router.post("/{finding_id}/report.html", response_class=Response, responses={200: {"content": {"text/html": {}}}})
def report_html(finding_id: FindingId, ws: WorkspaceDep, user: require("reports")) -> Response:
    return reports.response(ws, finding_id, "html", user.name)
