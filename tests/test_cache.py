"""The one result cache (analytics/serving/cache.py): configured from the environment, keys that
are the same in every process, and a build's results never served for another build."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.serving.cache import config_from_env

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
from analytics.serving import cache as c
calls = []

@c.memoize
def probe(a, b=2):
    calls.append((a, b))
    return {"a": a, "b": b}

out = [probe(1), probe(1, b=2), probe(a=1), probe(2)]
print(json.dumps({"calls": len(calls), "type": c.cache.config["CACHE_TYPE"]}))
"""


def _run(env: dict) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_config_from_the_environment(tmp_path):
    assert config_from_env({})["CACHE_TYPE"] == "SimpleCache"
    fs = config_from_env({"CLUSTER_CACHE_TYPE": "FileSystemCache", "CLUSTER_CACHE_DIR": str(tmp_path)})
    assert fs["CACHE_TYPE"] == "FileSystemCache" and fs["CACHE_DIR"] == str(tmp_path)
    redis = config_from_env({"CLUSTER_CACHE_TYPE": "RedisCache", "CLUSTER_CACHE_REDIS_URL": "redis://h:1/2"})
    assert redis["CACHE_REDIS_URL"] == "redis://h:1/2"
    with pytest.raises(ValueError, match="CLUSTER_CACHE_TYPE"):
        config_from_env({"CLUSTER_CACHE_TYPE": "Memcached?"})


def test_keys_match_across_processes_with_a_shared_backend(tmp_path, built):
    env = {"CLUSTER_CACHE_TYPE": "FileSystemCache", "CLUSTER_CACHE_DIR": str(tmp_path / "cache")}
    first = _run(env)
    # one process: f(1), f(1, b=2), f(a=1) are one key; f(2) another
    assert first == {"calls": 2, "type": "FileSystemCache"}
    # a second process (another gunicorn worker) finds both results: nothing recomputed
    assert _run(env)["calls"] == 0
    # each process has its own SimpleCache
    assert _run({"CLUSTER_CACHE_TYPE": "SimpleCache"})["calls"] == 2


def test_a_new_build_does_not_reuse_old_results(tmp_path, built, monkeypatch):
    from analytics.serving import cache as c
    from analytics.serving import store

    c.clear()  # an empty cache: no eviction of older entries interferes
    calls = []

    @c.memoize
    def probe_build(x):
        calls.append(x)
        return x

    probe_build(1)
    probe_build(1)
    assert calls == [1]
    monkeypatch.setitem(store._BUILD, "build_id", "another-build")
    probe_build(1)
    assert calls == [1, 1]


def test_a_caller_cannot_change_a_cached_frame():
    import pandas as pd

    from analytics.serving import cache as c

    c.clear()

    @c.memoize
    def frame(x):
        return pd.DataFrame({"a": [1, 2]})

    first = frame(7)
    first["b"] = 3
    first.loc[0, "a"] = 99
    again = frame(7)
    assert list(again.columns) == ["a"] and again["a"].tolist() == [1, 2]
