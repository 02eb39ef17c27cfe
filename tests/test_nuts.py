"""Recoding of older NUTS 2 codes to NUTS 2021 (exact conversions only, the rest reported)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import config
from analytics.sources.eu import sources as eu_sources
from analytics.sources.eu.nuts import VERSIONS, load_changes, recode_table

CODE_COLS = [f"code_{v}" for v in VERSIONS]
CHANGE_COLS = [f"change_{v}" for v in VERSIONS]


def _changes(rows: list[dict]) -> pd.DataFrame:
    """A change table in Eurostat's layout: one row per region lineage, code per version."""
    df = pd.DataFrame(rows, columns=["typology", *CODE_COLS, *CHANGE_COLS], dtype=object)
    df["typology"] = "nuts_level_2"
    return df


def _row(codes: dict[str, str], changes: dict[str, str] | None = None) -> dict:
    row = {f"code_{v}": c for v, c in codes.items()}
    row.update({f"change_{v}": c for v, c in (changes or {}).items()})
    return row


def _same(code: str, versions=VERSIONS) -> dict[str, str]:
    return {v: code for v in versions}


HAND = _changes([
    # unchanged through every version
    _row(_same("AA11")),
    # renamed only: the territory is the same, so the code converts as itself
    _row(_same("AA12"), {"2010": "name change"}),
    # recoded in 2016 (FR21 -> FRF2 style)
    _row({"2003": "FR21", "2006": "FR21", "2010": "FR21", "2013": "FR21", "2016": "FRF2", "2021": "FRF2"},
         {"2016": "recoded"}),
    # two code changes in a row: GR11 -> EL11 (2010) -> EL51 (2013)
    _row({"2003": "GR11", "2006": "GR11", "2010": "EL11", "2013": "EL51", "2016": "EL51", "2021": "EL51"},
         {"2010": "code change", "2013": "code change"}),
    # merged: DE41 + DE42 (2006) -> DE40 (2010)
    _row({"2006": "DE41", "2010": "DE40 (part)"}, {"2010": "merged"}),
    _row({"2006": "DE42", "2010": "DE40 (part)"}, {"2010": "merged"}),
    _row({"2010": "DE40", "2013": "DE40", "2016": "DE40", "2021": "DE40"}, {"2010": "new region"}),
    # split: HU10 (2013) disappears in 2016, HU11 and HU12 are new
    _row({"2003": "HU10", "2006": "HU10", "2010": "HU10", "2013": "HU10"},
         {"2016": "discontinued; split into new hu11 and hu12"}),
    _row({"2016": "HU11", "2021": "HU11"}, {"2016": "new region"}),
    _row({"2016": "HU12", "2021": "HU12"}, {"2016": "new region"}),
    # boundary shift with a new code: XX31 (2013) -> XX35 (2016)
    _row({"2010": "XX31", "2013": "XX31", "2016": "XX35", "2021": "XX35"}, {"2016": "boundary shift"}),
    # recoded *with* a boundary change in 2021: not exact
    _row({"2013": "YY01", "2016": "YY01", "2021": "YY05"}, {"2021": "recoded (boundary change)"}),
    # merged in 2010, then the merged region recoded in 2016 (still the same territory)
    _row({"2006": "MM11", "2010": "MM10 (part)"}, {"2010": "merged"}),
    _row({"2006": "MM12", "2010": "MM10 (part)"}, {"2010": "merged"}),
    _row({"2010": "MM10", "2013": "MM10", "2016": "MM20", "2021": "MM20"}, {"2010": "new region", "2016": "recoded"}),
    # merged in 2010, then the merged region lost territory in 2016: not exact
    _row({"2006": "BB11", "2010": "BB10 (part)"}, {"2010": "merged"}),
    _row({"2006": "BB12", "2010": "BB10 (part)"}, {"2010": "merged"}),
    _row({"2010": "BB10", "2013": "BB10", "2016": "BB15", "2021": "BB15"},
         {"2010": "new region", "2016": "boundary shift; lost ex-bb123"}),
])
TARGETS = {"AA11", "AA12", "FRF2", "EL51", "DE40", "HU11", "HU12", "XX35", "YY05", "MM20", "BB15", "QQ99"}


@pytest.fixture(scope="module")
def hand() -> pd.DataFrame:
    codes = ["AA11", "AA12", "FR21", "GR11", "EL11", "EL51", "DE41", "DE42", "HU10", "XX31", "YY01",
             "MM11", "MM12", "BB11", "QQ99", "NOPE", "FR21"]  # FR21 twice: deduplicated
    return recode_table(codes, TARGETS, HAND).set_index("code")


def test_output_shape(hand):
    assert list(hand.reset_index().columns) == ["code", "target", "method", "reason"]
    assert hand.index.is_unique and hand.index.is_monotonic_increasing
    assert set(hand["method"]) <= {"identity", "recoded", "merged", "unmatched"}


