"""Uploaded datasets kept on disk, private, until they expire: what every gunicorn worker finds.

Two stages, both under :func:`analytics.config.user_data_dir` (default ``data/user-datasets``):

* ``pending/``: a file read and validated (:func:`save_pending` → a random pending id), waiting for
  the user to look at its preview and press "Analyse"; it lives :data:`PENDING_HOURS` at most.
* ``live/``: an analysed upload (:func:`register`): its key ``upload-`` + 144 random bits
  (``secrets.token_urlsafe(18)``) is the only way to it (anyone with the link can view it, read
  only); a separate delete token, shown once to the uploader and kept in their browser, deletes it
  (:func:`delete`; only its SHA-256 is stored). It expires ``CLUSTER_UPLOAD_TTL_HOURS`` (default
  72) after the upload: removed when next asked for and by ``python -m analytics uploads purge``.

Each upload is a folder named by the SHA-256 of its key (the keys themselves are written nowhere on
the server) with the validated rows (``rows.parquet``, ``totals.parquet``) and ``meta.json``
(file name, classification, benchmark, created, expires, the delete token's hash). A worker that is
asked for a key loads it lazily (:func:`lookup`: the rows through :func:`build_store` again, the
same numbers) and holds it, checking on every access that it has not expired or been deleted by
another worker. A folder appears whole or not at all (written aside, then renamed).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics import config
from analytics.serving.store import register_source
from analytics.upload.reader import UploadResult
from analytics.upload.store import PREFIX, UploadStore, build_store

KEY_RE = re.compile(r"^upload-[A-Za-z0-9_-]{24}$")  # token_urlsafe(18): 24 characters, 144 bits
PENDING_RE = re.compile(r"^[A-Za-z0-9_-]{24}$")
PENDING_HOURS = 2.0
MAX_HELD = 32  # uploads a process holds in memory at most (the least recently added is read again from disk)
_LOCK = threading.RLock()
_HELD: dict[str, tuple[UploadStore, float]] = {}  # key → (store, expires), this process only


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Registration:
    """What the uploader gets once: the key (the link) and the delete token (never stored)."""

    key: str
    delete_token: str
    expires: float


def is_upload_key(value) -> bool:
    """Whether ``value`` has the shape of an upload key (not whether it exists)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def _root(root=None) -> Path:
    return config.user_data_dir(root)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _folder(stage: str, secret: str, root=None) -> Path:
    return _root(root) / stage / _digest(secret)[:40]


