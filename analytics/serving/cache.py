"""The one result cache: flask-caching, configured once from the environment.

Derived views (``analytics.serving.views``) are memoized with :func:`memoize`: named, module-level
functions of plain arguments (strings, ints, tuples), so their keys are the same in every process.
The key is the function's module and name, its arguments (normalised by flask-caching, so
``f(a, b=1)`` and ``f(a, 1)`` share a key) and the build's id, so a rebuild never serves results
of the previous build from a persistent backend.

Backends, by ``CLUSTER_CACHE_TYPE``:

* ``SimpleCache`` (default): in the process (each gunicorn worker has its own), without pickling:
  values are kept as they are and DataFrames handed out as copy-on-write shallow copies
  (:class:`InProcessSerializer`), so a caller's change never reaches the cached frame and a
  hit costs no unpickling of a 10 MB county table;
* ``FileSystemCache``: shared by every worker on the machine, in ``CLUSTER_CACHE_DIR``
  (default ``data/cache``);
* ``RedisCache``: shared by every worker and machine, at ``CLUSTER_CACHE_REDIS_URL``
  (needs the ``redis`` package: ``pip install redis``);
* ``NullCache``: no caching (benchmarks of the uncached cost).

``CLUSTER_CACHE_TIMEOUT`` (seconds, default 3600) and ``CLUSTER_CACHE_THRESHOLD`` (entries per
SimpleCache / FileSystemCache, default 512) tune it. The app binds the same cache to its Flask
server (:func:`bind`); outside a request (CLI, tests) a private Flask app holds it.
"""
from __future__ import annotations

import functools
import os

import pandas as pd
from cachelib.serializers import BaseSerializer
from flask import Flask
from flask_caching import Cache

from analytics.config import PROJECT_ROOT

TYPES = ("SimpleCache", "FileSystemCache", "RedisCache", "NullCache")


class InProcessSerializer(BaseSerializer):
    """For the in-process SimpleCache: keep the object, hand out isolated views of frames.

    pandas copy-on-write makes ``frame.copy(deep=False)`` cheap and independent: whatever a caller
    sets on its copy (a column, a value) is copied then, never written into the cached frame.
    """

    def dumps(self, value, protocol=None):  # noqa: ARG002 - the cachelib interface
        return value

    def loads(self, value):
        return _isolated(value)


def _isolated(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_isolated(v) for v in value)
    return value


def config_from_env(env=os.environ) -> dict:
    kind = env.get("CLUSTER_CACHE_TYPE", "SimpleCache")
    if kind not in TYPES:
        raise ValueError(f"CLUSTER_CACHE_TYPE={kind!r}: choose one of {', '.join(TYPES)}")
    config = {"CACHE_TYPE": kind, "CACHE_DEFAULT_TIMEOUT": int(env.get("CLUSTER_CACHE_TIMEOUT", "3600")),
              "CACHE_THRESHOLD": int(env.get("CLUSTER_CACHE_THRESHOLD", "512"))}
    if kind == "SimpleCache":
        config["CACHE_SERIALIZER"] = InProcessSerializer
    if kind == "FileSystemCache":
        config["CACHE_DIR"] = env.get("CLUSTER_CACHE_DIR", str(PROJECT_ROOT / "data" / "cache"))
    if kind == "RedisCache":
        config["CACHE_REDIS_URL"] = env.get("CLUSTER_CACHE_REDIS_URL", "redis://127.0.0.1:6379/0")
        config["CACHE_KEY_PREFIX"] = "cluster-observatory:"
    return config


CONFIG = config_from_env()
cache = Cache(config=CONFIG)
_standalone = Flask("analytics.serving")
cache.init_app(_standalone)
cache.app = _standalone  # flask-caching falls back to .app outside a request


def bind(server) -> Cache:
    """Use the cache inside ``server``'s requests too (the same backend configuration)."""
    if cache not in server.extensions.get("cache", {}):
        cache.init_app(server)
    return cache


def _build_id() -> str:
    from analytics.serving.store import build_id

    return build_id()


PRIVATE = "upload-"  # an uploaded dataset's key (analytics.upload): never a key of the shared cache


def is_private(value) -> bool:
    """Whether an argument names an uploaded dataset (its key, or a query string or tuple with it)."""
    if isinstance(value, str):
        return PRIVATE in value
    if isinstance(value, (tuple, list, frozenset, set)):
        return any(is_private(v) for v in value)
    if isinstance(value, dict):
        return any(is_private(k) or is_private(v) for k, v in value.items())
    return False


def memoize(func):
    """``cache.memoize`` with the build's id in the function's cache name; every caller (the first
    one too) gets an isolated copy of a frame (:func:`_isolated`).

    Views of an uploaded dataset (an argument holding an ``upload-…`` key) bypass the cache: their
    key would be written into a shared backend (Redis, files) and their figures outlive a deletion
    or the expiry; the upload's own store holds its tables, so they are computed from memory."""
    cached = cache.memoize(make_name=lambda fname: f"{fname}@{_build_id()}")(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if is_private(args) or is_private(kwargs):
            return _isolated(func(*args, **kwargs))
        return _isolated(cached(*args, **kwargs))

    wrapper.uncached = func
    return wrapper


def clear() -> None:
    """Empty the cache (tests and benchmarks)."""
    cache.clear()
