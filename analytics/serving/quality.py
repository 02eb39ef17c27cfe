"""Format the data-quality report (built by the dataset builders) as readable text."""
from __future__ import annotations

import pandas as pd


def imputed_share_table(q: dict) -> pd.DataFrame:
    """Country × year share of NUTS 2 employment that is imputed (percent)."""
    df = pd.DataFrame(q.get("imputed_share", []))
    if df.empty:
        return df
    return (df.pivot(index="country", columns="year", values="imputed_share") * 100).round(1)


def cell_kind_table(q: dict) -> pd.DataFrame:
    """Level × year counts of region × category cells by kind (US): published, imputed, withheld
    incomplete, not published, no data."""
    rows = [{"level": level, "year": int(y), **k} for level, years in q.get("cell_kinds", {}).items()
            for y, k in years.items()]
    return pd.DataFrame(rows)


def format_report(q: dict) -> str:
    return _format_us(q) if q.get("dataset") == "us" else _format_eu(q)


def _pct_map(d: dict) -> str:
    return ", ".join(f"{y} {v:.1%}" for y, v in d.items())


def _format_us(q: dict) -> str:
    lines = ["Data-quality report: us", f"Years covered: {', '.join(map(str, q['years']))}"]
    lines.append("States with data per year: " + ", ".join(f"{y} {n}" for y, n in q["states_per_year"].items()))
    lines.append("Counties with data per year: " + ", ".join(f"{y} {n}" for y, n in q["counties_per_year"].items()))
    lines.append(f"Economic areas with complete data per year (of {q['eas_total']}): "
                 + ", ".join(f"{y} {n}" for y, n in q["eas_per_year"].items()))
    lines.append(f"States without county data ({len(q['states_without_county_data'])}): "
                 + ", ".join(q["states_without_county_data"]))
    lines.append("Share of cluster employment imputed (2000–2011: size classes; 2017+: withheld cells, NAICS "
                 "hierarchy and county → state), states: " + _pct_map(q["imputed_share"]))
    for level, shares in q.get("imputed_share_by_level", {}).items():
        if level != "state":
            lines.append(f"  {level}: " + _pct_map(shares))
    lines.append("Withheld cells (published 0 with establishments > 0: imputed, or missing where no margin bounds "
                 "them), states: " + ", ".join(f"{y} {n:,}" for y, n in q["withheld_cells_state"].items()))
    if q.get("withheld_left_missing_state"):
        lines.append("  of which left missing: " + ", ".join(f"{y} {n:,}" for y, n in
                                                             q["withheld_left_missing_state"].items()))
    lines.append("Share of cluster establishments in withheld cells, states: "
                 + _pct_map(q["withheld_establishment_share_state"]))
    lines.append("Share of cluster cells withheld, counties: " + _pct_map(q["withheld_cell_share_county"]))
    lines.append("Cluster employment as a share of all-industry employment (states): "
                 + _pct_map(q["cluster_employment_coverage"]))
    if q.get("cell_kinds"):
        lines.append("Region × category cells by kind (published / imputed / incomplete / not published / "
                     "no data):")
        for level, years in q["cell_kinds"].items():
            for y, k in years.items():
                lines.append(f"  {level} {y}: " + " / ".join(f"{v:,}" for v in k.values()))
    lines.append(f"Economic areas without complete data ({len(q['eas_without_data'])}):")
    for e in q["eas_without_data"]:
        lines.append(f"  {e['region_id']} {e['name']}: {e['counties_with_data']} of {e['counties']} counties with data "
                     f"({e['years']})")
    lines.append("Notes:")
    lines.extend(f"  - {n}" for n in q["notes"])
    return "\n".join(lines)


def _format_eu(q: dict) -> str:
    lines = [f"Data-quality report: {q['dataset']}", f"Years covered: {q['years'][0]}–{q['years'][-1]}"]
    lines.append("Regions with data per year (on the map / in the source file):")
    src = q.get("source_regions_with_data", {})
    for y, n in q["regions_with_data"].items():
        lines.append(f"  {y}: {n} / {src.get(str(y), src.get(y, '?'))}")
    lines.append(f"Map regions (NUTS 2021 level 2, data countries): {q.get('map_regions')}")
    lines.append("Recoding of source codes to NUTS 2021: "
                 + ", ".join(f"{k} {v}" for k, v in q.get("recode_methods", {}).items()))
    lines.append(f"Unmatched source regions ({len(q['unmatched'])}), not on the map:")
    for u in q["unmatched"]:
        yrs = u.get("years_with_data") or "no data"
        lines.append(f"  {u['code']}: {u['reason']} (data in {yrs})")
    lines.append("Map regions without data in some years:")
    for r in q.get("map_regions_without_data", []):
        lines.append(f"  {r['region_id']} {r['name']}: {r['years']}")
    lines.append("Share of employment imputed (all NUTS 2 regions): "
                 + ", ".join(f"{y} {v:.1%}" for y, v in q.get("imputed_share_total", {}).items()))
    table = imputed_share_table(q)
    if not table.empty:
        lines.append("Share of employment imputed by country (%):")
        lines.append(table.to_string(na_rep="–"))
    return "\n".join(lines)
