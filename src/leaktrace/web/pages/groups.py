"""``/groups``: recipient groups (a share to one reaches its members in use at that moment) and the
create form; ``/groups/ID``: one group's members, adding and removing them, archiving it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.errors import BadInput
from leaktrace.services import groups as groups_service
from leaktrace.services import recipients as recipients_service
from leaktrace.web.deps import Csrf, WorkspaceDep, record_id, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Text, flag
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()

GroupId = record_id("recipient group")


@router.get("/groups")
def groups(request: Request, ws: WorkspaceDep, user: require("read"), archived: Text = "") -> Response:
    shelved = flag(archived)
    rows = groups_service.list_all(ws.context, archived=shelved)
    return render(request, "groups.html", user, groups=rows, archived=shelved, recipients=recipients_service.list_all(ws.context, archived=False))


@form_page("/groups")
def _groups_again(request: Request) -> Response:
    return groups(request, request.app.state.workspace, request.state.user)


@router.post("/groups")
def create_group(
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=2000)] = "",
    member: Annotated[list[str] | None, Form()] = None,
) -> Response:
    g = groups_service.create(ws.context, name, description=description, members=member or [], actor=user.name)
    flash(request, f"Group {g.name} created with {len(g.members)} recipient{'' if len(g.members) == 1 else 's'}.")
    return redirect(f"/groups/{g.id}")


@router.get("/groups/{group_id}")
def group(group_id: GroupId, request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    g = groups_service.get(ws.context, group_id)
    present = {m.id for m in g.members}
    others = [r for r in recipients_service.list_all(ws.context, archived=False) if r.id not in present]
    return render(request, "group.html", user, g=g, others=others)


@form_page("/groups/{group_id}/members", "/groups/{group_id}/members/remove", "/groups/{group_id}/archive")
def _group_again(request: Request) -> Response:
    return group(int(request.path_params["group_id"]), request, request.app.state.workspace, request.state.user)


@router.post("/groups/{group_id}/members")
def add_members(
    group_id: GroupId,
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    _form: KeepForm,
    member: Annotated[list[str] | None, Form()] = None,
) -> Response:
    groups_service.get(ws.context, group_id)  # an unknown group is named before an empty choice
    if not member:
        raise BadInput("pick at least one recipient to add.")
    g = groups_service.add(ws.context, group_id, member, actor=user.name)
    flash(request, f"Group {g.name}: {len(g.members)} recipient{'' if len(g.members) == 1 else 's'}.")
    return redirect(f"/groups/{g.id}")


@router.post("/groups/{group_id}/members/remove")
def remove_member(
    group_id: GroupId,
    request: Request,
    ws: WorkspaceDep,
    user: require("recipients"),
    _: Csrf,
    member: Annotated[str, Form(max_length=200)],
) -> Response:
    g = groups_service.remove(ws.context, group_id, [member], actor=user.name)
    flash(request, f"Removed from group {g.name}; shares made to it keep every copy.")
    return redirect(f"/groups/{g.id}")


@router.post("/groups/{group_id}/archive")
def archive_group(group_id: GroupId, request: Request, ws: WorkspaceDep, user: require("recipients"), _: Csrf) -> Response:
    g = groups_service.archive(ws.context, group_id, actor=user.name)
    flash(request, f"Group {g.name} archived: no new share can be addressed to it; its shares stand.")
    return redirect("/groups")
