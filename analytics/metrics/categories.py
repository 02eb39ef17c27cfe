"""Cluster-category definitions: the committed European file and (later) the US benchmark.

A definitions table maps building-block industries to exactly one category each:
``industry, category_id`` plus ``categories``: ``category_id, category_name, category_type``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.config import DEFINITIONS_DIR

EU_DEFINITIONS = DEFINITIONS_DIR / "eu_cluster_categories.csv"


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
