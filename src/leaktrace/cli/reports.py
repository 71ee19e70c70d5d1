"""``leaktrace report``: the evidence report of a finding, for legal."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, guarded, out
from leaktrace.errors import BadInput
from leaktrace.services.workspace import Workspace

#: The report format each file extension of ``--out`` means.
EXTENSIONS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def report_format(fmt: str | None, out_file: Path) -> str:
    """The format to write ``out_file`` in: ``--format`` when given, else the one its extension names.

    Refused in one line (:class:`~leaktrace.errors.BadInput`) when neither tells, or when they
    disagree (an HTML report in ``r.pdf`` is a file nobody can open). With ``--format``, a file
    name without a known extension is the user's choice (``evidence``, ``/dev/stdout``).
    """
    suffix = out_file.suffix.lower()
    implied = EXTENSIONS.get(suffix)
    if fmt is None:
        if implied is None:
            ending = f"'{out_file.suffix}'" if out_file.suffix else "no extension"
            raise BadInput(f"{out_file}: cannot tell the report's format from {ending}; name the file .html or .pdf, or give --format html|pdf.")
        return implied
    fmt = fmt.lower()  # a format the services do not make is refused by them
    if implied is not None and implied != fmt:
        raise BadInput(f"--format {fmt} contradicts the file name {out_file} (which says {implied}); drop --format, or name the file .{fmt}.")
    return fmt


@guarded
def report(
    finding_id: Annotated[str, typer.Argument(help="Id of the stored finding (see 'leaktrace finding list').")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write the report to.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="html (self-contained) or pdf; by default, what --out's extension says (.html, .htm, .pdf).")
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write the evidence report of a finding as self-contained HTML or PDF."""
    if out_file.is_dir():
        raise BadInput(f"{out_file}: is a folder; give a file name for the report.")
    fmt = report_format(fmt, out_file)
    with Workspace(home) as ws:
        data = ws.report(finding_id, fmt)
    out_file.write_bytes(data)
    info = {
        "finding_id": int(finding_id),
        "format": fmt,
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
