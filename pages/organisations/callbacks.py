"""Callbacks of the organisations directory: filters → table, count and address; the CSV."""
from __future__ import annotations

from dash import Input, Output, State, callback

from components.orgs import credit, csv_frame, directory_rows
from components.routes import ORGANISATIONS
from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.organisations import ids
from pages.organisations.layout import count_text, selection

CONTROLS = (("dataset", ids.DATASET), ("country", ids.COUNTRY), ("region", ids.REGION), ("category", ids.CATEGORY),
            ("ecosystem", ids.ECOSYSTEM), ("type", ids.TYPE), ("located", ids.LOCATED), ("q", ids.TEXT))


def state_of(values) -> dict:
    """The directory's state from the controls, validated by the route like an address."""
    raw = {k: v for (k, _), v in zip(CONTROLS, values) if v not in (None, "")}
    state, _notes = ORGANISATIONS.parse(raw)
    return state


@callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"), Output(ids.URL, "data"),
          *[Input(cid, "value") for _, cid in CONTROLS], prevent_initial_call=True)
def update(*values):
    from analytics.serving import organisations as orgs

    state = state_of(values)
    df = selection(state)
    return directory_rows(df), count_text(df, len(orgs.frame())), ORGANISATIONS.query(state)


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BTN, "n_clicks"),
          *[State(cid, "value") for _, cid in CONTROLS], prevent_initial_call=True)
def download(_n, *values):
    state = state_of(values)
    df = selection(state)
    shown = ", ".join(f"{k}={v}" for k, v in state.items() if v) or "all"
    return send_credit_csv(csv_frame(df), "cluster_organisations.csv",
                           credit(state.get("dataset")) + [f"Filters: {shown}", f"{len(df):,} organisations"])


register_writer(ids.PREFIX)
