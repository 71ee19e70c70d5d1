"""A throwaway PostgreSQL cluster for the tests that run on both stores.

When ``LEAKTRACE_TEST_POSTGRES_URL`` is not set and PostgreSQL's ``initdb``/``pg_ctl`` are on the
PATH (Debian's ``postgresql`` package; `.ci/run` installs it), :func:`start` makes a cluster in a
temporary folder, listening only on a Unix socket there, and sets the variable for the run;
:func:`stop` removes it. Without PostgreSQL nothing happens and those tests run on SQLite only.

With ``LEAKTRACE_TEST_STORE=postgresql`` (``make test-postgres``) the whole run uses it: every
``Workspace.init`` the tests reach gets a new database (:func:`route_workspaces`), the store tests'
``store_url`` fixture too, a database is dropped after its test (:class:`Lifetimes`), and the tamper
tests' ``sqlite3.connect(HOME / "leaktrace.db")`` edits that database (:func:`route_sqlite_edits`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ENV = "LEAKTRACE_TEST_POSTGRES_URL"
_state: dict[str, Path] = {}


def _as_postgres(args: list[str]) -> list[str]:
    """``args`` run as the ``postgres`` account when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *args] if runuser else ["su", "postgres", "-c", " ".join(args)]


def start() -> str | None:
    """Start the cluster and return its URL, or None when PostgreSQL or psycopg is not available."""
    if os.environ.get(ENV) or os.environ.get("LEAKTRACE_TEST_NO_POSTGRES"):
        return os.environ.get(ENV)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-pg-"))
    data = folder / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        run = dict(check=True, capture_output=True, timeout=60)
        subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]), **run)
        options = f"-k {folder} -c listen_addresses='' -c fsync=off"
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]), **run)
    except (OSError, KeyError, LookupError, subprocess.SubprocessError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _state["folder"], _state["pg_ctl"] = folder, Path(pg_ctl)
    url = f"postgresql+psycopg://postgres@/postgres?host={folder}"
    os.environ[ENV] = url
    return url


def stop() -> None:
    """Stop and remove the cluster :func:`start` made (nothing if it made none)."""
    folder = _state.pop("folder", None)
    if folder is None:
        return
    pg_ctl = str(_state.pop("pg_ctl"))
    subprocess.run(_as_postgres([pg_ctl, "-D", str(folder / "data"), "-m", "immediate", "stop"]), capture_output=True, timeout=60)
    os.environ.pop(ENV, None)
    shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the suite on PostgreSQL

#: ``LEAKTRACE_TEST_STORE=postgresql`` (``make test-postgres``): every workspace and store the tests make
#: gets a database of its own in the throwaway cluster, instead of a SQLite file.
STORE_ENV = "LEAKTRACE_TEST_STORE"
_made: dict[str, bool] = {}  # database name → kept to the end of the session (made by a wider fixture)
_keep_depth = [0]
_numbers = itertools.count(1)


def on_postgres() -> bool:
    """True when this run puts the tests' stores on PostgreSQL."""
    return os.environ.get(STORE_ENV, "sqlite").lower() in ("postgresql", "postgres", "pg")


def sqlite_only(reason: str):
    """Mark a test that holds for SQLite alone: skipped under ``LEAKTRACE_TEST_STORE=postgresql``."""
    return pytest.mark.skipif(on_postgres(), reason=f"SQLite only: {reason}")


def _admin():
    import psycopg
    from sqlalchemy import make_url

    url = make_url(os.environ[ENV])
    return psycopg.connect(
        host=url.query.get("host", url.host), port=url.port, user=url.username, password=url.password, dbname=url.database, autocommit=True
    )


def create_database() -> str:
    """A new, empty database in the cluster; its URL. Dropped after the test (:func:`drop_made`)."""
    from sqlalchemy import make_url

    name = f"lt_{os.getpid()}_{next(_numbers)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    _made[name] = _keep_depth[0] > 0
    return make_url(os.environ[ENV]).set(database=name).render_as_string(hide_password=False)


def clone_database(url: str) -> str:
    """A new database holding what the database at ``url`` holds (``CREATE DATABASE … TEMPLATE``,
    after disconnecting its users: pooled connections reconnect on their next use)."""
    import time

    import psycopg.errors
    from sqlalchemy import make_url

    source = make_url(url).database
    name = f"lt_{os.getpid()}_{next(_numbers)}"
    with _admin() as admin:
        for attempt in range(20):
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (source,))
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.05)
    _made[name] = _keep_depth[0] > 0
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class keep_to_the_end:
    """Inside: databases made now outlive the test (a session or module fixture's workspace)."""

    def __enter__(self) -> None:
        _keep_depth[0] += 1

    def __exit__(self, *exc: object) -> None:
        _keep_depth[0] -= 1


