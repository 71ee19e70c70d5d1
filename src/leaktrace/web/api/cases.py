"""``/api/v1/cases``: open a case on a finding, follow it, change it."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.errors import BadInput
from leaktrace.services import listing
from leaktrace.web.api._lists import Offset, Search, window
from leaktrace.web.deps import CaseId, Limit, WorkspaceDep, require
from leaktrace.web.schemas import CaseCreate, CasePublic, CasesPublic, CaseUpdate, page

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=CasesPublic)
def list_cases(
    ws: WorkspaceDep, user: require("read"), status: str | None = None, q: Search = None, limit: Limit = None, offset: Offset = None
) -> dict:
    """Cases, newest first, optionally with ``status``; with ``q`` (recipient, NDA, opener, number) or ``offset``: ``limit`` of those that match, from ``offset``."""
    paged = window(q, limit, offset, old_limit=False)
    rows = ws.list_cases(status=status) if paged is None else list(listing.cases(ws.context, status=status, **paged).items)
    return page(rows)


@router.post("", response_model=CasePublic, status_code=201)
def open_case(body: CaseCreate, ws: WorkspaceDep, user: require("cases")) -> dict:
    return ws.open_case(body.finding_id, nda=body.nda, responsible=body.responsible, override_reason=body.override_reason, actor=user.name).to_dict()


@router.get("/{case_id}", response_model=CasePublic)
def show_case(case_id: CaseId, ws: WorkspaceDep, user: require("read")) -> dict:
    return ws.show_case(case_id).to_dict()


@router.patch("/{case_id}", response_model=CasePublic)
def update_case(case_id: CaseId, body: CaseUpdate, ws: WorkspaceDep, user: require("cases")) -> dict:
    change = body.model_dump(exclude_none=True)
    if not change:
        raise BadInput("nothing to change: give at least one field.")
    return ws.update_case(case_id, actor=user.name, **change).to_dict()
