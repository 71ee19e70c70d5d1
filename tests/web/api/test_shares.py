"""/api/v1/shares and the sender's one-time download of each copy from /api/v1/copies/{sha256}."""

import hashlib


def test_share_and_download_each_copy_once(api, seeded):
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "to": ["Apex Plastics GmbH", "3"], "note": "round 2"})
    assert r.status_code == 201, r.text
    rows = r.json()
    assert [x["recipient"] for x in rows] == ["Apex Plastics GmbH", "Castellan Composites SpA"]
    for x in rows:
        assert {"recipient", "recipient_id", "path", "sha256", "download", "size", "delivered_at", "stored"} <= set(x)
        assert x["download"] == f"/api/v1/copies/{x['sha256']}" and x["stored"] and x["delivered_at"] is None
        assert api["auditor"].post(x["download"]).status_code == 403
        got = api["analyst"].post(x["download"])  # the sender
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert hashlib.sha256(got.content).hexdigest() == x["sha256"] and len(got.content) == x["size"]
        assert got.headers["content-disposition"] == f'attachment; filename="{x["path"]}"'
        assert api["analyst"].post(x["download"]).status_code == 409  # once
    shares = api["auditor"].get("/api/v1/shares").json()
    last = shares["data"][-1]
    assert last["note"] == "round 2" and last["created_by"] == "analyst"
    assert [c["sha256"] for c in last["copies"]] == [x["sha256"] for x in rows]
    assert all(c["delivered_at"] and not c["stored"] for c in last["copies"])  # delivered, then discarded


def test_unknown_copy_and_bad_hash(api):
    assert api["analyst"].post("/api/v1/copies/" + "0" * 64).status_code == 404
    assert api["analyst"].post("/api/v1/copies/not-a-hash").status_code == 422


def test_share_needs_recipients(api, seeded):
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "to": []})
    assert r.status_code == 400 and r.json()["error"] == "name at least one recipient with --to, or a group with --to-group."
    assert api["analyst"].post("/api/v1/shares", json={"asset_id": 999, "to": ["Apex Plastics GmbH"]}).status_code == 404


def test_a_document_share_hands_out_pdf_copies(api):
    from tests.web.conftest import tiny_pdf

    doc = api["analyst"].post("/api/v1/assets", files={"file": ("brief.pdf", tiny_pdf(1, seed=23), "application/pdf")}).json()[0]
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": doc["id"], "to": ["Apex Plastics GmbH"], "note": "pdf"})
    assert r.status_code == 201, r.text
    (x,) = r.json()
    assert x["path"].startswith("brief") and x["path"].endswith(".pdf") and 0 < x["ssim"] <= 1
    got = api["analyst"].post(x["download"])
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf" and got.content.startswith(b"%PDF-")
    assert got.headers["content-disposition"] == f'attachment; filename="{x["path"]}"' and hashlib.sha256(got.content).hexdigest() == x["sha256"]
    spec = api["auditor"].get("/openapi.json").json()["paths"]
    assert "application/pdf" in spec["/api/v1/copies/{sha256}"]["post"]["responses"]["200"]["content"]
