"""Callbacks of the region page: key figures, portfolio table, bubble chart, timeline, CSV.

The computations are in :mod:`analytics.serving.profiles`; this module turns their frames into
components and figures. Tables of a level and year are cached per process
(:func:`cached_table`); the chosen settings are written back into the address bar (query
string) without reloading the page, so a copied link restores the view.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, dash_table, html, no_update

from analytics.serving import profiles
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import get_store
from layouts import ids
from layouts.common import datatable_style, fmt_int, fmt_pct, graph_config, send_credit_csv
from layouts.region_page import (BUBBLE_HEIGHT, DENOMINATORS, TIMELINE_HEIGHT, dataset_ui, level_label, num,
                                 per_person, records, style_figure)

# ColorBrewer Blues, light → dark with the star count (told apart by lightness, so colour-blind safe).
STAR_COLOURS = {0: "#c4c4c4", 1: "#9ecae1", 2: "#4292c6", 3: "#08306b"}
STAR_NAMES = {0: "no star", 1: "★", 2: "★★", 3: "★★★"}
MAX_LABELS = 16


@lru_cache(maxsize=48)
def cached_table(dataset: str, level: str, year: int, rules: str, denominator: str,
                 start_year: int | None) -> pd.DataFrame:
    """``Store.table`` cached per process (callers must not modify the frame)."""
    return get_store(dataset).table(level, year, rules, denominator, start_year)


def url_sync_js(keys: list[str]) -> str:
    """Clientside function: write the inputs into the query string with history.replaceState."""
    return """
    function(...args) {
        const keys = %s;
        const p = new URLSearchParams(window.location.search);
        keys.forEach((k, i) => {
            const v = args[i];
            if (v === null || v === undefined || v === '') { p.delete(k); } else { p.set(k, v); }
        });
        const q = p.toString();
        const url = window.location.pathname + (q ? '?' + q : '') + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, '', url);
        }
        return q;
    }
    """ % (repr(keys).replace("'", '"'))


clientside_callback(
    url_sync_js(["year", "start_year", "rules", "denominator"]),
    Output(ids.REGION_URL_SYNC, "data"),
    Input(ids.REGION_YEAR, "value"), Input(ids.REGION_START_YEAR, "value"),
    Input(ids.REGION_RULES, "value"), Input(ids.REGION_DENOMINATOR, "value"),
)


def _query(year, start_year, rules, denominator) -> str:
    q = {"year": year, "start_year": start_year, "rules": rules, "denominator": denominator}
    return "?" + urlencode({k: v for k, v in q.items() if v not in (None, "")})


def _growth_start(year, start_year):
    return start_year if start_year is not None and start_year < year else None


# ---------------------------------------------------------------------------- main view


@callback(
    Output(ids.REGION_MESSAGE, "children"),
    Output(ids.REGION_BODY, "style"),
    Output(ids.REGION_BREADCRUMB, "children"),
    Output(ids.REGION_KEYFIGS, "children"),
    Output(ids.REGION_TABLE, "data"),
    Output(ids.REGION_TABLE, "columns"),
    Output(ids.REGION_TIMELINE, "figure"),
    Output(ids.REGION_DIVERSIFICATION, "children"),
    Output(ids.REGION_START_YEAR, "options"),
    Input(ids.REGION_YEAR, "value"),
    Input(ids.REGION_START_YEAR, "value"),
    Input(ids.REGION_RULES, "value"),
    Input(ids.REGION_DENOMINATOR, "value"),
    State(ids.REGION_CONTEXT, "data"),
)
def update_region(year, start_year, rules, denominator, context):
    if context.get("creg"):
        return update_custom_region(year, start_year, rules, denominator, context)
    store = get_store(context["dataset"])
    region_id = context["region_id"]
    region = profiles.region_row(store.regions, region_id)
    ui = dataset_ui(store)
    level = region["level"]
    have = profiles.years_with_data(store.indicators, region_id)
    start_options = start_year_options(store.years, have, year)
    crumbs = breadcrumb(store, region, _query(year, start_year, rules, denominator))
    timeline = timeline_figure(store, region_id, year, ui)
    if year not in have:
        msg = no_data_message(store, region, year, have, start_year, rules, denominator)
        return msg, {"display": "none"}, crumbs, [], [], [], timeline, None, start_options

    start = _growth_start(year, start_year)
    table = cached_table(store.dataset, level, year, rules, denominator, start)
    gdp = (ui["gdp_column"], ui["gdp_label"], ui["gdp_unit"]) if ui["gdp_column"] else None
    figs = profiles.key_figures(store.indicators, table, region_id, level, year, gdp=gdp,
                                employment_unit=ui["employment_unit"])
    cards = key_figure_cards(figs, level_label(store, level), year, ui)
    pf = profiles.portfolio(table, region_id, RULE_SETS[rules])
    data, columns = portfolio_rows(pf, store.dataset, level, year, start, ui)
    msg = None
    if start_year is not None and start is None:
        msg = dbc_note(f"The start year {start_year} is not before {year}: growth is not shown. "
                       "Pick an earlier start year.")
    div = diversification_table(store, table, region_id, level, year)
    return msg, {}, crumbs, cards, data, columns, timeline, div, start_options


def update_custom_region(year, start_year, rules, denominator, context):
    """The outputs of :func:`update_region` for a custom region: the member level's table with the
    custom region added as one more region (ranks read "would rank k of n")."""
    from callbacks.custom_views import region_with_peers

    store = get_store(context["dataset"])
    ui = dataset_ui(store)
    start = _growth_start(year, start_year)
    table, indicators, _metrics, level, cr = region_with_peers(store.dataset, context["creg"], year, rules,
                                                               denominator, start)
    have = profiles.years_with_data(indicators, cr.region_id)
    start_options = start_year_options(store.years, have, year)
    crumbs = dbc.Breadcrumb(items=[{"label": "Build your own", "href": "/build?" + urlencode(
        {"dataset": store.dataset, "creg": context["creg"]})}, {"label": cr.name, "active": True}],
        className="small mb-1")
    timeline = timeline_figure(store, cr.region_id, year, ui, indicators)
    if year not in have:
        msg = dbc_note(f"The custom region has no complete data in {year} (every member must have data): "
                       f"years with data: {', '.join(map(str, have)) or 'none'}.")
        return msg, {"display": "none"}, crumbs, [], [], [], timeline, None, start_options
    figs = profiles.key_figures(indicators, table, cr.region_id, level, year, gdp=None,
                                employment_unit=ui["employment_unit"])
    for f in figs:
        if f["rank"] is not None:
            f["rank_text"] = "would rank " + f["rank_text"]
    cards = key_figure_cards(figs, level_label(store, level) + " (with this region)", year, ui)
    pf = profiles.portfolio(table, cr.region_id, RULE_SETS[rules])
    data, columns = portfolio_rows(pf, store.dataset, level, year, start, ui)
    div = html.P("Diversification suggestions are given for built-in regions only.", className="small")
    return None, {}, crumbs, cards, data, columns, timeline, div, start_options


def start_year_options(years, have, year) -> list[dict]:
    """Start-year choices: only years before ``year`` in which the region has data."""
    return [{"label": str(y) if y in have else f"{y} (no data)", "value": y, "disabled": y >= year or y not in have}
            for y in years]


def dbc_note(text: str):
    return dbc.Alert(text, color="info", className="py-2 small")


def breadcrumb(store, region: dict, query: str):
    items = [{"label": "Map", "href": f"/map?dataset={store.dataset}&level={region['level']}"}]
    for a in profiles.breadcrumbs(store.regions, region["region_id"]):
        items.append({"label": f"{a['name']} ({a['region_id']})",
                      "href": f"/region/{store.dataset}/{a['region_id']}{query}"})
    items.append({"label": region["name"], "active": True})
    return dbc.Breadcrumb(items=items, className="small mb-1")


def no_data_message(store, region, year, have, start_year, rules, denominator):
    if not have:
        body = [html.P("There are no employment data for this region in any year of the dataset "
                       "(see the data-quality report on the methodology page).")]
    else:
        links = []
        for y in have:
            if links:
                links.append(", ")
            q = _query(y, start_year if start_year is not None and start_year < y else None, rules, denominator)
            links.append(html.A(str(y), href=f"/region/{store.dataset}/{region['region_id']}{q}"))
        body = [html.P(["Years with data: "] + links + ["."])]
    return dbc.Alert([html.H4(f"No data for {region['name']} in {year}", className="alert-heading h5")] + body
                     + [html.A("Data-quality report", href="/methodology#quality", className="alert-link")],
                     color="warning")


def key_figure_cards(figs: list[dict], level_plural: str, year: int, ui: dict):
    cards = []
    for f in figs:
        v = f["value"]
        if f["kind"] == "pct":
            shown = fmt_pct(v)
        elif f["kind"] == "money":
            shown = fmt_int(v)
        else:
            shown = fmt_int(v)
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div(f["label"], className="text-uppercase small text-muted fw-semibold"),
            html.Div(shown, className="fs-3 fw-bold text-primary lh-sm"),
            html.Div(f["unit"], className="small text-muted"),
            html.Div([html.Span(f["rank_text"], className="badge bg-info me-1 keyfig-rank"),
                      html.Span(f"{level_plural}, {year}", className="small text-muted")]
                     if f["rank"] is not None else html.Span("not ranked (no value)", className="small text-muted"),
                     className="mt-2"),
        ]), className="h-100 shadow-sm"), xs=12, sm=6, lg=3))
    cards.append(dbc.Col(html.Small(
        "Ranks: 1 = highest, among the regions of the same level with a value in the year; "
        f"employment and GDP per capita are of {year}. "
        "Cluster strength and starred clusters follow the chosen star rules and LQ denominator.",
        className="text-muted"), xs=12))
    return cards


def portfolio_rows(pf: pd.DataFrame, dataset: str, level: str, year: int, start, ui: dict):
    df = pf.copy()
    df["category"] = [f"[{n}](/category/{dataset}/{c}?year={year}&level={level})"
                      for c, n in zip(df["category_id"], df["category_name"])]
    growth_name = f"Growth {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    cur = ui["currency"]
    columns = [
        {"id": "category", "name": "Category", "presentation": "markdown"},
        {"id": "category_type", "name": "Type"},
        {"id": "stars_text", "name": "Stars"},
        {"id": "criteria", "name": "Criteria met (value vs threshold)"},
        {"id": "employment", "name": f"Employment ({ui['employment_unit']})", "type": "numeric",
         "format": num(",.0f")},
        {"id": "lq", "name": "LQ (ratio)", "type": "numeric", "format": num(",.2f")},
        {"id": "focus", "name": "Focus (% of the region's employment)", "type": "numeric", "format": num(",.1%")},
        {"id": "size_share", "name": f"Size (% of the category's employment in {ui['label']})",
         "type": "numeric", "format": num(",.2%")},
        {"id": "avg_wage", "name": f"Average wage ({cur} per {per_person(ui['employment_unit'])} per year)",
         "type": "numeric", "format": num(",.0f")},
        {"id": "cagr", "name": growth_name, "type": "numeric", "format": num("+,.1%")},
        {"id": "flags", "name": "Data flags"},
    ]
    keep = [c["id"] for c in columns]
    return records(df[keep]), columns


def diversification_table(store, table, region_id, level, year):
    div = profiles.diversification_opportunities(store.related, table, region_id)
    if div.empty:
        return html.P("No suggestions: the region has no starred traded category in this year under these rules, "
                      "or none of them has strongly related categories in the data.", className="small")
    div["category"] = [f"[{n}](/category/{store.dataset}/{c}?year={year}&level={level})"
                       for c, n in zip(div["category_id"], div["category_name"])]
    columns = [
        {"id": "category", "name": "Category", "presentation": "markdown"},
        {"id": "density", "name": "Relatedness density (0–100)", "type": "numeric", "format": num(",.1f")},
        {"id": "related_to", "name": "Related to the region's starred categories"},
        {"id": "lq", "name": "LQ (ratio)", "type": "numeric", "format": num(",.2f")},
        {"id": "employment", "name": f"Employment ({dataset_ui(store)['employment_unit']})", "type": "numeric",
         "format": num(",.0f")},
    ]
    return dash_table.DataTable(data=records(div[[c["id"] for c in columns]]), columns=columns,
                                sort_action="native", markdown_options={"link_target": "_self"},
                                **datatable_style(style_cell_conditional=[
                                    {"if": {"column_id": "related_to"}, "minWidth": "280px"}]))


# ---------------------------------------------------------------------------- charts


def timeline_figure(store, region_id, year, ui, indicators=None) -> go.Figure:
    t = profiles.employment_timeline(store.indicators if indicators is None else indicators, region_id)
    fig = go.Figure()
    for col, name, colour in (("total_employment", "Total", "#2c3e50"), ("traded_employment", "Traded", "#18a58c")):
        fig.add_trace(go.Scatter(x=t["year"], y=t[col], name=name, mode="lines+markers",
                                 line={"color": colour, "width": 2}, connectgaps=False,
                                 hovertemplate="%{x}: %{y:,.0f}<extra>" + name + "</extra>"))
    if year in set(t["year"]):
        fig.add_vline(x=year, line={"dash": "dot", "color": "#7b8a8b"})
    span = int(t["year"].max() - t["year"].min())
    fig.update_xaxes(title_text="Year", dtick=1 if span <= 12 else (2 if span <= 24 else 5), tickformat="d")
    fig.update_yaxes(title_text=f"Employment ({ui['employment_unit']})", rangemode="tozero", tickformat=",")
    style_figure(fig, height=TIMELINE_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "y": 1.08, "x": 0}, margin={"t": 30})
    return fig


def empty_figure(text: str, height: int = 420) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#7b8a8b"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, height=height)


@callback(
    Output(ids.REGION_BUBBLE, "figure"),
    Output(ids.REGION_BUBBLE_NOTE, "children"),
    Output(ids.REGION_BUBBLE, "config"),
    Input(ids.REGION_YEAR, "value"),
    Input(ids.REGION_START_YEAR, "value"),
    Input(ids.REGION_RULES, "value"),
    Input(ids.REGION_DENOMINATOR, "value"),
    Input(ids.REGION_BUBBLE_X, "value"),
    State(ids.REGION_CONTEXT, "data"),
)
def update_bubble(year, start_year, rules, denominator, x, context):
    store = get_store(context["dataset"])
    region_id = context["region_id"]
    ui = dataset_ui(store)
    config = graph_config(f"portfolio_{region_id}_{year}")
    start = _growth_start(year, start_year)
    if context.get("creg"):  # a custom region: growth from region_metrics in the two years
        from callbacks.custom_views import region_with_peers

        if start is None:
            return empty_figure("Pick a start year before the year to see growth", BUBBLE_HEIGHT), None, config
        table, indicators, metrics, level, cr = region_with_peers(store.dataset, context["creg"], year, rules,
                                                                  denominator, start)
        region, region_id = {"level": level}, cr.region_id
    else:
        region = profiles.region_row(store.regions, region_id)
        indicators, metrics = store.indicators, None
    if year not in profiles.years_with_data(indicators, region_id):
        return empty_figure(f"No data in {year}", BUBBLE_HEIGHT), None, config
    if start is None:
        return empty_figure("Pick a start year before the year to see growth", BUBBLE_HEIGHT), None, config
    if metrics is None:
        table = cached_table(store.dataset, region["level"], year, rules, denominator, start)
        metrics = store.level_metrics(region["level"])
    frame = profiles.bubble_frame(table, metrics, region_id, start, store.categories)
    bench = profiles.benchmark_growth(store.indicators, region["level"], start, year)
    fig, n_out = bubble_figure(frame, x, bench, start, year, ui)
    note = [
        "Traded categories only: local categories serve the regional market and are present everywhere in "
        "proportion to population, so they are left out. ",
        f"Bubble area ∝ employment in {year}; colour = stars ({RULE_SETS[rules].label}); labels on the starred "
        f"and the ten largest categories, at most {MAX_LABELS} (hover for any bubble). "
        f"Dotted line: growth of traded employment in {ui['label']}, summed over the regions with data in "
        f"both {start} and {year}: {round(bench * 100, 1) + 0.0:+,.1f} % per year. ",
        (f"{n_out} categor{'y' if n_out == 1 else 'ies'} without employment data in {start} (growth unknown) "
         "not shown." if n_out else ""),
    ]
    return fig, note, config


def place_labels(px: np.ndarray, py: np.ndarray, radius: np.ndarray, labels: list[str],
                 char_w: float = 6.4, line_h: float = 14.0, size: tuple[float, float] | None = None) -> list[str]:
    """Greedy label placement in pixel space: for each labelled bubble (largest first) take the
    first of above / below / right / left whose box hits no placed label and no other bubble,
    else the least-overlapping one. Returns a plotly ``textposition`` per point."""
    boxes: list[tuple[float, float, float, float]] = []
    circles = [(px[i] - radius[i], py[i] - radius[i], px[i] + radius[i], py[i] + radius[i]) for i in range(len(px))]

    def overlap(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    out = ["top center"] * len(px)
    for i in sorted(range(len(px)), key=lambda k: -radius[k]):
        if not labels[i]:
            continue
        w, r, x, y = len(labels[i]) * char_w, radius[i], px[i], py[i]
        cands = {
            "top center": (x - w / 2, y - r - 3 - line_h, x + w / 2, y - r - 3),
            "bottom center": (x - w / 2, y + r + 3, x + w / 2, y + r + 3 + line_h),
            "middle right": (x + r + 3, y - line_h / 2, x + r + 3 + w, y + line_h / 2),
            "middle left": (x - r - 3 - w, y - line_h / 2, x - r - 3, y + line_h / 2),
        }
        best, best_cost = "top center", None
        for pos, box in cands.items():
            cost = sum(overlap(box, o) for o in boxes) * 2 + sum(
                overlap(box, c) for j, c in enumerate(circles) if j != i)
            if size is not None:  # a label running off the plot area is cut: count the part outside
                area = (box[2] - box[0]) * (box[3] - box[1])
                cost += 3 * (area - overlap(box, (0, 0, size[0], size[1])))
            if best_cost is None or cost < best_cost:
                best, best_cost = pos, cost
            if cost == 0:
                break
        out[i] = best
        boxes.append(cands[best])
    return out


def bubble_figure(frame: pd.DataFrame, x: str, bench: float, start: int, year: int, ui: dict,
                  plot_px: tuple[int, int] = (1250, 440)):
    """The portfolio bubble chart; ``plot_px`` is the nominal plot-area size used to place labels."""
    f = frame.dropna(subset=["cagr"])
    if x == "lq":
        f = f[f["lq"] > 0]
    n_out = len(frame) - len(f)
    f = f.assign(growth=f["cagr"] * 100).reset_index(drop=True)
    fig = go.Figure()
    if f.empty:
        return empty_figure("No traded category with employment in both years", BUBBLE_HEIGHT), n_out
    max_d = 60.0
    sizeref = 2.0 * f["employment"].max() / (max_d ** 2)
    xcol = "lq" if x == "lq" else "share_change"
    xv = np.log10(f["lq"]) if x == "lq" else f["share_change"]
    # Explicit ranges (with room for the bubbles) make the pixel positions, and so the label
    # placement, predictable.
    xr = [xv.min(), xv.max()]
    yr = [f["growth"].min(), f["growth"].max()]
    if x == "lq":
        xr = [min(xr[0], -0.1), max(xr[1], 0.1)]
    if bench is not None and not np.isnan(bench):
        yr = [min(yr[0], bench * 100), max(yr[1], bench * 100)]
    xpad, ypad = (xr[1] - xr[0] or 1) * 0.08, (yr[1] - yr[0] or 1)
    xr, yr = [xr[0] - xpad, xr[1] + xpad], [yr[0] - ypad * 0.1, yr[1] + ypad * 0.18]
    w, h = plot_px
    px = (xv - xr[0]) / (xr[1] - xr[0]) * w
    py = (yr[1] - f["growth"]) / (yr[1] - yr[0]) * h
    radius = max_d / 2 * np.sqrt(f["employment"] / f["employment"].max())
    # Labels: the starred and the ten largest categories, at most MAX_LABELS (the largest of them).
    rank = f["employment"].rank(ascending=False, method="first")
    candidate = (rank <= 10) | (f["stars"] > 0)
    keep = candidate & (f["employment"].where(candidate).rank(ascending=False, method="first") <= MAX_LABELS)
    f["text"] = np.where(keep, f["label"], "")
    f["pos"] = place_labels(px.to_numpy(), py.to_numpy(), radius.to_numpy(), f["text"].tolist(), size=(w, h))
    for s in sorted(f["stars"].unique()):
        g = f[f["stars"] == s]
        fig.add_trace(go.Scatter(
            x=g[xcol], y=g["growth"], mode="markers+text", name=STAR_NAMES.get(s, str(s)),
            text=g["text"], textposition=g["pos"], textfont={"size": 11, "color": "#2c3e50"},
            marker={"size": g["employment"], "sizemode": "area", "sizeref": sizeref, "sizemin": 5,
                    "color": STAR_COLOURS.get(s, "#3b528b"), "opacity": 0.8, "line": {"width": 1, "color": "white"}},
            customdata=np.stack([g["category_name"], g["employment"], g["lq"], g["share_change"]], axis=-1),
            hovertemplate=("<b>%{customdata[0]}</b><br>Employment %{customdata[1]:,.0f}"
                           "<br>LQ %{customdata[2]:.2f}<br>Change in share %{customdata[3]:+.3f} pp"
                           "<br>Growth %{y:+.1f} % per year<extra>" + STAR_NAMES.get(s, "") + "</extra>"),
        ))
    line = {"dash": "dash", "color": "#7b8a8b", "width": 1}
    if x == "lq":
        fig.add_vline(x=1, line=line)
        # On a log axis annotations take log10 coordinates.
        fig.add_annotation(x=0, y=0, yref="paper", text=" LQ = 1", showarrow=False, xanchor="left",
                           yanchor="bottom", font={"size": 11, "color": "#7b8a8b"})
        lo, hi = 10 ** xr[0], 10 ** xr[1]
        ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if lo <= t <= hi]
        fig.update_xaxes(type="log", range=xr, tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
                         title_text=f"Location quotient in {year} (ratio, log scale)")
    else:
        fig.add_vline(x=0, line=line)
        fig.update_xaxes(range=xr, zeroline=False, ticksuffix=" pp",
                         title_text=f"Change in the region's share of the category's employment in "
                                    f"{ui['label']}, {start}–{year} (percentage points)")
    if bench is not None and not np.isnan(bench):
        fig.add_hline(y=bench * 100, line={"dash": "dot", "color": "#b35806", "width": 1.5},
                      annotation_text=f"benchmark growth {round(bench * 100, 1) + 0.0:+.1f} % per year",
                      annotation_position="bottom left", annotation_font_size=11, annotation_font_color="#b35806")
    fig.update_yaxes(range=yr, title_text=f"Employment growth {start}–{year} (CAGR, % per year)", ticksuffix=" %",
                     zeroline=True, zerolinecolor="#d0d7de")
    style_figure(fig, height=BUBBLE_HEIGHT, legend_title="Stars")
    fig.update_layout(legend={"orientation": "h", "y": 1.06, "x": 0}, margin={"t": 40})
    return fig, n_out


# ---------------------------------------------------------------------------- CSV


def portfolio_csv(dataset: str, region_id: str, year: int, start_year, rules: str, denominator: str,
                  creg: str | None = None) -> dict:
    """The portfolio as a ``dcc.Download`` payload: line 1 the source credit, line 2 the settings."""
    store = get_store(dataset)
    ui = dataset_ui(store)
    start = _growth_start(year, start_year)
    if creg:  # a custom region
        from callbacks.custom_views import region_with_peers

        table, _ind, _m, level, cr = region_with_peers(dataset, creg, year, rules, denominator, start)
        region = {"name": cr.name, "level": level}
        region_id = cr.region_id
    else:
        region = profiles.region_row(store.regions, region_id)
        table = cached_table(dataset, region["level"], year, rules, denominator, start)
    pf = profiles.portfolio(table, region_id, RULE_SETS[rules])
    pf.insert(0, "year", year)
    pf.insert(0, "region_name", region["name"])
    pf.insert(0, "region_id", region_id)
    pf = pf.rename(columns={"stars_text": "stars_symbols", "criteria": "criteria_met"})
    growth = f"growth (cagr, abs_change) {start}–{year}" if start else "no growth (no start year)"
    note = (f"Cluster portfolio of {region['name']} ({region_id}), {level_label(store, region['level'], True)}, "
            f"{year}; stars: {RULE_SETS[rules].label}; LQ denominator: {DENOMINATORS[denominator]}; {growth}; "
            f"benchmark area: {ui['benchmark_area']}; employment in {ui['employment_unit']}, average wage in "
            f"{ui['currency']}. Cluster Observatory.")
    if creg:
        note += f" Custom region {creg}."
    fname = region_id.replace(":", "-")
    return send_credit_csv(pf, f"portfolio_{dataset}_{fname}_{year}.csv", [ui["source"], note])


@callback(
    Output(ids.REGION_DOWNLOAD, "data"),
    Input(ids.REGION_DOWNLOAD_BTN, "n_clicks"),
    State(ids.REGION_YEAR, "value"),
    State(ids.REGION_START_YEAR, "value"),
    State(ids.REGION_RULES, "value"),
    State(ids.REGION_DENOMINATOR, "value"),
    State(ids.REGION_CONTEXT, "data"),
    prevent_initial_call=True,
)
def download_portfolio(n_clicks, year, start_year, rules, denominator, context):
    if not n_clicks:
        return no_update
    return portfolio_csv(context["dataset"], context["region_id"], year, start_year, rules, denominator,
                         context.get("creg"))
