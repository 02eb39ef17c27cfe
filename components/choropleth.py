"""The choropleth shared by the map explorer, the category profile and the region builder.

The figure is a plain dict with one ``choroplethmap`` trace per layer (MapLibre, "white-bg"
style: no tiles, no token, no network): the regions, and the members of a custom region
outlined (its combined value in their hover). Geometry (``geojson``, ``locations``, region names
in ``text``) is sent only with the full figure, i.e. when the dataset or level changes; every
other change is a ``dash.Patch`` of the values, hover texts and colour scale
(:func:`patch_figure`).

A third trace, always present, is the cluster organisations layer (the map explorer's ``orgs=on``):
one ``scattermap`` bubble per region at its centroid (:func:`region_centroids`, once per level),
area by the number of organisations located there, an escaped hover with the first names, the
region id in ``customdata`` for clicks. It is empty when the layer is off or the level is finer
than organisations are located to, and is sent only with the full figure or when the toggle
changes (:func:`patch_orgs`). Counts come from ``analytics.serving.organisations.map_counts``.
No text is drawn on the bubbles: MapLibre text needs a glyph server and the map makes no network
request, so the count is in the bubble's size and hover.

No-data regions get a ``z`` below the data range that the colour scale paints light grey; the
colour bar shows that band as "no data" (and a lighter sand for "not published"). Stars use
integer ``z`` and a stepped scale. Colours are colour-blind safe: viridis / cividis and a
diverging blue–white–orange for growth, centred on 0. The values come from
``analytics.serving.views.map_values``; this module only encodes and labels them.
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
from analytics.serving.store import get_store
from components.figures import DIVERGING, FONT, NO_DATA_COLOUR, NOT_PUBLISHED_COLOUR, plot_text
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


def continuous(values: np.ndarray, fmt: str, colours: str, diverging: bool = False,
               floor: float | None = None, not_published: np.ndarray | None = None) -> Scale:
    """Linear colours over the 2nd–95th percentile (extremes get the end colours), grey band below
    (its upper half a lighter "not published" shade for the regions flagged in ``not_published``)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        lo, hi, step = 0.0, 1.0, 0.25
        capped_hi = capped_lo = False
    elif diverging:
        m = float(np.nanpercentile(np.abs(v), 95)) or float(np.abs(v).max()) or 0.01
        step = _nice_step(m, 2)
        m = math.ceil(m / step) * step
        lo, hi = -m, m
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
    note = "Colours run to the 95th percentile; regions beyond it take the end colour (hover for values)." \
        if (capped_hi or capped_lo) else ""
    if split:
        band_ticks, band_labels = [round(RES * BAND * 0.2), np_z], ["no data", "not publ."]
    else:
        band_ticks, band_labels = [round(RES * BAND / 2)], ["no data"]
    return Scale(z, 0, RES, colourscale, band_ticks + [enc(t) for t in ticks], band_labels + labels, note)


def stepped(values: np.ndarray, kmax: int, colours: str = "viridis", not_published: np.ndarray | None = None) -> Scale:
    """Integer classes 0..kmax as hard colour steps (no data = −1, grey; not published = −1 in a
    lighter shade, no data then −2); ticks at every class."""
    split = not_published is not None and bool(np.any(not_published))
    low = [NO_DATA_COLOUR, NOT_PUBLISHED_COLOUR] if split else [NO_DATA_COLOUR]
    n = kmax + 1 + len(low)
    cols = low + sample_colorscale(PALETTES[colours], list(np.linspace(0, 1, kmax + 1)))
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
    labels += [f"{k} " + "★" * k if k else "0" for k in range(kmax + 1)]
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
    area, currency = meta["label"], meta.get("currency", "")
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
    return NOT_PUBLISHED.get(dataset, "not published")


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
        flags = np.where(imputed, IMPUTED_TEXT.get(ds, "imputed"), "")
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


