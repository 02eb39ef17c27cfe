"""Related clusters ``/insights/related?dataset=&level=&year=&region=&lq=``.

The network of the traded categories linked where the US portal counts them related
(``analytics.insights.network``: links at the 90th-percentile threshold, a seeded spring layout held per
build) with the chosen region on it (node colour = the region's LQ, size = its employment), and the
region's diversification opportunities: relatedness density (``analytics.insights.related.relatedness_density``)
against LQ, with quadrants at the LQ threshold (slider) and the region's median density, and the
opportunities as a table with CSV. The address is parsed with ``route.RELATED``; :func:`view` draws
what the state asks for (layout and callback alike).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics.insights.network import THRESHOLD_TEXT, network
from analytics.insights.related import relatedness_density
from analytics.serving import views
from analytics.serving.store import DATASETS, available_datasets, build_id, get_store
from components.figures import export_name, graph_config, svg_button
from components.labels import dataset_ui, level_label
from components.messages import query_notes
from components.routes import CATEGORY, METHODOLOGY, REGION
from components.tables import col, grid, md_link, records
from components.url_state import url_store
from pages.insights_related import figures as pf
from pages.insights_related import ids
from pages.insights_related.route import LQ_MAX, LQ_MIN, LQ_STEP, RELATED

RELATEDNESS_SOURCE = ("Relatedness: US 2014 (Delgado, Porter & Stern 2016, “Defining clusters of related industries”, "
                      "J. Econ. Geography 16(1)); U.S. Cluster Mapping, Harvard Business School.")


def region_rows(state: dict) -> pd.DataFrame:
    """The region's category rows in the year (category_id, category_name, lq, employment …)."""
    t = views.level_table(state["dataset"], state["level"], state["year"])
    t = t[(t["region_id"] == state["region"]) & ~t["custom"]]
    return t


