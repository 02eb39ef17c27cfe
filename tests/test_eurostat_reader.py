"""Eurostat bulk TSV reader: old (``a,b,geo\\time``) and new (``freq,...,geo\\TIME_PERIOD``) layouts."""
from __future__ import annotations

import gzip
import math
from pathlib import Path

import pandas as pd
import pytest

from analytics.sources.eu.eurostat import read_bulk_tsv

# Old layout: years descending, header cells padded with a space, flags after the value.
OLD = (
    "nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 \n"
    "C29,V16110,DE11\t160000 \t158012 \t: c\n"
    "C29,V16110,DE\t: \t880000 p\t870000 \n"
    "C29,V13320,DE11\t9000.5 e\t8800 \t: \n"
    "C30,V16110,FR62\t0 d\t32690 \t12:00 AM\n"
)

# New layout: a leading freq dimension, years ascending, "TIME_PERIOD" as the time name.
NEW = (
    "freq,unit,sex,age,geo\\TIME_PERIOD\t2013 \t2014 \n"
    "A,THS,T,Y_GE15,AT11\t120.5 \t: \n"
    "A,THS,T,Y_GE15,AT12\t700 b\t710 \n"
    "A,THS,M,Y_GE15,AT11\t60 \t61 u\n"
)


def _write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _cell(df: pd.DataFrame, **keys) -> pd.Series:
    sel = df
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"expected one row for {keys}, got {len(sel)}"
    return sel.iloc[0]


@pytest.mark.parametrize("name", ["old.tsv", "old.tsv.gz"])
def test_old_format(tmp_path, name):
    df = read_bulk_tsv(_write(tmp_path / name, OLD))
    assert list(df.columns) == ["nace_r2", "indic_sb", "geo", "year", "value", "flag"]
    assert len(df) == 4 * 3  # 4 rows x 3 years, long format
    assert sorted(df["year"].unique()) == [2013, 2014, 2015]
    assert pd.api.types.is_integer_dtype(df["year"])  # "2015 " -> 2015

    r = _cell(df, nace_r2="C29", indic_sb="V16110", geo="DE11", year=2014)
    assert r["value"] == 158012 and r["flag"] == ""
    r = _cell(df, nace_r2="C29", indic_sb="V16110", geo="DE11", year=2013)
    assert math.isnan(r["value"]) and r["flag"] == "c"  # confidential, never 0
    r = _cell(df, nace_r2="C29", indic_sb="V16110", geo="DE", year=2014)
    assert r["value"] == 880000 and r["flag"] == "p"
    r = _cell(df, nace_r2="C29", indic_sb="V16110", geo="DE", year=2015)
    assert math.isnan(r["value"]) and r["flag"] == ""
    r = _cell(df, nace_r2="C29", indic_sb="V13320", geo="DE11", year=2015)
    assert r["value"] == 9000.5 and r["flag"] == "e"
    r = _cell(df, nace_r2="C30", indic_sb="V16110", geo="FR62", year=2015)
    assert r["value"] == 0 and r["flag"] == "d"  # a real zero stays zero
    r = _cell(df, nace_r2="C30", indic_sb="V16110", geo="FR62", year=2013)
    assert math.isnan(r["value"])  # Excel artefact -> missing


@pytest.mark.parametrize("name", ["new.tsv", "new.tsv.gz"])
def test_new_format_drops_freq(tmp_path, name):
    df = read_bulk_tsv(_write(tmp_path / name, NEW))
    assert list(df.columns) == ["unit", "sex", "age", "geo", "year", "value", "flag"]
    assert len(df) == 3 * 2
    r = _cell(df, sex="T", geo="AT11", year=2013)
    assert r["value"] == 120.5
    r = _cell(df, sex="T", geo="AT11", year=2014)
    assert math.isnan(r["value"])
    r = _cell(df, sex="T", geo="AT12", year=2013)
    assert r["value"] == 700 and r["flag"] == "b"
    r = _cell(df, sex="M", geo="AT11", year=2014)
    assert r["value"] == 61 and r["flag"] == "u"


def test_filters_keep_only_listed_dimension_values(tmp_path):
    path = _write(tmp_path / "old.tsv.gz", OLD)
    df = read_bulk_tsv(path, {"indic_sb": {"V16110"}, "geo": {"DE11", "FR62"}})
    # rows kept: C29/V16110/DE11 and C30/V16110/FR62, 3 years each
    assert len(df) == 2 * 3
    assert set(df["indic_sb"]) == {"V16110"}
    assert set(df["geo"]) == {"DE11", "FR62"}


def test_filter_on_new_format(tmp_path):
    df = read_bulk_tsv(_write(tmp_path / "new.tsv", NEW), {"sex": {"T"}})
    assert set(df["sex"]) == {"T"}
    assert sorted(df["geo"].unique()) == ["AT11", "AT12"]
    assert len(df) == 2 * 2


def test_filter_that_matches_nothing_gives_empty_table(tmp_path):
    df = read_bulk_tsv(_write(tmp_path / "old.tsv", OLD), {"geo": {"XX99"}})
    assert df.empty
    assert {"geo", "year", "value", "flag"} <= set(df.columns)
