"""The collaboration forms over real HTTP (Flask test client, CSRF on, the token read from each
form): the role × action matrix, registration → confirmation → login, refused tokens, stale
edits that keep the typed text, moderation, claims, uploads refused and accepted, downloads,
escaping, rate limits, and that no password reaches the log.

One content database per module (SQLite; PostgreSQL too with ``CLUSTER_TEST_PG_URL``)."""
from __future__ import annotations

import html
import io
import itertools
import logging
import re
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from test_content_support import BACKENDS, Browser, database, make_app, make_user, pdf_bytes, seed_frame

from analytics.content import accounts, db, mail
from analytics.content import documents as docs
from analytics.content import organisations as orgs
from analytics.content.models import documents, revisions

PASSWORD = "correct horse battery"
_ips = itertools.count(1)


def fresh_ip() -> str:
    n = next(_ips)
    return f"127.0.{n // 250}.{n % 250 + 1}"


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("content-web")
    with database(request.param, tmp) as url:
        mp = pytest.MonkeyPatch()
        mp.setenv("CLUSTER_MAIL_BACKEND", "memory")
        mp.setenv("CLUSTER_CONTENT_AUTOSEED", "0")
        app = make_app(url, tmp / "uploads")
        orgs.import_seed(seed_frame(12), url=url)
        people = {role: make_user(f"{role}@example.org", PASSWORD, role, url)
                  for role in ("editor", "moderator", "admin")}
        people["editor2"] = make_user("editor2@example.org", PASSWORD, "editor", url)
        yield SimpleNamespace(url=url, app=app, uploads=tmp / "uploads", people=people)
        mp.undo()


def browser(env, role: str | None = None) -> Browser:
    b = Browser(env.app, ip=fresh_ip())
    if role:
        r = b.login(f"{role}@example.org", PASSWORD)
        assert r.status_code == 302, r.get_data(as_text=True)
    return b


def org_fields(**over) -> dict:
    base = {"dataset": "eu", "name": "Photonics Cluster Berlin", "country": "DE", "city": "Berlin",
            "region_id": "DE30", "region_name": "Berlin", "lat": "52.52", "lon": "13.40", "ecosystem": "",
            "ecosystem_name": "",
            "categories": "information_technology_and_analytical_instruments;communications_equipment_and_services",
            "type": "cluster organisation",
            "website": "https://photonics.example.org", "description": "Optics and photonics in Berlin."}
    base.update(over)
    return base


