"""European cluster categories derived from European co-location, and their comparison with the
US-derived (concorded) categories.

Method (docs/INSIGHTS.md, "European cluster definitions"), deterministic for given facts:

1. **Shares.** For one year, each NACE division's share of each NUTS 2 region's employment,
   s(r, i) = E(r, i) / E(r), E(r) the sum over the divisions of the regional data (as the build's
   totals). Only *published* cells enter (confidential cells the build imputes, and cells the source
   does not give, are left out; a published 0 is a 0). Since LQ(r, i) = s(r, i) / s(i) with s(i) a
   constant per division, the correlation of shares equals the correlation of location quotients.
2. **Co-location.** Pearson correlation (``method``) of two divisions' shares across the regions
   where both are published (pairwise complete, at least ``min_pair_regions`` regions; a pair with
   fewer counts as r = 0). A division published in fewer than ``min_regions`` regions, or with the
   same share everywhere, is put in no category (``none``, with the reason).
3. **Clustering.** Average-linkage agglomerative clustering (UPGMA, ``scipy.cluster.hierarchy``) on
   the distance 1 − r, separately within the traded and within the local divisions (the type of
   each division is that of the committed definitions, docs/EU_CATEGORIES.md rule 3: co-location
   decides the grouping, not the type). The tree is cut where the average correlation between the
   two groups a merge would join falls below ``min_correlation``: two groups join only when their
   divisions correlate on average at least that much. A division that joins nothing is a category
   of its own.
4. **Names.** A category is named after its largest division (employment summed over the regions
   in the year): id ``eu_<code>`` (``eu_c29``), name "<division name> & related (k divisions)".

The comparison with the reference (committed) definitions: the adjusted Rand index (Hubert &
Arabie 1985) over the divisions assigned in both, and the divisions that *move*: each derived
category is matched to the reference category holding most of its members (ties: the larger
employment, then the lower id); a division moves when its reference category is not its derived
category's match.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SET_NAME = "eu-colocation"
REFERENCE_SET = "us-concorded"
DEFINITION_SETS = {
    REFERENCE_SET: "US 2014 benchmark clusters concorded to NACE divisions (data/eu_cluster_categories.csv)",
    SET_NAME: "Derived from the co-location of NACE divisions across European NUTS 2 regions (the build)",
}
OUTPUT_COLUMNS = ["nace_code", "category_id", "category_name"]
FILE_COLUMNS = ["nace_code", "nace_level", "nace_name", "category_id", "category_name", "category_type",
                "n_regions", "mean_correlation", "reference_category_id", "moved", "reason"]
TRACE_COLUMNS = ["category_id", "category_type", "step", "kind", "group_a", "group_b", "average_correlation"]


@dataclass(frozen=True)
class DeriveParams:
    year: int | None = None  # None: the latest year of the facts
    method: str = "pearson"  # pandas DataFrame.corr method: pearson or spearman
    min_correlation: float = 0.3  # the cut: groups join while their average correlation ≥ this
    min_regions: int = 30  # a division needs published shares in at least this many regions
    min_pair_regions: int = 30  # a pair's correlation needs this many regions with both published


@dataclass(frozen=True)
class Derivation:
    table: pd.DataFrame  # FILE_COLUMNS, one row per division
    trace: pd.DataFrame  # TRACE_COLUMNS, one row per merge inside a category (+ the refused next merge)
    summary: dict  # parameters, year, counts, comparison


def definitions_files(build_dir: Path) -> dict[str, Path]:
    """Where the build keeps the derived set: definitions CSV, trace CSV and summary JSON."""
    base = Path(build_dir) / "eu"
    return {"definitions": base / f"definitions_{SET_NAME}.csv", "trace": base / f"definitions_{SET_NAME}_trace.csv",
            "summary": base / f"definitions_{SET_NAME}.json"}


# -- the adjusted Rand index ----------------------------------------------------------------------
def _pairs(n) -> float:
    n = np.asarray(n, dtype=float)
    return float((n * (n - 1) / 2).sum())


def adjusted_rand_index(labels_a, labels_b) -> float:
    """Adjusted Rand index of two labelings of the same items, from their contingency table:

    ARI = (Σ_ij C(n_ij, 2) − E) / (½ [Σ_i C(a_i, 2) + Σ_j C(b_j, 2)] − E),
    E = Σ_i C(a_i, 2) · Σ_j C(b_j, 2) / C(n, 2)

    (n_ij items in class i of a and j of b; a_i, b_j the row and column sums). 1 for identical
    partitions, about 0 for independent ones, can be negative. As scikit-learn, 1.0 when the
    denominator is 0 (both partitions all singletons or both one class) or fewer than 2 items.
    """
    a, b = list(labels_a), list(labels_b)
    if len(a) != len(b):
        raise ValueError(f"labelings of different lengths: {len(a)} and {len(b)}")
    n = len(a)
    if n < 2:
        return 1.0
    table = pd.crosstab(pd.Series(a, dtype=str), pd.Series(b, dtype=str))
    sum_ij = _pairs(table.to_numpy().ravel())
    sum_a, sum_b = _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((sum_ij - expected) / (maximum - expected))


# -- the derivation ---------------------------------------------------------------------------------
def published_shares(facts: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.Series]:
    """Region × division shares of published cells in ``year`` (NaN where not published), and the
    divisions' employment summed over the regions (all cells with a value, for naming)."""
    f = facts[facts["year"] == year][["region_id", "industry", "employment", "employment_imputed"]].copy()
    f["industry"] = f["industry"].astype(str)
    total = f.groupby("region_id")["employment"].sum(min_count=1)
    pub = f[f["employment"].notna() & ~f["employment_imputed"].astype(bool)]
    pub = pub.assign(share=pub["employment"] / pub["region_id"].map(total.where(total > 0)))
    shares = pub.pivot_table(index="region_id", columns="industry", values="share", aggfunc="first")
    shares = shares.reindex(columns=sorted(f["industry"].unique())).sort_index()
    weight = f.groupby("industry")["employment"].sum(min_count=1)
    return shares, weight


