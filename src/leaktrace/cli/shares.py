"""``leaktrace share`` and ``leaktrace shares``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.services.workspace import Workspace


@guarded
def share(
    asset_id: Annotated[str, typer.Argument(help="Id of the asset to share.")],
    to: Annotated[list[str], typer.Option("--to", help="Recipient name or id (repeat for several); 'all' for every recipient.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the copies to.")],
    note: Annotated[str | None, typer.Option(help="Why it was shared (kept with the record).")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write one fingerprinted copy per recipient and record the share (the workspace keeps each copy's SHA-256 and size, not its file, unless retain_copies is on)."""
    with Workspace(home) as ws, progress_bar(not json_, "copies made") as progress:
        rows = ws.share(asset_id, to, out_dir, note=note, progress=progress)
        document = not json_ and ws.show_asset(asset_id).kind == "document"
    if json_:
        emit_json(rows)
        return
    worst = "worst page's rendering: " if document else ""  # a PDF copy is measured page by page
    for r in rows:
        mark = "" if r.psnr_luminance is None else f", luminance mark {r.psnr_luminance:.1f} dB"
        out.print(f"{r.recipient}: {r.path} ({worst}PSNR {r.psnr:.1f} dB{mark}, SSIM {r.ssim:.4f}, {_size(Path(r.path).stat().st_size)})")


def _size(n: int) -> str:
    """``n`` bytes for people: MB from a tenth of one (an image), else kB (a PDF copy is often a few kB)."""
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


@guarded
def shares(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """List shares with their copies."""
    with Workspace(home) as ws:
        rows = ws.list_shares()
    if json_:
        emit_json(rows)
        return
    for s in rows:
        names = ", ".join(c.recipient for c in s.copies)
        waiting = sum(c.delivered_at is None for c in s.copies)
        retained = sum(c.delivered_at is not None and c.stored for c in s.copies)
        kept = ", ".join(f"{n} {what}" for n, what in ((waiting, "waiting for delivery"), (retained, "retained")) if n)
        out.print(
            f"share {s.id}: asset {s.asset_id} to {names} on {s.created_at[:19]} by {s.created_by}"
            + (f" ({s.note})" if s.note else "")
            + (f"; copies {kept}" if kept else "")
        )


def register(app: typer.Typer) -> None:
    app.command("share")(share)
    app.command("shares")(shares)
