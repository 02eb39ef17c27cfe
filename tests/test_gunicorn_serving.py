"""Production serving as `make run` does it: gunicorn with the repo's config (preloaded, 2 workers),
the content database in PostgreSQL when CI provides one (``CLUSTER_TEST_PG_URL``), else SQLite.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    port = free_port()
    url = os.environ.get("CLUSTER_TEST_PG_URL") or f"sqlite:///{tmp_path_factory.mktemp('gu')}/library.sqlite"
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "CLUSTER_LIBRARY_URL": url,
           "CLUSTER_CACHE_TYPE": "FileSystemCache", "CLUSTER_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "app:server"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base)
    yield base, url
    proc.terminate()
    proc.wait(timeout=30)


def test_gunicorn_is_ready_with_data_and_database(served):
    base, url = served
    r = requests.get(base + "/readyz", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"ready": True, "data": "ok", "database": "ok"}


def test_gunicorn_serves_pages_with_headers_and_no_version(served):
    base, _ = served
    r = requests.get(base + "/region/eu/DE11", timeout=30)
    assert r.status_code == 200
    assert r.headers["Server"] == "gunicorn" and "Content-Security-Policy" in r.headers
    assert r.headers["X-Frame-Options"] == "DENY"


def test_gunicorn_workers_answer_callbacks_and_refuse_big_bodies(served):
    base, _ = served
    s = requests.Session()
    s.get(base + "/", timeout=30)
    big = s.post(base + "/_dash-update-component", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                 headers={"Content-Type": "application/json"}, timeout=30)
    assert big.status_code == 413
    bad = s.post(base + "/_dash-update-component", json=None, timeout=30)
    assert bad.status_code in (400, 415)  # no JSON body: refused, never a 500
