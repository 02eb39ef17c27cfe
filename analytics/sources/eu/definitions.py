"""Build the European cluster-category definitions file from the US 2014 cluster definitions.

Job: give every NACE code of the Eurostat regional SBS data (``sbs_r_nuts06_r2``, 101 codes)
exactly one row in ``data/eu_cluster_categories.csv`` saying which cluster category it belongs
to (or ``none`` and why), plus a trace file with every candidate so each decision can be checked.

Rule (type first, then US-employment-weighted plurality within the type, at NACE division level):

1. Each 6-digit NAICS 2017 code of a US 2014 benchmark cluster (Delgado, Porter & Stern 2016;
   51 traded + 16 local) gets its US 2017 employment: County Business Patterns, 6-digit rows,
   summed over the 50 states. A state cell with ``emp == 0`` and ``estab > 0`` is withheld
   (missing, not zero) and is left out of the sum; a code whose cells are all withheld gets 0.
2. The NAICS code is linked to NACE divisions through the official NAICS 2017 -> NACE Rev. 2
   concordance (NACE class -> its 2-digit division). If it links to k distinct divisions, its
   employment is split equally, 1/k to each (all divisions count, including ones SBS lacks).
3. Weights are summed per (division, cluster). **Type first:** the division is traded when the
   traded clusters hold more than half of its weight, otherwise local (an exact half is local).
   **Then the category:** the cluster of that type with the largest weight; ties (weights equal
   after rounding to 6 decimals) go to the lower cluster code. A division with no positive
   weight is ``none`` (rule ``none-no-us-cluster``). Near-ties are flagged: ``type`` when the
   traded and local shares are within 5 points of each other, ``category`` when the chosen
   cluster leads the next cluster of its type by at most 5 points of the division's weight.
4. Rows of the overrides CSV (``nace_code,category_id,reason``) replace the rule's choice.
5. Sections (``C``) are ``none-aggregate``; the trade groups ``G451``..``G479`` are
   ``none-finer-group`` (the divisions G45/G46/G47 are used, to avoid double counting).

Run ``python -m analytics.sources.eu.definitions`` (or ``python -m analytics make-categories``).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics import config

# Input files, relative to the raw-data directory.
SBS = Path("eu/sbs_regional/sbs_r_nuts06_r2_2017vintage.tsv.gz")
CLUSTER_NAICS = Path("us/clusters/cluster_naics2017_subcluster_mapping.csv")
CLUSTER_LIST = Path("us/clusters/clusters_2014_list.csv")
CONCORDANCE = Path("eu/classifications/NAICS2017_to_NACE_Rev2.csv")
NACE_STRUCTURE = Path("eu/classifications/nace_rev2_en_structure.csv")
CBP = Path("us/cbp/state_2017_2021/cbp_state_naics2017_2017_2021.csv.gz")
CBP_YEAR = 2017

OUT_NAME = "eu_cluster_categories.csv"
TRACE_NAME = "eu_cluster_categories_trace.csv"
OVERRIDES_NAME = "eu_cluster_overrides.csv"

COLUMNS = ["nace_code", "nace_level", "nace_name", "category_id", "category_name",
           "category_type", "us_cluster_code", "us_share", "traded_share", "runner_up_cluster",
           "runner_up_share", "us_employment_basis", "rule", "near_tie", "note"]
TRACE_COLUMNS = ["nace_code", "us_cluster_code", "cluster_name", "cluster_type", "weight", "share",
                 "type_share", "chosen", "near_tie", "n_naics", "naics_codes", "naics_detail"]
RULE = "type-then-plurality"
NEAR_TIE = 0.05  # "within 5 points": type shares, or the chosen cluster and the next of its type
NOTE_AGGREGATE = "NACE section: aggregate of its divisions, not a building block"
NOTE_GROUP = "finer breakdown of G45/G46/G47; the division is used to avoid double counting"


class MissingInputError(FileNotFoundError):
    """An input file is absent; the message names it."""


def _need(path: Path) -> Path:
    if not path.is_file():
        raise MissingInputError(f"missing input file: {path}")
    return path


def sbs_codes(raw_dir: Path) -> list[str]:
    """The distinct ``nace_r2`` codes of the SBS file, sorted."""
    key = pd.read_csv(_need(raw_dir / SBS), sep="\t", usecols=[0], dtype=str).iloc[:, 0]
    return sorted(key.str.split(",").str[0].unique())


def us_employment(raw_dir: Path) -> tuple[pd.Series, dict]:
    """US CBP 2017 employment per 6-digit NAICS (50 states summed, withheld cells left out)."""
    cbp = pd.read_csv(_need(raw_dir / CBP), usecols=["year", "naics2017", "estab", "emp"],
                      dtype={"naics2017": str})
    cbp = cbp[(cbp["year"] == CBP_YEAR) & cbp["naics2017"].str.fullmatch(r"\d{6}")]
    withheld = (cbp["emp"] == 0) & (cbp["estab"] > 0)
    all_withheld = withheld.groupby(cbp["naics2017"]).all()
    stats = {"withheld_cells": int(withheld.sum()),
             "withheld_codes": int(cbp.loc[withheld, "naics2017"].nunique()),
             "withheld_estab": int(cbp.loc[withheld, "estab"].sum()),
             "fully_withheld_codes": sorted(all_withheld[all_withheld].index)}
    return cbp[~withheld].groupby("naics2017")["emp"].sum(), stats


def _candidates(raw_dir: Path, emp: pd.Series) -> pd.DataFrame:
    """One row per (NAICS, division) link with the NAICS's cluster and its split weight."""
    clusters = pd.read_csv(_need(raw_dir / CLUSTER_NAICS), dtype={"naics2017": str},
                           usecols=["cluster_code", "naics2017", "naics2017_label"])
    conc = pd.read_csv(_need(raw_dir / CONCORDANCE), encoding="utf-8-sig", dtype=str)
    links = pd.DataFrame({"naics2017": conc["NAICS 2017"].str.strip(),
                          "division": conc["NACE Rev. 2"].str.strip().str[:2]}).drop_duplicates()
    links["n_div"] = links.groupby("naics2017")["division"].transform("size")
    cand = clusters.merge(links, on="naics2017", how="inner")
    cand["emp"] = cand["naics2017"].map(emp).fillna(0).astype(int)
    cand["weight"] = cand["emp"] / cand["n_div"]
    return cand


