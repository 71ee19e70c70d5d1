"""/api/v1/tokens (admin): a token is shown once at creation, acts as its user, and stops when revoked."""

from __future__ import annotations

import pytest

from tests.web.conftest import TestClient


@pytest.fixture(scope="module")
def owner(api):
    r = api["admin"].post("/api/v1/users", json={"name": "tok-owner", "role": "auditor", "password": "tok-owner-pass"})
    assert r.status_code == 201, r.text
    return "tok-owner"


def test_create_then_use_then_revoke(api, app, owner):
    r = api["admin"].post("/api/v1/tokens", json={"user": owner, "name": "nightly export", "reason": "their nightly export job"})
    assert r.status_code == 201
    body = r.json()
    assert set(body) >= {"id", "user", "name", "token"} and body["revoked"] is False  # the README's shape, and more
    assert (body["user"], body["name"]) == (owner, "nightly export") and body["token"].startswith("lt_")
    assert len(body["token"]) >= 32
    client = TestClient(app, headers={"Authorization": f"Bearer {body['token']}"}, raise_server_exceptions=False)
    assert client.get("/api/v1/findings").status_code == 200  # acts as an auditor: may read
    assert client.post("/api/v1/recipients", json={"name": "Tok Ltd"}).status_code == 403  # and nothing more
    r = api["admin"].delete(f"/api/v1/tokens/{body['id']}")
    assert r.status_code == 200 and {"id": body["id"], "user": owner, "revoked": True}.items() <= r.json().items()
    assert client.get("/api/v1/findings").status_code == 401
    again = api["admin"].delete(f"/api/v1/tokens/{body['id']}")  # idempotent
    assert again.status_code == 200 and again.json()["revoked"] is True


def test_the_token_is_never_shown_again(api, owner):
    token = api["admin"].post("/api/v1/tokens", json={"user": owner, "reason": "their nightly export job"}).json()
    assert token["name"] == ""
    listed = api["admin"].get("/api/v1/users").text + api["admin"].get("/api/v1/audit").text
    assert token["token"] not in listed


def test_refusals(api, owner):
    r = api["admin"].post("/api/v1/tokens", json={"user": "nobody-here"})
    assert r.status_code == 404 and "nobody-here" in r.json()["error"]
    assert api["admin"].post("/api/v1/tokens", json={}).status_code == 422
    assert api["admin"].post("/api/v1/tokens", json={"user": owner, "name": "x" * 201}).status_code == 422
    assert api["admin"].delete("/api/v1/tokens/not-a-number").status_code == 422
    assert api["admin"].delete("/api/v1/tokens/987654").status_code == 404
    for role in ("analyst", "auditor"):
        assert api[role].post("/api/v1/tokens", json={"user": owner}).status_code == 403
        assert api[role].delete("/api/v1/tokens/1").status_code == 403
    assert api[None].post("/api/v1/tokens", json={"user": owner}).status_code == 401


def test_a_token_for_someone_else_needs_a_reason_and_is_audited(api, app, owner):
    r = api["admin"].post("/api/v1/tokens", json={"user": owner, "name": "sneaky"})
    assert r.status_code == 400 and r.json() == {
        "error": f"a token for {owner!r} acts as {owner!r}: give a reason of at least 10 characters (it is audited).",
        "status": 400,
    }
    assert api["admin"].post("/api/v1/tokens", json={"user": owner, "reason": "x" * 501}).status_code == 422
    r = api["admin"].post("/api/v1/tokens", json={"user": owner, "reason": "their CI job, ticket SEC-42"})
    assert r.status_code == 201
    entry = app.state.workspace.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.subject_id) == ("token.create", "admin", str(r.json()["id"]))
    assert entry.details["minted_by"] == "admin" and entry.details["reason"] == "their CI job, ticket SEC-42"
    mine = api["admin"].post("/api/v1/tokens", json={"user": "admin", "name": "my own"})  # for oneself: no reason
    assert mine.status_code == 201 and "minted_by" not in app.state.workspace.list_audit(limit=1)[0].details
    for key in (r.json()["id"], mine.json()["id"]):
        assert api["admin"].delete(f"/api/v1/tokens/{key}").status_code == 200


def test_every_entry_made_with_a_token_minted_for_someone_else_names_the_minter(api, app, pages):
    """The act is the owner's (the actor), and its entry says which token did it and which admin minted
    that token; the owner's own token, and the next request, name no one else."""
    r = api["admin"].post("/api/v1/users", json={"name": "tok-analyst", "role": "analyst", "password": "tok-analyst-pass"})
    assert r.status_code == 201, r.text
    minted = api["admin"].post("/api/v1/tokens", json={"user": "tok-analyst", "reason": "their upload robot, ticket SEC-43"}).json()
    robot = TestClient(app, headers={"Authorization": f"Bearer {minted['token']}"}, raise_server_exceptions=False)
    ws = app.state.workspace
    for name in ("Minted Token Ltd", "Minted Token Two Ltd"):
        assert robot.post("/api/v1/recipients", json={"name": name}).status_code == 201
        entry = ws.list_audit(limit=1)[0]
        assert (entry.action, entry.actor, entry.details["name"]) == ("recipient.add", "tok-analyst", name)
        assert entry.details["via_token"] == minted["id"] and entry.details["token_minted_by"] == "admin"
    for client, name in ((api["analyst"], "Own Token Ltd"), (pages["analyst"], "Own Session Ltd")):  # the next acts: no one else named
        if client is api["analyst"]:
            assert client.post("/api/v1/recipients", json={"name": name}).status_code == 201
        else:
            assert client.post("/recipients", data={"name": name, "csrf_token": client.csrf}, follow_redirects=False).status_code == 303
        entry = ws.list_audit(limit=1)[0]
        assert entry.action == "recipient.add" and entry.actor == "analyst" and entry.details["name"] == name
        assert not {"via_token", "token_minted_by"} & set(entry.details), entry.details
    assert ws.verify_audit().ok
    assert api["admin"].delete(f"/api/v1/tokens/{minted['id']}").status_code == 200
