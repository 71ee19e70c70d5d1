"""users: Argon2 passwords, hashed tokens, one permission table, and every step audited."""

from __future__ import annotations

import hashlib
import re
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


@pytest.mark.parametrize(
    "name,message",
    [
        ("root@vm", "may not contain '@'"),
        ("root＠vm", "may not contain '@'"),  # a full-width look-alike folds to '@'
        ("   \t ", "a name of 1 to 200"),
        ("ana\x00", "control or invisible characters (U+0000)"),
        ("an\u200ba", "control or invisible characters (U+200B)"),
        ("ana\u202egnp", "control or invisible characters (U+202E)"),  # a right-to-left override
        ("a" * 201, "a name of 1 to 200"),
    ],
)
def test_a_user_name_cannot_look_like_an_os_account_or_hide_characters(ws, name, message):
    with pytest.raises(BadInput, match=re.escape(message)) as exc:
        ws.add_user(name, "analyst", "correct horse")
    assert "\n" not in str(exc.value)
    assert ws.list_users() == [] and [e["action"] for e in ws.list_audit()] == ["workspace.init"]


def test_existing_names_with_an_at_sign_still_log_in(ws):
    """The rule is for new names: a user stored before it (written here as an older version would) keeps working."""
    from leaktrace.services import users
    from leaktrace.store import db as store_db
    from leaktrace.store import seals
    from leaktrace.store.models import User

    with store_db.transaction(ws.context.sessions) as session:
        session.add(User(name="old@corp", role="auditor", password_hash=users._hasher.hash("correct horse"), disabled=False))
        session.flush()
        seals.backfill(session, actor="leaktrace upgrade 0003")  # as the upgrade seals what it finds
    assert ws.authenticate("old@corp", "correct horse").name == "old@corp"
    assert ws.user_for_token(ws.create_token("old@corp")["token"]).name == "old@corp"


def test_a_failed_login_never_makes_up_an_actor(ws):
    """What was typed is in the details; as the actor only when it could be a user's name (never 'root@vm')."""
    ws.add_user("ana", "analyst", "correct horse")
    for typed in ("root@vm", "mallory", "ana\x1b[2J", "ana"):
        with pytest.raises(Unauthorized):
            ws.authenticate(typed, "wrong password")
    failed = [(e["actor"], e["subject_type"], e["subject_id"], e["details"]["name"]) for e in ws.list_audit() if e["action"] == "login.failed"]
    assert failed[::-1] == [
        ("?", None, None, "root@vm"),
        ("mallory", None, None, "mallory"),
        ("?", None, None, "ana\x1b[2J"),
        ("ana", "user", "1", "ana"),
    ]


def _rows(ws) -> dict[tuple[str, str], tuple]:
    """Every users and tokens row by (subject type, id), without the columns written with no entry."""
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        users = {("user", str(r[0])): r for r in db.execute("select * from users")}
        tokens = {("token", str(r[0])): r for r in db.execute("select id, user_id, token_hash, name, created_at, revoked from tokens")}
    return users | tokens


def test_every_change_of_a_user_or_token_row_has_its_entry(ws, monkeypatch):
    """The rule the seals rely on: each users/tokens row that changes (a token's last_used_at aside) is
    the subject, by its integer id, of an entry appended in the same act, with the name in the details."""
    from argon2 import PasswordHasher

    from leaktrace.services import users

    token: dict = {}
    steps = [
        ("user.add", lambda: ws.add_user("ana", "analyst", "correct horse", actor="root")),
        ("user.add", lambda: ws.add_user("bo", "auditor", "other horse!", actor="root")),
        ("token.create", lambda: token.update(ws.create_token("ana", name="ci", actor="root"))),
        (None, lambda: ws.user_for_token(token["token"])),  # last_used_at only
        ("user.update", lambda: ws.set_user_disabled("bo", True, actor="root")),
        (None, lambda: ws.set_user_disabled("bo", True, actor="root")),  # no change, no entry
        ("login", lambda: ws.authenticate("ana", "correct horse")),
        ("login", lambda: (monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=4)), ws.authenticate("ana", "correct horse"))),
        ("token.revoke", lambda: ws.revoke_token(token["id"], actor="root")),
        (None, lambda: ws.revoke_token(token["id"], actor="root")),
    ]
    before, seen = _rows(ws), ws.list_audit()[0]["id"]
    for action, step in steps:
        step()
        after, new = _rows(ws), [e for e in ws.list_audit() if e["id"] > seen]
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        subjects = {(e["subject_type"], e["subject_id"]) for e in new if e["subject_type"] in ("user", "token")}
        assert changed <= subjects, (action, changed, subjects)
        assert [e["action"] for e in new] == ([] if action is None else [action])
        for e in new:
            name = after[(e["subject_type"], e["subject_id"])][1 if e["subject_type"] == "user" else 3]
            assert e["details"]["name"] == name
        before, seen = after, max([seen, *(e["id"] for e in new)])
    rehashed = ws.list_audit()[1]
    assert rehashed["action"] == "login" and {k: v for k, v in rehashed["details"].items() if k != "seal"} == {
        "name": "ana",
        "via": "password",
        "rehashed": True,
    }
    assert ws.verify_audit()["ok"]


