"""Callbacks of the peer benchmarking page (/compare): peer suggestion, the views, CSVs (the
comparison's and each chart's numbers), the address.

Peers come from ``views.suggest_peers`` and the comparison from ``views.comparison`` and
``views.region_comparison`` (the same numbers as the map, the profiles and the CLI). A new dataset,
level or custom focal region changes what can be picked, so it navigates to the page's new
address (``COMPARE.href``); every other change updates the views in place and goes back into
the address through the one URL writer.
"""
from __future__ import annotations

import math

import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from analytics.metrics.growth import carried_start, no_growth_reason
from analytics.metrics.stars import RULE_SETS
from analytics.serving import views
from analytics.serving.formats import fmt_int
from analytics.serving.store import get_store
from components import ids as shell_ids
from components.controls import start_year_options, window_start
from components.figures import export_name, graph_config
from components.labels import DENOMINATOR_LABELS, dataset_ui, level_label
from components.routes import ALL, CATEGORY, COMPARE, CUSTOM, REGION, TRADED
from components.tables import col, md_link, records, send_credit_csv
from components.url_state import register_writer
from pages.compare import figures as pf
from pages.compare import ids
from pages.compare.layout import CREG_PREFIX, MAX_PEERS, N_PEERS, peer_options, source_text

STARS = {0: "no star", 1: "★", 2: "★★", 3: "★★★"}


def split_peers(values) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(built-in peer ids, custom peer specs) of the peers picker's values."""
    values = list(values or [])
    return (tuple(v for v in values if not str(v).startswith(CREG_PREFIX)),
            tuple(v[len(CREG_PREFIX):] for v in values if str(v).startswith(CREG_PREFIX)))


def focal_of(context: dict, region) -> tuple[str, str, set]:
    """(focal id, name, members) of the comparison."""
    if context.get("creg"):
        cr = views.parse_region(context["dataset"], context["creg"])
        return cr.region_id, cr.name, set(cr.members)
    return region, str(get_store(context["dataset"]).region_names.get(region, region)), set()


# ---------------------------------------------------------------------------- navigation


@callback(
    Output(shell_ids.URL, "href", allow_duplicate=True),
    inputs={"dataset": Input(ids.DATASET, "value"), "level": Input(ids.LEVEL, "value"),
            "creg": Input(ids.CREG, "value"), "context": State(ids.CONTEXT, "data"),
            "settings": {k: State(v, "value") for k, v in (("year", ids.YEAR), ("start_year", ids.START_YEAR),
                                                           ("rules", ids.RULES), ("denominator", ids.DENOMINATOR),
                                                           ("basis", ids.BASIS), ("category", ids.CATEGORY))}},
    prevent_initial_call=True,
)
def navigate(dataset, level, creg, context, settings):
    """A new dataset, level or custom focal region: the page of the new settings (those that still apply)."""
    creg = (creg or "").strip() or None
    shown = (context.get("creg_shown") or "").strip() or None  # what the input showed when the page was drawn
    if dataset == context["dataset"] and level == context["level"] and creg == shown:
        return no_update
    values = {"dataset": dataset}
    if dataset == context["dataset"]:
        values.update({k: v for k, v in settings.items() if v is not None})
        if settings.get("start_year") is None:
            values["start_year"] = None
        values["level"] = level
        if creg:
            values["creg"] = creg
    return COMPARE.href(**values)


# ---------------------------------------------------------------------------- peers


def basis_sentence(dataset: str, level: str, basis: str, n: int, year: int, focal_name: str, rules: str) -> str:
    lv = level_label(dataset, level)
    ui = dataset_ui(dataset)
    what = {
        "structure": f"most similar in economic structure (cosine similarity of category employment shares), {year}",
        "size": f"closest in size (total employment, {ui['employment_unit']}), {year}",
        "prosperity": f"closest in {ui['gdp_label']} ({ui['gdp_unit']}), {year}",
        "strong": f"sharing the most starred categories with {focal_name} ({RULE_SETS[rules].label}), {year}",
    }.get(basis, f"sharing a border with {focal_name}")
    return f"Peers: the {n:,} {lv} {what}."


