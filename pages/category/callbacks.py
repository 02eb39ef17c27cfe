"""Callbacks of the category profile: top regions (chart and table, with growth over the window), LQ map, member industries,
subclusters, related categories, their CSV downloads (and the organisations' CSV, and the top-regions
chart's numbers) and the address.

Numbers come from ``analytics.serving.views.level_table`` (the dataset's default star rules and LQ
denominator; the custom category and custom region of the link included), drawn by
``figures.py`` and the shared choropleth.
"""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, html, no_update

from analytics.metrics.growth import carried_start, no_growth_reason
from analytics.metrics.stars import RULE_SETS
from analytics.serving import profiles, views
from analytics.serving.store import get_store
from components import choropleth as ch
from components.controls import start_year_options, window_start
from components.figures import export_name, graph_config
from components.labels import dataset_ui, level_label
from components.messages import note as info_note
from components.routes import CATEGORY, MAP, REGION
from components.tables import col, md_link, records, send_credit_csv
from components.url_state import register_writer
from pages.category import figures as cf
from pages.category import ids
from pages.category import organisations as category_orgs
from pages.category.layout import RELATEDNESS_CREDIT, SUBCLUSTER_CREDIT, has_subclusters, related_frame, related_table


def category_table(context: dict, level: str, year: int, start: int | None = None):
    ui = dataset_ui(context["dataset"])
    return views.level_table(context["dataset"], level, year, ui["default_rules"], ui["default_denominator"], start,
                             ccats=(context["ccat"],) if context.get("ccat") else (), creg=context.get("creg"))


def top_frame(context: dict, level: str, year: int, start: int | None = None):
    """The top regions with their growth over ``start``→``year`` (cagr, NaN without a window)."""
    table = category_table(context, level, year, start)
    top = profiles.top_regions(table, context["category_id"])
    mine = table[table["category_id"] == context["category_id"]].set_index("region_id")
    top["cagr"] = top["region_id"].map(mine["cagr"]) if "cagr" in mine else float("nan")
    return top


def growth_text(context: dict, level: str, year: int, start_year) -> str | None:
    """Why the top regions show no growth, or the labels of a window across a break; None otherwise."""
    dataset = context["dataset"]
    start = window_start(year, start_year)
    if start is None:
        return no_growth_reason(dataset, get_store(dataset).level_years(level), year, start_year)
    return " ".join(views.growth_notes(dataset, start, year, (context["ccat"],) if context.get("ccat") else ())) \
        or None


def members_frame(context: dict, year: int):
    dataset = context["dataset"]
    if context.get("ccat"):
        mem, _ = views.category_members(dataset, context["ccat"], year)
        return mem[["industry", "industry_name", "employment", "share"]]
    store = get_store(dataset)
    return profiles.member_industries(store.industries, store.facts(store.meta["benchmark_level"]),
                                      context["category_id"], year)


def _region_href(context: dict, region_id: str, year: int, start=None) -> str:
    """The region's profile with this page's window (``year``, ``start_year``)."""
    if region_id.startswith("custom:"):
        return REGION.href(dataset=context["dataset"], region_id="custom", year=year, start_year=start,
                           creg=context["creg"])
    return REGION.href(dataset=context["dataset"], region_id=region_id, year=year, start_year=start)


def top_rows(top, context: dict, year: int, ui: dict, start=None):
    df = top.assign(region=[md_link(n, _region_href(context, r, year, start))
                            for r, n in zip(top["region_id"], top["region_name"])])
    if "cagr" not in df:
        df["cagr"] = float("nan")
    growth = f"Growth {start}–{year} (% per year)" if start else "Growth (pick a start year)"
    cols = [col("rank", "Rank", "int", width=70), col("region", "Region", "link", width=200),
            col("employment", f"Employment ({ui['employment_unit']})", "int"), col("lq", "LQ (ratio)", "num"),
            col("size_share", "Share of the category (%)", "pct2"), col("cagr", growth, "signed_pct"),
            col("stars_text", "Stars", "stars", width=80)]
    return records(df[[c["field"] for c in cols]]), cols


def member_columns(year: int, ui: dict) -> list[dict]:
    return [col("industry", "Code", width=90), col("industry_name", "Industry", width=240),
            col("employment", f"Employment {year} ({ui['employment_unit']})", "int"),
            col("share", "Share of the category (%)", "pct")]


