"""Readers for Eurostat bulk files (old ``a,b,geo\\time`` TSV and new ``freq,...,geo\\TIME_PERIOD`` TSV).

Both return a long DataFrame: one column per dimension, then ``year`` (int), ``value``
(float, NaN when not available) and ``flag`` (letters such as ``c`` confidential).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from analytics.sources.eu.flags import parse_series


def _open_text(path: Path):
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_bulk_tsv(path: str | Path, filters: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """Read an Eurostat bulk TSV (old or new format) into a long table.

    ``filters`` keeps only rows whose dimension values are in the given sets (applied
    before the values are parsed, which keeps the big SBS file fast).
    """
    path = Path(path)
    with _open_text(path) as fh:
        raw = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False)
    key_col = raw.columns[0]
    dims_part, _, time_name = key_col.partition("\\")
    dims = [d.strip() for d in dims_part.split(",")]
    keys = raw[key_col].str.split(",", expand=True)
    keys.columns = dims
    raw = pd.concat([keys, raw.drop(columns=[key_col])], axis=1)
    for dim, allowed in (filters or {}).items():
        raw = raw[raw[dim].isin(allowed)]
    year_cols = [c for c in raw.columns if c not in dims]
    long = raw.melt(id_vars=dims, value_vars=year_cols, var_name="year", value_name="cell")
    long["year"] = long["year"].str.strip().str[:4].astype(int)
    parsed = parse_series(long["cell"])
    long = pd.concat([long.drop(columns=["cell"]), parsed], axis=1)
    if "freq" in long.columns:
        long = long.drop(columns=["freq"])
    return long.reset_index(drop=True)
