"""Recode NUTS region codes of older versions (2006–2016) to NUTS 2021, the map's version.

Only changes that keep the boundary can be converted exactly: recodings, renamings and
merges (the merged parts are summed). Splits and boundary shifts cannot; such codes are
returned as unmatched with the reason taken from Eurostat's change table, so the
data-quality report can list them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

VERSIONS = ["2003", "2006", "2010", "2013", "2016", "2021"]
# change descriptions that keep the region's territory (so the value converts exactly)
_EXACT = ("recoded", "code change", "name change", "relabelled", "renamed", "code, name change")
_INEXACT = ("boundary", "split", "discontinued", "new region", "merged", "new")


def _is_exact(change: str | float) -> bool:
    if not isinstance(change, str) or not change.strip():
        return True
    text = change.lower()
    if "boundary" in text or "split" in text or "discontinued" in text or "new" in text.split(",")[0]:
        return False
    return any(text.startswith(k) or k in text for k in _EXACT)


@dataclass(frozen=True)
class Recode:
    target: str | None  # NUTS 2021 code, or None when it cannot be converted exactly
    method: str  # identity | recoded | merged | unmatched
    reason: str


def load_changes(raw: Path) -> pd.DataFrame:
    path = raw / "eu" / "nuts_correspondence" / "nuts_changes.csv"
    changes = pd.read_csv(path, dtype=str)
    # plain objects: recode_table walks rows, and row access on string-array columns is 6× slower
    return changes[changes["typology"] == "nuts_level_2"].reset_index(drop=True).astype(object)


def recode_table(codes: list[str], targets: set[str], changes: pd.DataFrame) -> pd.DataFrame:
    """Map each NUTS 2 ``code`` (any version) to NUTS 2021.

    Returns columns ``code, target, method, reason`` (target NaN when unmatched).
    """
    rows = [dict(code=c, **_recode_one(c, targets, changes).__dict__) for c in sorted(set(codes))]
    return pd.DataFrame(rows, columns=["code", "target", "method", "reason"])


def _later_changes(row: pd.Series, version: str) -> list[str]:
    later = VERSIONS[VERSIONS.index(version) + 1:]
    return [row.get(f"change_{v}") for v in later]


def _recode_one(code: str, targets: set[str], changes: pd.DataFrame, _seen: frozenset = frozenset()) -> Recode:
    reasons: list[str] = []
    # rows in which the code appears in some version, latest version first
    for version in reversed(VERSIONS[:-1]):
        hits = changes[changes[f"code_{version}"] == code]
        for _, row in hits.iterrows():
            later = _later_changes(row, version)
            target = row.get("code_2021")
            if isinstance(target, str) and target in targets and all(_is_exact(c) for c in later):
                if target == code:
                    return Recode(target, "identity", "")
                return Recode(target, "recoded", f"{code} ({version}) = {target} (2021)")
            nxt = row.get(f"code_{VERSIONS[VERSIONS.index(version) + 1]}")
            if isinstance(nxt, str) and nxt.endswith("(part)") and "merged" in str(later[0]):
                merged = nxt.replace("(part)", "").strip()
                if merged not in _seen | {code}:
                    # the merged region may itself have changed later: follow it to NUTS 2021
                    after = _recode_one(merged, targets, changes, _seen | {code})
                    if after.method != "unmatched":
                        into = merged if after.target == merged else f"{merged} (now {after.target})"
                        return Recode(after.target, "merged", f"{code} merged into {into}; parts are summed")
                    reasons.append(f"merged into {merged}, then {after.reason.removeprefix('boundary change: ')}")
                    continue
            desc = "; ".join(str(c) for c in later if isinstance(c, str) and c.strip())
            if desc:
                reasons.append(desc)
    if code in targets:
        # code unchanged through every version listed (the table lists changes only)
        removed = changes[(changes["code_2016"] == code) & changes["code_2021"].isna()]
        if removed.empty:
            return Recode(code, "identity", "")
    reason = reasons[0] if reasons else "not a NUTS 2021 code and no exact conversion in the change table"
    return Recode(None, "unmatched", f"boundary change: {reason}" if reasons else reason)
