"""Category profile `/category/<dataset>/<category_id>?year=&level=`.

Validates the path and query (bad values → a visible note and the default; unknown dataset
or category → a message with a link back to the map and the list of categories), then lays
out the controls and the slots ``callbacks/category_callbacks.py`` fills: top regions (bar
chart and table), the category's LQ map, member industries, US subclusters when the
dataset has them, and related categories (US 2014 relatedness). Every table has a CSV
download with the source credit.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
from dash import dash_table, dcc, html

from analytics.serving import profiles
from analytics.metrics.stars import RULE_SETS

from . import ids
from .common import datatable_style, labelled_control, source_line, svg_button
from .region_page import choose, dataset_ui, not_found, num, open_store, query_notes, records, year_query

TOP_CHART_HEIGHT = 640
MAP_HEIGHT = 560

RELATEDNESS_CREDIT = ("US 2014 relatedness (Delgado, Porter & Stern 2016): Delgado, M., Porter, M. E. & Stern, S. "
                      "(2016), “Defining clusters of related industries”, Journal of Economic Geography 16(1); "
                      "U.S. Cluster Mapping (http://clustermapping.us), Institute for Strategy and Competitiveness, "
                      "Harvard Business School.")


def has_subclusters(store) -> bool:
    """True when the store offers subclusters (the US); other datasets skip the section."""
    try:
        sub = getattr(store, "subclusters", None)
    except (FileNotFoundError, OSError):
        return False
    return sub is not None and len(sub) > 0


def related_frame(store, category_id: str):
    """Related categories present in the dataset (US 2014 relatedness), strongest first."""
    return profiles.related_table(store.related, category_id, set(store.categories["category_id"]))


def related_table(store, category_id: str):
    rel = related_frame(store, category_id)
    if rel.empty:
        return html.P("No relatedness data: the US 2014 relatedness table covers traded categories only.",
                      className="small")
    rel = rel.assign(related=[f"[{n}](/category/{store.dataset}/{c})" for c, n in
                              zip(rel["related_id"], rel["related_name"])],
                     related_90=np.where(rel["related_90"], "✓", ""))
    cols = [
        {"id": "related", "name": "Related category", "presentation": "markdown"},
        {"id": "strength", "name": "Relatedness score", "type": "numeric", "format": num(",.3f")},
        {"id": "percentile", "name": "Percentile (0–100)", "type": "numeric", "format": num(",.0f")},
        {"id": "related_90", "name": "≥ 90th percentile"},
    ]
    return _table(ids.CATEGORY_RELATED, data=records(rel[[c["id"] for c in cols]]), columns=cols)


def subclusters_table(store, category_id: str):
    sub = profiles.category_subclusters(store.subclusters, category_id)
    sub = sub.assign(inferred=np.where(sub["inferred"].astype(bool), "inferred", ""))
    cols = [{"id": "sub_code", "name": "Subcluster code"}, {"id": "sub_name", "name": "Subcluster"},
            {"id": "industry", "name": "Industry code"}, {"id": "industry_name", "name": "Industry"},
            {"id": "inferred", "name": "Note"}]
    return _table(ids.CATEGORY_SUBCLUSTERS, data=records(sub), columns=cols, page_action="native", page_size=25,
                  filter_action="native")


def layout(dataset=None, category_id=None, year=None, level=None, **_other):
    store, problem = open_store(dataset)
    if problem is not None:
        return problem
    ccat = _other.pop("ccat", None)
    context = {"dataset": store.dataset, "category_id": category_id}
    cc = None
    if category_id == "custom":  # a custom category (?ccat=Name=nace:13,14), see callbacks/custom_views.py
        from analytics.serving.custom import category_type, members
        from callbacks.custom_views import try_category

        cc, problem = try_category(store.dataset, ccat)
        if cc is None:
            return not_found("This custom category cannot be shown.",
                             problem or "The link has no custom category (ccat=Name=codes…).",
                             html.A("Build a category", href="/build"), id_=ids.CUSTOM_MESSAGE)
        cat = {"category_name": cc.name, "category_type": category_type(cc, store)}
        context["ccat"] = cc.spec()
    else:
        cats = store.categories
        row = cats[cats["category_id"] == category_id]
        if row.empty:
            return unknown_category(store, category_id)
        cat = row.iloc[0]
    ui = dataset_ui(store)
    notes: list[str] = []
    years = store.years
    year = year_query(year, years, years[-1], "year", notes)
    level = choose(level, list(store.levels), ui["default_level"], "level", notes,
                   describe=", ".join(store.levels))
    if _other:
        notes.append("Unknown setting(s) " + ", ".join(f"{k}={v}" for k, v in _other.items()) + " ignored.")
    n_members = int((store.industries["category_id"] == category_id).sum())
    system = store.meta.get("industry_system", "industry")
    if "vintage" in store.industries.columns:
        n_members = store.industries.loc[store.industries["category_id"] == category_id, "naics"].nunique()
    if cc is not None:
        n_members = len(members(cc, store))
    subs = has_subclusters(store) and cc is None
    return html.Div([
        dcc.Store(id=ids.CATEGORY_CONTEXT, data=context),
        dcc.Store(id=ids.CATEGORY_URL_SYNC),
        html.Div(dbc.Breadcrumb(items=[{"label": "Map", "href": f"/map?dataset={store.dataset}"},
                                       {"label": cat["category_name"], "active": True}], className="small mb-1"),
                 id=ids.CATEGORY_BREADCRUMB),
        html.H1(cat["category_name"], className="h2 mb-1"),
        html.P([dbc.Badge(cat["category_type"], color="success" if cat["category_type"] == "traded" else "secondary",
                          className="me-2"),
                f"{ui['label']} · {n_members:,} member industr{'y' if n_members == 1 else 'ies'} · {system} · ",
                html.A("Methodology and sources", href="/methodology")], className="text-muted"),
        query_notes(notes),
        dbc.Card(dbc.CardBody(dbc.Row([
            labelled_control("Year", dcc.Dropdown(id=ids.CATEGORY_YEAR, value=year, clearable=False,
                                                  options=[{"label": str(y), "value": y} for y in years]),
                             ids.CATEGORY_YEAR, md=2),
            labelled_control("Region level", dcc.Dropdown(
                id=ids.CATEGORY_LEVEL, value=level, clearable=False,
                options=[{"label": lab, "value": lv} for lv, lab in ui["levels"].items()]), ids.CATEGORY_LEVEL, md=3),
        ], className="g-2")), className="mb-3 bg-light border-0"),
        _top_section(ui),
        _map_section(ui),
        dbc.Row([
            dbc.Col(_members_section(ui), lg=6, className="mb-4"),
            dbc.Col(_related_section(store, category_id) if cc is None else html.P(
                f"Custom category: {cc.spec()}. Related categories are given for built-in categories only.",
                className="small text-muted"), lg=6, className="mb-4"),
        ]),
        _subclusters_section(store, category_id) if subs else None,
        dcc.Download(id=ids.CATEGORY_DOWNLOAD),
    ], className="category-page")


def unknown_category(store, category_id) -> html.Div:
    cats = store.categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    links = html.Ul([html.Li(html.A(f"{r.category_name} ({r.category_type})",
                                    href=f"/category/{store.dataset}/{r.category_id}"))
                     for r in cats.itertuples()], className="small", style={"columns": "2"})
    return not_found(f"No category “{category_id}” in the {store.meta.get('label', store.dataset)} data.",
                     "Categories of this dataset:", links, id_=ids.CATEGORY_MESSAGE)


def _header(title: str, button_id: str | None, note: str | None = None, svg: tuple[str, str] | None = None):
    head = html.Div([
        html.H2(title, className="h4 mb-0"),
        html.Div([
            svg_button(*svg, label="Chart as SVG") if svg else None,
            dbc.Button("Download CSV", id=button_id, color="primary", outline=True, size="sm") if button_id else None,
        ], className="d-flex gap-2"),
    ], className="d-flex justify-content-between align-items-center mb-1")
    return [head, html.P(note, className="small text-muted mb-2") if note else None]


def _table(id_: str, data=None, columns=None, page_action="none", page_size=250, filter_action="none",
           **extra) -> dash_table.DataTable:
    return dash_table.DataTable(id=id_, data=data or [], columns=columns or [], sort_action="native",
                                page_action=page_action, page_size=page_size, filter_action=filter_action,
                                markdown_options={"link_target": "_self"}, **datatable_style(**extra))


def _top_section(ui) -> html.Section:
    return html.Section([
        *_header("Top regions", ids.CATEGORY_DOWNLOAD_BTN, svg=(ids.CATEGORY_TOP_CHART, "top_regions"),
                 note="The 20 regions with the most employment in the category in the year, with their location "
                 f"quotient and stars ({RULE_SETS[ui['default_rules']].label}; LQ over the region's "
                 f"{'total' if ui['default_denominator'] == 'total' else 'traded (or local)'} employment)."),
        dbc.Row([
            dbc.Col(dcc.Graph(id=ids.CATEGORY_TOP_CHART, config={"displaylogo": False, "responsive": True},
                              style={"height": f"{TOP_CHART_HEIGHT}px"}), lg=6),
            dbc.Col(_table(ids.CATEGORY_TOP_TABLE, page_action="native", page_size=20,
                           style_cell_conditional=[{"if": {"column_id": "stars_text"}, "color": "#b8860b"}]),
                    lg=6),
        ]),
        source_line(ui["source"]),
    ], className="mb-4")


def _map_section(ui) -> html.Section:
    return html.Section([
        *_header("Specialisation map", None, svg=(ids.CATEGORY_MAP, "specialisation_map")),
        dcc.Loading(dcc.Graph(id=ids.CATEGORY_MAP, config={"displaylogo": False, "responsive": True,
                                                           "scrollZoom": False},
                              style={"height": f"{MAP_HEIGHT}px"}),
                    type="circle", delay_show=400),
        html.Div(id=ids.CATEGORY_MAP_NOTE, className="small text-muted"),
        source_line(ui["source"]),
    ], className="mb-4")


def _members_section(ui) -> html.Section:
    return html.Section([
        *_header("Member industries", ids.CATEGORY_MEMBERS_DOWNLOAD_BTN,
                 f"The category's industries ({ui['industry_system']}) and their employment in the year, "
                 f"{ui['employment_unit']}. Benchmark area: {ui['benchmark_area']}."),
        _table(ids.CATEGORY_MEMBERS, style_cell_conditional=[{"if": {"column_id": "industry_name"},
                                                              "minWidth": "220px"}]),
        source_line(ui["source"]),
    ])


def _related_section(store, category_id) -> html.Section:
    return html.Section([
        *_header("Related categories", ids.CATEGORY_RELATED_DOWNLOAD_BTN,
                 "US 2014 relatedness (Delgado, Porter & Stern 2016), strongest first; ✓ marks pairs at or above "
                 "the 90th-percentile threshold the U.S. Cluster Mapping portal used for its related-cluster lists. "
                 "Only categories that exist in this dataset are listed."),
        related_table(store, category_id),
        source_line(RELATEDNESS_CREDIT),
    ])


def _subclusters_section(store, category_id) -> html.Section:
    return html.Section([
        *_header("Subclusters", ids.CATEGORY_SUBCLUSTERS_DOWNLOAD_BTN,
                 "The category's subclusters and their member industries (2014 benchmark definitions). "
                 "“inferred” marks the few assignments inferred from the official subcluster names."),
        subclusters_table(store, category_id),
        source_line("Delgado, Porter & Stern (2016); U.S. Cluster Mapping (http://clustermapping.us)."),
    ], className="mb-4")
