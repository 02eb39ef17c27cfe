"""Growth between two years, defined once: CAGR, absolute change, job creation against expected.

CAGR = (E_end / E_start)^(1/years) − 1, only where E_start > 0 and E_end is known (NaN
otherwise: a missing value never becomes 0 % growth). Absolute change = E_end − E_start.
Expected change (the national-share part of a shift-share) = E_start × g(nation, c), with g
the category's growth over the regions of the same nation with data in both years;
job creation against expected = actual change − expected change.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def cagr(start, end, years: int):
    """CAGR of ``start`` → ``end`` over ``years`` (scalars, arrays or aligned Series)."""
    if years <= 0:
        raise ValueError(f"a growth window needs at least one year (got {years})")
    start = pd.to_numeric(start, errors="coerce") if isinstance(start, pd.Series) else start
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((s > 0) & np.isfinite(e) & np.isfinite(s), (e / np.where(s > 0, s, 1.0)) ** (1.0 / years) - 1.0,
                       np.nan)
    if isinstance(end, pd.Series):
        return pd.Series(out, index=end.index)
    if isinstance(start, pd.Series):
        return pd.Series(out, index=start.index)
    return float(out) if np.ndim(out) == 0 else out


def default_start(years, year: int) -> int | None:
    """The start year a view opens with: about five years before ``year`` (the latest year with
    data ≤ year − 4), else the earliest year with data before it; None when there is none."""
    before = [int(y) for y in years if int(y) < int(year)]
    if not before:
        return None
    near = [y for y in before if y <= int(year) - 4]
    return near[-1] if near else before[0]


def growth(metrics: pd.DataFrame, start: int, end: int, nation_of: pd.Series | None = None) -> pd.DataFrame:
    """Growth of each regional cluster between ``start`` and ``end``.

    ``metrics``: rows region_id, category_id, year, employment (both years). The nation is
    ``nation_of[region_id]`` (a country for Europe; the whole US when ``nation_of`` is None).
    Returns region_id, category_id, emp_start, emp_end, cagr, abs_change, national_growth,
    expected_change, job_creation_vs_expected, start_year, end_year.
    """
    if end <= start:
        raise ValueError(f"end year {end} must be after start year {start}")
    cols = ["region_id", "category_id", "employment"]
    a = metrics.loc[metrics["year"] == start, cols].rename(columns={"employment": "emp_start"})
    b = metrics.loc[metrics["year"] == end, cols].rename(columns={"employment": "emp_end"})
    g = a.merge(b, on=["region_id", "category_id"], how="outer")
    g["cagr"] = cagr(g["emp_start"], g["emp_end"], end - start)
    g["abs_change"] = g["emp_end"] - g["emp_start"]
    g["nation"] = g["region_id"].map(nation_of) if nation_of is not None else "ALL"
    both = g.dropna(subset=["emp_start", "emp_end"])
    nat = both.groupby(["nation", "category_id"])[["emp_start", "emp_end"]].sum().reset_index()
    nat["national_growth"] = nat["emp_end"] / nat["emp_start"].where(nat["emp_start"] > 0) - 1.0
    g = g.merge(nat[["nation", "category_id", "national_growth"]], on=["nation", "category_id"], how="left")
    g["expected_change"] = g["emp_start"] * g["national_growth"]
    g["job_creation_vs_expected"] = g["abs_change"] - g["expected_change"]
    g["start_year"], g["end_year"] = start, end
    return g.drop(columns=["nation"])


def total_growth(start_values: pd.Series, end_values: pd.Series, years: int) -> pd.Series:
    """CAGR per region of a region-level total (e.g. total employment), indexed like ``end_values``."""
    return cagr(start_values.reindex(end_values.index), end_values, years)


def benchmark_growth(start_values: pd.Series, end_values: pd.Series, years: int) -> float:
    """CAGR of a total summed over the regions with a value in both years (regions entering or
    leaving the data do not show up as growth)."""
    both = start_values.dropna().index.intersection(end_values.dropna().index)
    return cagr(float(start_values[both].sum()), float(end_values[both].sum()), years) if len(both) else float("nan")
