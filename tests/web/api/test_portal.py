"""The portal through the REST API (an analyst's token): a portal share (no download link, no file
kept), an invitation (its link in this answer only), the receipts of a share, its revocation."""

from __future__ import annotations

from leaktrace.services import portal
from tests.web.conftest import RECIPIENT


def test_a_portal_share_its_receipts_and_its_revocation(app, api, seeded):
    analyst = api["analyst"]
    r = analyst.post("/api/v1/shares/portal", json={"asset_id": seeded.asset_id, "to": ["1"], "terms": "NDA T-2027-16", "expires_days": 3})
    assert r.status_code == 201, r.text
    (row,) = r.json()
    assert row["recipient"] == "Apex Plastics GmbH" and row["stored"] is False and "download" not in row
    share_id = row["share_id"]
    ctx = app.state.workspace.context
    user = next(u for u in app.state.workspace.list_users() if u.name == RECIPIENT)
    portal.accept_terms(ctx, user, share_id)
    receipt, _ = portal.download(ctx, user, share_id, client="192.0.2.1")
    listed = analyst.get(f"/api/v1/shares/{share_id}/receipts").json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == receipt.id and listed["data"][0]["user"] == RECIPIENT
    assert api["auditor"].get(f"/api/v1/shares/{share_id}/receipts").status_code == 200
    assert api[RECIPIENT].get(f"/api/v1/shares/{share_id}/receipts").status_code == 404
    r = analyst.post(f"/api/v1/shares/{share_id}/revoke", json={})
    assert r.status_code == 200 and all(c["revoked_at"] for c in r.json()["copies"])
    assert analyst.post(f"/api/v1/shares/{seeded.share_id}/revoke", json={}).status_code == 409  # sent by its sender: nothing to revoke
    assert analyst.post("/api/v1/shares/portal", json={"asset_id": seeded.asset_id, "to": ["1"], "expires_days": 0}).status_code == 422


def test_an_invitation_by_the_api(api):
    r = api["analyst"].post("/api/v1/recipients/2/invitations", json={"email": "it@borealis.example", "expires_days": 2})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["recipient"] == "Borealis Moulding AB" and body["link"] == f"http://testserver/invite/{body['token']}"
    assert api["analyst"].post("/api/v1/recipients/999/invitations", json={"email": "a@b.example"}).json() == {
        "error": "no recipient numbered 999.",
        "status": 404,
    }
    assert api["admin"].post("/api/v1/recipients/2/invitations", json={"email": "a@b.example"}).status_code == 403