def _annotations(message: str) -> list[dict]:
    """The growth message over the map (empty map) — nothing otherwise."""
    if not message:
        return []
    text = "<br>".join(textwrap.wrap(_esc(message), 72))  # annotations do not wrap by themselves
    return [{"text": text, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.98, "xanchor": "center",
             "yanchor": "top", "showarrow": False, "align": "left",
             "bgcolor": "rgba(255,255,255,0.92)", "bordercolor": "#6c757d", "borderwidth": 1, "borderpad": 8,
             "font": {"size": 14, "color": "#2c3e50"}}]


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
        "tickmode": "array", "tickvals": scale.tickvals, "ticktext": scale.ticktext, "tickfont": {"size": 12},
    }


def full_figure(state: dict) -> dict:
    """The whole figure: geometry of the level plus the view's values (and the custom region layer)."""
    ds, level = state["dataset"], state["level"]
    store = get_store(ds)
    meta = store.meta
    ids, names = store.map_regions(level)
    upd = trace_update(state)
    trace = {
        "type": "choroplethmap", "geojson": geo_url(ds, level), "locations": list(ids),  # fetched and cached
        "featureidkey": "id", "text": list(names), "marker": {"line": {"color": OUTLINE, "width": 0.6}},
        "hoverlabel": {"align": "left"}, "name": "",
    }
    trace.update(upd["regions"])
    custom_trace = {"type": "choroplethmap", "featureidkey": "id", "showscale": False, "zmin": 0, "zmax": 1,
                    "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "name": "custom region",
                    "marker": {"line": {"color": CUSTOM_OUTLINE, "width": 2.5}}, "hoverlabel": {"align": "left"}}
    custom_trace.update(upd["custom"])
    layout = {
        "map": {"style": "white-bg", "center": meta.get("map_center") or _centre(store.geometry(level)),
                "zoom": meta.get("map_zoom", 3),
                "domain": {"x": [0, 1], "y": [0.13, 1]}},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": f"{ds}/{level}",
        "font": {"family": FONT, "color": "#2c3e50"}, "paper_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"size": 13, "family": FONT}},
        "clickmode": "event", "showlegend": False,
        # regions without a profile (never in the data): a click on them opens nothing (pages/map/callbacks.py)
        "meta": {"unlinked": unlinked_regions(ds, level)},
        "annotations": _annotations(upd["message"]),
    }
    return {"data": [trace, custom_trace, orgs_trace(state)], "layout": layout}


def unlinked_regions(dataset: str, level: str) -> list[str]:
    """Map regions that have no region profile (never in the data)."""
    store = get_store(dataset)
    known = set(store.level_metrics(level)["region_id"].unique())
    return [r for r in store.map_regions(level)[0] if r not in known]


def _centre(geojson: dict) -> dict:
    """Centre of the features' bounding box (when the dataset's meta gives no map centre)."""
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for part in c:
                walk(part)
    for f in geojson["features"]:
        walk(f["geometry"]["coordinates"])
    return {"lon": (min(xs) + max(xs)) / 2, "lat": (min(ys) + max(ys)) / 2} if xs else {"lon": 0, "lat": 0}


def patch_figure(state: dict) -> Patch:
    """Only the view's values: z, customdata, hover, colour scale and bar, and the custom layer."""
    p = Patch()
    upd = trace_update(state)
    for key, value in upd["regions"].items():
        p["data"][0][key] = value
    for key, value in upd["custom"].items():
        p["data"][1][key] = value
    p["layout"]["annotations"] = _annotations(upd["message"])
    return p


