"""The region profile's charts: the portfolio bubble chart (with label placement) and employment over time.

Each chart carries its title (what, where, when, against which benchmark) and the dataset's source
inside the figure (``*_head`` make the texts); ``*_csv_frame`` give the numbers a chart draws, with
units in the column names, for its CSV download."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.metrics.stars import RULE_SETS
from analytics.serving.formats import fmt_signed_pct
from components.figures import STAR_COLOURS, STAR_NAMES, add_title_and_source, empty_figure, plot_text, style_figure
from components.labels import DENOMINATOR_LABELS

BUBBLE_HEIGHT = 640
TIMELINE_HEIGHT = 440
MAX_LABELS = 16
BUBBLE_WIDTH, TIMELINE_WIDTH = 1100, 500  # narrowest on-screen widths (px) the titles are wrapped for
PLOT_LEFT = 100  # px left of the plot area (y-axis ticks and title): the source starts there


def data_years(t: pd.DataFrame) -> tuple[int, int] | None:
    """First and last year with employment data in a timeline frame (None: no data at all)."""
    have = t.dropna(subset=["total_employment", "traded_employment"], how="all")["year"]
    return (int(have.min()), int(have.max())) if len(have) else None


def timeline_head(where: str, t: pd.DataFrame, year: int, ui: dict) -> tuple[str, str]:
    span = data_years(t)
    when = f"{span[0]}–{span[1]}" if span and span[0] != span[1] else (str(span[0]) if span else "no year with data")
    return (f"Employment in {where}, {when}",
            f"Total (all industries the data cover) and traded cluster categories, {ui['employment_unit']}; "
            f"dotted line: {year}. Gaps: years without data.")


def timeline_csv_frame(t: pd.DataFrame, region_id: str, name: str, ui: dict) -> pd.DataFrame:
    """The timeline's numbers: one row per year of the dataset (empty = no data, as the chart's gaps)."""
    unit = ui["employment_unit"]
    out = pd.DataFrame({"region_id": region_id, "region_name": name, "year": t["year"].astype(int)})
    out[f"total_employment ({unit})"] = t["total_employment"].to_numpy()
    out[f"traded_employment ({unit})"] = t["traded_employment"].to_numpy()
    return out


def timeline_figure(t: pd.DataFrame, year: int, ui: dict, head: tuple[str, str] | None = None) -> go.Figure:
    """Total and traded employment per year (gaps where there are no data); ``head`` (title,
    subtitle) and the dataset's source go inside the figure."""
    fig = go.Figure()
    for col, name, colour in (("total_employment", "Total", "#2c3e50"), ("traded_employment", "Traded", "#18a58c")):
        fig.add_trace(go.Scatter(x=t["year"], y=t[col], name=name, mode="lines+markers",
                                 line={"color": colour, "width": 2}, connectgaps=False,
                                 hovertemplate="%{x}: %{y:,.0f}<extra>" + name + "</extra>"))
    if year in set(t["year"]):
        fig.add_vline(x=year, line={"dash": "dot", "color": "#7b8a8b"})
    span = int(t["year"].max() - t["year"].min())
    fig.update_xaxes(title_text="Year", dtick=1 if span <= 12 else (2 if span <= 24 else 5), tickformat="d")
    fig.update_yaxes(title_text=f"Employment ({ui['employment_unit']})", rangemode="tozero", tickformat=",")
    style_figure(fig, height=TIMELINE_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}, margin={"t": 30})
    if head:
        add_title_and_source(fig, head[0], ui["source"], head[1], width=TIMELINE_WIDTH,
                             source_width=TIMELINE_WIDTH - PLOT_LEFT)
    return fig


