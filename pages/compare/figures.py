"""The peer comparison's charts: the region × category LQ heatmap, and employment and growth bars."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.serving.formats import fmt_int
from components.figures import DIVERGING, FOCAL_COLOUR, PEER_COLOUR, STAR_NAMES, empty_figure, plot_text, style_figure

HEATMAP_HEIGHT = 470
BARS_HEIGHT = 420
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


def heatmap_figure(cmp: pd.DataFrame, focal_id: str, cats: list[str], year: int, employment_unit: str) -> go.Figure:
    if not cats:
        return empty_figure("The focal region has no traded category with data", HEATMAP_HEIGHT)
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
    fig.update_layout(margin={"l": 10, "r": 10, "t": 36, "b": 10}, xaxis={"automargin": True},
                      yaxis={"automargin": True}, plot_bgcolor="#ffffff")
    return fig


def _padded_range(values, pad: float) -> list[float] | None:
    """An axis range from 0 (or the minimum) to the maximum with room for the bar labels on both sides."""
    v = [float(x) for x in values if x is not None and pd.notna(x)]
    if not v:
        return None
    lo, hi = min(0.0, min(v)), max(0.0, max(v))
    span = (hi - lo) or 1.0
    return [lo - span * pad if lo < 0 else 0.0, hi + span * pad if hi > 0 else span * 0.05]


def bar_figures(ids_: list[str], names: dict, focal_id: str, emp: dict, growth: dict, what: str, year: int,
                start, employment_unit: str):
    """Employment and growth bars of the focal region (orange, first) and its peers (blue)."""
    labels = [label(r, names[r], r == focal_id) for r in ids_]
    colours = [FOCAL_COLOUR if r == focal_id else PEER_COLOUR for r in ids_]
    e = [emp.get(r) for r in ids_]
    bars = go.Figure(go.Bar(
        x=e, y=labels, orientation="h", marker_color=colours, text=[fmt_int(v) for v in e], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}<br>%{x:,.0f} " + employment_unit + "<extra></extra>"))
    bars.update_xaxes(title_text=f"Employment in {what}, {year} ({employment_unit})", tickformat=",",
                      range=_padded_range(e, 0.18))
    bars.update_yaxes(autorange="reversed")
    style_figure(bars, height=BARS_HEIGHT)
    bars.update_layout(margin={"l": 10, "r": 40, "t": 30, "b": 50}, yaxis={"automargin": True},
                       title={"text": f"Employment: {what}", "font": {"size": 13}, "x": 0.01})
    if start is None:
        return bars, empty_figure("Pick a start year before the year to see growth", BARS_HEIGHT)
    g = [growth[r] * 100 if pd.notna(growth.get(r)) else None for r in ids_]
    fig = go.Figure(go.Bar(
        x=g, y=labels, orientation="h", marker_color=colours,
        text=[f"{v:+.1f} %" if v is not None else "no data" for v in g], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x:+.2f} % per year<extra></extra>"))
    fig.update_xaxes(title_text=f"Employment growth in {what}, {start}–{year} (CAGR, % per year)",
                     ticksuffix=" %", range=_padded_range(g, 0.22), zeroline=True, zerolinecolor="#7b8a8b")
    fig.update_yaxes(autorange="reversed")
    style_figure(fig, height=BARS_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 50, "t": 30, "b": 50}, yaxis={"automargin": True},
                      title={"text": f"Growth: {what}", "font": {"size": 13}, "x": 0.01})
    return bars, fig
