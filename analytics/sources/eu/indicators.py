"""European region indicators on NUTS 2021: GDP per capita (PPS), population, patents.

GDP per inhabitant in PPS comes from ``nama_10r_3gdp`` (2023 download, NUTS 2021, all levels).
Population (1 January) is ``tgs00096`` for 2011+ and ``tgs00096`` via the NUTS 2016 indicator
extract for 2008–2010; EPO patent applications (``tgs00040``) exist for 2007–2012 only.
Population and patents of NUTS 1 and countries are sums over NUTS 2 when every NUTS 2 region
has a value, otherwise missing.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.sources.eu import sources as src
from analytics.sources.eu.eurostat import read_bulk_tsv
from analytics.sources.eu.flags import parse_series
from analytics.sources.eu.nuts import load_changes, recode_table


def _gdp_pc_pps(raw: Path) -> pd.DataFrame:
    gdp = pd.read_csv(src.require(raw, src.GDP_FILE), dtype=str, keep_default_na=False)
    gdp = gdp[gdp["unit"] == "PPS_EU27_2020_HAB"]
    year_cols = [c for c in gdp.columns if c.isdigit()]
    long = gdp.melt(id_vars=["geo"], value_vars=year_cols, var_name="year", value_name="cell")
    parsed = parse_series(long["cell"])
    long["gdp_pc_pps"] = parsed["value"].to_numpy()
    long["year"] = long["year"].astype(int)
    return long[long["geo"].str.len() <= 4][["geo", "year", "gdp_pc_pps"]].rename(columns={"geo": "region_id"})


def _nuts2_population_patents(raw: Path, targets: set[str]) -> pd.DataFrame:
    pop = read_bulk_tsv(src.require(raw, src.POP_FILE))
    pop = pop[(pop["geo"].str.len() == 4) & pop["geo"].isin(targets)]
    pop = pop[["geo", "year", "value"]].rename(columns={"geo": "region_id", "value": "population"})
    old = pd.read_csv(src.require(raw, src.INDICATORS_2016_FILE))
    rt = recode_table(sorted(old["NUTS_ID"].unique()), targets, load_changes(raw))
    old = old.merge(rt[rt["target"].notna()][["code", "target"]], left_on="NUTS_ID", right_on="code")
    old = old.rename(columns={"target": "region_id", "region_population": "population_old"})
    old = old[["region_id", "year", "population_old", "patents"]]
    out = pop.merge(old, on=["region_id", "year"], how="outer")
    out["population"] = out["population"].fillna(out["population_old"])
    return out.drop(columns=["population_old"])


def build_indicators(raw: Path, regions: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """region_id, year, gdp_pc_pps, population, patents, patents_per_million (all levels)."""
    targets = set(regions.loc[regions["level"] == "nuts2", "region_id"])
    n2 = _nuts2_population_patents(raw, targets)
    n2 = n2[n2["year"].isin(years)]
    frames = [n2]
    members = regions[regions["level"] == "nuts2"][["region_id", "parent_id", "country"]]
    grid = members.merge(pd.DataFrame({"year": years}), how="cross").merge(n2, on=["region_id", "year"], how="left")
    for col in ("parent_id", "country"):
        g = grid.groupby([col, "year"])
        sums = g[["population", "patents"]].sum(min_count=1).where(g[["population", "patents"]].count().eq(g.size(), axis=0))
        frames.append(sums.reset_index().rename(columns={col: "region_id"}))
    ind = pd.concat(frames, ignore_index=True)
    ind = ind.merge(_gdp_pc_pps(raw), on=["region_id", "year"], how="left")
    ind["patents_per_million"] = ind["patents"] / ind["population"] * 1e6
    return ind[ind["region_id"].isin(set(regions["region_id"]))].reset_index(drop=True)
