"""Every chart but the maps carries its title (what, where, when, against which benchmark) and its
source inside the figure, exports under a file name that says what it holds, offers the numbers it
draws as CSV, and no chart offers a cloud service.

The CSV tests call the pages' CSV functions for a sample state and compare the rows with numbers
computed here from the store (``Store.table``, ``views``), the heatmap and bars also with the
drawn figure. The config test builds every page's layout in-process (and the configs the chart
callbacks return) and checks each ``dcc.Graph``. The browser test exports one chart per page with
``Plotly.toImage`` at the config's size into ``screenshots/exports/``.
"""
from __future__ import annotations

import base64
import io
import math
import re
import struct

import pandas as pd
import pytest

from conftest import SHOTS, console_errors, open_page, wait_for, walk_components

YEAR, START = 2015, 2010
HOSTILE = "@SUM(A1) <b>Evil</b> & co"  # a spreadsheet formula and plotly markup in a user-given name


def _read(payload: dict) -> tuple[list[str], pd.DataFrame]:
    text = payload["content"]
    head = [line for line in text.splitlines() if line.startswith("#")]
    return head, pd.read_csv(io.StringIO(text), comment="#")


def _store_data(component_tree, store_id: str):
    """The ``data`` of the dcc.Store ``store_id`` in a layout."""
    for c in walk_components(component_tree):
        if getattr(c, "id", None) == store_id:
            return c.data
    raise AssertionError(f"no {store_id} in the layout")


def _title(fig, raw: bool = False) -> str:
    """The figure's title block as read (wrapped lines joined, markup dropped; escapes kept)."""
    layout = fig["layout"] if isinstance(fig, dict) else fig.layout.to_plotly_json()
    text = layout["title"]["text"]
    return text if raw else re.sub(r"<[^>]+>", "", text.replace("<br>", " "))


def _source(fig) -> str:
    layout = fig["layout"] if isinstance(fig, dict) else fig.layout.to_plotly_json()
    notes = [a for a in layout.get("annotations", []) if a.get("name") == "source"]
    assert len(notes) == 1, "one source line inside the figure"
    return notes[0]["text"].replace("<br>", " ")


def _axis_titles(fig) -> list[str]:
    layout = fig.layout.to_plotly_json() if not isinstance(fig, dict) else fig["layout"]
    return [layout[k]["title"]["text"] for k in layout if k.startswith(("xaxis", "yaxis"))
            and layout[k].get("title", {}).get("text")]


def _eu():
    from analytics.serving.store import get_store

    return get_store("eu")


@pytest.fixture(scope="module")
def region_context(dash_app):
    from pages.region import ids
    from pages.region.layout import layout

    return _store_data(layout(dataset="eu", region_id="DE11"), ids.CONTEXT)


@pytest.fixture(scope="module")
def hostile_region_context(dash_app):
    from pages.region import ids
    from pages.region.layout import layout

    return _store_data(layout(dataset="eu", region_id="custom", creg=f"{HOSTILE}=DE11+DE12"), ids.CONTEXT)


# ---------------------------------------------------------------------------- title and source helper


def test_title_and_source_are_escaped_wrapped_and_complete():
    import plotly.graph_objects as go

    from components.figures import add_title_and_source, export_name, style_figure

    fig = style_figure(go.Figure(go.Bar(x=[1], y=[1])))
    before = (fig.layout.margin.t, fig.layout.margin.b)
    source = "Source: " + " ".join(f"word{i}" for i in range(60))  # far longer than one line
    add_title_and_source(fig, "<i>Fashion</i> in Île-de-France, 2015", source, "LQ against <b>EU</b>")
    title = _title(fig)
    assert "<i>" not in _title(fig, raw=True)
    assert "&lt;i&gt;Fashion&lt;/i&gt; in Île-de-France, 2015" in title and "<i>" not in title
    assert "LQ against &lt;b&gt;EU&lt;/b&gt;" in title
    assert _source(fig).split() == source.split(), "the whole source, wrapped, none of it cut"
    assert fig.layout.margin.t > before[0] and fig.layout.margin.b > before[1] + 13 * 2
    assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
    assert export_name("portfolio", "eu", "custom:Øre sund/x", "2010-2015", None) == "portfolio_eu_custom-re-sund-x_2010-2015"
    assert export_name("top_regions", "eu", "automotive", "nuts2", 2015) == "top_regions_eu_automotive_nuts2_2015"


