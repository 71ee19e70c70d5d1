"""The verdict of a trace: every recipient tested under every credible alignment, one bound.

When the image cannot tell between alignments (a mirror-symmetric drawing, plain or
mirrored), each is tested and the bound pays for it: with h alignments and N
recipients, a recipient is accused only if h·N·exp(−T²/2) ≤ ε, where T is its best
score over the alignments (a union bound over h·N tests). The alignments were chosen
on image agreement before any signs were read, so the bound holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..records import Alignment
from . import align, bound, detect


@dataclass(frozen=True)
class Verdict:
    """Scores and accusations of one trace.

    Attributes
    ----------
    scores : (N,) float64 ndarray
        Each recipient's T, the best over the alignments tested.
    p_values : (N,) float64 ndarray
        Bound on the probability that an innocent scores that high: min(1, h·exp(−T²/2)).
    accused : (N,) bool ndarray
    n_tests : int
        h·N, the number of tests the bound covers.
    threshold : float
        The score an accusation needs, √(2 ln(h·N/ε)).
    projections : (h, K) float64 ndarray
        The recovered projection y under each alignment (for empirical checks).
    """

    scores: np.ndarray
    p_values: np.ndarray
    accused: np.ndarray
    n_tests: int
    threshold: float
    projections: np.ndarray


def judge(
    leak: np.ndarray,
    original: np.ndarray,
    alignments: Sequence[Alignment],
    signs: np.ndarray,
    *,
    grid: tuple[int, int],
    mask: np.ndarray | None,
    epsilon: float,
) -> Verdict:
    """Test every recipient (rows of ``signs``) under every alignment, with one family-wise bound.

    Parameters
    ----------
    leak : (h, w, 3) uint8 ndarray
    original : (H, W, 3) uint8 ndarray
    alignments : non-empty sequence of Alignment, chosen without looking at any score
    signs : (N, K) int8 ndarray of ±1
    grid : (gy, gx), the asset's carrier grid, gy·gx = K
    mask : (H, W) float32 perceptual mask of the original
    epsilon : float, family-wise false-accusation bound

    Examples
    --------
    >>> import numpy as np
    >>> from leaktrace.core import embed, keys, mask as mask_mod
    >>> rng = np.random.default_rng(1)
    >>> original = (rng.random((128, 128, 3)) * 255).astype(np.uint8)
    >>> signs = keys.signs_matrix(bytes(32), "a", ["r0", "r1", "r2"], 64)
    >>> copy = embed.embed(original, signs[1], strength=2.0, grid=(8, 8))
    >>> a = align.register(copy, original)
    >>> v = judge(copy, original, [a], signs, grid=(8, 8), mask=None, epsilon=1e-6)
    >>> v.accused.tolist(), v.n_tests
    ([False, True, False], 3)
    """
    if not alignments:
        raise ValueError("judge needs at least one alignment")
    ys = []
    for a in alignments:
        warped, _ = align.warp_leak(leak, a.homography, original.shape[:2])
        ys.append(detect.recover(warped, original, a.valid_mask, grid=grid, mask=mask))
    per_alignment = np.stack([detect.scores(signs, y) for y in ys])  # h n
    scores = per_alignment.max(axis=0)  # n
    h, n = per_alignment.shape
    return Verdict(
        scores=scores,
        p_values=np.minimum(1.0, h * bound.p_bound(scores)),
        accused=bound.accuse(scores, h * n, epsilon),
        n_tests=h * n,
        threshold=bound.threshold(h * n, epsilon),
        projections=np.stack(ys),
    )
