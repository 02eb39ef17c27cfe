"""The app's result cache (flask-caching), defined apart from ``app.py`` to avoid import cycles.

``app.py`` binds it to the Flask server (``cache.init_app(server)``); callbacks decorate pure,
argument-keyed functions with ``@cache.memoize()``. SimpleCache is per process (one per
gunicorn worker), like the store's in-memory tables.
"""
from __future__ import annotations

from flask_caching import Cache

# at most 256 entries per process: a US-county view (table + trace) is about 1 MB
CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 256}

cache = Cache(config=CONFIG)


def bind(server) -> Cache:
    """Bind the cache to ``server``; memoized helpers then also work outside a request."""
    cache.init_app(server)
    cache.app = server  # flask-caching falls back to .app when there is no app context
    return cache
