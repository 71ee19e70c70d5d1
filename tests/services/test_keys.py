"""keys: the master key backup is a new 0600 file, audited; only the workspace's own key is restored."""

from __future__ import annotations

import stat

import pytest

from leaktrace import Workspace
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, KeyProblem
from leaktrace.services import keys
from leaktrace.services.context import key_path


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


def test_export_writes_the_key_as_hex_in_a_private_new_file(ws, tmp_path):
    dest = keys.export_key(ws.context, tmp_path / "backup.key", actor="lead")
    assert dest == tmp_path / "backup.key"
    assert dest.read_bytes() == ws.context.master_key.hex().encode() + b"\n"
    assert len(dest.read_bytes()) == 2 * 32 + 1
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    (entry,) = ws.list_audit()
    assert (entry["action"], entry["actor"], entry["subject_type"]) == ("key.export", "lead", "key")
    assert entry["subject_id"] == key_fingerprint(ws.context.master_key)
    assert entry["details"] == {"path": str(dest)}
    assert ws.context.master_key.hex() not in str(entry)  # the audit trail never holds the key


def test_export_refuses_an_existing_file_or_a_missing_folder(ws, tmp_path):
    (tmp_path / "taken.key").write_text("keep me")
    with pytest.raises(BadInput) as caught:
        keys.export_key(ws.context, tmp_path / "taken.key")
    assert str(caught.value) == f"{tmp_path / 'taken.key'}: already exists; choose a new file for the key backup."
    assert (tmp_path / "taken.key").read_text() == "keep me"
    with pytest.raises(BadInput, match="no such folder"):
        keys.export_key(ws.context, tmp_path / "nowhere" / "b.key")
    assert ws.list_audit() == []


def test_a_failed_write_records_no_export(ws, tmp_path, monkeypatch):
    def full_disk(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(keys, "write_secret", full_disk)
    with pytest.raises(OSError):
        keys.export_key(ws.context, tmp_path / "b.key")
    assert ws.list_audit() == [] and ws.verify_audit()["entries"] == 0


def test_import_restores_the_key_from_hex_or_raw_backups(ws, tmp_path):
    key = ws.context.master_key
    fingerprint = key_fingerprint(key)
    hex_backup = keys.export_key(ws.context, tmp_path / "hex.key")
    raw_backup = tmp_path / "raw.key"
    raw_backup.write_bytes(key)
    for backup in (hex_backup, raw_backup):
        key_path(ws.home).unlink()
        assert keys.import_key(ws.settings, backup) == fingerprint
        assert key_path(ws.home).read_bytes() == key
        assert stat.S_IMODE(key_path(ws.home).stat().st_mode) == 0o600
    assert keys.import_key(ws.settings, hex_backup) == fingerprint  # the same key in place: nothing to do


def test_import_refuses_a_key_of_another_workspace(ws, tmp_path):
    other = Workspace.init(tmp_path / "other")
    foreign = other.export_key(tmp_path / "other.key")
    theirs, ours = other.key_fingerprint(), ws.key_fingerprint()
    other.close()
    key_path(ws.home).unlink()
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, foreign)
    assert str(caught.value) == (f"{foreign}: this key (fingerprint {theirs}) does not belong to this workspace (expected {ours}).")
    assert not key_path(ws.home).exists()


def test_import_never_replaces_a_different_key(ws, tmp_path):
    backup = keys.export_key(ws.context, tmp_path / "backup.key")
    key_path(ws.home).write_bytes(b"\x01" * 32)  # someone put another key in place
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, backup)
    assert str(caught.value) == (f"{key_path(ws.home)}: a different master key is already in place; move it away before importing.")
    assert key_path(ws.home).read_bytes() == b"\x01" * 32


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not a leaktrace key backup (a key is 32 bytes)."),
        (b"ab" * 16 + b"\n", "not a leaktrace key backup (a key is 32 bytes)."),  # 16 bytes of hex
        (b"zz" * 32 + b"\n", "not a leaktrace key backup."),
        (b"\xff\xfe" * 20, "not a leaktrace key backup."),
    ],
)
def test_import_refuses_what_is_not_a_backup(ws, tmp_path, content, words):
    source = tmp_path / "bad.key"
    source.write_bytes(content)
    with pytest.raises(KeyProblem) as caught:
        keys.import_key(ws.settings, source)
    assert str(caught.value) == f"{source}: {words}"


def test_import_refuses_a_missing_file_or_a_folder(ws, tmp_path):
    for source in (tmp_path / "missing.key", tmp_path):
        with pytest.raises(BadInput, match="no such file"):
            keys.import_key(ws.settings, source)


def test_the_loss_warning_says_both_risks():
    assert "offline" in keys.LOSS_WARNING and "no copy can ever be traced" in keys.LOSS_WARNING
