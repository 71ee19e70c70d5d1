"""Another process holds SQLite's write lock (a raw ``BEGIN IMMEDIATE``) while CLI commands run: reads
answer as usual, writes wait ``lock_timeout_s`` and then say in one line that the workspace is busy
(exit 3), and nothing is lost: the same write succeeds once the lock is let go."""

from __future__ import annotations

import sqlite3
import time

import pytest

from leaktrace import Workspace

READS = [
    ("recipient", "list", "--json"),
    ("asset", "list", "--json"),
    ("finding", "list", "--json"),
    ("audit", "verify", "--json"),
    ("settings", "--json"),
]


@pytest.fixture
def locked(cli, monkeypatch):
    cli("init")
    cli("recipient", "add", "Apex Plastics GmbH")
    monkeypatch.setenv("LEAKTRACE_LOCK_TIMEOUT_S", "1")
    holder = sqlite3.connect(cli.home / "leaktrace.db", isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    cli.holder = holder
    yield cli
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("command", READS, ids=[" ".join(c[:2]) for c in READS])
def test_reads_answer_while_another_process_writes(locked, command):
    result, doc = locked(*command)
    assert result.exit_code == 0 and doc is not None and result.stderr == ""


def test_a_write_waits_then_says_busy_in_one_line_and_loses_nothing(locked):
    start = time.monotonic()
    result, _ = locked("recipient", "add", "Borealis Moulding AB", expect=3)
    waited = time.monotonic() - start
    assert result.stderr == "error: the workspace is busy (another process is writing); try again\n", result.stderr
    assert 0.9 <= waited < 10, waited  # lock_timeout_s, not forever
    assert "Traceback" not in result.stdout + result.stderr
    _, names = locked("recipient", "list", "--json")
    assert [r["name"] for r in names] == ["Apex Plastics GmbH"]  # the refused write left nothing behind


@pytest.mark.parametrize("command", [("user", "add", "ana", "--role", "analyst"), ("user", "password", "bo")], ids=["user add", "user password"])
def test_a_password_is_not_asked_for_while_the_store_is_busy(locked, command):
    """The busy store is said before the prompt (stdin is empty: a prompt would abort with exit 1), so
    nobody types a password twice to learn that another process is writing."""
    locked.holder.execute("ROLLBACK")
    with Workspace(locked.home) as ws:
        ws.add_user("bo", "auditor", "correct horse")
    locked.holder.execute("BEGIN IMMEDIATE")
    result, _ = locked(*command, expect=3)
    assert result.stderr == "error: the workspace is busy (another process is writing); try again\n", result.stderr


def test_a_taken_name_or_an_unknown_user_is_refused_before_the_password_is_asked(cli):
    cli("init")
    with Workspace(cli.home) as ws:
        ws.add_user("ana", "analyst", "correct horse")
    for command, says in [
        (("user", "add", "ana", "--role", "auditor"), "error: a user named 'ana' already exists.\n"),
        (("user", "add", "root@vm", "--role", "auditor"), "error: a user name may not contain '@'"),
        (("user", "add", "bo", "--role", "root"), "error: unknown role 'root'"),
        (("user", "password", "nobody"), "error: no user named 'nobody'"),
    ]:
        result, _ = cli(*command, expect=None)
        assert result.exit_code not in (0, 1) and result.stderr.startswith(says), (command, result.stderr)
