"""Saved definitions get an owner: the SHA-256 of a random token that only the saver's browser keeps.

Existing rows keep ``owner_hash`` NULL (no owner: only an administrator can change them). The
library may already have added the column itself (``analytics.serving.library``), so it is added
only when missing.

Revision ID: 0002_definition_owner
Revises: 0001_content
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_definition_owner"
down_revision = "0001_content"
branch_labels = None
depends_on = None


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("definitions")}


def upgrade() -> None:
    if "owner_hash" not in _columns():
        with op.batch_alter_table("definitions") as batch:
            batch.add_column(sa.Column("owner_hash", sa.String(64)))


def downgrade() -> None:
    if "owner_hash" in _columns():
        with op.batch_alter_table("definitions") as batch:
            batch.drop_column("owner_hash")
