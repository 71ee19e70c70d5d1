"""Synthetic pictures: fresh uint8 RGB of the asked shape, deterministic, seeded on their own; the bundled samples are theirs."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.samples import SAMPLES, sample_path
from leaktrace.samples import synthetic as s

SMALL = {
    "photo": lambda: s.photo(1, (96, 128)),
    "labelled photo": lambda: s.photo(1, (96, 128), shapes=25, smallest=(4, 5), grain=0, labels=5, noise_interpolation=cv2.INTER_LINEAR),
    "bumper_sketch": s.bumper_sketch,
    "bumper_arcs": lambda: s.bumper_arcs((120, 200)),
    "cad_bumper": lambda: s.cad_bumper((224, 320)),
    "bumper_views": s.bumper_views,
    "line_sketch": s.line_sketch,
    "random_drawing": lambda: s.random_drawing(3),
    "part_drawing": lambda: s.part_drawing("bracket", (200, 283), seed=2),
    "spheres": lambda: s.spheres((90, 120)),
    "soft_ellipses": lambda: s.soft_ellipses((90, 120)),
    "soft_blobs": s.soft_blobs,
    "soft_bump": s.soft_bump,
    "studio_render": lambda: s.studio_render((90, 120), seed=4),
    "gradient": lambda: s.gradient((90, 120), seed=4),
}
DRAWINGS = ("bumper_sketch", "bumper_arcs", "cad_bumper", "bumper_views", "line_sketch", "random_drawing", "part_drawing")


@pytest.mark.parametrize("name", sorted(SMALL))
def test_fresh_uint8_rgb_deterministic_and_not_blank(name):
    np.random.seed(0)
    a = SMALL[name]()
    np.random.seed(1)  # the global generator plays no part
    b = SMALL[name]()
    assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3 and a.flags.c_contiguous
    np.testing.assert_array_equal(a, b)
    assert a is not b and not np.shares_memory(a, b)
    assert a.std() > 3  # something is drawn
    if name in DRAWINGS:
        assert (a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all()
        assert (a == 255).mean() > 0.7 and a.min() < 64  # dark lines on white paper


@pytest.mark.parametrize(
    ("fn", "shape"),
    [
        (s.photo, (70, 90)),
        (s.bumper_arcs, (70, 90)),
        (s.spheres, (70, 90)),
        (s.soft_bump, (70, 90)),
        (s.studio_render, (70, 90)),
        (s.gradient, (70, 90)),
        (s.soft_blobs, (70, 90)),
        (s.soft_ellipses, (70, 90)),
        (s.bumper_sketch, (400, 600)),
    ],
)
def test_shape_is_height_then_width(fn, shape):
    assert fn(shape=shape).shape == (*shape, 3)


def test_seeds_give_different_pictures():
    assert not np.array_equal(s.photo(1, (64, 64)), s.photo(2, (64, 64)))
    assert not np.array_equal(s.random_drawing(1), s.random_drawing(2))
    assert not np.array_equal(s.studio_render((64, 64), seed=1), s.studio_render((64, 64), seed=2))
    assert not np.array_equal(s.soft_ellipses((64, 64), seed=1), s.soft_ellipses((64, 64), seed=2))


def test_photo_grain_is_the_only_difference_of_grain():
    smooth, grainy = s.photo(5, (64, 96), grain=0), s.photo(5, (64, 96))
    diff = grainy.astype(float) - smooth
    assert 2.5 < diff.std() < 5.0 and abs(diff.mean()) < 0.5


def test_the_soft_blobs_are_where_they_are_asked():
    image, plain = s.soft_blobs((100, 100), [(30, 60, 10, (255, 0, 0))]), s.soft_blobs((100, 100), [])
    assert image[60, 30, 0] > plain[60, 30, 0] + 80 and image[60, 30, 2] < plain[60, 30, 2] - 80  # 80 % to red
    assert np.abs(image[:, 80:].astype(int) - plain[:, 80:]).max() <= 1  # nothing 5 σ away


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_bundled_samples_are_what_synthetic_draws(name):
    """``tools/make_samples.py`` writes these three generators' pictures (BGR on disk, as OpenCV writes)."""
    on_disk = cv2.cvtColor(cv2.imread(str(sample_path(name)), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(getattr(s, name)(), on_disk)
