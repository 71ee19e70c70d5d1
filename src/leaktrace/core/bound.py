"""The false-accusation bound: the only place it lives.

Notes
-----
For a recipient r the trace computes T_r = ⟨s_r, y⟩ / ‖y‖, where y ∈ ℝ^K is the projection of
the leak's residual on the carrier and s_r ∈ {−1, +1}^K are r's signs. If r is innocent, the leak
was made without r's copy, and nothing in the computation of y (registration, photometric fit,
mask, weights) looks at s_r. So y is independent of s_r, whose entries are independent fair
signs (a keyed cryptographic expansion, see :mod:`leaktrace.core.keys`). Conditionally on y,
T_r = Σ_k s_k (y_k / ‖y‖) is a Rademacher sum with weight vector of unit Euclidean norm, and
Hoeffding's inequality gives, for every τ ≥ 0,

    P(T_r ≥ τ | y) ≤ exp(−τ² / 2),

whatever the image, the attack or the other recipients did. Integrating over y keeps the bound.
This is a finite-sample inequality, not a Gaussian approximation. Over n recipients tested, the
union bound gives a family-wise false-accusation probability ≤ n·exp(−τ²/2); accusing only when
n·exp(−T_r²/2) ≤ ε keeps it ≤ ε. The equivalent score threshold is τ* = √(2 ln(n/ε)).

The bound needs that nobody chose among several y's by looking at the recipients' scores: the
alignment hypothesis, the detector weights and every other choice must be made from the leak
and the original alone.

References
----------
W. Hoeffding, "Probability inequalities for sums of bounded random variables",
J. Amer. Statist. Assoc. 58 (1963) 13–30.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["p_bound", "log10_p_bound", "threshold", "accuse"]


def _check(n_tested: int, epsilon: float) -> None:
    if int(n_tested) < 1:
        raise ValueError(f"n_tested must be at least 1, got {n_tested}")
    if not 0.0 < float(epsilon) < 1.0:
        raise ValueError(f"epsilon must be in (0, 1), got {epsilon}")


def p_bound(T):
    """Upper bound on the probability that an innocent recipient scores T or more.

    Parameters
    ----------
    T : float or ndarray
        Scores T_r (dimensionless, ~N(0, 1) for innocents).

    Returns
    -------
    p : float64 ndarray, same shape as T
        exp(−max(T, 0)² / 2), which is ≤ 1 (equal to 1 for T ≤ 0).

    Examples
    --------
    >>> p_bound([0.0, -3.0, 2.0]).round(4).tolist()
    [1.0, 1.0, 0.1353]
    """
    t = np.maximum(np.asarray(T, dtype=np.float64), 0.0)
    return np.minimum(np.exp(-0.5 * t * t), 1.0)


def log10_p_bound(T, *, hypotheses: int = 1):
    """The decimal logarithm of the p-bound a recipient's test states, min(1, h·exp(−T²/2)),
    computed in logs so that it never underflows (the bound itself is 0.0 in float64 from T ≈ 38.6).

    Parameters
    ----------
    T : float or ndarray
        Scores T_r, each the best over the ``hypotheses`` alignments tested.
    hypotheses : int
        Alignments tested (h ≥ 1): the union bound pays h for each recipient's best score.

    Returns
    -------
    log10_p : float64 ndarray, same shape as T
        min(0, log10(h) − max(T, 0)² / (2 ln 10)), which is ≤ 0.

    Examples
    --------
    >>> log10_p_bound([0.0, 2.0, 40.0]).round(2).tolist()
    [0.0, -0.87, -347.44]
    >>> float(log10_p_bound(40.0, hypotheses=2).round(2))
    -347.13
    """
    if int(hypotheses) < 1:
        raise ValueError(f"hypotheses must be at least 1, got {hypotheses}")
    t = np.maximum(np.asarray(T, dtype=np.float64), 0.0)
    return np.minimum(math.log10(int(hypotheses)) - 0.5 * t * t / math.log(10.0), 0.0)


def threshold(n_tested: int, epsilon: float) -> float:
    """Score above which a recipient is accused: τ* = √(2 ln(n/ε)).

    Parameters
    ----------
    n_tested : int
        Recipients tested in this trace (≥ 1).
    epsilon : float
        Family-wise false-accusation bound, in (0, 1).

    Returns
    -------
    tau : float

    Examples
    --------
    >>> round(threshold(16, 1e-6), 2)
    5.76
    """
    _check(n_tested, epsilon)
    return math.sqrt(2.0 * math.log(int(n_tested) / float(epsilon)))


def accuse(T, n_tested: int, epsilon: float) -> np.ndarray:
    """Who is accused: n·exp(−T²/2) ≤ ε and T > 0.

    Parameters
    ----------
    T : float or ndarray
        Scores.
    n_tested : int
        Recipients tested in this trace (the union bound's n).
    epsilon : float
        Family-wise false-accusation bound, in (0, 1).

    Returns
    -------
    accused : bool ndarray, same shape as T

    Examples
    --------
    >>> accuse([1.0, 5.7, 5.8, 40.0], 16, 1e-6).tolist()
    [False, False, True, True]
    """
    _check(n_tested, epsilon)
    t = np.asarray(T, dtype=np.float64)
    # in logs: ln n − T²/2 ≤ ln ε, never for T ≤ 0 (n ≥ 1 > ε anyway)
    log_lhs = math.log(int(n_tested)) - 0.5 * np.square(np.maximum(t, 0.0))
    return (t > 0) & (log_lhs <= math.log(float(epsilon)))
