"""The content tables (SQLAlchemy Core). The schema itself is created and changed by the Alembic
migrations in ``migrations/versions``; these definitions are what the code reads and writes and
must match the latest migration (``tests/test_content_db.py`` checks that they do).

JSON payloads (a revision's proposed fields, the audit log's before/after) are stored as text
(``json.dumps``) so the schema is the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

ROLES = ("editor", "moderator", "admin")  # "visitor" is anyone not logged in; it is never stored
ORG_STATUSES = ("published", "hidden")
REVISION_KINDS = ("create", "edit", "claim")
REVISION_STATUSES = ("pending", "approved", "rejected")
DOCUMENT_STATUSES = ("pending", "approved", "rejected")

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False, default="editor"),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The seed's columns, in its order (``id`` of the seed is ``key`` here).
SEED_FIELDS = ("dataset", "name", "country", "city", "region_id", "region_name", "locate_status", "locate_method",
               "lat", "lon", "ecosystem", "ecosystem_name", "categories", "type", "website", "description",
               "source", "source_updated")

organisations = Table(
    "organisations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(100), nullable=False, unique=True),
    Column("dataset", String(8), nullable=False),
    Column("name", String(300), nullable=False),
    Column("country", String(8)),
    Column("city", String(200)),
    Column("region_id", String(32)),
    Column("region_name", String(200)),
    Column("locate_status", String(64)),
    Column("locate_method", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("ecosystem", String(64)),
    Column("ecosystem_name", String(200)),
    Column("categories", Text),
    Column("type", String(100)),
    Column("website", String(500)),
    Column("description", Text),
    Column("source", String(300)),
    Column("source_updated", String(32)),
    Column("status", String(16), nullable=False, default="published"),
    Column("owner_user_id", Integer, ForeignKey("users.id")),
    Column("version", Integer, nullable=False, default=1),
    # set when a moderated change was applied: a seed re-import then leaves the profile alone
    Column("edited_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

revisions = Table(
    "revisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # create | edit | claim
    Column("org_id", Integer, ForeignKey("organisations.id")),  # null for a new profile until approved
    Column("fields", Text, nullable=False),  # proposed fields (JSON); a claim's {"message": …}
    Column("base_version", Integer),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("reason", Text),
    Column("reviewer_id", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("abstract", Text),
    Column("regions", Text),  # ';'-joined region ids
    Column("categories", Text),  # ';'-joined category ids
    Column("year", Integer),
    Column("filename", String(255), nullable=False),  # the safe download name (never a path)
    Column("stored_name", String(64), nullable=False, unique=True),  # random name under the upload dir
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploader_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("reason", Text),
    Column("reviewer_id", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", Integer),  # null: the command line or the system (no FK: the log outlives users)
    Column("actor", String(254)),  # the user's email at the time, or "cli" / "system"
    Column("entity", String(32), nullable=False),  # user | organisation | revision | document | content
    Column("entity_id", String(100)),  # organisations by key (stable across export/import)
    Column("action", String(32), nullable=False),
    Column("before", Text),  # JSON or null
    Column("after", Text),  # JSON or null
)

CONTENT_TABLES = (users, organisations, revisions, documents, audit_log)
