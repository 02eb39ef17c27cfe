"""The build step: raw files → derived tables in the build folder (parquet + JSON).

``build(raw, out)`` writes, per dataset, ``<out>/<dataset>/``: ``metrics.parquet`` (region ×
category × year, every level), ``stars_<rules>_<denominator>.parquet`` (the star ratings of every
rule set and LQ denominator, row for row with the metrics), ``region_indicators.parquet``, ``region_context.parquet`` (the
profile's context indicators, long, every year of their sources, with ``region_context_coverage.json``), ``facts_<level>.parquet``
(industry level, for custom categories and regions), ``regions.parquet``,
``categories.parquet``, ``industries.parquet`` and ``quality.json``; ``<out>/organisations.parquet``
(the seed table of cluster organisations, :mod:`analytics.sources.organisations`) with
``organisations_unlocated.csv``; and ``manifest.json`` with fingerprints of the inputs and of the
code, so ``ensure_built`` can tell a stale build. ``<out>/eu/definitions_eu-colocation.csv`` (with its
``_trace.csv`` and ``.json``) is the second European definitions set, derived from European co-location
(:mod:`analytics.metrics.colocation`, docs/INSIGHTS.md).
Writing goes to a temporary folder that replaces the old one only when complete.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analytics import config
from analytics.metrics import colocation
from analytics.metrics.categories import EU_DEFINITIONS, Definitions, load_eu_definitions
from analytics.metrics.regions import benchmark, level_metrics, rate_per_level, region_indicators
from analytics.metrics.stars import RULE_SETS
from analytics.sources import organisations, rawcheck
from analytics.sources.eu import sources as eu_sources
from analytics.sources.eu.build import build_eu
from analytics.sources.eu.context import OPTIONAL as EU_CONTEXT_FILES
from analytics.sources.eu.context import build_context, coverage
from analytics.sources.eu.indicators import build_indicators
from analytics.sources.geometry import eu_geometry, neighbours
from analytics.sources.related import LIST_FILE, PAIRS_FILE, build_related
from analytics.sources.us import sources as us_sources
from analytics.sources.us.build import build_us, build_us_context, build_us_indicators, cell_kinds
from analytics.sources.us.build import geometries as us_geometries

BUILD_VERSION = 3  # 3: fingerprint by content, independent of the raw folder's path


def log(message: str) -> None:
    """Progress goes to stderr, so CSV on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)
DATASETS = ("eu", "us")
EU_LEVELS = ("nuts2", "nuts1", "country")  # the order of analytics.sources.eu.build's facts
# The code that shapes the build's output: this module and the two folders below. Editing
# anything in them triggers a rebuild; the serving layer, the CLI and the tools do not.
BUILD_CODE = ("sources", "metrics")


def _code_files() -> list[Path]:
    pkg = Path(__file__).parent
    files = [Path(__file__)]
    for folder in BUILD_CODE:
        files += sorted((pkg / folder).rglob("*.py"))
    return files + [EU_DEFINITIONS, organisations.CATEGORY_MAP]


def _inputs(raw: Path) -> dict[str, Path]:
    """The raw files a build reads, by path relative to the raw folder."""
    files = {rel: raw / rel for rel in [*eu_sources.REQUIRED, eu_sources.SBS_API_FILE, *EU_CONTEXT_FILES,
                                        PAIRS_FILE, LIST_FILE,
                                        *us_sources.REQUIRED, *organisations.INPUTS]}
    api = raw / us_sources.API_DIR
    if api.exists():
        files.update({str(p.relative_to(raw)): p for p in sorted(api.glob("*.csv.gz"))})
    return files


def _fingerprint(raw: Path) -> dict:
    """What the build depends on: the content of the raw files (sha256, by relative path: the same
    files in another folder are the same build), the build code and the gazetteer (0.1 s)."""
    inputs = {rel: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for rel, p in _inputs(raw).items() if p.exists()}
    code = hashlib.sha256()
    root = Path(__file__).parent.parent
    for path in _code_files():
        code.update(str(path.relative_to(root)).encode())
        code.update(path.read_bytes())
    return {"version": BUILD_VERSION, "inputs": inputs, "code": code.hexdigest(),
            "gazetteer": organisations.gazetteer_version()}


def is_stale(raw: Path, out: Path) -> bool:
    manifest = out / "manifest.json"
    if not manifest.exists():
        return True
    try:
        return json.loads(manifest.read_text())["fingerprint"] != _fingerprint(raw)
    except (ValueError, KeyError):
        return True


