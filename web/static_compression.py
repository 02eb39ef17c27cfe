"""Static files compressed once, not on every request.

Flask-Compress compresses every response; for the 4.8 MB ``plotly.min.js`` that cost 170 ms of a
worker per page visit. Here Flask-Compress gets a cache backend (``COMPRESS_CACHE_BACKEND``) that
keeps only static files (Dash's component suites, ``/assets``, the content blueprint's static
files, the map geometry: GET, 200), and :func:`warm` fills it before gunicorn forks
(``when_ready``), so the workers share the bytes and no worker compresses them.

The highest levels (brotli 11: plotly.js 1.11 MB against 1.29 MB at Flask-Compress's level; gzip
9) are slow (12 s for plotly.js), so they are made ahead of serving, by
``python -m web.static_compression`` (``make run`` and the systemd unit run it), and kept on disk
by content hash (``CLUSTER_PRECOMPRESSED_DIR``, default ``data/cache/precompressed``). A server
that starts without them compresses at a fast level in memory instead (under a second).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
from pathlib import Path

import brotli
from flask import Flask, request

from analytics.config import PROJECT_ROOT

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/web-static/", "/geo/")
ALGORITHMS = ["br", "gzip"]  # br where the browser takes it (all current ones), else gzip
MAX_BYTES = 64 * 2**20  # of compressed static files kept per process


def cache_key(req) -> str:
    """Static GETs by their full path (Dash fingerprints its files in the path); everything else
    one key the backend never stores."""
    if req.method == "GET" and req.path.startswith(STATIC_PREFIXES):
        return "static:" + req.full_path
    return "dynamic"


class StaticCache:
    """The backend: a bounded dict of compressed static bodies (thread-safe; per process)."""

    def __init__(self):
        self._data: dict[str, bytes] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        return self._data.get(key) if key.partition(";")[2].startswith("static:") else None

    def set(self, key: str, value: bytes) -> None:
        if not key.partition(";")[2].startswith("static:") or key in self._data:
            return
        with self._lock:
            if self._size + len(value) <= MAX_BYTES:
                self._data[key] = value
                self._size += len(value)

    def put(self, key: str, value: bytes) -> None:
        """Store or replace (``warm``: the best compression wins over one made by a request)."""
        with self._lock:
            self._size += len(value) - len(self._data.get(key, b""))
            self._data[key] = value

    def keys(self) -> list[str]:
        return list(self._data)


COMPRESSED_TYPES = ("text/html", "text/css", "text/plain", "text/xml", "text/x-component", "text/javascript",
                    "application/javascript", "application/json", "application/vnd.api+json", "application/xml",
                    "application/xhtml+xml", "image/svg+xml", "application/geo+json")


def configure(server: Flask) -> None:
    """Flask-Compress settings of ``server`` (call before ``Compress(server)``): its static cache
    is ``server.extensions["static_compression"]``."""
    cache = StaticCache()
    server.extensions["static_compression"] = cache
    server.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    server.config.setdefault("COMPRESS_CACHE_KEY", cache_key)
    server.config.setdefault("COMPRESS_CACHE_BACKEND", lambda: cache)
    # Flask-Compress's own list plus CSV (every table's download and the API's CSV: 2.2 MB → a fifth)
    server.config.setdefault("COMPRESS_MIMETYPES", [*COMPRESSED_TYPES, "text/csv"])


def precompressed_dir() -> Path:
    return Path(os.environ.get("CLUSTER_PRECOMPRESSED_DIR") or PROJECT_ROOT / "data" / "cache" / "precompressed")


def _compressed(data: bytes, algorithm: str, folder: Path, best: bool) -> bytes:
    """``data`` compressed at the highest level, from the disk cache when it was done before; with
    ``best`` False and nothing on disk, at a fast level (not stored)."""
    path = folder / f"{hashlib.sha256(data).hexdigest()[:32]}.{algorithm}"
    try:
        return path.read_bytes()
    except OSError:
        pass
    if not best:
        return brotli.compress(data, quality=5) if algorithm == "br" else gzip.compress(data, 6, mtime=0)
    out = brotli.compress(data, quality=11) if algorithm == "br" else gzip.compress(data, compresslevel=9, mtime=0)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(out)
        tmp.replace(path)  # atomic: a parallel start never reads half a file
    except OSError:
        pass  # a read-only disk: compress again next start
    return out


def _geo_urls() -> list[str]:
    from analytics.serving.store import available_datasets, get_store
    from web.geo import geo_url

    out = []
    for ds in available_datasets():
        store = get_store(ds)
        out += [geo_url(ds, lvl) for lvl in store.map_levels]
    return out


def warm(server: Flask, pages: tuple[str, ...] = ("/",), best: bool = False) -> int:
    """Put the scripts and styles the pages load (plotly.js and the map geometry too) into the
    cache, compressed at the highest levels when those were made before (``best``: make them);
    returns how many files. Nothing is cached when the compression cache is not configured."""
    cache = server.extensions.get("static_compression")
    if cache is None:
        return 0
    folder = precompressed_dir()
    client = server.test_client()
    urls: list[str] = []
    for page in pages:
        html = client.get(page, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
        urls += re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    urls.append("/_dash-component-suites/plotly/package_data/plotly.min.js")
    urls += _geo_urls()
    done = 0
    for url in dict.fromkeys(u for u in urls if u.startswith(STATIC_PREFIXES)):
        r = client.get(url, headers={"Accept-Encoding": "identity"})
        if r.status_code != 200:
            continue
        data = r.get_data()
        with server.test_request_context(url):
            key = cache_key(request)
        for algorithm in ALGORITHMS:
            cache.put(f"{algorithm};{key}", _compressed(data, algorithm, folder, best))
        done += 1
    return done


def main() -> int:
    """``python -m web.static_compression``: make the highest-level compressed files ahead of
    serving (seconds when they exist already)."""
    import time

    started = time.perf_counter()
    from app import server

    n = warm(server, best=True)
    print(f"static files precompressed: {n} in {time.perf_counter() - started:.1f} s ({precompressed_dir()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
