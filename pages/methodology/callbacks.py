"""Callbacks of the methodology page: the data-quality report of the chosen dataset and its CSV.

The report dict (``store.quality``, written by each dataset's builder) differs between
datasets, so it is rendered generically: year-keyed entries side by side in one table,
lists of records as tables, lists of text as bullet lists, the rest as short lines, with
friendly labels for the entries we know.
"""
from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from analytics.serving import profiles
from analytics.serving.quality import cell_kind_table
from analytics.serving.store import get_store
from components.labels import dataset_ui
from components.routes import METHODOLOGY
from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.methodology import ids

LABELS = {
    "regions_with_data": "Regions with data (on the map)",
    "source_regions_with_data": "Regions with data (in the source file)",
    "imputed_share_total": "Employment imputed (%)",
    "imputed_share": "Employment imputed (%)",
    "states_per_year": "States with data",
    "counties_per_year": "Counties with data",
    "eas_per_year": "Economic areas with data",
    "withheld_cells_state": "Withheld state cells",
    "withheld_establishment_share_state": "Establishments in withheld state cells (%)",
    "withheld_cell_share_county": "Withheld county cells (%)",
    "cluster_employment_coverage": "Cluster employment ÷ published total (%)",
    "unmatched": "Source regions not on the map",
    "map_regions_without_data": "Map regions without data in some years",
    "eas_without_data": "Economic areas without (complete) data",
    "states_without_county_data": "States without county data",
    "recode_methods": "Recoding of source codes to NUTS 2021",
    "map_regions": "Regions on the map",
    "eas_total": "Economic areas in total",
    "notes": "Notes",
    "code": "Code", "reason": "Reason", "years_with_data": "Years with data", "region_id": "Region",
    "name": "Name", "years": "Years", "counties": "Counties", "counties_with_data": "Counties with data",
}
SKIP = {"dataset", "years"}
STRUCTURED = ("cell_kinds", "imputation_2017", "imputed_share_by_level")  # shown as tables below


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _is_share(key: str) -> bool:
    return "share" in key or "coverage" in key


def _table(df: pd.DataFrame) -> dbc.Table:
    return dbc.Table.from_dataframe(df, striped=True, bordered=False, hover=True, size="sm",
                                    className="small align-middle")


def per_year_display(q: dict) -> pd.DataFrame:
    df = profiles.quality_per_year(q)
    out = pd.DataFrame({"Year": df["year"].astype(str)}) if not df.empty else df
    for col in df.columns:
        if col == "year":
            continue
        if _is_share(col):
            out[_label(col)] = df[col].map(lambda x: "–" if pd.isna(x) else f"{x * 100:,.1f}")
        else:
            out[_label(col)] = df[col].map(lambda x: "–" if pd.isna(x) else f"{x:,.0f}")
    return out


def imputed_by_country_display(q: dict) -> pd.DataFrame | None:
    v = q.get("imputed_share")
    if not (isinstance(v, list) and v):
        return None
    t = profiles.imputed_share_frame(q)
    shown = t.copy()
    for c in shown.columns[1:]:
        shown[c] = shown[c].map(lambda x: "–" if pd.isna(x) else f"{x:,.1f}")
    return shown.rename(columns={"country": "Country"})


def us_imputation_parts(q: dict) -> list:
    """US: region × category cells by kind per level and year, and the imputed share by level."""
    parts = []
    kinds = cell_kind_table(q)
    if not kinds.empty:
        shown = kinds.copy()
        for c in shown.columns[2:]:
            shown[c] = shown[c].map(lambda x: f"{int(x):,}")
        shown.columns = ["Level", "Year", *[c.capitalize() for c in kinds.columns[2:]]]
        parts += [html.H3("Region × category cells by kind", className="h6 mt-3"),
                  html.P("Every region of the level × every category. Imputed: withheld by CBP (2017+) or a size "
                         "class (2000–2011), estimated and flagged; incomplete: a withheld part no published parent "
                         "bounds is missing; not published: the region has data that year but CBP has no cell for the category "
                         "(fewer than 3 establishments, or none); no data: the region is not in the source that "
                         "year (counties of the 12 states and DC the county file lacks).", className="small text-muted"),
                  html.Div(_table(shown), style={"maxHeight": "420px", "overflowY": "auto"})]
    by_level = q.get("imputed_share_by_level") or {}
    if by_level:
        years = sorted({int(y) for v in by_level.values() for y in v})
        df = pd.DataFrame({"Level": list(by_level)} | {str(y): [
            "–" if str(y) not in {str(k) for k in v} else f"{100 * {str(k): x for k, x in v.items()}[str(y)]:,.2f}"
            for v in by_level.values()] for y in years})
        parts += [html.H3("Share of cluster employment imputed, by level (%)", className="h6 mt-3"),
                  html.P("Method and masked validation: docs/US_IMPUTATION.md.", className="small text-muted"),
                  html.Div(_table(df), style={"overflowX": "auto"})]
    return parts


