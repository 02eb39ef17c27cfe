"""The page's address, declared once (``components.url_state``):
``/insights/prosperity?dataset=&level=&y=&year=&variant=&definitions=&region=``.

Levels are those with at least four regions that have the y-axis measure; years are those in which
regions of the level have both cluster strength and the measure (US GDP per capita: 2000–2011 only);
``definitions`` (Europe only) picks the European definitions set; ``region`` is the highlighted region.
"""
from __future__ import annotations

from analytics.insights.definitions import definition_sets
from analytics.insights.prosperity import VARIANTS
from analytics.serving.store import available_datasets, get_store
from components.routes import dataset_param
from components.url_state import Param, ParamError, Route
from pages.insights_prosperity import data

REFERENCE_SET = "us-concorded"


def _levels(v):
    return data.levels(v["dataset"], v.get("y") or "gdp")


def _level_default(v):
    levels = _levels(v)
    default = get_store(v["dataset"]).meta.get("default_level")
    return default if default in levels else (levels[0] if levels else None)


def _years(v):
    return data.years(v["dataset"], v["level"], v["y"]) if v.get("level") else []


def _definitions(value, v):
    if v["dataset"] != "eu":
        raise ParamError("applies to the European data only")
    if value not in definition_sets():
        raise ParamError("is not one of " + ", ".join(definition_sets()))
    return value


def _region(value, v):
    if v.get("level") is None or v.get("year") is None:
        return None
    if value not in {rid for rid, _ in get_store(v["dataset"]).level_regions(v["level"], v["year"])}:
        raise ParamError(f"is not a region of this level with data in {v['year']}")
    return value


PROSPERITY = Route("insights_prosperity", "/insights/prosperity", (
    dataset_param(choices=lambda _v: available_datasets(bases_only=True)),
    Param("y", choices=lambda _v: list(data.Y_AXES), default="gdp", describe=lambda _v: "gdp or patents"),
    Param("level", choices=_levels, default=_level_default,
          describe=lambda v: "a level with the measure: " + ", ".join(_levels(v))),
    Param("year", kind="int", choices=_years, default=lambda v: (_years(v) or [None])[-1],
          describe=lambda v: "a year with both values (" + data.spans(_years(v)) + ")"),
    Param("variant", choices=lambda _v: list(VARIANTS), default="lq2"),
    Param("definitions", check=_definitions, default=lambda v: REFERENCE_SET if v["dataset"] == "eu" else None,
          write=lambda s: s.get("definitions") not in (None, REFERENCE_SET)),
    Param("region", check=_region),
), order=("dataset", "level", "y", "year", "variant", "definitions", "region"))
