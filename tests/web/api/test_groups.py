"""/api/v1/groups and a share's ``groups``: the members in use at share time, each recorded; one-line refusals."""

from __future__ import annotations


def _recipient(api, name: str) -> dict:
    r = api["analyst"].post("/api/v1/recipients", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_show_members_archive(api):
    a, b, c = (_recipient(api, f"Group API {x}") for x in "ABC")
    r = api["analyst"].post("/api/v1/groups", json={"name": "API bidders", "description": "T-15", "members": [a["name"], b["id"]]})
    assert r.status_code == 201, r.text
    g = r.json()
    assert set(g) == {"id", "name", "description", "created_at", "archived_at", "members"}
    assert [m["id"] for m in g["members"]] == [a["id"], b["id"]] and set(g["members"][0]) == set(a)
    assert api["auditor"].get(f"/api/v1/groups/{g['id']}").json() == g
    assert g["id"] in [x["id"] for x in api["auditor"].get("/api/v1/groups").json()["data"]]
    r = api["analyst"].post(f"/api/v1/groups/{g['id']}/members", json={"members": [c["id"]]})
    assert r.status_code == 200 and [m["id"] for m in r.json()["members"]] == [a["id"], b["id"], c["id"]]
    r = api["analyst"].delete(f"/api/v1/groups/{g['id']}/members/{b['id']}")
    assert r.status_code == 200 and [m["id"] for m in r.json()["members"]] == [a["id"], c["id"]]
    assert api["analyst"].delete(f"/api/v1/groups/{g['id']}/members/{b['id']}").status_code == 404  # not a member
    assert api["analyst"].post("/api/v1/groups", json={"name": "API bidders"}).status_code == 409
    assert api["analyst"].post("/api/v1/groups", json={"name": "G", "members": ["Nobody such"]}).status_code == 404
    assert api["auditor"].post("/api/v1/groups", json={"name": "Auditor's"}).status_code == 403
    r = api["analyst"].post(f"/api/v1/groups/{g['id']}/archive")
    assert r.status_code == 200 and r.json()["archived_at"]
    assert g["id"] not in [x["id"] for x in api["auditor"].get("/api/v1/groups").json()["data"]]
    assert g["id"] in [x["id"] for x in api["auditor"].get("/api/v1/groups?archived=true").json()["data"]]
    actions = [
        e["action"] for e in api["auditor"].get("/api/v1/audit").json()["data"] if e["subject_type"] == "group" and e["subject_id"] == str(g["id"])
    ]
    assert sorted(actions) == ["group.add", "group.archive", "group.create", "group.remove"]


def test_a_share_to_groups_reaches_their_members_in_use(api, seeded):
    a, b, c = (_recipient(api, f"Share group {x}") for x in "ABC")
    g = api["analyst"].post("/api/v1/groups", json={"name": "Share group", "members": [a["id"], b["id"], c["id"]]}).json()
    archived = api["analyst"].post(f"/api/v1/recipients/{b['id']}/archive", json={"reason": "withdrew"})
    assert archived.status_code == 200
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "to": [c["name"]], "groups": [g["name"]]})
    assert r.status_code == 201, r.text
    assert [x["recipient_id"] for x in r.json()] == [c["id"], a["id"]]
    r = api["analyst"].post("/api/v1/shares/portal", json={"asset_id": seeded.asset_id, "groups": [str(g["id"])]})
    assert r.status_code == 201 and [x["recipient_id"] for x in r.json()] == [a["id"], c["id"]]
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "groups": ["No such group"]})
    assert r.status_code == 404 and r.json()["error"].startswith("no recipient group named or numbered 'No such group'")
    empty = api["analyst"].post("/api/v1/groups", json={"name": "Share group empty"}).json()
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "groups": [empty["name"]]})
    assert r.status_code == 400 and "has no recipient in use" in r.json()["error"]
