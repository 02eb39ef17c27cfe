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


# ---------------------------------------------------------------------------------------------
# industry-level growth, carried windows, links (issue 10 item 4)
# ---------------------------------------------------------------------------------------------
def test_industry_level_growth_only_within_one_vintage():
    from analytics.metrics.growth import industry_comparable, industry_note, vintage_of
    assert [vintage_of("us", y) for y in (2001, 2005, 2009, 2019)] == ["NAICS 1997", "NAICS 2002", "NAICS 2007",
                                                                      "NAICS 2017"]
    assert vintage_of("eu", 2012) == "NACE Rev. 2" and vintage_of("us", 2014) is None
    assert industry_comparable("us", 2017, 2021) and industry_comparable("us", 2008, 2011)
    assert industry_comparable("eu", 2008, 2015)
    assert not industry_comparable("us", 2003, 2011)  # cluster totals: fine (no window note); industry codes: not
    assert window_note("us", 2003, 2011) is None and "NAICS 2002 and NAICS 2007" in industry_note("us", 2003, 2011)
    assert not industry_comparable("us", 2011, 2017) and not industry_comparable("us", 2001, 2002)
    assert "partial-coverage" in industry_note("us", 2001, 2002)
    assert industry_note("us", 2017, 2021) is None


def test_a_new_end_year_never_carries_a_start_across_a_break():
    from analytics.metrics.growth import carried_start
    assert carried_start("us", US, 2018, 2020) == 2018          # within the series: kept
    assert carried_start("us", US, 2003, 2021) == 2017          # would cross: the new year's default
    assert carried_start("us", US, 2011, 2017) is None          # 2017 opens its series
    assert carried_start("us", US, 2019, 2019) == 2017          # not before the year: the default
    assert carried_start("eu", EU, 2010, 2015) == 2010 and carried_start("eu", EU, None, 2015) == 2008


def test_custom_categories_of_industries_get_no_growth_across_vintages(dash_app):
    from analytics.serving import views
    cars, cat_only = "Cars=naics:3361", "Autos=cat:automotive"

    def custom_cagr(spec, start, year):
        t = views.level_table("us", "state", year, None, None, start, (spec,))
        return t.loc[t["category_id"] == views.parse_category("us", spec).category_id, "cagr"]

    assert custom_cagr(cars, 2008, 2011).notna().sum() > 30        # one vintage (NAICS 2007)
    assert custom_cagr(cars, 2003, 2011).isna().all()              # NAICS 2002 → 2007: not computed
    assert custom_cagr(cars, 2011, 2017).isna().all()              # across the break: never industry-level
    assert custom_cagr(cat_only, 2011, 2017).notna().sum() > 30    # a union of clusters: cluster totals
    notes = views.growth_notes("us", 2003, 2011, (cars,))
    assert len(notes) == 1 and "industry codes" in notes[0]
    assert views.growth_notes("us", 2011, 2017, (cat_only,))[0].startswith("Growth 2011→2017 crosses")
    assert views.growth_notes("us", 2017, 2021, (cars,)) == [] and views.growth_notes("us", None, 2021) == []
    _df, err = _cli("metrics", "--dataset", "us", "--level", "state", "--year", "2011", "--start-year", "2003",
                    "--category", cars)
    assert "industry codes" in err and _df["cagr"].isna().all()


def test_profile_links_carry_the_window(dash_app):
    from pages.region.callbacks import region_outputs
    context = {"dataset": "us", "region_id": "26", "path_id": "26", "level": "state", "name": "Michigan",
               "creg": None, "ccat": None}
    out = region_outputs(context, 2021, 2018, "us-strong", "traded")
    links = [r["category"] for r in out["rows"]]
    assert links and all("year=2021" in h and "start_year=2018" in h for h in links)
    # a county's profile from its state's (counties have 2017–2021): the window goes along
    from analytics.serving.store import get_store
    from pages.region.layout import _children_links
    regions = get_store("us").regions
    kids = regions[regions["parent_id"] == "53"].sort_values("region_id")
    html_links = str(_children_links("us", kids, {"year": 2021, "start_year": 2018}))
    assert "year=2021" in html_links and "start_year=2018" in html_links
    assert "start_year" not in str(_children_links("us", kids, {"year": 2008, "start_year": 2003}))


