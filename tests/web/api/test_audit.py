"""/api/v1/audit: the trail records web actions under the user's name, and the chain verifies."""


def test_trail_and_verify(api):
    api["analyst"].post("/api/v1/recipients", json={"name": "Fenwick Lighting Ltd"})
    entries = api["auditor"].get("/api/v1/audit").json()
    assert entries["count"] >= 5
    actions = {(e["actor"], e["action"]) for e in entries["data"]}
    assert ("setup", "trace") in actions and ("setup", "case.open") in actions
    newest = entries["data"][0]
    assert {"id", "at", "actor", "action", "hash", "prev_hash"} <= set(newest)
    assert api["auditor"].get("/api/v1/audit?limit=2").json()["count"] == 2
    check = api["auditor"].get("/api/v1/audit/verify").json()
    assert check["ok"] is True and check["entries"] >= entries["count"]


def test_checkpoint_and_verify_against_it(api, seeded):
    head = api["auditor"].post("/api/v1/audit/checkpoint").json()
    assert set(head) == {"log_id", "tree_size", "root_hash", "timestamp", "key_id", "public_key", "signature"} and head["tree_size"] >= 5
    newest = api["auditor"].get("/api/v1/audit?limit=1").json()["data"][0]
    assert (newest["actor"], newest["action"], newest["id"]) == ("auditor", "checkpoint", head["tree_size"] + 1)
    api["analyst"].post("/api/v1/recipients", json={"name": "Gdansk Trim Sp. z o.o."})  # the log grows
    check = api["auditor"].post("/api/v1/audit/verify", json=head).json()
    plain = api["auditor"].get("/api/v1/audit/verify").json()
    assert set(check) == set(plain) | {"against"} and check["ok"] is True and check["records"] == plain["records"] >= 5
    against = check["against"]
    assert against["ok"] is True and against["checkpoint"] == head and against["tree_size"] >= head["tree_size"] + 2 and against["proof"]

    forged = api["auditor"].post("/api/v1/audit/verify", json=head | {"tree_size": head["tree_size"] - 1}).json()
    assert forged["ok"] is False and forged["against"]["ok"] is False
    assert forged["reason"] == forged["against"]["reason"] and forged["reason"].endswith(
        "has a signature that does not verify: it was altered or forged."
    )
    r = api["auditor"].post("/api/v1/audit/verify", json=head | {"root_hash": "not hex"})
    assert r.status_code == 400 and r.json() == {
        "error": "the checkpoint: not a leaktrace checkpoint (root_hash is not 64 lowercase hex digits).",
        "status": 400,
    }
    assert api["auditor"].post("/api/v1/audit/verify", json={"tree_size": 3}).status_code == 422


def test_a_rewritten_history_fails_against_an_older_checkpoint_over_rest(tmp_path):
    from fastapi.testclient import TestClient

    from leaktrace.services.workspace import Workspace
    from leaktrace.web.app import create_app
    from tests.conftest import rewrite_history

    ws = Workspace.init(tmp_path / "ws")
    ws.add_user("legal", "auditor", "legal-password-1", actor="setup")
    token = ws.create_token("legal", name="tests", actor="setup")["token"]
    ws.close()
    client = TestClient(create_app(ws.settings), headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)
    head = client.post("/api/v1/audit/checkpoint").json()
    rewrite_history(tmp_path / "ws" / "leaktrace.db", 1, actor="mallory")
    assert client.get("/api/v1/audit/verify").json()["ok"] is True
    check = client.post("/api/v1/audit/verify", json=head).json()
    assert check["ok"] is False and check["reason"].startswith("today's log does not extend the checkpoint signed")
    assert check["problem"] is None and check["against"]["ok"] is False  # the chain itself holds: only the checkpoint sees it


def test_verify_against_a_checkpoint_also_checks_the_chain_and_the_seals(tmp_path):
    """A sealed record edited in SQLite extends the checkpoint (no entry changed), yet POST verify says
    tampered, naming the record, as GET verify and 'audit verify --against --json' do."""
    import sqlite3

    from fastapi.testclient import TestClient

    from leaktrace.services.workspace import Workspace
    from leaktrace.web.app import create_app

    ws = Workspace.init(tmp_path / "ws")
    ws.add_user("legal", "auditor", "legal-password-1", actor="setup")
    token = ws.create_token("legal", name="tests", actor="setup")["token"]
    recipient = ws.add_recipient("Apex Plastics GmbH", actor="setup")
    ws.close()
    client = TestClient(create_app(ws.settings), headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False)
    head = client.post("/api/v1/audit/checkpoint").json()
    with sqlite3.connect(tmp_path / "ws" / "leaktrace.db") as db:
        db.execute("UPDATE recipients SET name = 'Borealis Moulding AB' WHERE id = ?", (recipient.id,))
    plain = client.get("/api/v1/audit/verify").json()
    assert plain["ok"] is False and plain["record"] == f"recipient {recipient.id}"
    check = client.post("/api/v1/audit/verify", json=head).json()
    assert check["against"]["ok"] is True  # the log's entries are untouched: it extends the checkpoint
    assert check["ok"] is False and {k: check[k] for k in plain} == plain
