"""Shared fixtures: small synthetic images, a workspace in a temporary folder, the CLI runner."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

# the tests' everyday pictures, imported from here by many test modules
from leaktrace.samples.synthetic import bumper_sketch as drawing  # noqa: F401
from leaktrace.samples.synthetic import photo  # noqa: F401

DATA = Path(__file__).parent / "data"

#: The slowest suites (a minute or more each) run in CI (``CI=true``, as `.ci/run` sets it) or with
#: ``LEAKTRACE_SLOW=1``, so that a local ``make test`` stays well under 15 minutes on 2 cores.
CI_ONLY = pytest.mark.skipif(
    os.environ.get("CI") != "true" and not os.environ.get("LEAKTRACE_SLOW"), reason="a slow suite: runs in CI, or with LEAKTRACE_SLOW=1"
)


def save(path: Path, image: np.ndarray, **params) -> Path:
    ok = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), *([list(params.values())] if params else []))
    assert ok
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner, tmp_path, monkeypatch):
    """Run a leaktrace command on a workspace in a temporary folder; returns (result, parsed JSON or None)."""
    from leaktrace.cli.app import app

    home = tmp_path / "ws"
    monkeypatch.setenv("LEAKTRACE_HOME", str(home))
    monkeypatch.chdir(tmp_path)

    def run(*args: str, expect: int | None = 0):
        result = runner.invoke(app, [str(a) for a in args])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr, result.exception)
        parsed = None
        if "--json" in args and result.exit_code == 0:
            parsed = json.loads(result.stdout)
        return result, parsed

    run.home = home
    return run


def record_finding(home: Path, leak: Path, names: list[str], accused: tuple[str, ...] = (), *, actor: str = "tester") -> int:
    """Store a synthetic finding (no trace run) naming recipients ``names`` of a fresh workspace at ``home``.

    The recipients are created if missing; ``accused`` get score 9, the others 0.5. Returns the finding id.
    """
    import hashlib

    from leaktrace import Workspace
    from leaktrace.errors import Conflict
    from leaktrace.records import Alignment, Finding, LeakInfo, RecipientScore
    from leaktrace.services import findings

    with Workspace(home) as ws:
        ids = {}
        for n in names:
            try:
                ids[n] = ws.add_recipient(n)["id"]
            except Conflict:
                ids[n] = next(r["id"] for r in ws.list_recipients() if r["name"] == n)
        mask = np.zeros((48, 64), bool)
        mask[4:40, 8:60] = True
        alignment = Alignment(np.diag([0.5, 0.5, 1.0]), mask, False, 42, 0.6, 0.93, "features")
        scores = tuple(RecipientScore(n, ids[n], 9.0 if n in accused else 0.5, 1e-18 if n in accused else 0.88, n in accused) for n in names)
        info = LeakInfo(str(leak), hashlib.sha256(leak.read_bytes()).hexdigest(), 32, 24)
        kept = findings.alignment_record(ws.context, alignment, hypotheses=1, shape=mask.shape)
        finding = Finding(info, None, kept, scores, 1e-6, 5.5, len(names), None, 0.25)
        return findings.record(ws.context, finding, leak, actor=actor).id


def rewrite_history(db: Path, entry_id: int, *, hide_checkpoints: bool = True, **change) -> None:
    """The insider's attack on the audit log, straight in the database (SQLite, or PostgreSQL through
    tests/_postgres.py's ``sqlite3.connect`` route): change entry ``entry_id``'s columns
    (``details`` as a dict, ``actor``…), then recompute every entry's ``prev_hash`` and ``hash`` with
    the package's own ``entry_hash`` and move the head in ``meta``: the chain holds again.

    ``hide_checkpoints`` (the thorough insider): also delete the checkpoints the workspace issued
    and make their entries' seals say so, since ``audit verify`` checks the log against the newest
    one; only a checkpoint kept off the machine then tells."""
    import sqlite3
    from datetime import UTC, datetime

    from leaktrace.store.audit import GENESIS, HEAD_KEY, canonical_json, entry_hash

    with sqlite3.connect(db) as con:
        rows = con.execute("select id, at, actor, action, subject_type, subject_id, details from audit_entries order by id").fetchall()
        if hide_checkpoints:
            con.execute("delete from checkpoints")
        prev = GENESIS
        for id_, at, actor, action, subject_type, subject_id, details in rows:
            fields = dict(actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, details=json.loads(details))
            if hide_checkpoints and subject_type == "checkpoint" and "seal" in fields["details"]:
                fields["details"]["seal"] = {"v": 1, "sha256": None}
            if id_ == entry_id:
                fields |= change
            when = at.astimezone(UTC) if isinstance(at, datetime) else datetime.fromisoformat(at).replace(tzinfo=UTC)
            digest = entry_hash(id=id_, at=when, prev_hash=prev, **fields)
            con.execute(
                "update audit_entries set actor = ?, details = ?, prev_hash = ?, hash = ? where id = ?",
                (fields["actor"], canonical_json(fields["details"]), prev, digest, id_),
            )
            prev = digest
        con.execute("update meta set value = ? where key = ?", (f"{rows[-1][0]}:{prev}", HEAD_KEY))


@pytest.fixture
def store_url(tmp_path):
    """``store_url(name)``: the URL of a new, empty store: a SQLite file ``name`` in the test's folder,
    or under ``LEAKTRACE_TEST_STORE=postgresql`` a database of its own in the throwaway cluster."""
    from tests import _postgres

    def make(name: str = "leaktrace.db") -> str:
        return _postgres.create_database() if _postgres.on_postgres() else f"sqlite:///{tmp_path / name}"

    return make


@pytest.fixture
def postgres_url():
    """The URL of a new, empty database in the throwaway PostgreSQL cluster, whichever store the run
    uses (skipped without PostgreSQL): for the tests that are about PostgreSQL itself."""
    from tests import _postgres

    if not os.environ.get(_postgres.ENV):
        pytest.skip("PostgreSQL (initdb, pg_ctl) or psycopg is not installed")
    return _postgres.create_database()


#: Tests that hold for SQLite alone, skipped under ``LEAKTRACE_TEST_STORE=postgresql`` (the node id's
#: ``module::test`` prefix → why): on PostgreSQL a workspace has no leaktrace.db file and its URL is not
#: HOME/leaktrace.db. Listed here so that the PostgreSQL run is set up in one place; tests/store marks
#: its own with ``tests._postgres.sqlite_only``.
SQLITE_ONLY: dict[str, str] = {
    "tests/services/test_checkpoints.py::test_a_rewritten_history_passes_the_chain_but_not_an_older_checkpoint_even_resigned": (
        "copies the leaktrace.db file to a second store"
    ),
    "tests/services/test_file_modes.py::test_every_file_and_folder_of_a_used_workspace_is_the_owners_alone": "the mode of the leaktrace.db file",
    "tests/services/test_keys.py::test_init_records_the_workspace_and_its_key_fingerprint": (
        "expects the birth entry of a SQLite store (test_init_on_postgresql_is_one_transaction_too is PostgreSQL's)"
    ),
    "tests/cli/test_reports.py::test_report_of_a_tampered_finding_is_refused_in_one_line": "finds the store as HOME/*.db",
    "tests/cli/test_workflow.py::test_init_makes_a_private_key_and_refuses_a_second_init": "the leaktrace.db file",
    "tests/cli/test_workspace.py::test_init_json_and_text": "the URL of HOME/leaktrace.db",
    "tests/cli/test_workspace.py::test_init_is_the_first_audit_entry": "expects the birth entry of a SQLite store",
    "tests/services/test_search.py::test_a_restored_store_that_reuses_an_id_is_detected_and_never_answered_wrong": (
        "backs up and restores the leaktrace.db file"
    ),
}


def pytest_configure(config):
    """A throwaway PostgreSQL for the tests that also run on it (see tests/_postgres.py); with
    ``LEAKTRACE_TEST_STORE=postgresql`` every workspace the tests make has its store there."""
    from tests import _postgres

    url = _postgres.start()
    config.pluginmanager.register(_postgres.Lifetimes(), "leaktrace-test-databases")
    if _postgres.on_postgres():
        if url is None:
            raise pytest.UsageError(f"{_postgres.STORE_ENV}=postgresql needs PostgreSQL's initdb and pg_ctl on the PATH and psycopg installed")
        _postgres.route_workspaces()
        _postgres.route_sqlite_edits()
        # A workspace a test never closed: its pooled psycopg connection says so when collected (sqlite3 does not).
        unclosed = "<psycopg.Connection object at .* was deleted while still open"
        config.addinivalue_line("filterwarnings", f"ignore:{unclosed}:ResourceWarning")  # in a test
        warnings.filterwarnings("ignore", unclosed, ResourceWarning)  # between tests and at the end of the run


def pytest_collection_modifyitems(config, items):
    from tests import _postgres

    if not _postgres.on_postgres():
        return
    for item in items:
        for prefix, reason in SQLITE_ONLY.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_unconfigure(config):
    from tests import _postgres

    _postgres.drop_made(all_of_them=True)
    _postgres.stop()
