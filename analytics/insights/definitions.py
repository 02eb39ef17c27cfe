"""The European definitions sets a page or the CLI may pick, and where their numbers live.

``us-concorded`` (the committed categories) is the build's ``eu`` dataset; ``eu-colocation`` (the
categories the build derives from European co-location, :mod:`analytics.metrics.colocation`) is the
build's ``eu-colocation`` dataset, written beside it with its own metrics, stars and region measures.
Every function here only selects from those stores, so a set's numbers are the ones the map, the
profiles and the API show for that dataset (one source of truth); nothing is recomputed per request.
"""
from __future__ import annotations

import pandas as pd

from analytics.metrics.colocation import DEFINITION_SETS, REFERENCE_SET, SET_NAME

SET_DATASETS = {REFERENCE_SET: "eu", SET_NAME: SET_NAME}  # definitions set → dataset of the build
TOTALS = {"total_employment": "total", "traded_employment": "traded", "local_employment": "local"}


def definition_sets() -> dict[str, str]:
    """Name → one-line description of the European definitions sets."""
    return dict(DEFINITION_SETS)


def dataset_of(name: str) -> str:
    """The dataset of the build that holds the set ``name`` (``KeyError`` for an unknown set)."""
    if name not in SET_DATASETS:
        raise KeyError(f"definitions set {name!r}: choose one of {', '.join(DEFINITION_SETS)}")
    return SET_DATASETS[name]


def _store(name: str, level: str):
    from analytics.serving.store import get_store

    store = get_store(dataset_of(name))
    if not store.path("metrics.parquet").exists():
        raise FileNotFoundError(f"definitions set {name!r} is not in the build; run python -m analytics build")
    if level not in store.levels:
        raise ValueError(f"level {level!r}: eu has levels {', '.join(store.levels)}")
    return store


def set_metrics(name: str, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Region × category × year metrics of one EU level under the set ``name`` (every year), and the
    region totals (region_id, level, year, traded, local, total). ``KeyError`` for an unknown set,
    ``ValueError`` for an unknown level, ``FileNotFoundError`` before a build made the set."""
    store = _store(name, level)
    ind = store.indicators
    totals = ind.loc[ind["level"] == level, ["region_id", "level", "year", *TOTALS]].rename(columns=TOTALS)
    return store.level_metrics(level), totals.reset_index(drop=True)


def set_table(name: str, level: str, year: int, rules: str | None = None,
              denominator: str | None = None) -> pd.DataFrame:
    """One level and year under the set, with star columns and ``lq`` under the denominator
    (``Store.table`` of the set's dataset)."""
    return _store(name, level).table(level, int(year), rules, denominator)


def set_region_indicators(name: str, level: str, year: int, rules: str | None = None,
                          denominator: str | None = None) -> pd.DataFrame:
    """Region-level measures (cluster strength in both variants, starred and strong counts …) of one
    level and year under the set, with GDP per capita, population and patents: the built-in regions
    of ``analytics.serving.views.region_indicators`` for the set's dataset."""
    from analytics.serving import views

    _store(name, level)
    ind = views.region_indicators(dataset_of(name), level, int(year), rules, denominator)
    return ind[~ind["custom"]].sort_values("region_id").reset_index(drop=True)