def basis_value_text(dataset: str, basis: str, value) -> str:
    ui = dataset_ui(dataset)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if basis == "structure":
        return f"similarity {value:.3f}"
    if basis == "size":
        return f"{fmt_int(value)} {ui['employment_unit']}"
    if basis == "prosperity":
        return f"{fmt_int(value)} {ui['gdp_unit']}"
    if basis == "strong":
        names = get_store(dataset).category_names
        cats = [names.get(c, c) for c in str(value).split(", ")]
        return f"{len(cats)} shared: " + ", ".join(cats)
    return str(value)


@callback(
    output={"options": Output(ids.PEERS, "options"), "value": Output(ids.PEERS, "value"),
            "text": Output(ids.BASIS_TEXT, "children"), "suggested": Output(ids.SUGGESTED, "data")},
    inputs={"region": Input(ids.REGION, "value"), "year": Input(ids.YEAR, "value"),
            "rules": Input(ids.RULES, "value"), "denominator": Input(ids.DENOMINATOR, "value"),
            "basis": Input(ids.BASIS, "value"), "reset": Input(ids.RESET_PEERS, "n_clicks"),
            "current": State(ids.PEERS, "value"), "context": State(ids.CONTEXT, "data")},
)
def update_peers(region, year, rules, denominator, basis, reset, current, context):
    return peer_outputs(context, region, year, rules, denominator, basis, current, ctx.triggered_id)


def peer_outputs(context: dict, region, year, rules, denominator, basis, current, trigger) -> dict:
    dataset, level, creg = context["dataset"], context["level"], context.get("creg")
    focal_id, focal_name, _members = focal_of(context, region)
    options = peer_options(dataset, level, year, region, creg, context.get("cpeers") or ())
    out = views.suggest_peers(dataset, level, year, rules, denominator, basis, None if creg else region, creg,
                              N_PEERS)
    suggested = out["region_id"].tolist()
    names = get_store(dataset).region_names
    sentence = basis_sentence(dataset, level, basis, len(suggested), year, focal_name, rules)
    if not suggested:
        text = [html.Span(sentence), html.Br(),
                html.Em("No region qualifies on this basis (e.g. no bordering region with data, or no starred "
                        "category in common): pick peers by hand or choose another basis.")]
    else:
        text = [html.Span(sentence, className="fw-semibold compare-basis-sentence"), html.Ol([
            html.Li([f"{names.get(r, r)} ({r}) — ", html.Span(basis_value_text(dataset, basis, v),
                                                              className="text-muted")],
                    className="compare-suggested-peer", **{"data-region": r})
            for r, v in zip(out["region_id"], out["basis_value"])
        ], className="mb-0 mt-1", style={"columnCount": 2, "columnGap": "2rem"})]
    allowed = {o["value"] for o in options}
    if trigger is None and context.get("url_peers") is not None:  # the address names the peers: keep them
        value = list(context["url_peers"]) + [CREG_PREFIX + s for s in context.get("cpeers") or ()]
    elif trigger in (None, ids.REGION, ids.BASIS, ids.RESET_PEERS):
        value = suggested + [v for v in (current or []) if str(v).startswith(CREG_PREFIX)]
    else:  # year / rules / denominator: keep the hand-picked peers
        value = list(current or [])
    value = [v for v in value if v in allowed]
    return {"options": options, "value": value[:MAX_PEERS], "text": text, "suggested": suggested}


# ---------------------------------------------------------------------------- views


CHARTS = {"heatmap": (ids.HEATMAP, ids.HEATMAP_SVG), "bars": (ids.BARS, ids.BARS_SVG),
          "growth": (ids.GROWTH, ids.GROWTH_SVG)}
VIEW_INPUTS = {"peers": Input(ids.PEERS, "value"), "region": Input(ids.REGION, "value"),
               "year": Input(ids.YEAR, "value"), "start_year": Input(ids.START_YEAR, "value"),
               "rules": Input(ids.RULES, "value"), "denominator": Input(ids.DENOMINATOR, "value"),
               "category": Input(ids.CATEGORY, "value"), "basis": State(ids.BASIS, "value"),
               "context": State(ids.CONTEXT, "data")}


