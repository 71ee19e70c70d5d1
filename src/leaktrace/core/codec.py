"""Lossy codec round-trips in memory: what a JPEG or WebP re-encode does to RGB pixels.

OpenCV's encoders read a 3-channel array as BGR. Handing them RGB swaps red and blue
before the codec's RGB→YCbCr step, so the luma it quantises (0.299 R + 0.587 G +
0.114 B) is computed from the wrong weights and chroma subsampling blurs the wrong
colours. These helpers convert RGB→BGR before encoding and back after decoding, so a
simulated recompression damages the same luminance the fingerprint lives in. Writing
files is :mod:`leaktrace.imagefiles`'s job; nothing here touches the disk.

Examples
--------
>>> img = np.zeros((16, 16, 3), np.uint8); img[..., 0] = 255  # pure red
>>> out = jpeg_roundtrip(img, 95)
>>> out.shape, out.dtype, int(out[8, 8, 0]) > 240, int(out[8, 8, 2]) < 15
((16, 16, 3), dtype('uint8'), True, True)
>>> jpeg_roundtrip(np.full((8, 8), 128, np.uint8), 75).shape  # grey stays grey
(8, 8)
"""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import BadInput

__all__ = ["jpeg_roundtrip", "roundtrip", "webp_roundtrip"]

_PARAMS = {".jpg": cv2.IMWRITE_JPEG_QUALITY, ".webp": cv2.IMWRITE_WEBP_QUALITY}


def roundtrip(image: np.ndarray, ext: str, quality: int) -> np.ndarray:
    """Encode ``image`` with the codec of ``ext`` at ``quality`` and decode it again.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        Grey or RGB (not BGR). Not modified.
    ext : ".jpg" or ".webp"
    quality : int, 0–100
        The encoder's quality setting.

    Returns
    -------
    uint8 ndarray of the same shape: grey in, grey out; RGB in, RGB out.

    Raises
    ------
    BadInput
        Not uint8, not grey or 3-channel, or an unknown codec.
    """
    if ext not in _PARAMS:
        raise BadInput(f"Unknown codec {ext!r}; known: {', '.join(_PARAMS)}.")
    if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise BadInput(f"A codec round-trip takes a (H, W) or (H, W, 3) uint8 image, not {image.shape} {image.dtype}.")
    grey = image.ndim == 2
    pixels = image if grey else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(ext, pixels, [_PARAMS[ext], int(quality)])
    if not ok:  # pragma: no cover - OpenCV built without the codec
        raise BadInput(f"OpenCV cannot encode {ext} in this build.")
    decoded = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR)
    return decoded if grey else cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)


def jpeg_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """JPEG-encode and decode ``image`` (grey or RGB) at ``quality``; see :func:`roundtrip`."""
    return roundtrip(image, ".jpg", quality)


def webp_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """WebP-encode and decode ``image`` (grey or RGB) at ``quality``; see :func:`roundtrip`."""
    return roundtrip(image, ".webp", quality)
