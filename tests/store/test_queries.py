"""queries: lookups by name or number, recipients of an asset, NotFound messages."""

from __future__ import annotations

import pytest

from leaktrace.errors import NotFound
from leaktrace.store import queries as q
from leaktrace.store.db import make_engine, session_factory, transaction, upgrade
from leaktrace.store.models import Asset, Copy, Recipient, Share
from tests import _postgres


@pytest.fixture(scope="module")
def Session(tmp_path_factory):
    url = _postgres.create_database() if _postgres.on_postgres() else f"sqlite:///{tmp_path_factory.mktemp('q') / 'leaktrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    with transaction(Session) as session:
        people = [Recipient(name=n) for n in ("alice", "bob", "carol", "7")]
        plan = Asset(sha256="a" * 64, title="Plan", filename="plan.png", format="PNG", width=8, height=8, grid_y=2, grid_x=2, strength=1.0)
        memo = Asset(sha256="b" * 64, title="Memo", filename="memo.jpg", format="JPEG", width=8, height=8, grid_y=2, grid_x=2, strength=1.0)
        session.add_all(people + [plan, memo])
        alice, bob, carol, _ = people
        for n, (asset, who) in enumerate([(plan, [carol, alice]), (plan, [alice]), (memo, [bob])]):
            share = Share(asset=asset, created_by="lead")
            share.copies = [
                Copy(recipient=r, sha256=f"{n}{i}".ljust(64, "c"), filename=f"{r.name}.png", psnr=46.0, ssim=0.99) for i, r in enumerate(who)
            ]
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
        assert [(c.share_id, c.recipient.name) for c in q.copies_of_asset(s, 1)] == [(1, "carol"), (1, "alice"), (2, "alice")]


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


# ----------------------------------------------------------------------------- findings, cases, audit, users, tokens


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """A workspace after some work: 3 findings (the second with an open case, the third with a closed one), users, tokens."""
    import hashlib

    from leaktrace import Workspace
    from tests.conftest import photo, record_finding, save

    tmp = tmp_path_factory.mktemp("q-work")
    ws = Workspace.init(tmp / "ws")
    leaks = [save(tmp / f"leak{i}.png", photo(40 + i, (24, 32))) for i in range(3)]
    ids = [record_finding(ws.home, leak, ["Apex", "Borealis"], accused, actor="ana") for leak, accused in zip(leaks, [(), ("Borealis",), ("Apex",)])]
    open_case = ws.open_case(ids[1], actor="lead")
    ws.update_case(open_case["id"], add_action="Audit the supplier", actor="lead")
    closed = ws.open_case(ids[2], actor="lead")
    ws.update_case(closed["id"], status="closed", actor="lead")
    ws.add_user("ana", "analyst", "ana-password-1", actor="setup")
    ws.add_user("otto", "auditor", "otto-password-1", actor="setup")
    token = ws.create_token("otto", name="ci", actor="setup")
    ws.create_token("otto", actor="setup")
    ws.revoke_token(token["id"], actor="setup")
    yield ws, ids, open_case["id"], closed["id"], hashlib.sha256(token["token"].encode()).hexdigest()
    ws.close()


def test_findings_newest_first_with_scores(worked):
    ws, ids, *_ = worked
    with ws.context.sessions() as s:
        found = q.finding_by_id(s, ids[1])
        assert [(sc.rank, sc.recipient_name, sc.accused) for sc in found.scores] == [(0, "Apex", False), (1, "Borealis", True)]
        assert [f.id for f in q.list_findings(s)] == ids[::-1]
        assert [f.id for f in q.list_findings(s, limit=2)] == ids[:0:-1]
        with pytest.raises(NotFound, match="no finding numbered 99"):
            q.finding_by_id(s, 99)


def test_cases_by_status_and_by_finding(worked):
    ws, ids, open_id, closed_id, _ = worked
    with ws.context.sessions() as s:
        case = q.case_by_id(s, open_id)
        assert case.finding.id == ids[1] and [r.recipient.name for r in case.responsibles] == ["Borealis"]
        assert [(sc.recipient_name, sc.accused) for sc in case.finding.scores] == [("Apex", False), ("Borealis", True)]
        assert [e.kind for e in case.events] == ["opened", "action"] and [a.text for a in case.actions] == ["Audit the supplier"]
        assert [c.id for c in q.list_cases(s)] == [closed_id, open_id]
        assert [c.id for c in q.list_cases(s, status="closed")] == [closed_id]
        assert q.list_cases(s, status="notified") == []
        [found] = q.open_cases_of_finding(s, ids[1])
        assert found.id == open_id
        assert q.open_cases_of_finding(s, ids[2]) == []  # closed cases do not count
        action = case.actions[0]
        assert q.action_of_case(s, open_id, action.id).text == "Audit the supplier"
        with pytest.raises(NotFound, match=f"case {closed_id} has no remediation action numbered {action.id}"):
            q.action_of_case(s, closed_id, action.id)
        with pytest.raises(NotFound, match="no case numbered 99"):
            q.case_by_id(s, 99)
    # loaded with what the evidence report reads, usable once the session is closed
    assert [r.recipient.name for r in found.responsibles] == ["Borealis"] and [e.kind for e in found.events] == ["opened", "action"]


def test_audit_newest_first(worked):
    ws, *_ = worked
    with ws.context.sessions() as s:
        entries = q.list_audit(s)
        assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
        assert entries[0].action == "token.revoke" and entries[-1].action == "workspace.init"
        assert [e.id for e in q.list_audit(s, limit=3)] == [e.id for e in entries[:3]]


def test_users_and_tokens(worked):
    ws, *_, revoked_hash = worked
    with ws.context.sessions() as s:
        assert [(u.name, u.role) for u in q.list_users(s)] == [("ana", "analyst"), ("otto", "auditor")]
        otto = q.user_by_name(s, "otto")
        assert sorted((t.name, t.revoked) for t in otto.tokens) == [("", False), ("ci", True)]
        assert q.find_user_by_name(s, "Otto") is None  # names are exact
        with pytest.raises(NotFound, match="no user named 'eve'"):
            q.user_by_name(s, "eve")
        token = q.find_token_by_hash(s, revoked_hash)
        assert token.user.name == "otto" and token.revoked and q.token_by_id(s, token.id).name == "ci"
        assert q.find_token_by_hash(s, "0" * 64) is None
        with pytest.raises(NotFound, match="no token numbered 99"):
            q.token_by_id(s, 99)


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30, 0, -1])
def test_an_id_no_key_can_hold_is_no_record(Session, huge):
    with Session() as session:
        for find in (q.recipient_by_id, q.asset_by_id, q.share_by_id, q.finding_by_id, q.case_by_id, q.token_by_id):
            with pytest.raises(NotFound, match=str(huge)):
                find(session, huge)
        with pytest.raises(NotFound):
            q.recipient_by_name_or_id(session, str(huge))
    assert q.MAX_ID == 2**31 - 1  # PostgreSQL's INTEGER keys
