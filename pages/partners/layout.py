"""Partner search `/partners?org=` or `?dataset=&region=&category=`, with `side, country, ecosystem,
type, home, limit`.

From an organisation, or from a region × category ("Stuttgart, Automotive"), it lists
organisations in other countries, in Europe and across the Atlantic, that work in the same or a
related category, ranked by the score of :mod:`analytics.serving.partners` (stated on the page),
each with a one-line reason; a CSV of the list. Every setting is in the address.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.serving import organisations as orgs
from analytics.serving import partners as rules
from analytics.serving.store import DATASETS, get_store
from components.controls import labelled_control, value_options
from components.figures import source_line
from components.messages import query_notes
from components.orgs import credit, region_label
from components.routes import ORGANISATION, PARTNERS, SIDES
from components.tables import col, grid, md_link, records
from pages.partners import ids

SCORE_TEXT = rules.SCORE_TEXT
SIDE_LABELS = {"eu": "Europe only", "us": "US only"}


def results(state: dict):
    if not state.get("org") and not state.get("category"):
        return None
    return orgs.partners(org_id=state.get("org"), dataset=state.get("dataset"), region_id=state.get("region"),
                         category_id=state.get("category"), side=state.get("side"),
                         countries=tuple(state.get("country") or ()), ecosystem=state.get("ecosystem"),
                         type_=state.get("type"), include_same_country=state.get("home") == "include",
                         limit=state.get("limit"))


def origin_text(state: dict) -> str:
    names = orgs.category_names()
    if state.get("org"):
        org = orgs.get(state["org"])
        cats = [names.get(c, c) for c in org["categories"].split(";") if c]
        if not cats:
            return (f"{org['name']} has no category mapped (its ecosystem maps to none), so there is nothing to "
                    "match; start from a region and a category instead.")
        return f"Partners for {org['name']} ({org['country']}), working in {', '.join(cats)}."
    if state.get("category"):
        cat = names.get(state["category"], state["category"])
        if state.get("region"):
            rname = get_store(state["dataset"]).region_names.get(state["region"])
            return f"Partners for {cat} in {region_label(state['region'], rname)}, outside its country."
        return f"Partners working in {cat} or related categories."
    return "Choose an organisation, or a category (and a region), to find partners."


def columns() -> list[dict]:
    return [col("rank", "Rank", "int", width=60), col("partner", "Organisation", "link", width=200, wrapText=True, autoHeight=True),
            col("country", "Country", width=70), col("region", "Region", width=150),
            col("category_name", "Matched category", width=160), col("score", "Score (0–100)", "num1", width=90),
            col("reason", "Why", width=380)]


def rows(df) -> list[dict]:
    if df is None or df.empty:
        return []
    out = df.assign(rank=range(1, len(df) + 1),
                    partner=[md_link(n, ORGANISATION.href(org_id=i)) for i, n in zip(df["id"], df["name"])],
                    region=[region_label(r, n) for r, n in zip(df["region_id"], df["region_name"])])
    return records(out[[c["field"] for c in columns()]])


def summary(state: dict, df) -> str:
    head = origin_text(state)
    if df is None:
        return head
    if df.empty:
        return head + " No organisation matches with these filters."
    n_us, n_eu = int((df["dataset"] == "us").sum()), int((df["dataset"] == "eu").sum())
    return head + f" {len(df):,} matches: {n_eu:,} in Europe, {n_us:,} in the US, in {df['country'].nunique():,} countries."


def layout(**kwargs):
    from components.url_state import url_store

    query, _ = PARTNERS.split(kwargs)
    state, notes = PARTNERS.parse(query)
    everything = orgs.frame()
    names = orgs.category_names()
    dataset = state.get("dataset") or "eu"
    store = get_store(dataset)
    eco = orgs.ecosystems()
    df = results(state)
    level_regions = store.regions[store.regions["level"] == orgs.STRENGTH_LEVEL[dataset]]
    org_options = [{"label": f"{r.name} ({r.country})", "value": r.id} for r in everything.itertuples()]
    return html.Div([
        *url_store(ids.PREFIX, PARTNERS, state),
        html.H1("Partner search", className="h2 mb-1"),
        html.P("Organisations elsewhere, in Europe and across the Atlantic, in the same or related categories.",
               className="text-muted"),
        query_notes(notes),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                labelled_control("From an organisation", dcc.Dropdown(
                    id=ids.ORG, value=state.get("org"), options=org_options, placeholder="type a name …"),
                    ids.ORG, md=5, help_text="or leave empty and choose a region and category"),
                labelled_control("Dataset", dcc.Dropdown(id=ids.DATASET, value=dataset, clearable=False,
                                                         options=[{"label": DATASETS[k]["label"], "value": k}
                                                                  for k in SIDES]), ids.DATASET, md=2),
                labelled_control("Region", dcc.Dropdown(
                    id=ids.REGION, value=state.get("region"), placeholder="any",
                    options=[{"label": f"{r.name} ({r.region_id})", "value": r.region_id}
                             for r in level_regions.itertuples()]), ids.REGION, md=2),
                labelled_control("Category", dcc.Dropdown(
                    id=ids.CATEGORY, value=state.get("category"), placeholder="choose …",
                    options=value_options(sorted(store.categories["category_id"], key=lambda c: names.get(c, c)), names)),
                    ids.CATEGORY, md=3),
            ], className="g-2"),
            dbc.Row([
                labelled_control("Partners in", dcc.Dropdown(
                    id=ids.SIDE, value=state.get("side"), placeholder="Europe and US",
                    options=[{"label": v, "value": k} for k, v in SIDE_LABELS.items()]), ids.SIDE, md=2),
                labelled_control("Countries", dcc.Dropdown(id=ids.COUNTRY, value=list(state.get("country") or []),
                                                           multi=True, placeholder="any",
                                                           options=value_options(orgs.countries())), ids.COUNTRY, md=3),
                labelled_control("EU industrial ecosystem", dcc.Dropdown(
                    id=ids.ECOSYSTEM, value=state.get("ecosystem"), placeholder="any",
                    options=value_options(eco, eco)), ids.ECOSYSTEM, md=3),
                labelled_control("Type", dcc.Dropdown(id=ids.TYPE, value=state.get("type"), placeholder="any",
                                                      options=value_options(orgs.types())),
                                 ids.TYPE, md=2),
                labelled_control("Show", dcc.Dropdown(id=ids.LIMIT, value=state.get("limit"), clearable=False,
                                                      options=[{"label": f"best {n}", "value": n}
                                                               for n in (10, 20, 50, 100)]), ids.LIMIT, md=2),
            ], className="g-2"),
            dbc.Checklist(id=ids.HOME, value=["include"] if state.get("home") == "include" else [],
                          options=[{"label": "Include organisations in the origin's own country", "value": "include"}],
                          switch=True, className="small"),
        ]), className="mb-3 bg-light border-0"),
        html.Div([
            html.P(summary(state, df), id=ids.SUMMARY, className="mb-0", role="status", **{"aria-live": "polite"}),
            dbc.Button("Download CSV", id=ids.DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2 gap-2"),
        grid(ids.GRID, rows(df), columns(), page_size=20),
        html.P(SCORE_TEXT, className="small text-muted mt-2"),
        source_line(" ".join(credit(None)) + " Relatedness: Delgado, Porter & Stern (2016), U.S. Cluster Mapping."),
        dcc.Download(id=ids.DOWNLOAD),
    ])
