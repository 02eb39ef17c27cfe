"""Submitted organisation profiles are placed and checked like the seed (never guessed):
``analytics.sources.organisations.place`` and ``analytics.content.organisations.clean_fields``.

* a given region id must be a NUTS 2021 level-2 code of the profile's country, or a US state's
  2-digit FIPS code; its name is filled from the official one;
* a European profile without a region id is located from (country, city) by the seed's Locator;
  what that cannot decide stays "region unknown" with the reason;
* category ids must be the project's.
"""
from __future__ import annotations

import inspect
import math

import pytest
from test_content_support import database, make_user

from analytics.content import organisations as orgs
from analytics.sources import organisations as so

PASSWORD = "correct horse battery"


def fields(**over) -> dict:
    base = {"dataset": "eu", "name": "Regensburg Photonics", "country": "DE", "city": "Regensburg"}
    base.update(over)
    return base


def refused(**over) -> dict[str, str]:
    with pytest.raises(orgs.FieldErrors) as err:
        orgs.clean_fields(fields(**over), creating=True)
    return err.value.errors


# ---------------------------------------------------------------------------- place()

def test_a_city_of_the_gazetteer_is_located_like_the_seed(built):
    p = so.place("eu", "DE", "Regensburg")
    assert (p["region_id"], p["region_name"], p["locate_status"]) == ("DE23", "Oberpfalz", "located")
    assert p["locate_method"].startswith('GeoNames place "Regensburg"') and "point in NUTS 2021 DE23" in p["locate_method"]
    assert abs(p["lat"] - 49.0) < 0.1 and abs(p["lon"] - 12.1) < 0.1
    # the seed's rules, cleaning included: a leading postcode is dropped
    assert so.place("eu", "DE", "93053 Regensburg")["locate_method"].endswith('for "Regensburg", point in NUTS 2021 DE23')
    assert so.submission_locator() is so.submission_locator()  # held per raw folder


def test_a_country_name_as_city_stays_region_unknown_with_the_reason(built):
    p = so.place("eu", "DE", "Deutschland")
    assert p["region_id"] is None and p["region_name"] is None and p["locate_status"] == "region unknown"
    assert p["locate_method"] == 'country name "Deutschland": country DE has 38 NUTS 2 regions, so NUTS 2 unknown'
    assert p["lat"] is None and p["lon"] is None


@pytest.mark.parametrize(("country", "city", "reason"), [
    ("UA", "Kyiv", "no NUTS regions for UA"),
    ("DE", "", "no city given"),
    ("", "Regensburg", "no country given, so no region"),
    ("DE", "Elsingore", 'city "Elsingore" not found in GeoNames for DE'),
])
def test_what_cannot_be_located_says_why(built, country, city, reason):
    p = so.place("eu", country, city)
    assert p["locate_status"] == "region unknown" and p["region_id"] is None and p["locate_method"] == reason


def test_a_given_nuts2_code_is_checked_and_named(built):
    p = so.place("eu", "DE", "anywhere", "de23")
    assert (p["region_id"], p["region_name"], p["locate_status"]) == ("DE23", "Oberpfalz", "located")
    assert p["locate_method"] == "given by the organisation (NUTS 2021 DE23)"
    assert so.place("eu", "GR", "", "EL30")["region_name"] == "Attiki"  # ISO GR = NUTS EL
    with pytest.raises(so.PlaceError, match="DE99 is not a NUTS 2021 level-2 region"):
        so.place("eu", "DE", "", "DE99")
    with pytest.raises(so.PlaceError, match=r"DE2 has 7 NUTS 2 regions: DE21, DE22"):
        so.place("eu", "DE", "", "DE2")
    with pytest.raises(so.PlaceError, match="FR10 .* is a region of FR, not of DE"):
        so.place("eu", "DE", "", "FR10")


def test_us_states_are_the_statistics_states(built):
    from analytics.serving.store import get_store

    r = get_store("us").regions
    r = r[r["level"] == "state"]
    assert so.US_STATES == dict(zip(r["region_id"], r["name"]))
    p = so.place("us", "US", "Detroit", "26")
    assert (p["region_id"], p["region_name"], p["locate_status"]) == ("26", "Michigan", "located")
    assert p["locate_method"] == "given by the organisation (US state FIPS 26)"
    assert so.place("us", "US", "", "6")["region_id"] == "06"
    none = so.place("us", "US", "Detroit")
    assert none["locate_status"] == "region unknown" and none["region_id"] is None  # the city is not looked up
    for bad in ("99", "MI", "260"):
        with pytest.raises(so.PlaceError, match="not a US state's FIPS code"):
            so.place("us", "US", "", bad)


# ---------------------------------------------------------------------------- clean_fields()

def test_clean_fields_locates_a_new_european_profile(built):
    out = orgs.clean_fields(fields(), creating=True)
    assert (out["region_id"], out["region_name"], out["locate_status"]) == ("DE23", "Oberpfalz", "located")
    assert out["locate_method"].startswith('GeoNames place "Regensburg"')
    assert not math.isnan(out["lat"]) and not math.isnan(out["lon"])
    typed = orgs.clean_fields(fields(lat="49.02", lon="12.09", region_name="Upper Palatinate"), creating=True)
    assert (typed["lat"], typed["lon"]) == (49.02, 12.09)  # the editor's point is kept
    assert typed["region_name"] == "Oberpfalz"  # the region was found, so is its name


def test_clean_fields_refuses_an_invalid_region_id(built):
    errors = refused(region_id="DE99")
    assert set(errors) == {"region_id"} and "DE99 is not a NUTS 2021 level-2 region" in errors["region_id"]
    assert "not of DE" in refused(region_id="FR10")["region_id"]
    assert "not a US state's FIPS code" in refused(dataset="us", country="US", region_id="DE23")["region_id"]


