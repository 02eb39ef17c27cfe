"""Presenter mode's sequence: the slides an address stands for, every item checked (no Dash).

:func:`deck` turns the query of ``/present`` (``route.py``) into a :class:`Deck`: the slides
(each a map, region or category view with its title, caption label, source and the address of
its normal view), the slide shown (1-based, clamped to the deck) and a note for every value it
left out or replaced. Bad input never raises: an unknown category, year or region of a carousel,
and a story view that is not a relative address of this app (``https://…``, ``//host/…``,
``javascript:…``, another page) or names an unknown dataset, region or category, is skipped
with a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

from analytics.serving import profiles, views
from analytics.serving.store import DATASETS, available_datasets, get_store
from components import choropleth as ch
from components.labels import dataset_ui, level_label
from components.routes import ALL, CATEGORY, CUSTOM, MAP, REGION
from components.url_state import ParamError, Route, shorten
from pages.present.route import CAROUSEL, STORY, route_for

MAX_SLIDES = 100
MAX_VIEW_CHARS = 2000
DEFAULT_REGIONS = 10  # a carousel over regions without items: the map's ten highest values


@dataclass(frozen=True)
class Slide:
    """One view of the sequence. ``kind``: ``map`` (``state`` is a ``MAP`` state), ``region``
    (``REGION``) or ``category`` (``CATEGORY``)."""

    kind: str
    state: dict
    title: str  # the headline drawn in the figure
    label: str  # what the caption names (the carousel's item, or the view)
    source: str
    href: str  # the view's normal page (Esc)

    @property
    def geo(self) -> str | None:
        """What a map slide's geometry and organisations layer are (slides with the same can be Patched)."""
        if self.kind != "map":
            return None
        return f"{self.state['dataset']}/{self.state['level']}/{self.state.get('orgs') or 'off'}"


@dataclass
class Deck:
    route: Route
    state: dict  # the route's state (the valid items only), without i
    slides: list[Slide] = field(default_factory=list)
    index: int = 0  # 1-based; 0 when there is no slide
    notes: list[str] = field(default_factory=list)
    start: int = 1  # the slide shown when the address has no i (a carousel: the base view's)

    @property
    def key(self) -> str:
        """The deck's canonical query without ``i`` (the same deck has the same key)."""
        return self.route.query(self.state)

    def query(self, index: int | None = None) -> str:
        """The canonical query of the deck showing slide ``index`` (default: the one shown)."""
        i = self.index if index is None else index
        return self.route.query({**self.state, "i": str(i) if i else None})

    def clamp(self, index) -> int:
        if not self.slides:
            return 0
        try:
            i = int(index)
        except (TypeError, ValueError):
            return self.index or 1
        return min(max(i, 1), len(self.slides))


# ---------------------------------------------------------------------------- the deck of an address


def deck(query: dict | None) -> Deck:
    """The deck of a ``/present`` query (values as strings, or lists for repeated parameters)."""
    query = dict(query or {})
    route = route_for(query)
    state, notes = route.parse(query)
    d = _story(state, notes) if route is STORY else _carousel(state, notes)
    if len(d.slides) > MAX_SLIDES:
        d.notes.append(f"The sequence has {len(d.slides)} slides; the first {MAX_SLIDES} are shown.")
        d.slides = d.slides[:MAX_SLIDES]
        if route is STORY:
            d.state["view"] = d.state["view"][:MAX_SLIDES]
        elif d.state.get("items"):
            d.state["items"] = d.state["items"][:MAX_SLIDES]
    d.index = _index(state.get("i"), d)
    return d


def deck_from_search(search: str | None) -> Deck:
    """The deck of a query string (``?a=1&b=2``; a repeated parameter becomes a list)."""
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return deck({k: (v[0] if len(v) == 1 else v) for k, v in q.items()})


