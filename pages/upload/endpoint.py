"""The HTTP side of /upload: the file goes to ``POST /upload/file``, not through a Dash callback.

Dash callbacks are capped at 1 MB (web/security.py); a file may be 20 MB. The page's clientside
callback sends the file (``dcc.Upload``'s data URL, in a JSON body: a cross-site form cannot post
JSON without a preflight) here; this endpoint alone accepts a body up to
:data:`BODY_LIMIT`, refuses a file over 20 MB after decoding (as ``read_upload`` does), reads and
validates it all or nothing and answers JSON: the problems with their lines (nothing kept), or the
preview and a pending id (the clean rows wait on disk for "Analyse", ``analytics.upload.registry``).
``GET /upload/template.csv`` and ``/upload/template.xlsx`` are the templates. A map of an upload
asks for ``/geo/<build>/<upload key>/<level>.geojson``: redirected to the built-in level's file.

:func:`init_app` also installs the log redaction of upload keys (web/log_redact.py) in the app's
process, the development server included.
"""
from __future__ import annotations

import base64
import binascii
import math

import dash
from flask import Flask, Response, jsonify, redirect, request

from analytics.upload import MAX_BYTES, preview, read_upload, template_csv, template_xlsx
from analytics.upload.registry import is_upload_key, save_pending
from analytics.upload.store import benchmark_choices, unmapped_codes

FILE_PATH = "/upload/file"
BODY_LIMIT = math.ceil(MAX_BYTES * 4 / 3) + 64 * 1024  # the file base64-encoded in a JSON body
ENDPOINT = "upload_dataset_file"
MAX_NAME = 200


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


def _records(frame) -> list[dict]:
    return [{k: _json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]


def refused(filename: str, errors: list[str], count: int | None = None) -> dict:
    return {"ok": False, "filename": filename, "errors": errors, "error_count": count or len(errors)}


def receive(data: bytes, filename: str) -> dict:
    """Read and check a file; the answer the page shows (``ok``: the preview and ``pending``, the id
    the clean rows wait under; else ``errors`` with their lines, and nothing is kept)."""
    if len(data) > MAX_BYTES:
        return refused(filename, [f"the file is {_size(len(data))}; the limit is {_size(MAX_BYTES)}: refused "
                                  "before reading it"])
    result = read_upload(data, filename)
    if not result.ok:
        return refused(filename, result.errors, result.error_count)
    p = preview(result)
    unmapped = unmapped_codes(result)
    industries = result.rows["code"].nunique()
    return {
        "ok": True, "filename": filename, "pending": save_pending(result),
        "classification": result.classification, "classification_label": result.classification_label,
        "summary": p["summary"] + [f"{industries:,} distinct industry codes; {len(unmapped):,} of them in no "
                                   "cluster category (listed below)" if len(unmapped) else
                                   f"{industries:,} distinct industry codes, every one in a cluster category"],
        "warnings": p["warnings"], "rows": _records(p["rows"]), "n_rows": int(len(result.rows)),
        "unmapped": _records(unmapped), "benchmarks": benchmark_choices(result),
    }


def decode(body) -> tuple[bytes | None, str, str | None]:
    """(file bytes, file name, problem) of the JSON body ``{"filename": …, "contents": data URL}``."""
    if not isinstance(body, dict):
        return None, "upload", "the request is not a JSON object with the file"
    name = body.get("filename")
    name = str(name)[:MAX_NAME] if isinstance(name, str) and name.strip() else "upload"
    contents = body.get("contents")
    if not isinstance(contents, str) or "," not in contents:
        return None, name, "the request carries no file (a data URL)"
    head, _, b64 = contents.partition(",")
    if not head.startswith("data:") or ";base64" not in head:
        return None, name, "the file is not base64-encoded"
    if len(b64) > math.ceil(MAX_BYTES * 4 / 3) + 4:
        return None, name, f"the file is larger than {_size(MAX_BYTES)}: refused before reading it"
    try:
        return base64.b64decode(b64, validate=True), name, None
    except (binascii.Error, ValueError):
        return None, name, "the file's encoding is damaged (not base64): send it again"


def _file():
    if not request.is_json:
        return jsonify(refused("upload", ["send the file as JSON (the page does)"])), 415
    body = request.get_json(silent=True)
    data, name, problem = decode(body)
    if problem:
        return jsonify(refused(name, [problem])), 400
    answer = receive(data, name)
    r = jsonify(answer)
    r.headers["Cache-Control"] = "no-store"
    return r


def _template(kind: str):
    if kind == "csv":
        r = Response(template_csv(), mimetype="text/csv")
    else:
        r = Response(template_xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    r.headers["Content-Disposition"] = f"attachment; filename=cluster-upload-template.{kind}"
    return r


def init_app(server: Flask) -> None:
    """Register the endpoint (its own body limit, set before the app-wide check reads it) and the
    templates, and redact upload keys from this process's logs."""
    from web.log_redact import install

    install()
    if ENDPOINT in server.view_functions:
        return

    @server.before_request
    def _upload_body_limit():
        if request.endpoint == ENDPOINT:
            request.max_content_length = BODY_LIMIT

    @server.before_request
    def _upload_geometry():
        # An upload of NUTS, state or county codes draws the built-in level's geometry, which the map
        # asks for at /geo/<build>/<its key>/<level>.geojson (web.geo.geo_url of the page's dataset):
        # sent on to the built-in file (cacheable, and without the key); the redirect is not stored.
        if request.endpoint == "geometry" and is_upload_key((request.view_args or {}).get("dataset")):
            from analytics.upload import lookup

            args = request.view_args
            store = lookup(args["dataset"])
            if store is None or not store.has_geometry(args["level"]):
                return Response("not found", status=404, mimetype="text/plain", headers={"Cache-Control": "no-store"})
            target = dash.get_relative_path(f"/geo/{args['build']}/{store.base}/{args['level']}.geojson")
            r = redirect(target, 302)
            r.headers["Cache-Control"] = "no-store"
            return r

    @server.after_request
    def _private_pages(response):
        # a page whose address holds an upload's key: kept by no shared cache, indexed by no search engine
        if "upload-" in request.full_path:
            response.headers["Cache-Control"] = "private, no-store"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    view = _file
    try:
        from web.core import limiter

        view = limiter.limit("30 per minute")(_file)
    except Exception:  # noqa: BLE001 - no rate limiter configured: the endpoint still works
        pass
    server.add_url_rule(FILE_PATH, ENDPOINT, view, methods=["POST"])
    server.add_url_rule("/upload/template.csv", "upload_template_csv", lambda: _template("csv"))
    server.add_url_rule("/upload/template.xlsx", "upload_template_xlsx", lambda: _template("xlsx"))