def edit_form(b: Browser, key: str) -> dict:
    """The edit form's current values, as a browser would submit them."""
    page = b.get(f"/organisation/{key}/edit").get_data(as_text=True)
    values = {}
    for name in orgs.EDITABLE:
        m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
        if m:
            values[name] = _unescape(m.group(1))
        m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*(.*?)</textarea>', page, re.S)
        if m:
            values[name] = _unescape(m.group(1))
    values["base_version"] = re.search(r'name="base_version" type="hidden" value="(\d+)"', page).group(1)
    values["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return values


def _unescape(s: str) -> str:
    return html.unescape(s)


def pending_count(env, author_role: str) -> int:
    author = env.people[author_role]
    with db.engine(env.url).connect() as conn:
        return conn.execute(select(func.count()).select_from(revisions).where(
            revisions.c.author_id == author.id)).scalar()


def to_login(r) -> bool:
    return r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/account/login"


# ---------------------------------------------------------------------------- the role × action matrix

ROLES = ["visitor", "editor", "moderator", "admin"]
ALLOWED = {
    "create": {"editor", "moderator", "admin"},
    "edit": {"editor", "moderator", "admin"},
    "approve": {"moderator", "admin"},
    "delete": {"moderator", "admin"},
    "upload": {"editor", "moderator", "admin"},
    "manage roles": {"admin"},
}
_matrix_keys = itertools.count(0)


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(env, role, action):
    b = browser(env, None if role == "visitor" else role)
    allowed = role in ALLOWED[action]
    form_page = "/account/login" if role == "visitor" else "/library/upload"
    moderator = env.people["moderator"]
    if action == "create":
        name = f"Matrix {role} cluster"
        r = b.post("/organisations/new", org_fields(name=name), form_page=form_page)
        with db.engine(env.url).connect() as conn:
            proposed = [rev for rev in conn.execute(select(revisions.c.fields, revisions.c.status))
                        if f'"{name}"' in rev.fields]
        done = bool(proposed)
        if done:
            assert r.status_code == 302
            published = name in set(orgs.published_organisations(url=env.url)["name"])
            assert published == (role in ("moderator", "admin"))  # an editor's create waits for a moderator
    elif action == "edit":
        key = f"eu-{1000 + next(_matrix_keys) % 6}"
        before = orgs.get_organisation(key, url=env.url)
        data = {**{k: "" if before[k] is None else str(before[k]) for k in orgs.EDITABLE},
                "description": f"edited by {role}", "base_version": str(before["version"])}
        r = b.post(f"/organisation/{key}/edit", data, form_page=form_page)
        after = orgs.get_organisation(key, url=env.url)
        queued = any(rev.fields.get("description") == f"edited by {role}" for rev in orgs.revisions_of(key, url=env.url))
        done = queued
        if done:
            assert (after["description"] == f"edited by {role}") == (role in ("moderator", "admin"))
    elif action == "approve":
        rev = orgs.submit_create(env.people["editor2"], org_fields(name=f"To approve ({role})"), url=env.url)
        r = b.post(f"/moderation/revision/{rev.id}/approve", form_page=form_page)
        done = orgs.get_revision(rev.id, url=env.url).status == "approved"
    elif action == "delete":
        rev = orgs.submit_create(moderator, org_fields(name=f"To delete ({role})"), url=env.url)
        r = b.post(f"/moderation/organisation/{rev.org_key}/delete", form_page=form_page)
        done = orgs.get_organisation(rev.org_key, url=env.url)["status"] == "hidden"
    elif action == "upload":
        with db.engine(env.url).connect() as conn:
            n0 = conn.execute(select(func.count()).select_from(documents)).scalar()
        r = b.post("/library/upload", {"title": f"Report by {role}", "year": "2021",
                                       "file": (io.BytesIO(pdf_bytes()), "report.pdf")},
                   form_page=form_page, content_type="multipart/form-data")
        with db.engine(env.url).connect() as conn:
            done = conn.execute(select(func.count()).select_from(documents)).scalar() == n0 + 1
    else:  # manage roles
        target = make_user(f"target-{role}-{time.time_ns()}@example.org", PASSWORD, "editor", env.url)
        r = b.post(f"/admin/users/{target.id}/role", {"role": "moderator"},
                   form_page="/account/login" if role == "visitor" else "/library")
        done = accounts.get_user(target.id, url=env.url).role == "moderator"
    assert done == allowed, (role, action, r.status_code)
    if not allowed:
        assert to_login(r) if role == "visitor" else r.status_code == 403, (role, action, r.status_code)


def test_write_pages_send_visitors_to_login(env):
    b = browser(env)
    for path in ("/organisations/new", "/organisation/eu-1000/edit", "/organisation/eu-1000/claim", "/moderation",
                 "/admin/users", "/library/upload", "/account/submissions"):
        r = b.get(path)
        assert to_login(r), path
    assert b.get("/library").status_code == 200  # browsing needs no login


def test_editor_gets_403_on_moderation_and_admin_pages(env):
    b = browser(env, "editor")
    assert b.get("/moderation").status_code == 403
    assert b.get("/admin/users").status_code == 403
    m = browser(env, "moderator")
    assert m.get("/moderation").status_code == 200
    assert m.get("/admin/users").status_code == 403
    assert browser(env, "admin").get("/admin/audit").status_code == 200


# ---------------------------------------------------------------------------- registration, confirmation, login

def test_register_confirm_login_logout(env):
    mail.outbox.clear()
    b = browser(env)
    r = b.post("/account/register", {"email": "New.Person@Example.ORG", "password": "a long password 1",
                                     "confirm": "a long password 1"})
    assert r.status_code == 200 and "Check your mail" in r.get_data(as_text=True)
    (msg,) = mail.outbox
    assert msg.to == "new.person@example.org"
    link = re.search(r"https?://\S+/account/confirm/\S+", msg.body).group(0)
    assert link.startswith("http://observatory.test/account/confirm/")
    # not confirmed yet: the generic failure
    r = b.login("new.person@example.org", "a long password 1")
    assert "Wrong e-mail or password" in r.get_data(as_text=True)
    r = b.get(urlsplit(link).path)
    assert r.status_code == 200 and "is confirmed" in r.get_data(as_text=True)
    r = b.login("NEW.PERSON@example.org", "a long password 1")
    assert r.status_code == 302 and r.headers["Location"] == "/account/submissions"
    page = b.get("/account/submissions")
    assert page.status_code == 200 and "new.person@example.org" in page.get_data(as_text=True)
    set_cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    b.logout()
    assert to_login(b.get("/account/submissions"))
    # the same link again: already confirmed, fine
    assert b.get(urlsplit(link).path).status_code == 200


def test_mail_links_use_the_public_url_when_set(env, monkeypatch):
    monkeypatch.setitem(env.app.config, "CLUSTER_PUBLIC_URL", "https://observatory.example.org/")
    mail.outbox.clear()
    browser(env).post("/account/register", {"email": "public@example.org", "password": "a long password 5",
                                            "confirm": "a long password 5"})
    (msg,) = mail.outbox
    assert "https://observatory.example.org/account/confirm/" in msg.body


def test_registration_does_not_tell_whether_an_address_exists(env):
    mail.outbox.clear()
    b = browser(env)
    taken = b.post("/account/register", {"email": "editor@example.org", "password": "another password",
                                         "confirm": "another password"})
    fresh = b.post("/account/register", {"email": "someone.else@example.org", "password": "another password",
                                         "confirm": "another password"})
    assert taken.status_code == fresh.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(taken) == strip(fresh)
    assert [m.to for m in mail.outbox] == ["editor@example.org", "someone.else@example.org"]
    assert "already has an account" in mail.outbox[0].body
    # the existing account's password is unchanged
    assert accounts.authenticate("editor@example.org", PASSWORD, url=env.url) is not None


def test_login_failure_is_generic(env):
    b = browser(env)
    wrong_pw = b.login("editor@example.org", "not the password")
    no_user = b.login("nobody@example.org", "not the password")
    for r in (wrong_pw, no_user):
        assert r.status_code == 200
        assert "Wrong e-mail or password, or the address is not confirmed yet." in r.get_data(as_text=True)


def test_login_next_only_follows_local_paths(env):
    b = browser(env)
    for target, expected in (("/library", "/library"), ("//evil.example.com/x", "/account/submissions"),
                             ("https://evil.example.com/", "/account/submissions")):
        r = b.post("/account/login", {"email": "editor@example.org", "password": PASSWORD, "next": target})
        assert r.headers["Location"] == expected
        b.logout()


def test_bad_and_expired_confirmation_tokens(env, monkeypatch):
    user = accounts.register("late@example.org", "a long password 2", url=env.url)
    with env.app.app_context():
        good = accounts.confirmation_token(user, secret=env.app.config["SECRET_KEY"])
    b = browser(env)
    other_key = accounts.confirmation_token(user, secret="some other key")
    for token in ("garbage", good[:-3] + "abc", other_key):
        r = b.get(f"/account/confirm/{token}")
        assert r.status_code == 400 and "not valid" in r.get_data(as_text=True)
    import itsdangerous.timed
    real = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + accounts.CONFIRM_MAX_AGE + 60)
    r = b.get(f"/account/confirm/{good}")
    assert r.status_code == 400 and "expired" in r.get_data(as_text=True)
    monkeypatch.undo()
    assert not accounts.get_user(user.id, url=env.url).confirmed
    assert b.get(f"/account/confirm/{good}").status_code == 200
    assert accounts.get_user(user.id, url=env.url).confirmed