def _write(folder: Path, result: UploadResult, meta: dict) -> None:
    tmp = folder.parent / f".tmp-{secrets.token_hex(8)}"
    tmp.mkdir(parents=True)
    try:
        result.rows.to_parquet(tmp / "rows.parquet", index=False)
        result.totals.to_parquet(tmp / "totals.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps(meta))
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None


def _read(folder: Path, meta: dict) -> UploadResult:
    return UploadResult(filename=meta["filename"], classification=meta["classification"],
                        rows=pd.read_parquet(folder / "rows.parquet"), totals=pd.read_parquet(folder / "totals.parquet"),
                        warnings=list(meta.get("warnings", [])), n_lines=int(meta.get("n_lines", 0)))


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _source_meta(result: UploadResult) -> dict:
    return {"filename": result.filename, "classification": result.classification, "warnings": result.warnings,
            "n_lines": result.n_lines}


# ---------------------------------------------------------------------------- pending (before "Analyse")


def save_pending(result: UploadResult, root=None) -> str:
    """Keep a clean file until the user accepts it; returns its pending id (random). A refused file
    is never kept (``ValueError``)."""
    if not result.ok:
        raise ValueError("a refused file is not kept")
    pid = secrets.token_urlsafe(18)
    now = _now()
    _write(_folder("pending", pid, root), result,
           {**_source_meta(result), "created": now, "expires": now + PENDING_HOURS * 3600})
    return pid


def load_pending(pid, root=None) -> UploadResult | None:
    """The file of a pending id, or None (unknown, malformed or older than :data:`PENDING_HOURS`)."""
    if not isinstance(pid, str) or not PENDING_RE.match(pid):
        return None
    folder = _folder("pending", pid, root)
    meta = _meta(folder)
    if meta is None:
        return None
    if _now() >= meta["expires"]:
        _remove(folder)
        return None
    return _read(folder, meta)


# ---------------------------------------------------------------------------- live uploads


def register(store: UploadStore, root=None, ttl_hours: float | None = None) -> Registration:
    """Keep an analysed upload on disk under its key for ``ttl_hours`` (default
    ``CLUSTER_UPLOAD_TTL_HOURS``) and hold it in this process; returns the key and the delete token."""
    if not KEY_RE.match(store.dataset):
        raise ValueError("not an upload key")
    ttl = config.upload_ttl_hours() if ttl_hours is None else float(ttl_hours)
    token = secrets.token_urlsafe(24)
    now = _now()
    expires = now + ttl * 3600
    meta = {**_source_meta(store.source), "benchmark": store.benchmark, "created": now, "expires": expires,
            "delete_sha256": _digest(token)}
    _write(_folder("live", store.dataset, root), store.source, meta)
    _hold(store.dataset, store, expires)
    return Registration(store.dataset, token, expires)


def lookup(key, root=None) -> UploadStore | None:
    """The upload of ``key``, or None when it is unknown, expired (then removed) or deleted."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        return None
    folder = _folder("live", key, root)
    with _LOCK:
        held = _HELD.get(key)
        if held is not None:
            store, expires = held
            if _now() < expires and folder.exists():  # another worker may have deleted it
                return store
            _HELD.pop(key, None)
            if _now() >= expires:
                _remove(folder)
            return None
        meta = _meta(folder)
        if meta is None:
            return None
        if _now() >= meta["expires"]:
            _remove(folder)
            return None
        store = build_store(_read(folder, meta), meta["benchmark"], key=key)
        _hold(key, store, meta["expires"])
        return store


def _hold(key: str, store: UploadStore, expires: float) -> None:
    with _LOCK:
        _HELD.pop(key, None)
        _HELD[key] = (store, expires)
        while len(_HELD) > MAX_HELD:
            _HELD.pop(next(iter(_HELD)))


def expires_at(key, root=None) -> float | None:
    """When the upload of ``key`` expires (epoch seconds), or None when it is not there."""
    if lookup(key, root) is None:
        return None
    meta = _meta(_folder("live", key, root))
    return None if meta is None else float(meta["expires"])


def remaining_seconds(key, root=None) -> int:
    """Seconds the upload of ``key`` still lives (0 when it is gone)."""
    at = expires_at(key, root)
    return 0 if at is None else max(0, int(at - _now()))


def delete(key, token, root=None) -> bool:
    """Delete the upload of ``key`` if ``token`` is its delete token; False otherwise (wrong token,
    unknown key)."""
    if not isinstance(key, str) or not KEY_RE.match(key) or not isinstance(token, str) or not token:
        return False
    folder = _folder("live", key, root)
    meta = _meta(folder)
    if meta is None or not hmac.compare_digest(meta.get("delete_sha256", ""), _digest(token)):
        return False
    _remove(folder)
    with _LOCK:
        _HELD.pop(key, None)
    forget(key)
    return True


def forget(key) -> None:
    """Drop ``key`` from this process (not from disk)."""
    with _LOCK:
        _HELD.pop(key, None)


def purge(root=None) -> int:
    """Remove every expired upload and pending file (and leftovers of an interrupted write older
    than a day); returns how many folders were removed."""
    n = 0
    now = _now()
    for stage in ("live", "pending"):
        base = _root(root) / stage
        if not base.is_dir():
            continue
        for folder in base.iterdir():
            if not folder.is_dir():
                continue
            meta = _meta(folder)
            stale = meta is None and now - folder.stat().st_mtime > 86400
            if stale or (meta is not None and now >= meta.get("expires", 0)):
                _remove(folder)
                n += 1
    with _LOCK:
        for key in [k for k, (_s, exp) in _HELD.items() if now >= exp]:
            _HELD.pop(key, None)
    return n


register_source(PREFIX, lookup, "upload")  # get_store("upload-…") finds the uploads (analytics.serving.store)
