"""The bound: formula, threshold, accusation rule, and Hoeffding checked by simulation."""

import math

import numpy as np
import pytest

from leaktrace.core import bound


def test_p_bound_values_and_shape():
    t = np.array([[-1.0, 0.0], [2.0, 6.0]])
    p = bound.p_bound(t)
    assert p.shape == (2, 2) and p.dtype == np.float64
    assert p[0, 0] == 1.0 and p[0, 1] == 1.0
    assert p[1, 0] == pytest.approx(math.exp(-2.0))
    assert p[1, 1] == pytest.approx(math.exp(-18.0))
    assert float(bound.p_bound(3.0)) == pytest.approx(math.exp(-4.5))


def test_threshold_matches_accuse():
    tau = bound.threshold(16, 1e-6)
    assert tau == pytest.approx(math.sqrt(2 * math.log(16e6))) == pytest.approx(5.760, abs=1e-3)
    got = bound.accuse(np.array([tau - 1e-6, tau + 1e-6, -50.0]), 16, 1e-6)
    assert got.tolist() == [False, True, False]
    # the rule is exactly n·p_bound(T) ≤ ε
    t = np.linspace(-2, 10, 1001)
    assert np.array_equal(bound.accuse(t, 16, 1e-6), (16 * bound.p_bound(t) <= 1e-6) & (t > 0))


@pytest.mark.parametrize("n, eps", [(0, 1e-6), (16, 0.0), (16, 1.5)])
def test_bad_arguments(n, eps):
    with pytest.raises(ValueError):
        bound.accuse(1.0, n, eps)


def test_hoeffding_holds_for_rademacher_sums_with_any_weights():
    rng = np.random.default_rng(7)
    k = 256
    # spiky weights: far from Gaussian, the bound must still hold
    for y in (rng.normal(size=k), np.r_[np.ones(4) * 10, rng.normal(size=k - 4) * 0.01]):
        signs = rng.choice(np.array([-1, 1], np.int8), (20000, k)).astype(np.float64)
        t = signs @ (y / np.linalg.norm(y))
        for tau in (1.0, 2.0, 3.0):
            assert np.mean(t >= tau) <= bound.p_bound(tau)


def test_log10_p_bound_is_the_log_of_the_stated_bound_and_never_underflows():
    t = np.array([-3.0, 0.0, 1.5, 5.76, 20.0, 37.0])
    for h in (1, 2, 3):
        p = np.minimum(1.0, h * bound.p_bound(t))  # what a finding states (core.verdict)
        assert np.allclose(bound.log10_p_bound(t, hypotheses=h), np.log10(p), rtol=0, atol=1e-12)
    # where the float64 bound is 0.0 the logarithm is still exact: T = 40 gives 10^(−347.44), T = 100 10^(−2171.47)
    assert float(bound.p_bound(40.0)) == 0.0
    assert float(bound.log10_p_bound(40.0)) == pytest.approx(-800 / math.log(10), abs=1e-12) == pytest.approx(-347.436, abs=1e-3)
    assert float(bound.log10_p_bound(100.0, hypotheses=2)) == pytest.approx(math.log10(2) - 5000 / math.log(10), abs=1e-9)
    with pytest.raises(ValueError):
        bound.log10_p_bound(1.0, hypotheses=0)
