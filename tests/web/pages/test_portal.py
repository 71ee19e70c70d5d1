"""The recipient portal in the browser's words: an analyst invites, the invitee joins, sees only
their recipient's portal shares, accepts the terms, downloads a copy made then (with its receipt);
other recipients' shares, and shares that do not exist, are the same 404."""

from __future__ import annotations

import hashlib
import re

from leaktrace.services import shares as shares_service
from tests.web.conftest import CSRF, RECIPIENT, TestClient, login

APEX = "Apex Plastics GmbH"


def test_a_recipient_signs_in_to_the_portal_and_sees_only_their_shares(app, seeded):
    client = TestClient(app, raise_server_exceptions=False)
    token = CSRF.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"name": RECIPIENT, "password": "recipient-password-1", "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    html = client.get("/portal").text
    assert f'href="/portal/shares/{seeded.portal_share_id}"' in html
    assert f'href="/portal/shares/{seeded.other_portal_share_id}"' not in html
    assert "Borealis" not in html and "Castellan" not in html and "/findings" not in html and "/audit" not in html
    for path in ("/", "/recipients", "/findings", f"/findings/{seeded.finding_id}", "/audit", "/cases", f"/assets/{seeded.asset_id}/image"):
        r = client.get(path)
        assert r.status_code == 404 and 'href="/portal">Your shares' in r.text and "Dashboard" not in r.text, path


