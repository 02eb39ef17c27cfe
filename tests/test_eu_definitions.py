"""Tests of analytics.sources.eu.definitions: the rule on hand-made candidates, a hand-made
fixture of input files, then the real data files."""
from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from analytics import config
from analytics.sources.eu import definitions as ed

# ---------------------------------------------------------------------------------------------
# (a) The rule on hand-made candidates (one division's trace rows): type first, then plurality.
# ---------------------------------------------------------------------------------------------


def _cands(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["us_cluster_code", "cluster_type", "weight"])


def test_rule_local_plurality_but_traded_majority_goes_to_the_traded_plurality():
    # local 30 + 15 = 45, traded 25 + 15 + 15 = 55 of 100: traded; the largest traded cluster is 9,
    # although the local cluster 115 is the plurality over both types (the C23 case)
    d = ed.decide(_cands((115, "local", 30), (9, "traded", 25), (49, "traded", 15),
                         (4, "traded", 15), (102, "local", 15)))
    assert (d.cluster, d.cluster_type, d.plurality) == (9, "traded", 115)
    assert (d.share, d.traded_share) == (pytest.approx(0.25), pytest.approx(0.55))
    assert (d.runner_up, d.runner_up_share) == (4, pytest.approx(0.15))  # 4 and 49 tie: lower code
    assert d.near_tie == ""  # type margin 10 points, category margin 10 points


def test_rule_category_tie_goes_to_the_lower_code_and_is_a_near_tie():
    d = ed.decide(_cands((7, "traded", 40), (101, "local", 20), (3, "traded", 40)))
    assert (d.cluster, d.runner_up, d.share, d.runner_up_share) == (3, 7, 0.4, 0.4)
    assert (d.cluster_type, d.near_tie) == ("traded", "category")


def test_rule_type_tie_is_local():
    # traded exactly half: not a majority, so local, although cluster 1 is the plurality
    d = ed.decide(_cands((1, "traded", 50), (101, "local", 30), (102, "local", 20)))
    assert (d.cluster, d.cluster_type, d.plurality) == (101, "local", 1)
    assert (d.traded_share, d.runner_up, d.near_tie) == (0.5, 102, "type")


@pytest.mark.parametrize(("rows", "flag"), [
    (((1, "traded", 52.5), (101, "local", 47.5)), "type"),        # type shares 5 points apart
    (((1, "traded", 53), (101, "local", 47)), ""),                # 6 points apart
    (((1, "traded", 47.5), (101, "local", 52.5)), "type"),        # the other way round
    (((1, "traded", 30), (2, "traded", 25), (101, "local", 45)), "category"),  # 5 points ahead
    (((1, "traded", 31), (2, "traded", 25), (101, "local", 44)), ""),           # 6 points ahead
    (((1, "traded", 26), (2, "traded", 25), (101, "local", 49)), "type+category"),
    (((1, "traded", 30), (101, "local", 29), (102, "local", 41)), ""),  # top two of different types
])
def test_rule_near_tie_flags(rows, flag):
    assert ed.decide(_cands(*rows)).near_tie == flag


def test_rule_needs_positive_weight_and_known_types():
    with pytest.raises(ValueError, match="positive weight"):
        ed.decide(_cands((1, "traded", 0), (101, "local", 0)))
    with pytest.raises(ValueError, match="traded or local"):
        ed.decide(_cands((1, "traded", 5), (101, "", 10)))


# ---------------------------------------------------------------------------------------------
# (b) Hand-made fixture. Three clusters: 1 "Alpha" and 2 "Gamma" (traded), 101 "Beta" (local).
#
#   NAICS   cluster  US 2017 emp (states)          NACE classes -> divisions   weight per division
#   111111  1        60 + 40 = 100                 10.11, 10.12, 11.01 -> 10, 11   100 / 2 = 50 each
#   222222  101      80 (the 2018 row is ignored)  10.20 -> 10                     80
#   333333  1        30 + withheld (0 emp, 5 est)  11.02 -> 11                     30
#   444444  2        80                            11.03 -> 11                     80
#   555555  1        10                            46.11 -> 46                     10
#   666666  101      40                            13.10 -> 13                     40
#   777777  1        35                            13.20 -> 13                     35
#   888888  2        25                            13.30 -> 13                     25
#   999991  1        26                            14.11 -> 14                     26
#   999992  101      24                            14.12 -> 14                     24
#
#   C10: traded 50/130 = 0.385 -> local -> Beta 0.615 (no other local cluster: no runner-up)
#   C11: all traded; Alpha 50 + 30 = 80, Gamma 80 -> tie -> lower code 1 = Alpha, share 0.500,
#        runner-up Gamma 0.500, near-tie of category
#   C12: nothing maps -> none-no-us-cluster
#   C13: Beta 40 is the plurality, but traded holds 60 -> Alpha 0.350, runner-up Gamma 0.250
#   C14: traded 0.520 vs local 0.480 -> Alpha 0.520, near-tie of type
#   G46: the rule gives Alpha 1.000, overridden to Beta (share 0.000, no other local cluster)
#   C, G: sections -> none-aggregate; G461: none-finer-group
# ---------------------------------------------------------------------------------------------

