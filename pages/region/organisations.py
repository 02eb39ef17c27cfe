"""The region profile's "Cluster organisations in this region".

The organisations located in the region or inside it (a country or NUTS 1 region lists its NUTS 2
regions' organisations; a custom region the union of its members'), from
``analytics.serving.organisations``: a grid (name linked to the organisation's page, city,
categories, ecosystem) and a CSV with the source on top. With none located there, a note and
links to the directory's "region unknown" list of the country. The section does not depend on the
year or the star settings, so the layout draws it once; only the CSV has a callback.
"""
from __future__ import annotations

import logging

import pandas as pd
from dash import html

from analytics.serving import organisations as orgs
from analytics.serving import views
from analytics.serving.store import base_of
from components.choropleth import directory_href
from components.messages import join
from components.orgs import WRAP, category_text, documents_block, org_href, profile_section
from components.tables import col, grid, md_link, records, send_credit_csv
from pages.region import ids

log = logging.getLogger(__name__)

CSV_COLUMNS = ["id", "name", "country", "city", "region_id", "region_name", "categories", "category_names",
               "ecosystem", "ecosystem_name", "type", "website", "locate_status", "locate_method", "source",
               "source_updated"]
COUNTRY_LEVELS = {"eu": "nuts2", "us": "state"}  # the level organisations are located to



def members(context: dict) -> tuple[str, ...]:
    """The regions whose organisations the profile lists: the region, or a custom region's members."""
    if context.get("creg"):
        return views.parse_region(context["dataset"], context["creg"]).members
    return (context["region_id"],)


def organisations_frame(context: dict) -> pd.DataFrame:
    """The organisations of the profile's region (a custom region: of its members), by name."""
    dataset = context["dataset"]
    if context.get("creg"):
        return orgs.regions_organisations(dataset, members(context))
    return orgs.region_organisations(dataset, context["region_id"])



def several_regions(context: dict) -> bool:
    """Whether the list spans several located regions (so the grid shows each one's region)."""
    return bool(context.get("creg")) or context["level"] != COUNTRY_LEVELS.get(base_of(context["dataset"]))


def grid_rows(df: pd.DataFrame, context: dict) -> tuple[list[dict], list[dict]]:
    names = orgs.category_names()
    out = df.assign(
        organisation=[md_link(n, org_href(i)) for i, n in zip(df["id"], df["name"])],
        category_text=[category_text(c, names) for c in df["categories"]],
        region=[f"{n} ({r})" if isinstance(n, str) and n else r for r, n in zip(df["region_id"], df["region_name"])],
    )
    cols = [col("organisation", "Organisation", "link", width=220, **WRAP), col("city", "City", width=120, **WRAP)]
    if several_regions(context):
        cols.append(col("region", "Region", width=160, **WRAP))
    cols += [col("category_text", "Categories", width=220, **WRAP),
             col("ecosystem_name", "EU industrial ecosystem" if base_of(context["dataset"]) == "eu" else "Ecosystem",
                 width=160, **WRAP)]
    return records(out[[c["field"] for c in cols]]), cols


def _empty(context: dict) -> html.Div:
    dataset, level = context["dataset"], context["level"]
    if not orgs.map_placeable(dataset, level):
        where = orgs.LOCATED_TO.get(base_of(dataset), "coarser regions")
        return html.Div([html.P(f"No organisation is listed here: organisations are located to {where} only.",
                                className="mb-1"),
                         html.A("Browse the directory", href=directory_href(dataset=dataset))],
                        id=ids.ORGS_EMPTY, className="small")
    countries = list(dict.fromkeys(c for c in (orgs.directory_country(dataset, m) for m in members(context)) if c))
    links = [html.A(f"{c}: organisations with region unknown", href=directory_href(country=c, located="no"))
             for c in countries]
    return html.Div([
        html.P("No organisation located in this region.", className="mb-1 fw-semibold"),
        html.P(["Some organisations could not be placed in a region from their address; see "]
               + (join(links) if links else [html.A("the directory", href=directory_href(located="no"))])
               + ["."], className="mb-0"),
    ], id=ids.ORGS_EMPTY, className="small")


def section(context: dict) -> html.Section:
    """The section: heading with the CSV button, the grid (or the empty state), the source."""
    dataset = context["dataset"]
    try:
        df = organisations_frame(context)
    except Exception as exc:  # noqa: BLE001 - the profile must not break when the organisations cannot be read
        log.warning("organisations not available for the region profile (%s: %s)", type(exc).__name__, exc)
        df = None
    if df is None:
        body = html.P("The cluster organisations could not be read just now.", id=ids.ORGS_EMPTY,
                      className="small text-muted")
        intro = None
    elif df.empty:
        body, intro = _empty(context), None
    else:
        rows, cols = grid_rows(df, context)
        body = grid(ids.ORGS_GRID, rows, cols, page_size=10)
        where = "its members" if context.get("creg") else (
            "its regions" if several_regions(context) else "the region")
        intro = (f"{len(df):,} cluster organisation{'' if len(df) == 1 else 's'} located in {where} "
                 "(from the city of their address); click a name for the organisation's page.")
    documents = documents_block(region_id=context["region_id"], what="region") if not context.get("creg") else html.P(
        "Library documents are tagged to standard regions: open a member region's profile for its cases "
        "and reports.", className="small text-muted")
    return profile_section(ids, "Cluster organisations in this region", dataset, intro, body,
                           df is None or df.empty, documents)


def csv_payload(context: dict) -> dict:
    """The section's organisations as a ``dcc.Download`` payload (source and what it lists on top)."""
    df = organisations_frame(context)
    names = orgs.category_names()
    df = df.assign(category_names=[category_text(c, names) for c in df["categories"]])
    df = df[[c for c in CSV_COLUMNS if c in df.columns]]
    region = context["creg"] if context.get("creg") else context["region_id"]
    what = (f"Cluster organisations located in {context['name']} ({region})"
            + (" (its members)" if context.get("creg") else "") + "; Cluster Observatory.")
    fname = str(context["path_id"] if not context.get("creg") else "custom").replace(":", "-")
    return send_credit_csv(df, f"organisations_{context['dataset']}_{fname}.csv",
                           [orgs.SOURCES.get(context["dataset"], ""), what])
