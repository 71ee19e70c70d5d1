"""``/recipients``: the list (search by name, organisation, e-mail or number; paged) and the add form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.services import listing
from leaktrace.web.deps import Csrf, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/recipients")
def recipients(request: Request, ws: WorkspaceDep, user: require("read"), q: Text = "", page: Number = "", per_page: Number = "") -> Response:
    p = listing.recipients(ws.context, q=q, **numbers(page, per_page))
    return render(request, "recipients.html", user, p=p, nav=pager(request, p), q=q, searching=bool(q.strip()))


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
