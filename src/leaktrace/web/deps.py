"""FastAPI dependencies as ``Annotated`` aliases: the workspace, the current user, role checks.

Pages authenticate with the signed session cookie, the REST API with
``Authorization: Bearer <token>``. ``require(action)`` checks the user's role with
:func:`leaktrace.services.permissions.can`; a missing login answers 401 (pages redirect to
the login form), a role that does not allow the action answers 403.

A recipient's user (role ``recipient``) is known to :func:`get_current_user` (the body limits check
their session before a portal form is read), but :data:`CurrentUser`, :func:`require` and
:data:`AnyUser` answer them 404 on every route but the portal's (:data:`PortalUser`): for them the
analysts' app does not exist, so probing its ids tells nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import AfterValidator, WithJsonSchema

from leaktrace.errors import Forbidden, LoginRequired, NotFound, Unauthorized
from leaktrace.records import User
from leaktrace.services import permissions
from leaktrace.services.ids import MAX_ID
from leaktrace.services.workspace import Workspace
from leaktrace.web.errors import is_api

CSRF_FIELD = "csrf_token"
_VERBS = {
    "read": "read",
    "users": "manage users",
    "tokens": "manage API tokens",
    "settings": "change settings",
    "recipients": "change recipients",
    "assets": "add assets",
    "shares": "share assets",
    "traces": "trace leaks",
    "cases": "open or change cases",
    "reports": "make evidence reports",
    "copies": "download or regenerate a supplier's copy",
    "portal": "use the recipient portal",
}


def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


#: Methods that never write (HTTP's safe methods): a token used with one keeps its ``last_used_at``.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _token_user(request: Request, ws: Workspace, token: str) -> User:
    return ws.user_for_token(token, touch=request.method not in SAFE_METHODS)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _session_user(request: Request, ws: Workspace) -> User:
    name = request.session.get("user")
    if not name:
        raise LoginRequired("please log in.")
    session = request.session
    try:  # ended by logout, a password or role change, idle or absolute timeout (services.users.session_user)
        user = ws.session_user(name, session.get("login"), session.get("since"), session.get("seen"))
    except LoginRequired:
        session.clear()
        raise
    if session.get("role") != user.role:
        session.clear()
        raise LoginRequired("your session has ended; please log in again.")
    session["seen"] = int(time.time())
    return user


def get_current_user(request: Request, ws: WorkspaceDep) -> User:
    """The user making the request: by bearer token under /api, by session cookie on pages (once
    per request: the body limits check it before the body is read, and the route reuses it)."""
    known = getattr(request.state, "user", None)
    if known is not None:
        return known
    if is_api(request):
        token = _bearer(request)
        if token is None:
            raise Unauthorized("this API needs an 'Authorization: Bearer <token>' header; create a token as an admin.")
        user = _token_user(request, ws, token)
    else:
        user = _session_user(request, ws)
    request.state.user = user
    return user


def _not_for_recipients(user: User) -> User:
    if user.role == permissions.RECIPIENT:
        raise NotFound("there is no such page.")
    return user


def get_staff_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    """The current user, unless a recipient's user (404: see the module's docstring)."""
    return _not_for_recipients(user)


CurrentUser = Annotated[User, Depends(get_staff_user)]


def get_portal_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    """The current user of the recipient portal: a recipient's user (anyone else: 404, as the analysts' pages are to a recipient)."""
    if user.role != permissions.RECIPIENT:
        raise NotFound(f"the portal is for recipients' users, invited by an analyst; {user.name} is {user.role}.")
    return user


#: A recipient's user, on the portal's pages.
PortalUser = Annotated[User, Depends(get_portal_user)]


def get_any_user(request: Request, ws: WorkspaceDep) -> User:
    """The user, by bearer token when the request has one, else by session cookie (the API documentation)."""
    token = _bearer(request)
    user = _token_user(request, ws, token) if token is not None else _session_user(request, ws)
    request.state.user = user
    return _not_for_recipients(user)


#: Any logged-in user, by token or session (``/docs``, ``/openapi.json``).
AnyUser = Annotated[User, Depends(get_any_user)]


# ---------------------------------------------------------------------------- ids


def _bounded(what: str) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not 1 <= value <= MAX_ID:
            raise NotFound(f"no {what} numbered {value}.")
        return value

    return check


def record_id(what: str) -> Any:
    """A path or form id of a ``what`` record: an integer in 1 … 2^63−1, else 404 naming it (never a 500)."""
    return Annotated[int, AfterValidator(_bounded(what)), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})]


AssetId = record_id("asset")
ShareId = record_id("share")
FindingId = record_id("finding")
CaseId = record_id("case")
TokenId = record_id("token")

#: ``?limit=N``: how many of the newest rows (1 … 2^63−1; out of range: 422).
Limit = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def require(action: str) -> Any:
    """An ``Annotated`` dependency: the current user, whose role must allow ``action``."""
    if action not in permissions.ACTIONS:
        raise ValueError(f"unknown action {action!r}; add it to leaktrace.services.permissions")

    def check(user: CurrentUser) -> User:
        if not permissions.can(user.role, action):
            raise Forbidden(f"{user.name} ({user.role}) may not {_VERBS.get(action, 'do this')}; that needs {permissions.needs_words(action)}.")
        return user

    check.__name__ = f"require_{action.replace('.', '_')}"
    return Annotated[User, Depends(check)]


def require_role(*roles: str) -> Any:
    """An ``Annotated`` dependency: the current user, whose role must be one of ``roles``."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"only {' or '.join(roles)} users may do this; you are {user.role}.")
        return user

    return Annotated[User, Depends(check)]


# ---------------------------------------------------------------------------- CSRF (pages)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use), for the hidden field of every form."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a form POST whose hidden token does not match the session's (403)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise Forbidden("the form's security token is missing or stale; reload the page and try again.")


#: A page POST parameter ``_: Csrf`` placed after the user, so a missing login is reported first.
Csrf = Annotated[None, Depends(check_csrf)]


def can(user: User | None, action: str) -> bool:
    """For templates: whether to show the form or button for ``action``."""
    return user is not None and permissions.can(user.role, action)
