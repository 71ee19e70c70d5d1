"""Concurrent writers through the whole stack: two processes adding recipients and findings to one
workspace at once lose no row and leave an audit chain that verifies, on SQLite and on PostgreSQL.

On PostgreSQL the store's advisory write lock (``store.db.WRITE_LOCK_KEY``) is what makes each
append read the newest audit entry; without it both writers would extend the same entry and one
would fail on the chain's unique ``prev_hash``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from leaktrace import Workspace
from tests.conftest import photo, save

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 12  # per writer; every third round also records a finding

_WRITER = """
import sys
from pathlib import Path
from leaktrace import Workspace
from tests.conftest import record_finding
home, tag, leak, rounds = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
for i in range(rounds):
    with Workspace(home) as ws:
        ws.add_recipient(f"{tag}-{i}", actor=tag)
    if i % 3 == 0:
        record_finding(home, leak, [f"{tag}-{i}"], actor=tag)
"""


@pytest.fixture(params=["store", "postgresql"])
def home(request, tmp_path):
    """A workspace on the run's store, and one on PostgreSQL whichever store the run uses."""
    if request.param == "postgresql":
        from tests import _postgres

        if _postgres.on_postgres():
            pytest.skip("the run's store is PostgreSQL already")
        url = request.getfixturevalue("postgres_url")
        Workspace.init(tmp_path / "ws", database_url=url).close()
    else:
        Workspace.init(tmp_path / "ws").close()
    return tmp_path / "ws"


def _check(home: Path, tags: list[str]) -> None:
    with Workspace(home) as ws:
        names = sorted(r.name for r in ws.list_recipients())
        assert names == sorted(f"{t}-{i}" for t in tags for i in range(ROUNDS))
        assert len(ws.list_findings()) == len(tags) * len(range(0, ROUNDS, 3))
        entries = ws.list_audit()
        assert sorted(e["id"] for e in entries) == list(range(1, len(entries) + 1))  # no gap, no fork
        for t in tags:
            assert sum(e["action"] == "recipient.add" and e["actor"] == t for e in entries) == ROUNDS
            assert sum(e["action"] == "trace" and e["actor"] == t for e in entries) == len(range(0, ROUNDS, 3))
        check = ws.verify_audit()
        assert check.ok, check


def test_two_processes_writing_at_once_lose_nothing_and_keep_the_chain(home, tmp_path):
    tags = ["left", "right"]
    leaks = {t: save(tmp_path / f"{t}.png", photo(60 + n, (24, 32))) for n, t in enumerate(tags)}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(home), t, str(leaks[t]), str(ROUNDS)], stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
        )
        for t in tags
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stderr.close()
    assert results == [(0, ""), (0, "")]
    _check(home, tags)


def test_threads_sharing_one_workspace_lose_nothing_and_keep_the_chain(home, tmp_path):
    from tests.conftest import record_finding

    tags = ["t0", "t1", "t2"]
    leaks = {t: save(tmp_path / f"{t}.png", photo(70 + n, (24, 32))) for n, t in enumerate(tags)}
    errors: list[BaseException] = []
    with Workspace(home) as ws:

        def work(tag: str) -> None:
            try:
                for i in range(ROUNDS):
                    ws.add_recipient(f"{tag}-{i}", actor=tag)
                    if i % 3 == 0:
                        record_finding(home, leaks[tag], [f"{tag}-{i}"], actor=tag)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        ws.list_recipients()  # the context (engine, pool) made once, then shared by the threads
        threads = [threading.Thread(target=work, args=(t,)) for t in tags]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    _check(home, tags)
