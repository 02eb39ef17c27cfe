"""Every page's address, declared once: path template and query parameters (typed, validated, defaulted).

A page's layout parses its URL with its route (``ROUTE.parse(*ROUTE.split(kwargs))``), its
callbacks write the state back with ``ROUTE.query(state)`` (the one clientside writer puts it in
the address bar), and every link to a page is ``ROUTE.href(**state)``. Choices and defaults come
from the data (``analytics.serving``): a mistyped or stale link opens the nearest valid view with
a note saying what was replaced.
"""
from __future__ import annotations

from analytics.metrics.growth import default_start
from analytics.metrics.peers import BASES
from analytics.metrics.stars import RULE_SETS
from analytics.serving import views
from analytics.serving.custom import ValidationError
from analytics.serving.store import BASE_DATASETS, DATASETS, available_datasets, get_store
from components.url_state import Kept, Param, ParamError, Route, shorten

ALL, CUSTOM, TRADED = views.ALL, views.CUSTOM, "traded"
DENOMINATORS = ("total", "traded")
METRICS = tuple(views.CATEGORY_MEASURES)


def _store(v):
    return get_store(v["dataset"])


def _ccat(value, v):
    try:
        return views.parse_category(v["dataset"], value).spec()
    except ValidationError as exc:
        raise ParamError(f"could not be used: {exc}") from None


def _creg(value, v):
    try:
        return views.parse_region(v["dataset"], value).spec()
    except ValidationError as exc:
        raise ParamError(f"could not be used: {exc}") from None


def _cregs(values, v):
    out, bad = [], []
    for spec in values:
        cr, _problem = views.try_region(v["dataset"], spec)
        if cr is not None:
            out.append(cr.spec())
        else:
            bad.append(spec)
    kept = tuple(dict.fromkeys(out))
    return Kept(kept, f"{', '.join(shorten(b) for b in bad[:5])} could not be used as custom regions; left out.") \
        if bad else kept


def _describe_datasets(_v=None) -> str:
    return "one of " + ", ".join(f"{k} ({DATASETS[k]['label']})" for k in available_datasets())


def _dataset_or_upload(value, _v, needs_map: bool = False):
    """A built-in dataset, or the key of an uploaded one that is still there (analytics.upload):
    accepted without ever being listed among the choices."""
    if value in available_datasets():
        return value
    from analytics.upload import is_upload_key, lookup

    if is_upload_key(value):
        store = lookup(value)
        if store is not None and (not needs_map or store.map_levels):
            return value
        if store is not None:
            raise ParamError("has no map: its region ids are not all NUTS, state or county codes of one level")
        raise ParamError("is an expired or unknown upload (uploads are deleted after their time or by their uploader)")
    raise ParamError(f"is not {_describe_datasets()}")


def dataset_param(choices=None, default=None, uploads: str | None = None) -> Param:
    """``dataset``: a built-in dataset; with ``uploads`` also an uploaded dataset's key, never listed
    (``"map"``: only an upload with a map level)."""
    default = default or (lambda _v: available_datasets()[0])
    if uploads:
        return Param("dataset", default=default,
                     check=lambda value, v: _dataset_or_upload(value, v, needs_map=uploads == "map"))
    choices = choices or (lambda _v: available_datasets())
    return Param("dataset", choices=choices, default=default,
                 describe=lambda v: "one of " + ", ".join(f"{k} ({DATASETS[k]['label']})" for k in choices(v)))


def rules_param() -> Param:
    return Param("rules", choices=lambda _v: list(RULE_SETS), default=lambda v: _store(v).meta["default_rules"])


def denominator_param() -> Param:
    return Param("denominator", choices=lambda _v: DENOMINATORS,
                 default=lambda v: _store(v).meta["default_denominator"])


def start_year_param(years, write=lambda _s: True) -> Param:
    """``start_year``: a year with data before ``year`` (``years(v)`` lists the candidates), the
    one default (:func:`analytics.metrics.growth.default_start`: the first year of the end year's
    continuous series), or ``none`` for no growth. A year across a series break is accepted when
    asked for explicitly; the views label such a window."""
    return Param("start_year", kind="int", none="none", write=write,
                 choices=lambda v: [y for y in years(v) if v.get("year") is not None and y < v["year"]],
                 default=lambda v: default_start(years(v), v["year"], v.get("dataset"))
                 if v.get("year") is not None else None,
                 describe=lambda v: f"a year with data before {v.get('year')}")


# ---------------------------------------------------------------------------- /map

