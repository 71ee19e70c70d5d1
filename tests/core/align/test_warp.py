"""Resampling a leak onto its original's grid, its coverage, and the valid region on its grids.

Homographies map ORIGINAL (x, y) → LEAK (x, y). Leaks are made from a known picture by a
known homography; the tests recover the picture, the coverage and the agreeing region.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core.align import _images as im
from leaktrace.core.align import valid_grid, valid_in_frame, valid_mask, warp_leak
from leaktrace.core.align._warp import VALID_SIDE, footprint
from leaktrace.core.views import scale_matrix
from leaktrace.samples.synthetic import photo

SHAPE = (192, 256)


def _field(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A smooth picture defined everywhere (wavelengths of 80-110 px), levels."""
    return 128 + 60 * np.sin(x / 13.0) * np.cos(y / 17.0) + 0.2 * x


def _leak_of_field(h: np.ndarray, leak_shape) -> np.ndarray:
    """The leak that ``h`` makes of the field: each leak pixel samples the field exactly at
    its pre-image, rounded to uint8."""
    lh, lw = leak_shape
    v, u = np.mgrid[0:lh, 0:lw].astype(np.float64)
    xy = im.project(np.linalg.inv(h), np.c_[u.ravel(), v.ravel()])
    return np.clip(np.rint(_field(xy[:, 0], xy[:, 1])), 0, 255).astype(np.uint8).reshape(lh, lw)


