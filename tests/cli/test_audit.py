"""``leaktrace audit``: the trail lists what was done and verify names a tampered entry."""

from __future__ import annotations

import json
import sqlite3
import stat

from tests.conftest import photo, rewrite_history, save


def test_list_and_verify(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_KEY_PASSPHRASE", "correct horse battery staple")
    cli("init")
    cli("recipient", "add", "Apex")
    _, (asset,) = cli("asset", "add", save(tmp_path / "a.png", photo(6, (192, 256))), "--json")
    cli("share", asset["id"], "--to", "Apex", "--out", tmp_path / "out")
    cli("key", "export", tmp_path / "key.backup")
    _, rows = cli("audit", "list", "--json")
    n = len(rows)
    assert [r["id"] for r in rows] == list(range(n, 0, -1))  # newest first
    assert (rows[0]["action"], rows[0]["subject_type"]) == ("key.export", "key") and rows[-1]["action"] == "workspace.init"
    share = next(r for r in rows if r["action"] == "share")
    assert share["subject_type"] == "share" and share["details"]["asset_id"] == asset["id"] and len(share["details"]["copies"]) == 1
    _, rows = cli("audit", "list", "--limit", "1", "--json")
    assert len(rows) == 1
    result, _ = cli("audit", "list")
    assert "key.export" in result.stdout and "share" in result.stdout
    result, _ = cli("audit", "verify")
    assert result.stdout.startswith(f"ok: {n} entries")
    _, check = cli("audit", "verify", "--json")
    assert check["ok"] and check["head"]["id"] == n

    with sqlite3.connect(cli.home / "leaktrace.db") as db:
        db.execute(f"""update audit_entries set details = '{{"asset_id": 99}}' where id = {share["id"]}""")
    result, _ = cli("audit", "verify", expect=1)
    assert result.stderr == f"tampered: audit entry {share['id']} was edited: its content no longer matches its hash.\n"
    result, _ = cli("audit", "verify", "--json", expect=1)
    assert f'"bad_id": {share["id"]}' in result.stdout and '"problem": "edited"' in result.stdout
    result, _ = cli("audit", "list", "--limit", "0", expect=2)
    assert "--limit must be at least 1" in result.stderr


def _keep(cli, tmp_path, name: str) -> dict:
    """``audit checkpoint --out`` into a file kept elsewhere; returns the JSON printed."""
    _, head = cli("audit", "checkpoint", "--out", tmp_path / name, "--json")
    assert json.loads((tmp_path / name).read_text()) == head
    return head


def test_checkpoint_and_verify_against_catch_a_rewritten_history(cli, tmp_path):
    cli("init")
    key = cli.home / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes() != (cli.home / "master.key").read_bytes()
    for name in ("Apex", "Borealis", "Castellan"):
        cli("recipient", "add", name)
    result, _ = cli("audit", "checkpoint", "--out", tmp_path / "legal.json")
    legal = json.loads((tmp_path / "legal.json").read_text())
    assert result.stdout.startswith(f"checkpoint of {legal['tree_size']} entries, signed {legal['timestamp']}\n")
    assert f"root       {legal['root_hash']}" in result.stdout and result.stdout.endswith(f"written to {tmp_path / 'legal.json'}\n")
    result, _ = cli("audit", "checkpoint", "--out", tmp_path / "legal.json", expect=2)
    assert result.stderr == f"error: {tmp_path / 'legal.json'}: already exists; a checkpoint is never overwritten, choose a new file.\n"

    cli("recipient", "add", "Dunmore")  # the log grows
    result, _ = cli("audit", "verify", "--against", tmp_path / "legal.json")
    assert result.stdout.splitlines()[1].startswith(f"extends the checkpoint: today's log of {legal['tree_size'] + 2} entries extends")
    _, check = cli("audit", "verify", "--against", tmp_path / "legal.json", "--json")
    assert check["ok"] and check["against"]["ok"] and check["against"]["checkpoint"] == legal and check["against"]["proof"]
    assert {"entries", "bad_id", "problem", "reason", "head"} <= set(check)  # plain verify's document, plus "against"

    # the insider rewrites who added Apex and recomputes the whole chain with the package's own hash
    _, rows = cli("audit", "list", "--json")
    apex = next(e for e in rows if e["action"] == "recipient.add" and e["subject_id"] == "1")
    rewrite_history(cli.home / "leaktrace.db", apex["id"], actor="mallory@elsewhere")
    result, _ = cli("audit", "verify")
    assert result.stdout.startswith("ok: ")  # the chain and the seals hold again: that is the attack
    assert "mallory@elsewhere" in cli("audit", "list")[0].stdout
    result, _ = cli("audit", "verify", "--against", tmp_path / "legal.json", expect=2)
    assert result.stderr == (
        f"not extended: today's log does not extend the checkpoint signed {legal['timestamp']}: "
        f"its first {legal['tree_size']} entries are not the ones the checkpoint signed (rewritten).\n"
    )
    result, _ = cli("audit", "verify", "--against", tmp_path / "legal.json", "--json", expect=2)
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["against"]["ok"] is False and document["against"]["proof"] == []

    # re-signing with the stolen key: the new checkpoint verifies, legal's older one still does not
    _keep(cli, tmp_path, "resigned.json")
    cli("audit", "verify", "--against", tmp_path / "resigned.json")
    cli("audit", "verify", "--against", tmp_path / "legal.json", expect=2)


def test_verify_against_a_cut_forged_foreign_or_garbled_checkpoint(cli, tmp_path, runner):
    from leaktrace.cli.app import app

    cli("init")
    cli("recipient", "add", "Apex")
    _, rows = cli("audit", "list", "--json")
    sealed = rows[0]["id"]  # entries up to here seal records; the checkpoints' own entries come after
    for _ in range(3):
        cli("audit", "checkpoint")
    legal = _keep(cli, tmp_path, "legal.json")

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(legal | {"root_hash": "0" * 64}))
    result, _ = cli("audit", "verify", "--against", forged, expect=2)
    assert result.stderr.endswith("has a signature that does not verify: it was altered or forged.\n") and result.stderr.count("\n") == 1

    other = tmp_path / "other"
    assert runner.invoke(app, ["init", "--home", str(other)]).exit_code == 0
    assert runner.invoke(app, ["audit", "checkpoint", "--home", str(other), "--out", str(tmp_path / "theirs.json")]).exit_code == 0
    result, _ = cli("audit", "verify", "--against", tmp_path / "theirs.json", expect=2)
    assert "not by this workspace's audit log key" in result.stderr and "it is not a checkpoint of this log." in result.stderr

    for name, data, why in (
        ("missing.json", None, "no such file."),
        ("garbled.json", b'{"tree_size": 3,', "not a leaktrace checkpoint (not JSON)."),
        ("other.json", b'{"ok": true}', "not a leaktrace checkpoint (no log_id, tree_size, root_hash, timestamp, key_id, public_key, signature)."),
    ):
        if data is not None:
            (tmp_path / name).write_bytes(data)
        result, _ = cli("audit", "verify", "--against", tmp_path / name, expect=2)
        assert result.stderr == f"error: {tmp_path / name}: {why}\n"

    with sqlite3.connect(cli.home / "leaktrace.db") as db:  # cut the log below the checkpoint, head moved to match
        db.execute("delete from audit_entries where id > ?", (sealed + 1,))
        (kept,) = db.execute("select hash from audit_entries where id = ?", (sealed + 1,)).fetchone()
        db.execute("update meta set value = ? where key = 'audit_head'", (f"{sealed + 1}:{kept}",))
    result, _ = cli("audit", "verify", expect=1)  # the workspace's own later checkpoints lost their entries
    assert "checkpoint 2 was inserted outside leaktrace" in result.stderr
    with sqlite3.connect(cli.home / "leaktrace.db") as db:  # the thorough insider removes them too
        db.execute("delete from checkpoints where id > 1")
    result, _ = cli("audit", "verify")
    assert result.stdout.startswith(f"ok: {sealed + 1} entries")
    result, _ = cli("audit", "verify", "--against", tmp_path / "legal.json", expect=2)
    assert result.stderr.startswith(f"not extended: the log has {sealed + 1} entries, fewer than the {legal['tree_size']} the checkpoint signed")
