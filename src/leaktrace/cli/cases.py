"""``leaktrace case open/list/show/update``: follow a leak incident over time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.records import Case
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="Leak incidents: responsible recipient, NDA, penalty, remediation, status, timeline.", no_args_is_help=True)


@app.command("open")
@guarded
def open_(
    finding: Annotated[str, typer.Option("--finding", help="Id of the finding the case is about.")],
    nda: Annotated[str | None, typer.Option("--nda", help="Reference of the NDA that was breached.")] = None,
    responsible: Annotated[str | None, typer.Option("--responsible", help="Recipient name or id (default: the one accused).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Open a case on a finding and print its id."""
    with Workspace(home) as ws:
        case = ws.open_case(finding, nda=nda, responsible=responsible)
    if json_:
        emit_json(case)
    else:
        out.print(case.id)


@app.command("list")
@guarded
def list_(
    status: Annotated[str | None, typer.Option("--status", help="Only cases with this status.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List cases, newest first."""
    with Workspace(home) as ws:
        rows = ws.list_cases(status=status)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "status", "finding", "responsible", "penalty", "open actions", "updated")
    for c in rows:
        penalty = "" if c.penalty is None else f"{c.penalty.amount} {c.penalty.currency}"
        who = "" if c.responsible is None else c.responsible.name
        table.add_row(str(c.id), c.status, str(c.finding_id), who, penalty, str(c.actions_open), c.updated_at[:19])
    out.print(table)


@app.command("show")
@guarded
def show(case_id: Annotated[str, typer.Argument(help="Id of the case.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show a case with its remediation plan and timeline."""
    with Workspace(home) as ws:
        case = ws.show_case(case_id)
    if json_:
        emit_json(case)
    else:
        print_case(case)


@app.command("update")
@guarded
def update(
    case_id: Annotated[str, typer.Argument(help="Id of the case.")],
    status: Annotated[str | None, typer.Option("--status", help="open | notified | penalty_applied | remediation | closed")] = None,
    responsible: Annotated[str | None, typer.Option("--responsible", help="Recipient name or id.")] = None,
    nda: Annotated[str | None, typer.Option("--nda", help="NDA reference.")] = None,
    penalty_amount: Annotated[str | None, typer.Option("--penalty-amount", help="Contractual penalty, e.g. 10000.")] = None,
    penalty_currency: Annotated[str | None, typer.Option("--penalty-currency", help="Three-letter currency code, e.g. EUR.")] = None,
    add_action: Annotated[str | None, typer.Option("--add-action", help="Add a remediation action.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date of the added action, YYYY-MM-DD.")] = None,
    action_done: Annotated[str | None, typer.Option("--action-done", help="Mark remediation action ACTION_ID done.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Add a note to the timeline.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a case; every change goes on its timeline and into the audit trail."""
    with Workspace(home) as ws:
        case = ws.update_case(
            case_id,
            status=status,
            responsible=responsible,
            nda=nda,
            penalty_amount=penalty_amount,
            penalty_currency=penalty_currency,
            add_action=add_action,
            due=due,
            action_done=action_done,
            note=note,
        )
    if json_:
        emit_json(case)
    else:
        print_case(case)


def print_case(c: Case) -> None:
    who = "nobody named" if c.responsible is None else c.responsible.name
    out.print(
        f"Case {c.id} ({c.status}) on finding {c.finding_id}; responsible: {who}; NDA: {c.nda or '-'}"
        + ("" if c.penalty is None else f"; penalty {c.penalty.amount} {c.penalty.currency}"),
        markup=False,
    )
    for a in c.actions:
        due = f" due {a.due}" if a.due else ""
        out.print(f"  [{'x' if a.done else ' '}] action {a.id}: {a.text}{due}", markup=False)
    for e in c.events:
        change = e.new if e.old is None else f"{e.old} -> {e.new}"
        out.print(f"  {e.at[:19]} {e.actor}: {e.field or e.kind} {change or ''}".rstrip(), markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="case")
