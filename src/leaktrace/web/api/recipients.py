"""``/api/v1/recipients``: list, register, edit, archive and restore recipients; invite a recipient's user to the portal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from leaktrace.errors import NotFound
from leaktrace.services import invitations, listing
from leaktrace.services import recipients as recipients_service
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import Limit, WorkspaceDep, record_id, require
from leaktrace.web.schemas import (
    InvitationCreate,
    InvitationPublic,
    RecipientArchive,
    RecipientCreate,
    RecipientPublic,
    RecipientsPublic,
    RecipientUpdate,
    page,
)

RecipientId = record_id("recipient")
Archived = Annotated[bool, Query(description="List the archived recipients (kept for evidence, offered to no share) instead of those in use.")]

router = APIRouter(prefix="/recipients", tags=["recipients"])


@router.get("", response_model=RecipientsPublic)
def list_recipients(
    ws: WorkspaceDep, user: require("read"), q: Search = None, limit: Limit = None, offset: Offset = None, archived: Archived = False
) -> dict:
    """Every recipient in use (``archived``: every archived one), oldest first; with ``q`` (name, organisation,
    e-mail, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset, old_limit=False)
    if paged is None:
        rows = [r for r in ws.list_recipients() if (r.archived_at is not None) == archived]
    else:
        rows = list(listing.recipients(ws.context, archived=archived, **paged).items)
    return page(rows)


@router.post("", response_model=RecipientPublic, status_code=201)
def add_recipient(body: RecipientCreate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    return ws.add_recipient(body.name, email=body.email, org=body.org, actor=user.name).to_dict()


@router.patch("/{recipient_id}", response_model=RecipientPublic)
def edit_recipient(recipient_id: RecipientId, body: RecipientUpdate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Change the recipient's name, e-mail or organisation (one ``recipient.edit`` entry, before and after); its fingerprints never change."""
    return recipients_service.edit(ws.context, recipient_id, name=body.name, email=body.email, org=body.org, actor=user.name).to_dict()


@router.post("/{recipient_id}/archive", response_model=RecipientPublic)
def archive_recipient(recipient_id: RecipientId, body: RecipientArchive, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Archive the recipient, with a reason: kept and tested by every trace of what it received, offered to no new share."""
    return recipients_service.archive(ws.context, recipient_id, reason=body.reason, actor=user.name).to_dict()


@router.post("/{recipient_id}/restore", response_model=RecipientPublic)
def restore_recipient(recipient_id: RecipientId, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Bring an archived recipient back into the forms, ``all`` and its groups."""
    return recipients_service.restore(ws.context, recipient_id, actor=user.name).to_dict()


@router.post("/{recipient_id}/invitations", response_model=InvitationPublic, status_code=201)
def invite(recipient_id: record_id("recipient"), body: InvitationCreate, request: Request, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """A one-time link that makes a user of this recipient for the recipient portal, e-mailed to it when the workspace has an SMTP relay; ``token`` and ``link`` are in this answer only."""
    if not any(r.id == recipient_id for r in ws.list_recipients()):
        raise NotFound(f"no recipient numbered {recipient_id}.")
    made = invitations.invite(
        ws.context, str(recipient_id), body.email, expires_days=body.expires_days, actor=user.name, base_url=str(request.base_url)
    )
    return made.to_dict()
