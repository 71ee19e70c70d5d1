"""Perceptual mask m(x): where the fingerprint may be strong, from the original alone.

Notes
-----
m = floor + (1 − floor)·t, then scaled by a luminance factor and smoothed:

* t = a / (a + c) is a saturating texture/edge activity, a the local RMS of the luminance's
  high-pass (σ = 1 px) pooled over σ = 3 px. Pooling spreads the activity of a 1-px line into a
  band a few pixels wide on each side, so a line drawing carries energy *next to* its lines, on the
  paper, where the eye sees a slightly uneven halo rather than a pattern.
* The floor keeps flat regions (white paper, studio backdrops, sky) marked: a pure texture mask
  would leave most of a line drawing, the product's seed case, empty.
* Near saturation (Y ≥ 250 or Y ≤ 5) the mark can only go one way and clips; the mask is lowered
  there to limit grey speckle on white paper.
* A final Gaussian smoothing (σ = 2 px) keeps the mask free of any regular structure.

The mask depends only on the original, so detection recomputes exactly the same one.

It is computed in row strips with a margin wider than the three blurs reach (the same values
as in one piece, bit for bit), so its temporaries cost a strip, not the image: about 4 bytes
per pixel for the result instead of 35 at the peak (and no slower: 0.4 s for a 17 MP original,
against 0.35–1.7 s in one piece on a busy 2-core machine).
"""

from __future__ import annotations

import cv2
import numpy as np

from leaktrace.core.pixels import luminance

__all__ = ["perceptual_mask", "FLOOR"]

FLOOR = 0.35
_ACTIVITY_LEVELS = 6.0  # luminance levels at which t = 1/2
_SATURATED = 0.6  # mask factor on saturated white/black
#: Rows each side of a strip that its mask depends on: the blurs' kernel radii (σ = 1, 3 and 2 px
#: give OpenCV kernels of 9, 25 and 17 taps for float images: 4 + 12 + 8 = 24), with room to spare.
_MARGIN = 32
_STRIP_PIXELS = 1 << 18
#: At least this many rows per strip, so the margins add at most half (wide originals: a
#: 150 MP drawing took 20 s in 32-row strips, 3 s in 128-row ones).
_MIN_ROWS = 4 * _MARGIN


def perceptual_mask(original: np.ndarray) -> np.ndarray:
    """Where and how strongly to mark: texture, edges and luminance of the original.

    Parameters
    ----------
    original : (H, W) or (H, W, 3) uint8 ndarray

    Returns
    -------
    mask : (H, W) float32 ndarray, values in [FLOOR·0.6, 1]
        1 in texture and next to edges, ≈ FLOOR on flat areas, lower on saturated white/black.

    Examples
    --------
    >>> paper = np.full((64, 64), 255, np.uint8); paper[32, 8:56] = 0
    >>> m = perceptual_mask(paper)
    >>> m.shape, m.dtype, bool(m[30, 32] > m[5, 5] > 0)
    ((64, 64), dtype('float32'), True)
    """
    if original.ndim not in (2, 3):
        raise ValueError(f"expected (H, W) or (H, W, 3), got shape {original.shape}")
    h, w = original.shape[:2]
    rows = max(_MIN_ROWS, _STRIP_PIXELS // max(1, w))
    if h <= rows + 2 * _MARGIN:
        return _mask(original)
    out = np.empty((h, w), np.float32)
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        a0, a1 = max(0, r0 - _MARGIN), min(h, r1 + _MARGIN)
        part = original[a0:a1]
        top, bottom = _MARGIN - (r0 - a0), _MARGIN - (a1 - r1)
        if top or bottom:  # at the image's own border: reflect, as the blurs do
            part = cv2.copyMakeBorder(part, top, bottom, 0, 0, cv2.BORDER_REFLECT)
        out[r0:r1] = _mask(part)[_MARGIN : _MARGIN + r1 - r0]
    return out


def _mask(original: np.ndarray) -> np.ndarray:
    y = luminance(original)  # h w
    border = cv2.BORDER_REFLECT
    high = y - cv2.GaussianBlur(y, (0, 0), 1.0, borderType=border)
    act = np.sqrt(cv2.GaussianBlur(high * high, (0, 0), 3.0, borderType=border))
    t = act / (act + _ACTIVITY_LEVELS)
    m = FLOOR + (1.0 - FLOOR) * t
    # saturated pixels: the mark only survives one way round
    sat = np.clip((y - 249.0) / 5.0, 0.0, 1.0) + np.clip((6.0 - y) / 5.0, 0.0, 1.0)
    m *= 1.0 - (1.0 - _SATURATED) * sat
    m = cv2.GaussianBlur(m, (0, 0), 2.0, borderType=border)
    return np.clip(m, FLOOR * _SATURATED, 1.0).astype(np.float32)