def test_terms_then_a_download_made_for_that_recipient_with_a_receipt(app, pages, seeded, portal_client):
    client = portal_client
    page = client.get(f"/portal/shares/{seeded.portal_share_id}")
    assert page.status_code == 200 and "NDA T-2027-14" in page.text and "I accept these terms" in page.text
    assert "Download" not in page.text.split("<h2>Receipts")[0].split("</blockquote>")[1]
    r = client.post(f"/portal/shares/{seeded.portal_share_id}/download", data={"csrf_token": client.csrf})
    assert r.status_code == 409 and "accept the terms" in r.text.lower()
    r = client.post(f"/portal/shares/{seeded.portal_share_id}/accept", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/portal/shares/{seeded.portal_share_id}/download", data={"csrf_token": client.csrf})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    digest = hashlib.sha256(r.content).hexdigest()
    assert digest == seeded.portal_copies[APEX] == r.headers["x-leaktrace-sha256"]  # Apex's copy, never Borealis's
    number = r.headers["x-leaktrace-receipt"]
    page = client.get(f"/portal/shares/{seeded.portal_share_id}").text
    assert f"#{number}" in page and digest in page and "You accepted these terms" in page
    entry = app.state.workspace.list_audit(limit=1)[0]
    assert entry.action == "portal.download" and entry.details["client"] == "testclient" and entry.details["user_agent"]


def test_other_recipients_shares_and_missing_ones_are_the_same_404(pages, seeded, portal_client):
    client = portal_client
    answers = []
    for share_id in (seeded.other_portal_share_id, seeded.share_id, 999_999):  # Borealis's; Apex's from its sender; none
        page = client.get(f"/portal/shares/{share_id}")
        post = client.post(f"/portal/shares/{share_id}/download", data={"csrf_token": client.csrf})
        accept = client.post(f"/portal/shares/{share_id}/accept", data={"csrf_token": client.csrf})
        assert (page.status_code, post.status_code, accept.status_code) == (404, 404, 404)
        answers.append(page.text.replace(f"numbered {share_id}", "numbered N"))
    assert answers[0] == answers[1] == answers[2]
    assert "Borealis" not in answers[0]


def test_a_revoked_share_says_so_and_is_not_served(app, pages, seeded, portal_client):
    ctx = app.state.workspace.context
    share_id = shares_service.share(ctx, seeded.asset_id, [APEX], None, portal=True, actor="analyst")[0]["share_id"]
    client = portal_client
    client.post(f"/portal/shares/{share_id}/accept", data={"csrf_token": client.csrf})
    shares_service.revoke(ctx, share_id, actor="analyst")
    page = client.get(f"/portal/shares/{share_id}").text
    assert "revoked" in page and f"/portal/shares/{share_id}/download" not in page
    r = client.post(f"/portal/shares/{share_id}/download", data={"csrf_token": client.csrf})
    assert r.status_code == 409 and "revoked" in r.text


def test_an_analyst_invites_and_the_invitee_joins(app, pages, seeded):
    analyst = pages["analyst"]
    form = analyst.get("/recipients/3/invite")
    assert form.status_code == 200 and "Make an invitation link" in form.text
    assert "Make an invitation link" not in pages["auditor"].get("/recipients/3/invite").text
    r = analyst.post("/recipients/3/invite", data={"csrf_token": analyst.csrf, "email": "it@castellan.example", "expires_days": "3"})
    assert r.status_code == 200
    link = re.search(r'<code class="link hash">(http://testserver/invite/(inv_[^<]+))</code>', r.text)
    assert link, r.text[-800:]
    path = "/invite/" + link.group(2)
    guest = TestClient(app, raise_server_exceptions=False)
    page = guest.get(path)
    assert page.status_code == 200 and "Castellan Composites SpA" in page.text
    token = CSRF.search(page.text).group(1)
    bad = guest.post(path, data={"csrf_token": token, "name": "carla", "password": "castellan-pw-1", "password_again": "other-pw-12"})
    assert bad.status_code == 400 and "differ" in bad.text and 'value="carla"' in bad.text and "castellan-pw-1" not in bad.text
    ok = guest.post(
        path, data={"csrf_token": token, "name": "carla", "password": "castellan-pw-1", "password_again": "castellan-pw-1"}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/portal"
    assert guest.get("/portal").status_code == 200  # signed in as Castellan's user
    assert "used already" in TestClient(app, raise_server_exceptions=False).get(path).text
    r = analyst.post("/recipients/3/invite", data={"csrf_token": analyst.csrf, "email": "not an address"})
    assert r.status_code == 400 and "e-mail" in r.text


def test_portal_pages_carry_the_strict_csp_and_no_inline_script(pages, seeded, portal_client):
    client = portal_client
    for path in ("/portal", f"/portal/shares/{seeded.portal_share_id}"):
        r = client.get(path)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", r.text)), path
        assert " style=" not in r.text and "<style" not in r.text


def test_a_staff_user_has_no_portal(pages, seeded):
    r = pages["analyst"].get("/portal")
    assert r.status_code == 404 and "portal is for recipients" in r.text.replace("&#39;", "'")
    assert login(pages["analyst"].app, RECIPIENT).get("/portal").status_code == 200


def test_an_analyst_shares_through_the_portal_and_revokes(app, pages, seeded, portal_client):
    analyst = pages["analyst"]
    assert "/share/portal" in analyst.get("/share").text
    data = {"csrf_token": analyst.csrf, "asset_id": str(seeded.asset_id), "to": ["1"], "terms": "NDA T-2027-15", "expires_days": "5"}
    r = analyst.post("/share/portal", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[-500:]
    share = [s for s in app.state.workspace.list_shares() if s.delivery == "portal"][-1]
    assert share.terms == "NDA T-2027-15" and share.expires_at and [c.recipient for c in share.copies] == [APEX]
    assert f'href="/portal/shares/{share.id}"' in portal_client.get("/portal").text
    page = analyst.get("/share/portal").text
    assert f"/share/portal/{share.id}/revoke" in page
    bad = analyst.post("/share/portal", data={**data, "expires_days": "soon"})
    assert bad.status_code == 400 and "must be a number" in bad.text and "NDA T-2027-15" in bad.text
    assert analyst.post(f"/share/portal/{share.id}/revoke", data={"csrf_token": analyst.csrf}, follow_redirects=False).status_code == 303
    assert "revoked" in portal_client.get(f"/portal/shares/{share.id}").text
    assert 'action="/share/portal"' not in pages["auditor"].get("/share/portal").text
