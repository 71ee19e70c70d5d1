"""/api/v1/traces: a leak upload gives the `trace --json` document, stored as a finding."""

from tests.web.conftest import leak_from


def test_trace_accuses_the_leaker(api, seeded):
    copy = api["analyst"].get(f"/api/v1/copies/{seeded.copies['Castellan Composites SpA']}").content
    r = api["analyst"].post("/api/v1/traces", files={"file": ("found.jpg", leak_from(copy, quality=70), "image/jpeg")})
    assert r.status_code == 201, r.text
    f = r.json()
    assert set(f) >= {"leak", "asset", "candidates", "accused", "false_accusation_bound", "elapsed_s", "finding_id"}
    assert f["accused"] == ["Castellan Composites SpA"]
    assert f["asset"]["id"] == seeded.asset_id and f["leak"]["path"] == "found.jpg"
    assert f["candidates"][0]["recipient"] == "Castellan Composites SpA" and f["candidates"][0]["score"] > 8
    assert all(c["score"] < 5 for c in f["candidates"][1:])
    stored = api["auditor"].get(f"/api/v1/findings/{f['finding_id']}").json()
    assert stored["actor"] == "analyst" and stored["accused"] == f["accused"]


def test_an_unrelated_image_names_nobody(api, tmp_path):
    from tests.conftest import photo, save

    path = save(tmp_path / "other.png", photo(99))
    r = api["analyst"].post("/api/v1/traces", files={"file": ("other.png", path.read_bytes(), "image/png")})
    assert r.status_code == 201
    assert r.json()["asset"] is None and r.json()["accused"] == []
