"""Category profile `/category/<dataset>/<category_id>?year=&start_year=&level=&ccat=&creg=`.

Checks the path (unknown dataset or category → a message with the list of categories;
``category_id=custom`` with ``ccat=Name=codes`` is a custom category), parses the query with
``components.routes.CATEGORY`` and lays out the slots ``callbacks.py`` fills: top regions (chart
and table; a custom region of the link ranked among them), the LQ map, member industries, US
subclusters and related categories, each with a CSV download; and, drawn here once (it does not
depend on the year or level), the organisations working in the category (``organisations.py``).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.metrics.stars import RULE_SETS
from analytics.serving import custom, profiles, views
from analytics.serving.store import DATASETS, get_store
from components.controls import labelled_control, start_year_control, start_year_options
from components.figures import graph_config, source_line, svg_button
from components.labels import dataset_ui
from components.messages import not_found, query_notes
from components.routes import BUILD, CATEGORY, CUSTOM, MAP, METHODOLOGY, report_links
from components.tables import col, grid, md_link, records
from components.url_state import url_store
from pages.category import ids
from pages.category import organisations as category_orgs
from pages.category.figures import MAP_HEIGHT, TOP_CHART_HEIGHT

RELATEDNESS_CREDIT = ("US 2014 relatedness (Delgado, Porter & Stern 2016): Delgado, M., Porter, M. E. & Stern, S. "
                      "(2016), “Defining clusters of related industries”, Journal of Economic Geography 16(1); "
                      "U.S. Cluster Mapping (http://clustermapping.us), Institute for Strategy and Competitiveness, "
                      "Harvard Business School.")
SUBCLUSTER_CREDIT = "Source: Delgado, Porter & Stern (2016); U.S. Cluster Mapping (http://clustermapping.us)."


def has_subclusters(dataset: str) -> bool:
    sub = get_store(dataset).subclusters
    return sub is not None and len(sub) > 0


def related_frame(dataset: str, category_id: str):
    """Related categories present in the dataset (US 2014 relatedness), strongest first."""
    store = get_store(dataset)
    return profiles.related_table(store.related, category_id, set(store.categories["category_id"]))


def window_of(state: dict) -> dict:
    """The parts of a category profile's state its links to other category profiles carry."""
    return {k: state.get(k) for k in ("year", "start_year", "level")}


def related_table(dataset: str, category_id: str, window: dict | None = None):
    """Related categories, linked with this profile's window (``year``, ``start_year``, ``level``)."""
    rel = related_frame(dataset, category_id)
    if rel.empty:
        return html.P("No relatedness data: the US 2014 relatedness table covers traded categories only.",
                      className="small")
    rel = rel.assign(related=[md_link(n, CATEGORY.href(dataset=dataset, category_id=c, **(window or {})))
                              for c, n in zip(rel["related_id"], rel["related_name"])],
                     related_90=["✓" if v else "" for v in rel["related_90"]])
    cols = [col("related", "Related category", "link", width=200), col("strength", "Relatedness score", "num3"),
            col("percentile", "Percentile (0–100)", "int"), col("related_90", "≥ 90th percentile", width=90)]
    return grid(ids.RELATED, records(rel[[c["field"] for c in cols]]), cols, page_size=10)


def subclusters_table(dataset: str, category_id: str):
    sub = profiles.category_subclusters(get_store(dataset).subclusters, category_id)
    sub = sub.assign(inferred=["inferred" if v else "" for v in sub["inferred"].astype(bool)])
    cols = [col("sub_code", "Subcluster code", width=90), col("sub_name", "Subcluster", width=180),
            col("industry", "Industry code", width=100), col("industry_name", "Industry", width=240),
            col("inferred", "Note", width=80)]
    return grid(ids.SUBCLUSTERS, records(sub), cols, page_size=25)


def unknown_category(dataset: str, category_id) -> html.Div:
    store = get_store(dataset)
    cats = store.categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    links = html.Ul([html.Li(html.A(f"{r.category_name} ({r.category_type})",
                                    href=CATEGORY.href(dataset=dataset, category_id=r.category_id)))
                     for r in cats.itertuples()], className="small", style={"columns": "2"})
    return not_found(f"No category “{category_id}” in the {store.meta.get('label', dataset)} data.",
                     "Categories of this dataset:", links, id_=ids.MESSAGE)