def test_csrf_is_required_on_every_form(env):
    b = browser(env, "editor")
    for path, data in (("/account/login", {"email": "editor@example.org", "password": PASSWORD}),
                       ("/organisations/new", org_fields(name="No token")),
                       ("/organisation/eu-1000/claim", {"message": "mine"}),
                       ("/account/logout", {})):
        r = b.post(path, data, csrf=False)
        assert r.status_code == 400, path
        r = b.post(path, {**data, "csrf_token": "forged"})
        assert r.status_code == 400, path
    assert "No token" not in set(orgs.published_organisations(url=env.url)["name"])
    assert b.get("/account/submissions").status_code == 200  # the logout without a token did nothing


def test_csrf_scope_leaves_the_dash_endpoints_alone(tmp_path):
    """Dash's callbacks post JSON without a token; only the blueprint's views are checked."""
    from flask import Flask

    import web

    app = Flask("dash_like")
    app.config["SECRET_KEY"] = "k" * 40
    app.add_url_rule("/_dash-update-component", "dash_update", lambda: {"ok": True}, methods=["POST"])
    web.init_app(app, url="sqlite:///" + str(tmp_path / "c.sqlite"), upload_dir=str(tmp_path / "u"))
    client = app.test_client()
    r = client.post("/_dash-update-component", json={"output": "x.children"})
    assert r.status_code == 200 and r.json == {"ok": True}
    assert client.post("/account/login", data={"email": "a@example.org", "password": "x"}).status_code == 400


