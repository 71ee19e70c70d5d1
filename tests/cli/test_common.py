"""_common: every leaktrace error (and file-system refusal) becomes one line on stderr and its exit code."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from leaktrace import errors
from leaktrace.cli import _common

CLASSES = [
    c
    for _, c in inspect.getmembers(errors, inspect.isclass)
    if issubclass(c, errors.LeaktraceError) and c.__module__ == errors.__name__ and not issubclass(c, errors.FileRejected)
]


def _app(raiser):
    """A one-command app whose command raises what ``raiser`` gives (or prints JSON)."""
    app = typer.Typer()

    @app.command()
    @_common.guarded
    def run(home: _common.HomeOpt = None, json_: _common.JsonOpt = False) -> None:
        raiser(home, json_)

    @app.command()
    def other() -> None:  # a second command keeps `run` a sub-command
        pass

    return app


def _invoke(raiser, *args):
    return CliRunner().invoke(_app(raiser), ["run", *args])


def _raise(exc):
    def raiser(home, json_):
        raise exc

    return raiser


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_error_is_one_line_and_its_exit_code(cls):
    result = _invoke(_raise(cls("no asset\n numbered 9.")))
    assert result.exit_code == cls.exit_code
    assert result.stderr == "error: no asset numbered 9.\n" and result.stdout == ""


def test_image_rejected_names_the_file():
    result = _invoke(_raise(errors.ImageRejected("/in/leak.png", "truncated PNG")))
    assert (result.exit_code, result.stderr) == (2, "error: /in/leak.png: truncated PNG\n")


def test_markup_in_a_message_is_printed_as_is():
    result = _invoke(_raise(errors.NotFound("no recipient named '[bold]Apex[/bold]'.")))
    assert result.stderr == "error: no recipient named '[bold]Apex[/bold]'.\n"


@pytest.mark.parametrize(
    "exc, line",
    [
        (PermissionError(13, "Permission denied", "/srv/out"), "error: /srv/out: permission denied.\n"),
        (PermissionError(13, "Permission denied"), "error: permission denied.\n"),
        (FileNotFoundError(2, "No such file or directory", "/in/a.png"), "error: /in/a.png: No such file or directory.\n"),
        (OSError(28, "No space left on device"), "error: file system: No space left on device.\n"),
        (OSError("the disk went away"), "error: file system: the disk went away.\n"),
    ],
)
def test_file_system_refusals_exit_2(exc, line):
    result = _invoke(_raise(exc))
    assert (result.exit_code, result.stderr) == (2, line)


def test_other_exceptions_are_not_hidden():
    result = _invoke(_raise(ValueError("a bug")))
    assert result.exit_code == 1 and isinstance(result.exception, ValueError)


def test_home_comes_from_the_option_or_leaktrace_home(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setenv("LEAKTRACE_HOME", str(tmp_path / "env"))
    assert _invoke(lambda home, json_: seen.append((home, json_))).exit_code == 0
    assert _invoke(lambda home, json_: seen.append((home, json_)), "--home", str(tmp_path / "opt"), "--json").exit_code == 0
    assert seen == [(tmp_path / "env", False), (tmp_path / "opt", True)]


def test_emit_json_is_one_indented_document():
    when = datetime(2025, 3, 4, 9, 12, tzinfo=UTC)
    result = _invoke(lambda home, json_: _common.emit_json({"path": Path("/a/b.png"), "at": when, "n": [1, 2.5, None]}))
    assert json.loads(result.stdout) == {"path": "/a/b.png", "at": "2025-03-04 09:12:00+00:00", "n": [1, 2.5, None]}
    assert result.stdout.startswith('{\n  "path"') and result.stdout.endswith("}\n")


def test_fail_prints_and_exits():
    def raiser(home, json_):
        _common.fail("the store is busy.", 3)

    assert (lambda r: (r.exit_code, r.stderr))(_invoke(raiser)) == (3, "error: the store is busy.\n")


def test_no_progress_bar_for_json_or_a_pipe():
    with _common.progress_bar(False, "tracing") as progress:
        assert progress is None
    with _common.progress_bar(True, "tracing") as progress:  # pytest's stderr is not a terminal
        assert progress is None


def test_a_progress_bar_on_a_terminal(monkeypatch):
    monkeypatch.setattr(_common.sys.stderr, "isatty", lambda: True, raising=False)
    with _common.progress_bar(True, "sharing") as progress:
        assert callable(progress)
        progress(1, 3, "Apex")
        progress(3, 3, "Jansen")


def test_every_command_reads_the_global_home_and_json():
    """Each command's --home and --json are HomeOpt and JsonOpt: typed before the command, they still count."""
    import typer.main

    from leaktrace.cli.app import app

    def leaves(group):
        for command in group.commands.values():
            yield from leaves(command) if hasattr(command, "commands") else [command]

    for command in leaves(typer.main.get_command(app)):
        options = {p.name: p for p in command.params if p.name in ("home", "json_")}
        assert set(options) == {"home", "json_"}, command.name
        assert all(getattr(p.callback, "__wrapped__", None) is _common._global for p in options.values()), command.name


def test_a_global_option_fills_in_only_what_the_command_was_not_given(tmp_path, monkeypatch):
    seen = []
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context, home: _common.HomeOpt = None, json_: _common.JsonOpt = False) -> None:
        _common.remember_globals(ctx, home=home, json_=json_)

    @root.command()
    def run(home: _common.HomeOpt = None, json_: _common.JsonOpt = False) -> None:
        seen.append((home, json_))

    @root.command()
    def other() -> None:
        pass

    monkeypatch.setenv("LEAKTRACE_HOME", str(tmp_path / "env"))
    for args in (["run"], ["--home", "g", "run"], ["--json", "run", "--home", "c"], ["--home", "g", "run", "--home", "c", "--json"]):
        assert CliRunner().invoke(root, args).exit_code == 0, args
    assert seen == [(tmp_path / "env", False), (Path("g"), False), (Path("c"), True), (Path("c"), True)]
