"""Engines, sessions, transactions and migrations of the store.

Nothing is built at import: callers make an engine from a URL. With SQLite the
engine runs in WAL mode with foreign keys on, and every write transaction starts with
``BEGIN IMMEDIATE`` (the SQLAlchemy "serializable isolation" recipe: the driver's own
transaction handling is switched off and the ``begin`` event emits the BEGIN), so
concurrent writers queue for up to ``lock_timeout_s`` instead of failing half-way
with "database is locked". On PostgreSQL every write transaction takes the same one-writer
lock, a transaction-scoped advisory lock (:data:`WRITE_LOCK_KEY`), as its first statement, waiting
up to ``lock_timeout_s``: read-modify-write units (the audit chain's next entry, a counter) queue
as on SQLite instead of losing an update or failing on the chain's unique ``prev_hash``.

Reads do not queue behind writers. A session from ``session_factory(engine,
readonly=True)`` is read-only: on SQLite its transaction is a plain (deferred) ``BEGIN``
under ``PRAGMA query_only`` (WAL readers never wait for the writer, and a stray write
fails instead of taking the lock), on PostgreSQL a ``READ ONLY`` transaction.
:func:`transaction` always opens a write transaction, whichever factory it is given, so
a service keeps one factory: plain ``with sessions() as session`` to read,
``with transaction(sessions) as session`` to write.

Whatever waits too long for the write lock (a transaction, a migration, a stray write
anywhere on the engine) ends as :class:`~leaktrace.errors.Busy` with the one sentence
:data:`BUSY_MESSAGE`, never as a driver traceback: the engine's ``handle_error`` hook
rewrites SQLite's "database is locked" and PostgreSQL's ``lock_not_available``. A write that is only a convenience (a token's last use)
asks for ``transaction(sessions, wait=False)``: Busy at once instead of after the timeout.

>>> from sqlalchemy import text
>>> engine = make_engine("sqlite://")
>>> Session = session_factory(engine, readonly=True)
>>> with transaction(Session) as session:
...     session.scalar(text("select 1"))
1
>>> with Session() as session:
...     session.scalar(text("PRAGMA query_only"))
1
"""

from __future__ import annotations

import importlib.resources
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from leaktrace.errors import BadInput, Busy, Conflict, SettingRejected

__all__ = [
    "BUSY_MESSAGE",
    "current_revision",
    "downgrade",
    "engine_revision",
    "head_revision",
    "make_engine",
    "migrations_config",
    "session_factory",
    "transaction",
    "upgrade",
    "upgrade_if_behind",
]

#: Execution option naming how SQLite opens a transaction ("IMMEDIATE" by default, "DEFERRED" for readers).
BEGIN_OPTION = "leaktrace_sqlite_begin"
#: Execution option marking a read-only unit of work (see :func:`session_factory`).
READONLY_OPTION = "leaktrace_readonly"
#: Execution option: False makes a SQLite transaction give up at once when another process writes.
WAIT_OPTION = "leaktrace_wait"
#: The PostgreSQL advisory lock a write transaction holds (per database: b"leak" as a number).
WRITE_LOCK_KEY = 0x6C65616B
#: What a user reads when another process held the store's write lock past ``lock_timeout_s``
#: (no path: an API client must not learn where the server keeps its store).
BUSY_MESSAGE = "the workspace is busy (another process is writing); try again"