def test_passwords_never_reach_the_log(env, monkeypatch, caplog):
    monkeypatch.setenv("CLUSTER_MAIL_BACKEND", "log")
    secret = "Very-Secret-Password-42"
    caplog.set_level(logging.DEBUG)
    b = browser(env)
    b.post("/account/register", {"email": "logged@example.org", "password": secret, "confirm": secret})
    b.login("logged@example.org", secret)
    b.login("logged@example.org", secret + "x")
    assert secret not in caplog.text
    mail_records = [r for r in caplog.records if r.name == "analytics.content.mail"]
    assert mail_records and "log backend — contains a one-time link" in mail_records[0].getMessage()
    assert "/account/confirm/" in mail_records[0].getMessage()
    with db.engine(env.url).connect() as conn:
        from analytics.content.models import audit_log
        logged = " ".join(str(r.after) for r in conn.execute(select(audit_log.c.after)))
    assert secret not in logged and "argon2" not in logged


# ---------------------------------------------------------------------------- editing, staleness, moderation

def test_stale_edit_is_refused_and_keeps_the_typed_text(env):
    key = "eu-1007"
    editor = browser(env, "editor")
    form = edit_form(editor, key)  # the editor opens the form at version v …
    typed = {**form, "description": "My long, careful text <with> “quotes” & an ampersand.",
             "city": "Esslingen am Neckar"}
    # … meanwhile a moderator's edit is saved (version v + 1)
    mod = browser(env, "moderator")
    mform = edit_form(mod, key)
    assert mod.post(f"/organisation/{key}/edit", {**mform, "name": "Renamed by moderator"}, csrf=False
                    ).status_code == 302
    before = pending_count(env, "editor")
    r = editor.post(f"/organisation/{key}/edit", typed, csrf=False)
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "changed since you began this edit" in page
    assert "My long, careful text &lt;with&gt; “quotes” &amp; an ampersand." in page  # kept, escaped
    assert 'value="Esslingen am Neckar"' in page
    assert "Renamed by moderator" in page  # the current value is shown beside it
    assert pending_count(env, "editor") == before  # nothing saved
    # a deliberate second save (the re-shown form carries the current version) goes to moderation
    again = edit_form_from_page(page)
    r = editor.post(f"/organisation/{key}/edit", {**typed, **again}, csrf=False)
    assert r.status_code == 302 and pending_count(env, "editor") == before + 1


def edit_form_from_page(page: str) -> dict:
    return {"base_version": re.search(r'name="base_version" type="hidden" value="(\d+)"', page).group(1),
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)}