@pytest.mark.parametrize("code", ["AA11", "AA12", "EL51", "QQ99"])
def test_identity(hand, code):
    # AA11 never changed; AA12 was only renamed; EL51 is already a 2021 code;
    # QQ99 is a 2021 code absent from the table (the table lists changes only)
    assert hand.loc[code, "target"] == code
    assert hand.loc[code, "method"] == "identity"


@pytest.mark.parametrize("code, target", [("FR21", "FRF2"), ("GR11", "EL51"), ("EL11", "EL51")])
def test_recoded(hand, code, target):
    assert hand.loc[code, "target"] == target
    assert hand.loc[code, "method"] == "recoded"
    assert code in hand.loc[code, "reason"] and target in hand.loc[code, "reason"]


@pytest.mark.parametrize("code", ["DE41", "DE42"])
def test_merged_parts_map_to_the_merged_region(hand, code):
    assert hand.loc[code, "target"] == "DE40"
    assert hand.loc[code, "method"] == "merged"


@pytest.mark.parametrize("code", ["MM11", "MM12"])
def test_merged_then_recoded_follows_the_chain(hand, code):
    # MM11 + MM12 -> MM10 (merge, exact) -> MM20 (recoded, exact): the parts sum to MM20
    assert hand.loc[code, "target"] == "MM20"
    assert hand.loc[code, "method"] == "merged"


@pytest.mark.parametrize("code, words", [
    ("HU10", "split"),                 # split into two new regions
    ("XX31", "boundary shift"),        # new code with a different territory
    ("YY01", "boundary change"),       # recoded with a boundary change
    ("BB11", "boundary shift"),        # merged, then the merged region lost territory
])
def test_splits_and_boundary_shifts_are_unmatched_with_a_reason(hand, code, words):
    assert hand.loc[code, "method"] == "unmatched"
    assert pd.isna(hand.loc[code, "target"])
    assert words in hand.loc[code, "reason"]


def test_unknown_code_is_unmatched_with_a_reason(hand):
    assert hand.loc["NOPE", "method"] == "unmatched"
    assert pd.isna(hand.loc["NOPE", "target"])
    assert "not a NUTS 2021 code" in hand.loc["NOPE", "reason"]


def test_every_target_is_a_map_region(hand):
    matched = hand[hand["method"] != "unmatched"]
    assert set(matched["target"]) <= TARGETS


# ---------------------------------------------------------------------------------------------
# The real change table (Eurostat's nuts_changes.csv) and the NUTS 2021 map
# ---------------------------------------------------------------------------------------------

RAW = config.raw_dir()
_NEEDED = [eu_sources.NUTS_CHANGES_FILE, eu_sources.GEO_FILES["nuts2"]]


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    missing = [rel for rel in _NEEDED if not (RAW / rel).exists()]
    if missing:
        pytest.skip(f"raw data not available: {', '.join(missing)} under {RAW}")
    from analytics.sources.eu.build import read_geo_regions
    geo = read_geo_regions(RAW)
    targets = set(geo.loc[geo["level"] == "nuts2", "region_id"])
    codes = ["FR62", "EL11", "HU10", "PL11", "PL12", "DE41", "DE42", "AT13", "DED1", "FRJ2"]
    return recode_table(codes, targets, load_changes(RAW)).set_index("code")


@pytest.mark.parametrize("code, target, method", [
    ("FR62", "FRJ2", "recoded"),    # Midi-Pyrénées, recoded in NUTS 2016
    ("EL11", "EL51", "recoded"),    # Anatoliki Makedonia, Thraki, code change in NUTS 2013
    ("PL11", "PL71", "recoded"),    # Łódzkie, recoded in NUTS 2016
    ("DE41", "DE40", "merged"),     # Brandenburg-Nordost + Südwest = Brandenburg (NUTS 2010)
    ("DE42", "DE40", "merged"),
    ("AT13", "AT13", "identity"),   # Wien, unchanged
    ("FRJ2", "FRJ2", "identity"),   # already a 2021 code
])
def test_real_codes_convert(real, code, target, method):
    assert real.loc[code, "target"] == target
    assert real.loc[code, "method"] == method


@pytest.mark.parametrize("code, words", [
    ("HU10", "split"),            # Közép-Magyarország split into HU11 + HU12 (NUTS 2016)
    ("PL12", "split"),            # Mazowieckie split into PL91 + PL92 (NUTS 2016)
    ("DED1", "boundary shift"),   # Chemnitz, boundary shift (NUTS 2013)
])
def test_real_codes_unmatched(real, code, words):
    assert real.loc[code, "method"] == "unmatched"
    assert pd.isna(real.loc[code, "target"])
    assert words in real.loc[code, "reason"]
