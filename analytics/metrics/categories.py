"""Cluster-category definitions: the committed European file and (later) the US benchmark.

A definitions table maps building-block industries to exactly one category each:
``industry, category_id`` plus ``categories``: ``category_id, category_name, category_type``.
``near_ties`` reads the European derivation's trace file: the divisions whose type or category
was a near-tie (see ``analytics.sources.eu.definitions``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.config import DEFINITIONS_DIR

EU_DEFINITIONS = DEFINITIONS_DIR / "eu_cluster_categories.csv"
EU_TRACE = DEFINITIONS_DIR / "eu_cluster_categories_trace.csv"
NEAR_TIE_COLUMNS = ["nace_code", "near_tie", "traded_share", "local_share", "type_margin", "category",
                    "category_type", "share", "runner_up", "runner_up_share", "category_margin"]


@dataclass(frozen=True)
class Definitions:
    industry_map: pd.DataFrame  # industry, category_id
    categories: pd.DataFrame  # category_id, category_name, category_type
    industries: pd.DataFrame  # industry, industry_name, category_id (may be empty), category_type

    def type_of_industry(self) -> pd.Series:
        return self.industries.set_index("industry")["category_type"]


def load_eu_definitions(path=EU_DEFINITIONS) -> Definitions:
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    blocks = d[d["nace_level"] == "division"].copy()
    industries = blocks.rename(columns={"nace_code": "industry", "nace_name": "industry_name"})[
        ["industry", "industry_name", "category_id", "category_type"]
    ].reset_index(drop=True)
    assigned = industries[industries["category_id"] != ""]
    cats = (
        blocks[blocks["category_id"] != ""][["category_id", "category_name", "category_type"]]
        .drop_duplicates("category_id").sort_values("category_name").reset_index(drop=True)
    )
    return Definitions(assigned[["industry", "category_id"]].reset_index(drop=True), cats, industries)


def read_trace(path=EU_TRACE) -> pd.DataFrame:
    """The trace file as written (shares as numbers, empty flags as "")."""
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("weight", "share", "type_share"):
        t[col] = pd.to_numeric(t[col], errors="coerce")
    return t


def near_ties(trace: pd.DataFrame) -> pd.DataFrame:
    """One row per division the trace flags as a near-tie, in code order.

    ``trace`` has the trace file's columns (``read_trace``): one row per (division, US cluster),
    ranked by weight within the division, with ``cluster_type``, ``share``, ``type_share``,
    ``chosen`` ("yes" on the rule's choice) and ``near_tie`` ("type", "category" or
    "type+category", repeated on each row of the division). Returns ``NEAR_TIE_COLUMNS``: the
    traded and local shares and their difference, the rule's category and its share, the next
    cluster of the same type and its share, and the category margin (shares of the division's
    weight; NaN where there is no runner-up).
    """
    rows = []
    flagged = trace[trace["near_tie"].fillna("").astype(str) != ""]
    for code, g in flagged.groupby("nace_code", sort=True):
        chosen = g[g["chosen"] == "yes"]
        if chosen.empty:
            continue
        chosen = chosen.iloc[0]
        same = g[(g["cluster_type"] == chosen["cluster_type"]) & (g["chosen"] != "yes")]
        same = same.sort_values("share", ascending=False, kind="stable")
        type_share = g.groupby("cluster_type")["type_share"].first()
        traded, local = float(type_share.get("traded", 0.0)), float(type_share.get("local", 0.0))
        runner = same.iloc[0] if len(same) else None
        rows.append({
            "nace_code": code, "near_tie": chosen["near_tie"], "traded_share": traded, "local_share": local,
            "type_margin": abs(traded - local), "category": chosen["cluster_name"],
            "category_type": chosen["cluster_type"], "share": float(chosen["share"]),
            "runner_up": "" if runner is None else runner["cluster_name"],
            "runner_up_share": float("nan") if runner is None else float(runner["share"]),
            "category_margin": float("nan") if runner is None else float(chosen["share"] - runner["share"]),
        })
    return pd.DataFrame(rows, columns=NEAR_TIE_COLUMNS)
