"""Presenter mode's figures: the map at presenter size, and big-type bar charts of a region's
leading categories and a category's top regions.

The map is ``components.choropleth.full_figure`` (or its ``trace_update`` for a Patch),
post-processed here: every text at least :data:`MIN_PX` (20 px; colour-bar ticks and title 22,
the headline 30) at projector size, a title in the figure, room for the larger colour bar. The
post-processing touches only generic plotly keys (``colorbar``, ``hoverlabel``, ``font``,
``annotations``, a subplot's ``domain``), so it works whatever trace type the map uses
(``choroplethmap`` or ``choropleth`` on a geo projection). ``compact`` sizes (a phone) are
smaller so that the colour bar's ticks do not collide.
"""
from __future__ import annotations

import copy
import textwrap

import pandas as pd
from dash import Patch

from analytics.metrics.stars import RULE_SETS
from analytics.serving import profiles, views
from analytics.serving.formats import fmt_int
from analytics.serving.store import get_store
from components import choropleth as ch
from components.figures import FONT, STAR_COLOURS, TEXT_COLOUR, plot_text
from components.labels import dataset_ui, level_label

MIN_PX = 20
SIZES = {  # px: base text, ticks and colour-bar text, headline, subtitle
    "wide": {"base": 20, "tick": 22, "title": 30, "sub": 20, "bar": 22, "top": 64},
    "compact": {"base": 13, "tick": 13, "title": 17, "sub": 13, "bar": 12, "top": 70},
}
SUBPLOTS = ("map", "geo", "mapbox")
TOP_N = 10
STAR_TEXT = {0: "", 1: "★", 2: "★★", 3: "★★★"}


def sizes(size: str | None) -> dict:
    return SIZES["compact" if size == "compact" else "wide"]


# ---------------------------------------------------------------------------- the map


def style_trace(trace: dict, size: str | None = None) -> dict:
    """A trace (or a trace's update) with presenter-size colour bar and hover text."""
    s = sizes(size)
    out = dict(trace)
    if isinstance(out.get("colorbar"), dict):
        cb = copy.deepcopy(out["colorbar"])
        title = cb.get("title")
        if isinstance(title, str):
            title = {"text": title}
        if isinstance(title, dict):
            title["font"] = {**(title.get("font") or {}), "size": s["tick"]}
            text = str(title.get("text") or "")
            if size == "compact" and "<br>" not in text and len(text) > 44:
                title["text"] = "<br>".join(textwrap.wrap(text, 44))  # the text is the map's own (escaped)
            cb["title"] = title
        cb["tickfont"] = {**(cb.get("tickfont") or {}), "size": s["tick"]}
        cb["thickness"] = s["bar"]
        out["colorbar"] = cb
    if isinstance(out.get("hoverlabel"), dict) or "hovertemplate" in out:
        hl = dict(out.get("hoverlabel") or {})
        hl["font"] = {**(hl.get("font") or {}), "size": s["base"]}
        out["hoverlabel"] = hl
    return out


def _annotation(a: dict, size: str | None) -> dict:
    a = copy.deepcopy(a)
    font = a.get("font") or {}
    a["font"] = {**font, "size": max(font.get("size") or 0, sizes(size)["base"])}
    return a


def annotations(items, size: str | None) -> list[dict]:
    """The map's annotations (a growth message) at presenter size, less its source line: the
    caption carries the source."""
    return [_annotation(a, size) for a in items or [] if isinstance(a, dict) and a.get("name") != "source"]


def style_layout(layout: dict, title: str, size: str | None = None) -> dict:
    """The map's layout with the headline, larger text and the subplot moved down below it."""
    s = sizes(size)
    out = copy.deepcopy(layout)
    out["font"] = {**(out.get("font") or {}), "size": s["base"], "family": FONT}
    out["hoverlabel"] = {**(out.get("hoverlabel") or {}),
                         "font": {**((out.get("hoverlabel") or {}).get("font") or {}), "size": s["base"]}}
    out["title"] = title_of(title, size)
    out["margin"] = {**(out.get("margin") or {}), "t": title_height(title, size), "l": 8, "r": 8, "b": 4}
    out["annotations"] = annotations(out.get("annotations"), size)
    for key in SUBPLOTS:
        if isinstance(out.get(key), dict):
            dom = out[key].get("domain") or {}
            out[key]["domain"] = {**dom, "y": [0.16, 1]}
    out.pop("height", None)
    out["autosize"] = True
    return out


def wrap(text: str, size: str | None, wide: int = 96, compact: int = 34) -> list[str]:
    """Lines of a plot text (plotly never wraps), escaped."""
    return [plot_text(line) for line in textwrap.wrap(str(text), compact if size == "compact" else wide)] or [""]


