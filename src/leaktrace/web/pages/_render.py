"""What every page shares: rendering with the user and flash messages, redirects after POST, a
failed form shown again with what the user typed (:data:`KeepForm`, ``web.errors.form_page``), and
on a page whose forms the user's role may not use, a notice that says so and who may (:data:`NEEDS`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from leaktrace.records import User
from leaktrace.services import permissions
from leaktrace.web.deps import CSRF_FIELD

#: Posted fields never shown again (a password is typed anew).
SECRET_FIELDS = frozenset({CSRF_FIELD, "password"})


async def keep_form(request: Request) -> None:
    """Keep the posted form's text fields (``request.state.form``: field → values), for the page that shows it again if the post fails."""
    form = await request.form()
    request.state.form = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys() if k not in SECRET_FIELDS}


#: A page POST parameter ``_form: KeepForm``, after ``Csrf`` (which has read the form already).
KeepForm = Annotated[None, Depends(keep_form)]


#: Each page (by route) with forms only some roles may use: what those forms do, and the permission
#: each needs. A user whose role lacks one reads, instead of a silently missing form, "Adding
#: recipients needs the analyst role; you are admin." (:func:`needs`). A new page with such a form adds its row.
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "/recipients": (("recipients", "Adding recipients"),),
    "/recipients/{recipient_id}": (("recipients", "Editing or archiving a recipient"),),
    "/recipients/{recipient_id}/invite": (("recipients", "Inviting a recipient's user to the portal"),),
    "/groups": (("recipients", "Creating a recipient group"),),
    "/groups/{group_id}": (("recipients", "Changing a group's members"),),
    "/invitations": (("recipients", "Cancelling an invitation"),),
    "/assets": (("assets", "Adding assets"),),
    "/share": (("shares", "Sharing assets"),),
    "/share/portal": (("shares", "Sharing through the recipient portal"),),
    "/trace": (("traces", "Tracing a leak"),),
    "/findings/{finding_id}": (("reports", "Making an evidence report"), ("cases", "Opening a case")),
    "/cases/{case_id}": (("cases", "Changing a case"),),
}


def needs(user: User | None, route: str | None) -> list[str]:
    """The notices of page ``route`` for ``user``: one per form their role may not use (none for a recipient's user, who sees no such page)."""
    if user is None or user.role not in permissions.ROLES:
        return []
    return [
        f"{doing} needs {permissions.needs_words(action)}; you are {user.role}."
        for action, doing in NEEDS.get(route or "", ())
        if not permissions.can(user.role, action)
    ]


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    route = getattr(request.scope.get("route"), "path", None)
    context.update(user=user, flashes=flashes, path=request.url.path, needs=needs(user, route))
    context.setdefault("form", getattr(request.state, "refill", None) or {})  # a failed post's values, shown again
    context.setdefault("error", getattr(request.state, "refill_error", None))
    context.setdefault("posted", request.url.path if context["form"] else None)  # the form those values belong to
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = [*request.session.get("flash", []), {"kind": kind, "text": message}]


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: 303 See Other, so a reload does not post again."""
    return RedirectResponse(url, status_code=303)
