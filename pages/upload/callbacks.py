"""/upload callbacks: the file to the endpoint (clientside), its problems or preview, "Analyse"
(register, links, delete token kept in this browser), this browser's uploads and their deletion.

Every server callback takes the browser's data as untrusted: the preview only shows what the
endpoint answered, "Analyse" reads the clean rows again from disk by their pending id, and an
upload is listed or deleted only by its key and its delete token.
"""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from analytics.upload import UploadError, build_store, delete, is_upload_key, lookup, register
from analytics.upload.registry import load_pending
from analytics.upload.store import UPLOAD_LEVEL
from components.routes import COMPARE, MAP, REGION
from pages.upload import ids

MAX_REGION_LINKS = 60
PREVIEW_COLUMNS = [("line", "Line"), ("region_id", "Region id"), ("region_name", "Region name"),
                   ("industry_code", "Industry code"), ("code", "Read as"), ("year", "Year"),
                   ("employment", "Employment"), ("establishments", "Establishments"), ("payroll", "Payroll")]

clientside_callback(
    """
    async function(contents, filename, url) {
        const nu = window.dash_clientside.no_update;
        if (!contents) { return [nu, nu]; }
        try {
            const r = await fetch(url, {method: "POST", credentials: "same-origin",
                                        headers: {"Content-Type": "application/json"},
                                        body: JSON.stringify({filename: filename, contents: contents})});
            let body = null;
            try { body = await r.json(); } catch (e) { body = null; }
            if (r.status === 413) {
                body = {ok: false, filename: filename, errors: ["the file is larger than 20 MB: refused before reading it"]};
            } else if (r.status === 429) {
                body = {ok: false, filename: filename, errors: ["too many uploads in a minute: wait a little and try again"]};
            } else if (!body) {
                body = {ok: false, filename: filename, errors: ["the server could not read the file (HTTP " + r.status + ")"]};
            }
            body.received = Date.now();
            return [body, null];
        } catch (e) {
            return [{ok: false, filename: filename, received: Date.now(),
                     errors: ["the file could not be sent: " + e.message]}, null];
        }
    }
    """,
    Output(ids.RECEIVED, "data"), Output(ids.FILE, "contents"),
    Input(ids.FILE, "contents"), State(ids.FILE, "filename"), State(ids.ENDPOINT, "data"),
    prevent_initial_call=True,
)


def _text(value, limit: int = 300) -> str:
    return str(value)[:limit] if value is not None else ""


def _number(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return _text(value)


def _problems(received: dict) -> list:
    errors = [e for e in received.get("errors") or [] if isinstance(e, str)][:60]
    count = received.get("error_count") if isinstance(received.get("error_count"), int) else len(errors)
    return [dbc.Alert([
        html.H2(f"{_text(received.get('filename'), 120)}: {count:,} problem{'s' if count != 1 else ''}, nothing "
                "imported", className="h6 alert-heading"),
        html.Ul([html.Li(e) for e in errors], id=ids.ERRORS, className="mb-1"),
        html.P("Correct the file and upload it again.", className="mb-0 small"),
    ], color="danger")]


def _preview_table(rows: list) -> html.Div:
    head = html.Thead(html.Tr([html.Th(label, scope="col") for _, label in PREVIEW_COLUMNS]))
    body = []
    for row in rows[:20]:
        if not isinstance(row, dict):
            continue
        cells = []
        for key, _ in PREVIEW_COLUMNS:
            v = row.get(key)
            numeric = key in ("employment", "establishments", "payroll")
            cells.append(html.Td(_number(v) if numeric else _text(v, 80), className="text-end" if numeric else None))
        body.append(html.Tr(cells))
    return html.Div(dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="small mb-0",
                              id=ids.PREVIEW_TABLE), className="table-responsive")


