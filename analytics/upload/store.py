"""An uploaded file analysed as the built-in data are: facts → categories → metrics, stars, growth,
served through a :class:`~analytics.serving.store.Store` so every view can show it.

``build_store(result, benchmark)`` turns a clean :class:`~analytics.upload.reader.UploadResult` into an
:class:`UploadStore`: the file's codes become the build's building blocks (NACE divisions ``C10``,
NAICS ``<vintage>:<code>``), then the build's own functions compute everything
(:func:`analytics.metrics.regions.benchmark`, :func:`~analytics.metrics.regions.level_metrics`,
:func:`~analytics.metrics.regions.region_indicators`, :func:`~analytics.metrics.regions.rate_per_level`,
and :meth:`Store.table` for the stars of a rule set and growth). Nothing here re-states a formula.

Benchmarks (E(c) and E of the LQ and of the size share):

* ``self``: the file's own regions summed, E(r) = the region's TOTAL row, else the sum of its rows;
* ``eu``: Europe's (all NUTS 2 regions of the built-in data) in the same year or the nearest one; as
  Europe's E is the employment of the divisions its regional data cover, so is E(r): the region's
  rows in those divisions (TOTAL rows and rows of other divisions are left out of E(r), said in
  ``notes``);
* ``us``: the United States' (sum of the states); E(r) = TOTAL row, else the sum of the rows, as
  the US build takes the all-industries row.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.metrics.categories import Definitions, load_eu_definitions
from analytics.metrics.regions import benchmark as bench_of
from analytics.metrics.regions import level_metrics, rate_per_level, region_indicators
from analytics.serving.store import DATASETS, Store
from analytics.upload import codes as C
from analytics.upload.reader import UploadResult

BENCHMARKS = ("self", "eu", "us")
UPLOAD_LEVEL = "upload"  # the level of a file whose regions are not all of one built-in level
PREFIX = "upload-"


class UploadError(ValueError):
    """A file or an option that cannot be analysed; ``str()`` says why (one or more lines)."""


def naics_definitions(raw=None) -> Definitions:
    """The US build's definitions (2014 benchmark clusters by NAICS vintage 1997/2002/2007/2017,
    :func:`analytics.build.us_definitions`) plus the NAICS 2012 codes of the same definitions file, so
    a file of 2012–2016 reads in its own vintage."""
    from analytics import config
    from analytics.build import us_definitions
    from analytics.sources.us import sources as us_src

    raw = config.raw_dir(raw)
    defs, _ = us_definitions(raw)
    old = pd.read_csv(us_src.require(raw, us_src.CLUSTER_VINTAGES), dtype=str)
    v12 = old[old["naics_vintage"] == "2012"]
    key = defs.categories.set_index(defs.categories["cluster_code"].astype(str))["category_id"]
    types = defs.categories.set_index("category_id")["category_type"]
    add = pd.DataFrame({"industry": "2012:" + v12["naics"], "naics": v12["naics"], "vintage": "2012",
                        "industry_name": v12["naics_label"], "category_id": v12["cluster_code"].map(key)})
    add["category_type"] = add["category_id"].map(types)
    industries = pd.concat([defs.industries, add], ignore_index=True)
    imap = pd.concat([defs.industry_map, add[["industry", "category_id"]]], ignore_index=True)
    return Definitions(imap, defs.categories, industries)


# ---------------------------------------------------------------------------- codes → building blocks


def _nace_blocks(rows: pd.DataFrame, raw) -> tuple[pd.DataFrame, Definitions, pd.DataFrame]:
    defs = load_eu_definitions()
    divisions = {c: C.nace_division_key(c, raw) for c in rows["code"].unique()}
    rows = rows.assign(industry=rows["code"].map(divisions))
    known = set(defs.industries["industry"])
    out = rows[~rows["industry"].isin(known)]
    unmapped = _listing(out, lambda code: f"division {code[:2]} ({C.nace_name(code[:2], raw)}) is in no cluster "
                                           "category (not in Europe's regional data either)", raw)
    return rows, defs, unmapped


def _naics_blocks(rows: pd.DataFrame, raw) -> tuple[pd.DataFrame, Definitions, pd.DataFrame]:
    defs = naics_definitions(raw)
    rows = rows.assign(vintage=rows["year"].map(C.naics_vintage))
    rows["industry"] = rows["vintage"] + ":" + rows["code"]
    ind = defs.industries
    known = set(defs.industry_map["industry"])
    extra, reasons = [], {}
    for vintage, code in rows.loc[~rows["industry"].isin(known), ["vintage", "code"]].drop_duplicates().itertuples(
            index=False):
        if len(code) == 6:
            reasons[(vintage, code)] = f"not in the 2014 cluster definitions for NAICS {vintage}"
            continue
        under = ind[(ind["vintage"] == vintage) & ind["naics"].str.startswith(code)]
        cats = sorted(set(under["category_id"].dropna()))
        if len(cats) == 1:  # every listed 6-digit code under it is in one cluster: the code maps to it
            extra.append({"industry": f"{vintage}:{code}", "naics": code, "vintage": vintage,
                          "industry_name": f"NAICS {code} (all of it in one cluster)", "category_id": cats[0],
                          "category_type": under["category_type"].iloc[0]})
        elif cats:
            reasons[(vintage, code)] = (f"spans {len(cats)} clusters in NAICS {vintage} ({', '.join(cats[:4])}"
                                        f"{' …' if len(cats) > 4 else ''}): give 6-digit codes")
        else:
            reasons[(vintage, code)] = f"no 6-digit code under it is in the 2014 cluster definitions (NAICS {vintage})"
    if extra:
        add = pd.DataFrame(extra)
        defs = Definitions(pd.concat([defs.industry_map, add[["industry", "category_id"]]], ignore_index=True),
                           defs.categories, pd.concat([ind, add], ignore_index=True))
    out = rows[rows.set_index(["vintage", "code"]).index.isin(list(reasons))]
    unmapped = _listing(out.assign(_reason=[reasons[(v, c)] for v, c in zip(out["vintage"], out["code"])]), None, raw)
    return rows, defs, unmapped


def _listing(rows: pd.DataFrame, reason, raw) -> pd.DataFrame:
    """Codes that map to no category: code, rows, employment, first line, why."""
    cols = ["code", "rows", "employment", "first_line", "reason"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.groupby("code", sort=True)
    out = pd.DataFrame({"rows": g.size(), "employment": g["employment"].sum(min_count=1),
                        "first_line": g["line"].min()}).reset_index()
    out["reason"] = out["code"].map(reason) if reason else out["code"].map(g["_reason"].first())
    return out[cols]


def _facts(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows summed into building blocks per region and year, in the build's facts layout (a block
    with some parts left empty counts them in ``missing_children``, as the build's parents do)."""
    g = rows.assign(_na=rows["employment"].isna()).groupby(["region_id", "industry", "year"], sort=True)
    f = pd.DataFrame({
        "employment": g["employment"].sum(min_count=1), "payroll": g["payroll"].sum(min_count=1),
        "units": g["establishments"].sum(min_count=1), "parts_missing": g["_na"].sum(),
    }).reset_index()
    f["employment_imputed"] = False
    f["missing_children"] = (f["parts_missing"] - f["employment"].isna().astype(int)).clip(lower=0).astype(int)
    return f[["region_id", "industry", "year", "employment", "employment_imputed", "payroll", "units",
              "missing_children"]]


