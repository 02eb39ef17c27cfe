"""Metrics of the European regions under a named definitions set, for a page that lets the reader pick
the set (``us-concorded``, the committed one the build uses; ``eu-colocation``, the build's derived one).

The numbers go through the build's own code path (``analytics.metrics.regions``: ``benchmark`` over the
NUTS 2 facts, ``level_metrics``, ``rate_per_level``, ``region_indicators``) on the build's industry-level
facts, so the ``us-concorded`` set reproduces the built tables exactly and the derived set is computed
the same way. Results are held per process (set, level, build folder); callers treat them as read-only.
"""
from __future__ import annotations

import pandas as pd

from analytics.metrics.colocation import DEFINITION_SETS, load_definitions_set

_HELD: dict[tuple, object] = {}


def definition_sets() -> dict[str, str]:
    """Name → one-line description of the European definitions sets."""
    return dict(DEFINITION_SETS)


def _store():
    from analytics.serving.store import get_store

    return get_store("eu")


def _held(key: tuple, load):
    if key not in _HELD:
        _HELD[key] = load()
    return _HELD[key]


def set_metrics(name: str, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Region × category × year metrics of one EU level under the set ``name`` (every year), and the
    region totals E(r). ``KeyError`` for an unknown set, ``ValueError`` for an unknown level."""
    store = _store()
    if level not in store.levels:
        raise ValueError(f"level {level!r}: eu has levels {', '.join(store.levels)}")

    def load():
        from analytics.metrics.regions import benchmark, level_metrics

        defs = load_definitions_set(name, store.dir.parent)
        bench = store.facts(store.meta["benchmark_level"]).astype({"industry": str})
        bc, bt = benchmark(bench, defs)
        return level_metrics(store.facts(level).astype({"industry": str}), defs, bc, bt, store.regions, level)

    return _held((name, level, str(store.dir)), load)


def set_table(name: str, level: str, year: int, rules: str | None = None,
              denominator: str | None = None) -> pd.DataFrame:
    """One level and year under the set, with star columns (rated within the level) and ``lq`` under
    the denominator: the columns of ``Store.table``."""
    from analytics.metrics.regions import rate_per_level
    from analytics.metrics.stars import lq_column

    store = _store()
    rules, denominator = store.rules_and_denominator(rules, denominator)
    m, _ = set_metrics(name, level)

    def load():  # percentiles are within one year (analytics.metrics.stars), so one year is rated alone
        rows = m[m["year"] == int(year)]
        out = rows.join(rate_per_level(rows, rules, denominator)).reset_index(drop=True)
        out["lq"] = out[lq_column(denominator)]
        return out

    return _held((name, level, str(store.dir), int(year), rules, denominator), load)


def set_region_indicators(name: str, level: str, year: int, rules: str | None = None,
                          denominator: str | None = None) -> pd.DataFrame:
    """Region-level measures (cluster strength in both variants, starred and strong counts …) of one
    level and year under the set, with the build's external indicators (GDP per capita, population,
    patents) joined by region."""
    from analytics.metrics.regions import region_indicators

    store = _store()
    rules, denominator = store.rules_and_denominator(rules, denominator)
    m, totals = set_metrics(name, level)
    m, totals = m[m["year"] == int(year)], totals[totals["year"] == int(year)]
    ind = region_indicators(m, totals, rules, denominator)
    ext = store.indicators
    ext = ext[(ext["level"] == level) & (ext["year"] == int(year))]
    ext = ext[["region_id", *[c for c in ext.columns if c not in ind.columns]]]
    out = ind.merge(ext, on="region_id", how="left")
    out.insert(1, "region_name", out["region_id"].map(store.region_names))
    return out.sort_values("region_id").reset_index(drop=True)
