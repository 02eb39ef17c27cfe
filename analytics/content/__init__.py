"""User content: accounts and roles, moderated organisation profiles, the document library, the
audit log and content export/import. Dash-free and Flask-free (the web forms are in ``web/``).

Everything lives in the same database as the saved definitions (:mod:`analytics.serving.library`:
SQLite ``data/library.sqlite`` by default, any SQLAlchemy URL in ``CLUSTER_LIBRARY_URL``); the
schema is managed by Alembic (``migrations/``) and upgraded on first use. Every public function
takes an optional ``url`` (default: the library's URL). Every change is one transaction that also
writes its row of the audit log (:mod:`analytics.content.audit`).

Modules: :mod:`~analytics.content.db` (engine, migrations), :mod:`~analytics.content.models`
(tables), :mod:`~analytics.content.accounts`, :mod:`~analytics.content.organisations`,
:mod:`~analytics.content.documents`, :mod:`~analytics.content.audit`,
:mod:`~analytics.content.transfer` (export/import), :mod:`~analytics.content.mail`,
:mod:`~analytics.content.commands` (``python -m analytics users|organisations import|content|db``).
"""
from __future__ import annotations


class ContentError(ValueError):
    """A content operation that cannot be done; the message is meant for the user."""


class PermissionDenied(ContentError):
    """The actor's role does not allow the operation."""


class NotFound(ContentError, LookupError):
    """No such user, organisation, revision or document."""


class StaleVersion(ContentError):
    """The profile changed since the edit began (optimistic concurrency)."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version
