"""``/api/v1/groups``: recipient groups (a share's ``groups`` reach their members in use at share time)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.services import groups as groups_service
from leaktrace.web.deps import WorkspaceDep, record_id, require
from leaktrace.web.schemas import GroupCreate, GroupMembers, GroupPublic, GroupsPublic, page

router = APIRouter(prefix="/groups", tags=["groups"])

GroupId = record_id("recipient group")
RecipientId = record_id("recipient")


@router.get("", response_model=GroupsPublic)
def list_groups(
    ws: WorkspaceDep, user: require("read"), archived: Annotated[bool, Query(description="List the archived groups instead.")] = False
) -> dict:
    """The groups in use (``archived``: the archived ones), oldest first, each with its members."""
    return page(groups_service.list_all(ws.context, archived=archived))


@router.post("", response_model=GroupPublic, status_code=201)
def create_group(body: GroupCreate, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Make a group of recipients in use (``group.create``)."""
    return groups_service.create(ws.context, body.name, description=body.description, members=body.members, actor=user.name).to_dict()


@router.get("/{group_id}", response_model=GroupPublic)
def show_group(group_id: GroupId, ws: WorkspaceDep, user: require("read")) -> dict:
    """The group with every member (an archived member is listed, and no share reaches it)."""
    return groups_service.get(ws.context, group_id).to_dict()


@router.post("/{group_id}/members", response_model=GroupPublic)
def add_members(group_id: GroupId, body: GroupMembers, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Add recipients in use to the group (``group.add``)."""
    return groups_service.add(ws.context, group_id, body.members, actor=user.name).to_dict()


@router.delete("/{group_id}/members/{recipient_id}", response_model=GroupPublic)
def remove_member(group_id: GroupId, recipient_id: RecipientId, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Take a recipient out of the group (``group.remove``); shares made to it keep every copy."""
    return groups_service.remove(ws.context, group_id, [recipient_id], actor=user.name).to_dict()


@router.post("/{group_id}/archive", response_model=GroupPublic)
def archive_group(group_id: GroupId, ws: WorkspaceDep, user: require("recipients")) -> dict:
    """Retire the group (``group.archive``): no share can be addressed to it any more; its shares stand."""
    return groups_service.archive(ws.context, group_id, actor=user.name).to_dict()
