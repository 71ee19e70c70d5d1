"""The one place errors become HTTP answers.

Every :class:`~leaktrace.errors.LeaktraceError` (and every HTTP or validation error the
framework raises) becomes, under ``/api``, the JSON document ``{"error": "...", "status": N}``
with ``N`` the response status; on a page, a friendly error page with the same sentence.
A page that needs a login (:class:`~leaktrace.errors.LoginRequired`) redirects to ``/login`` instead.
A busy store (:class:`~leaktrace.errors.Busy`, 503) comes with ``Retry-After``.
A page's form post that fails (400, 404, 409, 413, 415, 422) shows its form again, with what the user
typed and the one-line message above it, when its page is registered with :func:`form_page`; a
message speaks the web's words: the form's field names instead of the CLI's flags (``--found-at``).
The error classes themselves all live in :mod:`leaktrace.errors`.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable

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


#: The form field a CLI flag or a form field name stands for, in the pages' words (their labels).
LABELS = {
    "to": "Recipients",
    "asset": "Asset",
    "asset_id": "Asset",
    "note": "Note",
    "found-at": "When it was found",
    "source-url": "Where it was found",
    "captured-by": "Captured by",
    "title": "Title",
    "name": "Name",
    "email": "E-mail",
    "org": "Organisation",
    "status": "Status",
    "penalty-amount": "Penalty amount",
    "penalty-currency": "Currency",
    "nda": "NDA reference",
    "add-action": "Add remediation step",
    "due": "Due",
    "action-done": "Mark step done",
    "override-reason": "Override reason",
    "add-responsible": "Add responsible",
    "remove-responsible": "Remove responsible",
    "reason": "Reason",
    "role": "Role",
    "password": "Password",
    "owner": "For user",
    "file": "File",
}
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")

#: POST route path (as routed, e.g. ``/cases/{case_id}``) → the page that shows its form again.
FORM_PAGES: dict[str, Callable[[Request], Response]] = {}
REFILL_STATUSES = frozenset({400, 404, 409, 413, 415, 422})


def form_page(*paths: str) -> Callable[[Callable[[Request], Response]], Callable[[Request], Response]]:
    """Register ``page(request)`` as the page that shows again the form posted to each of ``paths`` when it fails.

    The page renders as on a GET; :func:`leaktrace.web.pages._render.render` hands the template the
    posted values (``form``: field → values) and the message (``error``).
    """

    def register(page: Callable[[Request], Response]) -> Callable[[Request], Response]:
        for path in paths:
            FORM_PAGES[path] = page
        return page

    return register


def label(field: str) -> str:
    """A form field (``penalty_currency``) or CLI flag name (``penalty-currency``) as the page labels it."""
    key = field.replace("_", "-")
    return LABELS.get(key) or LABELS.get(field) or key.replace("-", " ")


def web_words(message: str) -> str:
    """``message`` with the CLI's flags (``--found-at``) named as the form's fields (“When it was found”)."""
    return _FLAG.sub(lambda m: f"“{label(m.group(1))}”", message)


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
    message = web_words(message)
    if request.method == "POST" and status in REFILL_STATUSES:
        again = _form_again(request, status, message)
        if again is not None:
            return again
    templates = request.app.state.templates
    user = getattr(request.state, "user", None) if status != 401 else None
    context = {"status": status, "title": REASONS.get(status, "Error"), "message": message, "user": user, "flashes": [], "path": request.url.path}
    response = templates.TemplateResponse(request, "error.html", context, status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _form_again(request: Request, status: int, message: str) -> Response | None:
    """The posted form's page again, with the values and the message (``None``: no such page, or it fails too)."""
    route = request.scope.get("route")
    page = FORM_PAGES.get(getattr(route, "path", ""))
    form = getattr(request.state, "form", None)
    if page is None or form is None or getattr(request.state, "user", None) is None:
        return None
    sentence = message if message.split(" ")[0].endswith(":") else message[:1].upper() + message[1:]  # a file's name keeps its case
    request.state.refill, request.state.refill_error = form, sentence
    try:
        response = page(request)
    except Exception:  # the page itself cannot be shown (e.g. its case does not exist): the error page says why
        log.debug("no form page again for %s", request.url.path, exc_info=True)
        return None
    response.status_code = status
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
        what = e.get("msg", "invalid")
        if not is_api(request):  # in the page's words: its field's label
            where, what = (label(where) if where else ""), what[:1].lower() + what[1:]
        parts.append(f"{where}: {what}" if where else what)
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
