"""``leaktrace recipient invite/invitations/uninvite``: invitations to the recipient portal.

Registered on the ``recipient`` group by :func:`register`. ``invite`` e-mails the link when the
workspace has an SMTP relay (``smtp_host``; ``--no-email`` to skip), else prints it, as it prints it
when the relay fails.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.services import invitations, portal
from leaktrace.services.workspace import Workspace


@guarded
def invite(
    name: Annotated[str, typer.Argument(help="Recipient name or id.")],
    email: Annotated[str, typer.Option(help="Where the invitation goes (e-mailed with an SMTP relay set, else printed: send it yourself).")],
    expires_days: Annotated[float, typer.Option("--expires-days", help="Days the link works.")] = portal.DEFAULT_EXPIRES_DAYS,
    base_url: Annotated[str, typer.Option("--base-url", help="The web app's address, as the invitee reaches it.")] = "http://127.0.0.1:8000",
    no_email: Annotated[bool, typer.Option("--no-email", help="Print the link only, even with an SMTP relay set.")] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Make a one-time link that makes a user of this recipient for the recipient portal (shown once; only its hash is kept)."""
    with Workspace(home) as ws:
        made = invitations.invite(ws.context, name, email, expires_days=expires_days, base_url=base_url, send=not no_email)
    if json_:
        emit_json(made)
        return
    if made.emailed:
        out.print(f"invitation {made.id} for a user of {made.recipient} e-mailed to {made.email}, valid once until {made.expires_at[:16]} UTC.")
        return
    if made.email_problem:
        out.print(f"not e-mailed: {made.email_problem}; send the link yourself.", soft_wrap=True)
    out.print(f"invitation {made.id} for a user of {made.recipient} ({made.email}), valid once until {made.expires_at[:16]} UTC:")
    out.print(made.link, soft_wrap=True)


@guarded
def list_invitations(
    recipient: Annotated[str | None, typer.Argument(help="Only this recipient's (name or id).")] = None,
    state: Annotated[str | None, typer.Option(help=f"Only those in this state: {', '.join(invitations.STATES)}.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List invitations to the recipient portal, newest first: pending, accepted, cancelled or expired."""
    with Workspace(home) as ws:
        rows = invitations.list_all(ws.context, recipient, state=state)
    if json_:
        emit_json(rows)
        return
    if not rows:
        out.print("No invitations.")
        return
    table = Table("id", "recipient", "e-mail", "state", "user", "by", "made", "expires")
    for i in rows:
        table.add_row(str(i.id), i.recipient, i.email, i.state, i.user or "", i.created_by, i.created_at[:16], i.expires_at[:16])
    out.print(table)


@guarded
def uninvite(
    invitation_id: Annotated[str, typer.Argument(help="The invitation's id (leaktrace recipient invitations).")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Cancel a pending invitation: its link opens nothing from now on."""
    with Workspace(home) as ws:
        cancelled = invitations.cancel(ws.context, invitation_id)
    if json_:
        emit_json(cancelled)
        return
    out.print(f"invitation {cancelled.id} for {cancelled.email} ({cancelled.recipient}) cancelled; its link opens nothing now.")


def register(group: typer.Typer) -> None:
    """Add the commands to the ``recipient`` group (``invite`` replaces an earlier one of that name)."""
    group.command("invite")(invite)
    group.command("invitations")(list_invitations)
    group.command("uninvite")(uninvite)
