"""/assets: tiles for every role, uploads for analysts (duplicates reported), the original behind the thumbnails."""

from __future__ import annotations

import re

import cv2

from tests.conftest import DATA, photo


def _png(seed: int, size=(96, 128)) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(photo(seed, size), cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


def test_the_tiles(pages, seeded):
    html = pages["auditor"].get("/assets").text
    assert f'<img src="/assets/{seeded.asset_id}/thumbnail" alt="Bumper assembly"' in html
    assert "480×320 · bumper.png" in html and "Register a confidential original" not in html
    analyst = pages["analyst"].get("/assets").text
    assert "Register a confidential original" in analyst and "up to 50 MB" in analyst
    assert f'<a href="/share?asset={seeded.asset_id}">share</a>' in analyst


def test_upload_registers_once(pages, api):
    client = pages["analyst"]
    data = _png(21)
    r = client.post(
        "/assets",
        data={"csrf_token": client.csrf, "title": " Grille rev A "},
        files={"file": ("grille.png", data, "image/png")},
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, "/assets")
    row = next(a for a in api["auditor"].get("/api/v1/assets").json()["data"] if a["title"] == "Grille rev A")
    assert (row["width"], row["height"], row["filename"]) == (128, 96, "grille.png")
    html = client.get("/assets").text
    assert f"grille.png registered as asset {row['id']} (128×96)." in html and "Grille rev A" in html
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("again.png", data, "image/png")})
    assert f"again.png was already registered as asset {row['id']} (128×96)." in r.text  # the redirect, followed
    assert sum(a["title"] == "Grille rev A" for a in api["auditor"].get("/api/v1/assets").json()["data"]) == 1
    untitled = _png(22)
    client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("hood.png", untitled, "image/png")})
    assert any(a["title"] == "hood" for a in api["auditor"].get("/api/v1/assets").json()["data"])  # the file's stem


def test_bad_uploads(pages):
    client = pages["analyst"]
    truncated = (DATA / "truncated.png").read_bytes()
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("truncated.png", truncated, "image/png")})
    assert r.status_code == 400 and "truncated.png" in r.text
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("notes.txt", b"hello", "text/plain")})
    assert r.status_code == 415
    r = client.post("/assets", data={"csrf_token": client.csrf}, files={"file": ("empty.png", b"", "image/png")})
    assert r.status_code == 400
    assert client.post("/assets", data={"csrf_token": client.csrf}).status_code == 422  # no file at all
    auditor = pages["auditor"]
    r = auditor.post("/assets", data={"csrf_token": auditor.csrf}, files={"file": ("x.png", _png(23), "image/png")})
    assert r.status_code == 403


def test_the_original_behind_the_thumbnail(pages, seeded):
    r = pages["auditor"].get(f"/assets/{seeded.asset_id}/image")
    assert r.status_code == 200 and r.content == seeded.image.read_bytes()
    assert r.headers["content-type"] == "image/png" and r.headers["cache-control"] == "no-store"
    assert pages["auditor"].get("/assets/987654/image").status_code == 404
    assert pages["auditor"].get("/assets/one/image").status_code == 422