# ---------------------------------------------------------------------------- the store


class UploadStore(Store):
    """An uploaded dataset with the methods of :class:`Store` that the region profile, the map and
    /compare use. ``dataset`` is its key (``upload-…``); ``base`` the built-in dataset of its
    classification (``eu`` for NACE, ``us`` for NAICS), whose geometry, neighbours and relatedness
    it borrows when its regions are of a built-in level; ``notes`` what the user must be told."""

    def __init__(self, key: str, base: str, level: str, base_dir: Path | None, tables: dict, meta: dict,
                 notes: list[str], unmapped: pd.DataFrame, classification: str, benchmark: str):
        super().__init__(base_dir if base_dir is not None else Path("/nonexistent"), base)
        self.dataset = key
        self.base = base
        self.level = level
        self.classification = classification
        self.benchmark = benchmark
        self.notes = notes
        self.unmapped = unmapped
        self._meta = meta
        for name, table in tables.items():
            self._tables[(name,)] = table
        self._tables[("facts", level)] = tables["_facts"]

    @property
    def meta(self) -> dict:
        return self._meta

    @property
    def levels(self) -> tuple[str, ...]:
        return (self.level,)

    @property
    def related(self) -> pd.DataFrame:
        path = self.dir.parent / "related.parquet"
        return self._held(("related",), lambda: pd.read_parquet(path) if path.exists()
                          else pd.DataFrame(columns=["category_id", "related_id"]))

    def has_geometry(self, level: str) -> bool:
        return level == self.level and level != UPLOAD_LEVEL and super().has_geometry(level)

    def stars(self, level: str, rules: str, denominator: str) -> pd.DataFrame:
        """Rated here, as the build rates (:func:`rate_per_level`), among the file's regions."""
        return self._held(("stars", level, rules, denominator),
                          lambda: rate_per_level(self.level_metrics(level), rules, denominator).reset_index(drop=True))

    def nation_of(self) -> pd.Series | None:
        """Expected growth per nation: the country of NUTS regions; the whole file otherwise."""
        if self.base != "eu" or self.level == UPLOAD_LEVEL:
            return None
        return self._held(("nation_of",), lambda: self.regions.set_index("region_id")["country"])

    def window_note(self, start: int, end: int) -> str | None:
        """Why a growth window is not like for like: NAICS codes read in two vintages."""
        if self.classification != C.NAICS or start is None or end is None:
            return None
        a, b = C.naics_vintage(start), C.naics_vintage(end)
        if a == b:
            return None
        return (f"Growth {start}→{end} crosses the NAICS {a}→{b} break: the file's codes are read in each year's "
                "vintage, so cluster totals are compared, not like-for-like industries.")


