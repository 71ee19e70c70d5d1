"""``leaktrace init``, ``settings`` and ``key export/import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services.keys import LOSS_WARNING
from leaktrace.services.workspace import Workspace, describe_settings, settings_for

key_app = typer.Typer(help="Back up and restore the master key (losing it loses the ability to trace).", no_args_is_help=True)


@guarded
def init(
    home: HomeOpt = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="LEAKTRACE_DATABASE_URL", help="SQLAlchemy URL (default SQLite in the workspace).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Create a workspace: settings file, master key (mode 0600), database and blob store."""
    ws = Workspace.init(home, database_url=database_url)
    info = {"home": str(ws.home), "database": ws.settings.resolved_database_url, "key_fingerprint": ws.key_fingerprint()}
    ws.close()
    if json_:
        emit_json(info)
        return
    out.print(f"Created a leaktrace workspace at {info['home']}")
    out.print(f"Master key fingerprint {info['key_fingerprint']}. Back it up now: leaktrace key export FILE --home {info['home']}")
    err.print(f"warning: {LOSS_WARNING}")


@guarded
def settings(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show every setting: its value here, default, environment variable and meaning."""
    rows = describe_settings(settings_for(str(home) if home else None))
    if json_:
        emit_json(rows)
        return
    for row in rows:
        out.print(f"{row['name']} = {row['value']!r}  ({row['env']}; default {row['default']!r})\n    {row['help']}")


@guarded
def key_export(
    dest: Annotated[Path, typer.Argument(help="New file to write the key backup to.")], home: HomeOpt = None, json_: JsonOpt = False
) -> None:
    """Write a backup of the master key to a new file (mode 0600)."""
    with Workspace(home) as ws:
        path = ws.export_key(dest)
        fingerprint = ws.key_fingerprint()
    err.print(f"warning: {LOSS_WARNING}")
    if json_:
        emit_json({"path": str(path), "key_fingerprint": fingerprint})
    else:
        out.print(f"Master key {fingerprint} written to {path}")


@guarded
def key_import(
    source: Annotated[Path, typer.Argument(help="A backup made by 'leaktrace key export'.")], home: HomeOpt = None, json_: JsonOpt = False
) -> None:
    """Restore the master key from a backup (only the key this workspace was created with)."""
    fingerprint = Workspace(home).import_key(source)
    if json_:
        emit_json({"key_fingerprint": fingerprint})
    else:
        out.print(f"Master key {fingerprint} restored.")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("settings")(settings)
    key_app.command("export")(key_export)
    key_app.command("import")(key_import)
    app.add_typer(key_app, name="key")
