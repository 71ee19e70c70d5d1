"""app: the leaktrace command, its groups, --version, help without arguments, and main() without tracebacks."""

from __future__ import annotations

import pytest
import typer.main

from leaktrace import __version__
from leaktrace.cli import app as app_module
from leaktrace.cli.app import app

COMMANDS = {
    "init",
    "settings",
    "key",
    "recipient",
    "asset",
    "share",
    "copy",
    "doctor",
    "shares",
    "trace",
    "finding",
    "report",
    "case",
    "audit",
    "user",
    "token",
    "demo",
    "serve",
    "index",
    "scan",
    "revoke",
    "receipts",
    "group",
}


def test_the_command_groups():
    group = typer.main.get_command(app)
    assert set(group.commands) == COMMANDS
    assert set(group.commands["key"].commands) == {"export", "import", "split", "combine"}
    assert set(group.commands["recipient"].commands) >= {"add", "list", "invite", "edit", "archive", "restore"}
    assert set(group.commands["group"].commands) == {"create", "add", "remove", "list", "show", "archive"}
    assert set(group.commands["asset"].commands) == {"add", "list", "show", "edit", "archive", "restore"}
    for name, command in group.commands.items():
        assert command.help and command.help.strip(), f"{name} has no help"


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"leaktrace {__version__}\n")
    result = runner.invoke(app, ["--version", "nonsense-after-it"])  # eager: the rest is not parsed
    assert result.exit_code == 0 and result.stdout == f"leaktrace {__version__}\n"


def test_no_arguments_shows_the_help(runner):
    result = runner.invoke(app, [])
    assert "Usage: leaktrace [OPTIONS] COMMAND [ARGS]..." in result.stdout
    assert "trace a leak to the recipient whose copy it was" in " ".join(result.stdout.split())
    assert result.exit_code in (0, 2)  # click ≥ 8.2 exits 2 for no_args_is_help


def test_an_unknown_command_exits_2(runner):
    result = runner.invoke(app, ["tarce", "leak.jpg"])
    assert result.exit_code == 2 and "No such command 'tarce'" in result.stderr


def test_each_group_without_a_command_shows_its_help(runner):
    for group in ("key", "recipient", "asset"):
        result = runner.invoke(app, [group])
        assert "Usage: leaktrace " + group in result.stdout and result.exit_code in (0, 2)


def test_main_turns_ctrl_c_into_exit_130(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(app_module, "app", interrupted)
    with pytest.raises(SystemExit) as caught:
        app_module.main()
    assert caught.value.code == 130
    assert capsys.readouterr().err == "error: interrupted.\n"


def test_main_runs_the_app(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["leaktrace", "--version"])
    with pytest.raises(SystemExit) as caught:
        app_module.main()
    assert caught.value.code == 0 and capsys.readouterr().out == f"leaktrace {__version__}\n"


def test_python_dash_m_leaktrace_is_the_same_command(monkeypatch, capsys):
    import runpy

    monkeypatch.setattr("sys.argv", ["leaktrace", "--version"])
    with pytest.raises(SystemExit) as caught:
        runpy.run_module("leaktrace", run_name="__main__")
    assert caught.value.code == 0 and capsys.readouterr().out == f"leaktrace {__version__}\n"


def test_home_and_json_before_or_after_the_command(cli, tmp_path):
    home = tmp_path / "elsewhere"  # not the fixture's LEAKTRACE_HOME: the option given wins over the variable
    result, _ = cli("--home", home, "init")
    assert "Created a leaktrace workspace at" in result.stdout and (home / "leaktrace.toml").exists() and not cli.home.exists()
    cli("--json", "--home", home, "recipient", "add", "Apex")
    before, listed = cli("--json", "--home", home, "recipient", "list")
    after, _ = cli("recipient", "list", "--json", "--home", home)
    mixed, _ = cli("--home", home, "recipient", "list", "--json")
    assert [r["name"] for r in listed] == ["Apex"]
    assert before.stdout == after.stdout == mixed.stdout  # the same document, byte for byte


def test_the_command_s_own_home_wins_over_the_global_one(cli, tmp_path):
    cli("init", "--home", tmp_path / "a", "--json")
    _, listed = cli("--home", tmp_path / "b", "recipient", "list", "--home", tmp_path / "a", "--json")
    assert listed == []  # b has no workspace: a was used
    result, _ = cli("--home", tmp_path / "b", "recipient", "list", expect=2)
    assert result.stderr == f"error: no leaktrace workspace at {tmp_path / 'b'}; create one with 'leaktrace init --home {tmp_path / 'b'}'.\n"


def test_without_global_options_leaktrace_home_is_used(cli):
    cli("init")
    _, listed = cli("recipient", "list", "--json")
    assert listed == [] and (cli.home / "leaktrace.toml").exists()


def test_the_root_help_shows_the_global_options(runner):
    text = " ".join(runner.invoke(app, ["--help"]).stdout.split())
    assert "--home" in text and "--json" in text and "Also accepted after the command." in text


def test_database_url_is_a_global_option_for_one_command(cli, tmp_path, monkeypatch):
    """``leaktrace --database-url URL <command>``: that command's store, as LEAKTRACE_DATABASE_URL would set it;
    the variable is as it was after the command."""
    import os

    monkeypatch.delenv("LEAKTRACE_DATABASE_URL", raising=False)
    cli("init")
    cli("recipient", "add", "Apex Plastics GmbH")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    cli("--database-url", other, "recipient", "add", "Borealis Moulding AB")
    assert "LEAKTRACE_DATABASE_URL" not in os.environ
    _, mine = cli("recipient", "list", "--json")
    _, theirs = cli("--database-url", other, "recipient", "list", "--json")
    assert [r["name"] for r in mine] == ["Apex Plastics GmbH"] and [r["name"] for r in theirs] == ["Borealis Moulding AB"]
