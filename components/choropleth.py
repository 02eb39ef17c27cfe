"""The choropleth shared by the map explorer, the category profile and the region builder.

The figure is a plain dict on one plotly ``geo`` subplot (SVG) in an equal-area projection, with
no base layers (no land, coasts, ocean or frame: only our regions are drawn):

- Europe: Lambert azimuthal equal-area rotated to 10° E, 52° N, as Eurostat's ETRS89-LAEA
  (EPSG:3035) maps. The default frame fits the NUTS 2 regions that have data in some year of the
  build, less the outermost regions of TFEU art. 349 (Canarias ES70, Açores PT20, Madeira PT30,
  the French overseas regions FRY1–FRY5; ES7, PT2, PT3 and FRY at NUTS 1; the overseas parts of
  ES, PT and FR at country level): those lie outside the frame and are not drawn unless the
  user pans to them. Regions without any data (Turkey, Svalbard and Jan Mayen NO0B, the Western
  Balkans) do not set the frame either and are cut at its edge (:func:`frame_regions`,
  :func:`eu_view`). Iceland, Norway's mainland and Cyprus have data and set it. The same frame
  is used at every level; the map's legend states the rule (:func:`frame_rule`).
- United States: Albers USA (Alaska and Hawaii in insets), framed to the lower 48.

Geometry is our own GeoJSON fetched by URL (``web.geo.geo_url``, ``featureidkey`` id); plotly.js's
base-map topology request goes to an empty local one (``web.geo``), never to a CDN. Trace 0 is the
regions, trace 1 the members of a custom region outlined (its combined value in their hover),
trace 2 the cluster organisations (the map explorer's ``orgs=on``): one ``scattergeo`` bubble per
region at a point inside its largest polygon (:func:`region_centroids`), area by the number of
organisations, an escaped hover with the first names, the region id in ``customdata`` for clicks;
empty when the layer is off or the level is finer than organisations are located to. Counts come
from ``analytics.serving.organisations.map_counts``.

Geometry, locations and names are sent only with the full figure (the dataset or level changed);
every other change is a ``dash.Patch`` of values, hover texts, colour scale, title and annotations
(:func:`patch_figure`), or of the organisations trace (:func:`patch_orgs`). The figure carries its
title (metric with unit, category, year or window, region level, dataset, benchmark area) at the
top and the source at the bottom, so PNG and SVG exports carry them (:func:`map_title`).

No-data regions get a ``z`` below the data range that the colour scale paints grey; the colour bar
shows that band as "no data" (and a sand shade for "not published"); both are kept apart from
every colour of every scale. Stars use integer ``z`` and the ordered blues of
``components.figures.STAR_COLOURS`` (0 a muted pale blue), ticks "no star", "★", "★★"…. Sequential
scales are viridis / cividis; growth is a diverging blue–white–orange centred on 0 with symmetric
limits ±(95th percentile of |value|), values beyond clipped to the end colours and said so in the
note (:func:`symmetric_limits`). The values come from ``analytics.serving.views.map_values``; this
module only encodes and labels them.
"""
from __future__ import annotations

import logging
import math
import textwrap
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from dash import Patch
from plotly.colors import sample_colorscale
from plotly.colors import sequential as seq

from analytics.metrics.growth import no_growth_reason
from analytics.metrics.stars import get_rules
from analytics.serving import organisations as orgs
from analytics.serving import views
from analytics.serving.cache import memoize
from analytics.serving.store import base_of, get_store
from components.figures import (
    DIVERGING,
    FONT,
    NO_DATA_COLOUR,
    NOT_PUBLISHED_COLOUR,
    STAR_COLOURS,
    STAR_NAMES,
    plot_text,
)
from components.labels import category_name, level_label
from web.geo import geo_url

ALL, CUSTOM = views.ALL, views.CUSTOM
CRITERIA_SHORT = {"size": "size", "specialisation": "LQ", "focus": "focus"}
NOT_PUBLISHED = {"us": "not published (fewer than 3 establishments, or none)"}
CUSTOM_OUTLINE = "#111111"
#: what an imputed cell is, in hovers and the table's flags
IMPUTED_TEXT = {"us": "imputed (withheld by CBP)", "eu": "imputed (confidential in Eurostat)"}
IMPUTED_OUTLINE = "#c51b7d"  # magenta: apart from viridis/cividis, the blue–orange scale and the grey/sand bands
IMPUTED_WIDTH = 1.8
log = logging.getLogger(__name__)

BAND = 0.14  # share of the colour bar painted grey for "no data"
RES = 1000  # continuous z is encoded on 0..RES
PALETTES = {"viridis": seq.Viridis[::-1], "cividis": seq.Cividis[::-1]}
OUTLINE = "rgba(70,70,70,0.45)"


@dataclass
class Scale:
    z: list
    zmin: float
    zmax: float
    colorscale: list
    tickvals: list
    ticktext: list
    note: str = ""


def _nice_step(span: float, n: int = 4) -> float:
    raw = span / max(n, 1)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _tick_label(x: float, fmt: str) -> str:
    if fmt in ("pct", "signed_pct"):
        v = x * 100
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
        return ("+" if fmt == "signed_pct" and v > 0 else "") + text + " %"
    if fmt == "num":
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:,.0f}"


def _palette(colours: str | list, lo_pos: float = BAND, split: bool = False) -> list:
    """Colour scale: the grey "no data" band below ``lo_pos`` (its upper half "not published" when
    ``split``), then the palette."""
    stops = PALETTES[colours] if isinstance(colours, str) else colours
    if isinstance(stops[0], (list, tuple)):
        pos = [p for p, _ in stops]
        cols = [c for _, c in stops]
    else:
        pos = list(np.linspace(0, 1, len(stops)))
        cols = list(stops)
    band = [[0.0, NO_DATA_COLOUR], [lo_pos, NO_DATA_COLOUR]] if not split else [
        [0.0, NO_DATA_COLOUR], [lo_pos / 2, NO_DATA_COLOUR], [lo_pos / 2, NOT_PUBLISHED_COLOUR],
        [lo_pos, NOT_PUBLISHED_COLOUR]]
    return band + [[lo_pos + (1 - lo_pos) * p, c] for p, c in zip(pos, cols)]


