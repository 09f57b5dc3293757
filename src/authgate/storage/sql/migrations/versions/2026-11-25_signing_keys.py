"""signing keys: asymmetric JWT keys, private halves encrypted at rest

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from authgate.storage.sql.tables import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(120), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("activates_at", UtcDateTime(), nullable=False),
        sa.Column("retired_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_key"),
        sa.UniqueConstraint("slot", name="uq_signing_key_slot"),
    )


def downgrade() -> None:
    op.drop_table("signing_key")
