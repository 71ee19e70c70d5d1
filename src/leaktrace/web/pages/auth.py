"""``/login`` and ``/logout``: the session cookie (signed, HttpOnly, SameSite=Lax).

The cookie holds the user, the number of the ``login`` audit entry that began the session, and its
start and last use; :func:`leaktrace.services.users.session_user` checks them on every page, so a
logout (audited, naming that entry), a password or role change, 30 idle minutes or 8 hours end it
even for a copy of the cookie. Failed logins are throttled per address and per account (429 with
``Retry-After``, before any password hashing); an account locks after 20 until an admin unlocks it.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from leaktrace.errors import AccountLocked, TooManyAttempts, Unauthorized
from leaktrace.services.permissions import RECIPIENT
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
        login = ws.log_in(name, password, client=request.client.host if request.client else None)
    except TooManyAttempts as exc:
        response = render(request, "login.html", None, status_code=429, error=str(exc), name=name, next=_safe_next(next))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (AccountLocked, Unauthorized) as exc:
        return render(request, "login.html", None, status_code=exc.http_status, error=str(exc), name=name, next=_safe_next(next))
    request.session.clear()  # a fresh session (and CSRF token) at every login
    now = int(time.time())
    request.session.update(user=login.user.name, role=login.user.role, login=login.session, since=now, seen=now)
    csrf_token(request)
    if login.user.role == RECIPIENT and not _safe_next(next).startswith("/portal"):
        return redirect("/portal")  # a recipient's user has no other page
    return redirect(_safe_next(next))


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, ws: WorkspaceDep) -> Response:
    name, login = request.session.get("user"), request.session.get("login")
    request.session.clear()
    if isinstance(name, str) and isinstance(login, int):
        ws.log_out(name, login)
    return redirect("/login")
