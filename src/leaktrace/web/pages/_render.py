"""What every page shares: rendering with the user and flash messages, redirects after POST, and a
failed form shown again with what the user typed (:data:`KeepForm`, ``web.errors.form_page``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from leaktrace.records import User
from leaktrace.web.deps import CSRF_FIELD

#: Posted fields never shown again (a password is typed anew).
SECRET_FIELDS = frozenset({CSRF_FIELD, "password"})


async def keep_form(request: Request) -> None:
    """Keep the posted form's text fields (``request.state.form``: field → values), for the page that shows it again if the post fails."""
    form = await request.form()
    request.state.form = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys() if k not in SECRET_FIELDS}


#: A page POST parameter ``_form: KeepForm``, after ``Csrf`` (which has read the form already).
KeepForm = Annotated[None, Depends(keep_form)]


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    context.update(user=user, flashes=flashes, path=request.url.path)
    context.setdefault("form", getattr(request.state, "refill", None) or {})  # a failed post's values, shown again
    context.setdefault("error", getattr(request.state, "refill_error", None))
    context.setdefault("posted", request.url.path if context["form"] else None)  # the form those values belong to
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = [*request.session.get("flash", []), {"kind": kind, "text": message}]


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: 303 See Other, so a reload does not post again."""
    return RedirectResponse(url, status_code=303)
