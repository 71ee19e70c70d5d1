"""Request bodies limited before they are read: credentials, declared size, a hard cap, uploads per client.

:class:`BodyLimits` is an ASGI middleware that sits inside the session middleware (so the
session cookie is decoded) and in front of the routes. For a request with a body (POST, PUT,
PATCH) it, before the first byte of the body is read:

1. checks the credentials the route will ask for, with the routes' own check
   (:func:`leaktrace.web.deps.get_current_user`: the bearer token under ``/api``, the session
   cookie on pages); only the login and logout forms need none. No credentials: 401 in
   the one error shape (a page redirects to the login form, as the routes do);
2. refuses a declared ``Content-Length`` above the upload limit (413);
3. takes one of the client's upload slots (:data:`UPLOADS_PER_CLIENT` bodies that may be large
   at a time per client address): none free, 429 with ``Retry-After``;

then hands the body on through a counter that stops reading at the limit (413), whatever the
client declared (a chunked body, a ``Content-Length`` that lies). The limit is the web upload
limit plus the room a multipart form needs around its file (:data:`~leaktrace.web.uploads.FORM_OVERHEAD`).

Notes
-----
The slots count the requests of one process: with several uvicorn workers a client may hold
``UPLOADS_PER_CLIENT`` in each. Behind a reverse proxy every client has the proxy's address
unless uvicorn is told to trust ``X-Forwarded-For`` (``--forwarded-allow-ips``).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from leaktrace.errors import LeaktraceError
from leaktrace.web.deps import get_current_user
from leaktrace.web.errors import error_response
from leaktrace.web.uploads import FORM_OVERHEAD, check_content_length

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: Routes whose body may come without credentials, (method, path): the login form, and the logout
#: form (an ended session still logs out; both check their CSRF token).
OPEN_ROUTES = frozenset({("POST", "/login"), ("POST", "/logout")})
#: Paths whose forms come without a session: an invitation link's page (it checks its CSRF token and its link).
OPEN_PREFIX = "/invite/"
#: Large bodies (uploads) one client address may send at the same time.
UPLOADS_PER_CLIENT = 2
RETRY_AFTER_S = 2


class _TooLarge(HTTPException):
    """Raised from ``receive`` when the body passes the cap; the error handlers answer 413."""


class BodyLimits:
    """The ASGI middleware (see the module docstring); ``uploads_per_client`` slots per client address."""

    def __init__(self, app: ASGIApp, *, uploads_per_client: int = UPLOADS_PER_CLIENT) -> None:
        self.app = app
        self.uploads_per_client = uploads_per_client
        self._busy: dict[str, int] = {}
        self._lock = threading.Lock()  # TestClient runs each request on its own event loop thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = await self._refusal(request)
        if refusal is not None:
            await refusal(scope, _disconnected, send)  # the body stays unread
            return
        client = _client(scope)
        upload = _may_be_large(request)
        if upload and not self._take(client):
            message = f"this client already sends {self.uploads_per_client} uploads; wait for one to finish."
            await error_response(request, 429, message, retry_after=RETRY_AFTER_S)(scope, _disconnected, send)
            return
        try:
            await self._capped(request, scope, receive, send)
        finally:
            if upload:
                self._give(client)

    async def _refusal(self, request: Request) -> Response | None:
        """The answer to a request refused on its headers alone (no credentials, declared too large), else None."""
        try:
            if (request.method, request.url.path) not in OPEN_ROUTES and not request.url.path.startswith(OPEN_PREFIX):
                await run_in_threadpool(get_current_user, request, request.app.state.workspace)
            check_content_length(request)
        except LeaktraceError as exc:  # answered by the app's own handler: a page goes to the login form, a busy store says when to retry
            return await request.app.exception_handlers[LeaktraceError](request, exc)
        return None

    async def _capped(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app on a ``receive`` that stops at the cap; answer 413 however the app handled the stop."""
        limit = request.app.state.web.max_upload_bytes
        cap = limit + FORM_OVERHEAD
        message = f"the upload is larger than the limit of {limit / 2**20:.3g} MB."
        read = 0
        over = started = replaced = False

        async def counted() -> Message:
            nonlocal read, over
            if over:
                raise _TooLarge(413, message)
            event = await receive()
            if event["type"] == "http.request":
                read += len(event.get("body", b""))
                if read > cap:
                    over = True
                    raise _TooLarge(413, message)
            return event

        async def guarded(event: Message) -> None:
            nonlocal started, replaced
            if over and not started:  # whatever the app made of the stop (a 400, a 500), the answer is 413
                started = replaced = True
                await error_response(request, 413, message)(scope, _disconnected, send)
            if not replaced:
                started = started or event["type"] == "http.response.start"
                await send(event)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not started:
                await error_response(request, 413, message)(scope, _disconnected, send)
            elif not replaced:
                raise

    def _take(self, client: str) -> bool:
        with self._lock:
            if self._busy.get(client, 0) >= self.uploads_per_client:
                return False
            self._busy[client] = self._busy.get(client, 0) + 1
            return True

    def _give(self, client: str) -> None:
        with self._lock:
            left = self._busy.pop(client) - 1
            if left:
                self._busy[client] = left


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _may_be_large(request: Request) -> bool:
    """A multipart form, a body of unknown length, or one declared larger than a form's fields."""
    declared = request.headers.get("content-length")
    kind = request.headers.get("content-type", "").lower()
    return kind.startswith("multipart/") or not declared or not declared.isdigit() or int(declared) > FORM_OVERHEAD


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


__all__ = ["BodyLimits", "OPEN_ROUTES", "UPLOADS_PER_CLIENT"]
