"""Callbacks of the builder page (/build): live validation and preview, the region picker map,
the address sync and the library (save, rename, delete, load).

Every check is the engine's (``analytics.serving.custom.parse_category`` / ``parse_region``); its
``ValidationError`` text is shown next to the control and nothing is saved. Library writes go
through ``analytics.serving.library.Library`` (one transaction each); a ``LibraryError`` is shown and
leaves the library as it was.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlencode

from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, html, no_update

from analytics.serving import custom
from analytics.serving.library import Library, LibraryError, default_url
from analytics.serving.store import DATASETS, get_store
from callbacks import map_data as md
from callbacks.custom_views import member_employment, parse_region
from layouts import build_page as bp
from layouts import ids
from callbacks.map_figure import OUTLINE as OUTLINE_COLOUR
from layouts.common import fmt_int


@lru_cache(maxsize=4)
def _library(url: str) -> Library:
    return Library(url)


def library() -> Library:
    return _library(default_url())


def category_spec(name, categories, industries, dataset) -> str:
    parts = []
    if categories:
        parts.append("cat:" + "+".join(categories))
    if industries:
        parts.append(("nace:" if dataset == "eu" else "naics:") + ",".join(industries))
    return f"{(name or '').strip()}=" + ";".join(parts)


def region_spec(name, members) -> str:
    return f"{(name or '').strip()}=" + "+".join(members or [])


# ---------------------------------------------------------------------------- dataset change


@callback(
    Output(ids.BUILD_CAT_CATEGORIES, "options"), Output(ids.BUILD_CAT_CATEGORIES, "value"),
    Output(ids.BUILD_CAT_INDUSTRIES, "options"), Output(ids.BUILD_CAT_INDUSTRIES, "value"),
    Output(ids.BUILD_REG_LEVEL, "options"), Output(ids.BUILD_REG_LEVEL, "value"),
    Output(ids.BUILD_REG_MEMBERS, "options"), Output(ids.BUILD_REG_MEMBERS, "value"),
    Input(ids.BUILD_DATASET, "value"),
    prevent_initial_call=True,
)
def change_dataset(dataset):
    """Members belong to one dataset: a new dataset starts both builders' member lists afresh."""
    return (bp.category_options(dataset), [], bp.industry_options_with(dataset, []), [],
            bp.region_levels(dataset), bp.default_region_level(dataset), list(bp.region_options(dataset)), [])


# ---------------------------------------------------------------------------- category builder


def category_preview(dataset, name, categories, industries):
    """(spec shown, feedback text or None, valid spec or None, total text, member rows)."""
    categories, industries = list(categories or []), list(industries or [])
    spec = category_spec(name, categories, industries, dataset)
    if not (name or "").strip() and not categories and not industries:
        return spec, None, None, "Give the category a name and pick its members.", []
    store = get_store(dataset)
    try:
        cc = custom.parse_category(spec, store)
    except custom.ValidationError as exc:
        return spec, str(exc), None, "", []
    mem, year = member_employment(dataset, cc)
    total = mem["employment"].sum(min_count=1)
    text = [html.Strong(f"{len(mem):,} member industr{'y' if len(mem) == 1 else 'ies'}"),
            f" · employment in {DATASETS[dataset]['benchmark_area']}, {year}: ",
            html.Strong(fmt_int(total), id="build-cat-total-value"),
            f" {'persons employed' if dataset == 'eu' else 'employees'}"]
    rows = mem[["industry", "industry_name", "via", "employment"]]
    rows = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return cc.spec(), None, cc.spec(), text, rows