SBS_CODES = ["C", "C10", "C11", "C12", "C13", "C14", "G", "G46", "G461"]


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
           "1,Alpha,alpha,traded\n2,Gamma,gamma,traded\n101,Beta,beta,local\n")
    _write(raw / ed.CLUSTER_NAICS, "cluster_code,cluster_name,type,naics2017,naics2017_label\n"
           "1,Alpha,traded,111111,A one\n101,Beta,local,222222,B two\n"
           "1,Alpha,traded,333333,A three\n2,Gamma,traded,444444,G four\n"
           "1,Alpha,traded,555555,A five\n101,Beta,local,666666,B six\n"
           "1,Alpha,traded,777777,A seven\n2,Gamma,traded,888888,G eight\n"
           "1,Alpha,traded,999991,A nine\n101,Beta,local,999992,B nine\n")
    _write(raw / ed.CONCORDANCE, "NAICS 2017,NACE Rev. 2,NACE Rev. 2,US NAICS 2017,Notes\n"
           "111111,10.11,x,A one,\n111111,10.12,x,A one,\n111111,11.01,x,A one,\n"
           "222222,10.20,x,B two,\n333333,11.02,x,A three,\n444444,11.03,x,G four,\n"
           "555555,46.11,x,A five,\n666666,13.10,x,B six,\n777777,13.20,x,A seven,\n"
           "888888,13.30,x,G eight,\n999991,14.11,x,A nine,\n999992,14.12,x,B nine,\n",
           encoding="utf-8-sig")
    _write(raw / ed.NACE_STRUCTURE, "nace2,NAME\nC,MANUFACTURING\n10,Food\n11,Drinks\n"
           "12,Tobacco\n13,Textiles\n14,Apparel\nG,TRADE\n46,Wholesale\n46.1,Wholesale on a fee\n")
    _write(raw / ed.CBP, "year,state_fips,naics2017,estab,emp,payann_k\n"
           "2017,01,111111,3,60,1\n2017,02,111111,2,40,1\n2017,01,222222,4,80,1\n"
           "2018,01,222222,4,999,1\n2017,01,22222,4,80,1\n"  # other year / 5-digit: ignored
           "2017,01,333333,2,30,1\n2017,02,333333,5,0,0\n"  # second cell is withheld
           "2017,01,444444,1,80,1\n2017,01,555555,1,10,1\n2017,01,666666,1,40,1\n"
           "2017,01,777777,1,35,1\n2017,01,888888,1,25,1\n2017,01,999991,1,26,1\n"
           "2017,01,999992,1,24,1\n")
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("nace_code,category_id,reason\nG46,beta,test override\n")
    return raw, overrides


def _row(defs: pd.DataFrame, code: str) -> pd.Series:
    return defs.set_index("nace_code").loc[code]


def test_tiny_type_then_plurality_and_equal_split(tiny):
    defs, trace = ed.build_definitions(*tiny)
    assert list(defs.columns) == ed.COLUMNS and list(trace.columns) == ed.TRACE_COLUMNS
    assert defs["nace_code"].tolist() == sorted(SBS_CODES)
    c10 = _row(defs, "C10")
    assert (c10["category_id"], c10["category_type"], c10["us_cluster_code"]) == (
        "beta", "local", "101")
    assert (c10["us_share"], c10["traded_share"], c10["runner_up_cluster"],
            c10["runner_up_share"]) == ("0.615", "0.385", "", "")
    assert (c10["us_employment_basis"], c10["rule"], c10["near_tie"]) == (
        "130", "type-then-plurality", "")
    t10 = trace[trace["nace_code"] == "C10"].set_index("us_cluster_code")
    assert t10.at[1, "weight"] == 50.0  # 111111 split equally between divisions 10 and 11
    assert t10.at[1, "naics_detail"] == "111111:100/2"
    assert t10["chosen"].to_dict() == {101: "yes", 1: ""}


