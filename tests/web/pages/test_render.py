"""_render: pages render with the user, the nav and the flash messages (each shown once); POSTs answer 303."""

from __future__ import annotations

from types import SimpleNamespace

from leaktrace.web.pages._render import flash, redirect


def test_redirect_is_see_other():
    r = redirect("/cases/3")
    assert r.status_code == 303 and r.headers["location"] == "/cases/3"


def test_flash_appends_to_the_session():
    request = SimpleNamespace(session={})
    flash(request, "Recipient X registered (id 9).")
    flash(request, "Nothing changed.", "info")
    assert request.session["flash"] == [{"kind": "ok", "text": "Recipient X registered (id 9)."}, {"kind": "info", "text": "Nothing changed."}]


def test_a_flash_is_shown_once_on_the_next_page(pages):
    client = pages["analyst"]
    r = client.post("/recipients", data={"csrf_token": client.csrf, "name": "Render Flash Ltd"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/recipients"
    first = client.get("/recipients").text
    assert first.count('class="flash flash-ok"') == 1 and "Recipient Render Flash Ltd registered (id " in first
    assert "flash-ok" not in client.get("/recipients").text


def test_the_page_knows_its_user_and_path(pages):
    html = pages["auditor"].get("/cases").text
    assert '<span class="role role-auditor">auditor</span>' in html
    assert '<a href="/cases" class="here">Cases</a>' in html and '<a href="/findings" >Findings</a>' in html
    assert 'name="csrf_token" value="' in html  # the log-out form carries the session's token


def test_render_status_codes(pages):
    r = pages["admin"].post(
        "/tokens", data={"csrf_token": pages["admin"].csrf, "owner": "auditor", "name": "render", "reason": "the auditor's export job"}
    )
    assert r.status_code == 201 and "<title>Users and tokens · leaktrace</title>" in r.text
