"""The content services without the web: migrations beside the saved definitions, accounts,
moderation and concurrency, the seed import, the published frame, the audit log, documents,
export → import, and the command line.

One content database per module (SQLite; PostgreSQL too with ``CLUSTER_TEST_PG_URL``); tests
that need an empty one make their own."""
from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import stat
import threading
import time
import zipfile
from types import SimpleNamespace

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from test_content_support import BACKENDS, database, make_user, pdf_bytes, seed_frame

from analytics.content import ContentError, PermissionDenied, StaleVersion, accounts, db, mail, transfer
from analytics.content import documents as docs
from analytics.content import organisations as orgs
from analytics.content.models import audit_log, metadata, organisations, revisions, users
from analytics.serving.library import Library

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="module")
def env(backend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("content-services")
    with database(backend, tmp) as url:
        mp = pytest.MonkeyPatch()
        mp.setenv("CLUSTER_MAIL_BACKEND", "memory")
        mp.setenv("CLUSTER_CONTENT_AUTOSEED", "0")
        orgs.import_seed(seed_frame(8), url=url)
        people = {r: make_user(f"{r}@example.org", PASSWORD, r, url) for r in ("editor", "moderator", "admin")}
        people["editor2"] = make_user("editor2@example.org", PASSWORD, "editor", url)
        yield SimpleNamespace(url=url, uploads=tmp / "uploads", tmp=tmp, **people)
        mp.undo()


@pytest.fixture
def empty(backend, tmp_path):
    """A second, empty database of the same backend."""
    with database(backend, tmp_path) as url:
        yield url


def audit_rows(url, **where) -> list:
    q = select(audit_log).order_by(audit_log.c.id)
    for k, v in where.items():
        q = q.where(getattr(audit_log.c, k) == v)
    with db.engine(url).connect() as conn:
        return list(conn.execute(q))


# ---------------------------------------------------------------------------- schema

def test_migrations_create_the_tables_and_match_the_models(empty):
    assert db.upgrade(empty) == db.head_revision()
    insp = sa.inspect(db.engine(empty))
    names = set(insp.get_table_names())
    assert {"definitions", "users", "organisations", "revisions", "documents", "audit_log", "alembic_version"} <= names
    for table in metadata.sorted_tables:
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    assert db.upgrade(empty) == db.head_revision()  # again: nothing to do


def test_existing_library_database_keeps_its_definitions(empty):
    lib = Library(empty)  # a database from before the content tables: only `definitions`
    saved = lib.save("region", "eu", "Øresund", "Øresund=DK01+DK02+SE22")
    assert db.current_revision(lib.engine) is None
    db.upgrade(empty)
    assert [d.spec for d in Library(empty).list()] == [saved.spec]
    assert Library(empty).save("category", "eu", "Fashion", "Fashion=nace:13,14,15").id != saved.id
    lib.engine.dispose()


def test_concurrent_first_use_upgrades_once(empty):
    errors = []

    def go():
        try:
            db.upgrade(empty)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and db.current_revision(db.engine(empty)) == db.head_revision()


def _upgrade_in_process(url, barrier, results):
    barrier.wait()
    try:
        results.put(db.upgrade(url))
    except Exception as exc:  # noqa: BLE001
        results.put(repr(exc))


def test_worker_processes_starting_at_once_on_a_new_database(empty):
    # fork: the workers of `gunicorn --preload` are forked too (and it spares re-importing everything)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_upgrade_in_process, args=(empty, barrier, results)) for _ in range(3)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert got == [db.head_revision()] * 3


# ---------------------------------------------------------------------------- accounts

def test_passwords_are_argon2_hashes_and_accounts_confirm(env):
    user = accounts.register("Hash.Me@Example.org", "a long password 3", url=env.url)
    with db.engine(env.url).connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == user.id)).scalar()
    assert stored.startswith("$argon2id$") and "a long password 3" not in stored
    assert user.email == "hash.me@example.org" and user.role == "editor" and not user.confirmed
    assert accounts.authenticate("hash.me@example.org", "a long password 3", url=env.url) is None  # unconfirmed
    token = accounts.confirmation_token(user, secret="k")
    with pytest.raises(accounts.BadToken):
        accounts.confirm_email(token, secret="other", url=env.url)
    with pytest.raises(accounts.ExpiredToken):
        accounts.confirm_email(token, secret="k", max_age=-1, url=env.url)
    assert accounts.confirm_email(token, secret="k", url=env.url).confirmed
    assert accounts.authenticate("HASH.ME@example.org", "a long password 3", url=env.url).id == user.id
    assert accounts.authenticate("hash.me@example.org", "wrong", url=env.url) is None
    with pytest.raises(accounts.DuplicateEmail):
        accounts.register("hash.me@EXAMPLE.org", "a long password 4", url=env.url)
    for bad_email, bad_pw in (("not-an-address", "a long password"), ("ok@example.org", "short")):
        with pytest.raises(accounts.AccountError):
            accounts.register(bad_email, bad_pw, url=env.url)
    assert [r.action for r in audit_rows(env.url, entity="user", entity_id=str(user.id))] == ["register", "confirm"]


