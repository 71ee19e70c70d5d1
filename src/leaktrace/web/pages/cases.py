"""``/cases``: the list (search, filter by status, paged), opening a case from a finding, the case page with its timeline and update form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.services import listing
from leaktrace.services.cases import STATUSES
from leaktrace.web.deps import CaseId, Csrf, FindingId, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/cases")
def cases(
    request: Request, ws: WorkspaceDep, user: require("read"), q: Text = "", status: Text = "", page: Number = "", per_page: Number = ""
) -> Response:
    p = listing.cases(ws.context, q=q, status=status, **numbers(page, per_page))
    searching = bool(q.strip() or status)
    return render(request, "cases.html", user, p=p, nav=pager(request, p), q=q, status=status, statuses=STATUSES, searching=searching)


@router.post("/cases")
def open_case(
    request: Request,
    ws: WorkspaceDep,
    user: require("cases"),
    _: Csrf,
    finding_id: Annotated[FindingId, Form()],
    nda: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    case = ws.open_case(finding_id, nda=nda.strip() or None, actor=user.name)
    flash(request, f"Case {case.id} opened on finding {finding_id}.")
    return redirect(f"/cases/{case.id}")


@router.get("/cases/{case_id}")
def case(case_id: CaseId, request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    c = ws.show_case(case_id)
    return render(request, "case.html", user, c=c, statuses=STATUSES, recipients=ws.list_recipients())


@form_page("/cases/{case_id}")
def _case_again(request: Request) -> Response:
    return case(int(request.path_params["case_id"]), request, request.app.state.workspace, request.state.user)


def _blank(value: str) -> str | None:
    value = value.strip()
    return value or None


@router.post("/cases/{case_id}")
def update_case(
    case_id: CaseId,
    request: Request,
    ws: WorkspaceDep,
    user: require("cases"),
    _: Csrf,
    _form: KeepForm,
    status: Annotated[str, Form()] = "",
    add_responsible: Annotated[str, Form(max_length=200)] = "",
    remove_responsible: Annotated[str, Form(max_length=200)] = "",
    penalty_amount: Annotated[str, Form(max_length=32)] = "",
    penalty_currency: Annotated[str, Form(max_length=3)] = "",
    nda: Annotated[str, Form(max_length=200)] = "",
    add_action: Annotated[str, Form(max_length=2000)] = "",
    due: Annotated[str, Form()] = "",
    action_done: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    override_reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    fields = {
        "status": status,
        "add_responsible": add_responsible,
        "remove_responsible": remove_responsible,
        "penalty_amount": penalty_amount,
        "penalty_currency": penalty_currency,
        "nda": nda,
        "add_action": add_action,
        "due": due if add_action.strip() else "",
        "action_done": action_done,
        "note": note,
        "override_reason": override_reason,
    }
    change = {k: v for k, v in ((k, _blank(v)) for k, v in fields.items()) if v is not None}
    before = ws.show_case(case_id)
    if change.get("status") == before.status:
        del change["status"]
    added = len(ws.update_case(case_id, actor=user.name, **change).events) - len(before.events) if change else 0
    if added:
        flash(request, f"Case {case_id} updated ({added} change{'s' if added != 1 else ''} on the timeline).")
    else:
        flash(request, "Nothing changed.", "info")
    return redirect(f"/cases/{case_id}")