def _members(node: int, children: dict[int, tuple[int, int]], n: int) -> list[int]:
    if node < n:
        return [node]
    a, b = children[node]
    return _members(a, children, n) + _members(b, children, n)


def cluster_divisions(corr: pd.DataFrame, min_correlation: float) -> tuple[list[list[str]], list[dict]]:
    """Average-linkage groups of the divisions of ``corr`` (a square correlation matrix, NaN = 0),
    cut at ``min_correlation``; and every merge (members of both sides, average correlation, whether
    it is inside a group or the first refused one of a group). Groups in order of their first code."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    codes = list(corr.index)
    n = len(codes)
    if n == 0:
        return [], []
    if n == 1:
        return [codes], []
    r = corr.to_numpy(dtype=float, copy=True)
    r = np.nan_to_num(r, nan=0.0)
    dist = np.clip(1.0 - (r + r.T) / 2, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), method="average")
    threshold = 1.0 - min_correlation
    labels = fcluster(z, t=threshold, criterion="distance")
    groups: dict[int, list[str]] = {}
    for code, lab in zip(codes, labels):
        groups.setdefault(int(lab), []).append(code)
    ordered = sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])
    children: dict[int, tuple[int, int]] = {}
    merges = []
    refused_seen: set[frozenset] = set()
    for step, (a, b, d, _) in enumerate(z):
        node = n + step
        children[node] = (int(a), int(b))
        side_a = sorted(codes[i] for i in _members(int(a), children, n))
        side_b = sorted(codes[i] for i in _members(int(b), children, n))
        inside = d <= threshold + 1e-12
        merge = {"step": step + 1, "group_a": side_a, "group_b": side_b, "average_correlation": 1.0 - float(d),
                 "kind": "join" if inside else "refused"}
        if not inside:  # keep only the first refused merge of each final group (its nearest other group)
            sides = [frozenset(side_a), frozenset(side_b)]
            fresh = [s for s in sides if any(s == frozenset(g) for g in ordered) and s not in refused_seen]
            if not fresh:
                continue
            refused_seen.update(fresh)
            merge["refused_for"] = [sorted(s) for s in fresh]
        merges.append(merge)
    return ordered, merges


def _short(name: str) -> str:
    """A division's name without "Manufacture of", the part after ";" and ", except …" clauses."""
    s = name.split(";")[0].strip()
    s = re.sub(r", except\b.*$", "", s)
    s = re.sub(r"^Manufacture of (other )?", lambda m: "Other " if m.group(1) else "", s)
    return s[:1].upper() + s[1:]


