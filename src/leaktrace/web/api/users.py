"""``/api/v1/users`` (admin): list, add, disable or enable users."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.services import users as users_service
from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import UserCreate, UserPublic, UsersPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=UsersPublic)
def list_users(ws: WorkspaceDep, user: require("users")) -> dict:
    rows = ws.list_users()
    return {"data": rows, "count": len(rows)}


@router.post("", response_model=UserPublic, status_code=201)
def add_user(body: UserCreate, ws: WorkspaceDep, user: require("users")) -> dict:
    return ws.add_user(body.name, body.role, body.password, actor=user.name).to_dict()


@router.patch("/{name}", response_model=UserPublic)
def update_user(name: str, body: UserUpdate, ws: WorkspaceDep, user: require("users")) -> dict:
    # Adapter: the Workspace facade has no set_disabled yet; the service function is public.
    return users_service.set_disabled(ws.context, name, body.disabled, actor=user.name).to_dict()
