"""Growth between two years, defined once: CAGR, absolute change, job creation against expected.

CAGR = (E_end / E_start)^(1/years) − 1, only where E_start > 0 and E_end is known (NaN
otherwise: a missing value never becomes 0 % growth). Absolute change = E_end − E_start.
Expected change (the national-share part of a shift-share) = E_start × g(nation, c), with g
the category's growth over the regions of the same nation with data in both years;
job creation against expected = actual change − expected change.

Windows respect the series (``SERIES``): a view opens with the first year of the end year's
continuous series; a window across a classification change or a gap, or from a partial-coverage
year, is computed only when asked for, from cluster totals, and carries ``window_note``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.metrics.colocation import SET_NAME


def cagr(start, end, years: int):
    """CAGR of ``start`` → ``end`` over ``years`` (scalars, arrays or aligned Series)."""
    if years <= 0:
        raise ValueError(f"a growth window needs at least one year (got {years})")
    start = pd.to_numeric(start, errors="coerce") if isinstance(start, pd.Series) else start
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((s > 0) & np.isfinite(e) & np.isfinite(s), (e / np.where(s > 0, s, 1.0)) ** (1.0 / years) - 1.0,
                       np.nan)
    if isinstance(end, pd.Series):
        return pd.Series(out, index=end.index)
    if isinstance(start, pd.Series):
        return pd.Series(out, index=start.index)
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class Series:
    """A run of years with no gap, within which cluster totals are comparable (``vintages``: the
    classification of each stretch of years; industry codes are comparable within one only)."""
    first: int
    last: int
    label: str
    vintages: tuple[tuple[int, int, str], ...]
    partial: str = ""  # why the years are not comparable with the rest (never a default start)

    def __contains__(self, year) -> bool:
        return self.first <= int(year) <= self.last

    @property
    def span(self) -> str:
        return f"{self.first}–{self.last}"


#: The continuous series of each dataset, defined once (PROVENANCE.md of each side; METHODOLOGY.md
#: §5 and "Growth windows"). US 2003–2011 spans the NAICS 2002 → 2007 revision: the 2014 benchmark
#: definitions give the cluster codes of each vintage, so cluster totals stay comparable there
#: (industry codes do not). US 2000–2002 (NAICS 1997) map only about 80 % of employment to
#: clusters: a series of their own, never a default. The EU regional SBS data are NACE Rev. 2
#: throughout (2008–2015; NUTS recoding is a separate matter, §5).
SERIES: dict[str, tuple[Series, ...]] = {
    "us": (Series(2000, 2002, "CBP, NAICS 1997", ((2000, 2002, "NAICS 1997"),),
                  partial="about 80 % of employment mapped to clusters"),
           Series(2003, 2011, "CBP, NAICS 2002/2007", ((2003, 2007, "NAICS 2002"), (2008, 2011, "NAICS 2007"))),
           Series(2017, 2021, "CBP, NAICS 2017", ((2017, 2021, "NAICS 2017"),))),
    "eu": (Series(2008, 2015, "Eurostat SBS, NACE Rev. 2", ((2008, 2015, "NACE Rev. 2"),)),),
}
SERIES[SET_NAME] = SERIES["eu"]  # the European data under the categories derived from co-location


def series_of(dataset: str | None, year) -> Series | None:
    """The continuous series holding ``year`` (None: no series of the dataset holds it)."""
    if year is None:
        return None
    for s in SERIES.get(dataset or "", ()):
        if int(year) in s:
            return s
    return None


def vintage_of(dataset: str | None, year) -> str | None:
    """The classification vintage of ``year`` ("NAICS 2007", "NACE Rev. 2"), None if unknown."""
    s = series_of(dataset, year)
    for first, last, label in s.vintages if s is not None else ():
        if first <= int(year) <= last:
            return label
    return None


def default_start(years, year: int, dataset: str | None = None) -> int | None:
    """The start year a view opens with: the first year with data of the continuous series that
    holds ``year`` (US 2017 for 2018–2021, 2003 for 2004–2011; EU 2008 for 2009–2015); None when
    ``year`` opens its series (US 2017, 2003; EU 2008) or lies in partial-coverage years. Without a
    known series (``dataset`` None or unknown): about five years back."""
    before = [int(y) for y in years if int(y) < int(year)]
    series = series_of(dataset, year)
    if series is not None:
        if series.partial:
            return None
        inside = [y for y in before if y in series]
        return inside[0] if inside else None
    if dataset in SERIES:
        return None
    if not before:
        return None
    near = [y for y in before if y <= int(year) - 4]
    return near[-1] if near else before[0]


def crosses(dataset: str | None, start, end) -> bool:
    """The window ``start``→``end`` is not within one continuous series (a break, a gap, or a start
    in partial-coverage years): computed only on request, from cluster totals, and labelled."""
    return window_note(dataset, start, end) is not None


def industry_comparable(dataset: str | None, start, end) -> bool:
    """Industry-level growth (a category defined by industry codes) is computed only within one
    classification vintage and one series: industry codes change between vintages."""
    if start is None or end is None:
        return False
    if dataset not in SERIES:
        return True
    return not crosses(dataset, start, end) and vintage_of(dataset, start) == vintage_of(dataset, end) is not None


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def window_note(dataset: str | None, start, end) -> str | None:
    """The label of a growth window that is not within one series, or None when it is: it crosses
    a classification break and/or a gap in the data (e.g. "Growth 2011→2017 crosses the NAICS
    2007→2017 break and the 2012–2016 gap; cluster totals only …"), or starts in a
    partial-coverage year."""
    if start is None or end is None or dataset not in SERIES or int(start) >= int(end):
        return None
    start, end = int(start), int(end)
    a, b = series_of(dataset, start), series_of(dataset, end)
    parts = []
    if a is not None and a.partial:
        parts.append(f"starts in {start}, a partial-coverage year ({a.span}: {a.partial})")
    if a is not None and b is not None and a != b:
        run = [s for s in SERIES[dataset] if a.first <= s.first <= b.first]
        labels = [v[2] for s in run for v in s.vintages if v[1] >= start and v[0] <= end]
        family = labels[0].split()[0]  # "NAICS": the breaks read "the NAICS 2007→2017 break"
        short = [v.split(maxsplit=1)[-1] if v.split()[0] == family else v for v in labels]
        steps = [f"{x}→{y}" for x, y in zip(short, short[1:])]
        text = f"the {family} {_joined(steps)} break{'s' if len(steps) > 1 else ''}" if steps else "a series break"
        gaps = [f"{x.last + 1}–{y.first - 1}" if y.first - x.last > 2 else str(x.last + 1)
                for x, y in zip(run, run[1:]) if y.first - x.last > 1]
        if gaps:
            text += f" and the {_joined(gaps)} gap{'s' if len(gaps) > 1 else ''}"
        parts.append("crosses " + text)
    if not parts:
        return None
    return (f"Growth {start}→{end} " + " and ".join(parts) + "; cluster totals only (not like-for-like; "
            "categories defined by industry codes are not computed across it).")


def industry_note(dataset: str | None, start, end) -> str | None:
    """Why a category defined by industry codes shows no growth for ``start``→``end`` (the window
    leaves one classification vintage), or None when it is computed."""
    if start is None or end is None or int(start) >= int(end) or industry_comparable(dataset, start, end):
        return None
    a, b = vintage_of(dataset, start), vintage_of(dataset, end)
    why = (f"the codes change between {a} and {b}" if a != b
           else f"it starts in a partial-coverage year ({series_of(dataset, start).partial})")
    return (f"Growth {int(start)}→{int(end)} of a category defined by industry codes is not computed: {why} "
            "(industry-level growth only within one vintage of one series; cluster totals only across a break).")


def no_growth_reason(dataset: str | None, years, year, start=None) -> str:
    """Why a growth view has nothing to show for ``year`` (no valid start year)."""
    if start is not None and int(start) >= int(year):
        return f"The start year {int(start)} is not before {int(year)}: pick an earlier start year."
    before = [int(y) for y in years if int(y) < int(year)]
    if not before:
        return f"{int(year)} is the first year of the data: there is no earlier year to grow from."
    s = series_of(dataset, year)
    if s is not None and s.partial:
        return (f"{int(year)} lies in the partial-coverage years {s.span} ({s.label}; {s.partial}), not "
                "comparable with the other years: "
                "no start year by default. Pick one to compute growth anyway (labelled).")
    if s is not None and default_start(years, year, dataset) is not None:
        return (f"No start year chosen: growth is not shown (within the series, "
                f"{default_start(years, year, dataset)} is the default).")
    if s is not None:
        return (f"{int(year)} is the first year of its series ({s.label}, {s.span}): no start year by default, so "
                f"no growth. Pick a start year from {before[-1]} or earlier to compute growth across the break "
                "(cluster totals only, labelled), or pick a later year.")
    return "No start year chosen: pick one to see growth."


def start_label(dataset: str | None, year: int, end: int | None) -> str:
    """A start-year option's label: the year, marked when it is partial or across a break."""
    s = series_of(dataset, year)
    if s is not None and s.partial:
        return f"{year} (partial coverage)"
    if end is not None and crosses(dataset, year, end):
        return f"{year} (across a series break)"
    return str(year)


def carried_start(dataset: str | None, years, start, year) -> int | None:
    """The start year kept when the end year changes: the current one while the window stays
    within one series, otherwise the new year's default (a window across a break is only ever
    computed when asked for in so many words, never by carrying a start to a new end year)."""
    if start is not None and year is not None and int(start) < int(year) and int(start) in {int(y) for y in years} \
            and not crosses(dataset, start, year):
        return int(start)
    return default_start(years, year, dataset) if year is not None else None


def growth(metrics: pd.DataFrame, start: int, end: int, nation_of: pd.Series | None = None) -> pd.DataFrame:
    """Growth of each regional cluster between ``start`` and ``end``.

    ``metrics``: rows region_id, category_id, year, employment (both years) and, when known,
    missing_parts (member industries without a value): a cell missing more (or fewer) parts in
    one year than in the other sums different industries, so it gets no growth (NaN, and stays
    out of the national growth) — e.g. a custom region whose members lack the category's cells in
    the start year only. The same parts missing at both ends compare like for like.
    The nation is ``nation_of[region_id]`` (a country for Europe; the whole US when ``nation_of``
    is None). Returns region_id, category_id, emp_start, emp_end, cagr, abs_change,
    national_growth, expected_change, job_creation_vs_expected, start_year, end_year.
    """
    if end <= start:
        raise ValueError(f"end year {end} must be after start year {start}")
    cols = ["region_id", "category_id", "employment"] + (["missing_parts"] if "missing_parts" in metrics else [])
    a = metrics.loc[metrics["year"] == start, cols].rename(columns={"employment": "emp_start",
                                                                    "missing_parts": "mp_start"})
    b = metrics.loc[metrics["year"] == end, cols].rename(columns={"employment": "emp_end", "missing_parts": "mp_end"})
    g = a.merge(b, on=["region_id", "category_id"], how="outer")
    partial = pd.Series(False, index=g.index)
    if "mp_start" in g:  # parts known in one year only: the two sums do not cover the same industries
        partial = (pd.to_numeric(g.pop("mp_start"), errors="coerce").fillna(0)
                   != pd.to_numeric(g.pop("mp_end"), errors="coerce").fillna(0))
    s_, e_ = g["emp_start"].where(~partial), g["emp_end"].where(~partial)
    g["cagr"] = cagr(s_, e_, end - start)
    g["abs_change"] = e_ - s_
    g["nation"] = g["region_id"].map(nation_of) if nation_of is not None else "ALL"
    both = g[~partial].dropna(subset=["emp_start", "emp_end"])
    nat = both.groupby(["nation", "category_id"])[["emp_start", "emp_end"]].sum().reset_index()
    nat["national_growth"] = nat["emp_end"] / nat["emp_start"].where(nat["emp_start"] > 0) - 1.0
    g = g.merge(nat[["nation", "category_id", "national_growth"]], on=["nation", "category_id"], how="left")
    g["expected_change"] = s_.to_numpy() * g["national_growth"]
    g["job_creation_vs_expected"] = g["abs_change"] - g["expected_change"]
    g["start_year"], g["end_year"] = start, end
    return g.drop(columns=["nation"])


def total_growth(start_values: pd.Series, end_values: pd.Series, years: int) -> pd.Series:
    """CAGR per region of a region-level total (e.g. total employment), indexed like ``end_values``."""
    return cagr(start_values.reindex(end_values.index), end_values, years)


def benchmark_growth(start_values: pd.Series, end_values: pd.Series, years: int) -> float:
    """CAGR of a total summed over the regions with a value in both years (regions entering or
    leaving the data do not show up as growth)."""
    both = start_values.dropna().index.intersection(end_values.dropna().index)
    return cagr(float(start_values[both].sum()), float(end_values[both].sum()), years) if len(both) else float("nan")
