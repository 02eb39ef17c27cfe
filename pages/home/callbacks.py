"""The landing page's "find my region": options from the server as one types (at most 20, from
:mod:`analytics.serving.search`), and the chosen region's profile opened."""
from __future__ import annotations

from dash import Input, Output, callback, no_update

from analytics.serving.search import find_regions, normalise, region_index
from components import ids as shell_ids
from components.routes import REGION
from pages.home import ids

LIMIT = 20


def search_options(text: str | None) -> list[dict]:
    """Dropdown options for typed text; ``search`` carries the typed text and the plain name so the
    dropdown's own filter (case and accents as typed) keeps every option the server chose."""
    raw = (text or "").strip()
    return [{"label": m.label, "value": m.key,
             "search": " ".join([raw, m.name, normalise(m.name), m.region_id, m.within, normalise(m.within)])}
            for m in find_regions(raw[:100], limit=LIMIT)]


@callback(Output(ids.SEARCH, "options"), Input(ids.SEARCH, "search_value"), prevent_initial_call=True)
def options_for(text):
    if not (text or "").strip():
        return no_update  # keep what is shown (the choice, if any)
    return search_options(text)


@callback(Output(shell_ids.URL, "href", allow_duplicate=True), Input(ids.SEARCH, "value"),
          prevent_initial_call=True)
def open_profile(key):
    """``<dataset>/<region_id>`` → that region's profile."""
    if not key or "/" not in str(key):
        return no_update
    dataset, region_id = str(key).split("/", 1)
    idx = region_index()
    if not ((idx["dataset"] == dataset) & (idx["region_id"] == region_id)).any():
        return no_update  # not a region of the build (a stale or forged value): stay
    return REGION.href(dataset=dataset, region_id=region_id)
