"""/api/v1/recipients."""


def test_list_and_add(api):
    before = api["auditor"].get("/api/v1/recipients").json()
    assert before["count"] == len(before["data"]) >= 3
    assert {"id", "name", "email", "org", "created_at"} <= set(before["data"][0])
    r = api["analyst"].post("/api/v1/recipients", json={"name": "  Elbe   Stanztechnik GmbH ", "email": "t@elbe.example", "org": "Elbe"})
    assert r.status_code == 201
    assert r.json()["name"] == "Elbe Stanztechnik GmbH" and r.json()["org"] == "Elbe"
    assert api["auditor"].get("/api/v1/recipients").json()["count"] == before["count"] + 1
    entry = next(
        e for e in api["auditor"].get("/api/v1/audit").json()["data"] if e["action"] == "recipient.add" and e["subject_id"] == str(r.json()["id"])
    )
    assert entry["actor"] == "analyst" and entry["details"]["name"] == "Elbe Stanztechnik GmbH"  # the web user, not the server's account


def test_bad_names(api):
    assert api["analyst"].post("/api/v1/recipients", json={"name": "12"}).status_code == 400
    assert api["analyst"].post("/api/v1/recipients", json={"name": ""}).status_code == 422
    assert api["analyst"].post("/api/v1/recipients", json={"name": "x", "extra": 1}).status_code == 422
