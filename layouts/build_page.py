"""Builder `/build?dataset=&ccat=<spec>&creg=<spec>`: custom categories and regions, and the library.

The layout restores the builders from the query (a malformed spec gets a visible message and
an empty builder); ``callbacks/build_callbacks.py`` validates every change with the engine
(``analytics.serving.custom``), shows the live preview and the links, writes the valid specs back
into the address, and runs the library (``analytics.serving.library``). Names are plain Dash text
everywhere (escaped by React), never HTML.
"""
from __future__ import annotations

from functools import lru_cache

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from analytics.serving import custom
from analytics.serving.store import DATASETS, get_store
from callbacks.custom_views import try_category, try_region
from layouts import ids
from layouts import map_state as ms
from layouts.common import datatable_style, labelled_control

MAP_HEIGHT = 380


@lru_cache(maxsize=4)
def category_options(dataset: str) -> list[dict]:
    cats = get_store(dataset).categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    return [{"label": f"{r.category_name}" + (" (local)" if r.category_type == "local" else ""),
             "value": r.category_id} for r in cats.itertuples()]


@lru_cache(maxsize=4)
def industry_options(dataset: str) -> tuple[dict, ...]:
    """EU: NACE divisions (value "13"); US: 6-digit NAICS 2017 codes with their labels."""
    ind = get_store(dataset).industries
    if dataset == "eu":
        rows = ind.drop_duplicates("industry").sort_values("industry")
        return tuple({"label": f"{r.industry} · {r.industry_name}", "value": r.industry[1:]}
                     for r in rows.itertuples())
    rows = ind[ind["vintage"].astype(str) == "2017"].drop_duplicates("naics").sort_values("naics")
    return tuple({"label": f"{r.naics} · {r.industry_name}", "value": str(r.naics)} for r in rows.itertuples())


def industry_options_with(dataset: str, values) -> list[dict]:
    """The industry options plus any code of ``values`` not among them (e.g. a NAICS prefix from a link)."""
    opts = list(industry_options(dataset))
    known = {o["value"] for o in opts}
    opts += [{"label": f"{v} (code as given)", "value": v} for v in values or [] if v not in known]
    return opts


@lru_cache(maxsize=4)
def region_options(dataset: str) -> tuple[dict, ...]:
    """Every region of every level: "Name (code) · level"."""
    store = get_store(dataset)
    regs = store.regions.drop_duplicates("region_id")
    order = {lv: i for i, lv in enumerate(store.levels)}
    regs = regs.assign(o=regs["level"].map(order)).sort_values(["o", "region_id"])
    labels = DATASETS[dataset]["levels"]
    return tuple({"label": f"{r.name} ({r.region_id}) · {labels.get(r.level, r.level)}", "value": r.region_id}
                 for r in regs.itertuples())


def region_levels(dataset: str) -> list[dict]:
    return ms.level_options(dataset)


def default_region_level(dataset: str) -> str:
    levels = ms.map_levels(dataset)
    if dataset == "us" and "state" in levels:
        return "state"  # counties are 3,000+ shapes: a heavy map for a picker
    default = DATASETS[dataset].get("default_level")
    return default if default in levels else levels[0]


def _feedback(id_: str) -> dbc.Alert:
    return dbc.Alert(id=id_, color="danger", is_open=False, className="py-2 small mb-2")


def _button_link(label: str, id_: str, color: str = "primary") -> dbc.Button:
    return dbc.Button(label, id=id_, href="#", color=color, outline=True, size="sm", disabled=True,
                      className="me-2 mb-1", external_link=False)


