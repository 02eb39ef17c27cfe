"""The cluster-strength ↔ prosperity fit recovers a known quadratic and handles thin data."""
import numpy as np
import pandas as pd
import pytest

from analytics.metrics.prosperity import fit


def test_fit_recovers_exact_quadratic():
    # y = 1000x² + 200x + 30 at x = 0, 1, 2, 3 → 30, 1230, 4430, 9630: an exact fit, R² = 1
    df = pd.DataFrame({"cluster_strength": [0.0, 1.0, 2.0, 3.0], "gdp_pc_pps": [30.0, 1230.0, 4430.0, 9630.0]})
    f = fit(df)
    assert (f.a, f.b, f.c) == pytest.approx((1000.0, 200.0, 30.0))
    assert f.r2 == pytest.approx(1.0)
    assert f.n == 4
    assert f.predict(4.0) == pytest.approx(16000 + 800 + 30)


def test_fit_skips_missing_and_refuses_thin_data():
    df = pd.DataFrame({"cluster_strength": [0.1, np.nan, 0.3, 0.4], "gdp_pc_pps": [1.0, 2.0, np.nan, 4.0]})
    assert fit(df) is None  # only 2 complete rows


def test_r2_below_one_with_noise():
    # y = x² plus alternating noise ±1 at x = 0..5: the fit is good but not perfect
    x = np.arange(6.0)
    y = x ** 2 + np.array([1, -1, 1, -1, 1, -1])
    f = fit(pd.DataFrame({"cluster_strength": x, "gdp_pc_pps": y}))
    assert 0.9 < f.r2 < 1.0