def _base_store(base: str, build_dir, required: bool):
    from analytics.build import BuildMissing
    from analytics.serving.store import get_store

    try:
        return get_store(base, build_dir)
    except BuildMissing as exc:
        if required:
            raise UploadError(f"the {DATASETS[base]['label']} benchmark needs the build: {exc}") from None
        return None


def _regions(region_ids: list[str], names: pd.Series, base_store) -> tuple[pd.DataFrame, str]:
    """The file's regions (names from the file, else the built-in ones) and their level: a built-in
    level when every id is a region of that one level (the map and peers then work), else ``upload``."""
    level = UPLOAD_LEVEL
    known = None
    if base_store is not None:
        known = base_store.regions.drop_duplicates("region_id").set_index("region_id")
        lv = known["level"].reindex(region_ids)
        if lv.notna().all() and lv.nunique() == 1:
            level = str(lv.iloc[0])
    out = pd.DataFrame({"region_id": region_ids})
    given = names.reindex(region_ids)
    builtin = known["name"].reindex(region_ids) if known is not None else pd.Series(np.nan, index=region_ids)
    out["name"] = given.where(given.notna() & (given != ""), builtin).fillna(pd.Series(region_ids, index=region_ids)
                                                                             ).to_numpy()
    out["level"] = level
    if known is not None and "country" in known:
        out["country"] = known["country"].reindex(region_ids).to_numpy()
    else:
        out["country"] = np.nan
    out["parent_id"] = known["parent_id"].reindex(region_ids).to_numpy() if known is not None else np.nan
    return out, level


def _nearest(years: list[int], year: int) -> int:
    return min(years, key=lambda y: (abs(y - year), y))


