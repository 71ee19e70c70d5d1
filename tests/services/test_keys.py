"""keys: the master key leaves the workspace only encrypted under a passphrase or split k-of-n; every
custody act (init, export, import, split) is an audit entry without secrets; only the workspace's
own key is restored, never over a different one."""

from __future__ import annotations

import io
import itertools
import json
import os
import stat
from pathlib import Path

import pytest

from leaktrace import Workspace
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, KeyProblem
from leaktrace.services import audit, key_backup, keys
from leaktrace.services.context import key_path
from leaktrace.store import db as store_db

PASS = "correct horse battery staple"


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


def _custody(ws):
    """The audit entries after ``workspace.init``, oldest first."""
    return [e for e in reversed(ws.list_audit()) if e["action"] != "workspace.init"]


# --------------------------------------------------------------------------- init


def test_init_records_the_workspace_and_its_key_fingerprint(ws):
    (entry,) = [e for e in ws.list_audit() if e["action"] == "workspace.init"]
    assert entry["id"] == 1 and (entry["subject_type"], entry["subject_id"]) == ("key", ws.key_fingerprint())
    assert entry["details"] == {"home": str(ws.home), "database": "sqlite"}
    assert entry["actor"] == audit.default_actor()
    assert ws.context.master_key.hex() not in json.dumps(entry.to_dict())
    assert ws.verify_audit()["ok"]


