"""Callbacks of the peer benchmarking page (/compare): peer suggestion, the views, CSV, URL sync.

The peers come from :func:`analytics.metrics.peers.suggest` on the cached year table of the level
(:func:`callbacks.region_callbacks.cached_table`); a custom focal region's rows come from
:func:`analytics.serving.custom.region_table` (cached here per spec and year). Every setting is written
back into the query string with history.replaceState, so a copied link restores the view.
"""
from __future__ import annotations

import math
import time
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, ctx, html, no_update

from analytics.serving import custom
from analytics.metrics import peers as peer_engine
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import get_store
from layouts import ids
from layouts.common import DIVERGING, fmt_int, send_credit_csv
from layouts.compare_page import (ALL, BARS_HEIGHT, HEATMAP_HEIGHT, MAX_PEERS, N_PEERS, TRADED, level_regions,
                                  region_options, source_text)
from layouts.region_page import DENOMINATORS, dataset_ui, level_label, num, records, style_figure
from callbacks.region_callbacks import cached_table, empty_figure

FOCAL_COLOUR = "#b35806"   # orange (the diverging scale's warm end)
PEER_COLOUR = "#2166ac"    # blue
MAX_HEATMAP_CATEGORIES = 20
TOP_EACH = 10
STARS = {0: "no star", 1: "★", 2: "★★", 3: "★★★"}
LAST_TIMINGS: dict[str, float] = {}  # ms of the last peer suggestion (for tests and the report)


# ---------------------------------------------------------------------------- data


@lru_cache(maxsize=32)
def custom_rows(dataset: str, spec: str, year: int, rules: str, denominator: str,
                start: int | None) -> pd.DataFrame:
    """A custom region's rows for a year (with growth since ``start`` when given); read-only."""
    store = get_store(dataset)
    cr = custom.parse_region(spec, store)
    rows = custom.region_table(cr, store, year, rules, denominator)
    if rows.empty:
        return rows
    rows = rows.copy()
    rows["member_ids"] = [tuple(cr.members)] * len(rows)
    # Size and prosperity of the custom region (what peers.suggest reads from the focal rows):
    # summed total employment, and GDP per capita weighted by population (sums first, ratios last).
    ind = store.indicators
    mem = ind[(ind["year"] == year) & ind["region_id"].isin(cr.members)]
    rows["total_employment"] = mem["total_employment"].sum(min_count=len(cr.members)) \
        if len(mem) == len(cr.members) else np.nan
    col = (store.meta.get("prosperity") or {}).get("column")
    if col and col in mem.columns and "population" in mem.columns and len(mem) == len(cr.members) \
            and mem[[col, "population"]].notna().all().all():
        rows[col] = float((mem[col] * mem["population"]).sum() / mem["population"].sum())
    rows["cagr"] = np.nan
    if start is not None:
        first = custom.region_table(cr, store, start, rules, denominator)
        if not first.empty:
            e0 = rows["category_id"].map(first.set_index("category_id")["employment"])
            ok = (e0 > 0) & rows["employment"].notna()
            rows["cagr"] = np.where(ok, (rows["employment"] / e0.where(ok)) ** (1.0 / (year - start)) - 1.0, np.nan)
    return rows


@lru_cache(maxsize=64)
def level_indicators(dataset: str, level: str, year: int) -> pd.DataFrame:
    ind = get_store(dataset).indicators
    return ind[(ind["level"] == level) & (ind["year"] == year)].reset_index(drop=True)


def focal_info(context: dict, region, year, rules, denominator, start):
    """(focal_id, focal_name, focal_rows, level_table, members) — members empty for a built-in region."""
    dataset, level, spec = context["dataset"], context["level"], context.get("creg")
    table = cached_table(dataset, level, year, rules, denominator, start)
    if spec:
        rows = custom_rows(dataset, spec, year, rules, denominator, start)
        cr = custom.parse_region(spec, get_store(dataset))
        return cr.region_id, cr.name, rows, table, set(cr.members)
    rows = table[table["region_id"] == region]
    name = dict(level_regions(dataset, level, year)).get(region, region)
    return region, name, rows, table, set()