@callback(
    output={"message": Output(ids.MESSAGE, "children"), "body_style": Output(ids.BODY, "style"),
            "focal": Output(ids.FOCAL, "children"), "region_rows": Output(ids.REGIONS, "rowData"),
            "region_columns": Output(ids.REGIONS, "columnDefs"), "heatmap": Output(ids.HEATMAP, "figure"),
            "heatmap_note": Output(ids.HEATMAP_NOTE, "children"), "source": Output(ids.SOURCE, "children"),
            "bars": Output(ids.BARS, "figure"), "growth": Output(ids.GROWTH, "figure"),
            "bars_source": Output(ids.BARS_SOURCE, "children"), "rows": Output(ids.SCORECARD, "rowData"),
            "columns": Output(ids.SCORECARD, "columnDefs"), "card_source": Output(ids.SCORECARD_SOURCE, "children"),
            **{f"{k}_{p}": Output(g, prop) for k, (g, svg) in CHARTS.items()
               for p, prop, g in (("config", "config", g), ("svg", "data-filename", svg))},
            "start_options": Output(ids.START_YEAR, "options"), "url": Output(ids.URL, "data"),
            "start_year": Output(ids.START_YEAR, "value")},
    inputs=VIEW_INPUTS,
)
def update_views(peers, region, year, start_year, rules, denominator, category, basis, context):
    return view_outputs(context, peers, region, year, start_year, rules, denominator, category, basis,
                        ctx.triggered_id)


def url_state(context: dict, peers, region, year, start_year, rules, denominator, category, basis) -> dict:
    built, custom_peers = split_peers(peers)
    return {"dataset": context["dataset"], "level": context["level"], "region": None if context.get("creg") else region,
            "creg": context.get("creg"), "year": year, "start_year": start_year, "rules": rules,
            "denominator": denominator, "basis": basis, "peers": built, "cpeers": custom_peers,
            "category": category, "ccat": context.get("ccat")}


def growth_message(context: dict, year, start_year, years) -> str | None:
    """Why the comparison shows no growth, or the labels of its window (across a break; a custom
    category of industry codes outside one vintage); None within one series."""
    start = window_start(year, start_year)
    if start is None:
        return no_growth_reason(context["dataset"], years, year, start_year)
    return " ".join(views.growth_notes(context["dataset"], start, year,
                                       (context["ccat"],) if context.get("ccat") else ())) or None


def view_outputs(context: dict, peers, region, year, start_year, rules, denominator, category, basis,
                 trigger=None) -> dict:
    """The comparison for the settings; a new year keeps the start year while the window stays
    within one series, else takes the new default (``growth.carried_start``)."""
    dataset, level, creg = context["dataset"], context["level"], context.get("creg")
    ui = dataset_ui(dataset)
    years = get_store(dataset).level_years(level)
    shown_start = no_update
    if trigger == ids.YEAR and year is not None:
        moved = carried_start(dataset, years, start_year, year)
        if moved != start_year:
            start_year = shown_start = moved
    start = window_start(year, start_year)
    out = {"start_year": shown_start, "start_options": start_year_options(years, year, dataset=dataset),
           "url": COMPARE.query(url_state(context, peers, region, year, start_year, rules, denominator, category,
                                          basis))}
    focal_id, focal_name, members = focal_of(context, region)
    for kind in CHARTS:
        name = chart_filename(kind, context, focal_id, year, start, category)
        out.update({f"{kind}_config": graph_config(name), f"{kind}_svg": name})
    built, custom_peers = split_peers(peers)
    built = tuple(p for p in built if p != focal_id and p not in members)
    ccats = (context["ccat"],) if context.get("ccat") else ()
    cmp = views.comparison(dataset, level, year, rules, denominator, start, None if creg else region, creg, built,
                           custom_peers, ccats)
    lv = level_label(dataset, level)
    src = source_text(ui, year, lv, start)
    if cmp.empty or not cmp["focal"].any():
        what = "its member regions do not all have" if members else "it has no"
        msg = html.Div(f"No comparison for {focal_name} in {year}: {what} employment data in that year. "
                       "Pick another year.", className="alert alert-warning")
        return {**out, "message": msg, "body_style": {"display": "none"}, "focal": None, "region_rows": [],
                "region_columns": [], "heatmap": {}, "heatmap_note": None, "source": None, "bars": {}, "growth": {},
                "bars_source": None, "rows": [], "columns": [], "card_source": None}
    n_peers = cmp["region_id"].nunique() - 1
    heading = [f"{focal_name} ", html.Small(f"({' + '.join(sorted(members))})" if members else f"({focal_id})",
                                            className="text-muted"),
               html.Small(f" and {n_peers:,} peer{'s' if n_peers != 1 else ''} · {lv} · {year}", className="text-muted")]
    text = growth_message(context, year, start_year, years)
    msg = html.Div(text, className="alert alert-info py-2 small") if text else None
    reg = views.region_comparison(dataset, level, year, rules, denominator, start, None if creg else region, creg,
                                  built, custom_peers)
    region_rows, region_columns = region_table(reg, context, year, start, ui)
    cats = pf.heatmap_categories(cmp, focal_id)
    hm_note = (f"Categories: the {len(cats):,} traded categories among {focal_name}'s {pf.TOP_EACH} largest and "
               f"{pf.TOP_EACH} most specialised (at most {pf.MAX_HEATMAP_CATEGORIES}), by the focal region's LQ. "
               "Colour: LQ on a log scale centred on 1 (orange = more specialised than the benchmark, blue = less); "
               "LQ below 0.1 or above 10 get the end colours; blank = no data. Focal region on top, framed.")
    where = where_of(focal_id, focal_name, members)
    ids_, names, emp, what, growth_by = bars_data(cmp, reg, category, context)
    heads = pf.bars_heads(where, n_peers, what, lv, year, start, ui["employment_unit"])
    bars, growth = pf.bar_figures(ids_, names, focal_id, emp, growth_by, what, year, start, ui["employment_unit"],
                                  heads, ui["source"])
    head = pf.heatmap_head(where, n_peers, lv, year, len(cats), ui, denominator)
    rows, columns = scorecard_rows(cmp, context, year, start, ui)
    return {**out, "message": msg, "body_style": {}, "focal": heading, "region_rows": region_rows,
            "region_columns": region_columns,
            "heatmap": pf.heatmap_figure(cmp, focal_id, cats, year, ui["employment_unit"], head, ui["source"]),
            "heatmap_note": hm_note,
            "source": src, "bars": bars, "growth": growth, "bars_source": src, "rows": rows, "columns": columns,
            "card_source": src}


