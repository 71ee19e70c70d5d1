"""What every command shares: the --home and --json options, error translation, output.

``--home`` and ``--json`` are global: accepted before the subcommand (``leaktrace --home X init``,
read by the root callback into :data:`GLOBALS` of the click context) or after it (each command's own
option). A command's own option, given on the command line, wins over the global one, and the
global one over ``LEAKTRACE_HOME``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from leaktrace.errors import LeaktraceError

#: Key in ``click.Context.meta`` (shared by every context of one invocation) of the global options given before the subcommand.
GLOBALS = "leaktrace.globals"
HOME_HELP = "Workspace folder (default ./.leaktrace)."
JSON_HELP = "Print one JSON document on stdout instead of text."


def remember_globals(ctx: typer.Context, *, home: Path | None, json_: bool) -> None:
    """Keep the global options given before the subcommand (the root callback calls this), for :func:`_global`."""
    ctx.meta[GLOBALS] = {"home": home, "json_": json_ or None}


def _global(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """A command's ``--home`` or ``--json``: its own when typed after it, else the one typed before the subcommand, else its env/default."""
    given = ctx.meta.get(GLOBALS, {}).get(param.name)
    source = ctx.get_parameter_source(param.name)
    if given is None or (source is not None and source.name == "COMMANDLINE"):  # by name: typer ships its own copy of click
        return value
    return given


HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", envvar="LEAKTRACE_HOME", help=HOME_HELP, show_default=False, callback=_global),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP, callback=_global)]

out = Console(highlight=False, soft_wrap=True, markup=False)  # names and titles are the users' text: never markup
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int) -> None:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def guarded(fn: Callable) -> Callable:
    """Translate leaktrace's errors (and file-system refusals) into one line on stderr and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LeaktraceError as exc:
            fail(str(exc), exc.exit_code)
        except PermissionError as exc:
            fail(f"{exc.filename or ''}: permission denied.".lstrip(": "), 2)
        except OSError as exc:
            fail(f"{exc.filename or 'file system'}: {exc.strerror or exc}.", 2)

    return wrapper


def _plain(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else str(value)


def emit_json(value: Any) -> None:
    """Print ``value`` as one JSON document; records (and lists of them) as their ``to_dict()``."""
    typer.echo(json.dumps(value, indent=2, default=_plain))


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Callable[[int, int, str], None] | None]:
    """A Rich progress bar on a terminal; nothing when output is piped or JSON."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label}: {what}")

        yield update
