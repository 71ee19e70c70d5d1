"""``/api/v1/scans``: the monitoring scans (``leaktrace scan``) and, for each, its hits and failures."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.services import scans
from leaktrace.web.deps import Limit, WorkspaceDep, record_id, require
from leaktrace.web.schemas import listing, page, public

router = APIRouter(prefix="/scans", tags=["scans"])
ScanId = record_id("scan")
ScanPublic = public(scans.ScanResult, "ScanPublic")
ScansPublic = listing(public(scans.ScanSummary, "ScanSummaryPublic"), "ScansPublic")


@router.get("", response_model=ScansPublic)
def list_scans(ws: WorkspaceDep, user: require("read"), limit: Limit = None) -> dict:
    """Scans, newest first (the ``limit`` newest), with their state and counts, as ``scan list --json``."""
    return page(scans.list_all(ws.context, limit=limit))


@router.get("/{scan_id}", response_model=ScanPublic)
def show_scan(scan_id: ScanId, ws: WorkspaceDep, user: require("read")) -> dict:
    """One scan's hits (each with its finding and who it accuses) and failures, as ``scan show ID --json``."""
    return scans.result(ws.context, scan_id).to_dict()
