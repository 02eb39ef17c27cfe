"""Callbacks of the region profile: key figures, portfolio, bubble chart, timeline, CSVs (the
portfolio's, each chart's numbers and the cluster organisations'), the address.

Every number comes from ``analytics.serving.views`` (the same functions as the map, compare and
the CLI); this module formats and draws them. The chosen settings go back into the address
(``REGION.query``, written by the one URL writer), so back/forward and a copied link restore
the view.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from analytics.metrics.growth import carried_start, no_growth_reason
from analytics.metrics.stars import RULE_SETS
from analytics.serving import profiles, views
from analytics.serving.formats import fmt_int, fmt_pct, fmt_signed_pct
from analytics.serving.store import DATASETS, get_store
from analytics.upload import is_upload_key
from components.controls import start_year_options, window_start
from components.figures import add_title_and_source, empty_figure, export_name, graph_config
from components.labels import DENOMINATOR_LABELS, dataset_ui, level_label, per_person
from components.messages import note
from components.routes import BUILD, CATEGORY, CUSTOM, MAP, METHODOLOGY, REGION
from components.tables import col, grid, md_link, records, send_credit_csv
from components.url_state import register_writer
from pages.region import figures as rf
from pages.region import ids
from pages.region import organisations as region_orgs

SETTINGS = {"year": Input(ids.YEAR, "value"), "start_year": Input(ids.START_YEAR, "value"),
            "rules": Input(ids.RULES, "value"), "denominator": Input(ids.DENOMINATOR, "value")}


def _window(context: dict, year, start_year, trigger=None):
    """The start year in use: a change of the year keeps the start while the window stays within
    one series and otherwise takes the new year's default (``growth.carried_start``); a start
    picked or given in the address is used as it is (a window across a break is labelled)."""
    if trigger != ids.YEAR or year is None:
        return start_year
    have = views.years_with_data(context["dataset"], context["region_id"], context.get("creg"))
    return carried_start(context["dataset"], have, start_year, year)


def growth_message(context: dict, year, start_year, have) -> str | None:
    """Why the profile shows no growth, or the labels of its window (across a break; custom
    categories of industry codes outside one vintage); None within one series."""
    start = window_start(year, start_year)
    if start is None:
        return no_growth_reason(context["dataset"], have, year, start_year)
    return " ".join(views.growth_notes(context["dataset"], start, year, context.get("ccats") or ())) or None


def _state(context: dict, year, start_year, rules, denominator) -> dict:
    return {"dataset": context["dataset"], "region_id": context["path_id"], "year": year, "start_year": start_year,
            "rules": rules, "denominator": denominator, "creg": context.get("creg"), "ccat": context.get("ccat")}


def region_table(context: dict, year, start, rules, denominator):
    """The level's regional clusters with the region's (and its custom categories') rows."""
    return views.level_table(context["dataset"], context["level"], year, rules, denominator, start,
                             tuple(context.get("ccats") or ()), context.get("creg"))


# ---------------------------------------------------------------------------- main view


@callback(
    output={"message": Output(ids.MESSAGE, "children"), "body_style": Output(ids.BODY, "style"),
            "breadcrumb": Output(ids.BREADCRUMB, "children"), "keyfigs": Output(ids.KEYFIGS, "children"),
            "context_cards": Output(ids.INDICATORS, "children"),
            "rows": Output(ids.TABLE, "rowData"), "columns": Output(ids.TABLE, "columnDefs"),
            "timeline": Output(ids.TIMELINE, "figure"), "timeline_config": Output(ids.TIMELINE, "config"),
            "timeline_svg": Output(ids.TIMELINE_SVG, "data-filename"),
            "diversification": Output(ids.DIVERSIFICATION, "children"),
            "start_options": Output(ids.START_YEAR, "options"), "url": Output(ids.URL, "data"),
            "start_year": Output(ids.START_YEAR, "value")},
    inputs={**SETTINGS, "context": State(ids.CONTEXT, "data")},
)
def update_region(year, start_year, rules, denominator, context):
    return region_outputs(context, year, start_year, rules, denominator, ctx.triggered_id)


def region_outputs(context: dict, year, start_year, rules, denominator, trigger=None) -> dict:
    """The profile for the settings; ``trigger`` the control that changed (a new year may move
    the start year, :func:`_window`)."""
    dataset, region_id, level = context["dataset"], context["region_id"], context["level"]
    store = get_store(dataset)
    ui = dataset_ui(dataset)
    creg = context.get("creg")
    have = views.years_with_data(dataset, region_id, creg)
    moved = _window(context, year, start_year, trigger)
    shown_start = moved if moved != start_year else no_update
    start_year = moved
    t = views.region_timeline(dataset, region_id, creg)
    timeline_name = timeline_filename(context, t)
    out = {"start_year": shown_start,
           "start_options": start_year_options(store.years, year, have, context["dataset"]),
           "url": REGION.query(_state(context, year, start_year, rules, denominator)),
           "breadcrumb": breadcrumb(context, year, start_year, rules, denominator),
           "timeline": rf.timeline_figure(t, year, ui, rf.timeline_head(where(context), t, year, ui)),
           "timeline_config": graph_config(timeline_name), "timeline_svg": timeline_name}
    if year not in have:
        return {**out, "message": no_data_message(context, year, have, start_year, rules, denominator),
                "body_style": {"display": "none"}, "keyfigs": [], "context_cards": [], "rows": [], "columns": [],
                "diversification": None}
    start = window_start(year, start_year)
    figs = key_figures(context, year, start, rules, denominator)
    suffix = " (with this region)" if creg else ""
    table = region_table(context, year, start, rules, denominator)
    pf = profiles.portfolio(table, region_id, RULE_SETS[rules])
    rows, columns = portfolio_rows(pf, context, year, start, ui)
    text = growth_message(context, year, start_year, have)
    msg = note(text) if text else None
    return {**out, "message": msg, "body_style": {}, "rows": rows, "columns": columns,
            "keyfigs": key_figure_cards(figs, level_label(dataset, level) + suffix, year),
            "context_cards": context_cards(context, year),
            "diversification": diversification_table(context, table, year, start)}


def key_figures(context: dict, year, start, rules, denominator) -> list[dict]:
    """The profile's key figures (values, ranks, texts) of the region in the year."""
    dataset = context["dataset"]
    ui = dataset_ui(dataset)
    row = views.region_row(dataset, context["level"], year, context["region_id"], rules, denominator, start,
                           context.get("creg"))
    gdp = (ui["gdp_column"], ui["gdp_label"], ui["gdp_unit"]) if ui["gdp_column"] else None
    return profiles.key_figures(row, gdp, ui["employment_unit"], custom=bool(context.get("creg")))


def _fname(region_id: str) -> str:
    return region_id.replace(":", "-")


def where(context: dict) -> str:
    """The region as chart titles name it: "Stuttgart (DE11)", "Øresund (custom region: DK01 + SE22)"."""
    if context.get("creg"):
        members = " + ".join(views.parse_region(context["dataset"], context["creg"]).members)
        return f"{context['name']} (custom region: {members})"
    return f"{context['name']} ({context['region_id']})"


def timeline_filename(context: dict, t) -> str:
    span = rf.data_years(t)
    return export_name("employment_over_time", context["dataset"], context["region_id"],
                       f"{span[0]}-{span[1]}" if span else None)


def bubble_filename(context: dict, year, start, x) -> str:
    return export_name("portfolio", context["dataset"], context["region_id"],
                       f"{start}-{year}" if start else year, x)


def breadcrumb(context: dict, year, start_year, rules, denominator):
    dataset = context["dataset"]
    if context.get("creg"):
        items = [{"label": "Build your own", "href": BUILD.href(dataset=dataset, creg=context["creg"])},
                 {"label": context["name"], "active": True}]
        return dbc.Breadcrumb(items=items, className="small mb-1")
    store = get_store(dataset)
    items = [{"label": "Map", "href": MAP.href(dataset=dataset, level=context["level"])}]
    for a in profiles.breadcrumbs(store.regions, context["region_id"]):
        items.append({"label": f"{a['name']} ({a['region_id']})", "href": REGION.href(
            dataset=dataset, region_id=a["region_id"], year=year, start_year=start_year, rules=rules,
            denominator=denominator)})
    items.append({"label": context["name"], "active": True})
    return dbc.Breadcrumb(items=items, className="small mb-1")


def no_data_message(context: dict, year, have, start_year, rules, denominator):
    what = "The custom region has no complete data" if context.get("creg") else f"No data for {context['name']}"
    if not have:
        body = [html.P("There are no employment data for this region in any year of the dataset "
                       "(see the data-quality report on the methodology page).")]
    else:
        links = []
        for y in have:
            if links:
                links.append(", ")
            links.append(html.A(str(y), href=REGION.href(**_state(
                context, y, carried_start(context["dataset"], have, start_year, y), rules, denominator))))
        body = [html.P(["Years with data: "] + links + ["."])]
    return dbc.Alert([html.H4(f"{what} in {year}", className="alert-heading h5")] + body
                     + [html.A("Data-quality report", href=METHODOLOGY.href(dataset=context["dataset"]) + "#quality",
                               className="alert-link")], color="warning")


def key_figure_cards(figs: list[dict], level_plural: str, year: int):
    shown = {"pct": fmt_pct, "signed_pct": fmt_signed_pct}
    cards = []
    for f in figs:
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div(f["label"], className="text-uppercase small text-muted fw-semibold"),
            html.Div(shown.get(f["kind"], fmt_int)(f["value"]), className="fs-3 fw-bold text-primary lh-sm"),
            html.Div(f["unit"], className="small text-muted"),
            html.Div([html.Span(f["rank_text"], className="badge bg-info me-1 keyfig-rank"),
                      html.Span(f"{level_plural}, {year}", className="small text-muted")]
                     if f["rank"] is not None else html.Span("not ranked (no value)", className="small text-muted"),
                     className="mt-2"),
        ]), className=f"h-100 shadow-sm keyfig keyfig-{f['key']}"), xs=12, sm=6, lg=4, xl=2))
    cards.append(dbc.Col(html.Small(
        "Ranks: 1 = highest, among the regions of the same level with a value in the year. Cluster strength and "
        "starred clusters follow the chosen star rules and LQ denominator; the US variant always uses the US "
        "portal's strong-cluster rule.", className="text-muted"), xs=12))
    return cards


