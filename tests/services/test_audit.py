"""audit service: records for other rooms (reports, logins), lists newest first, verifies the chain."""

from __future__ import annotations

import sqlite3

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


def test_record_list_and_verify(ws):
    (init,) = ws.list_audit()  # a new workspace's one entry: its birth
    assert ws.verify_audit().to_dict() == {
        "ok": True,
        "entries": 1,
        "bad_id": None,
        "problem": None,
        "reason": "",
        "head": {"id": 1, "hash": init["hash"]},
        "record": None,
        "records": 0,
    }
    ws.record_audit("report", actor="ana", subject_type="finding", subject_id=7, details={"format": "pdf", "sha256": "ab" * 32})
    ws.export_key(ws.home.parent / "key.backup", passphrase="correct horse battery staple", actor="root")
    rows = ws.list_audit()
    assert [(r["id"], r["action"], r["actor"]) for r in rows] == [
        (3, "key.export", "root"),
        (2, "report", "ana"),
        (1, "workspace.init", init["actor"]),
    ]
    assert rows[1]["details"] == {"format": "pdf", "sha256": "ab" * 32, "seal": {"v": 1, "sha256": None}} and rows[1]["subject_id"] == "7"
    assert ws.list_audit(limit=1)[0]["id"] == 3
    result = ws.verify_audit()
    assert result["ok"] and result["head"] == {"id": 3, "hash": rows[0]["hash"]}
    with pytest.raises(BadInput):
        ws.list_audit(limit=0)
    with pytest.raises(ValueError):
        ws.record_audit("made-up")


def test_record_joins_the_callers_transaction(ws):
    from leaktrace.services import audit
    from leaktrace.store import db as store_db

    with pytest.raises(RuntimeError):
        with store_db.transaction(ws.context.sessions) as session:
            audit.record(ws.context, actor="ana", action="report", session=session)
            raise RuntimeError("the report failed")
    assert [e["action"] for e in ws.list_audit()] == ["workspace.init"]


def test_tampering_is_reported(ws):
    for i in range(3):
        ws.record_audit("report", actor="ana", subject_type="finding", subject_id=i)
    ws.close()
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        db.execute("update audit_entries set actor = 'eve' where id = 2")
    with Workspace(ws.home) as again:
        result = again.verify_audit()
    assert (result["ok"], result["bad_id"], result["problem"]) == (False, 2, "edited")