# ---------------------------------------------------------------------------- throttling, lockout, sessions, impersonation (issue 13)


def _count_verifies(monkeypatch):
    from leaktrace.services import users

    calls = []
    real = users._verify
    monkeypatch.setattr(users, "_verify", lambda h, p: calls.append(1) or real(h, p))
    return calls


def test_an_account_backs_off_after_five_failures_before_any_hashing(ws, monkeypatch):
    from datetime import timedelta

    from leaktrace.errors import TooManyAttempts
    from leaktrace.services import users

    ws.add_user("ana", "analyst", "correct horse")
    calls = _count_verifies(monkeypatch)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            ws.authenticate("ana", "wrong password")
    with pytest.raises(TooManyAttempts, match="try again in 1 s") as exc:
        ws.authenticate("ana", "correct horse")  # even the right password waits
    assert (exc.value.http_status, exc.value.retry_after, len(calls)) == (429, 1, 5)
    real = users.utcnow
    monkeypatch.setattr(users, "utcnow", lambda: real() + timedelta(seconds=1.5))
    with pytest.raises(Unauthorized):
        ws.authenticate("ana", "wrong password")  # the 6th failure: 2 s now
    monkeypatch.setattr(users, "utcnow", real)
    with pytest.raises(TooManyAttempts) as exc:
        ws.authenticate("ana", "correct horse")
    assert exc.value.retry_after == 2
    monkeypatch.setattr(users, "utcnow", lambda: real() + timedelta(seconds=5))
    assert ws.authenticate("ana", "correct horse").name == "ana"  # and a good login starts the count again
    with pytest.raises(Unauthorized):
        ws.authenticate("ana", "wrong password")
    failed = [e for e in ws.list_audit() if e.action == "login.failed"]
    assert len(failed) == 7 and all((e.subject_type, e.subject_id) == ("user", "1") for e in failed)


def test_twenty_failures_lock_the_account_until_an_admin_unlocks_it(ws, monkeypatch):
    from leaktrace.errors import AccountLocked
    from leaktrace.services import users

    ws.add_user("ana", "analyst", "correct horse")
    monkeypatch.setattr(users, "delay", lambda n: 0.0)  # no back-off: reach the lockout quickly
    for _ in range(users.LOCKOUT_AFTER):
        with pytest.raises(Unauthorized):
            ws.authenticate("ana", "wrong password")
    calls = _count_verifies(monkeypatch)
    with pytest.raises(AccountLocked, match="'ana' is locked after 20 failed logins") as exc:
        ws.authenticate("ana", "correct horse")
    assert exc.value.http_status == 403 and calls == []
    ws.close()
    ws = Workspace(ws.home)  # the lockout is in the audit log: it survives a restart
    with pytest.raises(AccountLocked):
        ws.authenticate("ana", "correct horse")
    assert [u.locked for u in ws.list_users()] == [True]
    assert ws.unlock_user("ana", actor="root").name == "ana"
    assert [u.locked for u in ws.list_users()] == [False]
    assert ws.authenticate("ana", "correct horse").name == "ana"
    entries = ws.list_audit()
    assert entries[0].action == "login" and entries[1].action == "user.unlock" and entries[1].details["failures"] == 20
    assert entries[2].details.get("locked") is True and "locked" not in entries[3].details
    assert ws.verify_audit().ok
    ws.close()


def test_330_wrong_passwords_a_minute_from_one_client_mostly_never_reach_argon2(ws, monkeypatch):
    from leaktrace.errors import TooManyAttempts
    from leaktrace.services import throttle, users

    clock = [1000.0]
    limiter = throttle.ClientThrottle(clock=lambda: clock[0])
    calls = _count_verifies(monkeypatch)
    refused = 0
    for i in range(330):
        clock[0] += 60 / 330
        try:
            users.authenticate(ws.context, f"guess{i}", "wrong password", client="198.51.100.7", throttle=limiter)
        except TooManyAttempts as exc:
            refused += 1
            assert exc.retry_after >= 1
        except Unauthorized:
            pass
    assert len(calls) == 10 and refused == 320  # 5 free, then waits of 1, 2, 4, 8, 16 s
    with pytest.raises(Unauthorized):  # another address is not held up
        users.authenticate(ws.context, "guess", "wrong password", client="198.51.100.8", throttle=limiter)
    assert len(calls) == 11
    failed = [e for e in ws.list_audit() if e.action == "login.failed"]
    assert len(failed) == 11 and failed[0].details["client"] == "198.51.100.8"


def _session(ws, name, password, now):
    login = ws.log_in(name, password)
    return dict(name=name, login=login.session, since=int(now), seen=int(now))


