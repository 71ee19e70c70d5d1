"""``/api/v1/cases``: open a case on a finding, follow it, change it."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.errors import BadInput
from leaktrace.web.deps import CaseId, WorkspaceDep, require
from leaktrace.web.schemas import CaseCreate, CasePublic, CasesPublic, CaseUpdate, page

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=CasesPublic)
def list_cases(ws: WorkspaceDep, user: require("read"), status: str | None = None) -> dict:
    return page(ws.list_cases(status=status))


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
