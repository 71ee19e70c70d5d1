"""Luminance: the one function every stage of leaktrace uses to turn RGB into levels.

The fingerprint lives in luminance (embedding adds to it, detection subtracts in it,
registration, the mask and the quality gate compare in it), so all of them must agree on
one definition: ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["luminance"]


def luminance(image: np.ndarray) -> np.ndarray:
    """BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B (the image itself, as float32, if 2-D).

    Parameters
    ----------
    image : (H, W) or (H, W, 3|4) ndarray, any real dtype, RGB order (alpha ignored)

    Returns
    -------
    y : (H, W) float32 ndarray, luminance levels (0–255 for uint8 input); a new array

    Examples
    --------
    >>> y = luminance(np.array([[[255, 255, 255], [255, 0, 0]]], np.uint8))
    >>> y.dtype, [round(float(v), 2) for v in y[0]]
    (dtype('float32'), [255.0, 76.24])
    """
    if image.ndim == 2:
        return image.astype(np.float32)
    if image.ndim != 3 or image.shape[2] < 3:
        raise ValueError(f"expected (H, W) or (H, W, 3), got shape {image.shape}")
    rgb = np.ascontiguousarray(image[..., :3], dtype=np.float32)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # h w
