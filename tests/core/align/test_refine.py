"""ECC refinement: a hypothesis a few pixels off is brought back to the truth, sub-pixel.

The leak is made from a textured 192 x 256 picture by a known perspective homography
(ORIGINAL (x, y) → LEAK (x, y)); the hypothesis is the truth with its corners moved by up to
4 px; the error is the largest distance between where the two put the original's corners.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core.align import _images as im
from leaktrace.core.align._refine import refine
from leaktrace.samples.synthetic import photo

SRC = im.corners((192, 256)).astype(np.float32)
#: where the truth puts the original's corners: shrunk to 0.85, shifted, a mild perspective
DST = SRC * 0.85 + np.float32([[14, 10]]) + np.float32([[0, 0], [3, -2], [-2, 4], [1, 2]])


@pytest.fixture(scope="module")
def pair():
    original = im.luminance(photo(1, (192, 256)))
    truth = cv2.getPerspectiveTransform(SRC, DST).astype(float)
    leak = cv2.warpPerspective(original, truth, (240, 180), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return original, leak, truth


def _corner_error(h: np.ndarray) -> float:
    return float(np.abs(im.project(h, SRC) - DST).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_perturbed_homography_is_refined_to_the_truth(pair, seed):
    original, leak, _ = pair
    moved = DST + np.random.default_rng(seed).uniform(-4, 4, (4, 2)).astype(np.float32)
    start = cv2.getPerspectiveTransform(SRC, moved).astype(float)
    assert _corner_error(start) > 3.0  # measured 3.8-4.0 px
    refined = refine(start, original, leak, max_side=256)
    assert refined is not start and refined[2, 2] == pytest.approx(1.0)
    assert _corner_error(refined) < 0.1  # measured 0.026-0.028 px
    assert im.agreement(refined, original, leak) > 0.999


def test_the_truth_stays_put(pair):
    original, leak, truth = pair
    assert _corner_error(refine(truth, original, leak, max_side=256)) < 0.05  # measured 0.027 px


def test_a_weight_leaving_out_a_sticker_keeps_it_from_pulling_the_fit(pair):
    """A bright sticker on the leak pulls an unweighted ECC off; the agreement mask that leaves
    it out (on the original's grid, here the original's own) keeps the fit on the truth."""
    original, leak, truth = pair
    stickered = leak.copy()
    stickered[30:90, 40:120] = 250.0
    where = np.ones(original.shape, bool)
    inv = np.linalg.inv(truth)
    (x0, y0), (x1, y1) = im.project(inv, np.array([[40.0, 30.0], [120.0, 90.0]]))
    where[int(y0) - 2 : int(np.ceil(y1)) + 2, int(x0) - 2 : int(np.ceil(x1)) + 2] = False
    start = cv2.getPerspectiveTransform(SRC, DST + np.float32([[3, -3], [-3, 2], [2, 3], [-2, -3]])).astype(float)
    assert _corner_error(start) == pytest.approx(3.0, abs=1e-3)
    assert _corner_error(refine(start, original, stickered, max_side=256)) > 1.0  # measured 7.6 px
    refined = refine(start, original, stickered, max_side=256, weight=(where, np.eye(3)))
    assert _corner_error(refined) < 0.1  # measured 0.029 px


@pytest.mark.parametrize(
    "h",
    [
        np.diag([20.0, 20.0, 1.0]),  # the leak shows 12 x 9 px of the original: too small a footprint
        np.array([[1.0, 0, 500], [0, 1, 500], [0, 0, 1]]),  # the leak lies beyond the original
    ],
    ids=["footprint-too-small", "no-overlap"],
)
def test_a_hypothesis_without_a_usable_footprint_is_returned_unchanged(pair, h):
    original, leak, _ = pair
    assert refine(h, original, leak, max_side=256) is h
