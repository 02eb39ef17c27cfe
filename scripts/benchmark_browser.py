"""Browser benchmark: what a user feels on /map (and /compare), this app against a naive Dash map.

Starts the app (gunicorn, 2 workers, as in production) and ``scripts/naive_map_app.py`` (one callback
returning the whole ``px.choropleth_map`` figure, GeoJSON included; Flask dev server, threaded, no
compression), drives headless Chromium (1400×900) and times, per scenario and network:

- picker changes (year and category alternately, each to a value not shown; categories and years
  cycle without repeats, so views are almost always new to the servers' caches): /map Europe
  NUTS 2 and /map US counties for both apps; focal-region changes on /compare (app only: the
  naive app has no compare page). A change is ``dash_clientside.set_props(id, {value})``, the
  path a user's pick takes through the renderer;
- cold load → interactive map: a fresh browser profile (empty cache) opens the /map address;
  3 runs; bytes = compressed bytes transferred (Resource Timing transferSize, navigation included).

"Done" (the event timed): measured from the change (``performance.now()`` just before set_props, or
navigation start for a cold load) to the LAST of: the graph's ``plotly_afterplot`` (at least one after
the change is required), MapLibre's ``render`` frames where a map is MapLibre (``gd._fullLayout.map._subplot.map``;
the app's maps are SVG ``geo`` subplots, drawn by the time of their ``plotly_afterplot``)
and the moment Dash became idle (renderer store ``isLoading`` false, no fetch/XHR in flight), once
nothing more happened for 400 ms and the map reports ``loaded()`` with values. "paint" is the same
without the Dash-idle part (the last repaint of the figure). Server side: the callbacks' TTFB
(responseStart − requestStart, summed over the change's ``_dash-update-component`` requests) and
bytes per change (transferSize of every request the change caused). Chrome's emulated latency lands
in the download phase, so TTFB stays a server-time measure under emulation too.

Each scenario runs on loopback and with Chrome's network emulation (10 Mbit/s down and up, 40 ms
latency). One unrecorded warm-up change precedes the timed ones. Prints a table (median, p10–p90,
naive/app ratio) and writes ``data/benchmarks/browser.json`` (the folder ignores itself for git).

    python scripts/benchmark_browser.py                  # 20 changes, 10 on /compare, both networks (~16 min)
    python scripts/benchmark_browser.py --quick          # 5 changes, 1 cold load: to try it out
    python scripts/benchmark_browser.py --changes 30 --skip-emulated --only app [--naive-compress]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "data" / "benchmarks" / "browser.json"
WAIT = 60            # seconds: the longest any single wait may take
QUIET_MS = 400       # nothing new for this long after the last event: the change is over
EMULATED = {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8}
NETWORKS = {"loopback": None, "10Mbit/40ms": EMULATED}
MAP_SCENARIOS = {"map eu nuts2": ("eu", "nuts2"), "map us county": ("us", "county")}

# Installed in every document before its own scripts (CDP Page.addScriptToEvaluateOnNewDocument):
# timestamps of afterplot / MapLibre frames / Dash busy-idle transitions, fetch+XHR in flight.
HOOK = r"""
(function () {
  if (window.__bm) return;
  var bm = window.__bm = {inflight: 0, netEnd: 0, afterplots: [], renders: [], idleAt: [], busyAt: [],
                          graphs: [], maps: []};
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
  var now = function () { return performance.now(); };
  var done = function () { bm.inflight--; bm.netEnd = now(); };
  var of = window.fetch;
  window.fetch = function () {
    bm.inflight++;
    var p = of.apply(this, arguments);
    p.then(function (r) { r.clone().arrayBuffer().then(done, done); }, done);  // until the body is in
    return p;
  };
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    bm.inflight++;
    this.addEventListener('loadend', done);
    return send.apply(this, arguments);
  };
  function mapOf(gd) {
    var sp = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sp && sp.map;
  }
  function hookMap(gd) {
    var m = mapOf(gd);
    if (!m || bm.maps.indexOf(m) >= 0) return;
    bm.maps.push(m);
    m.on('render', function () { bm.renders.push(now()); });
  }
  function hookGraph(gd) {
    if (typeof gd.on !== 'function') return;
    if (bm.graphs.indexOf(gd) < 0) {
      bm.graphs.push(gd);
      var box = gd.closest('[id]');
      gd.on('plotly_afterplot', function () { bm.afterplots.push([now(), box ? box.id : '']); hookMap(gd); });
    }
    hookMap(gd);
  }
  function scan() {
    var list = document.querySelectorAll('.js-plotly-plot');
    for (var i = 0; i < list.length; i++) hookGraph(list[i]);
    var ds = window.dash_stores || [];
    for (var j = 0; j < ds.length; j++) {
      if (ds[j].__bm) continue;
      ds[j].__bm = true;
      (function (s) {
        var last = s.getState().isLoading;
        s.subscribe(function () {
          var l = s.getState().isLoading;
          if (l !== last) { (l ? bm.busyAt : bm.idleAt).push(now()); last = l; }
        });
      })(ds[j]);
    }
  }
  bm.scan = scan;
  bm.mapOf = mapOf;
  new MutationObserver(scan).observe(document, {subtree: true, childList: true, attributes: true,
                                                attributeFilter: ['class']});
  bm.busy = function () {
    var ds = window.dash_stores || [];
    if (!ds.length) return true;
    for (var j = 0; j < ds.length; j++) if (ds[j].getState().isLoading) return true;
    return bm.inflight > 0 || !!document.querySelector('[data-dash-is-loading="true"]');
  };
  bm.props = function (id) {  // a component's props from the renderer's layout (options of any picker)
    var s = (window.dash_stores || [])[0];
    if (!s) return null;
    var st = s.getState(), path = st.paths && st.paths.strs && st.paths.strs[id];
    if (!path) return null;
    var c = st.layout;
    for (var i = 0; i < path.length; i++) c = c[path[i]];
    return c && c.props;
  };
})();
"""

# Where a change (or a load) stands: arguments t0, graph id, quiet ms.
STATUS = r"""
var b = window.__bm, t0 = arguments[0], gid = arguments[1], quiet = arguments[2];
if (!b) return {done: false, why: 'instrumentation missing'};
b.scan();
var after = function (xs) { return xs.filter(function (t) { return t >= t0; }); };
var aps = b.afterplots.filter(function (a) { return a[0] >= t0; });
var mine = aps.filter(function (a) { return a[1] === gid; }).length;
var apT = aps.map(function (a) { return a[0]; });
var renders = after(b.renders), idle = after(b.idleAt), busyT = after(b.busyAt);
var paint = Math.max.apply(null, [0].concat(apT, renders));
var last = Math.max.apply(null, [paint, b.netEnd >= t0 ? b.netEnd : 0].concat(idle, busyT));
var box = document.getElementById(gid);
var gd = box && (box.classList.contains('js-plotly-plot') ? box : box.querySelector('.js-plotly-plot'));
var m = b.mapOf(gd), mapOk = m ? m.loaded() : true;
var tr = gd && gd._fullData && gd._fullData[0];  // z decoded (plotly.py sends typed arrays base64)
var values = !!tr && ((tr.z && tr.z.length > 0) || (tr.type || '').indexOf('choropleth') < 0);
var busy = b.busy(), nowT = performance.now();
var why = !mine ? 'no repaint of #' + gid + ' yet' : busy ? 'Dash busy (' + b.inflight + ' requests in flight)'
        : !mapOk ? 'map not loaded' : !values ? 'no values in the figure' : nowT - last < quiet ? 'settling' : '';
