"""A share killed for real (SIGKILL, mid-way) and then ``doctor``: the copies it stored before its record
are reported as orphans once older than the grace period, ``doctor --repair`` removes exactly those
(nothing a record names), and the audit chain and the records made before stay intact."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

from leaktrace import Workspace
from tests.conftest import photo, save

RECIPIENTS = [f"Supplier {i:02d}" for i in range(8)]
HOUR = 3600.0
BLOB = re.compile(r"[0-9a-f]{2}/[0-9a-f]{62}")  # a whole blob (not a partial write)


def _stored(home) -> set[str]:
    """Every file under the blob store (blobs and partial writes), by path relative to it."""
    root = home / "blobs"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _age(home, seconds: float) -> None:
    """Make every file of the blob store ``seconds`` older (as if the kill was that long ago)."""
    then = time.time() - seconds
    for p in (home / "blobs").rglob("*"):
        if p.is_file():
            os.utime(p, (then, then))


def _kill_midway(cmd: list[str], home, before: set[str], *, timeout_s: float = 60.0) -> set[str]:
    """Run ``cmd``; SIGKILL it as soon as it has stored a whole blob beyond ``before``; the files it left."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    deadline = time.monotonic() + timeout_s
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) as proc:
        try:
            while not any(BLOB.fullmatch(p) for p in _stored(home) - before):
                assert proc.poll() is None, f"the share ended (exit {proc.returncode}) before storing anything: {proc.stderr.read().decode()[-2000:]}"
                assert time.monotonic() < deadline, "the share stored nothing within the timeout"
                time.sleep(0.01)
            assert proc.poll() is None, "the share finished before it could be killed"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return _stored(home) - before


def test_a_killed_share_leaves_orphans_that_doctor_repair_removes_and_nothing_else(cli, tmp_path):
    home = cli.home
    ws = Workspace.init(home)
    for name in RECIPIENTS:
        ws.add_recipient(name)
    asset = ws.add_assets([save(tmp_path / "big.png", photo(5, (480, 720)))])[0]
    kept = ws.share(asset["id"], [RECIPIENTS[0]], None, note="before the kill")  # its copy waits for delivery: stored, and named
    shares_before, audit_before = ws.list_shares(), ws.verify_audit()
    ws.close()
    before = _stored(home)

    cmd = [sys.executable, "-m", "leaktrace", "share", str(asset["id"]), "--out", str(tmp_path / "out"), "--home", str(home)]
    for name in RECIPIENTS[1:]:
        cmd += ["--to", name]
    left = _kill_midway(cmd, home, before)

    _, report = cli("doctor", "--json", expect=None)
    assert report["orphans"] == [] and report["young"] >= 1 and report["missing"] == [], report  # within the grace period: spared
    _age(home, 2 * HOUR)
    result, _ = cli("doctor", "--json", expect=1)  # exit 1: orphans to look at
    report = json.loads(result.stdout)
    orphans = set(report["orphans"])
    assert orphans and report["missing"] == [] and report["audit"]["ok"], report
    assert {f"{sha[:2]}/{sha[2:]}" for sha in orphans} <= left  # only what the killed share stored

    _, repaired = cli("doctor", "--repair", "--json")
    assert repaired["ok"] and repaired["removed"] == len(orphans) + repaired["partial_files"], repaired
    assert _stored(home) == before  # what the records name stays; everything the killed share left is gone
    _, check = cli("audit", "verify", "--json")
    assert check["ok"] and check["entries"] == audit_before.entries + 1  # the one blob.collect entry
    _, last = cli("audit", "list", "--limit", "1", "--json")
    assert last[0]["action"] == "blob.collect" and last[0]["details"]["count"] == repaired["removed"]
    with Workspace(home) as ws:
        assert ws.list_shares() == shares_before  # the killed share recorded nothing; the earlier one is as it was
        assert all(ws.context.blobs.verify(c["sha256"]) for c in kept)
    _, again = cli("doctor", "--json")
    assert again["ok"] and again["orphans"] == [] and again["young"] == 0