def where_of(focal_id: str, focal_name: str, members) -> str:
    """The focal region as chart titles name it: "Stuttgart (DE11)", "Øresund (custom region: DK01 + SE22)"."""
    return f"{focal_name} (custom region: {' + '.join(sorted(members))})" if members else f"{focal_name} ({focal_id})"


def chart_filename(kind: str, context: dict, focal_id, year, start, category) -> str:
    """peer_heatmap_eu_DE11_nuts2_2015, peer_employment_eu_DE11_automotive_2015, peer_growth_eu_DE11_all_2010-2015."""
    cat = (views.parse_category(context["dataset"], context["ccat"]).category_id
           if category == CUSTOM and context.get("ccat") else category)
    if kind == "heatmap":
        return export_name("peer_heatmap", context["dataset"], focal_id, context["level"], year)
    if kind == "bars":
        return export_name("peer_employment", context["dataset"], focal_id, cat, year)
    return export_name("peer_growth", context["dataset"], focal_id, cat, f"{start}-{year}" if start else year)


def bars_data(cmp, reg, category, context):
    """(region ids in the bars' order, names, employment, what, growth) of the employment and growth bars."""
    regions = cmp.drop_duplicates("region_id")[["region_id", "region_name"]]
    ids_ = regions["region_id"].tolist()
    names = dict(zip(regions["region_id"], regions["region_name"]))
    if category in (ALL, TRADED):
        r = reg.set_index("region_id")
        col_ = "total_employment" if category == ALL else "traded_employment"
        growth_col = "total_growth" if category == ALL else "traded_growth"
        what = "all industries" if category == ALL else "traded categories"
        emp = {i: r[col_].get(i) for i in ids_}
        growth = {i: r[growth_col].get(i) for i in ids_}
    else:
        cid = views.parse_category(context["dataset"], context["ccat"]).category_id if category == CUSTOM \
            else category
        sub = cmp[cmp["category_id"] == cid].set_index("region_id")
        emp = {i: sub["employment"].get(i) for i in ids_}
        growth = {i: sub["cagr"].get(i) for i in ids_}
        what = sub["category_name"].iloc[0] if len(sub) else cid
    return ids_, names, emp, what, growth


def _region_href(context: dict, region_id: str, year: int, start=None) -> str:
    """The region's profile with the comparison's window (``year``, ``start_year``)."""
    if str(region_id).startswith("custom:"):
        spec = context.get("creg") if context.get("creg") and views.parse_region(
            context["dataset"], context["creg"]).region_id == region_id else None
        return REGION.href(dataset=context["dataset"], region_id=CUSTOM, year=year, start_year=start,
                           creg=spec) if spec else ""
    return REGION.href(dataset=context["dataset"], region_id=region_id, year=year, start_year=start)


