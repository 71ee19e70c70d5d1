"""``/login`` and ``/logout``: the session cookie (signed, HttpOnly, SameSite=Lax)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from leaktrace.errors import Unauthorized
from leaktrace.web.deps import WorkspaceDep, check_csrf, csrf_token
from leaktrace.web.pages._render import redirect, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after a login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    csrf_token(request)
    return render(request, "login.html", None, next=_safe_next(next))


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request, ws: WorkspaceDep, name: Annotated[str, Form()], password: Annotated[str, Form()], next: Annotated[str | None, Form()] = None
) -> Response:
    try:
        user = ws.authenticate(name, password)
    except Unauthorized as exc:
        return render(request, "login.html", None, status_code=401, error=str(exc), name=name, next=_safe_next(next))
    request.session.clear()  # a fresh session (and CSRF token) at every login
    request.session.update(user=user.name, role=user.role)
    csrf_token(request)
    return redirect(_safe_next(next))


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/login")
