"""Presenter mode's address, declared once (``components.url_state``), in two forms.

- A **carousel** over one dimension of a map view: the map explorer's parameters (``MAP``'s own
  declarations, so the base view is validated exactly as /map validates it) plus ``over``
  (``category``, ``year`` or ``region``), ``items`` (comma-separated category ids, years or region
  ids; each checked, unknown ones left out with a note; missing = the default sequence) and ``i``
  (the slide shown, 1-based):
  ``/present?dataset=eu&level=nuts2&metric=lq&year=2014&over=category&items=automotive,apparel&i=2``.
- A **story**: ``view`` repeated (or ``story`` with the views separated by ``|``), each a relative
  address of the app (``/map?…``, ``/region/<dataset>/<id>?…``, ``/category/<dataset>/<id>?…``),
  percent-encoded, and ``i``. The views are checked in ``sequence.py``.
"""
from __future__ import annotations

from analytics.serving.store import get_store
from components.routes import ALL, CUSTOM, MAP
from components.url_state import Kept, Param, ParamError, Route, shorten

OVER = ("category", "year", "region")


def _items(value: tuple, v: dict):
    """The carousel's items that exist for the base view (categories of the dataset, years of the
    level, regions of the dataset); the others are left out with a note."""
    store = get_store(v["dataset"])
    over = v.get("over") or "category"
    if over == "category":
        known = {ALL, *store.categories["category_id"]} | ({CUSTOM} if v.get("ccat") else set())
        kept = [x for x in value if x in known]
        what = "categories of the dataset"
    elif over == "year":
        years = set(store.level_years(v["level"]))
        kept = [int(x) for x in value if str(x).isdigit() and int(x) in years]
        what = f"years with data at this level ({min(years)}–{max(years)})" if years else "years with data"
    else:
        known = set(store.regions["region_id"])
        kept = [x for x in value if x in known]
        what = "regions of the dataset"
    bad = [x for x in value if (int(x) if over == "year" and str(x).isdigit() else x) not in kept]
    if not kept:
        raise ParamError(f"names none of the {what}")
    if bad:
        return Kept(tuple(kept), f"{', '.join(shorten(b, 30) for b in bad[:8])} "
                                 f"{'is' if len(bad) == 1 else 'are'} not among the {what}; left out.")
    return tuple(kept)


OVER_PARAM = Param("over", choices=lambda _v: OVER, default="category")
ITEMS_PARAM = Param("items", kind="list", check=_items)
# the slide shown, 1-based; read and clamped to the deck in sequence.py (None: the base view's slide)
INDEX_PARAM = Param("i")

CAROUSEL = Route("present", "/present", (*MAP.params, OVER_PARAM, ITEMS_PARAM, INDEX_PARAM),
                 order=(*MAP.order, "over", "items", "i"))

STORY = Route("present", "/present", (
    Param("view", kind="multi"),
    Param("story"),
    INDEX_PARAM,
))

#: the parameters that make an address a story
STORY_KEYS = ("view", "story")


def route_for(query: dict) -> Route:
    """The form an address takes: a story when it names views, else a carousel."""
    return STORY if any(query.get(k) not in (None, "", []) for k in STORY_KEYS) else CAROUSEL
