"""recipient portal: invitations that make a user of role ``recipient`` linked to one recipient
(``users.recipient_id``), portal shares (``shares.delivery``, ``terms``, ``expires_at``), a copy's
revocation (``copies.revoked_at``), the acceptance of a share's terms and the receipts of downloads.
Every new column is NULL on the rows before it, so the seals of those records stay valid.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("recipient_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_users_recipient_id"), "users", ["recipient_id"], unique=False)
    with op.batch_alter_table("shares") as batch:
        batch.add_column(sa.Column("delivery", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("terms", sa.Text(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("copies") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["recipients.id"], name=op.f("fk_invitations_recipient_id_recipients")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_recipient_id"), "invitations", ["recipient_id"], unique=False)
    op.create_table(
        "acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("terms_sha256", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["recipients.id"], name=op.f("fk_acceptances_recipient_id_recipients")),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"], name=op.f("fk_acceptances_share_id_shares")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_acceptances_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptances")),
        sa.UniqueConstraint("share_id", "recipient_id", name=op.f("uq_acceptances_share_id_recipient_id")),
    )
    op.create_index(op.f("ix_acceptances_recipient_id"), "acceptances", ["recipient_id"], unique=False)
    op.create_index(op.f("ix_acceptances_share_id"), "acceptances", ["share_id"], unique=False)
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("matches", sa.Boolean(), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["copy_id"], ["copies.id"], name=op.f("fk_receipts_copy_id_copies")),
        sa.ForeignKeyConstraint(["recipient_id"], ["recipients.id"], name=op.f("fk_receipts_recipient_id_recipients")),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"], name=op.f("fk_receipts_share_id_shares")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_receipts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
    )
    op.create_index(op.f("ix_receipts_recipient_id"), "receipts", ["recipient_id"], unique=False)
    op.create_index(op.f("ix_receipts_sha256"), "receipts", ["sha256"], unique=False)
    op.create_index(op.f("ix_receipts_share_id"), "receipts", ["share_id"], unique=False)


def downgrade() -> None:
    for table, columns in (
        ("receipts", ("share_id", "sha256", "recipient_id")),
        ("acceptances", ("share_id", "recipient_id")),
        ("invitations", ("recipient_id",)),
    ):
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("copies") as batch:
        batch.drop_column("revoked_at")
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("terms")
        batch.drop_column("delivery")
    op.drop_index(op.f("ix_users_recipient_id"), table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("recipient_id")
