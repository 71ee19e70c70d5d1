"""recipient groups (``recipient_groups`` and their ``group_members``) and the archive of recipients
and assets (``archived_at``: kept for evidence, tested by every trace, hidden from the forms).
The new columns are NULL on the rows before them, so the seals of those records stay valid.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "recipient_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_recipient_groups_name")),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["recipient_groups.id"], name=op.f("fk_group_members_group_id_recipient_groups")),
        sa.ForeignKeyConstraint(["recipient_id"], ["recipients.id"], name=op.f("fk_group_members_recipient_id_recipients")),
        sa.PrimaryKeyConstraint("group_id", "recipient_id", name=op.f("pk_group_members")),
    )
    op.create_index(op.f("ix_group_members_recipient_id"), "group_members", ["recipient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_group_members_recipient_id"), table_name="group_members")
    op.drop_table("group_members")
    op.drop_table("recipient_groups")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("archived_at")
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("archived_at")
