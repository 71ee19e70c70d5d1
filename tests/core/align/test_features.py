"""Registration features: exact matching, and an original's features computed once give the same alignment."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from leaktrace.core.align import _features as features_mod
from leaktrace.core.align import features_version, register_all, registration_features


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def test_exact_matcher_equals_opencv_brute_force():
    """The matrix-product matcher returns exactly the pairs of OpenCV's BFMatcher + ratio test."""
    img = _grey(data.astronaut())
    _, d1 = features_mod.detect(img)
    _, d2 = features_mod.detect(cv2.resize(img, None, fx=0.7, fy=0.7)[20:, 30:])
    for other in (d2, features_mod.mirror_descriptors(d2)):
        pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(d1, other, k=2)
        expected = [(m[0].queryIdx, m[0].trainIdx) for m in pairs if len(m) == 2 and m[0].distance < features_mod.RATIO * m[1].distance]
        found = features_mod._match(d1, other)
        assert found.tolist() == [list(p) for p in expected]
    assert len(features_mod._match(d1, d2)) > 300  # measured 920


def test_matcher_degenerate_inputs():
    assert features_mod._match(None, np.zeros((5, 128), np.float32)).shape == (0, 2)
    assert features_mod._match(np.zeros((1, 128), np.float32), np.zeros((5, 128), np.float32)).shape == (0, 2)


def test_precomputed_features_give_the_same_alignment():
    original = data.astronaut()
    leak = cv2.resize(original[60:460, 40:440], (300, 300), interpolation=cv2.INTER_AREA)
    f = registration_features(original)
    assert f.version == features_version() and f.shape == (512, 512) and f.descriptors.dtype == np.uint8
    plain = register_all(leak, original)
    cached = register_all(leak, original, features=f)
    assert len(plain) == len(cached) == 1
    np.testing.assert_array_equal(plain[0].homography, cached[0].homography)
    np.testing.assert_array_equal(plain[0].valid_mask, cached[0].valid_mask)
    assert cached[0].method == "features" and cached[0].inliers > 50


def test_stale_features_are_ignored():
    """Features of another image size or detector version are recomputed, not used."""
    original = data.astronaut()
    leak = cv2.resize(original, (256, 256), interpolation=cv2.INTER_AREA)
    wrong = registration_features(data.coffee())
    a = register_all(leak, original, features=wrong)
    assert a and abs(a[0].homography[0, 0] - 0.5) < 1e-3
