"""``leaktrace audit``: the trail lists what was done and verify names a tampered entry."""

from __future__ import annotations

import sqlite3

from tests.conftest import photo, save


def test_list_and_verify(cli, tmp_path):
    cli("init")
    cli("recipient", "add", "Apex")
    _, (asset,) = cli("asset", "add", save(tmp_path / "a.png", photo(6, (192, 256))), "--json")
    cli("share", asset["id"], "--to", "Apex", "--out", tmp_path / "out")
    cli("key", "export", tmp_path / "key.backup")
    _, rows = cli("audit", "list", "--json")
    assert [(r["id"], r["action"], r["subject_type"]) for r in rows] == [(2, "key.export", "key"), (1, "share", "share")]
    assert rows[1]["details"]["asset_id"] == asset["id"] and len(rows[1]["details"]["copies"]) == 1
    _, rows = cli("audit", "list", "--limit", "1", "--json")
    assert len(rows) == 1
    result, _ = cli("audit", "list")
    assert "key.export" in result.stdout and "share" in result.stdout
    result, _ = cli("audit", "verify")
    assert result.stdout.startswith("ok: 2 entries")
    _, check = cli("audit", "verify", "--json")
    assert check["ok"] and check["head"]["id"] == 2

    with sqlite3.connect(cli.home / "leaktrace.db") as db:
        db.execute("""update audit_entries set details = '{"asset_id": 99}' where id = 1""")
    result, _ = cli("audit", "verify", expect=1)
    assert result.stderr == "tampered: audit entry 1 was edited: its content no longer matches its hash.\n"
    result, _ = cli("audit", "verify", "--json", expect=1)
    assert '"bad_id": 1' in result.stdout and '"problem": "edited"' in result.stdout
    result, _ = cli("audit", "list", "--limit", "0", expect=2)
    assert "--limit must be at least 1" in result.stderr
