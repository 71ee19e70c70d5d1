"""The portal's commands: ``share --portal --terms --expires-days``, ``recipient invite`` (a link
printed once), ``revoke`` (a share, or one recipient's copy) and ``receipts``."""

from __future__ import annotations

import hashlib

import pytest

from leaktrace import Workspace
from leaktrace.services import portal
from tests.conftest import photo, save

NAMES = ["Apex", "Borealis"]


@pytest.fixture
def ws(cli, tmp_path):
    cli("init")
    for n in NAMES:
        cli("recipient", "add", n, "--email", f"tender@{n.lower()}.example")
    _, (asset,) = cli("asset", "add", save(tmp_path / "plan.png", photo(6, (160, 224))), "--json")
    cli.asset = asset
    return cli


def test_a_portal_share_keeps_no_file_and_states_its_terms(ws, tmp_path):
    result, _ = ws("share", ws.asset["id"], "--to", "Apex", "--to", "Borealis", "--portal", "--terms", "NDA T-2027-14", "--expires-days", "14")
    assert "recipient portal" in result.stdout and "plan--apex.png" in result.stdout
    _, shares = ws("shares", "--json")
    s = shares[-1]
    assert (s["delivery"], s["terms"]) == ("portal", "NDA T-2027-14") and s["expires_at"]
    assert not any(c["stored"] for c in s["copies"])
    assert not (tmp_path / "out").exists()


def test_share_refuses_what_does_not_fit(ws, tmp_path):
    result, _ = ws("share", ws.asset["id"], "--to", "Apex", expect=2)
    assert "--out" in result.stderr and "--portal" in result.stderr
    result, _ = ws("share", ws.asset["id"], "--to", "Apex", "--portal", "--out", tmp_path / "o", expect=2)
    assert "leave out --out" in result.stderr
    result, _ = ws("share", ws.asset["id"], "--to", "Apex", "--out", tmp_path / "o", "--expires-days", "3", expect=2)
    assert "--portal" in result.stderr


def test_invite_prints_a_one_time_link(ws):
    result, _ = ws("recipient", "invite", "Apex", "--email", "buyer@apex.example", "--base-url", "https://lt.example")
    link = result.stdout.split()[-1]
    assert link.startswith("https://lt.example/invite/inv_") and "Apex" in result.stdout
    _, made = ws("recipient", "invite", "2", "--email", "b@borealis.example", "--expires-days", "2", "--json")
    assert made["recipient"] == "Borealis" and made["token"] and made["link"].endswith(made["token"])
    result, _ = ws("recipient", "invite", "Apex", "--email", "nope", expect=2)
    assert "e-mail" in result.stderr
    result, _ = ws("recipient", "invite", "Nobody", "--email", "a@b.example", expect=None)
    assert result.exit_code != 0 and "Nobody" in result.stderr
    entries = [e for e in Workspace(ws.home).list_audit() if e.action == "invitation.create"]
    assert len(entries) == 2 and all(made["token"] not in str(e.details) for e in entries)  # the secret is never logged


def test_revoke_and_receipts(ws):
    _, rows = ws("share", ws.asset["id"], "--to", "Apex", "--to", "Borealis", "--portal", "--json")
    share_id = rows[0]["share_id"]
    with Workspace(ws.home) as w:
        inv = portal.invite(w.context, "Apex", "buyer@apex.example")
        user = portal.accept_invitation(w.context, inv.token, "ana", "apex-password-1")
        portal.accept_terms(w.context, user, share_id)
        receipt, stored = portal.download(w.context, user, share_id, client="192.0.2.9")
    result, _ = ws("receipts", share_id)
    assert f"receipt #{receipt.id}: Apex's user ana" in result.stdout and hashlib.sha256(stored.data).hexdigest() in result.stdout
    _, listed = ws("receipts", share_id, "--json")
    assert [r["id"] for r in listed] == [receipt.id] and listed[0]["client"] == "192.0.2.9"
    result, _ = ws("shares")
    assert "through the recipient portal: 1 of 2 downloaded" in result.stdout
    result, _ = ws("revoke", share_id, "--recipient", "Borealis")
    assert "Borealis: revoked" in result.stdout and "Apex: still downloadable" in result.stdout
    _, s = ws("revoke", share_id, "--json")
    assert all(c["revoked_at"] for c in s["copies"])
    result, _ = ws("revoke", "999", expect=2)
    assert "999" in result.stderr
