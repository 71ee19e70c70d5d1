"""The one error shape: every API error is exactly {"error": one sentence, "status": the HTTP status}."""

from __future__ import annotations

import pytest

from leaktrace.errors import Conflict, LeaktraceError, UnsupportedUpload, UploadTooLarge

DATA = __import__("pathlib").Path(__file__).parents[1] / "data"


def assert_shape(r, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "status"}, body
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"]
    assert "Traceback" not in body["error"]
    return body["error"]


@pytest.mark.parametrize(
    "make",
    [
        lambda c, s: c[None].get("/api/v1/recipients"),  # 401 no token
        lambda c, s: c[None].get("/api/v1/recipients", headers={"Authorization": "Bearer lt_not-a-token"}),  # 401 bad token
        lambda c, s: c["auditor"].post("/api/v1/recipients", json={"name": "X"}),  # 403
        lambda c, s: c["analyst"].get("/api/v1/findings/999999"),  # 404 unknown id
        lambda c, s: c["analyst"].get("/api/v1/no-such-route"),  # 404 route
        lambda c, s: c["analyst"].delete("/api/v1/recipients"),  # 405
        lambda c, s: c["analyst"].post("/api/v1/recipients", json={"name": "Apex Plastics GmbH"}),  # 409 duplicate
        lambda c, s: c["analyst"].post("/api/v1/recipients", json={"nom": "typo"}),  # 422 validation
        lambda c, s: c["analyst"].post("/api/v1/shares", json={"asset_id": s.asset_id, "to": ["Nobody Ltd"]}),  # 404 recipient
        lambda c, s: c["analyst"].patch(f"/api/v1/cases/{s.case_id}", json={"due": "2027-01-01"}),  # 400 rule
        lambda c, s: c["analyst"].post("/api/v1/traces", files={"file": ("t.png", (DATA / "truncated.png").read_bytes(), "image/png")}),  # 400
    ],
)
def test_api_errors_have_one_shape(make, api, seeded):
    r = make(api, seeded)
    assert_shape(r, r.status_code)
    assert r.status_code in {400, 401, 403, 404, 405, 409, 422}


def test_statuses_and_messages(api, seeded):
    assert "Bearer" in assert_shape(api[None].get("/api/v1/cases"), 401)
    assert api[None].get("/api/v1/cases").headers["www-authenticate"] == "Bearer"
    assert "auditor" in assert_shape(api["auditor"].post("/api/v1/cases", json={"finding_id": seeded.finding_id}), 403)
    assert "999999" in assert_shape(api["analyst"].get("/api/v1/cases/999999"), 404)
    assert "already exists" in assert_shape(api["analyst"].post("/api/v1/recipients", json={"name": "Apex Plastics GmbH"}), 409)
    assert "name" in assert_shape(api["analyst"].post("/api/v1/recipients", json={}), 422)
    assert "truncated.png" in assert_shape(
        api["analyst"].post("/api/v1/assets", files={"file": ("truncated.png", (DATA / "truncated.png").read_bytes(), "image/png")}), 400
    )


def test_every_leaktrace_error_maps_to_its_http_status():
    for cls in (Conflict, UploadTooLarge, UnsupportedUpload):
        assert issubclass(cls, LeaktraceError) and cls.http_status in {409, 413, 415}


def test_pages_show_a_friendly_error_page(pages):
    r = pages["analyst"].get("/findings/999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text and "no finding numbered 999999" in r.text.lower() and "Traceback" not in r.text
    r = pages["auditor"].get("/users")
    assert r.status_code == 403 and "may not manage users" in r.text


def test_unexpected_errors_are_500_in_the_same_shape(app, api, monkeypatch):
    ws = app.state.workspace

    def boom(*a, **k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(ws, "list_recipients", boom)
    r = api["analyst"].get("/api/v1/recipients")
    assert "secret" not in assert_shape(r, 500)


def test_a_locked_store_reads_and_answers_503_with_retry_after(seeded, monkeypatch):
    """Another process holds SQLite's write lock (a raw ``BEGIN IMMEDIATE``): reads answer, writes
    wait ``lock_timeout_s`` and answer 503 in the one shape with Retry-After; nothing is a 500."""
    import sqlite3

    from fastapi.testclient import TestClient

    from leaktrace.services.workspace import Workspace
    from leaktrace.web.app import create_app
    from leaktrace.web.errors import BUSY_RETRY_AFTER_S
    from tests.web.conftest import login

    app = create_app(Workspace(seeded.home, lock_timeout_s=0.3).settings)
    client = TestClient(app, headers={"Authorization": f"Bearer {seeded.tokens['analyst']}"}, raise_server_exceptions=False)
    browser = login(app, "analyst")
    holder = sqlite3.connect(seeded.home / "leaktrace.db", isolation_level=None)
    holder.execute("UPDATE tokens SET last_used_at = NULL")  # the token's last use is due: a GET would like to write it
    holder.execute("BEGIN IMMEDIATE")
    try:
        for path in ("/api/v1/recipients", "/api/v1/findings", f"/api/v1/findings/{seeded.finding_id}", "/api/v1/cases"):
            assert client.get(path).status_code == 200, path
        r = client.post("/api/v1/recipients", json={"name": "Written While Locked"})
        assert assert_shape(r, 503) == "the workspace is busy (another process is writing); try again"
        assert r.headers["retry-after"] == str(BUSY_RETRY_AFTER_S)
        for path in ("/", "/recipients", f"/findings/{seeded.finding_id}"):  # pages read too
            assert browser.get(path).status_code == 200, path
        r = browser.post("/recipients", data={"name": "Written While Locked", "csrf_token": browser.csrf}, follow_redirects=False)
        assert r.status_code == 503 and r.headers["retry-after"] == str(BUSY_RETRY_AFTER_S)
        assert "The workspace is busy (another process is writing); try again" in r.text and "Traceback" not in r.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        app.state.workspace.close()


@pytest.mark.parametrize("name", ["truncated.png", "truncated.jpg", "bomb.png", "text.png"])
@pytest.mark.parametrize("route", ["/api/v1/traces", "/api/v1/assets"])
def test_image_errors_name_the_upload_never_a_server_path(api, name, route):
    import tempfile

    r = api["analyst"].post(route, files={"file": (f"my {name}", (DATA / name).read_bytes(), "image/png")})
    message = assert_shape(r, r.status_code)
    assert 400 <= r.status_code < 500 and message.startswith(f"my {name}: "), message
    assert tempfile.gettempdir() not in message and "leaktrace-upload-" not in message


def test_a_message_loses_temp_folders_and_the_workspace_path(app, seeded):
    import tempfile

    from starlette.requests import Request

    from leaktrace.web.errors import _scrub

    request = Request({"type": "http", "app": app, "path": "/api/v1/x", "headers": []})
    folder = f"{tempfile.gettempdir()}/leaktrace-web-abc123"
    assert _scrub(request, f"{folder}/copy.png: too large") == "copy.png: too large"
    assert _scrub(request, f"{app.state.workspace.home}/blobs/ab/cd: missing") == "<workspace>/blobs/ab/cd: missing"
