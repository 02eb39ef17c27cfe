"""The build step: raw files → derived tables in the build folder (parquet + JSON).

``build(raw, out)`` writes, per dataset, ``<out>/<dataset>/``: ``metrics.parquet`` (region ×
category × year, every level), ``region_indicators.parquet``, ``facts_<level>.parquet``
(industry level, for custom categories and regions), ``regions.parquet``,
``categories.parquet``, ``industries.parquet`` and ``quality.json``; and ``manifest.json``
with fingerprints of the inputs and of the code, so ``ensure_built`` can tell a stale build.
Writing goes to a temporary folder that replaces the old one only when complete.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from . import config
from . import eu_sources
from .categories import EU_DEFINITIONS, load_eu_definitions
from .engine import benchmark, level_metrics, region_indicators
from .eu_build import build_eu
from .eu_indicators import build_indicators
from .geometry import eu_geometry
from .related import LIST_FILE, PAIRS_FILE, build_related

BUILD_VERSION = 1


def log(message: str) -> None:
    """Progress goes to stderr, so CSV on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)
DATASETS = ("eu",)


def _fingerprint(raw: Path) -> dict:
    files = {rel: raw / rel for rel in [*eu_sources.REQUIRED, eu_sources.SBS_API_FILE, PAIRS_FILE, LIST_FILE]}
    inputs = {rel: [p.stat().st_size, int(p.stat().st_mtime)] for rel, p in files.items() if p.exists()}
    code = hashlib.sha256()
    pkg = Path(__file__).parent
    for path in sorted([*pkg.glob("*.py"), EU_DEFINITIONS]):
        code.update(path.name.encode())
        code.update(path.read_bytes())
    return {"version": BUILD_VERSION, "raw": str(raw), "inputs": inputs, "code": code.hexdigest()}


def is_stale(raw: Path, out: Path) -> bool:
    manifest = out / "manifest.json"
    if not manifest.exists():
        return True
    try:
        return json.loads(manifest.read_text())["fingerprint"] != _fingerprint(raw)
    except (ValueError, KeyError):
        return True


def build(raw: Path | None = None, out: Path | None = None, progress=log) -> dict:
    raw = config.raw_dir(raw)
    out = config.build_dir(out)
    eu_sources.check_inputs(raw)
    started = time.perf_counter()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "eu").mkdir(parents=True)
    summary = {"eu": _build_eu(raw, tmp / "eu", progress)}
    build_related(raw).to_parquet(tmp / "related.parquet", index=False)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    (tmp / "manifest.json").write_text(json.dumps({"fingerprint": _fingerprint(raw), "summary": summary}, indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    progress(f"build complete in {summary['seconds']} s → {out}")
    return summary


def _build_eu(raw: Path, out: Path, progress) -> dict:
    defs = load_eu_definitions()
    eu = build_eu(raw, progress)
    facts, regions = eu["facts"], eu["regions"]
    progress("eu: computing metrics for every level")
    bc, bt = benchmark(facts["nuts2"], defs)
    metrics, totals = [], []
    for level, f in facts.items():
        m, rt = level_metrics(f, defs, bc, bt, regions, level)
        metrics.append(m)
        totals.append(rt)
        f.to_parquet(out / f"facts_{level}.parquet", index=False)
    metrics = pd.concat(metrics, ignore_index=True)
    totals = pd.concat(totals, ignore_index=True)
    progress("eu: region indicators (cluster strength, GDP per capita, population, patents)")
    ind = region_indicators(metrics, totals)
    years = sorted(int(y) for y in metrics["year"].unique())
    ind = ind.merge(build_indicators(raw, regions, years), on=["region_id", "year"], how="left")
    metrics.to_parquet(out / "metrics.parquet", index=False)
    ind.to_parquet(out / "region_indicators.parquet", index=False)
    regions.to_parquet(out / "regions.parquet", index=False)
    defs.categories.to_parquet(out / "categories.parquet", index=False)
    defs.industries.to_parquet(out / "industries.parquet", index=False)
    (out / "quality.json").write_text(json.dumps(eu["quality"], indent=1, default=str))
    for level, rel in eu_sources.GEO_FILES.items():
        fc = eu_geometry(raw / rel, tolerance=0.01, precision=3)
        (out / f"geometry_{level}.geojson").write_text(json.dumps(fc, separators=(",", ":")))
    return {"rows": len(metrics), "regions_per_year": eu["quality"]["regions_with_data"]}


def ensure_built(raw: Path | None = None, out: Path | None = None, progress=log) -> Path:
    """Build if the build folder is missing or stale; return its path."""
    raw = config.raw_dir(raw)
    out = config.build_dir(out)
    if is_stale(raw, out):
        progress(f"build folder {out} missing or stale: building from {raw}")
        build(raw, out, progress)
    return out
