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


def test_edit_archive_restore(api):
    r = api["analyst"].post("/api/v1/recipients", json={"name": "Edit Me GmbH", "org": "EM"}).json()
    patched = api["analyst"].patch(f"/api/v1/recipients/{r['id']}", json={"name": "Edited GmbH", "email": "e@edited.example"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["email"], patched.json()["org"], patched.json()["archived_at"]) == (
        "Edited GmbH",
        "e@edited.example",
        "EM",
        None,
    )
    assert api["analyst"].patch(f"/api/v1/recipients/{r['id']}", json={}).status_code == 400  # nothing to change
    assert api["analyst"].patch(f"/api/v1/recipients/{r['id']}", json={"name": "Apex Plastics GmbH"}).status_code == 409
    assert api["analyst"].patch("/api/v1/recipients/999999", json={"org": "x"}).status_code == 404
    assert api["auditor"].patch(f"/api/v1/recipients/{r['id']}", json={"org": "x"}).status_code == 403
    assert api["analyst"].post(f"/api/v1/recipients/{r['id']}/archive", json={}).status_code == 422  # a reason is needed
    archived = api["analyst"].post(f"/api/v1/recipients/{r['id']}/archive", json={"reason": "contract ended"})
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert r["id"] not in [x["id"] for x in api["auditor"].get("/api/v1/recipients").json()["data"]]
    assert r["id"] in [x["id"] for x in api["auditor"].get("/api/v1/recipients?archived=true").json()["data"]]
    assert r["id"] in [x["id"] for x in api["auditor"].get("/api/v1/recipients?archived=true&q=Edited").json()["data"]]
    assert api["analyst"].post(f"/api/v1/recipients/{r['id']}/archive", json={"reason": "again"}).status_code == 409
    restored = api["analyst"].post(f"/api/v1/recipients/{r['id']}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    entries = [e for e in api["auditor"].get("/api/v1/audit").json()["data"] if e["subject_type"] == "recipient" and e["subject_id"] == str(r["id"])]
    assert [e["action"] for e in entries] == ["recipient.restore", "recipient.archive", "recipient.edit", "recipient.add"]
    assert all(e["actor"] == "analyst" for e in entries)
    assert entries[2]["details"]["before"] == {"name": "Edit Me GmbH", "email": None}
    check = api["auditor"].get("/api/v1/audit/verify").json()
    assert check["ok"], check
