"""Geometric verification: the right homography, the mirror, and no match for strangers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data as data

from leaktrace.core.features import match
from leaktrace.index.descriptors import Features, extract
from leaktrace.index.verify import NO_MATCH, verify


@pytest.fixture(scope="module")
def camera():
    return data.camera()


@pytest.fixture(scope="module")
def camera_features(camera):
    return extract(camera)


def _project(h, xy):
    p = h @ np.append(xy, 1.0)
    return p[:2] / p[2]


def test_crop_is_a_translation_covering_a_quarter(camera, camera_features):
    leak = camera[100:356, 150:406]  # 256 x 256 of 512 x 512
    match = verify(extract(leak), camera_features)
    assert match.inliers >= 200 and not match.mirrored
    assert match.coverage == pytest.approx(0.25, abs=0.01)
    assert np.allclose(_project(match.homography, (200.0, 200.0)), (50.0, 100.0), atol=0.5)


def test_mirrored_and_rotated_leak_folds_the_flip_into_the_homography(camera, camera_features):
    m = cv2.getRotationMatrix2D((256, 256), 2.0, 0.75)
    leak = cv2.warpAffine(camera[:, ::-1].copy(), m, (400, 400))
    match = verify(extract(leak), camera_features)
    assert match.mirrored and match.inliers >= 150
    assert np.linalg.det(match.homography[:2, :2]) < 0
    true_h = np.vstack([m, [0, 0, 1]]) @ np.array([[-1, 0, 511], [0, 1, 0], [0, 0, 1.0]])
    for xy in [(100.0, 100.0), (300.0, 250.0), (200.0, 400.0)]:
        assert np.allclose(_project(match.homography, xy), _project(true_h, xy), atol=1.0)
    # The 384-px picture spans x, y in [64, 448]; the 400-px window keeps [64, 400]: 0.875².
    assert match.coverage == pytest.approx(0.875**2, abs=0.02)


@pytest.mark.parametrize("stranger", [data.coins, data.moon, data.astronaut, data.text])
def test_a_different_image_gives_no_match(camera_features, stranger):
    assert verify(extract(stranger()), camera_features).inliers < 12


def test_too_few_features_is_no_match(camera_features):
    empty = Features(np.zeros((0, 2)), np.zeros((0, 128), np.uint8), (100, 100))
    assert verify(empty, camera_features) is NO_MATCH
    assert verify(camera_features, empty) is NO_MATCH


def test_degenerate_geometry_is_rejected(camera_features):
    # Every query point on one spot: a homography would fit, but it is no evidence.
    n = 40
    spot = Features(np.full((n, 2), 50.0), camera_features.descriptors[:n], (100, 100))
    assert verify(spot, camera_features).homography is None


def _bfmatcher_pairs(query, candidate, ratio=0.8):
    """The reference: OpenCV's brute-force knnMatch, Lowe's test, each candidate's best."""
    knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(query.astype(np.float32), candidate.astype(np.float32), k=2)
    good = sorted((m for m, n in knn if m.distance < ratio * n.distance), key=lambda m: m.distance)
    pairs = np.array([(m.queryIdx, m.trainIdx) for m in good], np.int64).reshape(-1, 2)
    _, first = np.unique(pairs[:, 1], return_index=True)
    return pairs[np.sort(first)]


@pytest.mark.parametrize("leak", ["crop", "mirror", "stranger", "self"])
def test_matcher_returns_exactly_bfmatchers_pairs(camera, camera_features, leak):
    images = {
        "crop": lambda: cv2.resize(camera[40:400, 60:500], (700, 560)),
        "mirror": lambda: camera[:, ::-1].copy(),
        "stranger": data.astronaut,
        "self": lambda: camera,  # exact duplicates: ties between equal distances
    }
    query = extract(images[leak]()).descriptors
    candidate = camera_features.descriptors
    for ratio in (0.8, 0.6, 0.95):
        expected = _bfmatcher_pairs(query, candidate, ratio)
        got = match(query, candidate, ratio=ratio, one_per_candidate=True)
        assert got.dtype == np.int64 and len(expected) > (0 if leak == "stranger" else 10)
        np.testing.assert_array_equal(got, expected)


def test_matcher_ratio_test_at_the_boundary_follows_bfmatcher():
    # Squared distances 16 and 25: 4 < 0.8 * 5 is false (equality), as BFMatcher decides.
    query = np.zeros((2, 128), np.uint8)
    candidate = np.zeros((3, 128), np.uint8)
    candidate[0, 0], candidate[1, 0], candidate[2, :25] = 4, 5, 1
    assert len(_bfmatcher_pairs(query, candidate)) == 0
    assert len(match(query, candidate, ratio=0.8, one_per_candidate=True)) == 0