def suggest_peers(context: dict, region, year, rules, denominator, basis, n: int = N_PEERS) -> pd.DataFrame:
    store = get_store(context["dataset"])
    focal_id, _, rows, table, members = focal_info(context, region, year, rules, denominator, None)
    if rows.empty:
        return pd.DataFrame(columns=["region_id", "score", "basis_value"])
    return peer_engine.suggest(
        basis, focal_id, table, level_indicators(store.dataset, context["level"], year),
        focal_table=rows if members else None, neighbours=store.neighbours(context["level"]),
        exclude=members, n=n, prosperity_col=(store.meta.get("prosperity") or {}).get("column", "gdp_pc_pps"))


def comparison(context: dict, region, year, start, rules, denominator, peers: list[str]) -> pd.DataFrame:
    """Rows of the focal region (first) and its peers, every category, with the peer-group ranks."""
    focal_id, focal_name, rows, table, members = focal_info(context, region, year, rules, denominator, start)
    peers = [p for p in (peers or []) if p != focal_id and p not in members]
    cols = ["region_id", "region_name", "category_id", "category_name", "category_type", "employment", "lq",
            "stars", "cagr"]
    f = rows.reindex(columns=cols).assign(region_name=focal_name)
    p = table[table["region_id"].isin(peers)].reindex(columns=cols)
    both = pd.concat([f, p], ignore_index=True)
    if both.empty:
        return both
    order = {r: i for i, r in enumerate([focal_id, *peers])}
    both["order"] = both["region_id"].map(order)
    card = peer_engine.scorecard(both, [focal_id, *peers])
    ranks = [c for c in card.columns if c.endswith("_peer_rank")] + ["peer_n"]
    both = both.merge(card[["region_id", "category_id", *ranks]], on=["region_id", "category_id"], how="left")
    both.insert(2, "focal", both["region_id"] == focal_id)
    return both.sort_values(["order", "category_name"]).drop(columns="order").reset_index(drop=True)


def heatmap_categories(cmp: pd.DataFrame, focal_id: str) -> list[str]:
    """The focal region's 10 largest and 10 most specialised traded categories (union, ≤ 20), by LQ."""
    f = cmp[(cmp["region_id"] == focal_id) & (cmp["category_type"] == "traded")].dropna(subset=["employment"])
    big = f.nlargest(TOP_EACH, "employment")["category_id"]
    spec = f.nlargest(TOP_EACH, "lq")["category_id"]
    keep = f[f["category_id"].isin(set(big) | set(spec))].sort_values("lq", ascending=False)
    return keep["category_id"].head(MAX_HEATMAP_CATEGORIES).tolist()


# ---------------------------------------------------------------------------- URL sync and reloads


clientside_callback(
    """
    function(dataset, level, region, creg, year, start_year, rules, denominator, basis, peers, category, context) {
        const p = new URLSearchParams();
        creg = (context && context.creg) || null;  // the custom region in use (a bad one is not kept)
        const v = {dataset: dataset, level: level, region: (creg ? null : region), creg: creg,
                   year: year, start_year: (start_year === null || start_year === undefined) ? 'none' : start_year,
                   rules: rules, denominator: denominator, basis: basis,
                   peers: (peers && peers.length) ? peers.join(',') : null, category: category};
        Object.keys(v).forEach(k => { if (v[k] !== null && v[k] !== undefined && v[k] !== '') { p.set(k, v[k]); } });
        if (!/\\/compare\\/?$/.test(window.location.pathname)) { return window.dash_clientside.no_update; }
        const url = window.location.pathname + '?' + p.toString() + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, '', url);
        }
        return p.toString();
    }
    """,
    Output(ids.COMPARE_URL_SYNC, "data"),
    Input(ids.COMPARE_DATASET, "value"), Input(ids.COMPARE_LEVEL, "value"), Input(ids.COMPARE_REGION, "value"),
    Input(ids.COMPARE_CREG, "value"), Input(ids.COMPARE_YEAR, "value"), Input(ids.COMPARE_START_YEAR, "value"),
    Input(ids.COMPARE_RULES, "value"), Input(ids.COMPARE_DENOMINATOR, "value"), Input(ids.COMPARE_BASIS, "value"),
    Input(ids.COMPARE_PEERS, "value"), Input(ids.COMPARE_CATEGORY, "value"), State(ids.COMPARE_CONTEXT, "data"),
)

