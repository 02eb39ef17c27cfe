"""Organisation page `/organisation/<id>`: who it is, where (and how that was found), what it works
in, "its" regional clusters with their numbers, the best partners elsewhere, and the links to
edit or claim the profile (moderated forms served by ``web/``). Read-only; no callbacks needed."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.serving import organisations as orgs
from analytics.serving.store import DATASETS
from components.figures import source_line
from components.messages import not_found
from components.orgs import claim_href, credit, edit_href, region_known, region_label
from components.routes import CATEGORY, ORGANISATION, ORGANISATIONS, PARTNERS, REGION
from components.tables import col, grid, md_link, records
from pages.organisation import ids

PARTNER_PREVIEW = 8


def _fact(label, value):
    return html.Div([html.Dt(label, className="col-sm-3"),
                     html.Dd(value if value not in (None, "") else "–", className="col-sm-9")], className="row mb-1")


def clusters_grid(org: dict):
    df = orgs.organisation_clusters(org["id"])
    dataset = org["dataset"]
    df = df.assign(category=[md_link(n, CATEGORY.href(dataset=dataset, category_id=c))
                             for c, n in zip(df["category_id"], df["category_name"])],
                   stars_text=["★" * int(s) if s == s and s is not None else "" for s in df["stars"]])
    cols = [col("category", "Category", "link", width=180), col("text", "Its regional cluster", width=320),
            col("lq", "LQ (ratio)", "num"), col("employment", "Employment (persons)", "int"),
            col("stars_text", "Stars", "stars", width=70), col("year", "Year", width=60)]
    return grid(ids.CLUSTERS, records(df[[c["field"] for c in cols]]), cols, pagination=False)


def partners_grid(org: dict):
    df = orgs.partners(org_id=org["id"], limit=PARTNER_PREVIEW)
    df = df.assign(partner=[md_link(n, ORGANISATION.href(org_id=i)) for i, n in zip(df["id"], df["name"])])
    cols = [col("partner", "Organisation", "link", width=200, wrapText=True, autoHeight=True), col("country", "Country", width=70),
            col("score", "Score (0–100)", "num1"), col("reason", "Why", width=360)]
    return grid(ids.PARTNERS, records(df[[c["field"] for c in cols]]), cols, pagination=False), len(df)


def _date(value) -> str | None:
    if value is None or value != value:
        return None
    return str(value)[:10]


def layout(**kwargs):
    _query, path = ORGANISATION.split(kwargs)
    org_id = path.get("org_id")
    try:
        org = orgs.get(org_id)
    except orgs.UnknownOrganisation:
        return not_found(f"No published organisation with id “{org_id}”.",
                         "It may have been renamed, hidden by a moderator, or the link is mistyped.",
                         html.A("Browse the directory", href=ORGANISATIONS.href()), id_=ids.MESSAGE)
    dataset = org["dataset"]
    names = orgs.category_names()
    cats = [c for c in (org["categories"] or "").split(";") if c]
    cat_links = []
    for i, c in enumerate(cats):
        cat_links += ([", "] if i else []) + [html.A(names.get(c, c), href=CATEGORY.href(dataset=dataset, category_id=c))]
    region = org["region_id"]
    region_cell = region_label(region, org["region_name"])
    if region_known(dataset, region):
        region_cell = html.A(region_cell, href=REGION.href(dataset=dataset, region_id=region))
    pgrid, n_partners = partners_grid(org)
    website = org.get("website")
    return html.Div([
        dbc.Breadcrumb(items=[{"label": "Organisations", "href": ORGANISATIONS.href()},
                              {"label": org["name"], "active": True}], className="small mb-1"),
        html.H1(org["name"], className="h2 mb-1"),
        html.P([dbc.Badge(DATASETS.get(dataset, {}).get("label", dataset), color="secondary", className="me-2"),
                dbc.Badge(org["type"] or "organisation", color="info", className="me-2"),
                html.A("Edit this profile", href=edit_href(org["id"]), className="me-3"),
                html.A("Claim this profile", href=claim_href(org["id"]), className="me-3"),
                html.Span("(changes are published after a moderator's review)", className="small text-muted")],
               className="mb-3"),
        dbc.Row([
            dbc.Col(html.Dl([
                _fact("Country", org["country"]),
                _fact("City", org["city"]),
                _fact("Region", region_cell),
                _fact("How the region was found", org["locate_method"]),
                _fact("Categories", cat_links or "none mapped"),
                _fact("EU industrial ecosystem", org.get("ecosystem_name")),
                _fact("Website", html.A(website, href=website, rel="nofollow noopener", target="_blank")
                      if website and str(website).startswith(("http://", "https://")) else website),
                _fact("Description", org.get("description")),
                _fact("Source", org["source"]),
                _fact("Source date", _date(org.get("source_updated"))),
                _fact("Profile last updated", _date(org.get("updated_at"))),
            ], className="mb-0"), lg=7),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2("Find partners", className="h5"),
                html.P("Organisations in other countries, in Europe and the US, working in the same or related "
                       "categories, ranked by a stated score.", className="small"),
                dbc.Button("Partner search from this organisation", href=PARTNERS.href(org=org["id"]),
                           color="primary", size="sm"),
            ])), lg=5),
        ], className="mb-4"),
        html.Section([
            html.H2("Its regional clusters", className="h4"),
            html.P("The organisation's categories in its region: location quotient, employment and stars in the "
                   "latest year of the statistics (the dataset's default star rules).", className="small text-muted"),
            clusters_grid(org),
            source_line(DATASETS.get(dataset, {}).get("source", "")),
        ], className="mb-4"),
        html.Section([
            html.H2(f"Best {n_partners} partners elsewhere", className="h4"),
            pgrid,
            html.A("All partners, with filters and CSV →", href=PARTNERS.href(org=org["id"]), className="small"),
        ], className="mb-4"),
        source_line(" ".join(credit(dataset))),
    ])
