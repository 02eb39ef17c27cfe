"""Callbacks of the builder page (/build): live validation and preview, the region picker map,
the address and the library (save, rename, delete, load).

Every check is the engine's (``views.parse_category`` / ``parse_region``); its ``ValidationError``
text is shown next to the control and nothing is saved. Library writes go through
``analytics.serving.library`` (one transaction each): a save is checked again on the server by
the engine's validator (the client's "valid" store is not trusted); rename and delete send the
owner token this browser keeps in localStorage (``LIB_TOKENS``). A ``LibraryError`` is shown and
leaves the library as it was; an unreachable database is said without its internals.
"""
from __future__ import annotations

import logging

from dash import Input, Output, Patch, State, callback, ctx, html, no_update

from analytics.serving import custom, views
from analytics.serving.formats import fmt_int, year_runs
from analytics.serving.library import UNWRITABLE, LibraryError, get_library, save_definition
from analytics.serving.store import DATASETS, base_of, get_store
from components import choropleth as ch
from components import ids as shell_ids
from components.routes import BUILD, CATEGORY, COMPARE, CUSTOM, MAP, REGION
from components.tables import records
from components.url_state import register_writer
from pages.build import ids
from pages.build import layout as bl

log = logging.getLogger(__name__)


def category_spec(name, categories, industries, dataset) -> str:
    parts = []
    if categories:
        parts.append("cat:" + "+".join(categories))
    if industries:
        parts.append(("nace:" if base_of(dataset) == "eu" else "naics:") + ",".join(industries))
    return f"{(name or '').strip()}=" + ";".join(parts)


def region_spec(name, members) -> str:
    return f"{(name or '').strip()}=" + "+".join(members or [])


# ---------------------------------------------------------------------------- dataset change


@callback(
    output={"cat_options": Output(ids.CAT_CATEGORIES, "options"), "cats": Output(ids.CAT_CATEGORIES, "value"),
            "ind_options": Output(ids.CAT_INDUSTRIES, "options"), "inds": Output(ids.CAT_INDUSTRIES, "value"),
            "level_options": Output(ids.REG_LEVEL, "options"), "level": Output(ids.REG_LEVEL, "value"),
            "member_options": Output(ids.REG_MEMBERS, "options"), "members": Output(ids.REG_MEMBERS, "value")},
    inputs={"dataset": Input(ids.DATASET, "value")},
    prevent_initial_call=True,
)
def change_dataset(dataset):
    """Members belong to one dataset: a new dataset starts both builders' member lists afresh."""
    return {"cat_options": bl.category_options(dataset), "cats": [], "ind_options": bl.industry_options(dataset),
            "inds": [], "level_options": bl.region_levels(dataset), "level": bl.default_region_level(dataset),
            "member_options": bl.region_options(dataset), "members": []}


# ---------------------------------------------------------------------------- category builder


def category_preview(dataset, name, categories, industries) -> dict:
    """spec (shown), problem (or None), valid (spec or None), total (text), rows (members)."""
    categories, industries = list(categories or []), list(industries or [])
    spec = category_spec(name, categories, industries, dataset)
    if not (name or "").strip() and not categories and not industries:
        return {"spec": spec, "problem": None, "valid": None, "total": "Give the category a name and pick its members.",
                "rows": []}
    try:
        cc = views.parse_category(dataset, spec)
    except custom.ValidationError as exc:
        return {"spec": spec, "problem": str(exc), "valid": None, "total": "", "rows": []}
    mem, year = views.category_members(dataset, cc.spec())
    total = mem["employment"].sum(min_count=1)
    text = [html.Strong(f"{len(mem):,} member industr{'y' if len(mem) == 1 else 'ies'}"),
            f" · employment in {DATASETS[dataset]['benchmark_area']}, {year}: ",
            html.Strong(fmt_int(total), id=ids.CAT_TOTAL_VALUE), f" {DATASETS[dataset]['employment_unit']}"]
    return {"spec": cc.spec(), "problem": None, "valid": cc.spec(), "total": text,
            "rows": records(mem[["industry", "industry_name", "via", "employment"]])}