def _map_level_default(v):
    levels = _store(v).map_levels
    default = _store(v).meta.get("default_level")
    return default if default in levels else levels[0]


def _map_years(v):
    return _store(v).level_years(v["level"])


MAP = Route("map", "/map", (
    dataset_param(uploads="map"),
    Param("level", choices=lambda v: _store(v).map_levels, default=_map_level_default),
    Param("ccat", check=_ccat),
    Param("creg", check=_creg),
    Param("category", choices=lambda v: [ALL] + ([CUSTOM] if v.get("ccat") else [])
          + list(_store(v).categories["category_id"]),
          default=lambda v: CUSTOM if v.get("ccat") else ALL, describe=lambda _v: "the category ids of the dataset"),
    Param("metric", choices=lambda _v: METRICS, default="employment"),
    Param("year", kind="int", choices=_map_years, default=lambda v: _map_years(v)[-1]),
    start_year_param(_map_years, write=lambda s: s.get("metric") == "growth"),  # only growth uses it
    rules_param(),
    denominator_param(),
    Param("orgs", choices=lambda _v: ("on", "off"), default="off", write=lambda s: s.get("orgs") == "on"),
), order=("dataset", "level", "category", "metric", "year", "start_year", "rules", "denominator", "ccat", "creg",
          "orgs"))


# ---------------------------------------------------------------------------- /region/<dataset>/<region_id>

def _region_have(v):
    if v.get("region_id") == CUSTOM and v.get("creg"):
        return list(views.region_years(v["dataset"], v["creg"]))
    return views.years_with_data(v["dataset"], v["region_id"])


REGION = Route("region", "/region/<dataset>/<region_id>", (
    Param("dataset", path=True),
    Param("region_id", path=True),
    Param("creg", check=_creg),
    Param("ccat", check=_ccat),
    Param("year", kind="int", choices=lambda v: _store(v).years,
          default=lambda v: (_region_have(v) or _store(v).years)[-1]),
    start_year_param(_region_have),
    rules_param(),
    denominator_param(),
), order=("year", "start_year", "rules", "denominator", "creg", "ccat"))


# ---------------------------------------------------------------------------- /category/<dataset>/<category_id>

CATEGORY = Route("category", "/category/<dataset>/<category_id>", (
    Param("dataset", path=True),
    Param("category_id", path=True),
    Param("ccat", check=_ccat),
    Param("creg", check=_creg),
    Param("year", kind="int", choices=lambda v: _store(v).years, default=lambda v: _store(v).years[-1]),
    Param("level", choices=lambda v: _store(v).levels, default=lambda v: _store(v).meta["default_level"]),
    start_year_param(lambda v: _store(v).level_years(v["level"])),  # the top regions' growth
), order=("year", "start_year", "level", "ccat", "creg"))


# ---------------------------------------------------------------------------- /compare

def _compare_level(value, v):
    if v.get("creg"):  # a custom region is compared with regions of its members' level
        return views.member_level(v["dataset"], v["creg"])
    return value


def _compare_years(v):
    return _store(v).level_years(v["level"])


def _level_region_ids(v):
    return [rid for rid, _ in _store(v).level_regions(v["level"], v["year"])]


def _peer_choices(v):
    exclude = set()
    if v.get("creg"):
        exclude = set(views.parse_region(v["dataset"], v["creg"]).members)
    return [r for r in _level_region_ids(v) if r != v.get("region") and r not in exclude]


COMPARE = Route("compare", "/compare", (
    dataset_param(uploads="any"),
    Param("creg", check=_creg),
    Param("level", choices=lambda v: _store(v).levels, default=lambda v: _compare_level(
        _store(v).meta["default_level"], v), check=_compare_level),
    Param("year", kind="int", choices=_compare_years, default=lambda v: _compare_years(v)[-1]),
    start_year_param(_compare_years),
    rules_param(),
    denominator_param(),
    Param("basis", choices=lambda _v: list(BASES), default="structure"),
    Param("region", choices=_level_region_ids,
          default=lambda v: None if v.get("creg") else views.default_region(v["dataset"], v["level"], v["year"]),
          check=lambda value, v: None if v.get("creg") else value,
          write=lambda s: not s.get("creg"), describe=lambda v: f"a region of this level with data in {v['year']}"),
    Param("peers", kind="list", choices=_peer_choices, default=None),
    Param("cpeers", kind="multi", check=_cregs, default=()),
    Param("ccat", check=_ccat),
    Param("category", choices=lambda v: [ALL, TRADED] + ([CUSTOM] if v.get("ccat") else [])
          + list(_store(v).categories["category_id"]), default=ALL,
          describe=lambda _v: "all, traded or a category id"),
), order=("dataset", "level", "region", "creg", "year", "start_year", "rules", "denominator", "basis", "peers",
          "cpeers", "category", "ccat"))


