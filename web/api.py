"""The open read-only API: ``/api/v1/...`` answers the CLI's queries as JSON or CSV (a Flask blueprint).

Every endpoint is declared once in :data:`ENDPOINTS` (path, parameters with types, choices and
limits, the query it runs); the parameter checks and the OpenAPI 3.1 document served at
``/api/v1/openapi.json`` are both made from that declaration, so they cannot drift apart. The
queries are the CLI's own (:mod:`analytics.serving.api_queries`), so the rows and numbers are
the CLI's: the CSV is byte for byte what ``python -m analytics ...`` prints.

- **Formats**: JSON by default, ``{"query", "source", "notes", "build", "columns", "rows"}`` with
  ``rows`` as lists in ``columns`` order and missing values as ``null`` (never 0); CSV with
  ``?format=csv`` or ``Accept: text/csv`` (empty cells for missing values, formula-like text
  neutralised with a leading ``'`` as in every CSV of the app).
- **Errors** are JSON ``{"error": "...", "parameter": "..."}``: 400 for a bad, unknown, repeated,
  too long or control-character parameter; 404 for an unknown path, dataset or region; 405 for
  anything but GET/HEAD; 429 beyond the rate limit (with ``Retry-After``). Nothing a client
  sends gives a 500.
- **Caching**: a strong ``ETag`` from the build id, the published-content stamp (organisations,
  partners), the endpoint, the canonical query and the format; ``If-None-Match`` answers 304
  before any work; ``Cache-Control: public``, ``Vary: Accept`` (and ``Accept-Encoding``) but never
  ``Cookie``: the API reads no session and sets no cookie (:class:`_NoSessionForTheApi`), so a shared
  cache may serve one answer to everyone. Rendered bodies are kept per process by ETag
  (:data:`BODIES`, 64 MB), so a repeated query from another client costs no rendering.
- **Not served**: uploaded data sets (``metrics --input``) and the content commands; the
  insights (``insights prosperity``) are not in v1.
- **Rate limit**: ``CLUSTER_RATELIMIT_API`` (default 120/minute) per client address, with the
  app's Flask-Limiter (:data:`web.core.limiter`). GET only, so CSRF does not apply (the app checks
  CSRF only on the content blueprint's form posts).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from flask import Blueprint, Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from analytics.serving import api_queries as q
from analytics.serving.store import LEVELS

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
DEFAULT_LIMIT = "120/minute"
MAX_LENGTH = 200  # characters of a parameter value (custom definitions may have up to 1,000)
MAX_SPEC = 1000
CACHE_BUILD = "public, max-age=3600"
CACHE_CONTENT = "public, max-age=300"  # organisations change with moderation
BODY_CACHE_BYTES = 64 * 2**20  # of rendered answers kept per process
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]  # all answered here (non-GET: 405 in JSON)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
INTEGER = re.compile(r"^[+-]?\d{1,9}$")
BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

bp = Blueprint("api", __name__, url_prefix=PREFIX)


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.headers = status, message, param, headers or {}


# ---------------------------------------------------------------------------- the declaration


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    type: str = "string"  # string | integer | boolean
    enum: tuple = ()
    required: bool = False
    default: object = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = MAX_LENGTH
    where: str = "query"  # query | path

    def schema(self) -> dict:
        s: dict = {"type": self.type}
        if self.enum:
            s["enum"] = list(self.enum)
        if self.default is not None:
            s["default"] = self.default
        if self.minimum is not None:
            s["minimum"] = self.minimum
        if self.maximum is not None:
            s["maximum"] = self.maximum
        if self.type == "string" and not self.enum:
            s["maxLength"] = self.max_length
        return s

    def parse(self, raw: str):
        """The value of ``raw`` (a string from the URL), or ApiError 400 naming the parameter."""
        if len(raw) > self.max_length:
            raise ApiError(400, f"{self.name}: longer than {self.max_length:,} characters", self.name)
        if CONTROL.search(raw):
            raise ApiError(400, f"{self.name}: contains a control character", self.name)
        if raw == "":
            return None
        if self.type == "integer":
            if not INTEGER.match(raw.strip()):
                raise ApiError(400, f"{self.name} {raw!r}: not a whole number", self.name)
            value = int(raw)
            if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
                raise ApiError(400, f"{self.name} {value}: a number from {self.minimum} to {self.maximum}", self.name)
            return value
        if self.type == "boolean":
            if raw.strip().lower() not in BOOLEAN:
                raise ApiError(400, f"{self.name} {raw!r}: true or false", self.name)
            return BOOLEAN[raw.strip().lower()]
        if self.enum and raw not in self.enum:
            raise ApiError(400, f"{self.name} {raw!r}: choose {', '.join(map(str, self.enum))}", self.name)
        return raw


@dataclass(frozen=True)
class Endpoint:
    name: str
    rule: str  # Flask rule below PREFIX
    summary: str
    cli: str  # the CLI command it mirrors
    params: tuple[Param, ...]
    run: Callable[[dict], q.Table]
    content: bool = False  # depends on the published content (organisations), not only on the build

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/regions/{dataset}/{region_id}/indicators``."""
        return PREFIX + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.rule)