@callback(
    output={"spec": Output(ids.CAT_SPEC, "children"), "problem": Output(ids.CAT_FEEDBACK, "children"),
            "show_problem": Output(ids.CAT_FEEDBACK, "is_open"), "name_invalid": Output(ids.CAT_NAME, "invalid"),
            "valid": Output(ids.CAT_VALID, "data"), "total": Output(ids.CAT_TOTAL, "children"),
            "rows": Output(ids.CAT_MEMBERS, "rowData"),
            "map_href": Output(ids.CAT_MAP_LINK, "href"), "map_disabled": Output(ids.CAT_MAP_LINK, "disabled"),
            "profile_href": Output(ids.CAT_PROFILE_LINK, "href"),
            "profile_disabled": Output(ids.CAT_PROFILE_LINK, "disabled"), "save_disabled": Output(ids.CAT_SAVE, "disabled")},
    inputs={"dataset": Input(ids.DATASET, "value"), "name": Input(ids.CAT_NAME, "value"),
            "categories": Input(ids.CAT_CATEGORIES, "value"), "industries": Input(ids.CAT_INDUSTRIES, "value")},
)
def update_category(dataset, name, categories, industries):
    p = category_preview(dataset, name, categories, industries)
    valid = p["valid"]
    return {"spec": p["spec"], "problem": p["problem"], "show_problem": bool(p["problem"]),
            "name_invalid": bool(p["problem"]) and "name" in p["problem"].lower(), "valid": valid,
            "total": p["total"], "rows": p["rows"],
            "map_href": MAP.href(dataset=dataset, category=CUSTOM, metric="lq", ccat=valid) if valid else "#",
            "map_disabled": not valid,
            "profile_href": CATEGORY.href(dataset=dataset, category_id=CUSTOM, ccat=valid) if valid else "#",
            "profile_disabled": not valid, "save_disabled": not valid}


# ---------------------------------------------------------------------------- region builder


def region_preview(dataset, name, members) -> dict:
    """spec, problem (or None), valid (spec or None), summary."""
    members = list(members or [])
    spec = region_spec(name, members)
    if not (name or "").strip() and not members:
        return {"spec": spec, "problem": None, "valid": None, "summary": "Give the region a name and pick its members."}
    try:
        cr = views.parse_region(dataset, spec)
    except custom.ValidationError as exc:
        return {"spec": spec, "problem": str(exc), "valid": None, "summary": ""}
    years = list(views.region_years(dataset, cr.spec()))
    if not years:
        return {"spec": cr.spec(), "problem": None, "valid": cr.spec(),
                "summary": f"{len(cr.members)} members; no year in which every member has data."}
    level = views.member_level(dataset, cr.spec())
    row = views.region_row(dataset, level, years[-1], cr.region_id, creg=cr.spec()) or {}
    summary = [html.Strong(f"{len(cr.members)} member region{'s' if len(cr.members) != 1 else ''}"),
               f" ({', '.join(cr.members)}) · complete data in {year_runs(years)} · total employment {years[-1]}: ",
               html.Strong(fmt_int(row.get("total_employment")), id=ids.REG_TOTAL_VALUE)]
    return {"spec": cr.spec(), "problem": None, "valid": cr.spec(), "summary": summary}


@callback(
    output={"spec": Output(ids.REG_SPEC, "children"), "problem": Output(ids.REG_FEEDBACK, "children"),
            "show_problem": Output(ids.REG_FEEDBACK, "is_open"), "name_invalid": Output(ids.REG_NAME, "invalid"),
            "valid": Output(ids.REG_VALID, "data"), "summary": Output(ids.REG_SUMMARY, "children"),
            "profile_href": Output(ids.REG_PROFILE_LINK, "href"),
            "profile_disabled": Output(ids.REG_PROFILE_LINK, "disabled"),
            "compare_href": Output(ids.REG_COMPARE_LINK, "href"),
            "compare_disabled": Output(ids.REG_COMPARE_LINK, "disabled"),
            "map_href": Output(ids.REG_MAP_LINK, "href"), "map_disabled": Output(ids.REG_MAP_LINK, "disabled"),
            "save_disabled": Output(ids.REG_SAVE, "disabled")},
    inputs={"dataset": Input(ids.DATASET, "value"), "name": Input(ids.REG_NAME, "value"),
            "members": Input(ids.REG_MEMBERS, "value")},
)
def update_region(dataset, name, members):
    p = region_preview(dataset, name, members)
    valid = p["valid"]
    level = views.member_level(dataset, valid) if valid else None
    map_level = level if level in get_store(dataset).map_levels else None
    return {"spec": p["spec"], "problem": p["problem"], "show_problem": bool(p["problem"]),
            "name_invalid": bool(p["problem"]) and "name" in p["problem"].lower(), "valid": valid,
            "summary": p["summary"],
            "profile_href": REGION.href(dataset=dataset, region_id=CUSTOM, creg=valid) if valid else "#",
            "profile_disabled": not valid,
            "compare_href": COMPARE.href(dataset=dataset, creg=valid) if valid else "#", "compare_disabled": not valid,
            "map_href": MAP.href(dataset=dataset, level=map_level, creg=valid) if valid and map_level else "#",
            "map_disabled": not (valid and map_level), "save_disabled": not valid}


