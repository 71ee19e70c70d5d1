"""The global hash: stable under whole-image edits, far between different images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data as data

from leaktrace.core.codec import jpeg_roundtrip
from leaktrace.errors import BadInput
from leaktrace.index.hashes import global_hash, hamming, hamming_many, luminance


@pytest.fixture(scope="module")
def astronaut():
    return data.astronaut()


def _jpeg(image, quality):
    return jpeg_roundtrip(image, quality)


@pytest.mark.parametrize(
    "edit, most",
    [
        (lambda im: _jpeg(im, 50), 2),
        (lambda im: cv2.resize(im, (128, 128), interpolation=cv2.INTER_AREA), 2),
        (lambda im: cv2.resize(im, (700, 300), interpolation=cv2.INTER_LINEAR), 6),  # aspect change
        (lambda im: np.clip(im.astype(int) + 40, 0, 255).astype(np.uint8), 4),
        (lambda im: cv2.warpAffine(im, cv2.getRotationMatrix2D((256, 256), 2, 1), (512, 512)), 10),
    ],
    ids=["jpeg50", "downscale25", "stretch", "brightness", "rotate2"],
)
def test_whole_image_edits_stay_within_the_search_radius(astronaut, edit, most):
    assert hamming(global_hash(edit(astronaut)), global_hash(astronaut)) <= most


def test_mirror_is_found_by_hashing_the_query_mirrored(astronaut):
    mirrored = astronaut[:, ::-1]
    assert hamming(global_hash(mirrored), global_hash(astronaut)) > 20
    assert hamming(global_hash(mirrored, mirrored=True), global_hash(astronaut)) == 0


def test_different_images_are_far_apart():
    images = [data.astronaut(), data.camera(), data.coffee(), data.chelsea(), data.rocket(), data.coins(), data.moon(), data.text()]
    hashes = np.array([global_hash(im) for im in images])
    for i, h in enumerate(hashes):
        distances = np.delete(hamming_many(h, hashes), i)
        assert distances.min() >= 18  # radius 10 leaves a wide margin
        mirrored = hamming_many(global_hash(images[i], mirrored=True), np.delete(hashes, i, axis=0))
        assert mirrored.min() >= 18


def test_grey_and_rgb_agree_and_inputs_are_untouched(astronaut):
    before = astronaut.copy()
    grey = luminance(astronaut)
    assert hamming(global_hash(grey), global_hash(astronaut)) == 0
    assert np.array_equal(astronaut, before) and grey.base is None


def test_hamming_counts_bits():
    a = np.zeros(8, np.uint8)
    b = np.full(8, 255, np.uint8)
    assert hamming(a, b) == 64 and hamming(b, b) == 0
    assert hamming_many(a, np.stack([a, b])).tolist() == [0, 64]
    with pytest.raises(BadInput):
        hamming(a, b[:4])


@pytest.mark.parametrize("bad", [np.zeros((32, 32), np.float32), np.zeros((32, 32, 2), np.uint8), np.zeros((4, 400), np.uint8)])
def test_unusable_images_are_rejected(bad):
    with pytest.raises(BadInput):
        global_hash(bad)
