"""What every page shares: rendering with the user and flash messages, redirects after POST."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from leaktrace.records import User


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    context.update(user=user, flashes=flashes, path=request.url.path)
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = [*request.session.get("flash", []), {"kind": kind, "text": message}]


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: 303 See Other, so a reload does not post again."""
    return RedirectResponse(url, status_code=303)