# A new dataset, level or custom region changes the pickers' choices: reload the page with the
# settings that still apply (the layout validates them).
clientside_callback(
    """
    function(dataset, level, creg, context) {
        const nu = window.dash_clientside.no_update;
        if (!context) { return nu; }
        creg = (creg || '').trim();
        if (dataset === context.dataset && level === context.level && creg === (context.creg || '')) { return nu; }
        const cur = new URLSearchParams(window.location.search);
        const p = new URLSearchParams();
        p.set('dataset', dataset);
        if (dataset === context.dataset) {
            if (!creg) { p.set('level', level); }
            ['year', 'start_year', 'rules', 'denominator', 'basis', 'category'].forEach(k => {
                if (cur.get(k)) { p.set(k, cur.get(k)); }
            });
            if (creg) { p.set('creg', creg); }
        }
        window.location.assign(window.location.pathname + '?' + p.toString());
        return p.toString();
    }
    """,
    Output(ids.COMPARE_NAV, "data"),
    Input(ids.COMPARE_DATASET, "value"), Input(ids.COMPARE_LEVEL, "value"), Input(ids.COMPARE_CREG, "value"),
    State(ids.COMPARE_CONTEXT, "data"),
    prevent_initial_call=True,
)


# ---------------------------------------------------------------------------- peers


def basis_sentence(store, level: str, basis: str, n: int, year: int, focal_name: str, rules: str) -> str:
    lv = level_label(store, level)
    ui = dataset_ui(store)
    if basis == "structure":
        what = f"most similar in economic structure (cosine similarity of category employment shares), {year}"
    elif basis == "size":
        what = f"closest in size (total employment, {ui['employment_unit']}), {year}"
    elif basis == "prosperity":
        what = f"closest in {ui['gdp_label']} ({ui['gdp_unit']}), {year}"
    elif basis == "strong":
        what = (f"sharing the most starred categories with {focal_name} ({RULE_SETS[rules].label}), {year}")
    else:
        what = f"sharing a border with {focal_name}"
    return f"Peers: the {n:,} {lv} {what}."


def basis_value_text(store, basis: str, value) -> str:
    ui = dataset_ui(store)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if basis == "structure":
        return f"similarity {value:.3f}"
    if basis == "size":
        return f"{fmt_int(value)} {ui['employment_unit']}"
    if basis == "prosperity":
        return f"{fmt_int(value)} {ui['gdp_unit']}"
    if basis == "strong":
        names = store.categories.set_index("category_id")["category_name"]
        cats = [names.get(c, c) for c in str(value).split(", ")]
        return f"{len(cats)} shared: " + ", ".join(cats)
    return str(value)


@callback(
    Output(ids.COMPARE_PEERS, "options"),
    Output(ids.COMPARE_PEERS, "value"),
    Output(ids.COMPARE_BASIS_TEXT, "children"),
    Output(ids.COMPARE_SUGGESTED, "data"),
    Input(ids.COMPARE_REGION, "value"),
    Input(ids.COMPARE_YEAR, "value"),
    Input(ids.COMPARE_RULES, "value"),
    Input(ids.COMPARE_DENOMINATOR, "value"),
    Input(ids.COMPARE_BASIS, "value"),
    Input(ids.COMPARE_RESET_PEERS, "n_clicks"),
    State(ids.COMPARE_PEERS, "value"),
    State(ids.COMPARE_CONTEXT, "data"),
)
def update_peers(region, year, rules, denominator, basis, _reset, current, context):
    t0 = time.perf_counter()
    store = get_store(context["dataset"])
    level = context["level"]
    focal_id, focal_name, rows, _table, members = focal_info(context, region, year, rules, denominator, None)
    options = [{"label": f"{name} ({rid})", "value": rid} for rid, name in level_regions(store.dataset, level, year)
               if rid != focal_id and rid not in members]
    if rows.empty:
        return options, [], None, []
    out = suggest_peers(context, region, year, rules, denominator, basis)
    LAST_TIMINGS["suggest_ms"] = (time.perf_counter() - t0) * 1000
    suggested = out["region_id"].tolist()
    names = dict(level_regions(store.dataset, level, year))
    sentence = basis_sentence(store, level, basis, len(suggested), year, focal_name, rules)
    if not suggested:
        text = [html.Span(sentence), html.Br(),
                html.Em("No region qualifies on this basis (e.g. no bordering region with data, or no starred "
                        "category in common): pick peers by hand or choose another basis.")]
    else:
        text = [html.Span(sentence, className="fw-semibold compare-basis-sentence"), html.Ol([
            html.Li([f"{names.get(r, r)} ({r}) — ", html.Span(basis_value_text(store, basis, v),
                                                              className="text-muted")],
                    className="compare-suggested-peer", **{"data-region": r})
            for r, v in zip(out["region_id"], out["basis_value"])
        ], className="mb-0 mt-1", style={"columnCount": 2, "columnGap": "2rem"})]
    try:
        trigger = ctx.triggered_id
    except Exception:  # noqa: BLE001 - called outside a callback (tests, timing)
        trigger = None
    if trigger is None and context.get("url_peers") is not None:
        value = context["url_peers"]           # the address names the peers: keep them
    elif trigger in (None, ids.COMPARE_REGION, ids.COMPARE_BASIS, ids.COMPARE_RESET_PEERS):
        value = suggested
    else:                                      # year / rules / denominator: keep the hand-picked peers
        allowed = {o["value"] for o in options}
        value = [p for p in (current or []) if p in allowed]
    return options, value[:MAX_PEERS], text, suggested