CONTEXT_UPLOAD_NOTE = ("An uploaded file carries employment only: there is no GDP, population, patent, R&D or "
                       "unemployment figure for its regions, so no region context is shown.")
CONTEXT_CUSTOM_NOTE = ("The context indicators are published for official regions only: rates (growth, R&D, "
                       "unemployment) cannot be added up, so a custom region shows none. Open a member region's "
                       "profile for its context.")


def context_cards(context: dict, year) -> list:
    """The "Region context" cards (``profiles.region_context``), or one note why there are none."""
    dataset = context["dataset"]
    if dataset not in DATASETS or is_upload_key(dataset):
        return [dbc.Col(html.P(CONTEXT_UPLOAD_NOTE, className="small text-muted mb-0", id="region-context-none"),
                        xs=12)]
    if context.get("creg"):
        return [dbc.Col(html.P(CONTEXT_CUSTOM_NOTE, className="small text-muted mb-0", id="region-context-none"),
                        xs=12)]
    cards = profiles.region_context(get_store(dataset).context, dataset, context["region_id"], year)
    if not cards:
        return [dbc.Col(html.P("The sources publish no context indicator for this region.",
                               className="small text-muted mb-0", id="region-context-none"), xs=12)]
    level = level_label(dataset, context["level"])
    out = [dbc.Col(context_card(c, level), xs=12, sm=6, lg=4) for c in cards]
    absent = profiles.context_absent(dataset, context["level"])
    out.append(dbc.Col(html.Small(
        "Each card: the value in the chosen year, or the latest earlier year with a value (the card says which); "
        "the line covers every year of the source, gaps are years without a value; the dot marks the year shown. "
        "Ranks among all regions of the same level with a value in that year, 1 = highest unless marked (the key "
        "figures above rank among the regions with employment data, so their GDP rank can differ). "
        + (absent or ""), className="text-muted"), xs=12))
    return out