def title_of(title: str, size: str | None) -> dict:
    lines = wrap(title, size)
    px = sizes(size)["title"]
    # plotly anchors a several-line title by its first line: the padding makes room for the others
    return {"text": "<br>".join(f"<b>{line}</b>" for line in lines), "x": 0.01, "xanchor": "left",
            "y": 1, "yanchor": "top", "yref": "container", "pad": {"t": 10 + round((len(lines) - 1) * px * 0.65)}, "font": {"size": sizes(size)["title"], "color": TEXT_COLOUR}}


def title_height(title: str, size: str | None) -> int:
    """The top margin a headline of that many lines needs (px)."""
    s = sizes(size)
    return s["top"] + round((len(wrap(title, size)) - 1) * s["title"] * 1.3)


def map_figure(state: dict, title: str, size: str | None = None) -> dict:
    """The map of a map view at presenter size (the full figure, with its geometry)."""
    fig = ch.full_figure(state)
    data = [style_trace(t, size) for t in fig.get("data", [])]
    return {"data": data, "layout": style_layout(fig.get("layout", {}), title, size)}


def map_patch(state: dict, title: str, size: str | None = None) -> Patch | None:
    """Only what changes between two map views of the same geometry (values, colours, colour bar,
    the custom region's layer, the headline and the message): a Patch, or None when the map's
    update has another shape (then the full figure is drawn)."""
    upd = ch.trace_update(state)
    if not isinstance(upd, dict) or not isinstance(upd.get("regions"), dict):
        return None
    p = Patch()
    for key, value in style_trace(upd["regions"], size).items():
        p["data"][0][key] = value
    for key, value in (upd.get("custom") or {}).items():
        p["data"][1][key] = value
    full_layout = ch.full_figure(state)["layout"] if upd.get("message") else {}
    p["layout"]["annotations"] = annotations(full_layout.get("annotations"), size)
    p["layout"]["title"] = title_of(title, size)
    p["layout"]["margin"]["t"] = title_height(title, size)
    return p


# ---------------------------------------------------------------------------- bar slides


def _bars(labels: list[str], values: list[float], stars: list, hover: list[str], texts: list[str],
          title: str, subtitle: str, x_title: str, size: str | None) -> dict:
    s = sizes(size)
    if size == "compact":  # a phone: short labels leave the bars room
        labels = [lab if len(lab) <= 18 else lab[:17].rstrip() + "…" for lab in labels]
    colours = [STAR_COLOURS.get(int(k) if pd.notna(k) else 0, STAR_COLOURS[0]) for k in stars]
    trace = {"type": "bar", "orientation": "h", "x": values, "y": labels, "marker": {"color": colours},
             "text": texts, "textposition": "outside", "cliponaxis": False, "constraintext": "none",
             "textfont": {"size": s["base"], "color": TEXT_COLOUR}, "hovertext": hover, "hoverinfo": "text",
             "hoverlabel": {"font": {"size": s["base"]}}, "name": ""}
    layout = {
        "title": {**title_of(title, size), "subtitle": {"text": "<br>".join(wrap(subtitle, size, 150, 48)), "font": {"size": s["sub"]}}},
        "font": {"family": FONT, "size": s["base"], "color": TEXT_COLOUR}, "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff", "showlegend": False, "autosize": True,
        "margin": {"t": title_height(title, size) + s["sub"] * len(wrap(subtitle, size, 150, 48)) + 24, "l": 16, "r": 110 if size == "compact" else 160, "b": 16},
        "xaxis": {"title": {"text": x_title, "font": {"size": s["tick"]}}, "tickfont": {"size": s["tick"]},
                  "tickformat": ",", "rangemode": "tozero", "nticks": 4 if size == "compact" else 10, "gridcolor": "#e5e8e8", "automargin": True},
        "yaxis": {"autorange": "reversed", "tickfont": {"size": s["tick"]}, "automargin": True,
                  "ticksuffix": "  "},
        "bargap": 0.25, "hoverlabel": {"font": {"size": s["base"]}},
    }
    return {"data": [trace], "layout": layout}


def message_figure(title: str, text: str, size: str | None = None) -> dict:
    """A slide that says why it shows nothing."""
    s = sizes(size)
    return {"data": [], "layout": {
        "title": title_of(title, size), "font": {"family": FONT, "size": s["base"], "color": TEXT_COLOUR},
        "xaxis": {"visible": False}, "yaxis": {"visible": False}, "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff", "margin": {"t": s["top"], "l": 16, "r": 16, "b": 16},
        "annotations": [{"text": plot_text(text), "x": 0.5, "y": 0.55, "xref": "paper", "yref": "paper",
                         "showarrow": False, "font": {"size": s["title"] - 4, "color": "#5d6d7e"}}]}}