# ---------------------------------------------------------------------------- views


@callback(
    Output(ids.COMPARE_MESSAGE, "children"),
    Output(ids.COMPARE_BODY, "style"),
    Output(ids.COMPARE_FOCAL, "children"),
    Output(ids.COMPARE_HEATMAP, "figure"),
    Output(ids.COMPARE_HEATMAP_NOTE, "children"),
    Output(ids.COMPARE_SOURCE, "children"),
    Output(ids.COMPARE_BARS, "figure"),
    Output(ids.COMPARE_GROWTH, "figure"),
    Output(ids.COMPARE_BARS_SOURCE, "children"),
    Output(ids.COMPARE_SCORECARD, "data"),
    Output(ids.COMPARE_SCORECARD, "columns"),
    Output(ids.COMPARE_SCORECARD_SOURCE, "children"),
    Output(ids.COMPARE_START_YEAR, "options"),
    Input(ids.COMPARE_PEERS, "value"),
    Input(ids.COMPARE_REGION, "value"),
    Input(ids.COMPARE_YEAR, "value"),
    Input(ids.COMPARE_START_YEAR, "value"),
    Input(ids.COMPARE_RULES, "value"),
    Input(ids.COMPARE_DENOMINATOR, "value"),
    Input(ids.COMPARE_CATEGORY, "value"),
    State(ids.COMPARE_CONTEXT, "data"),
)
def update_views(peers, region, year, start_year, rules, denominator, category, context):
    store = get_store(context["dataset"])
    ui = dataset_ui(store)
    level = context["level"]
    years = store.level_years(level)
    start_options = [{"label": str(y), "value": y, "disabled": y >= year} for y in years]
    start = start_year if start_year is not None and start_year < year else None
    focal_id, focal_name, rows, _table, members = focal_info(context, region, year, rules, denominator, start)
    lv_name = level_label(store, level)
    src = source_text(ui, year, lv_name, start)
    if rows.empty:
        what = "its member regions do not all have" if members else "it has no"
        msg = html.Div(f"No comparison for {focal_name} in {year}: {what} employment data in that year. "
                       "Pick another year.", className="alert alert-warning")
        return (msg, {"display": "none"}, None, {}, None, None, {}, {}, None, [], [], None, start_options)
    peers = [p for p in (peers or []) if p != focal_id and p not in members]
    cmp = comparison(context, region, year, start, rules, denominator, peers)
    heading = [f"{focal_name} ", html.Small(f"({', '.join(sorted(members))})" if members else f"({focal_id})",
                                            className="text-muted"),
               html.Small(f" and {len(peers):,} peer{'s' if len(peers) != 1 else ''} · {lv_name} · {year}",
                          className="text-muted")]
    msg = None
    if start_year is not None and start is None:
        msg = html.Div(f"The start year {start_year} is not before {year}: growth is not shown.",
                       className="alert alert-info py-2 small")
    cats = heatmap_categories(cmp, focal_id)
    hm = heatmap_figure(cmp, focal_id, cats, store, year)
    hm_note = (f"Categories: the {len(cats):,} traded categories among {focal_name}'s {TOP_EACH} largest and "
               f"{TOP_EACH} most specialised (at most {MAX_HEATMAP_CATEGORIES}), by the focal region's LQ. "
               "Colour: LQ on a log scale centred on 1 (orange = more specialised than the benchmark, blue = less); "
               "LQ below 0.1 or above 10 get the end colours; blank = no data. Focal region on top, framed.")
    bars, growth = bar_figures(store, context, cmp, focal_id, focal_name, members, region, year, start, category, ui)
    data, columns = scorecard_rows(cmp, focal_id, store.dataset, level, year, start, ui)
    return (msg, {}, heading, hm, hm_note, src, bars, growth, src, data, columns, src, start_options)


