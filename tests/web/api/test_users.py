"""/api/v1/users and /api/v1/tokens (admin only)."""


def test_users_and_tokens_lifecycle(api, app):
    from tests.web.conftest import TestClient

    r = api["admin"].post("/api/v1/users", json={"name": "dora", "role": "analyst", "password": "dora-password"})
    assert r.status_code == 201 and r.json()["role"] == "analyst" and "password" not in str(r.json())
    assert api["admin"].post("/api/v1/users", json={"name": "dora", "role": "analyst", "password": "dora-password"}).status_code == 409
    assert api["admin"].post("/api/v1/users", json={"name": "eve", "role": "root", "password": "eve-password"}).status_code == 422
    assert api["admin"].post("/api/v1/users", json={"name": "eve", "role": "auditor", "password": "short"}).status_code == 422
    token = api["admin"].post("/api/v1/tokens", json={"user": "dora", "name": "script", "reason": "dora's deployment script"}).json()
    assert token["token"].startswith("lt_") and token["user"] == "dora"
    dora = TestClient(app, headers={"Authorization": f"Bearer {token['token']}"}, raise_server_exceptions=False)
    assert dora.get("/api/v1/cases").status_code == 200
    assert api["admin"].delete(f"/api/v1/tokens/{token['id']}").json()["revoked"] is True
    assert dora.get("/api/v1/cases").status_code == 401
    second = api["admin"].post("/api/v1/tokens", json={"user": "dora", "reason": "dora's deployment script"}).json()["token"]
    assert api["admin"].patch("/api/v1/users/dora", json={"disabled": True}).json()["disabled"] is True
    assert TestClient(app, headers={"Authorization": f"Bearer {second}"}).get("/api/v1/cases").status_code == 401
    users = api["admin"].get("/api/v1/users").json()["data"]
    assert {u["name"]: u["disabled"] for u in users}["dora"] is True
    assert api["admin"].delete("/api/v1/tokens/999999").status_code == 404
