"""models: refs fixed at creation, UTC datetimes, constraints enforced, schema equals the migration."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

from leaktrace.errors import Conflict
from leaktrace.store.db import make_engine, session_factory, transaction, upgrade
from leaktrace.store.models import Asset, Base, Copy, Meta, Recipient, Share


@pytest.fixture()
def url(store_url):
    url = store_url()
    upgrade(url)
    return url


@pytest.fixture()
def Session(url):
    engine = make_engine(url, lock_timeout_s=5)
    yield session_factory(engine, sealed=False)  # rows written straight, without their audit entries
    engine.dispose()


def _asset(**overrides):
    values = dict(sha256="a" * 64, title="Plan", filename="plan.png", format="PNG", width=64, height=48, grid_y=8, grid_x=8, strength=1.5)
    values.update(overrides)
    return Asset(**values)


def test_migrated_schema_matches_the_models(url):
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert set(inspect(connection).get_table_names()) == {
            "alembic_version",
            "recipients",
            "assets",
            "shares",
            "case_responsibles",
            "checkpoints",
            "copies",
            "meta",
            "findings",
            "finding_scores",
            "cases",
            "case_events",
            "remediation_actions",
            "audit_entries",
            "users",
            "tokens",
            "recipient_groups",
            "group_members",
            "scans",
            "scan_items",
            "invitations",
            "acceptances",
            "receipts",
        }
    engine.dispose()


def test_migrations_downgrade_to_the_first_and_back(url):
    from alembic import command

    from leaktrace.store.db import migrations_config

    engine = make_engine(url)
    for revision, step in (("0001", command.downgrade), ("head", command.upgrade)):
        config = migrations_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata) == []
    engine.dispose()


def test_key_ref_is_random_hex_given_at_construction_and_never_changes():
    a, b = Recipient(name="alice"), Recipient(name="bob")
    assert re.fullmatch(r"[0-9a-f]{32}", a.key_ref) and a.key_ref != b.key_ref
    assert re.fullmatch(r"[0-9a-f]{32}", _asset().key_ref)
    with pytest.raises(ValueError, match="never changes"):
        a.key_ref = "0" * 32
    a.key_ref = a.key_ref  # setting the same value is harmless
    assert Recipient(name="carol", key_ref="f" * 32).key_ref == "f" * 32


def test_datetimes_come_back_timezone_aware_utc(Session):
    paris = timezone(timedelta(hours=2))
    with transaction(Session) as session:
        session.add(Recipient(name="alice", created_at=datetime(2024, 5, 1, 12, 0, tzinfo=paris)))
        session.add(Recipient(name="bob"))
    with transaction(Session) as session:
        alice = session.query(Recipient).filter_by(name="alice").one()
        bob = session.query(Recipient).filter_by(name="bob").one()
    assert alice.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alice.created_at.tzinfo == UTC
    assert bob.created_at.tzinfo == UTC
    assert abs(datetime.now(UTC) - bob.created_at) < timedelta(minutes=1)


def test_naive_datetimes_are_refused(Session):
    with pytest.raises(StatementError, match="naive datetime"):
        with transaction(Session) as session:
            session.add(Recipient(name="x", created_at=datetime(2024, 1, 1)))
            session.flush()


def test_relationships_and_one_copy_per_recipient_per_share(Session):
    with transaction(Session) as session:
        alice = Recipient(name="alice", email="a@example.org", org="ACME")
        asset = _asset()
        share = Share(asset=asset, note="board pack", created_by="lead")
        share.copies.append(Copy(recipient=alice, sha256="b" * 64, filename="plan-alice.png", psnr=46.1, ssim=0.995))
        session.add(share)
    with transaction(Session) as session:
        share = session.get(Share, 1)
        assert share.asset.title == "Plan"
        assert [c.recipient.name for c in share.copies] == ["alice"]
        assert share.note == "board pack"
    with pytest.raises(Conflict, match=r"UNIQUE constraint failed: copies.share_id, copies.recipient_id|uq_copies_share_id_recipient_id"):
        with transaction(Session) as session:
            session.add(Copy(share_id=1, recipient_id=1, sha256="c" * 64, filename="x.png", psnr=1, ssim=1))


def test_unique_names_hashes_and_foreign_keys_are_enforced(Session):
    with transaction(Session) as session:
        session.add_all([Recipient(name="alice"), _asset()])
    with pytest.raises(Conflict, match="recipients.name"):
        with transaction(Session) as session:
            session.add(Recipient(name="alice"))
    with pytest.raises(Conflict, match="assets.sha256"):
        with transaction(Session) as session:
            session.add(_asset())
    with pytest.raises(Conflict, match="FOREIGN KEY|violates foreign key constraint"):
        with transaction(Session) as session:
            session.add(Share(asset_id=99))


def test_meta_rows(Session):
    with transaction(Session) as session:
        session.add(Meta(key="master_key_fingerprint", value="abc"))
    with transaction(Session) as session:
        assert session.get(Meta, "master_key_fingerprint").value == "abc"
