"""/share/progress/<token>: the share page's count of copies made, per user, and its script."""

from __future__ import annotations

import io
import zipfile

from leaktrace.web.pages import shares as share_page


def test_a_share_reports_each_copy_then_finishes(pages, api, seeded, monkeypatch):
    client = pages["analyst"]
    seen = []
    real = share_page._set_progress
    monkeypatch.setattr(share_page, "_set_progress", lambda key, value: seen.append(value) or real(key, value))
    ids = [str(r["id"]) for r in api["auditor"].get("/api/v1/recipients").json()["data"]][:3]
    assert client.get("/share/progress/tok-12345678").json() == {"done": 0, "total": 0, "recipient": "", "finished": False}
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ids, "progress": "tok-12345678"})
    assert r.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == 3
    assert [v[:2] for v in seen] == [(1, 3), (2, 3), (3, 3), (3, 3)] and seen[-1][3] is True
    assert client.get("/share/progress/tok-12345678").json() == {"done": 3, "total": 3, "recipient": "", "finished": True}
    assert ("analyst", "tok-12345678") in share_page._PROGRESS  # kept per user: another's token tells nothing
    assert pages["auditor"].get("/share/progress/tok-12345678").status_code == 403


def test_the_form_carries_a_progress_field_and_script(pages, seeded):
    html = pages["analyst"].get("/share").text
    assert 'data-progress="share-progress"' in html and 'name="progress"' in html and "/static/share.js" in html
    js = pages["analyst"].get("/static/share.js")
    assert js.status_code == 200 and "/share/progress/" in js.text


def test_a_bad_token_is_ignored(pages, api, seeded):
    client = pages["analyst"]
    ids = [str(r["id"]) for r in api["auditor"].get("/api/v1/recipients").json()["data"]][:1]
    r = client.post("/share", data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id), "to": ids, "progress": "../x"})
    assert r.status_code == 200
    assert all(key[1] != "../x" for key in share_page._PROGRESS)
