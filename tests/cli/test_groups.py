"""``leaktrace group …`` and ``share --to-group``: the --json shapes, the text, one-line refusals, and a
share that reaches exactly a group's members in use."""

from __future__ import annotations

import pytest

from tests.conftest import photo, save

NAMES = ["Apex", "Borealis", "Castellan", "Dunmore"]
GROUP_KEYS = {"id", "name", "description", "created_at", "archived_at", "members"}
RECIPIENT_KEYS = {"id", "name", "email", "org", "created_at", "archived_at"}


@pytest.fixture
def ws(cli, tmp_path):
    cli("init")
    for n in NAMES:
        cli("recipient", "add", n)
    return cli


def test_create_add_remove_show_list_archive(ws):
    _, g = ws("group", "create", "Bidders", "--description", "tender T-14", "--member", "Apex", "--member", "2", "--json")
    assert set(g) == GROUP_KEYS and set(g["members"][0]) == RECIPIENT_KEYS
    assert (g["id"], g["name"], g["description"], [m["name"] for m in g["members"]]) == (1, "Bidders", "tender T-14", ["Apex", "Borealis"])
    result, _ = ws("group", "add", "Bidders", "Castellan", "Dunmore")
    assert result.stdout == "group 1 'Bidders': Apex, Borealis, Castellan, Dunmore\n"
    _, g = ws("group", "remove", "1", "Dunmore", "--json")
    assert [m["name"] for m in g["members"]] == ["Apex", "Borealis", "Castellan"]
    ws("recipient", "archive", "Borealis", "--reason", "withdrew")
    result, _ = ws("group", "show", "Bidders")
    assert "tender T-14" in result.stdout and "archived" in result.stdout and "in use" in result.stdout
    _, shown = ws("group", "show", "Bidders", "--json")
    assert [m["archived_at"] is not None for m in shown["members"]] == [False, True, False]
    _, rows = ws("group", "list", "--json")
    assert [r["name"] for r in rows] == ["Bidders"]
    result, _ = ws("group", "list")
    assert "Bidders" in result.stdout and "tender T-14" in result.stdout
    result, _ = ws("group", "archive", "Bidders")
    assert result.stdout == "group 1 (Bidders) archived.\n"
    assert ws("group", "list", "--json")[1] == []
    assert [r["name"] for r in ws("group", "list", "--archived", "--json")[1]] == ["Bidders"]
    _, entries = ws("audit", "list", "--json")
    assert [e["action"] for e in entries if e["action"].startswith("group.")] == ["group.archive", "group.remove", "group.add", "group.create"]


@pytest.mark.parametrize(
    "args, words",
    [
        (("group", "create", "42"), "group name '42' is a number"),
        (("group", "create", "G", "--member", "Nobody"), "no recipient named or numbered 'Nobody'"),
        (("group", "show", "Nope"), "no recipient group named or numbered 'Nope'"),
        (("group", "add", "Nope", "Apex"), "no recipient group named or numbered 'Nope'"),
    ],
)
def test_refusals_are_one_line_on_stderr(ws, args, words):
    result, _ = ws(*args, "--json", expect=2)
    assert result.stderr.startswith("error: ") and words in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_share_to_groups_and_names_collapses_duplicates(ws, tmp_path):
    _, (asset,) = ws("asset", "add", save(tmp_path / "plan.png", photo(6, (160, 224))), "--json")
    ws("group", "create", "A", "--member", "Apex", "--member", "Borealis")
    ws("group", "create", "B", "--member", "Borealis", "--member", "Dunmore")
    ws("recipient", "archive", "Dunmore", "--reason", "left")
    _, rows = ws("share", asset["id"], "--to", "Castellan", "--to-group", "A", "--to-group", "B", "--out", tmp_path / "out", "--json")
    assert [r["recipient"] for r in rows] == ["Castellan", "Apex", "Borealis"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(r["filename"] for r in rows)
    _, rows = ws("share", asset["id"], "--to-group", "A", "--portal", "--json")
    assert [r["recipient"] for r in rows] == ["Apex", "Borealis"]
    ws("group", "create", "Empty")
    result, _ = ws("share", asset["id"], "--to-group", "Empty", "--out", tmp_path / "out2", expect=2)
    assert result.stderr == "error: group 'Empty' has no recipient in use to share with (add some with 'leaktrace group add').\n"
    result, _ = ws("share", asset["id"], "--to-group", "Ghosts", "--out", tmp_path / "out2", expect=2)
    assert result.stderr.startswith("error: no recipient group named or numbered 'Ghosts'") and result.stderr.count("\n") == 1
    result, _ = ws("share", asset["id"], "--out", tmp_path / "out2", expect=2)
    assert result.stderr == "error: name at least one recipient with --to, or a group with --to-group.\n"
    assert not (tmp_path / "out2").exists()


def test_names_are_printed_as_typed_never_as_markup(ws):
    """A name is the user's text: Rich markup in it ("[/b]") is printed as is, never parsed (it raised)."""
    ws("recipient", "add", "Evers [/b] [bold]GmbH")
    result, _ = ws("group", "create", "[red]Round 2[/red]", "--member", "Evers [/b] [bold]GmbH")
    assert result.stdout == "group 1 '[red]Round 2[/red]': Evers [/b] [bold]GmbH\n"
    ws("recipient", "archive", "Apex", "--reason", "left the tender")
    ws("group", "add", "1", "Borealis")
    result, _ = ws("recipient", "list")
    assert "Evers [/b] [bold]GmbH" in result.stdout