def category_builder(dataset: str, cc: custom.CustomCategory | None) -> dbc.Card:
    cats = list(cc.categories) if cc else []
    inds = list(cc.industries) if cc else []
    system = "NACE divisions" if dataset == "eu" else "NAICS 2017 industries (6-digit)"
    return dbc.Card([
        dbc.CardHeader(html.H2("Category builder", className="h5 mb-0")),
        dbc.CardBody([
            dbc.Row([
                labelled_control("Name", dbc.Input(id=ids.BUILD_CAT_NAME, value=cc.name if cc else "",
                                                   placeholder="e.g. Fashion", maxLength=custom.MAX_NAME + 20,
                                                   debounce=True, type="text"), ids.BUILD_CAT_NAME, md=12),
                labelled_control("Existing categories", dcc.Dropdown(
                    id=ids.BUILD_CAT_CATEGORIES, options=category_options(dataset), value=cats, multi=True,
                    placeholder="Add whole categories…"), ids.BUILD_CAT_CATEGORIES, md=12),
                labelled_control(f"Industries ({system})", dcc.Dropdown(
                    id=ids.BUILD_CAT_INDUSTRIES, options=industry_options_with(dataset, inds), value=inds,
                    multi=True, searchable=True, placeholder="Type a code or a word…"),
                    ids.BUILD_CAT_INDUSTRIES, md=12),
            ], className="g-2"),
            _feedback(ids.BUILD_CAT_FEEDBACK),
            html.Div([html.Span("Definition: ", className="fw-semibold small"),
                      html.Code(id=ids.BUILD_CAT_SPEC, className="small")], className="mb-1"),
            html.Div(id=ids.BUILD_CAT_TOTAL, className="mb-2", role="status"),
            dash_table.DataTable(id=ids.BUILD_CAT_MEMBERS, data=[], columns=[
                {"id": "industry", "name": "Code"}, {"id": "industry_name", "name": "Industry"},
                {"id": "via", "name": "Added as"},
                {"id": "employment", "name": "Employment", "type": "numeric",
                 "format": {"specifier": ",.0f", "nully": "–"}},
            ], page_action="native", page_size=8, **datatable_style()),
            html.Div([
                _button_link("Show on map", ids.BUILD_CAT_MAP_LINK),
                _button_link("Open category profile", ids.BUILD_CAT_PROFILE_LINK),
                dbc.Button("Save to library", id=ids.BUILD_CAT_SAVE, color="success", size="sm", disabled=True,
                           className="mb-1"),
            ], className="mt-2"),
        ]),
    ], className="mb-3")


def region_builder(dataset: str, cr: custom.CustomRegion | None) -> dbc.Card:
    members = list(cr.members) if cr else []
    return dbc.Card([
        dbc.CardHeader(html.H2("Region builder", className="h5 mb-0")),
        dbc.CardBody([
            dbc.Row([
                labelled_control("Name", dbc.Input(id=ids.BUILD_REG_NAME, value=cr.name if cr else "",
                                                   placeholder="e.g. Øresund", maxLength=custom.MAX_NAME + 20,
                                                   debounce=True, type="text"), ids.BUILD_REG_NAME, md=8),
                labelled_control("Map level", dbc.Select(id=ids.BUILD_REG_LEVEL, options=region_levels(dataset),
                                                         value=default_region_level(dataset), size="sm"),
                                 ids.BUILD_REG_LEVEL, md=4),
                labelled_control("Member regions (any level, no overlaps)", dcc.Dropdown(
                    id=ids.BUILD_REG_MEMBERS, options=list(region_options(dataset)), value=members, multi=True,
                    searchable=True, placeholder="Type a name or a code…"), ids.BUILD_REG_MEMBERS, md=12),
            ], className="g-2"),
            _feedback(ids.BUILD_REG_FEEDBACK),
            html.Small("Click a region on the map to add or remove it (dark = member, light = covered by a member "
                       "of another level).", className="text-muted d-block"),
            dcc.Graph(id=ids.BUILD_REG_MAP, style={"height": f"{MAP_HEIGHT}px"},
                      config={"displaylogo": False, "responsive": True, "scrollZoom": True}),
            html.Div([html.Span("Definition: ", className="fw-semibold small"),
                      html.Code(id=ids.BUILD_REG_SPEC, className="small")], className="mb-1"),
            html.Div(id=ids.BUILD_REG_SUMMARY, className="mb-2", role="status"),
            html.Div([
                _button_link("Open region profile", ids.BUILD_REG_PROFILE_LINK),
                _button_link("Compare with peers", ids.BUILD_REG_COMPARE_LINK),
                dbc.Button("Save to library", id=ids.BUILD_REG_SAVE, color="success", size="sm", disabled=True,
                           className="mb-1"),
            ]),
        ]),
    ], className="mb-3")


