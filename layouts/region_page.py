"""Region profile `/region/<dataset>/<region_id>?year=&start_year=&rules=&denominator=`.

The layout validates the path and the query (a bad value gets a visible note and the
default instead; an unknown dataset or region gets a message with a link back to the map),
then lays out the controls, set to the query's values, and empty slots that
``callbacks/region_callbacks.py`` fills: key figures with ranks, the cluster portfolio table
(CSV download), the portfolio bubble chart, employment over time and diversification
opportunities.

The module also holds the small helpers the three profile pages share (dataset labels and
units, query parsing, the not-found message, the figure style).
"""
from __future__ import annotations

import difflib
import re
import warnings

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from analytics.serving import profiles
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import DATASETS, get_store

from . import ids
from .common import FONT, datatable_style, graph_config, labelled_control, singular_level, source_line, svg_button

# dash_table.DataTable is deprecated in favour of dash-ag-grid but still shipped with Dash 4.
warnings.filterwarnings("ignore", message=r"\s*The dash_table\.DataTable will be removed", category=DeprecationWarning)

BUBBLE_HEIGHT = 560
TIMELINE_HEIGHT = 380

DENOMINATORS = {
    "total": "Region's total employment (ECO)",
    "traded": "Traded / local employment (US portal)",
}

# What a profile page needs to know about a dataset beyond ``store.meta`` (meta keys win).
_UI_DEFAULTS = {
    "eu": {"employment_unit": "persons employed"},
    "us": {"employment_unit": "employees"},
}


def dataset_ui(store) -> dict:
    """Labels, units and defaults of the store's dataset for the profile pages."""
    meta = store.meta
    ui = {"employment_unit": "persons employed", "default_rules": "eco2008", "default_denominator": "total"}
    ui.update(_UI_DEFAULTS.get(store.dataset, {}))
    ui.update({k: meta[k] for k in ui if k in meta})
    prosperity = meta.get("prosperity") or {}
    ui["gdp_column"] = prosperity.get("column")
    label = prosperity.get("label", "GDP per capita")
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", label)
    ui["gdp_label"], ui["gdp_unit"] = (m.group(1), m.group(2)) if m else (label, "")
    ui["label"] = meta.get("label", store.dataset)
    ui["currency"] = meta.get("currency", "")
    ui["units_label"] = meta.get("units_label", "units")
    ui["industry_system"] = meta.get("industry_system", "industry code")
    ui["source"] = meta.get("source", "")
    ui["benchmark_area"] = meta.get("benchmark_area", "the benchmark area")
    ui["benchmark_level"] = meta.get("benchmark_level", store.levels[0])
    ui["default_level"] = meta.get("default_level", store.levels[0])
    ui["levels"] = {lv: meta.get("levels", {}).get(lv, lv) for lv in store.levels}
    return ui


def level_label(store, level: str, singular: bool = False) -> str:
    label = store.meta.get("levels", {}).get(level, level)
    return singular_level(label) if singular else label


def parse_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def open_store(dataset):
    """(store, None) or (None, message component) for an unknown dataset."""
    if dataset not in DATASETS:
        known = ", ".join(f"{m['label']} ({k})" for k, m in DATASETS.items())
        return None, not_found(f"There is no dataset “{dataset}”.", f"Known datasets: {known}.")
    try:
        return get_store(dataset), None
    except (ValueError, FileNotFoundError) as exc:
        return None, not_found(f"The dataset “{dataset}” is not available.", str(exc))


def not_found(title: str, detail=None, extra=None, id_: str | None = None) -> html.Div:
    """A clear message with a link back to the map (used for unknown ids and datasets)."""
    return html.Div([
        dbc.Alert([
            html.H4(title, className="alert-heading"),
            html.P(detail) if detail else None,
            extra,
            html.Hr(),
            html.A("← Back to the map", href="/map", className="alert-link"),
        ], color="warning", **({"id": id_} if id_ else {})),
    ], className="my-4")


def query_notes(notes: list[str]):
    """A visible note about query-string values that were ignored."""
    if not notes:
        return None
    return dbc.Alert([html.Strong("Some settings in the address were not used: "),
                      html.Ul([html.Li(n) for n in notes], className="mb-0")],
                     color="info", className="py-2 small", dismissable=True)


def style_figure(fig, height: int = 420, legend_title: str | None = None):
    """The profile pages' figure look: white template, page font, compact margins."""
    fig.update_layout(template="plotly_white", height=height, font={"family": FONT, "size": 12, "color": "#2c3e50"},
                      margin={"l": 60, "r": 20, "t": 40, "b": 50}, hoverlabel={"font": {"family": FONT}},
                      legend={"title": {"text": legend_title} if legend_title else None})
    return fig


