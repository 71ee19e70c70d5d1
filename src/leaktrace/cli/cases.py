"""``leaktrace case open/list/show/update/remind``: follow a leak incident over time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.records import Case
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="Leak incidents: responsible recipients, NDA, penalty, remediation, status, timeline.", no_args_is_help=True)

_OVERRIDE_HELP = (
    "Written reason to hold responsible, or penalise, a recipient the finding does not accuse (goes on the timeline and into the audit log)."
)


@app.command("open")
@guarded
def open_(
    finding: Annotated[str, typer.Option("--finding", help="Id of the finding the case is about.")],
    nda: Annotated[str | None, typer.Option("--nda", help="Reference of the NDA that was breached.")] = None,
    responsible: Annotated[
        list[str] | None, typer.Option("--responsible", help="Recipient name or id, repeatable (default: every recipient the finding accuses).")
    ] = None,
    override_reason: Annotated[str | None, typer.Option("--override-reason", help=_OVERRIDE_HELP)] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Open a case on a finding and print its id."""
    with Workspace(home) as ws:
        case = ws.open_case(finding, nda=nda, responsible=responsible or None, override_reason=override_reason)
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
        penalty = "" if c.penalty is None else c.penalty.display
        who = ", ".join(r.name for r in c.responsibles)
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
    responsible: Annotated[
        str | None, typer.Option("--responsible", help="Recipient name or id: the only responsible recipient from now on.")
    ] = None,
    add_responsible: Annotated[list[str] | None, typer.Option("--add-responsible", help="Also hold this recipient responsible (repeatable).")] = None,
    remove_responsible: Annotated[
        list[str] | None, typer.Option("--remove-responsible", help="No longer hold this recipient responsible (repeatable).")
    ] = None,
    nda: Annotated[str | None, typer.Option("--nda", help="NDA reference.")] = None,
    penalty_amount: Annotated[
        str | None, typer.Option("--penalty-amount", help="Contractual penalty, exact: 250000, 250,000.00 or 250.000,00 (never 250.000).")
    ] = None,
    penalty_currency: Annotated[str | None, typer.Option("--penalty-currency", help="ISO 4217 currency code, e.g. EUR, CNY, JPY.")] = None,
    add_action: Annotated[str | None, typer.Option("--add-action", help="Add a remediation action.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date of the added action, YYYY-MM-DD.")] = None,
    action_done: Annotated[str | None, typer.Option("--action-done", help="Mark remediation action ACTION_ID done.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Add a note to the timeline.")] = None,
    override_reason: Annotated[str | None, typer.Option("--override-reason", help=_OVERRIDE_HELP)] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a case; every change goes on its timeline and into the audit trail."""
    with Workspace(home) as ws:
        case = ws.update_case(
            case_id,
            status=status,
            responsible=responsible,
            add_responsible=add_responsible or None,
            remove_responsible=remove_responsible or None,
            nda=nda,
            penalty_amount=penalty_amount,
            penalty_currency=penalty_currency,
            add_action=add_action,
            due=due,
            action_done=action_done,
            note=note,
            override_reason=override_reason,
        )
    if json_:
        emit_json(case)
    else:
        print_case(case)


@app.command("remind")
@guarded
def remind(
    within_days: Annotated[int, typer.Option("--within-days", help="Also actions due within this many days (overdue ones always).")] = 7,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """E-mail the remediation actions of open cases that are overdue or due soon to notify_email, through smtp_host (run it daily from cron)."""
    with Workspace(home) as ws:
        run = ws.send_reminders(within_days=within_days, dry_run=dry_run)
    if json_:
        emit_json(run)
        return
    for a in run.actions:
        when = f"overdue by {-a.days_left} d" if a.overdue else f"due in {a.days_left} d"
        out.print(f"case {a.case_id}  action {a.action_id}  {a.due} ({when})  {a.text}", markup=False)
    out.print(f"sent to {', '.join(run.to)}" if run.sent else run.reason, markup=False)


def print_case(c: Case) -> None:
    who = ", ".join(r.name for r in c.responsibles) or "nobody named"
    out.print(
        f"Case {c.id} ({c.status}) on finding {c.finding_id}; responsible: {who}; NDA: {c.nda or '-'}"
        + ("" if c.penalty is None else f"; penalty {c.penalty.display}"),
        markup=False,
    )
    for a in c.actions:
        due = f" due {a.due}" if a.due else ""
        out.print(f"  [{'x' if a.done else ' '}] action {a.id}: {a.text}{due}", markup=False)
    for e in c.events:
        if e.kind == "override":
            out.print(f"  {e.at[:19]} {e.actor}: override ({e.old}): {e.new}", markup=False)
            continue
        change = e.new if e.old is None else f"{e.old} -> {e.new or '-'}"
        out.print(f"  {e.at[:19]} {e.actor}: {e.field or e.kind} {change or ''}".rstrip(), markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="case")
