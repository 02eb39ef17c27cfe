"""Tests of analytics.sources.eu.definitions: a hand-made fixture, then the real data files."""
from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from analytics import config
from analytics.sources.eu import definitions as ed

# ---------------------------------------------------------------------------------------------
# (a) Hand-made fixture. Two clusters: 1 "Alpha" (traded) and 101 "Beta" (local).
#
#   NAICS   cluster  US 2017 emp (states)          NACE classes -> divisions   weight per division
#   111111  1        60 + 40 = 100                 10.11, 10.12, 11.01 -> 10, 11   100 / 2 = 50 each
#   222222  101      80 (the 2018 row is ignored)  10.20 -> 10                     80
#   333333  1        30 + withheld (0 emp, 5 est)  11.02 -> 11                     30
#   444444  101      80                            11.03 -> 11                     80
#   555555  1        10                            46.11 -> 46                     10
#
#   C10: Alpha 50, Beta 80 -> Beta, share 80/130 = 0.615, runner-up Alpha 50/130 = 0.385
#   C11: Alpha 50 + 30 = 80, Beta 80 -> tie -> lower code 1 = Alpha, share 0.500, runner-up Beta
#   C12: nothing maps -> none-no-us-cluster
#   G46: plurality Alpha 1.000, overridden to Beta (share 0.000, runner-up Alpha 1.000)
#   C, G: sections -> none-aggregate; G461: none-finer-group
# ---------------------------------------------------------------------------------------------

SBS_CODES = ["C", "C10", "C11", "C12", "G", "G46", "G461"]


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding=encoding) as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding=encoding)


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    _write(raw / ed.SBS, "nace_r2,indic_sb,geo\\time\t2014 \n" + "".join(
        f"{c},V16110,DE\t1 \n" for c in SBS_CODES))
    _write(raw / ed.CLUSTER_LIST, "cluster_code,cluster_name,cluster_key,type\n"
           "1,Alpha,alpha,traded\n101,Beta,beta,local\n")
    _write(raw / ed.CLUSTER_NAICS, "cluster_code,cluster_name,type,naics2017,naics2017_label\n"
           "1,Alpha,traded,111111,A one\n101,Beta,local,222222,B two\n"
           "1,Alpha,traded,333333,A three\n101,Beta,local,444444,B four\n"
           "1,Alpha,traded,555555,A five\n")
    _write(raw / ed.CONCORDANCE, "NAICS 2017,NACE Rev. 2,NACE Rev. 2,US NAICS 2017,Notes\n"
           "111111,10.11,x,A one,\n111111,10.12,x,A one,\n111111,11.01,x,A one,\n"
           "222222,10.20,x,B two,\n333333,11.02,x,A three,\n444444,11.03,x,B four,\n"
           "555555,46.11,x,A five,\n", encoding="utf-8-sig")
    _write(raw / ed.NACE_STRUCTURE, "nace2,NAME\nC,MANUFACTURING\n10,Food\n11,Drinks\n"
           "12,Tobacco\nG,TRADE\n46,Wholesale\n46.1,Wholesale on a fee\n")
    _write(raw / ed.CBP, "year,state_fips,naics2017,estab,emp,payann_k\n"
           "2017,01,111111,3,60,1\n2017,02,111111,2,40,1\n2017,01,222222,4,80,1\n"
           "2018,01,222222,4,999,1\n2017,01,22222,4,80,1\n"  # other year / 5-digit: ignored
           "2017,01,333333,2,30,1\n2017,02,333333,5,0,0\n"  # second cell is withheld
           "2017,01,444444,1,80,1\n2017,01,555555,1,10,1\n")
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("nace_code,category_id,reason\nG46,beta,test override\n")
    return raw, overrides


def _row(defs: pd.DataFrame, code: str) -> pd.Series:
    return defs.set_index("nace_code").loc[code]


def test_tiny_plurality_and_equal_split(tiny):
    defs, trace = ed.build_definitions(*tiny)
    assert list(defs.columns) == ed.COLUMNS
    assert defs["nace_code"].tolist() == sorted(SBS_CODES)
    c10 = _row(defs, "C10")
    assert (c10["category_id"], c10["category_type"], c10["us_cluster_code"]) == (
        "beta", "local", "101")
    assert (c10["us_share"], c10["runner_up_cluster"], c10["runner_up_share"]) == (
        "0.615", "Alpha", "0.385")
    assert (c10["us_employment_basis"], c10["rule"]) == ("130", "plurality")
    t10 = trace[trace["nace_code"] == "C10"].set_index("us_cluster_code")
    assert t10.at[1, "weight"] == 50.0  # 111111 split equally between divisions 10 and 11
    assert t10.at[1, "naics_detail"] == "111111:100/2"


def test_tiny_tie_goes_to_lower_code_and_withheld_is_excluded(tiny):
    defs, trace = ed.build_definitions(*tiny)
    c11 = _row(defs, "C11")
    assert (c11["category_id"], c11["us_share"], c11["runner_up_cluster"]) == (
        "alpha", "0.500", "Beta")
    t11 = trace[trace["nace_code"] == "C11"].set_index("us_cluster_code")
    assert t11.at[1, "weight"] == 80.0 and t11.at[1, "n_naics"] == 2  # 50 + 30, not more
    assert defs.attrs["withheld"]["withheld_cells"] == 1


