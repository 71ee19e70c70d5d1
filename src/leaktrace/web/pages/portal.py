"""``/portal``: a recipient's user sees the shares addressed to their recipient, accepts a share's
terms, and downloads a copy made for them at that moment (each download a numbered receipt).

Only :data:`~leaktrace.web.deps.PortalUser` reaches these pages; a share of another recipient, or
one that does not exist, answers the same 404 (:mod:`leaktrace.services.portal`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leaktrace.services import portal
from leaktrace.web.deps import Csrf, PortalUser, ShareId, WorkspaceDep
from leaktrace.web.pages._render import flash, redirect, render

router = APIRouter()


def _client(request: Request) -> tuple[str | None, str | None]:
    """The client's address and browser, as the receipt records them."""
    return (request.client.host if request.client else None), request.headers.get("user-agent")


@router.get("/portal")
def home(request: Request, ws: WorkspaceDep, user: PortalUser) -> Response:
    return render(request, "portal.html", user, shares=portal.shares_for(ws.context, user))


@router.get("/portal/shares/{share_id}")
def share(request: Request, ws: WorkspaceDep, user: PortalUser, share_id: ShareId) -> Response:
    return render(request, "portal_share.html", user, s=portal.share_for(ws.context, user, share_id))


@router.post("/portal/shares/{share_id}/accept")
def accept(request: Request, ws: WorkspaceDep, user: PortalUser, _: Csrf, share_id: ShareId) -> Response:
    client, agent = _client(request)
    portal.accept_terms(ws.context, user, share_id, client=client, user_agent=agent)
    flash(request, "Terms accepted. You can download your copy now.")
    return redirect(f"/portal/shares/{share_id}")


@router.post("/portal/shares/{share_id}/download")
def download(request: Request, ws: WorkspaceDep, user: PortalUser, _: Csrf, share_id: ShareId) -> Response:
    client, agent = _client(request)
    receipt, f = portal.download(ws.context, user, share_id, client=client, user_agent=agent)
    headers = {
        "Content-Disposition": f'attachment; filename="{f.filename}"',
        "X-Leaktrace-Receipt": str(receipt.id),
        "X-Leaktrace-SHA256": receipt.sha256,
    }
    return Response(f.data, media_type=f.media_type, headers=headers)