return {done: !why, why: why, paint: paint - t0, total: last - t0, afterplots: mine, renders: renders.length,
        maps: b.maps.length, now: nowT - t0};
"""

# Requests since t0: callbacks (count, TTFB sum, bytes) and every request's transferred bytes.
REQUESTS = r"""
var t0 = arguments[0], cb = {n: 0, ttfb: 0, bytes: 0, body: 0, decoded: 0}, all = {n: 0, bytes: 0};
performance.getEntriesByType('resource').forEach(function (e) {
  if (e.startTime < t0) return;
  all.n++; all.bytes += e.transferSize || 0;
  if (e.name.indexOf('_dash-update-component') >= 0) {
    cb.n++; cb.ttfb += e.responseStart - e.requestStart; cb.bytes += e.transferSize || 0;
    cb.body += e.encodedBodySize || 0; cb.decoded += e.decodedBodySize || 0;
  }
});
return {cb: cb, all: all};
"""

# A cold load's bytes: navigation + every resource (transferSize: compressed, headers included).
LOAD_BYTES = r"""
var nav = performance.getEntriesByType('navigation')[0], out = {bytes: nav ? nav.transferSize : 0, n: 1, opaque: 0};
performance.getEntriesByType('resource').forEach(function (e) {
  out.n++; out.bytes += e.transferSize || 0;
  if (!e.transferSize && e.decodedBodySize === 0 && e.duration > 0 && e.name.indexOf(location.origin) !== 0) out.opaque++;
});
return out;
"""


class BenchError(RuntimeError):
    pass


# ---------------------------------------------------------------------------- servers


def _serving():
    """scripts/benchmark_serving.py as a module (its ``start`` and ``free_port``)."""
    spec = importlib.util.spec_from_file_location("benchmark_serving", ROOT / "scripts" / "benchmark_serving.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def start_app():
    """gunicorn -c gunicorn.conf.py app:server, 2 workers; ready when /readyz answers 200."""
    return _serving().start(2)


def start_naive(compress: bool = False):
    port = _serving().free_port()
    log = tempfile.NamedTemporaryFile(prefix="naive-map-", suffix=".log", delete=False)
    cmd = [sys.executable, str(ROOT / "scripts" / "naive_map_app.py"), "--port", str(port)]
    proc = subprocess.Popen(cmd + (["--compress"] if compress else []), cwd=ROOT, stdout=log, stderr=log)
    proc.log_path = log.name  # removed by stop()
    base = f"http://127.0.0.1:{port}"
    if _serving().wait_until_ok(proc, base + "/", 120):
        return proc, base
    if proc.poll() is not None:
        raise BenchError(f"the naive app exited ({proc.returncode}): {Path(log.name).read_text()[-2000:]}")
    proc.kill()
    raise BenchError(f"the naive app did not answer within 120 s (log: {log.name})")


def stop(proc) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    if getattr(proc, "log_path", None):
        Path(proc.log_path).unlink(missing_ok=True)


# ---------------------------------------------------------------------------- browser


def new_driver(network: dict | None):
    """A fresh headless Chromium (new profile: empty cache), instrumented, network emulated if asked."""
    options = Options()
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,900", "--enable-unsafe-swiftshader"):  # software WebGL for MapLibre
        options.add_argument(arg)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(1400, 900)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
    driver.execute_cdp_cmd("Network.enable", {})
    if network:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", network)
    return driver


def wait_done(driver, t0: float, graph: str, what: str) -> dict:
    """Poll the page until the change (or load) since ``t0`` is over; ≤ WAIT s, else a clear error."""
    deadline = time.time() + WAIT
    status = {}
    while time.time() < deadline:
        status = driver.execute_script(STATUS, t0, graph, QUIET_MS)
        if status.get("done"):
            return status
        time.sleep(0.05)
    raise BenchError(f"{what}: not done after {WAIT} s ({status.get('why')}; {status})")


def open_page(driver, url: str, graph: str) -> dict:
    """Navigate and wait for the interactive map (t0 = navigation start); timings and bytes."""
    driver.get(url)
    status = wait_done(driver, 0, graph, f"loading {url}")
    status["load"] = driver.execute_script(LOAD_BYTES)
    return status


def picker_options(driver, pid: str) -> list:
    props = driver.execute_script("return window.__bm.props(arguments[0]);", pid)
    if not props:
        raise BenchError(f"no picker #{pid} on the page")
    values = [o["value"] if isinstance(o, dict) else o for o in props.get("options") or []]
    return [v for v in values if v not in (None, "") and not str(v).startswith("ccat:")]


def picker_value(driver, pid: str):
    return (driver.execute_script("return window.__bm.props(arguments[0]);", pid) or {}).get("value")


# A fingerprint of the values a graph shows (z of the first trace, or its whole data for other graphs).
FINGERPRINT = r"""
var box = document.getElementById(arguments[0]);
var gd = box && (box.classList.contains('js-plotly-plot') ? box : box.querySelector('.js-plotly-plot'));
var tr = gd && gd._fullData && gd._fullData[0];
if (!tr) return null;
var z = tr.z, s = 0, n = 0;
if (!z || !z.length) return JSON.stringify(gd.data).length + ':' + (tr.type || '');
var row = function (v) { return Array.isArray(v) || ArrayBuffer.isView(v) ? Array.prototype.slice.call(v) : [v]; };
var flat = [].concat.apply([], Array.prototype.slice.call(z).map(row));  // 1-D (map) or 2-D (heatmap)
flat.forEach(function (v, i) { if (typeof v === 'number' && isFinite(v)) { s += v * (1 + i % 7); n++; } });
return n + ':' + s.toPrecision(12);
"""


def change(driver, pid: str, value, graph: str, what: str) -> dict:
    before = driver.execute_script(FINGERPRINT, graph)
    maps = driver.execute_script("return window.__bm.maps.length;")
    t0 = driver.execute_script(
        "var t = performance.now(); window.dash_clientside.set_props(arguments[0], {value: arguments[1]}); return t;",
        pid, value)
    status = wait_done(driver, t0, graph, what)
    status.update(driver.execute_script(REQUESTS, t0))
    status["changed"] = driver.execute_script(FINGERPRINT, graph) != before
    status["new_maps"] = status.pop("maps") - maps  # MapLibre maps created by the change (a full redraw)
    got = picker_value(driver, pid)
    if str(got) != str(value):
        raise BenchError(f"{what}: #{pid} shows {got!r} after set_props({value!r})")
    return status


def plan(pickers: dict, current: dict, n: int, rnd: random.Random, exclude=()) -> list[tuple[str, object]]:
    """n changes cycling through the pickers, each to a value the picker does not show; within a
    picker no value repeats until all were used (so each view is new to the servers' caches)."""
    pools = {p: [] for p in pickers}
    shown, out = dict(current), []
    for i in range(n):
        p = list(pickers)[i % len(pickers)]
        if not [v for v in pools[p] if v != shown[p]]:
            fresh = [v for v in pickers[p] if v not in exclude]
            rnd.shuffle(fresh)
            pools[p] += fresh
        v = next(v for v in pools[p] if v != shown[p])
        pools[p].remove(v)
        shown[p] = v
        out.append((p, v))
    return out


def run_changes(driver, url: str, graph: str, pickers: list[str], n: int, seed: int, label: str) -> list[dict]:
    """Open ``url``, one warm-up change, then n timed changes of ``pickers`` (alternating), each
    timed until ``graph`` repainted and Dash is idle."""
    open_page(driver, url, graph)
    options = {p: picker_options(driver, p) for p in pickers}
    current = {p: picker_value(driver, p) for p in pickers}
    for p, vals in options.items():
        if len(vals) < 2:
            raise BenchError(f"{label}: picker #{p} has fewer than two values ({vals})")
    rnd = random.Random(seed)
    steps = plan(options, current, n + 1, rnd, exclude=("all",))  # one measure: a category's LQ
    rows = []
    for i, (p, v) in enumerate(steps):
        r = change(driver, p, v, graph, f"{label} change {i} (#{p} → {v})")
        r.update(picker=p, value=v, warmup=i == 0)
        rows.append(r)
    return rows[1:]


# ---------------------------------------------------------------------------- scenarios


def app_urls(base: str) -> dict:
    from analytics.serving.store import get_store

    urls = {}
    for name, (ds, lv) in MAP_SCENARIOS.items():
        year = get_store(ds).level_years(lv)[-1]
        urls[name] = f"{base}/map?dataset={ds}&level={lv}&category=automotive&metric=lq&year={year}"
    return urls


def naive_urls(base: str) -> dict:
    from analytics.serving.store import get_store

    return {name: f"{base}/?dataset={ds}&level={lv}&category=automotive&year={get_store(ds).level_years(lv)[-1]}"
            for name, (ds, lv) in MAP_SCENARIOS.items()}


APPS = {  # graph id, pickers driven, URLs
    "app": ("map-graph", ["map-year", "map-category"], app_urls),
    "naive": ("naive-graph", ["naive-year", "naive-category"], naive_urls),
}


def bench(app: str, base: str, network: str, args, results: list) -> None:
    graph, pickers, urls = APPS[app]
    urls = urls(base)
    seed = list(NETWORKS).index(network) + 1  # another network: other views (not cached by the first run)
    for name, url in urls.items():
        for run in range(args.cold):
            driver = new_driver(NETWORKS[network])
            try:
                s = open_page(driver, url, graph)
            finally:
                driver.quit()
            results.append({"kind": "cold", "scenario": name, "app": app, "network": network, "run": run,
                            "total": s["total"], "paint": s["paint"], "bytes": s["load"]["bytes"],
                            "requests": s["load"]["n"], "opaque": s["load"]["opaque"]})
            print(f"  cold  {name:14} {app:5} {network:11} run {run}: {s['total']:7.0f} ms, "
                  f"{s['load']['bytes'] / 1e3:8.0f} kB", flush=True)
    driver = new_driver(NETWORKS[network])
    try:
        for name, url in urls.items():
            rows = run_changes(driver, url, graph, pickers, args.changes, seed, f"{app} {name} {network}")
            for r in rows:
                results.append({"kind": "change", "scenario": name, "app": app, "network": network, **r})
            print(f"  change {name:14} {app:5} {network:11}: n {len(rows)}, median "
                  f"{statistics.median(r['total'] for r in rows):.0f} ms", flush=True)
        if app == "app" and args.compare_changes:
            url = f"{base}/compare?dataset=eu&level=nuts2"
            rows = run_changes(driver, url, "compare-heatmap", ["compare-region"], args.compare_changes, seed,
                               f"app compare {network}")
            for r in rows:
                results.append({"kind": "change", "scenario": "compare eu nuts2 focal", "app": app,
                                "network": network, **r})
            print(f"  change compare focal   app   {network:11}: n {len(rows)}, median "
                  f"{statistics.median(r['total'] for r in rows):.0f} ms", flush=True)
    finally:
        driver.quit()


# ---------------------------------------------------------------------------- report


def spread(xs: list[float]) -> tuple[float, float, float]:
    xs = sorted(xs)
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=10, method="inclusive")
    return statistics.median(xs), q[0], q[-1]


