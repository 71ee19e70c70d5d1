"""Attacks: every named attack returns a 3-channel uint8 image, deterministically."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from leaktrace.errors import BadInput
from leaktrace.evaluation import ATTACKS, LINE_ART_ATTACKS, apply


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


# ---------------------------------------------------------------- issue 11: leaks that cut the link to the pixels


def _luma(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float64) @ [0.299, 0.587, 0.114]


def test_line_art_attacks_are_named_attacks():
    assert len(LINE_ART_ATTACKS) == 10 and set(LINE_ART_ATTACKS) <= set(ATTACKS)


@pytest.mark.parametrize("name", ["threshold_otsu", "threshold200"])
def test_threshold_is_pure_black_and_white(name, image):
    out = apply(name, image, np.random.default_rng(0))
    assert out.shape == image.shape
    assert set(np.unique(out)) == {0, 255}
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])


def test_threshold200_cuts_at_luma_200():
    greys = np.array([[199, 200, 255, 0]], np.uint8).repeat(16, 0).repeat(16, 1)
    out = apply("threshold200", np.dstack([greys] * 3), np.random.default_rng(0))
    assert out[0, ::16, 0].tolist() == [0, 255, 255, 0]


@pytest.mark.parametrize(("name", "colours"), [("posterise8", 8), ("posterise32", 32)])
def test_posterise_colour_count(name, colours, image):
    out = apply(name, image, np.random.default_rng(0))
    assert out.shape == image.shape
    assert 2 <= len(np.unique(out.reshape(-1, 3), axis=0)) <= colours


def test_downup25_keeps_shape_and_loses_detail(image):
    out = apply("downup25", image, np.random.default_rng(0))
    assert out.shape == image.shape
    assert np.abs(out.astype(float) - image).mean() > 3


def _line_offsets(grey: np.ndarray, positions: list[int]) -> np.ndarray:
    """Per row, how far each 2 px vertical line (at x = p, p + 1) has moved, in pixels."""
    weight = np.clip(200.0 - grey, 0, None)
    offsets = []
    for p in positions:
        xs = np.arange(p - 8, p + 10)
        w = weight[:, xs]
        offsets.append((w * xs).sum(1) / w.sum(1) - (p + 0.5))
    return np.array(offsets)


def test_bending_moves_lines_a_few_pixels():
    positions = list(range(24, 180, 24))
    lines = np.full((192, 192), 255, np.uint8)
    lines[:, [p for q in positions for p in (q, q + 1)]] = 0
    moved = []
    for grey in (lines, lines.T):  # vertical lines give dx, horizontal ones dy, for the same field (same rng)
        out = apply("bending", np.dstack([grey] * 3), np.random.default_rng(3))
        assert out.shape == (192, 192, 3)
        g = _luma(out)
        moved.append(np.abs(_line_offsets(g if grey is lines else g.T, positions)))
    moved = np.concatenate(moved)
    assert moved.max() <= 5 and moved.max() > 0.5


def test_print_scan_is_two_toned_paper_and_barely_skewed():
    page = np.full((192, 256, 3), 255, np.uint8)
    page[90:102, 20:236] = 0  # a bar to measure the skew on
    cv2.putText(page, "leak", (30, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    cv2.rectangle(page, (150, 130), (230, 180), (0, 0, 0), 2)
    out = apply("print_scan", page, np.random.default_rng(1))
    g = _luma(out)
    assert len(np.unique(out)) > 20  # toner spread, scanner blur and noise: not 1-bit any more
    dark, light = (g < 90).mean(), (g > 200).mean()
    assert dark > 0.05 and light > 0.6 and dark + light > 0.9  # but still two tones
    assert 220 < np.median(g) < 250  # paper, not pure white
    cols = np.arange(out.shape[1] // 4, 3 * out.shape[1] // 4)
    weight = np.clip(200.0 - g[:, cols], 0, None)
    band = slice(int(out.shape[0] * 0.35), int(out.shape[0] * 0.65))
    rows = np.arange(out.shape[0])[band, None]
    centre = (weight[band] * rows).sum(0) / weight[band].sum(0)
    assert abs(np.degrees(np.arctan(np.polyfit(cols, centre, 1)[0]))) <= 2.0


def test_redraw_is_black_strokes_on_white(image):
    out = apply("redraw", image, np.random.default_rng(0))
    assert out.shape == image.shape
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    assert np.median(out) == 255 and out.min() <= 10
    bar = np.full((96, 160, 3), 255, np.uint8)
    bar[40:60, 20:140] = 0  # a 20 px stroke is redrawn along its skeleton at 3–5 px
    thick = (apply("redraw", bar, np.random.default_rng(0))[:, 40:120, 0] < 128).sum(0)
    assert 2 <= thick.min() and thick.max() <= 6