def _label(rid: str, name: str, focal: bool) -> str:
    short = name if len(name) <= 28 else name[:26] + "…"
    if rid.startswith(custom.CUSTOM_PREFIX):
        return f"<b>{short} (custom)</b>"
    return f"<b>{short} ({rid})</b>" if focal else f"{short} ({rid})"


def heatmap_figure(cmp: pd.DataFrame, focal_id: str, cats: list[str], store, year: int) -> go.Figure:
    if not cats:
        return empty_figure("The focal region has no traded category with data", HEATMAP_HEIGHT)
    ui = dataset_ui(store)
    regions = cmp.drop_duplicates("region_id")[["region_id", "region_name"]]
    sub = cmp[cmp["category_id"].isin(cats)]
    lq = sub.pivot_table(index="region_id", columns="category_id", values="lq", aggfunc="first", dropna=False)
    emp = sub.pivot_table(index="region_id", columns="category_id", values="employment", aggfunc="first", dropna=False)
    st = sub.pivot_table(index="region_id", columns="category_id", values="stars", aggfunc="first", dropna=False)
    order = regions["region_id"].tolist()
    lq, emp, st = (m.reindex(index=order, columns=cats).astype(float) for m in (lq, emp, st))
    names = cmp.drop_duplicates("category_id").set_index("category_id")["category_name"]
    xlabels = [names[c] for c in cats]
    ylabels = [_label(r, n, r == focal_id) for r, n in zip(regions["region_id"], regions["region_name"])]
    z = np.log10(np.clip(lq.to_numpy(), 0.1, 10.0))
    finite = np.abs(z[np.isfinite(z)])
    zmax = float(np.clip(finite.max() if finite.size else 1.0, math.log10(2), 1.0))
    text = np.where(np.isfinite(lq.to_numpy()), np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(lq.to_numpy())), "")
    stars = np.vectorize(lambda v: STARS.get(int(v), "") if np.isfinite(v) else "not rated")(st.to_numpy())
    emp_txt = np.vectorize(lambda v: fmt_int(v) if np.isfinite(v) else "no data")(emp.to_numpy())
    lq_txt = np.vectorize(lambda v: f"{v:,.2f}" if np.isfinite(v) else "no data")(lq.to_numpy())
    custom_data = np.dstack([emp_txt, lq_txt, stars])
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 10) if abs(math.log10(t)) <= zmax + 1e-9]
    fig = go.Figure(go.Heatmap(
        z=z, x=xlabels, y=ylabels, zmin=-zmax, zmax=zmax, zmid=0, colorscale=DIVERGING, text=text,
        texttemplate="%{text}", textfont={"size": 10}, xgap=1, ygap=1, customdata=custom_data,
        hovertemplate=("<b>%{y}</b><br>%{x}<br>LQ %{customdata[1]}<br>Employment %{customdata[0]} "
                       + ui["employment_unit"] + "<br>Stars: %{customdata[2]}<extra></extra>"),
        colorbar={"title": {"text": "LQ (ratio, log scale)", "side": "right"},
                  "tickvals": [math.log10(t) for t in ticks],
                  "ticktext": [f"{t:g}" for t in ticks], "thickness": 14, "len": 0.9},
    ))
    fig.add_shape(type="rect", xref="paper", yref="y", x0=0, x1=1, y0=-0.5, y1=0.5,
                  line={"color": "#2c3e50", "width": 2.5}, fillcolor="rgba(0,0,0,0)")
    fig.update_yaxes(autorange="reversed", title_text=None, tickfont={"size": 11})
    fig.update_xaxes(title_text=f"Traded cluster category (location quotient {year}, ratio)", tickangle=-35,
                     tickfont={"size": 10}, side="bottom")
    style_figure(fig, height=HEATMAP_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 36, "b": 10}, xaxis={"automargin": True},
                      yaxis={"automargin": True}, plot_bgcolor="#ffffff")
    return fig


