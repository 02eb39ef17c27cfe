"""The peer comparison's charts: the region × category LQ heatmap, and employment and growth bars.

Each chart carries its title (what, where, when, against which benchmark) and the dataset's source
inside the figure (``*_head`` make the texts); ``*_csv_frame`` give the numbers a chart draws, with
units in the column names, for its CSV download."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.serving.formats import fmt_int
from components import figures as cf
from components.figures import DIVERGING, FOCAL_COLOUR, PEER_COLOUR, STAR_NAMES, empty_figure, plot_text, style_figure
from components.labels import DENOMINATOR_LABELS

HEATMAP_HEIGHT = 560
BARS_HEIGHT = 480
HEATMAP_WIDTH, BARS_WIDTH = 1100, 620  # narrowest on-screen widths (px) the titles are wrapped for
LABELS_WIDTH = 230  # px of region labels left of the plot area (the source starts after them)
#: value ticks kept level (fewer on a narrow chart instead of turned): turned labels would push the
#: axis title onto the source line below it
LEVEL_TICKS = {"tickangle": 0, "nticks": 4}
MAX_HEATMAP_CATEGORIES = 20
TOP_EACH = 10


def label(rid: str, name: str, focal: bool) -> str:
    short = plot_text(name if len(name) <= 28 else name[:26] + "…")
    if str(rid).startswith("custom:"):
        return f"<b>{short} (custom)</b>"
    return f"<b>{short} ({rid})</b>" if focal else f"{short} ({rid})"


def heatmap_categories(cmp: pd.DataFrame, focal_id: str) -> list[str]:
    """The focal region's 10 largest and 10 most specialised traded categories (union, ≤ 20), by LQ."""
    f = cmp[(cmp["region_id"] == focal_id) & (cmp["category_type"] == "traded")].dropna(subset=["employment"])
    big = f.nlargest(TOP_EACH, "employment")["category_id"]
    spec = f.nlargest(TOP_EACH, "lq")["category_id"]
    keep = f[f["category_id"].isin(set(big) | set(spec))].sort_values("lq", ascending=False)
    return keep["category_id"].head(MAX_HEATMAP_CATEGORIES).tolist()


def heatmap_head(where: str, n_peers: int, level_plural: str, year: int, n_cats: int, ui: dict,
                 denominator: str) -> tuple[str, str]:
    """(title, subtitle) of the heatmap: what, where (focal region, peers, level), when, benchmark."""
    return (f"Specialisation of {where} and {n_peers:,} peer{'s' if n_peers != 1 else ''} ({level_plural}), {year}",
            f"Location quotient (ratio; colour on a log scale centred on 1) against {ui['benchmark_area']}, "
            f"denominator: {DENOMINATOR_LABELS[denominator]}. The {n_cats:,} traded categories among the focal "
            f"region's {TOP_EACH} largest and {TOP_EACH} most specialised; focal region on top, framed; blank = no data.")


def heatmap_csv_frame(cmp: pd.DataFrame, focal_id: str, cats: list[str], year: int, employment_unit: str
                      ) -> pd.DataFrame:
    """The heatmap's cells in its order (regions as listed, categories left to right): LQ,
    employment and stars of each region in each shown category (empty = no data)."""
    regions = cmp.drop_duplicates("region_id")[["region_id", "region_name"]]
    names = cmp.drop_duplicates("category_id").set_index("category_id")["category_name"]
    cells = cmp.drop_duplicates(["region_id", "category_id"]).set_index(["region_id", "category_id"])
    rows = []
    for rid, rname in zip(regions["region_id"], regions["region_name"]):
        for c in cats:
            cell = cells.loc[(rid, c)] if (rid, c) in cells.index else None
            rows.append({"region_id": rid, "region_name": rname, "focal": rid == focal_id, "category_id": c,
                         "category_name": names.get(c, c),
                         f"location quotient {year} (ratio)": cell["lq"] if cell is not None else np.nan,
                         f"employment {year} ({employment_unit})": cell["employment"] if cell is not None else np.nan,
                         "stars (0-3)": cell["stars"] if cell is not None else np.nan})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["stars (0-3)"] = pd.to_numeric(out["stars (0-3)"], errors="coerce").astype("Int64")
    return out


def _heatmap_bottom(xlabels: list[str]) -> int:
    """Room below the heatmap for its -35° category labels and the axis title (so the source sits below them)."""
    longest = max((len(x) for x in xlabels), default=10)
    return int(longest * 6.0 * math.sin(math.radians(35)) + 14 + 34)


