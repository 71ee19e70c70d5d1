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
