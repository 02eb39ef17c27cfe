"""Partner-search benchmark (not a test): median server time of a search, against a naive baseline.

    .venv/bin/python scripts/benchmark_partners.py [--runs 50]

Times ``analytics.serving.organisations.partners`` (the code the page, the CLI and the API call)
from a region × category (Stuttgart, Automotive) and from an organisation, with the published
organisations already in memory (as in a running server), and the whole HTTP round trip of the
page's callback through Flask's test client. The naive baseline scores every organisation in a
Python loop, looking each region's figure up in the strengths table, as a first version would.
Prints medians in ms and writes data/build/benchmark_partners.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def naive(region_id: str, category_id: str):
    """Loop over organisations; a DataFrame filter per (organisation, category) for the region's figure."""
    from analytics.serving import organisations as orgs

    df, st, rel = orgs.frame(), orgs.strengths(), orgs._related()
    related = {r.related_id: r.percentile for r in rel[(rel["category_id"] == category_id) & rel["related_90"]]
               .itertuples()}
    out = []
    for o in df.itertuples():
        if o.country == "DE":
            continue
        best = None
        for c in (o.categories or "").split(";"):
            link = 1.0 if c == category_id else (0.8 * related[c] / 100 if c in related else None)
            if link is None:
                continue
            hit = st[(st["dataset"] == o.dataset) & (st["region_id"] == o.region_id) & (st["category_id"] == c)]
            strength = min(float(hit["lq"].iloc[0]), 3) / 3 if len(hit) and hit["lq"].notna().iloc[0] else 0.0
            score = 100 * (0.7 * link + 0.3 * strength)
            best = score if best is None or score > best else best
        if best is not None:
            out.append((best, o.name, o.id))
    return sorted(out, reverse=True)[:50]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    from analytics.serving import organisations as orgs

    t0 = time.perf_counter()
    orgs.frame(), orgs.strengths(), orgs._related()
    first_ms = (time.perf_counter() - t0) * 1000
    some_org = orgs.frame().query("dataset == 'eu' and categories.str.contains('automotive')", engine="python")
    org_id = some_org["id"].iloc[0]
    res = {
        "organisations": len(orgs.frame()),
        "first_load_ms": round(first_ms, 1),
        "region_category_ms": median_ms(lambda: orgs.partners(dataset="eu", region_id="DE11",
                                                              category_id="automotive"), args.runs),
        "organisation_ms": median_ms(lambda: orgs.partners(org_id=org_id), args.runs),
        "us_side_ms": median_ms(lambda: orgs.partners(dataset="eu", region_id="DE11", category_id="automotive",
                                                      side="us"), args.runs),
        "naive_baseline_ms": median_ms(lambda: naive("DE11", "automotive"), max(5, args.runs // 10)),
    }
    res["http_callback_ms"] = http_callback(args.runs)
    for k, v in res.items():
        print(f"{k:>22}: {v}")
    out = ROOT / "data" / "build" / "benchmark_partners.json"
    out.write_text(json.dumps(res, indent=2))
    return 0


def http_callback(runs: int) -> float:
    """The page's callback over HTTP (Flask test client): parse, search, rows, address."""
    from app import app

    client = app.server.test_client()
    client.get("/partners")
    body = {"output": "..partners-grid.rowData...partners-summary.children...partners-url.data..",
            "outputs": [{"id": "partners-grid", "property": "rowData"},
                        {"id": "partners-summary", "property": "children"},
                        {"id": "partners-url", "property": "data"}],
            "inputs": [{"id": f"partners-{k}", "property": "value", "value": v} for k, v in (
                ("org", None), ("dataset", "eu"), ("region", "DE11"), ("category", "automotive"), ("side", None),
                ("country", []), ("ecosystem", None), ("type", None), ("home", []), ("limit", 50))],
            "changedPropIds": ["partners-category.value"], "state": []}

    def call():
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code == 200, r.status_code

    return median_ms(call, runs)


if __name__ == "__main__":
    raise SystemExit(main())