def heatmap_figure(cmp: pd.DataFrame, focal_id: str, cats: list[str], year: int, employment_unit: str,
                   head: tuple[str, str] | None = None, source: str = "") -> go.Figure:
    """The region × category LQ heatmap; ``head`` (title, subtitle) and ``source`` go inside the figure."""
    if not cats:
        fig = empty_figure("The focal region has no traded category with data", HEATMAP_HEIGHT)
        if head:
            cf.add_title_and_source(fig, head[0], source, head[1], width=HEATMAP_WIDTH)
        return fig
    regions = cmp.drop_duplicates("region_id")[["region_id", "region_name"]]
    sub = cmp[cmp["category_id"].isin(cats)]
    order = regions["region_id"].tolist()

    def pivot(col):
        return sub.pivot_table(index="region_id", columns="category_id", values=col, aggfunc="first",
                               dropna=False).reindex(index=order, columns=cats).astype(float)
    lq, emp, st = pivot("lq"), pivot("employment"), pivot("stars")
    names = cmp.drop_duplicates("category_id").set_index("category_id")["category_name"]
    xlabels = [plot_text(names[c]) for c in cats]
    ylabels = [label(r, n, r == focal_id) for r, n in zip(regions["region_id"], regions["region_name"])]
    z = np.log10(np.clip(lq.to_numpy(), 0.1, 10.0))
    finite = np.abs(z[np.isfinite(z)])
    zmax = float(np.clip(finite.max() if finite.size else 1.0, math.log10(2), 1.0))
    text = np.where(np.isfinite(lq.to_numpy()), np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(lq.to_numpy())), "")
    stars = np.vectorize(lambda v: STAR_NAMES.get(int(v), "") if np.isfinite(v) else "not rated")(st.to_numpy())
    emp_txt = np.vectorize(lambda v: fmt_int(v, "no data"))(emp.to_numpy())
    lq_txt = np.vectorize(lambda v: f"{v:,.2f}" if np.isfinite(v) else "no data")(lq.to_numpy())
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 10) if abs(math.log10(t)) <= zmax + 1e-9]
    fig = go.Figure(go.Heatmap(
        z=z, x=xlabels, y=ylabels, zmin=-zmax, zmax=zmax, zmid=0, colorscale=DIVERGING, text=text,
        texttemplate="%{text}", textfont={"size": 10}, xgap=1, ygap=1, customdata=np.dstack([emp_txt, lq_txt, stars]),
        hovertemplate=("<b>%{y}</b><br>%{x}<br>LQ %{customdata[1]}<br>Employment %{customdata[0]} "
                       + employment_unit + "<br>Stars: %{customdata[2]}<extra></extra>"),
        colorbar={"title": {"text": "LQ (ratio, log scale)", "side": "right"},
                  "tickvals": [math.log10(t) for t in ticks], "ticktext": [f"{t:g}" for t in ticks],
                  "thickness": 14, "len": 0.9},
    ))
    fig.add_shape(type="rect", xref="paper", yref="y", x0=0, x1=1, y0=-0.5, y1=0.5,
                  line={"color": "#2c3e50", "width": 2.5}, fillcolor="rgba(0,0,0,0)")
    fig.update_yaxes(autorange="reversed", title_text=None, tickfont={"size": 11})
    fig.update_xaxes(title_text=f"Traded cluster category (location quotient {year}, ratio)", tickangle=-35,
                     tickfont={"size": 10}, side="bottom")
    style_figure(fig, height=HEATMAP_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": _heatmap_bottom(xlabels)}, xaxis={"automargin": True},
                      yaxis={"automargin": True}, plot_bgcolor="#ffffff")
    if head:
        cf.add_title_and_source(fig, head[0], source, head[1], width=HEATMAP_WIDTH,
                             source_width=HEATMAP_WIDTH - LABELS_WIDTH)
    return fig


def _padded_range(values, pad: float) -> list[float] | None:
    """An axis range from 0 (or the minimum) to the maximum with room for the bar labels on both sides."""
    v = [float(x) for x in values if x is not None and pd.notna(x)]
    if not v:
        return None
    lo, hi = min(0.0, min(v)), max(0.0, max(v))
    span = (hi - lo) or 1.0
    return [lo - span * pad if lo < 0 else 0.0, hi + span * pad if hi > 0 else span * 0.05]


