"""Benchmark of the map explorer, through the Flask test client of ``app.server`` (no browser, no server).

Measures, for Europe NUTS 2 (and US counties when the ``us`` dataset is built):

- the MEDIAN server time of the map callback (``change_view``: pickers and map in one, plus the table
  callbacks of the same interaction) over >= 20 category / metric / year changes, each a view
  not seen before in the process ("cold") and the same views again ("warm", cached);
- the bytes of each Patch response against the full figure (raw JSON and compressed as sent);
- the first page load's transferred bytes, compressed (``Accept-Encoding: gzip, br``): the HTML of
  ``/`` and ``/map``, the CSS/JS it references, ``_dash-layout``, ``_dash-dependencies``, the
  graph's async chunks and the Pages callback that renders the map page (it carries the geometry);
- the peak memory (RSS) of the process with the metrics of every dataset loaded.

Prints a table and writes ``data/build/benchmark.json``. Run: ``.venv/bin/python scripts/benchmark.py``
(``make benchmark``). ``--reps N`` changes the repetitions (default 24).
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENC = {"Accept-Encoding": "gzip, br"}


def _rss_mb() -> tuple[float, float]:
    import psutil

    now = psutil.Process().memory_info().rss / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return now, peak


class Client:
    """Posts Dash callback requests the way the renderer does, and times them."""

    def __init__(self, server):
        self.http = server.test_client()
        deps = json.loads(self.http.get("/_dash-dependencies").data)
        self.deps = {d["output"]: d for d in deps}

    def dependency(self, first_output: str) -> dict:
        for key, dep in self.deps.items():
            if key.lstrip(".").startswith(first_output):
                return dep
        raise KeyError(first_output)

    def call(self, first_output: str, inputs: dict, state: dict | None = None, changed: list[str] | None = None):
        """POST one callback; returns (seconds, raw bytes, compressed bytes, response JSON)."""
        dep = self.dependency(first_output)
        outputs = [dict(zip(("id", "property"), o.rsplit(".", 1)))
                   for o in re.findall(r"([\w-]+\.[\w]+)", dep["output"])]
        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{"id": i["id"], "property": i["property"], "value": inputs.get(f"{i['id']}.{i['property']}")}
                       for i in dep["inputs"]],
            "state": [{"id": s["id"], "property": s["property"],
                       "value": (state or {}).get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
            "changedPropIds": changed or [],
        }
        t0 = time.perf_counter()
        resp = self.http.post("/_dash-update-component", json=body, headers=ENC)
        seconds = time.perf_counter() - t0
        if resp.status_code == 204:
            return seconds, 0, 0, None
        assert resp.status_code == 200, (resp.status_code, resp.data[:300])
        compressed = len(resp.data)
        raw = resp.get_data()
        encoding = resp.headers.get("Content-Encoding")
        if encoding == "br":
            import brotli
            raw = brotli.decompress(raw)
        elif encoding == "gzip":
            import gzip
            raw = gzip.decompress(raw)
        return seconds, len(raw), compressed, json.loads(raw)


def picker_inputs(state: dict) -> dict:
    from pages.map.callbacks import PICKERS, picker_values

    return {f"{PICKERS[k]}.value": v for k, v in picker_values(state).items()}


def resolve(query: dict):
    from components.routes import MAP

    return MAP.parse(query)


def views(dataset: str, level: str, n: int):
    """n distinct views reached by one picker change each (category, metric or year)."""
    from analytics.serving.store import get_store
    from components.routes import METRICS

    store = get_store(dataset)
    cats = list(store.category_names)
    metrics = [m for m in METRICS if m != "growth"] + ["growth"]
    years = list(store.level_years(level))[::-1]
    out, seen = [], set()
    prev, _ = resolve({"dataset": dataset, "level": level})
    kinds = itertools.cycle(["category", "metric", "year"])
    i = 0
    while len(out) < n and i < 10 * n:
        kind = next(kinds)
        i += 1
        q = {k: prev[k] for k in prev}
        if kind == "category":
            q["category"] = cats[(i * 7) % len(cats)]
        elif kind == "metric":
            q["metric"] = metrics[(i // 3) % len(metrics)]
        else:
            q["year"] = years[(i // 3) % len(years)]
        state, _ = resolve({k: v for k, v in q.items() if k != "start_year" and v is not None})
        key = tuple(str(v) for v in state.values())
        if key in seen:
            continue
        seen.add(key)
        out.append((kind, prev, state))
        prev = state
    return out


def first_page(state: dict) -> tuple[float, int]:
    """Server time and raw bytes of the table's first page (the grid's getRows callback body)."""
    from pages.map import table as mt

    t0 = time.perf_counter()
    block = mt.page_rows(mt.rows(state), {"startRow": 0, "endRow": mt.PAGE_SIZE, "sortModel": [], "filterModel": {}})
    return time.perf_counter() - t0, len(json.dumps({"response": {"getRowsResponse": block}}))


def bench_interactions(client: Client, dataset: str, level: str, reps: int) -> dict:
    from pages.map import ids

    changes = views(dataset, level, reps)
    first, _ = resolve({"dataset": dataset, "level": level})
    geo = {f"{ids.STATE}.data": {"geo": f"{dataset}/{level}"}}
    # the full figure (what the page render or a level change sends): the naive baseline of every change
    t_full, full_raw, full_comp, _ = client.call(ids.DATASET, {**picker_inputs(first), f"{ids.URL_POP}.data": None},
                                                 {f"{ids.STATE}.data": {"geo": None}}, [f"{ids.DATASET}.value"])
    # the figure names its geometry file; the naive baseline carries it in every response
    from web.geo import geo_url
    geo_file = client.http.get(geo_url(dataset, level), headers=ENC)
    full_raw += len(client.http.get(geo_url(dataset, level)).data)
    full_comp += len(geo_file.data)
    rows = {"map": [], "table": [], "rows": []}
    sizes = []
    for phase in ("cold", "warm"):
        for kind, _prev, state in changes:
            inputs = picker_inputs(state)
            changed = [f"{ {'category': ids.CATEGORY, 'metric': ids.METRIC, 'year': ids.YEAR}[kind]}.value"]
            fig = client.call(ids.DATASET, {**inputs, f"{ids.URL_POP}.data": None}, geo, changed)  # pickers + map
            table = client.call(ids.TABLE, inputs, {}, changed)
            page_s, page_raw = first_page(state)
            assert "__dash_patch_update" in json.dumps(fig[3]["response"][ids.GRAPH]["figure"])[:200]
            rows["map"].append((phase, fig[0]))
            rows["table"].append((phase, table[0]))
            rows["rows"].append((phase, page_s))
            if phase == "cold":
                sizes.append({"kind": kind, "patch_raw": fig[1], "patch_compressed": fig[2],
                              "interaction_raw": fig[1] + table[1] + page_raw,
                              "interaction_compressed": fig[2] + table[2]})

    def med(name, phase):
        return round(1000 * statistics.median(t for p, t in rows[name] if p == phase), 1)

    patch_raw = statistics.median(s["patch_raw"] for s in sizes)
    patch_comp = statistics.median(s["patch_compressed"] for s in sizes)
    return {
        "dataset": dataset, "level": level, "repetitions": len(changes),
        "map_ms_median_cold": med("map", "cold"), "map_ms_median_warm": med("map", "warm"),
        "map_ms_max_cold": round(1000 * max(t for p, t in rows["map"] if p == "cold"), 1),
        "table_ms_median": med("table", "cold"),
        "table_rows_ms_median": med("rows", "cold"),
        "full_figure_ms": round(1000 * t_full, 1),
        "full_figure_bytes_raw": full_raw, "full_figure_bytes_compressed": full_comp,
        "patch_bytes_raw_median": int(patch_raw), "patch_bytes_compressed_median": int(patch_comp),
        "patch_bytes_raw_max": max(s["patch_raw"] for s in sizes),
        "patch_ratio_raw_median": round(patch_raw / full_raw, 4),
        "patch_ratio_raw_max": round(max(s["patch_raw"] for s in sizes) / full_raw, 4),
        "patch_ratio_compressed_median": round(patch_comp / full_comp, 4),
        "interaction_bytes_compressed_median": int(statistics.median(s["interaction_compressed"] for s in sizes)),
        "interaction_bytes_raw_median": int(statistics.median(s["interaction_raw"] for s in sizes)),
    }


def first_load(client: Client) -> dict:
    """Compressed bytes of a first visit to / and then /map (each counted as a cold visit)."""
    http = client.http
    out = {}
    for path in ("/", "/map"):
        total, items = 0, {}
        html = http.get(path, headers=ENC)
        items["html"] = len(html.data)
        text = http.get(path).get_data(as_text=True)
        refs = re.findall(r'<script[^>]+src="([^"]+)"', text) + re.findall(r'<link[^>]+href="([^"]+)"', text)
        refs += ["/_dash-component-suites/dash/dcc/async-graph.js",
                 "/_dash-component-suites/plotly/package_data/plotly.min.js"]  # loaded by dcc.Graph
        if path == "/map":  # the map's geometry, fetched by plotly.js from its own URL
            from web.geo import geo_url
            refs.append(geo_url("eu", "nuts2"))
        refs = list(dict.fromkeys(refs))
        for ref in refs:
            r = http.get(ref, headers=ENC)
            assert r.status_code == 200, (ref, r.status_code)
            items[ref.split("?")[0].rsplit("/", 1)[-1]] = len(r.data)
        for ref in ("/_dash-layout", "/_dash-dependencies"):
            items[ref] = len(http.get(ref, headers=ENC).data)
        # the Pages router callback renders the page (for /map: the full figure with geometry)
        dep = next(d for d in client.deps.values() if d["output"].startswith("..dash-page") or
                   "_pages_content" in d["output"])
        body = {"output": dep["output"],
                "outputs": [dict(zip(("id", "property"), o.rsplit(".", 1)))
                            for o in re.findall(r"([\w-]+\.[\w]+)", dep["output"])],
                "inputs": [{"id": i["id"], "property": i["property"],
                            "value": path if i["property"] == "pathname" else ""} for i in dep["inputs"]],
                "state": [], "changedPropIds": []}
        page = http.post("/_dash-update-component", json=body, headers=ENC)
        items["page content callback"] = len(page.data)
        total = sum(items.values())
        out[path] = {"total_bytes_compressed": total, "items": items}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=24)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import app as dash_app
    import_s = time.perf_counter() - t0
    from analytics.serving.store import available_datasets, get_store

    client = Client(dash_app.server)
    t0 = time.perf_counter()
    datasets = available_datasets()
    for ds in datasets:  # metrics in memory, as a worker holds them
        _ = get_store(ds).metrics, get_store(ds).indicators
    load_s = time.perf_counter() - t0

    results = {"import_app_s": round(import_s, 2), "load_metrics_s": round(load_s, 2), "maps": []}
    targets = [("eu", "nuts2", 50.0), ("us", "county", 150.0)]
    for ds, level, target in targets:
        if ds in datasets and level in get_store(ds).map_levels:
            r = bench_interactions(client, ds, level, args.reps)
            r["target_ms"] = target
            results["maps"].append(r)
    results["first_load"] = first_load(client)
    now, peak = _rss_mb()
    results["rss_mb"] = round(now, 1)
    results["peak_rss_mb"] = round(peak, 1)

    print(f"import app: {import_s:.2f} s; metrics of {', '.join(datasets)} loaded in {load_s:.2f} s")
    head = f"{'map':<12}{'n':>4}{'map ms cold':>13}{'warm':>7}{'target':>8}{'table':>7}" \
           f"{'patch B':>10}{'full B':>11}{'ratio':>8}{'patch gz':>10}{'full gz':>10}{'ratio gz':>10}"
    print(head)
    print("-" * len(head))
    for r in results["maps"]:
        print(f"{r['dataset'] + '/' + r['level']:<12}{r['repetitions']:>4}{r['map_ms_median_cold']:>13}"
              f"{r['map_ms_median_warm']:>7}{r['target_ms']:>8}{r['table_ms_median']:>7}"
              f"{r['patch_bytes_raw_median']:>10,}{r['full_figure_bytes_raw']:>11,}"
              f"{r['patch_ratio_raw_median']:>8.1%}{r['patch_bytes_compressed_median']:>10,}"
              f"{r['full_figure_bytes_compressed']:>10,}{r['patch_ratio_compressed_median']:>10.1%}")
    print("(ms = median server time over the repetitions; B = bytes of the map callback response, raw JSON;"
          " gz = as sent, compressed; the full figure with its geometry is the naive baseline: what every change would send"
          " without Patches)")
    for r in results["maps"]:
        print(f"{r['dataset']}/{r['level']}: table grid {r['table_ms_median']} ms + first page of rows "
              f"{r['table_rows_ms_median']} ms (server, median)")
        print(f"{r['dataset']}/{r['level']}: whole interaction (pickers and map + table + first page) median "
              f"{r['interaction_bytes_compressed_median']:,} B compressed; max patch/full raw "
              f"{r['patch_ratio_raw_max']:.1%}")
    for path, fl in results["first_load"].items():
        print(f"first load {path}: {fl['total_bytes_compressed']:,} B compressed "
              f"(plotly.min.js {fl['items'].get('plotly.min.js', 0):,} B, page content "
              f"{fl['items']['page content callback']:,} B)")
    print(f"RSS {results['rss_mb']:.0f} MB now, peak {results['peak_rss_mb']:.0f} MB")

    from analytics import config

    out = config.build_dir(None) / "benchmark.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