def context_card(c: dict, level_plural: str) -> dbc.Card:
    years = c["series"]["years"]
    span = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])
    missing = sum(v is None for v in c["series"]["values"])
    trend = f"Trend {span}, {c['range_text']}" + (
        f" ({missing} {'year' if missing == 1 else 'years'} without a value: gaps)" if missing else "")
    when = html.Div(c["year_note"] or f"in {c['value_year']}",
                    className="small fw-semibold " + ("text-warning-emphasis" if c["year_note"] else "text-muted"))
    return dbc.Card(dbc.CardBody([
        html.Div(c["label"], className="text-uppercase small text-muted fw-semibold"),
        html.Div([html.Span(c["value_text"], className="fs-4 fw-bold text-primary lh-sm me-2"),
                  html.Span(c["unit"], className="small text-muted")]),
        when,
        html.Div(dcc.Graph(figure=rf.sparkline_figure(c["series"], c["value_year"]), config=rf.SPARK_CONFIG,
                           style={"height": f"{rf.SPARK_HEIGHT}px"}),
                 role="img", **{"aria-label": f"{c['label']}, {trend}"}, className="my-1"),
        html.Div(trend, className="small text-muted"),
        html.Div([html.Span(c["rank_text"], className="badge bg-info me-1 context-rank"),
                  html.Span(f"{level_plural}, {c['value_year']}", className="small text-muted")], className="mt-1"),
        html.Small(c["source"], className="text-muted d-block mt-2 source-line"),
    ]), className=f"h-100 shadow-sm context-card context-{c['key']}")


