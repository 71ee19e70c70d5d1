"""The recipient portal: invite → accept → terms → each download made for that recipient then, a
sealed receipt; expiry and revocation stop it; nobody sees another recipient's share."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import portal, retention
from leaktrace.services import shares as shares_service
from leaktrace.store.models import Invitation, utcnow
from tests.conftest import photo, save

NAMES = ["Apex Plastics GmbH", "Borealis Tooling AB"]
PASSWORD = "supplier-password-1"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    for n in NAMES:
        w.add_recipient(n)
    yield w
    w.close()


def _asset(ws, tmp_path):
    return ws.add_assets([save(tmp_path / "bumper.png", photo(3))], title="Bumper")[0]["id"]


def _portal_share(ws, tmp_path, **options):
    asset_id = _asset(ws, tmp_path)
    rows = shares_service.share(ws.context, asset_id, NAMES, None, portal=True, actor="analyst", **options)
    return rows[0]["share_id"], {r["recipient"]: r["sha256"] for r in rows}


def _user(ws, recipient, name):
    invitation = portal.invite(ws.context, recipient, "buyer@example.com", actor="analyst", base_url="http://lt.example")
    return portal.accept_invitation(ws.context, invitation.token, name, PASSWORD)


def test_an_invitation_makes_a_recipients_user_once(ws):
    inv = portal.invite(ws.context, "Apex Plastics GmbH", "buyer@apex.example", expires_days=7, actor="analyst", base_url="http://lt.example/")
    assert inv.link == f"http://lt.example/invite/{inv.token}" and inv.token.startswith("inv_")
    with ws.context.sessions() as session:
        stored = session.get(Invitation, inv.id)
        assert stored.token_hash == hashlib.sha256(inv.token.encode()).hexdigest() and inv.token not in stored.token_hash
    assert portal.find_invitation(ws.context, inv.token).recipient == "Apex Plastics GmbH"
    user = portal.accept_invitation(ws.context, inv.token, "ana at apex", PASSWORD)
    assert (user.role, user.name) == ("recipient", "ana at apex")
    assert ws.authenticate("ana at apex", PASSWORD).role == "recipient"
    with pytest.raises(NotFound, match="used already"):
        portal.accept_invitation(ws.context, inv.token, "someone else", PASSWORD)
    with pytest.raises(NotFound, match="not known"):
        portal.find_invitation(ws.context, "inv_" + "x" * 40)
    actions = [e.action for e in ws.list_audit()][:4]
    assert actions == ["login", "invitation.accept", "user.add", "invitation.create"]
    assert ws.verify_audit().ok


def test_an_invitation_expires_and_checks_its_inputs(ws):
    with pytest.raises(BadInput, match="e-mail"):
        portal.invite(ws.context, "Apex Plastics GmbH", "not-an-address")
    with pytest.raises(BadInput, match="at most 90"):
        portal.invite(ws.context, "Apex Plastics GmbH", "a@b.example", expires_days=365)
    with pytest.raises(NotFound):
        portal.invite(ws.context, "Nobody Such", "a@b.example")
    inv = portal.invite(ws.context, "Apex Plastics GmbH", "a@b.example", expires_days=0.5)
    with pytest.raises(BadInput, match="at least 8"):
        portal.accept_invitation(ws.context, inv.token, "ana", "short")
    with pytest.raises(BadInput, match="'@'"):
        portal.accept_invitation(ws.context, inv.token, "ana@apex", PASSWORD)
    db = sqlite3.connect(ws.home / "leaktrace.db")  # a day later
    db.execute("UPDATE invitations SET expires_at = ?", ((utcnow() - timedelta(days=1)).replace(tzinfo=None).isoformat(" "),))
    db.commit()
    db.close()
    with pytest.raises(NotFound, match="not known"):  # an expired link: as an unknown one
        portal.accept_invitation(ws.context, inv.token, "ana", PASSWORD)


def test_the_portal_shows_only_the_recipients_own_shares(ws, tmp_path):
    share_id, _ = _portal_share(ws, tmp_path, terms="NDA T-2027-14 §4: no disclosure.")
    folder_share = ws.share(_asset(ws, tmp_path), NAMES[:1], tmp_path / "out")[0]["share_id"]  # delivered by its sender: not in the portal
    only_b = shares_service.share(ws.context, 1, NAMES[1:], None, portal=True)[0]["share_id"]
    ana = _user(ws, NAMES[0], "ana")
    rows = portal.shares_for(ws.context, ana)
    assert [s.id for s in rows] == [share_id]
    assert rows[0].terms == "NDA T-2027-14 §4: no disclosure." and rows[0].state == "available" and not rows[0].accepted
    assert "Borealis" not in str(rows[0].to_dict())
    for other in (only_b, folder_share, 999, "x"):  # another recipient's, not a portal share, none: all the same answer
        with pytest.raises(NotFound, match="no share numbered"):
            portal.share_for(ws.context, ana, other)
        with pytest.raises(NotFound, match="no share numbered"):
            portal.download(ws.context, ana, other)
    analyst = ws.add_user("analyst", "analyst", PASSWORD)
    with pytest.raises(NotFound, match="no portal"):
        portal.shares_for(ws.context, analyst)


def test_a_download_is_made_then_for_that_recipient_and_is_a_sealed_receipt(ws, tmp_path):
    share_id, recorded = _portal_share(ws, tmp_path)
    assert not any(ws.context.blobs.exists(sha) for sha in recorded.values())  # nothing waits in the store
    assert ws.doctor().missing == ()  # and nothing is missing: a portal copy is made at each download
    ana = _user(ws, NAMES[0], "ana")
    with pytest.raises(Conflict, match="accept the terms"):
        portal.download(ws.context, ana, share_id)
    acceptance = portal.accept_terms(ws.context, ana, share_id, client="192.0.2.7", user_agent="Firefox")
    text = portal.share_for(ws.context, ana, share_id).terms
    assert "Apex Plastics GmbH" in text and acceptance.terms_sha256 == hashlib.sha256(text.encode()).hexdigest()
    receipt, stored = portal.download(ws.context, ana, share_id, client="192.0.2.7", user_agent="Firefox")
    assert hashlib.sha256(stored.data).hexdigest() == receipt.sha256 == recorded[NAMES[0]]  # Apex's copy, byte for byte
    assert receipt.matches and receipt.user == "ana" and receipt.client == "192.0.2.7" and receipt.size == len(stored.data)
    assert not ws.context.blobs.exists(receipt.sha256)  # not retained
    again, _ = portal.download(ws.context, ana, share_id)
    assert again.id == receipt.id + 1
    shown = portal.share_for(ws.context, ana, share_id)
    assert [r.id for r in shown.receipts] == [receipt.id, again.id] and shown.accepted
    copy = next(c for c in ws.list_shares()[-1].copies if c.recipient == NAMES[0])
    assert copy.delivered_at is not None
    entries = ws.list_audit()
    assert [e.action for e in entries[:3]] == ["portal.download", "portal.download", "copy.deliver"]
    assert entries[2].details["via"] == "portal"
    assert ws.verify_audit().ok


def test_editing_a_receipt_is_named_by_audit_verify(ws, tmp_path):
    share_id, _ = _portal_share(ws, tmp_path)
    ana = _user(ws, NAMES[0], "ana")
    portal.accept_terms(ws.context, ana, share_id)
    receipt, _ = portal.download(ws.context, ana, share_id)
    db = sqlite3.connect(ws.home / "leaktrace.db")
    db.execute("UPDATE receipts SET user_name = 'somebody else' WHERE id = ?", (receipt.id,))
    db.commit()
    db.close()
    check = ws.verify_audit()
    assert not check.ok and check.record == f"receipt {receipt.id}" and check.problem == "edited"


def test_revoked_and_expired_shares_are_not_served(ws, tmp_path):
    share_id, _ = _portal_share(ws, tmp_path, expires_days=1)
    ana, bo = _user(ws, NAMES[0], "ana"), _user(ws, NAMES[1], "bo")
    for u in (ana, bo):
        portal.accept_terms(ws.context, u, share_id)
    shares_service.revoke(ws.context, share_id, [NAMES[0]], actor="analyst")
    assert portal.share_for(ws.context, ana, share_id).state == "revoked"
    with pytest.raises(Conflict, match="revoked"):
        portal.download(ws.context, ana, share_id)
    portal.download(ws.context, bo, share_id)  # Borealis's copy was not revoked
    db = sqlite3.connect(ws.home / "leaktrace.db")
    db.execute("UPDATE shares SET expires_at = ? WHERE id = ?", ((utcnow() - timedelta(hours=1)).replace(tzinfo=None).isoformat(" "), share_id))
    db.commit()
    db.close()
    # the share's seal now names the edit: the portal refuses nothing silently, but verify tells
    assert not ws.verify_audit().ok


def test_archiving_a_recipient_closes_its_portal_until_it_is_restored(ws, tmp_path):
    share_id, _ = _portal_share(ws, tmp_path)
    ana = _user(ws, NAMES[0], "ana")
    portal.accept_terms(ws.context, ana, share_id)
    portal.download(ws.context, ana, share_id)
    pending = portal.invite(ws.context, NAMES[0], "second@apex.example", actor="analyst")
    other = portal.invite(ws.context, NAMES[1], "buyer@borealis.example", actor="analyst")
    ws.archive_recipient(NAMES[0], reason="contract ended", actor="admin")
    with pytest.raises(Conflict, match="archived Apex Plastics GmbH on .*downloads nothing more"):
        portal.download(ws.context, ana, share_id)
    closed = portal.share_for(ws.context, ana, share_id)
    assert closed.state == "closed" and len(closed.receipts) == 1  # what was handed over stays in view
    with pytest.raises(NotFound, match="not known"):
        portal.accept_invitation(ws.context, pending.token, "late user", PASSWORD)
    with pytest.raises(Conflict, match="is archived: restore it"):
        portal.invite(ws.context, NAMES[0], "third@apex.example")
    cancel = next(e for e in ws.list_audit() if e.action == "invitation.cancel")
    assert (cancel.subject_id, cancel.actor, cancel.details["because"]) == (str(pending.id), "admin", "recipient.archive")
    assert portal.find_invitation(ws.context, other.token).recipient == NAMES[1]  # another recipient's stays open
    ws.restore_recipient(NAMES[0], actor="admin")
    portal.download(ws.context, ana, share_id)
    with pytest.raises(NotFound):
        portal.find_invitation(ws.context, pending.token)  # a cancelled invitation stays cancelled
    assert ws.verify_audit().ok


def test_expiry_ends_downloads(ws, tmp_path, monkeypatch):
    share_id, _ = _portal_share(ws, tmp_path, expires_days=2)
    ana = _user(ws, NAMES[0], "ana")
    portal.accept_terms(ws.context, ana, share_id)
    later = utcnow() + timedelta(days=3)
    monkeypatch.setattr(portal, "utcnow", lambda: later)
    assert portal.share_for(ws.context, ana, share_id).state == "expired"
    with pytest.raises(Conflict, match="expired"):
        portal.download(ws.context, ana, share_id)


def test_revoke_checks_what_it_is_given(ws, tmp_path):
    share_id, _ = _portal_share(ws, tmp_path)
    folder = ws.share(1, NAMES[:1], tmp_path / "out")[0]["share_id"]
    with pytest.raises(Conflict, match="nothing to revoke"):
        shares_service.revoke(ws.context, folder)
    everyone = shares_service.revoke(ws.context, share_id)
    assert all(c.revoked_at for c in everyone.copies)
    before = len(ws.list_audit())
    shares_service.revoke(ws.context, share_id)  # twice: nothing more
    assert len(ws.list_audit()) == before
    with pytest.raises(Conflict, match="recipient portal"):
        ws.deliver_copies(share_id, tmp_path / "elsewhere")


def test_portal_options_are_checked(ws, tmp_path):
    asset_id = _asset(ws, tmp_path)
    with pytest.raises(BadInput, match="leave out --out"):
        shares_service.share(ws.context, asset_id, NAMES, tmp_path / "o", portal=True)
    with pytest.raises(BadInput, match="--portal"):
        shares_service.share(ws.context, asset_id, NAMES, tmp_path / "o", expires_days=3)


def test_retained_copies_keep_the_downloaded_file(tmp_path):
    w = Workspace.init(tmp_path / "ws", retain_copies=True)
    try:
        for n in NAMES:
            w.add_recipient(n)
        share_id, _ = _portal_share(w, tmp_path)
        ana = _user(w, NAMES[0], "ana")
        portal.accept_terms(w.context, ana, share_id)
        receipt, _ = portal.download(w.context, ana, share_id)
        assert w.context.blobs.exists(receipt.sha256)
        assert retention.sweep(w.context) == 0
    finally:
        w.close()


def test_a_recipients_user_stays_one(ws):
    ana = _user(ws, NAMES[0], "ana")
    with pytest.raises(BadInput, match="never changes"):
        ws.set_user_role(ana.name, "admin")
    with pytest.raises(BadInput, match="unknown role"):
        ws.add_user("eve", "recipient", PASSWORD)  # only an invitation makes one
    assert ws.get_user("ana").role == "recipient"


def test_the_python_api_has_the_portals_verbs(ws, tmp_path):
    asset_id = _asset(ws, tmp_path)
    (row, _) = ws.share(asset_id, NAMES, None, portal=True, terms="NDA 1")
    made = ws.invite(NAMES[0], "a@apex.example")
    user = portal.accept_invitation(ws.context, made.token, "ana", PASSWORD)
    portal.accept_terms(ws.context, user, row.share_id)
    receipt, _ = portal.download(ws.context, user, row.share_id)
    assert [r.id for r in ws.receipts(row.share_id)] == [receipt.id]
    assert all(c.revoked_at for c in ws.revoke_share(row.share_id).copies)
