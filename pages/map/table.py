"""The table under the map and its CSV export: exactly the map's values, ranks, stars and flags.

The grid pages, sorts and filters on the server (ag-grid's infinite row model): it asks for one
page of rows at a time (:func:`page_rows`), so an interaction sends 15 rows, not 3,000 counties.
Its id carries the view (the map's canonical query), so a new view is a new grid that asks for
its first page. Rows are compact (short keys; each region's link is built in the browser from
its id, ``assets/dashAgGridComponentFunctions.js``). The CSV has every map region, unformatted
numbers and ``# Source: …`` lines on top.
"""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

from analytics.serving import views
from analytics.serving.cache import memoize
from analytics.serving.store import get_store
from components import choropleth as ch
from components.labels import category_name, level_label
from components.routes import ALL, CUSTOM, MAP, REGION
from components.tables import col, credit_csv
from pages.map import ids

_KIND = {"int": "int", "num": "num", "pct": "pct2", "signed_pct": "signed_pct", "stars": "text"}


def _col(field: str, header: str, kind: str = "text", **kw) -> dict:
    """A column of this grid: one line per row (the infinite row model has fixed row heights)."""
    c = col(field, header, kind, **kw)
    c.pop("autoHeight", None)
    c["wrapText"] = False
    return c


def columns(state: dict, info) -> list[dict]:
    stars_name = "Starred clusters" if state["category"] == ALL else "Stars (criteria met)"
    link_query = REGION.query({"year": state["year"], "rules": state["rules"], "denominator": state["denominator"],
                               "start_year": state["start_year"] if state["metric"] == "growth" else None})
    cols = [
        _col("r", "Rank", "int", width=80, sort="asc"),
        _col("n", "Region (opens the profile)", "text", width=200, cellRenderer="RegionLink",
            cellRendererParams={"base": REGION.href(dataset=state["dataset"], region_id="").rstrip("?"),
                                "query": link_query}),
        _col("id", "Code", "text", width=90),
    ]
    if info.scale == "steps":
        # the text "2/3 (size, LQ)"; the server sorts it by the star count (page_rows)
        cols.append(_col("s", info.title, "text", width=160))
    else:
        cols.append(_col("v", info.title, _KIND.get(info.fmt, "num"), width=160))
        if not (state["category"] == ALL and state["metric"] == "stars"):
            cols.append(_col("s", stars_name, "text", width=140))
    cols.append(_col("f", "Data flags", "text", width=140))
    return cols


def rows(state: dict) -> pd.DataFrame:
    """The table's rows of a view, compact (r rank, n name, id, v value, s stars, f flags, l = 0 when
    the region has no profile); memoized per view, so each page request only sorts and slices."""
    return _rows(MAP.query(state))


@memoize
def _rows(query: str) -> pd.DataFrame:
    from urllib.parse import parse_qs

    state = MAP.parse({k: (v[-1] if len(v) == 1 else v) for k, v in parse_qs(query.lstrip("?")).items()})[0]
    frame = ch.view_frame(state)
    frame = frame[~frame["custom"]]
    unlinked = set(ch.unlinked_regions(state["dataset"], state["level"]))
    out = pd.DataFrame({"r": frame["rank"].astype("Int64"), "n": frame["region_name"], "id": frame["region_id"],
                        "v": frame["value"].astype(float), "s": frame["stars_text"].replace("", None),
                        "f": frame["flags"].replace("", None)})
    out["l"] = [0 if rid in unlinked else None for rid in out["id"]]
    return out.reset_index(drop=True)


def title(state: dict, info) -> str:
    frame = ch.view_frame(state)
    frame = frame[~frame["custom"]]
    n_data = int(frame["value"].notna().sum())
    return f"{info.hover_label}: {n_data:,} of {len(frame):,} {level_label(state['dataset'], state['level'])} with data"


PAGE_SIZE = 15
_TEXT_OPS = {
    "contains": lambda s, v: s.str.contains(v, case=False, regex=False),
    "notContains": lambda s, v: ~s.str.contains(v, case=False, regex=False),
    "equals": lambda s, v: s.str.lower() == v.lower(),
    "notEqual": lambda s, v: s.str.lower() != v.lower(),
    "startsWith": lambda s, v: s.str.lower().str.startswith(v.lower()),
    "endsWith": lambda s, v: s.str.lower().str.endswith(v.lower()),
}
_NUMBER_OPS = {
    "equals": lambda s, v, _t: s == v, "notEqual": lambda s, v, _t: s != v,
    "lessThan": lambda s, v, _t: s < v, "lessThanOrEqual": lambda s, v, _t: s <= v,
    "greaterThan": lambda s, v, _t: s > v, "greaterThanOrEqual": lambda s, v, _t: s >= v,
    "inRange": lambda s, v, t: (s >= v) & (s <= t),
}


def _condition(frame: pd.DataFrame, col: str, model: dict) -> pd.Series:
    if "conditions" in model or "operator" in model:  # two conditions joined by AND / OR
        parts = [_condition(frame, col, c) for c in model.get("conditions") or []]
        if not parts:
            return pd.Series(True, index=frame.index)
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if model.get("operator", "AND") == "AND" else (out | p)
        return out
    kind, s = model.get("type"), frame[col]
    if kind == "blank":
        return s.isna() | (s.astype(str) == "")
    if kind == "notBlank":
        return s.notna() & (s.astype(str) != "")
    if model.get("filterType") == "number" and kind in _NUMBER_OPS:
        try:
            value = float(model.get("filter"))
            to = float(model["filterTo"]) if model.get("filterTo") is not None else value
        except (TypeError, ValueError):
            return pd.Series(True, index=frame.index)
        return _NUMBER_OPS[kind](pd.to_numeric(s, errors="coerce"), value, to).fillna(False)
    if kind in _TEXT_OPS:
        return _TEXT_OPS[kind](s.fillna("").astype(str), str(model.get("filter") or "")).fillna(False)
    return pd.Series(True, index=frame.index)


