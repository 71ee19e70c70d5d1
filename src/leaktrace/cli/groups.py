"""``leaktrace group create/add/remove/list/show/archive``: named sets of recipients to share with (``share --to-group``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace import records
from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.services import groups as groups_service
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="Recipient groups: a share to a group reaches its members in use at that moment.", no_args_is_help=True)

Members = Annotated[list[str], typer.Argument(help="Recipient names or ids.")]


def _line(g: records.Group) -> str:
    active = [m.name for m in g.members if m.archived_at is None]
    archived = len(g.members) - len(active)
    return (
        f"group {g.id} {g.name!r}: "
        + (", ".join(active) if active else "no recipient in use")
        + (f" (+{archived} archived)" if archived else "")
        + (" [archived]" if g.archived_at else "")
    )


def _answer(g: records.Group, json_: bool) -> None:
    """The group as ``--json`` asks: its record, or its one line."""
    if json_:
        emit_json(g)
    else:
        out.print(_line(g))


@app.command("create")
@guarded
def create(
    name: Annotated[str, typer.Argument(help="Group name (unique), e.g. a tender's bidders.")],
    description: Annotated[str | None, typer.Option(help="What the group is for.")] = None,
    member: Annotated[list[str] | None, typer.Option("--member", help="Recipient name or id (repeat for several).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Make a group of recipients and print it."""
    with Workspace(home) as ws:
        g = groups_service.create(ws.context, name, description=description, members=list(member or []))
    _answer(g, json_)


@app.command("add")
@guarded
def add(name: Annotated[str, typer.Argument(help="Group name or id.")], members: Members, home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Add recipients in use to a group."""
    with Workspace(home) as ws:
        g = groups_service.add(ws.context, name, members)
    _answer(g, json_)


@app.command("remove")
@guarded
def remove(name: Annotated[str, typer.Argument(help="Group name or id.")], members: Members, home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Take recipients out of a group (shares made to it keep every copy)."""
    with Workspace(home) as ws:
        g = groups_service.remove(ws.context, name, members)
    _answer(g, json_)


@app.command("list")
@guarded
def list_(
    archived: Annotated[bool, typer.Option("--archived", help="List the archived groups instead.")] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the groups in use (or the archived ones) with their members."""
    with Workspace(home) as ws:
        rows = groups_service.list_all(ws.context, archived=archived)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "name", "members", "description")
    for g in rows:
        table.add_row(str(g.id), g.name, str(sum(m.archived_at is None for m in g.members)), g.description or "")
    out.print(table)


@app.command("show")
@guarded
def show(name: Annotated[str, typer.Argument(help="Group name or id.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show a group and each member (an archived member is listed, and no share reaches it)."""
    with Workspace(home) as ws:
        g = groups_service.get(ws.context, name)
    if json_:
        emit_json(g)
        return
    out.print(f"group {g.id} {g.name!r}" + (f": {g.description}" if g.description else "") + (" [archived]" if g.archived_at else ""))
    table = Table("id", "name", "org", "email", "state")
    for m in g.members:
        table.add_row(str(m.id), m.name, m.org or "", m.email or "", "archived" if m.archived_at else "in use")
    out.print(table)


@app.command("archive")
@guarded
def archive(name: Annotated[str, typer.Argument(help="Group name or id.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Retire a group: no share can be addressed to it any more; its shares stand."""
    with Workspace(home) as ws:
        g = groups_service.archive(ws.context, name)
    if json_:
        emit_json(g)
    else:
        out.print(f"group {g.id} ({g.name}) archived.")
