"""``/api/v1/users`` (admin): list, add, disable or enable users, unlock one after failed logins."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import UserCreate, UserPublic, UsersPublic, UserUpdate, page

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=UsersPublic)
def list_users(ws: WorkspaceDep, user: require("users")) -> dict:
    return page(ws.list_users())


@router.post("", response_model=UserPublic, status_code=201)
def add_user(body: UserCreate, ws: WorkspaceDep, user: require("users")) -> dict:
    return ws.add_user(body.name, body.role, body.password, actor=user.name).to_dict()


@router.patch("/{name}", response_model=UserPublic)
def update_user(name: str, body: UserUpdate, ws: WorkspaceDep, user: require("users")) -> dict:
    return ws.set_user_disabled(name, body.disabled, actor=user.name).to_dict()


@router.post("/{name}/unlock", response_model=UserPublic)
def unlock_user(name: str, ws: WorkspaceDep, user: require("users")) -> dict:
    """Lift the lockout after failed logins (the back-off starts again from zero)."""
    return ws.unlock_user(name, actor=user.name).to_dict()
