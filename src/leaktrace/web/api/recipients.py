"""``/api/v1/recipients``: list and register recipients."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.services import listing
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import Limit, WorkspaceDep, require
from leaktrace.web.schemas import RecipientCreate, RecipientPublic, RecipientsPublic, page

router = APIRouter(prefix="/recipients", tags=["recipients"])


@router.get("", response_model=RecipientsPublic)
def list_recipients(ws: WorkspaceDep, user: require("read"), q: Search = None, limit: Limit = None, offset: Offset = None) -> dict:
    """Every recipient, oldest first; with ``q`` (name, organisation, e-mail, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset, old_limit=False)
    rows = ws.list_recipients() if paged is None else list(listing.recipients(ws.context, **paged).items)
    return page(rows)


@router.post("", response_model=RecipientPublic, status_code=201)
def add_recipient(body: RecipientCreate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    return ws.add_recipient(body.name, email=body.email, org=body.org, actor=user.name).to_dict()
