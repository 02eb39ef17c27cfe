"""Transatlantic view ``/transatlantic?category=&year=&eu_level=``.

One category in Europe and the US side by side (top regions, distribution of LQ, the concentration
measures), the region units compared with their median sizes, the method's limits written beside the
charts, and "which side is more clustered" for every category both datasets have, in a sortable table
with CSV. Every number comes from ``analytics.insights.transatlantic`` (Dash-free); :func:`view` draws
what the state asks for (layout and callback alike).
"""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics.insights import transatlantic as ta
from analytics.serving.store import build_id, get_store
from components.figures import export_name, graph_config, svg_button
from components.labels import level_label
from components.messages import query_notes
from components.routes import CATEGORY, METHODOLOGY
from components.tables import col, grid, md_link, records
from components.url_state import url_store
from pages.transatlantic import figures as pf
from pages.transatlantic import ids
from pages.transatlantic.route import TRANSATLANTIC

LABELS = ta.SIDE_LABELS
LEVEL_OF = {"us": "state"}
_TABLES: dict[tuple, pd.DataFrame] = {}
FORMULA = "H(c) = ½ · Σ_r | E(r,c)/E(c) − B(r)/B |"


def table(year_choice: str, eu_level: str) -> pd.DataFrame:
    """:func:`ta.concentration_table`, held per build, year choice and European level."""
    key = (build_id(), year_choice, eu_level)
    if key not in _TABLES:
        _TABLES[key] = ta.concentration_table(year_choice, eu_level)
    return _TABLES[key]


def pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f} %" if x is not None and math.isfinite(x) else "n/a"


def num(x: float) -> str:
    return f"{x:,.0f}" if x is not None and math.isfinite(x) else "n/a"


def source_text(years: dict, eu_level: str) -> str:
    return (f"Europe: {get_store('eu').meta['source']} {level_label('eu', eu_level)}, {years['eu']}. "
            f"US: {get_store('us').meta['source']} States, {years['us']}.")


def units_text(state: dict, years: dict) -> list:
    eu, us = ta.unit_sizes("eu", state["eu_level"], years["eu"]), ta.unit_sizes("us", "state", years["us"])

    def line(side, u, lv):
        pop = (f"median population {num(u['median_population'])} ({u['population_year']})"
               if u["population_year"] is not None else "population not in the data")
        unit = get_store(side).meta["employment_unit"]
        return html.Li(f"{LABELS[side]}: {u['n_units']:,} {level_label(side, lv)} with employment in {years[side]}; "
                       f"median employment per unit {num(u['median_employment'])} {unit}, {pop}.")

    ratio = us["median_employment"] / eu["median_employment"] if eu["median_employment"] else float("nan")
    return [html.Strong("Units compared: "), html.Ul([
        line("eu", eu, state["eu_level"]), line("us", us, "state"),
        html.Li(f"A median US state employs {ratio:,.1f}× a median European {level_label('eu', state['eu_level'], singular=True)}"
                f" (European employment covers the business economy in SBS; the US, CBP's private employment). "
                "More, smaller units resolve more concentration, so the index leans towards the side with more units; "
                "NUTS 1 regions are closer to states in size.")], className="mb-0")]


def limits(years: dict) -> html.Div:
    same = years["eu"] == years["us"]
    return html.Div([
        html.H2("What limits the comparison", className="h6"),
        html.Ul([
            html.Li(["Classifications differ: Europe's categories are the US benchmark clusters concorded to NACE "
                     "Rev. 2 divisions (two digits; docs/EU_CATEGORIES.md), the US ones are built from NAICS 6-digit "
                     "industries. A European category is broader and less precise than its US namesake."]),
            html.Li("Years: Europe has 2008–2015, the US 2000–2011 and 2017–2021. "
                    + (f"Both sides here are {years['eu']}, a common year." if same else
                       f"Here each side's latest: Europe {years['eu']}, US {years['us']} (six years apart).")),
            html.Li("Counts: Europe counts local units, the US establishments; the strong-cluster rule's size test "
                    "uses them (above their 25th percentile)."),
            html.Li("Imputation: confidential European cells and withheld US cells are imputed by documented rules "
                    "and flagged; the table gives the share of employment in cells with an imputed part (most of "
                    "the US 2000–2011 state cells have one)."),
            html.Li("One rule on both sides: LQ over traded employment (local over local) and the US portal's strong "
                    "cluster (LQ ≥ 75th percentile and ≥ 1, employment and units above their 25th percentile); local "
                    "categories are not rated, so they have no strong share."),
        ], className="small"),
    ], className="border rounded p-2 bg-light")