def _total_values(store, context, level, year, start, col, ids_: list[str], members: set, focal_id: str):
    """Total / traded employment per region (a custom region: the sum of its members) and its CAGR."""
    def values(y):
        ind = level_indicators(store.dataset, level, y).set_index("region_id")[col]
        out = {r: ind.get(r, np.nan) for r in ids_ if r != focal_id}
        if members:
            mem = [ind.get(m, np.nan) for m in members]
            out[focal_id] = float(np.sum(mem)) if all(pd.notna(mem)) else np.nan
        else:
            out[focal_id] = ind.get(focal_id, np.nan)
        return out
    end = values(year)
    if start is None:
        return end, {r: np.nan for r in ids_}
    first = values(start)
    cagr = {r: (end[r] / first[r]) ** (1 / (year - start)) - 1 if pd.notna(end[r]) and pd.notna(first[r])
            and first[r] > 0 else np.nan for r in ids_}
    return end, cagr


def _padded_range(values, pad: float) -> list[float] | None:
    """An axis range from 0 (or the minimum) to the maximum with room for the bar labels on both sides."""
    v = [float(x) for x in values if x is not None and pd.notna(x)]
    if not v:
        return None
    lo, hi = min(0.0, min(v)), max(0.0, max(v))
    span = (hi - lo) or 1.0
    return [lo - span * pad if lo < 0 else 0.0, hi + span * pad if hi > 0 else span * 0.05]


