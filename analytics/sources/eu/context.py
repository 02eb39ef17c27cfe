"""European region context on NUTS 2021: a long table ``region_id, level, indicator, year, value``
over every year the sources hold (not only the SBS years), for the region profile's cards.

Indicators: ``gdp_pc_pps`` (``nama_10r_3gdp``, the source's own rows at every level, 2000–2021),
``gdp_growth`` (real GDP, % change on the previous year, from the ``nama_10r_2gvagr`` volume index;
the source's own NUTS 2, NUTS 1 and country rows), ``population`` and ``patents`` (``tgs00096`` and
the NUTS 2016 extract, NUTS 1 and countries as sums only when every NUTS 2 member has a value),
``rd_intensity`` (GERD % of GDP, ``tgs00042``, NUTS 2 only) and ``unemployment`` (``tgs00010``
via the NUTS 2016 extract, NUTS 2 only). Codes of older NUTS versions are recoded with
:func:`analytics.sources.eu.nuts.recode_table`; a rate takes only identity or recoded codes (a
merge would need a weighted mean the sources do not give), counts sum merged parts only when all
parts have a value. Codes that cannot be mapped (NUTS 2024 splits such as PT19, NL35) have no value.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.sources.eu import sources as src
from analytics.sources.eu.eurostat import read_bulk_tsv
from analytics.sources.eu.indicators import _gdp_pc_pps
from analytics.sources.eu.nuts import load_changes, recode_table

RD_FILE = "eu/prosperity_innovation_2026download/eurostat_tgs00042_gerd_rd_expenditure.csv"
GDP_REAL_FILE = "eu/prosperity_innovation_2026download/eurostat_gdp_real_nuts2.csv"
OPTIONAL = [RD_FILE, GDP_REAL_FILE]  # read when present; without them the cards are not there
COLUMNS = ["region_id", "level", "indicator", "year", "value"]


def _recode(frame: pd.DataFrame, table: pd.DataFrame, exact_only: bool) -> tuple[pd.DataFrame, int]:
    """``geo, year, value`` → ``region_id, year, value`` on NUTS 2021 and the number of source
    codes left unmapped (``table``: :func:`recode_table` of every code). ``exact_only`` (rates):
    identity and recoded codes only; otherwise merged parts are summed, and only where every part
    has a value."""
    rt = table[table["code"].isin(set(frame["geo"]))]
    ok = rt["target"].notna() & (rt["method"].isin(["identity", "recoded"]) if exact_only else True)
    rt = rt[ok]
    unmapped = frame["geo"].nunique() - len(rt)
    m = frame.merge(rt[["code", "target", "method"]], left_on="geo", right_on="code")
    # a target reached by its own code and by an older one in the same year: its own code wins
    m["own"] = m["method"].eq("identity")
    if exact_only:
        m = m.sort_values("own", ascending=False).drop_duplicates(["target", "year"])
        out = m[["target", "year", "value"]]
    else:
        parts = rt.groupby("target").size()
        g = m.groupby(["target", "year"])["value"]
        out = pd.DataFrame({"value": g.sum(min_count=1), "n": g.count()}).reset_index()
        out = out[out["n"].eq(out["target"].map(parts))][["target", "year", "value"]]
    return out.rename(columns={"target": "region_id"}), unmapped


def _member_sums(n2: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """NUTS 1 and country sums of a count, where every NUTS 2 member has a value in the year."""
    members = regions[regions["level"] == "nuts2"][["region_id", "parent_id", "country"]]
    years = pd.DataFrame({"year": sorted(n2["year"].unique())})
    grid = members.merge(years, how="cross").merge(n2, on=["region_id", "year"], how="left")
    frames = []
    for col in ("parent_id", "country"):
        g = grid.groupby([col, "year"])["value"]
        sums = g.sum(min_count=1).where(g.count().eq(g.size()))
        frames.append(sums.reset_index().rename(columns={col: "region_id"}))
    return pd.concat(frames, ignore_index=True).dropna(subset=["value"])


def _sdmx(raw: Path, rel: str) -> pd.DataFrame:
    t = pd.read_csv(raw / rel, dtype=str, keep_default_na=False)
    value = pd.to_numeric(t["OBS_VALUE"], errors="coerce")
    return pd.DataFrame({"geo": t["geo"], "year": t["TIME_PERIOD"].astype(int), "value": value})


def _real_growth(raw: Path) -> pd.DataFrame:
    """% change on the previous year of the real GDP index (2015 = 100), consecutive years only."""
    g = pd.read_csv(raw / GDP_REAL_FILE, dtype=str, keep_default_na=False)
    g = pd.DataFrame({"geo": g["geo"], "year": g["time"].astype(int),
                      "value": pd.to_numeric(g["obs_value"], errors="coerce")})
    prev = g.assign(year=g["year"] + 1).rename(columns={"value": "prev"})
    g = g.merge(prev, on=["geo", "year"], how="left")
    g["value"] = (g["value"] / g["prev"] - 1) * 100
    return g[["geo", "year", "value"]]


def build_context(raw: Path, regions: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The long context table (all levels, all years) and its coverage counts for quality.json."""
    targets = set(regions.loc[regions["level"] == "nuts2", "region_id"])
    frames, unmapped = [], {}
    old = pd.read_csv(src.require(raw, src.INDICATORS_2016_FILE)).rename(columns={"NUTS_ID": "geo"})
    rd = _sdmx(raw, RD_FILE).dropna() if (raw / RD_FILE).exists() else None
    codes = set(old["geo"]) | (set(rd["geo"]) if rd is not None else set())
    table = recode_table(sorted(codes), targets, load_changes(raw))  # once: it walks the change table

    gdp = _gdp_pc_pps(raw).rename(columns={"gdp_pc_pps": "value"})
    frames.append(gdp.assign(indicator="gdp_pc_pps"))

    pop = read_bulk_tsv(src.require(raw, src.POP_FILE))
    pop = pop[(pop["geo"].str.len() == 4) & pop["geo"].isin(targets)][["geo", "year", "value"]]
    old_pop, unmapped["population"] = _recode(old[["geo", "year", "region_population"]].rename(
        columns={"region_population": "value"}).dropna(), table, exact_only=False)
    pop = pop.rename(columns={"geo": "region_id"}).dropna(subset=["value"])
    old_pop = old_pop[~old_pop["year"].isin(set(pop["year"]))]  # tgs00096 (NUTS 2021) for its own years
    for key, n2 in (("population", pd.concat([pop, old_pop], ignore_index=True)),
                    ("patents", None), ("unemployment", None)):
        if key == "patents":
            n2, unmapped[key] = _recode(old[["geo", "year", "patents"]].rename(columns={"patents": "value"}).dropna(),
                                        table, exact_only=False)
        if key == "unemployment":
            n2, unmapped[key] = _recode(old[["geo", "year", "unemployment_rate_t"]].rename(
                columns={"unemployment_rate_t": "value"}).dropna(), table, exact_only=True)
            frames.append(n2.assign(indicator=key))
            continue
        frames.append(pd.concat([n2, _member_sums(n2, regions)], ignore_index=True).assign(indicator=key))

    if rd is not None:
        rd, unmapped["rd_intensity"] = _recode(rd, table, exact_only=True)
        frames.append(rd.assign(indicator="rd_intensity"))
    if (raw / GDP_REAL_FILE).exists():
        gr = _real_growth(raw).dropna()
        frames.append(gr[gr["geo"].isin(set(regions["region_id"]))].rename(columns={"geo": "region_id"})
                      .assign(indicator="gdp_growth"))

    return _finish(frames, regions, unmapped)