def test_sessions_end_at_logout_password_or_role_change_and_timeouts(ws):
    import time

    from leaktrace.errors import LoginRequired
    from leaktrace.services import users

    ws.add_user("ana", "analyst", "correct horse")
    ws.add_user("bo", "auditor", "other horse")
    now = time.time()
    one, two = _session(ws, "ana", "correct horse", now), _session(ws, "ana", "correct horse", now)

    def user(s, at=now):
        return users.session_user(ws.context, s["name"], s["login"], s["since"], s["seen"], now=at)

    assert user(one).name == user(two).name == "ana"
    ws.log_out("ana", one["login"])
    with pytest.raises(LoginRequired):
        user(one)  # the same cookie, replayed after its logout
    assert user(two).name == "ana"  # another session of the same user lives on
    with pytest.raises(LoginRequired):
        user(two, now + users.SESSION_IDLE.total_seconds() + 1)
    with pytest.raises(LoginRequired):
        user({**two, "seen": int(now + 8 * 3600)}, now + users.SESSION_MAX.total_seconds() + 1)
    bo = _session(ws, "bo", "other horse", now)
    with pytest.raises(LoginRequired):
        user({**two, "login": bo["login"]})  # someone else's login entry
    with pytest.raises(LoginRequired):
        user({**two, "login": "7"})
    ws.set_user_password("ana", "a new horse", actor="root")
    with pytest.raises(LoginRequired):
        user(two)
    three = _session(ws, "ana", "a new horse", now)
    ws.set_user_role("bo", "analyst", actor="root")
    assert user(three).name == "ana"
    with pytest.raises(LoginRequired):
        user(bo)
    with pytest.raises(BadInput, match="unknown role"):
        ws.set_user_role("bo", "root")
    with pytest.raises(BadInput, match="at least 8"):
        ws.set_user_password("bo", "short")
    assert ws.get_user("bo").role == "analyst" and ws.verify_audit().ok


def test_a_token_for_someone_else_needs_an_admin_and_a_reason(ws):
    ws.add_user("root", "admin", "correct horse")
    ws.add_user("ana", "analyst", "correct horse")
    ws.add_user("bo", "auditor", "correct horse")
    assert ws.create_token("root", actor="root").user == "root"  # for oneself: no reason
    assert ws.create_token("ana", actor="ana").user == "ana"
    with pytest.raises(BadInput, match="acts as 'ana': give a reason of at least 10"):
        ws.create_token("ana", actor="root")
    with pytest.raises(Forbidden, match="only for themself"):
        ws.create_token("bo", actor="ana", reason="because I want to read as bo")
    token = ws.create_token("ana", actor="root", reason="  CI job\nof ana, SEC-42 ")
    entry = ws.list_audit()[0]
    assert (entry.action, entry.details["minted_by"], entry.details["reason"]) == ("token.create", "root", "CI job of ana, SEC-42")
    assert ws.user_for_token(token.token).name == "ana"
    ws.create_token("bo", reason="made from the command line")  # the OS account holding the workspace
    assert ws.list_audit()[0].details["reason"] == "made from the command line" and "minted_by" not in ws.list_audit()[0].details


def test_the_password_is_hashed_outside_the_write_lock(ws, monkeypatch):
    from leaktrace.services import users

    ws.add_user("ana", "analyst", "correct horse")
    real, writable = users._verify, []

    def probe(password_hash, password):  # another process may write while Argon2 works
        con = sqlite3.connect(ws.home / "leaktrace.db", timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
            writable.append(True)
        finally:
            con.close()
        return real(password_hash, password)

    monkeypatch.setattr(users, "_verify", probe)
    assert ws.authenticate("ana", "correct horse").name == "ana"
    with pytest.raises(Unauthorized):
        ws.authenticate("ana", "wrong password")
    assert writable == [True, True]


def test_an_unknown_name_backs_off_and_locks_like_a_known_one(ws, monkeypatch):
    from leaktrace.errors import AccountLocked, TooManyAttempts
    from leaktrace.services import throttle, users

    ws.add_user("ana", "analyst", "correct horse")

    def answers(name):
        out = []
        for _ in range(7):
            try:
                ws.authenticate(name, "wrong password")
            except (Unauthorized, TooManyAttempts, AccountLocked) as exc:
                out.append((type(exc).__name__, str(exc).replace(repr(name), "NAME")))
        return out

    assert (
        answers("ana")
        == answers("nobody")
        == [("Unauthorized", "wrong user name or password, or the user is disabled.")] * 5
        + [("TooManyAttempts", "too many failed logins for NAME; try again in 1 s.")] * 2
    )
    monkeypatch.setattr(users, "delay", lambda n: 0.0)
    monkeypatch.setattr(throttle, "delay", lambda n, free=0: 0.0)
    assert answers("ana") == answers("nobody") and answers("ana") == answers("nobody")  # 19 failures each
    last = answers("ana")
    assert last == answers("nobody") and last[0][0] == "Unauthorized"
    assert last[1:] == [("AccountLocked", "the account NAME is locked after 20 failed logins; an admin can unlock it.")] * 6
