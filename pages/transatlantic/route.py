"""The page's address, declared once (``components.url_state``):
``/transatlantic?category=&year=&eu_level=``. ``category``: a category both datasets have; ``year``: a year
both sides have (2008–2011) or ``latest`` (each side's latest: Europe 2015, US 2021); ``eu_level``: the
European units (``nuts2`` or ``nuts1``) set against the US states."""
from __future__ import annotations

from analytics.insights import transatlantic as ta
from components.url_state import Param, Route

DEFAULT_CATEGORY = "automotive"


def _categories(_v):
    return list(ta.common_categories()["category_id"])


TRANSATLANTIC = Route("transatlantic", "/transatlantic", (
    Param("category", choices=_categories,
          default=lambda v: DEFAULT_CATEGORY if DEFAULT_CATEGORY in _categories(v) else _categories(v)[0],
          describe=lambda _v: "a category both datasets have"),
    Param("year", choices=lambda _v: ta.year_choices(), default=lambda _v: ta.default_year_choice(),
          describe=lambda _v: "a year both sides have (" + ", ".join(ta.year_choices()[1:]) + ") or latest"),
    Param("eu_level", choices=lambda _v: list(ta.LEVELS["eu"]), default="nuts2"),
))