def test_init_migrates_and_records_in_one_transaction(tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(keys.audit, "append", refused)
    with pytest.raises(RuntimeError):
        Workspace.init(tmp_path / "ws")
    url = f"sqlite:///{tmp_path / 'ws' / 'leaktrace.db'}"
    engine = store_db.make_engine(url)
    assert store_db.engine_revision(engine) is None  # the migrations were rolled back with the entry
    engine.dispose()
    monkeypatch.undo()
    with Workspace.init(tmp_path / "ws") as again:  # the same key, found in place; one birth entry
        assert [e["action"] for e in again.list_audit()].count("workspace.init") == 1


def _empty_postgres() -> str:
    from leaktrace.store.models import Base

    url = os.environ["LEAKTRACE_TEST_POSTGRES_URL"]
    wipe = store_db.make_engine(url)
    Base.metadata.drop_all(wipe)
    with wipe.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    wipe.dispose()
    return url


@pytest.mark.skipif(not os.environ.get("LEAKTRACE_TEST_POSTGRES_URL"), reason="set LEAKTRACE_TEST_POSTGRES_URL to test PostgreSQL")
def test_init_on_postgresql_is_one_transaction_too(tmp_path, monkeypatch):
    url = _empty_postgres()

    def refused(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(keys.audit, "append", refused)
    with pytest.raises(RuntimeError):
        Workspace.init(tmp_path / "ws", database_url=url)
    engine = store_db.make_engine(url)
    assert store_db.engine_revision(engine) is None
    engine.dispose()
    monkeypatch.undo()
    with Workspace.init(tmp_path / "ws", database_url=url) as ws:
        (entry,) = [e for e in ws.list_audit() if e["action"] == "workspace.init"]
        assert entry["id"] == 1 and entry["details"] == {"home": str(ws.home), "database": "postgresql"}
        assert entry["subject_id"] == ws.key_fingerprint() and ws.verify_audit()["ok"]
    _empty_postgres()


# --------------------------------------------------------------------------- encrypted backups


def test_export_writes_an_encrypted_backup_in_a_private_new_file(ws, tmp_path):
    backup = keys.export_key(ws.context, tmp_path / "backup.key", PASS, actor="lead")
    dest = tmp_path / "backup.key"
    assert backup.path == str(dest) and backup.key_fingerprint == ws.key_fingerprint() and backup.encrypted
    assert _mode(dest) == 0o600
    content = dest.read_bytes()
    assert ws.context.master_key not in content and ws.context.master_key.hex().encode() not in content
    header = key_backup.read_header(content, name=str(dest))
    assert (header.n, header.r, header.p) == (2**17, 8, 1) and len(header.salt) == 16 and len(header.nonce) == 12
    assert header.key_fingerprint == ws.key_fingerprint() and len(content) < 400
    (entry,) = _custody(ws)
    assert (entry["action"], entry["actor"], entry["subject_type"], entry["subject_id"]) == ("key.export", "lead", "key", ws.key_fingerprint())
    assert entry["details"] == {"file": dest.name, "format": "leaktrace-key-backup 1", "kdf": "scrypt"}  # a name, never a server path
    assert ws.context.master_key.hex() not in str(entry) and PASS not in str(entry)


def test_two_backups_of_one_key_share_no_salt_nonce_or_ciphertext(ws, tmp_path):
    headers = []
    for name in ("a.key", "b.key"):
        keys.export_key(ws.context, tmp_path / name, PASS)
        headers.append(key_backup.read_header((tmp_path / name).read_bytes(), name=name))
    a, b = headers
    assert a.salt != b.salt and a.nonce != b.nonce and a.sealed_key != b.sealed_key


def test_backup_round_trip_with_a_passphrase(ws, tmp_path):
    key = ws.context.master_key
    keys.export_key(ws.context, tmp_path / "backup.key", PASS)
    key_path(ws.home).unlink()
    done = keys.import_key(ws.settings, tmp_path / "backup.key", PASS, actor="ops")
    assert done.to_dict() == {
        "key_fingerprint": key_fingerprint(key),
        "path": str(tmp_path / "backup.key"),
        "encrypted": True,
        "restored": True,
        "warning": None,
    }
    assert key_path(ws.home).read_bytes() == key and _mode(key_path(ws.home)) == 0o600
    entry = _custody(ws)[-1]
    assert (entry["action"], entry["actor"], entry["subject_id"]) == ("key.import", "ops", key_fingerprint(key))
    assert entry["details"] == {"file": "backup.key", "from": "encrypted"}
    again = keys.import_key(ws.settings, tmp_path / "backup.key", lambda: PASS)  # in place already: nothing to do, nothing recorded
    assert not again.restored and len(_custody(ws)) == 2
    assert ws.verify_audit()["ok"]


def test_the_passphrase_is_unicode_normalised(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "b.key", "caf\u00e9 au lait noir")  # é as one code point
    key_path(ws.home).unlink()
    assert keys.import_key(ws.settings, tmp_path / "b.key", "cafe\u0301 au lait noir").restored  # e + combining accent


def test_a_wrong_passphrase_is_refused_in_one_line(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "backup.key", PASS)
    key_path(ws.home).unlink()
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, tmp_path / "backup.key", PASS.upper())
    assert str(caught.value) == f"{tmp_path / 'backup.key'}: wrong passphrase, or the backup was altered (it does not decrypt)."
    assert caught.value.exit_code == 2 and not key_path(ws.home).exists() and len(_custody(ws)) == 1


def test_short_passphrases_are_refused(ws, tmp_path):
    with pytest.raises(BadInput) as caught:
        keys.export_key(ws.context, tmp_path / "b.key", "eleven char")
    assert str(caught.value) == "the passphrase has 11 characters; a key backup needs at least 12."
    assert not (tmp_path / "b.key").exists() and _custody(ws) == []
    keys.export_key(ws.context, tmp_path / "b.key", "twelve chars")


def test_an_altered_backup_is_never_imported(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "b.key", PASS)
    key_path(ws.home).unlink()
    magic, header, body, _ = (tmp_path / "b.key").read_bytes().split(b"\n")
    fingerprint = ws.key_fingerprint().encode()
    other = (b"0" if fingerprint[:1] != b"0" else b"1") + fingerprint[1:]
    altered = {
        "ciphertext": (header, body[:-1] + (b"0" if body[-1:] != b"0" else b"1"), "wrong passphrase, or the backup was altered"),
        "scrypt cost": (header.replace(b'"r":8', b'"r":9'), body, "wrong passphrase, or the backup was altered"),
        "created at": (header.replace(b'"created_at":"2', b'"created_at":"1'), body, "wrong passphrase, or the backup was altered"),
        "fingerprint": (header.replace(fingerprint, other), body, "does not belong to this workspace"),
    }
    for what, (head, text, words) in altered.items():
        (tmp_path / f"{what}.key").write_bytes(b"\n".join([magic, head, text, b""]))
        with pytest.raises(KeyProblem, match=words):
            keys.import_key(ws.settings, tmp_path / f"{what}.key", PASS)
    assert not key_path(ws.home).exists() and len(_custody(ws)) == 1


def test_a_backup_from_a_newer_leaktrace_or_another_cipher_is_named(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "b.key", PASS)
    content = (tmp_path / "b.key").read_bytes()
    (tmp_path / "v2.key").write_bytes(content.replace(b"leaktrace-key-backup 1", b"leaktrace-key-backup 2"))
    with pytest.raises(KeyProblem, match="format version 2; this leaktrace reads version 1: upgrade leaktrace"):
        keys.import_key(ws.settings, tmp_path / "v2.key", PASS)
    (tmp_path / "big.key").write_bytes(content.replace(b'"n":131072', b'"n":1073741824'))
    with pytest.raises(KeyProblem, match="scrypt parameters n=1073741824, r=8, p=1 are out of range"):
        keys.import_key(ws.settings, tmp_path / "big.key", PASS)


def test_an_encrypted_backup_needs_a_passphrase(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "b.key", PASS)
    key_path(ws.home).unlink()
    with pytest.raises(BadInput, match="an encrypted key backup needs a passphrase"):
        keys.import_key(ws.settings, tmp_path / "b.key")


def test_export_refuses_an_existing_file_or_a_missing_folder(ws, tmp_path):
    (tmp_path / "taken.key").write_text("keep me")
    with pytest.raises(BadInput) as caught:
        keys.export_key(ws.context, tmp_path / "taken.key", PASS)
    assert str(caught.value) == f"{tmp_path / 'taken.key'}: already exists; choose a new file for the key backup."
    assert (tmp_path / "taken.key").read_text() == "keep me"
    with pytest.raises(BadInput, match="no such folder"):
        keys.export_key(ws.context, tmp_path / "nowhere" / "b.key", PASS)
    assert _custody(ws) == []


def test_a_failed_write_records_no_export(ws, tmp_path, monkeypatch):
    def full_disk(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(keys, "write_secret", full_disk)
    with pytest.raises(OSError):
        keys.export_key(ws.context, tmp_path / "b.key", PASS)
    assert _custody(ws) == [] and ws.verify_audit()["entries"] == 1


def test_old_plain_backups_are_still_accepted_with_a_warning(ws, tmp_path):
    key = ws.context.master_key
    (tmp_path / "hex.key").write_bytes(key.hex().encode() + b"\n")
    (tmp_path / "raw.key").write_bytes(key)
    for backup in (tmp_path / "hex.key", tmp_path / "raw.key"):
        key_path(ws.home).unlink()
        done = keys.import_key(ws.settings, backup, lambda: pytest.fail("a plain backup asks for no passphrase"))
        assert done.restored and not done.encrypted and done.key_fingerprint == key_fingerprint(key)
        assert done.warning == (
            f"{backup}: a plain key backup, not encrypted: whoever reads it holds the key. "
            "Make an encrypted one with 'leaktrace key export FILE' and destroy this file."
        )
        assert key_path(ws.home).read_bytes() == key and _mode(key_path(ws.home)) == 0o600
    assert [e["details"]["from"] for e in _custody(ws)] == ["plain", "plain"]


def test_import_refuses_a_key_of_another_workspace(ws, tmp_path):
    other = Workspace.init(tmp_path / "other")
    other.export_key(tmp_path / "other.key", passphrase=PASS)
    theirs, ours = other.key_fingerprint(), ws.key_fingerprint()
    other.close()
    key_path(ws.home).unlink()
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, tmp_path / "other.key", lambda: pytest.fail("refused before the passphrase is asked for"))
    assert str(caught.value) == f"{tmp_path / 'other.key'}: this key (fingerprint {theirs}) does not belong to this workspace (expected {ours})."
    assert not key_path(ws.home).exists()


def test_import_never_replaces_a_different_key(ws, tmp_path):
    keys.export_key(ws.context, tmp_path / "backup.key", PASS)
    key_path(ws.home).unlink()
    key_path(ws.home).write_bytes(b"\x01" * 32)  # someone put another key in place
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, tmp_path / "backup.key", PASS)
    assert str(caught.value) == f"{key_path(ws.home)}: a different master key is already in place; move it away before importing."
    assert key_path(ws.home).read_bytes() == b"\x01" * 32


