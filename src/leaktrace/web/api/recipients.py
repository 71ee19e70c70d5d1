"""``/api/v1/recipients``: list and register recipients; invite a recipient's user to the portal."""

from __future__ import annotations

from fastapi import APIRouter, Request

from leaktrace.errors import NotFound
from leaktrace.services import listing, portal
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import Limit, WorkspaceDep, record_id, require
from leaktrace.web.schemas import InvitationCreate, InvitationPublic, RecipientCreate, RecipientPublic, RecipientsPublic, page

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


@router.post("/{recipient_id}/invitations", response_model=InvitationPublic, status_code=201)
def invite(recipient_id: record_id("recipient"), body: InvitationCreate, request: Request, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """A one-time link that makes a user of this recipient for the recipient portal; ``token`` and ``link`` are in this answer only."""
    if not any(r.id == recipient_id for r in ws.list_recipients()):
        raise NotFound(f"no recipient numbered {recipient_id}.")
    made = portal.invite(ws.context, str(recipient_id), body.email, expires_days=body.expires_days, actor=user.name, base_url=str(request.base_url))
    return made.to_dict()
