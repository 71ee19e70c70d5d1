"""The invitations page: every invitation with its state, a pending one cancelled by an analyst (its
link then answers as an unknown one), and the invite form that e-mails the link when the workspace
has an SMTP relay; the REST routes alongside."""

from __future__ import annotations

import dataclasses
import re

from leaktrace.services import portal
from tests.services.test_reminders import relay  # noqa: F401 - the relay fixture
from tests.web.conftest import TestClient

UNKNOWN = "This invitation link is not known; ask the sender for a new one."


def _invite(app, email: str):
    return portal.invite(app.state.workspace.context, "3", email, actor="analyst", base_url="http://testserver")


def test_the_list_shows_states_and_an_analyst_cancels_a_pending_one(app, pages, seeded):
    made = _invite(app, "list@castellan.example")
    analyst, auditor = pages["analyst"], pages["auditor"]
    html = analyst.get("/invitations").text
    row = next(r for r in html.split("<tr>") if "list@castellan.example" in r)
    assert "pending" in row and f'action="/invitations/{made.id}/cancel"' in row and made.token not in html
    assert f'action="/invitations/{made.id}/cancel"' not in auditor.get("/invitations").text
    assert "list@castellan.example" in analyst.get("/invitations?recipient=3&state=pending").text
    assert "list@castellan.example" not in analyst.get("/invitations?state=accepted").text
    r = analyst.post(f"/invitations/{made.id}/cancel", data={"csrf_token": analyst.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/invitations"
    html = analyst.get("/invitations").text
    assert f"Invitation {made.id} for list@castellan.example" in html
    assert "cancelled" in next(r for r in html.split("<tr>") if "list@castellan.example" in r)
    again = analyst.post(f"/invitations/{made.id}/cancel", data={"csrf_token": analyst.csrf})
    assert again.status_code == 409 and "only a pending invitation" in again.text


def test_a_cancelled_link_is_the_same_page_as_an_unknown_one(app, pages, seeded):
    guest = TestClient(app, raise_server_exceptions=False)
    unknown = guest.get("/invite/inv_" + "x" * 43)
    made = _invite(app, "gone@castellan.example")
    pages["analyst"].post(f"/invitations/{made.id}/cancel", data={"csrf_token": pages["analyst"].csrf})
    cancelled = guest.get(f"/invite/{made.token}")
    assert unknown.status_code == cancelled.status_code == 404
    assert UNKNOWN in unknown.text and cancelled.text == unknown.text


def test_the_invite_form_emails_the_link_with_a_relay(app, pages, seeded, relay, monkeypatch):  # noqa: F811
    controller, inbox = relay
    ctx = app.state.workspace.context
    monkeypatch.setattr(ctx, "settings", dataclasses.replace(ctx.settings, smtp_host="127.0.0.1", smtp_port=controller.port))
    analyst = pages["analyst"]
    assert 'name="send"' in analyst.get("/recipients/3/invite").text
    r = analyst.post("/recipients/3/invite", data={"csrf_token": analyst.csrf, "email": "mail@castellan.example", "send": "1"})
    assert r.status_code == 200 and "e-mailed to mail@castellan.example" in r.text and "/invite/inv_" not in r.text
    (message,) = inbox.messages
    assert message.rcpt_tos == ["mail@castellan.example"]
    r = analyst.post("/recipients/3/invite", data={"csrf_token": analyst.csrf, "email": "hand@castellan.example"})  # box unticked
    assert re.search(r'<code class="link hash">http://testserver/invite/inv_', r.text) and len(inbox.messages) == 1


def test_the_api_lists_and_cancels(app, api, seeded):
    made = _invite(app, "api@castellan.example")
    body = api["auditor"].get("/api/v1/invitations", params={"state": "pending"}).json()
    assert made.id in [i["id"] for i in body["data"]] and all(i["link"] is None and i["token"] is None for i in body["data"])
    assert api["auditor"].post(f"/api/v1/invitations/{made.id}/cancel").status_code == 403
    r = api["analyst"].post(f"/api/v1/invitations/{made.id}/cancel")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert api["analyst"].post(f"/api/v1/invitations/{made.id}/cancel").status_code == 409
    assert api["analyst"].get("/api/v1/invitations", params={"state": "lost"}).status_code == 422