def render_quality(dataset: str):
    store = get_store(dataset)
    q = store.quality
    years = q.get("years") or store.years
    parts = [html.P(f"{dataset_ui(store.dataset)['label']}: years {years[0]}–{years[-1]}.", className="small mb-2")]
    per_year = per_year_display(q)
    if not per_year.empty:
        parts += [html.H3("Coverage per year", className="h6"), _table(per_year)]
    lines = []
    for key, v in q.items():
        if key in SKIP or profiles.is_year_keyed(v) or key in ("imputed_share", *STRUCTURED):
            continue
        if isinstance(v, list) and v and isinstance(v[0], dict):
            df = pd.DataFrame(v)
            for c in df.columns:
                if df[c].dtype == object:
                    df[c] = df[c].map(lambda x: re.sub(r",(?=\d{4})", ", ", x) if isinstance(x, str) else x)
            df.columns = [_label(c) for c in df.columns]
            parts += [html.H3(f"{_label(key)} ({len(v):,})", className="h6 mt-3"),
                      html.Div(_table(df), style={"maxHeight": "420px", "overflowY": "auto"})]
        elif isinstance(v, list):
            parts += [html.H3(_label(key), className="h6 mt-3"),
                      html.Ul([html.Li(str(x)) for x in v], className="small")] if v else []
        elif isinstance(v, dict):
            lines.append(html.Li([html.Strong(_label(key) + ": "), ", ".join(f"{k} {x:,}" if isinstance(x, int)
                                                                            else f"{k} {x}" for k, x in v.items())]))
        else:
            lines.append(html.Li([html.Strong(_label(key) + ": "), f"{v:,}" if isinstance(v, int) else str(v)]))
    if lines:
        parts.insert(1, html.Ul(lines, className="small"))
    parts += us_imputation_parts(q)
    by_country = imputed_by_country_display(q)
    if by_country is not None:
        parts += [html.H3("Share of employment imputed by country and year (%)", className="h6 mt-3"),
                  html.P("Confidential cells are imputed from the parent region's remainder in proportion to "
                         "employment weights, and flagged “imputed” wherever they show.", className="small text-muted"),
                  html.Div(_table(by_country), style={"maxHeight": "520px", "overflowY": "auto"})]
    return parts


@callback(output={"report": Output(ids.QUALITY, "children"), "url": Output(ids.URL, "data")},
          inputs={"dataset": Input(ids.QUALITY_DATASET, "value")})
def update_quality(dataset):
    return {"report": render_quality(dataset), "url": METHODOLOGY.query({"dataset": dataset})}


def imputed_csv(dataset: str) -> dict:
    store = get_store(dataset)
    df = profiles.imputed_share_frame(store.quality)
    note = (f"Share of employment imputed (%), {dataset_ui(store.dataset)['label']}"
            + (", by country and year" if "country" in df.columns else ", by year") + ". Cluster Observatory.")
    return send_credit_csv(df, f"imputed_share_{dataset}.csv", [dataset_ui(store.dataset)["source"], note])


@callback(
    Output(ids.IMPUTED_DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.IMPUTED_DOWNLOAD_BTN, "n_clicks"), "dataset": State(ids.QUALITY_DATASET, "value")},
    prevent_initial_call=True,
)
def download_imputed(n_clicks, dataset):
    if not n_clicks:
        return no_update
    return imputed_csv(dataset)


register_writer(ids.PREFIX)