def nodes_frame(state: dict, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = get_store(state["dataset"])
    pos, edges = network(store.related, key=build_id())
    names = dict(zip(store.related["related_id"], store.related["related_name"]))
    cats = store.categories.set_index("category_id")
    r = rows.set_index("category_id")
    out = pos.assign(
        name=[cats["category_name"].get(c, names.get(c, c)) for c in pos["category_id"]],
        short=[(cats["short_name"].get(c) if "short_name" in cats else None) or names.get(c, c)
               for c in pos["category_id"]],
        present=pos["category_id"].isin(cats.index),
        lq=pos["category_id"].map(r["lq"]) if len(r) else float("nan"),
        employment=pos["category_id"].map(r["employment"]) if len(r) else float("nan"))
    return out, edges


def density_frame(state: dict, rows: pd.DataFrame) -> pd.DataFrame:
    store = get_store(state["dataset"])
    d = relatedness_density(store.related, rows[["category_id", "category_name", "lq", "employment"]],
                            lq_threshold=float(state["lq"]))
    short = store.categories.set_index("category_id")
    d["short"] = [short["short_name"].get(c, n) if "short_name" in short else n
                  for c, n in zip(d["category_id"], d["category_name"])]
    return d


def opportunities(d: pd.DataFrame, threshold: float) -> pd.DataFrame:
    o = d[(pd.to_numeric(d["lq"], errors="coerce") < threshold) & d["density"].notna()]
    return o.sort_values(["density", "category_id"], ascending=[False, True]).reset_index(drop=True)


def source_text(state: dict) -> str:
    ui = dataset_ui(state["dataset"])
    return (f"{ui['source']} {level_label(state['dataset'], state['level'])}, {state['year']}; LQ over "
            f"{'total employment' if ui['default_denominator'] == 'total' else 'traded employment'} "
            f"(benchmark: {ui['benchmark_area']}). {RELATEDNESS_SOURCE}")


def view(state: dict) -> dict:
    ds, region, t = state["dataset"], state["region"], float(state["lq"])
    store = get_store(ds)
    name = store.region_names.get(region, region)
    ui = dataset_ui(ds)
    rows = region_rows(state)
    nodes, edges = nodes_frame(state, rows)
    where = f"{name} ({region}), {state['year']}"
    net = pf.network(nodes, edges, threshold=t, unit=ui["employment_unit"],
                     title=f"Related traded clusters, coloured by {where}'s LQ",
                     source=f"{THRESHOLD_TEXT[0].upper()}{THRESHOLD_TEXT[1:]}; size = employment; named: the "
                            f"largest specialisations (LQ ≥ {t:g}) that fit, up to {pf.MAX_NETWORK_LABELS}. "
                            + source_text(state))
    d = density_frame(state, rows)
    valid = d[d["density"].notna() & pd.to_numeric(d["lq"], errors="coerce").notna()]
    split = float(valid["density"].median()) if len(valid) else 0.5
    dens = pf.density_chart(d, threshold=t, split=split,
                            title=f"Diversification opportunities of {where}: relatedness density against LQ "
                                  f"(threshold LQ ≥ {t:g})",
                            source=f"Density = Σ φ(c,c')·1[LQ(c') ≥ {t:g}] ÷ Σ φ(c,c'), φ = relatedness "
                                   f"percentile ÷ 100; horizontal line: the region's median density "
                                   f"({split:.0%}). " + source_text(state))
    opp = opportunities(d, t)
    opp_close = opp[opp["density"] >= split]
    n_spec = int((pd.to_numeric(valid["lq"]) >= t).sum())
    summary = (f"{name}: {n_spec:,} of {len(valid):,} traded categories with relatedness data have LQ ≥ {t:g}; "
               f"{len(opp_close):,} others are at least as close to them as the region's median (density ≥ "
               f"{split:.0%}): " + (", ".join(opp_close["category_name"].head(5)) if len(opp_close) else "none")
               + ("…" if len(opp_close) > 5 else "") + ".")
    base = export_name(ds, region, state["level"], state["year"], f"lq{t:g}")
    table = opp.assign(category=[md_link(n, CATEGORY.href(dataset=ds, category_id=c, year=state["year"],
                                                          level=state["level"]))
                                 for c, n in zip(opp["category_id"], opp["category_name"])])
    return {"network": net, "density": dens, "summary": summary, "rows": records(table[
        ["category", "density", "lq", "employment", "n_related"]]), "frame": d, "split": split,
            "network_config": graph_config("related_network_" + base),
            "density_config": graph_config("relatedness_density_" + base),
            "network_name": "related_network_" + base, "density_name": "relatedness_density_" + base,
            "profile": REGION.href(dataset=ds, region_id=region, year=state["year"]), "name": name}


def options(state: dict) -> dict[str, list[dict]]:
    store = get_store(state["dataset"])
    return {
        "dataset": [{"label": DATASETS[k]["label"], "value": k} for k in available_datasets(bases_only=True)],
        "level": [{"label": store.meta.get("levels", {}).get(lv, lv), "value": lv} for lv in RELATED.params[1].choices(state)],
        "year": [{"label": str(y), "value": y} for y in store.level_years(state["level"])],
        "region": [{"label": f"{n} ({r})", "value": r}
                   for r, n in sorted(store.level_regions(state["level"], state["year"]), key=lambda t: str(t[1]))],
    }


TABLE_COLUMNS = [col("category", "Category (opportunity)", "link", width=220),
                 col("density", "Relatedness density", "pct"), col("lq", "LQ", "num"),
                 col("employment", "Employment", "int"), col("n_related", "Related categories counted", "int")]


def controls(state: dict) -> dbc.Card:
    opts = options(state)

    def c(label, id_, name, md, **kw):
        return dbc.Col([dbc.Label(label, html_for=id_, className="fw-semibold small mb-1"),
                        dcc.Dropdown(id=id_, value=state[name], options=opts[name], clearable=False, **kw)],
                       xs=12, md=md, className="mb-2")

    marks = {x: f"{x:g}" for x in (0.5, 1, 1.5, 2, 3, 4, 5)}
    return dbc.Card(dbc.CardBody(dbc.Row([
        c("Dataset", ids.DATASET, "dataset", 2), c("Level", ids.LEVEL, "level", 2), c("Year", ids.YEAR, "year", 1),
        c("Region (type to search)", ids.REGION, "region", 4, searchable=True),
        dbc.Col([dbc.Label("LQ threshold (specialised at LQ ≥ …)", html_for=ids.LQ, className="fw-semibold small mb-1"),
                 dcc.Slider(id=ids.LQ, min=LQ_MIN, max=LQ_MAX, step=LQ_STEP, value=float(state["lq"]), marks=marks,
                            tooltip={"placement": "bottom", "always_visible": False}, updatemode="mouseup")],
                xs=12, md=3, className="mb-2"),
    ], className="g-2")), className="mb-3 bg-light border-0")


def layout(**kwargs):
    query, _path = RELATED.split(kwargs)
    state, notes = RELATED.parse(query)
    v = view(state)
    eu = state["dataset"] == "eu"
    return html.Div([
        *url_store(ids.PREFIX, RELATED, state),
        dcc.Download(id=ids.DOWNLOAD),
        html.H1("Related clusters and diversification", className="h2 mb-1"),
        html.P(["Which traded clusters go together, and which ones a region could grow into: categories it is not "
                "specialised in but that are related to those it is (relatedness density, the method of the Atlas "
                "of Economic Complexity and the U.S. Cluster Mapping portal). ",
                html.A("Methodology and sources", href=METHODOLOGY.href())], className="text-muted"),
        query_notes(notes, id_=ids.NOTES),
        controls(state),
        dbc.Alert(v["summary"], id=ids.SUMMARY, color="secondary", className="py-2 small fw-semibold"),
        dbc.Row([
            dbc.Col([
                html.Div([html.H2("The network of related clusters", className="h5 mb-0"),
                          svg_button(ids.NETWORK, v["network_name"], ids.NETWORK_SVG, label="Network as SVG")],
                         className="d-flex justify-content-between align-items-center mb-1"),
                dcc.Loading(dcc.Graph(id=ids.NETWORK, figure=v["network"], config=v["network_config"],
                                      style={"height": f"{pf.NETWORK_HEIGHT}px"}), type="circle", delay_show=400),
            ], xs=12, xl=6),
            dbc.Col([
                html.Div([html.H2("Diversification opportunities", className="h5 mb-0"),
                          svg_button(ids.DENSITY, v["density_name"], ids.DENSITY_SVG, label="Chart as SVG")],
                         className="d-flex justify-content-between align-items-center mb-1"),
                dcc.Loading(dcc.Graph(id=ids.DENSITY, figure=v["density"], config=v["density_config"],
                                      style={"height": f"{pf.DENSITY_HEIGHT}px"}), type="circle", delay_show=400),
            ], xs=12, xl=6),
        ]),
        html.Section([
            html.Div([html.H2("Categories the region is not specialised in, closest first", className="h5 mb-0"),
                      dbc.Button("Density table as CSV", id=ids.CSV_BTN, color="secondary", outline=True, size="sm")],
                     className="d-flex justify-content-between align-items-center mb-1 mt-3"),
            grid(ids.TABLE, v["rows"], TABLE_COLUMNS, page_size=10),
        ]),
        html.Section([
            html.H2("How it is computed", className="h5 mt-3"),
            html.Ul([
                html.Li([html.Strong("Links: "), THRESHOLD_TEXT.split(": ", 1)[1] + "; each pair drawn once. The layout is a "
                         "force-directed spring layout of the linked graph (networkx, fixed seed: the same picture "
                         "on every build of the same table); clusters with no link at this threshold sit on the "
                         "outer ring."]),
                html.Li([html.Strong("Relatedness density "), "of category c in the region: Σ φ(c, c′)·1[LQ(c′) ≥ t] ÷ "
                         "Σ φ(c, c′) over the other traded categories c′ with a known LQ, φ = the pair's relatedness "
                         "percentile ÷ 100 (0–0.99), t = the LQ threshold of the slider. 100 % means every category "
                         "related to c is a specialisation of the region."]),
                html.Li([html.Strong("Quadrants: "), "the vertical line is the LQ threshold; the horizontal line the "
                         "region's median density over its categories. Top left = opportunities."]),
                html.Li([html.Strong("European categories: "),
                         "relatedness is measured between US benchmark clusters. Europe's categories are those US "
                         "clusters concorded to NACE Rev. 2 divisions (the category page's “related categories” "
                         "use the same table by the same ids), so a European category takes the relatedness of the "
                         "US cluster it stands for; US clusters without a European category (e.g. financial services,"
                         " forestry) are drawn as hollow nodes and left out of the density."] if eu else
                        [html.Strong("US categories: "), "the 51 traded benchmark clusters of the relatedness table."]),
                html.Li(["LQ under the dataset's default denominator (", "total employment" if eu else
                         "traded employment", "). Open the ", html.A("region's profile", href=v["profile"]), "."]),
            ], className="small"),
        ]),
    ], className="related-page")
