"""Callbacks of the category page: top regions (chart and table), LQ map, member industries,
subclusters, related categories and their CSV downloads.

Numbers come from :mod:`analytics.serving.profiles` over ``Store.table`` (cached per level and year,
with the dataset's default star rules and LQ denominator). The map draws regions with data
in the sequential, colour-blind-safe scale and the others in grey (no data).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, ctx, html, no_update

from analytics.serving import profiles
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import get_store
from layouts import ids
from layouts.category_page import MAP_HEIGHT, RELATEDNESS_CREDIT, TOP_CHART_HEIGHT, has_subclusters, related_frame
from layouts.common import graph_config, send_credit_csv
from layouts.map_state import to_query
from layouts.region_page import dataset_ui, level_label, num, records, style_figure

from . import map_figure
from .region_callbacks import STAR_COLOURS, cached_table, empty_figure, url_sync_js

clientside_callback(
    url_sync_js(["year", "level"]),
    Output(ids.CATEGORY_URL_SYNC, "data"),
    Input(ids.CATEGORY_YEAR, "value"), Input(ids.CATEGORY_LEVEL, "value"),
)


def _table_for(store, level, year):
    ui = dataset_ui(store)
    return cached_table(store.dataset, level, year, ui["default_rules"], ui["default_denominator"], None)


def _custom_or_builtin(store, context, level, year):
    """(table, category id in it, name): built-in, or a custom category's rows (``ccat`` in the context)."""
    if context.get("ccat"):
        from .custom_views import custom_rows, parse_category

        ui = dataset_ui(store)
        cc = parse_category(store.dataset, context["ccat"])
        rows = custom_rows(store.dataset, level, year, ui["default_rules"], ui["default_denominator"],
                           ccat=context["ccat"])
        return rows, cc.category_id, cc.name
    category_id = context["category_id"]
    return (_table_for(store, level, year), category_id,
            store.categories.set_index("category_id").at[category_id, "category_name"])


def _members(store, context, category_id, year):
    if context.get("ccat"):
        from .custom_views import member_employment, parse_category

        mem, _ = member_employment(store.dataset, parse_category(store.dataset, context["ccat"]), year)
        return mem[["industry", "industry_name", "employment", "share"]]
    return profiles.member_industries(store.industries, _bench_facts(store), category_id, year)


def _bench_facts(store):
    return store.facts(dataset_ui(store)["benchmark_level"])


def _link(dataset, region_id, name, year):
    return f"[{name}](/region/{dataset}/{region_id}?year={year})"


@callback(
    Output(ids.CATEGORY_TOP_CHART, "figure"),
    Output(ids.CATEGORY_TOP_CHART, "config"),
    Output(ids.CATEGORY_TOP_TABLE, "data"),
    Output(ids.CATEGORY_TOP_TABLE, "columns"),
    Output(ids.CATEGORY_MAP, "figure"),
    Output(ids.CATEGORY_MAP, "config"),
    Output(ids.CATEGORY_MAP_NOTE, "children"),
    Output(ids.CATEGORY_MEMBERS, "data"),
    Output(ids.CATEGORY_MEMBERS, "columns"),
    Input(ids.CATEGORY_YEAR, "value"),
    Input(ids.CATEGORY_LEVEL, "value"),
    State(ids.CATEGORY_CONTEXT, "data"),
)
def update_category(year, level, context):
    store = get_store(context["dataset"])
    category_id = context["category_id"]
    ui = dataset_ui(store)
    table, category_id, name = _custom_or_builtin(store, context, level, year)
    top = profiles.top_regions(table, category_id)
    chart = top_chart(top, name, year, level_label(store, level), ui)
    tdata, tcols = top_rows(top, store.dataset, year, ui)
    fig, note = category_map(store, category_id, level, name, year, context.get("ccat"))
    mem = _members(store, context, category_id, year)
    mcols = [
        {"id": "industry", "name": "Code"},
        {"id": "industry_name", "name": "Industry"},
        {"id": "employment", "name": f"Employment {year} ({ui['employment_unit']})", "type": "numeric",
         "format": num(",.0f")},
        {"id": "share", "name": "Share of the category (%)", "type": "numeric", "format": num(",.1%")},
    ]
    return (chart, graph_config(f"top_regions_{category_id}_{year}"), tdata, tcols,
            fig, graph_config(f"map_{category_id}_{level}_{year}"), note, records(mem), mcols)


# ---------------------------------------------------------------------------- figures and rows


