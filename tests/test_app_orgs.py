"""The organisations directory, an organisation's page and the partner search, in the browser and
through their selections: filters reach the table and the address, every setting survives a
reload, partner search from Stuttgart automotive lists organisations outside Germany with reasons,
unknown ids get a message, and no page logs a console error. Screenshots in ``screenshots/``."""
from __future__ import annotations

import io

import pandas as pd

from analytics.serving import organisations as orgs
from conftest import console_errors, grid_rows, open_page, query, shot, wait_for


def _stuttgart_org():
    df = orgs.frame()
    return df[(df["region_id"] == "DE11") & (df["categories"] != "")].iloc[0]


# ---------------------------------------------------------------------------- selections (no browser)

def test_directory_filters_combine_and_unknown_regions_are_listed(built):
    everything = orgs.frame()
    de = orgs.directory(country="DE")
    assert len(de) == (everything["country"] == "DE").sum() > 100
    auto = orgs.directory(country="DE", category="automotive")
    assert 0 < len(auto) < len(de) and auto["categories"].str.split(";").map(lambda c: "automotive" in c).all()
    inside = orgs.directory(region="DE1")  # NUTS 1 takes its NUTS 2 regions
    assert len(inside) and inside["region_id"].str.startswith("DE1").all()
    unknown = orgs.directory(located="no")
    assert len(unknown) and unknown["region_id"].isna().all()
    assert len(orgs.directory(located="yes")) + len(unknown) == len(everything)
    assert set(orgs.directory(dataset="us")["dataset"]) == {"us"}


def test_stuttgart_automotive_partners_are_abroad_ranked_and_explained(built):
    r = orgs.partners(dataset="eu", region_id="DE11", category_id="automotive", limit=20)
    assert len(r) == 20 and "DE" not in set(r["country"])
    assert r["score"].is_monotonic_decreasing
    assert r["reason"].str.len().gt(20).all()
    us = orgs.partners(dataset="eu", region_id="DE11", category_id="automotive", side="us")
    assert len(us) and set(us["dataset"]) == {"us"}  # across the Atlantic
    home = orgs.partners(dataset="eu", region_id="DE11", category_id="automotive", include_same_country=True,
                         limit=None)
    assert "DE" in set(home["country"])


def test_organisation_clusters_give_the_regional_numbers(built):
    from analytics.serving.store import get_store

    org = _stuttgart_org()
    rows = orgs.organisation_clusters(org["id"]).set_index("category_id")
    t = get_store("eu").table("nuts2", 2015)
    for cat, row in rows.iterrows():
        cell = t[(t["region_id"] == "DE11") & (t["category_id"] == cat)].iloc[0]
        assert row["lq"] == cell["lq"] and row["employment"] == cell["employment"] and row["year"] == 2015
    # the text, checked by hand for Stuttgart automotive (ECCP's automotive-bw has no ecosystem in the
    # source, so no category: this is the text any organisation there working in automotive gets)
    cell = t[(t["region_id"] == "DE11") & (t["category_id"] == "automotive")].iloc[0]
    rec = {"category_name": "Automotive", "region_name": "Stuttgart", "region_id": "DE11", "lq": cell["lq"],
           "stars": cell["stars"], "employment": cell["employment"], "year": 2015}
    assert orgs.cluster_text(rec) == "Automotive in Stuttgart: ★★★, LQ 5.17, 160,445 employed, 2015"
    unknown = orgs.frame().query("region_id.isna() and categories != ''", engine="python").iloc[0]
    assert orgs.organisation_clusters(unknown["id"])["text"].str.contains("region unknown").all()


def test_directory_csv_has_the_columns_and_the_source(built):
    from pages.organisations.callbacks import download

    out = download(1, "eu", "DE", None, "automotive", None, None, None, None)
    text = out["content"]
    assert text.startswith("# Source: European Cluster Collaboration Platform")
    df = pd.read_csv(io.StringIO(text), comment="#")
    assert {"id", "name", "country", "region_id", "region_name", "categories", "ecosystem", "city",
            "source"} <= set(df.columns)
    assert len(df) == len(orgs.directory(dataset="eu", country="DE", category="automotive"))


# ---------------------------------------------------------------------------- browser