def layout(**kwargs):
    query, path = CATEGORY.split(kwargs)
    dataset, category_id = path.get("dataset"), path.get("category_id")
    if dataset not in DATASETS and isinstance(dataset, str) and dataset.startswith("upload-"):
        return not_found("Category profiles are for the built-in data only, not for an uploaded file.",
                         "Use the uploaded file's region profiles, its map and the peer comparison; the links are on "
                         "the page where you analysed it (Analyse your own data).")
    if dataset not in DATASETS:
        known = ", ".join(f"{m['label']} ({k})" for k, m in DATASETS.items())
        return not_found(f"There is no dataset “{dataset}”.", f"Known datasets: {known}.")
    store = get_store(dataset)
    cc = None
    if category_id == CUSTOM:
        cc, problem = views.try_category(dataset, query.get("ccat"))
        if cc is None:
            return not_found("This custom category cannot be shown.",
                             problem or "The link has no custom category (ccat=Name=codes…).",
                             html.A("Build a category", href=BUILD.href(dataset=dataset)), id_=ids.CUSTOM_MESSAGE)
        cat = {"category_name": cc.name, "category_type": custom.category_type(cc, store)}
    else:
        row = store.categories[store.categories["category_id"] == category_id]
        if row.empty:
            return unknown_category(dataset, category_id)
        cat = row.iloc[0].to_dict()
    state, notes = CATEGORY.parse(query, path)
    if category_id != CUSTOM and state.get("ccat"):
        notes.append("ccat is only used with /category/<dataset>/custom; ignored.")
        state["ccat"] = None
    ui = dataset_ui(dataset)
    context = {"dataset": dataset, "category_id": cc.category_id if cc else category_id, "path_id": category_id,
               "name": cat["category_name"], "ccat": state.get("ccat"), "creg": state.get("creg")}
    if cc is not None:
        n_members = len(custom.members(cc, store))
    elif "vintage" in store.industries.columns:
        n_members = store.industries.loc[store.industries["category_id"] == category_id, "naics"].nunique()
    else:
        n_members = int((store.industries["category_id"] == category_id).sum())
    subs = has_subclusters(dataset) and cc is None
    return html.Div([
        dcc.Store(id=ids.CONTEXT, data=context),
        *url_store(ids.PREFIX, CATEGORY, state),
        html.Div(dbc.Breadcrumb(items=[{"label": "Map", "href": MAP.href(dataset=dataset)},
                                       {"label": cat["category_name"], "active": True}], className="small mb-1"),
                 id=ids.BREADCRUMB),
        html.H1(cat["category_name"], className="h2 mb-1"),
        html.P([dbc.Badge(cat["category_type"], color="success" if cat["category_type"] == "traded" else "secondary",
                          className="me-2"),
                f"{ui['label']} · {n_members:,} member industr{'y' if n_members == 1 else 'ies'} · "
                f"{ui['industry_system']} · ", html.A("Methodology and sources", href=METHODOLOGY.href())],
               className="text-muted"),
        html.Div(report_links(CATEGORY, state), className="mb-2 d-print-none"),
        query_notes(notes),
        dbc.Card(dbc.CardBody(dbc.Row([
            labelled_control("Year", dcc.Dropdown(id=ids.YEAR, value=state["year"], clearable=False,
                                                  options=[{"label": str(y), "value": y} for y in store.years]),
                             ids.YEAR, md=2),
            start_year_control(ids.START_YEAR, start_year_options(
                store.level_years(state["level"]), state["year"], dataset=dataset), state["start_year"]),
            labelled_control("Region level", dcc.Dropdown(
                id=ids.LEVEL, value=state["level"], clearable=False,
                options=[{"label": lab, "value": lv} for lv, lab in ui["levels"].items()]), ids.LEVEL, md=3),
        ], className="g-2")), className="mb-3 bg-light border-0"),
        _top_section(ui, state),
        _map_section(ui),
        dbc.Row([
            dbc.Col(_members_section(ui), lg=6, className="mb-4"),
            dbc.Col(_related_section(dataset, category_id, state) if cc is None else html.P([
                f"Custom category: {cc.spec()}. Related categories are given for built-in categories only.",
                html.Button(id=ids.RELATED_DOWNLOAD_BTN, hidden=True), html.Div(id=ids.RELATED_BOX)],
                className="small text-muted"),
                lg=6, className="mb-4"),
        ]),
        _subclusters_section(dataset, category_id) if subs else None,
        category_orgs.section(context),
        dcc.Download(id=ids.DOWNLOAD),
    ], className="category-page")