def bar_figures(store, context, cmp, focal_id, focal_name, members, region, year, start, category, ui):
    regions = cmp.drop_duplicates("region_id")[["region_id", "region_name"]]
    ids_ = regions["region_id"].tolist()
    names = dict(zip(regions["region_id"], regions["region_name"]))
    if category in (ALL, TRADED):
        col = "total_employment" if category == ALL else "traded_employment"
        what = "all industries" if category == ALL else "traded categories"
        emp, cagr = _total_values(store, context, context["level"], year, start, col, ids_, members, focal_id)
    else:
        sub = cmp[cmp["category_id"] == category].set_index("region_id")
        emp = {r: sub["employment"].get(r, np.nan) for r in ids_}
        cagr = {r: sub["cagr"].get(r, np.nan) for r in ids_}
        what = store.categories.set_index("category_id")["category_name"].get(category, category)
    labels = [_label(r, names[r], r == focal_id) for r in ids_]
    colours = [FOCAL_COLOUR if r == focal_id else PEER_COLOUR for r in ids_]
    e = [emp[r] for r in ids_]
    bars = go.Figure(go.Bar(
        x=e, y=labels, orientation="h", marker_color=colours,
        text=[fmt_int(v) for v in e], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x:,.0f} " + ui["employment_unit"] + "<extra></extra>"))
    bars.update_xaxes(title_text=f"Employment in {what}, {year} ({ui['employment_unit']})", tickformat=",",
                      range=_padded_range(e, 0.18))
    bars.update_yaxes(autorange="reversed")
    style_figure(bars, height=BARS_HEIGHT)
    bars.update_layout(margin={"l": 10, "r": 40, "t": 30, "b": 50}, yaxis={"automargin": True},
                       title={"text": f"Employment: {what}", "font": {"size": 13}, "x": 0.01})
    if start is None:
        growth = empty_figure("Pick a start year before the year to see growth", BARS_HEIGHT)
        return bars, growth
    g = [cagr[r] * 100 if pd.notna(cagr[r]) else None for r in ids_]
    growth = go.Figure(go.Bar(
        x=g, y=labels, orientation="h", marker_color=colours,
        text=[f"{v:+.1f} %" if v is not None else "no data" for v in g], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x:+.2f} % per year<extra></extra>"))
    growth.update_xaxes(title_text=f"Employment growth in {what}, {start}–{year} (CAGR, % per year)",
                        ticksuffix=" %", range=_padded_range(g, 0.22), zeroline=True, zerolinecolor="#7b8a8b")
    growth.update_yaxes(autorange="reversed")
    style_figure(growth, height=BARS_HEIGHT)
    growth.update_layout(margin={"l": 10, "r": 50, "t": 30, "b": 50}, yaxis={"automargin": True},
                         title={"text": f"Growth: {what}", "font": {"size": 13}, "x": 0.01})
    return bars, growth


def rank_format(n: int) -> dict:
    """A numeric DataTable format that shows a rank as '2 of 9' (and still sorts as a number)."""
    return {"specifier": "$,d", "locale": {"symbol": ["", f" of {n:,}"]}, "nully": "–"}


def scorecard_rows(cmp: pd.DataFrame, focal_id: str, dataset: str, level: str, year: int, start, ui: dict):
    f = cmp[cmp["focal"]].copy()
    n = int(cmp["region_id"].nunique())
    f["category"] = [f"[{nm}](/category/{dataset}/{c}?year={year}&level={level})"
                     for c, nm in zip(f["category_id"], f["category_name"])]
    f["stars_text"] = [STARS.get(int(s), "") if pd.notna(s) else "–" for s in f["stars"]]
    growth = f"Growth {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    columns = [
        {"id": "category", "name": "Category", "presentation": "markdown"},
        {"id": "category_type", "name": "Type"},
        {"id": "stars_text", "name": "Stars"},
        {"id": "employment", "name": f"Employment ({ui['employment_unit']})", "type": "numeric",
         "format": num(",.0f")},
        {"id": "employment_peer_rank", "name": "Employment rank", "type": "numeric", "format": rank_format(n)},
        {"id": "lq", "name": "LQ (ratio)", "type": "numeric", "format": num(",.2f")},
        {"id": "lq_peer_rank", "name": "LQ rank", "type": "numeric", "format": rank_format(n)},
        {"id": "cagr", "name": growth, "type": "numeric", "format": num("+,.1%")},
        {"id": "cagr_peer_rank", "name": "Growth rank", "type": "numeric", "format": rank_format(n)},
    ]
    f = f.sort_values(["category_type", "employment"], ascending=[False, False])
    for c in ("employment_peer_rank", "lq_peer_rank", "cagr_peer_rank"):
        f[c] = f[c].where(f[c].notna())
    return records(f[[c["id"] for c in columns]]), columns


# ---------------------------------------------------------------------------- CSV


def comparison_csv(context: dict, region, year, start_year, rules, denominator, peers) -> dict:
    store = get_store(context["dataset"])
    ui = dataset_ui(store)
    start = start_year if start_year is not None and start_year < year else None
    focal_id, focal_name, *_ = focal_info(context, region, year, rules, denominator, start)
    cmp = comparison(context, region, year, start, rules, denominator, peers)
    cmp.insert(2, "year", year)
    cmp = cmp.rename(columns={"cagr": f"cagr_{start}_{year}" if start else "cagr"})
    lv = level_label(store, context["level"])
    note = (f"Peer comparison of {focal_name} ({focal_id}) with {cmp['region_id'].nunique() - 1:,} peer regions "
            f"({lv}), {year}; stars: {RULE_SETS[rules].label}; LQ denominator: {DENOMINATORS[denominator]}; "
            f"growth: {f'CAGR {start}–{year}' if start else 'none'}; ranks within the peer group (1 = highest); "
            f"employment in {ui['employment_unit']}. Cluster Observatory.")
    safe = focal_id.replace(":", "-")
    return send_credit_csv(cmp, f"peers_{store.dataset}_{safe}_{year}.csv",
                           [ui["source"], f"{year}; {lv}; benchmark area: {ui['benchmark_area']}.", note])


@callback(
    Output(ids.COMPARE_DOWNLOAD, "data"),
    Input(ids.COMPARE_DOWNLOAD_BTN, "n_clicks"),
    State(ids.COMPARE_REGION, "value"),
    State(ids.COMPARE_YEAR, "value"),
    State(ids.COMPARE_START_YEAR, "value"),
    State(ids.COMPARE_RULES, "value"),
    State(ids.COMPARE_DENOMINATOR, "value"),
    State(ids.COMPARE_PEERS, "value"),
    State(ids.COMPARE_CONTEXT, "data"),
    prevent_initial_call=True,
)
def download_comparison(n_clicks, region, year, start_year, rules, denominator, peers, context):
    if not n_clicks:
        return no_update
    return comparison_csv(context, region, year, start_year, rules, denominator, peers)


__all__ = ["region_options"]