ALL_LEVELS = tuple(dict.fromkeys(lv for levels in LEVELS.values() for lv in levels))
DATASET = Param("dataset", "eu: Europe (Eurostat SBS, NUTS regions); us: the United States (County Business Patterns)",
                enum=tuple(LEVELS), default="eu")
LEVEL = Param("level", "Region level; eu: nuts2, nuts1, country; us: state, county, ea, nation "
                       "(default: nuts2 / state)", enum=ALL_LEVELS)
YEAR = Param("year", "Data year (see the dataset's years in the error message of a wrong one)", "integer",
             required=True, minimum=1900, maximum=2100)
START_YEAR = Param("start_year", "Add growth since this year (before `year`)", "integer", minimum=1900, maximum=2100)
RULES = Param("rules", "Star rule set (default: eco2008 for eu, us-strong for us)", enum=("eco2008", "us-strong"))
DENOMINATOR = Param("denominator", "LQ denominator: total employment, or traded/local employment by category type "
                                   "(default: total for eu, traded for us)", enum=("total", "traded"))
CATEGORY = Param("category", 'A category id (see /api/v1/categories), or a custom category such as '
                             '"Fashion=nace:13,14,15", "Name=cat:apparel+footwear" or (us) "Name=naics:3361"',
                 max_length=MAX_SPEC)
CUSTOM_REGION = Param("region", 'A custom region such as "Oresund=DK01+DK02+SE22": its portfolio (the sum of '
                                "its members)", max_length=MAX_SPEC)
FORMAT = Param("format", "json (default) or csv; `Accept: text/csv` also asks for CSV", enum=("json", "csv"))


def _store(dataset: str):
    from analytics.serving.store import get_store

    try:
        return get_store(dataset)
    except (ValueError, FileNotFoundError):
        raise ApiError(404, f"dataset {dataset!r}: not in this build", "dataset") from None


def _ident(param: str) -> str:
    return param


def _metrics(p):
    return q.metrics(_store(p["dataset"]), p["year"], p.get("level"), p.get("start_year"), p.get("rules"),
                     p.get("denominator"), p.get("category"), p.get("region"), name=_ident, note=p["_note"])


def _indicators(p):
    return q.indicators(_store(p["dataset"]), p["year"], p.get("level"), p.get("start_year"), p.get("rules"),
                        p.get("denominator"), p.get("region"), name=_ident, note=p["_note"])


