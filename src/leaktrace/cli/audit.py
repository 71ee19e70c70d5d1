"""``leaktrace audit list/verify``: the hash-chained trail of who did what."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services.workspace import Workspace

DETAILS_WIDTH = 80

app = typer.Typer(help="The append-only, hash-chained audit trail.", no_args_is_help=True)


@app.command("list")
@guarded
def list_(
    limit: Annotated[int | None, typer.Option("--limit", help="Only the newest N entries.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List audit entries, newest first."""
    with Workspace(home) as ws:
        rows = ws.list_audit(limit=limit)
    if json_:
        emit_json(rows)
        return
    for e in rows:
        subject = "" if e.subject_type is None else f"{e.subject_type} {e.subject_id or ''}".strip()
        details = e.details if isinstance(e.details, str) else json.dumps(e.details, ensure_ascii=False)
        details = details if len(details) <= DETAILS_WIDTH else details[: DETAILS_WIDTH - 1] + "…"
        out.print(f"{e.id:>5}  {e.at[:19].replace('T', ' ')}  {e.actor:<12} {e.action:<13} {subject:<12} {details}", markup=False)


@app.command("verify")
@guarded
def verify(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Check the whole chain; exit 1 naming the first bad entry if it was tampered with."""
    with Workspace(home) as ws:
        result = ws.verify_audit()
    if json_:
        emit_json(result)
    elif result.ok:
        head = "" if result.head is None else f"; head {result.head.id} {result.head.hash}"
        out.print(f"ok: {result.entries} entries, the chain holds{head}")
    else:
        err.print(f"tampered: {result.reason}", markup=False)
    if not result.ok:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")
