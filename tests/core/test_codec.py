"""Codec round-trips: RGB in memory goes through JPEG/WebP exactly as a real RGB encoder (Pillow) would."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from leaktrace.core.codec import jpeg_roundtrip, roundtrip, webp_roundtrip
from leaktrace.errors import BadInput


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return data.astronaut()[::2, ::2].copy()  # (256, 256, 3) RGB, strong reds and blues


def _pillow(image: np.ndarray, fmt: str, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, fmt, quality=quality)
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        return np.asarray(im.convert("L" if image.ndim == 2 else "RGB"))


@pytest.mark.parametrize(("fn", "fmt"), [(jpeg_roundtrip, "JPEG"), (webp_roundtrip, "WEBP")])
@pytest.mark.parametrize("quality", [90, 50])
def test_roundtrip_matches_an_rgb_encoder(image, fn, fmt, quality):
    before = image.copy()
    out = fn(image, quality)
    assert out.shape == image.shape and out.dtype == np.uint8
    # Pillow and OpenCV share libjpeg-turbo / libwebp: the same pixels, to within one level
    assert np.abs(out.astype(int) - _pillow(image, fmt, quality)).mean() < 0.05
    np.testing.assert_array_equal(image, before)  # input untouched


def test_rgb_read_as_bgr_is_what_the_helper_avoids(image):
    """The old bug, measured: cv2.imencode on RGB quantises the wrong luma (≈ 3 levels off Pillow at q50)."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 50])
    swapped = cv2.imdecode(buf, cv2.IMREAD_COLOR)  # what attacks.py used to return
    reference = _pillow(image, "JPEG", 50)
    assert np.abs(swapped.astype(int) - reference).mean() > 2.0
    assert np.abs(jpeg_roundtrip(image, 50).astype(int) - reference).mean() < 0.05


@pytest.mark.parametrize("fn", [jpeg_roundtrip, webp_roundtrip])
def test_grey_stays_grey(image, fn):
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    out = fn(grey, 75)
    assert out.shape == grey.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - grey).mean() < 4


def test_a_pure_colour_keeps_its_channel():
    red = np.zeros((32, 32, 3), np.uint8)
    red[..., 0] = 255
    out = jpeg_roundtrip(red, 90)
    assert out[..., 0].min() > 240 and out[..., 2].max() < 15


@pytest.mark.parametrize(
    ("image", "ext", "match"),
    [
        (np.zeros((8, 8, 4), np.uint8), ".jpg", "uint8 image"),
        (np.zeros((8, 8, 3), np.float32), ".jpg", "uint8 image"),
        (np.zeros((8, 8, 3), np.uint8), ".gif", "Unknown codec"),
    ],
)
def test_bad_input(image, ext, match):
    with pytest.raises(BadInput, match=match):
        roundtrip(image, ext, 80)
