"""Peer benchmarking `/compare?dataset=&level=&region=|creg=&year=&start_year=&rules=&denominator=`
`&basis=&peers=&category=`.

A focal region (a built-in region, or a custom region ``creg=Name=ID+ID`` whose peers come
from its members' level, its members excluded) is compared with peer regions suggested on a
stated basis (METHODOLOGY.md §4, :mod:`analytics.metrics.peers`) and editable by hand: a region ×
category LQ heatmap, employment and growth bars, and a scorecard of the focal region's rank in
the peer group. The layout validates the query (a bad value gets a visible note and the
default instead) and sets the controls; ``callbacks/compare_callbacks.py`` fills the views
and writes every setting back into the address bar (history.replaceState).
"""
from __future__ import annotations

from functools import lru_cache

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from analytics.serving.custom import ValidationError, parse_region
from analytics.metrics.peers import BASES
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import DATASETS

from . import ids
from .common import datatable_style, graph_config, labelled_control, source_line, svg_button
from .region_page import DENOMINATORS, choose, settings_controls, dataset_ui, level_label, open_store, parse_int, query_notes

BASIS_LABELS = {
    "structure": "Similar economic structure",
    "size": "Similar size",
    "prosperity": "Similar GDP per capita",
    "strong": "Same strong clusters",
    "neighbours": "Neighbours (shared border)",
}
DEFAULT_BASIS = "structure"
N_PEERS = 8
MAX_PEERS = 30
ALL = "all"
TRADED = "traded"
HEATMAP_HEIGHT = 470
BARS_HEIGHT = 420


@lru_cache(maxsize=32)
def level_regions(dataset: str, level: str, year: int) -> tuple[tuple[str, str], ...]:
    """(region_id, name) of the level's regions with employment data in ``year``, by id."""
    from analytics.serving.store import get_store

    store = get_store(dataset)
    ind = store.indicators
    have = set(ind.loc[(ind["level"] == level) & (ind["year"] == year) & ind["total_employment"].notna(), "region_id"])
    reg = store.regions[(store.regions["level"] == level) & store.regions["region_id"].isin(have)]
    reg = reg.drop_duplicates("region_id").sort_values("region_id")
    return tuple(zip(reg["region_id"], reg["name"]))


def default_region(dataset: str, level: str, year: int) -> str | None:
    """The level's largest region by total employment in the year (a sensible first focal region)."""
    from analytics.serving.store import get_store

    ind = get_store(dataset).indicators
    sel = ind[(ind["level"] == level) & (ind["year"] == year)].dropna(subset=["total_employment"])
    return None if sel.empty else str(sel.sort_values("total_employment", ascending=False)["region_id"].iloc[0])


def region_options(dataset: str, level: str, year: int) -> list[dict]:
    return [{"label": f"{name} ({rid})", "value": rid} for rid, name in level_regions(dataset, level, year)]


def _dataset_options():
    from layouts import map_state

    try:
        keys = map_state.available_datasets()
    except Exception:  # pragma: no cover - a dataset that cannot be built is simply not offered
        keys = list(DATASETS)
    return [{"label": DATASETS[k]["label"], "value": k} for k in keys]