def symmetric_limits(values: np.ndarray) -> tuple[float, float, float]:
    """(−m, m, tick step) of a diverging scale: m = the 95th percentile of |value| (the largest |value|
    when that is 0), rounded up to a tick step; values beyond ±m are clipped to the end colours."""
    v = np.abs(np.asarray(values, float))
    v = v[np.isfinite(v)]
    if v.size == 0:
        return -0.01, 0.01, 0.01
    m = float(np.percentile(v, 95)) or float(v.max()) or 0.01
    step = _nice_step(m, 2)
    m = math.ceil(m / step - 1e-9) * step
    return -m, m, step


def continuous(values: np.ndarray, fmt: str, colours: str, diverging: bool = False,
               floor: float | None = None, not_published: np.ndarray | None = None) -> Scale:
    """Linear colours over the 2nd–95th percentile (extremes get the end colours), grey band below
    (its upper half a lighter "not published" shade for the regions flagged in ``not_published``)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        lo, hi, step = 0.0, 1.0, 0.25
        capped_hi = capped_lo = False
    elif diverging:
        lo, hi, step = symmetric_limits(v)
        capped_hi, capped_lo = bool(v.max() > hi), bool(v.min() < lo)
    else:
        p95, p02 = float(np.percentile(v, 95)), float(np.percentile(v, 2))
        lo = 0.0 if v.min() >= 0 and p02 <= 0.35 * p95 else p02
        hi = max(p95, float(v.max()) if v.size < 20 else p95)
        if floor is not None:
            hi = max(hi, floor)
        step = _nice_step(hi - lo if hi > lo else 1.0)
        lo = math.floor(lo / step) * step
        hi = math.ceil(hi / step) * step
        if hi <= lo:
            hi = lo + step
        capped_hi, capped_lo = bool(v.max() > hi), bool(v.min() < lo)
    # z is encoded on 0..RES: [0, BAND·RES] is the grey "no data" band, the data range fills the rest
    # (integers keep the Patch small; the hover shows the real values from customdata).
    def enc(x: float) -> int:
        return int(round(RES * (BAND + (1 - BAND) * (min(max(x, lo), hi) - lo) / (hi - lo))))

    split = not_published is not None and bool(np.any(not_published))
    np_z = round(RES * BAND * 0.75)
    z = [enc(x) if math.isfinite(x) else (np_z if split and not_published[i] else 0) for i, x in enumerate(values)]
    ticks = list(np.arange(lo, hi + step / 2, step))
    labels = [_tick_label(t, fmt) for t in ticks]
    if capped_hi:
        labels[-1] = "≥ " + labels[-1]
    if capped_lo:
        labels[0] = "≤ " + labels[0]
    colourscale = _palette(DIVERGING if diverging else colours, split=split)
    if diverging and v.size:
        note = (f"Colours diverge around 0 with symmetric limits ±{_tick_label(hi, fmt).lstrip('+')} "
                "(the 95th percentile of |value|, rounded up)"
                + ("; regions beyond take the end colour (clipped; hover for values)." if capped_hi or capped_lo
                   else "."))
    else:
        note = "Colours run to the 95th percentile; regions beyond it take the end colour (hover for values)." \
            if (capped_hi or capped_lo) else ""
    if split:
        band_ticks, band_labels = [round(RES * BAND * 0.2), np_z], ["no data", "not publ."]
    else:
        band_ticks, band_labels = [round(RES * BAND / 2)], ["no data"]
    return Scale(z, 0, RES, colourscale, band_ticks + [enc(t) for t in ticks], band_labels + labels, note)


def star_colours(kmax: int) -> list[str]:
    """The ordered star scale, 0..kmax: ``components.figures.STAR_COLOURS`` (0 a muted pale blue, then
    ever darker blues), more classes sampled from the same blues."""
    if all(k in STAR_COLOURS for k in range(kmax + 1)):
        return [STAR_COLOURS[k] for k in range(kmax + 1)]
    return [STAR_COLOURS[0]] + sample_colorscale([[0, STAR_COLOURS[1]], [1, STAR_COLOURS[max(STAR_COLOURS)]]],
                                                 list(np.linspace(0, 1, kmax)))


def star_label(k: int) -> str:
    """A star class as the colour bar names it: "no star", "★", "★★" …"""
    return STAR_NAMES.get(k, "★" * k if k else "no star")


def stepped(values: np.ndarray, kmax: int, not_published: np.ndarray | None = None) -> Scale:
    """Integer classes 0..kmax as hard colour steps (no data = −1, grey; not published = −1 in a
    lighter shade, no data then −2); ticks at every class, named "no star", "★", "★★" …"""
    split = not_published is not None and bool(np.any(not_published))
    low = [NO_DATA_COLOUR, NOT_PUBLISHED_COLOUR] if split else [NO_DATA_COLOUR]
    n = kmax + 1 + len(low)
    cols = low + star_colours(kmax)
    scale = []
    for i, c in enumerate(cols):
        scale += [[i / n, c], [(i + 1) / n, c]]
    first = -len(low)
    if split:
        z = [int(x) if math.isfinite(x) else (-1 if not_published[i] else -2) for i, x in enumerate(values)]
        labels = ["no data / not rated", "not published"]
    else:
        z = [-1 if not math.isfinite(x) else int(x) for x in values]
        labels = ["no data / not rated"]
    labels += [star_label(k) for k in range(kmax + 1)]
    return Scale(z, first - 0.5, kmax + 0.5, scale, list(range(first, kmax + 1)), labels)


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown: column in the view table, titles with units, scale kind, format."""

    column: str  # value column in the CSV (unformatted)
    title: str  # colour-bar title with units
    hover_label: str  # label in the hover card
    unit: str  # unit after the number in the hover card ("" for none)
    scale: str  # "sequential" | "diverging" | "steps"
    fmt: str  # "int" | "pct" | "num" | "signed_pct" | "stars"
    colours: str = "viridis"  # "viridis" | "cividis"


