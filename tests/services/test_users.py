"""users: Argon2 passwords, hashed tokens, one permission table, and every step audited."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, Forbidden, NotFound, Unauthorized
from leaktrace.services import permissions


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


def test_add_authenticate_and_audit(ws):
    user = ws.add_user("ana", "analyst", "correct horse", actor="root")
    assert (user.name, user.role, user.disabled) == ("ana", "analyst", False)
    assert ws.authenticate("ana", "correct horse") == user
    for name, password in (("ana", "wrong password"), ("nobody", "correct horse")):
        with pytest.raises(Unauthorized, match="wrong user name or password") as exc:
            ws.authenticate(name, password)
        assert exc.value.http_status == 401 and exc.value.exit_code == 2
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        (stored,) = db.execute("select password_hash from users").fetchone()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert [e["action"] for e in ws.list_audit()] == ["login.failed", "login.failed", "login", "user.add", "workspace.init"]
    assert ws.verify_audit()["ok"]


def test_bad_users_are_refused(ws):
    ws.add_user("ana", "analyst", "correct horse")
    with pytest.raises(Conflict):
        ws.add_user("ana", "auditor", "correct horse")
    with pytest.raises(BadInput, match="unknown role 'root'"):
        ws.add_user("bo", "root", "correct horse")
    with pytest.raises(BadInput, match="at least 8"):
        ws.add_user("bo", "auditor", "short")
    assert [u["name"] for u in ws.list_users()] == ["ana"]


def test_tokens_are_shown_once_and_stored_hashed(ws):
    from leaktrace.services import users

    ws.add_user("ana", "analyst", "correct horse")
    token = ws.create_token("ana", name="ci", actor="root")
    assert token["token"].startswith("lt_") and token["user"] == "ana" and token["name"] == "ci"
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        rows = db.execute("select token_hash, last_used_at from tokens").fetchall()
    assert rows == [(hashlib.sha256(token["token"].encode()).hexdigest(), None)]
    assert ws.user_for_token(token["token"]).name == "ana"
    assert ws.user_for_token(token["token"]).name == "ana"  # last_used_at is written at most once a minute
    assert ws.list_users()[0]["tokens"] == 1
    for bad in ("", "lt_nope", token["token"] + "x", "Bearer " + token["token"]):
        with pytest.raises(Unauthorized):
            ws.user_for_token(bad)
    ws.revoke_token(token["id"], actor="root")
    with pytest.raises(Unauthorized):
        ws.user_for_token(token["token"])
    with pytest.raises(NotFound):
        ws.revoke_token(99)
    with pytest.raises(NotFound):
        ws.create_token("nobody")
    other = ws.create_token("ana")
    users.set_disabled(ws.context, "ana", True)
    with pytest.raises(Unauthorized):
        ws.user_for_token(other["token"])
    with pytest.raises(Unauthorized):
        ws.authenticate("ana", "correct horse")
    with pytest.raises(BadInput, match="disabled"):
        ws.create_token("ana")
    actions = [e["action"] for e in ws.list_audit()]
    assert actions[:4] == ["login.failed", "user.update", "token.create", "token.revoke"]


def test_permission_table():
    assert permissions.ROLES == ("admin", "analyst", "auditor")
    table = {role: {a for a in permissions.ACTIONS if permissions.can(role, a)} for role in permissions.ROLES}
    assert table == {
        "admin": {"read", "users", "tokens", "settings", "copies"},
        "analyst": {"read", "recipients", "assets", "shares", "traces", "cases", "reports"},
        "auditor": {"read"},
    }
    assert not permissions.can("stranger", "read")
    with pytest.raises(ValueError):
        permissions.can("admin", "launch")
    permissions.require("analyst", "cases")
    with pytest.raises(Forbidden, match="auditor") as exc:
        permissions.require("auditor", "cases", who="carl")
    assert exc.value.http_status == 403
