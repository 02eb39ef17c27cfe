"""Number and rank texts, one family for every page, export and message (no Dash).

Missing values (None, NaN, pd.NA) read "–" (or the ``missing`` text given); numbers carry
thousands separators; shares are fractions shown as percentages.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

MISSING = "–"


def is_missing(x) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return isinstance(x, (float, np.floating)) and math.isnan(x)
    except TypeError:
        return False


def fmt_int(x, missing: str = MISSING) -> str:
    """12345.6 → '12,346'."""
    return missing if is_missing(x) else f"{float(x):,.0f}"


def fmt_num(x, digits: int = 2, missing: str = MISSING) -> str:
    """1234.567 → '1,234.57'."""
    return missing if is_missing(x) else f"{float(x):,.{digits}f}"


def fmt_pct(x, digits: int = 1, missing: str = MISSING) -> str:
    """0.1234 → '12.3 %'."""
    return missing if is_missing(x) else f"{float(x) * 100:,.{digits}f} %"


def fmt_signed_pct(x, digits: int = 1, missing: str = MISSING) -> str:
    """0.0123 → '+1.2 %' (growth); −0.0 reads '+0.0 %'."""
    return missing if is_missing(x) else f"{round(float(x) * 100, digits) + 0.0:+,.{digits}f} %"


def fmt_stars(stars, missing: str = "") -> str:
    """2 → '★★'; 0 → ''; not rated → ``missing``."""
    return missing if is_missing(stars) else "★" * int(stars)


def ordinal(k: int) -> str:
    """1 → '1st', 2 → '2nd', 11 → '11th', 22 → '22nd', 1001 → '1,001st'."""
    k = int(k)
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k:,}{suffix}"


def rank_text(rank, n) -> str:
    """'12th of 241', or 'not ranked' when there is no rank."""
    if is_missing(rank) or is_missing(n):
        return "not ranked"
    return f"{ordinal(rank)} of {int(n):,}"


def year_runs(years) -> str:
    """[2000, 2001, 2002, 2017, 2018] → '2000–2002, 2017–2018'."""
    runs: list[list[int]] = []
    for y in sorted(int(v) for v in years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell that a spreadsheet would run as a formula (starting with
    ``= + - @``, a tab or a carriage return) prefixed with ``'``, so that names such as
    ``=HYPERLINK(…)`` or ``-Cluster`` are shown, never executed (OWASP "CSV injection").
    Numeric columns are left as numbers; every CSV the project writes goes through this."""
    out = df.copy()
    for name in out.columns:
        s = out[name]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        as_text = s.map(lambda v: v if isinstance(v, str) else None)
        risky = as_text.str.startswith(_FORMULA_START, na=False)
        if risky.any():
            out[name] = s.where(~risky, "'" + as_text)
    return out
