"""Collaboration end to end in the real browser (dash_duo, headless Chromium), on a private content
database: register → confirm from the mail → log in → propose a profile (placed from its city)
→ it waits, unpublished → log out → an admin approves it in /moderation → it is in the directory,
on its region's profile and on the map's organisations layer. And a visitor reaches no write:
every write page sends them to the login, every write POST is refused, and nothing changes.

The content database is a temporary SQLite file set as ``CLUSTER_LIBRARY_URL`` before this test's
first database use (the app's forms and the Dash pages read it per request), the mail goes to
``analytics.content.mail.outbox`` (``CLUSTER_MAIL_BACKEND=memory``), and the build's seed is
imported into the empty database on first use, as in production. Afterwards the session's private
library is used again.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from sqlalchemy import func, select
from test_content_support import forget

from analytics.content import accounts, db, mail
from analytics.content import organisations as content_orgs
from analytics.content.models import audit_log, organisations, revisions
from analytics.serving import organisations as orgs
from conftest import console_errors, grid_rows, open_page, shot, wait_for

NAME = "Regensburg Photonics Test Cluster"
EDITOR, ADMIN = "photonics.editor@example.org", "observatory.admin@example.org"
PASSWORD = "a long password for tests 1"
CATEGORIES = "information_technology_and_analytical_instruments;lighting_and_electrical_equipment"
WRITE_PAGES = ["/organisations/new", "/organisation/{key}/edit", "/organisation/{key}/claim", "/moderation",
               "/moderation/revision/{rev}/approve", "/admin/users", "/library/upload", "/account/submissions"]


@pytest.fixture
def content_db(tmp_path, monkeypatch):
    """A private content database and the memory mail backend for this test only."""
    url = f"sqlite:///{tmp_path / 'content.sqlite'}"
    monkeypatch.setenv("CLUSTER_LIBRARY_URL", url)
    monkeypatch.setenv("CLUSTER_MAIL_BACKEND", "memory")
    monkeypatch.delenv("CLUSTER_CONTENT_AUTOSEED", raising=False)
    monkeypatch.delenv("CLUSTER_PUBLIC_URL", raising=False)
    orgs._HELD.clear()  # the façade's frame of another database must not be served (versions may coincide)
    mail.outbox.clear()
    yield url
    orgs._HELD.clear()
    forget(url)
    mail.outbox.clear()


# ---------------------------------------------------------------------------- helpers

def visit(dash_duo, path: str, wait_css: str = "main h1"):
    """Open a server-rendered page (the Flask forms have no Dash entry point)."""
    dash_duo.driver.get(dash_duo.server_url + path)
    return dash_duo.wait_for_element(wait_css, timeout=30)


def here(dash_duo) -> str:
    return urlsplit(dash_duo.driver.current_url).path


def fill(dash_duo, values: dict) -> None:
    for name, value in values.items():
        el = dash_duo.driver.find_element(By.CSS_SELECTOR, f"form [name='{name}']")
        if el.tag_name == "select":
            el.find_element(By.CSS_SELECTOR, f"option[value='{value}']").click()
        else:
            el.clear()
            el.send_keys(value)


def submit(dash_duo, form_css: str = "main form.card") -> None:
    old = dash_duo.driver.find_element(By.CSS_SELECTOR, "body")
    dash_duo.driver.find_element(By.CSS_SELECTOR, f"{form_css} button[type='submit']").click()
    wait_for(lambda: old.id != dash_duo.driver.find_element(By.CSS_SELECTOR, "body").id
             and dash_duo.driver.execute_script("return document.readyState") == "complete", 30,
             message="the next page")


def text(dash_duo) -> str:
    return dash_duo.driver.find_element(By.CSS_SELECTOR, "main").text


def log_in(dash_duo, email: str) -> None:
    visit(dash_duo, "/account/login")
    fill(dash_duo, {"email": email, "password": PASSWORD})
    submit(dash_duo)
    assert f"Logged in as {email}" in text(dash_duo), text(dash_duo)


def log_out(dash_duo) -> None:
    old = dash_duo.driver.find_element(By.CSS_SELECTOR, "body")
    dash_duo.driver.find_element(By.CSS_SELECTOR, "form[action='/account/logout'] button").click()
    wait_for(lambda: old.id != dash_duo.driver.find_element(By.CSS_SELECTOR, "body").id, 30, message="logged out")


def counts(url: str) -> tuple[int, int, int]:
    """Rows of the audit log, the revisions and the organisations."""
    with db.engine(url).connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                     for t in (audit_log, revisions, organisations))


def names_in(rows: list[dict], field: str) -> list[str]:
    """The names of grid rows whose cell is a markdown link ``[name](href)``."""
    return [re.sub(r"^\[(.*)\]\(.*\)$", r"\1", str(r.get(field) or "")).replace("\\", "") for r in rows]


def map_hover(dash_duo) -> list[str]:
    """The hover texts of the map's organisations layer (the trace with ``meta.layer == 'orgs'``)."""
    return dash_duo.driver.execute_script(
        "var g = document.querySelector('#map-graph .js-plotly-plot'); if (!g || !g.data) return null;"
        "var t = g.data.filter(function (d) { return d.meta && d.meta.layer === 'orgs'; })[0];"
        "return t ? (t.hovertext || []) : null;") or []


