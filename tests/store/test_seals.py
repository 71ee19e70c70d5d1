"""seals: a finding, share, case, asset or recipient edited, deleted, reordered or inserted straight in
the database is named by verify, and no later change through leaktrace launders it.

Run on SQLite, and on PostgreSQL too when the tests' throwaway cluster runs (tests/_postgres.py).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from leaktrace.errors import EvidenceTampered
from leaktrace.store import audit, seals
from leaktrace.store.db import make_engine, session_factory, transaction, upgrade
from leaktrace.store.models import (
    Asset,
    AuditEntry,
    Case,
    CaseEvent,
    CaseResponsible,
    Copy,
    Finding,
    FindingScore,
    Meta,
    Recipient,
    RemediationAction,
    Share,
)
from tests import _postgres

# the run's store (SQLite, or PostgreSQL under LEAKTRACE_TEST_STORE=postgresql), and PostgreSQL too when a SQLite run has its cluster
URLS = ["store"] + (["postgresql"] if os.environ.get(_postgres.ENV) and not _postgres.on_postgres() else [])


@pytest.fixture(params=URLS)
def engine(request, store_url):
    url = _postgres.create_database() if request.param == "postgresql" else store_url()
    upgrade(url)
    engine = make_engine(url, lock_timeout_s=10)
    yield engine
    engine.dispose()


def engine_of(Sessions):
    return Sessions.kw["bind"]


def forge_entry(engine, kind: str, record_id: int) -> None:
    """Append, chained correctly, an entry sealing record ``kind`` ``record_id`` as it now stands:
    what someone who can write the database and read the package can always do."""
    Raw = session_factory(engine, sealed=False)
    with transaction(Raw) as s:
        last = audit.latest(s)
        stamp = seals.seal(s, kind, record_id)
        fields = dict(
            id=last.id + 1, at=datetime.now(UTC), actor="ana", action="report", subject_type=kind, subject_id=str(record_id), prev_hash=last.hash
        )
        details = {"seal": stamp}
        s.add(AuditEntry(**fields, details=audit.canonical_json(details), hash=audit.entry_hash(**fields, details=details)))
        s.merge(Meta(key=audit.HEAD_KEY, value=f"{last.id + 1}:{audit.entry_hash(**fields, details=details)}"))


def _finding(asset_id: int, scores: list[tuple[int, str, float, bool]]) -> Finding:
    f = Finding(
        leak_sha256="c" * 64,
        leak_path="leak.jpg",
        leak_width=640,
        leak_height=480,
        asset_id=asset_id,
        homography="[[1,0,0],[0,1,0],[0,0,1]]",
        mirrored=False,
        method="features",
        hypotheses=1,
        epsilon=1e-6,
        threshold=5.55,
        n_tests=len(scores),
        accused="[]",
        actor="ana@host",
        software_version="test",
        elapsed_s=0.5,
        found_at=datetime(2026, 11, 30, 8, 15, tzinfo=UTC),
    )
    f.scores = [FindingScore(recipient_id=r, recipient_name=n, rank=i, score=s, p_value=1.0, accused=a) for i, (r, n, s, a) in enumerate(scores)]
    return f


@pytest.fixture()
def store(engine):
    """Two recipients, an asset, a share with two copies, a finding, a case: each written with its
    audit entry, as the services write them. Returns (sessions, run SQL then verify)."""
    Sessions = session_factory(engine)
    with transaction(Sessions) as s:
        for name in ("Apex", "Borealis"):
            r = Recipient(name=name)
            s.add(r)
            s.flush()
            audit.append(s, actor="ana", action="recipient.add", subject=("recipient", r.id))
        a = Asset(sha256="a" * 64, title="Bumper", filename="bumper.png", format="PNG", width=64, height=48, grid_y=8, grid_x=8, strength=1.5)
        s.add(a)
        s.flush()
        audit.append(s, actor="ana", action="asset.add", subject=("asset", a.id), details={"sha256": a.sha256})
    with transaction(Sessions) as s:
        share = Share(asset_id=1, note="tender", created_by="ana")
        share.copies = [Copy(recipient_id=i, sha256=f"{i}" * 64, filename=f"c{i}.png", psnr=48.0, ssim=0.999, size=1000 + i) for i in (1, 2)]
        s.add(share)
        s.flush()
        audit.append(s, actor="ana", action="share", subject=("share", share.id))
    with transaction(Sessions) as s:
        f = _finding(1, [(1, "Apex", 9.5, True), (2, "Borealis", 0.3, False)])
        s.add(f)
        s.flush()
        audit.append(s, actor="ana", action="trace", subject=("finding", f.id))
    with transaction(Sessions) as s:
        now = datetime.now(UTC)
        case = Case(finding_id=1, status="open", opened_by="ana", created_at=now, updated_at=now)
        case.responsibles = [CaseResponsible(recipient_id=1)]
        case.events = [CaseEvent(at=now, actor="ana", kind="opened", field="status", new_value="open")]
        case.actions = [RemediationAction(text="audit the supplier", done=False, created_at=now)]
        s.add(case)
        s.flush()
        audit.append(s, actor="ana", action="case.open", subject=("case", case.id))

    def tamper(*statements: str):
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        with Sessions() as session:
            return audit.verify(session)

    return Sessions, tamper


def test_an_untouched_store_verifies_and_every_record_is_sealed(store):
    _, tamper = store
    check = tamper()
    assert check.ok and check.records == 6  # 2 recipients, 1 asset, 1 share, 1 finding, 1 case


# (statement, record named, problem)
TAMPERING = [
    # edits: the forgery first
    ("UPDATE finding_scores SET score = 12.5, accused = true WHERE recipient_id = 2", "finding 1", "edited"),
    ("UPDATE findings SET accused = '[\"Borealis\"]'", "finding 1", "edited"),
    ("UPDATE findings SET found_at = NULL", "finding 1", "edited"),
    ("UPDATE copies SET sha256 = '" + "f" * 64 + "' WHERE recipient_id = 2", "share 1", "edited"),
    ("UPDATE shares SET created_by = 'someone else'", "share 1", "edited"),
    ("UPDATE cases SET penalty_minor = 100000000, penalty_currency = 'CNY'", "case 1", "edited"),
    ("UPDATE case_events SET actor = 'bob'", "case 1", "edited"),
    ("UPDATE remediation_actions SET done = true", "case 1", "edited"),
    ("UPDATE case_responsibles SET recipient_id = 2", "case 1", "edited"),
    ("UPDATE assets SET sha256 = '" + "e" * 64 + "'", "asset 1", "edited"),
    ("UPDATE recipients SET key_ref = '" + "0" * 32 + "' WHERE id = 2", "recipient 2", "edited"),
    # deletions
    ("DELETE FROM finding_scores WHERE recipient_id = 1", "finding 1", "edited"),
    ("DELETE FROM copies WHERE recipient_id = 1", "share 1", "edited"),
    ("DELETE FROM case_events", "case 1", "edited"),
    ("DELETE FROM case_responsibles", "case 1", "edited"),
    ("DELETE FROM remediation_actions", "case 1", "edited"),
    # reordering: two copies swap recipients; two scores swap ranks
    (
        "UPDATE copies SET sha256 = CASE recipient_id WHEN 1 THEN '" + "2" * 64 + "' ELSE '" + "1" * 64 + "' END",
        "share 1",
        "edited",
    ),
    ("UPDATE finding_scores SET rank = 1 - rank", "finding 1", "edited"),
    # insertions
    (
        "INSERT INTO finding_scores (finding_id, recipient_id, recipient_name, rank, score, p_value, accused) VALUES (1, 2, 'x', 2, 1, 1, false)",
        None,
        None,
    ),
    ("INSERT INTO case_events (case_id, at, actor, kind) VALUES (1, '2026-12-01 10:00:00', 'bob', 'note')", "case 1", "edited"),
    ("INSERT INTO recipients (key_ref, name, created_at) VALUES ('" + "1" * 32 + "', 'Ghost', '2026-12-01 10:00:00')", "recipient 3", "inserted"),
]


@pytest.mark.parametrize(("statement", "record", "problem"), TAMPERING, ids=[t[0][:60] for t in TAMPERING])
def test_tampering_with_a_sealed_table_is_named(store, statement, record, problem):
    _, tamper = store
    if record is None:  # a second score for a recipient breaks the unique constraint: insert one for a new recipient
        statement = statement.replace("VALUES (1, 2,", "VALUES (1, 3,")
        check = tamper("INSERT INTO recipients (key_ref, name, created_at) VALUES ('" + "2" * 32 + "', 'Third', '2026-12-01 10:00:00')", statement)
        assert not check.ok and check.record in {"finding 1", "recipient 3"}
        return
    check = tamper(statement)
    assert (check.ok, check.record, check.problem) == (False, record, problem), check.reason
    assert record in check.reason


def test_a_whole_record_deleted_or_inserted_is_named(store):
    _, tamper = store
    check = tamper("DELETE FROM case_events", "DELETE FROM remediation_actions", "DELETE FROM case_responsibles", "DELETE FROM cases")
    assert (check.record, check.problem) == ("case 1", "removed")
    assert "audit entry" in check.reason
    check = tamper(
        "INSERT INTO findings (leak_sha256, leak_path, leak_width, leak_height, hypotheses, epsilon, n_tests, accused, actor, software_version,"
        " elapsed_s, created_at) VALUES ('" + "d" * 64 + "', 'x.png', 10, 10, 0, 1e-6, 0, '[\"Apex\"]', 'mallory', 'x', 0, '2026-12-01 10:00:00')"
    )
    assert not check.ok  # the case is still missing; the inserted finding is named once it is put back


def test_an_inserted_finding_is_named(store):
    _, tamper = store
    check = tamper(
        "INSERT INTO findings (leak_sha256, leak_path, leak_width, leak_height, hypotheses, epsilon, n_tests, accused, actor, software_version,"
        " elapsed_s, created_at) VALUES ('" + "d" * 64 + "', 'x.png', 10, 10, 0, 1e-6, 0, '[\"Apex\"]', 'mallory', 'x', 0, '2026-12-01 10:00:00')"
    )
    assert (check.record, check.problem) == ("finding 2", "inserted")


def test_swapping_two_records_numbers_is_named(store):
    Sessions, tamper = store
    with transaction(Sessions) as s:  # a second recipient-like record to swap with
        f = _finding(1, [(1, "Apex", 0.1, False), (2, "Borealis", 0.2, False)])
        s.add(f)
        s.flush()
        audit.append(s, actor="ana", action="trace", subject=("finding", f.id))
    assert tamper().ok
    check = tamper(  # finding 1's accusing score and finding 2's innocent one trade places
        "UPDATE finding_scores SET score = CASE finding_id WHEN 1 THEN 0.1 ELSE 9.5 END, accused = (finding_id = 2) WHERE recipient_id = 1"
    )
    assert (check.ok, check.record, check.problem) == (False, "finding 1", "edited")


def test_a_change_through_leaktrace_never_reseals_a_forged_record(store):
    Sessions, tamper = store
    assert not tamper("UPDATE cases SET penalty_minor = 100000000, penalty_currency = 'CNY'").ok
    with pytest.raises(EvidenceTampered, match="case 1 was changed after audit entry 6 sealed it"):
        with transaction(Sessions) as s:
            case = s.get(Case, 1)
            case.status = "notified"
            s.add(CaseEvent(case_id=1, at=datetime.now(UTC), actor="ana", kind="change", field="status", new_value="notified"))
            audit.append(s, actor="ana", action="case.update", subject=("case", 1))
    with Sessions() as s:
        assert s.get(Case, 1).status == "open"  # nothing was written
        assert audit.verify(s).record == "case 1"


def test_a_removed_records_number_is_not_reused_quietly(store):
    Sessions, tamper = store
    check = tamper("DELETE FROM case_events", "DELETE FROM remediation_actions", "DELETE FROM case_responsibles", "DELETE FROM cases")
    assert check.problem == "removed"
    with pytest.raises(EvidenceTampered, match="case 1 was removed from the database"):
        with transaction(Sessions) as s:
            now = datetime.now(UTC)
            case = Case(id=1, finding_id=1, status="open", opened_by="ana", created_at=now, updated_at=now)  # SQLite reuses the highest number
            s.add(case)
            s.flush()
            audit.append(s, actor="ana", action="case.open", subject=("case", case.id))


def test_a_legitimate_change_reseals_and_a_deletion_is_sealed_as_such(store):
    Sessions, tamper = store
    with transaction(Sessions) as s:
        s.get(Recipient, 2).email = "b@example.org"
        audit.append(s, actor="ana", action="recipient.update", subject=("recipient", 2))
    assert tamper().ok
    with transaction(Sessions) as s:
        s.add(Recipient(name="Temporary"))
        s.flush()
        audit.append(s, actor="ana", action="recipient.add", subject=("recipient", 3))
    with transaction(Sessions) as s:
        s.delete(s.get(Recipient, 3))
        s.flush()
        entry = audit.append(s, actor="ana", action="recipient.remove", subject=("recipient", 3))
    assert '"sha256":null' in entry.details
    assert tamper().ok


def test_the_canonical_form_names_every_column_and_child(store):
    Sessions, _ = store
    with Sessions() as s:
        form = seals.record_of(s, "finding", 1)
        assert '"found_at":"2026-11-30T08:15:00+00:00"' in form
        assert form.count('"recipient_name"') == 2 and '"source_url"' not in form  # NULL columns are left out
        assert seals.digest(s, "finding", 99) is None


def test_several_changes_and_entries_in_one_transaction_each_seal_what_is_stored(store):
    Sessions, tamper = store
    with transaction(Sessions) as s:
        share = s.get(Share, 1)
        entries = []
        for copy in share.copies:  # a delivery: one change, one entry, then the next
            copy.delivered_at = datetime.now(UTC)
            entries.append(audit.append(s, actor="ana", action="copy.deliver", subject=("share", 1), details={"recipient_id": copy.recipient_id}))
        entries.append(audit.append(s, actor="ana", action="copy.discard", subject=("share", 1)))
    seals_of = [json.loads(e.details)["seal"] for e in entries]
    assert seals_of[0]["sha256"] != seals_of[1]["sha256"] == seals_of[2]["sha256"]  # each seals what is stored, not a remembered state
    assert len({x["fixed"] for x in seals_of}) == 1  # delivery changes nothing that is fixed
    assert tamper().ok


def test_a_forged_record_resealed_by_an_appended_entry_is_named(store):
    """Someone who can write the database changes what never changes (a finding's score, a share's
    sender) and appends a correctly chained entry that seals the forgery."""
    Sessions, tamper = store
    with engine_of(Sessions).begin() as connection:
        connection.execute(text("UPDATE finding_scores SET score = 12.5, accused = true WHERE recipient_id = 2"))
    with Sessions(info={}) as s:  # the attacker's own code: an entry appended with the package's functions
        with pytest.raises(EvidenceTampered, match="sealed already"):
            audit.append(s, actor="ana", action="seal", subject=("finding", 1))
        with pytest.raises(EvidenceTampered, match="finding 1 was changed after audit entry"):  # nor re-sealed by any other entry
            audit.append(s, actor="ana", action="report", subject=("finding", 1), details={})
        s.rollback()
    forge_entry(engine_of(Sessions), "finding", 1)
    check = tamper()
    assert (check.ok, check.record, check.problem) == (False, "finding 1", "edited")
    assert "never changes" in check.reason


def test_an_entry_about_a_forged_record_is_refused_not_resealed(store):
    Sessions, tamper = store
    tamper("UPDATE shares SET note = 'sent by courier, signed receipt'")
    with pytest.raises(EvidenceTampered, match="share 1 was changed after audit entry"):
        with transaction(Sessions) as s:  # e.g. an admin re-making a copy: the share itself is not changed
            audit.append(s, actor="admin", action="copy.regenerate", subject=("share", 1), details={"reason": "routine"})
    assert tamper().record == "share 1"


def test_who_may_do_what_is_sealed_too(store):
    """A role raised or an API token slipped in by hand is named; a token's last use is bookkeeping."""
    from leaktrace.store.models import Token, User

    Sessions, tamper = store
    with transaction(Sessions) as s:
        user = User(name="otto", role="auditor", password_hash="$argon2id$x", disabled=False)
        s.add(user)
        s.flush()
        audit.append(s, actor="admin", action="user.add", subject=("user", user.id))
        token = Token(user_id=user.id, token_hash="a" * 64, name="ci")
        s.add(token)
        s.flush()
        audit.append(s, actor="admin", action="token.create", subject=("token", token.id))
    assert tamper("UPDATE tokens SET last_used_at = '2026-12-01 10:00:00'").ok
    check = tamper("UPDATE users SET role = 'admin'")
    assert (check.record, check.problem) == ("user 1", "edited")
    tamper("UPDATE users SET role = 'auditor'")
    check = tamper(
        "INSERT INTO tokens (user_id, token_hash, name, created_at, revoked) VALUES (1, '" + "b" * 64 + "', '', '2026-12-01 10:00:00', false)"
    )
    assert (check.record, check.problem) == ("token 2", "inserted")