def covered(dataset: str, level: str, members: list[str]) -> dict[str, float]:
    """Map regions of ``level``: 1 = a member, 0.5 = inside a member of another level."""
    store = get_store(dataset)
    map_ids = store.map_regions(level)[0]
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
            if rid in units or (base_of(dataset) == "eu" and any(rid.startswith(m) or m.startswith(rid) for m in others)):
                out[rid] = 0.5
            elif base_of(dataset) == "us" and level == "state" and any(u.startswith(rid) for u in units):
                out[rid] = 0.5
    return out


def _z(dataset, level, members):
    cov = covered(dataset, level, members)
    return [cov.get(r, 0.0) for r in get_store(dataset).map_regions(level)[0]]


@callback(
    Output(ids.REG_MAP, "figure"),
    inputs={"dataset": Input(ids.DATASET, "value"), "level": Input(ids.REG_LEVEL, "value"),
            "members": Input(ids.REG_MEMBERS, "value"), "figure": State(ids.REG_MAP, "figure")},
)
def update_region_map(dataset, level, members, figure):
    if level not in get_store(dataset).map_levels:
        level = bl.default_region_level(dataset)
    shown = ((figure or {}).get("layout") or {}).get("uirevision")
    if ctx.triggered_id == ids.REG_MEMBERS and shown == f"{dataset}/{level}":
        p = Patch()
        p["data"][0]["z"] = _z(dataset, level, members)
        return p
    return ch.picker_figure(dataset, level, _z(dataset, level, members), bl.MAP_HEIGHT)


@callback(
    Output(ids.REG_MEMBERS, "value", allow_duplicate=True),
    inputs={"click": Input(ids.REG_MAP, "clickData"), "members": State(ids.REG_MEMBERS, "value")},
    prevent_initial_call=True,
)
def toggle_region(click, members):
    """A click on the map adds the region, or removes it if it is a member."""
    if not click or not click.get("points"):
        return no_update
    rid = click["points"][0].get("location")
    members = list(members or [])
    return [m for m in members if m != rid] if rid in members else members + [rid]


@callback(
    Output(ids.URL, "data"),
    inputs={"dataset": Input(ids.DATASET, "value"), "ccat": Input(ids.CAT_VALID, "data"),
            "creg": Input(ids.REG_VALID, "data")},
    prevent_initial_call=True,
)
def address(dataset, ccat, creg):
    return BUILD.query({"dataset": dataset, "ccat": ccat, "creg": creg})


# ---------------------------------------------------------------------------- library


MAX_TOKENS = 500  # definitions one browser can own (older keys beyond this are dropped)


def owner_tokens(data) -> dict[str, str]:
    """This browser's {definition id: owner token}, from localStorage; anything malformed is ignored."""
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in list(data.items())[-MAX_TOKENS:]
            if isinstance(k, str) and k.isdigit() and len(k) < 12 and isinstance(v, str) and 0 < len(v) <= 64}


def library_rows(defs, tokens) -> html.Div:
    if not defs:
        return html.P("Nothing saved yet.", className="small text-muted mb-0")
    head = html.Thead(html.Tr([html.Th("Kind"), html.Th("Dataset"), html.Th("Name"), html.Th("Saved here")]))
    body = html.Tbody([html.Tr([html.Td(d.kind), html.Td(d.dataset), html.Td(d.name, className="lib-name"),
                                html.Td("yes" if d.owned_by(tokens.get(str(d.id))) else "")])
                       for d in defs])
    return html.Table([head, body], className="table table-sm small mb-0")


def option_label(d, tokens) -> str:
    mine = " · saved here" if d.owned_by(tokens.get(str(d.id))) else ""
    return f"{d.name} · {d.kind} · {d.dataset}{mine}"


@callback(
    output={"table": Output(ids.LIB_TABLE, "children"), "options": Output(ids.LIB_SELECT, "options")},
    inputs={"version": Input(ids.LIB_VERSION, "data"), "tokens": Input(ids.LIB_TOKENS, "data")},
)
def list_library(version, tokens):
    tokens = owner_tokens(tokens)
    try:
        defs = get_library().list()
    except Exception:  # noqa: BLE001  (an unreachable database: say so, keep the page, no driver details)
        return {"table": html.P("The library cannot be read just now; saved definitions are not shown.",
                                className="small text-danger"), "options": []}
    return {"table": library_rows(defs, tokens),
            "options": [{"label": option_label(d, tokens), "value": d.id} for d in defs]}


def _def_id(selected) -> int | None:
    if isinstance(selected, bool) or not isinstance(selected, (int, str)):
        return None
    text = str(selected)
    return int(text) if text.isdigit() and len(text) < 12 else None


