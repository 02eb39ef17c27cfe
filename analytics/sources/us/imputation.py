"""Impute withheld CBP cells (2017+) within the NAICS hierarchy and the county → state geography.

CBP 2017–2021 withholds a cell by publishing ``emp = 0`` with establishments > 0 (mostly
2017; from 2018 the Census Bureau relies on noise infusion and withholds very few cells).
Cells with fewer than 3 establishments are not published at all. Establishment counts are
never withheld, so for every parent cell (``00`` → sector → 3- → 4- → 5- → 6-digit NAICS,
and state → its counties) we know how many establishments sit in its withheld children and
how many in children the source does not publish.

Method (docs/US_IMPUTATION.md):

1. *Typical size* ``s(year, code)`` = employment per establishment over the published state
   cells of that industry in the nation (the parent industry's where nothing is published).
2. *Prior* of a withheld cell = its establishments × ``s``. The unpublished remainder of a
   parent (establishments of the parent minus those of its rows) is a pseudo-child with
   prior = those establishments × the parent's ``s``; it takes its share of the remainder
   but is never written out (those cells stay "not published").
3. *Hierarchy pass*, top-down by depth: a parent's unexplained remainder
   ``R = parent − Σ published children`` is spread over its withheld children and the
   pseudo-child in proportion to their current weights (prior in the first pass). A parent
   imputed at depth d is the parent at depth d + 1.
4. States first (hierarchy only). Counties then alternate hierarchy passes with a
   *geography pass* (per state × industry: ``R = state − Σ published counties`` spread over
   the withheld counties and a pseudo-county for the establishments the state holds beyond
   its counties, e.g. statewide units), the current values as weights — iterative
   proportional fitting over both margins. The last pass is geographic, so counties never
   add up to more than their state.
5. ``R ≤ 0`` (published children already reach the parent: noise infusion) leaves no
   remainder to spread. A withheld cell that no margin bounds (no positive remainder in its
   NAICS parent nor, for counties, in its state) stays missing ("withheld") and is counted.

Imputed cells carry ``imputed = True``; their payroll stays missing. ``mask_validation``
hides published cells, imputes them as if withheld and scores the estimates.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: NAICS 2017 sectors that span several 2-digit codes
SECTOR_OF = {"31": "31-33", "32": "31-33", "33": "31-33", "44": "44-45", "45": "44-45", "48": "48-49", "49": "48-49"}
#: size bands (persons) for the masked validation
SIZE_BANDS = ((0, 20, "<20"), (20, 100, "20–99"), (100, 500, "100–499"), (500, 2500, "500–2,499"),
              (2500, np.inf, "2,500+"))
ITERATIONS = 100  # IPF sweeps at most (hierarchy, then geography) for the counties
TOLERANCE = 0.5  # persons: a margin counts as met when the children exceed it by less than this
WEIGHT_FLOOR = 0.01  # a weight never falls below this share of the cell's prior (keeps raking alive)


def depth_of(codes: pd.Series) -> np.ndarray:
    """0 for the all-industries row ``00``, 2 for sectors (incl. ``31-33``), else the digit count."""
    c = codes.astype(str)
    d = c.str.len().to_numpy().copy()
    d[c.str.contains("-", regex=False).to_numpy()] = 2
    d[(c == "00").to_numpy()] = 0
    return d


def parent_of(codes: pd.Series) -> pd.Series:
    """The NAICS parent of each code (``None`` for ``00``)."""
    c = codes.astype(str)
    d = depth_of(c)
    two = c.str[:2]
    out = np.where(d >= 4, c.str[:-1], np.where(d == 3, two.map(lambda x: SECTOR_OF.get(x, x)), "00"))
    return pd.Series(np.where(d == 0, None, out), index=codes.index, dtype=object)


class _Codes:
    """The NAICS codes seen in the data, integer-coded once (depth and parent per code)."""

    def __init__(self, *code_columns: pd.Series):
        uniq = pd.Index(pd.unique(pd.concat([c.astype(str) for c in code_columns], ignore_index=True)))
        parents = parent_of(pd.Series(uniq, dtype=object))
        self.index = pd.Index(np.asarray(uniq, dtype=object))
        self.depth = depth_of(pd.Series(self.index, dtype=object))
        missing = [p for p in parents.dropna().unique() if p not in self.index]
        if missing:
            self.index = self.index.append(pd.Index(np.asarray(missing, dtype=object)))
            self.depth = depth_of(pd.Series(self.index, dtype=object))
            parents = parent_of(pd.Series(self.index, dtype=object))
        self.parent = np.where(parents.notna(), self.index.get_indexer(parents.fillna("")), -1)

    def of(self, codes: pd.Series) -> np.ndarray:
        return self.index.get_indexer(codes.astype(str).to_numpy(dtype=object))


class _Cells:
    """One level's cells as flat arrays with the index of each row's NAICS parent."""

    def __init__(self, df: pd.DataFrame, region: np.ndarray, codes: _Codes, withheld: np.ndarray):
        self.df = df
        self.region = region  # small integers (state index; county: state × 1000 + county)
        self.year = df["year"].astype(int).to_numpy()
        self.code = codes.of(df["naics2017"])
        self.depth = codes.depth[self.code]
        self.estab = df["estab"].astype(float).to_numpy()
        self.withheld = withheld
        self.value = df["emp"].astype(float).to_numpy().copy()
        self.value[withheld] = np.nan
        self.assigned = np.zeros(len(df), dtype=bool)  # withheld cells a margin has bounded
        self.ncodes = len(codes.index)
        self.index = pd.Index(self.key(self.region, self.year, self.code))
        if not self.index.is_unique:
            raise ValueError("duplicate region × year × NAICS rows in CBP data")
        pcode = codes.parent[self.code]
        has = pcode >= 0
        pidx = np.full(len(df), -1, dtype=np.int64)
        pidx[has] = self.index.get_indexer(self.key(self.region[has], self.year[has], pcode[has]))
        self.parent = pidx
        self.n = len(df)

    def key(self, region, year, code) -> np.ndarray:
        return (np.asarray(region, dtype=np.int64) * 100 + (np.asarray(year, dtype=np.int64) - 2000)) \
            * self.ncodes + np.asarray(code, dtype=np.int64)

    def typical(self, typ: pd.Series, codes: _Codes) -> np.ndarray:
        """Typical size per row (year, code) from the national table."""
        keyed = pd.Series(typ.to_numpy(), index=(typ.index.get_level_values(0).astype(int) - 2000) * self.ncodes
                          + codes.of(typ.index.get_level_values(1).to_series()))
        return keyed.reindex((self.year - 2000) * self.ncodes + self.code).to_numpy(dtype=float)


def typical_sizes(state: pd.DataFrame, withheld: np.ndarray) -> pd.Series:
    """Employment per establishment of the published state cells, per (year, code); gaps take
    the parent industry's value."""
    pub = state.loc[~withheld]
    g = pub.groupby(["year", "naics2017"])[["emp", "estab"]].sum()
    typ = (g["emp"] / g["estab"].where(g["estab"] > 0)).rename("typical")
    allcodes = state[["year", "naics2017"]].drop_duplicates()
    full = typ.reindex(pd.MultiIndex.from_frame(allcodes))
    codes = full.index.get_level_values(1).to_series(index=full.index)
    depth = depth_of(codes)
    parents = parent_of(codes)
    for d in (2, 3, 4, 5, 6):  # fill top-down so a parent's fallback is already filled
        miss = full.isna().to_numpy() & (depth == d)
        if miss.any():
            keys = pd.MultiIndex.from_arrays([full.index.get_level_values(0)[miss], parents.to_numpy()[miss]])
            full.iloc[np.where(miss)[0]] = full.reindex(keys).to_numpy()
    return full


