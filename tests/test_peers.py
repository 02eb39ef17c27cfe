"""Peer regions for benchmarking (METHODOLOGY.md §4, analytics/peers.py).

A tiny hand-made level (4 regions × 3 categories) where every score is worked out by hand,
then one check on the real EU data: Stuttgart's structural peers are manufacturing regions.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.metrics.peers import BASES, scorecard, suggest
from analytics.sources.eu import sources as eu_sources

# Region × category employment shares (focus) and stars. R1 is the focal region.
#            a     b     c
#   R1     0.3   0.4   0.0      stars: a=1, b=2, c=0
#   R2     0.3   0.4   0.0      stars: a=1
#   R3     0.4   0.3   0.0      stars: a=3, b=1
#   R4     0.0   0.0   0.5      stars: c=2
FOCUS = {"R1": (0.3, 0.4, 0.0), "R2": (0.3, 0.4, 0.0), "R3": (0.4, 0.3, 0.0), "R4": (0.0, 0.0, 0.5)}
STARS = {"R1": (1, 2, 0), "R2": (1, 0, 0), "R3": (3, 1, 0), "R4": (0, 0, 2)}


@pytest.fixture
def table() -> pd.DataFrame:
    rows = []
    for region, shares in FOCUS.items():
        for cat, focus, stars in zip("abc", shares, STARS[region]):
            rows.append({"region_id": region, "region_name": f"Region {region[1]}", "category_id": cat,
                         "category_name": cat.upper(), "focus": focus, "stars": stars})
    return pd.DataFrame(rows)


@pytest.fixture
def indicators() -> pd.DataFrame:
    return pd.DataFrame({"region_id": ["R1", "R2", "R3", "R4"],
                         "total_employment": [1000.0, 2000.0, 400.0, 1100.0],
                         "gdp_pc_pps": [30000.0, 27000.0, 60000.0, np.nan]})


@pytest.fixture
def neighbours() -> pd.DataFrame:
    pairs = [("R1", "R2"), ("R1", "R4"), ("R2", "R3")]  # R1 borders R2 and R4; R2 borders R3
    both = pairs + [(b, a) for a, b in pairs]
    return pd.DataFrame(both, columns=["region_id", "neighbour_id"])


def scores(out: pd.DataFrame) -> dict:
    return dict(zip(out["region_id"], out["score"]))


def test_structure_is_cosine_similarity_of_employment_shares(table, indicators):
    out = suggest("structure", "R1", table, indicators)
    # R1 = (0.3, 0.4, 0), |R1| = 0.5
    # R2 = R1                         → cos = 1
    # R3 = (0.4, 0.3, 0): (0.12 + 0.12) / (0.5 × 0.5) = 0.24 / 0.25 = 0.96
    # R4 = (0, 0, 0.5): no overlap    → cos = 0
    assert list(out["region_id"]) == ["R2", "R3", "R4"]
    s = scores(out)
    assert s["R2"] == pytest.approx(1.0)
    assert s["R3"] == pytest.approx(0.96)
    assert s["R4"] == pytest.approx(0.0)


def test_size_is_the_closest_total_employment_by_log_ratio(table, indicators):
    out = suggest("size", "R1", table, indicators)
    # R1 has 1,000 jobs; distance = |ln(E / 1,000)|, score = −distance
    # R4 1,100: ln 1.1 = 0.0953 · R2 2,000: ln 2 = 0.6931 · R3 400: |ln 0.4| = 0.9163
    assert list(out["region_id"]) == ["R4", "R2", "R3"]
    s = scores(out)
    assert s["R4"] == pytest.approx(-math.log(1.1))
    assert s["R2"] == pytest.approx(-math.log(2))
    assert s["R3"] == pytest.approx(math.log(0.4))
    # the value shown next to the peer is its total employment
    assert dict(zip(out["region_id"], out["basis_value"])) == {"R4": 1100.0, "R2": 2000.0, "R3": 400.0}


def test_prosperity_is_the_closest_gdp_per_capita_by_log_ratio(table, indicators):
    out = suggest("prosperity", "R1", table, indicators)
    # R1 30,000: R2 27,000 → |ln 0.9| = 0.1054 · R3 60,000 → ln 2 = 0.6931 · R4 unknown → not a peer
    assert list(out["region_id"]) == ["R2", "R3"]
    s = scores(out)
    assert s["R2"] == pytest.approx(math.log(0.9))
    assert s["R3"] == pytest.approx(-math.log(2))


def test_strong_counts_shared_starred_categories(table, indicators):
    out = suggest("strong", "R1", table, indicators)
    # R1 is starred in a and b. R3: a and b → 2 · R2: a → 1 · R4: only c → 0 shared, not a peer
    assert list(out["region_id"]) == ["R3", "R2"]
    assert scores(out) == {"R3": 2, "R2": 1}
    assert dict(zip(out["region_id"], out["basis_value"])) == {"R3": "a, b", "R2": "a"}


def test_neighbours_share_a_border(table, indicators, neighbours):
    out = suggest("neighbours", "R1", table, indicators, neighbours=neighbours)
    # R1 borders R2 and R4 (R3 borders R2 only)
    assert set(out["region_id"]) == {"R2", "R4"}
    assert (out["basis_value"] == "shares a border").all()
    # without a neighbours table there is nothing to suggest (not an error)
    assert suggest("neighbours", "R1", table, indicators).empty


def test_a_custom_region_focal_uses_its_members(table, indicators, neighbours):
    # custom region R1+R2: neighbours of either member, members themselves excluded → R3, R4
    focal = pd.DataFrame({"region_id": ["custom:x"], "category_id": ["a"], "focus": [0.3], "stars": [1]})
    out = suggest("neighbours", "custom:x", table, indicators, focal_table=focal, neighbours=neighbours,
                  exclude={"R1", "R2"}, members={"R1", "R2"})
    assert set(out["region_id"]) == {"R3", "R4"}


@pytest.mark.parametrize("basis", list(BASES))
def test_the_focal_region_is_never_its_own_peer_and_exclusions_hold(table, indicators, neighbours, basis):
    out = suggest(basis, "R1", table, indicators, neighbours=neighbours)
    assert "R1" not in set(out["region_id"])
    assert not out.empty
    dropped = out["region_id"].iloc[0]
    again = suggest(basis, "R1", table, indicators, neighbours=neighbours, exclude={dropped})
    assert dropped not in set(again["region_id"]) and "R1" not in set(again["region_id"])
    # n limits the list to the best n
    assert len(suggest(basis, "R1", table, indicators, neighbours=neighbours, n=1)) == 1


def test_unknown_basis_is_refused(table, indicators):
    with pytest.raises(ValueError, match="unknown peer basis 'colour'.*structure"):
        suggest("colour", "R1", table, indicators)


def test_unknown_focal_region_gives_no_peers(table, indicators):
    assert suggest("structure", "R9", table, indicators).empty


def test_scorecard_ranks_within_the_peer_group_with_ties():
    t = pd.DataFrame({
        "region_id": ["R1", "R2", "R3", "R4"] * 2,
        "region_name": ["one", "two", "three", "four"] * 2,
        "category_id": ["a"] * 4 + ["b"] * 4,
        "category_name": ["A"] * 4 + ["B"] * 4,
        "employment": [100, 300, 100, 900, 50, 40, 60, 1],
        "lq": [1.5, 0.8, 2.5, 9.0, 1.0, 1.0, 1.0, 0.1],
    })
    sc = scorecard(t, ["R1", "R2", "R3"]).set_index(["category_id", "region_id"])
    # R4 (biggest in a) is not in the peer group: ranks are among R1–R3 only
    assert set(sc.index.get_level_values("region_id")) == {"R1", "R2", "R3"}
    # a, employment 100 / 300 / 100 → R2 1st, R1 and R3 tied 2nd (rank "min": 1, 2, 2)
    assert sc.loc[("a", "R2"), "employment_peer_rank"] == 1
    assert sc.loc[("a", "R1"), "employment_peer_rank"] == 2
    assert sc.loc[("a", "R3"), "employment_peer_rank"] == 2
    # a, LQ 1.5 / 0.8 / 2.5 → R3 1st, R1 2nd, R2 3rd
    assert [sc.loc[("a", r), "lq_peer_rank"] for r in ("R3", "R1", "R2")] == [1, 2, 3]
    # b, LQ all 1.0 → all tied 1st
    assert [sc.loc[("b", r), "lq_peer_rank"] for r in ("R1", "R2", "R3")] == [1, 1, 1]
    # b, employment 50 / 40 / 60 → R3, R1, R2
    assert [sc.loc[("b", r), "employment_peer_rank"] for r in ("R3", "R1", "R2")] == [1, 2, 3]
    assert (sc["peer_n"] == 3).all()
    # a category filter keeps only those categories
    only_b = scorecard(t, ["R1", "R2", "R3"], ["b"])
    assert set(only_b["category_id"]) == {"b"} and len(only_b) == 3


# --- real data -----------------------------------------------------------------------------

RAW = config.raw_dir()
MISSING = [rel for rel in eu_sources.REQUIRED if not (RAW / rel).exists()]
needs_data = pytest.mark.skipif(bool(MISSING), reason=f"raw data not available under {RAW}; set CLUSTER_RAW_DIR")


@pytest.fixture(scope="module")
def eu_2014():
    from analytics.serving.store import get_store
    store = get_store("eu")
    table = store.table("nuts2", 2014)
    ind = store.indicators
    ind = ind[(ind["level"] == "nuts2") & (ind["year"] == 2014)]
    return store, table, ind


@needs_data
def test_stuttgart_structural_peers_are_manufacturing_regions(eu_2014):
    store, table, ind = eu_2014
    out = suggest("structure", "DE11", table, ind)
    peers = list(out["region_id"])
    print("peers of DE11 by structure, 2014:", ", ".join(f"{r} {s:.3f}" for r, s in zip(peers, out["score"])))
    assert len(peers) == 8 and "DE11" not in peers
    assert set(peers) & {"DE21", "DE12", "DE14", "AT31", "ITC4"}  # Oberbayern, Karlsruhe, Tübingen, ...
    assert out["score"].is_monotonic_decreasing and (out["score"] <= 1 + 1e-12).all()
    # Stuttgart's closest peers are mostly German (manufacturing Länder regions)
    assert sum(p.startswith("DE") for p in peers) >= 4