def library_panel() -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(html.H2("Library", className="h5 mb-0")),
        dbc.CardBody([
            dbc.Alert(id=ids.BUILD_LIB_MESSAGE, is_open=False, className="py-2 small"),
            html.Div(id=ids.BUILD_LIB_TABLE, className="mb-2"),
            dbc.Row([
                labelled_control("Saved definition", dcc.Dropdown(id=ids.BUILD_LIB_SELECT, options=[],
                                                                  placeholder="Pick one…"), ids.BUILD_LIB_SELECT,
                                 md=12),
                labelled_control("New name", dbc.Input(id=ids.BUILD_LIB_NEW_NAME, type="text", value="",
                                                       maxLength=custom.MAX_NAME + 20), ids.BUILD_LIB_NEW_NAME,
                                 md=12),
            ], className="g-2"),
            html.Div([
                dbc.Button("Load", id=ids.BUILD_LIB_LOAD, color="primary", size="sm", className="me-2"),
                dbc.Button("Rename", id=ids.BUILD_LIB_RENAME, color="secondary", size="sm", className="me-2"),
                dbc.Button("Delete", id=ids.BUILD_LIB_DELETE, color="danger", outline=True, size="sm"),
            ]),
            dcc.ConfirmDialog(id=ids.BUILD_LIB_CONFIRM, message="Delete this saved definition? This cannot be undone."),
            dcc.Store(id=ids.BUILD_LIB_VERSION, data=0),
        ]),
    ], className="mb-3")


def layout(dataset=None, ccat=None, creg=None, **_other):
    notes: list[str] = []
    datasets = ms.available_datasets()
    if isinstance(dataset, (list, tuple)):
        dataset = dataset[-1] if dataset else None
    if dataset not in datasets:
        if dataset:
            notes.append(f"Unknown dataset “{dataset}”: showing {DATASETS[datasets[0]]['label']}.")
        dataset = datasets[0]
    cc, problem = try_category(dataset, ccat)
    if problem:
        notes.append(problem + " The category builder starts empty.")
    cr, problem = try_region(dataset, creg)
    if problem:
        notes.append(problem + " The region builder starts empty.")
    if _other:
        notes.append("Unknown setting(s) ignored: " + ", ".join(f"{k}={v}" for k, v in _other.items()) + ".")
    return html.Div([
        dcc.Store(id=ids.BUILD_CAT_VALID, data=cc.spec() if cc else None),
        dcc.Store(id=ids.BUILD_REG_VALID, data=cr.spec() if cr else None),
        dcc.Store(id=ids.BUILD_URL_SYNC),
        html.H1("Build your own", className="h3 mb-1"),
        html.P("Define a cluster category from industries and existing categories, or a region from several "
               "regions; see it on the map and in the profiles, and keep it in the library. The address of this "
               "page holds the definitions, so a copied link reproduces them.", className="text-muted"),
        dbc.Alert([html.Strong("The link could not be used as it is: "), " ".join(notes)], id=ids.BUILD_MESSAGE,
                  color="warning", is_open=bool(notes), dismissable=True, className="py-2"),
        dbc.Row(labelled_control("Dataset", dbc.Select(id=ids.BUILD_DATASET, options=ms.dataset_options(),
                                                       value=dataset, size="sm"), ids.BUILD_DATASET, md=3)),
        dbc.Row([
            dbc.Col(category_builder(dataset, cc), lg=5),
            dbc.Col(region_builder(dataset, cr), lg=4),
            dbc.Col(library_panel(), lg=3),
        ]),
    ], className="build-page")
