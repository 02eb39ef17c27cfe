"""Where raw data is read from and where derived data is written.

The raw-data directory is, in order of precedence: the ``--raw`` CLI option, the
``CLUSTER_RAW_DIR`` environment variable, or ``../shared/data`` beside the project.
The build folder is ``data/build`` (ignored by git) unless ``CLUSTER_BUILD_DIR`` is set.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS_DIR = PROJECT_ROOT / "data"
RAW_ENV = "CLUSTER_RAW_DIR"
BUILD_ENV = "CLUSTER_BUILD_DIR"


def raw_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(RAW_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return (PROJECT_ROOT.parent / "shared" / "data").resolve()


def build_dir(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(BUILD_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return PROJECT_ROOT / "data" / "build"
