"""``leaktrace init`` and ``settings`` (the key commands are in :mod:`leaktrace.cli.keys`)."""

from __future__ import annotations

from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded, out
from leaktrace.services.keys import LOSS_WARNING
from leaktrace.services.workspace import Workspace, describe_settings, mask_url, settings_for


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
    info = {"home": str(ws.home), "database": mask_url(ws.settings.resolved_database_url), "key_fingerprint": ws.key_fingerprint()}
    ws.close()
    if json_:
        emit_json(info)
        return
    out.print(f"Created a leaktrace workspace at {info['home']}")
    out.print(f"Master key fingerprint {info['key_fingerprint']}. Back it up now: leaktrace key export FILE --home {info['home']}")
    err.print(f"warning: {LOSS_WARNING}")


@guarded
def settings(home: HomeOpt = None, json_: JsonOpt = False) -> None:
    """Show every setting: its value here, default, environment variable and meaning (a database password as ***)."""
    rows = describe_settings(settings_for(str(home) if home else None))
    if json_:
        emit_json(rows)
        return
    for row in rows:
        out.print(f"{row['name']} = {row['value']!r}  ({row['env']}; default {row['default']!r})\n    {row['help']}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("settings")(settings)
