"""db: migrations in code, WAL + BEGIN IMMEDIATE so concurrent writers queue, reads that never wait for a writer, errors mapped.

Runs on SQLite, and under ``LEAKTRACE_TEST_STORE=postgresql`` on PostgreSQL, where the write lock is
the store's advisory lock (``WRITE_LOCK_KEY``)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from leaktrace.errors import Busy, Conflict
from leaktrace.settings import load as load_settings
from leaktrace.store.db import (
    current_revision,
    head_revision,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)
from leaktrace.store.models import Meta
from tests._postgres import sqlite_only


@pytest.fixture()
def url(store_url):
    url = store_url()
    upgrade(url)
    return url


def test_upgrade_a_fresh_file_from_any_folder(tmp_path, monkeypatch, store_url):
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: configuration is in code
    url = store_url("fresh.db")
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head_revision() == "0011"
    upgrade(url)  # idempotent
    assert current_revision(url) == "0011"


def test_an_older_database_is_upgraded_when_behind(store_url):
    from leaktrace.store.db import engine_revision, upgrade_if_behind

    url = store_url("old.db")
    upgrade(url, revision="0001")
    engine = make_engine(url)
    assert engine_revision(engine) == "0001"
    assert upgrade_if_behind(engine) is True
    assert engine_revision(engine) == head_revision()
    assert upgrade_if_behind(engine) is False  # cheap no-op when current
    engine.dispose()


@sqlite_only("SQLite's pragmas")
def test_sqlite_pragmas(url):
    engine = make_engine(url, lock_timeout_s=2.5)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
    engine.dispose()


def test_transaction_commits_and_rolls_back(url):
    engine = make_engine(url)
    Session = session_factory(engine)
    with transaction(Session) as session:
        session.add(Meta(key="a", value="1"))
    with pytest.raises(RuntimeError):
        with transaction(Session) as session:
            session.add(Meta(key="b", value="2"))
            session.flush()
            raise RuntimeError("boom")
    with transaction(Session) as session:
        assert session.scalars(text("select key from meta order by key")).all() == ["a"]
    with pytest.raises(Conflict, match="conflicts with what is stored"):
        with transaction(Session) as session:
            session.add(Meta(key="a", value="again"))
    engine.dispose()


def _increment(Session, times: int, pause: float) -> None:
    for _ in range(times):
        with transaction(Session) as session:
            row = session.get(Meta, "counter")
            value = int(row.value) if row else 0
            time.sleep(pause)  # read-modify-write with the lock held: lost updates would show
            session.merge(Meta(key="counter", value=str(value + 1)))


def _counter(url: str) -> int:
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        value = int(session.get(Meta, "counter").value)
    engine.dispose()
    return value


def test_concurrent_writer_threads_queue_instead_of_failing(url):
    engine = make_engine(url, lock_timeout_s=20)
    Session = session_factory(engine)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _increment(Session, 5, 0.005)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    assert _counter(url) == 20


_WORKER = """
import sys, time
from leaktrace.store.db import make_engine, session_factory, transaction
from leaktrace.store.models import Meta
Session = session_factory(make_engine(sys.argv[1], lock_timeout_s=20))
for _ in range(10):
    with transaction(Session) as session:
        row = session.get(Meta, "counter")
        value = int(row.value) if row else 0
        time.sleep(0.01)
        session.merge(Meta(key="counter", value=str(value + 1)))