@callback(
    Output(ids.BUILD_CAT_SPEC, "children"), Output(ids.BUILD_CAT_FEEDBACK, "children"),
    Output(ids.BUILD_CAT_FEEDBACK, "is_open"), Output(ids.BUILD_CAT_NAME, "invalid"),
    Output(ids.BUILD_CAT_VALID, "data"), Output(ids.BUILD_CAT_TOTAL, "children"),
    Output(ids.BUILD_CAT_MEMBERS, "data"),
    Output(ids.BUILD_CAT_MAP_LINK, "href"), Output(ids.BUILD_CAT_MAP_LINK, "disabled"),
    Output(ids.BUILD_CAT_PROFILE_LINK, "href"), Output(ids.BUILD_CAT_PROFILE_LINK, "disabled"),
    Output(ids.BUILD_CAT_SAVE, "disabled"),
    Input(ids.BUILD_DATASET, "value"), Input(ids.BUILD_CAT_NAME, "value"),
    Input(ids.BUILD_CAT_CATEGORIES, "value"), Input(ids.BUILD_CAT_INDUSTRIES, "value"),
)
def update_category(dataset, name, categories, industries):
    spec, problem, valid, total, rows = category_preview(dataset, name, categories, industries)
    name_bad = bool(problem) and "name" in problem.lower()
    if valid:
        map_href = "/map?" + urlencode({"dataset": dataset, "category": "custom", "metric": "lq", "ccat": valid})
        profile_href = f"/category/{dataset}/custom?" + urlencode({"ccat": valid})
    else:
        map_href = profile_href = "#"
    return (spec, problem, bool(problem), name_bad, valid, total, rows, map_href, not valid, profile_href,
            not valid, not valid)


# ---------------------------------------------------------------------------- region builder


def region_preview(dataset, name, members):
    """(spec, feedback or None, valid spec or None, summary)."""
    members = list(members or [])
    spec = region_spec(name, members)
    if not (name or "").strip() and not members:
        return spec, None, None, "Give the region a name and pick its members."
    try:
        cr = custom.parse_region(spec, get_store(dataset))
    except custom.ValidationError as exc:
        return spec, str(exc), None, ""
    years = custom.years_complete(cr, get_store(dataset))
    if not years:
        return cr.spec(), None, cr.spec(), f"{len(cr.members)} members; no year in which every member has data."
    _, totals, _ = custom.region_facts(parse_region(dataset, cr.spec()), get_store(dataset), [years[-1]])
    total = totals["total"].sum(min_count=1)
    summary = [html.Strong(f"{len(cr.members)} member region{'s' if len(cr.members) != 1 else ''}"),
               f" ({', '.join(cr.members)}) · complete data in {bp_years(years)} · total employment {years[-1]}: ",
               html.Strong(fmt_int(total), id="build-reg-total-value")]
    return cr.spec(), None, cr.spec(), summary


def bp_years(years: list[int]) -> str:
    from layouts.pages import _year_runs  # noqa: PLC0415

    return _year_runs(years)


@callback(
    Output(ids.BUILD_REG_SPEC, "children"), Output(ids.BUILD_REG_FEEDBACK, "children"),
    Output(ids.BUILD_REG_FEEDBACK, "is_open"), Output(ids.BUILD_REG_NAME, "invalid"),
    Output(ids.BUILD_REG_VALID, "data"), Output(ids.BUILD_REG_SUMMARY, "children"),
    Output(ids.BUILD_REG_PROFILE_LINK, "href"), Output(ids.BUILD_REG_PROFILE_LINK, "disabled"),
    Output(ids.BUILD_REG_COMPARE_LINK, "href"), Output(ids.BUILD_REG_COMPARE_LINK, "disabled"),
    Output(ids.BUILD_REG_SAVE, "disabled"),
    Input(ids.BUILD_DATASET, "value"), Input(ids.BUILD_REG_NAME, "value"), Input(ids.BUILD_REG_MEMBERS, "value"),
)
def update_region(dataset, name, members):
    spec, problem, valid, summary = region_preview(dataset, name, members)
    name_bad = bool(problem) and "name" in problem.lower()
    if valid:
        profile = f"/region/{dataset}/custom?" + urlencode({"creg": valid})
        compare = "/compare?" + urlencode({"dataset": dataset, "focal": "custom", "creg": valid})
    else:
        profile = compare = "#"
    return spec, problem, bool(problem), name_bad, valid, summary, profile, not valid, compare, not valid, not valid


def covered(dataset: str, level: str, members: list[str]) -> dict[str, float]:
    """Map regions of ``level``: 1 = a member, 0.5 = inside a member of another level."""
    store = get_store(dataset)
    map_ids = md.map_regions(dataset, level)[0]
    out = {}
    mem = set(members or [])
    for m in mem:
        if m in map_ids:
            out[m] = 1.0
    others = [m for m in mem if m not in out]
    if others:
        units = set().union(*(custom.finest_units(m, store) for m in others))
        for rid in map_ids:
            if rid in out:
                continue
            if rid in units or (dataset == "eu" and any(rid.startswith(m) or m.startswith(rid) for m in others)):
                out[rid] = 0.5
            elif dataset == "us" and level == "state" and any(u.startswith(rid) for u in units):
                out[rid] = 0.5
    return out