def test_directory_filters_write_the_address_and_reload(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/organisations?country=DE", "#orgs-grid .ag-row")
    n_de = (orgs.frame()["country"] == "DE").sum()
    wait_for(lambda: len(grid_rows(dash_duo, "orgs-grid")) == n_de, message="German organisations listed")
    assert f"{n_de:,} of" in dash_duo.find_element("#orgs-count").text
    dash_duo.select_dcc_dropdown("#orgs-category", value="Automotive")
    wait_for(lambda: query(dash_duo).get("category") == "automotive", message="category in the address")
    n = len(orgs.directory(country="DE", category="automotive"))
    wait_for(lambda: len(grid_rows(dash_duo, "orgs-grid")) == n, message="filtered rows")
    shot(dash_duo, "organisations_directory")
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#orgs-grid .ag-row", timeout=30)
    wait_for(lambda: len(grid_rows(dash_duo, "orgs-grid")) == n, message="same rows after a reload")
    assert not console_errors(dash_duo)


def test_partner_search_from_stuttgart_automotive(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/partners?dataset=eu&region=DE11&category=automotive", "#partners-grid .ag-row")
    rows = grid_rows(dash_duo, "partners-grid")
    assert len(rows) == 50
    assert all(r["country"] != "DE" for r in rows) and all(r["reason"] for r in rows)
    assert "Stuttgart" in dash_duo.find_element("#partners-summary").text
    shot(dash_duo, "partners_stuttgart_automotive")
    dash_duo.select_dcc_dropdown("#partners-side", value="US only")
    wait_for(lambda: query(dash_duo).get("side") == "us", message="side in the address")
    wait_for(lambda: {r["country"] for r in grid_rows(dash_duo, "partners-grid")} == {"US"}, message="US partners")
    assert not console_errors(dash_duo)


def test_organisation_page_and_unknown_ids(dash_duo, dash_app):
    org = _stuttgart_org()
    open_page(dash_duo, dash_app, f"/organisation/{org['id']}", "#org-clusters .ag-row")
    assert org["name"] in dash_duo.find_element("h1").text
    cells = [r["text"] for r in grid_rows(dash_duo, "org-clusters")]
    assert cells == orgs.organisation_clusters(org["id"])["text"].tolist() and "in Stuttgart: " in cells[0]
    assert len(grid_rows(dash_duo, "org-partners")) > 0
    shot(dash_duo, "organisation_page")
    open_page(dash_duo, dash_app, "/organisation/%3Cb%3Enope%3C%2Fb%3E", "#org-message")
    assert "<b>nope</b>" in dash_duo.find_element("#org-message").text  # shown as text, never as markup
    open_page(dash_duo, dash_app, "/partners?org=nope&limit=7", "#partners-summary")
    assert "org=nope" in dash_duo.find_element(".alert-info").text
    assert not console_errors(dash_duo)


def test_directory_on_a_phone(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/organisations?located=no", "#orgs-grid .ag-row", size="phone")
    shot(dash_duo, "organisations_phone")
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400


# ---------------------------------------------------------------------------- CLI = UI

def test_cli_partners_prints_what_the_page_shows(built):
    from conftest import run_cli

    res = run_cli("partners", "--region", "DE11", "--category", "automotive", "--limit", "20")
    assert res.returncode == 0, res.stderr
    cli = pd.read_csv(io.StringIO(res.stdout))
    assert list(cli.columns[:7]) == ["id", "name", "country", "region_id", "category", "score", "reason"]
    ui = orgs.partners(dataset="eu", region_id="DE11", category_id="automotive", limit=20)
    assert cli["id"].tolist() == ui["id"].tolist() and cli["score"].tolist() == ui["score"].tolist()
    assert cli["reason"].tolist() == ui["reason"].tolist()


def test_cli_partners_and_list_refuse_bad_arguments(built):
    from conftest import run_cli

    for args, msg in ((("partners", "--region", "DE11"), "give --org"),
                      (("partners", "--category", "nope"), "not a category id"),
                      (("partners", "--org", "nope"), "No published organisation"),
                      (("partners", "--category", "automotive", "--limit", "0"), "--limit"),
                      (("organisations", "list", "--region", "ZZ9"), "no organisation is located")):
        res = run_cli(*args)
        assert res.returncode == 2 and msg in res.stderr and "Traceback" not in res.stderr, (args, res.stderr)


def test_cli_list_equals_the_directory(built):
    from conftest import run_cli

    res = run_cli("organisations", "list", "--country", "FR", "--category", "aerospace_vehicles_and_defense")
    assert res.returncode == 0, res.stderr
    cli = pd.read_csv(io.StringIO(res.stdout))
    ui = orgs.directory(country="FR", category="aerospace_vehicles_and_defense")
    assert sorted(cli["id"]) == sorted(ui["id"]) and len(cli) > 0
