"""``/monitoring``: the scans of a crawler's images (``leaktrace scan``), and each scan's hits and failures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leaktrace.services import scans
from leaktrace.web.deps import WorkspaceDep, record_id, require
from leaktrace.web.pages._render import render

router = APIRouter()
ScanId = record_id("scan")
#: Scans listed, newest first.
SHOWN = 100


@router.get("/monitoring")
def monitoring(request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    rows = scans.list_all(ws.context, limit=SHOWN)
    return render(request, "monitoring.html", user, scans=rows)


@router.get("/monitoring/{scan_id}")
def monitoring_scan(scan_id: ScanId, request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    return render(request, "monitoring_scan.html", user, scan=scans.summary(ws.context, scan_id), result=scans.result(ws.context, scan_id))
