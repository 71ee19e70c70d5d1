"""``leaktrace share``, ``leaktrace shares``, and the portal's ``leaktrace revoke`` and ``leaktrace receipts``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.errors import BadInput
from leaktrace.services import portal as portal_service
from leaktrace.services import shares as shares_service
from leaktrace.services.workspace import Workspace


@guarded
def share(
    asset_id: Annotated[str, typer.Argument(help="Id of the asset to share.")],
    to: Annotated[list[str] | None, typer.Option("--to", help="Recipient name or id (repeat for several); 'all' for every recipient in use.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder to write the copies to (not with --portal).")] = None,
    note: Annotated[str | None, typer.Option(help="Why it was shared (kept with the record).")] = None,
    portal: Annotated[
        bool, typer.Option("--portal", help="Keep no copy: each recipient's user downloads a copy made for them from the recipient portal.")
    ] = False,
    terms: Annotated[str | None, typer.Option(help="The NDA reference or text a recipient's user accepts before the first download.")] = None,
    expires_days: Annotated[
        float | None, typer.Option("--expires-days", help="With --portal: days the copies can be downloaded (default: until revoked).")
    ] = None,
    to_group: Annotated[
        list[str] | None,
        typer.Option("--to-group", help="Recipient group name or id (repeat for several): its members in use now, each recorded in the share."),
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write one fingerprinted copy per recipient and record the share (the workspace keeps each copy's SHA-256 and size, not its file, unless retain_copies is on); with --portal, the recipients' users download their own."""
    if out_dir is None and not portal:
        raise BadInput("name a folder to write the copies to with --out, or let the recipients download them with --portal.")
    with Workspace(home) as ws, progress_bar(not json_, "copies made") as progress:
        if portal or terms is not None or expires_days is not None or to_group:
            rows = shares_service.share(
                ws.context,
                asset_id,
                list(to or []),
                out_dir,
                note=note,
                progress=progress,
                portal=portal,
                terms=terms,
                expires_days=expires_days,
                groups=list(to_group or []),
            )
        else:
            rows = ws.share(asset_id, list(to or []), out_dir, note=note, progress=progress)
        document = not json_ and ws.show_asset(asset_id).kind == "document"
    if json_:
        emit_json(rows)
        return
    if portal:
        share_id = rows[0].share_id
        out.print(
            f"share {share_id}: {len(rows)} copies recorded for the recipient portal (no file kept); invite each recipient's user with 'leaktrace recipient invite'."
        )
        for r in rows:
            out.print(f"{r.recipient}: {r.filename} (PSNR {r.psnr:.1f} dB, SSIM {r.ssim:.4f})")
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
        if s.delivery == "portal":  # nothing waits in the store: each download is made then
            revoked = sum(c.revoked_at is not None for c in s.copies)
            kept = f"through the recipient portal: {len(s.copies) - waiting} of {len(s.copies)} downloaded" + (
                f", {revoked} revoked" if revoked else ""
            )
            kept += "" if s.expires_at is None else f", until {s.expires_at[:16]} UTC"
        out.print(
            f"share {s.id}: asset {s.asset_id} to {names} on {s.created_at[:19]} by {s.created_by}"
            + (f" ({s.note})" if s.note else "")
            + (f"; copies {kept}" if kept else "")
        )


@guarded
def revoke(
    share_id: Annotated[str, typer.Argument(help="Id of the portal share.")],
    recipient: Annotated[
        list[str] | None, typer.Option("--recipient", help="Only this recipient's copy (name or id; repeat). Default: every copy.")
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Stop the recipient portal serving a share's copies (all, or only some recipients'); downloads already made keep their receipts."""
    with Workspace(home) as ws:
        s = shares_service.revoke(ws.context, share_id, list(recipient or []))
    if json_:
        emit_json(s)
        return
    for c in s.copies:
        out.print(f"{c.recipient}: " + (f"revoked on {c.revoked_at[:19]}" if c.revoked_at else "still downloadable"))


@guarded
def receipts(
    share_id: Annotated[str, typer.Argument(help="Id of the portal share.")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the receipts of a portal share: who of each recipient downloaded their copy, when, from where, and its SHA-256."""
    with Workspace(home) as ws:
        rows = portal_service.receipts(ws.context, share_id)
    if json_:
        emit_json(rows)
        return
    if not rows:
        out.print(f"share {share_id}: no download yet.")
    for r in rows:
        out.print(
            f"receipt #{r.id}: {r.recipient}'s user {r.user} on {r.at[:19]} from {r.client or '?'}, SHA-256 {r.sha256}"
            + ("" if r.matches else " (not byte for byte the recorded copy)")
        )


def register(app: typer.Typer) -> None:
    app.command("share")(share)
    app.command("shares")(shares)
    app.command("revoke")(revoke)
    app.command("receipts")(receipts)