def test_roles_are_managed_by_admins_only_and_the_last_admin_stays(env):
    target = make_user(f"role-{time.time_ns()}@example.org", PASSWORD, "editor", env.url)
    for actor in (env.editor, env.moderator):
        with pytest.raises(PermissionDenied):
            accounts.set_role(actor, target.id, "moderator", url=env.url)
    assert accounts.set_role(env.admin, target.id, "moderator", url=env.url).role == "moderator"
    (row,) = audit_rows(env.url, entity="user", entity_id=str(target.id), action="set_role")
    assert row.user_id == env.admin.id and '"role": "editor"' in row.before and '"role": "moderator"' in row.after
    with pytest.raises(accounts.AccountError, match="last admin"):
        accounts.set_role(env.admin, env.admin.id, "editor", url=env.url)


def test_create_admin_makes_a_confirmed_admin(env):
    admin = accounts.create_admin("boss@example.org", "the boss password", url=env.url)
    assert admin.role == "admin" and admin.confirmed
    assert accounts.authenticate("boss@example.org", "the boss password", url=env.url).role == "admin"


def test_secret_key_is_generated_once_with_mode_600(tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.SECRET_ENV, raising=False)
    path = tmp_path / "secret_key"
    key = accounts.secret_key(path)
    assert len(key) >= 40 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert accounts.secret_key(path) == key
    monkeypatch.setenv(accounts.SECRET_ENV, "from-the-environment")
    assert accounts.secret_key(path) == "from-the-environment"


def test_mail_backends(monkeypatch, caplog):
    monkeypatch.setenv("CLUSTER_MAIL_BACKEND", "memory")
    mail.outbox.clear()
    mail.send("a@example.org", "Subject", "Body with https://x/account/confirm/TOKEN")
    assert [m.to for m in mail.outbox] == ["a@example.org"]
    monkeypatch.setenv("CLUSTER_MAIL_BACKEND", "log")
    with caplog.at_level(logging.INFO, logger="analytics.content.mail"):
        mail.send("b@example.org", "Subject", "Body with https://x/account/confirm/TOKEN")
    assert "mail not sent: log backend" in caplog.text and "/account/confirm/TOKEN" in caplog.text
    assert len(mail.outbox) == 1
    monkeypatch.setenv("CLUSTER_MAIL_BACKEND", "smtp")
    with pytest.raises(ContentError):
        mail.send("c@example.org", "S", "B")


# ---------------------------------------------------------------------------- moderation and concurrency

def fields_of(key, url, **over):
    org = orgs.get_organisation(key, url=url)
    return {**{k: org[k] for k in orgs.EDITABLE}, **over}, org["version"]


