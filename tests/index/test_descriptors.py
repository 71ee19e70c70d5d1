"""SIFT features: full-image coordinates, line drawings, the mirror permutation, the cache."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data as data
from scipy.spatial import cKDTree

from leaktrace.errors import BadInput
from leaktrace.index.descriptors import Features, extract, from_bytes, mirror, to_bytes
from leaktrace.samples.synthetic import line_sketch


def test_thin_line_drawings_give_more_features_than_default_sift():
    drawing = line_sketch()[..., 0]  # (300, 400) grey
    features = extract(drawing)
    default = cv2.SIFT_create(nfeatures=2000).detect(drawing, None)
    assert len(features) >= 45 and len(features) > 1.2 * len(default)  # 50 vs 37 measured
    assert features.descriptors.dtype == np.uint8 and features.shape == (300, 400)


def test_keypoints_are_in_the_full_images_pixels_at_any_working_size():
    camera = data.camera()  # 512 x 512
    big = cv2.resize(camera, (1536, 1536), interpolation=cv2.INTER_CUBIC)
    small = extract(camera)
    capped = extract(big, max_side=512)  # worked at 512, reported at 1536
    assert capped.shape == (1536, 1536) and capped.keypoints.max() > 1000
    # The same features, three times the coordinates: most land on a small one's keypoint.
    distance, _ = cKDTree(small.keypoints * 3 + 1).query(capped.keypoints)
    assert np.mean(distance < 3.0) > 0.6


def test_tiny_images_are_upscaled_but_reported_in_their_own_pixels():
    tiny = cv2.resize(data.camera(), (96, 96), interpolation=cv2.INTER_AREA)
    features = extract(tiny)
    assert len(features) >= 30
    assert features.keypoints.min() >= -0.5 and features.keypoints.max() <= 95.5


def test_max_features_is_honoured():
    assert len(extract(data.astronaut(), max_features=300)) == 300


def test_mirror_equals_extraction_on_the_mirrored_image():
    image = data.camera()
    mirrored = mirror(extract(image))
    direct = extract(image[:, ::-1].copy())
    distance, nearest = cKDTree(direct.keypoints).query(mirrored.keypoints)
    same = distance < 0.5
    assert same.mean() > 0.25  # SIFT's detector is not exactly mirror-symmetric (32% measured)
    difference = mirrored.descriptors[same].astype(int) - direct.descriptors[nearest[same]]
    # Same place, same descriptor (a keypoint may carry two orientations: take the best).
    assert np.median(np.abs(difference).sum(axis=1)) == 0


def test_cache_round_trip_is_exact_and_pickle_free():
    features = extract(line_sketch()[..., 0])
    back = from_bytes(to_bytes(features))
    assert back.shape == features.shape
    assert np.array_equal(back.keypoints, features.keypoints)
    assert np.array_equal(back.descriptors, features.descriptors)
    assert len(to_bytes(features)) < features.descriptors.nbytes  # compressed


@pytest.mark.parametrize("junk", [b"", b"not an npz", to_bytes.__doc__.encode()])
def test_unreadable_cache_is_bad_input(junk):
    with pytest.raises(BadInput):
        from_bytes(junk)


def test_features_are_read_only_and_inputs_untouched():
    image = data.astronaut()
    before = image.copy()
    features = extract(image)
    assert np.array_equal(image, before)
    with pytest.raises(ValueError):
        features.keypoints[0, 0] = 1.0
    with pytest.raises(ValueError):
        Features(np.zeros((3, 2)), np.zeros((2, 128)), (4, 4))


def test_blank_image_has_no_features():
    features = extract(np.full((200, 200), 255, np.uint8))
    assert len(features) == 0 and features.descriptors.shape == (0, 128)
