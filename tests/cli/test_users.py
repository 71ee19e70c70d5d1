"""``leaktrace user`` and ``leaktrace token``: hidden passwords, tokens printed once."""

from __future__ import annotations

import pytest


def test_users_and_tokens(cli, runner):
    from leaktrace.cli.app import app

    cli("init")
    result = runner.invoke(app, ["user", "add", "ana", "--role", "analyst"], input="correct horse\ncorrect horse\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "1" and "correct horse" not in result.stdout + result.stderr
    result = runner.invoke(app, ["user", "add", "bo", "--role", "auditor"], input="correct horse\nother horse\ncorrect horse\ncorrect horse\n")
    assert result.exit_code == 0 and "do not match" in result.stderr.lower()
    result = runner.invoke(app, ["user", "add", "carl", "--role", "admin", "--password-stdin", "--json"], input="s3cret-enough\n")
    assert result.exit_code == 0 and '"role": "admin"' in result.stdout
    _, users = cli("user", "list", "--json")
    assert [(u["name"], u["role"]) for u in users] == [("ana", "analyst"), ("bo", "auditor"), ("carl", "admin")]
    assert all("password" not in key for u in users for key in u)

    _, token = cli("token", "create", "ana", "--name", "ci", "--json")
    assert set(token) >= {"id", "user", "name", "token"} and token["token"].startswith("lt_")  # fields are only ever added
    result, _ = cli("token", "create", "ana")
    assert result.stdout.strip().startswith("lt_") and "cannot be shown again" in result.stderr
    _, bo = cli("user", "disable", "bo", "--json")
    assert bo["disabled"] is True
    result, _ = cli("user", "enable", "bo")
    assert "User bo enabled." in result.stdout
    result, _ = cli("token", "revoke", token["id"])
    assert "revoked" in result.stdout
    _, users = cli("user", "list", "--json")
    assert users[0]["tokens"] == 1
    _, audit = cli("audit", "list", "--json")
    assert [e["action"] for e in audit] == [
        "token.revoke",
        "user.update",
        "user.update",
        "token.create",
        "token.create",
        "user.add",
        "user.add",
        "user.add",
        "workspace.init",
    ]
    assert all(token["token"] not in str(e) for e in audit)


def test_bad_user_input(cli, runner):
    from leaktrace.cli.app import app

    cli("init")
    for args, stdin, message in [
        (["user", "add", "ana", "--role", "root", "--password-stdin"], "correct horse\n", "unknown role 'root'"),
        (["user", "add", "ana", "--role", "analyst", "--password-stdin"], "short\n", "at least 8"),
        (["user", "add", "ana", "--role", "analyst", "--password-stdin"], "\n", "no password"),
        (["user", "add", "root@vm", "--role", "admin", "--password-stdin"], "correct horse\n", "a user name may not contain '@'"),
        (["user", "add", "ro\x07ot", "--role", "admin", "--password-stdin"], "correct horse\n", "control or invisible characters (U+0007)"),
        (["token", "create", "nobody"], "", "no user named 'nobody'"),
        (["token", "revoke", "3"], "", "no token numbered 3"),
        (["user", "disable", "nobody"], "", "no user named 'nobody'"),
    ]:
        result = runner.invoke(app, args, input=stdin)
        assert result.exit_code == 2 and result.stderr.startswith("error: ") and message in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1
    _, users = cli("user", "list", "--json")
    assert users == []


def test_unlock_password_role_and_a_token_with_a_reason(cli, runner, monkeypatch):
    from leaktrace import Workspace
    from leaktrace.cli.app import app
    from leaktrace.errors import AccountLocked, Unauthorized
    from leaktrace.services import users

    cli("init")
    runner.invoke(app, ["user", "add", "ana", "--role", "analyst", "--password-stdin"], input="correct horse\n")
    monkeypatch.setattr(users, "delay", lambda n: 0.0)
    with Workspace(cli.home) as ws:
        for _ in range(users.LOCKOUT_AFTER):
            with pytest.raises(Unauthorized):
                ws.authenticate("ana", "wrong password")
        with pytest.raises(AccountLocked):
            ws.authenticate("ana", "correct horse")
    result, _ = cli("user", "unlock", "ana")
    assert result.stdout.strip() == "User ana unlocked."
    _, ana = cli("user", "unlock", "ana", "--json")
    assert ana["name"] == "ana" and "password" not in str(ana)
    result = runner.invoke(app, ["user", "password", "ana", "--password-stdin"], input="a new horse\n")
    assert result.exit_code == 0 and "their web sessions have ended" in result.stdout and "a new horse" not in result.stdout + result.stderr
    result = runner.invoke(app, ["user", "password", "ana"], input="another horse\nanother horse\n")
    assert result.exit_code == 0 and "another horse" not in result.stdout + result.stderr
    with Workspace(cli.home) as ws:
        assert ws.authenticate("ana", "another horse").name == "ana"
    _, ana = cli("user", "role", "ana", "auditor", "--json")
    assert ana["role"] == "auditor"
    _, token = cli("token", "create", "ana", "--reason", "her export job", "--json")
    _, entries = cli("audit", "list", "--limit", "6", "--json")
    assert [e["action"] for e in entries] == ["token.create", "user.update", "login", "user.update", "user.update", "user.unlock"]
    assert entries[0]["details"]["reason"] == "her export job" and entries[1]["details"]["role"] == "auditor"
    assert entries[3]["details"]["password"] == "changed" and token["token"] not in str(entries)
    for args, stdin, message in [
        (["user", "unlock", "nobody"], "", "no user named 'nobody'"),
        (["user", "role", "ana", "root"], "", "unknown role 'root'"),
        (["user", "password", "ana", "--password-stdin"], "short\n", "at least 8"),
        (["user", "password", "ana", "--password-stdin"], "\n", "no password"),
    ]:
        result = runner.invoke(app, args, input=stdin)
        assert result.exit_code == 2 and result.stderr.startswith("error: ") and message in result.stderr, (args, result.stderr)
