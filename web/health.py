"""Probes for a process manager or load balancer: ``/healthz`` (the process answers) and
``/readyz`` (the build's tables are loaded and the content database answers), as JSON.

A failing check says which one failed in plain words, never the driver's message (no host, port
or user): 503 with ``{"ready": false, "data": "...", "database": "..."}``.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text

log = logging.getLogger(__name__)


def _data() -> str:
    from analytics.serving.store import available_datasets, serving_status

    try:
        datasets = available_datasets()
    except Exception:  # noqa: BLE001 - a probe answers, it does not raise
        log.exception("readiness: data not loaded")
        return "not loaded"
    if not datasets:
        return "not loaded"
    return "stale build" if serving_status() == "stale" else "ok"


def _database(url: str | None) -> str:
    from analytics.content.db import engine

    try:
        with engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: content database not reachable (%s)", type(exc).__name__)
        return "unreachable"
    return "ok"


def init_app(server: Flask) -> None:
    @server.get("/healthz")
    def healthz():
        return jsonify(alive=True)

    @server.get("/readyz")
    def readyz():
        data, database = _data(), _database(server.config.get("CLUSTER_LIBRARY_URL") or None)
        ready = data in ("ok", "stale build") and database == "ok"
        return jsonify(ready=ready, data=data, database=database), 200 if ready else 503
