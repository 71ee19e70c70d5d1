"""``leaktrace key export/import/split/combine``: custody of the master key.

A passphrase comes from ``--passphrase-file FILE`` (its first line), else the environment
variable ``LEAKTRACE_KEY_PASSPHRASE`` (for automation), else a hidden prompt on stderr
(typed twice when it makes a new backup).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.errors import BadInput
from leaktrace.services.keys import LOSS_WARNING, PASSPHRASE_ENV
from leaktrace.services.workspace import Workspace

app = typer.Typer(
    help="Custody of the master key: encrypted backups and a k-of-n split among custodians (losing the key loses the ability to trace).",
    no_args_is_help=True,
)

PassphraseFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help=f"Read the passphrase from the first line of this file (else ${PASSPHRASE_ENV}, else a hidden prompt).",
        show_default=False,
    ),
]


def _interactive() -> bool:
    return sys.stdin.isatty()


def _passphrase(source: Path | None, *, confirm: bool) -> Callable[[], str]:
    """A function that fetches the passphrase when the service needs it."""

    def ask() -> str:
        if source is not None:
            try:
                text = source.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise BadInput(f"{source}: the passphrase file is not UTF-8 text.") from None
            return text.splitlines()[0] if text else ""
        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        if not _interactive():
            raise BadInput(f"no passphrase: the input is not a terminal; give --passphrase-file FILE or set {PASSPHRASE_ENV}.")
        try:
            if confirm:
                return typer.prompt("New passphrase (12 characters or more)", hide_input=True, confirmation_prompt="Type it again", err=True)
            return typer.prompt("Passphrase", hide_input=True, err=True)
        except typer.Abort:
            raise BadInput(f"no passphrase given: type it at the prompt, give --passphrase-file FILE or set {PASSPHRASE_ENV}.") from None

    return ask


@guarded
def key_export(
    dest: Annotated[Path, typer.Argument(help="New file to write the encrypted key backup to.")],
    passphrase_file: PassphraseFileOpt = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write the master key to a new file (mode 0600), encrypted under a passphrase (12 characters or more)."""
    with Workspace(home) as ws:
        ws.key_fingerprint()  # a missing or foreign key is refused before the passphrase is asked for
        backup = ws.export_key(dest, passphrase=_passphrase(passphrase_file, confirm=True))
    err.print(f"warning: {LOSS_WARNING}", markup=False)
    if json_:
        emit_json(backup)
    else:
        out.print(f"Master key {backup.key_fingerprint} written to {backup.path}, encrypted ({backup.kdf}, {backup.aead}).")


@guarded
def key_import(
    source: Annotated[Path, typer.Argument(help="A backup made by 'leaktrace key export'.")],
    passphrase_file: PassphraseFileOpt = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Restore the master key from a backup (only the key this workspace was created with)."""
    done = Workspace(home).import_key(source, passphrase=_passphrase(passphrase_file, confirm=False))
    if done.warning:
        err.print(f"warning: {done.warning}", markup=False)
    if json_:
        emit_json(done)
    elif done.restored:
        out.print(f"Master key {done.key_fingerprint} restored.")
    else:
        out.print(f"Master key {done.key_fingerprint} is already in place; the backup holds it.")


@guarded
def key_split(
    shares: Annotated[int, typer.Option("--shares", help="How many share files to make (one per custodian).")],
    threshold: Annotated[int, typer.Option("--threshold", help="How many shares together restore the key (at least 2).")],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the share files (made 0700 if missing).")],
    custodian: Annotated[
        list[str] | None, typer.Option("--custodian", help="Who holds each share, in order (repeat once per share; optional).", show_default=False)
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Split the master key into N share files (mode 0600), any K of which restore it; fewer reveal nothing."""
    with Workspace(home) as ws:
        made = ws.split_key(out_dir, shares=shares, threshold=threshold, custodians=custodian or None)
    err.print(
        "warning: hand each file to its custodian and delete it here. The live workspace still holds the key: "
        "a split protects backups and escrow, not the server.",
        markup=False,
    )
    if json_:
        emit_json(made)
        return
    out.print(f"Master key {made.key_fingerprint} split into {made.shares} shares, any {made.threshold} of which restore it:", markup=False)
    for f in made.files:
        out.print(f"  share {f.index}{f' ({f.custodian})' if f.custodian else ''}: {f.path}", markup=False)


@guarded
def key_combine(
    sources: Annotated[list[Path], typer.Argument(help="Share files made by 'leaktrace key split' (at least the threshold).")],
    dest: Annotated[
        Path | None,
        typer.Option("--out", help="Write the key to this new file as an encrypted backup instead of restoring it into the workspace."),
    ] = None,
    passphrase_file: PassphraseFileOpt = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Recover the master key from K shares: restore it into the workspace, or write an encrypted backup with --out."""
    ask = None if dest is None else _passphrase(passphrase_file, confirm=True)
    done = Workspace(home).combine_key_shares(sources, out=dest, passphrase=ask)
    used = ", ".join(str(i) for i in done.shares_used)
    if json_:
        emit_json(done)
    elif done.path is not None:
        out.print(f"Master key {done.key_fingerprint} recovered from shares {used} and written to {done.path}, encrypted.", markup=False)
    elif done.restored:
        out.print(f"Master key {done.key_fingerprint} restored from shares {used}.", markup=False)
    else:
        out.print(f"Master key {done.key_fingerprint} is already in place; shares {used} recover it.", markup=False)


app.command("export")(key_export)
app.command("import")(key_import)
app.command("split")(key_split)
app.command("combine")(key_combine)