def _index(raw, d: Deck) -> int:
    n = len(d.slides)
    default = d.start
    if not n:
        return 0
    if raw in (None, ""):
        return min(default, n)
    try:
        i = int(str(raw).strip())
    except ValueError:
        d.notes.append(f"i={shorten(raw, 20)} is not a slide number; showing slide {min(default, n)}.")
        return min(default, n)
    if i < 1:
        d.notes.append(f"i={i} is before the first slide; showing slide 1.")
        return 1
    if i > n:
        d.notes.append(f"i={i}: the sequence has {n} slide{'s' if n != 1 else ''}; showing slide {n}.")
        return n
    return i


# ---------------------------------------------------------------------------- carousel


def _carousel(state: dict, notes: list[str]) -> Deck:
    base = {k: state[k] for k in MAP.names}
    over = state["over"]
    items = state.get("items") or default_items(base, over)
    if not items:
        notes.append("This map view has no regions with a value to present.")
    d = Deck(CAROUSEL, {k: v for k, v in state.items() if k != "i"}, notes=notes)
    for item in items:
        d.slides.append(carousel_slide(base, over, item))
    start = {"category": base["category"], "year": base["year"]}.get(over)
    d.start = list(items).index(start) + 1 if start in items else 1
    return d


def default_items(base: dict, over: str) -> tuple:
    """The sequence of a carousel without ``items``: every traded category (by name; the map's own
    category first when it is not one), every year of the level, or the regions with the map's
    ten highest values."""
    store = get_store(base["dataset"])
    if over == "category":
        cats = store.categories
        traded = cats[cats["category_type"] == "traded"].sort_values("category_name")["category_id"].tolist()
        return tuple(([base["category"]] if base["category"] not in traded else []) + traded)
    if over == "year":
        return tuple(store.level_years(base["level"]))
    frame = ch.view_frame(base)
    frame = frame[~frame["custom"].astype(bool) & np.isfinite(frame["value"].astype(float))]
    frame = frame.sort_values(["value", "region_id"], ascending=[False, True])
    return tuple(frame["region_id"].head(DEFAULT_REGIONS))


def carousel_slide(base: dict, over: str, item) -> Slide:
    if over == "region":
        q = {"year": base["year"], "rules": base["rules"], "denominator": base["denominator"],
             "start_year": base["start_year"]}
        state, _ = REGION.parse({k: v for k, v in q.items() if v is not None},
                                {"dataset": base["dataset"], "region_id": item})
        return region_slide(state)
    q = {k: v for k, v in base.items() if v is not None}
    if over == "year":
        q["year"] = item
        if base.get("start_year") is not None and int(base["start_year"]) >= int(item):
            q.pop("start_year")  # the year's own default window
        label = str(item)
    else:
        q["category"] = item
        label = None
    state, _ = MAP.parse(q)
    return map_slide(state, label)


# ---------------------------------------------------------------------------- story


def _story(state: dict, notes: list[str]) -> Deck:
    texts = list(state.get("view") or ()) + [t for t in (state.get("story") or "").split("|") if t.strip()]
    kept, slides = [], []
    for k, text in enumerate(texts, 1):
        try:
            slide, item_notes = story_slide(text)
        except ParamError as exc:
            notes.append(f"View {k} ({shorten(text, 60)}) {str(exc).rstrip('.')}; skipped.")
            continue
        notes += [f"View {k}: {n}" for n in item_notes]
        kept.append(text.strip())
        slides.append(slide)
    if not texts:
        notes.append("The story names no views.")
    return Deck(STORY, {"view": tuple(kept), "story": None}, slides=slides, notes=notes)


