"""Evidence reports as downloads: media type, file name, and an audit entry naming who made it."""

from __future__ import annotations

import hashlib

import pytest

from leaktrace.services.workspace import Workspace


@pytest.mark.parametrize("fmt, media, magic", [("html", "text/html; charset=utf-8", b"<!DOCTYPE html"), ("pdf", "application/pdf", b"%PDF")])
def test_a_report_is_an_attachment_of_its_format(api, seeded, fmt, media, magic):
    r = api["analyst"].post(f"/api/v1/findings/{seeded.finding_id}/report.{fmt}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media
    assert r.headers["content-disposition"] == f'attachment; filename="finding-{seeded.finding_id}.{fmt}"'
    assert r.content.lstrip()[: len(magic)].lower() == magic.lower()
    ws = Workspace(seeded.home)
    try:
        entry = next(
            e for e in ws.list_audit(limit=20) if e["action"] == "report" and e["details"]["sha256"] == hashlib.sha256(r.content).hexdigest()
        )
        assert entry["actor"] == "analyst" and entry["details"]["format"] == fmt
    finally:
        ws.close()


def test_an_unknown_finding_is_404(api):
    r = api["analyst"].post("/api/v1/findings/999999/report.html")
    assert r.status_code == 404 and r.json()["status"] == 404


def test_an_auditor_may_not_make_one(api, seeded):
    """Making a report is an audited act of an analyst; an auditor reads the log, not the evidence."""
    r = api["auditor"].post(f"/api/v1/findings/{seeded.finding_id}/report.html")
    assert r.status_code == 403 and r.json() == {
        "error": "auditor (auditor) may not make evidence reports; that needs the analyst role.",
        "status": 403,
    }
