"""What every page shows of cluster organisations: links, the directory's grid columns and rows,
the CSV frame, and the links to the write forms (served by ``web/``, not by Dash)."""
from __future__ import annotations

import functools
from urllib.parse import quote

import pandas as pd

from analytics.serving import organisations as orgs
from analytics.serving.store import DATASETS, base_of, build_id, get_store
from components.routes import ORGANISATION, ORGANISATIONS, REGION
from components.tables import col, md_link, records

UNKNOWN = "region unknown"
# wrapped grid cells with a text line height (the grid's default is the 42 px row height)
WRAP = {"wrapText": True, "autoHeight": True,
        "cellStyle": {"lineHeight": "1.45", "paddingTop": "9px", "paddingBottom": "9px"}}
CSV_COLUMNS = ["id", "name", "dataset", "country", "region_id", "region_name", "city", "categories",
               "category_names", "ecosystem", "ecosystem_name", "type", "website", "locate_status", "locate_method",
               "source", "source_updated"]


def org_href(org_id: str) -> str:
    return ORGANISATION.href(org_id=org_id)


def edit_href(org_id: str) -> str:
    return f"/organisation/{quote(org_id, safe='')}/edit"


def claim_href(org_id: str) -> str:
    return f"/organisation/{quote(org_id, safe='')}/claim"


NEW_HREF = "/organisations/new"
LOGIN_HREF = "/account/login"
REGISTER_HREF = "/account/register"
LIBRARY_HREF = "/library"
UPLOAD_HREF = "/library/upload"


def region_known(dataset: str, region_id) -> bool:
    """Whether the statistics have a profile for the region (NUTS 2 2021 regions of countries without
    data, e.g. Türkiye or Serbia, have none)."""
    if dataset not in DATASETS or not isinstance(region_id, str):
        return False
    try:
        return region_id in _region_ids(dataset, build_id())
    except (FileNotFoundError, ValueError):
        return False


@functools.lru_cache(maxsize=8)
def _region_ids(dataset: str, _build: str) -> frozenset[str]:
    """The dataset's region ids, once per build (a directory page asks for 1,300 organisations)."""
    return frozenset(get_store(dataset).regions["region_id"].astype(str))


def region_label(region_id, region_name) -> str:
    if not isinstance(region_id, str) or not region_id:
        return UNKNOWN
    return f"{region_name} ({region_id})" if isinstance(region_name, str) and region_name else region_id


def region_link(dataset: str, region_id, region_name) -> str:
    """A markdown link to the region's profile when the statistics know the region, else to the
    directory of that region; 'region unknown' when there is none."""
    if not isinstance(region_id, str) or not region_id:
        return UNKNOWN
    label = region_label(region_id, region_name)
    if region_known(dataset, region_id):
        return md_link(label, REGION.href(dataset=dataset, region_id=region_id))
    return md_link(label, ORGANISATIONS.href(region=region_id))


def category_text(categories: str, names: dict[str, str]) -> str:
    return "; ".join(names.get(c, c) for c in (categories or "").split(";") if c)


def directory_columns() -> list[dict]:
    return [col("name_link", "Organisation", "link", width=220, wrapText=True, autoHeight=True), col("country", "Country", width=70),
            col("region", "Region (NUTS 2 2021 / US state)", "link", width=180), col("city", "City", width=110),
            col("category_text", "Categories", width=200), col("ecosystem_name", "EU industrial ecosystem", width=140),
            col("type", "Type", width=110)]


def _link_cells(df: pd.DataFrame) -> pd.DataFrame:
    names = orgs.category_names()
    return pd.DataFrame({
        "name_link": [md_link(n, org_href(i)) for i, n in zip(df["id"], df["name"])],
        "region": [region_link(d, r, n) for d, r, n in zip(df["dataset"], df["region_id"], df["region_name"])],
        "category_text": [category_text(c, names) for c in df["categories"]],
    }, index=df.index)


