"""``leaktrace recipient add/list/invite``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.services import portal
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


@app.command("invite")
@guarded
def invite(
    name: Annotated[str, typer.Argument(help="Recipient name or id.")],
    email: Annotated[str, typer.Option(help="Where the invitation goes (the link is printed: send it yourself).")],
    expires_days: Annotated[float, typer.Option("--expires-days", help="Days the link works.")] = portal.DEFAULT_EXPIRES_DAYS,
    base_url: Annotated[str, typer.Option("--base-url", help="The web app's address, as the invitee reaches it.")] = "http://127.0.0.1:8000",
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Print a one-time link that makes a user of this recipient for the recipient portal (shown once; only its hash is kept)."""
    with Workspace(home) as ws:
        made = portal.invite(ws.context, name, email, expires_days=expires_days, base_url=base_url)
    if json_:
        emit_json(made)
        return
    out.print(f"invitation {made.id} for a user of {made.recipient} ({made.email}), valid once until {made.expires_at[:16]} UTC:")
    out.print(made.link, soft_wrap=True)
