"""Callbacks of /insights/prosperity: one view update from the controls (each value re-checked with the
page's route, so a combination the data cannot serve falls back to defaults), the click-through to a
region's profile, the points as CSV, and the address."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, callback, no_update

from components import ids as shell_ids
from components.routes import REGION
from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.insights_prosperity import data, ids
from pages.insights_prosperity.layout import DEFINITION_LABELS, fit_text, options, source_text, view, year_help
from pages.insights_prosperity.route import PROSPERITY

register_writer(ids.PREFIX)
CONTROLS = {"dataset": ids.DATASET, "level": ids.LEVEL, "y": ids.YAXIS, "year": ids.YEAR, "variant": ids.VARIANT,
            "definitions": ids.DEFINITIONS, "region": ids.REGION}


def state_of(values: dict) -> tuple[dict, list[str]]:
    """The page's state from the controls' values (checked like an address)."""
    query = {k: ("" if v is None else str(v)) for k, v in values.items()}
    return PROSPERITY.parse(query)


def outputs(values: dict) -> dict:
    """Every output of :func:`update` for the controls' values."""
    state, _notes = state_of(values)
    v = view(state)
    opts = options(state)
    return {"figure": v["figure"], "config": v["config"], "caption": v["caption"], "fit": v["fit"],
            "profile": v["profile"], "url": PROSPERITY.query(state), "year_help": year_help(state),
            **{f"{k}_value": state.get(k) for k in CONTROLS}, **{f"{k}_options": opts[k] for k in CONTROLS},
            "definitions_disabled": state["dataset"] != "eu"}


@callback(
    output={"figure": Output(ids.GRAPH, "figure"), "config": Output(ids.GRAPH, "config"),
            "caption": Output(ids.CAPTION, "children"), "fit": Output(ids.FIT, "children"),
            "profile": Output(f"{ids.PROFILE_LINK}-box", "children"), "url": Output(ids.URL, "data"),
            "year_help": Output(ids.YEAR_HELP, "children"),
            **{f"{k}_value": Output(v, "value") for k, v in CONTROLS.items()},
            **{f"{k}_options": Output(v, "options") for k, v in CONTROLS.items()},
            "definitions_disabled": Output(ids.DEFINITIONS, "disabled")},
    inputs={k: Input(v, "value") for k, v in CONTROLS.items()},
    prevent_initial_call=True,
)
def update(**values):
    return outputs(values)


@callback(Output(shell_ids.URL, "href", allow_duplicate=True), Input(ids.GRAPH, "clickData"),
          State(ids.DATASET, "value"), State(ids.YEAR, "value"), prevent_initial_call=True)
def open_profile(click, dataset, year):
    """A click on a region's point opens its profile (the year of the chart)."""
    try:
        rid = click["points"][0]["customdata"][0]
    except (TypeError, KeyError, IndexError):
        return no_update
    if not rid or not isinstance(rid, str):
        return no_update
    return REGION.href(dataset=dataset, region_id=rid, year=year)


def points_csv(values: dict) -> tuple[pd.DataFrame, str, list[str]]:
    """(table, file name, credit lines) of the drawn points with the fit's value at each."""
    state, _ = state_of(values)
    v = view(state)
    what, unit = data.y_label(state["dataset"], state["y"])
    pts = pd.DataFrame(v["points"], columns=["region_id", "region_name", "x", "y"])
    result = v.get("result")
    out = pd.DataFrame({"region_id": pts["region_id"], "region_name": pts["region_name"],
                        "cluster_strength_share": pts["x"], f"{what} ({unit})": pts["y"]})
    if result is not None:
        out[f"fitted {what} ({unit})"] = result.predict(pts["x"])
    lines = [source_text(state), f"x: {data.VARIANTS[state['variant']]['label']} (share 0–1).",
             fit_text(state, result), v["caption"]]
    if state.get("definitions"):
        lines.append(f"European definitions: {DEFINITION_LABELS.get(state['definitions'], state['definitions'])}.")
    return out, v["filename"] + ".csv", lines


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.CSV_BTN, "n_clicks"),
          [State(v, "value") for v in CONTROLS.values()], prevent_initial_call=True)
def download(_n, *vals):
    table, name, lines = points_csv(dict(zip(CONTROLS, vals)))
    return send_credit_csv(table, name, lines)
