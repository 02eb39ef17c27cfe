"""The page's numbers: the points and the quadratic fit of cluster strength against GDP per capita
(``analytics.insights.prosperity.prosperity_points`` / ``prosperity_fit``, the CLI's functions) or against
patents (the same region indicators, the dataset's innovation column, the same ``fit``), and the caption."""
from __future__ import annotations

import math

import pandas as pd

from analytics.insights.prosperity import VARIANTS, InsightError, prosperity_fit, prosperity_points
from analytics.metrics.prosperity import QuadraticFit, fit
from analytics.serving import views
from analytics.serving.store import get_store

Y_AXES = {"gdp": "GDP per capita", "patents": "Patents"}
SOURCES = {
    ("eu", "gdp"): "GDP per inhabitant in PPS: Eurostat, nama_10r_3gdp.",
    ("eu", "patents"): "EPO patent applications per million inhabitants: Eurostat, tgs00040 (2007–2012 only).",
    ("us", "gdp"): "Real GDP per capita: BEA SAGDP9N (chained 2012 dollars) ÷ Census population (2000–2011 only).",
    ("us", "patents"): "Utility patents: USPTO patents by county (2000–2015) per 10,000 CBP employees.",
}
MIN_REGIONS = 4


def y_column(dataset: str, y: str) -> str | None:
    return views.prosperity_column(dataset) if y == "gdp" else views.innovation_column(dataset)


def y_label(dataset: str, y: str) -> tuple[str, str]:
    """(what, unit) of the y-axis: ('GDP per capita', 'PPS per inhabitant')."""
    meta = get_store(dataset).meta
    label = (meta.get("prosperity") if y == "gdp" else meta.get("innovation") or {}).get("label", Y_AXES[y])
    if "(" in label and label.endswith(")"):
        what, unit = label[:-1].split("(", 1)
        return what.strip(), unit.strip()
    return label, ""


def years(dataset: str, level: str, y: str) -> list[int]:
    """Years of the level in which at least one region has cluster strength and the y measure."""
    col = y_column(dataset, y)
    ind = get_store(dataset).indicators
    if col is None or col not in ind:
        return []
    ind = ind[(ind["level"] == level) & ind[col].notna() & ind["cluster_strength"].notna()]
    return sorted(int(v) for v in ind["year"].unique())


def levels(dataset: str, y: str) -> list[str]:
    """Levels with at least :data:`MIN_REGIONS` regions holding the y measure in their latest year."""
    store = get_store(dataset)
    col = y_column(dataset, y)
    out = []
    for lv in store.levels:
        ys = years(dataset, lv, y)
        if ys:
            ind = store.indicators
            n = ind[(ind["level"] == lv) & (ind["year"] == ys[-1]) & ind[col].notna()].shape[0]
            if n >= MIN_REGIONS:
                out.append(lv)
    return out


def spans(ys: list[int]) -> str:
    if not ys:
        return "none"
    out, start = [], ys[0]
    for a, b in zip(ys, [*ys[1:], None]):
        if b != a + 1:
            out.append(f"{start}–{a}" if a != start else str(a))
            start = b
    return ", ".join(out)


def engine_definitions(state: dict) -> str | None:
    """The set passed to the engine: None (the build's own) for the reference set."""
    d = state.get("definitions")
    return None if d in (None, "us-concorded") else d


def points_and_fit(state: dict) -> tuple[pd.DataFrame, QuadraticFit | None]:
    """(``region_id, region_name, x, y`` by region id, the fit or None); raises InsightError."""
    dataset, level, year, variant = state["dataset"], state["level"], state["year"], state["variant"]
    defs = engine_definitions(state)
    if state["y"] == "gdp":
        pts = prosperity_points(dataset, level, year, variant, defs)
        return pts, (prosperity_fit(dataset, level, year, variant, defs) if len(pts) >= MIN_REGIONS else None)
    if defs is None:
        ind = views.region_indicators(dataset, level, int(year))
        ind = ind[~ind["custom"]]
    else:
        from analytics.insights.definitions import set_region_indicators

        try:
            ind = set_region_indicators(defs, level, int(year))
        except FileNotFoundError:
            raise InsightError(f"definitions {defs!r}: not in the build; run python -m analytics build") from None
    col = y_column(dataset, "patents")
    pts = pd.DataFrame({"region_id": ind["region_id"], "region_name": ind["region_name"],
                        "x": ind[VARIANTS[variant]["column"]].astype(float), "y": ind[col].astype(float)})
    pts = pts.dropna(subset=["x", "y"]).sort_values("region_id").reset_index(drop=True)
    return pts, fit(pts, x_col="x", y_col="y")


def strength_word(r2: float) -> str:
    if not math.isfinite(r2):
        return "undefined"
    if r2 < 0.10:
        return "weak"
    if r2 < 0.30:
        return "modest"
    if r2 < 0.50:
        return "moderate"
    return "strong"


def share_text(r2: float) -> str:
    pct = 100 * r2
    if pct < 1:
        return "less than 1 %"
    return f"{pct:.0f} %"


def caption(state: dict, result: QuadraticFit | None) -> str:
    """"Weak: cluster strength explains 4 % of the variation in GDP per capita across 232 NUTS 2 regions in 2015." """
    from components.labels import level_label

    what = y_label(state["dataset"], state["y"])[0]
    lv = level_label(state["dataset"], state["level"])
    if result is None:
        return f"Too few regions with both values for a fit (at least {MIN_REGIONS} needed)."
    lv = lv if lv.startswith(("NUTS", "BEA")) else lv[0].lower() + lv[1:]
    what = what if what[1:2].isupper() else what[0].lower() + what[1:]
    word = strength_word(result.r2)
    return (f"{word.capitalize()}: cluster strength explains {share_text(result.r2)} of the variation in "
            f"{what} across {result.n:,} {lv} in {state['year']} (R² = {result.r2:.3f}, quadratic fit).")
