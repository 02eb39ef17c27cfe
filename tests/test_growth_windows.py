"""Growth windows respect the series: defaults per continuous series, windows across a break or
from partial-coverage years only when asked for and labelled, the window carried between pages,
and an empty growth view that says why (analytics/metrics/growth.py and the pages using it)."""
from __future__ import annotations

import contextlib
import io
from urllib.parse import parse_qs

import pandas as pd
import pytest

from analytics import cli
from analytics.metrics.growth import default_start, no_growth_reason, start_label, window_note

US = list(range(2000, 2012)) + list(range(2017, 2022))
EU = list(range(2008, 2016))


@pytest.mark.parametrize("year, expected", [
    (2021, 2017), (2018, 2017), (2017, None),  # NAICS 2017 series: 2017 opens it
    (2011, 2003), (2004, 2003), (2003, None),  # 2003–2011 (the benchmark codes bridge NAICS 2002/2007)
    (2002, None), (2001, None), (2000, None),  # partial coverage: never a default, not even inside
])
def test_us_default_start_is_the_first_year_of_the_end_years_series(year, expected):
    assert default_start(US, year, "us") == expected


def test_eu_default_start_is_2008_and_none_for_2008():
    assert [default_start(EU, y, "eu") for y in (2009, 2012, 2015)] == [2008, 2008, 2008]
    assert default_start(EU, 2008, "eu") is None
    # a region whose data start later: the first year it has within the series
    assert default_start([2010, 2011, 2012], 2012, "eu") == 2010


def test_county_data_start_in_2017_so_their_default_is_2017():
    assert default_start(list(range(2017, 2022)), 2020, "us") == 2017


def test_windows_across_a_break_or_from_partial_years_are_labelled():
    assert window_note("us", 2017, 2021) is None and window_note("us", 2003, 2011) is None
    assert window_note("eu", 2008, 2015) is None
    note = window_note("us", 2011, 2017)
    assert "crosses the NAICS 2007→2017 break and the 2012–2016 gap" in note and "cluster totals only" in note
    note = window_note("us", 2000, 2021)
    assert "partial-coverage" in note and "breaks" in note and "2012–2016 gap" in note
    assert "partial-coverage" in window_note("us", 2001, 2002)


def test_start_year_options_mark_partial_years_and_breaks():
    assert start_label("us", 2001, 2021) == "2001 (partial coverage)"
    assert start_label("us", 2011, 2021) == "2011 (across a series break)"
    assert start_label("us", 2017, 2021) == "2017"
    from components.controls import start_year_options
    opts = {o["value"]: o for o in start_year_options(US, 2021, dataset="us")}
    assert opts[2002]["label"] == "2002 (partial coverage)" and not opts[2002]["disabled"]  # on request
    assert opts[2018]["label"] == "2018" and opts[2021]["disabled"]


def test_no_growth_reason_names_the_series():
    assert "first year of its series" in no_growth_reason("us", US, 2017)
    assert "2011 or earlier" in no_growth_reason("us", US, 2017)
    assert "first year of the data" in no_growth_reason("eu", EU, 2008)
    assert "partial" in no_growth_reason("us", US, 2001)
    assert "not before" in no_growth_reason("us", US, 2017, 2019)
    assert "2017 is the default" in no_growth_reason("us", US, 2021)


# ---------------------------------------------------------------------------------------------
# pages (on the build)
# ---------------------------------------------------------------------------------------------
def test_every_page_opens_with_the_series_default(dash_app):
    from components.routes import COMPARE, MAP, REGION
    assert MAP.parse({"dataset": "us", "level": "state", "year": "2021"})[0]["start_year"] == 2017
    assert MAP.parse({"dataset": "us", "level": "state", "year": "2017"})[0]["start_year"] is None
    assert MAP.parse({"dataset": "us", "level": "state", "year": "2008"})[0]["start_year"] == 2003
    assert REGION.parse({"year": "2021"}, {"dataset": "us", "region_id": "26"})[0]["start_year"] == 2017
    assert REGION.parse({"year": "2015"}, {"dataset": "eu", "region_id": "DK01"})[0]["start_year"] == 2008
    assert COMPARE.parse({"dataset": "us", "level": "state", "year": "2019"})[0]["start_year"] == 2017
    # a window across the break is kept when asked for
    assert REGION.parse({"year": "2021", "start_year": "2000"},
                        {"dataset": "us", "region_id": "26"})[0]["start_year"] == 2000