@dataclass(frozen=True)
class Decision:
    """The rule's choice for one division (see the module docstring, rule 3)."""

    cluster: int                  # the chosen US cluster code
    cluster_type: str             # its type: traded | local
    share: float                  # its share of the division's weight
    traded_share: float           # the traded clusters' share (local = 1 - traded)
    runner_up: int | None         # the next cluster of the same type, if any
    runner_up_share: float | None
    plurality: int                # the largest cluster over both types (the rule before issue 15)
    near_tie: str                 # "", "type", "category" or "type+category"


def decide(cands: pd.DataFrame) -> Decision:
    """Apply the rule to one division's candidates.

    ``cands`` has one row per US cluster: ``us_cluster_code``, ``cluster_type`` (traded/local)
    and ``weight`` (the concorded US employment); the weights must sum to more than 0.
    """
    if not cands["cluster_type"].isin(["traded", "local"]).all():
        raise ValueError("every candidate cluster must be traded or local")
    c = cands.assign(weight=cands["weight"].astype(float).round(6))
    c = c.sort_values(["weight", "us_cluster_code"], ascending=[False, True], ignore_index=True)
    total = c["weight"].sum()
    if not total > 0:
        raise ValueError("a division without positive weight has no category")
    traded = c.loc[c["cluster_type"] == "traded", "weight"].sum()
    local = c.loc[c["cluster_type"] == "local", "weight"].sum()
    ctype = "traded" if round(traded - local, 6) > 0 else "local"
    mine = c[c["cluster_type"] == ctype]
    first = mine.iloc[0]
    flags = []
    if round(abs(traded - local) / total, 6) <= NEAR_TIE:
        flags.append("type")
    second = mine.iloc[1] if len(mine) > 1 else None
    if second is not None and round((first["weight"] - second["weight"]) / total, 6) <= NEAR_TIE:
        flags.append("category")
    return Decision(
        cluster=int(first["us_cluster_code"]), cluster_type=ctype,
        share=float(first["weight"] / total), traded_share=float(traded / total),
        runner_up=None if second is None else int(second["us_cluster_code"]),
        runner_up_share=None if second is None else float(second["weight"] / total),
        plurality=int(c.iloc[0]["us_cluster_code"]), near_tie="+".join(flags))