def build_store(result: UploadResult, benchmark: str = "self", build_dir=None, raw=None,
                key: str | None = None) -> UploadStore:
    """Analyse a clean upload against ``benchmark`` (``self``, ``eu`` or ``us``); raises
    :class:`UploadError` for a refused file or a benchmark of the other classification."""
    if not result.ok:
        raise UploadError(result.message())
    if benchmark not in BENCHMARKS:
        raise UploadError(f"benchmark {benchmark!r}: choose {', '.join(BENCHMARKS)}")
    cls = result.classification
    base = "eu" if cls == C.NACE else "us"
    if benchmark not in ("self", base):
        raise UploadError(f"a {C.LABELS[cls]} file is compared with {DATASETS[base]['label']} ({base}) or with "
                          f"itself (self), not with {DATASETS[benchmark]['label']}, whose categories are defined on "
                          f"{'NAICS' if benchmark == 'us' else 'NACE Rev. 2'}")
    rows, totals = result.rows, result.totals
    rows, defs, unmapped = (_nace_blocks if cls == C.NACE else _naics_blocks)(rows, raw)
    notes: list[str] = []
    facts = _facts(rows)
    base_store = _base_store(base, build_dir, required=benchmark != "self")
    if benchmark == "eu":
        covered = set(base_store.industries["industry"])
        outside = facts[~facts["industry"].isin(covered)]
        if not outside.empty:
            notes.append(f"{len(outside):,} region × division cells in divisions Europe's regional data do not cover "
                         f"({', '.join(sorted(outside['industry'].unique())[:8])}"
                         f"{' …' if outside['industry'].nunique() > 8 else ''}) are left out of E(r), as they are "
                         "out of Europe's E")
        facts = facts[facts["industry"].isin(covered)].reset_index(drop=True)
        if not totals.empty:
            notes.append(f"{len(totals):,} TOTAL rows not used: with the Europe benchmark E(r) is the sum of the "
                         "region's rows in the divisions Europe's regional data cover (like Europe's E)")
        ext_totals = None
    else:
        from analytics.metrics.regions import region_totals

        rt = region_totals(facts, defs)[["region_id", "year", "total"]]
        if not totals.empty:
            given = totals.set_index(["region_id", "year"])["total"]
            idx = pd.MultiIndex.from_frame(rt[["region_id", "year"]])
            rt["total"] = given.reindex(idx).fillna(pd.Series(rt["total"].to_numpy(), index=idx)).to_numpy()
        ext_totals = rt
    if benchmark == "self":
        bc, bt = bench_of(facts, defs, ext_totals)
        area = f"the file's {facts['region_id'].nunique():,} regions"
    else:
        bc_all, bt_all = base_store.benchmark_categories, base_store.benchmark_totals
        have = sorted(int(y) for y in bt_all["year"].unique())
        parts_c, parts_t = [], []
        for year in sorted(facts["year"].unique()):
            near = _nearest(have, int(year))
            if near != year:
                notes.append(f"benchmark {DATASETS[base]['label']} {near}: the nearest year with data to {year}")
            parts_c.append(bc_all[bc_all["year"] == near].assign(year=int(year)))
            parts_t.append(bt_all[bt_all["year"] == near].assign(year=int(year)))
        bc, bt = pd.concat(parts_c, ignore_index=True), pd.concat(parts_t, ignore_index=True)
        area = DATASETS[base]["benchmark_area"]
    names = pd.concat([result.rows[["region_id", "region_name"]], result.totals[["region_id", "region_name"]]])
    names = names[names["region_name"] != ""].drop_duplicates("region_id").set_index("region_id")["region_name"]
    region_ids = sorted(set(result.rows["region_id"]) | set(result.totals["region_id"]))
    regions, level = _regions(region_ids, names, base_store)
    metrics, rt = level_metrics(facts, defs, bc, bt, regions, level, ext_totals)
    meta0 = DATASETS[base]
    indicators = region_indicators(metrics, rt, rules=meta0["default_rules"], denominator=meta0["default_denominator"])
    for col in {"gdp_pc_pps", meta0["prosperity"]["column"]}:  # a file has no GDP: missing, never 0 (peers by
        indicators[col] = np.nan                                 # prosperity then find none, and say so)
    if not unmapped.empty:
        n_codes, n_rows = len(unmapped), int(unmapped["rows"].sum())
        notes.append(f"{n_codes:,} code{'s' if n_codes != 1 else ''} map{'' if n_codes != 1 else 's'} to no category "
                     f"({n_rows:,} row{'s' if n_rows != 1 else ''}): "
                     + "; ".join(f"{c} ({r})" for c, r in zip(unmapped["code"][:5], unmapped["reason"][:5]))
                     + (" …" if len(unmapped) > 5 else ""))
    if level == UPLOAD_LEVEL and base_store is not None:
        notes.append(f"the region ids are not all {meta0['label']} regions of one level: no map, stars among the "
                     "file's regions")
    categories = base_store.categories if base_store is not None else defs.categories
    meta = dict(meta0)
    meta.update({
        "label": f"Upload: {result.filename}",
        "levels": {level: meta0["levels"].get(level, "Regions of the file")},
        "default_level": level,
        "benchmark_level": level,
        "benchmark": benchmark,
        "benchmark_area": area if benchmark != "self" else f"the uploaded file ({area})",
        "source": f"Source: uploaded file {result.filename} ({C.LABELS[cls]}); benchmark: "
                  + ("the file itself." if benchmark == "self" else meta0["source"].removeprefix("Source: ")),
        "prosperity": None,
        "innovation": None,
        "industry_system": C.LABELS[cls],
    })
    tables = {"metrics": metrics, "region_indicators": indicators, "regions": regions, "categories": categories,
              "industries": defs.industries, "benchmark_categories": bc, "benchmark_totals": bt,
              "quality": {"dataset": "upload", "file": result.filename, "notes": notes,
                          "unmapped": unmapped.to_dict("records"), "warnings": result.warnings},
              "_facts": facts}
    key = key or PREFIX + secrets.token_urlsafe(18)  # 144 random bits
    base_dir = base_store.dir.parent if base_store is not None else None
    store = UploadStore(key, base, level, base_dir, tables, meta, notes, unmapped, cls, benchmark)
    store.source = result  # the validated rows, which the registry keeps on disk (registry.py)
    return store


