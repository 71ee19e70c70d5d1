"""The verdict of a trace: every recipient tested under every credible alignment, one bound.

When the image cannot tell between alignments (a mirror-symmetric drawing, plain or
mirrored), each is tested and the bound pays for it: with h alignments and N
recipients, a recipient is accused only if h·N·exp(−T²/2) ≤ ε, where T is its best
score over the alignments (a union bound over h·N tests). The alignments were chosen
on image agreement before any signs were read, so the bound holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Alignment
from . import align, bound, detect
from .views import Frame, LeakView, OriginalView, describe_leak, describe_original, frame_for


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
    alignments : tuple of Alignment
        The alignments tested, best first (chosen on image agreement, before any score).
    """

    scores: np.ndarray
    p_values: np.ndarray
    accused: np.ndarray
    n_tests: int
    threshold: float
    projections: np.ndarray
    alignments: tuple = ()


def detection_frame(original: OriginalView, alignment: Alignment, leak_shape: tuple[int, int]) -> Frame:
    """Where the leak of ``alignment`` is tested: the window of the original under its valid
    region, at the leak's own resolution there (never finer than the original's).

    The cost of a test then follows the leak, not the original: a 2 MP leak of a 30 MP
    drawing is tested on about 2 MP. Chosen from the alignment's geometry only.
    """
    valid = np.asarray(alignment.valid_mask, bool)
    hh, ww = original.shape
    vh, vw = valid.shape[:2]
    ys, xs = np.nonzero(valid)
    if ys.size == 0:
        box = (0.0, 0.0, ww - 1.0, hh - 1.0)
    else:
        sx, sy = ww / vw, hh / vh  # valid-grid pixel → original pixels
        box = (xs.min() * sx, ys.min() * sy, (xs.max() + 1) * sx - 1, (ys.max() + 1) * sy - 1)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    scale = align.local_scale(np.asarray(alignment.homography, float), original.shape, at=centre)
    return frame_for(original, box, min(1.0, scale) if np.isfinite(scale) and scale > 0 else 1.0)


def recover(leak: LeakView, original: OriginalView, alignment: Alignment, *, grid: tuple[int, int]) -> np.ndarray:
    """The projection y of the leak under one alignment, tested in :func:`detection_frame`."""
    frame = detection_frame(original, alignment, leak.shape)
    h = np.asarray(alignment.homography, float) @ np.linalg.inv(frame.matrix)  # frame → leak
    warped, _ = align.warp_leak(leak.luma, h, frame.shape)
    valid = align.valid_in_frame(alignment.valid_mask, original.shape, frame.matrix, frame.shape, leak.shape, alignment.homography)
    return detect.recover(warped, frame.luma, valid, grid=grid, mask=frame.mask, rows=frame.rows, cols=frame.cols, density=frame.density)


def judge(
    leak: np.ndarray | LeakView,
    original: np.ndarray | OriginalView,
    alignments: Sequence[Alignment],
    signs: np.ndarray,
    *,
    grid: tuple[int, int],
    epsilon: float,
    mask: np.ndarray | None = None,
) -> Verdict:
    """Test every recipient (rows of ``signs``) under every alignment, with one family-wise bound.

    Parameters
    ----------
    leak : (h, w, 3) uint8 ndarray or LeakView
    original : (H, W, 3) uint8 ndarray or OriginalView
    alignments : non-empty sequence of Alignment, chosen without looking at any score
    signs : (N, K) int8 ndarray of ±1
    grid : (gy, gx), the asset's carrier grid, gy·gx = K
    epsilon : float, family-wise false-accusation bound
    mask : (H, W) float32 perceptual mask of the original, when ``original`` is an array
        (default: computed from it)

    Examples
    --------
    >>> import numpy as np
    >>> from leaktrace.core import embed, keys, mask as mask_mod
    >>> rng = np.random.default_rng(1)
    >>> original = (rng.random((128, 128, 3)) * 255).astype(np.uint8)
    >>> signs = keys.signs_matrix(bytes(32), "a", ["r0", "r1", "r2"], 64)
    >>> copy = embed.embed(original, signs[1], strength=2.0, grid=(8, 8))
    >>> a = align.register(copy, original)
    >>> v = judge(copy, original, [a], signs, grid=(8, 8), mask=np.ones((128, 128), np.float32), epsilon=1e-6)
    >>> v.accused.tolist(), v.n_tests
    ([False, True, False], 3)
    """
    if not alignments:
        raise ValueError("judge needs at least one alignment")
    lv = describe_leak(leak)
    ov = describe_original(original, mask=mask)
    ys = [recover(lv, ov, a, grid=grid) for a in alignments]
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
        alignments=tuple(alignments),
    )


def examine(
    leak: np.ndarray | LeakView,
    original: np.ndarray | OriginalView,
    signs: np.ndarray,
    *,
    grid: tuple[int, int],
    epsilon: float,
    alignments: Sequence[Alignment] | None = None,
) -> Verdict | None:
    """Register the leak onto the original (unless ``alignments`` are given), then :func:`judge`.

    The one path from a described leak and asset to a verdict: the product's trace, the
    evaluation API and the benchmark all go through it. ``None`` when the leak cannot be
    aligned (no evidence, never a guess).
    """
    lv = describe_leak(leak)
    ov = describe_original(original)
    if alignments is None:
        alignments = align.register_all(lv, ov)
    if not alignments:
        return None
    return judge(lv, ov, alignments, signs, grid=grid, epsilon=epsilon)