def region_figure(state: dict, title: str, size: str | None = None) -> dict:
    """The region's leading categories: its starred categories (most stars, then employment), up
    to ten; the largest by employment when none is starred."""
    ds, rid, year = state["dataset"], state["region_id"], state["year"]
    ui = dataset_ui(ds)
    store = get_store(ds)
    level = store.region_levels.get(rid)
    if year not in views.years_with_data(ds, rid):
        return message_figure(title, f"No data for this region in {year}.", size)
    start = state.get("start_year") if state.get("start_year") is not None and state["start_year"] < year else None
    table = views.level_table(ds, level, year, state["rules"], state["denominator"], start)
    pf = profiles.portfolio(table, rid, RULE_SETS[state["rules"]])
    pf = pf[pf["employment"].notna() & (pf["employment"] > 0)]
    starred = pf[pf["stars"].fillna(0) > 0]
    rules = RULE_SETS[state["rules"]]
    if starred.empty:
        top = pf.sort_values("employment", ascending=False).head(TOP_N)
        subtitle = f"No starred category ({rules.label}); the largest categories by employment. {level_label(ds, level, singular=True)}."
    else:
        top = starred.head(TOP_N)
        subtitle = (f"Starred categories ({rules.label}), most stars first, then employment; "
                    f"bar colour = stars. {level_label(ds, level, singular=True)}.")
    if top.empty:
        return message_figure(title, f"No category has employment in this region in {year}.", size)
    shorts = store.categories.set_index("category_id")["short_name"].to_dict() \
        if "short_name" in store.categories.columns else {}
    labels = [profiles.short_name(n, shorts.get(c)) for c, n in zip(top["category_id"], top["category_name"])]
    stars = top["stars"].tolist()
    texts = [f"{fmt_int(e)}  {STAR_TEXT.get(int(k) if pd.notna(k) else 0, '')}".rstrip()
             for e, k in zip(top["employment"], stars)]
    hover = [f"<b>{plot_text(n)}</b><br>Employment: {fmt_int(e)} {ui['employment_unit']}<br>LQ: "
             f"{'n/a' if pd.isna(lq) else f'{lq:,.2f}'}<br>Stars: {plot_text(t or '0')}"
             for n, e, lq, t in zip(top["category_name"], top["employment"], top["lq"], top["stars_text"])]
    return _bars(labels, top["employment"].tolist(), stars, hover, texts, title, subtitle,
                 f"Employment ({ui['employment_unit']})", size)


def category_figure(state: dict, title: str, size: str | None = None) -> dict:
    """The category's ten regions with most employment at the view's level, coloured by stars."""
    ds, cat, year, level = state["dataset"], state["category_id"], state["year"], state["level"]
    ui = dataset_ui(ds)
    table = views.level_table(ds, level, year, ui["default_rules"], ui["default_denominator"])
    top = profiles.top_regions(table, cat, n=TOP_N)
    if top.empty:
        return message_figure(title, f"No region has employment in this category in {year}.", size)
    rules = RULE_SETS[ui["default_rules"]]
    labels = [f"{n} ({r})" if len(str(n)) <= 28 else f"{str(n)[:26]}… ({r})"
              for n, r in zip(top["region_name"], top["region_id"])]
    stars = top["stars"].tolist()
    texts = [f"{fmt_int(e)}  {STAR_TEXT.get(int(k) if pd.notna(k) else 0, '')}".rstrip()
             for e, k in zip(top["employment"], stars)]
    hover = [f"<b>{plot_text(n)} ({plot_text(r)})</b><br>Employment: {fmt_int(e)} {ui['employment_unit']}<br>"
             f"LQ: {'n/a' if pd.isna(lq) else f'{lq:,.2f}'}"
             for n, r, e, lq in zip(top["region_name"], top["region_id"], top["employment"], top["lq"])]
    subtitle = f"The ten {level_label(ds, level).lower()} with most employment; bar colour = stars ({rules.label})."
    return _bars(labels, top["employment"].tolist(), stars, hover, texts, title, subtitle,
                 f"Employment ({ui['employment_unit']})", size)


def slide_figure(slide, size: str | None = None) -> dict:
    """The figure of a slide (``sequence.Slide``)."""
    if slide.kind == "map":
        return map_figure(slide.state, slide.title, size)
    if slide.kind == "region":
        return region_figure(slide.state, slide.title, size)
    return category_figure(slide.state, slide.title, size)