def _region(p):
    try:
        return q.region_indicators(_store(p["dataset"]), p["region_id"], p.get("year"), p.get("start_year"),
                                   p.get("rules"), p.get("denominator"), name=_ident)
    except q.QueryError as exc:
        if exc.param == "region_id":
            raise ApiError(404, str(exc), "region_id") from None
        raise


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("metrics", "/metrics", "Regional clusters: employment, LQ, focus, stars (and growth) of every region "
                                    "and category of a level and year",
             "python -m analytics metrics --dataset D --level L --year Y [--start-year S] [--rules R] "
             "[--denominator T] [--category C] [--region R]",
             (DATASET, LEVEL, YEAR, START_YEAR, RULES, DENOMINATOR, CATEGORY, CUSTOM_REGION), _metrics),
    Endpoint("indicators", "/indicators", "Region indicators of a level and year: cluster strength, starred and "
                                          "strong clusters, shares, wages, prosperity (and growth)",
             "python -m analytics regions --dataset D --level L --year Y [--start-year S] [--rules R] "
             "[--denominator T] [--region R]",
             (DATASET, LEVEL, YEAR, START_YEAR, RULES, DENOMINATOR,
              Param("region", 'Add a custom region such as "Oresund=DK01+DK02+SE22" (ranked where it would rank)',
                    max_length=MAX_SPEC)), _indicators),
    Endpoint("region_indicators", "/regions/<dataset>/<region_id>/indicators",
             "One region's indicators at its own level (its row of /api/v1/indicators)",
             "python -m analytics regions --dataset D --level <the region's level> --year Y (the region's row)",
             (Param("dataset", DATASET.description, enum=tuple(LEVELS), where="path", required=True),
              Param("region_id", "Region id: NUTS code (eu), state or county FIPS, economic area (us)",
                    where="path", required=True, max_length=32),
              Param("year", "Data year (default: the latest of the region's level)", "integer", minimum=1900,
                    maximum=2100), START_YEAR, RULES, DENOMINATOR), _region),
    Endpoint("regions", "/regions", "The regions of a dataset (of one level): id, name, level, country, parent",
             "(no CLI command; the region_id and region_name columns of `regions`)", (DATASET, LEVEL),
             lambda p: q.region_list(_store(p["dataset"]), p.get("level"), name=_ident)),
    Endpoint("categories", "/categories", "The cluster categories of a dataset: id, name, traded or local",
             "(no CLI command; the category columns of `metrics`)", (DATASET,),
             lambda p: q.category_list(_store(p["dataset"]))),
    Endpoint("related", "/related", "Related categories of a category, or of a region's starred categories",
             "python -m analytics related --dataset D (--category C | --region R [--level L] [--year Y])",
             (DATASET, Param("category", "Category id: its related categories with strength"),
              Param("region", "Region id: the related categories of its starred categories"), LEVEL,
              Param("year", "Year for `region` (default: the latest)", "integer", minimum=1900, maximum=2100)),
             lambda p: q.related(_store(p["dataset"]), p.get("category"), p.get("region"), p.get("level"),
                                 p.get("year"), name=_ident)),
    Endpoint("organisations", "/organisations", "Published cluster organisations (the directory), filtered",
             "python -m analytics organisations list [--dataset D] [--country C] [--region R] [--category C]",
             (Param("dataset", "eu (ECCP) or us (clustermapping.us); default both", enum=tuple(LEVELS)),
              Param("country", "ISO country code as in the source (GR for Greece; EL is accepted), US"),
              Param("region", "Region id: a NUTS 2021 code or prefix (DE21, DE2)"),
              Param("category", "Category id, e.g. automotive")),
             lambda p: q.organisations(p.get("dataset"), p.get("country"), p.get("region"), p.get("category"),
                                       name=_ident), content=True),
    Endpoint("partners", "/partners", "Partner search (as /partners): ranked organisations for an organisation "
                                      "or a region × category",
             "python -m analytics partners (--org ID | --category C [--region R]) [--dataset D] [--side S] "
             "[--country C] [--include-home] [--limit N]",
             (Param("org", "Search from this organisation's id (see /api/v1/organisations)"),
              Param("dataset", "The dataset of `region` and `category`", enum=tuple(LEVELS), default="eu"),
              Param("region", "The origin region (its country is left out unless include_home)"),
              Param("category", "The origin category id, e.g. automotive"),
              Param("side", "Partners only in Europe (eu) or only in the US (us)", enum=tuple(LEVELS)),
              Param("country", "Partners only in these countries (comma-separated ISO codes)"),
              Param("include_home", "Include organisations of the origin's country", "boolean", default=False),
              Param("limit", "How many", "integer", default=20, minimum=1, maximum=1000)),
             lambda p: q.partners(p.get("org"), p["dataset"], p.get("region"), p.get("category"), p.get("side"),
                                  p.get("country"), p["include_home"], p["limit"], name=_ident), content=True),
)
BY_NAME = {ep.name: ep for ep in ENDPOINTS}


