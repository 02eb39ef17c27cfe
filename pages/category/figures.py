"""The category profile's charts: top regions by employment, and the specialisation map.

The top-regions chart carries its title (what, where, when, against which benchmark) and the
dataset's source inside the figure (:func:`top_head`); :func:`top_csv_frame` gives the numbers it
draws, units in the column names, for its CSV download."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics.stars import RULE_SETS
from analytics.serving.store import get_store
from components import choropleth as ch
from components.figures import STAR_COLOURS, add_title_and_source, empty_figure, plot_text, style_figure
from components.labels import DENOMINATOR_LABELS

TOP_CHART_HEIGHT = 700
MAP_HEIGHT = 560
TOP_WIDTH, TOP_PLOT_WIDTH = 620, 380  # narrowest on-screen widths (px) of the chart and of its plot area


def top_head(name: str, n: int, year: int, level_plural: str, ui: dict, custom_region: str | None = None
             ) -> tuple[str, str]:
    """(title, subtitle) of the top-regions chart: what, where (the category, the level), when, benchmark."""
    sub = (f"Bars: employment {year} ({ui['employment_unit']}). Labels: location quotient against "
           f"{ui['benchmark_area']}, denominator: {DENOMINATOR_LABELS[ui['default_denominator']]}; "
           f"stars: {RULE_SETS[ui['default_rules']].label}.")
    if custom_region:
        sub += f" Orange: the custom region {custom_region}."
    return f"Top {n:,} {level_plural} by employment in {name}, {year}", sub


def top_csv_frame(top: pd.DataFrame, year: int, ui: dict) -> pd.DataFrame:
    """The chart's numbers, largest first: rank, region, employment, LQ, stars."""
    return pd.DataFrame({
        "rank": top["rank"], "region_id": top["region_id"], "region_name": top["region_name"],
        f"employment {year} ({ui['employment_unit']})": top["employment"],
        f"location quotient {year} (ratio)": top["lq"],
        "stars (0-3)": pd.to_numeric(top["stars"], errors="coerce").astype("Int64"),
    }).reset_index(drop=True)


def top_chart(top: pd.DataFrame, name: str, year: int, level_plural: str, ui: dict,
              head: tuple[str, str] | None = None) -> go.Figure:
    """The top regions' employment (bars) with LQ and stars (labels); ``head`` (title, subtitle)
    and the dataset's source go inside the figure."""
    if top.empty:
        fig = empty_figure(f"No region has employment in {plot_text(name)} in {year}")
        if head:
            add_title_and_source(fig, head[0], ui["source"], head[1], width=TOP_WIDTH)
        return fig
    t = top.iloc[::-1]
    stars = t["stars"].fillna(0).astype(int)
    labels = [plot_text(f"{n} ({'custom' if str(r).startswith('custom:') else r})")
              for n, r in zip(t["region_name"], t["region_id"])]
    text = [f"LQ {lq:,.2f} {'★' * s}" if pd.notna(lq) else "" for lq, s in zip(t["lq"], stars)]
    colours = ["#b35806" if str(r).startswith("custom:") else STAR_COLOURS.get(s, "#3b528b")
               for r, s in zip(t["region_id"], stars)]
    fig = go.Figure(go.Bar(
        x=t["employment"], y=labels, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker={"color": colours}, hovertemplate="<b>%{y}</b><br>Employment %{x:,.0f}<br>%{text}<extra></extra>",
    ))
    fig.update_xaxes(title_text=f"Employment in {year} ({ui['employment_unit']})", tickformat=",", tickangle=0,
                     nticks=5)  # level ticks: turned ones would push the axis title onto the source line
    fig.update_yaxes(title_text=None, automargin=True, tickfont={"size": 11})
    style_figure(fig, height=TOP_CHART_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 90, "t": 10, "b": 50}, showlegend=False)
    if head:
        add_title_and_source(fig, head[0], ui["source"], head[1], width=TOP_WIDTH, source_width=TOP_PLOT_WIDTH)
    return fig


def map_state_for(dataset: str, category_id: str, level: str, year: int, ccat: str | None = None,
                  creg: str | None = None, start_year: int | None = None) -> dict:
    """The map explorer's state showing this category's LQ (the dataset's default rules and denominator;
    ``start_year``: the page's window, used by the map once its metric is growth)."""
    meta = get_store(dataset).meta
    state = {"dataset": dataset, "level": level, "category": category_id, "metric": "lq", "year": year,
             "start_year": start_year, "rules": meta["default_rules"], "denominator": meta["default_denominator"],
             "ccat": None, "creg": creg}
    if ccat:
        state.update(category=ch.CUSTOM, ccat=ccat)
    return state
