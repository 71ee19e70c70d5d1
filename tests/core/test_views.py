"""Views: an original and a leak described once; detection frames at the leak's resolution."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from leaktrace.core import carrier, views
from leaktrace.core.pixels import luminance
from tests.conftest import photo


@pytest.fixture(scope="module")
def original():
    return photo(3, (480, 720))


def test_pyramid_levels_halve_and_keep_the_levels(original):
    view = views.describe_original(original)
    shapes = [luma.shape for luma, _ in view.levels]
    assert shapes == [(480, 720), (240, 360), (120, 180)]
    y0 = view.levels[0][0].astype(np.float64) / views.LUMA_SCALE
    assert np.abs(y0 - luminance(original)).max() <= 0.5 / views.LUMA_SCALE + 1e-6  # 1/256-level storage
    assert all(m.dtype == np.float16 and luma.dtype == np.uint16 for luma, m in view.levels)


def test_a_full_size_frame_is_the_original_window(original):
    view = views.describe_original(original)
    frame = views.frame_for(view, (100, 50, 400, 300), 1.0)
    x0, y0 = int(-frame.matrix[0, 2]), int(-frame.matrix[1, 2])
    assert (x0, y0) == (100 - views.FRAME_MARGIN, 50 - views.FRAME_MARGIN)
    window = view.levels[0][0][y0 : y0 + frame.shape[0], x0 : x0 + frame.shape[1]] / np.float32(views.LUMA_SCALE)
    np.testing.assert_array_equal(frame.luma, window)
    np.testing.assert_allclose(frame.cols, carrier.centres(720)[x0 : x0 + frame.shape[1]])


@pytest.mark.parametrize("scale", [0.5, 0.3])
def test_a_shrunk_frame_is_the_area_shrunk_original(original, scale):
    """Read from the pyramid level no coarser than the scale, then area-shrunk: within a
    fraction of a level of shrinking the whole original at once."""
    view = views.describe_original(original)
    frame = views.frame_for(view, (0, 0, 719, 479), scale)
    whole = cv2.resize(luminance(original), frame.shape[::-1], interpolation=cv2.INTER_AREA)
    inner = (slice(4, -4), slice(4, -4))
    assert np.abs(frame.luma[inner] - whole[inner]).mean() < 0.6  # measured 0.17 (0.5), 0.33 (0.3)
    assert frame.density == pytest.approx((480 * frame.matrix[1, 1], 720 * frame.matrix[0, 0]))


def test_a_frame_projects_like_the_whole_image():
    """The carrier sampled at a frame's normalised coordinates: projecting a window of the
    pattern gives the coefficients the window carries, whatever the frame's resolution."""
    rng = np.random.default_rng(0)
    grid = (12, 18)
    signs = rng.choice(np.array([-1, 1], np.int8), grid[0] * grid[1])
    p = carrier.pattern(signs, (480, 720), grid)
    mask = np.ones((480, 720), np.float32)
    view = views.OriginalView((480, 720), p, np.eye(3), views.pyramid(p + 128, mask))
    frame = views.frame_for(view, (0, 0, 719, 479), 0.5)
    y = carrier.project(frame.luma - 128, grid, rows=frame.rows, cols=frame.cols, density=frame.density)
    assert np.mean(np.sign(y) == signs) > 0.99


def test_the_leak_is_described_once():
    leak = photo(4, (300, 2000))
    view = views.describe_leak(leak)
    assert view.shape == (300, 2000) and max(view.work.shape) == views.WORK_SIDE
    assert view.grey.dtype == np.uint8 and view.grey.shape == (300, 2000)
    assert len(view.features) > 50 and view.features.shape == (300, 2000)
    assert views.describe_leak(view) is view


def _pyramid_in_one_piece(luma, mask):
    """The pyramid as it was built before it was made level by level in strips (the reference)."""
    y, m = np.asarray(luma, np.float32), np.asarray(mask, np.float32)
    levels = [(views._to_u16(y), m.astype(np.float16))]
    while max(y.shape) > views.TOP_SIDE:
        size = ((y.shape[1] + 1) // 2, (y.shape[0] + 1) // 2)
        y, m = cv2.resize(y, size, interpolation=cv2.INTER_AREA), cv2.resize(m, size, interpolation=cv2.INTER_AREA)
        levels.append((views._to_u16(y), m.astype(np.float16)))
    return levels


@pytest.mark.parametrize("shape", [(480, 720), (257, 1001), (999, 1333), (513, 17), (64, 64)])
def test_the_pyramid_built_level_by_level_in_strips_is_the_one_piece_pyramid(shape, monkeypatch):
    """Large originals: the luminance and the pyramid are made in row strips, each level from the
    last; odd sides (where the area shrink is not an exact 2x2 mean) included, bit for bit."""
    from leaktrace.core.mask import perceptual_mask

    monkeypatch.setattr(views, "_STRIP_PIXELS", 5000)  # many strips, ragged last ones
    image = photo(5, shape)
    luma, mask = luminance(image), perceptual_mask(image)
    expected = _pyramid_in_one_piece(luma, mask)
    view = views.describe_original(image)
    for got in (views.pyramid(luma, mask), view.levels):
        assert len(got) == len(expected)
        for (ey, em), (gy, gm) in zip(expected, got):
            assert gy.dtype == np.uint16 and gm.dtype == np.float16
            np.testing.assert_array_equal(gy, ey)
            np.testing.assert_array_equal(gm.view(np.uint16), em.view(np.uint16))
    work, matrix = views.fit_side(luma, views.WORK_SIDE)
    np.testing.assert_array_equal(view.work, work)
    np.testing.assert_array_equal(views.describe_original(image, levels=False).work, work)
    np.testing.assert_array_equal(view.work_matrix, matrix)

    skeleton, strips = views.original_pyramid(image, mask=mask)
    assert skeleton.levels == () and np.array_equal(skeleton.work, work)
    seen = [(s.level, s.rows.start, s.rows.stop) for s in strips]
    for k, (ey, _) in enumerate(expected):  # every level, its rows in order, each once
        rows = [(a, b) for level, a, b in seen if level == k]
        assert rows[0][0] == 0 and rows[-1][1] == ey.shape[0] and all(b == c for (_, b), (c, _) in itertools.pairwise(rows))