def test_editor_edit_waits_approval_bumps_version_and_is_audited(env):
    key = "eu-1001"
    fields, version = fields_of(key, env.url, description="A better description.")
    rev = orgs.submit_edit(env.editor, key, fields, version, url=env.url)
    assert rev.status == "pending" and orgs.get_organisation(key, url=env.url)["version"] == version
    with pytest.raises(PermissionDenied):
        orgs.approve(env.editor, rev.id, url=env.url)
    n_before = len(audit_rows(env.url))
    done = orgs.approve(env.moderator, rev.id, url=env.url)
    after = orgs.get_organisation(key, url=env.url)
    assert done.status == "approved" and after["version"] == version + 1
    assert after["description"] == "A better description." and after["edited_at"] is not None
    new_rows = audit_rows(env.url)[n_before:]
    assert [(r.entity, r.action) for r in new_rows] == [("organisation", "update"), ("revision", "approve")]
    assert '"A better description."' in new_rows[0].after and f'"version": {version}' in new_rows[0].before
    assert new_rows[0].user_id == env.moderator.id
    with pytest.raises(ContentError, match="already approved"):
        orgs.approve(env.moderator, rev.id, url=env.url)


def test_stale_submission_and_stale_approval(env):
    key = "eu-1002"
    f1, v = fields_of(key, env.url, description="Editor one")
    f2, _ = fields_of(key, env.url, description="Editor two")
    r1 = orgs.submit_edit(env.editor, key, f1, v, url=env.url)
    r2 = orgs.submit_edit(env.editor2, key, f2, v, url=env.url)
    orgs.approve(env.moderator, r1.id, url=env.url)
    n_before = len(audit_rows(env.url))
    with pytest.raises(StaleVersion, match="the editor's text is kept in the rejected/stale revision"):
        orgs.approve(env.moderator, r2.id, url=env.url)
    stale = orgs.get_revision(r2.id, url=env.url)
    assert stale.status == "rejected" and "Stale" in stale.reason and stale.fields["description"] == "Editor two"
    assert [r.action for r in audit_rows(env.url)[n_before:]] == ["stale"]
    assert orgs.get_organisation(key, url=env.url)["description"] == "Editor one"
    # a save based on the old version is refused and changes nothing (no revision, no audit row)
    n_before = len(audit_rows(env.url))
    with pytest.raises(StaleVersion):
        orgs.submit_edit(env.editor2, key, f2, v, url=env.url)
    assert len(audit_rows(env.url)) == n_before


