"""``/share/portal``: an analyst shares an asset through the recipient portal (no zip, no file kept):
each recipient's user accepts the terms and downloads a copy made for them; the page lists the
portal shares with their receipts and revokes them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.errors import BadInput
from leaktrace.services import groups as groups_service
from leaktrace.services import portal
from leaktrace.services import recipients as recipients_service
from leaktrace.services import shares as shares_service
from leaktrace.web.deps import AssetId, Csrf, ShareId, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/share/portal")
def portal_form(request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    shares = [s for s in reversed(ws.list_shares()) if s.delivery == shares_service.PORTAL]
    receipts = {s.id: portal.receipts(ws.context, s.id) for s in shares}
    return render(
        request,
        "share_portal.html",
        user,
        assets=ws.list_assets(),
        recipients=recipients_service.list_all(ws.context, archived=False),
        groups=groups_service.list_all(ws.context),
        shares=shares,
        receipts=receipts,
        titles={a.id: a.title for a in ws.list_assets(archived=None)},
    )


@form_page("/share/portal")
def _portal_again(request: Request) -> Response:
    return portal_form(request, request.app.state.workspace, request.state.user)


@router.post("/share/portal")
def portal_share(
    request: Request,
    ws: WorkspaceDep,
    user: require("shares"),
    _: Csrf,
    _form: KeepForm,
    asset_id: Annotated[AssetId, Form()],
    to: Annotated[list[str] | None, Form()] = None,
    group: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
    terms: Annotated[str, Form(max_length=shares_service.MAX_TERMS)] = "",
    expires_days: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not to and not group:
        raise BadInput("pick at least one recipient or group.")
    try:
        days = float(expires_days) if expires_days.strip() else None
    except ValueError:
        raise BadInput(f"“Available for (days)” must be a number, not {expires_days!r}.") from None
    rows = shares_service.share(
        ws.context,
        asset_id,
        list(to or []),
        None,
        note=note.strip() or None,
        actor=user.name,
        portal=True,
        terms=terms,
        expires_days=days,
        groups=list(group or []),
    )
    flash(request, f"Share {rows[0].share_id}: {len(rows)} copies recorded for the recipient portal. Invite each recipient's user from Recipients.")
    return redirect("/share/portal")


@router.post("/share/portal/{share_id}/revoke")
def revoke(request: Request, ws: WorkspaceDep, user: require("shares"), _: Csrf, share_id: ShareId) -> Response:
    shares_service.revoke(ws.context, share_id, actor=user.name)
    flash(request, f"Share {share_id} revoked: the portal no longer serves its copies.")
    return redirect("/share/portal")