def _preview(received: dict) -> list:
    summary = [s for s in received.get("summary") or [] if isinstance(s, str)]
    warnings = [w for w in received.get("warnings") or [] if isinstance(w, str)]
    unmapped = [u for u in received.get("unmapped") or [] if isinstance(u, dict)]
    rows = [r for r in received.get("rows") or [] if isinstance(r, dict)]
    n_rows = received.get("n_rows") if isinstance(received.get("n_rows"), int) else len(rows)
    parts = [html.H2("3. Preview: check before you analyse", className="h5"),
             html.P(f"{_text(received.get('filename'), 120)}: read without problems.", className="mb-1"),
             html.Ul([html.Li(s) for s in summary], className="mb-2")]
    if warnings:
        parts.append(dbc.Alert(html.Ul([html.Li(w) for w in warnings], className="mb-0"), color="warning",
                               className="py-2 small"))
    if unmapped:
        parts += [html.H3("Codes in no cluster category", className="h6"),
                  html.P("They count in the region's total (unless a TOTAL row gives it) but in no category.",
                         className="small text-muted mb-1"),
                  html.Ul([html.Li(f"{_text(u.get('code'), 20)} (first on line {_number(u.get('first_line'))}, "
                                   f"{_number(u.get('rows'))} row{'' if u.get('rows') == 1 else 's'}): "
                                   f"{_text(u.get('reason'))}") for u in unmapped[:30]]
                          + ([html.Li(f"… and {len(unmapped) - 30:,} more")] if len(unmapped) > 30 else []),
                          className="small", id="upload-unmapped")]
    parts += [html.H3(f"The first {min(len(rows), 20):,} of {n_rows:,} rows", className="h6 mt-2"),
              _preview_table(rows)]
    return [dbc.Card(dbc.CardBody(parts), className="mb-3")]


@callback(
    Output(ids.STATUS, "children"), Output(ids.PREVIEW, "children"), Output(ids.ANALYSE_AREA, "hidden"),
    Output(ids.BENCHMARK, "options"), Output(ids.BENCHMARK, "value"), Output(ids.RESULT, "children"),
    Input(ids.RECEIVED, "data"),
    prevent_initial_call=True,
)
def show_received(received):
    """The endpoint's answer: the problems (nothing imported) or the preview and the benchmarks."""
    if not isinstance(received, dict):
        return no_update, no_update, no_update, no_update, no_update, no_update
    if not received.get("ok") or not isinstance(received.get("pending"), str):
        return "", _problems(received), True, [], "self", None
    options = []
    for b in received.get("benchmarks") or []:
        if isinstance(b, dict) and b.get("value") in ("self", "eu", "us"):
            options.append({"label": _text(b.get("label")), "value": b["value"], "disabled": bool(b.get("disabled"))})
    options = options or [{"label": "The file itself", "value": "self"}]
    status = dbc.Alert(f"{_text(received.get('filename'), 120)} read: check the preview, choose a benchmark and "
                       "press Analyse.", color="success", className="py-2 mb-0")
    return status, _preview(received), False, options, "self", None


def upload_links(store) -> dict:
    """The links of an analysed upload: region profiles, the map (a built-in level only), /compare."""
    key = store.dataset
    regions = store.regions.sort_values("region_id")
    links = {"regions": [(f"{r.name} ({r.region_id})", REGION.href(dataset=key, region_id=r.region_id))
                         for r in regions.itertuples()],
             "compare": COMPARE.href(dataset=key),
             "map": MAP.href(dataset=key, level=store.level)
             if store.level != UPLOAD_LEVEL and store.has_geometry(store.level) else None}
    return links


def _links_block(store, links: dict) -> list:
    regions = links["regions"]
    shown = regions[:MAX_REGION_LINKS]
    items = [html.Li(html.A(label, href=href, className="upload-region-link")) for label, href in shown]
    if len(regions) > len(shown):
        items.append(html.Li(f"… and {len(regions) - len(shown):,} more: open them from the comparison"
                             + (" or the map" if links["map"] else "")))
    main = [html.A("Compare regions", href=links["compare"], className="btn btn-outline-primary btn-sm me-2 mb-1",
                   id="upload-compare-link")]
    if links["map"]:
        main.insert(0, html.A("Open the map", href=links["map"], className="btn btn-outline-primary btn-sm me-2 mb-1",
                              id="upload-map-link"))
    else:
        main.append(html.Span("No map: the region ids are not all NUTS, state or county codes of one level.",
                              className="small text-muted"))
    return [html.Div(main, className="mb-2"),
            html.H3("Region profiles (cluster portfolio)", className="h6"),
            html.Ul(items, className="upload-regions small", style={"columns": "14rem"})]


