"""The choropleth of the map explorer: colour scales, hover card, full figure and its Patch.

The figure is a plain dict with one ``choroplethmap`` trace (MapLibre, "white-bg" style: no
tiles, no token, no network). Geometry (``geojson``, ``locations``, region names in ``text``)
is sent only with the full figure, i.e. when the dataset or level changes; every other change
is a ``dash.Patch`` of the trace's ``z``, ``customdata``, hover template and colour scale.

No-data regions get a ``z`` below the data range that the colour scale paints light grey; the
colour bar shows that band as "no data". Categorical values (stars) use integer ``z`` and a
stepped colour scale with ticks at 0, 1, 2, 3. Colours are colour-blind safe: viridis / cividis
(light = low, dark = high) and a diverging blue–white–orange for growth, centred on 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from dash import Patch
from plotly.colors import sample_colorscale
from plotly.colors import sequential as seq

from analytics.serving.store import DATASETS, get_store
from callbacks import map_data as md
from callbacks.caching import cache
from layouts.common import DIVERGING, FONT, NO_DATA_COLOUR, NOT_PUBLISHED_COLOUR
from layouts.map_state import ALL

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


# --- figure ------------------------------------------------------------------------------------------

def trace_update(state: dict) -> dict:
    """The per-view part of the trace: z, customdata, hover template, colour scale and bar."""
    metric = state["metric"]
    return _trace_update(state["dataset"], state["level"], state["category"], metric, state["year"],
                         state.get("start_year") if metric == "growth" else None, state["rules"],
                         state["denominator"], state.get("ccat"))


@cache.memoize()
def _trace_update(ds: str, level: str, cat: str, metric: str, year: int, start: int | None, rules: str,
                  den: str, ccat: str | None = None) -> dict:
    frame = md.view_table(ds, level, cat, metric, year, start, rules, den, ccat)
    info = md.metric_info(ds, cat, metric, year, start, rules, den)
    values = frame["value"].to_numpy(dtype=float)
    not_published = frame["not_published"].to_numpy(dtype=bool)
    if info.scale == "steps":
        scale = stepped(values, md.max_stars(rules), not_published=not_published)
    else:
        scale = continuous(values, info.fmt, info.colours, diverging=info.scale == "diverging",
                           floor=2.0 if info.column == "lq" else None, not_published=not_published)
    np_text = md.not_published_text(ds)
    n = int(frame["rank_n"].iloc[0]) if len(frame) else 0
    steps = info.scale == "steps"
    show_stars = not steps and not (cat == ALL and metric == "stars")
    customdata = []
    for value, rank, stars_text, flags, has_row, unpublished in zip(
            values, frame["rank"], frame["stars_text"], frame["flags"], frame["has_row"], not_published):
        if unpublished:
            customdata.append(["not published", "n/a", "n/a" if show_stars else "", np_text])
            continue
        if steps and stars_text:
            shown = stars_text  # "2/3 (size, LQ)" or "not rated"
        else:
            shown = md.fmt_value(value, info.fmt) if math.isfinite(value) else "no data"
        rank_shown = int(rank) if math.isfinite(value) else "n/a"  # numbers, not strings: fewer bytes
        stars_shown = (int(stars_text) if stars_text.isdigit() else stars_text or "n/a") if show_stars else ""
        if math.isfinite(value) or (steps and stars_text == "not rated"):
            customdata.append([shown, rank_shown, stars_shown, flags or "ok"])
        elif has_row or flags:  # a value the source should have: say why it is missing
            customdata.append([shown, rank_shown, stars_shown, flags or "value missing"])
        else:  # nothing for this region in this view: every field shows the fallback "no data"
            customdata.append([])
    unit = f" ({info.unit})" if info.unit else ""
    stars_line = "" if not show_stars else \
        ("<br>Starred clusters: %{customdata[2]}" if cat == ALL else "<br>Stars: %{customdata[2]}")
    hover = (f"<b>%{{text}}</b> (%{{location}})<br>{info.hover_label}{unit}: %{{customdata[0]}}"
             f"<br>Rank: %{{customdata[1]}} (of {n:,} with data){stars_line}"
             f"<br>{'Data (clusters)' if cat == ALL else 'Data'}: %{{customdata[3]}}<extra></extra>")
    return {
        "z": scale.z, "zmin": scale.zmin, "zmax": scale.zmax, "zauto": False, "customdata": customdata,
        "hovertemplate": hover, "hovertemplatefallback": "no data", "colorscale": scale.colorscale,
        "colorbar": _colourbar(info.title, scale),
        "meta": {"note": scale.note, "view": [ds, level, cat, metric, year, start, rules, den]
                 + ([ccat] if cat == "custom" else [])},
    }


def _colourbar(title: str, scale: Scale) -> dict:
    return {
        "title": {"text": title, "side": "top", "font": {"size": 13}},
        "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "bottom", "yref": "paper",
        "len": 0.9, "thickness": 14, "outlinewidth": 0,
        "tickmode": "array", "tickvals": scale.tickvals, "ticktext": scale.ticktext, "tickfont": {"size": 12},
    }


def full_figure(state: dict) -> dict:
    """The whole figure: geometry of the level plus the view's values."""
    ds, level = state["dataset"], state["level"]
    meta = DATASETS[ds]
    ids, names = md.map_regions(ds, level)
    trace = {
        "type": "choroplethmap", "geojson": get_store(ds).geometry(level), "locations": list(ids),
        "featureidkey": "id", "text": list(names), "marker": {"line": {"color": OUTLINE, "width": 0.6}},
        "hoverlabel": {"align": "left"}, "name": "",
    }
    trace.update(trace_update(state))
    layout = {
        "map": {"style": "white-bg", "center": meta.get("map_center") or _centre(trace["geojson"]),
                "zoom": meta.get("map_zoom", 3),
                "domain": {"x": [0, 1], "y": [0.13, 1]}},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": f"{ds}/{level}",
        "font": {"family": FONT, "color": "#2c3e50"}, "paper_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"size": 13, "family": FONT}},
        "clickmode": "event",
        # regions without a profile (never in the data): a click on them opens nothing (assets/map_url.js)
        "meta": {"unlinked": md.unlinked_regions(ds, level)},
    }
    return {"data": [trace], "layout": layout}


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
    """Only the view's values: z, customdata, hover template, colour scale and colour bar."""
    p = Patch()
    for key, value in trace_update(state).items():
        p["data"][0][key] = value
    return p


def legend_note(state: dict) -> str:
    frame = md.view_table(state["dataset"], state["level"], state["category"], state["metric"], state["year"],
                          state.get("start_year") if state["metric"] == "growth" else None, state["rules"],
                          state["denominator"], state.get("ccat"))
    n_data = int(frame["value"].notna().sum())
    n_unpub = int(frame["not_published"].sum())
    stars = state["metric"] == "stars" and state["category"] != ALL
    local = stars and not frame["rated"].fillna(False).astype(bool).any()
    parts = [f"Grey = no data: {len(frame) - n_data - n_unpub:,} of {len(frame):,} regions"
             + (" (a local category: not rated)" if local else "") + "."]
    if n_unpub:
        parts.append(f"Light sand = {md.not_published_text(state['dataset'])}: {n_unpub:,} regions with data "
                     "that year but no published figure for this category.")
    if stars:
        parts.append("One star per criterion met; hover a region for which.")
    note = trace_update(state)["meta"]["note"]
    if note:
        parts.append(note)
    return " ".join(parts)
