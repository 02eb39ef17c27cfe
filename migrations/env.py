"""Alembic environment of the content database.

Run in code by :func:`analytics.content.db.upgrade`, which passes its open connection (inside
one transaction, under an advisory lock on PostgreSQL) in ``config.attributes["connection"]``;
from the ``alembic`` command, the URL is ``sqlalchemy.url`` if set, else the library's default
(``CLUSTER_LIBRARY_URL`` or ``data/library.sqlite``).
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from analytics.serving.library import default_url
        url = default_url()
    return url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
