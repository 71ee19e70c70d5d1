"""A share killed at any moment leaves no copy file without its record, no record of a copy waiting for
delivery without its file in the blob store, and no delivered copy's file in the blob store once a later
share has run."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from leaktrace import Workspace
from tests.conftest import photo, save


def _check_invariant(home, out, *, settled=False):
    with Workspace(home) as ws:
        copies = [c for s in ws.list_shares() for c in s["copies"]]
        blobs = ws.context.blobs
        waiting = {c["sha256"] for c in copies if c["delivered_at"] is None}  # the same file may wait in a killed share
        for c in copies:
            if c["delivered_at"] is None:
                assert blobs.exists(c["sha256"]) and blobs.verify(c["sha256"]), f"waiting copy {c['sha256']} has no intact file"
            else:
                written = out / c["filename"]
                assert written.exists() and hashlib.sha256(written.read_bytes()).hexdigest() == c["sha256"], (
                    f"delivered {c['filename']} is not in {out}"
                )
                assert not (settled and blobs.exists(c["sha256"]) and c["sha256"] not in waiting), f"delivered copy {c['sha256']} is still stored"
    recorded = {c["sha256"] for c in copies}
    files = [p for p in out.glob("*") if not p.name.startswith(".")] if out.exists() else []
    for p in files:
        assert hashlib.sha256(p.read_bytes()).hexdigest() in recorded, f"{p.name} has no record"
    return len(recorded), len(files)


@pytest.mark.slow
def test_share_killed_midway(tmp_path):
    home = tmp_path / "ws"
    ws = Workspace.init(home)
    names = [f"Supplier {i:02d}" for i in range(10)]
    for n in names:
        ws.add_recipient(n)
    asset = ws.add_assets([save(tmp_path / "big.png", photo(5, (900, 1400)))])[0]
    ws.close()
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "leaktrace", "share", str(asset["id"]), "--out", str(out), "--home", str(home)]
    for n in names:
        cmd += ["--to", n]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    for delay in (0.5, 1.2, 2.0, 2.8, 3.6):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _check_invariant(home, out)
    done = subprocess.run(cmd + ["--json"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    records, files = _check_invariant(home, out, settled=True)
    assert files == len(names) and records >= len(names)
