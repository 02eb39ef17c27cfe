"""Printable reports of a region and of a category: a print-ready HTML page and a PDF (WeasyPrint).

Routes (the same query as the page: ``components.routes.REGION`` / ``CATEGORY``, same defaults):

* ``/region/<dataset>/<region_id>/report`` (or ``report.html``) and ``…/report.pdf``;
  ``region_id=custom`` with ``creg=Name=ID+ID`` is a custom region;
* ``/category/<dataset>/<category_id>/report`` (``report.html``) and ``…/report.pdf``;
  ``category_id=custom`` with ``ccat=Name=codes`` is a custom category.

The numbers come from ``analytics.serving.report`` (which takes them from the pages' serving
functions); this module resolves the view as the pages do, draws the charts with matplotlib as
SVG (text as paths: no font is fetched, the output is the same on every machine), fills the
templates ``web/templates/report_*.html`` and renders the PDF with a URL fetcher that fetches
nothing, so no request leaves the server. Colours are those of ``components.figures`` (and the
map's scale of ``components.choropleth``).

An unknown dataset, region or category answers 404, an unusable setting 400, each with a page
saying what was wrong and a link to the report that can be made. Rendered reports are cached in
the app's cache (``analytics.serving.cache``) under the build, the address and the day.

Links: :func:`report_href` (``kind="pdf"`` or ``"html"``) gives a report's address for a page state.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import io
import logging
import math
import re
import textwrap
import time

import matplotlib
import numpy as np
from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from analytics.serving import profiles, views
from analytics.serving import report as rp
from analytics.serving.cache import cache
from analytics.serving.store import DATASETS, base_of, build_id, get_store
from components.controls import window_start
from components.figures import FOCAL_COLOUR, PEER_COLOUR, STAR_COLOURS, STAR_NAMES, TEXT_COLOUR
from components.labels import DENOMINATOR_LABELS, dataset_ui, level_label

matplotlib.use("Agg")
from matplotlib import rc_context  # noqa: E402 - after the backend is chosen
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator  # noqa: E402

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__, template_folder="templates")
KINDS = {"html": "report", "pdf": "report.pdf"}
WIDTH_IN = 7.1  # the A4 text width (180 mm) in inches
SOURCE_SIZE = 7


class ReportError(Exception):
    """A report that cannot be made: HTTP status, a title, what was wrong, links to what can be opened."""

    def __init__(self, status: int, title: str, message: str, notes=(), links=()):
        super().__init__(message)
        self.status, self.title, self.message, self.notes, self.links = status, title, message, list(notes), \
            list(links)


# ---------------------------------------------------------------------------- addresses


def report_href(page: str, dataset: str, item_id: str, /, *, kind: str = "pdf", **state) -> str:
    """The address of a report: ``page`` 'region' or 'category', ``item_id`` the page's path id
    (``custom`` with ``creg``/``ccat``), ``state`` the page's query values (year, start_year, rules,
    denominator, level, creg, ccat; None left out). ``report_href('region', 'eu', 'DE11', year=2015)``
    → ``/region/eu/DE11/report.pdf?year=2015``."""
    from components.routes import CATEGORY, REGION

    route = REGION if page == "region" else CATEGORY
    values = {k: v for k, v in state.items() if k in route.names and k not in ("dataset", "region_id", "category_id")}
    path_key = "region_id" if page == "region" else "category_id"
    values.update({"dataset": dataset, path_key: item_id})
    return f"{route.pathname(values)}/{KINDS[kind]}{route.query(values)}"


def _query() -> dict:
    return {k: (v[0] if len(v) == 1 else v) for k, v in request.args.lists()}


def _check_notes(notes: list[str], corrected: str) -> None:
    if notes:
        raise ReportError(400, "Some settings cannot be used",
                          "The report is made only for settings that can be used as given:", notes,
                          [("The report with the settings that can be used", corrected)])


def _dataset(dataset: str) -> None:
    if dataset not in DATASETS:
        known = ", ".join(f"{m['label']} ({k})" for k, m in DATASETS.items())
        raise ReportError(404, "Unknown dataset", f"There is no dataset “{dataset}”. Known datasets: {known}.")


# ---------------------------------------------------------------------------- region


def resolve_region(dataset: str, region_id: str, query: dict) -> tuple[dict, dict, tuple[str, ...]]:
    """(region, state, custom categories) for a region report, as the profile resolves its address;
    raises :class:`ReportError` (404 unknown ids, 400 unusable settings)."""
    from components.routes import CUSTOM, REGION
    from pages.region.layout import portfolio_ccats

    _dataset(dataset)
    store = get_store(dataset)
    if region_id == CUSTOM:
        cr, problem = views.try_region(dataset, query.get("creg"))
        if cr is None:
            raise ReportError(400, "This custom region cannot be shown",
                              problem or "The address has no custom region (creg=Name=CODE+CODE…).")
        region = {"region_id": cr.region_id, "name": cr.name, "level": views.member_level(dataset, cr.spec())}
    else:
        region = profiles.region_row(store.regions, region_id)
        if region is None:
            close = difflib.get_close_matches(str(region_id).upper(), store.regions["region_id"].tolist(), n=5,
                                              cutoff=0.5)
            raise ReportError(404, "Unknown region",
                              f"No region “{region_id}” in the {store.meta.get('label', dataset)} data. Region ids "
                              "are the official codes (NUTS codes in Europe, FIPS codes in the US).",
                              links=[(f"Did you mean {store.region_names[c]} ({c})?",
                                      report_href("region", dataset, c, kind=_kind())) for c in close])
    state, notes = REGION.parse(query, {"dataset": dataset, "region_id": region_id})
    if region_id != CUSTOM and state.get("creg"):
        notes.append("creg is only used with /region/<dataset>/custom.")
        state["creg"] = None
    _check_notes(notes, report_href("region", dataset, region_id, kind=_kind(), **state))
    return region, state, portfolio_ccats(dataset, state.get("ccat"))


def region_context(dataset: str, region_id: str, query: dict) -> dict:
    """Everything the region template needs (numbers, charts, links)."""
    from components.routes import METHODOLOGY, REGION

    region, state, ccats = resolve_region(dataset, region_id, query)
    ui = dataset_ui(dataset)
    start = window_start(state["year"], state["start_year"])
    data = rp.region_report(dataset, region, state, start, ccats, ui)
    name = data["name"]
    charts = {"timeline": timeline_svg(data["timeline"], state["year"], name, ui)}
    if data["has_data"]:
        charts["bubble"], data["bubble_out"] = bubble_svg(data["bubble"], data["bench"], start, state["year"], name,
                                                          data["rules_label"], ui)
    level = level_label(dataset, region["level"], singular=True)
    return {"kind": "region", "r": data, "ui": ui, "state": state, "charts": charts,
            "level_singular": level, "level_plural": level_label(dataset, region["level"]),
            "denominator_label": DENOMINATOR_LABELS[state["denominator"]],
            "live_url": request.host_url.rstrip("/") + REGION.pathname(state) + REGION.query(state),
            "methodology_url": request.host_url.rstrip("/") + METHODOLOGY.href(dataset=dataset),
            "pdf_href": report_href("region", dataset, region_id, kind="pdf", **state),
            "html_href": report_href("region", dataset, region_id, kind="html", **state),
            "title": f"{name} ({' + '.join(data['members']) or region_id}) — region report"}


# ---------------------------------------------------------------------------- category


def resolve_category(dataset: str, category_id: str, query: dict) -> tuple[dict, dict]:
    """(category, state) for a category report, as the category page resolves its address."""
    from analytics.serving import custom
    from components.routes import CATEGORY, CUSTOM

    _dataset(dataset)
    store = get_store(dataset)
    if category_id == CUSTOM:
        cc, problem = views.try_category(dataset, query.get("ccat"))
        if cc is None:
            raise ReportError(400, "This custom category cannot be shown",
                              problem or "The address has no custom category (ccat=Name=codes…).")
        category = {"category_id": cc.category_id, "name": cc.name, "type": custom.category_type(cc, store),
                    "n_members": rp.member_count(dataset, category_id, cc), "spec": cc.spec()}
    else:
        row = store.categories[store.categories["category_id"] == category_id]
        if row.empty:
            close = difflib.get_close_matches(str(category_id).lower(), store.categories["category_id"].tolist(),
                                              n=5, cutoff=0.5)
            raise ReportError(404, "Unknown category",
                              f"No category “{category_id}” in the {store.meta.get('label', dataset)} data.",
                              links=[(store.category_names.get(c, c), report_href("category", dataset, c, kind=_kind()))
                                     for c in close])
        r = row.iloc[0]
        category = {"category_id": category_id, "name": r["category_name"], "type": r["category_type"],
                    "n_members": rp.member_count(dataset, category_id), "spec": None}
    state, notes = CATEGORY.parse(query, {"dataset": dataset, "category_id": category_id})
    if category_id != CUSTOM and state.get("ccat"):
        notes.append("ccat is only used with /category/<dataset>/custom.")
        state["ccat"] = None
    _check_notes(notes, report_href("category", dataset, category_id, kind=_kind(), **state))
    return category, state


def category_context(dataset: str, category_id: str, query: dict) -> dict:
    from components.routes import CATEGORY, METHODOLOGY

    category, state = resolve_category(dataset, category_id, query)
    ui = dataset_ui(dataset)
    start = window_start(state["year"], state["start_year"])
    data = rp.category_report(dataset, category, state, start, ui)
    levels = level_label(dataset, state["level"])
    charts = {"top": top_svg(data["top"], category["name"], state["year"], levels, ui)}
    charts["map"], map_note = map_svg(dataset, category_id, category["name"], state, start, ui)
    return {"kind": "category", "c": data, "cat": category, "ui": ui, "state": state, "charts": charts,
            "map_note": map_note, "level_plural": levels,
            "denominator_label": DENOMINATOR_LABELS[data["denominator"]],
            "live_url": request.host_url.rstrip("/") + CATEGORY.pathname(state) + CATEGORY.query(state),
            "methodology_url": request.host_url.rstrip("/") + METHODOLOGY.href(dataset=dataset),
            "pdf_href": report_href("category", dataset, category_id, kind="pdf", **state),
            "html_href": report_href("category", dataset, category_id, kind="html", **state),
            "title": f"{category['name']} — category report"}


# ---------------------------------------------------------------------------- charts


def _rc(name: str) -> dict:
    return {"svg.hashsalt": name, "svg.fonttype": "none", "text.parse_math": False, "font.family": "DejaVu Sans",
            "font.size": 8, "axes.edgecolor": "#9aa5b1", "axes.labelcolor": TEXT_COLOUR, "text.color": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR, "ytick.color": TEXT_COLOUR, "axes.titlesize": 10,
            "axes.titleweight": "bold", "axes.titlelocation": "left", "svg.image_inline": True}


def _svg(fig: Figure, name: str) -> Markup:
    """The figure as inline SVG (no XML prolog, ids unique per chart, no date: the same bytes every time)."""
    buf = io.StringIO()
    with rc_context(_rc(name)):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, dpi=200)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # ids (and the references to them) prefixed with the chart's name: several charts share one page
    text = re.sub(r'(\bid="|url\(#|href="#)', lambda m: m.group(1) + name + "-", text)
    text = text.replace('<svg ', f'<svg role="img" class="chart" aria-label="{name}" ', 1)
    return Markup(text)


def _thousands(x, _pos=None) -> str:
    return f"{x:,.0f}"


def _source(fig: Figure, text: str) -> None:
    """The source line(s) at the chart's foot, with room kept for them by the layout."""
    lines = textwrap.wrap(" ".join(str(text).split()), 128)[:3]
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=SOURCE_SIZE, color="#5d6d7e", ha="left", va="bottom",
             linespacing=1.3)
    engine = fig.get_layout_engine()
    if engine is not None:
        bottom = (len(lines) * SOURCE_SIZE * 1.3 + 6) / (fig.get_figheight() * 72)
        engine.set(rect=(0, bottom, 1, 1 - bottom))


