"""Callbacks of /insights/related: one view update from the controls (re-checked with the page's
route, so a region of another level or year falls back to the default with the rest kept), the
density table as CSV, and the address."""
from __future__ import annotations

from dash import Input, Output, State, callback

from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.insights_related import ids
from pages.insights_related.layout import options, source_text, view
from pages.insights_related.route import RELATED

register_writer(ids.PREFIX)
CONTROLS = {"dataset": ids.DATASET, "level": ids.LEVEL, "year": ids.YEAR, "region": ids.REGION, "lq": ids.LQ}
DROPDOWNS = ("dataset", "level", "year", "region")


def state_of(values: dict) -> dict:
    return RELATED.parse({k: ("" if v is None else str(v)) for k, v in values.items()})[0]


def outputs(values: dict) -> dict:
    state = state_of(values)
    v = view(state)
    opts = options(state)
    return {"network": v["network"], "density": v["density"], "network_config": v["network_config"],
            "density_config": v["density_config"], "summary": v["summary"], "rows": v["rows"],
            "url": RELATED.query(state), **{f"{k}_value": state[k] for k in CONTROLS},
            **{f"{k}_options": opts[k] for k in DROPDOWNS}}


@callback(
    output={"network": Output(ids.NETWORK, "figure"), "density": Output(ids.DENSITY, "figure"),
            "network_config": Output(ids.NETWORK, "config"), "density_config": Output(ids.DENSITY, "config"),
            "summary": Output(ids.SUMMARY, "children"), "rows": Output(ids.TABLE, "rowData"),
            "url": Output(ids.URL, "data"), **{f"{k}_value": Output(v, "value") for k, v in CONTROLS.items()},
            **{f"{k}_options": Output(CONTROLS[k], "options") for k in DROPDOWNS}},
    inputs={k: Input(v, "value") for k, v in CONTROLS.items()},
    prevent_initial_call=True,
)
def update(**values):
    return outputs(values)


def density_csv(values: dict):
    state = state_of(values)
    v = view(state)
    d = v["frame"].drop(columns=["short"]).rename(columns={
        "density": "relatedness_density_share", "lq": "lq", "employment": "employment", "n_related": "n_related"})
    lines = [source_text(state), f"Region: {v['name']} ({state['region']}), {state['year']}; LQ threshold "
             f"{float(state['lq']):g}; the region's median density {v['split']:.4f}.",
             "relatedness_density_share = Σ φ(c,c')·1[LQ(c') ≥ threshold] ÷ Σ φ(c,c'), φ = relatedness percentile ÷ 100."]
    return d, v["density_name"] + ".csv", lines


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.CSV_BTN, "n_clicks"),
          [State(v, "value") for v in CONTROLS.values()], prevent_initial_call=True)
def download(_n, *vals):
    table, name, lines = density_csv(dict(zip(CONTROLS, vals)))
    return send_credit_csv(table, name, lines)
