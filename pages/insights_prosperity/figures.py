"""The scatter of cluster strength against GDP per capita or patents: the regions, the fitted quadratic,
the seed's published curve (Europe, GDP only), the highlighted region; title and source inside."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.insights.prosperity import VARIANTS
from analytics.metrics.prosperity import ECO_REFERENCE, QuadraticFit
from components.figures import FOCAL_COLOUR, PEER_COLOUR, TEXT_COLOUR, add_title_and_source, plot_text, style_figure

HEIGHT = 560
ECO_COLOUR = "#5d6d7e"  # dark grey, dashed: told apart from the fit by line style as well as colour
ECO_TEXT = "ECO's published curve (on ECO's own data and regions): y = 83,342x² − 16,467x + 22,886, R² = 0.39"


def x_title(variant: str) -> str:
    return {"lq2": "Cluster strength (% of total employment in traded categories with LQ > 2)",
            "us-strong": "Cluster strength, US portal (% of traded employment in strong clusters)"}[variant]


def scatter(pts: pd.DataFrame, result: QuadraticFit | None, *, variant: str, y_what: str, y_unit: str,
            title: str, source: str, eco: bool, highlight: str | None = None) -> go.Figure:
    """x in % on the axis (the fit is in shares: the curve is drawn at 100·x)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=pts["x"] * 100, y=pts["y"], mode="markers", name=f"Regions ({len(pts):,})",
        customdata=np.column_stack([pts["region_id"], pts["region_name"].map(plot_text)]) if len(pts) else None,
        marker={"color": PEER_COLOUR, "size": 8, "opacity": 0.65, "line": {"width": 0.5, "color": "white"}},
        hovertemplate="%{customdata[1]} (%{customdata[0]})<br>cluster strength %{x:,.1f} %<br>"
                      f"{plot_text(y_what)} %{{y:,.0f}} {plot_text(y_unit)}<br>click to open the profile<extra></extra>"))
    if len(pts):
        lo, hi = float(pts["x"].min()), float(pts["x"].max())
        grid = np.linspace(lo, hi, 120)
        if result is not None:
            fig.add_trace(go.Scatter(x=grid * 100, y=result.predict(grid), mode="lines", name=(
                f"Quadratic fit on these data: R² = {result.r2:.3f}, n = {result.n:,}"),
                line={"color": FOCAL_COLOUR, "width": 3}, hoverinfo="skip"))
        if eco:
            e = ECO_REFERENCE
            fig.add_trace(go.Scatter(x=grid * 100, y=e["a"] * grid ** 2 + e["b"] * grid + e["c"], mode="lines",
                                     name="ECO's published curve (ECO's data), R² = 0.39",
                                     line={"color": ECO_COLOUR, "width": 2, "dash": "dash"}, hoverinfo="skip"))
    if highlight is not None and highlight in set(pts["region_id"]):
        row = pts[pts["region_id"] == highlight].iloc[0]
        fig.add_trace(go.Scatter(
            x=[row["x"] * 100], y=[row["y"]], mode="markers", name=plot_text(f"{row['region_name']} ({highlight})"),
            customdata=[[highlight, plot_text(row["region_name"])]],
            marker={"color": FOCAL_COLOUR, "size": 16, "symbol": "star", "line": {"width": 1, "color": TEXT_COLOUR}},
            hovertemplate="%{customdata[1]} (%{customdata[0]})<br>cluster strength %{x:,.1f} %<br>"
                          f"{plot_text(y_what)} %{{y:,.0f}}<extra></extra>"))
        fig.add_annotation(x=row["x"] * 100, y=row["y"], text=plot_text(row["region_name"]), showarrow=True,
                           arrowhead=0, ax=30, ay=-30, font={"size": 12, "color": TEXT_COLOUR},
                           bgcolor="rgba(255,255,255,0.8)")
    style_figure(fig, height=HEIGHT)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left"},
                      margin={"t": 60, "b": 60, "l": 80})
    fig.update_xaxes(title_text=x_title(variant), ticksuffix=" %", tickformat=",.0f", rangemode="tozero",
                     zeroline=False)
    fig.update_yaxes(title_text=f"{y_what} ({y_unit})" if y_unit else y_what, tickformat=",.0f", separatethousands=True)
    return add_title_and_source(fig, title, source, width=640)


def variant_label(variant: str) -> str:
    return VARIANTS[variant]["label"]