def test_thumbnails_are_small_pngs_of_the_original(pages, seeded):
    import numpy as np

    r = pages["auditor"].get(f"/assets/{seeded.asset_id}/thumbnail")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.headers["cache-control"] == "no-store"
    small = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    full = cv2.imdecode(np.frombuffer(seeded.image.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert max(small.shape[:2]) == min(480, max(full.shape[:2])) and len(r.content) < len(seeded.image.read_bytes())
    assert pages["auditor"].get(f"/assets/{seeded.asset_id}/thumbnail").content == r.content  # made once, kept
    assert pages["auditor"].get("/assets/987654/thumbnail").status_code == 404


def test_a_document_upload_and_its_page_thumbnails(pages, api):
    from tests.web.conftest import tiny_pdf

    client = pages["analyst"]
    r = client.post(
        "/assets", data={"csrf_token": client.csrf, "title": "Sketch pack"}, files={"file": ("sketch.pdf", tiny_pdf(2, seed=7), "application/pdf")}
    )
    row = next(a for a in api["auditor"].get("/api/v1/assets").json()["data"] if a["title"] == "Sketch pack")
    assert (row["kind"], row["pages"]) == ("document", 2)
    assert f"sketch.pdf registered as asset {row['id']} (a document of 2 pages)." in r.text  # the redirect, followed
    html = pages["auditor"].get("/assets").text
    tile = next(t for t in html.split("<article ")[1:] if "<h3>Sketch pack</h3>" in t).split("</article>")[0]
    assert tile.startswith('class="tile document">')
    page_ids = [int(i) for i in re.findall(r'<img src="/assets/(\d+)/thumbnail" alt="Page \d"', tile)]
    assert len(page_ids) == 2 and page_ids[0] != row["id"]
    assert f'<img src="/assets/{page_ids[0]}/thumbnail" alt="Sketch pack, page 1" loading="lazy">' in tile  # the tile shows page 1, not the PDF
    assert "PDF document</span> · 2 pages · sketch.pdf" in tile and "<summary>2 pages</summary>" in tile
    assert tile.count('loading="lazy"') == 3 and 'width="72" height="90"' in tile
    for page_id in page_ids:
        image = pages["auditor"].get(f"/assets/{page_id}/image")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    original = pages["auditor"].get(f"/assets/{row['id']}/image")
    assert original.headers["content-type"] == "application/pdf" and original.content == tiny_pdf(2, seed=7)


def _upload(client, api, seed: int, title: str) -> int:
    client.post("/assets", data={"csrf_token": client.csrf, "title": title}, files={"file": (f"{seed}.png", _png(seed), "image/png")})
    return next(a["id"] for a in api["auditor"].get("/api/v1/assets").json()["data"] if a["title"] == title)


def test_edit_a_title_and_a_failed_edit_keeps_what_was_typed(pages, api):
    client = pages["analyst"]
    asset_id = _upload(client, api, 31, "Mirror cap")
    html = client.get("/assets").text
    assert f'action="/assets/{asset_id}/edit" class="row" data-busy="Saving…"' in html
    assert f'action="/assets/{asset_id}/archive" class="row" data-busy="Archiving…"' in html
    r = client.post(f"/assets/{asset_id}/edit", data={"csrf_token": client.csrf, "title": "Mirror cap, rev B"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/assets"
    assert f"Asset {asset_id} is now titled “Mirror cap, rev B”." in client.get("/assets?q=mirror").text
    r = client.post(f"/assets/{asset_id}/edit", data={"csrf_token": client.csrf, "title": "x" * 501})
    assert r.status_code == 422  # longer than the form allows
    r = client.post(f"/assets/{asset_id}/edit", data={"csrf_token": client.csrf, "title": "   "})
    assert r.status_code == 400 and "An asset needs a title." in r.text
    tile = next(t for t in r.text.split("<article ")[1:] if f'action="/assets/{asset_id}/edit"' in t)
    assert '<details class="manage" open>' in tile and 'value="   "' in tile  # the form shown again, open, with what was typed
    assert pages["auditor"].post(f"/assets/{asset_id}/edit", data={"csrf_token": pages["auditor"].csrf, "title": "Sneaky"}).status_code == 403
    assert api["auditor"].get("/api/v1/assets", params={"q": "Mirror cap"}).json()["data"][0]["title"] == "Mirror cap, rev B"


def test_archive_hides_an_asset_from_the_list_and_the_share_form_until_restored(pages, api):
    client = pages["analyst"]
    asset_id = _upload(client, api, 32, "Old hood")
    r = client.post(f"/assets/{asset_id}/archive", data={"csrf_token": client.csrf}, follow_redirects=True)
    assert f"Asset {asset_id} (Old hood) archived: still traced" in r.text
    assert 'alt="Old hood"' not in client.get("/assets").text
    offered = f'<option value="{asset_id}"'  # an asset choice (a recipient's checkbox may hold the same number)
    assert offered not in client.get("/share").text and offered not in client.get("/trace").text
    archived = client.get("/assets?state=archived").text
    assert 'alt="Old hood"' in archived and '<option value="archived" selected>' in archived
    assert f'action="/assets/{asset_id}/restore"' in archived and f'<a href="/share?asset={asset_id}">' not in archived
    r = client.post(f"/assets/{asset_id}/archive", data={"csrf_token": client.csrf})
    assert r.status_code == 409 and f"Asset {asset_id} is archived already." in r.text and 'alt="Old hood"' in r.text
    assert client.get("/assets?state=gone").status_code == 400
    r = client.post(f"/assets/{asset_id}/restore", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/assets?state=archived")
    assert 'alt="Old hood"' in client.get("/assets").text
    client.post(f"/assets/{asset_id}/archive", data={"csrf_token": client.csrf})  # left archived: the other tests' lists stay as they were