def test_clean_fields_fills_the_official_name_of_a_given_region(built):
    out = orgs.clean_fields(fields(city="Somewhere unknown", region_id="DE23"), creating=True)
    assert (out["region_name"], out["locate_method"]) == ("Oberpfalz", "given by the organisation (NUTS 2021 DE23)")
    own = orgs.clean_fields(fields(region_id="DE23", region_name="Upper Palatinate"), creating=True)
    assert own["region_name"] == "Upper Palatinate"  # the organisation's own name of its region is kept


def test_a_country_only_city_stays_region_unknown(built):
    out = orgs.clean_fields(fields(city="Deutschland", region_name="Germany"), creating=True)
    assert out["region_id"] is None and out["region_name"] is None and out["locate_status"] == "region unknown"
    assert "38 NUTS 2 regions, so NUTS 2 unknown" in out["locate_method"]


def test_a_us_profile_with_a_state_is_accepted_and_named(built):
    out = orgs.clean_fields({"dataset": "us", "name": "Great Lakes Water", "country": "us", "region_id": "26"},
                            creating=True)
    assert (out["country"], out["region_id"], out["region_name"], out["locate_status"]) == (
        "US", "26", "Michigan", "located")


def test_unknown_categories_are_refused_and_listed(built):
    errors = refused(categories="automotive;optics;digital")
    assert set(errors) == {"categories"}
    assert "not categories of the Observatory: optics, digital" in errors["categories"]
    ok = orgs.clean_fields(fields(categories="automotive, information_technology_and_analytical_instruments"),
                           creating=True)
    assert ok["categories"] == "automotive;information_technology_and_analytical_instruments"
    # an edit may keep an id its profile already has (e.g. from an older build), but not add one
    current = {"dataset": "eu", "categories": "automotive;retired_id", "country": "DE", "city": "Regensburg",
               "region_id": "DE23", "locate_status": "located", "locate_method": "GeoNames place …"}
    kept = orgs.clean_fields({**fields(), "categories": "automotive;retired_id"}, current=current)
    assert kept["categories"] == "automotive;retired_id"
    with pytest.raises(orgs.FieldErrors, match="other_new_id"):
        orgs.clean_fields({**fields(), "categories": "retired_id;other_new_id"}, current=current)


def test_an_edit_keeps_or_redoes_the_locating(built):
    seed = {"dataset": "eu", "name": "Cluster", "country": "DE", "city": "Regensburg", "region_id": "DE23",
            "region_name": "Oberpfalz", "lat": 49.015, "lon": 12.1, "categories": "",
            "locate_status": "located", "locate_method": 'GeoNames place "Regensburg" (id 2849483), point in …'}
    same = orgs.clean_fields({**seed, "description": "new text"}, current=seed)
    assert same["locate_method"] == seed["locate_method"] and same["region_id"] == "DE23"  # kept as it was
    moved = orgs.clean_fields({**seed, "city": "Stuttgart"}, current=seed)  # the form still says DE23
    assert moved["region_id"] == "DE11" and moved["locate_method"].startswith('GeoNames place "Stuttgart"')
    assert abs(moved["lat"] - 48.78) < 0.1  # the old point went with the old city
    given = {**seed, "locate_method": "given by the organisation (NUTS 2021 DE23)"}
    still = orgs.clean_fields({**given, "city": "Amberg"}, current=given)
    assert (still["region_id"], still["locate_method"]) == ("DE23", "given by the organisation (NUTS 2021 DE23)")
    cleared = orgs.clean_fields({**seed, "region_id": "", "region_name": "", "city": "Deutschland"}, current=seed)
    assert cleared["locate_status"] == "region unknown" and cleared["region_id"] is None


def test_no_unlocated_status_is_written():
    assert '"unlocated"' not in inspect.getsource(orgs).replace('a legacy "unlocated"', "")


# ---------------------------------------------------------------------------- through moderation

@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with database("sqlite", tmp_path_factory.mktemp("content-placing")) as u:
        yield u


def test_a_submitted_profile_is_stored_as_placed(built, url, monkeypatch):
    monkeypatch.setenv("CLUSTER_CONTENT_AUTOSEED", "0")
    editor = make_user("placing-editor@example.org", PASSWORD, "editor", url)
    moderator = make_user("placing-moderator@example.org", PASSWORD, "moderator", url)
    rev = orgs.submit_create(editor, fields(), url=url)
    assert rev.fields["region_id"] == "DE23" and rev.fields["locate_status"] == "located"
    assert ("locate_method", None, rev.fields["locate_method"]) in rev.changes()  # the moderator sees how
    org = orgs.get_organisation(orgs.approve(moderator, rev.id, url=url).org_key, url=url)
    assert (org["region_id"], org["region_name"], org["locate_status"]) == ("DE23", "Oberpfalz", "located")
    assert org["locate_method"].startswith('GeoNames place "Regensburg"') and org["lat"] is not None
    unknown = orgs.submit_create(moderator, fields(name="Somewhere Cluster", city="Deutschland"), url=url)
    org2 = orgs.get_organisation(unknown.org_key, url=url)
    assert org2["locate_status"] == "region unknown" and org2["region_id"] is None
    assert "so NUTS 2 unknown" in org2["locate_method"]
    edit = orgs.submit_edit(moderator, org2["key"], {**{k: org2[k] for k in orgs.EDITABLE}, "city": "Regensburg"},
                            org2["version"], url=url)
    assert edit.status == "approved"
    org2 = orgs.get_organisation(org2["key"], url=url)
    assert (org2["region_id"], org2["locate_status"]) == ("DE23", "located")