def test_category_profile_opens_with_the_series_default_and_links_carry_it(dash_app):
    from components.routes import CATEGORY
    from pages.category import ids as cids
    from pages.category.callbacks import category_outputs
    state = CATEGORY.parse({"year": "2021"}, {"dataset": "us", "category_id": "automotive"})[0]
    assert state["start_year"] == 2017
    assert CATEGORY.parse({"year": "2017"}, {"dataset": "us", "category_id": "automotive"})[0]["start_year"] is None
    ctx = {"dataset": "us", "category_id": "automotive", "path_id": "automotive", "name": "Automotive", "ccat": None,
           "creg": None}
    out = category_outputs(ctx, 2021, "state", 2017)
    assert all("year=2021" in r["region"] and "start_year=2017" in r["region"] for r in out["top_rows"])
    assert any(c["field"] == "cagr" and "2017–2021" in c["headerName"] for c in out["top_columns"])
    assert out["growth_note"] is None and "start_year=2017" in out["url"]
    assert "start_year=2017" in str(out["related"])                       # related categories too
    # the year moves to 2017: the start year 2017 cannot stay, and no start across the break is carried
    out = category_outputs(ctx, 2017, "state", 2011, cids.YEAR)
    assert out["start_year"] is None and "first year of its series" in str(out["growth_note"])
    # asked for explicitly (not a year change): kept, computed and labelled
    out = category_outputs(ctx, 2017, "state", 2011)
    assert "crosses the NAICS 2007→2017 break" in str(out["growth_note"])
    assert pd.DataFrame(out["top_rows"])["cagr"].notna().all()


def test_a_new_year_on_a_profile_or_compare_resets_a_start_across_the_break(dash_app):
    from dash import no_update

    from pages.compare import ids as pids
    from pages.compare.callbacks import view_outputs
    from pages.region import ids as rids
    from pages.region.callbacks import region_outputs
    context = {"dataset": "us", "region_id": "26", "path_id": "26", "level": "state", "name": "Michigan",
               "creg": None, "ccat": None}
    assert region_outputs(context, 2021, 2003, "us-strong", "traded", rids.YEAR)["start_year"] == 2017
    assert region_outputs(context, 2020, 2018, "us-strong", "traded", rids.YEAR)["start_year"] is no_update
    assert region_outputs(context, 2021, 2003, "us-strong", "traded", rids.START_YEAR)["start_year"] is no_update
    cctx = {"dataset": "us", "level": "state", "creg": None, "ccat": None}
    out = view_outputs(cctx, [], "26", 2021, 2003, "us-strong", "traded", "all", "structure", pids.YEAR)
    assert out["start_year"] == 2017 and "start_year=2017" in out["url"]
    assert all("start_year=2017" in r["region"] for r in out["region_rows"] if r["region"])
    out = view_outputs(cctx, [], "26", 2017, 2011, "us-strong", "traded", "all", "structure")
    assert "crosses the NAICS" in str(out["message"])


def test_the_map_resets_a_start_across_the_break_when_the_year_changes(dash_app):
    from pages.map import ids as mids
    from pages.map.callbacks import sync_outputs
    current = {"dataset": "us", "level": "state", "category": "automotive", "metric": "growth", "year": "2021",
               "start_year": "2011", "rules": "us-strong", "denominator": "traded", "creg": "", "orgs": False}
    assert sync_outputs(mids.YEAR, current)["start_year"] == "2017"
    from dash import no_update
    assert sync_outputs(mids.YEAR, {**current, "year": "2020", "start_year": "2018"})["start_year"] is no_update


def test_browser_growth_windows_on_the_map_and_the_category_profile(dash_duo, dash_app):
    """In the browser: the empty growth map says why; the category profile opens with the series
    default and a new year that opens its series drops the start year (with the reason shown)."""
    from conftest import console_errors, open_page, query, wait_for
    open_page(dash_duo, dash_app, "/map?dataset=us&level=state&category=automotive&metric=growth&year=2017",
              "#map-graph .js-plotly-plot")
    wait_for(lambda: "first year of its series" in dash_duo.find_element("body").text, message="the growth reason")
    open_page(dash_duo, dash_app, "/category/us/automotive?year=2021&level=state", "#category-top-table")
    dash_duo.wait_for_text_to_equal("#category-start-year .dash-dropdown-value", "2017", timeout=20)
    wait_for(lambda: "Growth 2017–2021" in dash_duo.find_element("#category-top-table").text, message="growth column")
    assert query(dash_duo).get("start_year") == "2017"
    year = dash_duo.find_element("#category-year")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", year)
    year.click()
    option = wait_for(lambda: [o for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")
                               if o.text.strip() == "2017"], message="option 2017")[0]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", option)
    option.click()
    wait_for(lambda: query(dash_duo).get("start_year") == "none", message="URL start_year=none")
    wait_for(lambda: "first year of its series" in dash_duo.find_element("#category-growth-note").text,
             message="the reason on the profile")
    assert console_errors(dash_duo) == []
