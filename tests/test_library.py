"""The library of saved custom categories and regions (analytics/library.py).

What a user relies on: what is saved comes back exactly (names and specs, HTML included, which
the UI escapes), a name is never silently taken twice, a refused or failed write changes
nothing, and concurrent saves from several threads or worker processes neither lose nor
corrupt definitions.

Every test runs on SQLite in ``tmp_path`` and, when ``CLUSTER_TEST_PG_URL`` is set (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/cluster_test``), on PostgreSQL too, each test in
a schema of its own that is dropped afterwards.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analytics.serving.custom import MAX_SPEC, ValidationError
from analytics.serving.library import Library, LibraryError

PG_URL = os.environ.get("CLUSTER_TEST_PG_URL")
PG_SKIP = ("PostgreSQL not tested: set CLUSTER_TEST_PG_URL to a SQLAlchemy URL of a database the tests may "
           "create schemas in, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/cluster_test")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "library.sqlite")
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = "cluster_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def lib(url):
    library = Library(url)
    yield library
    library.engine.dispose()


def snapshot(library: Library) -> list[tuple]:
    return [(d.id, d.kind, d.dataset, d.name, d.spec, d.created_at, d.updated_at) for d in library.list()]


# --- the basic life of a definition ---------------------------------------------------------

def test_save_list_get_rename_delete(lib):
    assert lib.list() == []
    a = lib.save("region", "eu", "Øresund", "Øresund=DK01+DK02+SE22")
    b = lib.save("category", "eu", "Fashion", "Fashion=nace:13,14,15")
    c = lib.save("category", "us", "Cars", "Cars=naics:3361")
    assert (a.kind, a.dataset, a.name, a.spec) == ("region", "eu", "Øresund", "Øresund=DK01+DK02+SE22")
    assert len({a.id, b.id, c.id}) == 3
    # list is ordered by kind, then name; it filters by kind and dataset
    assert [d.name for d in lib.list()] == ["Cars", "Fashion", "Øresund"]
    assert [d.name for d in lib.list(kind="category")] == ["Cars", "Fashion"]
    assert [d.name for d in lib.list(kind="category", dataset="eu")] == ["Fashion"]
    assert [d.name for d in lib.list(dataset="us")] == ["Cars"]
    assert lib.get(b.id) == b
    # rename: the name and the name inside the spec change; the members do not
    r = lib.rename(b.id, "Textiles & clothing", b.token)
    assert (r.id, r.name, r.spec) == (b.id, "Textiles & clothing", "Textiles & clothing=nace:13,14,15")
    assert r.created_at == b.created_at and r.updated_at >= b.updated_at
    assert lib.get(b.id).name == "Textiles & clothing"
    lib.delete(a.id, a.token)
    assert [d.name for d in lib.list()] == ["Cars", "Textiles & clothing"]
    with pytest.raises(LibraryError, match=f"No saved definition with id {a.id}"):
        lib.get(a.id)


def test_a_duplicate_name_is_refused_and_the_first_definition_kept(lib):
    first = lib.save("category", "eu", "Fashion", "Fashion=nace:13,14,15")
    with pytest.raises(LibraryError) as info:
        lib.save("category", "eu", "Fashion", "Fashion=nace:13")
    message = str(info.value)
    assert "Fashion" in message and "already saved" in message
    assert lib.list() == [first]
    assert lib.get(first.id).spec == "Fashion=nace:13,14,15"


def test_the_same_name_may_be_used_for_another_kind_or_dataset(lib):
    lib.save("category", "eu", "Fashion", "Fashion=nace:13,14,15")
    lib.save("category", "us", "Fashion", "Fashion=naics:315")
    lib.save("region", "eu", "Fashion", "Fashion=ITC4+ITI1")
    assert len(lib.list()) == 3


def test_rename_to_an_existing_name_is_refused(lib):
    a = lib.save("region", "eu", "Oresund", "Oresund=DK01+DK02+SE22")
    b = lib.save("region", "eu", "Alps", "Alps=AT3+DE14")
    before = snapshot(lib)
    with pytest.raises(LibraryError, match="Oresund.*already saved"):
        lib.rename(b.id, "Oresund", b.token)
    assert snapshot(lib) == before
    assert lib.get(a.id).spec == "Oresund=DK01+DK02+SE22" and lib.get(b.id).spec == "Alps=AT3+DE14"


def test_unknown_ids_give_a_clear_error(lib):
    with pytest.raises(LibraryError, match="No saved definition with id 999"):
        lib.delete(999)
    with pytest.raises(LibraryError, match="No saved definition with id 999"):
        lib.rename(999, "X")
    with pytest.raises(LibraryError, match="No saved definition with id 999"):
        lib.get(999)


def test_specs_and_html_names_round_trip_verbatim(lib):
    # escaping is the UI's job: the library stores exactly what it was given
    name = "<script>alert(1)</script>"
    d = lib.save("category", "eu", name, f"{name}=nace:13")
    got = lib.get(d.id)
    assert got.name == name and got.spec == "<script>alert(1)</script>=nace:13"
    quote = "O'Brien \"&\" Søn; DROP TABLE definitions;--"
    d2 = lib.save("region", "eu", quote, f"{quote}=DK01")
    assert lib.get(d2.id).name == quote and lib.get(d2.id).spec == f"{quote}=DK01"
    # the longest spec allowed (2,000 characters) is kept whole
    long_spec = "Long=nace:13" + ",13" * 662 + ",1"  # 12 + 662 × 3 + 2 = 2,000 characters
    assert len(long_spec) == MAX_SPEC
    assert lib.get(lib.save("category", "eu", "Long", long_spec).id).spec == long_spec


# --- refused writes change nothing ------------------------------------------------------------

@pytest.mark.parametrize("kind,name,spec", [
    ("category", "Big", "Big=nace:13" + ",13" * 700),  # 11 + 2,100 = 2,111 characters > 2,000
    ("category", "Empty", ""),
    ("category", "Mismatch", "Other=nace:13"),  # the spec's name is not the saved name
    ("category", "A" * 61, "A" * 61 + "=nace:13"),  # 61 > 60 characters
    ("category", "", "=nace:13"),
    ("cluster", "Bad kind", "Bad kind=nace:13"),
])
def test_a_refused_save_changes_nothing(lib, kind, name, spec):
    lib.save("category", "eu", "Fashion", "Fashion=nace:13,14,15")
    before = snapshot(lib)
    with pytest.raises(ValidationError) as info:  # LibraryError is a ValidationError
        lib.save(kind, "eu", name, spec)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)
    assert snapshot(lib) == before


def test_a_rename_that_would_make_the_spec_too_long_is_refused(lib):
    # a 2,000-character spec named "A" is allowed; renamed to a 60-character name it would be
    # 2,000 − 1 + 60 = 2,059 characters, which could never be loaded again
    spec = "A=nace:13" + ",13" * 663 + ",1"  # 9 + 663 × 3 + 2 = 2,000 characters
    assert len(spec) == MAX_SPEC
    d = lib.save("category", "eu", "A", spec)
    before = snapshot(lib)
    with pytest.raises(ValidationError, match="2000|2,000|2059"):
        lib.rename(d.id, "B" * 60, d.token)
    assert snapshot(lib) == before
    with pytest.raises(ValidationError, match="61"):
        lib.rename(d.id, "B" * 61, d.token)
    assert snapshot(lib) == before


# --- concurrency ----------------------------------------------------------------------------

def _definitions(worker: int, n: int = 25) -> list[tuple[str, str]]:
    return [(f"w{worker}-d{i:02d} Ø<&>", f"w{worker}-d{i:02d} Ø<&>=DK01+DK02+SE{20 + i % 5}") for i in range(n)]


def test_concurrent_saves_from_8_threads_are_all_kept(lib):
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(worker):
        try:
            barrier.wait(timeout=60)
            for name, spec in _definitions(worker):
                lib.save("region", "eu", name, spec)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[:3]
    saved = {d.name: d.spec for d in lib.list()}
    want = dict(pair for w in range(8) for pair in _definitions(w))
    assert len(want) == 8 * 25 == 200
    assert saved == want  # all 200, each spec exactly as submitted


def _process_worker(url: str, worker: int, barrier, results) -> None:
    try:
        library = Library(url)  # each worker process opens the library itself, like a gunicorn worker
        barrier.wait(timeout=120)
        for name, spec in _definitions(worker):
            library.save("region", "eu", name, spec)
        library.engine.dispose()
        results.put((worker, "ok"))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent
        results.put((worker, f"{type(exc).__name__}: {exc}"))


def test_concurrent_saves_from_4_processes_are_all_kept(url):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    results = ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(url, w, barrier, results)) for w in range(4)]
    for p in procs:
        p.start()
    outcome = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcome == {w: "ok" for w in range(4)}
    lib = Library(url)
    saved = {d.name: d.spec for d in lib.list()}
    lib.engine.dispose()
    want = dict(pair for w in range(4) for pair in _definitions(w))
    assert len(want) == 4 * 25 == 100
    assert saved == want


def test_concurrent_saves_of_the_same_name_one_wins(lib):
    barrier = threading.Barrier(8)
    specs = [f"Oresund=DK01+DK02+SE2{w}" for w in range(8)]
    outcome: dict[int, object] = {}

    def work(worker):
        barrier.wait(timeout=60)
        try:
            outcome[worker] = lib.save("region", "eu", "Oresund", specs[worker])
        except LibraryError as exc:
            outcome[worker] = exc
        except BaseException as exc:  # noqa: BLE001 - anything else is a failure
            outcome[worker] = RuntimeError(f"unexpected {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    wins = [v for v in outcome.values() if not isinstance(v, BaseException)]
    losses = [v for v in outcome.values() if isinstance(v, LibraryError)]
    assert len(wins) == 1 and len(losses) == 7, outcome
    for exc in losses:
        assert "Oresund" in str(exc) or "nothing was changed" in str(exc), exc
    saved = lib.list()
    assert len(saved) == 1
    assert saved[0].spec == wins[0].spec and saved[0].spec in specs  # one submitted spec, intact


# --- owners -------------------------------------------------------------------------------------

def test_only_the_owner_token_renames_or_deletes(lib):
    mine = lib.save("region", "eu", "Mine", "Mine=DK01")
    theirs = lib.save("region", "eu", "Theirs", "Theirs=SE22")
    assert mine.token and theirs.token and mine.token != theirs.token and len(mine.token) >= 32
    stored = lib.get(mine.id)
    assert stored.token is None and mine.token not in repr(stored) and mine.token not in (stored.owner_hash or "")
    before = snapshot(lib)
    for token in (None, "", theirs.token, mine.token[:-1], mine.token + "x"):
        with pytest.raises(LibraryError, match="Only the browser that saved “Mine”"):
            lib.rename(mine.id, "Stolen", token)
        with pytest.raises(LibraryError, match="Only the browser that saved “Mine”"):
            lib.delete(mine.id, token)
    assert snapshot(lib) == before
    assert lib.rename(mine.id, "Mine 2", mine.token).name == "Mine 2"
    lib.delete(theirs.id, admin=True)  # the CLI's administrator needs no token
    assert [d.name for d in lib.list()] == ["Mine 2"]


def test_a_library_from_before_owners_keeps_its_rows_which_only_an_admin_can_change(url):
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

    old_meta = MetaData()  # the table as it was before owner tokens
    old_table = Table("definitions", old_meta, Column("id", Integer, primary_key=True),
                      Column("kind", String(16), nullable=False), Column("dataset", String(8), nullable=False),
                      Column("name", String(60), nullable=False), Column("spec", Text, nullable=False),
                      Column("created_at", DateTime(timezone=True), nullable=False),
                      Column("updated_at", DateTime(timezone=True), nullable=False))
    eng = create_engine(url)
    old_meta.create_all(eng)
    with eng.begin() as conn:
        conn.execute(old_table.insert().values(id=7, kind="region", dataset="eu", name="Old", spec="Old=DK01",
                                               created_at=datetime(2026, 1, 1, tzinfo=UTC),
                                               updated_at=datetime(2026, 1, 1, tzinfo=UTC)))
        if conn.dialect.name == "postgresql":  # rows inserted with explicit ids: move the sequence on
            conn.execute(text("SELECT setval(pg_get_serial_sequence('definitions', 'id'), 7)"))
    eng.dispose()
    lib = Library(url)
    try:
        old = lib.get(7)
        assert (old.name, old.spec, old.owner_hash) == ("Old", "Old=DK01", None)
        with pytest.raises(LibraryError, match="saved before definitions had owners"):
            lib.delete(7, "anything")
        assert lib.rename(7, "Older", admin=True).spec == "Older=DK01"
        assert lib.save("region", "eu", "New", "New=SE22").token  # new rows get owners
    finally:
        lib.engine.dispose()
