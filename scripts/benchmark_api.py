"""Open API timings and sizes (measured, not a test): median server ms of typical ``/api/v1`` calls,
cold (first call: the views computed, the body rendered), warm (views memoized, body rendered
again: the answer cache cleared) and cached (the rendered body reused), and the bytes of JSON vs
CSV, uncompressed and with gzip / brotli as the server sends them.

    .venv/bin/python scripts/benchmark_api.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CALLS = [
    ("metrics eu nuts2 2015 (all categories)", "/api/v1/metrics?dataset=eu&level=nuts2&year=2015"),
    ("metrics us state 2021, one category, growth", "/api/v1/metrics?dataset=us&year=2021&start_year=2017"
                                                   "&category=automotive"),
    ("indicators eu nuts2 2015", "/api/v1/indicators?dataset=eu&level=nuts2&year=2015"),
    ("partners DE11 x automotive", "/api/v1/partners?region=DE11&category=automotive"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from app import server
    from web import api

    server.config["CLUSTER_RATELIMIT_API"] = "100000/minute"
    c = server.test_client()

    def timed(url, status=200, **kw):
        t = time.perf_counter()
        r = c.get(url, **kw)
        assert r.status_code == status, (url, r.status_code, r.data[:200])
        return (time.perf_counter() - t) * 1000, r

    print(f"{'call':46} {'cold ms':>8} {'warm ms':>8} {'cached':>7}  {'JSON B':>10} {'CSV B':>10} "
          f"{'JSON br':>8} {'CSV br':>8} {'JSON gz':>8}")
    for label, url in CALLS:
        api.BODIES.clear()
        cold, r = timed(url)
        warm = []
        for _ in range(args.repeat):
            api.BODIES.clear()
            warm.append(timed(url)[0])
        cached = statistics.median(timed(url)[0] for _ in range(args.repeat))
        js = len(r.data)
        csv_body = timed(url + "&format=csv")[1].data
        br = len(timed(url, headers={"Accept-Encoding": "br"})[1].data)
        gz = len(timed(url, headers={"Accept-Encoding": "gzip"})[1].data)
        csv_br = len(timed(url + "&format=csv", headers={"Accept-Encoding": "br"})[1].data)
        print(f"{label:46} {cold:8.0f} {statistics.median(warm):8.0f} {cached:7.1f}  {js:10,} {len(csv_body):10,} "
              f"{br:8,} {csv_br:8,} {gz:8,}")
    tag = c.get(CALLS[0][1]).headers["ETag"]
    t304 = [timed(CALLS[0][1], 304, headers={"If-None-Match": tag})[0] for _ in range(args.repeat)]
    print(f"304 revalidation (If-None-Match): median {statistics.median(t304):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