def metric_info(dataset: str, category: str, metric: str, year: int, start_year: int | None,
                rules: str, denominator: str) -> MetricInfo:
    meta = get_store(dataset).meta
    area = get_store(base_of(dataset)).meta["label"]  # "Europe" also under the derived categories
    currency = meta.get("currency", "")
    growth_span = f"{start_year}–{year}" if start_year else f"to {year}"
    lq_basis = "total employment" if denominator == "total" else "traded/local employment"
    if category == ALL:
        return {
            "employment": MetricInfo("total_employment", "Total employment (persons)", "Total employment", "persons",
                                     "sequential", "int"),
            "size": MetricInfo("employment_share", f"Share of {area} employment (%)", f"Share of {area} employment",
                               "%", "sequential", "pct"),
            "lq": MetricInfo("cluster_strength", f"Cluster strength (% of employment in clusters with LQ > 2, "
                             f"LQ on {lq_basis})", "Cluster strength", "% of employment", "sequential", "pct"),
            "focus": MetricInfo("traded_share", "Traded share of employment (%)", "Traded share", "% of employment",
                                "sequential", "pct"),
            "stars": MetricInfo("n_starred", f"Clusters with ≥ 1 star ({get_rules(rules).label}; count)",
                                "Starred clusters", "", "sequential", "int"),
            "growth": MetricInfo("total_growth", f"CAGR of total employment {growth_span} (% per year)",
                                 f"Growth {growth_span}", "% per year", "diverging", "signed_pct"),
            "wage": MetricInfo("avg_wage", f"Average wage, all clusters ({currency} per person)",
                               "Average wage", f"{currency} per person", "sequential", "int"),
        }[metric]
    return {
        "employment": MetricInfo("employment", "Employment (persons)", "Employment", "persons", "sequential", "int"),
        "size": MetricInfo("size_share", f"Share of the category's {area} employment (%)", "Size share",
                           f"% of the category in {area}", "sequential", "pct"),
        "lq": MetricInfo("lq", f"Location quotient (1 = {area} average; on {lq_basis})", "Location quotient", "",
                         "sequential", "num"),
        "focus": MetricInfo("focus", "Focus (% of the region's employment)", "Focus", "% of the region's employment",
                            "sequential", "pct"),
        "stars": MetricInfo("stars", f"Stars ({get_rules(rules).label})", "Stars", "", "steps", "stars"),
        "growth": MetricInfo("cagr", f"CAGR {growth_span} (% per year)", f"Growth {growth_span}", "% per year",
                             "diverging", "signed_pct"),
        "wage": MetricInfo("avg_wage", f"Average wage ({currency} per person)", "Average wage",
                           f"{currency} per person", "sequential", "int"),
    }[metric]



def fmt_value(x, fmt: str) -> str:
    """A map value as the hover card shows it (no unit; 'no data' when missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "no data"
    if fmt == "int":
        return f"{x:,.0f}"
    if fmt == "num":
        return f"{x:,.2f}"
    if fmt == "pct":
        v = x * 100
        return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"
    if fmt == "signed_pct":
        return f"{x * 100:+,.1f}"
    if fmt == "stars":
        return f"{int(x)} star{'s' if int(x) != 1 else ''}"
    return str(x)




def not_published_text(dataset: str) -> str:
    return NOT_PUBLISHED.get(base_of(dataset), "not published")


def max_stars(rules: str) -> int:
    r = get_rules(rules)
    return int(getattr(r, "max_stars", len(r.criteria)))


def stars_texts(frame: pd.DataFrame, rules: str) -> pd.Series:
    """"2/3 (size, LQ)" per row: the stars out of the maximum and the criteria met; "not rated" for
    local categories; "" where the region has no row."""
    rated = frame["rated"].astype("boolean").fillna(False).astype(bool) & frame["stars"].notna()
    stars = pd.to_numeric(frame["stars"], errors="coerce").fillna(0).astype(int).astype(str)
    met = pd.Series("", index=frame.index)
    for c in get_rules(rules).criteria:
        if f"star_{c}" in frame:
            hit = frame[f"star_{c}"].astype("boolean").fillna(False).astype(bool)
            met = met.where(~hit, met + np.where(met == "", "", ", ") + CRITERIA_SHORT.get(c, c))
    text = stars + f"/{max_stars(rules)}" + np.where(met == "", "", " (" + met + ")")
    out = text.where(rated, "not rated")
    return out.where(frame["has_row"].astype(bool), "")


def view_args(state: dict) -> tuple:
    """The arguments of ``views.map_values`` for a map state."""
    start = state.get("start_year") if state["metric"] == "growth" else None
    return (state["dataset"], state["level"], state["category"], state["metric"], state["year"], start,
            state["rules"], state["denominator"], state.get("ccat") if state["category"] == CUSTOM else None,
            state.get("creg"))


def view_frame(state: dict) -> pd.DataFrame:
    """The map's values with their texts: stars_text ("2/3 (size, LQ)", or the starred count) and
    flags ("imputed", "incomplete", "not published"); memoized per view."""
    return _view_frame(*view_args(state))


@memoize
def _view_frame(ds, level, cat, metric, year, start, rules, den, ccat, creg) -> pd.DataFrame:
    frame = views.map_values(ds, level, cat, metric, year, start, rules, den, ccat, creg)
    if cat == ALL:
        frame["stars_text"] = frame["n_starred"].map(lambda n: "" if pd.isna(n) else f"{int(n)}")
        frame["flags"] = ["; ".join(([f"{int(a)} imputed"] if a and a > 0 else [])
                                    + ([f"{int(b)} incomplete"] if b and b > 0 else []))
                          for a, b in zip(frame["imputed_clusters"].fillna(0), frame["incomplete_clusters"].fillna(0))]
    else:
        frame["stars_text"] = stars_texts(frame, rules)
        imputed = frame["employment_imputed"].astype("boolean").fillna(False).astype(bool)
        missing = frame["missing_parts"].fillna(0).astype(int)
        flags = np.where(imputed, IMPUTED_TEXT.get(base_of(ds), "imputed"), "")
        parts = np.where(missing > 0, "incomplete: " + missing.astype(str) + " parts missing", "")
        frame["flags"] = [f"{a}; {b}" if a and b else (a or b) for a, b in zip(flags, parts)]
        frame.loc[frame["not_published"], "flags"] = not_published_text(ds)
    return frame


def info_for(state: dict) -> MetricInfo:
    start = state.get("start_year") if state["metric"] == "growth" else None
    return metric_info(state["dataset"], state["category"], state["metric"], state["year"], start,
                       state["rules"], state["denominator"])


# --- figure ------------------------------------------------------------------------------------------

def trace_update(state: dict) -> dict:
    """The per-view part of the figure: the regions' z, customdata, hover, colour scale and bar,
    and the custom region's layer."""
    return _trace_update(*view_args(state))


