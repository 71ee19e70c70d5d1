"""Feature-free hypotheses: a smooth original found inside a canvas, as a crop, as a rotated crop,
and by its frame in a screenshot-like canvas.

The original is a smooth render (soft ellipses, no edges for features) of at most 256 px; each
leak is made from it by a known homography ORIGINAL (x, y) → LEAK (x, y). The template
search works on a coarse grid of scales and angles, so its hypothesis is a few pixels off;
ECC (here run to convergence: 100 iterations, ε = 1e-8) takes it the rest of the way. Errors
are the largest distance, in leak pixels, between where the hypothesis and the truth put
the corners of the part of the original both images show.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core.align import _images as im
from leaktrace.core.align._refine import refine
from leaktrace.core.align._search import KEEP, frame_hypotheses, rotated_hypotheses, search_hypotheses
from leaktrace.core.views import scale_matrix
from leaktrace.samples.synthetic import soft_ellipses

CONVERGED = {"max_side": 256, "iterations": 100, "eps": 1e-8}


def _translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0.0, x], [0.0, 1.0, y], [0.0, 0.0, 1.0]])


def _error_at(points: np.ndarray, h: np.ndarray, truth: np.ndarray) -> float:
    """Largest distance between where ``h`` and ``truth`` put the original's ``points``."""
    return float(np.abs(im.project(h, points) - im.project(truth, points)).max())


def _leak_corner_error(h: np.ndarray, truth: np.ndarray, leak_shape) -> float:
    """The same at the leak's corners (a crop shows only part of the original), in leak pixels."""
    corners_in_original = im.project(np.linalg.inv(truth), im.corners(leak_shape))
    return _error_at(corners_in_original, h, truth)


@pytest.fixture(scope="module")
def smooth() -> np.ndarray:
    return im.luminance(soft_ellipses((168, 240)))  # h w, float32


def _check(hyps):
    assert 0 < len(hyps) <= KEEP
    peaks = [p for _, _, p in hyps]
    assert peaks == sorted(peaks, reverse=True)
    for h, mirrored, _ in hyps:
        assert h.shape == (3, 3) and h[2, 2] == pytest.approx(1.0)
        assert bool(np.linalg.det(h[:2, :2]) < 0) == mirrored


def test_search_finds_the_original_shrunk_and_pasted_inside_a_canvas(smooth):
    truth = np.array([[0.6, 0, 60.0], [0, 0.6, 40.0], [0, 0, 1]])
    leak = np.full((200, 256), 235, np.float32)
    cv2.warpPerspective(smooth, truth, (256, 200), dst=leak, borderMode=cv2.BORDER_TRANSPARENT)
    hyps = search_hypotheses(smooth, leak)
    _check(hyps)
    h, mirrored, peak = hyps[0]
    corners = im.corners(smooth.shape)
    assert not mirrored and peak > 0.99
    assert _error_at(corners, h, truth) < 2.0  # measured 1.2 px
    assert _error_at(corners, refine(h, smooth, leak, **CONVERGED), truth) < 0.25  # measured 0.12 px


def test_search_finds_a_mirrored_paste(smooth):
    truth = np.array([[0.6, 0, 60.0], [0, 0.6, 40.0], [0, 0, 1]]) @ im.flip_matrix(240)
    leak = np.full((200, 256), 235, np.float32)
    cv2.warpPerspective(smooth, truth, (256, 200), dst=leak, borderMode=cv2.BORDER_TRANSPARENT)
    h, mirrored, _ = search_hypotheses(smooth, leak)[0]
    assert mirrored and _error_at(im.corners(smooth.shape), h, truth) < 2.0  # measured 1.2 px