def _title(fig: Figure, text: str) -> None:
    """The chart's title at its top left, wrapped to the chart's width."""
    fig.suptitle("\n".join(textwrap.wrap(text, 95)), x=0.01, ha="left", fontsize=10, fontweight="bold")


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _message_chart(title: str, message: str, source: str, name: str, height: float = 1.6) -> Markup:
    with rc_context(_rc(name)):
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_axes((0, 0.15, 1, 0.7))
        ax.set_axis_off()
        ax.set_title(title, loc="left")
        ax.text(0.5, 0.45, message, ha="center", va="center", fontsize=9, color="#7b8a8b", wrap=True)
        _source(fig, source)
    return _svg(fig, name)


def timeline_svg(t, year: int, name: str, ui: dict) -> Markup:
    """Total and traded employment per year (gaps where there are no data), as on the profile."""
    title = f"Employment over time: {name}"
    if t[["total_employment", "traded_employment"]].isna().all().all():
        return _message_chart(title, "No employment data in any year.", ui["source"], "timeline")
    with rc_context(_rc("timeline")):
        fig = Figure(figsize=(WIDTH_IN, 2.9), layout="constrained")
        ax = fig.add_subplot()
        for col, label, colour, marker in (("total_employment", "Total", TEXT_COLOUR, "o"),
                                           ("traded_employment", "Traded", FOCAL_COLOUR, "s")):
            ax.plot(t["year"], t[col], marker=marker, markersize=3.5, linewidth=1.6, color=colour, label=label)
        if year in set(t["year"]):
            ax.axvline(year, linestyle=":", color="#7b8a8b", linewidth=1)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        span = int(t["year"].max() - t["year"].min())
        step = 1 if span <= 12 else (2 if span <= 24 else 5)
        ax.set_xticks(list(range(int(t["year"].min()), int(t["year"].max()) + 1, step)))
        ax.set_xlabel("Year")
        ax.set_ylabel(f"Employment ({ui['employment_unit']})")
        _title(fig, title)
        ax.grid(axis="y", color="#e5e8eb", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, ncols=2, loc="lower left")
        fig.get_layout_engine().set(h_pad=0.12)
        _source(fig, ui["source"] + " Years without data are gaps.")
    return _svg(fig, "timeline")