@memoize
def _trace_update(ds, level, cat, metric, year, start, rules, den, ccat, creg) -> dict:
    state = {"dataset": ds, "level": level, "category": cat, "metric": metric, "year": year, "start_year": start,
             "rules": rules, "denominator": den, "ccat": ccat, "creg": creg}
    full = view_frame(state)
    frame = full[~full["custom"]]
    info = info_for(state)
    values = frame["value"].to_numpy(dtype=float)
    not_published = frame["not_published"].to_numpy(dtype=bool)
    if info.scale == "steps":
        scale = stepped(values, max_stars(rules), not_published=not_published)
    else:
        scale = continuous(values, info.fmt, info.colours, diverging=info.scale == "diverging",
                           floor=2.0 if info.column == "lq" else None, not_published=not_published)
    np_text = not_published_text(ds)
    n = int(frame["rank_n"].iloc[0]) if len(frame) else 0
    steps = info.scale == "steps"
    show_stars = not steps and not (cat == ALL and metric == "stars")
    customdata = []
    for value, rank, stext, flags, has_row, unpublished in zip(
            values, frame["rank"], frame["stars_text"], frame["flags"], frame["has_row"], not_published):
        customdata.append(_hover_row(value, rank, stext, flags, has_row, unpublished, info, steps, show_stars,
                                     np_text))
    unit = f" ({info.unit})" if info.unit else ""
    stars_line = "" if not show_stars else \
        ("<br>Starred clusters: %{customdata[2]}" if cat == ALL else "<br>Stars: %{customdata[2]}")
    hover = (f"<b>%{{text}}</b> (%{{location}})<br>{info.hover_label}{unit}: %{{customdata[0]}}"
             f"<br>Rank: %{{customdata[1]}} (of {n:,} with data){stars_line}"
             f"<br>{'Data (clusters)' if cat == ALL else 'Data'}: %{{customdata[3]}}<extra></extra>")
    regions = {
        "z": scale.z, "zmin": scale.zmin, "zmax": scale.zmax, "zauto": False, "customdata": customdata,
        "hovertemplate": hover, "hovertemplatefallback": "no data", "colorscale": scale.colorscale,
        "colorbar": _colourbar(info.title, scale), "showscale": bool(np.isfinite(values).any()),
        "marker": _outlines(frame, cat),
        "meta": {"note": scale.note, "view": [ds, level, cat, metric, year, start, rules, den]
                 + ([ccat] if cat == CUSTOM else []) + ([creg] if creg else [])},
    }
    return {"regions": regions, "custom": _custom_layer(state, full, info, steps, show_stars, n),
            "message": growth_message(state)}


def _outlines(frame: pd.DataFrame, cat: str) -> dict:
    """Region outlines: imputed regions of a one-category view drawn in magenta (arrays only when
    the view has any, so other views' Patches stay small)."""
    imputed = imputed_mask(frame, cat)
    if not imputed.any():
        return {"line": {"color": OUTLINE, "width": 0.6}}
    # per-region arrays with the shortest spellings (the grey ≈ OUTLINE over the scale colours)
    return {"line": {"color": np.where(imputed, IMPUTED_OUTLINE, "#999").tolist(),
                     "width": [IMPUTED_WIDTH if x else 0.6 for x in imputed]}}


def imputed_mask(frame: pd.DataFrame, cat: str) -> np.ndarray:
    if cat == ALL or "employment_imputed" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return (frame["employment_imputed"].astype("boolean").fillna(False).astype(bool)
            & frame["value"].notna()).to_numpy()


def growth_message(state: dict) -> str:
    """Why a growth map is empty (no valid start year), or the label of a window across a break;
    '' otherwise."""
    if state["metric"] != "growth":
        return ""
    ds, year, start = state["dataset"], state["year"], state.get("start_year")
    if start is None or int(start) >= int(year):
        return no_growth_reason(ds, get_store(ds).level_years(state["level"]), year, start)
    return " ".join(views.growth_notes(ds, start, year, (state.get("ccat"),) if state.get("category") == CUSTOM else ()))


def _annotations(message: str, state: dict | None = None) -> list[dict]:
    """The growth message over the map (empty map), if any, then the source line at the bottom."""
    out = []
    if message:
        text = "<br>".join(textwrap.wrap(_esc(message), 72))  # annotations do not wrap by themselves
        out.append({"text": text, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.98, "xanchor": "center",
                    "yanchor": "top", "showarrow": False, "align": "left",
                    "bgcolor": "rgba(255,255,255,0.92)", "bordercolor": "#6c757d", "borderwidth": 1, "borderpad": 8,
                    "font": {"size": 14, "color": "#2c3e50"}})
    if state is not None:
        out.append(_source_annotation(state))
    return out


def _hover_row(value, rank, stext, flags, has_row, unpublished, info, steps, show_stars, np_text) -> list:
    if unpublished:
        return ["not published", "n/a", "n/a" if show_stars else "", np_text]
    if steps and stext:
        shown = stext  # "2/3 (size, LQ)" or "not rated"
    else:
        shown = fmt_value(value, info.fmt) if math.isfinite(value) else "no data"
    rank_shown = int(rank) if math.isfinite(value) and not pd.isna(rank) else "n/a"  # numbers: fewer bytes
    stars_shown = (int(stext) if stext.isdigit() else stext or "n/a") if show_stars else ""
    if math.isfinite(value) or (steps and stext == "not rated"):
        return [shown, rank_shown, stars_shown, flags or "ok"]
    if has_row or flags:  # a value the source should have: say why it is missing
        return [shown, rank_shown, stars_shown, flags or "value missing"]
    return []  # nothing for this region in this view: every field shows the fallback "no data"


