"""Security headers on every answer of the app: pages, API, errors (500s included) and static files.

- ``Content-Security-Policy``: scripts, styles, images and fetches from this origin only; no
  inline script or style, no plugins, no ``<base>``, forms post here only, never framed.
- ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``.
- ``Cache-Control: no-store`` on everything but ``/static`` (pages, API answers and images all
  carry evidence, and a shared or disk cache must not keep them).
- ``Strict-Transport-Security`` when the session cookie is HTTPS-only (``web_secure_cookies``).

:func:`install` wraps the whole middleware stack, outside Starlette's server-error middleware, so
that the 500 page also carries the headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def headers_for(path: str, *, hsts: bool) -> list[tuple[bytes, bytes]]:
    """The headers every answer to ``path`` carries (``Cache-Control`` replaces the route's own)."""
    out = [
        (b"content-security-policy", CSP.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if not path.startswith(STATIC_PREFIX):
        out.append((b"cache-control", b"no-store"))
    if hsts:
        out.append((b"strict-transport-security", HSTS.encode()))
    return out


class SecurityHeaders:
    """ASGI middleware: set the headers of :func:`headers_for` on every HTTP answer."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""), hsts=self.hsts)
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Put :class:`SecurityHeaders` around the app's whole stack (HSTS when cookies are HTTPS-only)."""
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build(), hsts=app.state.web.secure_cookies)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