def test_a_failed_entry_takes_the_restored_key_back(ws, tmp_path, monkeypatch):
    keys.export_key(ws.context, tmp_path / "backup.key", PASS)
    key_path(ws.home).unlink()

    def refused(*args, **kwargs):
        raise RuntimeError("store gone")

    monkeypatch.setattr(keys.audit, "append", refused)
    with pytest.raises(RuntimeError):
        keys.import_key(ws.settings, tmp_path / "backup.key", PASS)
    assert not key_path(ws.home).exists()  # no key in place without its key.import entry


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not a leaktrace key backup (a key is 32 bytes)."),
        (b"ab" * 16 + b"\n", "not a leaktrace key backup (a key is 32 bytes)."),  # 16 bytes of hex
        (b"zz" * 32 + b"\n", "not a leaktrace key backup."),
        (b"\xff\xfe" * 20, "not a leaktrace key backup."),
        (b"leaktrace-key-backup 1\n{}\n", "not a leaktrace key backup (expected three lines, the first 'leaktrace-key-backup 1')."),
        (b"leaktrace-key-backup 1\n{}\n00\n", "not a leaktrace key backup (its header is malformed)."),
        (b"x" * 70_000, "not a leaktrace key backup (70000 bytes; one is under 1 KB)."),
    ],
)
def test_import_refuses_what_is_not_a_backup(ws, tmp_path, content, words):
    source = tmp_path / "bad.key"
    source.write_bytes(content)
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, source, PASS)
    assert str(caught.value) == f"{source}: {words}"