def _custom_layer(state: dict, full, info, steps, show_stars, n) -> dict:
    """The custom region's members outlined, each hover showing the custom region's combined value."""
    empty = {"geojson": {"type": "FeatureCollection", "features": []}, "locations": [], "z": [], "customdata": [],
             "text": [], "hovertemplate": ""}
    creg = state.get("creg")
    if not creg:
        return empty
    ds = state["dataset"]
    store = get_store(ds)
    cr = views.parse_region(ds, creg)
    row = full[full["custom"]]
    if row.empty:
        return empty
    r = row.iloc[0]
    feats = []
    for m in cr.members:
        level = store.region_levels.get(m)
        if level and store.has_geometry(level):
            feats += [f for f in store.geometry(level)["features"] if str(f["id"]) == m]
    value = float(r["value"]) if pd.notna(r["value"]) else float("nan")
    hover_row = _hover_row(value, r["rank"], r["stars_text"], r["flags"], r["has_row"], False, info, steps,
                           show_stars, "")
    if hover_row:
        hover_row[1] = f"would rank {hover_row[1]}" if isinstance(hover_row[1], int) else hover_row[1]
    unit = f" ({info.unit})" if info.unit else ""
    hover = (f"<b>{_esc(cr.name)}</b> (custom region: {' + '.join(cr.members)})<br>member %{{text}} "
             f"(%{{location}})<br>{info.hover_label}{unit} of {_esc(cr.name)}: %{{customdata[0]}}"
             f"<br>Rank: %{{customdata[1]}} (of {n + 1:,})<extra></extra>")
    names = store.region_names
    return {"geojson": {"type": "FeatureCollection", "features": feats}, "locations": [str(f["id"]) for f in feats],
            "z": [1] * len(feats), "customdata": [hover_row or ["no data", "n/a", "", ""]] * len(feats),
            "text": [str(names.get(str(f["id"]), f["id"])) for f in feats], "hovertemplate": hover}


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _colourbar(title: str, scale: Scale) -> dict:
    return {
        "title": {"text": title, "side": "top", "font": {"size": 13}},
        "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "bottom", "yref": "paper",
        "len": 0.9, "thickness": 14, "outlinewidth": 0,
        "tickmode": "array", "tickvals": scale.tickvals, "ticktext": scale.ticktext, "tickfont": {"size": 13},
    }


def full_figure(state: dict, height: int | None = None) -> dict:
    """The whole figure: geometry of the level (by URL) plus the view's values, the custom region
    layer and the organisations layer, on the dataset's projection (:func:`geo_view`), with its title
    at the top and its source at the bottom (both in the figure: exports carry them)."""
    ds, level = state["dataset"], state["level"]
    store = get_store(ds)
    ids, names = store.map_regions(level)
    upd = trace_update(state)
    trace = {
        "type": "choropleth", "geojson": geo_url(ds, level), "locations": list(ids),  # fetched and cached
        "featureidkey": "id", "text": list(names), "marker": {"line": {"color": OUTLINE, "width": 0.6}},
        "hoverlabel": {"align": "left"}, "name": "",
    }
    trace.update(upd["regions"])
    custom_trace = {"type": "choropleth", "featureidkey": "id", "showscale": False, "zmin": 0, "zmax": 1,
                    "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "name": "custom region",
                    "marker": {"line": {"color": CUSTOM_OUTLINE, "width": 2.5}}, "hoverlabel": {"align": "left"}}
    custom_trace.update(upd["custom"])
    layout = {
        "geo": {**geo_view(ds), "domain": {"x": [0, 1], "y": [MAP_BOTTOM, 1]}},
        "margin": {"l": 4, "r": 4, "t": TITLE_MARGIN, "b": SOURCE_MARGIN}, "uirevision": f"{ds}/{level}",
        "title": map_title(state),
        "font": {"family": FONT, "color": "#2c3e50", "size": 13}, "paper_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"size": 13, "family": FONT}},
        "clickmode": "event", "showlegend": False, "dragmode": "pan",
        "modebar": {"orientation": "v"},  # down the right edge: the title keeps the top
        # regions without a profile (never in the data): a click on them opens nothing (pages/map/callbacks.py)
        "meta": {"unlinked": unlinked_regions(ds, level)},
        "annotations": _annotations(upd["message"], state),
    }
    if height:
        layout["height"] = height
    return {"data": [trace, custom_trace, orgs_trace(state)], "layout": layout}


MAP_BOTTOM = 0.16  # the map's share of the plot height starts here; the colour bar sits below
TITLE_MARGIN, SOURCE_MARGIN = 60, 46  # px above the plot (two title lines) and below it (two source lines)
SOURCE_CHARS = 140  # a source line wraps after this many characters


def map_title(state: dict) -> dict:
    """The figure's title: what is mapped (the metric with its unit, star rules or LQ basis), then the
    category, the year (or growth window), the region level, the dataset and the benchmark area."""
    ds = state["dataset"]
    meta = get_store(ds).meta
    info = info_for(state)
    cat = state["category"]
    if cat == ALL:
        cat_name = "All categories (region totals)"
    elif cat == CUSTOM:
        cat_name = "Custom category"
        try:
            cat_name = "Custom category " + views.parse_category(ds, state.get("ccat")).name
        except Exception:  # noqa: BLE001 - a name is a nicety; the map still says it is a custom category
            pass
    else:
        cat_name = category_name(ds, cat)
    year = state["year"]
    when = f"{state['start_year']}–{year}" if state["metric"] == "growth" and state.get("start_year") else str(year)
    line2 = (f"{cat_name} · {when} · {level_label(ds, state['level'])} · {meta['label']} · "
             f"benchmark: {meta.get('benchmark_area', meta['label'])}")
    text = f"<b>{plot_text(info.title)}</b><br><span style='font-size:13px'>{plot_text(line2)}</span>"
    return {"text": text, "x": 0.005, "xanchor": "left", "y": 1, "yanchor": "top", "yref": "container",
            "pad": {"t": 18}, "font": {"size": 16, "color": "#2c3e50"}}


def map_source(state: dict) -> str:
    """The source line at the figure's bottom (wrapped on two lines at most)."""
    meta = get_store(state["dataset"]).meta
    lines = textwrap.wrap(" ".join(str(meta.get("source", "")).split()), SOURCE_CHARS)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), SOURCE_CHARS, placeholder="…")]
    return "<br>".join(plot_text(line) for line in lines)


def _source_annotation(state: dict) -> dict:
    return {"text": map_source(state), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
            "yanchor": "top", "yshift": -6, "showarrow": False, "align": "left", "name": "source",
            "font": {"size": 13, "color": "#5d6d7e"}}


def unlinked_regions(dataset: str, level: str) -> list[str]:
    """Map regions that have no region profile (never in the data)."""
    store = get_store(dataset)
    known = set(store.level_metrics(level)["region_id"].unique())
    return [r for r in store.map_regions(level)[0] if r not in known]


def patch_figure(state: dict) -> Patch:
    """Only the view's values: z, customdata, hover, colour scale and bar, and the custom layer."""
    p = Patch()
    upd = trace_update(state)
    for key, value in upd["regions"].items():
        p["data"][0][key] = value
    for key, value in upd["custom"].items():
        p["data"][1][key] = value
    p["layout"]["annotations"] = _annotations(upd["message"], state)
    p["layout"]["title"]["text"] = map_title(state)["text"]
    return p


