"""The content database: the saved-definitions library's engine, upgraded by Alembic on first use.

:func:`engine` returns the engine of :func:`analytics.serving.library.get_library` (one connection
pool per URL and process, SQLite in WAL mode by default) after making sure the schema is at the
latest migration (``alembic upgrade head``, once per URL and process; also
``python -m analytics db upgrade``). Several processes starting at once on a new database are
safe: on PostgreSQL the upgrade holds an advisory lock; on SQLite a loser of the race sees
"already exists" and checks again.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from analytics.config import PROJECT_ROOT
from analytics.serving.library import default_url, get_library

MIGRATIONS = PROJECT_ROOT / "migrations"
_PG_LOCK = 727_431_001  # advisory lock id of the schema upgrade
_UPGRADED: set[str] = set()
_LOCK = threading.RLock()  # Alembic's context is process-global: one upgrade at a time in a process


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, built in code (``alembic.ini`` at the root says the same for the
    ``alembic`` command)."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini")) if (PROJECT_ROOT / "alembic.ini").exists() else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or default_url()).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(eng: Engine) -> str | None:
    with eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str | None = None, attempts: int = 5) -> str:
    """Bring the database at ``url`` to the latest migration; returns the revision it is at."""
    url = url or default_url()
    eng = get_library(url).engine
    with _LOCK:
        _upgrade(eng, url, attempts)
    _UPGRADED.add(url)
    return current_revision(eng)


def _upgrade(eng: Engine, url: str, attempts: int) -> None:
    for attempt in range(attempts):
        try:
            with eng.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            break
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def engine(url: str | None = None) -> Engine:
    """The engine of the content database at ``url`` (default: the library's), schema upgraded."""
    url = url or default_url()
    if url not in _UPGRADED:
        with _LOCK:
            if url not in _UPGRADED:
                upgrade(url)
    return get_library(url).engine


def data_dir() -> Path:
    """The ignored ``data/`` folder beside the code (the secret key, uploads by default)."""
    return PROJECT_ROOT / "data"