def bubble_svg(frame, bench, start, year: int, name: str, rules_label: str, ui: dict) -> tuple[Markup, int]:
    """The profile's portfolio chart: traded categories, LQ (log) × growth, area ∝ employment,
    colour = stars; labels on the starred and the ten largest (at most 16), placed as on the page."""
    from pages.region.figures import MAX_LABELS, place_labels

    title = f"Portfolio of {name}: specialisation and growth, {start}–{year}" if start else f"Portfolio of {name}"
    if frame is None:
        return _message_chart(title, "No start year: the portfolio chart needs a growth window "
                              "(give start_year).", ui["source"], "bubble"), 0
    f = frame.dropna(subset=["cagr"])
    f = f[f["lq"] > 0]
    n_out = len(frame) - len(f)
    if f.empty:
        return _message_chart(title, "No traded category with employment in both years.", ui["source"],
                              "bubble"), n_out
    f = f.assign(growth=f["cagr"] * 100).reset_index(drop=True)
    with rc_context(_rc("bubble")):
        fig = Figure(figsize=(WIDTH_IN, 4.6), layout="constrained")
        ax = fig.add_subplot()
        ax.set_xscale("log")
        size = 700.0 * f["employment"] / f["employment"].max()
        size = np.maximum(size, 12.0)
        for s in sorted(f["stars"].unique()):
            g = f["stars"] == s
            ax.scatter(f.loc[g, "lq"], f.loc[g, "growth"], s=size[g], color=STAR_COLOURS.get(int(s), PEER_COLOUR),
                       alpha=0.85, edgecolors="white", linewidths=0.6, label=STAR_NAMES.get(int(s), str(s)), zorder=3)
        lo, hi = f["lq"].min(), f["lq"].max()
        ax.set_xlim(min(lo, 0.8) / 1.5, max(hi, 1.25) * 1.5)
        ys = list(f["growth"]) + ([bench * 100] if bench is not None and not _nan(bench) else [])
        pad = (max(ys) - min(ys) or 1) * 0.12
        ax.set_ylim(min(ys) - pad, max(ys) + pad * 1.5)
        ax.axvline(1, linestyle="--", color="#7b8a8b", linewidth=0.8)
        ax.text(1.02, 0.01, "LQ = 1", transform=ax.get_xaxis_transform(), fontsize=7, color="#7b8a8b")
        if bench is not None and not _nan(bench):
            ax.axhline(bench * 100, linestyle=":", color=FOCAL_COLOUR, linewidth=1.2)
            ax.text(0.005, bench * 100, f" benchmark growth {rp.fmt_signed_pct(bench)} per year",
                    transform=ax.get_yaxis_transform(), fontsize=7, color=FOCAL_COLOUR, va="bottom")
        ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(_growth_tick))
        ax.set_xlabel(f"Location quotient in {year} (ratio, log scale)")
        ax.set_ylabel(f"Employment growth {start}–{year} (CAGR, % per year)")
        _title(fig, title)
        ax.grid(color="#eef0f2", linewidth=0.6, zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        handles = [Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor=STAR_COLOURS.get(k),
                          markeredgecolor="white", label=STAR_NAMES.get(k, str(k))) for k in sorted(STAR_COLOURS)]
        fig.legend(handles=handles, title=f"Stars ({rules_label})", loc="outside upper right", ncols=4,
                   frameon=False, fontsize=7, title_fontsize=7, alignment="right")
        _bubble_labels(fig, ax, f, size, MAX_LABELS, place_labels)
        _source(fig, ui["source"] + f" Bubble area ∝ employment in {year}; traded categories only.")
    return _svg(fig, "bubble"), n_out


