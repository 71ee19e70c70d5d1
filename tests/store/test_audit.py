"""audit: the chain is sealed entry by entry; every kind of tampering is named at the right entry."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from leaktrace.store import audit
from leaktrace.store.db import make_engine, session_factory, transaction, upgrade
from leaktrace.store.models import AuditEntry, Meta


@pytest.fixture()
def engine(store_url):
    url = store_url()
    upgrade(url)
    engine = make_engine(url, lock_timeout_s=20)
    yield engine
    engine.dispose()


@pytest.fixture()
def chain(engine):
    """Five entries, then a function running SQL and returning the verdict."""
    Session = session_factory(engine)
    with transaction(Session) as session:
        for i in range(1, 6):
            audit.append(session, actor="ana", action="share", subject=("key", i), details={"n": i, "note": "ü"})

    def tamper(*statements: str):
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
        with Session() as session:
            return audit.verify(session)

    return tamper


def test_entries_chain_and_verify(engine, chain):
    check = chain()
    assert check.ok and check.entries == 5 and check.bad_id is None
    with session_factory(engine)() as session:
        entries = list(session.query(AuditEntry).order_by(AuditEntry.id))
        assert entries[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
        first = entries[0]
        assert first.hash == audit.entry_hash(
            id=1,
            at=first.at,
            actor="ana",
            action="share",
            subject_type="key",
            subject_id="1",
            details={"n": 1, "note": "ü"},
            prev_hash=audit.GENESIS,
        )
        assert session.get(Meta, audit.HEAD_KEY).value == f"5:{entries[-1].hash}"


def test_edited_details(chain):
    check = chain("""update audit_entries set details = '{"n":99,"note":"ü"}' where id = 3""")
    assert (check.ok, check.bad_id, check.problem) == (False, 3, "edited")
    assert "entry 3 was edited" in check.reason


def test_details_that_are_no_longer_json(chain):
    check = chain("update audit_entries set details = 'oops' where id = 2")
    assert (check.bad_id, check.problem) == (2, "edited")


def test_changed_hash(chain):
    check = chain(f"update audit_entries set hash = '{'f' * 64}' where id = 4")
    assert (check.bad_id, check.problem) == (4, "edited")


def test_removed_row(chain):
    check = chain("delete from audit_entries where id = 2")
    assert (check.bad_id, check.problem) == (2, "removed")
    assert "entry 2 is missing" in check.reason


def test_removed_last_row_is_caught_by_the_head(chain):
    check = chain("delete from audit_entries where id = 5")
    assert (check.bad_id, check.problem) == (5, "removed")


def test_swapped_ids(chain):
    check = chain(
        "update audit_entries set id = 100 where id = 2",
        "update audit_entries set id = 2 where id = 4",
        "update audit_entries set id = 4 where id = 100",
    )
    assert (check.bad_id, check.problem) == (2, "reordered")
    assert "written as entry 4" in check.reason


def test_swapped_neighbours(chain):
    check = chain(
        "update audit_entries set id = 100 where id = 3",
        "update audit_entries set id = 3 where id = 4",
        "update audit_entries set id = 4 where id = 100",
    )
    assert (check.bad_id, check.problem) == (3, "reordered")


def test_inserted_row(engine, chain):
    with session_factory(engine)() as session:
        third = session.get(AuditEntry, 3)
        at, prev = third.at.replace(tzinfo=None).isoformat(sep=" "), third.hash
    shift = ("update audit_entries set id = id + 100 where id > 3", "update audit_entries set id = id - 99 where id > 100")
    # a forged entry chained to entry 3 is refused by the store itself: prev_hash is unique, the chain cannot fork
    with pytest.raises(IntegrityError):
        chain(
            *shift,
            "insert into audit_entries (id, at, actor, action, details, prev_hash, hash) "
            f"values (4, '{at}', 'eve', 'share', '{{}}', '{prev}', '{'e' * 64}')",
        )
    check = chain(
        *shift,
        "insert into audit_entries (id, at, actor, action, details, prev_hash, hash) "
        f"values (4, '{at}', 'eve', 'share', '{{}}', '{'d' * 64}', '{'e' * 64}')",
    )
    assert not check.ok and check.bad_id == 4 and check.problem in {"inserted", "edited"}


def test_appended_outside_leaktrace(chain):
    check = chain(
        f"insert into audit_entries (id, at, actor, action, details, prev_hash, hash) "
        f"values (6, '2027-01-01 00:00:00', 'eve', 'share', '{{}}', '{'d' * 64}', '{'c' * 64}')"
    )
    assert not check.ok and check.bad_id == 6


def test_concurrent_writers_never_fork_the_chain(engine):
    Session = session_factory(engine)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for i in range(10):
                with transaction(Session) as session:
                    audit.append(session, actor=name, action="trace", subject=("finding", i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session() as session:
        check = audit.verify(session)
    assert check.ok and check.entries == 40


def test_canonical_json_refuses_nan_but_append_cleans_it(engine):
    with pytest.raises(ValueError):
        audit.canonical_json({"x": float("nan")})
    with transaction(session_factory(engine)) as session:
        entry = audit.append(session, actor="a", action="trace", details={"threshold": float("nan"), "t": (1, 2)})
        assert entry.details == '{"t":[1,2],"threshold":null}'