def bars_heads(where: str, n_peers: int, what: str, level_plural: str, year: int, start, employment_unit: str
               ) -> dict[str, tuple[str, str]]:
    """(title, subtitle) of the employment and the growth bars: what, where, when, benchmark (the peer group)."""
    peers = f"{where} and {n_peers:,} peer{'s' if n_peers != 1 else ''}"
    bench = f"{level_plural}; the benchmark is the peer group: focal region orange, peers blue."
    return {"bars": (f"Employment in {what}, {year}: {peers}", f"Employment ({employment_unit}), {bench}"),
            "growth": (f"Employment growth in {what}, {start}–{year}: {peers}" if start else
                       f"Employment growth in {what}: {peers}",
                       f"Compound annual growth rate (% per year), {bench}")}


def bars_csv_frames(ids_: list[str], names: dict, focal_id: str, emp: dict, growth: dict, what: str, year: int,
                    start, employment_unit: str) -> dict[str, pd.DataFrame]:
    """The bars' numbers in the charts' order (focal region first): employment, and growth in % per year."""
    base = {"region_id": ids_, "region_name": [names[r] for r in ids_], "focal": [r == focal_id for r in ids_]}
    growth_pct = [growth[r] * 100 if pd.notna(growth.get(r)) else np.nan for r in ids_]
    return {"bars": pd.DataFrame({**base, f"employment in {what} {year} ({employment_unit})":
                                  [emp.get(r) if pd.notna(emp.get(r)) else np.nan for r in ids_]}),
            "growth": pd.DataFrame({**base, f"employment growth in {what} {start}–{year} (CAGR, % per year)":
                                    growth_pct}) if start else pd.DataFrame(base).iloc[0:0]}


def bar_figures(ids_: list[str], names: dict, focal_id: str, emp: dict, growth: dict, what: str, year: int,
                start, employment_unit: str, heads: dict | None = None, source: str = ""):
    """Employment and growth bars of the focal region (orange, first) and its peers (blue);
    ``heads`` (:func:`bars_heads`) and ``source`` go inside the figures."""
    labels = [label(r, names[r], r == focal_id) for r in ids_]
    colours = [FOCAL_COLOUR if r == focal_id else PEER_COLOUR for r in ids_]
    e = [emp.get(r) for r in ids_]
    bars = go.Figure(go.Bar(
        x=e, y=labels, orientation="h", marker_color=colours, text=[fmt_int(v) for v in e], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}<br>%{x:,.0f} " + employment_unit + "<extra></extra>"))
    bars.update_xaxes(title_text=f"Employment in {what}, {year} ({employment_unit})", tickformat=",", **LEVEL_TICKS,
                      range=_padded_range(e, 0.18))
    bars.update_yaxes(autorange="reversed")
    style_figure(bars, height=BARS_HEIGHT)
    bars.update_layout(margin={"l": 10, "r": 40, "t": 10, "b": 50}, yaxis={"automargin": True})
    if heads:
        cf.add_title_and_source(bars, *_args(heads["bars"], source))
    if start is None:
        fig = empty_figure("Pick a start year before the year to see growth", BARS_HEIGHT)
        if heads:
            cf.add_title_and_source(fig, heads["growth"][0], source, heads["growth"][1], width=BARS_WIDTH)
        return bars, fig
    g = [growth[r] * 100 if pd.notna(growth.get(r)) else None for r in ids_]
    fig = go.Figure(go.Bar(
        x=g, y=labels, orientation="h", marker_color=colours,
        text=[f"{v:+.1f} %" if v is not None else "no data" for v in g], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x:+.2f} % per year<extra></extra>"))
    fig.update_xaxes(title_text=f"Employment growth in {what}, {start}–{year} (CAGR, % per year)", **LEVEL_TICKS,
                     ticksuffix=" %", range=_padded_range(g, 0.22), zeroline=True, zerolinecolor="#7b8a8b")
    fig.update_yaxes(autorange="reversed")
    style_figure(fig, height=BARS_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 50, "t": 10, "b": 50}, yaxis={"automargin": True})
    if heads:
        cf.add_title_and_source(fig, *_args(heads["growth"], source))
    return bars, fig


def _args(head: tuple[str, str], source: str) -> tuple:
    return head[0], source, head[1], BARS_WIDTH, BARS_WIDTH - LABELS_WIDTH