def test_tiny_override_none_rules(tiny):
    defs, _ = ed.build_definitions(*tiny)
    g46 = _row(defs, "G46")
    assert (g46["category_id"], g46["rule"], g46["us_share"]) == ("beta", "override", "0.000")
    assert (g46["runner_up_cluster"], g46["runner_up_share"]) == ("Alpha", "1.000")
    assert "plurality gave Alpha (1.000)" in g46["note"] and "test override" in g46["note"]
    c12 = _row(defs, "C12")
    assert (c12["rule"], c12["category_type"], c12["category_id"]) == (
        "none-no-us-cluster", "none", "")
    assert c12["us_employment_basis"] == "0"
    assert _row(defs, "C")["rule"] == "none-aggregate"
    assert _row(defs, "C")["nace_name"] == "Manufacturing"
    assert _row(defs, "G461")["rule"] == "none-finer-group"
    assert _row(defs, "G461")["nace_name"] == "Wholesale on a fee"


def test_tiny_bad_override_rejected(tiny):
    raw, overrides = tiny
    overrides.write_text("nace_code,category_id,reason\nC10,no_such_cluster,why\n")
    with pytest.raises(ValueError, match="overrides.csv"):
        ed.build_definitions(raw, overrides)


def test_missing_input_names_the_file(tiny, tmp_path, capsys):
    raw, overrides = tiny
    (raw / ed.CBP).unlink()
    with pytest.raises(ed.MissingInputError, match="cbp_state_naics2017_2017_2021.csv.gz"):
        ed.build_definitions(raw, overrides)
    rc = ed.main(["--raw", str(raw), "--out", str(tmp_path / "out"),
                  "--overrides", str(overrides)])
    err = capsys.readouterr().err
    assert rc != 0 and "missing input file" in err and "cbp_state_naics2017" in err
    assert len(err.strip().splitlines()) == 1


def test_main_writes_files(tiny, tmp_path, capsys):
    raw, overrides = tiny
    out = tmp_path / "out"
    assert ed.main(["--raw", str(raw), "--out", str(out), "--overrides", str(overrides)]) == 0
    assert (out / ed.OUT_NAME).is_file() and (out / ed.TRACE_NAME).is_file()
    assert "7 codes" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# (b) Integration tests on the real files.
# ---------------------------------------------------------------------------------------------
RAW = config.raw_dir()
COMMITTED = config.DEFINITIONS_DIR
real = pytest.mark.skipif(not (RAW / ed.SBS).is_file(),
                          reason=f"real raw data not found under {RAW} (set CLUSTER_RAW_DIR)")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("defs")
    ed.write_definitions(RAW, out, COMMITTED / ed.OVERRIDES_NAME)
    return out


@pytest.fixture(scope="module")
def real_defs(built):
    return pd.read_csv(built / ed.OUT_NAME, dtype=str, keep_default_na=False)


@real
def test_real_every_sbs_code_once(real_defs):
    assert real_defs["nace_code"].is_unique
    assert set(real_defs["nace_code"]) == set(ed.sbs_codes(RAW))
    assert len(real_defs) == 101
    counts = real_defs["nace_level"].value_counts().to_dict()
    assert counts == {"division": 68, "group": 21, "section": 12}


@real
def test_real_only_divisions_carry_a_category(real_defs):
    assigned = real_defs[real_defs["category_id"] != ""]
    assert set(assigned["nace_level"]) == {"division"}
    assert set(assigned["rule"]) <= {"plurality", "override"}
    none = real_defs[real_defs["category_id"] == ""]
    assert (none["category_type"] == "none").all()
    assert set(none["rule"]) <= {"none-aggregate", "none-finer-group", "none-no-us-cluster"}


@real
def test_real_fashion_parts_distinct(real_defs):
    cats = real_defs.set_index("nace_code").loc[["C13", "C14", "C15"], "category_id"]
    assert cats.ne("").all() and cats.nunique() == 3


@real
def test_real_transport_equipment(real_defs):
    d = real_defs.set_index("nace_code")
    assert d.at["C29", "category_id"] == "automotive"
    assert d.at["C30", "category_id"] == "aerospace_vehicles_and_defense"


@real
def test_real_committed_files_are_reproducible(built):
    for name in (ed.OUT_NAME, ed.TRACE_NAME):
        assert (COMMITTED / name).read_bytes() == (built / name).read_bytes(), name


@real
def test_real_trace_adds_up(built, real_defs):
    trace = pd.read_csv(built / ed.TRACE_NAME, dtype={"nace_code": str})
    divs = real_defs[real_defs["nace_level"] == "division"].set_index("nace_code")
    assert set(trace["nace_code"]) <= set(divs.index)
    weight = trace.groupby("nace_code")["weight"].sum()
    basis = divs.loc[weight.index, "us_employment_basis"].astype(int)
    assert (weight.round() - basis).abs().max() <= 1
    assert (trace.groupby("nace_code")["share"].sum() - 1).abs().max() < 0.01
