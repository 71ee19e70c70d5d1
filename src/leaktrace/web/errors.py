"""The one place errors become HTTP answers.

Every :class:`~leaktrace.errors.LeaktraceError` (and every HTTP or validation error the
framework raises) becomes, under ``/api``, the JSON document ``{"error": "...", "status": N}``
with ``N`` the response status; on a page, a friendly error page with the same sentence.
A page that needs a login (:class:`~leaktrace.errors.LoginRequired`) redirects to ``/login`` instead.
A busy store (:class:`~leaktrace.errors.Busy`, 503) comes with ``Retry-After``.
The error classes themselves all live in :mod:`leaktrace.errors`.
"""

from __future__ import annotations

import logging
import re
import tempfile

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from leaktrace.errors import Busy, LeaktraceError, LoginRequired

log = logging.getLogger("leaktrace.web")

#: Seconds a client is asked to wait (``Retry-After``) when another process held the store's
#: write lock past ``lock_timeout_s`` (503): the request already waited that long here.
BUSY_RETRY_AFTER_S = 5

REASONS = {
    400: "Bad request",
    401: "Login required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Upload too large",
    415: "Unsupported file type",
    422: "Invalid input",
    429: "Too many attempts",
    500: "Server error",
    501: "Not implemented",
    503: "Busy",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _scrub(request: Request, message: str) -> str:
    """``message`` without server paths: a temporary folder's path goes (a file keeps its own name), the workspace reads ``<workspace>``."""
    ws = getattr(request.app.state, "workspace", None)
    home = str(getattr(ws, "home", "") or "")
    if len(home) > 1:
        message = message.replace(home, "<workspace>")
    return _TEMP_PATH.sub("", message)


_TEMP_PATH = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^/\s:]+/")


def error_response(request: Request, status: int, message: str, *, retry_after: int | None = None) -> Response:
    """The error as JSON under /api, as a page elsewhere (with ``Retry-After`` when a wait is known); never a server path."""
    message = _scrub(request, " ".join(str(message).split())) or REASONS.get(status, "Error")
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers or None)
    templates = request.app.state.templates
    user = getattr(request.state, "user", None) if status != 401 else None
    context = {"status": status, "title": REASONS.get(status, "Error"), "message": message, "user": user, "flashes": [], "path": request.url.path}
    response = templates.TemplateResponse(request, "error.html", context, status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _leaktrace_error(request: Request, exc: LeaktraceError) -> Response:
    if isinstance(exc, LoginRequired) and not is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}" if request.method == "GET" else "/login", status_code=303)
    if exc.http_status >= 500:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    retry_after = BUSY_RETRY_AFTER_S if isinstance(exc, Busy) else getattr(exc, "retry_after", None)
    return error_response(request, exc.http_status, str(exc), retry_after=retry_after)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    return error_response(request, exc.status_code, str(exc.detail) if exc.detail else REASONS.get(exc.status_code, "Error"))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path", "form"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", "invalid"))
    return error_response(request, 422, "invalid input: " + "; ".join(parts) + ".")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "an unexpected error occurred; it has been logged.")


def install(app: FastAPI) -> None:
    """Register the handlers (one per kind of exception, all answering in the one shape)."""
    app.add_exception_handler(LeaktraceError, _leaktrace_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
