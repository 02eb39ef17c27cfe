"""The build never runs in a request, and a bad raw file or a failed build costs nothing.

A raw folder is mirrored file by file with symlinks (the real files, another path); one file is
then replaced by a corrupt copy. The "previous build" is a folder with a manifest that must be
left as it was.
"""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import build as B
from analytics import config

RAW = config.raw_dir()
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not RAW.exists(), reason="real raw data not present")


def mirror(dest: Path) -> Path:
    """``dest`` with a symlink to every raw file (same content, another path)."""
    for p in RAW.rglob("*"):
        if p.is_file():
            target = dest / p.relative_to(RAW)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(p)
    return dest


def replace(raw: Path, rel: str, data: bytes) -> None:
    (raw / rel).unlink()
    (raw / rel).write_bytes(data)


@pytest.fixture
def previous(tmp_path) -> Path:
    out = tmp_path / "build"
    out.mkdir()
    (out / "manifest.json").write_text('{"fingerprint": {}, "summary": {}}')
    return out


SBS = "eu/sbs_regional/sbs_r_nuts06_r2_2017vintage.tsv.gz"
GEO = "eu/nuts_geo/NUTS_RG_60M_2021_4326_LEVL_2.geojson"
POP = "us/indicators/population/census_popest_state_2000_2011.tsv"
FIPS = "us/geo/fips/state_fips_names.csv"


@pytest.mark.parametrize("rel, corrupt, what", [
    (SBS, lambda b: b[: len(b) // 2], "truncated gzip"),
    (SBS, lambda b: b"not a gzip at all", "not a readable gzip"),
    (GEO, lambda b: b[:-200], "not valid JSON"),
    (POP, lambda b: b"", "empty file"),
    (FIPS, lambda b: b"state_fips,state_name,state_postal\n", "a header and no rows"),
    (FIPS, lambda b: b"fips;name;postal\n" + b.split(b"\n", 1)[1], "unexpected header"),
    ("us/cbp/state_2017_2021/cbp_state_naics2017_2017_2021.csv.gz",
     lambda b: gzip.compress(b"yr,st,code,estab,emp\n2017,01,00,1,2\n"), "unexpected header"),
])
def test_a_corrupt_raw_file_gives_one_line_and_keeps_the_previous_build(tmp_path, previous, rel, corrupt, what):
    raw = mirror(tmp_path / "raw")
    replace(raw, rel, corrupt((RAW / rel).read_bytes()))
    before = (previous / "manifest.json").read_text()
    with pytest.raises(B.BuildError) as err:
        B.build(raw, previous, progress=lambda s: None)
    msg = str(err.value)
    assert "\n" not in msg and rel in msg and what in msg, msg
    assert "previous build" in msg
    assert (previous / "manifest.json").read_text() == before
    assert not list(tmp_path.glob("build.tmp-*")) and not list(tmp_path.glob("build.old-*"))


def test_the_cli_says_it_in_one_line_without_a_traceback(tmp_path, previous):
    raw = mirror(tmp_path / "raw")
    replace(raw, GEO, b"{oops")
    r = subprocess.run([sys.executable, "-m", "analytics", "build", "--raw", str(raw), "--build-dir", str(previous)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: raw file " + GEO), r.stderr
    assert "Traceback" not in r.stderr


def test_a_failure_inside_the_build_leaves_no_temporary_folder(tmp_path, previous, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("nace_r2")

    monkeypatch.setattr(B, "_build_us", boom)
    with pytest.raises(B.BuildError) as err:
        B.build(RAW, previous, progress=lambda s: None)
    assert "KeyError" in str(err.value) and "previous build" in str(err.value) and "\n" not in str(err.value)
    assert not list(tmp_path.glob("build.tmp-*"))
    assert (previous / "manifest.json").exists() and not (previous / "eu").exists()
    assert "Traceback" in (tmp_path / "build.failed.log").read_text()


def test_an_interrupted_build_removes_its_temporary_folder(tmp_path, previous):
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "build", "--build-dir", str(previous)],
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.time() + 60
    while not list(tmp_path.glob("build.tmp-*")) and time.time() < deadline:
        time.sleep(0.2)
    assert list(tmp_path.glob("build.tmp-*")), "the build never started writing"
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert not list(tmp_path.glob("build.tmp-*"))
    assert (previous / "manifest.json").exists()


def test_orphaned_temporary_folders_of_dead_builds_are_removed(tmp_path, previous, monkeypatch):
    dead = tmp_path / "build.tmp-999999999"
    dead.mkdir()
    monkeypatch.setattr(B, "_alive", lambda pid: pid == os.getpid())
    B._remove_orphans(previous)
    assert not dead.exists()


def test_the_fingerprint_does_not_depend_on_the_raw_folders_path(tmp_path):
    assert B._fingerprint(mirror(tmp_path / "elsewhere")) == B._fingerprint(RAW)


def test_the_fingerprint_follows_the_content(tmp_path):
    raw = mirror(tmp_path / "raw")
    replace(raw, FIPS, (RAW / FIPS).read_bytes() + b"99,Test,TS\n")
    assert B._fingerprint(raw)["inputs"][FIPS] != B._fingerprint(RAW)["inputs"][FIPS]


def test_serving_never_builds(tmp_path):
    from analytics.serving.store import get_store

    with pytest.raises(B.BuildMissing, match="make build"):
        get_store("eu", build_dir=str(tmp_path / "none"))
    assert not (tmp_path / "none").exists()


def test_the_server_refuses_to_start_without_a_build(tmp_path):
    env = {**os.environ, "CLUSTER_BUILD_DIR": str(tmp_path / "none"), "CLUSTER_LIBRARY_URL": "sqlite://"}
    r = subprocess.run([sys.executable, "-c", "import app"], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: no build to serve: run `make build` (python -m analytics build) first; `make run` does both"]
    assert not (tmp_path / "none").exists()
