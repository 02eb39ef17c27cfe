"""Cluster strength and prosperity: the quadratic fit the European Cluster Observatory showed.

ECO (on its own data): GDP per capita ≈ 83,342·x² − 16,467·x + 22,886 (R² ≈ 0.39), with x the
region's cluster strength. ``fit`` recomputes such a fit on the observatory's data for one
level and year (ordinary least squares, regions with both values).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ECO_REFERENCE = {"a": 83342.0, "b": -16467.0, "c": 22886.0, "r2": 0.39}


@dataclass(frozen=True)
class QuadraticFit:
    a: float  # coefficient of x²
    b: float  # coefficient of x
    c: float  # intercept
    r2: float
    n: int

    def predict(self, x):
        x = np.asarray(x, dtype=float)
        return self.a * x ** 2 + self.b * x + self.c

    def formula(self, y_label: str = "GDP per capita") -> str:
        return f"{y_label} ≈ {self.a:,.0f}·x² {self.b:+,.0f}·x {self.c:+,.0f} (R² = {self.r2:.2f}, n = {self.n:,})"


def fit(indicators: pd.DataFrame, x_col: str = "cluster_strength", y_col: str = "gdp_pc_pps") -> QuadraticFit | None:
    """Least-squares y = a·x² + b·x + c over rows with both values; None with fewer than 4 rows."""
    d = indicators[[x_col, y_col]].dropna()
    if len(d) < 4:
        return None
    x, y = d[x_col].to_numpy(float), d[y_col].to_numpy(float)
    design = np.column_stack([x ** 2, x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")
    return QuadraticFit(float(coef[0]), float(coef[1]), float(coef[2]), r2, len(d))