def _bubble_labels(fig, ax, f, size, max_labels, place_labels) -> None:
    rank = f["employment"].rank(ascending=False, method="first")
    candidate = (rank <= 10) | (f["stars"] > 0)
    keep = candidate & (f["employment"].where(candidate).rank(ascending=False, method="first") <= max_labels)
    fig.draw_without_rendering()  # lays the figure out, so the pixel positions below are final
    pts = ax.transData.transform(np.column_stack([f["lq"], f["growth"]]))
    bbox = ax.get_window_extent()
    px = pts[:, 0] - bbox.x0
    py = bbox.y1 - pts[:, 1]
    scale = fig.dpi / 72.0
    radius = np.sqrt(size.to_numpy()) / 2 * scale
    labels = [lab if k else "" for lab, k in zip(f["label"], keep)]
    pos = place_labels(px, py, radius, labels, char_w=4.3 * scale, line_h=9 * scale, size=(bbox.width, bbox.height))
    for i, lab in enumerate(labels):
        if not lab:
            continue
        r = radius[i] / scale + 2
        dx, dy, ha, va = {"top center": (0, r, "center", "bottom"), "bottom center": (0, -r, "center", "top"),
                          "middle right": (r, 0, "left", "center"), "middle left": (-r, 0, "right", "center")}[pos[i]]
        ax.annotate(lab, (f.at[i, "lq"], f.at[i, "growth"]), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=6.5, color=TEXT_COLOUR, zorder=4)