def page_rows(all_rows: pd.DataFrame | list[dict], request: dict | None) -> dict:
    """One block of rows for ag-grid's infinite row model: filtered, sorted, sliced.

    ``request``: the grid's getRowsRequest (startRow, endRow, sortModel, filterModel). Unknown
    columns or operators are ignored; a missing value sorts last in either direction.
    """
    request = request or {}
    frame = all_rows if isinstance(all_rows, pd.DataFrame) else pd.DataFrame(all_rows)
    if frame.empty:
        return {"rowData": [], "rowCount": 0}
    for field, model in (request.get("filterModel") or {}).items():
        if field in frame.columns and isinstance(model, dict):
            frame = frame[_condition(frame, field, model)]
    for sort in reversed(request.get("sortModel") or []):
        field = sort.get("colId")
        if field in frame.columns:
            key = "v" if field == "s" and "v" in frame.columns else field
            frame = frame.sort_values(key, ascending=sort.get("sort") != "desc", na_position="last", kind="stable")
    start = max(int(request.get("startRow") or 0), 0)
    end = max(int(request.get("endRow") or start + PAGE_SIZE), start)
    block = frame.iloc[start:end].astype(object)
    block = block.where(block.notna(), None)
    return {"rowData": [{k: v for k, v in r.items() if v is not None or k in ("v", "r")}
                        for r in block.to_dict("records")], "rowCount": len(frame)}


def grid_for(state: dict) -> tuple[str, dag.AgGrid]:
    """The table's title and its grid for a view (the grid's id holds the view's query)."""
    info = ch.info_for(state)
    grid = dag.AgGrid(
        id={"type": ids.TABLE_GRID, "view": MAP.query(state)}, rowModelType="infinite",
        columnDefs=columns(state, info), getRowId="params.data.id",
        defaultColDef={"flex": 1, "minWidth": 110, "sortable": True, "filter": True, "resizable": True,
                       "filterParams": {"maxNumConditions": 1, "buttons": ["reset"]}},
        className="ag-theme-quartz obs-grid", style={"height": f"{PAGE_SIZE * 36 + 110}px"},
        dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "suppressCellFocus": True, "rowHeight": 36,
                         "enableCellTextSelection": True, "ensureDomOrder": True, "animateRows": False,
                         "infiniteInitialRowCount": PAGE_SIZE})
    return title(state, info), grid


def csv_frame(state: dict) -> pd.DataFrame:
    """Every map region with the shown value (unformatted), rank, stars/criteria and flags; the
    custom region (when one is drawn) as a last row marked ``custom``."""
    frame = ch.view_frame(state)
    info = ch.info_for(state)
    out = pd.DataFrame({"region_id": frame["region_id"], "region_name": frame["region_name"],
                        "level": state["level"], "year": state["year"]})
    if state["metric"] == "growth":
        out["start_year"] = state.get("start_year")
    if state["category"] != ALL:
        out["category_id"] = state["category"]
        out["category_name"] = _category(state)
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
        for c in ("n_starred", "imputed_clusters", "incomplete_clusters"):
            if c != info.column:
                out[c] = frame[c].astype("Int64")
    if state.get("creg"):
        out["custom"] = frame["custom"].to_numpy()
    return out.sort_values(["rank", "region_id"], na_position="last", kind="stable")


def _category(state: dict) -> str:
    if state["category"] == CUSTOM and state.get("ccat"):
        return state["ccat"].partition("=")[0] + " (custom: " + state["ccat"] + ")"
    return category_name(state["dataset"], state["category"])


def csv_credit(state: dict) -> list[str]:
    meta = get_store(state["dataset"]).meta
    info = ch.info_for(state)
    category = "all categories (region totals)" if state["category"] == ALL else _category(state)
    when = f"{state['start_year']}–{state['year']}" if state["metric"] == "growth" and state["start_year"] \
        else str(state["year"])
    lines = [meta["source"],
             f"Year {when}; {level_label(state['dataset'], state['level'])}; benchmark area: {meta['benchmark_area']}.",
             f"Cluster Observatory map explorer: {info.title}; {category}; star rules {state['rules']}; "
             f"LQ denominator {state['denominator']}. Empty value = no data."]
    message = ch.growth_message(state)
    if message:
        lines.append(message)
    if state.get("creg"):
        cr = views.parse_region(state["dataset"], state["creg"])
        lines.append(f"Custom region {cr.spec()}: the sum of its members; its rank is where it would rank.")
    lines.append(f"View: {MAP.href(**state)}")
    return lines


def csv_filename(state: dict) -> str:
    cat = "custom" if state["category"] == CUSTOM else state["category"]
    return f"cluster-map-{state['dataset']}-{state['level']}-{cat}-{state['metric']}-{state['year']}.csv"


def csv_text(state: dict) -> str:
    return credit_csv(csv_frame(state), csv_credit(state))
