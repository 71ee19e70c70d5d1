"""The carrier: orthonormal, zero-mean, lapped, resolution-independent, local."""

import cv2
import numpy as np
import pytest

from leaktrace.core import carrier


def _signs(k, seed=0):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), k)


@pytest.mark.parametrize("n, cells", [(256, 15), (1000, 63), (97, 5)])
def test_basis_is_orthonormal_and_zero_mean(n, cells):
    a = carrier.basis_1d(n, cells)
    assert a.shape == (n, cells) and a.dtype == np.float32
    assert np.allclose(a.T @ a, np.eye(cells), atol=2e-3)
    assert np.abs(a.sum(axis=0)).max() < 0.02 * np.abs(a).sum(axis=0).min()  # zero-mean
    with pytest.raises(ValueError):
        a[0, 0] = 1.0  # cached and read-only


def test_grid_for():
    assert carrier.grid_for((4000, 3000)) == (74, 55)
    gy, gx = carrier.grid_for((1080, 1920))
    assert abs(gy * gx - 4096) < 200 and abs((1080 / gy) / (1920 / gx) - 1) < 0.1  # ~square cells
    gy, gx = carrier.grid_for((256, 384))
    assert 256 / (gy + 1) >= 16 and 384 / (gx + 1) >= 16
    assert carrier.grid_for((10, 10)) == (1, 1)


def test_pattern_rms_and_exact_recovery():
    grid, shape = (15, 23), (256, 384)
    s = _signs(15 * 23)
    p = carrier.pattern(s, shape, grid)
    assert p.shape == shape and p.dtype == np.float32
    assert np.sqrt(np.mean(p**2)) == pytest.approx(1.0, rel=0.02)
    y = carrier.project(p, grid)
    assert y.dtype == np.float64 and y.shape == (15 * 23,)
    assert np.array_equal(np.sign(y), s)
    assert np.allclose(y / np.abs(y).mean(), s, atol=0.02)


def test_pattern_is_resolution_independent():
    grid = (15, 15)
    s = _signs(225, seed=3)
    small = carrier.pattern(s, (256, 256), grid)
    big = carrier.pattern(s, (640, 640), grid)
    resized = cv2.resize(big, (256, 256), interpolation=cv2.INTER_AREA)
    corr = np.corrcoef(small.ravel(), resized.ravel())[0, 1]
    assert corr > 0.995
    # the projection of the resized big pattern gives back every sign
    assert np.array_equal(np.sign(carrier.project(resized, grid)), s)


def test_no_zero_lines_at_cell_borders():
    """A lapped carrier: no row or column (away from the image border) is ~0 for all signs.

    One MLT band is not power-complementary: the expected energy of a row varies between about
    0.12 and 1.9 times its mean along a cell (measured), but never drops to a zero line the way
    block carriers do at their borders.
    """
    grid, shape = (15, 15), (256, 256)
    energy = np.zeros(shape)
    for seed in range(32):
        energy += carrier.pattern(_signs(225, seed), shape, grid) ** 2
    inner = energy[16:-16, 16:-16]
    assert inner.mean(axis=1).min() > 0.08 * inner.mean()
    assert inner.mean(axis=0).min() > 0.08 * inner.mean()


def test_one_coefficient_is_local():
    grid, shape = (15, 15), (256, 256)
    s = np.zeros(225)
    s[7 * 15 + 7] = 1.0
    p = np.abs(carrier.pattern(s, shape, grid))
    ys, xs = np.nonzero(p > 1e-6)
    cell = 256 / 16
    assert ys.max() - ys.min() <= 2 * cell + 1 and xs.max() - xs.min() <= 2 * cell + 1