def layout(dataset=None, level=None, region=None, creg=None, year=None, start_year=None, rules=None,
           denominator=None, basis=None, peers=None, category=None, **_other):
    notes: list[str] = []
    if dataset in (None, ""):
        dataset = "eu"
    store, problem = open_store(dataset)
    if problem is not None:
        return problem
    ui = dataset_ui(store)

    cr, creg_error = None, None
    if creg not in (None, ""):
        try:
            cr = parse_region(creg, store)
        except ValidationError as exc:
            creg_error = f"The custom region “{creg}” cannot be used: {exc} Showing a built-in region instead."
    level = choose(level, list(store.levels), ui["default_level"], "level", notes)
    if cr is not None:
        lvl = store.regions.drop_duplicates("region_id").set_index("region_id")["level"]
        level = lvl[list(cr.members)].value_counts().index[0]
    years = store.level_years(level)
    y = parse_int(year) if year not in (None, "") else None
    if year not in (None, "") and y not in years:
        notes.append(f"year={year} is not a year with data for {level_label(store, level)} "
                     f"({years[0]}–{years[-1]}); showing {years[-1]}.")
        y = None
    year = y if y is not None else years[-1]
    earlier = [v for v in years if v < year]
    start_default = earlier[0] if earlier else None
    if start_year in (None, ""):
        start = start_default
    elif start_year == "none":
        start = None
    else:
        start = parse_int(start_year)
        if start not in earlier:
            notes.append(f"start_year={start_year} is not a year with data before {year}; showing {start_default}.")
            start = start_default
    rules = choose(rules, list(RULE_SETS), ui["default_rules"], "rules", notes)
    denominator = choose(denominator, list(DENOMINATORS), ui["default_denominator"], "denominator", notes)
    basis = choose(basis, list(BASES), DEFAULT_BASIS, "basis", notes)
    known = {rid for rid, _ in level_regions(store.dataset, level, year)}
    if cr is None:
        if region not in (None, "") and region not in known:
            notes.append(f"region={region} is not a {level_label(store, level, singular=True)} with data in "
                         f"{year}; showing {default_region(store.dataset, level, year)}.")
            region = None
        region = region or default_region(store.dataset, level, year)
    url_peers = None
    if peers not in (None, ""):
        asked = [p.strip() for p in str(peers).split(",") if p.strip()]
        bad = [p for p in asked if p not in known]
        url_peers = [p for p in dict.fromkeys(asked) if p in known and p != region
                     and (cr is None or p not in cr.members)][:MAX_PEERS]
        if bad:
            notes.append(f"peers: {', '.join(bad[:10])} {'is' if len(bad) == 1 else 'are'} not "
                         f"{level_label(store, level)} with data in {year}; left out.")
    cat_ids = set(store.categories["category_id"])
    category = choose(category, [ALL, TRADED, *sorted(cat_ids)], ALL, "category", notes,
                      describe="all, traded or a category id")
    if _other:
        notes.append("Unknown setting(s) " + ", ".join(f"{k}={v}" for k, v in _other.items()) + " ignored.")

    context = {"dataset": store.dataset, "level": level, "url_peers": url_peers,
               "creg": cr.spec() if cr is not None else None}
    return html.Div([
        dcc.Store(id=ids.COMPARE_CONTEXT, data=context),
        dcc.Store(id=ids.COMPARE_URL_SYNC),
        dcc.Store(id=ids.COMPARE_NAV),
        dcc.Store(id=ids.COMPARE_SUGGESTED),
        html.H1("Peer benchmarking", className="h2 mb-1"),
        html.P(["Compare a region with peer regions chosen on a stated basis. ",
                html.A("Methodology and sources", href="/methodology")], className="text-muted"),
        query_notes(notes),
        dbc.Alert(creg_error, color="warning", className="py-2 small", id="compare-creg-error")
        if creg_error else None,
        _controls(store, ui, level, region, cr, year, years, start, rules, denominator,
                  creg if creg_error else None),
        _peer_controls(basis, url_peers),
        html.Div(id=ids.COMPARE_MESSAGE),
        html.Div(id=ids.COMPARE_BODY, children=[
            html.H2(id=ids.COMPARE_FOCAL, className="h4 mt-2"),
            _heatmap_section(),
            _bars_section(store, category),
            _scorecard_section(),
        ]),
    ], className="compare-page")


def _controls(store, ui, level, region, cr, year, years, start, rules, denominator, bad_creg=None) -> dbc.Card:
    year_options = [{"label": str(y), "value": y} for y in years]
    start_options = [{"label": str(y), "value": y, "disabled": y >= year} for y in years]
    level_options = [{"label": lbl, "value": lv} for lv, lbl in ui["levels"].items()]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            labelled_control("Dataset", dcc.Dropdown(id=ids.COMPARE_DATASET, options=_dataset_options(),
                                                     value=store.dataset, clearable=False),
                             ids.COMPARE_DATASET, md=2),
            labelled_control("Level", dcc.Dropdown(id=ids.COMPARE_LEVEL, options=level_options, value=level,
                                                   clearable=False, disabled=cr is not None),
                             ids.COMPARE_LEVEL, md=2),
            labelled_control("Focal region (type to search)", dcc.Dropdown(
                id=ids.COMPARE_REGION, options=region_options(store.dataset, level, year), value=region,
                clearable=False, searchable=True, disabled=cr is not None,
                placeholder="a custom region is in use" if cr is not None else "Pick a region"),
                ids.COMPARE_REGION, md=4),
            labelled_control("…or a custom region (Name=ID+ID, Enter to apply)", dcc.Input(
                id=ids.COMPARE_CREG, type="text", debounce=True,
                value=cr.spec() if cr is not None else (bad_creg or ""),
                placeholder="e.g. Oresund=DK01+DK02+SE22", className="form-control form-control-sm"),
                ids.COMPARE_CREG, md=4),
        ], className="g-2"),
        dbc.Row(settings_controls(
            (ids.COMPARE_YEAR, ids.COMPARE_START_YEAR, ids.COMPARE_RULES, ids.COMPARE_DENOMINATOR),
            year_options, year, start_options, start, rules, denominator), className="g-2"),
    ]), className="mb-3 bg-light border-0")


