"""The category profile's "Organisations working in this category", by region.

The organisations of the dataset that name the category (``analytics.serving.organisations``),
sorted by region (region unknown last): region linked to its profile when the statistics have
one, name linked to the organisation's page, country, city; a CSV with the source on top. A custom
category lists the organisations of its member categories; organisations are categorised by
category, not by industry, so its industry codes add none (a note says so). The section does not
depend on the year or level: the layout draws it once; only the CSV has a callback.
"""
from __future__ import annotations

import logging

import pandas as pd
from dash import html

from analytics.serving import organisations as orgs
from analytics.serving import views
from components.choropleth import directory_href
from components.orgs import WRAP, category_text, documents_block, org_href, profile_section, region_link
from components.tables import col, grid, md_link, records, send_credit_csv
from pages.category import ids

log = logging.getLogger(__name__)

CSV_COLUMNS = ["region_id", "region_name", "id", "name", "country", "city", "categories", "category_names",
               "ecosystem", "ecosystem_name", "type", "website", "locate_status", "locate_method", "source",
               "source_updated"]



def member_categories(context: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(categories, industry codes) whose organisations the section lists: the category itself,
    or a custom category's member categories and its industry codes (which match no organisation)."""
    if context.get("ccat"):
        cc = views.parse_category(context["dataset"], context["ccat"])
        return tuple(cc.categories), tuple(cc.industries)
    return (context["category_id"],), ()


def organisations_frame(context: dict) -> pd.DataFrame:
    cats, _codes = member_categories(context)
    if not context.get("ccat"):
        return orgs.category_organisations(context["dataset"], context["category_id"])
    if not cats:
        return orgs.frame().iloc[0:0]
    return orgs.categories_organisations(context["dataset"], cats)



def grid_rows(df: pd.DataFrame, dataset: str) -> tuple[list[dict], list[dict]]:
    out = df.assign(
        region=[region_link(dataset, r, n) for r, n in zip(df["region_id"], df["region_name"])],
        organisation=[md_link(n, org_href(i)) for i, n in zip(df["id"], df["name"])],
    )
    cols = [col("region", "Region (opens its profile)", "link", width=200, **WRAP),
            col("organisation", "Organisation", "link", width=220, **WRAP), col("country", "Country", width=80),
            col("city", "City", width=120, **WRAP)]
    return records(out[[c["field"] for c in cols]]), cols


def _custom_note(context: dict) -> str | None:
    if not context.get("ccat"):
        return None
    cats, codes = member_categories(context)
    names = orgs.category_names()
    if not cats:
        return ("Organisations are categorised by cluster category, not by industry: this custom category, made of "
                "industry codes only, has no organisations to list.")
    text = "Custom category: the organisations of its member categories (" + ", ".join(
        names.get(c, c) for c in cats) + ")"
    if codes:
        text += "; its industry codes (" + ", ".join(codes) + ") match no organisation, which are categorised by " \
                "category, not by industry"
    return text + "."


def uncategorised_note(dataset: str) -> str:
    """Why some organisations of the dataset are in no category's list (those that name no
    ecosystem, or one with no category): an empty string when every one has a category."""
    df = orgs.frame()
    df = df[df["dataset"] == dataset]
    n = int((df["categories"].fillna("") == "").sum())
    if not n:
        return ""
    return (f" {n:,} of the {len(df):,} organisations of this dataset have no category (the source names no "
            "ecosystem for them, or one no cluster category describes), so no category lists them; "
            "the directory has them all.")


def section(context: dict) -> html.Section:
    """The section: heading with the CSV button, a note, the grid (or why it is empty), the source."""
    dataset = context["dataset"]
    try:
        df = organisations_frame(context)
        note = _custom_note(context)
    except Exception as exc:  # noqa: BLE001 - the profile must not break when the organisations cannot be read
        log.warning("organisations not available for the category profile (%s: %s)", type(exc).__name__, exc)
        df, note = None, None
    if df is None:
        body = html.P("The cluster organisations could not be read just now.", id=ids.ORGS_EMPTY,
                      className="small text-muted")
    elif df.empty:
        body = html.P(["No organisation names this category. ",
                       html.A("Browse the directory", href=directory_href(dataset=dataset))],
                      id=ids.ORGS_EMPTY, className="small")
    else:
        rows, cols = grid_rows(df, dataset)
        body = grid(ids.ORGS_GRID, rows, cols, page_size=15)
        unknown = int(df["region_id"].isna().sum())
        count = (f"{len(df):,} cluster organisation{'' if len(df) == 1 else 's'} work in this category, by region"
                 + (f" ({unknown:,} with region unknown, listed last)" if unknown else "") + ".")
        note = count + (" " + note if note else "") + uncategorised_note(dataset)
    documents = documents_block(category_id=context["category_id"], what="category") if not context.get("ccat") \
        else html.P("Library documents are tagged to standard categories: open a member category's profile for "
                    "its cases and reports.", className="small text-muted")
    return profile_section(ids, "Organisations working in this category", dataset, note, body,
                           df is None or df.empty, documents)


def csv_payload(context: dict) -> dict:
    """The section's organisations as a ``dcc.Download`` payload (source and what it lists on top)."""
    df = organisations_frame(context)
    names = orgs.category_names()
    df = df.assign(category_names=[category_text(c, names) for c in df["categories"]])
    df = df[[c for c in CSV_COLUMNS if c in df.columns]]
    what = f"Cluster organisations working in {context['name']} ({context['category_id']}), by region"
    if context.get("ccat"):
        what += f"; custom category {context['ccat']}: its member categories"
    fname = str(context["category_id"]).replace(":", "-")
    return send_credit_csv(df, f"organisations_{context['dataset']}_{fname}.csv",
                           [orgs.SOURCES.get(context["dataset"], ""), what + "; Cluster Observatory."])
