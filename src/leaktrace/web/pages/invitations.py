"""Invitations to the recipient portal: an analyst's form on a recipient (``/recipients/{id}/invite``,
the link e-mailed when the workspace has an SMTP relay, else shown once), the list of every
invitation with a button that cancels a pending one (``/invitations``), and the link's own page
(``/invite/{token}``), where the invitee chooses a user name and a password and is signed in as that
recipient's user."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from leaktrace.errors import BadInput, NotFound
from leaktrace.services import invitations, portal
from leaktrace.web.deps import Csrf, WorkspaceDep, csrf_token, record_id, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()
RecipientId = record_id("recipient")
InvitationId = record_id("invitation")


def _recipient(ws, recipient_id: int):
    found = next((r for r in ws.list_recipients() if r.id == recipient_id), None)
    if found is None:
        raise NotFound(f"no recipient numbered {recipient_id}.")
    return found


@router.get("/recipients/{recipient_id}/invite")
def invite_form(request: Request, ws: WorkspaceDep, user: require("read"), recipient_id: RecipientId) -> Response:
    return render(request, "invite.html", user, r=_recipient(ws, recipient_id), days=portal.DEFAULT_EXPIRES_DAYS, made=None, smtp=_smtp(ws))


def _smtp(ws) -> bool:
    return bool(ws.context.settings.smtp_host)


@form_page("/recipients/{recipient_id}/invite")
def _invite_again(request: Request) -> Response:
    return invite_form(request, request.app.state.workspace, request.state.user, int(request.path_params["recipient_id"]))


@router.post("/recipients/{recipient_id}/invite")
def invite(
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    recipient_id: RecipientId,
    email: Annotated[str, Form(max_length=320)],
    expires_days: Annotated[float, Form(gt=0, le=portal.MAX_EXPIRES_DAYS)] = portal.DEFAULT_EXPIRES_DAYS,
    send: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    r = _recipient(ws, recipient_id)
    made = invitations.invite(
        ws.context, str(r.id), email, expires_days=expires_days, actor=user.name, base_url=str(request.base_url), send=send is not None
    )
    days = int(expires_days) if expires_days == int(expires_days) else expires_days
    return render(request, "invite.html", user, r=r, days=days, made=made, smtp=_smtp(ws))


@router.get("/invitations")
def list_page(
    request: Request,
    ws: WorkspaceDep,
    user: require("read"),
    recipient: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    state = state if state in invitations.STATES else None
    recipient = recipient or None
    rows = invitations.list_all(ws.context, recipient, state=state)
    return render(request, "invitations.html", user, rows=rows, states=invitations.STATES, state=state, recipient=recipient)


@router.post("/invitations/{invitation_id}/cancel")
def cancel(request: Request, ws: WorkspaceDep, user: require("recipients"), _: Csrf, invitation_id: InvitationId) -> Response:
    cancelled = invitations.cancel(ws.context, invitation_id, actor=user.name)
    flash(request, f"Invitation {cancelled.id} for {cancelled.email} ({cancelled.recipient}) cancelled: its link opens nothing now.")
    return redirect("/invitations")


@router.get("/invite/{token}")
def accept_form(request: Request, ws: WorkspaceDep, token: str) -> Response:
    csrf_token(request)
    return render(request, "invite_accept.html", None, invitation=portal.find_invitation(ws.context, token), token=token)


@router.post("/invite/{token}")
def accept(
    request: Request,
    ws: WorkspaceDep,
    _: Csrf,
    token: str,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    password_again: Annotated[str, Form(max_length=1000)],
) -> Response:
    invitation = portal.find_invitation(ws.context, token)  # an unknown, used or expired link: the error page says so
    try:
        if password != password_again:
            raise BadInput("the two passwords differ; type the same password twice.")
        made = portal.accept_invitation(ws.context, token, name, password)
    except NotFound:
        raise
    except BadInput as exc:  # no one is signed in: this page shows its own form again (never the passwords)
        message = str(exc)
        return render(
            request, "invite_accept.html", None, 400, invitation=invitation, token=token, name=name, error=message[:1].upper() + message[1:]
        )
    login = ws.log_in(made.name, password, client=request.client.host if request.client else None)
    request.session.clear()  # signed in as the new user, in a fresh session (as /login does)
    now = int(time.time())
    request.session.update(user=login.user.name, role=login.user.role, login=login.session, since=now, seen=now)
    csrf_token(request)
    return redirect("/portal")
