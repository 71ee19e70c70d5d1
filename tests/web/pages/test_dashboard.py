"""dashboard: the counts, recent findings, open cases and recent shares of the workspace."""

from __future__ import annotations

import re


def test_counts_agree_with_the_api(pages, api):
    html = pages["auditor"].get("/").text
    recipients = len(api["auditor"].get("/api/v1/recipients").json()["data"])
    assets = len(api["auditor"].get("/api/v1/assets").json()["data"])
    assert f"<b>{recipients}</b> recipients" in html and f"<b>{assets}</b> assets" in html
    open_cases = [c for c in api["auditor"].get("/api/v1/cases").json()["data"] if c["status"] != "closed"]
    assert f"<b>{len(open_cases)}</b> open cases" in html


def test_recent_work_is_listed(pages, seeded):
    html = pages["analyst"].get("/").text
    assert f'<a href="/findings/{seeded.finding_id}">{seeded.finding_id}</a>' in html
    assert f'<a href="/cases/{seeded.case_id}">{seeded.case_id}</a>' in html
    assert '<span class="accused">Borealis Moulding AB</span>' in html
    assert "Bumper assembly" in html and "Tender round 1" in html
    assert "Apex Plastics GmbH, Borealis Moulding AB, Castellan Composites SpA" in html  # the seeded share's copies
    assert len(re.findall(r'<a href="/findings/\d+">', html)) <= 8  # recent only


def test_the_dashboard_needs_a_login(anon):
    r = anon.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")