def drop_made(*, all_of_them: bool = False) -> None:
    """Drop the databases made since the last call (``all_of_them``: the kept ones too); whoever
    still holds a connection to one (a leaked engine, a server subprocess) is disconnected."""
    names = [n for n, kept in _made.items() if all_of_them or not kept]
    if not names:
        return
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            del _made[name]


class Lifetimes:
    """The pytest plugin that drops the test's databases after it (registered as a plugin: a
    conftest's ``pytest_fixture_setup`` is not called for a session fixture of another folder)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        with contextlib.nullcontext() if fixturedef.scope == "function" else keep_to_the_end():
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        try:
            return (yield)
        finally:
            drop_made()


def route_workspaces() -> None:
    """Make every ``Workspace.init`` without a database URL (the tests', ``leaktrace init``'s, the
    demo's) put its store in a new database of the cluster. The URL is written into the workspace's
    ``leaktrace.toml``, so every later open, in this process or a subprocess, finds the same database."""
    from leaktrace import settings as settings_mod
    from leaktrace.services.workspace import Workspace

    plain = Workspace.__dict__["init"].__func__
    read_file_values = settings_mod.read_file_values
    homes: dict[Path, str] = {}

    def init(cls, home=None, **overrides):
        root = settings_mod.resolve_home(home)
        if (
            not (root / settings_mod.SETTINGS_FILE).exists()
            and overrides.get("database_url") is None
            and not os.environ.get("LEAKTRACE_DATABASE_URL")
        ):
            overrides["database_url"] = homes[root] = create_database()
        return plain(cls, home, **overrides)

    def read_routed(home: Path) -> dict:
        values = read_file_values(home)
        url = values.get("database_url")
        if url is None and home in homes and (home / settings_mod.SETTINGS_FILE).exists():
            values["database_url"] = homes[home]  # a test rewrote leaktrace.toml (one setting changed): same store
        elif url is not None and home not in homes and url in homes.values():
            # a copy of a workspace's folder (copytree, to tamper with it): on SQLite it copies the
            # store too, so here its store becomes a copy of the database, named in the copy's file
            homes[home] = values["database_url"] = clone_database(url)
            path = home / settings_mod.SETTINGS_FILE
            path.write_text(path.read_text(encoding="utf-8").replace(url, homes[home]), encoding="utf-8")
        return values

    Workspace.init = classmethod(init)
    settings_mod.read_file_values = read_routed


def _postgres_sql(sql: str, parameters: bool) -> str:
    """SQLite's statement for psycopg: ``?`` placeholders as ``%s``, and a boolean column set or
    compared to SQLite's 0/1 as false/true (PostgreSQL has no implicit integer-to-boolean cast)."""
    import re

    from sqlalchemy import Boolean

    from leaktrace.store.models import Base

    names = sorted({c.name for t in Base.metadata.tables.values() for c in t.columns if isinstance(c.type, Boolean)})
    sql = re.sub(rf"\b({'|'.join(names)})(\s*=\s*)([01])\b", lambda m: f"{m[1]}{m[2]}{'true' if m[3] == '1' else 'false'}", sql, flags=re.I)
    return sql.replace("%", "%%").replace("?", "%s") if parameters else sql


class _SqliteLike:
    """What the tamper tests use of a ``sqlite3`` connection, over PostgreSQL: ``execute`` with ``?``
    parameters, ``fetchone``/``fetchall``/iteration of its cursor, ``commit``, and ``with`` (commit or
    roll back). Leaving ``with`` also closes it (psycopg warns of a connection left open), and a later
    statement opens another. ``BEGIN IMMEDIATE`` takes the store's write lock (its advisory lock,
    waiting up to ``timeout`` seconds, else ``database is locked``) until ``ROLLBACK`` or ``COMMIT``;
    with ``isolation_level=None`` every other statement commits at once, as in sqlite3."""

    def __init__(self, url: str, *, timeout: float = 5.0, isolation_level: str | None = "") -> None:
        from sqlalchemy import make_url

        parsed = make_url(url)
        self._params = dict(host=parsed.query.get("host", parsed.host), port=parsed.port, user=parsed.username, dbname=parsed.database)
        self._open = None
        self._timeout_ms, self._autocommit, self._explicit = int(timeout * 1000), isolation_level is None, False

    @property
    def _con(self):
        import psycopg

        if self._open is None or self._open.closed:
            self._open = psycopg.connect(**self._params)
        return self._open

    def _begin_immediate(self) -> None:
        import sqlite3

        import psycopg.errors

        from leaktrace.store.db import WRITE_LOCK_KEY

        self._con.commit()
        if self._timeout_ms > 0:
            self._con.execute(f"SET LOCAL lock_timeout = {self._timeout_ms}")
            try:
                self._con.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            except psycopg.errors.LockNotAvailable:
                self._con.rollback()
                raise sqlite3.OperationalError("database is locked") from None
        elif not self._con.execute(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})").fetchone()[0]:
            self._con.rollback()
            raise sqlite3.OperationalError("database is locked")
        self._explicit = True

    def execute(self, sql: str, parameters: tuple | list = ()):
        verb = " ".join(sql.split()).upper().rstrip(";")
        if verb in ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"):
            self._begin_immediate()
            return self._con.cursor()
        if verb in ("BEGIN", "BEGIN DEFERRED"):
            self._con.commit()
            self._explicit = True
            return self._con.cursor()
        if verb == "ROLLBACK":
            self.rollback()
            return self._con.cursor()
        if verb in ("COMMIT", "END"):
            self.commit()
            return self._con.cursor()
        cursor = self._con.cursor()
        cursor.execute(_postgres_sql(sql, bool(parameters)), tuple(parameters) or None)
        if self._autocommit and not self._explicit:
            self._con.commit()
        return cursor

    def executemany(self, sql: str, rows):
        cursor = self._con.cursor()
        cursor.executemany(_postgres_sql(sql, True), [tuple(r) for r in rows])
        return cursor

    def commit(self) -> None:
        self._con.commit()
        self._explicit = False

    def rollback(self) -> None:
        self._con.rollback()
        self._explicit = False

    def close(self) -> None:
        if self._open is not None:
            self._open.close()

    def __enter__(self) -> _SqliteLike:
        return self

    def __exit__(self, kind, *exc: object) -> None:
        if kind is None:
            self._con.commit()
        self.close()

    def __del__(self) -> None:
        self.close()


def route_sqlite_edits() -> None:
    """The tests that tamper with a store straight in the database open ``HOME/leaktrace.db`` with
    ``sqlite3.connect``; when that workspace's store is on PostgreSQL, the same statements run there
    (so evidence edited behind leaktrace's back is shown to be detected on both stores)."""
    import sqlite3

    from leaktrace import settings as settings_mod

    real = sqlite3.connect

    def connect(database, *args, **kwargs):
        if isinstance(database, (str, os.PathLike)):
            path = Path(os.fspath(database))
            if path.name == "leaktrace.db" and not path.exists() and (path.parent / settings_mod.SETTINGS_FILE).exists():
                url = settings_mod.load(path.parent).resolved_database_url
                if url.startswith("postgresql"):
                    return _SqliteLike(url, timeout=kwargs.get("timeout", 5.0), isolation_level=kwargs.get("isolation_level", ""))
        return real(database, *args, **kwargs)

    sqlite3.connect = connect
