"""The share record of a report says who received the copy through the portal: "received by X's
user Y on date Z (receipt #n)", from the sealed receipt, for a download before the trace."""

from __future__ import annotations

import pytest

from leaktrace import Workspace
from leaktrace.errors import EvidenceTampered
from leaktrace.services import portal
from leaktrace.services import shares as shares_service
from tests.conftest import photo, save
from tests.web.conftest import leak_from

NAMES = ["Apex Plastics GmbH", "Borealis Tooling AB", "Castellan Composites SpA"]


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    for n in NAMES:
        w.add_recipient(n)
    yield w
    w.close()


def test_a_download_then_a_leak_of_it_names_the_recipient_and_the_receipt(ws, tmp_path):
    asset_id = ws.add_assets([save(tmp_path / "bumper.png", photo(3))], title="Bumper")[0]["id"]
    share_id = shares_service.share(ws.context, asset_id, NAMES, None, portal=True, terms="NDA T-2027-14", actor="analyst")[0]["share_id"]
    inv = portal.invite(ws.context, NAMES[1], "it@borealis.example", actor="analyst")
    bo = portal.accept_invitation(ws.context, inv.token, "bo", "borealis-pw-1")
    portal.accept_terms(ws.context, bo, share_id, client="192.0.2.44")
    receipt, stored = portal.download(ws.context, bo, share_id, client="192.0.2.44")
    leak = tmp_path / "found.jpg"
    leak.write_bytes(leak_from(stored.data))
    finding = ws.trace(leak, actor="analyst")
    assert finding.accused == (NAMES[1],)
    html = ws.report(finding.id, "html").decode()
    assert f"Received by {NAMES[1]}&#39;s user bo on" in html or f"Received by {NAMES[1]}'s user bo on" in html
    assert f"(receipt #{receipt.id})" in html and receipt.sha256 in html
    import sqlite3

    db = sqlite3.connect(ws.home / "leaktrace.db")
    db.execute("UPDATE receipts SET user_name = 'mallory' WHERE id = ?", (receipt.id,))
    db.commit()
    db.close()
    with pytest.raises(EvidenceTampered, match=f"receipt {receipt.id}"):
        ws.report(finding.id, "html")


def test_a_portal_share_not_downloaded_says_so(ws, tmp_path):
    asset_id = ws.add_assets([save(tmp_path / "bumper.png", photo(3))], title="Bumper")[0]["id"]
    share_id = shares_service.share(ws.context, asset_id, NAMES, None, portal=True, actor="analyst")[0]["share_id"]
    made = ws.regenerate_copy(share_id, NAMES[0], reason="test: the file a download would give")  # not a receipt
    leak = tmp_path / "found.jpg"
    leak.write_bytes(leak_from(made[1].data))
    finding = ws.trace(leak, actor="analyst")
    assert finding.accused == (NAMES[0],)
    html = ws.report(finding.id, "html").decode()
    assert "no download by" in html and "receipt #" not in html