def test_two_editors_stale_approval_keeps_the_second_text(env):
    key = "eu-1008"
    a, b2 = browser(env, "editor"), browser(env, "editor2")
    fa, fb = edit_form(a, key), edit_form(b2, key)
    assert a.post(f"/organisation/{key}/edit", {**fa, "description": "Text A"}, csrf=False).status_code == 302
    assert b2.post(f"/organisation/{key}/edit", {**fb, "description": "Text B"}, csrf=False).status_code == 302
    revs = {r.fields["description"]: r for r in orgs.revisions_of(key, url=env.url)}
    mod = browser(env, "moderator")
    queue = mod.get("/moderation").get_data(as_text=True)
    assert "Text A" in queue and "Text B" in queue
    assert mod.post(f"/moderation/revision/{revs['Text A'].id}/approve", form_page="/moderation").status_code == 302
    assert orgs.get_organisation(key, url=env.url)["description"] == "Text A"
    r = mod.post(f"/moderation/revision/{revs['Text B'].id}/approve", form_page="/moderation")
    assert r.status_code == 409
    assert "The profile changed since this edit began; the editor's text is kept in the rejected/stale revision" \
        in html.unescape(r.get_data(as_text=True))
    stale = orgs.get_revision(revs["Text B"].id, url=env.url)
    assert stale.status == "rejected" and stale.reason.startswith("Stale") and stale.fields["description"] == "Text B"
    assert orgs.get_organisation(key, url=env.url)["description"] == "Text A"
    # the author sees it and can start again from the kept text
    mine = b2.get("/account/submissions").get_data(as_text=True)
    assert "Stale: the profile changed since this edit began" in mine and f"edit?from={stale.id}" in mine
    again = b2.get(f"/organisation/{key}/edit?from={stale.id}").get_data(as_text=True)
    assert "Text B" in again


def test_reject_needs_a_reason_that_the_author_sees(env):
    rev = orgs.submit_create(env.people["editor2"], org_fields(name="Doubtful cluster"), url=env.url)
    mod = browser(env, "moderator")
    r = mod.post(f"/moderation/revision/{rev.id}/reject", {"reason": "  "}, form_page="/moderation")
    assert r.status_code == 400 and orgs.get_revision(rev.id, url=env.url).status == "pending"
    r = mod.post(f"/moderation/revision/{rev.id}/reject", {"reason": "No such <organisation> found."},
                 form_page="/moderation")
    assert r.status_code == 302 and orgs.get_revision(rev.id, url=env.url).status == "rejected"
    mine = browser(env, "editor2").get("/account/submissions").get_data(as_text=True)
    assert "No such &lt;organisation&gt; found." in mine


def test_claim_then_only_the_owner_edits(env):
    key = "eu-1009"
    owner, other = browser(env, "editor"), browser(env, "editor2")
    r = owner.post(f"/organisation/{key}/claim", {"message": "I run it."})
    assert r.status_code == 302
    assert owner.post(f"/organisation/{key}/claim", {"message": "again"}).status_code == 400  # one pending claim
    (claim,) = [r for r in orgs.revisions_of(key, url=env.url) if r.kind == "claim"]
    mod = browser(env, "moderator")
    assert mod.post(f"/moderation/revision/{claim.id}/approve", form_page="/moderation").status_code == 302
    assert orgs.get_organisation(key, url=env.url)["owner_user_id"] == env.people["editor"].id
    assert bool(orgs.published_organisations(url=env.url).set_index("id").loc[key, "owner"])
    assert other.get(f"/organisation/{key}/edit").status_code == 403
    assert other.get(f"/organisation/{key}/claim").status_code == 200
    assert other.post(f"/organisation/{key}/claim", {"message": "mine!"}).status_code == 400  # already claimed
    assert owner.get(f"/organisation/{key}/edit").status_code == 200


