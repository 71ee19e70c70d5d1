"""``leaktrace finding list/show``: the stored results of every trace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.cli.traces import print_custody
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="The stored result of every trace (kept to rebuild its evidence report).", no_args_is_help=True)


@app.command("list")
@guarded
def list_(
    limit: Annotated[int | None, typer.Option("--limit", help="Only the newest N.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List findings, newest first."""
    with Workspace(home) as ws:
        rows = ws.list_findings(limit=limit)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "when", "asset", "accused", "tested", "by")
    for f in rows:
        asset = "none matched" if f.asset is None else f"{f.asset.id} {f.asset.title}"
        table.add_row(str(f.id), f.created_at[:19], asset, ", ".join(f.accused) or "nobody", str(f.n_tested), f.actor)
    out.print(table)


@app.command("show")
@guarded
def show(finding_id: Annotated[str, typer.Argument(help="Id of the finding.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show a stored finding: the leak, the asset, the alignment and every recipient's score."""
    with Workspace(home) as ws:
        f = ws.show_finding(finding_id)
    if json_:
        emit_json(f)
        return
    out.print(f"Finding {f.id}: traced {f.created_at[:19]} by {f.actor} (leaktrace {f.software_version}, {f.elapsed_s:.2f} s)")
    out.print(f"Leak {f.leak.path} ({f.leak.width}x{f.leak.height}, sha256 {f.leak.sha256})")
    print_custody(f.custody)
    a = f.alignment
    if f.asset is None:
        out.print(f"No asset: {f.reason or 'no registered asset matches'}.")
    else:
        out.print(
            f"Asset {f.asset.id} '{f.asset.title}'"
            + (
                ""
                if a is None
                else f", aligned by {a.method} (agreement {a.agreement or 0:.2f}, {a.coverage or 0:.0%} visible"
                f"{f', {a.inliers} inliers' if a.inliers else ''}{', mirrored' if a.mirrored else ''}, {a.hypotheses} hypotheses)"
            )
        )
        if f.reason:
            out.print(f"Nobody tested: {f.reason}.")
    if f.candidates:
        table = Table("recipient", "score T", "p-value bound", "accused")
        for c in f.candidates:
            table.add_row(c.recipient, f"{c.score:.2f}", f"{c.p_value:.1e}" if c.p_value > 0 else "< 1e-300", "YES" if c.accused else "")
        out.print(table)
        out.print(
            f"Threshold {f.threshold or float('nan'):.2f} over {f.n_tests} tests, ε = {f.epsilon:g}. Accused: {', '.join(f.accused) or 'nobody'}."
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="finding")
