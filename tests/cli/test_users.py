"""``leaktrace user`` and ``leaktrace token``: hidden passwords, tokens printed once."""

from __future__ import annotations


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
