"""Engine benchmark (not a test): build time and memory, loaded-metrics memory, and the median
server-side time of custom categories, custom regions and peer suggestions.

    .venv/bin/python scripts/benchmark_engine.py [--skip-build] [--runs 20]

Prints a table and writes data/build/benchmark_engine.json. Medians are quoted.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def median_ms(fn, runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    out: dict = {}
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "analytics", "build", "--build-dir", str(Path(tmp) / "build")],
                           cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
            out["build_seconds"] = round(time.perf_counter() - t0, 1)
            out["build_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            out["cpu_count"] = os.cpu_count()

    from analytics.metrics.peers import suggest
    from analytics.serving import custom as cu
    from analytics.serving.store import get_store

    base = rss_mb()
    eu, us = get_store("eu"), get_store("us")
    for s in (eu, us):
        _ = s.metrics, s.indicators, s.regions
    out["metrics_loaded_rss_mb"] = round(rss_mb() - base)
    out["metrics_rows"] = {"eu": len(eu.metrics), "us": len(us.metrics)}
    for level in us.levels:
        us.facts(level)
    for level in eu.levels:
        eu.facts(level)
    out["with_facts_rss_mb"] = round(rss_mb() - base)

    cars = cu.parse_category("Cars=naics:3361,3363;cat:plastics", us)

    def new_category():
        # a new definition: nothing of it is cached (custom metrics are computed afresh)
        cu.category_metrics(cars, us, ("county",))

    out["custom_category_us_counties_all_years_ms"] = median_ms(new_category, args.runs)
    fashion = cu.parse_category("Fashion=nace:13,14,15", eu)

    def new_category_eu():
        cu.category_metrics(fashion, eu)

    out["custom_category_eu_all_levels_years_ms"] = median_ms(new_category_eu, args.runs)
    oresund = cu.parse_region("Oresund=DK01+DK02+SE22", eu)
    out["custom_region_eu_oresund_ms"] = median_ms(lambda: cu.region_table(oresund, eu, 2014), args.runs)
    pnw = cu.parse_region("PNW=53033+53061+41051", us)
    out["custom_region_us_counties_ms"] = median_ms(lambda: cu.region_table(pnw, us, 2019), args.runs)
    table = eu.table("nuts2", 2014)
    ind = eu.indicators[(eu.indicators["level"] == "nuts2") & (eu.indicators["year"] == 2014)]
    for basis in ("structure", "size", "prosperity", "strong", "neighbours"):
        out[f"peers_{basis}_eu_nuts2_ms"] = median_ms(
            lambda b=basis: suggest(b, "DE11", table, ind, neighbours=eu.neighbours("nuts2")), args.runs)
    ctable = us.table("county", 2019)
    cind = us.indicators[(us.indicators["level"] == "county") & (us.indicators["year"] == 2019)]
    out["peers_structure_us_county_ms"] = median_ms(
        lambda: suggest("structure", "53033", ctable, cind, prosperity_col="gdp_pc_real"), args.runs)

    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:<{width}}  {v}")
    path = ROOT / "data" / "build" / "benchmark_engine.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
