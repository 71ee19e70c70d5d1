"""0003: a store made before seals keeps its cases (responsible, penalty) and comes out sealed as found (SQLite, and PostgreSQL
under ``LEAKTRACE_TEST_STORE=postgresql``: the rows below are written in SQL both accept)."""

from __future__ import annotations

from sqlalchemy import text

from leaktrace.store import audit
from leaktrace.store.db import downgrade, make_engine, session_factory, upgrade

ROWS = [
    "INSERT INTO recipients (id, key_ref, name, created_at) VALUES (1, '" + "1" * 32 + "', 'Apex', '2026-11-01 09:00:00')",
    "INSERT INTO assets (id, key_ref, sha256, title, filename, format, width, height, grid_y, grid_x, strength, created_at)"
    " VALUES (1, '" + "2" * 32 + "', '" + "a" * 64 + "', 'Bumper', 'b.png', 'PNG', 64, 48, 8, 8, 1.5, '2026-11-01 09:00:00')",
    "INSERT INTO shares (id, asset_id, note, created_by, created_at) VALUES (1, 1, '', 'ana', '2026-11-02 09:00:00')",
    "INSERT INTO copies (id, share_id, recipient_id, sha256, filename, psnr, ssim, created_at)"
    " VALUES (1, 1, 1, '" + "b" * 64 + "', 'c.png', 48.0, 0.999, '2026-11-02 09:00:00')",
    "INSERT INTO findings (id, leak_sha256, leak_path, leak_width, leak_height, asset_id, hypotheses, epsilon, n_tests, accused, actor,"
    " software_version, elapsed_s, created_at) VALUES (1, '"
    + "c" * 64
    + "', 'l.jpg', 10, 10, 1, 1, 1e-6, 1, '[\"Apex\"]', 'ana', '0.1', 1, '2026-11-03 09:00:00')",
    "INSERT INTO finding_scores (finding_id, recipient_id, recipient_name, rank, score, p_value, accused) VALUES (1, 1, 'Apex', 0, 9.5, 1e-20, true)",
    "INSERT INTO cases (id, finding_id, status, responsible_id, penalty_amount, penalty_currency, opened_by, created_at, updated_at)"
    " VALUES (1, 1, 'open', 1, '250000.00', 'EUR', 'ana', '2026-11-04 09:00:00', '2026-11-04 09:00:00')",
    "INSERT INTO cases (id, finding_id, status, penalty_amount, penalty_currency, opened_by, created_at, updated_at)"
    " VALUES (2, 1, 'closed', '1500000', 'JPY', 'ana', '2026-11-04 09:00:00', '2026-11-04 09:00:00')",
]


def test_an_older_store_is_carried_over_and_sealed_as_found(store_url):
    url = store_url("old.db")
    upgrade(url, revision="0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT case_id, recipient_id FROM case_responsibles")).all() == [(1, 1)]
        assert connection.execute(text("SELECT id, penalty_minor, penalty_currency FROM cases ORDER BY id")).all() == [
            (1, 25_000_000, "EUR"),
            (2, 1_500_000, "JPY"),
        ]
        assert connection.execute(text("SELECT delivered_at IS NOT NULL FROM copies")).scalar() == 1
        sealed = connection.execute(text("SELECT subject_type, subject_id, actor FROM audit_entries WHERE action = 'seal' ORDER BY id")).all()
    assert {(t, i) for t, i, _ in sealed} == {("recipient", "1"), ("asset", "1"), ("share", "1"), ("finding", "1"), ("case", "1"), ("case", "2")}
    assert {a for _, _, a in sealed} == {"leaktrace upgrade 0003"}
    Sessions = session_factory(engine)
    with Sessions() as session:
        check = audit.verify(session)
    assert check.ok and check.records == 6
    with engine.begin() as connection:
        connection.execute(text("UPDATE finding_scores SET score = 12.5"))
    with Sessions() as session:
        assert audit.verify(session).record == "finding 1"
    engine.dispose()


def test_a_downgrade_keeps_penalties_and_the_first_responsible(store_url):
    url = store_url("old.db")
    upgrade(url, revision="0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    upgrade(url)
    downgrade(url, revision="0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, responsible_id, penalty_amount FROM cases ORDER BY id")).all() == [
            (1, 1, "250000.00"),
            (2, None, "1500000"),
        ]
    engine.dispose()
