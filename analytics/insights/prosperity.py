"""Cluster strength against prosperity: the points and the quadratic fit per dataset, level, year and variant.

x is a region's cluster strength as a share (0–1), in one of two variants, both computed once by
``analytics.metrics.regions.region_measures`` and read here through the serving view
``analytics.serving.views.region_indicators`` (so a page and the CLI show the same numbers):

* ``lq2`` (the seed report's, column ``cluster_strength``): employment in *traded* categories whose
  location quotient is **greater than 2** ÷ the region's **total** employment. The LQ is under the
  dataset's default denominator (Europe: total employment; US: traded employment for traded categories).
* ``us-strong`` (the US Cluster Mapping portal's, column ``cluster_strength_us``): employment in
  *strong* traded clusters ÷ the region's **traded** employment, where strong = LQ (over traded
  employment) ≥ the 75th percentile of the category's LQs among regions of the level with employment,
  and LQ ≥ 1, employment > its 25th percentile, establishments/local units > their 25th percentile.

y is GDP per capita: PPS per inhabitant in Europe (``gdp_pc_pps``), real GDP per capita in chained
2012 dollars in the US (``gdp_pc_real``). Regions with both values enter; nothing is imputed.
The fit is ``analytics.metrics.prosperity.fit`` (ordinary least squares of y = a·x² + b·x + c).
"""
from __future__ import annotations

import pandas as pd

from analytics.metrics.prosperity import QuadraticFit, fit

VARIANTS = {
    "lq2": {"column": "cluster_strength",
            "label": "Cluster strength: share of total employment in traded categories with LQ > 2"},
    "us-strong": {"column": "cluster_strength_us",
                  "label": "Cluster strength (US portal): share of traded employment in strong traded clusters"},
}
POINT_COLUMNS = ["region_id", "region_name", "x", "y"]


class InsightError(ValueError):
    """A request the data cannot answer (unknown level, year without GDP …); ``str()`` is one line."""


def _spans(years: list[int]) -> str:
    spans, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            spans.append(f"{start}–{a}" if a != start else str(a))
            start = b
    return ", ".join(spans)


def prosperity_years(dataset: str, level: str) -> list[int]:
    """Years of the level in which at least one region has both cluster strength and GDP per capita."""
    from analytics.serving.store import get_store

    store = get_store(dataset)
    y = store.meta["prosperity"]["column"]
    ind = store.indicators
    ind = ind[(ind["level"] == level) & ind[y].notna() & ind["cluster_strength"].notna()]
    return sorted(int(v) for v in ind["year"].unique())


def prosperity_points(dataset: str, level: str, year: int, variant: str = "lq2",
                      definitions: str | None = None) -> pd.DataFrame:
    """``region_id, region_name, x, y`` of the level's regions with both values in ``year``, by region id.

    ``definitions``: a European definitions set (``analytics.insights.definitions.definition_sets``);
    None = the set the build uses. Raises :class:`InsightError` for an unknown dataset, level, variant
    or set, or a year without data.
    """
    from analytics.serving import views
    from analytics.serving.store import LEVELS, get_store

    if dataset not in LEVELS:
        raise InsightError(f"dataset {dataset!r}: choose one of {', '.join(LEVELS)}")
    if variant not in VARIANTS:
        raise InsightError(f"variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    store = get_store(dataset)
    if level not in store.levels:
        raise InsightError(f"level {level!r}: {dataset} has levels {', '.join(store.levels)}")
    years = prosperity_years(dataset, level)
    if not years:
        raise InsightError(f"{dataset} {level}: no region has GDP per capita "
                           f"({store.meta['prosperity']['label']}) in any year")
    if int(year) not in years:
        raise InsightError(f"year {year}: {dataset} {level} has cluster strength and GDP per capita for "
                           f"{_spans(years)}")
    if definitions is None:
        ind = views.region_indicators(dataset, level, int(year))
        ind = ind[~ind["custom"]]
    else:
        from analytics.insights.definitions import definition_sets, set_region_indicators

        if dataset != "eu":
            raise InsightError(f"definitions {definitions!r}: definitions sets are for eu only")
        if definitions not in definition_sets():
            raise InsightError(f"definitions {definitions!r}: the European sets are {', '.join(definition_sets())}")
        try:
            ind = set_region_indicators(definitions, level, int(year))
        except FileNotFoundError:
            raise InsightError(f"definitions {definitions!r}: not in the build; run python -m analytics build") from None
    x = ind[VARIANTS[variant]["column"]].astype(float)
    if (x.dropna() > 1).any():  # the engine stores shares; a percent would be a bug upstream
        raise InsightError(f"cluster strength above 1 in {dataset} {level} {year}: not a share")
    out = pd.DataFrame({"region_id": ind["region_id"], "region_name": ind["region_name"], "x": x,
                        "y": ind[store.meta["prosperity"]["column"]].astype(float)})
    return out.dropna(subset=["x", "y"]).sort_values("region_id").reset_index(drop=True)


def prosperity_fit(dataset: str, level: str, year: int, variant: str = "lq2",
                   definitions: str | None = None) -> QuadraticFit:
    """The least-squares quadratic through :func:`prosperity_points` (x share 0–1, y GDP per capita)."""
    pts = prosperity_points(dataset, level, year, variant, definitions)
    result = fit(pts, x_col="x", y_col="y")
    if result is None:
        raise InsightError(f"{dataset} {level} {year}: {len(pts)} regions with both values, at least 4 needed")
    return result
