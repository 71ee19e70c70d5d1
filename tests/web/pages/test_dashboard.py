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


def test_recent_work_is_listed(pages, api, seeded):
    """The 8 newest shares and findings. Other tests add shares to the session's workspace, so the seeded
    share is looked for only while it is still among the 8 newest."""
    html = pages["analyst"].get("/").text
    assert f'<a href="/findings/{seeded.finding_id}">{seeded.finding_id}</a>' in html
    assert f'<a href="/cases/{seeded.case_id}">{seeded.case_id}</a>' in html
    assert '<span class="accused">Borealis Moulding AB</span>' in html
    newest = sorted(api["auditor"].get("/api/v1/shares").json()["data"], key=lambda s: (s["created_at"], s["id"]))[-8:]
    assert all(f'<td data-label="#">{s["id"]}</td>' in html for s in newest)
    if seeded.share_id in [s["id"] for s in newest]:
        assert "Bumper assembly" in html and "Tender round 1" in html
        assert "Apex Plastics GmbH, Borealis Moulding AB, Castellan Composites SpA" in html  # the seeded share's copies
    assert len(re.findall(r'<a href="/findings/\d+">', html)) <= 8  # recent only


def test_the_dashboard_needs_a_login(anon):
    r = anon.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")


def test_due_remediation_actions_are_on_the_dashboard(tmp_path):
    """A workspace of its own (the session's seeded case must stay as it is): an overdue action and one due in 3 days are listed, a later one not."""
    from datetime import UTC, datetime, timedelta

    import numpy as np

    from leaktrace.services.workspace import Workspace
    from leaktrace.web.app import create_app
    from tests.conftest import record_finding, save
    from tests.web.conftest import PASSWORDS, login

    home = tmp_path / "ws"
    with Workspace.init(home) as ws:
        ws.add_user("analyst", "analyst", PASSWORDS["analyst"])
    finding = record_finding(home, save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8)), ["Apex"], accused=("Apex",))
    today = datetime.now(UTC).date()
    with Workspace(home) as ws:
        case = ws.open_case(finding).id
        for text, days in (("recall the drawings", -2), ("sign the new NDA", 3), ("training", 40)):
            ws.update_case(case, add_action=text, due=(today + timedelta(days=days)).isoformat())
        settings = ws.context.settings
    html = login(create_app(settings), "analyst").get("/").text
    assert "<h2>Remediation due</h2>" in html
    assert "recall the drawings" in html and "<strong>overdue by 2 d</strong>" in html
    assert "sign the new NDA" in html and "in 3 d" in html
    assert "training" not in html
