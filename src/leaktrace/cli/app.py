"""The ``leaktrace`` command: a thin Typer layer over :class:`leaktrace.Workspace`."""

from __future__ import annotations

import sys

import typer

from leaktrace._version import __version__
from leaktrace.cli import assets, audit, cases, copies, demo, doctor, findings, keys, recipients, reports, serve, shares, traces, users, workspace

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
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit.")) -> None:
    """Fingerprint every confidential image you share; trace a leak to the recipient whose copy it was."""


workspace.register(app)
app.add_typer(keys.app, name="key")
app.add_typer(recipients.app, name="recipient")
app.add_typer(assets.app, name="asset")
shares.register(app)
copies.register(app)
traces.register(app)
findings.register(app)
reports.register(app)
cases.register(app)
audit.register(app)
doctor.register(app)
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