def place_labels(px: np.ndarray, py: np.ndarray, radius: np.ndarray, labels: list[str],
                 char_w: float = 6.4, line_h: float = 14.0, size: tuple[float, float] | None = None) -> list[str]:
    """Greedy label placement in pixel space: for each labelled bubble (largest first) take the
    first of above / below / right / left whose box hits no placed label and no other bubble,
    else the least-overlapping one. Returns a plotly ``textposition`` per point."""
    boxes: list[tuple[float, float, float, float]] = []
    circles = [(px[i] - radius[i], py[i] - radius[i], px[i] + radius[i], py[i] + radius[i]) for i in range(len(px))]

    def overlap(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    out = ["top center"] * len(px)
    for i in sorted(range(len(px)), key=lambda k: -radius[k]):
        if not labels[i]:
            continue
        w, r, x, y = len(labels[i]) * char_w, radius[i], px[i], py[i]
        cands = {
            "top center": (x - w / 2, y - r - 3 - line_h, x + w / 2, y - r - 3),
            "bottom center": (x - w / 2, y + r + 3, x + w / 2, y + r + 3 + line_h),
            "middle right": (x + r + 3, y - line_h / 2, x + r + 3 + w, y + line_h / 2),
            "middle left": (x - r - 3 - w, y - line_h / 2, x - r - 3, y + line_h / 2),
        }
        best, best_cost = "top center", None
        for pos, box in cands.items():
            cost = sum(overlap(box, o) for o in boxes) * 2 + sum(
                overlap(box, c) for j, c in enumerate(circles) if j != i)
            if size is not None:  # a label running off the plot area is cut: count the part outside
                area = (box[2] - box[0]) * (box[3] - box[1])
                cost += 3 * (area - overlap(box, (0, 0, size[0], size[1])))
            if best_cost is None or cost < best_cost:
                best, best_cost = pos, cost
            if cost == 0:
                break
        out[i] = best
        boxes.append(cands[best])
    return out


def bubble_points(frame: pd.DataFrame, x: str) -> pd.DataFrame:
    """The bubbles drawn: categories with a known growth (and, on the LQ axis, LQ > 0); ``growth`` in %."""
    f = frame.dropna(subset=["cagr"])
    if x == "lq":
        f = f[f["lq"] > 0]
    return f.assign(growth=f["cagr"] * 100).reset_index(drop=True)


def bubble_head(where: str, x: str, start: int, year: int, ui: dict, rules: str, denominator: str,
                bench: float | None) -> tuple[str, str]:
    what = f"location quotient {year}" if x == "lq" else f"change in share {start}–{year}"
    bench_text = (f"dotted line: benchmark growth {fmt_signed_pct(bench)} per year (traded employment)"
                  if bench is not None and not np.isnan(bench) else "no benchmark growth")
    return (f"Cluster portfolio of {where}: {what} and growth {start}–{year}",
            f"Traded categories. LQ against {ui['benchmark_area']}, denominator: {DENOMINATOR_LABELS[denominator]}; "
            f"stars: {RULE_SETS[rules].label}; bubble area: employment {year} ({ui['employment_unit']}); "
            f"{bench_text}.")


def bubble_csv_frame(frame: pd.DataFrame, x: str, region_id: str, name: str, start: int, year: int,
                     ui: dict) -> pd.DataFrame:
    """The bubbles' numbers (the drawn categories, largest first), units in the column names."""
    f = bubble_points(frame, x).sort_values(["employment", "category_id"], ascending=[False, True])
    return pd.DataFrame({
        "region_id": region_id, "region_name": name, "category_id": f["category_id"],
        "category_name": f["category_name"], "stars": f["stars"].astype(int),
        f"employment {year} ({ui['employment_unit']})": f["employment"],
        f"location quotient {year} (ratio)": f["lq"],
        f"change in share of the category's employment {start}–{year} (percentage points)": f["share_change"],
        f"employment growth {start}–{year} (CAGR, % per year)": f["growth"],
    }).reset_index(drop=True)


def bubble_figure(frame: pd.DataFrame, x: str, bench: float, start: int, year: int, ui: dict,
                  plot_px: tuple[int, int] = (1250, 440), head: tuple[str, str] | None = None):
    """The portfolio bubble chart; ``plot_px`` is the nominal plot-area size used to place labels;
    ``head`` (title, subtitle) and the dataset's source go inside the figure.
    Returns (figure, number of categories left out because their growth is unknown)."""
    f = bubble_points(frame, x)
    n_out = len(frame) - len(f)
    fig = go.Figure()
    if f.empty:
        fig = empty_figure("No traded category with employment in both years", BUBBLE_HEIGHT)
        if head:
            add_title_and_source(fig, head[0], ui["source"], head[1], width=BUBBLE_WIDTH,
                             source_width=BUBBLE_WIDTH - PLOT_LEFT)
        return fig, n_out
    max_d = 60.0
    sizeref = 2.0 * f["employment"].max() / (max_d ** 2)
    xcol = "lq" if x == "lq" else "share_change"
    xv = np.log10(f["lq"]) if x == "lq" else f["share_change"]
    # Explicit ranges (with room for the bubbles) make the pixel positions, and so the label
    # placement, predictable.
    xr = [xv.min(), xv.max()]
    yr = [f["growth"].min(), f["growth"].max()]
    if x == "lq":
        xr = [min(xr[0], -0.1), max(xr[1], 0.1)]
    if bench is not None and not np.isnan(bench):
        yr = [min(yr[0], bench * 100), max(yr[1], bench * 100)]
    xpad, ypad = (xr[1] - xr[0] or 1) * 0.08, (yr[1] - yr[0] or 1)
    xr, yr = [xr[0] - xpad, xr[1] + xpad], [yr[0] - ypad * 0.1, yr[1] + ypad * 0.18]
    w, h = plot_px
    px = (xv - xr[0]) / (xr[1] - xr[0]) * w
    py = (yr[1] - f["growth"]) / (yr[1] - yr[0]) * h
    radius = max_d / 2 * np.sqrt(f["employment"] / f["employment"].max())
    # Labels: the starred and the ten largest categories, at most MAX_LABELS (the largest of them).
    rank = f["employment"].rank(ascending=False, method="first")
    candidate = (rank <= 10) | (f["stars"] > 0)
    keep = candidate & (f["employment"].where(candidate).rank(ascending=False, method="first") <= MAX_LABELS)
    f["text"] = np.where(keep, f["label"].map(plot_text), "")
    f["pos"] = place_labels(px.to_numpy(), py.to_numpy(), radius.to_numpy(), f["text"].tolist(), size=(w, h))
    for s in sorted(f["stars"].unique()):
        g = f[f["stars"] == s]
        fig.add_trace(go.Scatter(
            x=g[xcol], y=g["growth"], mode="markers+text", name=STAR_NAMES.get(s, str(s)),
            text=g["text"], textposition=g["pos"], textfont={"size": 11, "color": "#2c3e50"},
            marker={"size": g["employment"], "sizemode": "area", "sizeref": sizeref, "sizemin": 5,
                    "color": STAR_COLOURS.get(s, "#3b528b"), "opacity": 0.8, "line": {"width": 1, "color": "white"}},
            customdata=np.stack([g["category_name"].map(plot_text), g["employment"], g["lq"], g["share_change"]], axis=-1),
            hovertemplate=("<b>%{customdata[0]}</b><br>Employment %{customdata[1]:,.0f}"
                           "<br>LQ %{customdata[2]:.2f}<br>Change in share %{customdata[3]:+.3f} pp"
                           "<br>Growth %{y:+.1f} % per year<extra>" + STAR_NAMES.get(s, "") + "</extra>"),
        ))
    line = {"dash": "dash", "color": "#7b8a8b", "width": 1}
    if x == "lq":
        fig.add_vline(x=1, line=line)
        # On a log axis annotations take log10 coordinates.
        fig.add_annotation(x=0, y=0, yref="paper", text=" LQ = 1", showarrow=False, xanchor="left",
                           yanchor="bottom", font={"size": 11, "color": "#7b8a8b"})
        lo, hi = 10 ** xr[0], 10 ** xr[1]
        ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if lo <= t <= hi]
        fig.update_xaxes(type="log", range=xr, tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
                         title_text=f"Location quotient in {year} (ratio, log scale)")
    else:
        fig.add_vline(x=0, line=line)
        fig.update_xaxes(range=xr, zeroline=False, ticksuffix=" pp",
                         title_text=f"Change in the region's share of the category's employment in "
                                    f"{ui['label']}, {start}–{year} (percentage points)")
    if bench is not None and not np.isnan(bench):
        fig.add_hline(y=bench * 100, line={"dash": "dot", "color": "#b35806", "width": 1.5},
                      annotation_text=f"benchmark growth {fmt_signed_pct(bench)} per year",
                      annotation_position="bottom left", annotation_font_size=11, annotation_font_color="#b35806")
    fig.update_yaxes(range=yr, title_text=f"Employment growth {start}–{year} (CAGR, % per year)", ticksuffix=" %",
                     zeroline=True, zerolinecolor="#d0d7de")
    style_figure(fig, height=BUBBLE_HEIGHT, legend_title="Stars")
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0}, margin={"t": 30, "b": 60})
    if head:
        add_title_and_source(fig, head[0], ui["source"], head[1], width=BUBBLE_WIDTH,
                             source_width=BUBBLE_WIDTH - PLOT_LEFT)
    return fig, n_out