def make_engine(url: str, *, lock_timeout_s: float = 60.0) -> Engine:
    """An engine for ``url``; for SQLite: WAL, foreign keys, busy timeout and ``BEGIN IMMEDIATE``.

    Parameters
    ----------
    url : SQLAlchemy URL ("sqlite:///path/leaktrace.db", "postgresql+psycopg://…")
    lock_timeout_s : float, seconds
        How long a SQLite transaction waits for another writer before :class:`Busy`.

    For a read-only unit of work that should not take the write lock, use
    :func:`session_factory` with ``readonly=True``.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingRejected("setting database_url is not a database URL (e.g. postgresql+psycopg://user@host/leaktrace).") from None
    if parsed.get_backend_name() != "sqlite":
        try:
            # a server that never answers is reported within 10 s, not after the system's TCP timeout
            connect = {"connect_timeout": 10} if parsed.get_backend_name() == "postgresql" else {}
            engine = create_engine(url, pool_pre_ping=True, connect_args=connect)
        except (NoSuchModuleError, ImportError):
            raise SettingRejected(f"setting database_url needs the {parsed.drivername} driver, which is not installed.") from None
        if engine.dialect.name == "postgresql":
            _one_writer_on_postgresql(engine, lock_timeout_s)
        return engine
    engine = create_engine(url, connect_args={"timeout": lock_timeout_s, "check_same_thread": False})
    busy_ms = int(lock_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from emitting its own BEGIN; the "begin" event below does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            # A no-op (no lock) on a store already in WAL, which every workspace is from init on.
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if _locked_message(str(exc)):
                raise Busy(BUSY_MESSAGE) from exc
            raise
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        readonly = bool(options.get(READONLY_OPTION, False))
        mode = "DEFERRED" if readonly else options.get(BEGIN_OPTION, "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
            raise ValueError(f"{BEGIN_OPTION} must be IMMEDIATE, DEFERRED or EXCLUSIVE, not {mode!r}")
        # Per transaction: a pooled connection serves readers and writers in turn.
        wait_ms = busy_ms if options.get(WAIT_OPTION, True) else 0
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
        connection.exec_driver_sql(f"PRAGMA query_only = {'ON' if readonly else 'OFF'}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "handle_error", retval=True)
    def _on_error(context: Any) -> BaseException | None:
        # Any statement on this engine (a flush, a commit, a migration's BEGIN) that waited past
        # the timeout: one sentence, whichever code path ran it.
        if isinstance(context.original_exception, sqlite3.OperationalError) and _locked_message(str(context.original_exception)):
            return Busy(BUSY_MESSAGE)
        return None

    return engine


def _one_writer_on_postgresql(engine: Engine, lock_timeout_s: float) -> None:
    """PostgreSQL's side of the store's one-writer rule: a read-only unit of work is a ``READ ONLY``
    transaction and takes no lock; any other transaction first takes :data:`WRITE_LOCK_KEY`, waiting
    up to ``lock_timeout_s`` seconds (``wait=False``: not at all), and a wait past it is :class:`Busy`.
    A text holding NUL (which SQLite stores and PostgreSQL cannot) is :class:`BadInput`, not a 500."""
    wait_ms = max(1, int(lock_timeout_s * 1000))

    @event.listens_for(engine, "begin")
    def _on_begin_pg(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(READONLY_OPTION, False):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif options.get(WAIT_OPTION, True):
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        elif not connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})").scalar():
            raise Busy(BUSY_MESSAGE)

    @event.listens_for(engine, "handle_error", retval=True)
    def _on_error_pg(context: Any) -> BaseException | None:
        if _lock_timed_out(context.original_exception):
            return Busy(BUSY_MESSAGE)
        if "cannot contain NUL (0x00)" in str(context.original_exception):  # psycopg refuses it before sending
            return BadInput("text with a NUL character (0x00) cannot be stored or looked up in PostgreSQL.")
        return None


def session_factory(engine: Engine, *, readonly: bool = False, sealed: bool = True) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay usable after commit (``expire_on_commit=False``).

    ``sealed`` (always, outside tests of the tables themselves): a session refuses to change a
    finding, share, case, asset or recipient that no longer matches its seal (``store/seals.py``).

    ``readonly=True``: a session opened from the factory reads without taking the write
    lock (SQLite: deferred ``BEGIN`` under ``PRAGMA query_only``; PostgreSQL: ``READ ONLY``),
    and a write in it fails. :func:`transaction` over the same factory still writes.
    """
    from leaktrace.store import seals

    bind = engine.execution_options(**{READONLY_OPTION: True}) if readonly else engine
    factory = sessionmaker(bind=bind, expire_on_commit=False, info={seals.GUARDED: True} if sealed else {})
    if sealed:
        seals.install(factory)  # a sealed record that no longer matches its seal is never changed
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session], *, wait: bool = True) -> Iterator[Session]:
    """One unit of work that writes: commit if the block succeeds, roll back if it raises.

    Translates database errors into the error tree: SQLite's "database is locked"
    (another process held the store past the lock timeout) becomes :class:`Busy`, and
    a constraint violation (a duplicate, a dangling reference) becomes :class:`Conflict`.
    Other errors propagate unchanged after the rollback.

    ``wait=False`` (SQLite): :class:`Busy` at once if another process holds the write lock,
    for a write the caller may skip.
    """
    session = factory()
    try:
        # A write transaction even over a read-only factory; begun now, so SQLite's lock is
        # taken (or waited for) before the block's first read.
        session.connection(execution_options={READONLY_OPTION: False, WAIT_OPTION: wait})
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if _is_locked(exc):
            raise Busy(BUSY_MESSAGE) from exc
        raise
    except IntegrityError as exc:
        session.rollback()
        detail = " ".join(str(exc.orig).split()) if exc.orig is not None else "constraint violated"
        raise Conflict(f"the change conflicts with what is stored ({detail})") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _is_locked(exc: OperationalError) -> bool:
    return _locked_message(str(exc.orig) if exc.orig is not None else str(exc)) or _lock_timed_out(exc.orig)