# ---------------------------------------------------------------------------- requests


def parse(ep: Endpoint, path_args: dict) -> tuple[dict, str]:
    """The checked parameters (defaults filled) and the format, or ApiError."""
    declared = {p.name: p for p in ep.params if p.where == "query"}
    allowed = [*declared, FORMAT.name]
    out: dict = {}
    for key in request.args:
        values = request.args.getlist(key)
        if key not in allowed:
            shown = CONTROL.sub("?", key[:40]) + ("…" if len(key) > 40 else "")
            raise ApiError(400, f"unknown parameter {shown!r}: {ep.path} takes {', '.join(allowed)}", shown)
        if len(values) > 1:
            raise ApiError(400, f"{key}: given {len(values)} times; give it once", key)
    for p in ep.params:
        if p.where == "path":
            try:
                value = p.parse(path_args[p.name])
            except ApiError as exc:
                raise ApiError(404, exc.message, p.name) from None
            if value is None:
                raise ApiError(404, f"{p.name}: missing", p.name)
        else:
            value = p.parse(request.args[p.name]) if p.name in request.args else None
            if value is None:
                if p.required:
                    raise ApiError(400, f"{p.name}: required", p.name)
                value = p.default
        out[p.name] = value
    fmt = FORMAT.parse(request.args[FORMAT.name]) if FORMAT.name in request.args else None
    if fmt is None:
        best = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
        fmt = "csv" if best == "text/csv" else "json"
    return out, fmt


def etag(ep: Endpoint, params: dict, fmt: str) -> str:
    """Strong validator of a response: the build, the published content (when the endpoint reads
    it), the endpoint, the canonical query and the format."""
    from analytics.serving.store import build_id

    content = ""
    if ep.content:
        from analytics.serving.organisations import content_version

        content = content_version()
    key = json.dumps(["v1", build_id(), content, ep.name, sorted(params.items()), fmt], default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _not_modified(tag: str) -> str | None:
    """The client's matching validator (Flask-Compress sends ``<tag>:br`` / ``<tag>:gzip``)."""
    for sent in request.if_none_match.as_set(include_weak=True):
        if sent == tag or sent.startswith(tag + ":") or sent == "*":
            return sent
    return None


def _cell(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, np.generic):
        return _cell(v.item())
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def rows(frame: pd.DataFrame) -> list[list]:
    """The frame's rows as JSON-ready lists (NaN, NA, ±inf → None)."""
    cols = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
            a = s.to_numpy(dtype=float)
            vals = a.tolist()
            bad = ~np.isfinite(a)
            if bad.any():
                for i in np.flatnonzero(bad):
                    vals[i] = None
        else:
            vals = [_cell(v) for v in s.tolist()]
        cols.append(vals)
    return [list(r) for r in zip(*cols)] if cols else []


def body(ep: Endpoint, table: q.Table, fmt: str) -> tuple[bytes, str]:
    if fmt == "csv":
        return table.to_csv().encode("utf-8"), "text/csv"
    from analytics.serving.store import build_id

    doc = {"query": {**{k: v for k, v in table.query.items()}, "format": "json"}, "source": table.source,
           "notes": table.notes, "build": build_id(), "columns": list(map(str, table.frame.columns)),
           "rows": rows(table.frame)}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(), "application/json"


class Bodies:
    """Recently answered bodies by ETag (thread-safe, bounded by bytes): a repeated query from
    another client costs no rendering. Per process; a new build changes every tag."""

    def __init__(self, max_bytes: int = BODY_CACHE_BYTES):
        self.max_bytes, self.size = max_bytes, 0
        self._data: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tag: str):
        with self._lock:
            hit = self._data.get(tag)
            if hit is not None:
                self._data.move_to_end(tag)
            return hit

    def put(self, tag: str, value: tuple[bytes, str]) -> None:
        n = len(value[0])
        if n > self.max_bytes // 4:
            return
        with self._lock:
            if tag in self._data:
                return
            self._data[tag] = value
            self.size += n
            while self.size > self.max_bytes:
                _, (old, _m) = self._data.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.size = 0


