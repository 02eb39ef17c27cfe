"""The category profile's charts: top regions by employment, and the specialisation map."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.serving.store import get_store
from components import choropleth as ch
from components.figures import STAR_COLOURS, empty_figure, plot_text, style_figure

TOP_CHART_HEIGHT = 640
MAP_HEIGHT = 560


def top_chart(top: pd.DataFrame, name: str, year: int, level_plural: str, ui: dict) -> go.Figure:
    if top.empty:
        return empty_figure(f"No region has employment in {plot_text(name)} in {year}")
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
    fig.update_xaxes(title_text=f"Employment in {year} ({ui['employment_unit']})", tickformat=",")
    fig.update_yaxes(title_text=None, automargin=True, tickfont={"size": 11})
    style_figure(fig, height=TOP_CHART_HEIGHT)
    fig.update_layout(margin={"l": 10, "r": 90, "t": 30, "b": 50}, showlegend=False,
                      title={"text": f"Top {len(t)} by employment ({level_plural}), {year}",
                             "font": {"size": 13}, "x": 0, "xanchor": "left"})
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


def category_map(state: dict) -> dict:
    """The map explorer's own LQ choropleth (same colour scale, grey no-data band and hover card),
    re-centred to fit this page's map height."""
    fig = ch.full_figure(state)
    dom = fig["layout"]["map"].get("domain", {}).get("y", [0, 1])
    center, zoom = ch.fit_view(get_store(state["dataset"]).geometry(state["level"]), int(MAP_HEIGHT * (dom[1] - dom[0])))
    fig["layout"]["map"].update(center=center, zoom=zoom)
    fig["layout"]["height"] = MAP_HEIGHT
    return fig