def test_search_finds_a_crop(smooth):
    x0, y0, x1, y1 = 50, 30, 210, 150
    leak = smooth[y0:y1, x0:x1].copy()  # 2/3 of the width
    truth = _translate(-x0, -y0)
    hyps = search_hypotheses(smooth, leak)
    _check(hyps)
    h, mirrored, peak = hyps[0]
    assert not mirrored and peak > 0.99
    # the crop's width falls between two of the search's scales (12 % apart)
    assert _leak_corner_error(h, truth, leak.shape) < 8.0  # measured 6.0 px
    refined = refine(h, smooth, leak, **CONVERGED)
    assert _leak_corner_error(refined, truth, leak.shape) < 0.1  # measured 0.037 px
    # with the registration's default stopping rule ECC stops earlier on smooth content
    assert _leak_corner_error(refine(h, smooth, leak, max_side=256), truth, leak.shape) < 1.0  # measured 0.54 px


@pytest.fixture(scope="module")
def wide() -> np.ndarray:
    return im.luminance(soft_ellipses((180, 256)))


@pytest.mark.parametrize("degrees, raw, refined", [(12.0, 5.0, 0.15), (-17.0, 6.0, 0.3)])
def test_rotated_hypotheses_find_a_crop_of_a_rotated_copy(wide, degrees, raw, refined):
    """A 110 x 80 crop of the original rotated about its centre: the search tries every 5°,
    so it lands 2-3° off; ECC converges from there (measured raw 3.9 / 4.9 px, refined
    0.08 / 0.17 px, angle within 0.09° for 12° / -17°)."""
    oh, ow = wide.shape
    rotation = np.r_[cv2.getRotationMatrix2D(((ow - 1) / 2, (oh - 1) / 2), degrees, 1.0), [[0, 0, 1]]]
    truth = _translate(-70, -50) @ rotation
    leak = cv2.warpPerspective(wide, truth, (110, 80), flags=cv2.INTER_LINEAR)
    hyps = rotated_hypotheses(wide, leak)
    _check(hyps)
    h, mirrored, _ = hyps[0]
    assert not mirrored
    assert _leak_corner_error(h, truth, leak.shape) < raw
    best = refine(h, wide, leak, **CONVERGED)
    assert _leak_corner_error(best, truth, leak.shape) < refined
    # OpenCV's positive angle turns the picture anticlockwise on screen (y down)
    assert np.degrees(np.arctan2(best[1, 0], best[0, 0])) == pytest.approx(-degrees, abs=0.2)


def _screenshot(picture: np.ndarray, *, overlay: bool = False):
    """The picture at 3/4 size in a 200 x 256 'window' with bars, and the truth."""
    leak = np.full((200, 256), 245, np.float32)
    leak[:18] = 60  # title bar
    leak[:, :30] = 200  # side bar
    leak[-14:] = 120  # status bar
    small = cv2.resize(picture, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    leak[32 : 32 + sh, 48 : 48 + sw] = small
    if overlay:
        leak[60:110, 90:170] = 30  # a dialog over the picture
    truth = _translate(48, 32) @ scale_matrix(sw / picture.shape[1], sh / picture.shape[0])
    return leak, truth


@pytest.mark.parametrize("overlay", [False, True], ids=["plain", "overlay"])
def test_frame_hypotheses_find_the_pictures_frame_in_a_screenshot(wide, overlay):
    leak, truth = _screenshot(wide, overlay=overlay)
    hyps = frame_hypotheses(wide, leak)
    assert len(hyps) >= 2 and len(hyps) % 2 == 0
    h, mirrored, support = hyps[0]
    assert not mirrored and support > 0.95  # measured 1.0
    assert _error_at(im.corners(wide.shape), h, truth) < 0.05  # measured 0.0 px: the frame is exact
    h_m, mirrored_m, support_m = hyps[1]  # the same frame, mirrored
    assert mirrored_m and support_m == support
    np.testing.assert_allclose(h_m, h @ im.flip_matrix(wide.shape[1]), atol=1e-9)


def test_frame_hypotheses_are_empty_when_the_leak_is_the_picture(wide):
    assert frame_hypotheses(wide, wide) == []
