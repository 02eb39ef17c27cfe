"""Impute confidential / missing NUTS cells from the parent region's remainder.

Method (documented in METHODOLOGY.md §5 and docs/DATA_QUALITY.md): for one industry and
year, the parent's published value minus the sum of its children's published values is the
remainder held back by confidentiality. It is spread over the children whose value is
missing, in proportion to each child's weight (its total employment from the Labour Force
Survey; where that is missing, the sum of its published values over all industries; where
that is missing too, equally). The cascade runs country → NUTS 1 → NUTS 2, so a NUTS 1 value
imputed in the first pass can be the parent in the second.

Only children that are *covered* that year (at least one published value for the indicator
in any industry) are imputed: a region with no data at all stays missing. A remainder that
is not positive leaves the children missing (published figures inconsistent). Every imputed
cell is marked ``imputed=True``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _level(geo: pd.Series) -> pd.Series:
    return geo.str.len() - 2  # 0 country, 1 NUTS 1, 2 NUTS 2


def impute_from_parents(cells: pd.DataFrame, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fill missing child cells from parent remainders.

    ``cells``: columns ``geo, nace, year, value`` (value NaN = missing) for countries (2-char),
    NUTS 1 (3-char) and NUTS 2 (4-char) codes; extra-regio codes (``..ZZ``, ``..Z``) count as
    published children but are never imputed.
    ``weights``: optional columns ``geo, year, weight`` (e.g. LFS total employment).
    Returns ``cells`` with ``value`` filled where possible and a boolean ``imputed`` column.
    """
    out = cells.copy()
    out["imputed"] = False
    out["level"] = _level(out["geo"])
    extra = out["geo"].str.endswith("Z")
    covered = (
        out[out["value"].notna()].groupby(["geo", "year"]).size().rename("n_published").reset_index()
    )
    fallback = (
        out[out["value"].notna()].groupby(["geo", "year"])["value"].sum().rename("fallback_w").reset_index()
    )
    for child_level in (1, 2):
        out = _one_pass(out, child_level, extra, covered, fallback, weights)
    return out.drop(columns=["level"])


def _one_pass(out, child_level, extra, covered, fallback, weights):
    key = ["nace", "year"]
    children = out[(out["level"] == child_level) & ~extra].copy()
    children["parent"] = children["geo"].str[: 1 + child_level]
    parents = out[out["level"] == child_level - 1][["geo", "nace", "year", "value"]].rename(
        columns={"geo": "parent", "value": "parent_value"}
    )
    all_children = out[out["level"] == child_level].copy()
    all_children["parent"] = all_children["geo"].str[: 1 + child_level]
    known = all_children.groupby(["parent", *key])["value"].sum(min_count=1).rename("known").reset_index()

    todo = children[children["value"].isna()]
    todo = todo.merge(covered, on=["geo", "year"], how="inner")  # only covered regions
    if todo.empty:
        return out
    todo = todo.merge(parents, on=["parent", *key], how="inner").merge(known, on=["parent", *key], how="left")
    todo["remainder"] = todo["parent_value"] - todo["known"].fillna(0.0)
    todo = todo[todo["remainder"] > 0]
    if todo.empty:
        return out
    if weights is not None:
        todo = todo.merge(weights, on=["geo", "year"], how="left")
    else:
        todo["weight"] = np.nan
    todo = todo.merge(fallback, on=["geo", "year"], how="left")
    group = ["parent", *key]
    # one weight source per group so shares add up to one
    grouped = todo.groupby(group)
    n = grouped["remainder"].transform("size")
    has_lfs = grouped["weight"].transform("count") == n
    has_fb = grouped["fallback_w"].transform("count") == n
    todo["w"] = np.where(has_lfs, todo["weight"], np.where(has_fb, todo["fallback_w"], 1.0))
    wsum = todo.groupby(group)["w"].transform("sum")
    share = np.where(wsum > 0, todo["w"] / wsum.where(wsum > 0, 1.0), 1.0 / n)
    todo["fill"] = todo["remainder"] * share
    fills = todo.set_index(["geo", *key])["fill"]
    idx = pd.MultiIndex.from_frame(out[["geo", *key]])
    fill_vals = fills.reindex(idx).to_numpy()
    mask = out["value"].isna().to_numpy() & ~np.isnan(fill_vals)
    out.loc[mask, "value"] = fill_vals[mask]
    out.loc[mask, "imputed"] = True
    return out