# ---------------------------------------------------------------------------- a visitor reaches no write

def check_visitor_cannot_write(server: str, url: str, key: str, rev_id: int) -> None:
    before = counts(url)
    s = requests.Session()
    for template in WRITE_PAGES:
        path = template.format(key=key, rev=rev_id)
        r = s.get(server + path, allow_redirects=False, timeout=30)
        if r.status_code == 405:  # a POST-only action: nothing to open
            assert "approve" in path, path
        else:
            assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/account/login", (path, r.status_code)
        r = s.post(server + path, data={"name": "Visitor cluster", "dataset": "eu"}, allow_redirects=False, timeout=30)
        assert r.status_code in (400, 403, 405), ("POST without a token", path, r.status_code)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      s.get(server + "/account/login", timeout=30).text).group(1)
    for template in WRITE_PAGES:  # a visitor's own valid token does not help either
        path = template.format(key=key, rev=rev_id)
        r = s.post(server + path, data={"csrf_token": token, "name": "Visitor cluster", "dataset": "eu",
                                        "role": "admin", "message": "mine"}, allow_redirects=False, timeout=30)
        if r.status_code != 405:
            assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/account/login", (
                "POST with a visitor's token", path, r.status_code)
    assert counts(url) == before  # nothing changed: no audit row, no revision, no profile
    assert content_orgs.get_revision(rev_id, url=url).status == "pending"


# ---------------------------------------------------------------------------- the journey