def region_table(reg: pd.DataFrame, context: dict, year: int, start, ui: dict):
    n = int(reg["peer_n"].iloc[0]) if len(reg) else 0
    df = reg.copy()
    df["region"] = [md_link(f"{nm} (custom)" if str(r).startswith("custom:") else f"{nm} ({r})",
                            _region_href(context, r, year, start)) for r, nm in zip(df["region_id"], df["region_name"])]
    growth = f"Growth of total employment {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    columns = [col("region", "Region", "link", width=200),
               col("total_employment", f"Employment ({ui['employment_unit']})", "int"),
               col("total_employment_peer_rank", "Rank", "rank", n=n, width=80),
               col("cluster_strength", "Cluster strength (% of employment, LQ > 2)", "pct"),
               col("cluster_strength_peer_rank", "Rank", "rank", n=n, width=80),
               col("cluster_strength_us", "Cluster strength, US variant (% of traded)", "pct"),
               col("n_starred", "Starred clusters", "int"),
               col("total_growth", growth, "signed_pct"),
               col("total_growth_peer_rank", "Rank", "rank", n=n, width=80)]
    return records(df[[c["field"] for c in columns]]), columns


def scorecard_rows(cmp: pd.DataFrame, context: dict, year: int, start, ui: dict):
    f = cmp[cmp["focal"]].copy()
    n = int(cmp["region_id"].nunique())
    dataset, level = context["dataset"], context["level"]
    f["category"] = [md_link(nm, CATEGORY.href(dataset=dataset, category_id=CUSTOM, year=year, level=level,
                                               start_year=start, ccat=context["ccat"])
                             if str(c).startswith("custom:") else
                             CATEGORY.href(dataset=dataset, category_id=c, year=year, level=level, start_year=start))
                     for c, nm in zip(f["category_id"], f["category_name"])]
    f["stars_text"] = [STARS.get(int(s), "") if pd.notna(s) else "–" for s in f["stars"]]
    growth = f"Growth {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    columns = [
        col("category", "Category", "link", width=220), col("category_type", "Type", width=90),
        col("stars_text", "Stars", "stars", width=80),
        col("employment", f"Employment ({ui['employment_unit']})", "int"),
        col("employment_peer_rank", "Employment rank", "rank", n=n), col("lq", "LQ (ratio)", "num"),
        col("lq_peer_rank", "LQ rank", "rank", n=n), col("cagr", growth, "signed_pct"),
        col("cagr_peer_rank", "Growth rank", "rank", n=n),
    ]
    f = f.sort_values(["category_type", "employment"], ascending=[False, False])
    return records(f[[c["field"] for c in columns]]), columns


# ---------------------------------------------------------------------------- CSV


def comparison_csv(context: dict, peers, region, year, start_year, rules, denominator) -> dict:
    dataset, level, creg = context["dataset"], context["level"], context.get("creg")
    ui = dataset_ui(dataset)
    start = window_start(year, start_year)
    focal_id, focal_name, members = focal_of(context, region)
    built, custom_peers = split_peers(peers)
    built = tuple(p for p in built if p != focal_id and p not in members)
    ccats = (context["ccat"],) if context.get("ccat") else ()
    cmp = views.comparison(dataset, level, year, rules, denominator, start, None if creg else region, creg, built,
                           custom_peers, ccats).copy()
    cmp.insert(2, "year", year)
    cmp = cmp.rename(columns={"cagr": f"cagr_{start}_{year}" if start else "cagr"})
    lv = level_label(dataset, level)
    note = (f"Peer comparison of {focal_name} ({focal_id}) with {cmp['region_id'].nunique() - 1:,} peer regions "
            f"({lv}), {year}; stars: {RULE_SETS[rules].label}; LQ denominator: {DENOMINATOR_LABELS[denominator]}; "
            f"growth: {f'CAGR {start}–{year}' if start else 'none'}; ranks within the peer group (1 = highest); "
            f"employment in {ui['employment_unit']}. Cluster Observatory.")
    labels = views.growth_notes(dataset, start, year, ccats)
    if labels:
        note += " " + " ".join(labels)
    return send_credit_csv(cmp, f"peers_{dataset}_{focal_id.replace(':', '-')}_{year}.csv",
                           [ui["source"], f"{year}; {lv}; benchmark area: {ui['benchmark_area']}.", note])


