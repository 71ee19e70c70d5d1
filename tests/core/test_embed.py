"""Embedding: copies meet the quality targets on the three kinds of assets, fast, inputs untouched."""

import time

import numpy as np
import pytest
from skimage import data

from leaktrace.core import carrier, embed, quality
from leaktrace.core import mask as mask_mod
from leaktrace.core.pixels import luminance
from leaktrace.samples.synthetic import bumper_arcs, spheres

IMAGES = {"photo": data.astronaut, "drawing": bumper_arcs, "render": spheres}


def _signs(k, seed=11):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), k)


def test_luminance():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    y = luminance(rgb)
    assert y.dtype == np.float32 and y[0, 0] == pytest.approx(0.299 * 255, abs=1e-3)
    gray = np.full((3, 3), 7, np.uint8)
    assert np.array_equal(luminance(gray), gray.astype(np.float32))


@pytest.mark.parametrize("kind", sorted(IMAGES))
def test_copy_quality_targets(kind):
    img = IMAGES[kind]()
    before = img.copy()
    grid = carrier.grid_for(img.shape[:2])
    m = mask_mod.perceptual_mask(img)
    a = embed.strength_for_psnr(img, grid, m, target_psnr=46.0)
    copy = embed.embed(img, _signs(grid[0] * grid[1]), strength=a, grid=grid, mask=m)
    assert copy.shape == img.shape and copy.dtype == np.uint8
    assert np.array_equal(img, before)
    p, s = quality.psnr(img, copy), quality.ssim(img, copy)
    assert 45.5 <= p <= 46.5, p
    assert s >= 0.99, s


def test_the_copy_carries_the_luminance_delta_within_a_tenth_of_a_level():
    img = np.full((128, 160, 3), (100, 120, 140), np.uint8)
    copy = embed.embed(img, _signs(35), strength=3.0, grid=(5, 7))
    d = copy.astype(int) - img.astype(int)
    assert (d.max(-1) - d.min(-1)).max() <= 1  # channels differ by one level at most: no visible tint
    assert np.abs(d).max() >= 3
    wanted = embed._delta(img.shape[:2], _signs(35), (5, 7), None) * np.float32(3.0)
    got = luminance(copy) - luminance(img)
    assert np.abs(got - wanted).max() < 0.095


def test_gray_image_and_clipping():
    paper = np.full((96, 96), 255, np.uint8)
    copy = embed.embed(paper, _signs(25), strength=4.0, grid=(5, 5))
    assert copy.ndim == 2 and copy.max() == 255 and copy.min() < 250  # the mark only darkens paper


def test_strength_is_deterministic_and_independent_of_recipients():
    img = data.coffee()
    grid = carrier.grid_for(img.shape[:2])
    m = mask_mod.perceptual_mask(img)
    assert embed.strength_for_psnr(img, grid, m, target_psnr=46) == embed.strength_for_psnr(img, grid, m, target_psnr=46)
    assert embed.strength_for_psnr(img, grid, m, target_psnr=40) > embed.strength_for_psnr(img, grid, m, target_psnr=46)


def test_embed_speed_per_megapixel():
    img = np.random.default_rng(0).integers(0, 256, (1000, 1500, 3), dtype=np.uint8)
    grid = carrier.grid_for(img.shape[:2])
    m = mask_mod.perceptual_mask(img)
    s = _signs(grid[0] * grid[1])
    embed.embed(img, s, strength=2.0, grid=grid, mask=m)  # warm the basis cache
    t0 = time.perf_counter()
    for _ in range(3):
        embed.embed(img, s, strength=2.0, grid=grid, mask=m)
    per_mp = (time.perf_counter() - t0) / 3 / 1.5
    assert per_mp < 0.15  # measured ≈ 0.013–0.03 s/MP; generous for shared CI machines


def _legacy_embed(image, signs, strength, grid, mask):
    """The copy as embed() made it before strips: the whole delta at once, then the rounding."""
    delta = embed._delta(image.shape[:2], signs, grid, mask)
    delta *= np.float32(strength)
    return embed._apply(image, delta)


@pytest.mark.parametrize("kind", ["photo", "drawing", "grey", "float64 mask", "no mask"])
def test_strips_are_bit_identical_to_the_whole_image_copy(kind):
    img = data.astronaut()[:301, :389] if kind != "drawing" else bumper_arcs((263, 411))
    if kind == "grey":
        img = data.camera()[:257, :300]
    grid = carrier.grid_for(img.shape[:2])
    m = None if kind == "no mask" else mask_mod.perceptual_mask(img)
    if kind == "float64 mask":
        m = m.astype(np.float64)
    s = _signs(grid[0] * grid[1], seed=5)
    want = _legacy_embed(img, s, 2.7, grid, m)
    assert np.array_equal(embed.embed(img, s, strength=2.7, grid=grid, mask=m), want)
    for rows in (1, 7, 64, img.shape[0]):
        out = np.zeros_like(img)
        done = [r for r in embed.embed_strips(img, s, strength=2.7, grid=grid, mask=m, out=out, rows=rows)]
        assert done[0].start == 0 and done[-1].stop == img.shape[0] and all(a.stop == b.start for a, b in zip(done, done[1:]))
        assert np.array_equal(out, want), rows


def test_strips_fill_out_in_order_and_reuse_it():
    img = spheres((200, 240))
    grid = carrier.grid_for(img.shape[:2])
    out = np.full_like(img, 7)
    seen = []
    for rows in embed.embed_strips(img, _signs(grid[0] * grid[1]), strength=2.0, grid=grid, out=out, rows=50):
        seen.append(bool((out[rows.stop :] == 7).all()))  # later rows not written yet
    assert seen == [True] * 4
    with pytest.raises(ValueError):
        next(embed.embed_strips(img, _signs(grid[0] * grid[1]), strength=2.0, grid=grid, out=np.empty((3, 3, 3), np.uint8)))


def test_embedding_memory_is_the_pattern_plus_a_strip():
    import tracemalloc

    img = np.random.default_rng(0).integers(0, 256, (1000, 1200, 3), dtype=np.uint8)
    grid = carrier.grid_for(img.shape[:2])
    m = mask_mod.perceptual_mask(img)
    s = _signs(grid[0] * grid[1])
    out = np.empty_like(img)
    tracemalloc.start()
    try:
        for _ in embed.embed_strips(img, s, strength=2.0, grid=grid, mask=m, out=out):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    per_pixel = peak / (img.shape[0] * img.shape[1])
    assert per_pixel < 8, per_pixel  # the float32 pattern (4 B/px) and one strip (measured 6.6); the whole-image rounding took 24.5


def test_reference_signs_are_fixed_and_public():
    a = embed.reference_signs(4096)
    assert a.dtype == np.int8 and set(np.unique(a)) == {-1, 1} and np.array_equal(a, embed.reference_signs(4096))
    assert abs(int(a.sum())) < 300
