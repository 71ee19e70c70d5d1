"""``/api/v1/recipients``: list and register recipients."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import RecipientCreate, RecipientPublic, RecipientsPublic

router = APIRouter(prefix="/recipients", tags=["recipients"])


@router.get("", response_model=RecipientsPublic)
def list_recipients(ws: WorkspaceDep, user: require("read")) -> dict:
    rows = ws.list_recipients()
    return {"data": rows, "count": len(rows)}


@router.post("", response_model=RecipientPublic, status_code=201)
def add_recipient(body: RecipientCreate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    return ws.add_recipient(body.name, email=body.email, org=body.org)
