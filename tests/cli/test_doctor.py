"""leaktrace doctor: reports orphan blobs (exit 1), removes them with --repair (exit 0), one-line refusals."""

from __future__ import annotations

import json
import os
import time

from leaktrace.store.blobs import BlobStore


def _orphan(home, data: bytes, *, age: float) -> str:
    blobs = BlobStore(home / "blobs")
    sha = blobs.put(data)
    then = time.time() - age
    os.utime(blobs.path(sha), (then, then))
    return sha


def test_doctor_reports_then_repairs(cli, tmp_path):
    cli("init", "--json")
    cli("recipient", "add", "Apex Plastics GmbH")
    result, report = cli("doctor", "--json")
    assert report["ok"] is True and report["orphans"] == [] and report["audit"]["ok"] is True and report["grace_s"] == 3600.0
    assert "ok" in cli("doctor")[0].stdout

    sha = _orphan(tmp_path / "ws", b"a copy left by a killed share", age=7200)
    young = _orphan(tmp_path / "ws", b"a copy of a share under way", age=120)
    result, _ = cli("doctor", expect=1)
    assert "1 orphans" in result.stdout and "doctor --repair" in result.stdout
    result, _ = cli("doctor", "--json", expect=1)
    assert json.loads(result.stdout)["orphans"] == [sha]

    result, report = cli("doctor", "--repair", "--json")
    assert report["ok"] and report["repaired"] and report["orphans"] == [sha] and report["removed"] == 1 and report["young"] == 1
    assert not BlobStore(tmp_path / "ws" / "blobs").exists(sha) and BlobStore(tmp_path / "ws" / "blobs").exists(young)
    entry = cli("audit", "list", "--limit", "1", "--json")[1][0]
    assert entry["action"] == "blob.collect" and entry["details"] == {"count": 1, "bytes": len(b"a copy left by a killed share")}

    result, _ = cli("doctor", "--grace-minutes", "1", "--json", expect=1)  # two minutes old: an orphan now
    assert json.loads(result.stdout)["orphans"] == [young]


def test_doctor_refusals_are_one_line(cli, tmp_path):
    result, _ = cli("doctor", expect=2)  # no workspace yet
    assert result.stderr.startswith("error: no leaktrace workspace") and result.stderr.count("\n") == 1
    cli("init", "--json")
    result, _ = cli("doctor", "--grace-minutes", "0", expect=2)
    assert result.stderr == "error: the grace period must be at least 60 s, not 0 s (a share under way stores files before its record).\n"
