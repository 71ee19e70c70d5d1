"""/findings: the list, one finding (verdict, score chart with the threshold), its leak image and its reports."""

from __future__ import annotations

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
    assert f"/findings/{seeded.finding_id}/report.html" in html
    auditor = pages["auditor"].get(f"/findings/{seeded.finding_id}").text
    assert "report.html" not in auditor  # an auditor may read, not issue reports


def test_the_leak_image_and_unknown_findings(pages, seeded):
    r = pages["auditor"].get(f"/findings/{seeded.finding_id}/leak")
    assert r.status_code == 200 and r.content == seeded.leak and r.headers["content-type"] == "image/jpeg"
    assert r.headers["cache-control"] == "private, max-age=3600"
    assert pages["auditor"].get("/findings/987654").status_code == 404
    assert pages["auditor"].get("/findings/987654/leak").status_code == 404
    assert pages["auditor"].get("/findings/abc").status_code == 422


def test_the_html_report(pages, seeded):
    r = pages["analyst"].get(f"/findings/{seeded.finding_id}/report.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert b"Borealis Moulding AB" in r.content and b"<img" in r.content
    assert pages["auditor"].get(f"/findings/{seeded.finding_id}/report.html").status_code == 403
    assert pages["analyst"].get("/findings/987654/report.html").status_code == 404