def _header(title: str, button_id: str | None, note: str | None = None, svg: tuple[str, ...] | None = None,
            chart_csv: str | None = None):
    """A section's heading with its buttons: the chart as SVG (``svg``: graph id, file name, button id)
    and its numbers as CSV (``chart_csv``: button id), the table as CSV (``button_id``)."""
    head = html.Div([
        html.H2(title, className="h4 mb-0"),
        html.Div([
            svg_button(*svg, label="Chart as SVG") if svg else None,
            dbc.Button("Chart data as CSV", id=chart_csv, color="secondary", outline=True, size="sm",
                       title="Download the numbers this chart draws as CSV") if chart_csv else None,
            dbc.Button("Download CSV", id=button_id, color="primary", outline=True, size="sm") if button_id else None,
        ], className="d-flex flex-wrap gap-2"),
    ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1")
    return [head, html.P(note, className="small text-muted mb-2") if note else None]


def _top_section(ui, state) -> html.Section:
    custom_note = ""
    if state.get("creg"):
        cr = views.parse_region(state["dataset"], state["creg"])
        custom_note = (f" The custom region {cr.name} ({' + '.join(cr.members)}) is listed where it would rank "
                       "(orange bar).")
    return html.Section([
        *_header("Top regions", ids.DOWNLOAD_BTN, svg=(ids.TOP_CHART, "top_regions", ids.TOP_SVG),
                 chart_csv=ids.TOP_CSV_BTN,
                 note="The 20 regions with the most employment in the category in the year, with their location "
                 f"quotient, growth since the start year and stars ({RULE_SETS[ui['default_rules']].label}; LQ over the region's "
                 f"{'total' if ui['default_denominator'] == 'total' else 'traded (or local)'} employment)."
                 + custom_note),
        dbc.Row([
            dbc.Col(dcc.Graph(id=ids.TOP_CHART, config=graph_config("top_regions"),
                              style={"height": f"{TOP_CHART_HEIGHT}px"}), lg=6),
            dbc.Col([html.Div(id=ids.GROWTH_NOTE), grid(ids.TOP_TABLE, page_size=20)], lg=6),
        ]),
        source_line(ui["source"]),
        dcc.Download(id=ids.CHART_DOWNLOAD),
    ], className="mb-4")


def _map_section(ui) -> html.Section:
    return html.Section([
        *_header("Specialisation map", None, svg=(ids.MAP, "specialisation_map")),
        dcc.Loading(dcc.Graph(id=ids.MAP, config={**graph_config("specialisation_map"), "scrollZoom": False},
                              style={"height": f"{MAP_HEIGHT}px"}), type="circle", delay_show=400),
        html.Div(id=ids.MAP_NOTE, className="small text-muted"),
        source_line(ui["source"]),
    ], className="mb-4")


def _members_section(ui) -> html.Section:
    return html.Section([
        *_header("Member industries", ids.MEMBERS_DOWNLOAD_BTN,
                 f"The category's industries ({ui['industry_system']}) and their employment in the year, "
                 f"{ui['employment_unit']}. Benchmark area: {ui['benchmark_area']}."),
        grid(ids.MEMBERS, page_size=20),
        source_line(ui["source"]),
    ])


def _related_section(dataset, category_id, state: dict | None = None) -> html.Section:
    return html.Section([
        *_header("Related categories", ids.RELATED_DOWNLOAD_BTN,
                 "US 2014 relatedness (Delgado, Porter & Stern 2016), strongest first; ✓ marks pairs at or above "
                 "the 90th-percentile threshold the U.S. Cluster Mapping portal used for its related-cluster lists. "
                 "Only categories that exist in this dataset are listed."),
        html.Div(related_table(dataset, category_id, window_of(state) if state else None), id=ids.RELATED_BOX),
        source_line(RELATEDNESS_CREDIT),
    ])


def _subclusters_section(dataset, category_id) -> html.Section:
    return html.Section([
        *_header("Subclusters", ids.SUBCLUSTERS_DOWNLOAD_BTN,
                 "The category's subclusters and their member industries (2014 benchmark definitions). "
                 "“inferred” marks the few assignments inferred from the official subcluster names."),
        subclusters_table(dataset, category_id),
        source_line("Delgado, Porter & Stern (2016); U.S. Cluster Mapping (http://clustermapping.us)."),
    ], className="mb-4")