@callback(
    output={"chart": Output(ids.TOP_CHART, "figure"), "chart_config": Output(ids.TOP_CHART, "config"),
            "chart_svg": Output(ids.TOP_SVG, "data-filename"),
            "top_rows": Output(ids.TOP_TABLE, "rowData"), "top_columns": Output(ids.TOP_TABLE, "columnDefs"),
            "map": Output(ids.MAP, "figure"), "map_config": Output(ids.MAP, "config"),
            "map_note": Output(ids.MAP_NOTE, "children"), "members": Output(ids.MEMBERS, "rowData"),
            "member_columns": Output(ids.MEMBERS, "columnDefs"), "url": Output(ids.URL, "data"),
            "start_options": Output(ids.START_YEAR, "options"), "start_year": Output(ids.START_YEAR, "value"),
            "growth_note": Output(ids.GROWTH_NOTE, "children"), "related": Output(ids.RELATED_BOX, "children")},
    inputs={"year": Input(ids.YEAR, "value"), "level": Input(ids.LEVEL, "value"),
            "start_year": Input(ids.START_YEAR, "value"), "context": State(ids.CONTEXT, "data")},
)
def update_category(year, level, start_year, context):
    return category_outputs(context, year, level, start_year, ctx.triggered_id)


def category_outputs(context: dict, year: int, level: str, start_year=None, trigger=None) -> dict:
    """The page for the settings; a new year or level keeps the start year while the window stays
    within one series, else takes the new default (``growth.carried_start``)."""
    dataset, cid, name = context["dataset"], context["category_id"], context["name"]
    ui = dataset_ui(dataset)
    years = get_store(dataset).level_years(level)
    shown_start = no_update
    if trigger in (ids.YEAR, ids.LEVEL):
        moved = carried_start(dataset, years, start_year, year)
        if moved != start_year:
            start_year = shown_start = moved
    start = window_start(year, start_year)
    top = top_frame(context, level, year, start)
    rows, cols = top_rows(top, context, year, ui, start)
    text = growth_text(context, level, year, start_year)
    state = cf.map_state_for(dataset, context["path_id"], level, year, context.get("ccat"), context.get("creg"),
                             start)
    fname = cid.replace(":", "-")
    note = [f"Location quotient of {name}, {level_label(dataset, level)}, {year} (1 = the same share of employment "
            f"as the benchmark area). {ch.legend_note(state)} ", html.A("Open in the map explorer", href=MAP.href(**state))]
    url = CATEGORY.query({"year": year, "start_year": start_year, "level": level, "ccat": context.get("ccat"),
                          "creg": context.get("creg")})
    related = None if context.get("ccat") else related_table(dataset, cid, {"year": year, "start_year": start,
                                                                            "level": level})
    chart_name = top_filename(context, level, year)
    return {"chart": cf.top_chart(top, name, year, level_label(dataset, level), ui, top_head(context, top, level, year)),
            "chart_config": graph_config(chart_name), "chart_svg": chart_name, "top_rows": rows, "top_columns": cols,
            "map": ch.full_figure(state, height=cf.MAP_HEIGHT), "map_config": {**graph_config(f"map_{fname}_{level}_{year}"),
                                                            "scrollZoom": False},
            "map_note": note, "members": records(members_frame(context, year)),
            "member_columns": member_columns(year, ui), "url": url,
            "start_options": start_year_options(years, year, dataset=dataset), "start_year": shown_start,
            "growth_note": info_note(text) if text else None, "related": related}


def top_head(context: dict, top, level: str, year: int) -> tuple[str, str]:
    """(title, subtitle) of the top-regions chart; the custom region of the link named as it is drawn."""
    cr = views.parse_region(context["dataset"], context["creg"]) if context.get("creg") else None
    return cf.top_head(context["name"], len(top), year, level_label(context["dataset"], level),
                       dataset_ui(context["dataset"]), f"{cr.name} ({' + '.join(cr.members)})" if cr else None)


def top_filename(context: dict, level: str, year: int) -> str:
    return export_name("top_regions", context["dataset"], context["category_id"], level, year)


# ---------------------------------------------------------------------------- CSV


def top_chart_csv(context: dict, year: int, level: str, start_year=None) -> dict:
    """The numbers the top-regions chart draws (``figures.top_csv_frame``), the source and the chart's
    title (what, where, when, benchmark) as ``#`` lines."""
    ui = dataset_ui(context["dataset"])
    top = top_frame(context, level, year, window_start(year, start_year))
    title, subtitle = top_head(context, top, level, year)
    lines = [ui["source"], f"{title}. {subtitle} Cluster Observatory."]
    if context.get("ccat"):
        lines.append(f"Custom category {context['ccat']}.")
    if context.get("creg"):
        lines.append(f"Custom region {context['creg']} (the sum of its members).")
    return send_credit_csv(cf.top_csv_frame(top, year, ui), top_filename(context, level, year) + ".csv", lines)


