"""Star ratings as pluggable rule sets (METHODOLOGY.md §2, "Star ratings").

A rule set is data: its thresholds and percentile scopes are fields, shown on the
methodology page. ``rate(metrics, rules, lq_col)`` returns, for every regional cluster, the
criteria it meets (booleans), the thresholds it was compared with, and the star count.

Percentiles use linear interpolation (numpy's default) over the regional clusters with
employment > 0 in the scope; a value exactly at a threshold meets it ("≥"), except the US
size criteria, which are strict ("> 25th percentile") as the US portal defines them.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

GROUP = ["category_id", "year"]


def _rated(df: pd.DataFrame, types: tuple[str, ...]) -> pd.Series:
    if "category_type" not in df.columns:
        return pd.Series(True, index=df.index)
    return df["category_type"].isin(types)


def _pct(df: pd.DataFrame, col: str, q: float, by: list[str] | None, rated: pd.Series | None = None) -> pd.Series:
    """Per-row q-quantile of ``col`` among rated rows with employment > 0 in the same group."""
    keep = df["employment"] > 0
    if rated is not None:
        keep &= rated
    valid = df[col].where(keep)
    if by is None:
        by = ["year"]
    keys = [df[b] for b in by]
    per_group = valid.groupby(keys).quantile(q, interpolation="linear")
    where = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
    return pd.Series(per_group.reindex(where).to_numpy(), index=df.index, dtype=float)


@dataclass(frozen=True)
class Eco2008:
    """European Cluster Observatory 2008: one star per criterion met (0–3)."""

    name: str = "eco2008"
    label: str = "ECO 2008 stars"
    size_top_share: float = 0.10  # top 10 % by employment ...
    size_scope: str = "within category"  # ... among regional clusters of the same category
    lq_min: float = 2.0
    focus_top_share: float = 0.10  # top 10 % by focus ...
    focus_scope: str = "all categories"  # ... among all regional clusters together
    rated_types: tuple[str, ...] = ("traded",)  # local categories are background, not rated
    criteria: tuple[str, ...] = ("size", "specialisation", "focus")

    def describe(self) -> list[str]:
        return [
            f"Size: employment in the top {self.size_top_share:.0%} of regional clusters of the same "
            f"category, level and year (≥ the {1 - self.size_top_share:.0%} percentile).",
            f"Specialisation: location quotient ≥ {self.lq_min:g}.",
            f"Focus: the category's share of regional employment in the top {self.focus_top_share:.0%} "
            f"of all regional clusters of the level and year (all categories together).",
            f"Only {', '.join(self.rated_types)} categories are rated; percentiles are taken over them.",
        ]

    def focus_thresholds(self, m: pd.DataFrame) -> pd.Series:
        """The focus threshold of each year (the pool: all rated regional clusters of ``m``)."""
        thr = _pct(m, "focus", 1 - self.focus_top_share, GROUP if self.focus_scope == "within category" else None,
                   _rated(m, self.rated_types))
        return thr.groupby(m["year"].to_numpy()).first()

    def rate(self, m: pd.DataFrame, lq_col: str = "lq_total") -> pd.DataFrame:
        rated = _rated(m, self.rated_types)
        size_thr = _pct(m, "employment", 1 - self.size_top_share,
                        GROUP if self.size_scope == "within category" else None, rated)
        focus_thr = _pct(m, "focus", 1 - self.focus_top_share,
                         GROUP if self.focus_scope == "within category" else None, rated)
        out = pd.DataFrame(index=m.index)
        out["rated"] = rated
        out["star_size"] = rated & (m["employment"] > 0) & (m["employment"] >= size_thr)
        out["star_specialisation"] = rated & (m[lq_col] >= self.lq_min)
        out["star_focus"] = rated & (m["employment"] > 0) & (m["focus"] >= focus_thr)
        out["size_threshold"] = size_thr
        out["lq_threshold"] = self.lq_min
        out["focus_threshold"] = focus_thr
        stars = out[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype("Int8")
        # a regional cluster whose employment is missing cannot be rated: unknown, never 0 stars
        out["stars"] = stars.where(rated & m["employment"].notna())
        return out


@dataclass(frozen=True)
class UsStrong:
    """US Cluster Mapping "strong cluster": within one region type, cluster and year."""

    name: str = "us-strong"
    label: str = 'US "strong cluster"'
    lq_pct: float = 0.75
    top_lq_pct: float = 0.90
    lq_min: float = 1.0
    size_pct: float = 0.25
    rated_types: tuple[str, ...] = ("traded",)
    criteria: tuple[str, ...] = ("size", "specialisation")

    def describe(self) -> list[str]:
        return [
            f"Specialisation: LQ ≥ the {self.lq_pct:.0%} percentile of LQ among regions of the same type "
            f"with employment in the cluster that year, and LQ ≥ {self.lq_min:g}.",
            f"Size: employment > the {self.size_pct:.0%} percentile and establishments > the "
            f"{self.size_pct:.0%} percentile (same scope).",
            f'Strong = both. "Top strong" uses the {self.top_lq_pct:.0%} LQ percentile instead. '
            "Stars: 1 = strong, 2 = top strong. Only traded clusters are rated.",
        ]

    def rate(self, m: pd.DataFrame, lq_col: str = "lq_type") -> pd.DataFrame:
        rated = _rated(m, self.rated_types)
        lq_thr = _pct(m, lq_col, self.lq_pct, GROUP)
        top_thr = _pct(m, lq_col, self.top_lq_pct, GROUP)
        emp_thr = _pct(m, "employment", self.size_pct, GROUP)
        units_thr = _pct(m, "units", self.size_pct, GROUP)
        out = pd.DataFrame(index=m.index)
        out["rated"] = rated
        spec = rated & (m[lq_col] >= lq_thr) & (m[lq_col] >= self.lq_min)
        units_ok = (m["units"] > units_thr) | (m["units"].isna() & units_thr.isna())
        size = rated & (m["employment"] > emp_thr) & units_ok
        out["star_size"] = size
        out["star_specialisation"] = spec
        out["star_focus"] = pd.NA
        out["strong"] = spec & size
        out["top_strong"] = out["strong"] & (m[lq_col] >= top_thr)
        out["lq_threshold"] = lq_thr
        out["top_lq_threshold"] = top_thr
        out["size_threshold"] = emp_thr
        out["units_threshold"] = units_thr
        stars = (out["strong"].astype("int8") + out["top_strong"].astype("int8")).astype("Int8")
        # a regional cluster whose employment is missing cannot be rated: unknown, never 0 stars
        out["stars"] = stars.where(rated & m["employment"].notna())
        return out


RULE_SETS = {r.name: r for r in (Eco2008(), UsStrong())}


def get_rules(name: str):
    try:
        return RULE_SETS[name]
    except KeyError:
        raise ValueError(f"unknown rule set {name!r}; choose one of {', '.join(RULE_SETS)}") from None


def rate(metrics: pd.DataFrame, rules: str = "eco2008", denominator: str = "total") -> pd.DataFrame:
    """Star columns for ``metrics`` (one region level) under a rule set and LQ denominator."""
    lq_col = lq_column(denominator)
    return get_rules(rules).rate(metrics, lq_col)


def lq_column(denominator: str) -> str:
    if denominator not in ("total", "traded"):
        raise ValueError(f"unknown denominator {denominator!r}; choose total or traded")
    return "lq_total" if denominator == "total" else "lq_type"