@functools.lru_cache(maxsize=2)
def _all_link_cells(_build: str, _content: str) -> pd.DataFrame:
    """The link cells of every published organisation, by id, once per build and content version
    (a directory page of 1,590 rows spent 50 ms making links)."""
    full = orgs.frame()
    return _link_cells(full).set_axis(full["id"].astype(str)).loc[lambda d: ~d.index.duplicated()]


def directory_rows(df: pd.DataFrame) -> list[dict]:
    cells = _all_link_cells(build_id(), orgs.content_version())
    ids = df["id"].astype(str)
    if ids.isin(cells.index).all():
        links = cells.loc[ids].set_axis(df.index)
    else:  # content changed between reading the frame and the links: make these rows' links afresh
        links = _link_cells(df)
    out = df.drop(columns=[c for c in links.columns if c in df.columns]).join(links)
    return records(out[[c["field"] for c in directory_columns()]])


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    names = orgs.category_names()
    out = df.assign(category_names=[category_text(c, names) for c in df["categories"]])
    return out[[c for c in CSV_COLUMNS if c in out.columns]]


def credit(dataset: str | None) -> list[str]:
    if base_of(dataset) in orgs.SOURCES:
        return [orgs.SOURCES[base_of(dataset)]]
    return list(orgs.SOURCES.values())


def documents_block(region_id: str | None = None, category_id: str | None = None, what: str = "region"):
    """The approved cases and reports of the library for a region or a category page (title, year,
    abstract, download), with the link to upload one; a friendly line when the library is unreadable."""
    import dash_bootstrap_components as dbc
    from dash import html

    try:
        from analytics.content.documents import documents_for
        docs = documents_for(region_id=region_id, category_id=category_id)
    except Exception:  # noqa: BLE001 - an unreachable database must not break the page
        return html.P("The library of cases and reports cannot be read just now.", className="small text-muted")
    from urllib.parse import urlencode

    lib = LIBRARY_HREF + "?" + urlencode({k: v for k, v in (("region", region_id), ("category", category_id)) if v})
    head = html.P(["Cases and reports published by organisations (moderated). ",
                   html.A("Browse the library", href=lib), " · ",
                   html.A("Upload a document", href=UPLOAD_HREF)], className="small text-muted mb-2")
    if not docs:
        return html.Div([head, html.P(f"No document in the library for this {what} yet.", className="small")])
    items = [html.Li([html.A(d.title, href=f"/library/{d.id}/download"),
                      html.Span(f" ({d.year})" if d.year else "", className="text-muted"),
                      html.Div(d.abstract[:300] + ("…" if len(d.abstract or "") > 300 else ""),
                               className="small text-muted") if d.abstract else None], className="mb-2")
             for d in docs[:20]]
    more = html.A(f"All {len(docs):,} in the library →", href=lib) if len(docs) > 20 else None
    return html.Div([head, html.Ul(items, className="list-unstyled mb-1"), more,
                     dbc.Badge(f"{len(docs):,} document{'s' if len(docs) != 1 else ''}", color="light",
                               text_color="dark")])


def profile_section(ids, title: str, dataset: str, intro, body, empty: bool, documents):
    """The organisations section of a profile page (``ids``: the page's ids module, with ORGS,
    ORGS_DOWNLOAD_BTN and ORGS_DOWNLOAD): heading with the CSV button (disabled when ``empty``),
    the intro line, the grid or its empty state, the source, then the page's "Cases and reports"."""
    import dash_bootstrap_components as dbc
    from dash import dcc, html

    from components.figures import source_line

    return html.Section([
        html.Div([
            html.H2(title, className="h4 mb-0"),
            dbc.Button("Download CSV", id=ids.ORGS_DOWNLOAD_BTN, color="primary", outline=True, size="sm",
                       disabled=empty),
        ], className="d-flex justify-content-between align-items-center mb-1"),
        html.P(intro, className="small text-muted mb-2") if intro else None,
        body,
        dcc.Download(id=ids.ORGS_DOWNLOAD),
        source_line(orgs.SOURCES.get(base_of(dataset), "")),
        html.H3("Cases and reports", className="h5 mt-3"),
        documents,
    ], id=ids.ORGS, className="mb-4")