def _lock_timed_out(exc: BaseException | None) -> bool:
    """PostgreSQL's ``lock_not_available``: a wait for a lock ran past ``lock_timeout``."""
    return getattr(exc, "sqlstate", None) == "55P03"


def _locked_message(message: str) -> bool:
    message = message.lower()
    return "database is locked" in message or "database table is locked" in message


# --------------------------------------------------------------------------- migrations


def _script_location() -> Path:
    return Path(str(importlib.resources.files("leaktrace.store") / "migrations"))


def migrations_config(url: str | None = None) -> Any:
    """An Alembic ``Config`` for leaktrace's migrations, built in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    if url is not None:
        config.attributes["url"] = url
    return config


def upgrade(url: str, *, revision: str = "head", lock_timeout_s: float = 60.0) -> None:
    """Bring the database at ``url`` up to ``revision`` (all migrations by default).

    Safe to call on every start: an up-to-date database is left as it is. Runs in
    one transaction on SQLite and PostgreSQL (both have transactional DDL).
    """
    _migrate(url, revision, "upgrade", lock_timeout_s)


def downgrade(url: str, *, revision: str, lock_timeout_s: float = 60.0) -> None:
    """Take the database at ``url`` back to ``revision`` (for going back to an older leaktrace)."""
    _migrate(url, revision, "downgrade", lock_timeout_s)


def _migrate(url: str, revision: str, direction: str, lock_timeout_s: float) -> None:
    from alembic import command

    engine = make_engine(url, lock_timeout_s=lock_timeout_s)
    try:
        config = migrations_config(url)
        with engine.connect() as connection, _foreign_keys_off(connection), connection.begin():
            config.attributes["connection"] = connection
            getattr(command, direction)(config, revision)
            _check_foreign_keys(connection)
    except OperationalError as exc:
        if _is_locked(exc):
            raise Busy(BUSY_MESSAGE) from exc
        raise
    finally:
        engine.dispose()


@contextmanager
def _foreign_keys_off(connection: Any) -> Iterator[None]:
    """SQLite rebuilds a table by copy, drop and rename (Alembic's batch mode), which fails while
    other tables reference it with foreign keys on; the pragma only takes effect outside a
    transaction, so it is set on the driver's connection before the migration's transaction."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Any) -> None:
    """After a migration ran with foreign keys off: refuse to commit one that broke a reference."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} broken references, first in table {broken[0][0]!r}; nothing was changed")


def current_revision(url: str) -> str | None:
    """The migration the database at ``url`` is at, or None if it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def engine_revision(engine: Engine) -> str | None:
    """The migration the database behind ``engine`` is at (read without taking SQLite's write
    lock, and without importing Alembic: every CLI start asks). None for a new database."""
    try:
        with engine.execution_options(**{READONLY_OPTION: True}).connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    except (OperationalError, ProgrammingError):  # no alembic_version table yet
        return None
    return rows[0][0] if len(rows) == 1 else None


def upgrade_if_behind(engine: Engine, *, lock_timeout_s: float = 60.0) -> bool:
    """Upgrade the database behind ``engine`` if it is behind leaktrace's head; True if it was.

    Cheap when up to date (one read of ``alembic_version``), so it runs on every open.
    """
    if engine_revision(engine) == head_revision():
        return False
    upgrade(engine.url.render_as_string(hide_password=False), lock_timeout_s=lock_timeout_s)
    return True


#: The newest migration leaktrace ships; a test checks it against Alembic's own reading of
#: ``migrations/versions`` (kept as a constant so that opening a workspace imports no Alembic).
HEAD_REVISION = "0011"


def head_revision() -> str:
    """The newest migration leaktrace ships (what :func:`upgrade` brings a database to)."""
    return HEAD_REVISION