def summarise(results: list[dict]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for r in results:
        groups.setdefault((r["kind"], r["scenario"], r["network"], r["app"]), []).append(r)
    rows = []
    for (kind, scenario, network, app), rs in groups.items():
        med, p10, p90 = spread([r["total"] for r in rs])
        row = {"kind": kind, "scenario": scenario, "network": network, "app": app, "n": len(rs), "median_ms": med,
               "p10_ms": p10, "p90_ms": p90, "paint_median_ms": statistics.median(r["paint"] for r in rs)}
        if kind == "cold":
            row["bytes_median"] = statistics.median(r["bytes"] for r in rs)
        else:
            row["bytes_median"] = statistics.median(r["all"]["bytes"] for r in rs)
            row["callback_ttfb_median_ms"] = statistics.median(r["cb"]["ttfb"] for r in rs)
            row["callback_requests_median"] = statistics.median(r["cb"]["n"] for r in rs)
            row["unchanged"] = sum(not r["changed"] for r in rs)
            row["map_rebuilt"] = sum(r["new_maps"] > 0 for r in rs)
        rows.append(row)
    by = {(r["kind"], r["scenario"], r["network"], r["app"]): r for r in rows}
    for r in rows:
        other = by.get((r["kind"], r["scenario"], r["network"], "app"))
        if r["app"] == "naive" and other:
            r["ratio_naive_app"] = r["median_ms"] / other["median_ms"] if other["median_ms"] else None
            r["bytes_ratio_naive_app"] = r["bytes_median"] / other["bytes_median"] if other["bytes_median"] else None
    order = {"change": 0, "cold": 1}
    rows.sort(key=lambda r: (order[r["kind"]], r["scenario"], r["network"], r["app"]))
    return rows


def kb(b: float) -> str:
    return f"{b / 1e3:,.1f} kB" if b < 1e6 else f"{b / 1e6:,.2f} MB"


def print_table(rows: list[dict], compare_ran: bool) -> None:
    head = (f"{'':6} {'scenario':24} {'network':11} {'app':5} {'n':>3} {'median':>8} {'p10–p90':>17} "
            f"{'paint':>7} {'srv ttfb':>8} {'bytes':>10} {'naive/app':>9}")
    print("\n" + head + "\n" + "-" * len(head))
    for r in rows:
        ratio = f"{r['ratio_naive_app']:.1f}×" if r.get("ratio_naive_app") else ""
        ttfb = f"{r['callback_ttfb_median_ms']:.0f}" if "callback_ttfb_median_ms" in r else "–"
        print(f"{r['kind']:6} {r['scenario']:24} {r['network']:11} {r['app']:5} {r['n']:>3} {r['median_ms']:>6.0f}ms "
              f"{r['p10_ms']:>7.0f}–{r['p90_ms']:<7.0f}ms {r['paint_median_ms']:>5.0f}ms {ttfb:>6}ms "
              f"{kb(r['bytes_median']):>10} {ratio:>9}")
    print("\nms: change (set_props) or navigation start → last of afterplot / MapLibre frame / Dash idle; "
          "paint: without Dash idle;\nsrv ttfb: the change's callback requests' TTFB, summed (≈ server time; emulated latency is in the download); "
          "bytes: per change (all requests it caused) or per cold load, transferred (compressed).")
    for r in rows:
        if r.get("unchanged"):
            print(f"WARNING: {r['scenario']} {r['network']} {r['app']}: {r['unchanged']} of {r['n']} changes left the "
                  "graph's values as they were")
        if r.get("map_rebuilt"):
            print(f"note: {r['scenario']} {r['network']} {r['app']}: a new MapLibre map (full Plotly redraw) on "
                  f"{r['map_rebuilt']} of {r['n']} changes")
    if compare_ran:
        print("compare: app only (the naive baseline has no compare page).")


def main() -> None:
    ap = argparse.ArgumentParser(description="Browser benchmark of /map and /compare against a naive Dash map.")
    ap.add_argument("--changes", type=int, default=20, help="timed picker changes per /map scenario (default 20)")
    ap.add_argument("--compare-changes", type=int, default=None, help="focal changes on /compare (default 10)")
    ap.add_argument("--cold", type=int, default=3, help="cold loads per scenario (default 3)")
    ap.add_argument("--quick", action="store_true", help="5 changes, 3 on /compare, 1 cold load")
    ap.add_argument("--skip-emulated", action="store_true", help="loopback only")
    ap.add_argument("--only", choices=("app", "naive"))
    ap.add_argument("--naive-compress", action="store_true", help="the naive app with Flask-Compress")
    args = ap.parse_args()
    if args.changes < 1 or args.cold < 1:
        ap.error("--changes and --cold must be at least 1")
    if args.quick:
        args.changes, args.cold = 5, 1
        args.compare_changes = 3 if args.compare_changes is None else args.compare_changes
    elif args.compare_changes is None:
        args.compare_changes = 10
    apps = [args.only] if args.only else ["app", "naive"]
    networks = ["loopback"] + ([] if args.skip_emulated else ["10Mbit/40ms"])
    results: list[dict] = []
    procs = {}
    t_start = time.time()
    try:
        if "app" in apps:
            print("starting the app (gunicorn, 2 workers) …", flush=True)
            procs["app"] = start_app()
        if "naive" in apps:
            print("starting the naive app (Flask dev server, threaded) …", flush=True)
            procs["naive"] = start_naive(args.naive_compress)
        for network in networks:
            for app in apps:
                bench(app, procs[app][1], network, args, results)
    except (BenchError, WebDriverException) as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        for proc, _base in procs.values():
            stop(proc)
    rows = summarise(results)
    print_table(rows, "app" in apps)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ignore = OUT.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# benchmark output: not committed\n*\n")
    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": round(time.time() - t_start),
            "args": vars(args), "quiet_ms": QUIET_MS, "emulated": EMULATED, "window": [1400, 900],
            "chromium": _chromium_version(), "commit": _commit()}
    OUT.write_text(json.dumps({"meta": meta, "summary": rows, "runs": results}, indent=1, default=str))
    print(f"\nwrote {OUT.relative_to(ROOT)} ({meta['seconds']} s)")


def _chromium_version() -> str:
    try:
        return subprocess.run([shutil.which("chromium") or "chromium", "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


if __name__ == "__main__":
    main()
