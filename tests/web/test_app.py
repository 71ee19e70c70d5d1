"""app: create_app(settings) builds one app per workspace (session cookie, static files, API and pages, docs)."""

from __future__ import annotations

import pytest

from leaktrace import __version__
from leaktrace.errors import SettingRejected
from leaktrace.web import app as app_module
from leaktrace.web.app import SESSION_COOKIE, create_app
from tests.web.conftest import TestClient


def test_the_app_serves_its_workspace(app, seeded):
    assert app.state.workspace.home == seeded.home
    assert app.state.web.max_upload_mb == 50.0 and app.state.web.secure_cookies is False
    assert app.title == "leaktrace" and app.version == __version__


def test_api_and_pages_are_both_mounted(anon, api):
    assert anon.get("/api/v1/recipients").status_code == 401  # the REST API, by token
    assert api["auditor"].get("/api/v1/recipients").status_code == 200
    assert anon.get("/login").status_code == 200  # the pages, by session
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_openapi_lists_only_the_rest_api(api):
    doc = api["auditor"].get("/openapi.json").json()
    assert doc["info"]["title"] == "leaktrace" and doc["info"]["version"] == __version__
    assert doc["paths"] and all(p.startswith("/api/v1/") for p in doc["paths"])
    assert "/api/v1/copies/{sha256}" in doc["paths"] and "/login" not in doc["paths"]
    assert api["auditor"].get("/docs").status_code == 200


def test_static_files_are_packaged(anon):
    r = anon.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css") and len(r.content) > 100
    assert anon.get("/static/missing.css").status_code == 404


def test_the_session_cookie_is_signed_httponly_and_lax(app):
    r = TestClient(app).get("/login")  # a fresh browser: the session starts here
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower().replace("samesite", "")
    assert f"max-age={8 * 3600}" in cookie.lower()


def test_secure_cookies_and_the_upload_limit_are_per_app(seeded):
    app = create_app(seeded.settings, max_upload_mb=1, secure_cookies=True)
    try:
        assert app.state.web.max_upload_bytes == 2**20
        cookie = TestClient(app).get("/login").headers["set-cookie"].lower()
        assert "; secure" in cookie
        assert app.state.workspace is not None and app.state.workspace.home == seeded.home
    finally:
        app.state.workspace.close()


def test_an_unsafe_upload_limit_stops_the_app(seeded):
    with pytest.raises(SettingRejected, match="web upload limit"):
        create_app(seeded.settings, max_upload_mb=10_000)


def test_shutdown_closes_the_workspace(seeded):
    app = create_app(seeded.settings)
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200
        app.state.workspace.list_recipients()
        assert "context" in app.state.workspace.__dict__
    assert "context" not in app.state.workspace.__dict__  # the engine was disposed on shutdown


def test_from_environment_opens_leaktrace_home(seeded, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_HOME", str(seeded.home))
    app = app_module.from_environment()
    assert app.state.workspace.home == seeded.home
    monkeypatch.setenv("LEAKTRACE_HOME", str(seeded.home.parent / "nowhere"))
    from leaktrace.errors import WorkspaceMissing

    with pytest.raises(WorkspaceMissing):
        app_module.from_environment()
