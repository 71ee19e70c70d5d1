"""``leaktrace scan``: screen a folder, a list or a crawler's feed against every asset, trace the hits.

``leaktrace scan SOURCE...`` is ``leaktrace scan run SOURCE...``: a first word that is not one of the
group's commands (``run``, ``resume``, ``list``, ``show``) is a source (write ``./list`` for a folder
named like a command).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services import scans
from leaktrace.services.workspace import Workspace

INTERRUPTED = 130  # the exit code of a scan stopped by Ctrl-C (as a shell reports SIGINT)


class _DefaultRun(TyperGroup):
    """``scan SOURCE...`` runs ``scan run SOURCE...``; ``scan resume|list|show …`` are the commands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultRun,
    help="Screen many images (folders, lists of paths, a crawler's JSON-lines feed) against every asset; trace the hits.",
    no_args_is_help=True,
)

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes that screen images at once (default 1: this process; with --ray, one per CPU of the cluster).",
        show_default=False,
    ),
]
RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        help="Screen on a Ray cluster: 'auto' starts one on this machine for the scan, an ADDRESS (ray://head:10001) joins a running one (pip install 'leaktrace[cluster]').",
        show_default=False,
    ),
]


@app.command("run")
@guarded
def run(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="A folder (recursive), a file of paths or of JSON lines {path, source_url, found_at}, '-' for paths on stdin, or an image."
        ),
    ],
    workers: WorkersOpt = None,
    ray: RayOpt = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Scan SOURCE...: each image is screened against every asset, each match traced and its finding stored; a file done by an earlier scan is counted, not traced again."""
    stdin = sys.stdin.read().splitlines() if "-" in sources else None
    with Workspace(home) as ws:
        ctx = ws.context
        scan_id = scans.start(ctx, sources, stdin=stdin)
        _run(ctx, scan_id, workers, ray, json_)


@app.command("resume")
@guarded
def resume(
    scan_id: Annotated[str, typer.Argument(help="Id of the scan.")],
    workers: WorkersOpt = None,
    ray: RayOpt = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Finish a scan that was stopped (Ctrl-C, or a process that died): its pending files only."""
    with Workspace(home) as ws:
        _run(ws.context, scan_id, workers, ray, json_)


def _run(ctx, scan_id, workers: int | None, ray: str | None, json_: bool) -> None:
    with _progress(not json_, scan_id) as progress:
        result = scans.run(ctx, scan_id, workers=workers, ray=ray, progress=progress)
    state = scans.summary(ctx, result.id)
    if json_:
        emit_json(result)
    else:
        _print_result(result, state)
    if state.status != "done":
        err.print(
            f"scan {result.id} stopped with {state.pending} of {state.images} files to go; finish it with 'leaktrace scan resume {result.id}'.",
            markup=False,
        )
        raise typer.Exit(INTERRUPTED)


@contextmanager
def _progress(enabled: bool, scan_id) -> Iterator[Callable[[int, int, int], None] | None]:
    """A live bar on a terminal (files done, images/s, hits); nothing when output is piped or JSON."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[rate]} images/s"),
        TextColumn("{task.fields[hits]} hits"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"scan {scan_id}", total=None, rate="–", hits=0)
        first: list[int] = []  # files done when the bar started (a resumed scan's earlier ones)

        def update(done: int, total: int, hits: int) -> None:
            if not first:
                first.append(done)
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{(done - first[0]) / elapsed:.1f}" if elapsed > 0 and done > first[0] else "–"
            bar.update(task, completed=done, total=total, rate=rate, hits=hits)

        yield update


def _print_result(r: scans.ScanResult, s: scans.ScanSummary) -> None:
    out.print(
        f"Scan {r.id}: {r.images} files, {r.matched} showing an asset, {s.unmatched} matching none, {r.errors} failed"
        + (f", {s.earlier} done by an earlier scan (not traced again)" if s.earlier else "")
        + "."
    )
    if r.hits:
        table = Table("file", "asset", "accused", "finding")
        for h in r.hits:
            asset = "" if h.asset is None else f"{h.asset.id} {h.asset.title}"
            table.add_row(h.path, asset, ", ".join(h.accused) or "nobody", str(h.finding_id))
        out.print(table)
    for f in r.failed:
        out.print(f"failed: {f.reason}", markup=False)


@app.command("list")
@guarded
def list_(
    limit: Annotated[int | None, typer.Option("--limit", help="Only the newest N.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List scans, newest first, with their counts."""
    with Workspace(home) as ws:
        rows = scans.list_all(ws.context, limit=limit)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "when", "status", "files", "matched", "unmatched", "failed", "pending", "sources")
    for s in rows:
        table.add_row(
            str(s.id),
            s.created_at[:19],
            s.status,
            str(s.images),
            str(s.matched),
            str(s.unmatched),
            str(s.errors),
            str(s.pending),
            ", ".join(s.sources),
        )
    out.print(table)


@app.command("show")
@guarded
def show(scan_id: Annotated[str, typer.Argument(help="Id of the scan.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """One scan: its counts, its hits (file, asset, accused, finding) and its failures with their reasons."""
    with Workspace(home) as ws:
        result = scans.result(ws.context, scan_id)
        state = scans.summary(ws.context, scan_id)
    if json_:
        emit_json(result)
        return
    out.print(f"Scan {state.id} ({state.status}), started {state.created_at[:19]} by {state.actor}: {', '.join(state.sources)}", markup=False)
    _print_result(result, state)
    if state.pending:
        out.print(f"{state.pending} files still to screen: 'leaktrace scan resume {state.id}'.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="scan")