def test_import_refuses_a_missing_file_or_a_folder(ws, tmp_path):
    for source in (tmp_path / "missing.key", tmp_path):
        with pytest.raises(BadInput, match="no such file"):
            keys.import_key(ws.settings, source, PASS)


def test_the_loss_warning_says_both_risks():
    assert "offline" in keys.LOSS_WARNING and "no copy can ever be traced" in keys.LOSS_WARNING


# --------------------------------------------------------------------------- k-of-n splits


def test_a_split_writes_private_share_files_and_an_entry_without_secrets(ws, tmp_path):
    made = keys.split_key(ws.context, tmp_path / "escrow" / "2027", shares=3, threshold=2, custodians=["Legal", "Security", "IT"], actor="ciso")
    assert (made.shares, made.threshold, made.key_fingerprint) == (3, 2, ws.key_fingerprint())
    assert [(f.index, f.custodian) for f in made.files] == [(1, "Legal"), (2, "Security"), (3, "IT")]
    assert _mode(tmp_path / "escrow") == 0o700 and _mode(tmp_path / "escrow" / "2027") == 0o700
    docs = []
    for f in made.files:
        assert _mode(tmp_path / f.path) == 0o600
        docs.append(json.loads((tmp_path / f.path).read_text()))
    for i, doc in enumerate(docs, start=1):
        assert (doc["index"], doc["shares"], doc["threshold"], doc["key_fingerprint"], doc["split_id"]) == (
            i,
            3,
            2,
            ws.key_fingerprint(),
            made.split_id,
        )
        assert ws.context.master_key.hex() not in json.dumps(doc)
    assert len({d["share"] for d in docs}) == 3 and len({d["wrapped_key"] for d in docs}) == 1
    (entry,) = _custody(ws)
    assert (entry["action"], entry["actor"], entry["subject_type"], entry["subject_id"]) == ("key.split", "ciso", "key", ws.key_fingerprint())
    assert entry["details"] == {
        "split_id": made.split_id,
        "shares": 3,
        "threshold": 2,
        "out_dir": "2027",
        "custodians": ["Legal", "Security", "IT"],
    }
    assert not any(d["share"] in str(entry) or d["wrapped_key"] in str(entry) for d in docs)


