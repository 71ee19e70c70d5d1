"""``/api/v1/invitations``: invitations to the recipient portal with their state (never their
links), and the cancellation of a pending one (``invitation.cancel``). Invitations are made at
``POST /api/v1/recipients/{id}/invitations``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.services import invitations
from leaktrace.web.deps import WorkspaceDep, record_id, require
from leaktrace.web.schemas import InvitationPublic, InvitationsPublic, page

router = APIRouter(prefix="/invitations", tags=["invitations"])


@router.get("", response_model=InvitationsPublic)
def list_invitations(
    ws: WorkspaceDep,
    _: require("read"),
    recipient: Annotated[str | None, Query(max_length=200, description="Only this recipient's (name or id).")] = None,
    state: Annotated[str | None, Query(pattern="^(" + "|".join(invitations.STATES) + ")$", description="Only those in this state.")] = None,
) -> dict:
    """Every invitation, newest first, each ``pending``, ``accepted``, ``cancelled`` or ``expired``."""
    return page(invitations.list_all(ws.context, recipient, state=state))


@router.post("/{invitation_id}/cancel", response_model=InvitationPublic)
def cancel_invitation(invitation_id: record_id("invitation"), ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Cancel a pending invitation: its link opens nothing from now on (409 if it is not pending)."""
    return invitations.cancel(ws.context, invitation_id, actor=user.name).to_dict()