def records(df) -> list[dict]:
    """DataTable rows with NaN/NA as None (shown as the column's 'nully' text)."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


def num(spec: str) -> dict:
    """A DataTable number format (d3 specifier, e.g. ',.0f'); missing values show as '–'."""
    return {"specifier": spec, "nully": "–"}


def per_person(unit: str) -> str:
    """'persons employed' → 'person employed', 'employees' → 'employee'."""
    return {"persons employed": "person employed", "employees": "employee"}.get(unit, unit)


def choose(value, allowed, default, name: str, notes: list[str], describe=None):
    """``value`` if it is one of ``allowed``, else ``default`` with a note (None → default silently)."""
    if value is None or value == "":
        return default
    if value in allowed:
        return value
    shown = describe or ", ".join(str(a) for a in allowed)
    notes.append(f"{name}={value!s} is not one of {shown}; showing {default}.")
    return default


def year_query(raw, years: list[int], default: int | None, name: str, notes: list[str]) -> int | None:
    if raw is None or raw == "":
        return default
    y = parse_int(raw)
    if y is None or y not in years:
        notes.append(f"{name}={raw!s} is not a year with data ({years[0]}–{years[-1]}); showing {default}.")
        return default
    return y


# ---------------------------------------------------------------------------- the page


def layout(dataset=None, region_id=None, year=None, start_year=None, rules=None, denominator=None, **_other):
    store, problem = open_store(dataset)
    if problem is not None:
        return problem
    creg = _other.pop("creg", None)
    context = {"dataset": store.dataset, "region_id": region_id}
    if region_id == "custom":  # a custom region (?creg=Name=DK01+DK02+SE22), see callbacks/custom_views.py
        from callbacks.custom_views import custom_region_indicators, member_level, try_region

        cr, problem = try_region(store.dataset, creg)
        if cr is None:
            return not_found("This custom region cannot be shown.",
                             problem or "The link has no custom region (creg=Name=CODE+CODE…).",
                             html.A("Build a region", href="/build"), id_=ids.CUSTOM_MESSAGE)
        region = {"region_id": cr.region_id, "name": cr.name, "level": member_level(store.dataset, cr)}
        have = sorted(int(y) for y in custom_region_indicators(store.dataset, cr.spec())["year"])
        context["creg"] = cr.spec()
    else:
        region = profiles.region_row(store.regions, region_id) if region_id else None
        if region is None:
            return unknown_region(store, region_id)
        have = profiles.years_with_data(store.indicators, region_id)
    ui = dataset_ui(store)
    years = store.years
    notes: list[str] = []
    default_year = have[-1] if have else years[-1]
    year = year_query(year, years, default_year, "year", notes)
    start_default = next((y for y in have if y < year), None)
    start_year = year_query(start_year, years, start_default, "start_year", notes)
    if start_year is not None and start_year >= year:
        notes.append(f"start_year={start_year} is not before year={year}; showing {start_default}.")
        start_year = start_default
    rules = choose(rules, list(RULE_SETS), ui["default_rules"], "rules", notes)
    denominator = choose(denominator, list(DENOMINATORS), ui["default_denominator"], "denominator", notes)
    if _other:
        notes.append("Unknown setting(s) " + ", ".join(f"{k}={v}" for k, v in _other.items()) + " ignored.")

    level = region["level"]
    children = store.regions[store.regions["parent_id"] == region_id].sort_values("region_id")
    custom_members = context["creg"].partition("=")[2].replace("+", " + ") if "creg" in context else None
    return html.Div([
        dcc.Store(id=ids.REGION_CONTEXT, data=context),
        dcc.Store(id=ids.REGION_URL_SYNC),
        html.Div(id=ids.REGION_BREADCRUMB),
        html.H1(f"{region['name']} ({custom_members or region_id})", className="h2 mb-1"),
        html.P([(f"Custom region of {level_label(store, level)} · " if custom_members else
                 f"{level_label(store, level, singular=True)} · ") + f"{ui['label']} · ",
                html.A("Methodology and sources", href="/methodology")], className="text-muted"),
        query_notes(notes),
        _controls(store, years, have, year, start_year, rules, denominator),
        html.Div(id=ids.REGION_MESSAGE),
        html.Div(id=ids.REGION_BODY, children=[
            dbc.Row(id=ids.REGION_KEYFIGS, className="g-3 mb-4"),
            _portfolio_section(ui),
            _bubble_section(ui),
            dbc.Row([
                dbc.Col(_timeline_section(ui), lg=5, className="mb-4"),
                dbc.Col(_diversification_section(ui), lg=7, className="mb-4"),
            ]),
            _children_links(store, children, level),
        ]),
    ], className="region-page")


def unknown_region(store, region_id) -> html.Div:
    ids_known = store.regions["region_id"].tolist()
    close = difflib.get_close_matches(str(region_id or "").upper(), ids_known, n=5, cutoff=0.5)
    names = store.regions.drop_duplicates("region_id").set_index("region_id")["name"]
    extra = None
    if close:
        extra = html.P(["Did you mean: "] + _join([
            html.A(f"{names[c]} ({c})", href=f"/region/{store.dataset}/{c}") for c in close]) + ["?"])
    return not_found(f"No region “{region_id}” in the {store.meta.get('label', store.dataset)} data.",
                     "Region ids are the official codes (NUTS codes in Europe, FIPS codes in the US). "
                     "Pick a region on the map to open its profile.", extra, id_=ids.REGION_MESSAGE)


def _join(items, sep=", "):
    out = []
    for i, it in enumerate(items):
        if i:
            out.append(sep)
        out.append(it)
    return out


def settings_controls(control_ids, year_options, year, start_options, start_year, rules, denominator) -> list:
    """Year, start year, star rules and LQ denominator pickers (shared by the profile and compare pages)."""
    year_id, start_id, rules_id, denom_id = control_ids
    return [
        labelled_control("Year", dcc.Dropdown(id=year_id, options=year_options, value=year,
                                              clearable=False), year_id, md=2),
        labelled_control("Growth from (start year)", dcc.Dropdown(
            id=start_id, options=start_options, value=start_year, clearable=True,
            placeholder="no growth"), start_id, md=2),
        labelled_control("Star rules", dcc.Dropdown(
            id=rules_id, options=[{"label": r.label, "value": k} for k, r in RULE_SETS.items()],
            value=rules, clearable=False), rules_id, md=3),
        labelled_control("LQ denominator", dcc.Dropdown(
            id=denom_id, options=[{"label": v, "value": k} for k, v in DENOMINATORS.items()],
            value=denominator, clearable=False), denom_id, md=5),
    ]


def _controls(store, years, have, year, start_year, rules, denominator) -> dbc.Card:
    year_options = [{"label": str(y), "value": y} for y in years]
    start_options = [{"label": str(y) if y in have else f"{y} (no data)", "value": y,
                      "disabled": y >= year or y not in have} for y in years]
    return dbc.Card(dbc.CardBody(dbc.Row(settings_controls(
        (ids.REGION_YEAR, ids.REGION_START_YEAR, ids.REGION_RULES, ids.REGION_DENOMINATOR),
        year_options, year, start_options, start_year, rules, denominator), className="g-2")),
        className="mb-3 bg-light border-0")


def _portfolio_section(ui) -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Cluster portfolio", className="h4 mb-0"),
            dbc.Button("Download CSV", id=ids.REGION_DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        html.P("Every cluster category in the region. Stars and the criteria met (with the values compared) "
               "follow the chosen rule set; click a column header to sort, type in the row under the "
               "headers to filter (e.g. >2 under LQ, ★ under Stars).", className="small text-muted mb-2"),
        dash_table.DataTable(id=ids.REGION_TABLE, data=[], columns=[], sort_action="native",
                             filter_action="native", page_action="native", page_size=15,
                             sort_by=[], markdown_options={"link_target": "_self"},
                             **datatable_style(style_cell_conditional=[
                                 {"if": {"column_id": "criteria"}, "minWidth": "260px", "maxWidth": "380px"},
                                 {"if": {"column_id": "category"}, "minWidth": "180px"},
                                 {"if": {"column_id": "stars_text"}, "color": "#b8860b", "fontSize": "1rem"},
                             ])),
        dcc.Download(id=ids.REGION_DOWNLOAD),
        source_line(ui["source"]),
    ], className="mb-4")


def _bubble_section(ui) -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Portfolio chart", className="h4 mb-0"),
            html.Div([
                dbc.Label("Horizontal axis:", html_for=ids.REGION_BUBBLE_X, className="small me-2 mb-0"),
                dbc.RadioItems(id=ids.REGION_BUBBLE_X, inline=True, value="lq", className="small",
                               options=[{"label": "Location quotient", "value": "lq"},
                                        {"label": "Change in share", "value": "share_change"}]),
                svg_button(ids.REGION_BUBBLE, "portfolio_chart", label="Chart as SVG"),
            ], className="d-flex align-items-center gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center mb-1"),
        dcc.Loading(dcc.Graph(id=ids.REGION_BUBBLE, config={"displaylogo": False, "responsive": True},
                              style={"height": f"{BUBBLE_HEIGHT}px"}),
                    type="circle", delay_show=400),
        html.Div(id=ids.REGION_BUBBLE_NOTE, className="small text-muted"),
        source_line(ui["source"]),
    ], className="mb-4")


def _timeline_section(ui) -> html.Section:
    return html.Section([
        html.Div([html.H2("Employment over time", className="h4 mb-0"),
                  svg_button(ids.REGION_TIMELINE, "employment_over_time", label="Chart as SVG")],
                 className="d-flex justify-content-between align-items-center mb-2"),
        dcc.Graph(id=ids.REGION_TIMELINE, config=graph_config("employment_over_time"),
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
        html.Div(id=ids.REGION_DIVERSIFICATION),
        source_line(ui["source"] + " Relatedness: Delgado, Porter & Stern (2016); U.S. Cluster Mapping."),
    ], className="mb-4")


def _children_links(store, children, level):
    if children.empty:
        return None
    kind = level_label(store, children["level"].iloc[0])
    links = html.P(_join([html.A(f"{r.name} ({r.region_id})", href=f"/region/{store.dataset}/{r.region_id}")
                          for r in children.itertuples()], " · "), className="small")
    if len(children) > 30:
        return html.Details([html.Summary(f"{kind} in this region ({len(children):,})", className="h5"), links],
                            className="mb-4")
    return html.Section([html.H2(f"{kind} in this region", className="h5"), links], className="mb-4")