def portfolio_rows(pf, context: dict, year: int, start, ui: dict):
    dataset, level = context["dataset"], context["level"]
    df = pf.copy()
    df["category"] = [md_link(n, _category_href(dataset, c, year, level, context, start)) for c, n in
                      zip(df["category_id"], df["category_name"])]
    growth_name = f"Growth {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    columns = [
        col("category", "Category", "link", width=200, pinned="left"),
        col("category_type", "Type", width=90),
        col("stars_text", "Stars", "stars", width=80),
        col("criteria", "Criteria met (value vs threshold)", width=260),
        col("employment", f"Employment ({ui['employment_unit']})", "int"),
        col("lq", "LQ (ratio)", "num"),
        col("focus", "Focus (% of the region's employment)", "pct"),
        col("size_share", f"Size (% of the category's employment in {ui['label']})", "pct2"),
        col("avg_wage", f"Average wage ({ui['currency']} per {per_person(ui['employment_unit'])} per year)", "int"),
        col("cagr", growth_name, "signed_pct"),
        col("flags", "Data flags", width=120),
    ]
    return records(df[[c["field"] for c in columns]]), columns


def _category_href(dataset: str, category_id: str, year: int, level: str, context: dict, start=None) -> str | None:
    """The category's profile with this profile's window (``year``, ``start_year``); None for an
    uploaded file (category profiles are of the built-in data: the name is shown without a link)."""
    if is_upload_key(dataset):
        return None
    for spec in context.get("ccats") or ():
        cc = views.parse_category(dataset, spec)
        if cc.category_id == category_id:
            return CATEGORY.href(dataset=dataset, category_id=CUSTOM, year=year, level=level, start_year=start,
                                 ccat=spec)
    return CATEGORY.href(dataset=dataset, category_id=category_id, year=year, level=level, start_year=start,
                         creg=context.get("creg"))


