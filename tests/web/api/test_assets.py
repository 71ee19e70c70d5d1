"""/api/v1/assets: upload gives the same rows as `asset add --json`."""

from tests.conftest import drawing, save


def test_upload_and_list(api, tmp_path):
    path = save(tmp_path / "drawing.png", drawing())
    r = api["analyst"].post("/api/v1/assets", files={"file": ("drawing.png", path.read_bytes(), "image/png")}, data={"title": "Bumper drawing"})
    assert r.status_code == 201, r.text
    [row] = r.json()
    assert {"id", "path", "sha256", "width", "height"} <= set(row)  # the `asset add --json` fields
    assert (row["path"], row["width"], row["height"], row["duplicate"]) == ("drawing.png", 540, 360, False)
    again = api["analyst"].post("/api/v1/assets", files={"file": ("copy.png", path.read_bytes(), "image/png")}).json()[0]
    assert again["id"] == row["id"] and again["duplicate"] is True
    listed = api["auditor"].get("/api/v1/assets").json()
    mine = [a for a in listed["data"] if a["id"] == row["id"]][0]
    assert mine["title"] == "Bumper drawing" and mine["sha256"] == row["sha256"]
    entries = [e for e in api["auditor"].get("/api/v1/audit").json()["data"] if e["action"] == "asset.add" and e["subject_id"] == str(row["id"])]
    assert [(e["actor"], e["details"]["sha256"], e["details"]["filename"]) for e in entries] == [("analyst", row["sha256"], "drawing.png")]


def test_patch_archive_and_restore(api, tmp_path):
    from tests.conftest import photo

    path = save(tmp_path / "fender.png", photo(41, (96, 128)))
    analyst = api["analyst"]
    row = analyst.post("/api/v1/assets", files={"file": ("fender.png", path.read_bytes(), "image/png")}, data={"title": "Fender"}).json()[0]
    url = f"/api/v1/assets/{row['id']}"
    edited = analyst.patch(url, json={"title": "Fender, rev D"})
    assert edited.status_code == 200 and edited.json()["title"] == "Fender, rev D" and edited.json()["archived_at"] is None
    assert set(edited.json()) == set(row) - {"path", "duplicate"}  # the Asset shape, as `asset show --json`
    assert analyst.patch(url, json={}).status_code == 422 and analyst.patch(url, json={"title": "x", "sha256": "0" * 64}).status_code == 422
    assert api["auditor"].patch(url, json={"title": "Sneaky"}).status_code == 403
    archived = analyst.post(f"{url}/archive")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    again = analyst.post(f"{url}/archive")
    assert again.status_code == 409 and again.json() == {"error": f"asset {row['id']} is archived already.", "status": 409}
    refused = analyst.post("/api/v1/shares", json={"asset_id": row["id"], "to": ["Apex Plastics GmbH"]})
    assert refused.status_code == 409 and refused.json()["error"] == f"asset {row['id']} is archived; restore it first."
    assert row["id"] not in [a["id"] for a in api["auditor"].get("/api/v1/assets").json()["data"]]
    assert row["id"] in [a["id"] for a in api["auditor"].get("/api/v1/assets", params={"archived": "true"}).json()["data"]]
    assert row["id"] in [a["id"] for a in api["auditor"].get("/api/v1/assets", params={"archived": "true", "q": "Fender"}).json()["data"]]
    restored = analyst.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    actions = [
        e["action"] for e in api["auditor"].get("/api/v1/audit").json()["data"] if e["subject_id"] == str(row["id"]) and e["subject_type"] == "asset"
    ]
    assert actions == ["asset.restore", "asset.archive", "asset.edit", "asset.add"]  # newest first
    assert api["auditor"].get("/api/v1/audit/verify").json()["ok"]
    analyst.post(f"{url}/archive")  # left archived: the other tests' lists stay as they were
