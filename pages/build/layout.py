"""Builder `/build?dataset=&ccat=<spec>&creg=<spec>`: custom categories and regions, and the library.

The layout restores the builders from the address (``components.routes.BUILD``; a malformed spec
gets a visible message and an empty builder); ``callbacks.py`` validates every change with the
engine (``analytics.serving.custom``), shows the live preview and the links, writes the valid
specs back into the address and runs the library. Names are plain Dash text everywhere
(escaped by React), never HTML.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.serving import custom, views
from analytics.serving.store import DATASETS, available_datasets, base_of, get_store
from components.controls import labelled_control
from components.figures import export_name, graph_config
from components.routes import BUILD, UPLOAD
from components.tables import col, grid
from components.url_state import url_store
from pages.build import ids

MAP_HEIGHT = 380


def category_options(dataset: str) -> list[dict]:
    cats = get_store(dataset).categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    return [{"label": f"{r.category_name}" + (" (local)" if r.category_type == "local" else ""),
             "value": r.category_id} for r in cats.itertuples()]


def industry_options(dataset: str, values=()) -> list[dict]:
    """EU: NACE divisions (value "13"); US: 6-digit NAICS 2017 codes; plus any code of ``values``
    not among them (e.g. a NAICS prefix from a link)."""
    ind = get_store(dataset).industries
    if base_of(dataset) == "eu":
        rows = ind.drop_duplicates("industry").sort_values("industry")
        opts = [{"label": f"{r.industry} · {r.industry_name}", "value": r.industry[1:]} for r in rows.itertuples()]
    else:
        rows = ind[ind["vintage"].astype(str) == "2017"].drop_duplicates("naics").sort_values("naics")
        opts = [{"label": f"{r.naics} · {r.industry_name}", "value": str(r.naics)} for r in rows.itertuples()]
    known = {o["value"] for o in opts}
    return opts + [{"label": f"{v} (code as given)", "value": v} for v in values or [] if v not in known]


def region_options(dataset: str) -> list[dict]:
    """Every region of every level: "Name (code) · level"."""
    store = get_store(dataset)
    regs = store.regions.drop_duplicates("region_id")
    order = {lv: i for i, lv in enumerate(store.levels)}
    regs = regs.assign(o=regs["level"].map(order)).sort_values(["o", "region_id"])
    labels = DATASETS[dataset]["levels"]
    return [{"label": f"{r.name} ({r.region_id}) · {labels.get(r.level, r.level)}", "value": r.region_id}
            for r in regs.itertuples()]


def region_levels(dataset: str) -> list[dict]:
    labels = DATASETS[dataset]["levels"]
    return [{"label": labels.get(lv, lv), "value": lv} for lv in get_store(dataset).map_levels]


def default_region_level(dataset: str) -> str:
    levels = get_store(dataset).map_levels
    if base_of(dataset) == "us" and "state" in levels:
        return "state"  # counties are 3,000+ shapes: a heavy map for a picker
    default = DATASETS[dataset].get("default_level")
    return default if default in levels else levels[0]


def _feedback(id_: str) -> dbc.Alert:
    return dbc.Alert(id=id_, color="danger", is_open=False, className="py-2 small mb-2")


def _button_link(label: str, id_: str, color: str = "primary") -> dbc.Button:
    return dbc.Button(label, id=id_, href="#", color=color, outline=True, size="sm", disabled=True,
                      className="me-2 mb-1", external_link=False)


MEMBER_COLUMNS = [col("industry", "Code", width=80), col("industry_name", "Industry", width=200),
                  col("via", "Added as", width=90), col("employment", "Employment", "int")]


def category_builder(dataset: str, cc: custom.CustomCategory | None) -> dbc.Card:
    cats = list(cc.categories) if cc else []
    inds = list(cc.industries) if cc else []
    system = "NACE divisions" if base_of(dataset) == "eu" else "NAICS 2017 industries (6-digit)"
    return dbc.Card([
        dbc.CardHeader(html.H2("Category builder", className="h5 mb-0")),
        dbc.CardBody([
            dbc.Row([
                labelled_control("Name", dbc.Input(id=ids.CAT_NAME, value=cc.name if cc else "",
                                                   placeholder="e.g. Fashion", maxLength=custom.MAX_NAME + 20,
                                                   debounce=True, type="text"), ids.CAT_NAME, md=12),
                labelled_control("Existing categories", dcc.Dropdown(
                    id=ids.CAT_CATEGORIES, options=category_options(dataset), value=cats, multi=True,
                    placeholder="Add whole categories…"), ids.CAT_CATEGORIES, md=12),
                labelled_control(f"Industries ({system})", dcc.Dropdown(
                    id=ids.CAT_INDUSTRIES, options=industry_options(dataset, inds), value=inds,
                    multi=True, searchable=True, placeholder="Type a code or a word…"), ids.CAT_INDUSTRIES, md=12),
            ], className="g-2"),
            _feedback(ids.CAT_FEEDBACK),
            html.Div([html.Span("Definition: ", className="fw-semibold small"),
                      html.Code(id=ids.CAT_SPEC, className="small")], className="mb-1"),
            html.Div(id=ids.CAT_TOTAL, className="mb-2", role="status"),
            grid(ids.CAT_MEMBERS, [], MEMBER_COLUMNS, page_size=8),
            html.Div([
                _button_link("Show on map", ids.CAT_MAP_LINK),
                _button_link("Open category profile", ids.CAT_PROFILE_LINK),
                dbc.Button("Save to library", id=ids.CAT_SAVE, color="success", size="sm", disabled=True,
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
                labelled_control("Name", dbc.Input(id=ids.REG_NAME, value=cr.name if cr else "",
                                                   placeholder="e.g. Øresund", maxLength=custom.MAX_NAME + 20,
                                                   debounce=True, type="text"), ids.REG_NAME, md=8),
                labelled_control("Map level", dbc.Select(id=ids.REG_LEVEL, options=region_levels(dataset),
                                                         value=default_region_level(dataset), size="sm"),
                                 ids.REG_LEVEL, md=4),
                labelled_control("Member regions (any level, no overlaps)", dcc.Dropdown(
                    id=ids.REG_MEMBERS, options=region_options(dataset), value=members, multi=True,
                    searchable=True, placeholder="Type a name or a code…"), ids.REG_MEMBERS, md=12),
            ], className="g-2"),
            _feedback(ids.REG_FEEDBACK),
            html.Small("Click a region on the map to add or remove it (dark = member, light = covered by a member "
                       "of another level).", className="text-muted d-block"),
            dcc.Graph(id=ids.REG_MAP, style={"height": f"{MAP_HEIGHT}px"},
                      config={**graph_config(export_name("build_region", dataset)), "scrollZoom": True}),
            html.Div([html.Span("Definition: ", className="fw-semibold small"),
                      html.Code(id=ids.REG_SPEC, className="small")], className="mb-1"),
            html.Div(id=ids.REG_SUMMARY, className="mb-2", role="status"),
            html.Div([
                _button_link("Open region profile", ids.REG_PROFILE_LINK),
                _button_link("Compare with peers", ids.REG_COMPARE_LINK),
                _button_link("Show on map", ids.REG_MAP_LINK),
                dbc.Button("Save to library", id=ids.REG_SAVE, color="success", size="sm", disabled=True,
                           className="mb-1"),
            ]),
        ]),
    ], className="mb-3")


def library_panel() -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(html.H2("Library", className="h5 mb-0")),
        dbc.CardBody([
            dbc.Alert(id=ids.LIB_MESSAGE, is_open=False, className="py-2 small"),
            html.Div(id=ids.LIB_TABLE, className="mb-2"),
            dbc.Row([
                labelled_control("Saved definition", dcc.Dropdown(id=ids.LIB_SELECT, options=[],
                                                                  placeholder="Pick one…"), ids.LIB_SELECT, md=12),
                labelled_control("New name", dbc.Input(id=ids.LIB_NEW_NAME, type="text", value="",
                                                       maxLength=custom.MAX_NAME + 20), ids.LIB_NEW_NAME, md=12),
            ], className="g-2"),
            html.Div([
                dbc.Button("Load", id=ids.LIB_LOAD, color="primary", size="sm", className="me-2"),
                dbc.Button("Rename", id=ids.LIB_RENAME, color="secondary", size="sm", className="me-2"),
                dbc.Button("Delete", id=ids.LIB_DELETE, color="danger", outline=True, size="sm"),
            ]),
            dcc.ConfirmDialog(id=ids.LIB_CONFIRM, message="Delete this saved definition? This cannot be undone."),
            html.P("Anyone can load a saved definition; only the browser that saved one can rename or delete it "
                   "(it keeps a private key for it).", className="small text-muted mt-2 mb-0"),
            dcc.Store(id=ids.LIB_VERSION, data=0),
            dcc.Store(id=ids.LIB_TOKENS, storage_type="local"),
        ]),
    ], className="mb-3")


def layout(**kwargs):
    query, _path = BUILD.split(kwargs)
    state, notes = BUILD.parse(query)
    dataset = state["dataset"]
    cc = views.parse_category(dataset, state["ccat"]) if state["ccat"] else None
    cr = views.parse_region(dataset, state["creg"]) if state["creg"] else None
    notes = [n + (" The category builder starts empty." if n.startswith("ccat=") else
                  " The region builder starts empty." if n.startswith("creg=") else "") for n in notes]
    return html.Div([
        dcc.Store(id=ids.CAT_VALID, data=state["ccat"]),
        dcc.Store(id=ids.REG_VALID, data=state["creg"]),
        *url_store(ids.PREFIX, BUILD, state),
        html.H1("Build your own", className="h3 mb-1"),
        html.P("Define a cluster category from industries and existing categories, or a region from several "
               "regions; see it on the map and in the profiles, and keep it in the library. The address of this "
               "page holds the definitions, so a copied link reproduces them.", className="text-muted mb-1"),
        html.P(["Have your own employment data? ", html.A("Analyse your own data", href=UPLOAD.href(),
                                                          id="build-upload-link"), "."], className="small"),
        dbc.Alert([html.Strong("The link could not be used as it is: "), " ".join(notes)], id=ids.MESSAGE,
                  color="warning", is_open=bool(notes), dismissable=True, className="py-2"),
        dbc.Row(labelled_control("Dataset", dbc.Select(
            id=ids.DATASET, options=[{"label": DATASETS[k]["label"], "value": k} for k in available_datasets()],
            value=dataset, size="sm"), ids.DATASET, md=3)),
        dbc.Row([
            dbc.Col(category_builder(dataset, cc), lg=5),
            dbc.Col(region_builder(dataset, cr), lg=4),
            dbc.Col(library_panel(), lg=3),
        ]),
    ], className="build-page")
