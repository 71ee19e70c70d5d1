"""/findings: the list, one finding (verdict, score chart with the threshold), its leak image and its reports."""

from __future__ import annotations

import hashlib

import pytest

from leaktrace.records import RecipientScore
from leaktrace.web.pages.findings import CHART_WIDTH, LABEL_WIDTH, PAD, ROW, score_chart


def _score(name: str, score: float, accused: bool = False) -> RecipientScore:
    return RecipientScore(name, 1, score, 1.0, accused)


def test_score_chart_geometry():
    """Scores 10 (accused) and −2 with τ* = 5.5: the axis runs from −2 to 1.04 × 10 = 10.4."""
    chart = score_chart((_score("A", 10.0, True), _score("B", -2.0)), 5.5)
    plot = CHART_WIDTH - LABEL_WIDTH - 16  # 534 units for 12.4 score units

    def x(v):
        return LABEL_WIDTH + (v + 2.0) / 12.4 * plot

    assert chart["zero"] == pytest.approx(x(0.0)) == pytest.approx(296.129, abs=1e-3)
    a, b = chart["bars"]
    assert (a["x"], a["w"], a["y"], a["accused"]) == (pytest.approx(x(0.0)), pytest.approx(10 / 12.4 * plot), PAD, True)
    assert (b["x"], b["w"], b["y"], b["accused"]) == (pytest.approx(LABEL_WIDTH), pytest.approx(2 / 12.4 * plot), PAD + ROW, False)
    assert chart["threshold"] == {"x": pytest.approx(x(5.5)), "value": 5.5}
    assert [t["label"] for t in chart["ticks"]] == [-2, 0, 2, 4, 6, 8, 10]
    assert chart["height"] == PAD + 2 * ROW + 30 and chart["axis_y"] == PAD + 2 * ROW + 4


def test_score_chart_without_threshold_and_tiny_scores():
    chart = score_chart((_score("A", 0.0),), float("inf"))
    assert chart["threshold"] is None
    assert chart["bars"][0]["w"] == 1.0  # a zero score still shows a sliver
    assert [t["label"] for t in chart["ticks"]] == [0, 1]
    wide = score_chart((_score("A", 40.0),), 6.0)
    assert all(t["label"] % 5 == 0 for t in wide["ticks"])


def test_the_list(pages, seeded):
    html = pages["auditor"].get("/findings").text
    assert f'<a href="/findings/{seeded.finding_id}">{seeded.finding_id}</a>' in html
    assert '<span class="accused">Borealis Moulding AB</span>' in html


def test_one_finding(pages, seeded):
    html = pages["analyst"].get(f"/findings/{seeded.finding_id}").text
    assert "Accused: <strong>Borealis Moulding AB</strong>" in html
    assert "among the 3 recipients tested is at most <strong>1e-06</strong> (1 in 1,000,000)" in html
    assert 'class="bar hot"' in html and 'class="threshold"' in html
    assert f'<a href="/cases/{seeded.case_id}">{seeded.case_id}</a>' in html and "Open case" not in html
    assert f'<form method="post" action="/findings/{seeded.finding_id}/report.html"' in html
    # what each test read, in the report's words, and which one each score came from
    assert "<th>read from</th>" in html
    assert "each recipient on the fingerprint in the grey levels; on where the lines are, read from the grey levels;" in " ".join(html.split())
    auditor = pages["auditor"].get(f"/findings/{seeded.finding_id}").text
    assert "report.html" not in auditor  # an auditor may read, not issue reports


def test_the_leak_image_and_unknown_findings(pages, seeded):
    r = pages["auditor"].get(f"/findings/{seeded.finding_id}/leak")
    assert r.status_code == 200 and r.content == seeded.leak and r.headers["content-type"] == "image/jpeg"
    assert r.headers["cache-control"] == "no-store"
    assert pages["auditor"].get("/findings/987654").status_code == 404
    assert pages["auditor"].get("/findings/987654/leak").status_code == 404
    assert pages["auditor"].get("/findings/abc").status_code == 422


def test_the_html_report(pages, seeded):
    form = {"csrf_token": pages["analyst"].csrf}
    r = pages["analyst"].post(f"/findings/{seeded.finding_id}/report.html", data=form)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert b"Borealis Moulding AB" in r.content and b"<img" in r.content
    assert pages["auditor"].post(f"/findings/{seeded.finding_id}/report.html", data={"csrf_token": pages["auditor"].csrf}).status_code == 403
    assert pages["analyst"].post("/findings/987654/report.html", data=form).status_code == 404
    assert pages["analyst"].post(f"/findings/{seeded.finding_id}/report.html").status_code == 403  # a form without its CSRF token
    assert pages["analyst"].get(f"/findings/{seeded.finding_id}/report.html").status_code == 405  # a GET never makes (and records) a report


def test_a_leak_that_is_a_copy_is_not_shown_and_only_an_admin_downloads_it_with_a_reason(pages, api, seeded):
    """seeded.copy_finding_id traced an untouched copy made for Apex: its leak file IS that copy."""
    copy_bytes = seeded.copy_leak
    url = f"/findings/{seeded.copy_finding_id}/leak"
    for role in ("auditor", "analyst"):
        html = pages[role].get(f"/findings/{seeded.copy_finding_id}").text
        assert "is byte for byte the copy share" in html and f'src="{url}"' not in html and f'action="{url}"' not in html
        r = pages[role].get(url)
        assert r.status_code == 403 and copy_bytes not in r.content
        assert "only an admin may download it, with a reason recorded in the audit log." in r.text
        assert pages[role].post(url, data={"csrf_token": pages[role].csrf, "reason": "curious"}).status_code == 403
    admin = pages["admin"]
    html = admin.get(f"/findings/{seeded.copy_finding_id}").text
    assert f'action="{url}"' in html and 'name="reason" required' in html and f'src="{url}"' not in html
    assert admin.get(url).status_code == 400  # a GET carries no reason
    assert admin.post(url, data={"csrf_token": admin.csrf, "reason": " "}).status_code == 400
    assert admin.post(url, data={"reason": "no csrf"}).status_code == 403
    r = admin.post(url, data={"csrf_token": admin.csrf, "reason": "legal asked for the exhibit"})
    assert r.status_code == 200 and r.content == copy_bytes and r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"] == 'attachment; filename="bracket--apex-plastics-gmbh.png"'
    entry = api["auditor"].get("/api/v1/audit?limit=1").json()["data"][0]
    assert (entry["actor"], entry["action"], entry["subject_type"], entry["subject_id"]) == (
        "admin",
        "copy.download",
        "share",
        str(seeded.copy_share_id),
    )
    assert {k: v for k, v in entry["details"].items() if k != "seal"} == {
        "recipient_id": 1,
        "copy_sha256": hashlib.sha256(copy_bytes).hexdigest(),
        "reason": "legal asked for the exhibit",
        "via": "leak",
        "finding_id": seeded.copy_finding_id,
    }


def test_a_leak_that_is_not_a_copy_is_shown_to_every_reader_without_an_entry(pages, api, seeded):
    html = pages["auditor"].get(f"/findings/{seeded.finding_id}").text
    assert f'src="/findings/{seeded.finding_id}/leak"' in html and "byte for byte the copy" not in html
    before = api["auditor"].get("/api/v1/audit?limit=1").json()["data"][0]["id"]
    assert pages["auditor"].get(f"/findings/{seeded.finding_id}/leak").content == seeded.leak
    assert api["auditor"].get("/api/v1/audit?limit=1").json()["data"][0]["id"] == before