class BuildError(RuntimeError):
    """A build that could not finish; ``str()`` is one line, and the previous build stays in use."""


class BuildMissing(RuntimeError):
    """No build to serve; ``str()`` says which command makes one."""


def build_status(raw: Path | None = None, out: Path | None = None) -> str:
    """``"ok"``, ``"stale"`` (raw files or build code changed since) or ``"missing"``."""
    raw, out = config.raw_dir(raw), config.build_dir(out)
    if not (out / "manifest.json").exists():
        return "missing"
    return "stale" if is_stale(raw, out) else "ok"


def require_build(out: Path | None = None) -> Path:
    """The build folder to serve from, never building (a web request must not): raises
    :class:`BuildMissing` when there is none."""
    out = config.build_dir(out)
    if not (out / "manifest.json").exists():
        raise BuildMissing(f"no build in {out}: run `make build` (python -m analytics build) first")
    return out


def _remove_orphans(out: Path) -> None:
    """Temporary folders of builds whose process is gone (killed, power cut)."""
    for tmp in out.parent.glob(f"{out.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)
    for old in out.parent.glob(f"{out.name}.old-*"):
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(raw: Path | None = None, out: Path | None = None, progress=log) -> dict:
    """Build into a temporary folder that replaces ``out`` only when complete. A corrupt raw file
    (:mod:`analytics.sources.rawcheck`) or any failure raises :class:`BuildError` with one line;
    the temporary folder is removed (also on Ctrl-C or SIGTERM) and ``out`` is left as it was."""
    raw = config.raw_dir(raw)
    out = config.build_dir(out)
    eu_sources.check_inputs(raw)
    us_sources.check_inputs(raw)
    organisations.check_inputs(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(out)
    try:
        rawcheck.check_files(raw, _inputs(raw))
    except rawcheck.RawFileError as exc:
        raise BuildError(f"raw file {exc}{_kept(out)}") from None
    started = time.perf_counter()
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        (tmp / "eu").mkdir(parents=True)
        (tmp / "us").mkdir()
        summary = {"eu": _build_eu(raw, tmp / "eu", progress), "us": _build_us(raw, tmp / "us", progress)}
        summary["eu_definitions"] = colocation.build_step(tmp / "eu", progress)
        build_related(raw).to_parquet(tmp / "related.parquet", index=False)
        summary[colocation.SET_NAME] = _build_eu_variant(tmp, colocation.SET_NAME, progress)
        summary["organisations"] = _build_organisations(raw, tmp, progress)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        (tmp / "manifest.json").write_text(json.dumps({"fingerprint": _fingerprint(raw), "summary": summary},
                                                      indent=1))
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback in a log beside the build
        log_file = out.with_name(f"{out.name}.failed.log")
        log_file.write_text(traceback.format_exc())
        raise BuildError(f"build failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                         f"{_kept(out)}; details in {log_file}") from None
    finally:
        if not (tmp / "manifest.json").exists():
            shutil.rmtree(tmp, ignore_errors=True)
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    progress(f"build complete in {summary['seconds']} s → {out}")
    return summary


def _kept(out: Path) -> str:
    return f" (the previous build in {out} stays in use)" if (out / "manifest.json").exists() else ""


def _build_organisations(raw: Path, out: Path, progress) -> dict:
    """The seed table of cluster organisations: ECCP (located to NUTS 2021) + clustermapping.us."""
    progress("organisations: locating the ECCP cluster organisations (GeoNames, NUTS 2021), categorising")
    summary = organisations.write_seed(raw, out, load_eu_definitions().categories["category_id"],
                                       us_definitions(raw)[0].categories)
    progress(f"organisations: {summary['eu_located']} of {summary['eu_rows']} European rows located, "
             f"{summary['us_rows']} US rows (region unknown: no address in the source)")
    return summary


def _build_eu(raw: Path, out: Path, progress) -> dict:
    defs = load_eu_definitions()
    eu = build_eu(raw, progress)
    facts, regions = eu["facts"], eu["regions"]
    progress("eu: computing metrics for every level")
    for level, f in facts.items():
        f.to_parquet(out / f"facts_{level}.parquet", index=False)
    years = sorted(int(y) for y in facts["nuts2"]["year"].unique())
    progress("eu: region indicators (cluster strength, GDP per capita, population, patents)")
    metrics = _write_eu_metrics(facts, regions, defs, build_indicators(raw, regions, years), out)
    progress("eu: region context (GDP per capita and growth, population, patents, R&D, unemployment; all years)")
    context, cover = build_context(raw, regions)
    _write_context(context, cover, out)
    regions.to_parquet(out / "regions.parquet", index=False)
    us_list = pd.read_csv(raw / LIST_FILE, dtype=str)[["cluster_key", "short_name"]]
    cats = defs.categories.merge(us_list.rename(columns={"cluster_key": "category_id"}), on="category_id", how="left")
    cats.to_parquet(out / "categories.parquet", index=False)
    (out / "quality.json").write_text(json.dumps(eu["quality"], indent=1, default=str))
    for level, rel in eu_sources.GEO_FILES.items():
        fc = eu_geometry(raw / rel, tolerance=0.01, precision=3)
        (out / f"geometry_{level}.geojson").write_text(json.dumps(fc, separators=(",", ":")))
        _write_neighbours(fc, out / f"neighbours_{level}.parquet", 0.02)
    return {"rows": len(metrics), "regions_per_year": eu["quality"]["regions_with_data"]}


def _write_eu_metrics(facts: dict[str, pd.DataFrame], regions: pd.DataFrame, defs: Definitions,
                      external: pd.DataFrame, out: Path) -> pd.DataFrame:
    """The tables of the European data that depend on the definitions set: benchmark, metrics of every
    level, stars, region indicators (``external``: GDP, population, patents per region and year, joined)
    and the industry → category table."""
    bc, bt = benchmark(facts["nuts2"], defs)
    bt.to_parquet(out / "benchmark_totals.parquet", index=False)
    bc.to_parquet(out / "benchmark_categories.parquet", index=False)
    metrics, totals = [], []
    for level, f in facts.items():
        m, rt = level_metrics(f, defs, bc, bt, regions, level)
        metrics.append(m)
        totals.append(rt)
    metrics = pd.concat(metrics, ignore_index=True)
    ind = region_indicators(metrics, pd.concat(totals, ignore_index=True))
    keep = [c for c in external.columns if c in ("region_id", "year") or c not in ind.columns]
    ind = ind.merge(external[keep], on=["region_id", "year"], how="left")
    metrics.to_parquet(out / "metrics.parquet", index=False)
    _write_stars(metrics, out)
    ind.to_parquet(out / "region_indicators.parquet", index=False)
    defs.industries.to_parquet(out / "industries.parquet", index=False)
    return metrics


def _build_eu_variant(out: Path, name: str, progress) -> dict:
    """The European data under the derived definitions set ``name`` as a dataset of its own,
    ``<out>/<name>/``: only the tables that depend on the definitions (metrics, stars, region
    indicators, benchmark, categories, industries) and an empty ``related.parquet`` (the relatedness
    links are between US-derived categories). Facts, regions, geometry, neighbours, context and
    quality stay in ``<out>/eu/``, where :class:`analytics.serving.store.Store` reads them."""
    started = time.perf_counter()
    base, dest = out / "eu", out / name
    dest.mkdir()
    defs = colocation.load_definitions_set(name, out)
    regions = pd.read_parquet(base / "regions.parquet")
    facts = {lv: pd.read_parquet(base / f"facts_{lv}.parquet") for lv in EU_LEVELS}
    built = pd.read_parquet(base / "region_indicators.parquet")  # its GDP, population, patents are kept
    metrics = _write_eu_metrics(facts, regions, defs, built, dest)
    cats = defs.categories.assign(short_name=None)
    cats.to_parquet(dest / "categories.parquet", index=False)
    pd.read_parquet(out / "related.parquet").iloc[0:0].to_parquet(dest / "related.parquet", index=False)
    seconds = round(time.perf_counter() - started, 1)
    progress(f"{name}: metrics, stars and indicators under the derived categories in {seconds} s")
    return {"rows": len(metrics), "categories": int(len(cats)), "seconds": seconds}


DENOMINATORS = ("total", "traded")


def _write_context(context: pd.DataFrame, cover: dict, out: Path) -> None:
    """The region profile's context table and its coverage (years, regions per level, unmapped codes)."""
    context.to_parquet(out / "region_context.parquet", index=False)
    (out / "region_context_coverage.json").write_text(json.dumps(cover, indent=1))


def stars_file(rules: str, denominator: str) -> str:
    return f"stars_{rules}_{denominator}.parquet"


def _write_stars(metrics: pd.DataFrame, out: Path) -> None:
    """Star ratings of every regional cluster under every rule set and LQ denominator, row for row
    with ``metrics.parquet`` (each region level rated on its own), so serving only selects."""
    for rules in RULE_SETS:
        for denominator in DENOMINATORS:
            rate_per_level(metrics, rules, denominator).to_parquet(out / stars_file(rules, denominator), index=False)


def ensure_built(raw: Path | None = None, out: Path | None = None, progress=log) -> Path:
    """Build if the build folder is missing or stale; return its path."""
    raw = config.raw_dir(raw)
    out = config.build_dir(out)
    if not is_stale(raw, out):
        return out
    eu_sources.check_inputs(raw)  # a missing raw file: one clear error, before any progress line
    us_sources.check_inputs(raw)
    organisations.check_inputs(raw)
    with build_lock(out):
        if is_stale(raw, out):  # another process may have built it meanwhile
            progress(f"build folder {out} missing or stale: building from {raw}")
            build(raw, out, progress)
    return out


@contextmanager
def build_lock(out: Path):
    """One build at a time per build folder (other processes wait, then reuse the result)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(out.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write_neighbours(fc: dict, path: Path, tolerance: float) -> None:
    pairs = neighbours(fc, tolerance)
    df = pd.DataFrame(pairs, columns=["a", "b"])
    both = pd.concat([df, df.rename(columns={"a": "b", "b": "a"})], ignore_index=True)
    both.rename(columns={"a": "region_id", "b": "neighbour_id"}).to_parquet(path, index=False)


def us_definitions(raw: Path) -> tuple[Definitions, pd.DataFrame]:
    cats, imap, subs = us_sources.read_definitions(raw)
    industries = imap.merge(cats[["category_id", "category_type"]], on="category_id", how="left")
    defs = Definitions(imap[["industry", "category_id"]], cats,
                       industries[["industry", "naics", "vintage", "industry_name", "category_id", "category_type",
                                   "sub_code", "sub_name", "sub_inferred"]])
    return defs, subs


def _build_us(raw: Path, out: Path, progress) -> dict:
    defs, subs = us_definitions(raw)
    us = build_us(raw, defs.industry_map, progress)
    facts, totals, regions = us["facts"], us["totals"], us["regions"]
    progress("us: computing metrics for every level")
    bc, bt = benchmark(facts["state"], defs, totals["state"])
    bt.to_parquet(out / "benchmark_totals.parquet", index=False)
    bc.to_parquet(out / "benchmark_categories.parquet", index=False)
    us["ea_members"].to_parquet(out / "ea_members.parquet", index=False)
    metrics, rts = [], []
    for level, f in facts.items():
        m, rt = level_metrics(f, defs, bc, bt, regions, level, totals[level])
        metrics.append(m)
        rts.append(rt)
        f.to_parquet(out / f"facts_{level}.parquet", index=False)
        totals[level].to_parquet(out / f"totals_{level}.parquet", index=False)
    metrics = pd.concat(metrics, ignore_index=True)
    rts = pd.concat(rts, ignore_index=True)
    progress("us: region indicators (cluster strength, GDP, population, patents)")
    ind = region_indicators(metrics, rts, rules="us-strong", denominator="traded")
    us_ind = build_us_indicators(raw, totals, regions)
    ind = ind.merge(us_ind, on=["region_id", "year"], how="left")
    context = build_us_context(us_ind, regions)
    _write_context(context, coverage(context), out)
    us["quality"]["cell_kinds"] = cell_kinds(metrics, totals, regions, defs.categories)
    metrics.to_parquet(out / "metrics.parquet", index=False)
    _write_stars(metrics, out)
    ind.to_parquet(out / "region_indicators.parquet", index=False)
    regions.to_parquet(out / "regions.parquet", index=False)
    defs.categories.to_parquet(out / "categories.parquet", index=False)
    defs.industries.to_parquet(out / "industries.parquet", index=False)
    subs.to_parquet(out / "subclusters.parquet", index=False)
    (out / "quality.json").write_text(json.dumps(us["quality"], indent=1, default=str))
    for level, fc in us_geometries(raw, regions).items():
        (out / f"geometry_{level}.geojson").write_text(json.dumps(fc, separators=(",", ":")))
        _write_neighbours(fc, out / f"neighbours_{level}.parquet", 0.002 if level == "county" else 0.01)
    return {"rows": len(metrics), "states_per_year": us["quality"]["states_per_year"],
            "counties_per_year": us["quality"]["counties_per_year"]}