def split_view(text) -> tuple[str, list[str], dict]:
    """(page, path segments, query) of a story view; :class:`ParamError` unless it is a relative
    address of a map, region or category view of this app."""
    s = str(text).strip()
    if not s:
        raise ParamError("is empty")
    if len(s) > MAX_VIEW_CHARS:
        raise ParamError(f"is longer than {MAX_VIEW_CHARS:,} characters")
    if any(ord(c) < 32 for c in s) or "\\" in s:
        raise ParamError("holds characters an address of this app never has")
    parts = urlsplit(s)
    if parts.scheme or parts.netloc or not s.startswith("/") or s.startswith("//"):
        raise ParamError("is not an address inside this app (a story shows relative addresses such as "
                         "/map?…, /region/… or /category/… only)")
    path = parts.path
    try:
        import dash

        path = "/" + (dash.strip_relative_path(path) or "")
    except Exception:  # noqa: BLE001 - no app (tests, scripts): the path as given
        pass
    segments = [unquote(p) for p in path.strip("/").split("/")]
    page = segments[0].lower() if segments else ""
    if not ((page == "map" and len(segments) == 1) or (page in ("region", "category") and len(segments) == 3)):
        raise ParamError("is not a map, region or category view (/map?…, /region/<dataset>/<id>, "
                         "/category/<dataset>/<id>)")
    q = parse_qs(parts.query, keep_blank_values=True)
    return page, segments, {k: (v[0] if len(v) == 1 else v) for k, v in q.items()}


def story_slide(text) -> tuple[Slide, list[str]]:
    """The slide of a story view and the notes of its settings (:class:`ParamError` if unusable)."""
    page, segments, query = split_view(text)
    if page == "map":
        state, notes = MAP.parse(query)
        return map_slide(state), notes
    dataset, ident = segments[1], segments[2]
    if dataset not in available_datasets():
        raise ParamError(f"names no dataset of this app (known: {', '.join(available_datasets())})")
    store = get_store(dataset)
    label = DATASETS[dataset]["label"]
    if page == "region":
        if ident == CUSTOM:
            raise ParamError("is a custom region; presenter mode shows built-in regions only")
        if profiles.region_row(store.regions, ident) is None:
            raise ParamError(f"names no region of the {label} data")
        state, notes = REGION.parse(query, {"dataset": dataset, "region_id": ident})
        if state.get("creg"):
            notes.append("creg is only used with custom regions; ignored.")
            state["creg"] = None
        return region_slide(state), notes
    if ident == CUSTOM or ident not in set(store.categories["category_id"]):
        raise ParamError(f"names no built-in category of the {label} data")
    state, notes = CATEGORY.parse(query, {"dataset": dataset, "category_id": ident})
    return category_slide(state), notes


# ---------------------------------------------------------------------------- slides


def category_label(dataset: str, category: str, ccat: str | None = None) -> str:
    if category == ALL:
        return "All categories (region totals)"
    if category == CUSTOM and ccat:
        cc, _problem = views.try_category(dataset, ccat)
        return f"{cc.name} (custom)" if cc is not None else "Custom category"
    return get_store(dataset).category_names.get(category, category)


def map_slide(state: dict, label: str | None = None) -> Slide:
    info = ch.info_for(state)
    meta = get_store(state["dataset"]).meta
    cat = category_label(state["dataset"], state["category"], state.get("ccat"))
    when = f"{state['start_year']}–{state['year']}" if state["metric"] == "growth" and state.get("start_year") \
        else str(state["year"])
    title = f"{cat}: {info.hover_label}, {level_label(state['dataset'], state['level'])}, {when}"
    source = f"{meta['source']} Benchmark area: {meta['benchmark_area']}."
    return Slide("map", state, title, label or cat, source, MAP.href(**state))


def region_slide(state: dict) -> Slide:
    ds = state["dataset"]
    name = get_store(ds).region_names.get(state["region_id"], state["region_id"])
    title = f"{name} ({state['region_id']}): leading cluster categories, {state['year']}"
    return Slide("region", state, title, f"{name} ({state['region_id']})", dataset_ui(ds)["source"],
                 REGION.href(**state))


def category_slide(state: dict) -> Slide:
    ds = state["dataset"]
    name = category_label(ds, state["category_id"])
    title = f"{name}: top regions by employment, {level_label(ds, state['level'])}, {state['year']}"
    return Slide("category", state, title, name, dataset_ui(ds)["source"], CATEGORY.href(**state))
