"""doctor: orphan blobs left by a killed share are found and, with repair, removed after the grace period;
every file a record names stays; missing files, the audit log and loose file modes are reported."""

from __future__ import annotations

import os
import time

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Busy
from leaktrace.services import doctor
from tests.conftest import photo, save

HOUR = 3600


@pytest.fixture
def ws(tmp_path):
    """A used workspace: an asset shared twice (one share waits for delivery, one was delivered), a leak traced."""
    ws = Workspace.init(tmp_path / "ws")
    ws.add_recipient("Apex Plastics GmbH")
    ws.add_recipient("Borealis Moulding AB")
    asset = ws.add_assets([save(tmp_path / "bumper.png", photo(3))])[0]
    ws.share(asset["id"], ["Apex Plastics GmbH"], None)  # waits in the blob store
    rows = ws.share(asset["id"], ["Borealis Moulding AB"], tmp_path / "out")  # delivered: its file is discarded
    ws.trace(rows[0]["path"])
    yield ws
    ws.close()


def _backdate(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _killed_share(ws, data: bytes, *, age: float) -> str:
    """What a share killed before its record leaves: a stored copy no record names, ``age`` seconds old."""
    sha = ws.context.blobs.put(data)
    _backdate(ws.context.blobs.path(sha), age)
    return sha


def test_a_used_workspace_is_healthy(ws):
    report = ws.doctor()
    assert report.ok and report.orphans == () and report.missing == () and report.loose == () and report.audit.ok
    assert report.blobs == 4  # the original, the waiting copy, the leak (the delivered copy, traced untouched), its mask
    assert report.young == 0 and report.removed == 0 and not report.repaired


def test_orphans_are_reported_then_removed_after_the_grace_period_and_records_keep_their_files(ws):
    blobs = ws.context.blobs
    named = set(blobs)
    old = _killed_share(ws, b"a copy made by a share that was killed" * 100, age=2 * HOUR)
    young = _killed_share(ws, b"a copy of a share still under way", age=60)
    partial = blobs.root / ".blob.partial-0123456789ab"
    partial.write_bytes(b"half a copy")
    _backdate(partial, 2 * HOUR)

    report = ws.doctor()
    assert not report.ok
    assert report.orphans == (old,) and report.orphan_bytes == 3800 and report.young == 1 and report.partial_files == 1
    assert blobs.exists(old) and partial.exists()  # reported, not touched

    repaired = ws.doctor(repair=True, actor="tester")
    assert repaired.repaired and repaired.ok and repaired.orphans == (old,)
    assert (repaired.removed, repaired.removed_bytes) == (2, 3800 + len(b"half a copy"))
    assert not blobs.exists(old) and not partial.exists()
    assert blobs.exists(young)  # inside the grace period: a share under way names it soon
    assert named <= set(blobs) and all(blobs.verify(sha) for sha in named)  # every file a record names is whole
    entry = ws.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.subject_type, entry.subject_id) == ("blob.collect", "tester", None, None)
    assert entry.details == {"count": 2, "bytes": 3800 + len(b"half a copy")}
    assert ws.verify_audit().ok

    again = ws.doctor(repair=True)
    assert again.ok and again.removed == 0 and again.young == 1
    assert ws.list_audit(limit=1)[0].id == entry.id  # nothing removed, nothing recorded


def test_a_shorter_grace_period_takes_younger_orphans_but_never_below_the_minimum(ws):
    young = _killed_share(ws, b"ten minutes old", age=600)
    assert ws.doctor().orphans == ()
    assert ws.doctor(grace_s=300).orphans == (young,)
    with pytest.raises(BadInput, match="grace period must be at least 60 s"):
        ws.doctor(grace_s=0)
    assert doctor.MIN_GRACE_S == 60


def test_an_old_orphan_stored_again_is_young_again(ws):
    data = b"the same bytes a retried share makes again"
    sha = _killed_share(ws, data, age=2 * HOUR)
    ws.context.blobs.put(data)  # a share under way stores them again, before its record
    report = ws.doctor(repair=True)
    assert report.orphans == () and report.young == 1 and ws.context.blobs.exists(sha)


def test_missing_files_and_loose_modes_are_reported_not_repaired(ws):
    asset = ws.list_assets()[0]
    ws.context.blobs.path(asset.sha256).unlink()
    (ws.home / "leaktrace.toml").chmod(0o644)
    report = ws.doctor(repair=True)
    assert not report.ok and report.missing == (asset.sha256,)
    assert [(f.path, f.mode) for f in report.loose] == [("leaktrace.toml", "0644")]
    assert report.removed == 0


def test_repair_waits_for_the_write_lock_and_says_busy(ws, tmp_path):
    import sqlite3

    _killed_share(ws, b"left by a killed share", age=2 * HOUR)
    holder = sqlite3.connect(ws.home / "leaktrace.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Workspace(ws.home, lock_timeout_s=0.2) as busy:
            assert busy.doctor().orphans != ()  # the report reads
            with pytest.raises(Busy, match="workspace is busy"):
                busy.doctor(repair=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(ws.doctor().orphans) == 1  # nothing was removed without its audit entry
