"""``/recipients``: the list (search by name, organisation, e-mail or number; paged; ``?archived=1``:
the archived ones) and the add form; ``/recipients/ID``: one recipient, its edit form, its groups,
and archive or restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.services import groups as groups_service
from leaktrace.services import listing
from leaktrace.services import recipients as recipients_service
from leaktrace.web.deps import Csrf, WorkspaceDep, record_id, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, flag, numbers, pager
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()

RecipientId = record_id("recipient")


@router.get("/recipients")
def recipients(
    request: Request, ws: WorkspaceDep, user: require("read"), q: Text = "", page: Number = "", per_page: Number = "", archived: Text = ""
) -> Response:
    shelved = flag(archived)
    p = listing.recipients(ws.context, q=q, archived=shelved, **numbers(page, per_page))
    return render(request, "recipients.html", user, p=p, nav=pager(request, p), q=q, searching=bool(q.strip()), archived=shelved)


@form_page("/recipients")
def _recipients_again(request: Request) -> Response:
    return recipients(request, request.app.state.workspace, request.state.user)


@router.post("/recipients")
def add_recipient(
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)] = "",
    org: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    r = ws.add_recipient(name, email=email.strip() or None, org=org.strip() or None, actor=user.name)
    flash(request, f"Recipient {r.name} registered (id {r.id}).")
    return redirect("/recipients")


@router.get("/recipients/{recipient_id}")
def recipient(recipient_id: RecipientId, request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    """One recipient: its details (an edit form for those who may change recipients), its groups, archive or restore."""
    r = recipients_service.get(ws.context, recipient_id)
    member_of = [g for g in groups_service.list_all(ws.context) if any(m.id == r.id for m in g.members)]
    return render(request, "recipient.html", user, r=r, member_of=member_of)


@form_page("/recipients/{recipient_id}", "/recipients/{recipient_id}/archive", "/recipients/{recipient_id}/restore")
def _recipient_again(request: Request) -> Response:
    return recipient(int(request.path_params["recipient_id"]), request, request.app.state.workspace, request.state.user)


@router.post("/recipients/{recipient_id}")
def edit_recipient(
    recipient_id: RecipientId,
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)] = "",
    org: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    r = recipients_service.edit(ws.context, recipient_id, name=name, email=email, org=org, actor=user.name)
    flash(request, f"Recipient {r.name} changed.")
    return redirect(f"/recipients/{r.id}")


@router.post("/recipients/{recipient_id}/archive")
def archive_recipient(
    recipient_id: RecipientId,
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    r = recipients_service.archive(ws.context, recipient_id, reason=reason, actor=user.name)
    flash(request, f"Recipient {r.name} archived: kept, and still tested by every trace, but offered to no new share.")
    return redirect(f"/recipients/{r.id}")


@router.post("/recipients/{recipient_id}/restore")
def restore_recipient(recipient_id: RecipientId, request: Request, ws: WorkspaceDep, user: require("recipients"), _: Csrf) -> Response:
    r = recipients_service.restore(ws.context, recipient_id, actor=user.name)
    flash(request, f"Recipient {r.name} restored.")
    return redirect(f"/recipients/{r.id}")
