"""``leaktrace trace``: which asset, whose copy, how sure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out, progress_bar
from leaktrace.records import Custody, Finding
from leaktrace.services.workspace import Workspace


@guarded
def trace(
    leak: Annotated[Path, typer.Argument(help="The leaked image.")],
    asset: Annotated[str | None, typer.Option("--asset", help="Skip the search: the id of the asset it comes from.")] = None,
    source_url: Annotated[str | None, typer.Option("--source-url", help="Where the leak was found: a URL or a reference.")] = None,
    found_at: Annotated[
        str | None,
        typer.Option("--found-at", help="When it was found, ISO 8601: a date (2027-01-05) or a time with its zone (2027-01-05T14:30+01:00)."),
    ] = None,
    captured_by: Annotated[str | None, typer.Option("--captured-by", help="Who captured the leak file.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the leak's custody.")] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Find the asset a leak comes from and test every recipient of it; record where, when and by whom the leak was found."""
    with Workspace(home) as ws, progress_bar(not json_, "tracing") as progress:
        finding = ws.trace(leak, asset_id=asset, progress=progress, source_url=source_url, found_at=found_at, captured_by=captured_by, note=note)
    if json_:
        emit_json(finding.to_dict())
    else:
        print_finding(finding)


def print_finding(f: Finding) -> None:
    """The finding in plain words."""
    out.print(f"Leak {f.leak.path} ({f.leak.width}x{f.leak.height}, sha256 {f.leak.sha256[:12]}…)")
    print_custody(f.custody)
    if f.asset is None:
        out.print("No registered asset matches this image: nobody is accused." + ("" if f.id is None else f" Stored as finding {f.id}."))
        return
    seen = how_matched(f)
    if f.asset.page is None:
        out.print(f"Asset {f.asset.id} '{f.asset.title}' ({seen})", markup=False)
    else:
        d = f.asset.document
        document = "its document" if d is None else f"{d.title} (asset {d.id})"
        out.print(f"Asset {f.asset.id}: page {f.asset.page} of {document}; {seen}", markup=False)
    if not f.candidates:
        out.print(
            f"No recipient could be tested ({f.reason or 'no evidence'}): nobody is accused."
            + ("" if f.id is None else f" Stored as finding {f.id}.")
        )
        return
    table = Table("recipient", "score T", "p-value bound", "accused")
    for c in f.candidates:
        p_text = f"{c.p_value:.1e}" if c.p_value > 0 else "< 1e-300"
        table.add_row(c.recipient, f"{c.score:.2f}", p_text, "YES" if c.accused else "")
    out.print(table)
    n = len(f.candidates)
    odds = f"1 in {1 / f.epsilon:,.0f}"
    if f.alignment is not None and f.alignment.hypotheses > 1:
        out.print(
            f"The image fits {f.alignment.hypotheses} alignments equally well (a symmetric picture): each was tested, and the bound covers all of them."
        )
    if f.accused:
        out.print(
            f"Accused: {', '.join(f.accused)}. A recipient is accused only if its score exceeds {f.threshold:.2f}; "
            f"the probability that this test accuses any innocent among the {n} recipients is at most {odds}."
        )
    else:
        out.print(
            f"The evidence names nobody: no score reaches the threshold {f.threshold:.2f} "
            f"(set so that any innocent among the {n} recipients is accused with probability at most {odds})."
        )
    out.print(f"Traced in {f.elapsed_s:.2f} s." + ("" if f.id is None else f" Stored as finding {f.id}."))


#: What registered a leak when no feature correspondence did (its alignment's ``method``): a page
#: screenshot, a smooth render or a geometric-only match counts no matching features.
ALIGNED_BY = {
    "full-frame": "aligned as the whole original, resized",
    "search": "found in the original by a search at every scale",
    "frame": "aligned on the picture's frame inside the leak",
    "rotated": "found in a rotated view of the original",
}


def how_matched(f: Finding) -> str:
    """How the leak was registered on its asset, in words: the matching features when there were any,
    else the alignment method that placed it (never "0 matching features"); "not aligned" when nothing did."""
    match = f.asset.match
    if match.inliers > 0:
        how = f"{match.inliers} matching features"
    elif f.alignment is None:
        return "not aligned"
    else:
        how = ALIGNED_BY.get(f.alignment.method or "", "aligned by image agreement")
    return f"{how}, {match.coverage:.0%} of it visible{', mirrored' if match.mirrored else ''}"


def print_custody(c: Custody | None) -> None:
    """The leak's chain of custody, one line per field given (as typed: never read as markup)."""
    if c is None:
        return
    for label, value in (("Source", c.source_url), ("Found", c.found_at), ("Captured by", c.captured_by), ("Custody note", c.note)):
        if value is not None:
            out.print(f"{label}: {value}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("trace")(trace)
