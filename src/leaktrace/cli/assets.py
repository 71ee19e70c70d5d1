"""``leaktrace asset add/list/show/edit/archive/restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.records import Asset
from leaktrace.services.workspace import Workspace

app = typer.Typer(help="Confidential originals (kept in the workspace, never sent out).", no_args_is_help=True)


@app.command("add")
@guarded
def add(
    paths: Annotated[list[Path], typer.Argument(help="Image files or PDF documents to register (documents in a call of their own).")],
    title: Annotated[str | None, typer.Option(help="Title (default: the file name).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Register images or PDF documents as assets (a file already registered is reported, not duplicated)."""
    with Workspace(home) as ws, progress_bar(not json_, "adding assets") as progress:
        rows = ws.add_assets(paths, title=title, progress=progress)
    if json_:
        emit_json(rows)
        return
    for r in rows:
        state = "already registered as" if r.duplicate else "registered as"
        what = f"a document of {_pages(r.pages)}" if r.kind == "document" else f"{r.width}x{r.height}"
        out.print(f"{r.path}: {state} asset {r.id} ({what}, sha256 {r.sha256[:12]}…)", markup=False)


def _pages(n: int | None) -> str:
    return f"{n or 0} page{'' if n == 1 else 's'}"


@app.command("list")
@guarded
def list_(
    archived: Annotated[
        bool, typer.Option("--archived", help="List the archived assets instead (kept, still traced, not offered to share).")
    ] = False,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the assets in use: images and documents (a document's pages are in ``asset show``)."""
    with Workspace(home) as ws:
        rows = ws.list_assets(archived=archived)
    if json_:
        emit_json(rows)
        return
    table = Table("id", "title", "kind", "file", "size", "pages", "sha256", *(["archived"] if archived else []))
    for a in rows:
        document = a.kind == "document"
        size = "" if document else f"{a.width}x{a.height}"  # a document's pages have sizes of their own
        cells = [str(a.id), a.title, a.kind, a.filename, size, str(a.pages) if document else "", a.sha256[:12] + "…"]
        table.add_row(*cells, *([(a.archived_at or "")[:10]] if archived else []))  # the day, UTC
    out.print(table)


AssetArg = Annotated[str, typer.Argument(help="Id of the asset.")]


@app.command("edit")
@guarded
def edit(
    asset_id: AssetArg,
    title: Annotated[str, typer.Option("--title", help="The new title (audited with the old one).")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Give an asset a new title; its file and fingerprints never change."""
    with Workspace(home) as ws:
        a = ws.edit_asset(asset_id, title=title)
    if json_:
        emit_json(a)
        return
    out.print(f"Asset {a.id} is titled {a.title!r}.", markup=False)


@app.command("archive")
@guarded
def archive(asset_id: AssetArg, home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Archive an asset (a document with its pages): kept for evidence and still traced, no longer offered or shared."""
    with Workspace(home) as ws:
        a = ws.archive_asset(asset_id)
    if json_:
        emit_json(a)
        return
    pages = f" with its {_pages(a.pages)}" if a.kind == "document" else ""
    out.print(
        f"Asset {a.id} ({a.title}){pages} archived: every trace and scan still searches it; "
        "it is no longer listed or shared ('leaktrace asset restore' brings it back).",
        markup=False,
    )


@app.command("restore")
@guarded
def restore(asset_id: AssetArg, home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Bring an archived asset (a document with its pages) back to the lists and to ``share``."""
    with Workspace(home) as ws:
        a = ws.restore_asset(asset_id)
    if json_:
        emit_json(a)
        return
    out.print(f"Asset {a.id} ({a.title}) restored: it is listed and can be shared again.", markup=False)


#: Print resolution at which ``asset show`` states an image's displacement bound in millimetres.
_PRINT_DPI = 300


@app.command("show")
@guarded
def show(asset_id: Annotated[str, typer.Argument(help="Id of the asset.")], home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show an asset: its file and the fingerprint chosen for it (both carriers, the displacement bound); a document's pages."""
    with Workspace(home) as ws:
        a = ws.show_asset(asset_id)
        document = ws.show_asset(a.document_id) if a.kind == "page" and a.document_id is not None else None
    if json_:
        emit_json(a)
        return
    if a.kind == "document":
        _print_document(a)
    elif a.kind == "page":
        _print_page(a, document)
    else:
        _print_image(a)


def _print_image(a: Asset) -> None:
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


def _pt(px: float | None, dpi: float | None) -> float | None:
    """``px`` pixels of a page rendered at ``dpi`` in points (1/72 inch)."""
    return None if px is None or not dpi else px * 72.0 / dpi


def _print_document(a: Asset) -> None:
    out.print(f"Asset {a.id}: {a.title} ({a.filename}, {a.format} document of {_pages(a.pages)}, sha256 {a.sha256})", markup=False)
    out.print(
        f"Registered {a.created_at}. Each page is an asset of its own (its original: the page rendered at its dpi), "
        "fingerprinted by moving its lines; share the document, trace a page."
    )
    out.print(
        "Its pages, each with its geometric carrier (cells; RMS move per axis and the bound on any move, in pixels of the rendering and points):"
    )
    table = Table("page", "asset", "size px", "dpi", "grid", "RMS px", "RMS pt", "max px", "max pt")
    for p in a.page_assets:
        cells = ["none", "", "", "", ""]
        if p.geometric_carrier is not None:
            gy, gx = p.geometric_carrier
            rms, most = p.geometric_amplitude_px, p.max_displacement_px
            cells = [f"{gy}x{gx}", f"{rms:.3f}", f"{_pt(rms, p.dpi):.3f}", f"{most:.3f}", f"{_pt(most, p.dpi):.3f}"]
        table.add_row(str(p.page), str(p.id), f"{p.width}x{p.height}", f"{p.dpi:g}", *cells)
    out.print(table)


def _print_page(a: Asset, document: Asset | None) -> None:
    of = f"'{document.title}' (asset {a.document_id})" if document is not None else f"asset {a.document_id}"
    out.print(f"Asset {a.id}: page {a.page} of document {of}, rendered at {a.dpi:g} dpi ({a.width}x{a.height}, sha256 {a.sha256})", markup=False)
    if a.strength > 0:
        gy, gx = a.carrier
        out.print(f"Luminance carrier: {gy}x{gx} cells ({gy * gx} signs), strength {a.strength:.2f} levels, registered {a.created_at}.")
    else:
        out.print(f"Registered {a.created_at}. The page is marked by moving its lines only (no grey-level carrier); share its document to send it.")
    if a.geometric_carrier is None:
        out.print("Geometric carrier: none (the page has no lines to move): its copies are the document's page as it is.")
        return
    gy, gx = a.geometric_carrier
    rms, most = _pt(a.geometric_amplitude_px, a.dpi), _pt(a.max_displacement_px, a.dpi)
    out.print(
        f"Geometric carrier: {gy}x{gx} cells, two axes ({2 * gy * gx} signs), {a.geometric_amplitude_px:.3f} px RMS per axis ({rms:.3f} pt); "
        f"no point moves more than {a.max_displacement_px:.3f} px ({most:.3f} pt, {most * 25.4 / 72:.3f} mm on the page)."
    )