def top_rows(top: pd.DataFrame, dataset: str, year: int, ui: dict):
    df = top.assign(region=[_link(dataset, r, n, year) for r, n in zip(top["region_id"], top["region_name"])])
    cols = [
        {"id": "rank", "name": "Rank", "type": "numeric"},
        {"id": "region", "name": "Region", "presentation": "markdown"},
        {"id": "employment", "name": f"Employment ({ui['employment_unit']})", "type": "numeric",
         "format": num(",.0f")},
        {"id": "lq", "name": "LQ (ratio)", "type": "numeric", "format": num(",.2f")},
        {"id": "size_share", "name": "Share of the category (%)", "type": "numeric", "format": num(",.2%")},
        {"id": "stars_text", "name": "Stars"},
    ]
    return records(df[[c["id"] for c in cols]]), cols


def top_chart(top: pd.DataFrame, name: str, year: int, level_plural: str, ui: dict) -> go.Figure:
    if top.empty:
        return empty_figure(f"No region has employment in {name} in {year}")
    t = top.iloc[::-1]
    stars = t["stars"].fillna(0).astype(int)
    labels = [f"{n} ({r})" for n, r in zip(t["region_name"], t["region_id"])]
    text = [f"LQ {lq:,.2f} {'★' * s}" if pd.notna(lq) else "" for lq, s in zip(t["lq"], stars)]
    fig = go.Figure(go.Bar(
        x=t["employment"], y=labels, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker={"color": [STAR_COLOURS.get(s, "#3b528b") for s in stars]},
        hovertemplate="<b>%{y}</b><br>Employment %{x:,.0f}<br>%{text}<extra></extra>",
    ))
    fig.update_xaxes(title_text=f"Employment in {year} ({ui['employment_unit']})", tickformat=",")
    fig.update_yaxes(title_text=None, automargin=True, tickfont={"size": 11})
    style_figure(fig, height=TOP_CHART_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 90, "t": 30, "b": 50}, showlegend=False,
                      title={"text": f"Top {len(t)} by employment ({level_plural}), {year}",
                             "font": {"size": 13}, "x": 0, "xanchor": "left"})
    return fig


def _bbox(coords) -> tuple[float, float, float, float]:
    arr = np.asarray([pt for ring in coords for pt in ring]) if coords and isinstance(coords[0][0][0], float) \
        else np.asarray([pt for poly in coords for ring in poly for pt in ring])
    return arr[:, 0].min(), arr[:, 1].min(), arr[:, 0].max(), arr[:, 1].max()


def fit_view(geo: dict, height: int, width: int = 1300) -> tuple[dict, float]:
    """Centre and zoom that fit the features into a ``width`` × ``height`` px web-Mercator view,
    leaving out far-away outliers (features whose centre is more than 3.5 median absolute
    deviations from the median, e.g. Alaska, Hawaii or the Canaries) so they do not shrink the map."""
    boxes = np.array([_bbox(f["geometry"]["coordinates"]) for f in geo["features"] if f.get("geometry")])
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    keep = np.ones(len(boxes), dtype=bool)
    for c in (cx, cy):
        mad = max(np.median(np.abs(c - np.median(c))), 1.0)
        keep &= np.abs(c - np.median(c)) <= 3.5 * mad
    b = boxes[keep]
    west, south, east, north = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()

    def merc(lat):
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    # MapLibre tiles are 512 px: at zoom z the world is 512 · 2^z px wide.
    zx = np.log2(width * 360 / (512 * max(east - west, 1e-6)))
    zy = np.log2(height * 2 * np.pi / (512 * max(merc(north) - merc(south), 1e-6)))
    mid = np.degrees(2 * np.arctan(np.exp((merc(north) + merc(south)) / 2)) - np.pi / 2)
    return {"lat": float(mid), "lon": float((west + east) / 2)}, float(min(zx, zy) - 0.25)


def map_state_for(store, category_id: str, level: str, year: int, ccat: str | None = None) -> dict:
    """The map explorer's state showing this category's LQ (dataset default rules and denominator)."""
    ui = dataset_ui(store)
    state = {"dataset": store.dataset, "level": level, "category": category_id, "metric": "lq", "year": year,
             "start_year": None, "rules": ui["default_rules"], "denominator": ui["default_denominator"]}
    if ccat:
        state.update(category="custom", ccat=ccat)
    return state


