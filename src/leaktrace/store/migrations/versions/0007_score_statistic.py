"""score statistic: each recipient's score in a finding names the statistic it came from (the
carrier that gave the evidence: grey levels, line positions, outlines, words, or two together;
NULL for every score before this revision, and for an asset tested on one statistic).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("finding_scores") as batch:
        batch.add_column(sa.Column("statistic", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding_scores") as batch:
        batch.drop_column("statistic")