BODIES = Bodies()


def _error(status: int, message: str, param: str | None = None, headers: dict | None = None) -> Response:
    doc = {"error": message}
    if param:
        doc["parameter"] = param
    r = Response(json.dumps(doc, ensure_ascii=False), status=status, mimetype="application/json")
    r.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


def serve(ep: Endpoint, path_args: dict) -> Response:
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, f"{request.method}: this API is read-only; use GET", headers={"Allow": "GET, HEAD"})
    params, fmt = parse(ep, path_args)
    tag = etag(ep, params, fmt)
    headers = {"Cache-Control": CACHE_CONTENT if ep.content else CACHE_BUILD, "Vary": "Accept"}
    sent = _not_modified(tag)
    if sent:
        r = Response(status=304, headers=headers)
        r.headers["ETag"] = f'"{sent}"' if sent != "*" else f'"{tag}"'
        return r
    hit = BODIES.get(tag)
    if hit is None:
        hit = _answer(ep, params, fmt)
        BODIES.put(tag, hit)
    data, mimetype = hit
    r = Response(data, mimetype=mimetype, headers=headers)
    if fmt == "csv":
        r.headers["Content-Disposition"] = f'inline; filename="{ep.name}.csv"'
    r.set_etag(tag)
    return r


def _answer(ep: Endpoint, params: dict, fmt: str) -> tuple[bytes, str]:
    notes: list[str] = []
    try:
        table = ep.run({**params, "_note": notes.append})
    except q.QueryError as exc:
        param = exc.param
        message = str(exc)
        if param and not message.startswith(param):
            message = f"{param}: {message}"
        raise ApiError(400, message, param) from None
    table.notes = notes
    return body(ep, table, fmt)


def _view(ep: Endpoint):
    def view(**path_args):
        return serve(ep, path_args)

    view.__name__ = ep.name
    return view


for _ep in ENDPOINTS:
    bp.add_url_rule(_ep.rule, endpoint=_ep.name, view_func=_view(_ep), methods=METHODS)


@bp.route("/openapi.json", methods=METHODS)
def openapi_json():
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, f"{request.method}: this API is read-only; use GET", headers={"Allow": "GET, HEAD"})
    r = Response(_openapi_text(), mimetype="application/json")
    r.headers["Cache-Control"] = CACHE_BUILD
    r.add_etag()
    return r.make_conditional(request)


@bp.route("/", methods=METHODS)
def index():
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, f"{request.method}: this API is read-only; use GET", headers={"Allow": "GET, HEAD"})
    doc = {"api": "Cluster Observatory open API", "version": "1", "openapi": f"{PREFIX}/openapi.json",
           "endpoints": {ep.path: ep.summary for ep in ENDPOINTS}}
    return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")


@bp.route("/<path:rest>", methods=METHODS)
def unknown(rest: str):
    raise ApiError(404, f"no such endpoint; see {PREFIX}/openapi.json")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return _error(exc.status, exc.message, exc.param, exc.headers)


@bp.errorhandler(Exception)
def _any_error(exc: Exception):
    if isinstance(exc, HTTPException):  # 429 from the limiter, 413 from the body limit …
        return _error(exc.code or 500, exc.description or exc.name)  # the limiter adds Retry-After
    log.exception("api: unexpected error on %s", request.path)
    return _error(500, "internal error: the query could not be answered; it is logged")


# ---------------------------------------------------------------------------- OpenAPI