def test_two_concurrent_approvals_of_one_profile_cannot_both_win(env):
    key = "eu-1003"
    fields, v = fields_of(key, env.url)
    revs = [orgs.submit_edit(env.editor, key, {**fields, "description": f"race {i}"}, v, url=env.url)
            for i in range(4)]
    results = []
    barrier = threading.Barrier(len(revs))

    def go(rev):
        barrier.wait()
        try:
            orgs.approve(env.moderator, rev.id, url=env.url)
            results.append("ok")
        except StaleVersion:
            results.append("stale")
        except Exception as exc:  # noqa: BLE001 - e.g. SQLite "database is locked" would be a failure too
            results.append(repr(exc))

    threads = [threading.Thread(target=go, args=(r,)) for r in revs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale", "stale", "stale"], results
    assert orgs.get_organisation(key, url=env.url)["version"] == v + 1


def test_create_claim_and_permissions(env):
    rev = orgs.submit_create(env.editor, {"dataset": "us", "name": "Great Lakes Water", "country": "us",
                                          "region_id": "26",
                                          "categories": "environmental_services, upstream_chemical_products"},
                             url=env.url)
    assert rev.status == "pending" and rev.org_id is None
    done = orgs.approve(env.moderator, rev.id, url=env.url)
    org = orgs.get_organisation(done.org_key, url=env.url)
    assert done.org_key == f"user-{org['id']}" and org["owner_user_id"] == env.editor.id
    assert org["country"] == "US" and org["categories"] == "environmental_services;upstream_chemical_products"
    assert org["source"] == "user" and org["region_name"] == "Michigan" and org["locate_status"] == "located"
    assert org["locate_method"] == f"{orgs.USER_LOCATE_METHOD} (US state FIPS 26)"
    with pytest.raises(PermissionDenied):  # owned by someone else
        orgs.submit_edit(env.editor2, done.org_key, {**fields_of(done.org_key, env.url)[0], "city": "Detroit"},
                         org["version"], url=env.url)
    with pytest.raises(ContentError, match="already claimed"):
        orgs.submit_claim(env.editor2, done.org_key, url=env.url)
    with pytest.raises(orgs.FieldErrors) as err:
        orgs.submit_create(env.editor, {"dataset": "fr", "name": "x", "website": "javascript:alert(1)",
                                        "lat": "north"}, url=env.url)
    assert set(err.value.errors) == {"dataset", "name", "website", "lat"}
    with pytest.raises(ContentError, match="Nothing was changed"):
        orgs.submit_edit(env.editor, done.org_key, *fields_of(done.org_key, env.url), url=env.url)


def test_a_change_and_its_audit_row_commit_together(env, monkeypatch):
    from analytics.content import audit

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    before = orgs.get_organisation("eu-1000", url=env.url)
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        orgs.set_status(env.moderator, "eu-1000", "hidden", url=env.url)
    with pytest.raises(RuntimeError):
        orgs.submit_create(env.editor, {"dataset": "eu", "name": "Never saved"}, url=env.url)
    monkeypatch.undo()
    assert orgs.get_organisation("eu-1000", url=env.url)["status"] == before["status"] == "published"
    assert not [r for r in orgs.pending_revisions(url=env.url) if r.fields.get("name") == "Never saved"]


def test_visitor_none_cannot_write(env):
    for call in (lambda: orgs.submit_create(None, {"dataset": "eu", "name": "X"}, url=env.url),
                 lambda: orgs.submit_claim(None, "eu-1000", url=env.url),
                 lambda: orgs.set_status(env.editor, "eu-1000", "hidden", url=env.url),
                 lambda: docs.save_upload(None, io.BytesIO(pdf_bytes()), "a.pdf", {"title": "abc"}, url=env.url)):
        with pytest.raises(PermissionDenied):
            call()


# ---------------------------------------------------------------------------- seed import and the published frame

def test_import_seed_is_idempotent_and_keeps_edited_profiles(empty):
    seed = seed_frame(3)
    assert orgs.import_seed(seed, url=empty) == {"added": 4, "updated": 0, "unchanged": 0}
    assert orgs.import_seed(seed, url=empty) == {"added": 0, "updated": 0, "unchanged": 4}
    with db.engine(empty).connect() as conn:
        assert conn.execute(select(func.count()).select_from(organisations)).scalar() == 4
    us = orgs.get_organisation("us-1", url=empty)
    assert us["lat"] is None and us["website"] is None and us["dataset"] == "us"
    # an edited profile survives a changed seed; an unedited one follows it
    editor = make_user("seed-editor@example.org", PASSWORD, "editor", empty)
    mod = make_user("seed-mod@example.org", PASSWORD, "moderator", empty)
    f, v = fields_of("eu-1000", empty, description="Written by the owner.")
    orgs.approve(mod, orgs.submit_edit(editor, "eu-1000", f, v, url=empty).id, url=empty)
    changed = seed.copy()
    changed["description"] = "New seed text."
    changed["categories"] = [["automotive"]] * len(changed)  # lists are joined with ';'
    changed["source_updated"] = pd.Timestamp("2025-01-31")
    v1 = orgs.get_organisation("eu-1001", url=empty)["version"]
    assert orgs.import_seed(changed, url=empty) == {"added": 0, "updated": 3, "unchanged": 1}
    assert orgs.get_organisation("eu-1000", url=empty)["description"] == "Written by the owner."
    e1 = orgs.get_organisation("eu-1001", url=empty)
    assert (e1["description"], e1["categories"], e1["source_updated"]) == ("New seed text.", "automotive",
                                                                          "2025-01-31")
    assert e1["version"] == v1 + 1
    assert orgs.import_seed(changed, url=empty) == {"added": 0, "updated": 0, "unchanged": 4}
    actions = [r.action for r in audit_rows(empty, entity="organisation", entity_id="eu-1001")]
    assert actions == ["seed_add", "seed_update"]
    with pytest.raises(ContentError, match="twice"):
        orgs.import_seed(pd.concat([seed, seed]), url=empty)
    with pytest.raises(ContentError, match="lacks the columns"):
        orgs.import_seed(seed.drop(columns=["name"]), url=empty)


def test_published_frame_columns_cache_and_invalidation(env):
    df = orgs.published_organisations(url=env.url)
    assert list(df.columns) == orgs.PUBLISHED_COLUMNS
    assert {"eu-1000", "us-1"} <= set(df["id"]) and df["org_pk"].dtype == "int64" and df["owner"].dtype == bool
    assert df["lat"].dtype == "float64"
    start = time.perf_counter()
    for _ in range(20):
        again = orgs.published_organisations(url=env.url)
    per_call = (time.perf_counter() - start) / 20
    assert per_call < 0.05 and again.equals(df)
    assert orgs._CACHE[env.url][0] == orgs.content_version(url=env.url)
    version = orgs.content_version(url=env.url)
    orgs.set_status(env.moderator, "eu-1004", "hidden", url=env.url)
    assert orgs.content_version(url=env.url) > version
    assert "eu-1004" not in set(orgs.published_organisations(url=env.url)["id"])
    orgs.set_status(env.moderator, "eu-1004", "published", url=env.url)
    assert "eu-1004" in set(orgs.published_organisations(url=env.url)["id"])


def test_autoseed_fills_an_empty_database_from_the_build(empty, tmp_path, monkeypatch):
    import sys
    import types

    seed = seed_frame(2)
    fake = types.ModuleType("analytics.sources.organisations")
    fake.load_seed = lambda build_dir: seed
    monkeypatch.setitem(sys.modules, "analytics.sources.organisations", fake)
    monkeypatch.setenv("CLUSTER_BUILD_DIR", str(tmp_path))
    (tmp_path / "organisations.parquet").write_bytes(b"")
    monkeypatch.setenv("CLUSTER_CONTENT_AUTOSEED", "1")
    orgs._AUTOSEEDED.discard(empty)
    assert set(orgs.published_organisations(url=empty)["id"]) == set(seed["id"])


# ---------------------------------------------------------------------------- documents

def test_filenames_and_pdf_checks():
    assert docs.check_filename("Bericht 2021 (final).pdf") == "Bericht 2021 _final_.pdf"
    assert docs.check_filename("report") == "report.pdf"
    assert docs.check_filename("Ärger.PDF") == "Ärger.PDF"
    for bad in ("", "../x.pdf", "a/b.pdf", "a\\b.pdf", "..", ".env", "C:x.pdf", "a\nb.pdf", "x" * 201):
        with pytest.raises(docs.BadFilename):
            docs.check_filename(bad)
    good = pdf_bytes()
    docs.check_pdf(good[:16], good[-2048:])
    for head, tail in ((b"GIF89a", good[-2048:]), (b"<html>%PDF-1.4", good[-2048:]), (good[:16], b"no trailer")):
        with pytest.raises(docs.NotPdf):
            docs.check_pdf(head, tail)


def test_upload_service_stores_under_a_random_name_and_audits(env):
    doc = docs.save_upload(env.editor, io.BytesIO(pdf_bytes("x")), "Plan.pdf",
                           {"title": "Regional plan", "regions": "DE11", "categories": "automotive", "year": "2020"},
                           url=env.url, upload_dir_override=env.uploads)
    assert docs.STORED_RE.match(doc.stored_name) and doc.filename == "Plan.pdf" and doc.status == "pending"
    assert stat.S_IMODE((env.uploads / doc.stored_name).stat().st_mode) == 0o600
    assert (env.uploads / ".gitignore").read_text() == "*\n"
    assert docs.documents_for(region_id="DE11", url=env.url) == []  # not approved yet
    docs.approve_document(env.moderator, doc.id, url=env.url)
    assert [d.id for d in docs.documents_for(region_id="DE11", category_id="automotive", url=env.url)] == [doc.id]
    assert [r.action for r in audit_rows(env.url, entity="document", entity_id=str(doc.id))] == ["upload", "approve"]
    with pytest.raises(docs.TooLarge):
        docs.save_upload(env.editor, io.BytesIO(pdf_bytes(pad=2000)), "big.pdf", {"title": "Too big"},
                         url=env.url, upload_dir_override=env.uploads, max_bytes=1000)
    assert sorted(p.name for p in env.uploads.iterdir()) == sorted([".gitignore", doc.stored_name])


# ---------------------------------------------------------------------------- export and import

def test_export_import_round_trip(env, empty, tmp_path):
    # some of everything: a created profile, a claim, a rejected revision, a hidden profile, documents
    created = orgs.submit_create(env.moderator, {"dataset": "eu", "name": "Round trip cluster"}, url=env.url)
    orgs.submit_claim(env.editor2, "eu-1005", "ours", url=env.url)
    rej = orgs.submit_create(env.editor2, {"dataset": "eu", "name": "Rejected one"}, url=env.url)
    orgs.reject(env.moderator, rej.id, "duplicate", url=env.url)
    orgs.set_status(env.moderator, "eu-1006", "hidden", url=env.url)
    doc = docs.save_upload(env.editor, io.BytesIO(pdf_bytes("round")), "rt.pdf", {"title": "Round trip doc"},
                           url=env.url, upload_dir_override=env.uploads)
    out = tmp_path / "content.zip"
    counts = transfer.export_content(out, url=env.url, upload_dir_override=env.uploads)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        body = zf.read("content.json").decode()
    assert f"files/{doc.stored_name}" in names and "content.json" in names
    assert "$argon2id$" in body  # hashes are exported on purpose (logins survive a restore)
    exported_keys = {o["key"] for o in __import__("json").loads(body)["organisations"]}
    assert {created.org_key, "eu-1005", "eu-1006", "eu-1001"} <= exported_keys
    assert "eu-1007" not in exported_keys  # untouched seed rows are not user content

    uploads2 = tmp_path / "uploads2"
    orgs.import_seed(seed_frame(8), url=empty)  # the restored server has its seed
    restored = transfer.import_content(out, url=empty, upload_dir_override=uploads2)
    assert restored == counts

    def snapshot(url):
        with db.engine(url).connect() as conn:
            u = [tuple(r) for r in conn.execute(select(users.c.id, users.c.email, users.c.role, users.c.password_hash)
                                                .order_by(users.c.id))]
            o = {r.key: (r.name, r.description, r.status, r.owner_user_id, r.version) for r in conn.execute(
                select(organisations))}
            rv = [(r.id, r.kind, r.status, r.reason, r.fields, r.key) for r in conn.execute(
                select(revisions, organisations.c.key).select_from(revisions.outerjoin(
                    organisations, revisions.c.org_id == organisations.c.id)).order_by(revisions.c.id))]
        d = [(x.id, x.title, x.sha256, x.status) for x in docs.search_documents(status=None, url=url)]
        return u, o, rv, d

    assert snapshot(empty) == snapshot(env.url)
    assert (uploads2 / doc.stored_name).read_bytes() == (env.uploads / doc.stored_name).read_bytes()
    assert accounts.authenticate("editor@example.org", PASSWORD, url=empty).id == env.editor.id
    assert len(audit_rows(empty)) > len(audit_rows(env.url))  # the seed's rows + the copied log + the import
    pd.testing.assert_frame_equal(
        orgs.published_organisations(url=empty).drop(columns=["org_pk", "updated_at"]).sort_values("id")
        .reset_index(drop=True),
        orgs.published_organisations(url=env.url).drop(columns=["org_pk", "updated_at"]).sort_values("id")
        .reset_index(drop=True))
    # new content after a restore gets fresh ids and keys
    mod2 = accounts.get_user(env.moderator.id, url=empty)
    again = orgs.submit_create(mod2, {"dataset": "eu", "name": "After restore"}, url=empty)
    assert again.org_key not in exported_keys
    with pytest.raises(ContentError, match="empty"):
        transfer.import_content(out, url=empty, upload_dir_override=uploads2)


def test_import_refuses_tampered_files(env, tmp_path, empty):
    out = tmp_path / "c.zip"
    transfer.export_content(out, url=env.url, upload_dir_override=env.uploads)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:-1] + b"!" if item.filename.startswith("files/") else data)
    with pytest.raises(ContentError, match="checksum"):
        transfer.import_content(bad, url=empty, upload_dir_override=tmp_path / "u")
    with db.engine(empty).connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 0
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ContentError, match="not a content export"):
        transfer.import_content(tmp_path / "junk.zip", url=empty)


