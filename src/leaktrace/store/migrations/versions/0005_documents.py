"""tender documents: an asset is an image, a document (a PDF) or one page of a document.

A document's row holds the PDF (its file, page count); each page is its own asset row, with the
page rendered at the reference resolution as its original (searched, registered and tested like
an image) and its own carriers and key. NULL kind: an image registered before this revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("kind", sa.String(16)),
    ("document_id", sa.Integer()),
    ("page", sa.Integer()),
    ("pages", sa.Integer()),
    ("dpi", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_index("ix_assets_document_id", ["document_id"])


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_index("ix_assets_document_id")
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
