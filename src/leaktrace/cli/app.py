"""The ``leaktrace`` command: a thin Typer layer over :class:`leaktrace.Workspace`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from leaktrace._version import __version__
from leaktrace.cli import (
    assets,
    audit,
    cases,
    copies,
    demo,
    doctor,
    findings,
    groups,
    index,
    invitations,
    keys,
    recipients,
    reports,
    scans,
    serve,
    shares,
    traces,
    users,
    workspace,
)
from leaktrace.cli._common import HOME_HELP, JSON_HELP, remember_globals
from leaktrace.settings import SETTINGS

DATABASE_URL_ENV = next(s.env for s in SETTINGS if s.name == "database_url")

app = typer.Typer(
    name="leaktrace",
    help="Fingerprint every confidential image you share; trace a leak to the recipient whose copy it was.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leaktrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    home: Annotated[Path | None, typer.Option("--home", help=f"{HOME_HELP} Also accepted after the command.", show_default=False)] = None,
    json_: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} Also accepted after the command.")] = False,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLAlchemy URL of the store for this command, as LEAKTRACE_DATABASE_URL sets it.", show_default=False),
    ] = None,
) -> None:
    """Fingerprint every confidential image you share; trace a leak to the recipient whose copy it was."""
    remember_globals(ctx, home=home, json_=json_)
    if database_url:  # the setting's own variable, for this command only (serve's workers inherit it)
        before = os.environ.get(DATABASE_URL_ENV)
        os.environ[DATABASE_URL_ENV] = database_url
        ctx.call_on_close(lambda: os.environ.pop(DATABASE_URL_ENV) if before is None else os.environ.__setitem__(DATABASE_URL_ENV, before))


workspace.register(app)
app.add_typer(keys.app, name="key")
app.add_typer(recipients.app, name="recipient")
app.add_typer(groups.app, name="group")
invitations.register(recipients.app)  # recipient invite, invitations, uninvite
app.add_typer(assets.app, name="asset")
shares.register(app)
copies.register(app)
traces.register(app)
scans.register(app)
findings.register(app)
reports.register(app)
cases.register(app)
audit.register(app)
doctor.register(app)
index.register(app)
users.register(app)
demo.register(app)
serve.register(app)


def main() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted.\n")
        sys.exit(130)
