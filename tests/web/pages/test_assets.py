"""/assets: tiles for every role, uploads for analysts (duplicates reported), the original behind the thumbnails."""

from __future__ import annotations

import cv2

from tests.conftest import DATA, photo


def _png(seed: int, size=(96, 128)) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(photo(seed, size), cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


def test_the_tiles(pages, seeded):
    html = pages["auditor"].get("/assets").text
    assert f'<img src="/assets/{seeded.asset_id}/image" alt="Bumper assembly"' in html
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
