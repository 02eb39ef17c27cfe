"""Callbacks of /transatlantic: one view update from the three pickers (re-checked with the page's
route), the table as CSV with its source lines, and the address."""
from __future__ import annotations

from dash import Input, Output, State, callback

from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.transatlantic import ids
from pages.transatlantic.layout import FORMULA, source_text, table, view
from pages.transatlantic.route import TRANSATLANTIC

register_writer(ids.PREFIX)
CONTROLS = {"category": ids.CATEGORY, "year": ids.YEAR, "eu_level": ids.EU_LEVEL}


def state_of(values: dict) -> dict:
    return TRANSATLANTIC.parse({k: ("" if v is None else str(v)) for k, v in values.items()})[0]


def outputs(values: dict) -> dict:
    state = state_of(values)
    v = view(state)
    return {"top": v["top"], "lq": v["lq"], "conc": v["conc"], "summary": v["summary"], "units": v["units"],
            "limits": v["limits"], "table_summary": v["table_summary"], "rows": v["rows"],
            **{f"{k}_config": v["configs"][k] for k in ("top", "lq", "conc")},
            "url": TRANSATLANTIC.query(state), **{f"{k}_value": state[k] for k in CONTROLS}}


@callback(
    output={"top": Output(ids.TOP, "figure"), "lq": Output(ids.LQ, "figure"), "conc": Output(ids.CONC, "figure"),
            **{f"{k}_config": Output(i, "config") for k, i in (("top", ids.TOP), ("lq", ids.LQ), ("conc", ids.CONC))},
            "summary": Output(ids.SUMMARY, "children"), "units": Output(ids.UNITS, "children"),
            "limits": Output(f"{ids.PREFIX}-limits", "children"),
            "table_summary": Output(ids.TABLE_SUMMARY, "children"), "rows": Output(ids.TABLE, "rowData"),
            "url": Output(ids.URL, "data"), **{f"{k}_value": Output(i, "value") for k, i in CONTROLS.items()}},
    inputs={k: Input(i, "value") for k, i in CONTROLS.items()},
    prevent_initial_call=True,
)
def update(**values):
    return outputs(values)


def table_csv(values: dict):
    from analytics.insights import transatlantic as ta

    state = state_of(values)
    years = ta.years_for(state["year"])
    t = table(state["year"], state["eu_level"])
    lines = [source_text(years, state["eu_level"]),
             f"Hoover concentration index {FORMULA} (B = the region's traded employment, local for local categories); "
             "strong_share = share of the category's employment in strong clusters (US portal's rule, traded only).",
             "imputed_share = share of the category's employment in cells with an imputed part."]
    return t, f"transatlantic_concentration_{state['eu_level']}_{state['year']}.csv", lines


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.CSV_BTN, "n_clicks"),
          [State(i, "value") for i in CONTROLS.values()], prevent_initial_call=True)
def download(_n, *vals):
    t, name, lines = table_csv(dict(zip(CONTROLS, vals)))
    return send_credit_csv(t, name, lines)