def _z(dataset, level, members):
    cov = covered(dataset, level, members)
    return [cov.get(r, 0.0) for r in md.map_regions(dataset, level)[0]]


def region_map(dataset: str, level: str, members: list[str]) -> dict:
    from callbacks.category_callbacks import fit_view  # noqa: PLC0415

    ids_, names = md.map_regions(dataset, level)
    geo = get_store(dataset).geometry(level)
    center, zoom = fit_view(geo, bp.MAP_HEIGHT, width=400)
    meta = DATASETS[dataset]
    if meta.get("map_center"):  # the dataset's own centre (fit_view's box leans on far-away islands)
        center, zoom = meta["map_center"], meta.get("map_zoom", zoom) - 1.0
    trace = {"type": "choroplethmap", "geojson": geo, "locations": list(ids_), "featureidkey": "id",
             "text": list(names), "z": _z(dataset, level, members), "zmin": 0, "zmax": 1, "showscale": False,
             "colorscale": [[0, "#f4f6f7"], [0.5, "#9ecae1"], [1, "#08519c"]],
             "marker": {"line": {"color": OUTLINE_COLOUR, "width": 0.5}},
             "hovertemplate": "<b>%{text}</b> (%{location})<br>click to add or remove<extra></extra>"}
    return {"data": [trace], "layout": {
        "map": {"style": "white-bg", "center": center, "zoom": zoom}, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "uirevision": f"{dataset}/{level}", "clickmode": "event", "paper_bgcolor": "#ffffff"}}


@callback(
    Output(ids.BUILD_REG_MAP, "figure"),
    Input(ids.BUILD_DATASET, "value"), Input(ids.BUILD_REG_LEVEL, "value"), Input(ids.BUILD_REG_MEMBERS, "value"),
    State(ids.BUILD_REG_MAP, "figure"),
)
def update_region_map(dataset, level, members, figure):
    if level not in bp.ms.map_levels(dataset):
        level = bp.default_region_level(dataset)
    shown = ((figure or {}).get("layout") or {}).get("uirevision")
    if ctx.triggered_id == ids.BUILD_REG_MEMBERS and shown == f"{dataset}/{level}":
        p = Patch()
        p["data"][0]["z"] = _z(dataset, level, members)
        return p
    return region_map(dataset, level, members)


@callback(
    Output(ids.BUILD_REG_MEMBERS, "value", allow_duplicate=True),
    Input(ids.BUILD_REG_MAP, "clickData"), State(ids.BUILD_REG_MEMBERS, "value"),
    prevent_initial_call=True,
)
def toggle_region(click, members):
    """A click on the map adds the region, or removes it if it is a member."""
    if not click or not click.get("points"):
        return no_update
    rid = click["points"][0].get("location")
    members = list(members or [])
    return [m for m in members if m != rid] if rid in members else members + [rid]


# ---------------------------------------------------------------------------- address


clientside_callback(
    """
    function(dataset, ccat, creg) {
        const p = new URLSearchParams();
        if (dataset) { p.set('dataset', dataset); }
        if (ccat) { p.set('ccat', ccat); }
        if (creg) { p.set('creg', creg); }
        const url = window.location.pathname + '?' + p.toString();
        if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, '', url);
        }
        return p.toString();
    }
    """,
    Output(ids.BUILD_URL_SYNC, "data"),
    Input(ids.BUILD_DATASET, "value"), Input(ids.BUILD_CAT_VALID, "data"), Input(ids.BUILD_REG_VALID, "data"),
)


# ---------------------------------------------------------------------------- library


def library_rows(defs) -> html.Div:
    if not defs:
        return html.P("Nothing saved yet.", className="small text-muted mb-0")
    head = html.Thead(html.Tr([html.Th("Kind"), html.Th("Dataset"), html.Th("Name")]))
    body = html.Tbody([html.Tr([html.Td(d.kind), html.Td(d.dataset), html.Td(d.name, className="lib-name")])
                       for d in defs])
    return html.Table([head, body], className="table table-sm small mb-0")


def option_label(d) -> str:
    return f"{d.name} · {d.kind} · {d.dataset}"