def library_action(trigger, dataset, cat_spec, reg_spec, selected, new_name, tokens) -> tuple[str, str, dict]:
    """(message, colour, this browser's tokens afterwards) of one library write; the library is
    unchanged on failure."""
    try:
        if trigger in (ids.CAT_SAVE, ids.REG_SAVE):
            kind, spec = ("category", cat_spec) if trigger == ids.CAT_SAVE else ("region", reg_spec)
            if not spec:
                return f"Nothing to save: the {kind} is not valid yet.", "danger", tokens
            d = save_definition(kind, dataset, spec)
            return f"Saved the {kind} “{d.name}”.", "success", {**tokens, str(d.id): d.token}
        def_id = _def_id(selected)
        if def_id is None:
            return "Pick a saved definition first.", "danger", tokens
        lib = get_library()
        token = tokens.get(str(def_id))
        if trigger == ids.LIB_RENAME:
            old = lib.get(def_id).name
            d = lib.rename(def_id, new_name if isinstance(new_name, str) else "", token)
            return f"Renamed “{old}” to “{d.name}”.", "success", tokens
        if trigger == ids.LIB_CONFIRM:
            old = lib.get(def_id).name
            lib.delete(def_id, token)
            return f"Deleted “{old}”.", "success", {k: v for k, v in tokens.items() if k != str(def_id)}
    except (LibraryError, custom.ValidationError) as exc:
        return str(exc), "danger", tokens
    except Exception:  # noqa: BLE001  (the database is unreachable: no driver details, nothing changed)
        log.warning("library write failed", exc_info=True)
        return UNWRITABLE, "danger", tokens
    return "", "info", tokens


@callback(
    output={"message": Output(ids.LIB_MESSAGE, "children"), "color": Output(ids.LIB_MESSAGE, "color"),
            "open": Output(ids.LIB_MESSAGE, "is_open"), "version": Output(ids.LIB_VERSION, "data"),
            "tokens": Output(ids.LIB_TOKENS, "data")},
    inputs={"save_cat": Input(ids.CAT_SAVE, "n_clicks"), "save_reg": Input(ids.REG_SAVE, "n_clicks"),
            "rename": Input(ids.LIB_RENAME, "n_clicks"), "delete": Input(ids.LIB_CONFIRM, "submit_n_clicks"),
            "dataset": State(ids.DATASET, "value"), "cat_spec": State(ids.CAT_VALID, "data"),
            "reg_spec": State(ids.REG_VALID, "data"), "selected": State(ids.LIB_SELECT, "value"),
            "new_name": State(ids.LIB_NEW_NAME, "value"), "version": State(ids.LIB_VERSION, "data"),
            "tokens": State(ids.LIB_TOKENS, "data")},
    prevent_initial_call=True,
)
def write_library(save_cat, save_reg, rename, delete, dataset, cat_spec, reg_spec, selected, new_name, version,
                  tokens):
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return {"message": no_update, "color": no_update, "open": no_update, "version": no_update,
                "tokens": no_update}
    before = owner_tokens(tokens)
    message, colour, after = library_action(ctx.triggered_id, dataset, cat_spec, reg_spec, selected, new_name,
                                            before)
    version = version if isinstance(version, int) and not isinstance(version, bool) and 0 <= version < 2**31 else 0
    return {"message": message, "color": colour, "open": bool(message), "version": version + 1,
            "tokens": after if after != before else no_update}


@callback(
    Output(ids.LIB_CONFIRM, "displayed"),
    inputs={"n_clicks": Input(ids.LIB_DELETE, "n_clicks"), "selected": State(ids.LIB_SELECT, "value")},
    prevent_initial_call=True,
)
def confirm_delete(n_clicks, selected):
    return bool(n_clicks) and selected is not None


def load_href(def_id) -> str:
    checked = _def_id(def_id)
    if checked is None:
        raise LibraryError("Pick a saved definition first.")
    d = get_library().get(checked)
    return BUILD.href(dataset=d.dataset, **({"ccat": d.spec} if d.kind == "category" else {"creg": d.spec}))


@callback(
    output={"href": Output(shell_ids.URL, "href", allow_duplicate=True),
            "message": Output(ids.LIB_MESSAGE, "children", allow_duplicate=True),
            "open": Output(ids.LIB_MESSAGE, "is_open", allow_duplicate=True)},
    inputs={"n_clicks": Input(ids.LIB_LOAD, "n_clicks"), "selected": State(ids.LIB_SELECT, "value")},
    prevent_initial_call=True,
)
def load_definition(n_clicks, selected):
    if not n_clicks:
        return {"href": no_update, "message": no_update, "open": no_update}
    if selected is None:
        return {"href": no_update, "message": "Pick a saved definition first.", "open": True}
    try:
        return {"href": load_href(selected), "message": no_update, "open": no_update}
    except (LibraryError, ValueError) as exc:
        return {"href": no_update, "message": str(exc), "open": True}
    except Exception:  # noqa: BLE001  (the database is unreachable)
        return {"href": no_update, "message": "The library cannot be read just now; try again in a minute.",
                "open": True}


register_writer(ids.PREFIX)