def _finish(frames: list[pd.DataFrame], regions: pd.DataFrame, unmapped: dict) -> tuple[pd.DataFrame, dict]:
    """Keep the build's regions, attach their level, drop missing values; count coverage."""
    out = pd.concat(frames, ignore_index=True)
    out = out[np.isfinite(out["value"].astype(float))]
    levels = regions.drop_duplicates("region_id").set_index("region_id")["level"]
    out = out[out["region_id"].isin(levels.index)].copy()
    out["level"] = out["region_id"].map(levels)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    out = out[COLUMNS].sort_values(["indicator", "level", "region_id", "year"]).reset_index(drop=True)
    return out, coverage(out, unmapped)


def coverage(table: pd.DataFrame, unmapped: dict | None = None) -> dict:
    """Per indicator: years covered, regions with a value per level in its latest year, codes unmapped."""
    q = {}
    for key, t in table.groupby("indicator"):
        last = int(t["year"].max())
        q[key] = {"years": [int(t["year"].min()), last], "latest_year": last,
                  "regions_latest": {lv: int(n) for lv, n in t[t["year"] == last].groupby("level").size().items()},
                  "regions_any_year": {lv: int(n) for lv, n in t.groupby("level")["region_id"].nunique().items()}}
        if unmapped and key in unmapped:
            q[key]["source_codes_unmapped"] = int(unmapped[key])
    return q
