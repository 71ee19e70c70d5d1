"""Registration features: an original's features computed once give the same alignment."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from leaktrace.core.align import features_version, register_all, registration_features


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