def test_a_2_of_3_split_recovers_the_key_from_any_2_shares(ws, tmp_path):
    key = ws.context.master_key
    made = keys.split_key(ws.context, tmp_path / "shares", shares=3, threshold=2)
    paths = [tmp_path / f.path for f in made.files]
    for pair in itertools.permutations(paths, 2):
        key_path(ws.home).unlink()
        done = keys.combine_shares(ws.settings, list(pair), actor="ops")
        assert done.restored and done.key_fingerprint == key_fingerprint(key) and done.split_id == made.split_id
        assert key_path(ws.home).read_bytes() == key and _mode(key_path(ws.home)) == 0o600
    entry = _custody(ws)[-1]
    assert (entry["action"], entry["actor"], entry["details"]["from"], entry["details"]["shares_used"]) == ("key.import", "ops", "shares", [2, 3])
    drill = keys.combine_shares(ws.settings, paths)  # the key in place: the shares are checked, nothing is written
    assert not drill.restored and drill.shares_used == (1, 2, 3) and len(_custody(ws)) == 1 + 6


def test_a_3_of_5_split_needs_3(ws, tmp_path):
    made = keys.split_key(ws.context, tmp_path / "shares", shares=5, threshold=3)
    paths = [tmp_path / f.path for f in made.files]
    for trio in itertools.combinations(paths, 3):
        assert keys.combine_shares(ws.settings, list(trio)).key_fingerprint == ws.key_fingerprint()
    for pair in itertools.combinations(paths, 2):
        with pytest.raises(KeyProblem) as caught:
            keys.combine_shares(ws.settings, list(pair))
        assert str(caught.value) == f"2 shares given; this split of key {ws.key_fingerprint()} needs 3 of its 5."


def test_combine_can_write_an_encrypted_backup_instead(ws, tmp_path):
    made = keys.split_key(ws.context, tmp_path / "shares", shares=3, threshold=2)
    done = keys.combine_shares(
        ws.settings, [tmp_path / made.files[2].path, tmp_path / made.files[0].path], out=tmp_path / "escrow.key", passphrase=PASS
    )
    assert (done.path, done.restored, done.shares_used) == (str(tmp_path / "escrow.key"), False, (1, 3))
    assert _mode(tmp_path / "escrow.key") == 0o600
    assert key_backup.unseal((tmp_path / "escrow.key").read_bytes(), PASS, name="escrow.key") == ws.context.master_key
    entry = _custody(ws)[-1]
    assert (entry["action"], entry["details"]["file"], entry["details"]["from"]) == ("key.export", "escrow.key", "shares")
    with pytest.raises(BadInput, match="already exists"):
        keys.combine_shares(ws.settings, [tmp_path / f.path for f in made.files], out=tmp_path / "escrow.key", passphrase=PASS)


def test_fewer_than_k_mixed_repeated_or_altered_shares_are_refused(ws, tmp_path):
    first = [tmp_path / f.path for f in keys.split_key(ws.context, tmp_path / "one", shares=3, threshold=2).files]
    second = [tmp_path / f.path for f in keys.split_key(ws.context, tmp_path / "two", shares=3, threshold=2).files]
    key_path(ws.home).unlink()
    with pytest.raises(KeyProblem, match=f"^1 share given; this split of key {ws.key_fingerprint()} needs 2 of its 3.$"):
        keys.combine_shares(ws.settings, first[:1])
    with pytest.raises(KeyProblem, match="come from different splits"):
        keys.combine_shares(ws.settings, [first[0], second[1]])
    with pytest.raises(KeyProblem, match=r"are the same share \(1 of 3\)"):
        keys.combine_shares(ws.settings, [first[0], first[0]])
    doc = json.loads(first[1].read_text())
    doc["share"] = ("0" if doc["share"][0] != "0" else "1") + doc["share"][1:]
    (tmp_path / "damaged.json").write_text(json.dumps(doc))
    with pytest.raises(KeyProblem, match="the shares do not open the key"):
        keys.combine_shares(ws.settings, [first[0], tmp_path / "damaged.json"])
    assert not key_path(ws.home).exists()
    outvoted = keys.combine_shares(ws.settings, [first[0], tmp_path / "damaged.json", first[2]])  # k good shares among them
    assert outvoted.restored and outvoted.shares_used == (1, 3)
    key_path(ws.home).unlink()
    for field, value in (("threshold", 3), ("key_fingerprint", "0" * 16)):
        doc = json.loads(first[1].read_text())
        doc[field] = value
        (tmp_path / f"{field}.json").write_text(json.dumps(doc))
        with pytest.raises(KeyProblem, match=f"disagree on its {field.replace('_', ' ')}: one of them was altered"):
            keys.combine_shares(ws.settings, [first[0], tmp_path / f"{field}.json"])
    edited = []
    for i, path in enumerate(first[:2]):  # "2 of 2" written into both files alike: consistent, but the sealed key is bound to "2 of 3"
        doc = json.loads(path.read_text())
        doc["shares"] = 2
        edited.append(tmp_path / f"edited-{i}.json")
        edited[-1].write_text(json.dumps(doc))
    with pytest.raises(KeyProblem, match="the shares do not open the key"):
        keys.combine_shares(ws.settings, edited)
    for junk in (b"{}", b"not json", json.dumps({"format": "leaktrace-key-share", "version": 9}).encode()):
        (tmp_path / "junk.json").write_bytes(junk)
        with pytest.raises(KeyProblem, match="junk.json: "):
            keys.combine_shares(ws.settings, [first[0], tmp_path / "junk.json"])
    assert not key_path(ws.home).exists()


