"""US imputation benchmark (not a test): how well the imputation of withheld CBP 2017+ cells
holds up, measured against what the data can tell.

    .venv/bin/python scripts/benchmark_imputation.py [--raw DIR] [--json OUT]

Prints, side by side with the baselines (cells left out = the former build; naive =
establishments × national typical size, no margins):
1. imputed share of cluster employment by year and level;
2. masked validation (10 % of published 2017 cells, stratified by size): Spearman and median
   absolute percentage error per size band, state and county;
3. national cluster totals 2017 against 2018 (2018 withholds almost nothing: 15 state cells),
   and 6-digit coverage of the all-industries rows;
4. state × traded cluster LQ (traded denominator) and employment 2017 vs 2018 (Spearman);
5. strong-cluster counts (stars ≥ 1, US rules, traded denominator) before and after.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import config  # noqa: E402
from analytics.build import us_definitions  # noqa: E402
from analytics.metrics.regions import benchmark, level_metrics, rate_per_level  # noqa: E402
from analytics.sources.us import imputation  # noqa: E402
from analytics.sources.us import sources as src  # noqa: E402


def _metrics(state_facts, state_totals, county_facts, county_totals, defs, regions) -> dict:
    bc, bt = benchmark(state_facts, defs, state_totals)
    out = {}
    for level, f, t in (("state", state_facts, state_totals), ("county", county_facts, county_totals)):
        m, _ = level_metrics(f, defs, bc, bt, regions, level, t)
        out[level] = m.join(rate_per_level(m, "us-strong", "traded"))
    return out, bc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", help="raw-data directory (default: $CLUSTER_RAW_DIR or ../shared/data)")
    ap.add_argument("--json", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    raw = config.raw_dir(args.raw)
    defs, _ = us_definitions(raw)
    regions, _ = src.read_regions(raw)
    s_raw, c_raw = src.read_state_new_raw(raw), src.read_county_new_raw(raw)
    t0 = time.perf_counter()
    s_imp, c_imp, report = imputation.impute(s_raw, c_raw)
    secs = time.perf_counter() - t0
    result: dict = {"impute_seconds": round(secs, 2), "report": report}
    print(f"imputation of {len(s_raw):,} state and {len(c_raw):,} county rows: {secs:.1f} s, "
          f"{report['county']['sweeps']} IPF sweeps")
    for level in ("state", "county"):
        r = report[level]
        print(f"  {level}: withheld cells " + ", ".join(f"{y} {n:,}" for y, n in r["withheld_cells"].items())
              + "; left missing (no margin bounds them) " + ", ".join(f"{y} {n}" for y, n in r["left_missing_cells"].items())
              + f"; NAICS parents exceeded by their children (> 0.5 persons) {r['parents_exceeded_by_children']:,}"
              + (f" of {r['parents_with_withheld_children']:,}")
              + (f"; state cells exceeded by their counties {r['over_state']}" if "over_state" in r else ""))

    before = _metrics(*src.format_state_new(s_raw), *src.format_county_new(c_raw), defs, regions)
    after = _metrics(*src.format_state_new(s_imp), *src.format_county_new(c_imp), defs, regions)

    print("\n1. share of cluster employment (6-digit cells of the 67 clusters) that is imputed")
    shares = {}
    codes = set(defs.industry_map["industry"])
    for level, frame in (("state", src.format_state_new(s_imp)[0]), ("county", src.format_county_new(c_imp)[0])):
        m = frame[frame["industry"].isin(codes)]
        s = m["employment"].where(m["employment_imputed"]).groupby(m["year"]).sum() / m.groupby("year")["employment"].sum()
        shares[level] = {int(y): round(float(v) * 100, 2) for y, v in s.items()}
        print(f"  {level}: " + ", ".join(f"{y} {v:.2f} %" for y, v in shares[level].items()))
    result["imputed_share_pct"] = shares

    print("\n2. masked validation, 2017 (10 % of published cells per size band hidden and imputed)")
    masked = {}
    for level in ("state", "county"):
        v = imputation.mask_validation(s_raw, c_raw, level=level)
        masked[level] = v.to_dict("records")
        print(f"  {level}  ('open' = cells the margins do not fix exactly)")
        print(v.round(3).to_string(index=False).replace("\n", "\n    ").join(["    ", ""]))
    result["masked"] = masked

    print("\n3. national cluster employment 2017 / 2018 (2018 ≈ complete), traded clusters")
    cats = defs.categories.set_index("category_id")
    traded = cats.index[cats["category_type"] == "traded"]
    counts = {}
    for name, (_m, bc) in (("left out", before), ("imputed", after)):
        b = bc.pivot(index="category_id", columns="year", values="employment").reindex(traded)
        ratio = b[2017] / b[2018]
        within = int(((ratio - 1).abs() <= 0.05).sum())
        counts[name] = {"within_5pct": within, "median_ratio": round(float(ratio.median()), 3),
                        "min": round(float(ratio.min()), 3), "lowest": ratio.nsmallest(3).round(3).to_dict()}
        print(f"  {name:8}: {within} of {len(traded)} within ±5 %; median {ratio.median():.3f}; lowest "
              + ", ".join(f"{cats.loc[k, 'category_name']} {v:.2f}" for k, v in ratio.nsmallest(3).items()))
    tot = s_raw[s_raw["naics2017"] == "00"].groupby("year")["emp"].sum()
    g = float(tot[2017] / tot[2018])
    b = after[1].pivot(index="category_id", columns="year", values="employment").reindex(traded)
    adj = b[2017] / b[2018] / g
    counts["imputed_growth_adjusted"] = int(((adj - 1).abs() <= 0.05).sum())
    print(f"  imputed, divided by the all-industries ratio 2017/2018 ({g:.3f}): "
          f"{counts['imputed_growth_adjusted']} of {len(traded)} within ±5 %")
    natural = {f"{y}/{y + 1}": int(((b[y] / b[y + 1] - 1).abs() <= 0.05).sum()) for y in (2018, 2019, 2020)}
    counts["complete_years_within_5pct"] = natural
    print("  reference, year-to-year change between years that withhold almost nothing: "
          + ", ".join(f"{k} {v} of {len(traded)}" for k, v in natural.items()) + " within ±5 %")
    result["national_2017_vs_2018"] = counts
    for name, frame in (("left out", s_raw), ("imputed", s_imp)):
        six = frame[frame["naics2017"].astype(str).str.fullmatch(r"\d{6}")]
        emp = pd.to_numeric(six["emp"], errors="coerce")  # raw: a withheld cell is a published 0 (left out)
        cov = emp.groupby(six["year"]).sum() / frame[frame["naics2017"] == "00"].groupby("year")["emp"].sum()
        print(f"  6-digit rows / all-industries rows, sum of states ({name}): "
              + ", ".join(f"{y} {v:.3f}" for y, v in cov.items()))
        result.setdefault("coverage_6digit", {})[name] = {int(y): round(float(v), 4) for y, v in cov.items()}

    print("\n4. state × traded cluster 2017 vs 2018 (Spearman)")
    for name, (m, _) in (("left out", before), ("imputed", after)):
        st = m["state"]
        st = st[st["category_id"].isin(traded)]
        p = st.pivot_table(index=["region_id", "category_id"], columns="year", values=["lq_type", "employment"])
        lq = p["lq_type"][[2017, 2018]].dropna()
        emp = p["employment"][[2017, 2018]].dropna()
        r_lq = lq[2017].rank().corr(lq[2018].rank())
        r_emp = emp[2017].rank().corr(emp[2018].rank())
        print(f"  {name:8}: LQ {r_lq:.3f} (n {len(lq):,}), employment {r_emp:.3f} (n {len(emp):,})")
        result.setdefault("state_2017_vs_2018", {})[name] = {"lq": round(r_lq, 4), "employment": round(r_emp, 4)}

    print("\n5. strong clusters (stars ≥ 1, US rules, traded denominator)")
    for level in ("state", "county"):
        line = []
        for name, (m, _) in (("left out", before), ("imputed", after)):
            mm = m[level]
            n = mm[mm["stars"].fillna(0) >= 1].groupby("year").size()
            line.append(f"{name} " + ", ".join(f"{y} {v:,}" for y, v in n.items()))
            result.setdefault("strong_clusters", {}).setdefault(level, {})[name] = {int(y): int(v) for y, v in n.items()}
        print(f"  {level}: " + "; ".join(line))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
