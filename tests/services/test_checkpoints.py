"""Signed checkpoints: the log key, issuing, and a rewritten or cut history caught by an older checkpoint."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from leaktrace import Workspace, records
from leaktrace.core import merkle
from leaktrace.errors import BadInput, EvidenceTampered, KeyProblem
from leaktrace.services import checkpoints
from leaktrace.services.context import write_secret
from tests.conftest import rewrite_history


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


def logins(ws, n: int, *, actor: str = "ana") -> None:
    """``n`` entries about no sealed record (so that cutting them off leaves every seal whole)."""
    for i in range(n):
        ws.record_audit("login", actor=actor, subject_type="user", subject_id=i)


def db(ws):
    return sqlite3.connect(ws.home / "leaktrace.db")


def entry_hashes(ws) -> list[str]:
    return [e.hash for e in sorted(ws.list_audit(), key=lambda e: e.id)]


def test_the_log_key_is_its_own_made_at_init_0600_with_its_public_key_kept(ws):
    path = ws.home / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 32
    assert path.read_bytes() != (ws.home / "master.key").read_bytes()
    public = Ed25519PrivateKey.from_private_bytes(path.read_bytes()).public_key().public_bytes_raw()
    with db(ws) as con:
        (stored,) = con.execute("select value from meta where key = 'audit_log_public_key'").fetchone()
    assert base64.b64decode(stored) == public
    head = ws.checkpoint()
    assert head.public_key == stored and head.key_id == hashlib.sha256(public).hexdigest()
    assert head.log_id == ws.key_fingerprint()


def test_a_workspace_made_before_gets_its_key_on_first_use(ws):
    (ws.home / "audit.key").unlink()
    with db(ws) as con:
        con.execute("delete from meta where key = 'audit_log_public_key'")
    head = ws.checkpoint()
    assert stat.S_IMODE((ws.home / "audit.key").stat().st_mode) == 0o600
    assert ws.verify_audit_against(head).ok


def test_a_missing_exposed_or_foreign_log_key_is_refused(ws):
    path = ws.home / "audit.key"
    original = path.read_bytes()
    head = ws.checkpoint()
    path.chmod(0o644)
    with pytest.raises(KeyProblem, match=r"audit.key: the audit log's signing key is readable by others \(mode 0644\)"):
        ws.checkpoint()
    path.unlink()
    with pytest.raises(KeyProblem, match="signing key is missing; restore it from its backup"):
        ws.checkpoint()
    assert ws.verify_audit_against(head).ok  # checking needs only the public key
    write_secret(path, Ed25519PrivateKey.generate().private_bytes_raw())
    with pytest.raises(KeyProblem, match=r"this signing key \(key id [0-9a-f]{16}\) is not this audit log's"):
        ws.checkpoint()
    path.unlink()
    write_secret(path, original[:31])
    with pytest.raises(KeyProblem, match="must be 32 bytes, found 31"):
        ws.checkpoint()


def test_a_checkpoint_signs_the_entries_before_its_own_entry(ws):
    logins(ws, 4)
    before = entry_hashes(ws)
    head = ws.checkpoint(actor="legal-export")
    assert head.tree_size == len(before)
    assert head.root_hash == merkle.root([bytes.fromhex(h) for h in before]).hex()
    signed = merkle.signed_bytes(head.log_id, head.tree_size, head.root_hash, head.timestamp)
    Ed25519PublicKey.from_public_bytes(base64.b64decode(head.public_key)).verify(base64.b64decode(head.signature), signed)  # raises if not
    newest = ws.list_audit(limit=1)[0]
    assert (newest.id, newest.action, newest.actor, newest.subject_type) == (len(before) + 1, "checkpoint", "legal-export", "checkpoint")
    assert newest.details["tree_size"] == head.tree_size and newest.details["root_hash"] == head.root_hash
    with db(ws) as con:
        rows = con.execute("select id, tree_size, root_hash, key_id, signature from checkpoints").fetchall()
    assert rows == [(int(newest.subject_id), head.tree_size, head.root_hash, head.key_id, head.signature)]
    assert set(head.to_dict()) == {"log_id", "tree_size", "root_hash", "timestamp", "key_id", "public_key", "signature"}
    assert ws.verify_audit().ok


def test_checkpoints_go_to_checkpoint_dir_and_out_files(tmp_path):
    worm = tmp_path / "worm"
    worm.mkdir()
    ws = Workspace.init(tmp_path / "ws", checkpoint_dir=str(worm))
    try:
        logins(ws, 2)
        head = ws.checkpoint(out=tmp_path / "legal.json")
        (exported,) = worm.iterdir()
        assert exported.name.startswith(f"leaktrace-checkpoint-{head.log_id}-{head.tree_size:09d}-") and exported.suffix == ".json"
        assert checkpoints.load(exported) == head == checkpoints.load(tmp_path / "legal.json")
        assert json.loads(exported.read_text()) == head.to_dict()
        assert ws.list_audit(limit=1)[0].details["exported_to"] == str(exported)
        entries = len(ws.list_audit())
        with pytest.raises(BadInput, match="legal.json: already exists; a checkpoint is never overwritten"):
            ws.checkpoint(out=tmp_path / "legal.json")
        worm.rename(tmp_path / "unmounted")
        with pytest.raises(BadInput, match=r"worm: the checkpoint_dir folder does not exist \(is the share mounted\?\); no checkpoint was issued"):
            ws.checkpoint()
        assert len(ws.list_audit()) == entries  # nothing was issued
    finally:
        ws.close()


def test_the_log_that_grew_extends_an_older_checkpoint(ws):
    logins(ws, 3)
    old = ws.checkpoint()
    same = ws.verify_audit_against(old)
    assert same.ok and same.tree_size == old.tree_size + 1  # the checkpoint's own entry came after it
    logins(ws, 9)
    check = ws.verify_audit_against(old)
    assert check.ok and check.tree_size == old.tree_size + 10 and check.proof
    assert check.reason == (
        f"today's log of {check.tree_size} entries extends the checkpoint of {old.tree_size} entries signed {old.timestamp} "
        f"(a consistency proof of {len(check.proof)} hashes)."  # 3 → 14 entries: more than one
    )
    leaves = [bytes.fromhex(h) for h in entry_hashes(ws)]
    assert check.root_hash == merkle.root(leaves).hex()
    assert merkle.verify_consistency(
        old.tree_size, check.tree_size, bytes.fromhex(old.root_hash), bytes.fromhex(check.root_hash), [bytes.fromhex(p) for p in check.proof]
    )


def test_a_rewritten_history_passes_the_chain_but_not_an_older_checkpoint_even_resigned(ws):
    logins(ws, 5)
    legal = ws.checkpoint()  # kept by legal, off the machine
    logins(ws, 3, actor="bob")
    ws.close()
    copy = ws.home.parent / "careless.db"
    copy.write_bytes((ws.home / "leaktrace.db").read_bytes())
    rewrite_history(copy, 2, hide_checkpoints=False, actor="mallory")
    with Workspace(ws.home, database_url=f"sqlite:///{copy}") as careless:  # a rewrite that leaves the workspace's checkpoints
        check = careless.verify_audit()
        assert (check.ok, check.problem) == (False, "rewritten") and "checkpoint 1 signed" in check.reason
    rewrite_history(ws.home / "leaktrace.db", 2, actor="mallory", details={"forged": True})
    assert ws.verify_audit().ok  # the thorough attack: the chain holds again, the workspace's own checkpoints gone
    assert ws.list_audit()[-2].actor == "mallory"
    check = ws.verify_audit_against(legal)
    assert not check.ok and check.proof == ()
    assert check.reason == (
        f"today's log does not extend the checkpoint signed {legal.timestamp}: "
        f"its first {legal.tree_size} entries are not the ones the checkpoint signed (rewritten)."
    )
    # whoever holds the log key signs a fresh checkpoint over the forgery: it verifies, the older one still does not
    resigned = ws.checkpoint()
    assert ws.verify_audit_against(resigned).ok and not ws.verify_audit_against(legal).ok
    # nor does an old head re-signed with the stolen key over the forged root: its signature differs from legal's, whose copy is unchanged
    key = Ed25519PrivateKey.from_private_bytes((ws.home / "audit.key").read_bytes())
    leaves = [bytes.fromhex(h) for h in entry_hashes(ws)][: legal.tree_size]
    forged = checkpoints._sign(key, legal.log_id, legal.tree_size, merkle.root(leaves).hex(), legal.timestamp)
    assert ws.verify_audit_against(forged).ok and forged.signature != legal.signature and not ws.verify_audit_against(legal).ok
    # rewriting only entries after a checkpoint's end is no rewrite of what it saw: the later checkpoint catches it
    ws.close()
    rewrite_history(ws.home / "leaktrace.db", legal.tree_size + 2, actor="eve")
    assert ws.verify_audit_against(resigned).ok is False and ws.verify_audit_against(forged).ok


def test_cutting_the_log_below_the_checkpoint_is_caught(ws):
    logins(ws, 6)
    legal = ws.checkpoint()
    ws.close()
    with db(ws) as con:
        con.execute("delete from audit_entries where id > 4")
        (kept,) = con.execute("select hash from audit_entries where id = 4").fetchone()
        con.execute("update meta set value = ? where key = 'audit_head'", (f"4:{kept}",))
    assert ws.verify_audit().record == "checkpoint 1"  # the workspace's own checkpoint lost its entry
    with db(ws) as con:
        con.execute("delete from checkpoints")
    assert ws.verify_audit().ok
    check = ws.verify_audit_against(legal)
    assert not check.ok and check.tree_size == 4
    assert (
        check.reason
        == f"the log has 4 entries, fewer than the {legal.tree_size} the checkpoint signed {legal.timestamp} covers: entries were removed."
    )


def test_a_forged_or_foreign_checkpoint_fails(ws, tmp_path):
    logins(ws, 3)
    head = ws.checkpoint()
    for change in (dict(root_hash="0" * 64), dict(tree_size=1), dict(timestamp="2020-01-01T00:00:00+00:00"), dict(log_id="someone-else")):
        forged = records.Checkpoint(**(head.to_dict() | change))
        check = ws.verify_audit_against(forged)
        assert not check.ok and "has a signature that does not verify: it was altered or forged." in check.reason
    other = Workspace.init(tmp_path / "other")
    try:
        logins(other, 3)
        theirs = other.checkpoint()
    finally:
        other.close()
    check = ws.verify_audit_against(theirs)
    assert not check.ok
    assert check.reason == (
        f"the checkpoint was signed by key {theirs.key_id[:16]}, not by this workspace's audit log key {head.key_id[:16]}: it is not a checkpoint of this log."
    )
    # a key swapped in by the attacker (file and meta) makes every older checkpoint fail, it does not make forgeries pass
    new = Ed25519PrivateKey.generate()
    (ws.home / "audit.key").write_bytes(new.private_bytes_raw())
    with db(ws) as con:
        con.execute("update meta set value = ? where key = 'audit_log_public_key'", (base64.b64encode(new.public_key().public_bytes_raw()).decode(),))
    assert "not by this workspace's audit log key" in ws.verify_audit_against(head).reason


def test_inclusion_proofs_and_the_report_pair(ws):
    logins(ws, 6)
    head = ws.checkpoint()
    for entry_id in range(1, head.tree_size + 1):
        proof = checkpoints.inclusion(ws.context, entry_id, head)
        assert checkpoints.inclusion_holds(proof) and proof.entry_hash == entry_hashes(ws)[entry_id - 1]
    proof = checkpoints.inclusion(ws.context, 3, head)
    assert not checkpoints.inclusion_holds(records.InclusionProof(4, proof.entry_hash, proof.tree_size, proof.root_hash, proof.path))
    assert not checkpoints.inclusion_holds(records.InclusionProof(3, "ab" * 32, proof.tree_size, proof.root_hash, proof.path))
    assert not checkpoints.inclusion_holds(records.InclusionProof(3, proof.entry_hash, proof.tree_size, proof.root_hash, proof.path[:-1]))
    with pytest.raises(BadInput, match=f"audit entry {head.tree_size + 1} is not in the checkpoint of {head.tree_size} entries"):
        checkpoints.inclusion(ws.context, head.tree_size + 1, head)

    count = len(ws.list_audit())
    issued, proof = checkpoints.for_report(ws.context, 2, actor="reporter")
    assert isinstance(issued, records.Checkpoint) and isinstance(proof, records.InclusionProof)
    assert issued.tree_size == count and proof.tree_size == count and proof.root_hash == issued.root_hash and proof.entry_id == 2
    assert checkpoints.inclusion_holds(proof) and ws.verify_audit_against(issued).ok
    assert ws.list_audit(limit=1)[0].actor == "reporter"
    with pytest.raises(BadInput, match="audit entry 99 does not exist"):
        checkpoints.for_report(ws.context, 99)
    assert len(ws.list_audit()) == count + 1  # the refused one issued nothing

    ws.close()
    rewrite_history(ws.home / "leaktrace.db", 1, actor="mallory")
    with pytest.raises(EvidenceTampered, match=f"no longer holds the {head.tree_size} entries the checkpoint signed"):
        checkpoints.inclusion(ws.context, 2, head)


def test_no_checkpoint_is_signed_over_a_broken_chain(ws):
    logins(ws, 3)
    ws.close()
    with db(ws) as con:
        con.execute("""update audit_entries set actor = 'mallory' where id = 2""")
    with pytest.raises(EvidenceTampered, match=r"the audit log does not verify \(audit entry 2 was edited.*no checkpoint is signed over it"):
        ws.checkpoint()


def test_loading_a_checkpoint_file(ws, tmp_path):
    head = ws.checkpoint()
    good = head.to_dict()
    with pytest.raises(BadInput, match=r"nowhere.json: no such file\.$"):
        checkpoints.load(tmp_path / "nowhere.json")
    cases = {
        b"\x89PNG\r\n": "not JSON",
        b'{"log_id": ': "not JSON",
        b"[1, 2]": "not a JSON object",
        json.dumps({"hello": 1}).encode(): "no log_id, tree_size, root_hash, timestamp, key_id, public_key, signature",
        json.dumps(good | {"tree_size": -1}).encode(): "tree_size is not a whole number ≥ 0",
        json.dumps(good | {"tree_size": "3"}).encode(): "tree_size is not a whole number ≥ 0",
        json.dumps(good | {"root_hash": "XY" * 32}).encode(): "root_hash is not 64 lowercase hex digits",
        json.dumps(good | {"timestamp": "yesterday"}).encode(): "timestamp is not an ISO 8601 time",
        json.dumps(good | {"log_id": "a\nsize 9"}).encode(): "log_id is not one line of text",
        json.dumps(good | {"signature": "c2ln"}).encode(): "signature is not base64 of 64 bytes",
        json.dumps(good | {"public_key": "!!"}).encode(): "public_key is not base64 of 32 bytes",
    }
    for i, (data, why) in enumerate(cases.items()):
        path = tmp_path / f"c{i}.json"
        path.write_bytes(data)
        with pytest.raises(BadInput) as caught:
            checkpoints.load(path)
        assert str(caught.value) == f"{path}: not a leaktrace checkpoint ({why}).", data
    (tmp_path / "big.json").write_bytes(b" " * 70_000)
    with pytest.raises(BadInput, match="larger than 64 KB"):
        checkpoints.load(tmp_path / "big.json")
    (tmp_path / "extra.json").write_text(json.dumps(good | {"comment": "kept by legal"}))
    assert checkpoints.load(tmp_path / "extra.json") == head  # unsigned extras are ignored


def test_checking_a_checkpoint_writes_nothing_even_where_the_log_has_no_key_yet(ws, tmp_path):
    other = Workspace.init(tmp_path / "other")
    try:
        theirs = other.checkpoint()
    finally:
        other.close()
    (ws.home / "audit.key").unlink()  # a workspace made before log keys existed
    with db(ws) as con:
        con.execute("delete from meta where key = 'audit_log_public_key'")
    check = ws.verify_audit_against(theirs)
    assert not check.ok and "this workspace has no audit log key yet" in check.reason
    assert not (ws.home / "audit.key").exists()  # no key was made by checking
    with db(ws) as con:
        assert con.execute("select count(*) from meta where key = 'audit_log_public_key'").fetchone() == (0,)
