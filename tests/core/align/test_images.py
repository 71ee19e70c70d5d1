"""Registration's image helpers: agreement, the level residual, the tone curve, plausibility, local scale.

Each test builds the answer (a known shift, sticker, tone curve or homography) on a picture
of at most 256 pixels and checks that the helper recovers it. Homographies map ORIGINAL
(x, y) → LEAK (x, y).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core.align import _images as im
from leaktrace.samples.synthetic import photo


def _translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0.0, x], [0.0, 1.0, y], [0.0, 0.0, 1.0]])


def _similarity(scale: float, degrees: float, x: float, y: float) -> np.ndarray:
    c, s = scale * np.cos(np.radians(degrees)), scale * np.sin(np.radians(degrees))
    return np.array([[c, -s, x], [s, c, y], [0.0, 0.0, 1.0]])


@pytest.fixture(scope="module")
def textured() -> np.ndarray:
    return im.luminance(photo(0, (192, 256)))  # h w, float32 levels


def _moved(image: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The leak that ``h`` makes of ``image`` (same canvas, replicated border)."""
    return cv2.warpPerspective(image, h, image.shape[::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# --- agreement -------------------------------------------------------------------------------


def test_identical_images_agree_fully_and_a_mirror_not_at_all(textured):
    assert im.agreement(np.eye(3), textured, textured) == pytest.approx(1.0, abs=1e-9)
    # measured -0.009: a mirror shares no structure with the picture
    assert abs(im.agreement(np.eye(3), textured, np.ascontiguousarray(textured[:, ::-1]))) < 0.1


def test_agreement_falls_with_the_misalignment(textured):
    """The leak is the picture moved d px right; the identity hypothesis is d px off."""
    scores = [im.agreement(np.eye(3), textured, _moved(textured, _translate(d, 0))) for d in (1, 2, 4, 8)]
    # measured 0.980, 0.929, 0.761, 0.311
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > 0.95 and scores[2] < 0.85 and scores[3] < 0.45
    # the right hypothesis scores as the identical pair
    assert im.agreement(_translate(4, 0), textured, _moved(textured, _translate(4, 0))) > 0.999


def test_a_sticker_does_not_pull_the_tile_median(textured):
    """A sticker over 10 % of the leak leaves the median per-tile correlation at 1; a global
    correlation (what a mean over the pixels would give) drops."""
    leak = textured.copy()
    leak[20:80, 30:110] = 255.0  # 60 x 80 px of 192 x 256
    assert im.agreement(np.eye(3), textured, leak) > 0.999  # measured 1.000
    global_corr = np.corrcoef(im.blur(textured).ravel(), im.blur(leak).ravel())[0, 1]
    assert global_corr < 0.9  # measured 0.75
    # a cover over 39 % of the leak (more than the median can ignore on the coarse grid) is seen
    leak[:, :100] = 0.0
    assert im.agreement(np.eye(3), textured, leak) < 0.9  # measured 0.854


def test_no_evidence_when_the_footprint_is_flat_or_tiny(textured):
    flat = np.full((192, 256), 128, np.float32)
    assert im.agreement(np.eye(3), flat, flat) == 0.0  # no tile varies
    tiny = np.diag([0.05, 0.05, 1.0])  # the original lands on 13 x 10 leak pixels
    assert im.agreement(tiny, textured, textured) == 0.0


# --- level residual ---------------------------------------------------------------------------


def _ramp_with_bump() -> np.ndarray:
    yy, xx = np.mgrid[0:192, 0:256].astype(np.float32)
    return 60 + 140 * np.exp(-((xx - 110) ** 2 + (yy - 90) ** 2) / 6000) + 0.3 * yy


def test_level_residual_breaks_the_agreement_tie_of_a_smooth_ramp():
    """On a ramp with a soft bump, a 6 px shift still correlates per tile (agreement within the
    registration's TIE of 0.01); the level residual tells the right hypothesis from it."""
    original = _ramp_with_bump()
    truth = _translate(6, 0)
    leak = _moved(original, truth)
    right, wrong = im.agreement(truth, original, leak), im.agreement(np.eye(3), original, leak)
    assert right > 0.999 and abs(right - wrong) < 0.01  # a tie for the agreement (measured 0.9977)
    r_right, r_wrong = im.level_residual(truth, original, leak), im.level_residual(np.eye(3), original, leak)
    assert r_right < 0.002 and r_wrong > 0.02  # measured 0.000 and 0.034
    # and it grows with the error
    assert im.level_residual(_translate(12, 0), original, leak) > r_wrong


def test_level_residual_sees_through_a_tone_change_but_not_a_shift():
    original = _ramp_with_bump()
    darker = 0.7 * original + 25  # a gain and offset: the tone curve absorbs it
    assert im.level_residual(np.eye(3), original, darker) < 0.002


def test_level_residual_is_infinite_on_a_tiny_footprint(textured):
    assert im.level_residual(np.diag([0.05, 0.05, 1.0]), textured, textured) == float("inf")


# --- tone curve ------------------------------------------------------------------------------


def test_tone_curve_recovers_a_known_gain_and_offset():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 255, 20000).astype(np.float32)
    y = 0.8 * x + 20 + rng.normal(0, 2, x.size).astype(np.float32)
    y[:2000] = 255  # 10 % outliers (a sticker): binned medians ignore them
    f = im.tone_curve(x, y)
    probe = np.linspace(20, 235, 44, dtype=np.float32)
    got = f(probe)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, 0.8 * probe + 20, atol=1.0)  # measured 0.50 levels at most (the outliers nudge each bin's median up)


