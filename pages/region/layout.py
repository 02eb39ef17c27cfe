"""Region profile `/region/<dataset>/<region_id>?year=&start_year=&rules=&denominator=&creg=&ccat=`.

The layout checks the path (an unknown dataset or region gets a message with a link back to
the map; ``region_id=custom`` with ``creg=Name=ID+ID`` is a custom region) and parses the query
with ``components.routes.REGION`` (bad values: a visible note and the default), then lays out
the controls and the slots ``callbacks.py`` fills: key figures with ranks, the region context
(GDP, growth, population, patents, R&D, unemployment: cards with sparklines), the cluster portfolio
(custom categories of the link and of the library included; CSV), the bubble chart, employment
over time, diversification opportunities; and, drawn here once (it does not depend on the
settings), the cluster organisations located in the region (``organisations.py``).
"""
from __future__ import annotations

import difflib

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.serving import profiles, views
from analytics.serving.library import saved_specs
from analytics.serving.store import DATASETS, get_store
from analytics.upload import is_upload_key, lookup
from components.controls import settings_controls, start_year_options
from components.figures import graph_config, source_line, svg_button
from components.labels import dataset_ui, level_label
from components.messages import join, not_found, query_notes
from components.routes import BUILD, CUSTOM, METHODOLOGY, REGION, UPLOAD, report_links
from components.tables import grid
from components.url_state import url_store
from pages.region import ids
from pages.region import organisations as region_orgs
from pages.region.figures import BUBBLE_HEIGHT, TIMELINE_HEIGHT


def unknown_dataset(dataset) -> html.Div:
    if is_upload_key(dataset):
        return not_found("This upload has expired or is unknown.",
                         "Uploaded data are deleted after their time or by their uploader. Upload the file again:",
                         html.A("Analyse your own data", href=UPLOAD.href()))
    known = ", ".join(f"{m['label']} ({k})" for k, m in DATASETS.items())
    return not_found(f"There is no dataset “{dataset}”.", f"Known datasets: {known}.")


def unknown_region(dataset: str, region_id) -> html.Div:
    store = get_store(dataset)
    close = difflib.get_close_matches(str(region_id or "").upper(), store.regions["region_id"].tolist(), n=5,
                                      cutoff=0.5)
    extra = None
    if close:
        extra = html.P(["Did you mean: "] + join([
            html.A(f"{store.region_names[c]} ({c})", href=REGION.href(dataset=dataset, region_id=c)) for c in close])
            + ["?"])
    return not_found(f"No region “{region_id}” in the {store.meta.get('label', dataset)} data.",
                     "Region ids are the official codes (NUTS codes in Europe, FIPS codes in the US). "
                     "Pick a region on the map to open its profile.", extra, id_=ids.MESSAGE)


def portfolio_ccats(dataset: str, ccat: str | None) -> tuple[str, ...]:
    """The custom categories a portfolio shows: the link's and the saved ones of the dataset."""
    specs = []
    for spec in [ccat, *saved_specs("category", dataset)]:
        cc, _problem = views.try_category(dataset, spec)
        if cc is not None:
            specs.append(cc.spec())
    return tuple(dict.fromkeys(specs))