def _read_overrides(path: Path, divisions: set[str], keys: set[str]) -> pd.DataFrame:
    ov = pd.read_csv(_need(path), dtype=str, keep_default_na=False)
    if list(ov.columns) != ["nace_code", "category_id", "reason"]:
        raise ValueError(f"{path}: header must be nace_code,category_id,reason")
    bad = ov[~ov["nace_code"].isin(divisions) | ~ov["category_id"].isin(keys)
             | (ov["reason"].str.strip() == "")]
    if len(bad) or ov["nace_code"].duplicated().any():
        raise ValueError(f"{path}: unknown division/category, empty reason or duplicate "
                         f"code in rows {bad.index.tolist() or 'duplicates'}")
    return ov.set_index("nace_code")


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def build_definitions(raw_dir: Path, overrides_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (definitions, trace); see the module docstring for the rule."""
    raw_dir = Path(raw_dir)
    codes = sbs_codes(raw_dir)
    emp, withheld = us_employment(raw_dir)
    cand = _candidates(raw_dir, emp)
    clist = pd.read_csv(_need(raw_dir / CLUSTER_LIST)).set_index("cluster_code")
    names = pd.read_csv(_need(raw_dir / NACE_STRUCTURE), dtype=str,
                        usecols=["nace2", "NAME"]).set_index("nace2")["NAME"]
    divisions = [c for c in codes if len(c) == 3]
    overrides = _read_overrides(Path(overrides_path), set(divisions),
                                set(clist["cluster_key"]))
    key_to_code = pd.Series(clist.index, index=clist["cluster_key"])

    # Trace: weight per (SBS division, cluster), with the NAICS behind it.
    cand["nace_code"] = cand["division"].map({c[1:]: c for c in divisions})
    cand = cand.dropna(subset=["nace_code"]).sort_values(["nace_code", "cluster_code",
                                                          "naics2017"])
    cand["detail"] = (cand["naics2017"] + ":" + cand["emp"].astype(str) + "/"
                      + cand["n_div"].astype(str))
    trace = cand.groupby(["nace_code", "cluster_code"], as_index=False).agg(
        weight=("weight", "sum"), n_naics=("naics2017", "size"),
        naics_codes=("naics2017", ";".join), naics_detail=("detail", ";".join))
    trace["weight"] = trace["weight"].round(6)
    total = trace.groupby("nace_code")["weight"].transform("sum")
    trace["share"] = (trace["weight"] / total).where(total > 0)
    trace["cluster_name"] = trace["cluster_code"].map(clist["cluster_name"])
    trace["cluster_type"] = trace["cluster_code"].map(clist["type"])
    trace = trace.sort_values(["nace_code", "weight", "cluster_code"],
                              ascending=[True, False, True], ignore_index=True)
    trace = trace.rename(columns={"cluster_code": "us_cluster_code"})
    decisions = {code: decide(g) for code, g in trace.groupby("nace_code") if g["weight"].sum() > 0}
    total = trace.groupby("nace_code")["weight"].transform("sum")
    type_weight = trace.groupby(["nace_code", "cluster_type"])["weight"].transform("sum")
    trace["type_share"] = (type_weight / total).where(total > 0)
    trace["chosen"] = [
        "yes" if code in decisions and decisions[code].cluster == cl else ""
        for code, cl in zip(trace["nace_code"], trace["us_cluster_code"])]
    trace["near_tie"] = trace["nace_code"].map(
        {code: d.near_tie for code, d in decisions.items()}).fillna("")
    trace = trace[TRACE_COLUMNS]

    rows = []
    for code in codes:
        level = {1: "section", 3: "division", 4: "group"}[len(code)]
        dotted = code if level == "section" else (
            code[1:] if level == "division" else f"{code[1:3]}.{code[3]}")
        name = names.get(dotted, "")
        row = dict.fromkeys(COLUMNS, "")
        row.update(nace_code=code, nace_level=level, category_type="none",
                   nace_name=name.capitalize() if name.isupper() else name)
        if level == "section":
            row.update(rule="none-aggregate", note=NOTE_AGGREGATE)
        elif level == "group":
            row.update(rule="none-finer-group", note=NOTE_GROUP)
        else:
            row.update(_decide(code, trace[trace["nace_code"] == code], decisions.get(code),
                               cand, clist, overrides, key_to_code))
        rows.append(row)
    definitions = pd.DataFrame(rows, columns=COLUMNS)
    definitions.attrs["withheld"] = withheld

    trace["weight"] = trace["weight"].round(1)
    for col in ("share", "type_share"):
        trace[col] = trace[col].map(lambda s: "" if pd.isna(s) else _fmt(s))
    return definitions, trace


def _decide(code, cands, decision, naics, clist, overrides, key_to_code) -> dict:
    """Fill the category columns of one division from its trace rows and the rule's decision."""
    total = cands["weight"].sum()
    out = {"us_employment_basis": str(int(round(total)))}
    if decision is None:
        why = ("US cluster NAICS codes map here but have no disclosed 2017 CBP employment"
               if len(cands) else "no NAICS code of any US cluster maps to this division")
        return out | {"rule": "none-no-us-cluster", "note": why}
    ranked = cands.set_index("us_cluster_code")
    d = decision
    chosen, rule = d.cluster, RULE
    if code in overrides.index:
        chosen, rule = int(key_to_code[overrides.at[code, "category_id"]]), "override"
    ctype = clist.at[chosen, "type"]
    share = ranked["weight"].get(chosen, 0.0) / total
    # runner-up: the next cluster of the same type as the category in use
    same = ranked[(ranked["cluster_type"] == ctype) & (ranked.index != chosen)]
    out |= {"category_id": clist.at[chosen, "cluster_key"],
            "category_name": clist.at[chosen, "cluster_name"],
            "category_type": ctype, "us_cluster_code": str(chosen),
            "us_share": _fmt(share), "traded_share": _fmt(d.traded_share), "rule": rule,
            "near_tie": d.near_tie}
    if len(same):
        out |= {"runner_up_cluster": same["cluster_name"].iloc[0],
                "runner_up_share": _fmt(same["weight"].iloc[0] / total)}
    if rule == "override":
        note = (f"{RULE} gave {clist.at[d.cluster, 'cluster_name']} ({_fmt(d.share)}); "
                f"override: {overrides.at[code, 'reason']}")
    else:
        mine = naics[(naics["nace_code"] == code) & (naics["cluster_code"] == chosen)]
        top = mine.loc[mine["weight"].idxmax()]
        note = (f"largest NAICS: {top['naics2017']} {top['naics2017_label']} "
                f"({_fmt(top['weight'] / total)} of division weight)")
        if d.plurality != d.cluster:
            note += (f"; plurality over both types: {clist.at[d.plurality, 'cluster_name']} "
                     f"({_fmt(ranked.at[d.plurality, 'weight'] / total)}, "
                     f"{clist.at[d.plurality, 'type']})")
    if "type" in d.near_tie.split("+"):
        note += (f"; near-tie of type: traded {_fmt(d.traded_share)}, "
                 f"local {_fmt(1 - d.traded_share)}")
    if "category" in d.near_tie.split("+"):
        note += (f"; near-tie of category: {clist.at[d.runner_up, 'cluster_name']} "
                 f"{_fmt(d.runner_up_share)}, margin {_fmt(d.share - d.runner_up_share)}")
    return out | {"note": note}


def write_definitions(raw_dir: Path, out_dir: Path,
                      overrides_path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build and write the definitions and trace CSVs into ``out_dir``; return both frames."""
    if overrides_path is None:
        overrides_path = config.DEFINITIONS_DIR / OVERRIDES_NAME
    definitions, trace = build_definitions(Path(raw_dir), Path(overrides_path))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    definitions.to_csv(out_dir / OUT_NAME, index=False, lineterminator="\n")
    trace.to_csv(out_dir / TRACE_NAME, index=False, lineterminator="\n")
    return definitions, trace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make-categories", description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=None,
                        help="raw-data directory (default: analytics.config.raw_dir())")
    parser.add_argument("--out", type=Path, default=config.DEFINITIONS_DIR,
                        help="output directory (default: %(default)s)")
    parser.add_argument("--overrides", type=Path,
                        default=config.DEFINITIONS_DIR / OVERRIDES_NAME,
                        help="overrides CSV (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        d, trace = write_definitions(config.raw_dir(args.raw), args.out, args.overrides)
    except (MissingInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / OUT_NAME} ({len(d)} codes) and {TRACE_NAME} ({len(trace)} rows)")
    print("rules: " + ", ".join(f"{k} {v}" for k, v in d["rule"].value_counts().items()))
    cats = d[d["category_id"] != ""].groupby("category_type")["category_id"].nunique()
    print("categories: " + ", ".join(f"{v} {k}" for k, v in cats.items()))
    w = d.attrs["withheld"]
    print(f"CBP {CBP_YEAR} withheld state cells left out: {w['withheld_cells']} cells, "
          f"{w['withheld_codes']} NAICS codes, {w['withheld_estab']} establishments; "
          f"fully withheld: {', '.join(w['fully_withheld_codes']) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