def test_tone_curve_falls_back_to_a_shift_on_too_few_samples():
    x = np.full(40, 100.0, np.float32)  # one populated bin
    f = im.tone_curve(x, x + 7)
    np.testing.assert_allclose(f(np.array([0.0, 50.0, 200.0])), [7.0, 57.0, 207.0])


# --- plausible -------------------------------------------------------------------------------

ORIGINAL_SHAPE = (192, 256)


def _to_quad(quad) -> np.ndarray:
    src = im.corners(ORIGINAL_SHAPE).astype(np.float32)
    return cv2.getPerspectiveTransform(src, np.float32(quad)).astype(float)


@pytest.mark.parametrize(
    "h",
    [
        np.eye(3),
        _similarity(0.5, 20, 40, 10),
        _similarity(1.7, -35, 100, -20),
        im.flip_matrix(256),  # a mirror is a similarity too (negative determinant)
        _to_quad([[10, 10], [240, 20], [230, 180], [20, 170]]),  # a mild perspective
    ],
    ids=["identity", "similarity-0.5", "similarity-1.7", "mirror", "perspective"],
)
def test_plausible_accepts_similarities_and_mild_perspective(h):
    assert im.plausible(h, ORIGINAL_SHAPE, (192, 256))


@pytest.mark.parametrize(
    "h",
    [
        _to_quad([[10, 10], [240, 20], [20, 170], [230, 180]]),  # two corners swapped: folded (a bow tie)
        _to_quad([[10, 10], [240, 20], [60, 40], [20, 170]]),  # a corner pulled inside: not convex
        np.array([[1.0, 0, 0], [0, 1, 0], [-0.01, 0, 1]]),  # the horizon crosses the picture (w changes sign)
        np.diag([5.0, 1.0, 1.0]),  # anisotropy 5 > 4
        np.diag([1.0, 0.2, 1.0]),
        np.diag([0.01, 0.01, 1.0]),  # 1/100 of the leak: absurdly small
        np.diag([80.0, 80.0, 1.0]),  # 80x: absurdly large
        np.zeros((3, 3)),
        np.full((3, 3), np.nan),
    ],
    ids=["folded", "concave", "behind-camera", "anisotropic-x", "anisotropic-y", "tiny", "huge", "singular", "nan"],
)
def test_plausible_rejects_degenerate_homographies(h):
    assert not im.plausible(h, ORIGINAL_SHAPE, (192, 256))


def test_plausible_scale_limits_follow_the_sizes():
    """The scale must lie within 0.02x and 50x the leak-to-original size ratio."""
    small = np.diag([0.03, 0.03, 1.0])
    assert im.plausible(small, ORIGINAL_SHAPE, (192, 256))  # 0.03 > 0.02
    assert not im.plausible(small, ORIGINAL_SHAPE, (384, 512))  # 0.03 < 0.02 x 2
    assert im.plausible(np.diag([3.5, 1.0, 1.0]), ORIGINAL_SHAPE, (192, 256))  # anisotropy 3.5 < 4


# --- local scale -----------------------------------------------------------------------------


def test_local_scale_of_a_similarity_is_its_scale_everywhere():
    h = _similarity(0.6, 25, 30, -5)
    assert im.local_scale(h, ORIGINAL_SHAPE) == pytest.approx(0.6, rel=1e-9)
    assert im.local_scale(h, ORIGINAL_SHAPE, at=(0.0, 0.0)) == pytest.approx(0.6, rel=1e-9)
    assert im.local_scale(np.diag([2.0, 0.5, 1.0]), ORIGINAL_SHAPE) == pytest.approx(1.0)  # geometric mean
    assert im.local_scale(im.flip_matrix(256), ORIGINAL_SHAPE) == pytest.approx(1.0)  # unsigned


def test_local_scale_of_a_perspective_depends_on_where():
    """x' = x / w, y' = y / w with w = 1 + p x: the Jacobian's determinant is w⁻³, the scale w^-1.5."""
    p = 1e-3
    h = np.array([[1.0, 0, 0], [0, 1, 0], [p, 0, 1]])
    centre = ((256 - 1) / 2, (192 - 1) / 2)
    for at in ((0.0, 0.0), (200.0, 50.0), centre):
        expected = (1 + p * at[0]) ** -1.5
        assert im.local_scale(h, ORIGINAL_SHAPE, at=at) == pytest.approx(expected, rel=2e-3)  # a 1-px difference quotient
    assert im.local_scale(h, ORIGINAL_SHAPE) == im.local_scale(h, ORIGINAL_SHAPE, at=centre)
    assert im.local_scale(h, ORIGINAL_SHAPE, at=(0.0, 0.0)) > im.local_scale(h, ORIGINAL_SHAPE, at=(255.0, 0.0))


# --- small helpers ---------------------------------------------------------------------------


def test_project_corners_and_flip():
    c = im.corners((4, 6))
    assert c.tolist() == [[0, 0], [5, 0], [5, 3], [0, 3]]
    np.testing.assert_allclose(im.project(im.flip_matrix(6), c), [[5, 0], [0, 0], [0, 3], [5, 3]])
    at_infinity = im.project(np.array([[1.0, 0, 0], [0, 1, 0], [1, 0, 0]]), np.array([[0.0, 5.0]]))
    assert np.isinf(at_infinity).all()
