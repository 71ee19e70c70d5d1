"""``/api/v1/recipients``: list and register recipients."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import RecipientCreate, RecipientPublic, RecipientsPublic, page

router = APIRouter(prefix="/recipients", tags=["recipients"])


@router.get("", response_model=RecipientsPublic)
def list_recipients(ws: WorkspaceDep, user: require("read")) -> dict:
    return page(ws.list_recipients())


@router.post("", response_model=RecipientPublic, status_code=201)
def add_recipient(body: RecipientCreate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    return ws.add_recipient(body.name, email=body.email, org=body.org, actor=user.name).to_dict()
