"""The production recipe really starts: ``deploy/systemd/cluster-observatory.service`` checked by
``systemd-analyze verify``, then its own commands (ExecStartPre, ExecStart) run with its own
environment file against a real PostgreSQL (CI's, ``CLUSTER_TEST_PG_URL``) and a real Redis
(``redis-server`` on a free port), the way systemd would run them: the data are served, the
result cache and the rate-limit counters live in Redis, saved definitions in PostgreSQL.

Only what is machine-specific is overridden: the checkout path, ports, the database and Redis
URLs, the raw and upload folders.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from conftest import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "systemd" / "cluster-observatory.service"
ENV_FILE = ROOT / "deploy" / "cluster-observatory.env"
INSTALLED = "/opt/cluster-observatory"
PG_URL = os.environ.get("CLUSTER_TEST_PG_URL")


def _service(unit: Path) -> dict[str, list[str]]:
    """The [Service] section's settings, each key with its values in order."""
    out: dict[str, list[str]] = {}
    section = None
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def _env_file(path: Path) -> dict[str, str]:
    env = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _here(command: str) -> list[str]:
    return shlex.split(command.replace(INSTALLED, str(ROOT)))


def test_the_unit_file_is_valid_for_systemd(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    local = tmp_path / UNIT.name
    local.write_text(UNIT.read_text().replace(INSTALLED, str(ROOT)))
    r = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60)
    problems = [ln for ln in (r.stdout + r.stderr).splitlines() if UNIT.name in ln or "Failed" in ln]
    assert r.returncode == 0 and not problems, r.stdout + r.stderr
    svc = _service(UNIT)
    assert any("build --if-stale" in c for c in svc["ExecStartPre"])  # the build never runs in a request
    assert svc["ExecStart"] == [f"{INSTALLED}/.venv/bin/gunicorn -c gunicorn.conf.py app:server"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server is not installed (CI installs it: apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def database_url():
    if not PG_URL:
        pytest.skip("PostgreSQL not tested: set CLUSTER_TEST_PG_URL (CI starts one)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "cluster_deploy_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def stack(built, redis_url, database_url, tmp_path_factory):
    from analytics import config

    svc = _service(UNIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTER_")}
    for name in svc.get("EnvironmentFile", []):
        path = Path(name.lstrip("-").replace(INSTALLED, str(ROOT)))
        if path.exists():
            env.update(_env_file(path))
        else:
            assert name.startswith("-"), f"{name} is required by the unit but missing"
    assert env["CLUSTER_CACHE_TYPE"] == "RedisCache" and env["CLUSTER_LIBRARY_URL"].startswith("postgresql")
    port = free_port()
    env.update({"PORT": str(port), "WEB_CONCURRENCY": "2", "CLUSTER_RAW_DIR": str(config.raw_dir()),
                "CLUSTER_LIBRARY_URL": database_url, "CLUSTER_CACHE_REDIS_URL": f"{redis_url}/0",
                "CLUSTER_RATELIMIT_STORAGE": f"{redis_url}/1",
                "CLUSTER_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))})
    cwd = svc["WorkingDirectory"][0].replace(INSTALLED, str(ROOT))
    for command in svc["ExecStartPre"]:
        r = subprocess.run(_here(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, (command, r.stderr[-2000:])
    proc = subprocess.Popen(_here(svc["ExecStart"][0]), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base)
    yield base, redis_url, database_url
    proc.terminate()
    proc.wait(timeout=30)


def _layout_body(base: str, path: str) -> dict:
    spec = importlib.util.spec_from_file_location("benchmark_serving", ROOT / "scripts" / "benchmark_serving.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.layout_body(requests.get(base + "/_dash-dependencies", timeout=30).json(), path)


def test_the_recipe_serves_with_postgresql_and_a_shared_redis_cache(stack):
    import redis
    from sqlalchemy import create_engine, inspect

    base, redis_url, database_url = stack
    ready = requests.get(base + "/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json() == {"ready": True, "data": "ok", "database": "ok"}
    # the schema was migrated by ExecStartPre (db upgrade) in the recipe's PostgreSQL
    eng = create_engine(database_url)
    assert {"definitions", "users", "organisations", "alembic_version"} <= set(inspect(eng).get_table_names())
    eng.dispose()
    # a page computed by one worker lands in Redis, where every worker finds it
    cache = redis.Redis.from_url(f"{redis_url}/0")
    before = set(cache.keys("cluster-observatory:*"))
    s = requests.Session()
    path = "/region/eu/custom?creg=" + quote(f"Deploy {uuid.uuid4().hex[:6]}=DK01+DK02+SE22", safe="")
    r = s.post(base + "/_dash-update-component", json=_layout_body(base, path), timeout=60)
    assert r.status_code == 200 and "Deploy" in r.text, r.text[:300]
    assert set(cache.keys("cluster-observatory:*")) - before  # this region's rows, computed once for all
    # rate-limit counters are kept in Redis too (the same limit across workers)
    limits = redis.Redis.from_url(f"{redis_url}/1")
    form = s.get(base + "/account/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', form)
    assert token, form[:500]
    for _ in range(3):
        s.post(base + "/account/login", data={"email": "a@example.org", "password": "wrong password",
                                              "csrf_token": token.group(1) or token.group(2)}, timeout=30)
    assert limits.keys("*"), "no rate-limit counter in Redis"
