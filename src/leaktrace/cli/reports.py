"""``leaktrace report``: the evidence report of a finding, for legal."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.errors import BadInput
from leaktrace.services.workspace import Workspace


@guarded
def report(
    finding_id: Annotated[str, typer.Argument(help="Id of the stored finding (see 'leaktrace finding list').")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write the report to.")],
    fmt: Annotated[str, typer.Option("--format", help="html (self-contained) or pdf.")] = "pdf",
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write the evidence report of a finding as self-contained HTML or PDF."""
    if out_file.is_dir():
        raise BadInput(f"{out_file}: is a folder; give a file name for the report.")
    with Workspace(home) as ws:
        data = ws.report(finding_id, fmt.lower())
    out_file.write_bytes(data)
    info = {
        "finding_id": int(finding_id),
        "format": fmt.lower(),
        "path": str(out_file),
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    if json_:
        emit_json(info)
    else:
        out.print(f"Evidence report of finding {finding_id} written to {out_file} ({len(data):,} bytes, sha256 {info['sha256'][:12]}…)")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