class _Hierarchy:
    """Constant parts of the NAICS margin: published child sums and the unpublished pseudo-child."""

    def __init__(self, c: _Cells, typ_row: np.ndarray):
        kids = np.where(c.parent >= 0)[0]
        p = c.parent[kids]
        self.pub = np.bincount(p, weights=np.where(c.withheld[kids], 0.0, np.nan_to_num(c.value[kids])), minlength=c.n)
        est = np.bincount(p, weights=c.estab[kids], minlength=c.n)
        self.slack = np.maximum(c.estab - est, 0.0) * np.nan_to_num(typ_row)  # raked like a withheld child
        self.by_depth = [_Groups(sel, c.parent[sel]) for d in (2, 3, 4, 5, 6)
                         if len(sel := np.where(c.withheld & (c.depth == d) & (c.parent >= 0))[0])]

    def rake(self, c: _Cells, floor: np.ndarray) -> None:
        """Top-down: each parent's remainder spread over its withheld children and its pseudo-child."""
        for groups in self.by_depth:
            _rake(c, groups, c.value[groups.gid] - self.pub[groups.gid], self.slack, floor)


class _Geography:
    """Constant parts of the county → state margin (per state × industry cell)."""

    def __init__(self, c: _Cells, s: _Cells, typ_state: np.ndarray):
        self.state_idx = s.index.get_indexer(s.key(c.region // 1000, c.year, c.code))
        rows = np.where(self.state_idx >= 0)[0]
        g = self.state_idx[rows]
        self.pub = np.bincount(g, weights=np.where(c.withheld[rows], 0.0, np.nan_to_num(c.value[rows])), minlength=s.n)
        est = np.bincount(g, weights=c.estab[rows], minlength=s.n)
        self.slack = np.maximum(s.estab - est, 0.0) * np.nan_to_num(typ_state)  # statewide / unpublished counties
        sel = np.where(c.withheld & (self.state_idx >= 0))[0]
        self.groups = _Groups(sel, self.state_idx[sel])
        self.remainder = (s.value - self.pub)[self.groups.gid]

    def rake(self, c: _Cells, floor: np.ndarray) -> None:
        _rake(c, self.groups, self.remainder, self.slack, floor)


class _Groups:
    """Withheld cells ``sel`` and their groups (``gid``: the parent's row; ``inv``: cell → group)."""

    def __init__(self, sel: np.ndarray, group: np.ndarray):
        self.sel = sel
        self.gid, self.inv = np.unique(group, return_inverse=True)


def _rake(c: _Cells, groups: _Groups, r: np.ndarray, slack, floor) -> None:
    """Scale the withheld cells and their group's slack so that together they fill the group's
    remainder ``r`` (one IPF step). A group without a positive remainder is left alone."""
    sel, gid, inv = groups.sel, groups.gid, groups.inv
    if not len(sel):
        return
    value = c.value
    w = np.maximum(np.nan_to_num(value[sel]), floor[sel])
    wsum = np.bincount(inv, weights=w, minlength=len(gid))
    denom = wsum + slack[gid]
    ok = np.isfinite(r) & (r > 0) & (denom > 0)
    f = np.where(ok, r / np.where(denom > 0, denom, 1.0), np.nan)
    good = ok[inv]
    value[sel[good]] = w[good] * f[inv][good]
    c.assigned[sel[good]] = True
    slack[gid[ok]] *= f[ok]


def impute(state: pd.DataFrame, county: pd.DataFrame | None = None, *, state_withheld: np.ndarray | None = None,
           county_withheld: np.ndarray | None = None, iterations: int = ITERATIONS) -> tuple:
    """Impute withheld cells of the raw CBP frames.

    ``state``: columns year, state_fips, naics2017, estab, emp (all depths incl. ``00``);
    ``county``: year, county_fips, … (optional). Withheld = ``emp == 0 & estab > 0`` unless
    masks are given. Returns ``(state, county, report)``: copies with ``emp`` as float (the
    imputed value where withheld; NaN where no estimate exists) and a boolean ``imputed``.
    """
    sw = _withheld(state) if state_withheld is None else np.asarray(state_withheld, dtype=bool)
    codes = _Codes(state["naics2017"], *([county["naics2017"]] if county is not None else []))
    st_fips = state["state_fips"].astype(str).str.zfill(2)
    s = _Cells(state, st_fips.astype(int).to_numpy(), codes, sw)
    typ = typical_sizes(state, sw)
    typ_s = s.typical(typ, codes)
    prior_s = s.estab * np.nan_to_num(typ_s)
    s.value[sw] = prior_s[sw]
    _Hierarchy(s, typ_s).rake(s, WEIGHT_FLOOR * prior_s)  # one top-down pass is exact
    report = {"state": _summary(s)}
    out_s = _result(state, s)
    if county is None:
        return out_s, None, report
    cw = _withheld(county) if county_withheld is None else np.asarray(county_withheld, dtype=bool)
    fips = county["county_fips"].astype(str).str.zfill(5).astype(int).to_numpy()
    c = _Cells(county, fips, codes, cw)
    typ_c = c.typical(typ, codes)
    prior_c = c.estab * np.nan_to_num(typ_c)
    c.value[cw] = prior_c[cw]
    hier, geo = _Hierarchy(c, typ_c), _Geography(c, s, typ_s)
    floor = WEIGHT_FLOOR * prior_c
    sweeps, moved = 0, np.inf
    while sweeps < iterations and moved >= TOLERANCE / 10:
        before = c.value[cw].copy()
        hier.rake(c, floor)
        geo.rake(c, floor)
        moved = np.nanmax(np.abs(c.value[cw] - before), initial=0.0)
        sweeps += 1
    report["county"] = _summary(c)
    report["county"]["over_state"] = _over_parent(c, s, geo.state_idx)
    report["county"]["sweeps"] = sweeps
    return out_s, _result(county, c), report


def _withheld(df: pd.DataFrame) -> np.ndarray:
    return ((df["emp"] == 0) & (df["estab"] > 0)).to_numpy()


def _result(df: pd.DataFrame, c: _Cells) -> pd.DataFrame:
    """The frame with imputed employment; withheld cells no margin could bound stay missing."""
    out = df.copy()
    c.value[c.withheld & ~c.assigned] = np.nan
    out["emp"] = c.value
    out["imputed"] = c.withheld & c.assigned
    return out


def _summary(c: _Cells) -> dict:
    """Counts per year and the hierarchy check: share of parents whose children exceed them."""
    wh = c.withheld
    years = sorted(set(c.year.tolist()))
    pub_ch = np.where(c.parent >= 0)[0]
    csum = np.bincount(c.parent[pub_ch], weights=np.nan_to_num(c.value[pub_ch]), minlength=c.n)
    has_wh = np.bincount(c.parent[pub_ch], weights=wh[pub_ch].astype(float), minlength=c.n) > 0
    pub_sum = np.bincount(c.parent[pub_ch], weights=np.where(wh[pub_ch], 0, np.nan_to_num(c.value[pub_ch])),
                          minlength=c.n)
    # a parent whose published children already exceed it cannot bound its withheld children
    feasible = has_wh & (pub_sum < c.value)
    over = feasible & (csum > c.value + TOLERANCE)
    return {
        "withheld_cells": {int(y): int(wh[c.year == y].sum()) for y in years},
        "imputed_cells": {int(y): int((wh & c.assigned)[c.year == y].sum()) for y in years},
        "left_missing_cells": {int(y): int((wh & ~c.assigned)[c.year == y].sum()) for y in years},
        "parents_with_withheld_children": int(has_wh.sum()),
        "parents_exceeded_by_children": int(over.sum()),
    }


def _over_parent(c: _Cells, s: _Cells, state_idx: np.ndarray) -> int:
    """State × industry cells (with a withheld county) whose counties add up to more than the state."""
    rows = np.where(state_idx >= 0)[0]
    tot = np.bincount(state_idx[rows], weights=np.nan_to_num(c.value[rows]), minlength=s.n)
    wh = np.bincount(state_idx[rows], weights=c.withheld[rows].astype(float), minlength=s.n) > 0
    pub = np.bincount(state_idx[rows], weights=np.where(c.withheld[rows], 0, np.nan_to_num(c.value[rows])),
                      minlength=s.n)
    return int((wh & (pub < s.value) & (tot > s.value + TOLERANCE)).sum())


def size_band(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    out = np.empty(len(v), dtype=object)
    for lo, hi, name in SIZE_BANDS:
        out[(v >= lo) & (v < hi)] = name
    return out


def mask_validation(state: pd.DataFrame, county: pd.DataFrame | None = None, *, level: str = "state",
                    share: float = 0.10, seed: int = 20171, year: int | None = 2017) -> pd.DataFrame:
    """Hide ``share`` of the published cells (depths 2–6, stratified by size band) of ``level``,
    impute them as if withheld, and score the estimates.

    Returns one row per size band plus ``all``: band, n, spearman, median_ape (%).
    """
    if year is not None:
        state = state[state["year"] == year].reset_index(drop=True)
        county = county[county["year"] == year].reset_index(drop=True) if county is not None else None
    target = state if level == "state" else county
    if target is None:
        raise ValueError("county masking needs the county frame")
    wh = _withheld(target)
    depth = depth_of(target["naics2017"])
    eligible = (~wh) & (depth >= 2) & (target["emp"].to_numpy() > 0)
    bands = size_band(target["emp"].to_numpy())
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(target), dtype=bool)
    for _, _, name in SIZE_BANDS:
        idx = np.where(eligible & (bands == name))[0]
        k = int(round(share * len(idx)))
        if k:
            mask[rng.choice(idx, size=k, replace=False)] = True
    if level == "state":
        out, _, _ = impute(state, None, state_withheld=wh | mask)
    else:
        _, out, _ = impute(state, county, county_withheld=wh | mask)
    truth = target["emp"].to_numpy(dtype=float)[mask]
    est = out["emp"].to_numpy(dtype=float)[mask]
    # naive baseline: establishments × the national typical size, no margins
    typ = typical_sizes(state, (_withheld(state) | mask) if level == "state" else _withheld(state))
    naive = (target["estab"].to_numpy(dtype=float)
             * typ.reindex(pd.MultiIndex.from_arrays([target["year"], target["naics2017"].astype(str)])).to_numpy())[mask]
    open_ = ~_determined(target, wh | mask, "state_fips" if level == "state" else "county_fips")[mask]
    frame = pd.DataFrame({"band": bands[mask], "truth": truth, "estimate": est, "naive": naive, "open": open_})
    rows = []
    for subset, part in (("all", frame), ("open", frame[frame["open"]])):
        for name in [b[2] for b in SIZE_BANDS] + ["all"]:
            f = part if name == "all" else part[part["band"] == name]
            f = f.dropna(subset=["estimate"])
            if f.empty:
                continue
            row = {"cells": subset, "band": name, "n": len(f)}
            for col, label in (("estimate", ""), ("naive", "naive_")):
                rho = f["truth"].rank().corr(f[col].rank()) if len(f) > 2 else np.nan
                ape = (f[col] - f["truth"]).abs() / f["truth"] * 100
                row[label + "spearman"] = float(rho)
                row[label + "median_ape"] = float(ape.median())
            rows.append(row)
    return pd.DataFrame(rows)


def _determined(df: pd.DataFrame, hidden: np.ndarray, region_col: str) -> np.ndarray:
    """Hidden cells the NAICS margin fixes exactly: the only hidden child of a published parent
    whose establishments all sit in published rows (no unpublished remainder)."""
    d = pd.DataFrame({"r": df[region_col].to_numpy(), "y": df["year"].to_numpy(),
                      "code": df["naics2017"].astype(str).to_numpy(), "estab": df["estab"].to_numpy(),
                      "hidden": hidden})
    d["parent"] = parent_of(d["code"]).to_numpy()
    kids = d.dropna(subset=["parent"])
    g = kids.groupby(["r", "y", "parent"]).agg(n_hidden=("hidden", "sum"), estab_kids=("estab", "sum"))
    par = d.set_index(["r", "y", "code"])[["estab", "hidden"]].rename(columns={"estab": "estab_parent",
                                                                                "hidden": "parent_hidden"})
    g = g.join(par.rename_axis(["r", "y", "parent"]), how="left")
    fixed = (g["n_hidden"] == 1) & ~g["parent_hidden"].fillna(True).astype(bool) & (g["estab_kids"] >= g["estab_parent"])
    key = pd.MultiIndex.from_arrays([d["r"], d["y"], d["parent"]])
    return (fixed.reindex(key).fillna(False).to_numpy(dtype=bool)) & hidden