# ---------------------------------------------------------------------------- region profile


def test_region_charts_title_source_units_and_file_names(region_context):
    from pages.region.callbacks import bubble_outputs, region_outputs

    store = _eu()
    source = store.meta["source"]
    out = region_outputs(region_context, YEAR, START, "eco2008", "total")
    t = _title(out["timeline"])
    assert "Stuttgart (DE11)" in t and "2008–2015" in t and "persons employed" in t
    assert " ".join(_source(out["timeline"]).split()) == " ".join(source.split())
    assert any("(persons employed)" in a for a in _axis_titles(out["timeline"]))
    name = out["timeline_config"]["toImageButtonOptions"]["filename"]
    assert name == out["timeline_svg"] == "employment_over_time_eu_DE11_2008-2015"
    for x, axis_unit in (("lq", "(ratio, log scale)"), ("share_change", "(percentage points)")):
        b = bubble_outputs(region_context, YEAR, START, "eco2008", "total", x)
        t = _title(b["figure"])
        assert "Stuttgart (DE11)" in t and f"{START}–{YEAR}" in t
        assert store.meta["benchmark_area"].split(" (")[0] in t and "Region's total employment" in t, "benchmark"
        assert "ECO 2008" in t
        assert " ".join(_source(b["figure"]).split()) == " ".join(source.split())
        axes = _axis_titles(b["figure"])
        assert any(axis_unit in a for a in axes) and any("% per year" in a for a in axes)
        assert b["config"]["toImageButtonOptions"]["filename"] == b["svg"] == f"portfolio_eu_DE11_{START}-{YEAR}_{x}"
    # another state, other names
    b = bubble_outputs(region_context, 2014, 2009, "eco2008", "traded", "lq")
    assert b["svg"] == "portfolio_eu_DE11_2009-2014_lq" and "Traded / local employment" in _title(b["figure"])


