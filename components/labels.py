"""What the pages say about a dataset: labels, units, sources, defaults (from ``store.meta``)."""
from __future__ import annotations

import re

from analytics.serving.store import get_store

DENOMINATOR_LABELS = {
    "total": "Region's total employment (ECO)",
    "traded": "Traded / local employment (US portal)",
}


def dataset_ui(dataset: str) -> dict:
    """Labels, units and defaults of a dataset for the pages."""
    store = get_store(dataset)
    meta = store.meta
    ui = {k: meta.get(k) for k in ("employment_unit", "default_rules", "default_denominator", "currency",
                                    "units_label", "industry_system", "source", "benchmark_area",
                                    "benchmark_level", "default_level", "label")}
    prosperity = meta.get("prosperity") or {}
    ui["gdp_column"] = prosperity.get("column")
    label = prosperity.get("label", "GDP per capita")
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", label)
    ui["gdp_label"], ui["gdp_unit"] = (m.group(1), m.group(2)) if m else (label, "")
    ui["levels"] = {lv: meta.get("levels", {}).get(lv, lv) for lv in store.levels}
    return ui


def singular_level(label: str) -> str:
    """'NUTS 2 regions' → 'NUTS 2 region', 'Countries' → 'Country', 'States' → 'State'."""
    if label.endswith("ies"):
        return label[:-3] + "y"
    return label[:-1] if label.endswith("s") else label


def level_label(dataset: str, level: str, singular: bool = False) -> str:
    label = get_store(dataset).meta.get("levels", {}).get(level, level)
    return singular_level(label) if singular else label


def per_person(unit: str) -> str:
    """'persons employed' → 'person employed', 'employees' → 'employee'."""
    return {"persons employed": "person employed", "employees": "employee"}.get(unit, unit)


def category_name(dataset: str, category_id: str) -> str:
    return get_store(dataset).category_names.get(category_id, category_id)
