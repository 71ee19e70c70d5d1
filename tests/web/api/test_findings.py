"""/api/v1/findings and the report routes."""


def test_list_and_show(api, seeded):
    listed = api["auditor"].get("/api/v1/findings").json()
    assert seeded.finding_id in [f["id"] for f in listed["data"]]
    assert api["auditor"].get("/api/v1/findings?limit=1").json()["count"] == 1
    f = api["auditor"].get(f"/api/v1/findings/{seeded.finding_id}").json()
    assert f["accused"] == ["Borealis Moulding AB"]
    assert f["threshold"] > 4 and f["epsilon"] == 1e-6
    assert [c["accused"] for c in f["candidates"]] == [True, False, False]


def test_report_routes(api, app, seeded):
    for fmt, kind in (("pdf", "application/pdf"), ("html", "text/html")):
        r = api["analyst"].post(f"/api/v1/findings/{seeded.finding_id}/report.{fmt}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind)
    assert api["analyst"].post("/api/v1/findings/999999/report.pdf").json() == {"error": "no finding numbered 999999", "status": 404}


def test_reports_go_through_workspace_report(api, pages, app, seeded, monkeypatch):
    calls = []

    def report(finding_id, fmt, *, actor=None):
        calls.append((finding_id, fmt, actor))
        return b"%PDF-1.7 fake" if fmt == "pdf" else b"<!doctype html><title>report</title>"

    monkeypatch.setattr(app.state.workspace, "report", report, raising=False)
    r = api["analyst"].post(f"/api/v1/findings/{seeded.finding_id}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="finding-{seeded.finding_id}.pdf"'
    r = pages["analyst"].post(f"/findings/{seeded.finding_id}/report.html", data={"csrf_token": pages["analyst"].csrf})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert calls == [(seeded.finding_id, "pdf", "analyst"), (seeded.finding_id, "html", "analyst")]
    assert "Download report (PDF)" in pages["analyst"].get(f"/findings/{seeded.finding_id}").text
