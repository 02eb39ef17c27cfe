"""Parse Eurostat cell values such as ``123``, ``35680 i``, ``: c``, ``4700p`` into value + flags.

Eurostat flags: ``:`` not available, ``c`` confidential, ``b`` break, ``d`` definition differs,
``e`` estimated, ``p`` provisional, ``r`` revised, ``u`` low reliability, ``i`` see metadata,
``z`` not applicable, ``n`` not significant. A missing value is NaN, never zero.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

_CELL = re.compile(r"^\s*(?P<num>-?\d+(?:\.\d+)?)?\s*(?P<colon>:)?\s*(?P<flags>[a-z]*)\s*$")


def parse_cell(cell: object) -> tuple[float, str]:
    """Return (value, flags) for one raw cell; value is NaN when not available."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return np.nan, ""
    text = str(cell).strip()
    if not text:
        return np.nan, ""
    m = _CELL.match(text)
    if not m:  # e.g. Excel artefacts such as "12:00 AM"
        return np.nan, "?"
    num, colon, flags = m.group("num"), m.group("colon"), m.group("flags")
    if colon or num is None:
        return np.nan, flags
    return float(num), flags


def parse_series(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`parse_cell`: returns columns ``value`` (float) and ``flag`` (str)."""
    text = values.astype("string").str.strip().fillna("")
    parts = text.str.extract(_CELL.pattern)
    matched = text.str.match(_CELL.pattern) & (text != "")
    num = pd.to_numeric(parts["num"], errors="coerce")
    num = num.where(parts["colon"].isna())
    flags = parts["flags"].fillna("").astype(object)
    flags = flags.where(matched | (text == ""), "?")
    return pd.DataFrame({"value": num.astype(float), "flag": flags.astype(str)}, index=values.index)


def is_confidential(flags: pd.Series) -> pd.Series:
    return flags.str.contains("c", regex=False)
