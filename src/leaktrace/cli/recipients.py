"""``leaktrace recipient add/list/edit/archive/restore`` (``invite``, ``invitations`` and ``uninvite``: :mod:`leaktrace.cli.invitations`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.services import recipients as recipients_service
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="The people and organisations that receive copies.", no_args_is_help=True)


@app.command("add")
@guarded
def add(
    name: Annotated[str, typer.Argument(help="Recipient name (unique), e.g. a supplier.")],
    email: Annotated[str | None, typer.Option(help="Contact e-mail.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Register a recipient and print its id."""
    with Workspace(home) as ws:
        recipient = ws.add_recipient(name, email=email, org=org)
    if json_:
        emit_json(recipient)
    else:
        out.print(recipient.id)


@app.command("list")
@guarded
def list_(
    archived: Annotated[
        bool, typer.Option("--archived", help="List the archived recipients instead (kept for evidence, offered to no share).")
    ] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the recipients in use (or, with --archived, the archived ones)."""
    with Workspace(home) as ws:
        rows = recipients_service.list_all(ws.context, archived=archived)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "name", "org", "email", *(["archived"] if archived else []))
    for r in rows:
        table.add_row(str(r.id), r.name, r.org or "", r.email or "", *([r.archived_at[:16]] if archived else []))
    out.print(table)


@app.command("edit")
@guarded
def edit(
    recipient: Annotated[str, typer.Argument(help="Recipient name or id.")],
    name: Annotated[str | None, typer.Option(help="New name (unique, not a number).")] = None,
    email: Annotated[str | None, typer.Option(help="New contact e-mail ('' clears it).")] = None,
    org: Annotated[str | None, typer.Option(help="New organisation ('' clears it).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a recipient's name, e-mail or organisation (audited, before and after); its fingerprints never change."""
    with Workspace(home) as ws:
        r = recipients_service.edit(ws.context, recipient, name=name, email=email, org=org)
    if json_:
        emit_json(r)
    else:
        out.print(f"recipient {r.id}: {r.name}" + (f" ({r.org})" if r.org else "") + (f" <{r.email}>" if r.email else ""))


@app.command("archive")
@guarded
def archive(
    recipient: Annotated[str, typer.Argument(help="Recipient name or id.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Archive a recipient: kept, and still tested by every trace of what it received, but offered to no new share (nor 'all', nor its groups)."""
    with Workspace(home) as ws:
        r = recipients_service.archive(ws.context, recipient, reason=reason)
    if json_:
        emit_json(r)
    else:
        out.print(f"recipient {r.id} ({r.name}) archived; 'leaktrace recipient restore {r.id}' brings it back.")


@app.command("restore")
@guarded
def restore(
    recipient: Annotated[str, typer.Argument(help="Recipient name or id.")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Bring an archived recipient back into the share forms, 'all' and its groups."""
    with Workspace(home) as ws:
        r = recipients_service.restore(ws.context, recipient)
    if json_:
        emit_json(r)
    else:
        out.print(f"recipient {r.id} ({r.name}) restored.")