def test_register_propose_moderate_publish(dash_duo, dash_app, content_db):
    url = content_db
    seed = orgs.frame()  # the first read imports the build's seed into the empty database
    assert len(seed) > 1000 and not (seed["name"] == NAME).any()
    open_page(dash_duo, dash_app, "/organisations?q=Regensburg%20Photonics", "#orgs-count")
    wait_for(lambda: dash_duo.find_element("#orgs-count").text.startswith("0 of"), message="nothing found yet")

    # register → the confirmation mail → confirm → log in
    visit(dash_duo, "/account/register")
    fill(dash_duo, {"email": EDITOR, "password": PASSWORD, "confirm": PASSWORD})
    submit(dash_duo)
    assert "Check your mail" in dash_duo.driver.find_element(By.CSS_SELECTOR, "main h1").text
    (msg,) = [m for m in mail.outbox if m.to == EDITOR]
    link = re.search(r"https?://\S+/account/confirm/\S+", msg.body).group(0)
    visit(dash_duo, urlsplit(link).path)
    assert f"{EDITOR} is confirmed" in text(dash_duo)
    log_in(dash_duo, EDITOR)

    # the form explains how the region is found, and placing happens at submission
    visit(dash_duo, "/organisations/new")
    help_text = dash_duo.driver.find_element(By.ID, "region_id-help").text
    assert "found from the country and city" in help_text
    fill(dash_duo, {"dataset": "eu", "name": NAME, "country": "DE", "city": "Regensburg",
                    "categories": CATEGORIES, "website": "https://photonics-test.example.org",
                    "description": "Lasers, optics and photonics in Eastern Bavaria (test profile)."})
    submit(dash_duo)
    assert here(dash_duo) == "/account/submissions", text(dash_duo)
    assert "waits for a moderator" in text(dash_duo)
    (rev,) = content_orgs.pending_revisions(url=url)
    assert rev.fields["name"] == NAME and rev.fields["region_id"] == "DE23"
    assert rev.fields["locate_status"] == "located" and rev.fields["region_name"] == "Oberpfalz"

    # pending: not published anywhere yet
    assert orgs.directory(text="Regensburg Photonics").empty
    open_page(dash_duo, dash_app, "/organisations?q=Regensburg%20Photonics", "#orgs-count")
    wait_for(lambda: dash_duo.find_element("#orgs-count").text.startswith("0 of"), message="still not listed")
    assert NAME not in names_in(grid_rows(dash_duo, "orgs-grid"), "name_link")
    visit(dash_duo, "/account/submissions")
    log_out(dash_duo)

    # a visitor cannot reach any write, in the browser …
    key = seed.loc[seed["region_id"] == "DE23", "id"].iloc[0]
    for template in WRITE_PAGES:
        path = template.format(key=key, rev=rev.id)
        if "approve" in path:
            continue  # POST only
        dash_duo.driver.get(dash_duo.server_url + path)
        wait_for(lambda: here(dash_duo) == "/account/login", 30, message=f"{path} → login")
    # … nor with a plain client
    check_visitor_cannot_write(dash_duo.server_url, url, key, rev.id)

    # an admin approves it in the moderation queue
    accounts.create_admin(ADMIN, PASSWORD, url=url)
    log_in(dash_duo, ADMIN)
    visit(dash_duo, "/moderation")
    card = dash_duo.driver.find_element(By.XPATH, f"//section[.//h3[contains(., '#{rev.id}')]]")
    assert NAME in card.text and "Oberpfalz" in card.text and "GeoNames place" in card.text
    dash_duo.driver.set_window_size(1400, 900)
    shot(dash_duo, "collaboration_moderation_queue")
    old = dash_duo.driver.find_element(By.CSS_SELECTOR, "body")
    card.find_element(By.CSS_SELECTOR, f"form[action='/moderation/revision/{rev.id}/approve'] button").click()
    wait_for(lambda: old.id != dash_duo.driver.find_element(By.CSS_SELECTOR, "body").id, 30, message="approved")
    assert f"Revision #{rev.id} approved" in text(dash_duo)
    done = content_orgs.get_revision(rev.id, url=url)
    assert done.status == "approved" and done.org_key

    # published: the directory, the profile, the region's page and the map's organisations layer
    open_page(dash_duo, dash_app, "/organisations?q=Regensburg%20Photonics", "#orgs-grid .ag-row")
    wait_for(lambda: names_in(grid_rows(dash_duo, "orgs-grid"), "name_link") == [NAME], message="listed")
    assert dash_duo.find_element("#orgs-count").text.startswith("1 of")

    open_page(dash_duo, dash_app, f"/organisation/{done.org_key}", "h1")
    wait_for(lambda: NAME in dash_duo.find_element("h1").text, message="the profile page")
    shot(dash_duo, "collaboration_approved_profile")

    org = orgs.get(done.org_key)
    assert (org["region_id"], org["region_name"], org["locate_status"]) == ("DE23", "Oberpfalz", "located")
    assert NAME in set(orgs.region_organisations("eu", "DE23")["name"])
    open_page(dash_duo, dash_app, "/region/eu/DE23", "#region-orgs")
    wait_for(lambda: NAME in names_in(grid_rows(dash_duo, "region-orgs-grid"), "organisation"),
             message="listed on the region's page")
    dash_duo.driver.execute_script("document.getElementById('region-orgs').scrollIntoView()")
    shot(dash_duo, "collaboration_region_orgs", top=False)

    de23 = orgs.map_counts("eu", "nuts2").set_index("region_id").loc["DE23"]
    assert NAME in de23["names"] and de23["count"] == len(orgs.region_organisations("eu", "DE23"))
    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&orgs=on", "#map-graph .js-plotly-plot")
    hover = wait_for(lambda: [h for h in map_hover(dash_duo) if "(DE23)" in h], 60, message="the DE23 bubble")
    assert NAME in hover[0] and f"{int(de23['count'])} cluster organisations" in hover[0]
    assert not console_errors(dash_duo)
