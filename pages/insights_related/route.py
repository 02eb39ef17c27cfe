"""The page's address, declared once (``components.url_state``):
``/insights/related?dataset=&level=&year=&region=&lq=``. ``lq`` is the LQ threshold (0.25–5, steps of
0.25; default 1) above which a category counts as a specialisation of the region."""
from __future__ import annotations

from analytics.serving import views
from analytics.serving.store import available_datasets, get_store
from components.routes import dataset_param
from components.url_state import Param, ParamError, Route

LQ_MIN, LQ_MAX, LQ_STEP, LQ_DEFAULT = 0.25, 5.0, 0.25, 1.0


def _levels(v):
    store = get_store(v["dataset"])
    return [lv for lv in store.levels if len(store.level_regions(lv, store.level_years(lv)[-1])) > 1]


def _level_default(v):
    default = get_store(v["dataset"]).meta.get("default_level")
    return default if default in _levels(v) else _levels(v)[0]


def _years(v):
    return get_store(v["dataset"]).level_years(v["level"])


def _regions(v):
    return [rid for rid, _ in get_store(v["dataset"]).level_regions(v["level"], v["year"])]


def _lq(value, _v):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParamError("is not a number") from None
    if not (LQ_MIN <= x <= LQ_MAX):
        raise ParamError(f"is outside {LQ_MIN}–{LQ_MAX:g}")
    return round(round(x / LQ_STEP) * LQ_STEP, 2)


RELATED = Route("insights_related", "/insights/related", (
    dataset_param(choices=lambda _v: available_datasets(bases_only=True)),
    Param("level", choices=_levels, default=_level_default),
    Param("year", kind="int", choices=_years, default=lambda v: _years(v)[-1],
          describe=lambda v: f"a year with data at this level ({_years(v)[0]}–{_years(v)[-1]})"),
    Param("region", choices=_regions, default=lambda v: views.default_region(v["dataset"], v["level"], v["year"]),
          describe=lambda v: f"a region of this level with data in {v['year']}"),
    Param("lq", check=_lq, default=LQ_DEFAULT, write=lambda s: s.get("lq") != LQ_DEFAULT),
))