def _growth_tick(v, _pos=None) -> str:
    text = f"{v:+,.1f}".rstrip("0").rstrip(".") if abs(v - round(v)) > 1e-9 else f"{v:+,.0f}"
    return "0 %" if abs(v) < 1e-9 else f"{text} %"


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def top_svg(top, name: str, year: int, level_plural: str, ui: dict) -> Markup:
    """The category page's top regions: horizontal bars of employment, colour = stars, LQ and stars at the end."""
    title = f"Top {len(top)} {level_plural} by employment in {name}, {year}"
    if top.empty:
        return _message_chart(title, f"No region has employment in this category in {year}.", ui["source"], "top")
    t = top.iloc[::-1].reset_index(drop=True)
    stars = t["stars"].fillna(0).astype(int)
    labels = [f"{_short(n, 38)} ({'custom' if str(r).startswith('custom:') else r})"
              for n, r in zip(t["region_name"], t["region_id"])]
    colours = [FOCAL_COLOUR if str(r).startswith("custom:") else STAR_COLOURS.get(s, PEER_COLOUR)
               for r, s in zip(t["region_id"], stars)]
    with rc_context(_rc("top")):
        fig = Figure(figsize=(WIDTH_IN, 0.5 + 0.21 * len(t) + 0.6), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(range(len(t)), t["employment"], color=colours, edgecolor="#6b7b8c", linewidth=0.3)
        ax.set_yticks(range(len(t)), labels, fontsize=7)
        for i, (emp, lq, s) in enumerate(zip(t["employment"], t["lq"], stars)):
            text = f" LQ {lq:,.2f} {'★' * s}" if not _nan(lq) else ""
            ax.text(emp, i, text, va="center", ha="left", fontsize=6.5, color=TEXT_COLOUR)
        ax.set_xlim(0, t["employment"].max() * 1.18)
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_xlabel(f"Employment in {year} ({ui['employment_unit']})")
        _title(fig, title)
        ax.grid(axis="x", color="#eef0f2", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        _source(fig, ui["source"] + " Bar colour = stars (darker = more); LQ = location quotient.")
    return _svg(fig, "top")


def _rgb(colour: str):
    colour = colour.strip()
    if colour.startswith("#"):
        return colour
    nums = colour[colour.index("(") + 1:colour.index(")")].split(",")
    return tuple(float(v) / 255 for v in nums[:3])


#: Regions that lie outside the static map's frame: the EU's outermost regions (TFEU art. 349; their
#: NUTS 2 and NUTS 1 codes) and, in the US, Alaska and Hawaii (FIPS 02, 15 and their counties).
OUTSIDE_FRAME = {"eu": ("ES70", "PT20", "PT30", "FRY", "ES7", "PT2", "PT3"), "us": ("02", "15")}
FRAME_TEXT = {
    "eu": "Lambert azimuthal equal-area projection centred on 10° E, 52° N (as Eurostat's maps); the frame fits the "
          "regions with data less the outermost regions (Canarias, Açores, Madeira, the French overseas regions), "
          "which lie outside it, as does anything beyond the frame's edge.",
    "us": "Albers equal-area projection of the lower 48 states; Alaska and Hawaii are not drawn in this printed "
          "map (their values are in the tables and on the live map).",
}


def _project(dataset: str, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal-area projections: Lambert azimuthal (EU, centred on 10° E 52° N) or Albers conic (US)."""
    lam, phi = np.radians(lon), np.radians(lat)
    if base_of(dataset) == "us":
        p1, p2, p0, l0 = (math.radians(v) for v in (29.5, 45.5, 37.5, -96.0))
        n = (math.sin(p1) + math.sin(p2)) / 2
        c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
        rho = np.sqrt(np.maximum(c - 2 * n * np.sin(phi), 0)) / n
        rho0 = math.sqrt(c - 2 * n * math.sin(p0)) / n
        theta = n * (lam - l0)
        return rho * np.sin(theta), rho0 - rho * np.cos(theta)
    p0, l0 = math.radians(52.0), math.radians(10.0)
    k = np.sqrt(2 / np.maximum(1 + math.sin(p0) * np.sin(phi) + math.cos(p0) * np.cos(phi) * np.cos(lam - l0), 1e-9))
    return k * np.cos(phi) * np.sin(lam - l0), k * (math.cos(p0) * np.sin(phi)
                                                    - math.sin(p0) * np.cos(phi) * np.cos(lam - l0))


def _outside(dataset: str, region_id: str) -> bool:
    return str(region_id).startswith(OUTSIDE_FRAME.get(base_of(dataset), ()))


@functools.lru_cache(maxsize=8)
def _frame(dataset: str, _build: str) -> tuple[float, float, float, float]:
    """The projected box of the benchmark level's regions with data in some year, less those outside the frame."""
    store = get_store(dataset)
    level = store.meta.get("benchmark_level") or store.meta["default_level"]
    with_data = set(store.level_metrics(level)["region_id"].astype(str).unique())
    xs, ys = [], []
    for feat in store.geometry(level)["features"]:
        rid = str(feat["id"])
        if rid in with_data and not _outside(dataset, rid) and feat.get("geometry"):
            for ring in _rings(feat["geometry"]):
                x, y = _project(dataset, ring[:, 0], ring[:, 1])
                xs.append(x)
                ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    return float(x.min()), float(x.max()), float(y.min()), float(y.max())


def _rings(geometry: dict) -> list[np.ndarray]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [np.asarray(ring, float)[:, :2] for poly in polys for ring in poly if len(ring) >= 3]


def map_svg(dataset: str, category_id: str, name: str, state: dict, start, ui: dict) -> tuple[Markup, str]:
    """A static version of the category page's LQ map: the same view, colour scale, bands and note
    (``components.choropleth``), drawn from the build's geometry in an equal-area projection."""
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    from components import choropleth as ch
    from pages.category.figures import map_state_for

    level, year = state["level"], state["year"]
    map_state = map_state_for(dataset, category_id, level, year, state.get("ccat"), state.get("creg"), start)
    title = f"Location quotient of {name}, {level_label(dataset, level)}, {year}"
    store = get_store(dataset)
    if not store.has_geometry(level):
        return _message_chart(title, "No map geometry for this level.", ui["source"], "map"), ""
    regions = ch.trace_update(map_state)["regions"]
    note = ch.legend_note(map_state)
    rule = getattr(ch, "frame_rule", None)  # the live map's projection text does not describe this one
    if rule is not None:
        note = note.replace(rule(dataset), "").strip()
    note = (note + " " + FRAME_TEXT.get(base_of(dataset), "")).strip()
    ids, _names = store.map_regions(level)
    z = dict(zip(map(str, ids), regions["z"]))
    patches, values = [], []
    for feat in store.geometry(level)["features"]:
        rid = str(feat["id"])
        if not feat.get("geometry") or (base_of(dataset) == "us" and _outside(dataset, rid)):
            continue
        verts, codes = [], []
        for ring in _rings(feat["geometry"]):
            x, y = _project(dataset, ring[:, 0], ring[:, 1])
            verts.append(np.column_stack([x, y]))
            codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1)
        if verts:
            patches.append(PathPatch(Path(np.vstack(verts), codes)))
            values.append(z.get(rid, 0))
    stops = regions["colorscale"]
    cmap = LinearSegmentedColormap.from_list("report", [(float(p), _rgb(c)) for p, c in stops])
    norm = Normalize(regions["zmin"], regions["zmax"])
    bar = regions["colorbar"]
    x0, x1, y0, y1 = _frame(dataset, build_id())
    with rc_context(_rc("map")):
        fig = Figure(figsize=(WIDTH_IN, 5.4), layout="constrained")
        ax = fig.add_subplot()
        coll = PatchCollection(patches, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.15)
        coll.set_array(np.array(values, dtype=float))
        coll.set_rasterized(len(patches) > 800)  # US counties: one image inside the SVG, not 3,000 paths
        ax.add_collection(coll)
        padx, pady = (x1 - x0) * 0.01, (y1 - y0) * 0.01
        ax.set_xlim(x0 - padx, x1 + padx)
        ax.set_ylim(y0 - pady, y1 + pady)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _title(fig, title)
        if regions.get("showscale", True):
            cb = fig.colorbar(coll, ax=ax, orientation="horizontal", shrink=0.75, pad=0.02, aspect=45)
            cb.set_ticks(bar.get("tickvals", []), labels=bar.get("ticktext", []))
            cb.ax.tick_params(labelsize=7)
            cb.set_label(_plain(bar.get("title", {}).get("text", "Location quotient")), fontsize=7)
        _source(fig, ui["source"])
    return _svg(fig, "map"), note


def _plain(text: str) -> str:
    import html as _html

    return _html.unescape(re.sub(r"<br\s*/?>", " ", re.sub(r"</?(b|i|span)[^>]*>", "", str(text))))


# ---------------------------------------------------------------------------- rendering and routes


def _kind() -> str:
    return "pdf" if request.path.endswith(".pdf") else "html"


def _fetcher():
    """WeasyPrint's URL fetcher for reports: only ``data:`` URLs (the images matplotlib puts inside its
    SVG) are read, decoded in the process; any other address is refused, so rendering makes no request."""
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if str(url).startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"the report fetches nothing ({str(url)[:40]})")

    return DataOnly(allowed_protocols=("data",))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()


def _respond(make_context, template: str, *args):
    kind = _kind()
    today = dt.date.today().isoformat()
    key = f"report:{build_id()}:{today}:{request.host_url}:{request.full_path}:{kind}"
    body = cache.get(key)
    if body is None:
        started = time.perf_counter()
        try:
            ctx = make_context(*args, _query())
        except ReportError as exc:
            return _error(exc)
        html = render_template(template, **ctx, today=today, build=build_id(), pdf=kind == "pdf")
        body = render_pdf(html) if kind == "pdf" else html
        log.info("report %s rendered in %.0f ms", request.full_path, (time.perf_counter() - started) * 1000)
        cache.set(key, body)
    if kind == "pdf":
        r = Response(body, mimetype="application/pdf")
        fname = "report_" + "_".join(a.replace(":", "-") for a in args) + ".pdf"
        r.headers["Content-Disposition"] = f'inline; filename="{fname}"'
    else:
        r = Response(body, mimetype="text/html")
    r.headers["Cache-Control"] = "private, max-age=300"
    return r


def _error(exc: ReportError):
    html = render_template("report_error.html", title=exc.title, detail=exc.message, notes=exc.notes,
                           links=exc.links)
    return Response(html, status=exc.status, mimetype="text/html", headers={"Cache-Control": "no-store"})


@bp.get("/region/<dataset>/<region_id>/report")
@bp.get("/region/<dataset>/<region_id>/report.html")
@bp.get("/region/<dataset>/<region_id>/report.pdf")
def region_report(dataset: str, region_id: str):
    return _respond(region_context, "report_region.html", dataset, region_id)


@bp.get("/category/<dataset>/<category_id>/report")
@bp.get("/category/<dataset>/<category_id>/report.html")
@bp.get("/category/<dataset>/<category_id>/report.pdf")
def category_report(dataset: str, category_id: str):
    return _respond(category_context, "report_category.html", dataset, category_id)


def init_app(server) -> None:
    """Mount the report routes on the app's server (once)."""
    if bp.name not in server.blueprints:
        server.register_blueprint(bp)
