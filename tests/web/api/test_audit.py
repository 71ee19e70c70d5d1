"""/api/v1/audit: the trail records web actions under the user's name, and the chain verifies."""


def test_trail_and_verify(api):
    api["analyst"].post("/api/v1/recipients", json={"name": "Fenwick Lighting Ltd"})
    entries = api["auditor"].get("/api/v1/audit").json()
    assert entries["count"] >= 5
    actions = {(e["actor"], e["action"]) for e in entries["data"]}
    assert ("setup", "trace") in actions and ("setup", "case.open") in actions
    newest = entries["data"][0]
    assert {"id", "at", "actor", "action", "hash", "prev_hash"} <= set(newest)
    assert api["auditor"].get("/api/v1/audit?limit=2").json()["count"] == 2
    check = api["auditor"].get("/api/v1/audit/verify").json()
    assert check["ok"] is True and check["entries"] >= entries["count"]