def test_region_bubble_csv_is_the_drawn_bubbles(region_context):
    from pages.region.callbacks import bubble_outputs, chart_csv

    store = _eu()
    payload = chart_csv("bubble", region_context, YEAR, START, "eco2008", "total", "lq")
    assert payload["filename"] == f"portfolio_eu_DE11_{START}-{YEAR}_lq.csv"
    head, df = _read(payload)
    assert head[0] == "# " + store.meta["source"]
    assert head[1].startswith("# Cluster portfolio of Stuttgart (DE11)") and "Europe" in head[1]
    # expected: the region's traded categories with employment, a growth and LQ > 0, from the store
    t = store.table("nuts2", YEAR, "eco2008", "total", START)
    t = t[(t["region_id"] == "DE11") & (t["category_type"] == "traded") & (t["employment"] > 0)
          & t["cagr"].notna() & (t["lq"] > 0)].set_index("category_id")
    got = df.set_index("category_id")
    assert set(got.index) == set(t.index) and len(got) == len(t) > 5
    emp, lq = f"employment {YEAR} (persons employed)", f"location quotient {YEAR} (ratio)"
    growth = f"employment growth {START}–{YEAR} (CAGR, % per year)"
    assert {emp, lq, growth} <= set(df.columns)
    pd.testing.assert_series_equal(got[emp].sort_index(), t["employment"].astype(float).sort_index(),
                                   check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(got[lq].sort_index(), t["lq"].astype(float).sort_index(), check_names=False,
                                   rtol=1e-9)
    pd.testing.assert_series_equal(got[growth].sort_index(), (t["cagr"] * 100).astype(float).sort_index(),
                                   check_names=False, rtol=1e-9)
    assert list(df[emp]) == sorted(df[emp], reverse=True), "largest first"
    # and it is what the chart draws: the same points
    fig = bubble_outputs(region_context, YEAR, START, "eco2008", "total", "lq")["figure"]
    drawn = sorted(y for trace in fig.data for y in trace.y)
    assert drawn == pytest.approx(sorted(df[growth]))


def test_region_timeline_csv_is_the_timeline(region_context):
    from analytics.serving import views
    from pages.region.callbacks import chart_csv, region_outputs

    payload = chart_csv("timeline", region_context, YEAR, START, "eco2008", "total")
    head, df = _read(payload)
    assert payload["filename"] == "employment_over_time_eu_DE11_2008-2015.csv"
    assert head[0] == "# " + _eu().meta["source"] and "Employment in Stuttgart (DE11), 2008–2015" in head[1]
    exp = views.region_timeline("eu", "DE11")
    assert df["year"].tolist() == exp["year"].tolist()
    for col in ("total_employment", "traded_employment"):
        pd.testing.assert_series_equal(df[f"{col} (persons employed)"], exp[col].astype(float), check_names=False)
    fig = region_outputs(region_context, YEAR, START, "eco2008", "total")["timeline"]
    assert [v for v in fig.data[0].y if v == v] == pytest.approx(df["total_employment (persons employed)"].dropna().tolist())


def test_hostile_custom_region_name_is_escaped_in_charts_and_neutralised_in_csv(hostile_region_context):
    from pages.region.callbacks import bubble_outputs, chart_csv, region_outputs

    ctx = hostile_region_context
    out = region_outputs(ctx, YEAR, START, "eco2008", "total")
    b = bubble_outputs(ctx, YEAR, START, "eco2008", "total", "lq")
    for fig in (out["timeline"], b["figure"]):
        t = _title(fig)
        assert "&lt;b&gt;Evil&lt;/b&gt; &amp; co (custom region: DE11 + DE12)" in t and "<b>Evil" not in t
    assert b["svg"].startswith("portfolio_eu_custom-") and all(c.isalnum() or c in "_.-" for c in b["svg"])
    for kind in ("timeline", "bubble"):
        _, df = _read(chart_csv(kind, ctx, YEAR, START, "eco2008", "total"))
        assert set(df["region_name"]) == {"'" + HOSTILE}, "formula neutralised"


# ---------------------------------------------------------------------------- category profile


@pytest.fixture(scope="module")
def category_context(dash_app):
    from pages.category import ids
    from pages.category.layout import layout

    return _store_data(layout(dataset="eu", category_id="automotive"), ids.CONTEXT)


def test_top_regions_chart_and_csv(category_context):
    from pages.category.callbacks import category_outputs, top_chart_csv

    store = _eu()
    out = category_outputs(category_context, YEAR, "nuts2", START)
    t = _title(out["chart"])
    assert "Top 20 NUTS 2 regions by employment in Automotive, 2015" in t
    assert "Europe (all NUTS 2" in t and "Region's total employment" in t and "ECO 2008" in t
    assert " ".join(_source(out["chart"]).split()) == " ".join(store.meta["source"].split())
    assert any("(persons employed)" in a for a in _axis_titles(out["chart"]))
    assert out["chart_config"]["toImageButtonOptions"]["filename"] == out["chart_svg"] \
        == "top_regions_eu_automotive_nuts2_2015"
    payload = top_chart_csv(category_context, YEAR, "nuts2", START)
    assert payload["filename"] == "top_regions_eu_automotive_nuts2_2015.csv"
    head, df = _read(payload)
    assert head[0] == "# " + store.meta["source"] and "Top 20 NUTS 2 regions" in head[1]
    tab = store.table("nuts2", YEAR, "eco2008", "total", START)
    exp = tab[(tab["category_id"] == "automotive") & (tab["employment"] > 0)].sort_values(
        ["employment", "region_id"], ascending=[False, True]).head(20)
    assert df["region_id"].tolist() == exp["region_id"].tolist()
    assert df["employment 2015 (persons employed)"].tolist() == pytest.approx(exp["employment"].tolist())
    assert df["location quotient 2015 (ratio)"].tolist() == pytest.approx(exp["lq"].tolist())
    assert df["stars (0-3)"].tolist() == exp["stars"].astype(int).tolist()
    # the bars drawn (bottom to top) are these numbers
    assert list(out["chart"].data[0].x)[::-1] == pytest.approx(df["employment 2015 (persons employed)"].tolist())


def test_top_regions_csv_neutralises_a_hostile_custom_region(dash_app):
    from pages.category import ids
    from pages.category.callbacks import top_chart_csv
    from pages.category.layout import layout

    ctx = _store_data(layout(dataset="eu", category_id="automotive", creg=f"{HOSTILE}=DE11+DE21"), ids.CONTEXT)
    _, df = _read(top_chart_csv(ctx, YEAR, "nuts2", START))
    assert "'" + HOSTILE in set(df["region_name"]) and HOSTILE not in set(df["region_name"])


# ---------------------------------------------------------------------------- compare


COMPARE_CONTEXT = {"dataset": "eu", "level": "nuts2", "url_peers": None, "creg": None, "ccat": None, "cpeers": []}
PEERS = ["DE21", "ITC4"]


def test_compare_charts_titles_and_names(dash_app):
    from pages.compare.callbacks import view_outputs

    out = view_outputs(COMPARE_CONTEXT, PEERS, "DE11", YEAR, START, "eco2008", "total", "automotive", "structure")
    source = " ".join(_eu().meta["source"].split())
    h, b, g = _title(out["heatmap"]), _title(out["bars"]), _title(out["growth"])
    assert "Specialisation of Stuttgart (DE11) and 2 peers (NUTS 2 regions), 2015" in h
    assert "against Europe (all NUTS 2" in h and "Region's total employment" in h
    assert "Employment in Automotive, 2015: Stuttgart (DE11) and 2 peers" in b and "persons employed" in b
    assert "Employment growth in Automotive, 2010–2015" in g and "% per year" in g
    assert "peer group" in b and "peer group" in g, "the benchmark of the bars"
    for k in ("heatmap", "bars", "growth"):
        assert " ".join(_source(out[k]).split()) == source
        assert out[f"{k}_config"]["toImageButtonOptions"]["filename"] == out[f"{k}_svg"]
    assert out["heatmap_svg"] == "peer_heatmap_eu_DE11_nuts2_2015"
    assert out["bars_svg"] == "peer_employment_eu_DE11_automotive_2015"
    assert out["growth_svg"] == "peer_growth_eu_DE11_automotive_2010-2015"
    assert any("(persons employed)" in a for a in _axis_titles(out["bars"]))
    assert any("% per year" in a for a in _axis_titles(out["growth"]))
    assert any("ratio" in a for a in _axis_titles(out["heatmap"]))
    no_start = view_outputs(COMPARE_CONTEXT, PEERS, "DE11", YEAR, None, "eco2008", "total", "all", "structure")
    assert no_start["growth_svg"] == "peer_growth_eu_DE11_all_2015" and "Employment growth in all industries" in \
        _title(no_start["growth"])


def test_compare_chart_csvs_match_the_store_and_the_charts(dash_app):
    from analytics.serving import views
    from pages.compare import figures as pf
    from pages.compare.callbacks import chart_csv, view_outputs

    store = _eu()
    args = (COMPARE_CONTEXT, PEERS, "DE11", YEAR, START, "eco2008", "total", "automotive")
    out = view_outputs(*args[:7], "automotive", "structure")
    t = store.table("nuts2", YEAR, "eco2008", "total", START).set_index(["region_id", "category_id"])
    # heatmap: every cell of the shown categories, LQ and employment from the store
    payload = chart_csv("heatmap", *args)
    assert payload["filename"] == "peer_heatmap_eu_DE11_nuts2_2015.csv"
    head, df = _read(payload)
    assert head[0] == "# " + store.meta["source"] and "Specialisation of Stuttgart (DE11)" in head[1]
    cmp = views.comparison("eu", "nuts2", YEAR, "eco2008", "total", START, "DE11", None, tuple(PEERS))
    cats = pf.heatmap_categories(cmp, "DE11")
    assert df["region_id"].unique().tolist() == ["DE11", *PEERS]
    assert df[df["region_id"] == "DE11"]["category_id"].tolist() == cats
    lq, emp = "location quotient 2015 (ratio)", "employment 2015 (persons employed)"
    for _, row in df.iterrows():
        key = (row["region_id"], row["category_id"])
        if key in t.index:
            assert row[lq] == pytest.approx(float(t.loc[key, "lq"]), nan_ok=True)
            assert row[emp] == pytest.approx(float(t.loc[key, "employment"]), nan_ok=True)
        else:
            assert math.isnan(row[lq]) and math.isnan(row[emp]), "no data stays empty, never 0"
    drawn = [v for line in out["heatmap"].data[0].text for v in line if v]
    assert drawn == [f"{v:.2f}" for v in df[lq].dropna()], "the numbers written in the cells"
    # bars and growth
    _, bars = _read(chart_csv("bars", *args))
    _, growth = _read(chart_csv("growth", *args))
    ids_ = ["DE11", *PEERS]
    assert bars["region_id"].tolist() == growth["region_id"].tolist() == ids_
    assert bars["focal"].tolist() == [True, False, False]
    e = bars["employment in Automotive 2015 (persons employed)"].tolist()
    assert e == pytest.approx([float(t.loc[(r, "automotive"), "employment"]) for r in ids_])
    gcol = "employment growth in Automotive 2010–2015 (CAGR, % per year)"
    assert growth[gcol].tolist() == pytest.approx([float(t.loc[(r, "automotive"), "cagr"]) * 100 for r in ids_])
    assert list(out["bars"].data[0].x) == pytest.approx(e)
    assert list(out["growth"].data[0].x) == pytest.approx(growth[gcol].tolist())


def test_compare_csv_neutralises_a_hostile_custom_focal_region(dash_app):
    from pages.compare import ids
    from pages.compare.callbacks import chart_csv
    from pages.compare.layout import layout

    ctx = _store_data(layout(dataset="eu", level="nuts2", creg=f"{HOSTILE}=DE11+DE12", year=str(YEAR)), ids.CONTEXT)
    for kind in ("heatmap", "bars"):
        payload = chart_csv(kind, ctx, PEERS, None, YEAR, START, "eco2008", "total", "all")
        _, df = _read(payload)
        assert "'" + HOSTILE in set(df["region_name"]), kind
        assert payload["filename"].startswith(("peer_heatmap_eu_custom-", "peer_employment_eu_custom-"))


# ---------------------------------------------------------------------------- no cloud on any chart


PAGE_ARGS = {"region": {"dataset": "eu", "region_id": "DE11"}, "category": {"dataset": "eu", "category_id": "automotive"},
             "organisation": {"org_id": "1"}, "build": {"dataset": "eu"}}


def _graph_configs(dash_app) -> dict[str, list]:
    import dash
    from dash import dcc

    found = {}
    for name, page in dash.page_registry.items():
        layout = page["layout"]
        tree = layout(**PAGE_ARGS.get(name, {})) if callable(layout) else layout
        found[name] = [(g.id, getattr(g, "config", None)) for g in walk_components(tree) if isinstance(g, dcc.Graph)]
    return found


def _no_cloud(config) -> bool:
    """No plotly logo link and no cloud button (or no toolbar at all)."""
    return bool(config) and config.get("displaylogo") is False and (
        config.get("displayModeBar") is False or "sendDataToCloud" in (config.get("modeBarButtonsToRemove") or []))


KNOWN: set[str] = set()  # pages whose graphs are not checked (none)


def test_no_chart_offers_a_cloud_service(dash_app):
    configs = _graph_configs(dash_app)
    assert {"region", "category", "compare", "map"} <= set(configs)
    bad = {page: [(gid, cfg) for gid, cfg in graphs if not _no_cloud(cfg)]
           for page, graphs in configs.items() if page not in KNOWN}
    assert not any(bad.values()), f"graphs without graph_config: {bad}"


def _configs_everywhere(dash_app, region_context, category_context) -> list[dict]:
    from pages.category.callbacks import category_outputs
    from pages.compare.callbacks import view_outputs
    from pages.region.callbacks import bubble_outputs, region_outputs

    found = [cfg for page, graphs in _graph_configs(dash_app).items() if page not in KNOWN for _, cfg in graphs]
    found += [region_outputs(region_context, YEAR, START, "eco2008", "total")["timeline_config"],
              bubble_outputs(region_context, YEAR, START, "eco2008", "total", "lq")["config"]]
    out = category_outputs(category_context, YEAR, "nuts2", START)
    found += [out["chart_config"], out["map_config"]]
    out = view_outputs(COMPARE_CONTEXT, PEERS, "DE11", YEAR, START, "eco2008", "total", "all", "structure")
    return found + [out[f"{k}_config"] for k in ("heatmap", "bars", "growth")]


def test_no_share_chart_button_of_plotly_js_4(dash_app, region_context, category_context):
    for cfg in _configs_everywhere(dash_app, region_context, category_context):
        assert cfg.get("displayModeBar") is False or cfg.get("showSendToCloud") is False \
            or "sendChartToCloud" in cfg.get("modeBarButtonsToRemove", [])


def test_build_page_map_has_no_cloud_service(dash_app):
    graphs = _graph_configs(dash_app)["build"]
    assert graphs and all(_no_cloud(cfg) for _, cfg in graphs)


def test_every_page_is_checked_and_callback_configs_have_no_cloud(dash_app, region_context, category_context):
    configs = _graph_configs(dash_app)
    assert sum(len(v) for v in configs.values()) >= 8, "the charts are found"
    returned = _configs_everywhere(dash_app, region_context, category_context)
    assert all(_no_cloud(c) for c in returned)
    for c in [c for c in returned if c.get("displayModeBar") is not False]:  # a toolbar: its PNG at 1920 × 1080
        opts = c["toImageButtonOptions"]
        assert (opts["width"] * opts["scale"], opts["height"] * opts["scale"]) == (1920, 1080)


# ---------------------------------------------------------------------------- browser: export and look


EXPORT = """var done = arguments[arguments.length - 1];
var host = document.getElementById(arguments[0]);
var gd = host.classList.contains('js-plotly-plot') ? host : host.querySelector('.js-plotly-plot');
var o = gd._context.toImageButtonOptions;
var btn = document.querySelector('.js-svg-download[data-graph="' + arguments[0] + '"]');
Plotly.toImage(gd, {format: 'png', width: o.width, height: o.height, scale: o.scale}).then(function (url) {
    done({url: url, name: o.filename, svg: btn && btn.getAttribute('data-filename'),
          title: gd.layout.title.text, cloud: gd._context.modeBarButtonsToRemove, logo: gd._context.displaylogo});
}, function (e) { done({error: String(e)}); });"""

PAGES = [
    ("/region/eu/DE11?year=2015&start_year=2010", "region-bubble", "portfolio_eu_DE11_2010-2015_lq", "Stuttgart"),
    ("/category/eu/automotive?year=2015&start_year=2010&level=nuts2", "category-top-chart",
     "top_regions_eu_automotive_nuts2_2015", "Automotive"),
    ("/compare?dataset=eu&level=nuts2&region=DE11&year=2015&start_year=2010&peers=DE21,ITC4", "compare-heatmap",
     "peer_heatmap_eu_DE11_nuts2_2015", "Stuttgart"),
]


def test_exported_pngs_carry_title_and_source_at_presentation_size(dash_duo, dash_app):
    out = SHOTS / "exports"
    out.mkdir(parents=True, exist_ok=True)
    for path, graph, name, where in PAGES:
        open_page(dash_duo, dash_app, path, f"#{graph} .main-svg")
        wait_for(lambda g=graph, n=name: dash_duo.driver.execute_script(
            "var h=document.getElementById(arguments[0]); var gd=h.querySelector('.js-plotly-plot');"
            "return gd && gd._context.toImageButtonOptions.filename === arguments[1] && gd.layout.title;", g, n),
            message=f"{graph} drawn with its export name")
        res = dash_duo.driver.execute_async_script(EXPORT, graph)
        assert "error" not in res, res
        assert res["name"] == res["svg"] == name
        assert where in res["title"] and res["logo"] is False and "sendDataToCloud" in res["cloud"]
        png = base64.b64decode(res["url"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1920, 1080), "presentation size"
        (out / f"{name}.png").write_bytes(png)
        assert dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#' + arguments[0] + ' .annotation-text'))"
            ".some(function (t) { return t.textContent.indexOf('Source: Eurostat') === 0; });", graph), "source drawn"
    assert console_errors(dash_duo) == []