def derive(facts: pd.DataFrame, industries: pd.DataFrame, params: DeriveParams = DeriveParams(),
           reference: pd.DataFrame | None = None) -> Derivation:
    """Derive categories from ``facts`` (NUTS 2: region_id, industry, year, employment,
    employment_imputed). ``industries``: industry, industry_name, category_type (traded/local; the
    division's type) and, as ``reference`` when none is given, category_id (the set to compare with).
    """
    years = sorted(int(y) for y in facts["year"].unique())
    if not years:
        raise ValueError("no facts to derive from")
    year = years[-1] if params.year is None else int(params.year)
    if year not in years:
        raise ValueError(f"year {year}: the facts cover {years[0]}–{years[-1]}")
    shares, weight = published_shares(facts, year)
    ind = industries.assign(industry=industries["industry"].astype(str)).drop_duplicates("industry")
    ind = ind.set_index("industry")
    codes = sorted(set(shares.columns) | set(ind.index))
    n_regions = {c: int(shares[c].notna().sum()) if c in shares else 0 for c in codes}
    reason: dict[str, str] = {}
    for c in codes:
        if c not in ind.index or ind.at[c, "category_type"] not in ("traded", "local"):
            reason[c] = "no traded/local type in the definitions"
        elif n_regions[c] < params.min_regions:
            reason[c] = f"published in {n_regions[c]} regions in {year}, fewer than {params.min_regions}"
        elif shares[c].dropna().nunique() < 2:
            reason[c] = f"the same share in every region in {year}: no co-location signal"
    usable = [c for c in codes if c not in reason]
    corr = shares[usable].corr(method=params.method, min_periods=params.min_pair_regions)
    rows, trace = [], []
    for ctype in ("traded", "local"):
        members = [c for c in usable if ind.at[c, "category_type"] == ctype]
        groups, merges = cluster_divisions(corr.loc[members, members], params.min_correlation)
        ids = {}
        for g in groups:
            largest = max(g, key=lambda c: (float(np.nan_to_num(weight.get(c, np.nan), nan=-1.0)), -codes.index(c)))
            cid = f"eu_{largest.lower()}"
            short = _short(str(ind.at[largest, "industry_name"]))
            name = short if len(g) == 1 else f"{short} & related ({len(g)} divisions)"
            if ctype == "local":
                name = f"Local: {name}"
            sub = corr.loc[g, g].to_numpy(dtype=float)
            mean_r = float(np.nanmean(sub[~np.eye(len(g), dtype=bool)])) if len(g) > 1 else np.nan
            for c in g:
                ids[c] = cid
                rows.append({"nace_code": c, "category_id": cid, "category_name": name, "category_type": ctype,
                             "mean_correlation": mean_r, "reason": ""})
        for m in merges:
            if m["kind"] == "join":
                cid = ids[m["group_a"][0]]
                trace.append({"category_id": cid, "category_type": ctype, "step": m["step"], "kind": "join",
                              "group_a": " ".join(m["group_a"]), "group_b": " ".join(m["group_b"]),
                              "average_correlation": m["average_correlation"]})
            else:
                for side in m["refused_for"]:
                    trace.append({"category_id": ids[side[0]], "category_type": ctype, "step": m["step"],
                                  "kind": "nearest_refused", "group_a": " ".join(m["group_a"]),
                                  "group_b": " ".join(m["group_b"]),
                                  "average_correlation": m["average_correlation"]})
    for c, why in reason.items():
        ctype = ind.at[c, "category_type"] if c in ind.index else ""
        rows.append({"nace_code": c, "category_id": "", "category_name": "", "category_type": ctype,
                     "mean_correlation": np.nan, "reason": why})
    table = pd.DataFrame(rows)
    table["nace_level"] = "division"
    table["nace_name"] = table["nace_code"].map(ind["industry_name"]).fillna("")
    table["n_regions"] = table["nace_code"].map(n_regions).astype(int)
    ref = reference if reference is not None else ind.reset_index()[["industry", "category_id"]]
    ref_map = ref.assign(industry=ref["industry"].astype(str)).set_index("industry")["category_id"]
    comparison = compare(table, ref_map, weight)
    table["reference_category_id"] = table["nace_code"].map(ref_map).fillna("")
    table["moved"] = table["nace_code"].isin({m["nace_code"] for m in comparison["moved"]}).map(
        {True: "yes", False: ""})
    table.loc[table["category_id"] == "", "moved"] = ""
    table = table.sort_values("nace_code").reset_index(drop=True)[FILE_COLUMNS]
    trace_df = pd.DataFrame(trace, columns=TRACE_COLUMNS).sort_values(["category_type", "step", "category_id"],
                                                                       ascending=[False, True, True])
    assigned = table[table["category_id"] != ""]
    summary = {
        "set": SET_NAME, "description": DEFINITION_SETS[SET_NAME], "parameters": {**asdict(params), "year": year},
        "year": year, "n_regions": int(shares.index.nunique()), "n_divisions": len(table),
        "n_categories": int(assigned["category_id"].nunique()),
        "n_categories_by_type": {t: int(g["category_id"].nunique()) for t, g in assigned.groupby("category_type")},
        "n_none": int((table["category_id"] == "").sum()),
        "none": [{"nace_code": c, "reason": r} for c, r in sorted(reason.items())],
        "comparison": comparison,
        "categories": [
            {"category_id": cid, "category_name": g["category_name"].iloc[0], "category_type": g["category_type"].iloc[0],
             "members": list(g["nace_code"]), "mean_correlation": _num(g["mean_correlation"].iloc[0])}
            for cid, g in assigned.groupby("category_id", sort=True)],
    }
    return Derivation(table, trace_df.reset_index(drop=True), summary)


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else round(float(v), 6)


