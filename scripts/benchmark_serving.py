"""Serving benchmark: memory per gunicorn worker (RSS, USS, PSS) for 1, 2 and 4 workers, and a
bounded loopback load test (N users, each loading pages through Dash Pages' layout callback and
the page's main callback, back to back).

    python scripts/benchmark_serving.py                 # memory 1/2/4 workers + load 50 and 100 users on 2
    python scripts/benchmark_serving.py --skip-memory --users 50 --seconds 30

Medians and p95 are over every request of the run; errors = any status other than 200/204. The
naive baseline for memory is the same app without ``preload_app`` (each worker reads the data
itself): ``--naive``.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/map", "/map?dataset=us&level=county", "/region/eu/DE11", "/region/us/26", "/category/eu/automotive",
         "/compare?dataset=eu&region=DK01", "/organisations", "/methodology"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workers: int, preload: bool = True):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"]
    if not preload:
        env["CLUSTER_PRELOAD"] = "0"
    proc = subprocess.Popen(cmd + ["app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if wait_until_ok(proc, base + "/readyz", 240):
        return proc, base
    proc.kill()
    raise SystemExit("server did not become ready")


def wait_until_ok(proc, url: str, seconds: float) -> bool:
    """Poll ``url`` until it answers 2xx (True), or the process exits or time runs out (False)."""
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            if requests.get(url, timeout=5).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def layout_body(deps: list, path: str) -> dict:
    cb = next(d for d in deps if d["output"].startswith(".._pages_content.children"))
    pathname, _, search = path.partition("?")
    values = {"_pages_location.pathname": pathname, "_pages_location.search": "?" + search if search else ""}
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
              for i in cb["inputs"]]
    state = [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
             for i in cb["state"]]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in cb["output"].strip(".").split("...")]
    return {"output": cb["output"], "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": ["_pages_location.pathname"]}


def memory(proc) -> list[dict]:
    master = psutil.Process(proc.pid)
    out = []
    for w in master.children():
        m = w.memory_full_info()
        out.append({"rss": m.rss / 2**20, "uss": m.uss / 2**20, "pss": m.pss / 2**20})
    return out


def warm(base: str, deps: list, rounds: int = 3) -> None:
    s = requests.Session()
    for _ in range(rounds):
        for p in PAGES:
            s.post(base + "/_dash-update-component", json=layout_body(deps, p), timeout=60)


def load(base: str, deps: list, users: int, seconds: float) -> dict:
    times, errors, stop = [], [0], time.time() + seconds
    lock = threading.Lock()

    def user(seed):
        rnd = random.Random(seed)
        s = requests.Session()
        while time.time() < stop:
            body = layout_body(deps, rnd.choice(PAGES))
            t = time.perf_counter()
            try:
                r = s.post(base + "/_dash-update-component", json=body, timeout=30)
                ok = r.status_code in (200, 204)
            except requests.RequestException:
                ok = False
            dt = (time.perf_counter() - t) * 1000
            with lock:
                times.append(dt)
                errors[0] += 0 if ok else 1
            time.sleep(rnd.uniform(0.5, 1.5))  # think time between a user's changes

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return {"requests": len(times), "errors": errors[0], "p50": statistics.median(times),
            "p95": times[int(0.95 * (len(times) - 1))]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--users", type=int, nargs="*", default=[50, 100])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--naive", action="store_true", help="also measure memory without preload_app")
    args = ap.parse_args()
    if not args.skip_memory:
        for preload in ([True, False] if args.naive else [True]):
            for n in (1, 2, 4):
                proc, base = start(n, preload)
                try:
                    deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
                    for _ in range(n):
                        warm(base, deps, 1)
                    rows = memory(proc)
                    print(f"{'preload' if preload else 'naive (no preload)'} {n} worker(s): " + "; ".join(
                        f"RSS {r['rss']:,.0f} MB, USS {r['uss']:,.0f} MB, PSS {r['pss']:,.0f} MB" for r in rows)
                        + f" | total PSS {sum(r['pss'] for r in rows) + psutil.Process(proc.pid).memory_full_info().pss / 2**20:,.0f} MB")
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    for users in args.users:
        proc, base = start(2)
        try:
            deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
            warm(base, deps, 2)
            r = load(base, deps, users, args.seconds)
            print(f"load {users} users on 2 workers, {args.seconds:.0f} s: {r['requests']:,} requests, "
                  f"{r['errors']} errors, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
