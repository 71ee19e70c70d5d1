"""The verdict: every recipient tested in a frame at the leak's resolution, one bound."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core import align, carrier, detect, embed, keys, mask, verdict, views
from tests.conftest import photo

GRID = (24, 36)


@pytest.fixture(scope="module")
def asset():
    original = photo(5, (640, 960))
    m = mask.perceptual_mask(original)
    signs = keys.signs_matrix(bytes(32), "asset", [f"r{i}" for i in range(8)], GRID[0] * GRID[1])
    copy = embed.embed(original, signs[2], strength=embed.strength_for_psnr(original, GRID, m, target_psnr=44.0), grid=GRID, mask=m)
    return original, views.describe_original(original, mask=m), signs, copy


def _full_resolution_scores(leak, original, alignment, signs, m):
    """The detection as it was before frames: the leak warped up to the original's full size."""
    warped, _ = align.warp_leak(leak, alignment.homography, original.shape[:2])
    valid = cv2.resize(alignment.valid_mask.astype(np.uint8), original.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0
    y = detect.recover(warped, original, valid, grid=GRID, mask=m)
    return detect.scores(signs, y)


def test_a_full_size_leak_scores_as_at_full_resolution(asset):
    original, view, signs, copy = asset
    v = verdict.examine(copy, view, signs, grid=GRID, epsilon=1e-6)
    assert v.accused.tolist() == [False, False, True, False, False, False, False, False]
    before = _full_resolution_scores(copy, original, v.alignments[0], signs, mask.perceptual_mask(original))
    np.testing.assert_allclose(v.scores, before, atol=0.05)  # 1/256-level storage of the original


def test_a_shrunk_leak_is_tested_at_its_own_resolution(asset):
    """A 4× smaller leak is tested on a frame of its own size (the cost follows the leak), and
    the leaker's score stays within a few percent of the full-resolution detection."""
    original, view, signs, copy = asset
    leak = cv2.resize(copy, (240, 160), interpolation=cv2.INTER_AREA)
    v = verdict.examine(leak, view, signs, grid=GRID, epsilon=1e-6)
    frame = verdict.detection_frame(view, v.alignments[0], leak.shape[:2])
    assert abs(frame.shape[0] - 160) <= 2 * views.FRAME_MARGIN and abs(frame.shape[1] - 240) <= 2 * views.FRAME_MARGIN
    assert v.accused[2] and v.accused.sum() == 1
    before = _full_resolution_scores(leak, original, v.alignments[0], signs, mask.perceptual_mask(original))
    assert v.scores[2] == pytest.approx(before[2], rel=0.1)  # measured 29.35 against 29.31, on 1/16 of the pixels


def test_a_crop_is_tested_on_its_footprint_only(asset):
    original, view, signs, copy = asset
    leak = np.ascontiguousarray(copy[200:520, 300:780])
    v = verdict.examine(leak, view, signs, grid=GRID, epsilon=1e-6)
    frame = verdict.detection_frame(view, v.alignments[0], leak.shape[:2])
    assert frame.shape[0] <= 320 + 2 * views.FRAME_MARGIN + 8 and frame.shape[1] <= 480 + 2 * views.FRAME_MARGIN + 8
    assert v.accused[2] and v.accused.sum() == 1


def test_judge_takes_arrays_or_views_alike(asset):
    original, view, signs, copy = asset
    a = align.register_all(copy, view)
    from_view = verdict.judge(copy, view, a, signs, grid=GRID, epsilon=1e-6)
    from_arrays = verdict.judge(copy, original, a, signs, grid=GRID, epsilon=1e-6, mask=mask.perceptual_mask(original))
    np.testing.assert_array_equal(from_view.scores, from_arrays.scores)
    with pytest.raises(ValueError, match="at least one alignment"):
        verdict.judge(copy, view, [], signs, grid=GRID, epsilon=1e-6)


def test_nothing_aligned_is_no_verdict(asset):
    _, view, signs, _ = asset
    unrelated = photo(99, (300, 300))
    assert verdict.examine(unrelated, view, signs, grid=GRID, epsilon=1e-6) is None
    assert carrier.grid_for((640, 960)) != GRID  # the test's own small grid, not the product's
