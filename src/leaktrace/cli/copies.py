"""``leaktrace copy deliver/download/regenerate``: the acts that hand out a copy's bytes.

``share`` delivers every copy into ``--out`` at once. ``copy deliver`` hands over, once, the
copies of a share still waiting for delivery (a share made on the web, or one whose process
was killed before it wrote them). ``copy download`` (a retained copy) and ``copy regenerate``
(a copy made again from the key and the original) are privileged acts: each needs a
``--reason`` and leaves an audit entry with it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services.workspace import Workspace

app = typer.Typer(
    help="Hand out a copy's bytes: deliver a waiting copy, download a retained one, regenerate one (audited, with a reason).", no_args_is_help=True
)

ShareOpt = Annotated[str, typer.Option("--share", help="Id of the share that made the copy.")]
RecipientOpt = Annotated[str, typer.Option("--recipient", help="Name or id of the recipient whose copy it is.")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (recorded in the audit log; required).", show_default=False)]
FileOpt = Annotated[Path, typer.Option("--out", help="File to write (or a folder: the copy's own name inside).")]


@app.command("deliver")
@guarded
def deliver(
    share: ShareOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the copies to.")],
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write the copies of a share that wait for delivery, once (only the share's sender)."""
    with Workspace(home) as ws:
        rows = ws.deliver_copies(share, out_dir)
    if json_:
        emit_json(rows)
        return
    for r in rows:
        out.print(f"{r.recipient}: {r.path}")


@app.command("download")
@guarded
def download(
    share: ShareOpt, recipient: RecipientOpt, out_file: FileOpt, reason: ReasonOpt = None, home: HomeOpt = None, json_: JsonOpt = False
) -> None:
    """Write a retained copy to a file (a privileged act, recorded with its reason)."""
    with Workspace(home) as ws:
        stored = ws.download_copy(share, recipient, reason=reason)
        path = ws.save_file(stored, out_file)
    if json_:
        emit_json({"share_id": int(share), "recipient": recipient, "filename": stored.filename, "path": str(path)})
        return
    out.print(str(path))


@app.command("regenerate")
@guarded
def regenerate(
    share: ShareOpt, recipient: RecipientOpt, out_file: FileOpt, reason: ReasonOpt = None, home: HomeOpt = None, json_: JsonOpt = False
) -> None:
    """Make a recorded copy again from the master key and the original (a privileged act, recorded with its reason)."""
    with Workspace(home) as ws:
        made, stored = ws.regenerate_copy(share, recipient, reason=reason)
        path = ws.save_file(stored, out_file)
    made = dataclasses.replace(made, path=str(path))
    if json_:
        emit_json(made)
    else:
        out.print(str(path))
    if not made.matches:
        err.print(
            f"warning: the regenerated file's SHA-256 {made.sha256[:12]}… differs from the recorded {made.recorded_sha256[:12]}… "
            "(other encoder settings, libraries or BLAS threads); the act is recorded as not matching.",
            markup=False,
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="copy")
