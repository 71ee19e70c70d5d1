"""``leaktrace doctor [--repair]``: orphan blobs left by killed processes, missing files, the audit log, file modes."""

from __future__ import annotations

from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services.doctor import GRACE_S
from leaktrace.services.workspace import Workspace


@guarded
def doctor(
    repair: Annotated[
        bool, typer.Option("--repair", help="Remove the orphan blobs and partial files found (recorded in the audit log as blob.collect).")
    ] = False,
    grace_minutes: Annotated[
        float,
        typer.Option(
            "--grace-minutes", help="Only files stored longer ago than this are orphans (a share under way stores copies before its record)."
        ),
    ] = GRACE_S / 60,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Look the workspace over: stored files no record names (removed with --repair), files records need, the audit chain, file modes. Exit 1 if anything is left to look at."""
    with Workspace(home) as ws:
        report = ws.doctor(repair=repair, grace_s=grace_minutes * 60)
    if json_:
        emit_json(report)
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report) -> None:
    verb = "removed" if report.repaired else "found"
    mb = report.orphan_bytes / 1e6
    out.print(
        f"blobs: {report.blobs} stored; {len(report.orphans)} orphans ({mb:.1f} MB) {verb}; {report.young} younger than the grace period left alone"
    )
    if report.partial_files:
        out.print(f"partial files of interrupted writes: {report.partial_files} {verb}")
    if report.repaired:
        out.print(f"removed {report.removed} files ({report.removed_bytes / 1e6:.1f} MB)")
    elif report.orphans or report.partial_files:
        out.print("run 'leaktrace doctor --repair' to remove them")
    for sha in report.missing:
        err.print(f"missing: the stored file {sha} that a record needs", markup=False)
    if report.audit.ok:
        out.print(f"audit: ok, {report.audit.entries} entries")
    else:
        err.print(f"audit: tampered: {report.audit.reason}", markup=False)
    for loose in report.loose:
        err.print(f"mode: {loose.path} is {loose.mode}: others may reach it; run 'chmod go= {loose.path}' in the workspace", markup=False)
    if report.ok:
        out.print("ok")


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
