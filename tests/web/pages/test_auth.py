"""auth: /login and /logout; the session is renewed at login, redirects stay on this site."""

from __future__ import annotations

import pytest

from leaktrace.web.pages.auth import _safe_next
from tests.web.conftest import CSRF, PASSWORDS, TestClient


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/cases/3", "/cases/3"),
        ("/findings?x=1", "/findings?x=1"),
        (None, "/"),
        ("", "/"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("evil", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil", "/"),
    ],
)
def test_only_local_paths_are_followed(target, safe):
    assert _safe_next(target) == safe


def _fresh(app):
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/login?next=//evil.example")
    assert r.status_code == 200 and '<input type="hidden" name="next" value="/">' in r.text
    return client, CSRF.search(r.text).group(1)


def test_login_renews_the_session_and_follows_next(app):
    client, token = _fresh(app)
    r = client.post(
        "/login", data={"name": "analyst", "password": PASSWORDS["analyst"], "csrf_token": token, "next": "/cases"}, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, "/cases")
    after = CSRF.search(client.get("/").text).group(1)
    assert after != token  # a fresh session (and CSRF token) at every login
    assert '<span class="role role-analyst">analyst</span>' in client.get("/").text


def test_a_wrong_password_answers_401_and_keeps_the_name(app):
    client, token = _fresh(app)
    r = client.post("/login", data={"name": "analyst", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401
    assert 'class="flash flash-error"' in r.text and 'value="analyst"' in r.text
    assert client.get("/", follow_redirects=False).status_code == 303  # still logged out
    r = client.post("/login", data={"name": "nobody-at-all", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401


def test_login_needs_the_forms_token(app):
    client, _ = _fresh(app)
    r = client.post("/login", data={"name": "admin", "password": PASSWORDS["admin"], "csrf_token": "forged"})
    assert r.status_code == 403 and client.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(app):
    from tests.web.conftest import login

    client = login(app, "auditor")
    assert client.get("/").status_code == 200
    r = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    r = client.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 403  # the old token died with it


# ---------------------------------------------------------------------------- throttling, lockout, revoked sessions (issue 13)


@pytest.fixture()
def own_app(seeded):
    """An app over the session workspace with the real per-address throttle (the shared one does not back off)."""
    from leaktrace.web.app import create_app

    app = create_app(seeded.settings)
    yield app
    app.state.workspace.close()


def _login_form(client):
    return CSRF.search(client.get("/login").text).group(1)


def test_330_wrong_passwords_a_minute_from_one_address_are_refused_with_429(own_app):
    import time

    client = TestClient(own_app, raise_server_exceptions=False, client=("203.0.113.9", 4000))
    token, statuses, started = _login_form(client), [], time.monotonic()
    for i in range(330):
        r = client.post("/login", data={"name": f"ghost{i}", "password": "wrong-password", "csrf_token": token})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1 and "oo many failed logins from this address; try again in" in r.text
    took = time.monotonic() - started
    assert set(statuses) == {401, 429} and statuses[:5] == [401] * 5 and statuses[5] == 429
    tried = statuses.count(401)
    assert tried <= 5 + took.__ceil__().bit_length() + 1 and statuses.count(429) >= 320, (tried, took)
    entries = own_app.state.workspace.list_audit(limit=50)
    assert sum(e.details.get("client") == "203.0.113.9" for e in entries if e.action == "login.failed") == tried
    other = TestClient(own_app, raise_server_exceptions=False, client=("203.0.113.10", 4000))
    r = other.post("/login", data={"name": "analyst", "password": PASSWORDS["analyst"], "csrf_token": _login_form(other)}, follow_redirects=False)
    assert r.status_code == 303  # another address logs in


def test_an_account_locked_after_20_failures_is_unlocked_by_an_admin(own_app, api, monkeypatch):
    from leaktrace.services import users

    ws = own_app.state.workspace
    ws.add_user("locky", "auditor", "locky-password", actor="tests")
    monkeypatch.setattr(users, "delay", lambda n: 0.0)
    for _ in range(20):
        with pytest.raises(Exception, match="wrong user name or password"):
            ws.authenticate("locky", "nope-nope")
    client = TestClient(own_app, raise_server_exceptions=False, client=("203.0.113.20", 4000))
    r = client.post("/login", data={"name": "locky", "password": "locky-password", "csrf_token": _login_form(client)})
    assert r.status_code == 403 and "is locked after 20 failed logins" in r.text
    assert next(u for u in api["admin"].get("/api/v1/users").json()["data"] if u["name"] == "locky")["locked"] is True
    from tests.web.conftest import login

    page = login(own_app, "admin", client=TestClient(own_app, raise_server_exceptions=False, client=("203.0.113.21", 4000))).get("/users").text
    assert 'action="/users/locky/unlock"' in page and page.count("/unlock") == 1  # the one locked user has the button
    assert api["analyst"].post("/api/v1/users/locky/unlock").status_code == 403
    r = api["admin"].post("/api/v1/users/locky/unlock")
    assert r.status_code == 200 and r.json()["name"] == "locky"
    assert api["admin"].post("/api/v1/users/nobody-such/unlock").status_code == 404
    r = client.post("/login", data={"name": "locky", "password": "locky-password", "csrf_token": _login_form(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert ws.list_audit(limit=2)[1].action == "user.unlock" and ws.list_audit(limit=2)[1].actor == "admin"


def test_a_cookie_copied_before_logout_is_dead_after_it(app):
    from tests.web.conftest import login

    client = login(app, "auditor")
    other = login(app, "auditor")  # a second session of the same user
    stolen = dict(client.cookies)
    assert client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False).status_code == 303
    replay = TestClient(app, raise_server_exceptions=False, cookies=stolen)
    r = replay.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")
    assert other.get("/", follow_redirects=False).status_code == 200  # only that session ended
    entry = next(e for e in app.state.workspace.list_audit(limit=20) if e.action == "logout")
    assert (entry.actor, entry.subject_type) == ("auditor", "user") and isinstance(entry.details["session"], int)


def test_a_password_or_role_change_ends_the_sessions(app):
    from tests.web.conftest import login

    ws = app.state.workspace
    ws.add_user("pwchange", "auditor", "first-password", actor="tests")
    PASSWORDS["pwchange"] = "first-password"
    try:
        client = login(app, "pwchange")
        assert client.get("/", follow_redirects=False).status_code == 200
        ws.set_user_password("pwchange", "second-password", actor="tests")
        assert client.get("/", follow_redirects=False).status_code == 303
        PASSWORDS["pwchange"] = "second-password"
        client = login(app, "pwchange")
        ws.set_user_role("pwchange", "analyst", actor="tests")
        assert client.get("/", follow_redirects=False).status_code == 303
    finally:
        del PASSWORDS["pwchange"]


def test_an_idle_or_old_session_ends(app, monkeypatch):
    import time as clock

    from tests.web.conftest import login

    client = login(app, "auditor")
    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() + 31 * 60)
    assert client.get("/", follow_redirects=False).status_code == 303
    monkeypatch.setattr(clock, "time", real)
    client = login(app, "auditor")
    for minutes in range(25, 8 * 60, 25):  # used every 25 minutes: never idle, still over after 8 hours
        monkeypatch.setattr(clock, "time", lambda m=minutes: real() + m * 60)
        assert client.get("/", follow_redirects=False).status_code == 200, minutes
    monkeypatch.setattr(clock, "time", lambda: real() + 8 * 3600 + 60)
    assert client.get("/", follow_redirects=False).status_code == 303
