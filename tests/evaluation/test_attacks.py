"""Attacks: every named attack returns a 3-channel uint8 image, deterministically."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from leaktrace.errors import BadInput
from leaktrace.evaluation import ATTACKS, apply


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return data.astronaut()[::2, ::2].copy()  # (256, 256, 3)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_returns_uint8_rgb_and_is_deterministic(name, image):
    before = image.copy()
    a = apply(name, image, np.random.default_rng(7))
    b = apply(name, image, np.random.default_rng(7))
    assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3
    assert min(a.shape[:2]) >= 16
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(image, before)  # input untouched


@pytest.mark.parametrize(("name", "area"), [("crop50", 0.5), ("crop25", 0.25), ("crop10", 0.1), ("downscale50", 0.25), ("downscale25", 0.0625)])
def test_area_fraction(name, area, image):
    out = apply(name, image, np.random.default_rng(0))
    assert out.shape[0] * out.shape[1] / (256 * 256) == pytest.approx(area, rel=0.03)


def test_mirror_and_grayscale(image):
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(apply("mirror", image, rng), image[:, ::-1])
    grey = apply("grayscale", image, rng)
    assert np.array_equal(grey[..., 0], grey[..., 1]) and np.array_equal(grey[..., 1], grey[..., 2])


@pytest.mark.parametrize("name", ["rotate2", "rotate10", "rotate45"])
def test_rotate_crops_to_valid(name):
    white = np.full((192, 256, 3), 255, np.uint8)
    out = apply(name, white, np.random.default_rng(0))
    assert out.shape[0] < 192 and out.shape[1] < 256
    assert out[1:-1, 1:-1].min() >= 250  # no black corners from outside the picture


def test_jpeg_quality_orders_the_error(image):
    rng = np.random.default_rng(0)
    err = [np.abs(apply(f"jpeg{q}", image, rng).astype(float) - image).mean() for q in (90, 75, 50, 30)]
    assert err == sorted(err)


def test_unknown_attack_is_bad_input(image):
    with pytest.raises(BadInput, match="Unknown attack"):
        apply("nope", image, np.random.default_rng(0))