@callback(
    Output(ids.BUILD_LIB_TABLE, "children"), Output(ids.BUILD_LIB_SELECT, "options"),
    Input(ids.BUILD_LIB_VERSION, "data"),
)
def list_library(_version):
    try:
        defs = library().list()
    except Exception as exc:  # noqa: BLE001  (an unreachable database: say so, keep the page)
        return html.P(f"The library cannot be read: {exc}", className="small text-danger"), []
    return library_rows(defs), [{"label": option_label(d), "value": d.id} for d in defs]


def library_action(trigger, dataset, cat_spec, reg_spec, selected, new_name) -> tuple[str, str]:
    """(message, colour) of one library write; the library is unchanged on failure."""
    lib = library()
    try:
        if trigger == ids.BUILD_CAT_SAVE:
            if not cat_spec:
                return "Nothing to save: the category is not valid yet.", "danger"
            d = lib.save("category", dataset, cat_spec.partition("=")[0], cat_spec)
            return f"Saved the category “{d.name}”.", "success"
        if trigger == ids.BUILD_REG_SAVE:
            if not reg_spec:
                return "Nothing to save: the region is not valid yet.", "danger"
            d = lib.save("region", dataset, reg_spec.partition("=")[0], reg_spec)
            return f"Saved the region “{d.name}”.", "success"
        if selected is None:
            return "Pick a saved definition first.", "danger"
        if trigger == ids.BUILD_LIB_RENAME:
            old = lib.get(int(selected)).name
            d = lib.rename(int(selected), new_name or "")
            return f"Renamed “{old}” to “{d.name}”.", "success"
        if trigger == ids.BUILD_LIB_CONFIRM:
            old = lib.get(int(selected)).name
            lib.delete(int(selected))
            return f"Deleted “{old}”.", "success"
    except (LibraryError, custom.ValidationError) as exc:
        return str(exc), "danger"
    return "", "info"


@callback(
    Output(ids.BUILD_LIB_MESSAGE, "children"), Output(ids.BUILD_LIB_MESSAGE, "color"),
    Output(ids.BUILD_LIB_MESSAGE, "is_open"), Output(ids.BUILD_LIB_VERSION, "data"),
    Input(ids.BUILD_CAT_SAVE, "n_clicks"), Input(ids.BUILD_REG_SAVE, "n_clicks"),
    Input(ids.BUILD_LIB_RENAME, "n_clicks"), Input(ids.BUILD_LIB_CONFIRM, "submit_n_clicks"),
    State(ids.BUILD_DATASET, "value"), State(ids.BUILD_CAT_VALID, "data"), State(ids.BUILD_REG_VALID, "data"),
    State(ids.BUILD_LIB_SELECT, "value"), State(ids.BUILD_LIB_NEW_NAME, "value"),
    State(ids.BUILD_LIB_VERSION, "data"),
    prevent_initial_call=True,
)
def write_library(_s1, _s2, _r, _d, dataset, cat_spec, reg_spec, selected, new_name, version):
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update, no_update
    message, colour = library_action(ctx.triggered_id, dataset, cat_spec, reg_spec, selected, new_name)
    return message, colour, bool(message), (version or 0) + 1


@callback(
    Output(ids.BUILD_LIB_CONFIRM, "displayed"),
    Input(ids.BUILD_LIB_DELETE, "n_clicks"), State(ids.BUILD_LIB_SELECT, "value"),
    prevent_initial_call=True,
)
def confirm_delete(n_clicks, selected):
    return bool(n_clicks) and selected is not None


def load_href(def_id) -> str:
    d = library().get(int(def_id))
    key = "ccat" if d.kind == "category" else "creg"
    return f"/build?dataset={quote(d.dataset)}&{key}={quote(d.spec, safe='')}"


@callback(
    Output(ids.URL, "href", allow_duplicate=True),
    Output(ids.BUILD_LIB_MESSAGE, "children", allow_duplicate=True),
    Output(ids.BUILD_LIB_MESSAGE, "is_open", allow_duplicate=True),
    Input(ids.BUILD_LIB_LOAD, "n_clicks"), State(ids.BUILD_LIB_SELECT, "value"),
    prevent_initial_call=True,
)
def load_definition(n_clicks, selected):
    if not n_clicks:
        return no_update, no_update, no_update
    if selected is None:
        return no_update, "Pick a saved definition first.", True
    try:
        return load_href(selected), no_update, no_update
    except LibraryError as exc:
        return no_update, str(exc), True

