"""A library of saved custom categories and regions, in a real database via SQLAlchemy.

SQLite (``data/library.sqlite``) is the embedded default; any SQLAlchemy URL (e.g.
``postgresql+psycopg://user@host/db``) can be given in ``CLUSTER_LIBRARY_URL``. Every write is
one transaction; a unique constraint on (kind, dataset, name) means two concurrent saves of
the same name cannot both win, and a failed write leaves what was saved untouched.

Ownership: saving returns a random owner token (``Definition.token``, 192 bits) that only the
saver's browser keeps; the database holds its SHA-256. Renaming or deleting needs that token
(or ``admin=True``, the CLI's ``library`` command). Definitions saved before owners were
recorded have no token and can be changed only by an administrator.

:func:`save_definition` is the server's entry point: it checks the definition with the engine's
validator (the CLI's, ``views.parse_category`` / ``parse_region``) before anything is stored.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field, replace
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
    inspect,
    select,
    text,
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
    Column("owner_hash", String(64)),  # sha256 of the owner token; NULL = saved before owners existed
    UniqueConstraint("kind", "dataset", "name", name="uq_definition_name"),
)


class LibraryError(ValidationError):
    """A library operation that cannot be done (duplicate name, unknown id …)."""


class NotOwner(LibraryError):
    """A rename or delete without the definition's owner token."""


UNWRITABLE = "The library cannot be written just now; nothing was changed. Try again in a minute."


@dataclass(frozen=True)
class Definition:
    id: int
    kind: str
    dataset: str
    name: str
    spec: str
    created_at: datetime
    updated_at: datetime
    owner_hash: str | None = None
    token: str | None = field(default=None, compare=False, repr=False)  # only on what save() returns

    def owned_by(self, token) -> bool:
        return bool(self.owner_hash) and isinstance(token, str) and hmac.compare_digest(
            self.owner_hash, token_hash(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
        """Save a new definition; a name already used for this kind and dataset is refused. The
        returned Definition carries the owner token (shown once, never stored in clear)."""
        kind, name = _check(kind, name, spec)
        now = datetime.now(UTC)
        token = secrets.token_urlsafe(24)
        try:
            with self.engine.begin() as conn:
                res = conn.execute(insert(definitions).values(kind=kind, dataset=dataset, name=name, spec=spec,
                                                              created_at=now, updated_at=now,
                                                              owner_hash=token_hash(token)))
                new_id = res.inserted_primary_key[0]
        except IntegrityError:
            raise LibraryError(f"A {kind} named '{name}' is already saved; choose another name or rename it.") from None
        except OperationalError:
            raise LibraryError(UNWRITABLE) from None
        return replace(self.get(new_id), token=token)

    def _owned(self, def_id: int, token, admin: bool) -> Definition:
        current = self.get(def_id)
        if not admin and not current.owned_by(token):
            if not current.owner_hash:
                raise NotOwner(f"“{current.name}” was saved before definitions had owners; only an administrator "
                               "can change it (python -m analytics library).")
            raise NotOwner(f"Only the browser that saved “{current.name}” can rename or delete it; save a copy "
                           "under another name instead.")
        return current

    def rename(self, def_id: int, new_name: str, token: str | None = None, *, admin: bool = False) -> Definition:
        current = self._owned(def_id, token, admin)
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
        except OperationalError:
            raise LibraryError(UNWRITABLE) from None
        return self.get(def_id)

    def delete(self, def_id: int, token: str | None = None, *, admin: bool = False) -> None:
        self._owned(def_id, token, admin)
        try:
            with self.engine.begin() as conn:
                res = conn.execute(delete(definitions).where(definitions.c.id == def_id))
        except OperationalError:
            raise LibraryError(UNWRITABLE) from None
        if res.rowcount != 1:
            raise LibraryError(f"No saved definition with id {def_id}.")


def _create_tables(engine, attempts: int = 5) -> None:
    """Create the table if it is missing. Several processes (e.g. web workers) may start at once
    on a new database: the losers of that race see "already exists" and simply check again."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            _add_owner_column(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise


def _add_owner_column(engine) -> None:
    """A library from before owner tokens gets the (nullable) column; its rows keep no owner.
    (Alembic's 0002 migration does the same for the content database.)"""
    if "owner_hash" in {c["name"] for c in inspect(engine).get_columns("definitions")}:
        return
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE definitions ADD COLUMN owner_hash VARCHAR(64)"))
    except (OperationalError, ProgrammingError):  # another process added it first
        if "owner_hash" not in {c["name"] for c in inspect(engine).get_columns("definitions")}:
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


def save_definition(kind: str, dataset: str, spec, lib: Library | None = None) -> Definition:
    """Check a definition the way the CLI does (known dataset, the engine's parser: members that
    exist, one level, the length limits), then save it under the name inside the spec. Raises
    ``ValidationError`` (or ``LibraryError``) with the message to show; nothing is stored then."""
    from analytics.serving import views
    from analytics.serving.store import DATASETS

    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise LibraryError(f"Unknown dataset {str(dataset)[:20]!r}: use {' or '.join(DATASETS)}.")
    if not isinstance(spec, str) or not spec:
        raise LibraryError("Nothing to save: the definition is empty.")
    if kind == "category":
        parsed = views.parse_category(dataset, spec)
    elif kind == "region":
        parsed = views.parse_region(dataset, spec)
    else:
        raise LibraryError(f"Unknown kind {str(kind)[:20]!r}: use category or region.")
    return (lib or get_library()).save(kind, dataset, parsed.name, parsed.spec())