def test_user_text_is_escaped(env):
    mod = browser(env, "moderator")
    r = mod.post("/organisations/new", org_fields(name="<script>alert(1)</script> Cluster",
                                                  website="javascript:alert(1)"))
    assert r.status_code == 400 and "http:// or https://" in r.get_data(as_text=True)
    r = mod.post("/organisations/new", org_fields(name="<script>alert(1)</script> Cluster"))
    assert r.status_code == 302
    key = urlsplit(r.headers["Location"]).path.rsplit("/", 1)[-1]
    page = mod.get(f"/organisation/{key}/edit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_hidden_profile_leaves_the_published_view_and_comes_back(env):
    mod = browser(env, "moderator")
    assert "eu-1010" in set(orgs.published_organisations(url=env.url)["id"])
    assert mod.post("/moderation/organisation/eu-1010/delete", form_page="/moderation").status_code == 302
    assert "eu-1010" not in set(orgs.published_organisations(url=env.url)["id"])
    assert browser(env, "editor").get("/organisation/eu-1010/edit").status_code == 404
    assert mod.post("/moderation/organisation/eu-1010/publish", form_page="/moderation").status_code == 302
    assert "eu-1010" in set(orgs.published_organisations(url=env.url)["id"])


def test_admin_manages_roles_but_not_the_last_admin(env):
    adm = browser(env, "admin")
    target = make_user(f"promote-{time.time_ns()}@example.org", PASSWORD, "editor", env.url)
    assert "promote-" in adm.get("/admin/users").get_data(as_text=True)
    assert adm.post(f"/admin/users/{target.id}/role", {"role": "moderator"}, form_page="/admin/users"
                    ).status_code == 302
    assert accounts.get_user(target.id, url=env.url).role == "moderator"
    r = adm.post(f"/admin/users/{env.people['admin'].id}/role", {"role": "editor"}, form_page="/admin/users")
    assert r.status_code == 400 and "last admin" in r.get_data(as_text=True)
    assert adm.post(f"/admin/users/{target.id}/role", {"role": "superuser"}, form_page="/admin/users"
                    ).status_code == 302  # not a choice: refused by the form, nothing changed
    assert accounts.get_user(target.id, url=env.url).role == "moderator"


# ---------------------------------------------------------------------------- uploads and downloads

def upload(b: Browser, content: bytes, filename: str, title: str = "A study", **meta):
    return b.post("/library/upload", {"title": title, **meta, "file": (io.BytesIO(content), filename)},
                  form_page="/library/upload", content_type="multipart/form-data")


def stored_files(env) -> set[str]:
    return {p.name for p in env.uploads.iterdir()} if env.uploads.exists() else set()


def test_uploads_refused_wrong_type_oversize_traversal(env):
    b = browser(env, "editor")
    before = stored_files(env)
    r = upload(b, b"\x89PNG\r\n\x1a\n" + b"0" * 1000, "picture.pdf")
    assert r.status_code == 400 and "not a PDF" in r.get_data(as_text=True)
    r = upload(b, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "truncated.pdf")  # no trailer
    assert r.status_code == 400 and "damaged or truncated" in r.get_data(as_text=True)
    r = upload(b, pdf_bytes(pad=docs.MAX_BYTES), "big.pdf")  # just over 10 MB: the stream check
    assert r.status_code == 413 and "larger than 10 MB" in r.get_data(as_text=True)
    r = upload(b, pdf_bytes(pad=docs.MAX_BYTES + 200_000), "bigger.pdf")  # the request's length
    assert r.status_code == 413
    for name in ("../../etc/passwd.pdf", "..\\..\\boot.pdf", "/etc/cron.d/x.pdf", ".hidden.pdf", "a\x00b.pdf"):
        r = upload(b, pdf_bytes(), name)
        assert r.status_code == 400 and "file name is not acceptable" in r.get_data(as_text=True), name
    assert stored_files(env) == before  # nothing written, no partial files left
    assert not (env.uploads.parent / "etc").exists()


def test_upload_moderate_search_download(env):
    ed = browser(env, "editor")
    content = pdf_bytes("Automotive strategy")
    r = upload(ed, content, "Strategie Mobilität 2030 (final).pdf", title="Mobility <strategy> 2030",
               abstract="How the Stuttgart region keeps its automotive cluster.", regions="de11;DE12",
               categories="automotive", year="2021")
    assert r.status_code == 302
    (doc,) = [d for d in docs.documents_by(env.people["editor"].id, url=env.url) if d.title.startswith("Mobility")]
    assert doc.status == "pending" and doc.regions == ["DE11", "DE12"]
    assert docs.STORED_RE.match(doc.stored_name) and doc.stored_name in stored_files(env)
    assert (env.uploads / doc.stored_name).read_bytes() == content
    visitor = browser(env)
    assert visitor.get(doc.download_href).status_code == 404  # pending: only its uploader and moderators
    assert ed.get(doc.download_href).status_code == 200
    assert "Mobility" not in visitor.get("/library").get_data(as_text=True)
    mod = browser(env, "moderator")
    assert mod.post(f"/moderation/document/{doc.id}/approve", form_page="/moderation").status_code == 302
    page = visitor.get("/library").get_data(as_text=True)
    assert "Mobility &lt;strategy&gt; 2030" in page and "<strategy>" not in page
    for query in ("q=KEEPS+its", "region=DE11", "region=DE", "category=automotive", "year=2021",
                  "q=mobility&region=DE12&category=automotive&year=2021"):
        assert "Mobility &lt;strategy&gt;" in visitor.get(f"/library?{query}").get_data(as_text=True), query
    for query in ("q=shipbuilding", "region=FR10", "category=textiles", "year=2019"):
        assert "Mobility &lt;strategy&gt;" not in visitor.get(f"/library?{query}").get_data(as_text=True), query
    r = visitor.get(doc.download_href)
    assert r.status_code == 200 and r.data == content
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    disp = r.headers["Content-Disposition"]
    assert disp.startswith("attachment;") and "/" not in disp and ".pdf" in disp
    assert [d.id for d in docs.documents_for(region_id="DE11", url=env.url)] == [doc.id]
    assert [d.id for d in docs.documents_for(category_id="automotive", url=env.url)] == [doc.id]
    assert docs.documents_for(region_id="FR10", url=env.url) == []
    # a moderator deletes it: file and row gone
    assert mod.post(f"/moderation/document/{doc.id}/delete", form_page="/library").status_code == 302
    assert doc.stored_name not in stored_files(env) and visitor.get(doc.download_href).status_code == 404


def test_rejected_upload_shows_the_reason(env):
    ed = browser(env, "editor2")
    assert upload(ed, pdf_bytes(), "x.pdf", title="Not relevant").status_code == 302
    (doc,) = [d for d in docs.documents_by(env.people["editor2"].id, url=env.url) if d.title == "Not relevant"]
    mod = browser(env, "moderator")
    assert mod.post(f"/moderation/document/{doc.id}/reject", {"reason": ""}, form_page="/moderation"
                    ).status_code == 400
    assert mod.post(f"/moderation/document/{doc.id}/reject", {"reason": "Off topic."}, form_page="/moderation"
                    ).status_code == 302
    assert "Off topic." in ed.get("/account/submissions").get_data(as_text=True)


# ---------------------------------------------------------------------------- rate limits

def test_login_rate_limit_answers_429_with_a_message(env):
    b = browser(env)
    codes = [b.login("editor@example.org", "wrong password").status_code for _ in range(10)]
    assert codes == [200] * 10
    r = b.login("editor@example.org", PASSWORD)
    assert r.status_code == 429 and "Too many" in r.get_data(as_text=True)
    assert browser(env).login("editor@example.org", PASSWORD).status_code == 302  # another address is not limited


def test_registration_rate_limit_per_address(env):
    b = browser(env)
    codes = []
    for i in range(6):
        pw = "registration password"
        codes.append(b.post("/account/register", {"email": f"bulk{i}-{time.time_ns()}@example.org", "password": pw,
                                                  "confirm": pw}).status_code)
    assert codes == [200] * 5 + [429]
