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