def compare(table: pd.DataFrame, reference: pd.Series, weight: pd.Series | None = None) -> dict:
    """ARI and moved divisions of a derived table (nace_code, category_id, category_name) against
    ``reference`` (nace_code → category id), over the divisions assigned in both."""
    t = table[table["category_id"] != ""][["nace_code", "category_id", "category_name"]].copy()
    t["reference"] = t["nace_code"].map(reference)
    t = t[t["reference"].notna() & (t["reference"] != "")]
    t["weight"] = t["nace_code"].map(weight).fillna(0.0) if weight is not None else 0.0
    ari = adjusted_rand_index(t["reference"], t["category_id"]) if len(t) else float("nan")
    match = {}
    for cid, g in t.groupby("category_id", sort=True):
        score = g.groupby("reference").agg(n=("nace_code", "size"), w=("weight", "sum")).reset_index()
        score = score.sort_values(["n", "w", "reference"], ascending=[False, False, True], kind="stable")
        match[cid] = score["reference"].iloc[0]
    t["match"] = t["category_id"].map(match)
    moved = t[t["reference"] != t["match"]].sort_values("nace_code")
    return {
        "reference": REFERENCE_SET, "ari": ari, "n_divisions_compared": len(t),
        "n_reference_categories": int(t["reference"].nunique()), "n_derived_categories": int(t["category_id"].nunique()),
        "n_moved": len(moved),
        "moved": [{"nace_code": r.nace_code, "from_category": r.reference, "to_category": r.category_id,
                   "to_category_name": r.category_name, "to_category_matches": r.match}
                  for r in moved.itertuples()],
    }


# -- files ------------------------------------------------------------------------------------------
def write(derivation: Derivation, build_dir: Path) -> dict[str, Path]:
    """Write the derived set into ``<build_dir>/eu/`` (:func:`definitions_files`)."""
    files = definitions_files(build_dir)
    files["definitions"].parent.mkdir(parents=True, exist_ok=True)
    derivation.table.to_csv(files["definitions"], index=False, float_format="%.6f")
    derivation.trace.to_csv(files["trace"], index=False, float_format="%.6f")
    files["summary"].write_text(json.dumps(derivation.summary, indent=1, default=str))
    return files


def output_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The CLI's CSV: every division once; a division in no category as ``none`` with its reason."""
    out = table[OUTPUT_COLUMNS + ["reason"]].copy()
    none = out["category_id"] == ""
    out.loc[none, "category_name"] = "none: " + out.loc[none, "reason"]
    out.loc[none, "category_id"] = "none"
    return out[OUTPUT_COLUMNS]


def load_definitions_set(name: str, build_dir: Path | None = None):
    """The :class:`~analytics.metrics.categories.Definitions` of a named European set: the committed
    US-concorded file, or the co-location set the build derived (``KeyError`` for another name,
    ``FileNotFoundError`` before a build made it). Derived categories carry their type."""
    from analytics import config
    from analytics.metrics.categories import EU_DEFINITIONS, load_eu_definitions

    if name == REFERENCE_SET:
        return load_eu_definitions(EU_DEFINITIONS)
    if name == SET_NAME:
        return load_eu_definitions(definitions_files(config.build_dir(build_dir))["definitions"])
    raise KeyError(f"definitions set {name!r}: choose one of {', '.join(DEFINITION_SETS)}")


def build_step(eu_dir: Path, progress=None) -> dict:
    """The build's step: derive from ``<eu_dir>/facts_nuts2.parquet`` and ``industries.parquet`` (just
    written) with the default parameters, write the files beside them, return a short summary."""
    import time

    started = time.perf_counter()
    facts = pd.read_parquet(eu_dir / "facts_nuts2.parquet",
                            columns=["region_id", "industry", "year", "employment", "employment_imputed"])
    industries = pd.read_parquet(eu_dir / "industries.parquet")
    d = derive(facts, industries)
    write(d, eu_dir.parent)
    s = d.summary
    if progress:
        progress(f"eu: definitions {SET_NAME} derived from {s['year']} co-location: {s['n_categories']} categories "
                 f"({s['n_none']} divisions in none), ARI vs {REFERENCE_SET} {s['comparison']['ari']:.3f}")
    return {"year": s["year"], "n_categories": s["n_categories"], "n_none": s["n_none"],
            "ari": round(s["comparison"]["ari"], 4), "seconds": round(time.perf_counter() - started, 2)}
