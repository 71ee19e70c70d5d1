"""``/users`` (admin): users, their roles, and API tokens (a new token is shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.services.permissions import ROLES
from leaktrace.web.deps import Csrf, TokenId, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/users")
def users(request: Request, ws: WorkspaceDep, user: require("users")) -> Response:
    return render(request, "users.html", user, users=ws.list_users(), roles=ROLES, new_token=None)


@form_page("/users", "/tokens")
def _users_again(request: Request) -> Response:
    return users(request, request.app.state.workspace, request.state.user)


@router.post("/users")
def add_user(
    request: Request,
    ws: WorkspaceDep,
    user: require("users"),
    _: Csrf,
    _form: KeepForm,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    created = ws.add_user(name, role, password, actor=user.name)
    flash(request, f"User {created.name} added as {created.role}.")
    return redirect("/users")


@router.post("/users/{name}/disabled")
def set_disabled(name: str, request: Request, ws: WorkspaceDep, user: require("users"), _: Csrf, disabled: Annotated[bool, Form()]) -> Response:
    changed = ws.set_user_disabled(name, disabled, actor=user.name)
    flash(request, f"User {changed.name} {'disabled' if changed.disabled else 'enabled'}.")
    return redirect("/users")


@router.post("/users/{name}/unlock")
def unlock(name: str, request: Request, ws: WorkspaceDep, user: require("users"), _: Csrf) -> Response:
    changed = ws.unlock_user(name, actor=user.name)
    flash(request, f"User {changed.name} unlocked.")
    return redirect("/users")


@router.post("/tokens")
def create_token(
    request: Request,
    ws: WorkspaceDep,
    user: require("tokens"),
    _: Csrf,
    _form: KeepForm,
    owner: Annotated[str, Form(max_length=200)],
    name: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    token = ws.create_token(owner, name=name.strip() or None, actor=user.name, reason=reason.strip() or None)
    # Shown once, in this answer only (never put in the session cookie, never shown again).
    return render(request, "users.html", user, status_code=201, users=ws.list_users(), roles=ROLES, new_token=token)


@router.post("/tokens/revoke")
def revoke_token(request: Request, ws: WorkspaceDep, user: require("tokens"), _: Csrf, token_id: Annotated[TokenId, Form()]) -> Response:
    ws.revoke_token(token_id, actor=user.name)
    flash(request, f"Token {token_id} revoked.")
    return redirect("/users")