# ---------------------------------------------------------------------------- the command line

@contextlib.contextmanager
def cli_env(url, upload_dir):
    old = {k: os.environ.get(k) for k in ("CLUSTER_LIBRARY_URL", "CLUSTER_UPLOAD_DIR")}
    os.environ["CLUSTER_LIBRARY_URL"] = url
    os.environ["CLUSTER_UPLOAD_DIR"] = str(upload_dir)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cli(*args, stdin: str = ""):
    from analytics.cli import main
    out, err = io.StringIO(), io.StringIO()
    old_in = os.sys.stdin
    os.sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.sys.stdin = old_in
    return code, out.getvalue(), err.getvalue()


def test_cli_commands(empty, tmp_path):
    with cli_env(empty, tmp_path / "up"):
        assert cli("db", "upgrade")[0] == 0
        code, _, err = cli("users", "create-admin", "--email", "root@example.org", "--password-stdin",
                           stdin="a very long admin password\n")
        assert code == 0 and "root@example.org is an admin" in err and "very long" not in err
        assert accounts.authenticate("root@example.org", "a very long admin password", url=empty).role == "admin"
        seed_path = tmp_path / "seed.parquet"
        seed_frame(2).to_parquet(seed_path)
        code, out, _ = cli("organisations", "import", "--from", str(seed_path))
        assert code == 0 and '"added": 3' in out
        code, out, _ = cli("organisations", "import", "--from", str(seed_path))
        assert code == 0 and '"added": 0' in out and '"unchanged": 3' in out
        export = tmp_path / "export.zip"
        assert cli("content", "export", str(export))[0] == 0 and export.exists()
        code, _, err = cli("content", "import", str(export))  # not empty any more
        assert code == 2 and err.count("\n") == 1 and "empty" in err
        for bad in (("users", "create-admin"), ("organisations", "import", "--from", str(tmp_path / "none.parquet")),
                    ("content",), ("content", "import", str(tmp_path / "none.zip")), ("db", "downgrade"),
                    ("users", "create-admin", "--email", "x@example.org", "--password-stdin")):
            code, _, err = cli(*bad, stdin="short\n")
            assert code == 2 and err.startswith("error:") and err.count("\n") == 1, (bad, err)