"""


def test_concurrent_writer_processes_queue_instead_of_failing(url):
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, url], stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    for p in procs:
        p.stderr.close()
    assert results == [(0, ""), (0, "")]
    assert _counter(url) == 20


def test_a_writer_held_past_the_timeout_is_busy(url):
    holder = make_engine(url)
    waiter = make_engine(url, lock_timeout_s=0.2)
    with holder.begin() as connection:
        connection.execute(text("insert into meta (key, value) values ('held', '1')"))
        started = time.monotonic()
        with pytest.raises(Busy, match=r"^the workspace is busy \(another process is writing\); try again$"):
            with transaction(session_factory(waiter)) as session:
                session.add(Meta(key="late", value="1"))
        assert 0.15 < time.monotonic() - started < 5
        # a read-only session does not need the write lock and sees the last commit
        with session_factory(waiter, readonly=True)() as session:
            assert session.get(Meta, "held") is None
    holder.dispose()
    waiter.dispose()


def test_a_read_does_not_wait_behind_a_held_writer(url):
    with transaction(session_factory(make_engine(url))) as session:
        session.add(Meta(key="committed", value="1"))
    holder = make_engine(url)
    reader = make_engine(url, lock_timeout_s=30)  # a read that queued would wait up to 30 s
    Reads = session_factory(reader, readonly=True)
    with holder.begin() as connection:  # BEGIN IMMEDIATE: the write lock, held
        connection.exec_driver_sql("insert into meta (key, value) values ('pending', '1')")
        started = time.monotonic()
        with Reads() as session:
            keys = session.scalars(text("select key from meta order by key")).all()
        assert time.monotonic() - started < 2
        assert keys == ["committed"]  # the last commit, not the writer's pending row
    holder.dispose()
    reader.dispose()


@sqlite_only("PRAGMA query_only (test_postgresql_reads_are_read_only_transactions is PostgreSQL's)")
def test_a_read_only_session_refuses_to_write_and_transaction_writes_over_it(url):
    engine = make_engine(url)
    Sessions = session_factory(engine, readonly=True)
    with Sessions() as session:
        session.add(Meta(key="stray", value="1"))
        with pytest.raises(OperationalError, match="readonly"):
            session.flush()
    with transaction(Sessions) as session:  # the same factory, a write transaction
        session.add(Meta(key="written", value="1"))
    with Sessions() as session:  # the pooled connection is read-only again, then writable again
        assert session.scalar(text("PRAGMA query_only")) == 1
        assert session.scalars(text("select key from meta")).all() == ["written"]
    with transaction(Sessions) as session:
        assert session.scalar(text("PRAGMA query_only")) == 0
    engine.dispose()


def test_workspace_reads_do_not_wait_for_a_writer(tmp_path):
    from leaktrace import Workspace

    ws = Workspace.init(tmp_path / "ws", lock_timeout_s=30)
    ws.add_recipient("Apex")
    holder = make_engine(ws.settings.resolved_database_url)
    with holder.begin():  # BEGIN IMMEDIATE: the write lock, held
        started = time.monotonic()
        assert [r.name for r in ws.list_recipients()] == ["Apex"]
        assert ws.list_assets() == [] and ws.list_findings() == [] and ws.verify_audit().ok
        assert time.monotonic() - started < 5
    holder.dispose()
    ws.close()


def test_postgresql_reads_are_read_only_transactions(postgres_url):
    url = postgres_url
    upgrade(url)
    engine = make_engine(url)
    Sessions = session_factory(engine, readonly=True)
    with Sessions() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "on"
        session.add(Meta(key="stray", value="1"))
        with pytest.raises(Exception, match="read-only transaction"):
            session.flush()
    with transaction(Sessions) as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "off"
        session.merge(Meta(key="pg-written", value="1"))
    with Sessions() as session:
        assert session.get(Meta, "pg-written").value == "1"
    with transaction(Sessions) as session:
        session.delete(session.get(Meta, "pg-written"))
    engine.dispose()


def test_migrations_folder_ships_inside_the_package():
    import leaktrace.store.db as db

    location = db._script_location()
    assert (location / "env.py").is_file() and (location / "script.py.mako").is_file()
    assert (location / "versions" / "0001_initial.py").is_file()
    assert Path(db.__file__).parent in location.parents


def test_the_head_revision_constant_is_alembics_head():
    """HEAD_REVISION saves every CLI start an Alembic import; it must name the newest migration."""
    from alembic.script import ScriptDirectory

    from leaktrace.store.db import HEAD_REVISION, migrations_config

    assert ScriptDirectory.from_config(migrations_config()).get_current_head() == HEAD_REVISION


def test_engine_revision_of_a_new_database_is_none(store_url):
    from leaktrace.store.db import engine_revision, make_engine

    engine = make_engine(store_url("new.db"))
    assert engine_revision(engine) is None
    engine.dispose()


def _hold(url: str):
    """A raw driver connection holding the write lock, as another process would: SQLite's
    ``BEGIN IMMEDIATE``, or on PostgreSQL the store's advisory lock; ``execute("ROLLBACK")`` frees it."""
    if url.startswith("postgresql"):
        import psycopg
        from sqlalchemy import make_url

        from leaktrace.store.db import WRITE_LOCK_KEY

        parsed = make_url(url)
        holder = psycopg.connect(host=parsed.query.get("host", parsed.host), port=parsed.port, user=parsed.username, dbname=parsed.database)
        holder.autocommit = True
        holder.execute("BEGIN")
        holder.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    else:
        import sqlite3

        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    holder.execute("insert into meta (key, value) values ('held', '1')")
    return holder