def no_data_states(state: dict) -> list[str]:
    """US county maps: the states (postal codes) without county data in the source."""
    if state["dataset"] != "us" or state["level"] != "county":
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
        parts.append(f"Magenta outline = {IMPUTED_TEXT.get(state['dataset'], 'imputed')}: {n_imp:,} regions whose "
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
    """No bubbles: one point of size 0 that nothing hovers. A trace without points would be hidden
    by plotly, and when it shows again plotly keeps its MapLibre layers where they were, under
    the regions that a Patch re-inserts on top; a trace that stays visible is re-inserted after
    them (plotly updates choropleths before scatter traces), so the bubbles stay on top."""
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
    trace = {"type": "scattermap", "mode": "markers", "name": "cluster organisations", "hoverinfo": "text",
             "hoverlabel": {"align": "left"}, "showlegend": False, "meta": {"layer": "orgs"}}
    trace.update(orgs_layer(state))
    return trace


def patch_orgs(p: Patch, state: dict) -> Patch:
    """Add the organisations layer of ``state`` to a Patch (the toggle changed, the geometry did not)."""
    for key, value in orgs_layer(state).items():
        p["data"][2][key] = value
    return p


# --- framing and the region picker -------------------------------------------------------------------

def _bbox(coords) -> tuple[float, float, float, float]:
    arr = np.asarray([pt for ring in coords for pt in ring]) if coords and isinstance(coords[0][0][0], float) \
        else np.asarray([pt for poly in coords for ring in poly for pt in ring])
    return arr[:, 0].min(), arr[:, 1].min(), arr[:, 0].max(), arr[:, 1].max()


def fit_view(geo: dict, height: int, width: int = 1300) -> tuple[dict, float]:
    """Centre and zoom that fit the features into a ``width`` × ``height`` px web-Mercator view,
    leaving out far-away outliers (features whose centre is more than 3.5 median absolute
    deviations from the median, e.g. Alaska, Hawaii or the Canaries) so they do not shrink the map."""
    boxes = np.array([_bbox(f["geometry"]["coordinates"]) for f in geo["features"] if f.get("geometry")])
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    keep = np.ones(len(boxes), dtype=bool)
    for c in (cx, cy):
        mad = max(np.median(np.abs(c - np.median(c))), 1.0)
        keep &= np.abs(c - np.median(c)) <= 3.5 * mad
    b = boxes[keep]
    west, south, east, north = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()

    def merc(lat):
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    # MapLibre tiles are 512 px: at zoom z the world is 512 · 2^z px wide.
    zx = np.log2(width * 360 / (512 * max(east - west, 1e-6)))
    zy = np.log2(height * 2 * np.pi / (512 * max(merc(north) - merc(south), 1e-6)))
    mid = np.degrees(2 * np.arctan(np.exp((merc(north) + merc(south)) / 2)) - np.pi / 2)
    return {"lat": float(mid), "lon": float((west + east) / 2)}, float(min(zx, zy) - 0.25)


def picker_figure(dataset: str, level: str, z: list[float], height: int, width: int = 400) -> dict:
    """A light map for picking regions (the region builder): 1 = chosen, 0.5 = covered, 0 = not."""
    store = get_store(dataset)
    ids_, names = store.map_regions(level)
    geo = store.geometry(level)
    center, zoom = fit_view(geo, height, width=width)
    meta = store.meta
    if meta.get("map_center"):  # the dataset's own centre (fit_view's box leans on far-away islands)
        center, zoom = meta["map_center"], meta.get("map_zoom", zoom) - 1.0
    trace = {"type": "choroplethmap", "geojson": geo, "locations": list(ids_), "featureidkey": "id",
             "text": list(names), "z": z, "zmin": 0, "zmax": 1, "showscale": False,
             "colorscale": [[0, "#f4f6f7"], [0.5, "#9ecae1"], [1, "#08519c"]],
             "marker": {"line": {"color": OUTLINE, "width": 0.5}},
             "hovertemplate": "<b>%{text}</b> (%{location})<br>click to add or remove<extra></extra>"}
    return {"data": [trace], "layout": {
        "map": {"style": "white-bg", "center": center, "zoom": zoom}, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "uirevision": f"{dataset}/{level}", "clickmode": "event", "paper_bgcolor": "#ffffff"}}