def bubble_note(rules: str, year: int, start: int, bench: float, n_out: int, ui: dict) -> list[str]:
    return [
        "Traded categories only: local categories serve the regional market and are present everywhere in "
        "proportion to population, so they are left out. ",
        f"Bubble area ∝ employment in {year}; colour = stars ({RULE_SETS[rules].label}); labels on the starred "
        f"and the ten largest categories, at most {MAX_LABELS} (hover for any bubble). "
        f"Dotted line: growth of traded employment in {ui['label']}, summed over the regions with data in "
        f"both {start} and {year}: {fmt_signed_pct(bench)} per year. ",
        (f"{n_out} categor{'y' if n_out == 1 else 'ies'} without employment data in {start} (growth unknown) "
         "not shown." if n_out else ""),
    ]


# ---------------------------------------------------------------------------- context sparklines

SPARK_HEIGHT = 64
SPARK_LINE, SPARK_MARK = "#0072B2", "#D55E00"  # Okabe–Ito blue and vermillion (colour-blind safe)
SPARK_CONFIG = {"displayModeBar": False, "staticPlot": True, "displaylogo": False, "responsive": True}


def sparkline_figure(series: dict, value_year: int | None) -> go.Figure:
    """A tiny line over every year of the indicator's source: None values are gaps (``connectgaps``
    off, never zero or interpolated); small markers keep a lone year visible; the shown year is
    the larger vermillion dot."""
    years, values = series["years"], series["values"]
    fig = go.Figure(go.Scatter(x=years, y=values, mode="lines+markers", connectgaps=False, hoverinfo="skip",
                               line={"color": SPARK_LINE, "width": 2}, marker={"color": SPARK_LINE, "size": 5}))
    if value_year in years:
        fig.add_trace(go.Scatter(x=[value_year], y=[values[years.index(value_year)]], mode="markers",
                                 hoverinfo="skip", marker={"color": SPARK_MARK, "size": 9, "symbol": "circle",
                                                           "line": {"color": "white", "width": 1}}))
    fig.update_layout(height=SPARK_HEIGHT, margin={"l": 4, "r": 4, "t": 4, "b": 4}, showlegend=False,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      xaxis={"visible": False, "range": [years[0] - 0.5, years[-1] + 0.5]},
                      yaxis={"visible": False})
    return fig
