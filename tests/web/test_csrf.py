"""CSRF on every form, and the session cookie's flags and secret."""

from __future__ import annotations

import stat

from leaktrace.web.app import SESSION_COOKIE, create_app
from leaktrace.web.config import SESSION_SECRET_FILE
from tests.web.conftest import TestClient, login


def test_a_post_without_or_with_a_wrong_token_is_refused(app, pages):
    client = pages["analyst"]
    for token in (None, "", "forged-token"):
        data = {"name": f"Forged {token!r}"}
        if token is not None:
            data["csrf_token"] = token
        r = client.post("/recipients", data=data, follow_redirects=False)
        assert r.status_code == 403, r.text
        assert "security token" in r.text
    assert "Forged" not in client.get("/recipients").text


def test_a_post_with_the_session_token_works(pages):
    client = pages["analyst"]
    r = client.post("/recipients", data={"name": "Delta Tooling Ltd", "org": "Delta", "csrf_token": client.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/recipients"
    page = client.get("/recipients").text
    assert "Delta Tooling Ltd" in page and "registered" in page


def test_another_sessions_token_is_refused(app, pages):
    other = login(app, "analyst")
    assert other.csrf != pages["analyst"].csrf
    r = other.post("/recipients", data={"name": "Cross Session", "csrf_token": pages["analyst"].csrf}, follow_redirects=False)
    assert r.status_code == 403


def test_login_needs_the_token_and_renews_the_session(app):
    client = TestClient(app, raise_server_exceptions=False)
    r = client.post("/login", data={"name": "analyst", "password": "analyst-password-1"}, follow_redirects=False)
    assert r.status_code == 403
    before = client.cookies.get(SESSION_COOKIE)
    logged = login(app, "analyst", client=client)
    assert logged.cookies.get(SESSION_COOKIE) != before


def test_wrong_password_and_logout(app):
    client = login(app, "auditor")
    r = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    token = __import__("re").search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": "auditor", "password": "nope-nope", "csrf_token": token})
    assert r.status_code == 401 and "wrong user name or password" in r.text.lower()


def test_login_never_redirects_off_site(app):
    client = TestClient(app, raise_server_exceptions=False)
    token = __import__("re").search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post(
        "/login", data={"name": "analyst", "password": "analyst-password-1", "csrf_token": token, "next": "//evil.example/"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_session_cookie_flags(app, seeded):
    client = TestClient(app)
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = TestClient(create_app(seeded.settings, secure_cookies=True), base_url="https://testserver")
    assert "secure" in secure.get("/login").headers["set-cookie"].lower()


def test_session_secret_lives_in_the_workspace_with_mode_0600(seeded):
    path = seeded.home / SESSION_SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) == 64
    import leaktrace.web as web_package

    source = "".join(p.read_text() for p in __import__("pathlib").Path(web_package.__file__).parent.rglob("*.py"))
    assert path.read_text().strip() not in source


def test_a_tampered_cookie_is_not_a_session(app, pages):
    client = TestClient(app, raise_server_exceptions=False)
    # another test may have left a second session cookie (another path) in the shared client: take the newest
    value = [c.value for c in pages["admin"].cookies.jar if c.name == SESSION_COOKIE][-1]
    client.cookies.set(SESSION_COOKIE, value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert client.get("/users", follow_redirects=False).status_code == 303