def layout(**kwargs):
    query, path = REGION.split(kwargs)
    dataset, region_id = path.get("dataset"), path.get("region_id")
    if dataset not in DATASETS and (not is_upload_key(dataset) or lookup(dataset) is None):
        return unknown_dataset(dataset)
    store = get_store(dataset)
    if region_id == CUSTOM:
        cr, problem = views.try_region(dataset, query.get("creg"))
        if cr is None:
            return not_found("This custom region cannot be shown.",
                             problem or "The link has no custom region (creg=Name=CODE+CODE…).",
                             html.A("Build a region", href=BUILD.href(dataset=dataset)), id_=ids.CUSTOM_MESSAGE)
        region = {"region_id": cr.region_id, "name": cr.name, "level": views.member_level(dataset, cr.spec())}
    elif region_id and profiles.region_row(store.regions, region_id) is not None:
        region = profiles.region_row(store.regions, region_id)
    else:
        return unknown_region(dataset, region_id)
    state, notes = REGION.parse(query, path)
    if region_id != CUSTOM and state.get("creg"):
        notes.append("creg is only used with /region/<dataset>/custom; ignored.")
        state["creg"] = None
    ui = dataset_ui(dataset)
    have = views.years_with_data(dataset, region["region_id"], state.get("creg"))
    context = {"dataset": dataset, "region_id": region["region_id"], "path_id": region_id, "level": region["level"],
               "name": region["name"], "creg": state.get("creg"), "ccat": state.get("ccat"),
               "ccats": list(portfolio_ccats(dataset, state.get("ccat")))}
    custom_members = " + ".join(views.parse_region(dataset, state["creg"]).members) if state.get("creg") else None
    level = region["level"]
    children = store.regions[store.regions["parent_id"] == region_id].sort_values("region_id") \
        if region_id != CUSTOM else store.regions.iloc[0:0]
    return html.Div([
        dcc.Store(id=ids.CONTEXT, data=context),
        *url_store(ids.PREFIX, REGION, state),
        html.Div(id=ids.BREADCRUMB),
        html.H1(f"{region['name']} ({custom_members or region_id})", className="h2 mb-1"),
        html.P([(f"Custom region of {level_label(dataset, level)} · " if custom_members else
                 f"{level_label(dataset, level, singular=True)} · ") + f"{ui['label']} · ",
                html.A("Methodology and sources", href=METHODOLOGY.href())], className="text-muted"),
        html.Div(report_links(REGION, state) if dataset in DATASETS else None, className="mb-2 d-print-none"),
        query_notes(notes),
        _upload_note(store) if dataset not in DATASETS else None,
        _controls(store, have, state),
        html.Div(id=ids.MESSAGE),
        html.Div(id=ids.BODY, children=[
            dbc.Row(id=ids.KEYFIGS, className="g-3 mb-4"),
            _context_section(),
            _portfolio_section(ui),
            _bubble_section(ui),
            dbc.Row([
                dbc.Col(_timeline_section(ui), lg=5, className="mb-4"),
                dbc.Col(_diversification_section(ui), lg=7, className="mb-4"),
            ]),
            _children_links(dataset, children, state),
        ]),
        region_orgs.section(context) if dataset in DATASETS else html.P(
            "Cluster organisations and library documents are listed for the built-in data only, not for an "
            "uploaded file.", className="small text-muted", id="region-upload-no-orgs"),
    ], className="region-page")


def _upload_note(store) -> html.Div:
    """An uploaded file's profile: what it lacks (GDP, population, patents, organisations) and its notes."""
    return html.Div([html.P(f"{store.meta['source']} An uploaded file carries employment only: no prosperity (GDP), "
                            "population or innovation (patents) figures are shown.", className="small mb-1"),
                     html.Ul([html.Li(n) for n in store.notes], className="small mb-0") if store.notes else None],
                    className="alert alert-secondary py-2", id="region-upload-note")


def _controls(store, have, state) -> dbc.Card:
    years = store.years
    return dbc.Card(dbc.CardBody(dbc.Row(settings_controls(
        (ids.YEAR, ids.START_YEAR, ids.RULES, ids.DENOMINATOR), years, state["year"],
        start_year_options(years, state["year"], have, state["dataset"]), state["start_year"], state["rules"],
        state["denominator"]),
        className="g-2")), className="mb-3 bg-light border-0")


def _context_section() -> html.Section:
    """Region context: official indicators of the region (filled by ``callbacks.context_cards``)."""
    return html.Section([
        html.H2("Region context", className="h4 mb-1"),
        html.P("The region's framework conditions from official statistics (what the US Cluster Mapping portal "
               "calls “Performance & Drivers”): prosperity, growth, size, innovation and the labour market.",
               className="small text-muted mb-2"),
        dbc.Row(id=ids.INDICATORS, className="g-3"),
    ], className="mb-4", id="region-context-section")


