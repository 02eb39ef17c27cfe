"""Honest county maps: each region × category cell is published, imputed, incomplete, not
published or no data — counted in the quality report, and told apart on the map (outline,
shades, hover, legend naming the states without county data)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.sources.us.build import cell_kinds


def test_cell_kinds_on_a_hand_made_table():
    # county level, 2017: counties A, B have data (totals rows), C has none; 2 categories x, y.
    #   A×x published, A×y imputed, B×x incomplete (a withheld part missing), B×y absent.
    regions = pd.DataFrame({"region_id": ["A", "B", "C", "S"], "level": ["county"] * 3 + ["state"]})
    categories = pd.DataFrame({"category_id": ["x", "y"]})
    metrics = pd.DataFrame({
        "level": "county", "region_id": ["A", "A", "B"], "year": 2017, "category_id": ["x", "y", "x"],
        "employment": [100.0, 50.0, 30.0], "employment_imputed": [False, True, False], "missing_parts": [0, 0, 1],
    })
    totals = {"county": pd.DataFrame({"region_id": ["A", "B"], "year": [2017, 2017], "total": [1000, 900]})}
    k = cell_kinds(metrics, totals, regions, categories, levels=("county",))["county"][2017]
    assert k == {"published": 1, "imputed": 1, "incomplete": 1, "not published": 1, "no data": 2}
    assert sum(k.values()) == 3 * 2  # every region of the level × every category


@pytest.fixture(scope="module")
def us(dash_app):
    from analytics.serving.store import get_store
    return get_store("us")


def test_quality_report_counts_every_kind_per_year_and_level(us):
    from analytics.serving.quality import cell_kind_table, format_report
    t = cell_kind_table(us.quality).set_index(["level", "year"])
    assert {"state", "county", "ea"} <= set(t.index.get_level_values(0))
    n_cat = len(us.categories)
    n_county = int((us.regions["level"] == "county").sum())
    for year in range(2017, 2022):
        row = t.loc[("county", year)]
        assert row.sum() == n_county * n_cat
        assert row["no data"] >= 1000 * n_cat  # counties of the 12 states + DC without county data
    # 2017 withheld many cells (imputed); 2018+ almost none
    assert t.loc[("county", 2017), "imputed"] > 20 * t.loc[("county", 2019), "imputed"] > 0
    assert t.loc[("state", 2017), "no data"] == n_cat  # DC
    assert "Region × category cells by kind" in format_report(us.quality)
    print("\n" + t.loc["county"].to_string())


def _state(**q):
    from components.routes import MAP
    return MAP.parse({"dataset": "us", "level": "county", "category": "automotive", **q})[0]


def test_imputed_counties_are_outlined_and_say_so_in_hover_and_table(us):
    from components import choropleth as ch
    state = _state(year="2017")
    frame = ch.view_frame(state)
    frame = frame[~frame["custom"]]
    imputed = frame["employment_imputed"].astype("boolean").fillna(False).astype(bool) & frame["value"].notna()
    assert imputed.sum() > 20
    line = ch.trace_update(state)["regions"]["marker"]["line"]
    colours = np.array(line["color"])
    assert (colours == ch.IMPUTED_OUTLINE).sum() == imputed.sum()
    assert (np.array(line["width"])[imputed.to_numpy()] > 1).all()
    custom = ch.trace_update(state)["regions"]["customdata"]
    i = int(np.where(imputed.to_numpy())[0][0])
    assert "imputed (withheld by CBP)" in custom[i][3]
    from pages.map.table import csv_frame, rows
    table = rows(state)
    assert (table["f"] == "imputed (withheld by CBP)").sum() >= imputed.sum() - (table["f"].str.contains(
        "incomplete", na=False)).sum()
    assert csv_frame(state)["employment_imputed"].astype(bool).sum() >= imputed.sum()
    # 2021 withholds (almost) nothing: scalar outline, no arrays in the Patch
    line = ch.trace_update(_state(year="2021"))["regions"]["marker"]["line"]
    assert isinstance(line["color"], str) or (np.array(line["color"]) == ch.IMPUTED_OUTLINE).sum() < 5


def test_not_published_and_no_data_are_told_apart_and_the_missing_states_named(us):
    from components import choropleth as ch
    state = _state(year="2019")
    note = ch.legend_note(state)
    assert "Light sand = not published" in note and "Grey = no data" in note
    for st in ("CA", "TX", "NY", "DC"):
        assert st in note
    assert "python -m analytics download --dataset us --geo county" in note
    frame = ch.view_frame(state)
    frame = frame[~frame["custom"]]
    ca = frame[frame["region_id"].str.startswith("06")]
    assert len(ca) > 50 and not ca["not_published"].any() and ca["value"].isna().all()  # no data, not "not published"
    wa = frame[frame["region_id"].str.startswith("53")]
    assert wa["not_published"].any() and wa["value"].notna().any()
    # the state map names nothing of the kind
    from components.routes import MAP
    assert "--geo county" not in ch.legend_note(MAP.parse({"dataset": "us", "level": "state",
                                                           "category": "automotive"})[0])