def _label(leak: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Paste a sticker, a white label with black bars 2 px wide, on ``leak`` (in place).

    (A flat sticker is not always seen: luminance alone is compared, and one over a flat
    patch of the same luminance agrees with it.)"""
    leak[y0:y1, x0:x1] = 255
    leak[y0:y1:4, x0:x1] = 0
    leak[y0 + 1 : y1 : 4, x0:x1] = 0


def _truth() -> np.ndarray:
    yy, xx = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1]].astype(np.float64)
    return _field(xx, yy)


@pytest.mark.parametrize(
    "h, leak_shape, tol",
    [
        (np.array([[1.0, 0, 7], [0, 1, -5], [0, 0, 1]]), (192, 256), 0.51),  # a shift: only the uint8 rounding is left
        (np.array([[1.25, 0, 20.5], [0, 1.25, 12.25], [0, 0, 1]]), (250, 340), 0.65),  # enlarged and shifted
        (np.array([[0.8, 0, 20.5], [0, 0.8, 12.25], [0, 0, 1]]), (170, 230), 0.7),  # shrunk and shifted
        (scale_matrix(2.5, 2.5), (480, 640), 1.0),  # 2.5x larger: area-shrunk before resampling
    ],
    ids=["shift", "enlarged", "shrunk", "prefiltered"],
)
def test_warp_leak_inverts_a_known_shift_and_scale(h, leak_shape, tol):
    leak = _leak_of_field(h, leak_shape)
    warped, covered = warp_leak(leak, h, SHAPE)
    assert warped.shape == SHAPE and warped.dtype == np.float32 and covered.dtype == bool
    error = np.abs(warped - _truth())[covered]
    # measured max 0.50 (shift), 0.51 (enlarged), 0.55 (shrunk), 0.88 (prefiltered) levels; means 0.16-0.26
    assert error.max() < tol and error.mean() < 0.35
    assert covered.mean() > 0.9


def test_warp_leak_coverage_of_a_shift_is_the_overlap_eroded_by_2_px():
    leak = np.zeros((192, 256, 3), np.uint8)  # colour leaks keep their channels
    warped, covered = warp_leak(leak, np.array([[1.0, 0, 7], [0, 1, -5], [0, 0, 1]]), SHAPE)
    assert warped.shape == (192, 256, 3)
    ys, xs = np.nonzero(covered)
    # original x maps to x + 7: x in [0, 249) lands inside; y - 5: y in [5, 192)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (2, 246, 7, 189)
    assert covered.sum() == (249 - 4) * (187 - 4)


@pytest.mark.parametrize(
    "h, leak_shape",
    [
        (np.eye(3), (192, 256)),
        (np.array([[1.0, 0, 7], [0, 1, -5], [0, 0, 1]]), (192, 256)),
        (np.array([[0.8, 0, 20.5], [0, 0.8, 12.25], [0, 0, 1]]), (180, 240)),
        (scale_matrix(2.5, 2.5), (480, 640)),  # the shrunk-grid path (scale > 1.5)
        (scale_matrix(1.9, 1.7) @ np.array([[1.0, 0, -30], [0, 1, -20], [0, 0, 1]]), (333, 397)),  # a larger crop
        (
            cv2.getPerspectiveTransform(im.corners(SHAPE).astype(np.float32), np.float32([[10, 5], [230, 20], [220, 170], [5, 160]])).astype(float),
            (180, 240),
        ),
    ],
    ids=["identity", "shift", "shrunk", "prefiltered", "large-crop", "perspective"],
)
def test_footprint_is_warp_leaks_coverage_without_resampling(h, leak_shape):
    leak = np.zeros(leak_shape, np.uint8)
    expected = warp_leak(leak, h, SHAPE)[1]
    got = footprint(leak_shape, h, SHAPE)
    assert got.dtype == bool and expected.any()
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(footprint(leak_shape + (3,), h, SHAPE), expected)  # a colour leak's shape too


@pytest.mark.parametrize(
    "shape, grid",
    [
        ((2000, 3000), (683, 1024)),
        ((3000, 2000), (1024, 683)),
        ((1024, 1024), (1024, 1024)),
        ((1025, 10), (1024, 10)),
        ((300, 400), (300, 400)),
        ((1, 1), (1, 1)),
    ],
)
def test_valid_grid_shapes(shape, grid):
    got, matrix = valid_grid(shape)
    assert got == grid and max(got) <= VALID_SIDE
    # the matrix maps the original's pixel edges onto the grid's (OpenCV pixel centres)
    h, w = shape
    edges = im.project(matrix, np.array([[-0.5, -0.5], [w - 0.5, h - 0.5]]))
    np.testing.assert_allclose(edges, [[-0.5, -0.5], [grid[1] - 0.5, grid[0] - 0.5]], atol=1e-9)
    if grid == shape:
        np.testing.assert_array_equal(matrix, np.eye(3))


def test_valid_mask_of_a_large_original_is_on_the_1024_grid_and_leaves_out_a_sticker():
    """A 1100 x 1400 original (above VALID_SIDE: the only picture here over 256 px), its leak
    shrunk to 0.2 with a sticker pasted on 60 x 80 leak pixels."""
    original = cv2.resize(photo(5, (176, 224)), (1400, 1100), interpolation=cv2.INTER_CUBIC)
    h = scale_matrix(0.2, 0.2)
    leak = cv2.resize(original, (280, 220), interpolation=cv2.INTER_AREA)
    _label(leak, 100, 60, 180, 120)
    valid = valid_mask(leak, original, h)
    (vh, vw), mv = valid_grid(original.shape)
    assert valid.shape == (vh, vw) == (805, 1024) and valid.dtype == bool
    # the sticker's place on the valid grid
    (x0, y0), (x1, y1) = im.project(mv @ np.linalg.inv(h), np.array([[100.0, 60.0], [179.0, 119.0]]))
    x0, y0, x1, y1 = int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1))
    assert valid[y0:y1, x0:x1].mean() < 0.05  # measured 0.000
    assert not valid[y0 + 12 : y1 - 12, x0 + 12 : x1 - 12].any()
    away = np.ones_like(valid)
    away[max(0, y0 - 40) : y1 + 40, max(0, x0 - 40) : x1 + 40] = False
    assert valid[away].mean() > 0.95  # measured 0.979


@pytest.fixture(scope="module")
def stickered():
    """A 192 x 256 photo shrunk to 0.9 and shifted, with a sticker; its valid mask."""
    image = photo(2, SHAPE)
    h = np.array([[0.9, 0, 10], [0, 0.9, 6], [0, 0, 1.0]])
    leak = cv2.warpPerspective(image, h, (240, 180), flags=cv2.INTER_LINEAR)
    _label(leak, 60, 40, 130, 90)
    return leak, image, h, valid_mask(leak, image, h)


def test_valid_mask_of_a_small_original_is_at_full_size(stickered):
    leak, image, h, valid = stickered
    assert valid.shape == SHAPE
    # measured 0.850: the footprint (0.960) less the 16-px tiles the sticker (8.8 % of the original) touches
    assert 0.80 < valid.mean() < 0.90
    (x0, y0), (x1, y1) = im.project(np.linalg.inv(h), np.array([[60.0, 40.0], [129.0, 89.0]]))
    assert valid[int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))].mean() < 0.1  # measured 0.055 (its edge)
    # none of it from one tile (16 px) in: a tile straddling its edge can pass, where the light
    # blur turns the label's bars into a grey near the photo's levels
    assert not valid[int(y0) + 16 : int(y1) - 16, int(x0) + 16 : int(x1) - 16].any()
    assert not (valid & ~footprint(leak.shape, h, SHAPE)).any()


def test_valid_in_frame_at_an_identity_full_size_frame_is_the_valid_mask(stickered):
    leak, _, h, valid = stickered
    same = valid_in_frame(valid, SHAPE, np.eye(3), SHAPE, leak.shape[:2], h)
    np.testing.assert_array_equal(same, valid)


def test_valid_in_frame_at_a_half_size_frame_is_the_mask_shrunk_and_its_edge_redrawn(stickered):
    """At half size the tiles are carried over by nearest neighbour, and the footprint's edge
    is drawn again at the frame's resolution: inside that footprint the result is the mask
    shrunk (nearest); they differ only on the band the full-size edge leaves beyond it."""
    leak, _, h, valid = stickered
    frame = scale_matrix(0.5, 0.5)
    half = valid_in_frame(valid, SHAPE, frame, (96, 128), leak.shape[:2], h)
    assert half.shape == (96, 128)
    shrunk = cv2.resize(valid.astype(np.uint8), (128, 96), interpolation=cv2.INTER_NEAREST).astype(bool)
    edge = footprint(leak.shape[:2], h @ np.linalg.inv(frame), (96, 128))  # as warp_leak covers a half-size frame
    np.testing.assert_array_equal(half, shrunk & edge)
    differ = half != shrunk
    assert 0 < differ.sum() < 0.05 * half.size  # measured 436 of 12,288 pixels
    band = cv2.dilate(edge.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~edge
    assert not (differ & ~band).any()  # all within 2 frame pixels outside the redrawn edge
