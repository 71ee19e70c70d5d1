"""The pages, driven like a browser without JavaScript: every step of the analyst's day, and load times."""

from __future__ import annotations

import io
import re
import time
import zipfile

from tests.web.conftest import leak_from


def test_every_page_renders_for_every_role(pages, seeded):
    for role, client in pages.items():
        for path in (
            "/",
            "/recipients",
            "/assets",
            "/share",
            "/trace",
            "/findings",
            f"/findings/{seeded.finding_id}",
            "/cases",
            f"/cases/{seeded.case_id}",
            "/audit",
        ):
            r = client.get(path)
            assert r.status_code == 200, (role, path, r.text[:300])
            assert f'<span class="role role-{role}">{role}</span>' in r.text
        assert ("Users</a>" in client.get("/").text) == (role == "admin")


def test_dashboard_shows_recent_work(pages, seeded):
    from leaktrace import Workspace

    html = pages["auditor"].get("/").text
    with Workspace(seeded.home) as ws:
        latest = ws.list_findings(limit=1)[0]  # other tests trace and share in this workspace too: the newest are shown
        share = ws.list_shares()[-1]
    assert "Recent findings" in html and f'<a href="/findings/{latest.id}">{latest.id}</a>' in html
    assert (share.note or "") in html and "Open cases" in html


def test_share_downloads_a_zip_of_copies(pages, seeded):
    client = pages["analyst"]
    ids = [m for m in re.findall(r'name="to" value="(\d+)"', client.get("/share").text)][:2]
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ids, "note": "via page"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert "attachment" in r.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert len(names) == 2 and all(n.endswith(".png") for n in names)
    assert "via page" in client.get("/share").text


def test_trace_page_to_finding_to_case(pages, seeded):
    client = pages["analyst"]
    copy = seeded.copy_files["Apex Plastics GmbH"].read_bytes()
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("repost.jpg", leak_from(copy), "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    html = client.get(url).text
    assert "Accused: <strong>Apex Plastics GmbH</strong>" in html
    assert 'class="bar hot"' in html and 'class="threshold"' in html  # the chart with the threshold
    assert "Open case" in html
    finding_id = int(url.rsplit("/", 1)[1])
    r = client.post("/cases", data={"csrf_token": client.csrf, "finding_id": str(finding_id), "nda": "NDA-7"}, follow_redirects=False)
    assert r.status_code == 303
    case_url = r.headers["location"]
    r = client.post(
        case_url, data={"csrf_token": client.csrf, "status": "notified", "add_action": "Audit the supplier", "note": "Called"}, follow_redirects=False
    )
    assert r.status_code == 303
    html = client.get(case_url).text
    assert "Audit the supplier" in html and "Called" in html and "notified" in html and "NDA-7" in html
    assert "Open case" not in client.get(url).text  # a case is open now


def test_audit_page_verifies_the_chain(pages):
    html = pages["auditor"].get("/audit?verify=1").text
    assert "The hash chain is intact" in html


def test_users_page_shows_a_new_token_once(pages):
    client = pages["admin"]
    r = client.post("/tokens", data={"csrf_token": client.csrf, "owner": "auditor", "name": "page test", "reason": "the auditor's export job"})
    assert r.status_code == 201
    token = re.search(r"(lt_[A-Za-z0-9_\-]+)", r.text).group(1)
    assert token not in client.get("/users").text
    assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_images_are_served_only_to_logged_in_users(pages, anon, seeded):
    r = pages["auditor"].get(f"/assets/{seeded.asset_id}/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.headers["cache-control"] == "no-store"
    assert anon.get(f"/assets/{seeded.asset_id}/image", follow_redirects=False).status_code == 303
    assert pages["auditor"].get(f"/findings/{seeded.finding_id}/leak").headers["content-type"] == "image/jpeg"


def _median_ms(client, path: str, n: int = 7) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[n // 2]


def test_page_load_times(pages, seeded, record_property):
    """Server time (TestClient, in-process) for the two busiest pages; generous ceilings, real numbers reported."""
    client = pages["analyst"]
    dashboard = _median_ms(client, "/")
    finding = _median_ms(client, f"/findings/{seeded.finding_id}")
    record_property("dashboard_ms", round(dashboard, 1))
    record_property("finding_ms", round(finding, 1))
    print(f"\npage load (median of 7, in-process): dashboard {dashboard:.1f} ms, finding {finding:.1f} ms")
    assert dashboard < 500 and finding < 500
