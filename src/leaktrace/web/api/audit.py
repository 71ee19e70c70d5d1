"""``/api/v1/audit``: the hash-chained audit trail and its verification."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import AuditPublic, AuditVerifyPublic, page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPublic)
def list_audit(ws: WorkspaceDep, user: require("read"), limit: int | None = None) -> dict:
    return page(ws.list_audit(limit=limit))


@router.get("/verify", response_model=AuditVerifyPublic)
def verify_audit(ws: WorkspaceDep, user: require("read")) -> dict:
    return ws.verify_audit().to_dict()