def test_tiny_local_plurality_traded_majority(tiny):
    defs, trace = ed.build_definitions(*tiny)
    c13 = _row(defs, "C13")
    assert (c13["category_id"], c13["category_type"], c13["us_share"], c13["traded_share"]) == (
        "alpha", "traded", "0.350", "0.600")
    assert (c13["runner_up_cluster"], c13["runner_up_share"], c13["near_tie"]) == (
        "Gamma", "0.250", "")
    assert "plurality over both types: Beta (0.400, local)" in c13["note"]
    t13 = trace[trace["nace_code"] == "C13"].set_index("us_cluster_code")
    assert t13.index.tolist() == [101, 1, 2]  # ranked by weight
    assert t13["type_share"].to_dict() == {101: "0.400", 1: "0.600", 2: "0.600"}
    assert t13["cluster_type"].to_dict() == {101: "local", 1: "traded", 2: "traded"}
    assert t13["chosen"].to_dict() == {101: "", 1: "yes", 2: ""}


def test_tiny_tie_goes_to_lower_code_and_withheld_is_excluded(tiny):
    defs, trace = ed.build_definitions(*tiny)
    c11 = _row(defs, "C11")
    assert (c11["category_id"], c11["us_share"], c11["runner_up_cluster"]) == (
        "alpha", "0.500", "Gamma")
    assert c11["near_tie"] == "category" and "near-tie of category: Gamma 0.500" in c11["note"]
    t11 = trace[trace["nace_code"] == "C11"].set_index("us_cluster_code")
    assert t11.at[1, "weight"] == 80.0 and t11.at[1, "n_naics"] == 2  # 50 + 30, not more
    assert set(t11["near_tie"]) == {"category"}
    assert defs.attrs["withheld"]["withheld_cells"] == 1


def test_tiny_near_tie_of_type(tiny):
    defs, trace = ed.build_definitions(*tiny)
    c14 = _row(defs, "C14")
    assert (c14["category_id"], c14["traded_share"], c14["near_tie"]) == ("alpha", "0.520", "type")
    assert "near-tie of type: traded 0.520, local 0.480" in c14["note"]
    assert set(trace.loc[trace["nace_code"] == "C14", "near_tie"]) == {"type"}
    flagged = trace.groupby("nace_code")["near_tie"].first()
    assert flagged[flagged != ""].to_dict() == {"C11": "category", "C14": "type"}


def test_tiny_near_ties_read_back_from_the_written_trace(tiny, tmp_path):
    from analytics.metrics.categories import near_ties, read_trace

    raw, overrides = tiny
    ed.write_definitions(raw, tmp_path / "out", overrides)
    ties = near_ties(read_trace(tmp_path / "out" / ed.TRACE_NAME)).set_index("nace_code")
    assert ties.index.tolist() == ["C11", "C14"]
    assert ties.loc["C11", ["near_tie", "category", "runner_up"]].tolist() == [
        "category", "Alpha", "Gamma"]
    assert ties.at["C11", "category_margin"] == pytest.approx(0.0)
    assert ties.loc["C14", ["near_tie", "category", "category_type", "runner_up"]].tolist() == [
        "type", "Alpha", "traded", ""]
    assert (ties.at["C14", "traded_share"], ties.at["C14", "local_share"]) == (0.52, 0.48)
    assert ties.at["C14", "type_margin"] == pytest.approx(0.04)


def test_tiny_override_none_rules(tiny):
    defs, _ = ed.build_definitions(*tiny)
    g46 = _row(defs, "G46")
    assert (g46["category_id"], g46["rule"], g46["us_share"]) == ("beta", "override", "0.000")
    assert (g46["category_type"], g46["traded_share"]) == ("local", "1.000")
    assert (g46["runner_up_cluster"], g46["runner_up_share"]) == ("", "")  # no other local
    assert "type-then-plurality gave Alpha (1.000)" in g46["note"]
    assert "test override" in g46["note"]
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
    assert "9 codes" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# (c) Integration tests on the real files.
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
    assert set(assigned["rule"]) <= {"type-then-plurality", "override"}
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
def test_real_type_is_the_majority_type(real_defs):
    d = real_defs[real_defs["rule"] == "type-then-plurality"]
    assert len(d) == 68
    traded = d["traded_share"].astype(float) > 0.5
    assert ((d["category_type"] == "traded") == traded).all()


@real
def test_real_mixed_divisions(real_defs):
    d = real_defs.set_index("nace_code")
    # C23: ready-mix concrete (local) is the plurality, but 64 % of the weight is traded (issue 15)
    assert (d.at["C23", "category_type"], d.at["C23", "traded_share"]) == ("traded", "0.640")
    assert d.at["C23", "near_tie"] == "category"  # Construction Products 0.222, Vulcanized 0.211
    assert (d.at["N82", "category_type"], d.at["N82", "near_tie"]) == ("traded", "type")


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