def _peer_controls(basis, url_peers) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([
                dbc.Label("Suggest peers by", html_for=ids.COMPARE_BASIS, className="fw-semibold small mb-1"),
                dbc.RadioItems(id=ids.COMPARE_BASIS, value=basis, className="small",
                               options=[{"label": BASIS_LABELS[k], "value": k} for k in BASES]),
            ], xs=12, md=3),
            dbc.Col([
                html.Div(id=ids.COMPARE_BASIS_TEXT, className="small mb-2"),
                dbc.Label("Peer regions (add or remove any region of the level)", html_for=ids.COMPARE_PEERS,
                          className="fw-semibold small mb-1"),
                dcc.Dropdown(id=ids.COMPARE_PEERS, multi=True, value=url_peers or [], options=[],
                             searchable=True, placeholder="Pick peer regions"),
                dbc.Button("Use the suggested peers", id=ids.COMPARE_RESET_PEERS, color="secondary", outline=True,
                           size="sm", className="mt-2"),
            ], xs=12, md=9),
        ], className="g-2"),
    ]), className="mb-3 border-0 shadow-sm")


def _heatmap_section() -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Specialisation side by side (location quotient)", className="h5 mb-0"),
            svg_button(ids.COMPARE_HEATMAP, "peer_heatmap", label="Chart as SVG"),
        ], className="d-flex justify-content-between align-items-center mb-1"),
        dcc.Loading(dcc.Graph(id=ids.COMPARE_HEATMAP, config=graph_config("peer_heatmap"),
                              style={"height": f"{HEATMAP_HEIGHT}px"}), type="circle", delay_show=400),
        html.Div(id=ids.COMPARE_HEATMAP_NOTE, className="small text-muted"),
        html.Div(id=ids.COMPARE_SOURCE, className="text-muted small mt-1 source-line"),
    ], className="mb-4")


def _bars_section(store, category) -> html.Section:
    cats = store.categories.sort_values("category_name")
    options = ([{"label": "All industries (total employment)", "value": ALL},
                {"label": "Traded categories (sum)", "value": TRADED}]
               + [{"label": f"{n} ({t})", "value": c} for c, n, t in
                  zip(cats["category_id"], cats["category_name"], cats["category_type"])])
    return html.Section([
        html.Div([
            html.H2("Employment and growth", className="h5 mb-0"),
            html.Div([
                dbc.Label("Category:", html_for=ids.COMPARE_CATEGORY, className="small me-2 mb-0"),
                html.Div(dcc.Dropdown(id=ids.COMPARE_CATEGORY, options=options, value=category, clearable=False),
                         style={"minWidth": "320px"}),
                svg_button(ids.COMPARE_BARS, "peer_employment", label="Employment as SVG"),
                svg_button(ids.COMPARE_GROWTH, "peer_growth", label="Growth as SVG"),
            ], className="d-flex align-items-center gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center mb-1"),
        dbc.Row([
            dbc.Col(dcc.Graph(id=ids.COMPARE_BARS, config=graph_config("peer_employment"),
                              style={"height": f"{BARS_HEIGHT}px"}), lg=6),
            dbc.Col(dcc.Graph(id=ids.COMPARE_GROWTH, config=graph_config("peer_growth"),
                              style={"height": f"{BARS_HEIGHT}px"}), lg=6),
        ]),
        html.Div(id=ids.COMPARE_BARS_SOURCE, className="text-muted small mt-1 source-line"),
    ], className="mb-4")


def _scorecard_section() -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Scorecard: rank in the peer group", className="h5 mb-0"),
            dbc.Button("Download CSV", id=ids.COMPARE_DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        html.P("For each category, the focal region's rank among the focal region and its peers (1 = highest) in "
               "employment, location quotient and growth. Click a column header to sort. The CSV holds every "
               "region of the comparison with its values and ranks.", className="small text-muted mb-2"),
        dash_table.DataTable(id=ids.COMPARE_SCORECARD, data=[], columns=[], sort_action="native",
                             page_action="native", page_size=20, markdown_options={"link_target": "_self"},
                             **datatable_style(style_cell_conditional=[
                                 {"if": {"column_id": "category"}, "minWidth": "220px"}])),
        dcc.Download(id=ids.COMPARE_DOWNLOAD),
        html.Div(id=ids.COMPARE_SCORECARD_SOURCE, className="text-muted small mt-1 source-line"),
    ], className="mb-4")


def source_text(ui: dict, year: int, level_name: str, start=None) -> str:
    growth = f"; growth {start}–{year}" if start else ""
    return f"{ui['source']} {year}; {level_name}{growth}; benchmark area: {ui['benchmark_area']}."


__all__ = ["layout", "source_text", "source_line"]
