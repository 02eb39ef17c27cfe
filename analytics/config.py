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


USER_DATA_ENV = "CLUSTER_USER_DATA_DIR"
UPLOAD_TTL_ENV = "CLUSTER_UPLOAD_TTL_HOURS"
DEFAULT_UPLOAD_TTL_HOURS = 72.0


def user_data_dir(override: str | os.PathLike | None = None) -> Path:
    """Where uploaded datasets (/upload) are kept until they expire: ``CLUSTER_USER_DATA_DIR``, else
    ``data/user-datasets`` (ignored by git; apart from ``CLUSTER_UPLOAD_DIR``, the library's documents)."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(USER_DATA_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return PROJECT_ROOT / "data" / "user-datasets"


def upload_ttl_hours() -> float:
    """How long an uploaded dataset lives (hours): ``CLUSTER_UPLOAD_TTL_HOURS``, default 72."""
    env = os.environ.get(UPLOAD_TTL_ENV)
    if not env:
        return DEFAULT_UPLOAD_TTL_HOURS
    try:
        hours = float(env)
    except ValueError:
        raise ValueError(f"{UPLOAD_TTL_ENV}={env!r}: give a number of hours") from None
    if not hours > 0:
        raise ValueError(f"{UPLOAD_TTL_ENV}={env!r}: must be more than 0 hours")
    return hours
