"""demo: the analyst and the admin are created once, with random passwords that work (the full demo runs in `make demo`)."""

from __future__ import annotations

from leaktrace import Workspace
from leaktrace.services import demo


def test_the_demo_users_are_created_once(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        made = demo._users(ws)
        assert [(u["name"], u["role"]) for u in made] == [("analyst", "analyst"), ("admin", "admin")]
        assert all(len(u["password"]) >= 12 for u in made) and made[0]["password"] != made[1]["password"]
        for u in made:
            assert ws.authenticate(u["name"], u["password"]).role == u["role"]
        assert demo._users(ws) == []  # shown only when made
        assert sorted(u["name"] for u in ws.list_users()) == ["admin", "analyst"]


def test_a_missing_demo_user_is_made_again_alone(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        ws.add_user("admin", "admin", "an-admin-password")
        assert [u["name"] for u in demo._users(ws)] == ["analyst"]


def test_the_demo_traces_a_screenshot_of_the_tender_drawing_to_its_supplier(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        names = [name for name, _ in demo.SUPPLIERS]
        for name in names:
            ws.add_recipient(name)
        first = demo._document_leak(ws, tmp_path, names)
        assert (first["pages"], first["page"], first["accused"]) == (6, demo.DOCUMENT_PAGE, [demo.DOCUMENT_LEAKER])
        again = demo._document_leak(ws, tmp_path, names)  # run again: the share is reused
        assert again["asset"] == first["asset"] and again["accused"] == [demo.DOCUMENT_LEAKER]
        assert len(ws.list_shares()) == 1


def test_the_demo_shares_through_the_portal_and_invites_its_supplier(tmp_path):
    from leaktrace.samples import sample_path
    from leaktrace.services import invitations, portal

    with Workspace.init(tmp_path / "ws") as ws:
        for name, org in demo.SUPPLIERS:
            ws.add_recipient(name, org=org)
        asset_id = ws.add_assets([sample_path(demo.PORTAL_SAMPLE)], title="render")[0]["id"]
        first = demo._portal(ws, asset_id)
        assert (first["recipient"], first["nda"], first["users"]) == (demo.PORTAL_SUPPLIER, demo.NDA, [])
        assert first["invitation"]["link"].startswith(f"{demo.SERVE_URL}/invite/inv_")
        (share,) = [s for s in ws.list_shares() if s.id == first["share"]]
        assert (share.delivery, share.terms) == ("portal", demo.PORTAL_TERMS) and demo.NDA in share.terms
        assert [c.recipient for c in share.copies] == [demo.PORTAL_SUPPLIER]
        again = demo._portal(ws, asset_id)  # a new link; the first one is cancelled, the share reused
        assert again["share"] == first["share"] and again["invitation"]["id"] != first["invitation"]["id"]
        assert [i.state for i in invitations.list_all(ws.context, demo.PORTAL_SUPPLIER)] == ["pending", "cancelled"]
        token = again["invitation"]["link"].rsplit("/", 1)[1]
        user = portal.accept_invitation(ws.context, token, "apex buyer", "apex-password-1")
        assert [s.id for s in portal.shares_for(ws.context, user)] == [first["share"]]
        joined = demo._portal(ws, asset_id)  # signed up: no new link
        assert joined["invitation"] is None and joined["users"] == ["apex buyer"]