def no_data_states(state: dict) -> list[str]:
    """US county maps: the states (postal codes) without county data in the source."""
    if base_of(state["dataset"]) != "us" or state["level"] != "county":
        return []
    names = get_store("us").quality.get("states_without_county_data", [])
    st = get_store("us").regions
    postal = st[st["level"] == "state"].set_index("region_id")["state"]
    out = []
    for n in names:  # "California (06)"
        fips = n.rsplit("(", 1)[-1].rstrip(")")
        out.append(str(postal.get(fips, n)))
    return out


def legend_note(state: dict) -> str:
    if state["metric"] == "growth" and (state.get("start_year") is None or int(state["start_year"]) >= int(state["year"])):
        return growth_message(state)  # nothing is drawn: say why, not how many regions are grey
    frame = view_frame(state)
    frame = frame[~frame["custom"]]
    n_data = int(frame["value"].notna().sum())
    n_unpub = int(frame["not_published"].sum())
    stars = state["metric"] == "stars" and state["category"] != ALL
    local = stars and not frame["rated"].fillna(False).astype(bool).any()
    parts = [f"Grey = no data: {len(frame) - n_data - n_unpub:,} of {len(frame):,} regions"
             + (" (a local category: not rated)" if local else "") + "."]
    if n_unpub:
        parts.append(f"Light sand = {not_published_text(state['dataset'])}: {n_unpub:,} regions with data "
                     "that year but no published figure for this category.")
    n_imp = int(imputed_mask(frame, state["category"]).sum())
    if n_imp:
        parts.append(f"Magenta outline = {IMPUTED_TEXT.get(base_of(state['dataset']), 'imputed')}: {n_imp:,} regions whose "
                     "value includes an estimate (see the methodology page).")
    missing_states = no_data_states(state)
    if missing_states:
        parts.append(f"No county data in the source for {', '.join(missing_states)}: their counties show as no "
                     "data. Where a network exists, the command “python -m analytics download --dataset us --geo "
                     "county” fetches them from the Census API (then rebuild).")
    if stars:
        parts.append("One star per criterion met; hover a region for which.")
    if state.get("creg"):
        cr = views.parse_region(state["dataset"], state["creg"])
        parts.append(f"Black outline = the custom region {cr.name} ({' + '.join(cr.members)}); hover a member "
                     "for its combined value.")
    note = trace_update(state)["regions"]["meta"]["note"]
    if note:
        parts.append(note)
    if growth_message(state):
        parts.insert(0, growth_message(state))
    if state.get("orgs") == "on":
        parts.append(orgs_note(state))
    parts.append(frame_rule(state["dataset"]))
    return " ".join(parts)


# --- the cluster organisations layer -----------------------------------------------------------------

ORGS_COLOUR = "#d7301f"  # red: stands out on viridis, cividis and the blue–orange growth scale
ORGS_OPACITY = 0.7
ORGS_MAX_PX, ORGS_MIN_PX = 34, 6  # bubble diameters (the largest count; the floor for small ones)
ORGS_NAMES = 10  # names listed in a bubble's hover
ORGS_NAME_CHARS = 50  # longer names are cut in the hover (the card stays narrow enough for a phone)


def directory_href(**filters) -> str:
    """A link to the organisations directory with these filters (``dataset=eu, region=DE11``).

    A stand-in for ``ORGANISATIONS.href`` of ``components.routes`` (kept here until the
    integrator swaps it in)."""
    import dash

    path = "/organisations"
    try:
        path = dash.get_relative_path(path)
    except Exception:  # noqa: BLE001 - no app yet (a script): a root-relative link
        pass
    query = {k: v for k, v in filters.items() if v not in (None, "")}
    return path + ("?" + urlencode(query) if query else "")


@memoize
def region_centroids(dataset: str, level: str) -> dict[str, list[float]]:
    """``[lon, lat]`` of each map region at ``level``, inside its largest polygon (its centroid
    when that falls inside, else a point surely inside), so islands and overseas parts do not pull
    a bubble into the sea. Computed once per level and build (memoized)."""
    from shapely.geometry import shape

    out: dict[str, list[float]] = {}
    for f in get_store(dataset).geometry(level)["features"]:
        if not f.get("geometry"):
            continue
        geom = shape(f["geometry"])
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        point = geom.centroid
        if not geom.contains(point):
            point = geom.representative_point()
        out[str(f["id"])] = [round(point.x, 4), round(point.y, 4)]
    return out


def orgs_hover(region: str, count: int, names, limit: int = ORGS_NAMES) -> str:
    """A bubble's hover: the region, the count, up to ``limit`` names (cut at ``ORGS_NAME_CHARS``)
    and "… and N more"; every name and the region escaped (user-provided names must never render
    as HTML)."""
    if isinstance(names, str):
        names = [n for n in names.split("; ") if n]
    shown = list(names if names is not None else [])[:limit]
    lines = [f"<b>{plot_text(region)}</b>", f"{count:,} cluster organisation{'' if count == 1 else 's'}"]
    lines += ["· " + plot_text(n if len(str(n)) <= ORGS_NAME_CHARS else str(n)[:ORGS_NAME_CHARS - 1].rstrip() + "…")
              for n in shown]
    if count > len(shown):
        lines.append(f"… and {count - len(shown):,} more")
    lines.append("Click to list them in the directory")
    return "<br>".join(lines)


def orgs_bubbles(counts: pd.DataFrame, centroids: dict, region_names: dict) -> dict:
    """The layer's data from :func:`analytics.serving.organisations.map_counts` rows (region_id,
    count, names): one bubble per region with a centroid, area ∝ count (the largest
    ``ORGS_MAX_PX`` wide), larger ones drawn first so small ones stay on top; ``customdata`` the
    region id. Regions without a centroid (not on this map) are left out."""
    c = counts[counts["region_id"].isin(list(centroids))].sort_values(["count", "region_id"],
                                                                    ascending=[False, True])
    top = int(c["count"].max()) if len(c) else 1
    sizes = [round(max(ORGS_MIN_PX, ORGS_MAX_PX * math.sqrt(int(n) / top)), 1) for n in c["count"]]
    labels = [f"{region_names.get(r, r)} ({r})" for r in c["region_id"]]
    return {
        "lon": [centroids[r][0] for r in c["region_id"]], "lat": [centroids[r][1] for r in c["region_id"]],
        "marker": {"size": sizes, "color": ORGS_COLOUR, "opacity": ORGS_OPACITY},
        "hovertext": [orgs_hover(lab, int(n), names) for lab, n, names in zip(labels, c["count"], c["names"])],
        "customdata": list(c["region_id"]), "hoverinfo": "text",
    }


