"""Content: the saved definitions (if missing), users, organisations, revisions, documents, audit log.

The ``definitions`` table predates Alembic (``analytics.serving.library`` creates it itself), so
it is created here only when missing: existing databases keep their saved definitions.

Revision ID: 0001_content
Revises:
Create Date: 2026-05-10
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_content"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "definitions" not in existing:
        op.create_table(
            "definitions",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("dataset", sa.String(8), nullable=False),
            sa.Column("name", sa.String(60), nullable=False),  # MAX_NAME
            sa.Column("spec", sa.Text, nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.Column("updated_at", TS, nullable=False),
            sa.UniqueConstraint("kind", "dataset", "name", name="uq_definition_name"),
        )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("confirmed_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("dataset", sa.String(8), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("city", sa.String(200)),
        sa.Column("region_id", sa.String(32)),
        sa.Column("region_name", sa.String(200)),
        sa.Column("locate_status", sa.String(64)),
        sa.Column("locate_method", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("ecosystem", sa.String(64)),
        sa.Column("ecosystem_name", sa.String(200)),
        sa.Column("categories", sa.Text),
        sa.Column("type", sa.String(100)),
        sa.Column("website", sa.String(500)),
        sa.Column("description", sa.Text),
        sa.Column("source", sa.String(300)),
        sa.Column("source_updated", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner_user_id", sa.Integer, sa.ForeignKey("users.id", name="fk_organisations_owner")),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("edited_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("key", name="uq_organisations_key"),
    )
    op.create_index("ix_organisations_status", "organisations", ["status"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id", name="fk_revisions_org")),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("base_version", sa.Integer),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", name="fk_revisions_author"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id", name="fk_revisions_reviewer")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("reviewed_at", TS),
    )
    op.create_index("ix_revisions_status", "revisions", ["status"])
    op.create_index("ix_revisions_author", "revisions", ["author_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("abstract", sa.Text),
        sa.Column("regions", sa.Text),
        sa.Column("categories", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploader_id", sa.Integer, sa.ForeignKey("users.id", name="fk_documents_uploader"),
                  nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id", name="fk_documents_reviewer")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("reviewed_at", TS),
        sa.UniqueConstraint("stored_name", name="uq_documents_stored_name"),
    )
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("actor", sa.String(254)),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(100)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
    )
    op.create_index("ix_audit_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    for name in ("audit_log", "documents", "revisions", "organisations", "users"):
        op.drop_table(name)
    # ``definitions`` stays: it belongs to the saved-definitions library