def diversification_table(context: dict, table, year, start=None):
    dataset, level = context["dataset"], context["level"]
    div = profiles.diversification_opportunities(get_store(dataset).related, table, context["region_id"])
    if div.empty:
        return html.P("No suggestions: the region has no starred traded category in this year under these rules, "
                      "or none of them has strongly related categories in the data.", className="small")
    div["category"] = [md_link(n, None if is_upload_key(dataset) else
                               CATEGORY.href(dataset=dataset, category_id=c, year=year, level=level, start_year=start))
                       for c, n in zip(div["category_id"], div["category_name"])]
    ui = dataset_ui(dataset)
    columns = [col("category", "Category", "link", width=180), col("density", "Relatedness density (0–100)", "num1"),
               col("related_to", "Related to the region's starred categories", width=260),
               col("lq", "LQ (ratio)", "num"), col("employment", f"Employment ({ui['employment_unit']})", "int")]
    return grid(ids.DIVERSIFICATION + "-grid", records(div[[c["field"] for c in columns]]), columns, page_size=10)


# ---------------------------------------------------------------------------- bubble chart


@callback(
    output={"figure": Output(ids.BUBBLE, "figure"), "note": Output(ids.BUBBLE_NOTE, "children"),
            "config": Output(ids.BUBBLE, "config"), "svg": Output(ids.BUBBLE_SVG, "data-filename")},
    inputs={**SETTINGS, "x": Input(ids.BUBBLE_X, "value"), "context": State(ids.CONTEXT, "data")},
)
def update_bubble(year, start_year, rules, denominator, x, context):
    return bubble_outputs(context, year, _window(context, year, start_year, ctx.triggered_id), rules, denominator, x)


def bubble_data(context: dict, year, start_year, rules, denominator):
    """(bubble frame, benchmark growth, start) of the portfolio chart, or (None, why not, start)."""
    dataset, region_id, level = context["dataset"], context["region_id"], context["level"]
    start = window_start(year, start_year)
    if year not in views.years_with_data(dataset, region_id, context.get("creg")):
        return None, f"No data in {year}", start
    if start is None:
        return None, "No start year for this year: no growth (the note above says why)", start
    table = region_table(context, year, start, rules, denominator)
    before = region_table(context, start, None, rules, denominator)
    frame = profiles.bubble_frame(table, before, region_id, start, get_store(dataset).categories)
    return frame, views.benchmark_growth(dataset, level, start, year), start


def bubble_outputs(context: dict, year, start_year, rules, denominator, x) -> dict:
    ui = dataset_ui(context["dataset"])
    frame, bench, start = bubble_data(context, year, start_year, rules, denominator)
    name = bubble_filename(context, year, start, x)
    config = graph_config(name)
    if frame is None:
        fig = add_title_and_source(empty_figure(bench, rf.BUBBLE_HEIGHT), f"Cluster portfolio of {where(context)}, "
                                   f"{year}", ui["source"], width=rf.BUBBLE_WIDTH)
        return {"figure": fig, "note": None, "config": config, "svg": name}
    head = rf.bubble_head(where(context), x, start, year, ui, rules, denominator, bench)
    fig, n_out = rf.bubble_figure(frame, x, bench, start, year, ui, head=head)
    return {"figure": fig, "note": rf.bubble_note(rules, year, start, bench, n_out, ui), "config": config,
            "svg": name}


# ---------------------------------------------------------------------------- CSV


def portfolio_csv(context: dict, year: int, start_year, rules: str, denominator: str) -> dict:
    """The portfolio as a ``dcc.Download`` payload: line 1 the source credit, line 2 the settings."""
    dataset, region_id, level = context["dataset"], context["region_id"], context["level"]
    ui = dataset_ui(dataset)
    start = window_start(year, start_year)
    table = region_table(context, year, start, rules, denominator)
    pf = profiles.portfolio(table, region_id, RULE_SETS[rules])
    pf.insert(0, "year", year)
    pf.insert(0, "region_name", context["name"])
    pf.insert(0, "region_id", region_id)
    pf = pf.rename(columns={"stars_text": "stars_symbols", "criteria": "criteria_met"})
    growth = f"growth (cagr, abs_change) {start}–{year}" if start else "no growth (no start year)"
    labels = views.growth_notes(dataset, start, year, context.get("ccats") or ())
    if labels:
        growth += f" [{' '.join(labels)}]"
    text = (f"Cluster portfolio of {context['name']} ({region_id}), {level_label(dataset, level, True)}, "
            f"{year}; stars: {RULE_SETS[rules].label}; LQ denominator: {DENOMINATOR_LABELS[denominator]}; {growth}; "
            f"benchmark area: {ui['benchmark_area']}; employment in {ui['employment_unit']}, average wage in "
            f"{ui['currency']}. Cluster Observatory.")
    if context.get("creg"):
        text += f" Custom region {context['creg']}."
    if context.get("ccats"):
        text += " Custom categories: " + "; ".join(context["ccats"]) + "."
    return send_credit_csv(pf, f"portfolio_{dataset}_{_fname(region_id)}_{year}.csv", [ui["source"], text])


