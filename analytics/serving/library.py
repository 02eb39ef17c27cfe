"""A library of saved custom categories and regions, in a real database via SQLAlchemy.

SQLite (``data/library.sqlite``) is the embedded default; any SQLAlchemy URL (e.g.
``postgresql+psycopg://user@host/db``) can be given in ``CLUSTER_LIBRARY_URL``. Every write is
one transaction; a unique constraint on (kind, dataset, name) means two concurrent saves of
the same name cannot both win, and a failed write leaves what was saved untouched.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from analytics.config import PROJECT_ROOT
from analytics.serving.custom import MAX_NAME, MAX_SPEC, ValidationError, check_name

URL_ENV = "CLUSTER_LIBRARY_URL"
KINDS = ("category", "region")

metadata = MetaData()
definitions = Table(
    "definitions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("dataset", String(8), nullable=False),
    Column("name", String(MAX_NAME), nullable=False),
    Column("spec", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "dataset", "name", name="uq_definition_name"),
)


class LibraryError(ValidationError):
    """A library operation that cannot be done (duplicate name, unknown id …)."""


@dataclass(frozen=True)
class Definition:
    id: int
    kind: str
    dataset: str
    name: str
    spec: str
    created_at: datetime
    updated_at: datetime


def default_url() -> str:
    return os.environ.get(URL_ENV) or f"sqlite:///{PROJECT_ROOT / 'data' / 'library.sqlite'}"


class Library:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        kwargs = {"connect_args": {"timeout": 30}} if self.url.startswith("sqlite") else {"pool_pre_ping": True}
        self.engine = create_engine(self.url, **kwargs)
        if self.url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _sqlite_pragmas(conn, _record):  # WAL: readers never block the writer
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        _create_tables(self.engine)

    # -- queries ------------------------------------------------------------------------
    def list(self, kind: str | None = None, dataset: str | None = None) -> list[Definition]:
        q = select(definitions).order_by(definitions.c.kind, definitions.c.name)
        if kind:
            q = q.where(definitions.c.kind == kind)
        if dataset:
            q = q.where(definitions.c.dataset == dataset)
        with self.engine.connect() as conn:
            return [Definition(**row._mapping) for row in conn.execute(q)]

    def get(self, def_id: int) -> Definition:
        with self.engine.connect() as conn:
            row = conn.execute(select(definitions).where(definitions.c.id == def_id)).first()
        if row is None:
            raise LibraryError(f"No saved definition with id {def_id}.")
        return Definition(**row._mapping)

    # -- writes (each one transaction) --------------------------------------------------
    def save(self, kind: str, dataset: str, name: str, spec: str) -> Definition:
        """Save a new definition; a name already used for this kind and dataset is refused."""
        kind, name = _check(kind, name, spec)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                res = conn.execute(insert(definitions).values(kind=kind, dataset=dataset, name=name, spec=spec,
                                                              created_at=now, updated_at=now))
                new_id = res.inserted_primary_key[0]
        except IntegrityError:
            raise LibraryError(f"A {kind} named '{name}' is already saved; choose another name or rename it.") from None
        except OperationalError as exc:
            raise LibraryError(f"The library could not be written ({exc.orig}); nothing was changed.") from None
        return self.get(new_id)

    def rename(self, def_id: int, new_name: str) -> Definition:
        current = self.get(def_id)
        new_name = check_name(new_name)
        _, _, body = current.spec.partition("=")
        new_spec = f"{new_name}={body}"
        _check(current.kind, new_name, new_spec)  # the renamed spec must still fit (≤ MAX_SPEC)
        try:
            with self.engine.begin() as conn:
                res = conn.execute(update(definitions).where(definitions.c.id == def_id).values(
                    name=new_name, spec=new_spec, updated_at=datetime.now(UTC)))
                if res.rowcount != 1:
                    raise LibraryError(f"No saved definition with id {def_id}.")
        except IntegrityError:
            raise LibraryError(f"A {current.kind} named '{new_name}' is already saved; choose another name.") from None
        except OperationalError as exc:
            raise LibraryError(f"The library could not be written ({exc.orig}); nothing was changed.") from None
        return self.get(def_id)

    def delete(self, def_id: int) -> None:
        with self.engine.begin() as conn:
            res = conn.execute(delete(definitions).where(definitions.c.id == def_id))
        if res.rowcount != 1:
            raise LibraryError(f"No saved definition with id {def_id}.")


def _create_tables(engine, attempts: int = 5) -> None:
    """Create the table if it is missing. Several processes (e.g. web workers) may start at once
    on a new database: the losers of that race see "already exists" and simply check again."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise


def _check(kind: str, name: str, spec: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise LibraryError(f"Unknown kind {kind!r}: use category or region.")
    name = check_name(name)
    if not spec or len(spec) > MAX_SPEC:
        raise LibraryError(f"The definition must be 1–{MAX_SPEC} characters long (it would be {len(spec or '')}).")
    if spec.partition("=")[0].strip() != name:
        raise LibraryError("The definition's name and the saved name differ.")
    return kind, name


_LIBRARIES: dict[str, Library] = {}


def get_library(url: str | None = None) -> Library:
    """The library at ``url`` (default: ``CLUSTER_LIBRARY_URL`` or the embedded SQLite file),
    one connection pool per URL in a process."""
    url = url or default_url()
    if url not in _LIBRARIES:
        _LIBRARIES[url] = Library(url)
    return _LIBRARIES[url]


def saved_specs(kind: str, dataset: str) -> list[str]:
    """Specs of the saved definitions of a kind and dataset, by name; [] when the library cannot be
    read (the pages then simply offer no saved definitions)."""
    try:
        return [d.spec for d in get_library().list(kind=kind, dataset=dataset)]
    except Exception:  # noqa: BLE001 - an unreachable database must not break a page
        return []
