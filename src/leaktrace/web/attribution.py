"""One audit :func:`~leaktrace.services.audit.attribution` scope per HTTP request.

An entry appended while a request runs (its dependencies, its route, the body limits' credential
check) carries what that request's token check attributed to it: the token an admin minted for
someone else and that admin (``via_token``, ``token_minted_by``). The scope is opened here, in the
request's own task, because the dependencies and routes run in threads on copies of its context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from leaktrace.services import audit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class AuditAttribution:
    """ASGI middleware: run each HTTP request inside its own attribution scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with audit.attribution():
            await self.app(scope, receive, send)