def test_a_click_on_the_map_carries_the_window_to_the_profile(dash_app):
    from components.routes import MAP, REGION
    from pages.map.layout import page_data
    for query, start in (({"year": "2021"}, 2017), ({"year": "2021", "metric": "growth", "start_year": "2018"}, 2018)):
        state = MAP.parse({"dataset": "us", "level": "state", **query})[0]
        page = page_data(state)
        q = {k: v[-1] for k, v in parse_qs(page["region_query"].lstrip("?")).items()}
        assert int(q["start_year"]) == start
        assert REGION.parse(q, {"dataset": "us", "region_id": "26"})[0]["start_year"] == start


def _cli(*argv) -> tuple[pd.DataFrame, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(list(argv)) == 0
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str}), err.getvalue()


def test_michigan_opened_from_the_map_grows_within_2017_2021_as_the_cli_says(dash_app):
    from analytics.serving import views
    from components.routes import REGION
    state = REGION.parse({"year": "2021"}, {"dataset": "us", "region_id": "26"})[0]
    t = views.level_table("us", "state", 2021, state["rules"], state["denominator"], state["start_year"])
    row = t[(t["region_id"] == "26") & (t["category_id"] == "distribution_and_electronic_commerce")].iloc[0]
    df, err = _cli("metrics", "--dataset", "us", "--level", "state", "--year", "2021", "--start-year", "2017",
                   "--category", "distribution_and_electronic_commerce")
    cli_row = df[df["region_id"] == "26"].iloc[0]
    assert row["cagr"] == pytest.approx(cli_row["cagr"], rel=1e-8)
    assert abs(row["cagr"]) < 0.08  # not the +11.8 %/yr of 2000–2021 across both breaks
    assert err == ""  # within one series: no note


def test_cli_notes_a_window_across_the_break_on_stderr(dash_app):
    df, err = _cli("metrics", "--dataset", "us", "--level", "state", "--year", "2017", "--start-year", "2011",
                   "--category", "automotive")
    assert "crosses the NAICS" in err and "cluster totals" in err
    assert df["cagr"].notna().sum() > 40  # computed, because asked for


def test_growth_map_without_a_start_year_says_why_and_draws_no_colour_bar(dash_app):
    from components import choropleth as ch
    from components.routes import MAP
    state = MAP.parse({"dataset": "us", "level": "state", "year": "2017", "metric": "growth",
                       "category": "automotive"})[0]
    assert state["start_year"] is None
    upd = ch.trace_update(state)
    assert upd["regions"]["showscale"] is False
    assert "first year of its series" in upd["message"]
    fig = ch.full_figure(state)
    assert "first year of its series" in fig["layout"]["annotations"][0]["text"]
    assert ch.legend_note(state).startswith("2017 is the first year of its series")
    patch = ch.patch_figure(state).to_plotly_json()
    assert any("annotations" in str(op) for op in patch["operations"])
    # with a start year: values, a colour bar and no message
    ok = MAP.parse({"dataset": "us", "level": "state", "year": "2021", "metric": "growth", "category": "automotive"})[0]
    upd = ch.trace_update(ok)
    assert upd["regions"]["showscale"] is True and upd["message"] == ""
    # across the break, when asked: drawn and labelled
    cross = MAP.parse({"dataset": "us", "level": "state", "year": "2017", "metric": "growth",
                       "category": "automotive", "start_year": "2011"})[0]
    upd = ch.trace_update(cross)
    assert upd["regions"]["showscale"] is True and "crosses the NAICS" in upd["message"]


def test_region_profile_labels_a_window_across_the_break(dash_app):
    from pages.region.callbacks import region_outputs
    context = {"dataset": "us", "region_id": "26", "path_id": "26", "level": "state", "name": "Michigan",
               "creg": None, "ccat": None}
    out = region_outputs(context, 2021, 2003, "us-strong", "traded")
    assert "crosses the NAICS" in str(out["message"])
    out = region_outputs(context, 2021, 2017, "us-strong", "traded")
    assert out["message"] is None
    out = region_outputs(context, 2017, None, "us-strong", "traded")
    assert "first year of its series" in str(out["message"])
