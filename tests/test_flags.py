"""Eurostat cell parsing: a value and its flags; missing is NaN, never zero."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.sources.eu.flags import is_confidential, parse_cell, parse_series

# raw cell -> (value, flags); NaN written as None here
CASES = [
    ("123", 123.0, ""),            # a plain published value
    ("123 ", 123.0, ""),           # old bulk files pad cells with a space
    ("35680 i", 35680.0, "i"),     # value with the "see metadata" flag
    (": c", None, "c"),            # confidential: not available, flag c
    (":c", None, "c"),             # same without the space
    (":", None, ""),               # not available, no flag
    ("4700p", 4700.0, "p"),        # provisional, flag glued to the number
    ("0 d", 0.0, "d"),             # a real zero stays 0 (definition differs)
    ("0", 0.0, ""),                # a published zero
    ("12.5 e", 12.5, "e"),         # decimals with the estimated flag
    ("1234 bep", 1234.0, "bep"),   # several flags
    (": bc", None, "bc"),          # missing with several flags
    ("12:00 AM", None, "?"),       # Excel artefact: missing, marked unparseable
    ("", None, ""),                # blank
    ("   ", None, ""),             # blank with spaces
]


@pytest.mark.parametrize("cell, value, flags", CASES)
def test_parse_cell(cell, value, flags):
    got_value, got_flags = parse_cell(cell)
    if value is None:
        assert math.isnan(got_value), f"{cell!r} must be missing (NaN), got {got_value!r}"
    else:
        assert got_value == value
    assert got_flags == flags


@pytest.mark.parametrize("cell", [None, np.nan])
def test_parse_cell_none_and_nan_are_missing(cell):
    value, flags = parse_cell(cell)
    assert math.isnan(value)
    assert flags == ""


def test_zero_is_not_confused_with_missing():
    # "0 d" is a published zero; ":" is missing. They must not collapse to the same thing.
    zero, _ = parse_cell("0 d")
    missing, _ = parse_cell(":")
    assert zero == 0.0
    assert math.isnan(missing)


def test_vectorised_parser_matches_expected_values():
    cells = pd.Series([c for c, _, _ in CASES] + [None], index=range(100, 100 + len(CASES) + 1))
    out = parse_series(cells)
    assert list(out.columns) == ["value", "flag"]
    assert out.index.equals(cells.index)  # keeps the caller's index, so results can be joined back
    assert out["value"].dtype == float
    for (cell, value, flags), (_, row) in zip(CASES, out.iterrows()):
        if value is None:
            assert np.isnan(row["value"]), cell
        else:
            assert row["value"] == value, cell
        assert row["flag"] == flags, cell
    assert np.isnan(out["value"].iloc[-1]) and out["flag"].iloc[-1] == ""  # None -> missing


def test_vectorised_and_scalar_parsers_agree():
    cells = [c for c, _, _ in CASES] + [None, "7 u", "-3", ": z", "abc", "1 2", "5:"]
    vec = parse_series(pd.Series(cells, dtype=object))
    for cell, (_, row) in zip(cells, vec.iterrows()):
        value, flags = parse_cell(cell)
        if np.isnan(value):
            assert np.isnan(row["value"]), f"{cell!r}: scalar missing, vectorised {row['value']!r}"
        else:
            assert row["value"] == value, cell
        assert row["flag"] == flags, f"{cell!r}: scalar {flags!r}, vectorised {row['flag']!r}"


def test_is_confidential_uses_the_c_flag():
    flags = parse_series(pd.Series([": c", ":", "10 e", ": bc", "5"]))["flag"]
    assert is_confidential(flags).tolist() == [True, False, False, True, False]
