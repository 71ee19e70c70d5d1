"""scans: a batch of images screened against every asset (``leaktrace scan``) and its items, one per
file keyed by SHA-256, each pending, matched (with its finding), unmatched or failed (with its reason).
Findings are unchanged: a scan item points to its finding, so no seal changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
    )
    op.create_table(
        "scan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("earlier", sa.Boolean(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name=op.f("fk_scan_items_finding_id_findings")),
        sa.ForeignKeyConstraint(["scan_id"], ["scans.id"], name=op.f("fk_scan_items_scan_id_scans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_items")),
        sa.UniqueConstraint("scan_id", "sha256", name=op.f("uq_scan_items_scan_id_sha256")),
    )
    op.create_index(op.f("ix_scan_items_finding_id"), "scan_items", ["finding_id"], unique=False)
    op.create_index(op.f("ix_scan_items_scan_id"), "scan_items", ["scan_id"], unique=False)
    op.create_index(op.f("ix_scan_items_sha256"), "scan_items", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scan_items_sha256"), table_name="scan_items")
    op.drop_index(op.f("ix_scan_items_scan_id"), table_name="scan_items")
    op.drop_index(op.f("ix_scan_items_finding_id"), table_name="scan_items")
    op.drop_table("scan_items")
    op.drop_table("scans")