def _when(epoch) -> str:
    try:
        return dt.datetime.fromtimestamp(float(epoch), dt.UTC).strftime("%d %b %Y, %H:%M UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return "unknown"


@callback(
    Output(ids.RESULT, "children", allow_duplicate=True), Output(ids.TOKENS, "data"),
    Input(ids.ANALYSE, "n_clicks"),
    State(ids.RECEIVED, "data"), State(ids.BENCHMARK, "value"), State(ids.TOKENS, "data"),
    prevent_initial_call=True,
)
def analyse(n_clicks, received, benchmark, tokens):
    """Analyse the previewed file against the benchmark and register it: links and delete token."""
    if not n_clicks or not isinstance(received, dict):
        return no_update, no_update
    result = load_pending(received.get("pending"))
    if result is None:
        return dbc.Alert("This file is no longer waiting to be analysed (it was read more than two hours ago, or "
                         "the server was reset): upload it again.", color="warning"), no_update
    try:
        store = build_store(result, benchmark if benchmark in ("self", "eu", "us") else "self")
    except UploadError as exc:
        return dbc.Alert(["This file cannot be analysed so: ", str(exc)], color="danger"), no_update
    reg = register(store)
    links = upload_links(store)
    tokens = dict(tokens) if isinstance(tokens, dict) else {}
    tokens[reg.key] = {"token": reg.delete_token, "filename": result.filename[:200], "expires": reg.expires}
    notes = [html.Li(n) for n in store.notes]
    years = store.level_years(store.level)
    lm = store.level_metrics(store.level)
    n_cats = lm.loc[lm["employment"].fillna(0) > 0, "category_id"].nunique()
    body = [
        dbc.Alert([html.Strong("Analysed. "),
                   f"{len(store.regions):,} regions, {n_cats:,} cluster categories with employment, "
                   f"{'year' if len(years) == 1 else 'years'} {', '.join(map(str, years))}; benchmark: "
                   f"{store.meta['benchmark_area']}. Kept until {_when(reg.expires)}."], color="success",
                  id="upload-analysed"),
        *(_links_block(store, links)),
        html.P([html.Strong("Share: "), "anyone with one of these links can view the analysis (read only). "
                "Delete token (shown once; this browser keeps it to delete the upload below): ",
                html.Code(reg.delete_token, id="upload-delete-token")], className="small"),
    ]
    if notes:
        body.insert(1, html.Div([html.H3("Notes on the analysis", className="h6"), html.Ul(notes, className="small")]))
    return body, tokens


@callback(Output(ids.MINE, "children"), Input(ids.TOKENS, "data"))
def list_mine(tokens):
    """The uploads whose delete token this browser keeps (gone ones are said to be gone)."""
    if not isinstance(tokens, dict) or not tokens:
        return html.P("None yet: the uploads you analyse in this browser are listed here, with a button to "
                      "delete them.", className="small text-muted")
    rows = []
    for key, entry in list(tokens.items())[:50]:
        if not is_upload_key(key) or not isinstance(entry, dict):
            continue
        store = lookup(key)
        name = _text(entry.get("filename"), 120) or "upload"
        if store is None:
            rows.append(html.Li([f"{name}: expired or deleted. ",
                                 dbc.Button("Forget", id={"type": ids.DELETE, "index": key}, size="sm",
                                            color="link", className="p-0 align-baseline")]))
            continue
        links = upload_links(store)
        first = links["map"] or links["compare"]
        rows.append(html.Li([html.A(name, href=first), f" · kept until {_when(entry.get('expires'))} · ",
                             html.A("compare", href=links["compare"]), " · ",
                             dbc.Button("Delete", id={"type": ids.DELETE, "index": key}, size="sm",
                                        color="danger", outline=True, className="py-0")], className="mb-1"))
    return html.Ul(rows, className="list-unstyled")


@callback(
    Output(ids.TOKENS, "data", allow_duplicate=True), Output(ids.MINE_MSG, "children"),
    Input({"type": ids.DELETE, "index": ALL}, "n_clicks"), State(ids.TOKENS, "data"),
    prevent_initial_call=True,
)
def delete_mine(clicks, tokens):
    """Delete an upload with the token this browser keeps (a wrong token deletes nothing)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks or []):
        return no_update, no_update
    key = trigger.get("index")
    tokens = dict(tokens) if isinstance(tokens, dict) else {}
    entry = tokens.get(key)
    if not isinstance(entry, dict):
        return no_update, dbc.Alert("This browser holds no delete token for that upload.", color="warning")
    if lookup(key) is None:
        tokens.pop(key, None)
        return tokens, dbc.Alert("That upload was already gone (expired or deleted); forgotten here.", color="info")
    if delete(key, entry.get("token")):
        tokens.pop(key, None)
        return tokens, dbc.Alert(f"Deleted {_text(entry.get('filename'), 120)}: its links show nothing any more.",
                                 color="success")
    return no_update, dbc.Alert("The delete token does not match: nothing was deleted.", color="danger")
