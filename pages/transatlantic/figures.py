"""The transatlantic charts: top regions on each side (bars), the distribution of LQ (box plots, log
scale) and the two concentration measures side by side; titles and sources inside."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import FOCAL_COLOUR, PEER_COLOUR, add_title_and_source, plot_text, style_figure

SIDE_COLOURS = {"eu": PEER_COLOUR, "us": FOCAL_COLOUR}  # blue / orange (the CVD-safe pair of the app)
TOP_N = 10
TOP_HEIGHT, LQ_HEIGHT, CONC_HEIGHT = 470, 440, 440
SHORT = {"eu": "Europe", "us": "United States"}
STRONG_COLOUR, OTHER_COLOUR = "#08306b", "#9ecae1"  # star blues: strong / not strong


def top_regions(sides: dict, *, labels: dict, units: dict, title: str, source: str) -> go.Figure:
    """``sides``: {"eu": rows, "us": rows} (region_name, employment, strong, lq), largest first."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.28,
                        subplot_titles=[plot_text(labels[s]) for s in ("eu", "us")])
    for i, side in enumerate(("eu", "us"), start=1):
        top = sides[side].dropna(subset=["employment"]).head(TOP_N).iloc[::-1]
        strong = top["strong"].astype(bool).to_numpy()
        fig.add_trace(go.Bar(
            x=top["employment"], y=top["region_name"].map(plot_text), orientation="h", showlegend=False,
            marker={"color": np.where(strong, STRONG_COLOUR, OTHER_COLOUR), "line": {"width": 0}},
            customdata=np.column_stack([top["lq"].astype(float), np.where(strong, "strong cluster", "not strong")]),
            hovertemplate="%{y}<br>%{x:,.0f} " + plot_text(units[side]) + "<br>LQ %{customdata[0]:.2f}, "
                          "%{customdata[1]}<extra></extra>"), row=1, col=i)
        fig.update_xaxes(title_text=f"Employment ({units[side]})", tickformat=",.0f", row=1, col=i)
    for name, colour in (("strong cluster (US portal's rule)", STRONG_COLOUR), ("not strong", OTHER_COLOUR)):
        fig.add_trace(go.Bar(x=[None], y=[None], marker={"color": colour}, name=name, showlegend=True))
    style_figure(fig, height=TOP_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0},
                      margin={"l": 150, "t": 60, "b": 50}, bargap=0.25)
    fig.update_yaxes(tickfont={"size": 11}, automargin=True)
    return add_title_and_source(fig, title, source, width=640)


def lq_distribution(sides: dict, *, labels: dict, title: str, source: str) -> go.Figure:
    """Box plots of the regions' LQ (over traded employment), log scale; LQ 0 cannot be drawn there and
    is counted in the trace name."""
    fig = go.Figure()
    for side in ("eu", "us"):
        lq = pd.to_numeric(sides[side]["lq"], errors="coerce").dropna()
        zero = int((lq <= 0).sum())
        pos = sides[side].loc[lq[lq > 0].index]
        name = f"{labels[side]}: {len(lq):,} regions" + (f", {zero:,} with LQ 0 not drawn" if zero else "")
        fig.add_trace(go.Box(y=pos["lq"].astype(float), x=[SHORT[side]] * len(pos), name=plot_text(name), boxpoints="all", jitter=0.4,
                             pointpos=0, marker={"color": SIDE_COLOURS[side], "size": 4, "opacity": 0.6},
                             line={"color": SIDE_COLOURS[side]}, text=pos["region_name"].map(plot_text),
                             hovertemplate="%{text}: LQ %{y:.2f}<extra></extra>"))
    fig.add_hline(y=1, line={"dash": "dot", "width": 1, "color": "#5d6d7e"})
    style_figure(fig, height=LQ_HEIGHT)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
                      margin={"b": 50, "t": 60})
    fig.update_yaxes(type="log", title_text="LQ (over traded employment, log scale)",
                     tickformat=",.2~f")
    fig.update_xaxes(tickfont={"size": 11})
    return add_title_and_source(fig, title, source, width=520)


def concentration(summaries: dict, *, labels: dict, title: str, source: str) -> go.Figure:
    """The Hoover index and the strong share (both as %) for the two sides, grouped bars."""
    measures = [("hoover", "Hoover concentration index"), ("strong_share", "Employment in strong clusters")]
    fig = go.Figure()
    for side in ("eu", "us"):
        vals = [summaries[side][k] * 100 if np.isfinite(summaries[side][k]) else None for k, _ in measures]
        fig.add_trace(go.Bar(x=[m for _, m in measures], y=vals, name=plot_text(labels[side]),
                             marker={"color": SIDE_COLOURS[side]},
                             text=[f"{v:.1f} %" if v is not None else "n/a" for v in vals], textposition="outside",
                             hovertemplate="%{x}: %{y:.1f} %<extra>" + plot_text(labels[side]) + "</extra>"))
    style_figure(fig, height=CONC_HEIGHT)
    fig.update_layout(barmode="group", legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
                      margin={"t": 50, "b": 60})
    fig.update_yaxes(title_text="Index × 100 / share of employment (%)", ticksuffix=" %",
                     rangemode="tozero")
    return add_title_and_source(fig, title, source, width=520)