@callback(
    Output(ids.DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.DOWNLOAD_BTN, "n_clicks"), "year": State(ids.YEAR, "value"),
            "start_year": State(ids.START_YEAR, "value"), "rules": State(ids.RULES, "value"),
            "denominator": State(ids.DENOMINATOR, "value"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_portfolio(n_clicks, year, start_year, rules, denominator, context):
    if not n_clicks:
        return no_update
    return portfolio_csv(context, year, start_year, rules, denominator)


def chart_csv(kind: str, context: dict, year, start_year, rules, denominator, x="lq") -> dict:
    """The numbers a chart draws (kind = bubble | timeline) as a ``dcc.Download`` payload: the
    source and the chart's title (what, where, when, benchmark) as ``#`` lines, units in the headers."""
    ui = dataset_ui(context["dataset"])
    name = where(context)
    if kind == "timeline":
        t = views.region_timeline(context["dataset"], context["region_id"], context.get("creg"))
        df = rf.timeline_csv_frame(t, context["region_id"], context["name"], ui)
        head, filename = rf.timeline_head(name, t, year, ui), timeline_filename(context, t)
    elif kind == "bubble":
        frame, bench, start = bubble_data(context, year, start_year, rules, denominator)
        filename = bubble_filename(context, year, start, x)
        if frame is None:
            df, head = pd.DataFrame(), (f"Cluster portfolio of {name}, {year}", bench + ".")
        else:
            df = rf.bubble_csv_frame(frame, x, context["region_id"], context["name"], start, year, ui)
            head = rf.bubble_head(name, x, start, year, ui, rules, denominator, bench)
    else:
        raise ValueError(f"unknown chart {kind!r}")
    lines = [ui["source"], f"{head[0]}. {head[1]} Cluster Observatory."]
    if context.get("creg"):
        lines.append(f"Custom region {context['creg']}.")
    return send_credit_csv(df, filename + ".csv", lines)


_CHART_BUTTONS = {ids.BUBBLE_CSV_BTN: "bubble", ids.TIMELINE_CSV_BTN: "timeline"}


@callback(
    Output(ids.CHART_DOWNLOAD, "data"),
    inputs={"bubble": Input(ids.BUBBLE_CSV_BTN, "n_clicks"), "timeline": Input(ids.TIMELINE_CSV_BTN, "n_clicks"),
            "year": State(ids.YEAR, "value"), "start_year": State(ids.START_YEAR, "value"),
            "rules": State(ids.RULES, "value"), "denominator": State(ids.DENOMINATOR, "value"),
            "x": State(ids.BUBBLE_X, "value"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_chart(bubble, timeline, year, start_year, rules, denominator, x, context):
    kind = _CHART_BUTTONS.get(ctx.triggered_id)
    if kind is None or not ctx.triggered[0].get("value"):
        return no_update
    return chart_csv(kind, context, year, start_year, rules, denominator, x)


@callback(
    Output(ids.ORGS_DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.ORGS_DOWNLOAD_BTN, "n_clicks"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_organisations(n_clicks, context):
    """The CSV of "Cluster organisations in this region" (``organisations.py``)."""
    if not n_clicks:
        return no_update
    return region_orgs.csv_payload(context)


register_writer(ids.PREFIX)
