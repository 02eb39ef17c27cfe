"""The table under the map (one page of rows, sorted on the server) and its CSV export.

The table shows exactly the map's values: rank, region, code, value (formatted by the
DataTable: thousands separators, percentages), stars or starred clusters, data flags. Paging
and sorting are done here (``page_action="custom"``), so an interaction sends one page of rows.
The CSV has every map region, unformatted numbers as the store holds them, and ``# Source: …``
lines on top (``layouts.common.credit_csv``).
"""
from __future__ import annotations

import pandas as pd
from dash.dash_table.Format import Format, Group, Scheme, Sign

from analytics.serving.store import DATASETS
from callbacks import map_data as md
from layouts.map_state import ALL, CUSTOM, category_names, level_label, region_href, to_query


def _category_name(state: dict) -> str:
    if state["category"] == CUSTOM and state.get("ccat"):
        return state["ccat"].partition("=")[0] + " (custom: " + state["ccat"] + ")"
    return category_names(state["dataset"]).get(state["category"], state["category"])


def _md(text: str) -> str:
    """Escape markdown link text."""
    return str(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _frame(state: dict) -> tuple[pd.DataFrame, md.MetricInfo]:
    start = state.get("start_year") if state["metric"] == "growth" else None
    args = (state["dataset"], state["level"], state["category"], state["metric"], state["year"], start,
            state["rules"], state["denominator"])
    info = md.metric_info(state["dataset"], state["category"], state["metric"], state["year"], start,
                          state["rules"], state["denominator"])
    return md.view_table(*args, state.get("ccat")), info


def _value_format(fmt: str) -> Format:
    if fmt == "int":
        return Format(precision=0, scheme=Scheme.fixed, group=Group.yes)
    if fmt == "pct":
        return Format(precision=2, scheme=Scheme.percentage)
    if fmt == "signed_pct":
        return Format(precision=1, scheme=Scheme.percentage, sign=Sign.positive)
    return Format(precision=2, scheme=Scheme.fixed, group=Group.yes)


def columns(state: dict, info: md.MetricInfo) -> list[dict]:
    stars_name = "Starred clusters" if state["category"] == ALL else "Stars (criteria met)"
    cols = [
        {"name": "Rank", "id": "rank", "type": "numeric"},
        {"name": "Region (opens the profile)", "id": "region_link", "type": "text", "presentation": "markdown"},
        {"name": "Code", "id": "region_id", "type": "text"},
    ]
    if info.scale == "steps":
        cols.append({"name": info.title, "id": "stars_text", "type": "text"})
    else:
        cols.append({"name": info.title, "id": "value", "type": "numeric", "format": _value_format(info.fmt)})
        if not (state["category"] == ALL and state["metric"] == "stars"):
            cols.append({"name": stars_name, "id": "stars_text", "type": "text"})
    cols.append({"name": "Data flags", "id": "flags", "type": "text"})
    return cols


def table_page(state: dict, page: int, sort_by: list[dict] | None, page_size: int = 15
               ) -> tuple[list[dict], list[dict], int, str]:
    """Rows of one page (sorted), the columns, the page count and the table's title."""
    frame, info = _frame(state)
    rows = frame[["rank", "region_name", "region_id", "value", "stars_text", "flags"]].copy()
    if info.scale == "steps":  # sort stars by their number, show the text
        rows["value"] = frame["value"]
    sort = (sort_by or [{"column_id": "rank", "direction": "asc"}])[0]
    col = "value" if sort["column_id"] in ("value", "stars_text") and info.scale == "steps" else sort["column_id"]
    col = "region_name" if col == "region_link" else col if col in rows.columns else "rank"
    rows = rows.sort_values([col, "region_name"], ascending=[sort.get("direction") == "asc", True],
                            na_position="last", kind="stable")
    n_pages = max(1, -(-len(rows) // page_size))
    page = min(max(int(page or 0), 0), n_pages - 1)
    chunk = rows.iloc[page * page_size:(page + 1) * page_size].astype(object)
    chunk = chunk.where(chunk.notna(), None)
    unlinked = set(md.unlinked_regions(state["dataset"], state["level"]))
    chunk["region_link"] = [_md(name) if rid in unlinked else f"[{_md(name)}]({region_href(state, rid)})"
                            for name, rid in zip(chunk["region_name"], chunk["region_id"])]
    chunk = chunk.drop(columns=["region_name"])
    n_data = int(frame["value"].notna().sum())
    levels = level_label(state["dataset"], state["level"])
    title = f"{info.hover_label}: {n_data:,} of {len(frame):,} {levels} with data"
    return chunk.to_dict("records"), columns(state, info), n_pages, title


def csv_frame(state: dict) -> pd.DataFrame:
    """Every map region with the shown value (unformatted), rank, stars/criteria and flags."""
    frame, info = _frame(state)
    out = pd.DataFrame({
        "region_id": frame["region_id"], "region_name": frame["region_name"], "level": state["level"],
        "year": state["year"],
    })
    if state["metric"] == "growth":
        out["start_year"] = state.get("start_year")
    if state["category"] != ALL:
        out["category_id"] = state["category"]
        out["category_name"] = _category_name(state)
    out[info.column] = frame["value"]
    out["rank"] = frame["rank"].astype("Int64")
    out["rank_n"] = frame["rank_n"]
    if state["category"] != ALL:
        out["stars"] = frame["stars"].astype("Float64").astype("Int64") if "stars" in frame else pd.NA
        out["criteria_met"] = frame["stars_text"]
        out["employment_imputed"] = frame["employment_imputed"]
        out["missing_parts"] = frame["missing_parts"].astype("Int64")
        out["not_published"] = frame["not_published"]
    else:
        for col in ("starred_clusters", "imputed_clusters", "incomplete_clusters"):
            if col != info.column:
                out[col] = frame[col].astype("Int64")
    out = out.sort_values(["rank", "region_id"], na_position="last", kind="stable")
    return out


def csv_credit(state: dict) -> list[str]:
    meta = DATASETS[state["dataset"]]
    start = state.get("start_year") if state["metric"] == "growth" else None
    info = md.metric_info(state["dataset"], state["category"], state["metric"], state["year"], start,
                          state["rules"], state["denominator"])
    category = "all categories (region totals)" if state["category"] == ALL else _category_name(state)
    return [
        meta["source"],
        md.source_text(state["dataset"], state["level"], state["year"], state["category"], state["metric"], start)
        .replace(meta["source"], "").strip(),
        f"Cluster Observatory map explorer: {info.title}; {category}; star rules {state['rules']}; "
        f"LQ denominator {state['denominator']}. Empty value = no data.",
        f"View: /map{to_query(state)}",
    ]


def csv_filename(state: dict) -> str:
    return f"cluster-map-{state['dataset']}-{state['level']}-{state['category']}-{state['metric']}-{state['year']}.csv"