def test_every_locked_write_on_the_engine_is_busy_in_one_sentence(url):
    from leaktrace.store.db import BUSY_MESSAGE

    engine = make_engine(url, lock_timeout_s=0.2)
    holder = _hold(url)
    try:
        with pytest.raises(Busy) as caught:  # a write outside transaction(): the engine's handle_error hook
            with session_factory(engine)() as session:
                session.add(Meta(key="stray", value="1"))
                session.commit()
        assert str(caught.value) == BUSY_MESSAGE and "/" not in str(caught.value)  # no server path
        patient = make_engine(url, lock_timeout_s=5)
        started = time.monotonic()
        with pytest.raises(Busy, match="busy"):
            with transaction(session_factory(patient, readonly=True), wait=False) as session:  # gives up at once, not after 5 s
                session.add(Meta(key="touch", value="1"))
        assert time.monotonic() - started < 2.5
        patient.dispose()
        with pytest.raises(Busy, match="busy"):
            with transaction(session_factory(engine)) as session:
                session.add(Meta(key="late", value="1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with transaction(session_factory(engine)) as session:  # the lock is free again: the same engine writes, and waits again
        session.add(Meta(key="after", value="1"))
    with session_factory(engine)() as session:
        assert session.scalars(text("select key from meta")).all() == ["after"]
    engine.dispose()


def test_opening_an_up_to_date_workspace_takes_no_write_lock(tmp_path):
    from leaktrace import Workspace
    from leaktrace.services import meta

    ws = Workspace.init(tmp_path / "ws")
    ws.add_recipient("Apex")
    url = ws.settings.resolved_database_url
    ws.close()
    with transaction(session_factory(make_engine(url))) as session:  # a store made before the key's fingerprint was kept
        session.execute(text("delete from meta where key = :k"), {"k": meta.KEY_FINGERPRINT})
    holder = _hold(url)
    try:
        started = time.monotonic()
        with Workspace(tmp_path / "ws", lock_timeout_s=30) as ws:  # any wait for the lock would take 30 s
            assert [r.name for r in ws.list_recipients()] == ["Apex"]
            assert ws.verify_audit().ok
            with pytest.raises(Busy, match=r"^the workspace is busy \(another process is writing\); try again$"):
                Workspace(tmp_path / "ws", lock_timeout_s=0.3).add_recipient("Borealis")
        assert time.monotonic() - started < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Workspace(tmp_path / "ws") as ws:  # the first open that finds the store free remembers the key
        ws.list_recipients()
        assert meta.stored_fingerprint(ws.context.sessions) == ws.key_fingerprint()


def test_an_older_store_is_migrated_only_when_the_lock_is_free(store_url):
    from leaktrace.store.db import engine_revision, upgrade_if_behind

    url = store_url("old.db")
    upgrade(url, revision="0002")
    engine = make_engine(url, lock_timeout_s=0.2)
    holder = _hold(url)
    try:
        with pytest.raises(Busy, match="busy"):
            upgrade_if_behind(engine, lock_timeout_s=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert engine_revision(engine) == "0002"
    assert upgrade_if_behind(engine, lock_timeout_s=0.2) is True
    engine.dispose()


def test_cli_reads_while_another_process_writes_and_a_write_fails_in_one_line(cli, tmp_path, monkeypatch):
    cli("init", "--json")
    cli("recipient", "add", "Apex Plastics GmbH", "--json")
    monkeypatch.setenv("LEAKTRACE_LOCK_TIMEOUT_S", "0.3")
    holder = _hold(load_settings(tmp_path / "ws").resolved_database_url)
    try:
        started = time.monotonic()
        result, rows = cli("recipient", "list", "--json")
        assert [r["name"] for r in rows] == ["Apex Plastics GmbH"]
        assert cli("finding", "list", "--json")[1] == []
        assert cli("audit", "verify", "--json")[1]["ok"] is True
        assert time.monotonic() - started < 10
        result, _ = cli("recipient", "add", "Borealis AB", "--json", expect=Busy.exit_code)
        assert result.exit_code == 3
        assert result.stderr == "error: the workspace is busy (another process is writing); try again\n"
        assert result.stdout == "" and "Traceback" not in result.output
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [r["name"] for r in cli("recipient", "list", "--json")[1]] == ["Apex Plastics GmbH"]


def test_postgresql_refuses_a_nul_character_as_bad_input(postgres_url):
    from leaktrace.errors import BadInput
    from leaktrace.store.models import Recipient

    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    Sessions = session_factory(engine, sealed=False)
    with pytest.raises(BadInput, match="NUL"):
        with Sessions() as session:
            session.scalars(text("select id from recipients where name = :n"), {"n": "a\x00b"}).all()
    with pytest.raises(BadInput, match="NUL"):
        with transaction(Sessions) as session:
            session.add(Recipient(name="a\x00b"))
    with Sessions() as session:  # the engine and its pool are fine afterwards
        assert session.scalars(text("select count(*) from recipients")).one() == 0
    engine.dispose()