def _empty_orgs(note: str) -> tuple[dict, str]:
    """No bubbles: one point of size 0 that nothing hovers (a trace that keeps one point stays in
    place above the regions when the layer is switched on again)."""
    return {"lon": [0.0], "lat": [0.0], "marker": {"size": [0], "color": ORGS_COLOUR, "opacity": 0},
            "hovertext": [""], "customdata": [None], "hoverinfo": "skip"}, note


def orgs_layer(state: dict) -> dict:
    """The organisations trace's data for a map state (empty when the layer is off)."""
    return _orgs_view(state)[0]


def orgs_note(state: dict) -> str:
    """What the legend says of the organisations layer: what the bubbles are, how many are drawn
    (or why none are) and the source ("" when the layer is off)."""
    return _orgs_view(state)[1]


def _orgs_view(state: dict) -> tuple[dict, str]:
    ds, level = state["dataset"], state["level"]
    if state.get("orgs") != "on":
        return _empty_orgs("")
    source = orgs.SOURCES.get(ds, "")
    if not orgs.map_placeable(ds, level):
        where = orgs.LOCATED_TO.get(ds, "coarser regions")
        return _empty_orgs(f"Cluster organisations: organisations are located to {where} only, so none are drawn "
                           f"at this level; pick a coarser region level. {source}")
    try:
        counts = orgs.map_counts(ds, level)
        summary = orgs.located_summary(ds)
    except Exception as exc:  # noqa: BLE001 - the layer must not break the map
        log.warning("organisations not available for the map layer (%s: %s)", type(exc).__name__, exc)
        return _empty_orgs("Cluster organisations: the organisation data could not be read, so none are drawn.")
    store = get_store(ds)
    ids_, names = store.map_regions(level)
    region_names = dict(zip(ids_, names))
    layer = orgs_bubbles(counts, region_centroids(ds, level), region_names)
    if not layer["lon"]:
        layer = _empty_orgs("")[0]
    drawn_rows = counts[counts["region_id"].isin(set(layer["customdata"]))]
    drawn = int(drawn_rows["count"].sum())
    if drawn_rows.empty:
        note = (f"Cluster organisations: none of the {summary['total']:,} organisations of this dataset is located "
                "in a region of this map, so no bubble is drawn (the directory lists them, region unknown). ")
    else:
        big = drawn_rows.sort_values("count", ascending=False).iloc[0]
        note = (f"Red bubbles = cluster organisations located in the region (area by number; the largest: "
                f"{int(big['count']):,} in {region_names.get(big['region_id'], big['region_id'])}): {drawn:,} of "
                f"{summary['total']:,} organisations drawn")
        rest = summary["total"] - drawn
        note += (f" ({rest:,} not: region unknown, or a region this map does not have). " if rest else ". ")
        note += "Hover a bubble for names; click it for the directory. "
    return layer, note + source


def orgs_trace(state: dict) -> dict:
    """The organisations layer as the figure's third trace (empty when the layer is off)."""
    trace = {"type": "scattergeo", "mode": "markers", "name": "cluster organisations", "hoverinfo": "text",
             "hoverlabel": {"align": "left"}, "showlegend": False, "meta": {"layer": "orgs"}}
    trace.update(orgs_layer(state))
    return trace


def patch_orgs(p: Patch, state: dict) -> Patch:
    """Add the organisations layer of ``state`` to a Patch (the toggle changed, the geometry did not)."""
    for key, value in orgs_layer(state).items():
        p["data"][2][key] = value
    return p


# --- projections and framing ------------------------------------------------------------------------

#: TFEU art. 349 outermost regions (NUTS 2 and NUTS 1 codes; countries hold them as overseas parts)
OUTERMOST = {"ES70": "Canarias", "PT20": "Região Autónoma dos Açores", "PT30": "Região Autónoma da Madeira",
             "FRY1": "Guadeloupe", "FRY2": "Martinique", "FRY3": "Guyane", "FRY4": "La Réunion", "FRY5": "Mayotte",
             "ES7": "Canarias", "PT2": "Açores", "PT3": "Madeira", "FRY": "RUP FR — Régions ultrapériphériques"}
EU_ROTATION = {"lon": 10.0, "lat": 52.0}  # ETRS89-LAEA (EPSG:3035) is centred on 10° E, 52° N
FRAME_MARGIN = 0.97  # the framed data fill this share of the frame in the limiting dimension
US_RANGES = {"lon": [-125.0, -66.5], "lat": [24.0, 49.6]}  # the lower 48; Albers USA puts Alaska and Hawaii in insets


def _laea(lon, lat, lon0: float, lat0: float):
    """Spherical Lambert azimuthal equal-area (as d3's ``geoAzimuthalEqualArea``), centred on lon0/lat0."""
    lam, phi = np.radians(np.asarray(lon, float) - lon0), np.radians(np.asarray(lat, float))
    p0 = math.radians(lat0)
    k = np.sqrt(2 / (1 + math.sin(p0) * np.sin(phi) + math.cos(p0) * np.cos(phi) * np.cos(lam)))
    return k * np.cos(phi) * np.sin(lam), k * (math.cos(p0) * np.sin(phi) - math.sin(p0) * np.cos(phi) * np.cos(lam))


def _laea_inverse(x: float, y: float) -> tuple[float, float]:
    """Inverse of the raw (unrotated) azimuthal equal-area projection: ``(lon, lat)`` in degrees."""
    rho = math.hypot(x, y)
    if rho < 1e-12:
        return 0.0, 0.0
    c = 2 * math.asin(min(rho / 2, 1.0))
    return math.degrees(math.atan2(x * math.sin(c), rho * math.cos(c))), math.degrees(math.asin(y * math.sin(c) / rho))


def _great_circle(a, b, n: int = 24) -> np.ndarray:
    """Points along the great-circle arc from lon/lat ``a`` to ``b`` (d3 draws polygon edges so)."""
    def xyz(p):
        lo, la = np.radians(p)
        return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    u, v = xyz(a), xyz(b)
    omega = math.acos(min(1.0, max(-1.0, float(u @ v))))
    if omega < 1e-9:
        return np.array([a, b], float)
    t = np.linspace(0, 1, n)[:, None]
    p = (np.sin((1 - t) * omega) * u + np.sin(t * omega) * v) / math.sin(omega)
    return np.column_stack([np.degrees(np.arctan2(p[:, 1], p[:, 0])), np.degrees(np.arcsin(p[:, 2]))])