# ---------------------------------------------------------------------------- for the page's preview


def unmapped_codes(result: UploadResult, raw=None) -> pd.DataFrame:
    """The file's codes that map to no category (code, rows, employment, first_line, reason), as
    :func:`build_store` lists them, before any benchmark is chosen."""
    if not result.ok:
        return pd.DataFrame(columns=["code", "rows", "employment", "first_line", "reason"])
    _rows, _defs, out = (_nace_blocks if result.classification == C.NACE else _naics_blocks)(result.rows, raw)
    return out


def benchmark_choices(result: UploadResult, build_dir=None) -> list[dict]:
    """The benchmarks a clean file can take, with the year each would use: ``value`` (self, eu,
    us), ``label``, ``disabled`` and, for a built-in one, the nearest-year statement."""
    years = sorted(int(y) for y in set(result.rows["year"]) | set(result.totals["year"]))
    cls = result.classification
    base = "eu" if cls == C.NACE else "us"
    out = [{"value": "self", "label": f"The file itself (its {result.rows['region_id'].nunique():,} regions summed)",
            "disabled": False}]
    for key in ("eu", "us"):
        label = DATASETS[key]["label"]
        if key != base:
            out.append({"value": key, "label": f"{label}: not for a {C.LABELS[cls]} file (categories defined on "
                                              f"{'NAICS' if key == 'us' else 'NACE Rev. 2'})", "disabled": True})
            continue
        store = _base_store(key, build_dir, required=False)
        if store is None:
            out.append({"value": key, "label": f"{label}: not available (no build)", "disabled": True})
            continue
        have = sorted(int(y) for y in store.benchmark_totals["year"].unique())
        parts = []
        for y in years:
            near = _nearest(have, y)
            parts.append(f"{y}" if near == y else f"{near} for the file's {y} (the nearest year with data)")
        out.append({"value": key, "label": f"{DATASETS[key]['benchmark_area']}: year " + "; ".join(parts),
                    "disabled": False})
    return out