@pytest.mark.parametrize("shares, threshold", [(3, 1), (2, 3), (33, 2), (0, 0)])
def test_split_refuses_thresholds_that_protect_nothing(ws, tmp_path, shares, threshold):
    with pytest.raises(BadInput, match="need 2 <= threshold <= shares <= 32"):
        keys.split_key(ws.context, tmp_path / "s", shares=shares, threshold=threshold)
    assert not (tmp_path / "s").exists() and _custody(ws) == []


def test_split_refuses_existing_share_files_and_wrong_custodian_counts(ws, tmp_path):
    made = keys.split_key(ws.context, tmp_path / "s", shares=2, threshold=2)
    before = [(tmp_path / f.path).read_bytes() for f in made.files]
    with pytest.raises(BadInput, match="already exists; choose a new folder for the shares"):
        keys.split_key(ws.context, tmp_path / "s", shares=2, threshold=2)
    assert [(tmp_path / f.path).read_bytes() for f in made.files] == before and len(_custody(ws)) == 1
    with pytest.raises(BadInput, match="2 custodians named for 3 shares"):
        keys.split_key(ws.context, tmp_path / "t", shares=3, threshold=2, custodians=["Legal", "IT"])


def test_a_failed_split_leaves_no_share_behind(ws, tmp_path, monkeypatch):
    calls = []

    def second_fails(path, data):
        if calls:
            raise OSError(28, "No space left on device", str(path))
        calls.append(path)
        path.write_bytes(data)

    monkeypatch.setattr(keys, "write_secret", second_fails)
    with pytest.raises(OSError):
        keys.split_key(ws.context, tmp_path / "s", shares=3, threshold=2)
    assert list((tmp_path / "s").iterdir()) == [] and _custody(ws) == []


def test_a_huge_or_endless_file_is_refused_without_reading_it_whole(ws, tmp_path, monkeypatch):
    big = tmp_path / "big.key"
    with big.open("wb") as f:
        f.truncate(2**30)  # 1 GB, sparse: refused by its size
    reads = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: reads.append(self) or real_open(self, *a, **k))
    with pytest.raises(KeyProblem, match=r"big.key: not a leaktrace key backup \(1073741824 bytes;"):
        keys.import_key(ws.settings, big)
    assert reads == []
    monkeypatch.undo()
    grows = tmp_path / "grows.key"
    grows.write_bytes(b"")
    real_stat = os.stat
    sizes = {"n": 0}

    class _Endless(io.RawIOBase):  # what a FIFO or a growing file gives: more than its stat said
        def readable(self):
            return True

        def readinto(self, b):
            sizes["n"] += len(b)
            b[:] = b"0" * len(b)
            return len(b)

    monkeypatch.setattr(Path, "open", lambda self, *a, **k: io.BufferedReader(_Endless()) if self == grows else real_open(self, *a, **k))
    with pytest.raises(KeyProblem, match="more than 65536 bytes"):
        keys.import_key(ws.settings, grows)
    assert sizes["n"] <= 2 * 65537 and real_stat(grows).st_size == 0