def _range_box(lon: list, lat: list) -> np.ndarray:
    """plotly.js's ``makeRangeBox`` (the lon/lat box it fits into the plot), edges as great circles."""
    pad = 1e-3
    lon0, lon1, lat0, lat1 = lon[0] + pad, lon[1] - pad, lat[0] + pad, lat[1] - pad
    d = (lon1 - lon0) / 4
    corners = [(lon0, lat0), (lon0, lat1), (lon0 + d, lat1), (lon0 + 2 * d, lat1), (lon0 + 3 * d, lat1),
               (lon1, lat1), (lon1, lat0), (lon1 - d, lat0), (lon1 - 2 * d, lat0), (lon1 - 3 * d, lat0), (lon0, lat0)]
    return np.vstack([_great_circle(corners[i], corners[i + 1]) for i in range(len(corners) - 1)])


def _points(geometry: dict) -> np.ndarray:
    pts = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            pts.append(c[:2])
        else:
            for part in c:
                walk(part)
    walk(geometry["coordinates"])
    return np.asarray(pts, float)


@memoize
def frame_regions(dataset: str) -> tuple[str, tuple[str, ...]]:
    """(level, regions) that set a dataset's default frame: Europe's NUTS 2 regions with data in some
    year of the build, less the outermost regions (TFEU art. 349), which are left out of the frame.
    Regions without any data (Turkey, Svalbard and Jan Mayen NO0B, Serbia …) do not set the frame
    either; they are drawn as far as the frame reaches. The US has no such rule (Albers USA)."""
    store = get_store(dataset)
    level = store.meta.get("benchmark_level") or store.meta["default_level"]
    with_data = set(store.level_metrics(level)["region_id"].astype(str).unique())
    return level, tuple(r for r in store.map_regions(level)[0] if r in with_data and r not in OUTERMOST)


@memoize
def eu_view(dataset: str) -> dict:
    """The geo view of an azimuthal equal-area map rotated to 10° E, 52° N that frames
    :func:`frame_regions`: lon/lat ranges of their box, ``projection.scale`` and ``center`` so that
    their projected extent fills ``FRAME_MARGIN`` of the frame plotly.js fits to that box."""
    level, keep = frame_regions(dataset)
    wanted = set(keep)
    feats = [f for f in get_store(dataset).geometry(level)["features"] if str(f["id"]) in wanted and f.get("geometry")]
    pts = np.vstack([_points(f["geometry"]) for f in feats])
    lon = [math.floor(pts[:, 0].min() * 2) / 2, math.ceil(pts[:, 0].max() * 2) / 2]
    lat = [math.floor(pts[:, 1].min() * 2) / 2, math.ceil(pts[:, 1].max() * 2) / 2]
    lon0, lat0 = EU_ROTATION["lon"], EU_ROTATION["lat"]
    dx, dy = _laea(pts[:, 0], pts[:, 1], lon0, lat0)
    box = _range_box(lon, lat)
    bx, by = _laea(box[:, 0], box[:, 1], lon0, lat0)
    scale = FRAME_MARGIN * min((bx.max() - bx.min()) / (dx.max() - dx.min()), (by.max() - by.min()) / (dy.max() - dy.min()))
    # plotly.js puts geo.center at the frame's middle; the centre is given in the rotated frame plus the rotation
    clon, clat = _laea_inverse((dx.max() + dx.min()) / 2, (dy.max() + dy.min()) / 2)
    return {"projection": {"type": "azimuthal equal area", "rotation": {**EU_ROTATION, "roll": 0},
                           "scale": round(float(scale), 4)},
            "center": {"lon": round(clon + lon0, 4), "lat": round(clat + lat0, 4)},
            "lonaxis": {"range": lon}, "lataxis": {"range": lat}}


def geo_view(dataset: str) -> dict:
    """The ``layout.geo`` of a dataset's maps: Europe in azimuthal equal area (LAEA-like) framed to
    :func:`frame_regions`, the US in Albers USA (Alaska and Hawaii in insets) framed to the lower 48;
    no base layers (land, coasts, frame): only our own regions are drawn."""
    base = {"visible": False, "showframe": False, "bgcolor": "rgba(0,0,0,0)", "fitbounds": False}
    if base_of(dataset) == "us":
        return {**base, "projection": {"type": "albers usa", "scale": 1.0}, "scope": "usa",
                "lonaxis": {"range": US_RANGES["lon"]}, "lataxis": {"range": US_RANGES["lat"]}}
    return {**base, **eu_view(dataset)}


def frame_rule(dataset: str) -> str:
    """What the legend says of the frame (the rule of :func:`frame_regions`)."""
    if base_of(dataset) == "us":
        return "Albers USA projection (equal-area); Alaska and Hawaii drawn in insets, not to scale or position."
    return ("Lambert azimuthal equal-area projection (as Eurostat's maps). The frame fits the regions with data, "
            "less the outermost regions (Canarias, Açores, Madeira and the French overseas regions), which lie "
            "outside it; regions without any data (e.g. Turkey, Svalbard) are cut at its edge.")


def picker_figure(dataset: str, level: str, z: list[float], height: int) -> dict:
    """A light map for picking regions (the region builder): 1 = chosen, 0.5 = covered, 0 = not; the
    maps' projection and frame (:func:`geo_view`), geometry by URL."""
    ids_, names = get_store(dataset).map_regions(level)
    trace = {"type": "choropleth", "geojson": geo_url(dataset, level), "locations": list(ids_), "featureidkey": "id",
             "text": list(names), "z": z, "zmin": 0, "zmax": 1, "showscale": False,
             "colorscale": [[0, "#f4f6f7"], [0.5, "#9ecae1"], [1, "#08519c"]],
             "marker": {"line": {"color": OUTLINE, "width": 0.5}},
             "hovertemplate": "<b>%{text}</b> (%{location})<br>click to add or remove<extra></extra>"}
    return {"data": [trace], "layout": {
        "geo": {**geo_view(dataset), "domain": {"x": [0, 1], "y": [0, 1]}}, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": height, "uirevision": f"{dataset}/{level}", "clickmode": "event", "dragmode": "pan",
        "paper_bgcolor": "#ffffff"}}
