"""``/api/v1/audit``: the hash-chained audit trail, its verification and its signed checkpoints."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.services import listing
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import Limit, WorkspaceDep, require
from leaktrace.web.schemas import AuditPublic, AuditVerifyAgainstPublic, AuditVerifyPublic, CheckpointPublic, page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPublic)
def list_audit(ws: WorkspaceDep, user: require("read"), limit: Limit = None, q: Search = None, offset: Offset = None) -> dict:
    """Entries, newest first (the ``limit`` newest); with ``q`` (text of the details, the actor) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset)
    return page(ws.list_audit(limit=limit) if paged is None else list(listing.audit(ws.context, **paged).items))


@router.get("/verify", response_model=AuditVerifyPublic)
def verify_audit(ws: WorkspaceDep, user: require("read")) -> dict:
    return ws.verify_audit().to_dict()


@router.get("/checkpoint", response_model=CheckpointPublic)
def latest_checkpoint(ws: WorkspaceDep, user: require("read")) -> dict:
    """The newest checkpoint issued, as signed then (nothing is written; 404 when none was)."""
    return ws.latest_checkpoint().to_dict()


@router.post("/checkpoint", response_model=CheckpointPublic)
def checkpoint(ws: WorkspaceDep, user: require("read")) -> dict:
    """Sign the log's current head and return it (recorded in the log under the user's name): keep it off this server."""
    return ws.checkpoint(actor=user.name).to_dict()


@router.post("/verify", response_model=AuditVerifyAgainstPublic)
def verify_against(body: CheckpointPublic, ws: WorkspaceDep, user: require("read")) -> dict:
    """The whole check of ``GET /verify`` (the chain and every sealed record) and, under ``against``,
    whether today's log extends the checkpoint sent (a consistency proof), as ``audit verify --against
    --json``. ``ok`` is true only when both hold; ``reason`` is then the first that fails."""
    against = ws.verify_audit_against(body.model_dump())
    result = ws.verify_audit()
    answer = {**result.to_dict(), "against": against.to_dict()}
    if result.ok and not against.ok:
        answer.update(ok=False, reason=against.reason)
    return answer