def view(state: dict) -> dict:
    years = ta.years_for(state["year"])
    cid, eu_level = state["category"], state["eu_level"]
    name = get_store("eu").category_names.get(cid, cid)
    rows = {"eu": ta.category_rows("eu", eu_level, years["eu"], cid),
            "us": ta.category_rows("us", "state", years["us"], cid)}
    sums = {s: ta.summarise(r) for s, r in rows.items()}
    labels = {"eu": f"Europe ({level_label('eu', eu_level)}, {years['eu']})",
              "us": f"United States (states, {years['us']})"}
    units = {s: get_store(s).meta["employment_unit"] for s in ta.SIDES}
    src = source_text(years, eu_level)
    when = f"{years['eu']}" if years["eu"] == years["us"] else f"Europe {years['eu']}, US {years['us']}"
    base = export_name(cid, eu_level, state["year"])
    top = pf.top_regions(rows, labels=labels, units=units, title=f"{name}: the ten largest regions on each side, {when}",
                         source=src)
    lq = pf.lq_distribution(rows, labels=labels, title=f"{name}: LQ of every region, {when}", source=src)
    conc = pf.concentration(sums, labels=labels, title=f"{name}: how concentrated, {when}",
                            source=f"Hoover index {FORMULA}, B = the region's traded (local) employment. " + src)
    verdict = ta.more_clustered(sums["eu"]["hoover"], sums["us"]["hoover"])
    summary = (f"{name}: Hoover index Europe {sums['eu']['hoover']:.3f}, US {sums['us']['hoover']:.3f} "
               f"({'more concentrated: ' + verdict if verdict not in (None, 'about equal') else verdict or 'n/a'}); "
               f"employment in strong clusters Europe {pct(sums['eu']['strong_share'])}, US "
               f"{pct(sums['us']['strong_share'])}; {sums['eu']['n_regions']:,} European and "
               f"{sums['us']['n_regions']:,} US regions with a known cell"
               + (f" (left out, cell unknown: {sums['eu']['n_left_out']:,} European, {sums['us']['n_left_out']:,} US)"
                  if sums["eu"]["n_left_out"] or sums["us"]["n_left_out"] else "") + ".")
    t = table(state["year"], eu_level)
    counts = t["more_clustered"].value_counts()
    strong_counts = t["more_strong"].value_counts()
    table_summary = (f"Of {len(t):,} categories both sides have, the Hoover index is higher in Europe for "
                     f"{counts.get('Europe', 0):,}, in the US for {counts.get('United States', 0):,}"
                     + (f", about equal for {counts.get('about equal', 0):,}" if counts.get("about equal") else "")
                     + f"; the share of employment in strong clusters is higher in Europe for "
                     f"{strong_counts.get('Europe', 0):,}, in the US for {strong_counts.get('United States', 0):,}"
                     + (f", about equal for {strong_counts.get('about equal', 0):,}" if strong_counts.get("about equal")
                        else "") + f" (of {int(t['more_strong'].notna().sum()):,} traded categories; local ones are "
                     f"not rated). {level_label('eu', eu_level)} against states, {when}.")
    return {"top": top, "lq": lq, "conc": conc, "summary": summary, "table_summary": table_summary,
            "rows": grid_rows(t, years), "years": years, "table": t, "base": base,
            "configs": {k: graph_config(f"transatlantic_{k}_{base}") for k in ("top", "lq", "conc")},
            "units": units_text(state, years), "limits": limits(years)}


def grid_rows(t: pd.DataFrame, years: dict) -> list[dict]:
    out = t.assign(category=[md_link(n, CATEGORY.href(dataset="eu", category_id=c, year=years["eu"]))
                             for c, n in zip(t["category_id"], t["category_name"])],
                   hoover_gap=t["eu_hoover"] - t["us_hoover"])
    return records(out[[c["field"] for c in TABLE_COLUMNS]])


TABLE_COLUMNS = [
    col("category", "Category", "link", width=200), col("category_type", "Type", width=80),
    col("eu_hoover", "Hoover index, Europe", "num3"), col("us_hoover", "Hoover index, US", "num3"),
    col("hoover_gap", "Europe − US", "num3"), col("more_clustered", "More concentrated (Hoover)", width=110),
    col("eu_strong_share", "In strong clusters, Europe", "pct"), col("us_strong_share", "In strong clusters, US", "pct"),
    col("more_strong", "More in strong clusters", width=110),
    col("eu_n_regions", "Regions, Europe", "int"), col("us_n_regions", "Regions, US", "int"),
    col("eu_imputed_share", "Employment in imputed cells, Europe", "pct"),
    col("us_imputed_share", "Employment in imputed cells, US", "pct"),
]


def options(state: dict) -> dict:
    cats = ta.common_categories()
    return {
        "category": [{"label": f"{n} ({t})", "value": c} for c, n, t in
                     zip(cats["category_id"], cats["category_name"], cats["category_type"])],
        "year": [{"label": "Latest of each side (Europe " + str(ta.side_years()["eu"][-1]) + ", US "
                  + str(ta.side_years()["us"][-1]) + ")" if y == ta.LATEST else f"{y} (both sides)", "value": y}
                 for y in ta.year_choices()],
        "eu_level": [{"label": level_label("eu", lv), "value": lv} for lv in ta.LEVELS["eu"]],
    }


