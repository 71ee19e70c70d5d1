"""The README documents every setting and every command, generated from the code where it can be."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from leaktrace.cli.app import app
from leaktrace.settings import markdown_table

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_settings_table_is_generated_from_the_settings():
    block = re.search(r"<!-- settings-table -->\n(.*?)\n<!-- /settings-table -->", README, re.S)
    assert block, "README lacks the settings table markers"
    assert block.group(1) == markdown_table(), "README settings table is stale: paste leaktrace.settings.markdown_table()"


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_command_is_in_the_readme():
    names = list(_commands(typer.main.get_command(app)))
    assert {"init", "trace", "share", "recipient add", "asset add", "key export", "demo"} <= set(names)
    table = README.split("### Commands", 1)[1]
    for name in names:
        assert f"`leaktrace {name}" in table, f"command {name!r} is not in the README's command table"


def test_every_command_takes_json_and_home():
    for name, command in _walk(typer.main.get_command(app)):
        options = {opt for p in command.params for opt in p.opts}
        assert {"--json", "--home"} <= options, f"{name} lacks --json or --home"


def _walk(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _walk(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command
