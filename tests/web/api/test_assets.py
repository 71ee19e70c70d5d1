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