def controls(state: dict) -> dbc.Card:
    opts = options(state)

    def c(label, id_, name, md, **kw):
        return dbc.Col([dbc.Label(label, html_for=id_, className="fw-semibold small mb-1"),
                        dcc.Dropdown(id=id_, value=state[name], options=opts[name], clearable=False, **kw)],
                       xs=12, md=md, className="mb-2")

    return dbc.Card(dbc.CardBody(dbc.Row([
        c("Category (both datasets; type to search)", ids.CATEGORY, "category", 5, searchable=True),
        c("Years", ids.YEAR, "year", 4), c("European units (against US states)", ids.EU_LEVEL, "eu_level", 3),
    ], className="g-2")), className="mb-3 bg-light border-0")


def graph(id_, fig, config, height):
    return dcc.Loading(dcc.Graph(id=id_, figure=fig, config=config, style={"height": f"{height}px"}),
                       type="circle", delay_show=400)


def layout(**kwargs):
    query, _path = TRANSATLANTIC.split(kwargs)
    state, notes = TRANSATLANTIC.parse(query)
    v = view(state)
    return html.Div([
        *url_store(ids.PREFIX, TRANSATLANTIC, state),
        dcc.Download(id=ids.DOWNLOAD),
        html.H1("Europe and the US side by side", className="h2 mb-1"),
        html.P(["The seed report argued that the US has a stronger cluster structure than Europe. Here one category "
                "is set side by side on both continents, and for every category both datasets have, one "
                "concentration index and the share of employment in strong clusters say which side is more "
                "clustered, with the limits of such a comparison. ",
                html.A("Methodology and sources", href=METHODOLOGY.href())], className="text-muted"),
        query_notes(notes, id_=ids.NOTES),
        controls(state),
        html.Div(v["units"], id=ids.UNITS, className="small mb-2"),
        dbc.Alert(v["summary"], id=ids.SUMMARY, color="secondary", className="py-2 small fw-semibold"),
        dbc.Row([
            dbc.Col([html.Div([html.H2("Largest regions", className="h5 mb-0"),
                               svg_button(ids.TOP, f"transatlantic_top_{v['base']}", ids.TOP_SVG, label="Chart as SVG")],
                              className="d-flex justify-content-between align-items-center mb-1"),
                     graph(ids.TOP, v["top"], v["configs"]["top"], pf.TOP_HEIGHT)], xs=12, lg=8),
            dbc.Col(html.Div(v["limits"], id=f"{ids.PREFIX}-limits"), xs=12, lg=4),
        ]),
        dbc.Row([
            dbc.Col([html.Div([html.H2("Distribution of LQ", className="h5 mb-0"),
                               svg_button(ids.LQ, f"transatlantic_lq_{v['base']}", ids.LQ_SVG, label="Chart as SVG")],
                              className="d-flex justify-content-between align-items-center mb-1"),
                     graph(ids.LQ, v["lq"], v["configs"]["lq"], pf.LQ_HEIGHT)], xs=12, lg=6),
            dbc.Col([html.Div([html.H2("Concentration", className="h5 mb-0"),
                               svg_button(ids.CONC, f"transatlantic_concentration_{v['base']}", ids.CONC_SVG,
                                          label="Chart as SVG")],
                              className="d-flex justify-content-between align-items-center mb-1"),
                     graph(ids.CONC, v["conc"], v["configs"]["conc"], pf.CONC_HEIGHT)], xs=12, lg=6),
        ], className="mt-2"),
        html.Section([
            html.Div([html.H2("Which side is more clustered, category by category", className="h5 mb-0"),
                      dbc.Button("Table as CSV", id=ids.CSV_BTN, color="secondary", outline=True, size="sm")],
                     className="d-flex justify-content-between align-items-center mb-1 mt-3"),
            html.P(v["table_summary"], id=ids.TABLE_SUMMARY, className="small fw-semibold mb-1"),
            html.P(["Concentration index (Hoover's coefficient of localisation): ", html.Code(FORMULA),
                    ", E(r,c) the category's employment in region r, E(c) its total, B(r) the region's traded "
                    "employment (local, for a local category) and B their total, over the regions with both known. 0 = "
                    "spread like the region's employment; towards 1 = in regions with little of it: the share of the "
                    "category's employment that would have to move to spread like the benchmark. 'About equal': "
                    "within 0.005 (index) or 0.5 percentage points (strong share). Click a header to sort."],
                   className="small text-muted mb-2"),
            grid(ids.TABLE, v["rows"], TABLE_COLUMNS, page_size=15),
        ]),
    ], className="transatlantic-page")
