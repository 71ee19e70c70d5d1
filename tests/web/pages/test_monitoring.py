"""Monitoring: the scans on a page of their own and under /api/v1/scans, the same documents as `scan --json`."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from leaktrace.services import scans
from leaktrace.services.workspace import Workspace
from leaktrace.web.app import create_app
from tests.conftest import photo, save
from tests.web.conftest import PASSWORDS, login


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    """A workspace with an asset shared to Apex and Borealis, and one scan: a leak of Borealis's copy, an unrelated image, a broken file."""
    root = tmp_path_factory.mktemp("monitoring")
    ws = Workspace.init(root / "ws")
    ws.add_user("analyst", "analyst", PASSWORDS["analyst"])
    asset = ws.add_assets([save(root / "bumper.png", photo(4, (240, 360)))])[0]
    for name in ("Apex", "Borealis"):
        ws.add_recipient(name)
    ws.share(asset["id"], ["Apex", "Borealis"], root / "out")
    crawl = root / "crawl"
    crawl.mkdir()
    copy = cv2.imread(str(next((root / "out").glob("*borealis*"))))
    assert cv2.imwrite(str(crawl / "leak.jpg"), copy[12:210, 15:320], [cv2.IMWRITE_JPEG_QUALITY, 80])
    save(crawl / "noise.png", np.random.default_rng(0).integers(0, 255, (150, 200, 3), dtype=np.uint8))
    (crawl / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = scans.scan(ws.context, [crawl])
    token = ws.create_token("analyst", name="tests")["token"]
    app = create_app(ws.context.settings)
    yield app, token, result
    ws.close()


def test_the_api_answers_what_scan_json_prints(monitored):
    app, token, result = monitored
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    listed = api.get("/api/v1/scans").json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == result.id and listed["data"][0]["matched"] == 1
    shown = api.get(f"/api/v1/scans/{result.id}").json()
    assert shown == result.to_dict()
    assert shown["hits"][0]["accused"] == ["Borealis"]
    assert api.get("/api/v1/scans/99").status_code == 404
    assert TestClient(app).get("/api/v1/scans").status_code == 401


def test_the_pages_list_the_scans_and_each_scans_hits_and_failures(monitored):
    app, _, result = monitored
    client = login(app, "analyst")
    html = client.get("/monitoring").text
    assert f'<a href="/monitoring/{result.id}">{result.id}</a>' in html and "<strong>1</strong>" in html
    assert '<a href="/monitoring" class="here">Monitoring</a>' in html
    page = client.get(f"/monitoring/{result.id}").text
    hit = result.hits[0]
    assert '<span class="accused">Borealis</span>' in page and f'<a href="/findings/{hit.finding_id}">{hit.finding_id}</a>' in page
    assert "broken.png" in page and "not an image file" in page
    assert client.get("/monitoring/99").status_code == 404
