"""Partner search score and reasons against a hand-worked table (analytics.serving.partners)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.serving.partners import search

NAMES = {"automotive": "Automotive", "production_tech": "Production Technology", "other": "Other",
         "textiles": "Textiles"}


def orgs():
    return pd.DataFrame([
        # id, dataset, name, country, region_id, region_name, categories
        ("a", "eu", "Origin cluster", "DE", "DE11", "Stuttgart", "automotive"),
        ("b", "eu", "Piemonte auto", "IT", "ITC1", "Piemonte", "automotive"),
        ("c", "eu", "Île machines", "FR", "FR10", "Île-de-France", "production_tech;textiles"),
        ("d", "us", "Detroit mobility", "US", None, None, "automotive"),
        ("e", "eu", "Bavarian auto", "DE", "DE21", "Oberbayern", "automotive"),
        ("f", "eu", "No categories", "ES", "ES30", "Madrid", ""),
        ("g", "eu", "Weakly related", "PL", "PL22", "Śląskie", "other"),
    ], columns=["id", "dataset", "name", "country", "region_id", "region_name", "categories"])


RELATED = pd.DataFrame([
    ("automotive", "production_tech", 95, True),
    ("automotive", "other", 92, False),  # above the 90th percentile but not flagged related: no match
    ("production_tech", "automotive", 95, True),
], columns=["category_id", "related_id", "percentile", "related_90"])

STRENGTHS = pd.DataFrame([
    ("eu", "ITC1", "automotive", 1.5, 1, 60000.0, 2015),
    ("eu", "FR10", "production_tech", 4.0, 3, 90000.0, 2015),
    ("eu", "FR10", "textiles", 0.5, 0, 1000.0, 2015),
    ("eu", "DE11", "automotive", 5.17, 3, 160445.0, 2015),
], columns=["dataset", "region_id", "category_id", "lq", "stars", "employment", "year"])


def run(**kw):
    args = dict(origin_categories=["automotive"], origin_country="DE", exclude_ids={"a"})
    args.update(kw)
    return search(orgs(), RELATED, STRENGTHS, NAMES, **args)


def test_hand_worked_scores_and_order():
    r = run()
    # b: same (1) and LQ 1.5 → 100 × (0.7 + 0.3 × 0.5) = 85.0
    # c: related, 0.8 × 95/100 = 0.76, LQ 4 capped at 3 → 100 × (0.7 × 0.76 + 0.3) = 83.2
    # d: same, region unknown → 100 × 0.7 = 70.0
    assert list(r["id"]) == ["b", "c", "d"]
    assert r["score"].tolist() == pytest.approx([85.0, 83.2, 70.0])
    assert list(r["relation"]) == ["same", "related", "same"]
    assert r.loc[1, "category_id"] == "production_tech"  # c's best match, not textiles


def test_same_country_and_origin_left_out_unless_asked():
    r = run()
    assert "e" not in set(r["id"]) and "a" not in set(r["id"])
    r = run(include_same_country=True)
    assert "e" in set(r["id"]) and "a" not in set(r["id"])
    assert r.set_index("id").loc["e", "score"] == pytest.approx(70.0)  # DE21 has no automotive figure


def test_reasons_say_why():
    r = run().set_index("id")
    assert r.loc["b", "reason"] == ("Same category: Automotive. Piemonte (ITC1): LQ 1.50, ★, 60,000 employed "
                                    "(2015).")
    assert r.loc["c", "reason"].startswith("Related to Automotive: Production Technology (relatedness 95th percentile).")
    assert "Region unknown" in r.loc["d", "reason"]


def test_unflagged_pairs_and_empty_categories_do_not_match():
    r = run(include_same_country=True)
    assert not {"f", "g"} & set(r["id"])


def test_limit_and_no_origin():
    assert len(run(limit=2)) == 2
    assert run(origin_categories=[]).empty
