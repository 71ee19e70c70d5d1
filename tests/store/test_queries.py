"""queries: lookups by name or number, recipients of an asset, NotFound messages."""

from __future__ import annotations

import pytest

from leaktrace.errors import NotFound
from leaktrace.store import queries as q
from leaktrace.store.db import make_engine, session_factory, transaction, upgrade
from leaktrace.store.models import Asset, Copy, Recipient, Share


@pytest.fixture(scope="module")
def Session(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('q') / 'leaktrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    with transaction(Session) as session:
        people = [Recipient(name=n) for n in ("alice", "bob", "carol", "7")]
        plan = Asset(sha256="a" * 64, title="Plan", filename="plan.png", format="PNG", width=8, height=8,
                     grid_y=2, grid_x=2, strength=1.0)
        memo = Asset(sha256="b" * 64, title="Memo", filename="memo.jpg", format="JPEG", width=8, height=8,
                     grid_y=2, grid_x=2, strength=1.0)
        session.add_all(people + [plan, memo])
        alice, bob, carol, _ = people
        for n, (asset, who) in enumerate([(plan, [carol, alice]), (plan, [alice]), (memo, [bob])]):
            share = Share(asset=asset, created_by="lead")
            share.copies = [Copy(recipient=r, sha256=f"{n}{i}".ljust(64, "c"), filename=f"{r.name}.png",
                                 psnr=46.0, ssim=0.99) for i, r in enumerate(who)]
            session.add(share)
    yield Session
    engine.dispose()


def test_recipient_by_name_or_id(Session):
    with transaction(Session) as s:
        assert q.recipient_by_name_or_id(s, "bob").id == 2
        assert q.recipient_by_name_or_id(s, "3").name == "carol"
        assert q.recipient_by_name_or_id(s, "7").name == "7"  # a name wins over a number
        assert q.recipient_by_id(s, 1).name == "alice"
        assert q.find_recipient_by_name(s, "dave") is None
        with pytest.raises(NotFound) as caught:
            q.recipient_by_name_or_id(s, "dave")
        assert str(caught.value) == "no recipient named or numbered 'dave'"
        with pytest.raises(NotFound, match="no recipient named or numbered '99'"):
            q.recipient_by_name_or_id(s, "99")
        with pytest.raises(NotFound, match="no recipient numbered 99"):
            q.recipient_by_id(s, 99)


def test_lists_are_in_creation_order(Session):
    with transaction(Session) as s:
        assert [r.name for r in q.list_recipients(s)] == ["alice", "bob", "carol", "7"]
        assert [a.title for a in q.list_assets(s)] == ["Plan", "Memo"]
        assert [sh.id for sh in q.list_shares(s)] == [1, 2, 3]
        assert [sh.id for sh in q.list_shares(s, asset_id=1)] == [1, 2]
        assert [sh.id for sh in q.list_shares(s, recipient_id=1)] == [1, 2]
        assert [sh.id for sh in q.list_shares(s, asset_id=2, recipient_id=1)] == []


def test_recipients_of_asset_are_distinct_and_by_id(Session):
    with transaction(Session) as s:
        assert [r.name for r in q.recipients_of_asset(s, 1)] == ["alice", "carol"]
        assert [r.name for r in q.recipients_of_asset(s, 2)] == ["bob"]
        with pytest.raises(NotFound, match="no asset numbered 5"):
            q.recipients_of_asset(s, 5)
        assert [(c.share_id, c.recipient.name) for c in q.copies_of_asset(s, 1)] == [
            (1, "carol"), (1, "alice"), (2, "alice")]


def test_assets_by_id_and_hash(Session):
    with transaction(Session) as s:
        assert q.asset_by_id(s, 2).title == "Memo"
        assert q.asset_by_sha256(s, "A" * 64).title == "Plan"
        assert q.find_asset_by_sha256(s, "f" * 64) is None
        with pytest.raises(NotFound, match="no asset numbered 9"):
            q.asset_by_id(s, 9)
        with pytest.raises(NotFound, match=f"no asset with SHA-256 {'f' * 64}"):
            q.asset_by_sha256(s, "f" * 64)


def test_shares_and_copies_stay_usable_after_the_session(Session):
    with transaction(Session) as s:
        share = q.share_by_id(s, 1)
        shares = q.list_shares(s)
        copy = q.find_copy_by_sha256(s, "01".ljust(64, "c"))
        with pytest.raises(NotFound, match="no share numbered 4"):
            q.share_by_id(s, 4)
    assert share.asset.title == "Plan" and [c.recipient.name for c in share.copies] == ["carol", "alice"]
    assert shares[2].copies[0].recipient.name == "bob"
    assert copy.recipient.name == "alice" and copy.share.asset_id == 1
    with transaction(Session) as s:
        assert q.find_copy_by_sha256(s, "e" * 64) is None


def test_meta(Session):
    with transaction(Session) as s:
        assert q.get_meta(s, "schema_note") is None
        assert q.get_meta(s, "schema_note", "none") == "none"
        q.set_meta(s, "schema_note", "one")
    with transaction(Session) as s:
        q.set_meta(s, "schema_note", "two")
    with transaction(Session) as s:
        assert q.get_meta(s, "schema_note") == "two"