@callback(
    Output(ids.CHART_DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.TOP_CSV_BTN, "n_clicks"), "year": State(ids.YEAR, "value"),
            "level": State(ids.LEVEL, "value"), "start_year": State(ids.START_YEAR, "value"),
            "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_top_chart(n_clicks, year, level, start_year, context):
    if not n_clicks:
        return no_update
    return top_chart_csv(context, year, level, start_year)


def category_csv(kind: str, context: dict, year: int, level: str, start_year=None) -> dict:
    """CSV payload for one of the page's tables: kind = top | members | related | subclusters."""
    dataset, cid, name = context["dataset"], context["category_id"], context["name"]
    ui = dataset_ui(dataset)
    credit = ui["source"]
    if context.get("ccat") and kind not in ("top", "members"):
        raise ValueError(f"no {kind} table for a custom category")
    if kind == "top":
        start = window_start(year, start_year)
        df = top_frame(context, level, year, start)
        df = df.rename(columns={"stars_text": "stars_symbols", "cagr": f"cagr_{start}_{year}" if start else "cagr"})
        df.insert(0, "year", year)
        growth = f"growth: CAGR {start}–{year}" if start else "growth: none (no start year)"
        labels = views.growth_notes(dataset, start, year, (context["ccat"],) if context.get("ccat") else ())
        note = (f"Top regions of {name} ({cid}) by employment, {level_label(dataset, level)}, {year}; stars: "
                f"{RULE_SETS[ui['default_rules']].label}; LQ denominator: {ui['default_denominator']}; {growth}; "
                f"benchmark area: {ui['benchmark_area']}. Cluster Observatory."
                + (" " + " ".join(labels) if labels else ""))
    elif kind == "members":
        df = members_frame(context, year).copy()
        df.insert(0, "year", year)
        note = (f"Member industries of {name} ({cid}); employment in {ui['benchmark_area']}, {year} "
                f"({ui['employment_unit']}). Cluster Observatory.")
    elif kind == "related":
        df = related_frame(dataset, cid)
        credit = RELATEDNESS_CREDIT
        note = f"Categories related to {name} ({cid}). Cluster Observatory."
    elif kind == "subclusters" and has_subclusters(dataset):
        df = profiles.category_subclusters(get_store(dataset).subclusters, cid)
        credit = SUBCLUSTER_CREDIT
        note = f"Subclusters of {name} ({cid}). Cluster Observatory."
    else:
        raise ValueError(f"unknown table {kind!r}")
    if context.get("ccat"):
        note += f" Custom category {context['ccat']}."
    if context.get("creg") and kind == "top":
        note += f" Custom region {context['creg']} (the sum of its members)."
    return send_credit_csv(df, f"{kind}_{dataset}_{cid.replace(':', '-')}_{year}.csv", [credit, note])


_BUTTONS = {ids.DOWNLOAD_BTN: "top", ids.MEMBERS_DOWNLOAD_BTN: "members", ids.RELATED_DOWNLOAD_BTN: "related"}


@callback(
    Output(ids.DOWNLOAD, "data"),
    inputs={"top": Input(ids.DOWNLOAD_BTN, "n_clicks"), "members": Input(ids.MEMBERS_DOWNLOAD_BTN, "n_clicks"),
            "related": Input(ids.RELATED_DOWNLOAD_BTN, "n_clicks"), "year": State(ids.YEAR, "value"),
            "level": State(ids.LEVEL, "value"), "start_year": State(ids.START_YEAR, "value"),
            "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_table(top, members, related, year, level, start_year, context):
    kind = _BUTTONS.get(ctx.triggered_id)
    if kind is None or not ctx.triggered[0].get("value"):
        return no_update
    return category_csv(kind, context, year, level, start_year)


@callback(
    Output(ids.DOWNLOAD, "data", allow_duplicate=True),
    inputs={"n_clicks": Input(ids.SUBCLUSTERS_DOWNLOAD_BTN, "n_clicks"), "year": State(ids.YEAR, "value"),
            "level": State(ids.LEVEL, "value"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_subclusters(n_clicks, year, level, context):
    """Separate callback: the subclusters button exists only for datasets that have subclusters."""
    if not n_clicks:
        return no_update
    return category_csv("subclusters", context, year, level)


@callback(
    Output(ids.ORGS_DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.ORGS_DOWNLOAD_BTN, "n_clicks"), "context": State(ids.CONTEXT, "data")},
    prevent_initial_call=True,
)
def download_organisations(n_clicks, context):
    """The CSV of "Organisations working in this category" (``organisations.py``)."""
    if not n_clicks:
        return no_update
    return category_orgs.csv_payload(context)


register_writer(ids.PREFIX)
