"""The one feature stack: extraction in the image's pixels, mirror without re-extraction, exact matching."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data

from leaktrace.core import features
from leaktrace.core.align._features import ORIGINAL, RATIO


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)


def test_exact_matcher_equals_opencv_brute_force():
    """The matrix-product matcher returns exactly the pairs of OpenCV's BFMatcher + ratio test."""
    img = _grey(data.astronaut())
    d1 = features.extract(img, ORIGINAL).descriptors.astype(np.float32)
    d2 = features.extract(cv2.resize(img, None, fx=0.7, fy=0.7)[20:, 30:], ORIGINAL).descriptors.astype(np.float32)
    for other in (d2, d2[:, features.MIRROR_PERMUTATION]):
        pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(d1, other, k=2)
        expected = [(m[0].queryIdx, m[0].trainIdx) for m in pairs if len(m) == 2 and m[0].distance < RATIO * m[1].distance]
        found = features.match(d1, other, ratio=RATIO)
        assert found.tolist() == [list(p) for p in expected]
    assert len(features.match(d1, d2, ratio=RATIO)) > 300  # measured 920


def test_matcher_degenerate_inputs():
    assert features.match(None, np.zeros((5, 128), np.float32), ratio=0.8).shape == (0, 2)
    assert features.match(np.zeros((1, 128), np.float32), np.zeros((5, 128), np.float32), ratio=0.8).shape == (0, 2)


def test_mirrored_features_match_sift_of_the_mirrored_image():
    """mirror() predicts what SIFT finds on the flipped image: its keypoints and descriptors pair up."""
    image = data.astronaut()
    plain = features.extract(image)
    flipped = features.extract(np.ascontiguousarray(image[:, ::-1]))
    predicted = features.mirror(plain)
    pairs = features.match(predicted.descriptors, flipped.descriptors, ratio=0.8, one_per_candidate=True)
    assert len(pairs) > 0.5 * len(plain)  # measured 0.9
    moved = np.linalg.norm(predicted.keypoints[pairs[:, 0]] - flipped.keypoints[pairs[:, 1]], axis=1)
    # same points, to a fraction of a pixel (measured 0.50: SIFT's keypoints sit half a pixel off
    # the pixel-centre mirror x → W − 1 − x, harmless for matching)
    assert np.median(moved) < 0.75


def test_features_are_in_the_images_own_pixels():
    """A corner found at the working size is reported where it is in the full image."""
    image = np.full((2048, 1536), 255, np.uint8)
    texture = cv2.GaussianBlur(np.random.default_rng(0).integers(0, 256, (400, 400)).astype(np.uint8), (0, 0), 4)
    image[800:1200, 600:1000] = cv2.normalize(texture, None, 0, 255, cv2.NORM_MINMAX)
    f = features.extract(image)  # worked at 1024 px
    assert f.shape == (2048, 1536) and len(f) > 0
    assert f.keypoints[:, 0].min() > 500 and f.keypoints[:, 0].max() < 1100
    assert f.keypoints[:, 1].min() > 700 and f.keypoints[:, 1].max() < 1300
