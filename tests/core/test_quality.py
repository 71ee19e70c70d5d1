"""PSNR and SSIM against known values and scikit-image."""

import math

import numpy as np
import pytest
from skimage import data
from skimage.metrics import structural_similarity

from leaktrace.core import quality


def test_psnr_known_values():
    a = np.full((8, 8, 3), 50, np.uint8)
    assert quality.psnr(a, a) == math.inf
    b = a.copy()
    b[..., 0] += 2  # MSE = 4/3
    assert quality.psnr(a, b) == np.float64(10 * math.log10(255**2 / (4 / 3)))


def test_ssim_matches_scikit_image():
    img = data.camera()[::2, ::2]
    noisy = np.clip(img + np.random.default_rng(0).normal(0, 6, img.shape), 0, 255).astype(np.uint8)
    ours = quality.ssim(img, noisy)
    ref = structural_similarity(img, noisy, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
    assert abs(ours - ref) < 0.01
    assert quality.ssim(img, img) == 1.0
    assert ours < 0.95


def test_inputs_are_not_modified():
    a = data.astronaut()[:64, :64]
    b = a.copy()
    quality.ssim(a, b)
    quality.psnr(a, b)
    assert np.array_equal(a, data.astronaut()[:64, :64])


def _old_ssim(original, image):
    """The whole-image SSIM quality.ssim computed before strips (float64 moments, one piece), of
    the one luminance (core.pixels)."""
    import cv2

    from leaktrace.core.pixels import luminance

    def lum(a):
        return luminance(a).astype(np.float64)

    def blur(a):
        return cv2.GaussianBlur(a, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    x, y = lum(original), lum(image)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    return float(np.mean((2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2))))


def _copy_of(img, seed=3, strength=2.5):
    from leaktrace.core import carrier, embed, mask

    grid = carrier.grid_for(img.shape[:2])
    signs = np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), grid[0] * grid[1])
    return embed.embed(img, signs, strength=strength, grid=grid, mask=mask.perceptual_mask(img))


def test_squared_error_and_psnr_are_exact():
    rng = np.random.default_rng(1)
    for shape in [(7, 5), (300, 411, 3), (1100, 900, 3)]:
        a = rng.integers(0, 256, shape, dtype=np.uint8)
        b = np.clip(a.astype(int) + rng.integers(-9, 10, shape), 0, 255).astype(np.uint8)
        exact = int(((a.astype(np.int64) - b) ** 2).sum())
        assert quality.squared_error(a, b) == exact
        diff = a.astype(np.float64) - b.astype(np.float64)
        assert quality.psnr(a, b) == 10.0 * math.log10(255.0**2 / float(np.mean(diff * diff)))  # as before, bit for bit
    a = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    by_strips = sum(quality.squared_error(a[r : r + 9], b[r : r + 9]) for r in range(0, 64, 9))
    assert by_strips == quality.squared_error(a, b)
    assert quality.psnr_from_error(by_strips, a.size) == quality.psnr(a, b)


def test_ssim_in_strips_is_the_whole_image_ssim():
    from leaktrace.samples.synthetic import bumper_arcs, spheres

    for img in (
        data.astronaut()[:700, :333],
        bumper_arcs((1100, 260)),
        spheres((37, 45)),
        data.camera()[:300, :290],
        np.full((4, 6, 3), 90, np.uint8),
    ):
        copy = _copy_of(img) if min(img.shape[:2]) > 16 else img + 1
        assert abs(quality.ssim(img, copy) - _old_ssim(img, copy)) < 1e-12


def test_sampled_tiles_read_the_exact_ssim_map():
    img = data.astronaut()[:256, :320]
    copy = _copy_of(img)
    every_tile = quality.ssim_tiles(img.shape, tile=64, every=1)  # 4 × 5 tiles partition the image
    assert len(every_tile) == 20
    assert abs(quality.sampled_ssim(img, copy, every_tile) - quality.ssim(img, copy)) < 1e-12


@pytest.mark.parametrize("kind", ["photo", "drawing", "render"])
def test_sampled_ssim_is_within_its_stated_tolerance(kind):
    from leaktrace.samples.synthetic import bumper_arcs, spheres

    img = {
        "photo": lambda: cv2_resize(data.astronaut(), (1024, 768)),
        "drawing": lambda: bumper_arcs((720, 1024)),
        "render": lambda: spheres((600, 900)),
    }[kind]()
    for seed in range(3):
        copy = _copy_of(img, seed=seed, strength=4.0)
        full = quality.ssim(img, copy)
        assert full < 0.9995  # a copy the check has to tell apart from the original
        assert abs(quality.sampled_ssim(img, copy) - full) < 1e-3, (kind, seed)


def cv2_resize(img, size):
    import cv2

    return cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)


def test_tile_sample_is_deterministic_stratified_and_inside():
    t = quality.ssim_tiles((3508, 4961))
    assert np.array_equal(t, quality.ssim_tiles((3508, 4961, 3)))
    assert ((t[:, 1] - t[:, 0]) == 64).all() and ((t[:, 3] - t[:, 2]) == 64).all()
    assert t[:, 0].min() >= 0 and t[:, 1].max() <= 3508 and t[:, 2].min() >= 0 and t[:, 3].max() <= 4961
    covered = len(t) * 64 * 64 / (3508 * 4961)
    assert 0.055 < covered < 0.07  # one tile in 16
    small = quality.ssim_tiles((40, 30))
    assert small.tolist() == [[0, 40, 0, 30]]
