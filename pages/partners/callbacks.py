"""Callbacks of the partner search: origin and filters → ranked list, summary and address; the CSV;
the region and category choices follow the dataset."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, callback

from analytics.serving import organisations as orgs
from analytics.serving.partners import COLUMNS
from analytics.serving.store import get_store
from components.orgs import credit
from components.routes import PARTNERS
from components.tables import send_credit_csv
from components.url_state import register_writer
from pages.partners import ids
from pages.partners.layout import results, rows, summary

CONTROLS = (("org", ids.ORG), ("dataset", ids.DATASET), ("region", ids.REGION), ("category", ids.CATEGORY),
            ("side", ids.SIDE), ("country", ids.COUNTRY), ("ecosystem", ids.ECOSYSTEM), ("type", ids.TYPE),
            ("home", ids.HOME), ("limit", ids.LIMIT))


def state_of(values) -> dict:
    raw = {}
    for (k, _), v in zip(CONTROLS, values):
        if k == "home":
            v = "include" if v and "include" in v else None
        if isinstance(v, list):
            v = ",".join(map(str, v)) or None
        if v not in (None, ""):
            raw[k] = str(v)
    state, _notes = PARTNERS.parse(raw)
    return state


@callback(Output(ids.GRID, "rowData"), Output(ids.SUMMARY, "children"), Output(ids.URL, "data"),
          *[Input(cid, "value") for _, cid in CONTROLS], prevent_initial_call=True)
def update(*values):
    state = state_of(values)
    df = results(state)
    return rows(df), summary(state, df), PARTNERS.query(state)


@callback(Output(ids.REGION, "options"), Output(ids.CATEGORY, "options"), Input(ids.DATASET, "value"),
          prevent_initial_call=True)
def dataset_choices(dataset):
    store = get_store(dataset if dataset in ("eu", "us") else "eu")
    names = orgs.category_names()
    regions = store.regions[store.regions["level"] == orgs.STRENGTH_LEVEL[store.dataset]]
    cats = sorted(store.categories["category_id"], key=lambda c: names.get(c, c))
    return ([{"label": f"{r.name} ({r.region_id})", "value": r.region_id} for r in regions.itertuples()],
            [{"label": names.get(c, c), "value": c} for c in cats])


@callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BTN, "n_clicks"),
          *[State(cid, "value") for _, cid in CONTROLS], prevent_initial_call=True)
def download(_n, *values):
    state = state_of(values)
    df = results(state)
    if df is None:
        df = pd.DataFrame(columns=COLUMNS)
    shown = ", ".join(f"{k}={v}" for k, v in state.items() if v not in (None, (), "")) or "none"
    return send_credit_csv(df, "partner_search.csv",
                           credit(None) + [summary(state, df), f"Settings: {shown}"])


register_writer(ids.PREFIX)
