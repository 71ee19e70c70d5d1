"""``leaktrace audit list/verify/checkpoint``: the hash-chained trail of who did what, and its signed checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
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
def verify(
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="A checkpoint file exported earlier: also prove that today's log extends it (exit 2 with the reason when it does not).",
            show_default=False,
        ),
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Check the whole chain; exit 1 naming the first bad entry if it was tampered with.

    With --against, also prove that today's log extends an older signed checkpoint (a consistency proof): a history rewritten with recomputed hashes passes the chain, not an older checkpoint. The --json document then gains "against", the consistency check.
    """
    with Workspace(home) as ws:
        consistency = None if against is None else ws.verify_audit_against(against)
        result = ws.verify_audit()
    if json_:
        emit_json({**result.to_dict(), "against": None if consistency is None else consistency.to_dict()})
    else:
        if result.ok:
            head = "" if result.head is None else f"; head {result.head.id} {result.head.hash}"
            out.print(f"ok: {result.entries} entries, the chain holds and {result.records} sealed records match their seals{head}")
        else:
            err.print(f"tampered: {result.reason}", markup=False)
        if consistency is not None and consistency.ok:
            out.print(f"extends the checkpoint: {consistency.reason}", markup=False)
        elif consistency is not None:
            err.print(f"not extended: {consistency.reason}", markup=False)
    if consistency is not None and not consistency.ok:
        raise typer.Exit(2)
    if not result.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
@guarded
def checkpoint(
    out_: Annotated[
        Path | None, typer.Option("--out", help="Also write the checkpoint's JSON to this new file (never overwritten).", show_default=False)
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Sign the log's current head (size, Merkle root, time) and print it: a checkpoint to keep off this machine.

    The checkpoint is recorded in the log (after the entries it covers) and also written into the checkpoint_dir setting's folder when that is set. Keep it where the workspace's administrators cannot change it: 'audit verify --against FILE' proves later that the log only grew since.
    """
    with Workspace(home) as ws:
        head = ws.checkpoint(out=out_)
    if json_:
        emit_json(head)
        return
    out.print(f"checkpoint of {head.tree_size} entries, signed {head.timestamp}", markup=False)
    out.print(f"  log        {head.log_id}", markup=False)
    out.print(f"  root       {head.root_hash}", markup=False)
    out.print(f"  key id     {head.key_id}", markup=False)
    out.print(f"  signature  {head.signature}", markup=False)
    if out_ is not None:
        out.print(f"written to {out_}", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")