# ---------------------------------------------------------------------------- /build, /methodology, /

BUILD = Route("build", "/build", (
    dataset_param(),
    Param("ccat", check=_ccat),
    Param("creg", check=_creg),
))

METHODOLOGY = Route("methodology", "/methodology", (
    Param("dataset", choices=lambda _v: list(BASE_DATASETS), default=lambda _v: BASE_DATASETS[0]),
))

HOME = Route("home", "/", ())


# ---------------------------------------------------------------------------- /organisations, /organisation/<id>, /partners

def _orgs():
    from analytics.serving import organisations
    return organisations.frame()


def _org_values(column):
    return lambda v: sorted(_orgs()[column].dropna().unique())


def _org_categories(v):
    from analytics.serving import organisations
    return sorted(organisations.category_names())


def _org_regions(value, v):
    ids_ = _orgs()["region_id"].dropna()
    if not ids_.str.startswith(value).any():
        raise ParamError("matches no located organisation's region")
    return value


def _org_id(value, _v):
    if value not in set(_orgs()["id"]):
        raise ParamError("is not the id of a published organisation")
    return value


ORGANISATIONS = Route("organisations", "/organisations", (
    Param("dataset", choices=lambda _v: list(DATASETS)),
    Param("country", choices=_org_values("country")),
    Param("region", check=_org_regions),
    Param("category", choices=_org_categories, describe=lambda _v: "a category id"),
    Param("ecosystem", choices=_org_values("ecosystem")),
    Param("type", choices=_org_values("type")),
    Param("located", choices=lambda _v: ["yes", "no"]),
    Param("q", check=lambda value, _v: value.strip()[:100] or None),
))

ORGANISATION = Route("organisation", "/organisation/<org_id>", (
    Param("org_id", path=True),
))

def _partner_region(value, v):
    if v.get("org"):
        return None
    if value not in set(_store(v).regions["region_id"]):
        raise ParamError(f"is not a region of the {DATASETS[v['dataset']]['label']} data")
    return value


SIDES = ("eu", "us")
PARTNERS = Route("partners", "/partners", (
    Param("org", check=_org_id),
    Param("dataset", choices=lambda _v: list(SIDES), default=lambda v: None if v.get("org") else "eu",
          check=lambda value, v: None if v.get("org") else value),
    Param("region", check=_partner_region),
    Param("category", choices=lambda v: [] if v.get("org") else list(_store(v).categories["category_id"]),
          check=lambda value, v: None if v.get("org") else value, describe=lambda _v: "a category id of the dataset"),
    Param("side", choices=lambda _v: SIDES),
    Param("country", kind="list", choices=_org_values("country")),
    Param("ecosystem", choices=_org_values("ecosystem")),
    Param("type", choices=_org_values("type")),
    Param("home", choices=lambda _v: ["include"]),
    Param("limit", kind="int", choices=lambda _v: [10, 20, 50, 100], default=50),
), order=("org", "dataset", "region", "category", "side", "country", "ecosystem", "type", "home", "limit"))

# /upload: the page takes no parameters (an upload's key is never in its address)
UPLOAD = Route("upload", "/upload", ())

ROUTES = {r.name: r for r in (HOME, MAP, REGION, CATEGORY, COMPARE, BUILD, METHODOLOGY, ORGANISATIONS, ORGANISATION,
                              PARTNERS, UPLOAD)}


def report_links(route: Route, state: dict) -> list:
    """"Report (PDF)" and "Print view" buttons of a region or category profile (web/reports.py).
    Their address is the page's own plus ``/report.pdf`` or ``/report``; assets/shell.js rewrites
    it at the click from the address bar, which always holds the page's current state."""
    from dash import html

    base = route.href(**state)
    path, _, query = base.partition("?")
    query = "?" + query if query else ""
    return [html.A(label, href=f"{path}/{suffix}{query}", className="btn btn-outline-secondary btn-sm me-2 js-report-link",
                   title=title, **{"data-report": suffix})
            for label, suffix, title in (("Report (PDF)", "report.pdf", "A printable report of this view as a PDF"),
                                         ("Print view", "report", "The report as a page to print"))]