def chart_csv(kind: str, context: dict, peers, region, year, start_year, rules, denominator, category) -> dict:
    """The numbers a chart draws (kind = heatmap | bars | growth) as a ``dcc.Download`` payload: the
    source and the chart's title (what, where, when, benchmark) as ``#`` lines, units in the headers."""
    dataset, level, creg = context["dataset"], context["level"], context.get("creg")
    if kind not in CHARTS:
        raise ValueError(f"unknown chart {kind!r}")
    ui = dataset_ui(dataset)
    start = window_start(year, start_year)
    focal_id, focal_name, members = focal_of(context, region)
    built, custom_peers = split_peers(peers)
    built = tuple(p for p in built if p != focal_id and p not in members)
    ccats = (context["ccat"],) if context.get("ccat") else ()
    cmp = views.comparison(dataset, level, year, rules, denominator, start, None if creg else region, creg, built,
                           custom_peers, ccats)
    filename = chart_filename(kind, context, focal_id, year, start, category) + ".csv"
    lv, where = level_label(dataset, level), where_of(focal_id, focal_name, members)
    if cmp.empty or not cmp["focal"].any():
        df, head = pd.DataFrame(), (f"No comparison for {where} in {year}", "No employment data in that year.")
    elif kind == "heatmap":
        cats = pf.heatmap_categories(cmp, focal_id)
        df = pf.heatmap_csv_frame(cmp, focal_id, cats, year, ui["employment_unit"])
        head = pf.heatmap_head(where, cmp["region_id"].nunique() - 1, lv, year, len(cats), ui, denominator)
    else:
        reg = views.region_comparison(dataset, level, year, rules, denominator, start, None if creg else region, creg,
                                      built, custom_peers)
        ids_, names, emp, what, growth = bars_data(cmp, reg, category, context)
        df = pf.bars_csv_frames(ids_, names, focal_id, emp, growth, what, year, start, ui["employment_unit"])[kind]
        head = pf.bars_heads(where, len(ids_) - 1, what, lv, year, start, ui["employment_unit"])[kind]
        if kind == "growth" and start is None:
            head = (head[0], "No growth: pick a start year before the year.")
    stars = f" Stars: {RULE_SETS[rules].label}." if kind == "heatmap" else ""
    lines = [ui["source"], f"{head[0]}. {head[1]}{stars} Cluster Observatory."]
    if creg:
        lines.append(f"Custom region {creg}.")
    if custom_peers:
        lines.append("Custom peers: " + "; ".join(custom_peers) + ".")
    return send_credit_csv(df, filename, lines)


_CHART_BUTTONS = {ids.HEATMAP_CSV_BTN: "heatmap", ids.BARS_CSV_BTN: "bars", ids.GROWTH_CSV_BTN: "growth"}


@callback(
    Output(ids.CHART_DOWNLOAD, "data"),
    inputs={"heatmap": Input(ids.HEATMAP_CSV_BTN, "n_clicks"), "bars": Input(ids.BARS_CSV_BTN, "n_clicks"),
            "growth": Input(ids.GROWTH_CSV_BTN, "n_clicks"), "region": State(ids.REGION, "value"),
            "year": State(ids.YEAR, "value"), "start_year": State(ids.START_YEAR, "value"),
            "rules": State(ids.RULES, "value"), "denominator": State(ids.DENOMINATOR, "value"),
            "peers": State(ids.PEERS, "value"), "category": State(ids.CATEGORY, "value"),
            "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_chart(heatmap, bars, growth, region, year, start_year, rules, denominator, peers, category, context):
    kind = _CHART_BUTTONS.get(ctx.triggered_id)
    if kind is None or not ctx.triggered[0].get("value"):
        return no_update
    return chart_csv(kind, context, peers, region, year, start_year, rules, denominator, category)


@callback(
    Output(ids.DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.DOWNLOAD_BTN, "n_clicks"), "region": State(ids.REGION, "value"),
            "year": State(ids.YEAR, "value"), "start_year": State(ids.START_YEAR, "value"),
            "rules": State(ids.RULES, "value"), "denominator": State(ids.DENOMINATOR, "value"),
            "peers": State(ids.PEERS, "value"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_comparison(n_clicks, region, year, start_year, rules, denominator, peers, context):
    if not n_clicks:
        return no_update
    return comparison_csv(context, peers, region, year, start_year, rules, denominator)


register_writer(ids.PREFIX)
