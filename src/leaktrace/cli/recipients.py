"""``leaktrace recipient add/list``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
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
def list_(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """List recipients."""
    with Workspace(home) as ws:
        rows = ws.list_recipients()
    if json_:
        emit_json(rows)
        return
    table = Table("id", "name", "org", "email")
    for r in rows:
        table.add_row(str(r.id), r.name, r.org or "", r.email or "")
    out.print(table)
