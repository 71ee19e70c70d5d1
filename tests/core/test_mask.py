"""The perceptual mask: range, floor on paper, strong next to lines, deterministic, smooth."""

import cv2
import numpy as np
import pytest
from skimage import data

from leaktrace.core import mask as mask_mod


def _drawing():
    img = np.full((256, 256), 255, np.uint8)
    cv2.line(img, (20, 128), (236, 128), 0, 1, cv2.LINE_AA)
    cv2.circle(img, (128, 60), 30, 20, 2, cv2.LINE_AA)
    return img


def test_range_and_dtype():
    for img in (_drawing(), data.astronaut()[::2, ::2], np.full((64, 80, 3), 128, np.uint8)):
        m = mask_mod.perceptual_mask(img)
        assert m.shape == img.shape[:2] and m.dtype == np.float32
        assert m.min() >= mask_mod.FLOOR * 0.6 - 1e-6 and m.max() <= 1.0


def test_white_paper_keeps_a_floor_and_lines_get_more():
    m = mask_mod.perceptual_mask(_drawing())
    far = m[220, 128]  # plain paper
    near = m[124, 128]  # 4 px from the line, on paper
    assert far >= 0.15
    assert near > 1.5 * far


def test_texture_beats_flat_and_mid_grey_is_at_the_floor():
    flat = mask_mod.perceptual_mask(np.full((64, 64), 128, np.uint8))
    assert np.allclose(flat, mask_mod.FLOOR, atol=1e-3)
    astro = mask_mod.perceptual_mask(data.astronaut())
    assert astro.max() > 0.9


def test_deterministic_gray_equals_rgb_and_input_untouched():
    img = _drawing()
    before = img.copy()
    a = mask_mod.perceptual_mask(img)
    b = mask_mod.perceptual_mask(np.stack([img] * 3, -1))
    assert np.array_equal(a, mask_mod.perceptual_mask(img))
    assert np.allclose(a, b, atol=1e-4)
    assert np.array_equal(img, before)


def test_mask_is_smooth():
    m = mask_mod.perceptual_mask(data.astronaut())
    step = np.abs(np.diff(m, axis=0)).max()
    assert step < 0.1  # no hard steps


@pytest.mark.parametrize("shape", [(700, 300, 3), (1000, 257), (2200, 130, 3), (3000, 97, 3)])
@pytest.mark.parametrize("strip_pixels", [1, None])  # 1: the shortest strips (128 rows); None: the default
def test_mask_in_strips_is_the_whole_image_mask_bit_for_bit(shape, strip_pixels, monkeypatch):
    if strip_pixels:
        monkeypatch.setattr(mask_mod, "_STRIP_PIXELS", strip_pixels)
    rng = np.random.default_rng(sum(shape))
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    img[: shape[0] // 3] = 255  # white paper (saturated) across strip borders
    img[shape[0] // 2 :, : shape[1] // 4] = 0
    cv2.line(img, (0, 5), (shape[1] - 1, shape[0] - 7), 40, 1, cv2.LINE_AA)
    got = mask_mod.perceptual_mask(img)
    assert got.shape == shape[:2] and got.dtype == np.float32
    assert np.array_equal(got, mask_mod._mask(img))  # _mask: the same computation in one piece


def test_mask_memory_is_a_strip():
    import tracemalloc

    img = np.random.default_rng(0).integers(0, 256, (1500, 1000, 3), dtype=np.uint8)
    tracemalloc.start()
    try:
        mask_mod.perceptual_mask(img)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * img[..., 0].size + 16e6, peak  # the float32 result (4 B/px) and one strip (≈ 11 MB); in one piece ≈ 35 B/px