def category_map(store, category_id: str, level: str, name: str, year: int, ccat: str | None = None):
    """The map explorer's own LQ choropleth (same colour scale, grey no-data band and hover card),
    re-centred to fit this page's map height."""
    state = map_state_for(store, category_id, level, year, ccat)
    fig = map_figure.full_figure(state)
    dom = fig["layout"]["map"].get("domain", {}).get("y", [0, 1])
    center, zoom = fit_view(store.geometry(level), int(MAP_HEIGHT * (dom[1] - dom[0])))
    fig["layout"]["map"].update(center=center, zoom=zoom)
    fig["layout"]["height"] = MAP_HEIGHT
    note = [f"Location quotient of {name}, {level_label(store, level)}, {year} (1 = the same share of employment "
            f"as the benchmark area). {map_figure.legend_note(state)} ",
            html.A("Open in the map explorer", href="/map" + to_query(state))]
    return fig, note


# ---------------------------------------------------------------------------- CSV


def category_csv(kind: str, dataset: str, category_id: str, year: int, level: str, ccat: str | None = None) -> dict:
    """CSV payload for one of the page's tables: kind = top | members | related | subclusters."""
    store = get_store(dataset)
    ui = dataset_ui(store)
    context = {"dataset": dataset, "category_id": category_id, "ccat": ccat}
    table, category_id, name = _custom_or_builtin(store, context, level, year) if ccat or kind == "top" else \
        (None, category_id, store.categories.set_index("category_id").at[category_id, "category_name"])
    credit = ui["source"]
    if ccat and kind not in ("top", "members"):
        raise ValueError(f"no {kind} table for a custom category")
    if kind == "top":
        df = profiles.top_regions(table, category_id)
        df = df.rename(columns={"stars_text": "stars_symbols"})
        df.insert(0, "year", year)
        note = (f"Top regions of {name} ({category_id}) by employment, {level_label(store, level)}, {year}; stars: "
                f"{RULE_SETS[ui['default_rules']].label}; LQ denominator: {ui['default_denominator']}; benchmark "
                f"area: {ui['benchmark_area']}. Cluster Observatory.")
    elif kind == "members":
        df = _members(store, context, category_id, year).copy()
        df.insert(0, "year", year)
        note = (f"Member industries of {name} ({category_id}); employment in {ui['benchmark_area']}, {year} "
                f"({ui['employment_unit']}). Cluster Observatory.")
    elif kind == "related":
        df = related_frame(store, category_id)
        credit = RELATEDNESS_CREDIT
        note = f"Categories related to {name} ({category_id}). Cluster Observatory."
    elif kind == "subclusters" and has_subclusters(store):
        df = profiles.category_subclusters(store.subclusters, category_id)
        credit = "Source: Delgado, Porter & Stern (2016); U.S. Cluster Mapping (http://clustermapping.us)."
        note = f"Subclusters of {name} ({category_id}). Cluster Observatory."
    else:
        raise ValueError(f"unknown table {kind!r}")
    if ccat:
        note += f" Custom category {ccat}."
    fname = category_id.replace(":", "-")
    return send_credit_csv(df, f"{kind}_{dataset}_{fname}_{year}.csv", [credit, note])


_BUTTONS = {ids.CATEGORY_DOWNLOAD_BTN: "top", ids.CATEGORY_MEMBERS_DOWNLOAD_BTN: "members",
            ids.CATEGORY_RELATED_DOWNLOAD_BTN: "related", ids.CATEGORY_SUBCLUSTERS_DOWNLOAD_BTN: "subclusters"}


@callback(
    Output(ids.CATEGORY_DOWNLOAD, "data"),
    Input(ids.CATEGORY_DOWNLOAD_BTN, "n_clicks"),
    Input(ids.CATEGORY_MEMBERS_DOWNLOAD_BTN, "n_clicks"),
    Input(ids.CATEGORY_RELATED_DOWNLOAD_BTN, "n_clicks"),
    State(ids.CATEGORY_YEAR, "value"),
    State(ids.CATEGORY_LEVEL, "value"),
    State(ids.CATEGORY_CONTEXT, "data"),
    prevent_initial_call=True,
)
def download_table(_top, _members, _related, year, level, context):
    kind = _BUTTONS.get(ctx.triggered_id)
    if kind is None:
        return no_update
    return category_csv(kind, context["dataset"], context["category_id"], year, level, context.get("ccat"))


@callback(
    Output(ids.CATEGORY_DOWNLOAD, "data", allow_duplicate=True),
    Input(ids.CATEGORY_SUBCLUSTERS_DOWNLOAD_BTN, "n_clicks"),
    State(ids.CATEGORY_YEAR, "value"),
    State(ids.CATEGORY_LEVEL, "value"),
    State(ids.CATEGORY_CONTEXT, "data"),
    prevent_initial_call=True,
)
def download_subclusters(n_clicks, year, level, context):
    """Separate callback: the subclusters button exists only for datasets that have subclusters."""
    if not n_clicks:
        return no_update
    return category_csv("subclusters", context["dataset"], context["category_id"], year, level)
