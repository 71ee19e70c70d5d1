"""evidence: the leak's chain of custody, copy sizes and delivery, several responsible recipients per
case, penalties in minor units, signed checkpoints of the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cases_before() -> sa.Table:
    """``cases`` as 0002 left it (plus ``penalty_minor``): what SQLite's batch copy needs when
    it writes SQL for later and cannot read the table (offline mode)."""
    return sa.Table(
        "cases",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id", name="fk_cases_finding_id_findings"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("responsible_id", sa.Integer(), sa.ForeignKey("recipients.id", name="fk_cases_responsible_id_recipients"), nullable=True),
        sa.Column("nda_ref", sa.String(length=200), nullable=True),
        sa.Column("penalty_amount", sa.String(length=32), nullable=True),
        sa.Column("penalty_currency", sa.String(length=3), nullable=True),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("penalty_minor", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.Index("ix_cases_finding_id", "finding_id"),
    )


def upgrade() -> None:
    """Upgrade schema (existing penalties and responsible recipients are carried over)."""
    from leaktrace import money
    from leaktrace.errors import BadInput

    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("source_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("found_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("captured_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("custody_note", sa.Text(), nullable=True))
    with op.batch_alter_table("copies") as batch:
        batch.add_column(sa.Column("size", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE copies SET delivered_at = created_at")  # copies made so far were written out at once
    op.create_table(
        "case_responsibles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_responsibles_case_id_cases")),
        sa.ForeignKeyConstraint(["recipient_id"], ["recipients.id"], name=op.f("fk_case_responsibles_recipient_id_recipients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_responsibles")),
        sa.UniqueConstraint("case_id", "recipient_id", name=op.f("uq_case_responsibles_case_id_recipient_id")),
    )
    op.create_index(op.f("ix_case_responsibles_case_id"), "case_responsibles", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_responsibles_recipient_id"), "case_responsibles", ["recipient_id"], unique=False)
    op.execute("INSERT INTO case_responsibles (case_id, recipient_id) SELECT id, responsible_id FROM cases WHERE responsible_id IS NOT NULL")
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("penalty_minor", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    offline = op.get_context().as_sql  # writing SQL for later: there are no rows to carry over now
    for case_id, amount, code in (
        [] if offline else bind.execute(sa.text("SELECT id, penalty_amount, penalty_currency FROM cases WHERE penalty_amount IS NOT NULL"))
    ):
        try:
            places = money.exponent(code or "")
            minor = int(Decimal(amount).scaleb(places))
        except (InvalidOperation, ValueError, BadInput):
            continue  # an amount that never parsed is dropped, not guessed; its case events keep the text
        bind.execute(
            sa.text("UPDATE cases SET penalty_minor = :m, penalty_currency = :c WHERE id = :i"), {"m": minor, "c": code.upper(), "i": case_id}
        )
    with op.batch_alter_table("cases", copy_from=_cases_before() if offline else None) as batch:
        batch.drop_constraint("fk_cases_responsible_id_recipients", type_="foreignkey")
        batch.drop_column("responsible_id")
        batch.drop_column("penalty_amount")
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
    )
    op.create_index(op.f("ix_audit_entries_subject_type_subject_id"), "audit_entries", ["subject_type", "subject_id"], unique=False)
    if not offline:
        from sqlalchemy.orm import Session

        from leaktrace.store import seals

        with Session(bind=bind, info={seals.MIGRATING: True}) as session:
            seals.backfill(session, actor="leaktrace upgrade 0003")
            session.flush()


def downgrade() -> None:
    """Downgrade schema (keeps the first responsible recipient of each case; penalties as exact decimals)."""
    from leaktrace import money

    op.drop_index(op.f("ix_audit_entries_subject_type_subject_id"), table_name="audit_entries")
    op.drop_table("checkpoints")
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("responsible_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("penalty_amount", sa.String(length=32), nullable=True))
        batch.create_foreign_key("fk_cases_responsible_id_recipients", "recipients", ["responsible_id"], ["id"])
    bind = op.get_bind()
    for case_id, minor, code in (
        []
        if op.get_context().as_sql
        else bind.execute(sa.text("SELECT id, penalty_minor, penalty_currency FROM cases WHERE penalty_minor IS NOT NULL"))
    ):
        bind.execute(sa.text("UPDATE cases SET penalty_amount = :a WHERE id = :i"), {"a": money.plain_amount(minor, code), "i": case_id})
    op.execute("UPDATE cases SET responsible_id = (SELECT MIN(recipient_id) FROM case_responsibles WHERE case_responsibles.case_id = cases.id)")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("penalty_minor")
    op.drop_index(op.f("ix_case_responsibles_recipient_id"), table_name="case_responsibles")
    op.drop_index(op.f("ix_case_responsibles_case_id"), table_name="case_responsibles")
    op.drop_table("case_responsibles")
    with op.batch_alter_table("copies") as batch:
        batch.drop_column("delivered_at")
        batch.drop_column("size")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("custody_note")
        batch.drop_column("captured_by")
        batch.drop_column("found_at")
        batch.drop_column("source_url")
