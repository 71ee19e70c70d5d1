"""``/api/v1/audit``: the hash-chained audit trail, its verification and its signed checkpoints."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import AuditPublic, AuditVerifyPublic, CheckpointPublic, ConsistencyCheckPublic, page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPublic)
def list_audit(ws: WorkspaceDep, user: require("read"), limit: int | None = None) -> dict:
    return page(ws.list_audit(limit=limit))


@router.get("/verify", response_model=AuditVerifyPublic)
def verify_audit(ws: WorkspaceDep, user: require("read")) -> dict:
    return ws.verify_audit().to_dict()


@router.get("/checkpoint", response_model=CheckpointPublic)
def checkpoint(ws: WorkspaceDep, user: require("read")) -> dict:
    """Sign the log's current head and return it (recorded in the log under the user's name): keep it off this server."""
    return ws.checkpoint(actor=user.name).to_dict()


@router.post("/verify", response_model=ConsistencyCheckPublic)
def verify_against(body: CheckpointPublic, ws: WorkspaceDep, user: require("read")) -> dict:
    """Whether today's log extends the checkpoint sent (a consistency proof); ``ok`` false, with the reason, when not."""
    return ws.verify_audit_against(body.model_dump()).to_dict()