def _portfolio_section(ui) -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Cluster portfolio", className="h4 mb-0"),
            dbc.Button("Download CSV", id=ids.DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        html.P("Every cluster category in the region, custom categories (of the link and the library) included. "
               "Stars and the criteria met (with the values compared) follow the chosen rule set; click a column "
               "header to sort, use its menu to filter.", className="small text-muted mb-2"),
        grid(ids.TABLE, page_size=15),
        dcc.Download(id=ids.DOWNLOAD),
        source_line(ui["source"]),
    ], className="mb-4")


def _bubble_section(ui) -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Portfolio chart", className="h4 mb-0"),
            html.Div([
                dbc.Label("Horizontal axis:", html_for=ids.BUBBLE_X, className="small me-2 mb-0"),
                dbc.RadioItems(id=ids.BUBBLE_X, inline=True, value="lq", className="small",
                               options=[{"label": "Location quotient", "value": "lq"},
                                        {"label": "Change in share", "value": "share_change"}]),
                svg_button(ids.BUBBLE, "portfolio_chart", ids.BUBBLE_SVG, label="Chart as SVG"),
                chart_csv_button(ids.BUBBLE_CSV_BTN),
            ], className="d-flex flex-wrap align-items-center gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center mb-1"),
        dcc.Loading(dcc.Graph(id=ids.BUBBLE, config=graph_config("portfolio_chart"),
                              style={"height": f"{BUBBLE_HEIGHT}px"}), type="circle", delay_show=400),
        html.Div(id=ids.BUBBLE_NOTE, className="small text-muted"),
        source_line(ui["source"]),
    ], className="mb-4")


def chart_csv_button(id_: str) -> dbc.Button:
    """The CSV of the numbers a chart draws (``callbacks.chart_csv``), next to its SVG button."""
    return dbc.Button("Data as CSV", id=id_, color="secondary", outline=True, size="sm",
                      title="Download the numbers this chart draws as CSV")


def _timeline_section(ui) -> html.Section:
    return html.Section([
        html.Div([html.H2("Employment over time", className="h4 mb-0"),
                  html.Div([svg_button(ids.TIMELINE, "employment_over_time", ids.TIMELINE_SVG, label="Chart as SVG"),
                            chart_csv_button(ids.TIMELINE_CSV_BTN)], className="d-flex gap-2")],
                 className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2"),
        dcc.Download(id=ids.CHART_DOWNLOAD),
        dcc.Graph(id=ids.TIMELINE, config=graph_config("employment_over_time"),
                  style={"height": f"{TIMELINE_HEIGHT}px"}),
        html.Div(className="small text-muted", children=(
            "Total = all industries the dataset covers (the LQ denominator E(r)); traded = the traded "
            "categories. Years without data are gaps.")),
        source_line(ui["source"]),
    ])


def _diversification_section(ui) -> html.Section:
    return html.Section([
        html.H2("Diversification opportunities", className="h4 mb-1"),
        html.P("Traded categories that are strongly related to the region's starred categories but are not "
               "starred here themselves. US 2014 relatedness (Delgado, Porter & Stern 2016): pairs at or above "
               "the 90th percentile. Relatedness density = sum of the related pairs' percentiles ÷ number of "
               "starred categories (0–100).", className="small text-muted mb-2"),
        html.Div(id=ids.DIVERSIFICATION),
        source_line(ui["source"] + " Relatedness: Delgado, Porter & Stern (2016); U.S. Cluster Mapping."),
    ], className="mb-4")


def _children_links(dataset: str, children, state: dict | None = None):
    """Links to the regions inside this one, with this profile's window when their level has the year."""
    if children.empty:
        return None
    kind = level_label(dataset, children["level"].iloc[0])
    window = {}
    if state and state["year"] in get_store(dataset).level_years(children["level"].iloc[0]):
        window = {"year": state["year"], "start_year": state["start_year"]}
    links = html.P(join([html.A(f"{r.name} ({r.region_id})", href=REGION.href(dataset=dataset, region_id=r.region_id,
                                                                               **window))
                         for r in children.itertuples()], " · "), className="small")
    if len(children) > 30:
        return html.Details([html.Summary(f"{kind} in this region ({len(children):,})", className="h5"), links],
                            className="mb-4")
    return html.Section([html.H2(f"{kind} in this region", className="h5"), links], className="mb-4")
