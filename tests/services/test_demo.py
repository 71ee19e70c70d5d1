"""demo: the admin user is created once, with a random password that works (the full demo runs in `make demo`)."""

from __future__ import annotations

from leaktrace import Workspace
from leaktrace.services import demo


def test_demo_admin_is_created_once(tmp_path):
    with Workspace.init(tmp_path / "ws") as ws:
        admin = demo._admin(ws)
        assert admin["name"] == "admin" and len(admin["password"]) >= 12
        assert ws.authenticate("admin", admin["password"]).role == "admin"
        assert demo._admin(ws) is None
        assert [u["name"] for u in ws.list_users()] == ["admin"]


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
