"""``leaktrace recipient add/list``: ids, --json shapes, the table, refusals, who the audit trail records."""

from __future__ import annotations

import pytest


@pytest.fixture
def ws(cli):
    cli("init")
    return cli


def test_add_prints_the_id_or_the_record(ws):
    result, _ = ws("recipient", "add", "Apex Plastics GmbH")
    assert result.stdout == "1\n"
    _, row = ws("recipient", "add", "  Borealis   AB ", "--email", "b@borealis.example", "--org", "Borealis", "--json")
    assert set(row) == {"id", "name", "email", "org", "created_at", "archived_at"}
    assert (row["id"], row["name"], row["email"], row["org"]) == (2, "Borealis AB", "b@borealis.example", "Borealis")


def test_list_json_and_table(ws):
    _, empty = ws("recipient", "list", "--json")
    assert empty == []
    ws("recipient", "add", "Apex Plastics GmbH", "--org", "Apex")
    ws("recipient", "add", "Jansen BV", "--email", "j@jansen.example")
    _, rows = ws("recipient", "list", "--json")
    assert [(r["id"], r["name"], r["org"], r["email"]) for r in rows] == [
        (1, "Apex Plastics GmbH", "Apex", None),
        (2, "Jansen BV", None, "j@jansen.example"),
    ]
    result, _ = ws("recipient", "list")
    lines = result.stdout.splitlines()
    assert any("Apex Plastics GmbH" in line and "Apex" in line for line in lines)
    assert any("Jansen BV" in line and "j@jansen.example" in line for line in lines)
    assert "None" not in result.stdout


@pytest.mark.parametrize("name, words", [("Apex Plastics GmbH", "already exists"), ("42", "is a number"), (" ", "needs a name")])
def test_bad_names_exit_2_and_store_nothing_more(ws, name, words):
    ws("recipient", "add", "Apex Plastics GmbH")
    result, _ = ws("recipient", "add", name, "--json", expect=2)
    assert result.stderr.startswith("error: ") and words in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    _, rows = ws("recipient", "list", "--json")
    assert len(rows) == 1


def test_add_needs_a_name_and_a_workspace(cli, tmp_path):
    result, _ = cli("recipient", "add", expect=2)
    assert "Missing argument" in " ".join(result.stderr.split())
    result, _ = cli("recipient", "list", "--home", tmp_path / "none", expect=2)
    assert result.stderr == f"error: no leaktrace workspace at {tmp_path / 'none'}; create one with 'leaktrace init --home {tmp_path / 'none'}'.\n"


def test_the_recorded_actor_is_the_os_account_and_host_whatever_the_environment_says(ws, monkeypatch):
    import os
    import pwd
    import socket

    real = f"{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"
    assert not real.startswith("alice@")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME", "LEAKTRACE_ACTOR"):
        monkeypatch.setenv(name, "alice")
    ws("recipient", "add", "Apex Plastics GmbH")
    _, entries = ws("audit", "list", "--json")
    assert {e["actor"] for e in entries} == {real}  # init's entry too, when it has one
    added = [e for e in entries if e["action"] == "recipient.add"]
    assert [(e["subject_type"], e["subject_id"], e["details"]["name"]) for e in added] == [("recipient", "1", "Apex Plastics GmbH")]
    result, _ = ws("recipient", "add", "Borealis", "--actor", "alice", expect=2)  # no option chooses it either
    assert "No such option" in " ".join(result.stderr.split())


def test_edit_archive_restore_and_the_archived_list(ws):
    ws("recipient", "add", "Apex", "--org", "Apex")
    ws("recipient", "add", "Borealis")
    result, _ = ws("recipient", "edit", "Apex", "--name", "Apex Plastics", "--email", "t@apex.example")
    assert result.stdout == "recipient 1: Apex Plastics (Apex) <t@apex.example>\n"
    _, row = ws("recipient", "edit", "1", "--org", "", "--json")
    assert set(row) == {"id", "name", "email", "org", "created_at", "archived_at"} and row["org"] is None
    result, _ = ws("recipient", "edit", "1", "--name", "Borealis", expect=2)
    assert result.stderr == "error: a recipient named 'Borealis' already exists.\n"
    result, _ = ws("recipient", "archive", "Borealis", expect=2)  # the reason is asked for
    assert "--reason" in result.stderr
    _, row = ws("recipient", "archive", "Borealis", "--reason", "contract ended", "--json")
    assert row["archived_at"] is not None
    assert [r["name"] for r in ws("recipient", "list", "--json")[1]] == ["Apex Plastics"]
    assert [r["name"] for r in ws("recipient", "list", "--archived", "--json")[1]] == ["Borealis"]
    result, _ = ws("recipient", "list", "--archived")
    assert "Borealis" in result.stdout and "archived" in result.stdout
    result, _ = ws("recipient", "restore", "Borealis")
    assert result.stdout == "recipient 2 (Borealis) restored.\n"
    result, _ = ws("recipient", "restore", "Borealis", expect=2)
    assert result.stderr == "error: recipient 'Borealis' is not archived.\n"
    _, entries = ws("audit", "list", "--json")
    edits = [e for e in entries if e["action"] == "recipient.edit"]
    assert [e["details"]["after"] for e in edits] == [{"org": None}, {"name": "Apex Plastics", "email": "t@apex.example"}]
    result, _ = ws("audit", "verify")
    assert result.exit_code == 0


def test_a_hand_edit_after_an_edit_is_named_by_audit_verify(ws):
    import sqlite3

    ws("recipient", "add", "Apex", "--org", "Apex")
    ws("recipient", "edit", "Apex", "--org", "Apex AG")
    ws("recipient", "archive", "Apex", "--reason", "merged")
    ws("audit", "verify")
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        db.execute("UPDATE recipients SET org = 'Someone else' WHERE id = 1")
    result, _ = ws("audit", "verify", expect=1)
    assert "recipient 1" in result.stdout + result.stderr
