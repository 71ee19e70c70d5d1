"""``leaktrace asset add/list/show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="Confidential originals (kept in the workspace, never sent out).", no_args_is_help=True)


@app.command("add")
@guarded
def add(
    paths: Annotated[list[Path], typer.Argument(help="Image files to register.")],
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Register images as assets (a file already registered is reported, not duplicated)."""
    with Workspace(home) as ws, progress_bar(not json_, "adding assets") as progress:
        rows = ws.add_assets(paths, title=title, progress=progress)
    if json_:
        emit_json(rows)
        return
    for r in rows:
        state = "already registered as" if r.duplicate else "registered as"
        out.print(f"{r.path}: {state} asset {r.id} ({r.width}x{r.height}, sha256 {r.sha256[:12]}…)")


@app.command("list")
@guarded
def list_(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """List assets."""
    with Workspace(home) as ws:
        rows = ws.list_assets()
    if json_:
        emit_json(rows)
        return
    table = Table("id", "title", "file", "size", "sha256")
    for a in rows:
        table.add_row(str(a.id), a.title, a.filename, f"{a.width}x{a.height}", a.sha256[:12] + "…")
    out.print(table)


#: Print resolution at which ``asset show`` states the displacement bound in millimetres.
_PRINT_DPI = 300


@app.command("show")
@guarded
def show(asset_id: Annotated[str, typer.Argument(help="Id of the asset.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show an asset: its file and the fingerprint chosen for it (both carriers, the displacement bound)."""
    with Workspace(home) as ws:
        a = ws.show_asset(asset_id)
    if json_:
        emit_json(a)
        return
    out.print(f"Asset {a.id}: {a.title} ({a.filename}, {a.format}, {a.width}x{a.height}, sha256 {a.sha256})")
    gy, gx = a.carrier
    out.print(f"Luminance carrier: {gy}x{gx} cells ({gy * gx} signs), strength {a.strength:.2f} levels, registered {a.created_at}.")
    if a.geometric_carrier is None:
        out.print("Geometric carrier: none (the image has too few edges to carry one, or was registered before it existed).")
        return
    gy, gx = a.geometric_carrier
    mm = a.max_displacement_px * 25.4 / _PRINT_DPI
    out.print(
        f"Geometric carrier: {gy}x{gx} cells, two axes ({2 * gy * gx} signs), {a.geometric_amplitude_px:.2f} px RMS per axis; "
        f"no line moves more than {a.max_displacement_px:.2f} px ({mm:.3f} mm printed at {_PRINT_DPI} dpi)."
    )
