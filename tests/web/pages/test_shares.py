"""/share: the form and the list for every role; an analyst's share downloads the copies as one zip, their one
delivery; copies still waiting are offered to their sender once."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile


def test_the_form_preselects_the_asset(pages, seeded):
    html = pages["analyst"].get(f"/share?asset={seeded.asset_id}").text
    assert f'<option value="{seeded.asset_id}" selected>#{seeded.asset_id} Bumper assembly (480×320)</option>' in html
    assert len(re.findall(r'name="to" value="\d+"', html)) >= 3
    auditor = pages["auditor"].get("/share").text
    assert "Make copies and download zip" not in auditor and "Tender round 1" in auditor


def test_a_share_downloads_a_zip_of_recorded_copies(pages, api, seeded):
    client = pages["analyst"]
    ids = {r["name"]: r["id"] for r in api["auditor"].get("/api/v1/recipients").json()["data"]}
    to = [str(ids["Apex Plastics GmbH"]), str(ids["Castellan Composites SpA"])]
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": to, "note": "  pages share test "})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    share = api["auditor"].get("/api/v1/shares").json()["data"][-1]
    assert share["note"] == "pages share test" and share["created_by"] == "analyst"
    assert r.headers["content-disposition"] == f'attachment; filename="share-{share["id"]}-asset-{seeded.asset_id}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    digests = sorted(hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist())
    assert digests == sorted(c["sha256"] for c in share["copies"]) and len(digests) == 2
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert "pages share test" in client.get("/share").text


def test_refusals(pages, seeded):
    client = pages["analyst"]
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id)})
    assert r.status_code == 400 and "Pick at least one recipient or group." in r.text
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": "987654", "to": ["1"]})
    assert r.status_code == 404
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ["Nobody Ltd"]})
    assert r.status_code == 404 and "Nobody Ltd" in r.text
    assert client.post("/share", data={"csrf_token": client.csrf, "to": ["1"]}).status_code == 422
    auditor = pages["auditor"]
    assert auditor.post("/share", data={"csrf_token": auditor.csrf, "asset_id": str(seeded.asset_id), "to": ["1"]}).status_code == 403


def test_the_zip_was_the_copies_one_delivery(pages, api, seeded):
    client = pages["analyst"]
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ["1"], "note": "zip once"})
    assert r.status_code == 200
    share = api["auditor"].get("/api/v1/shares").json()["data"][-1]
    assert all(c["delivered_at"] and not c["stored"] for c in share["copies"])
    entries = [e for e in api["auditor"].get("/api/v1/audit").json()["data"] if (e["subject_type"], e["subject_id"]) == ("share", str(share["id"]))]
    assert {e["action"] for e in entries} == {"share", "copy.deliver", "copy.discard"}
    assert {e["details"]["via"] for e in entries if e["action"] == "copy.deliver"} == {"zip"}
    assert client.post(f"/share/{share['id']}/copies.zip", data={"csrf_token": client.csrf}).status_code == 409


def test_copies_waiting_for_delivery_are_offered_to_their_sender_once(pages, api, seeded):
    rows = api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "to": ["Borealis Moulding AB"], "note": "waits"}).json()
    share_id = rows[0]["share_id"]
    link = f'<form method="post" action="/share/{share_id}/copies.zip" class="inline"'  # then its busy state (static/busy.js)
    form = {"csrf_token": pages["analyst"].csrf}
    assert link in pages["analyst"].get("/share").text and "1 waiting for delivery" in pages["analyst"].get("/share").text
    assert link not in pages["auditor"].get("/share").text and link not in pages["admin"].get("/share").text
    assert pages["auditor"].post(f"/share/{share_id}/copies.zip", data={"csrf_token": pages["auditor"].csrf}).status_code == 403
    assert pages["analyst"].get(f"/share/{share_id}/copies.zip").status_code == 405  # a GET never delivers
    r = pages["analyst"].post(f"/share/{share_id}/copies.zip", data=form)
    assert r.status_code == 200 and r.headers["content-disposition"] == f'attachment; filename="share-{share_id}-copies.zip"'
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert [hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()] == [rows[0]["sha256"]]
    assert pages["analyst"].post(f"/share/{share_id}/copies.zip", data=form).status_code == 409
    assert link not in pages["analyst"].get("/share").text


def test_a_document_share_downloads_its_pdf_copies(pages, api):
    from tests.web.conftest import tiny_pdf

    client = pages["analyst"]
    r = api["analyst"].post("/api/v1/assets", files={"file": ("pack.pdf", tiny_pdf(1, seed=11), "application/pdf")}, data={"title": "Pack"})
    doc = r.json()[0]
    assert f'<option value="{doc["id"]}" selected>#{doc["id"]} Pack (PDF, 1 page)</option>' in client.get(f"/share?asset={doc['id']}").text
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(doc["id"]), "to": ["1", "2"], "note": "pdf share"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    share = api["auditor"].get("/api/v1/shares").json()["data"][-1]
    assert share["asset_id"] == doc["id"] and r.headers["content-disposition"].endswith(f'-asset-{doc["id"]}.zip"')
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert sorted(archive.namelist()) == sorted(c["filename"] for c in share["copies"]) and all(n.endswith(".pdf") for n in archive.namelist())
    assert all(archive.read(n).startswith(b"%PDF-") for n in archive.namelist())
    assert sorted(hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()) == sorted(c["sha256"] for c in share["copies"])
