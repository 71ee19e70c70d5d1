"""geometric carrier: each asset's grid, amplitude and displacement bound (NULL: the asset has none,
which is what every asset registered before this revision is: its copies were never displaced).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("geometric_grid_y", sa.Integer()),
    ("geometric_grid_x", sa.Integer()),
    ("geometric_amplitude", sa.Float()),
    ("geometric_max_px", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