ERROR_SCHEMA = {"type": "object", "required": ["error"],
                "properties": {"error": {"type": "string", "description": "What is wrong, naming the parameter"},
                               "parameter": {"type": "string"}}}
TABLE_SCHEMA = {
    "type": "object", "required": ["query", "source", "notes", "build", "columns", "rows"],
    "properties": {
        "query": {"type": "object", "description": "The query answered, defaults filled in"},
        "source": {"type": "string"},
        "notes": {"type": "array", "items": {"type": "string"},
                  "description": "What the CLI prints as notes (e.g. a growth window across a series break)"},
        "build": {"type": "string", "description": "Id of the data build"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "description": "One list per row, in `columns` order; null = missing",
                 "items": {"type": "array", "items": {"type": ["string", "number", "integer", "boolean", "null"]}}},
    },
}


def openapi() -> dict:
    """The OpenAPI 3.1 document of :data:`ENDPOINTS`."""
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    paths: dict = {}
    for ep in ENDPOINTS:
        params = [{"name": p.name, "in": p.where, "required": p.required or p.where == "path",
                   "description": p.description, "schema": p.schema()} for p in (*ep.params, FORMAT)]
        paths[ep.path] = {"get": {
            "operationId": ep.name, "summary": ep.summary, "description": f"CLI: `{ep.cli}`",
            "parameters": params,
            "responses": {
                "200": {"description": "The table (JSON or CSV)",
                        "headers": {"ETag": {"schema": {"type": "string"}},
                                    "Cache-Control": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Table"}},
                                    "text/csv": {"schema": {"type": "string"}}}},
                "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                "400": {"description": "A bad parameter", **err},
                "404": {"description": "Unknown path, dataset or region", **err},
                "429": {"description": "Rate limit exceeded; see Retry-After",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}}, **err},
            }}}
    paths[f"{PREFIX}/openapi.json"] = {"get": {"operationId": "openapi", "summary": "This document",
                                               "responses": {"200": {"description": "OpenAPI 3.1",
                                                                     "content": {"application/json": {}}}}}}
    paths[f"{PREFIX}/"] = {"get": {"operationId": "index", "summary": "The endpoints",
                                   "responses": {"200": {"description": "Endpoint list",
                                                         "content": {"application/json": {}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cluster Observatory open API", "version": "1",
                 "description": "Read-only access to the Observatory's numbers, the same as the CLI "
                                "(`python -m analytics ...`). JSON by default; CSV with `format=csv` or "
                                f"`Accept: text/csv`. Rate limit: {DEFAULT_LIMIT} per address by default."},
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA, "Table": TABLE_SCHEMA}},
    }


@functools.lru_cache(maxsize=1)
def _openapi_text() -> str:
    return json.dumps(openapi(), ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------- wiring


class _NoSessionForTheApi(SecureCookieSessionInterface):
    """The app's cookie session, except under ``/api/v1``: there the session is never saved, so a
    public answer carries no ``Set-Cookie`` and no ``Vary: Cookie`` (Flask-Login looks into the
    session after every request, which would otherwise add it)."""

    def save_session(self, app, session, response):
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            return None
        return super().save_session(app, session, response)


def init_app(server: Flask) -> Flask:
    """Register the blueprint on ``server`` with its rate limit (after ``web.init_app``, which
    initialises the limiter; initialised here otherwise)."""
    from web.core import limiter

    server.config.setdefault("CLUSTER_RATELIMIT_API", os.environ.get("CLUSTER_RATELIMIT_API") or DEFAULT_LIMIT)
    if limiter not in server.extensions.get("limiter", set()):
        server.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("CLUSTER_RATELIMIT_STORAGE") or "memory://")
        server.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
        limiter.init_app(server)
    if type(server.session_interface) is SecureCookieSessionInterface:
        server.session_interface = _NoSessionForTheApi()
    if bp.name not in server.blueprints:
        limiter.limit(lambda: current_app.config["CLUSTER_RATELIMIT_API"],
                      error_message="Too many requests to the API; wait a little (see Retry-After).")(bp)
        server.register_blueprint(bp)
    return server
