"""Region context (the profile's "Performance & Drivers" cards): the serving function on a hand-made
table (ranks within the level and year, gaps, the latest-year fallback), the real build against the
raw files read here independently (DE11, FRF2, California), and the cards the region callback
returns (uploads and custom regions get a note instead)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analytics import config
from analytics.serving import profiles
from conftest import walk_components

# ---------------------------------------------------------------------------- the serving function


def _table() -> pd.DataFrame:
    rows = [  # region, level, indicator, year, value
        ("A", "nuts2", "gdp_pc_pps", 2010, 30000.0), ("A", "nuts2", "gdp_pc_pps", 2012, 33000.0),
        ("B", "nuts2", "gdp_pc_pps", 2010, 40000.0), ("B", "nuts2", "gdp_pc_pps", 2011, 41000.0),
        ("B", "nuts2", "gdp_pc_pps", 2012, 20000.0), ("C", "nuts2", "gdp_pc_pps", 2012, 25000.0),
        ("P", "nuts1", "gdp_pc_pps", 2012, 99000.0),  # another level: never in the NUTS 2 ranks
        ("A", "nuts2", "unemployment", 2012, 4.0), ("B", "nuts2", "unemployment", 2012, 9.5),
        ("C", "nuts2", "unemployment", 2012, 4.0),
        ("A", "nuts2", "patents", 2009, 12.0),
    ]
    return pd.DataFrame(rows, columns=["region_id", "level", "indicator", "year", "value"])


def _card(cards, key):
    return next(c for c in cards if c["key"] == key)


def test_rank_among_the_same_level_in_the_year_and_the_count():
    cards = profiles.region_context(_table(), "eu", "A", 2012)
    gdp = _card(cards, "gdp_pc_pps")
    assert (gdp["value"], gdp["value_year"], gdp["year_note"]) == (33000.0, 2012, None)
    assert (gdp["rank"], gdp["n"], gdp["rank_text"]) == (1, 3, "1st of 3"), "P (NUTS 1, 99,000) is not ranked with A"
    assert gdp["value_text"] == "33,000" and gdp["range_text"] == "30,000 to 33,000" and gdp["source"].startswith("Source: Eurostat, nama_10r_3gdp")
    b = _card(profiles.region_context(_table(), "eu", "B", 2011), "gdp_pc_pps")
    assert (b["rank"], b["n"]) == (1, 1), "2011: B is the only NUTS 2 region with a value"
    # lower is better for unemployment: 1 = lowest, ties share the best rank
    un = _card(cards, "unemployment")
    assert (un["rank"], un["n"], un["rank_text"]) == (1, 3, "1st of 3 (1 = lowest)")
    assert un["value_text"] == "4.0 %"
    assert _card(profiles.region_context(_table(), "eu", "B", 2012), "unemployment")["rank"] == 3


def test_a_missing_year_is_a_gap_never_zero():
    gdp = _card(profiles.region_context(_table(), "eu", "A", 2012), "gdp_pc_pps")
    assert gdp["series"] == {"years": [2010, 2011, 2012], "values": [30000.0, None, 33000.0]}
    c = _card(profiles.region_context(_table(), "eu", "C", 2012), "gdp_pc_pps")
    assert c["series"]["values"] == [None, None, 25000.0], "the series spans every year of the source"


def test_latest_year_fallback_says_its_year():
    cards = profiles.region_context(_table(), "eu", "A", 2011)
    gdp = _card(cards, "gdp_pc_pps")
    assert (gdp["value"], gdp["value_year"]) == (30000.0, 2010)
    assert "2010" in gdp["year_note"] and "none in 2011" in gdp["year_note"]
    assert (gdp["rank"], gdp["n"]) == (2, 2), "ranked in 2010, the year shown"
    pat = _card(profiles.region_context(_table(), "eu", "A", 2015), "patents")
    assert pat["value_year"] == 2009 and pat["year_note"].startswith("2009: the latest year with a value")
    early = _card(profiles.region_context(_table(), "eu", "A", 2005), "patents")
    assert early["value_year"] == 2009 and "no value in 2005 or before" in early["year_note"]


def test_no_rows_no_cards_and_an_indicator_without_value_is_left_out():
    assert profiles.region_context(_table(), "eu", "ZZ", 2012) == []
    keys = [c["key"] for c in profiles.region_context(_table(), "eu", "C", 2012)]
    assert keys == ["gdp_pc_pps", "unemployment"], "C has no patents: no card, not a zero"


def test_indicator_metadata_declared_once():
    for dataset, inds in profiles.CONTEXT_INDICATORS.items():
        keys = [i.key for i in inds]
        assert len(keys) == len(set(keys)), dataset
        assert all(i.source.startswith("Source: ") and i.unit and i.label for i in inds)


# ---------------------------------------------------------------------------- the real build

RAW = config.raw_dir()
needs_raw = pytest.mark.skipif(not RAW.exists(), reason="raw data not present")


@pytest.fixture(scope="module")
def eu(built):
    from analytics.serving.store import get_store

    return get_store("eu")


@pytest.fixture(scope="module")
def us(built):
    from analytics.serving.store import get_store

    return get_store("us")


def _num(cell: str) -> float:
    """A raw Eurostat cell: flags glued or spaced after the number, ':' missing."""
    cell = str(cell).strip()
    head = cell.split(" ")[0].rstrip("bcdepruiz")
    return float(head) if head not in ("", ":") else math.nan


@needs_raw
def test_stuttgart_cards_equal_the_raw_files(eu):
    year = 2015
    cards = {c["key"]: c for c in profiles.region_context(eu.context, "eu", "DE11", year)}
    assert {"gdp_pc_pps", "gdp_growth", "population", "patents", "rd_intensity", "unemployment"} <= set(cards)

    gdp = pd.read_csv(Path(RAW, "eu/gdp_pop_2023download/estat_nama_10r_3gdp.tsv"), dtype=str)
    raw_gdp = _num(gdp[(gdp["geo"] == "DE11") & (gdp["unit"] == "PPS_EU27_2020_HAB")].iloc[0][str(year)])
    assert cards["gdp_pc_pps"]["value"] == raw_gdp == 45500.0 and cards["gdp_pc_pps"]["value_year"] == year

    pop = pd.read_csv(Path(RAW, "eu/gdp_pop_2023download/estat_tgs00096.tsv.gz"), sep="\t", dtype=str)
    pop.columns = [c.strip() for c in pop.columns]
    row = pop[pop.iloc[:, 0].str.endswith(",DE11")].iloc[0]
    assert cards["population"]["value"] == _num(row[str(year)]) == 4008288

    old = pd.read_csv(Path(RAW, "eu/regional_indicators_2007_2018/eu_nuts2_indicators_2007_2018_long.csv"))
    de11 = old[old["NUTS_ID"] == "DE11"].set_index("year")
    assert cards["unemployment"]["value"] == de11.at[year, "unemployment_rate_t"] == 3.3
    assert cards["patents"]["value_year"] == 2012 and cards["patents"]["value"] == pytest.approx(de11.at[2012, "patents"])

    rd = pd.read_csv(Path(RAW, "eu/prosperity_innovation_2026download/eurostat_tgs00042_gerd_rd_expenditure.csv"))
    rd11 = rd[rd["geo"] == "DE11"].set_index("TIME_PERIOD")["OBS_VALUE"]
    assert cards["rd_intensity"]["value"] == rd11[year] == 6.13
    series = dict(zip(cards["rd_intensity"]["series"]["years"], cards["rd_intensity"]["series"]["values"]))
    assert series[2014] is None and 2014 not in rd11.index, "a year the source lacks is a gap, not 0"
    assert all(series[y] == rd11[y] for y in rd11.index)
    for c in cards.values():
        assert c["n"] > 200 and c["rank"] is not None
        assert f"of {c['n']:,}" in c["rank_text"]


@needs_raw
def test_recoding_mapped_codes_only_and_rates_not_averaged(eu):
    ctx = eu.context
    rd = pd.read_csv(Path(RAW, "eu/prosperity_innovation_2026download/eurostat_tgs00042_gerd_rd_expenditure.csv"))
    fr21 = rd[(rd["geo"] == "FR21") & (rd["TIME_PERIOD"] == 2013)]["OBS_VALUE"].iloc[0]
    got = ctx[(ctx["indicator"] == "rd_intensity") & (ctx["region_id"] == "FRF2") & (ctx["year"] == 2013)]["value"]
    assert got.tolist() == [fr21], "FR21 (NUTS 2013) is FRF2 (NUTS 2021): recoded"
    assert ctx[(ctx["indicator"] == "rd_intensity") & ctx["region_id"].isin(["HU11", "HU12"])
               & (ctx["year"] == 2013)].empty, "HU10 was split: no guessed value for HU11/HU12"
    assert not ctx["region_id"].isin(["PT19", "NL35"]).any(), "NUTS 2024 splits are not NUTS 2021 regions"
    rates = ctx[ctx["indicator"].isin(["rd_intensity", "unemployment"])]
    assert set(rates["level"]) == {"nuts2"}, "rates are not averaged from NUTS 2 regions"
    keys = ctx[["region_id", "indicator", "year"]]
    assert not keys.duplicated().any() and ctx["value"].notna().all()
    de = ctx[(ctx["region_id"] == "DE") & (ctx["indicator"] == "population") & (ctx["year"] == 2015)]["value"]
    n2 = ctx[(ctx["indicator"] == "population") & (ctx["year"] == 2015) & ctx["region_id"].str.match(r"^DE..$")]
    assert de.iloc[0] == n2["value"].sum(), "a country's population: the exact sum of its NUTS 2 regions"


@needs_raw
def test_california_cards_equal_the_raw_files(us):
    cards = {c["key"]: c for c in profiles.region_context(us.context, "us", "06", 2011)}
    assert {"gdp_pc_real", "gdp_growth", "population", "patents"} <= set(cards)
    assert "unemployment" not in cards and "rd_intensity" not in cards
    pop = pd.read_csv(Path(RAW, "us/indicators/population/census_popest_state_2000_2011.tsv"), sep="\t", dtype=str)
    ca_pop = float(pop[pop["fips"].str.zfill(2) == "06"]["2011"].iloc[0])
    gdp = pd.read_csv(Path(RAW, "us/indicators/gdp_bea/SAGDP9N__ALL_AREAS_1997_2021.csv"), dtype=str,
                      skipinitialspace=True)
    fips = gdp["GeoFIPS"].str.strip().str.strip('"').str.strip()
    ca = gdp[(fips == "06000") & (gdp["LineCode"].str.strip() == "1")].iloc[0]
    assert cards["population"]["value"] == ca_pop
    assert cards["gdp_pc_real"]["value"] == pytest.approx(float(ca["2011"]) * 1e6 / ca_pop)
    assert cards["gdp_growth"]["value"] == pytest.approx((float(ca["2011"]) / float(ca["2010"]) - 1) * 100)
    pat = pd.read_csv(Path(RAW, "us/indicators/patents_uspto/USPTO_utility_patents_by_county_2000_2015.csv"), dtype=str)
    pat = pat[(pat["FIPS Code"] != "ALL") & (pat["FIPS Code"].str.zfill(5).str[:2] == "06")]
    assert cards["patents"]["value"] == pd.to_numeric(pat["2011"]).sum()
    assert cards["population"]["rank_text"] == "1st of 51"
    assert profiles.context_absent("us", "state").startswith("The US data hold no unemployment rate")


# ---------------------------------------------------------------------------- the page


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if node is None or isinstance(node, (int, float)):
        return ""
    if isinstance(node, (list, tuple)):
        return " ".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


def _context(dataset, region_id, **query):
    from pages.region import ids
    from pages.region.layout import layout

    tree = layout(dataset=dataset, region_id=region_id, **query)
    assert any(getattr(c, "id", None) == ids.INDICATORS for c in walk_components(tree)), "the layout has the cards' slot"
    return next(c.data for c in walk_components(tree) if getattr(c, "id", None) == ids.CONTEXT)


@needs_raw
def test_region_callback_returns_the_context_cards(dash_app):
    from dash import dcc

    from pages.region.callbacks import region_outputs

    out = region_outputs(_context("eu", "DE11"), 2015, 2010, "eco2008", "total")["context_cards"]
    cards = [c for c in walk_components(out) if "context-card" in (getattr(c, "className", "") or "")]
    assert [c.className.split()[-1] for c in cards] == [
        "context-gdp_pc_pps", "context-gdp_growth", "context-population", "context-patents", "context-rd_intensity",
        "context-unemployment"]
    cols = [c for c in out if getattr(c, "xs", None) == 12 and getattr(c, "sm", None) == 6]
    assert len(cols) == 6 and all(c.lg == 4 for c in cols)
    text = _text(out)
    assert "45,500" in text and "4,008,288" in text and "6.13 %" in text and "3.3 %" in text
    assert "2012: the latest year with a value (none in 2015)" in text
    assert "NUTS 2 regions, 2015" in text and "Source: Eurostat, tgs00042" in text
    graphs = [g for g in walk_components(out) if isinstance(g, dcc.Graph)]
    assert len(graphs) == 6
    assert all(g.config["staticPlot"] and g.config["displayModeBar"] is False for g in graphs)
    rd = graphs[4].figure
    assert rd.data[0].connectgaps is False and None in rd.data[0].y and 0 not in rd.data[0].y

    us = region_outputs(_context("us", "06"), 2011, 2006, "us-strong", "traded")["context_cards"]
    assert "Real GDP per capita" in _text(us) and "The US data hold no unemployment rate" in _text(us)


def test_uploads_and_custom_regions_get_a_note(dash_app):
    from analytics.upload.registry import PREFIX
    from pages.region.callbacks import CONTEXT_CUSTOM_NOTE, CONTEXT_UPLOAD_NOTE, context_cards

    up = context_cards({"dataset": PREFIX + "abc", "region_id": "DE11", "level": "nuts2"}, 2015)
    assert _text(up) == CONTEXT_UPLOAD_NOTE and "no GDP" in CONTEXT_UPLOAD_NOTE
    if RAW.exists():
        from pages.region.callbacks import region_outputs

        cr = region_outputs(_context("eu", "custom", creg="Two=DE11+DE12"), 2015, 2010, "eco2008", "total")
        assert _text(cr["context_cards"]) == CONTEXT_CUSTOM_NOTE
