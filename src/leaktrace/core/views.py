"""An original and a leak, each described once at the scales the trace works at.

A trace used to decode the original at full size, compute its luminance and mask, and
warp the leak up to that size, so its cost grew with the original (a 2 MP leak of a
30 MP drawing took 4.6× as long as one of a 2 MP drawing). Here each image is described
once:

- :class:`OriginalView`: the original's luminance at registration's working scale, and a
  pyramid of its luminance and perceptual mask by octaves (level 0 is the full size).
  Built when the asset is registered and cached on disk, where the levels are
  memory-mapped: a trace reads only the window of the one level it needs.
- :class:`LeakView`: the leak's luminance at full size and at the working scale.

Detection then works in a :class:`Frame`: the window of the original under the leak's
footprint, at the leak's own resolution (never finer than the original). The carrier is
sampled at that window's normalised coordinates (:func:`leaktrace.core.carrier.project`),
so the projection is the same function of the leak as at full size, at the leak's cost.

Precision: the pyramid stores luminance as uint16 in 1/256 levels and the mask as float16
(both far below the fingerprint's ±1 level), in memory as on disk, so a trace in memory
(the evaluation API) and one from the cache give the same scores.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from .features import SEARCH, Features, extract, grey
from .pixels import luminance

__all__ = [
    "WORK_SIDE",
    "LUMA_SCALE",
    "OriginalView",
    "LeakView",
    "Frame",
    "PyramidStrip",
    "describe_original",
    "describe_leak",
    "original_pyramid",
    "pyramid",
    "pyramid_strips",
    "frame_for",
    "scale_matrix",
    "translate_matrix",
    "fit_side",
    "resize_to",
]

#: Registration's working scale: longest side, pixels.
WORK_SIDE = 1600
#: Pyramid luminance is stored as uint16 in 1/LUMA_SCALE levels.
LUMA_SCALE = 256.0
#: The pyramid stops at a level whose longest side is at most this (pixels).
TOP_SIDE = 256
#: Frame margin (frame pixels) kept around the footprint: the residual's local-energy
#: blur and the photometric kernel read that far.
FRAME_MARGIN = 16
#: Pixels per strip when the luminance and the pyramid are made in row strips.
_STRIP_PIXELS = 1 << 20


def scale_matrix(sx: float, sy: float) -> np.ndarray:
    """Homography of a resize by (sx, sy) with OpenCV's pixel-centre convention.

    ``x_dst = (x_src + 0.5) * sx - 0.5``.

    Examples
    --------
    >>> scale_matrix(0.5, 0.5) @ np.array([1.5, 1.5, 1.0])
    array([0.5, 0.5, 1. ])
    """
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])


def translate_matrix(x: float, y: float) -> np.ndarray:
    """Homography of a shift by (x, y) pixels.

    Examples
    --------
    >>> translate_matrix(2.0, -1.0) @ np.array([1.0, 1.0, 1.0])
    array([3., 0., 1.])
    """
    return np.array([[1.0, 0.0, x], [0.0, 1.0, y], [0.0, 0.0, 1.0]])


def resize_to(image: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Resize by ``factor`` (area filter when shrinking) and return the resize matrix.

    Returns
    -------
    resized : ndarray
    matrix : (3, 3) float64 ndarray
        Maps (x, y) of ``image`` to (x, y) of ``resized``.
    """
    h, w = image.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    if (nw, nh) == (w, h):
        return image, np.eye(3)
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    out = cv2.resize(image, (nw, nh), interpolation=interp)
    return out, scale_matrix(nw / w, nh / h)


def fit_side(image: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Shrink so the longest side is at most ``side`` pixels (never enlarges)."""
    long = max(image.shape[:2])
    return resize_to(image, side / long) if long > side else (image, np.eye(3))


@dataclass(frozen=True, eq=False)
class OriginalView:
    """What a trace needs of an original, at the scales it works at.

    Attributes
    ----------
    shape : (H, W)
        The original's full size, pixels.
    work : (h, w) float32 ndarray
        Luminance at registration's working scale (longest side ≤ ``WORK_SIDE``).
    work_matrix : (3, 3) float64 ndarray
        The original's (x, y) → ``work``'s (x, y).
    levels : sequence of ((h_k, w_k) uint16, (h_k, w_k) float16) array pairs
        Level k: luminance (in 1/``LUMA_SCALE`` levels) and perceptual mask, area-shrunk
        by about 2**k; level 0 is the full size. Memory-mapped arrays work.
    features : RegistrationFeatures or None
        The original's registration features when known (cached per asset).
    """

    shape: tuple[int, int]
    work: np.ndarray
    work_matrix: np.ndarray
    levels: Sequence[tuple[np.ndarray, np.ndarray]]
    features: object = None


@dataclass(frozen=True, eq=False)
class LeakView:
    """A leak described once; the asset search, registration and the test all take it.

    Attributes
    ----------
    image : (h, w) or (h, w, 3) uint8 ndarray
        The decoded leak (RGB if colour).
    grey : (h, w) uint8 ndarray
        Its luminance as SIFT and the global hash read it (:func:`leaktrace.core.features.grey`).
    luma : (h, w) float32 ndarray
        Luminance, levels.
    work : (h', w') float32 ndarray
        ``luma`` shrunk to a longest side ≤ ``WORK_SIDE``.
    work_matrix : (3, 3) float64 ndarray
        The leak's (x, y) → ``work``'s (x, y).
    features : Features
        Its local features (:data:`leaktrace.core.features.SEARCH`), in the leak's pixels:
        the asset search matches them against the assets', registration against the
        original's.
    """

    image: np.ndarray
    grey: np.ndarray
    luma: np.ndarray
    work: np.ndarray
    work_matrix: np.ndarray
    features: Features

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.luma.shape[0]), int(self.luma.shape[1]))


def describe_leak(leak: np.ndarray, *, max_side: int = WORK_SIDE) -> LeakView:
    """The :class:`LeakView` of a decoded leak.

    Examples
    --------
    >>> v = describe_leak(np.zeros((2000, 1000, 3), np.uint8))
    >>> v.shape, v.work.shape
    ((2000, 1000), (1600, 800))
    """
    if isinstance(leak, LeakView):
        return leak
    y = luminance(leak)
    work, m = fit_side(y, max_side)
    g = grey(leak)
    return LeakView(leak, g, y, work, m, extract(g, SEARCH))


class PyramidStrip(NamedTuple):
    """Rows of one pyramid level, in the stored types (see :class:`OriginalView`)."""

    level: int
    shape: tuple[int, int]  # (h_k, w_k): the whole level's
    rows: slice  # of the level
    luma: np.ndarray  # (rows, w_k) uint16, 1/LUMA_SCALE levels
    mask: np.ndarray  # (rows, w_k) float16


def pyramid_strips(luma: np.ndarray, mask: np.ndarray, *, rows: int | None = None) -> Iterator[PyramidStrip]:
    """The octave pyramid of :func:`pyramid`, level by level, each level in row strips.

    Level k + 1 is area-shrunk from level k in float32, as :func:`pyramid` does, then level k's
    float32 planes are let go: a caller writing each strip out as it comes (the asset cache)
    holds, besides its own inputs, two float32 planes of one level and one of the next, never
    the pyramid. The strips are exactly :func:`pyramid`'s levels, cut into rows.

    Parameters
    ----------
    luma : (H, W) float32 ndarray, levels
        Not kept after level 1 is made (pass the only reference to free it early).
    mask : (H, W) float32 ndarray
    rows : int, optional
        Rows per strip (default: about 1 M pixels per strip).

    Yields
    ------
    PyramidStrip
        Level 0 first, rows in order; a level's strips before the next level's.

    Examples
    --------
    >>> strips = list(pyramid_strips(np.full((600, 1000), 100.0, np.float32), np.ones((600, 1000), np.float32), rows=256))
    >>> [(s.level, s.rows.start, s.rows.stop) for s in strips]
    [(0, 0, 256), (0, 256, 512), (0, 512, 600), (1, 0, 256), (1, 256, 300), (2, 0, 150)]
    """
    y = np.asarray(luma, np.float32)
    m = np.asarray(mask, np.float32)
    del luma, mask
    level = 0
    while True:
        h, w = y.shape
        step = int(rows) if rows else max(1, _STRIP_PIXELS // max(1, w))
        for r0 in range(0, h, step):
            r = slice(r0, min(h, r0 + step))
            yield PyramidStrip(level, (h, w), r, _to_u16(y[r]), m[r].astype(np.float16))
        if max(h, w) <= TOP_SIDE:
            return
        size = ((w + 1) // 2, (h + 1) // 2)
        y = cv2.resize(y, size, interpolation=cv2.INTER_AREA)
        m = cv2.resize(m, size, interpolation=cv2.INTER_AREA)
        level += 1


def pyramid(luma: np.ndarray, mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Octave pyramid of a luminance and its mask, stored types (see :class:`OriginalView`).

    Parameters
    ----------
    luma : (H, W) float32 ndarray, levels
    mask : (H, W) float32 ndarray

    Returns
    -------
    list of (uint16 luminance, float16 mask), level 0 first, down to a longest side of at
    most ``TOP_SIDE`` pixels. Assembled from :func:`pyramid_strips`.

    Examples
    --------
    >>> levels = pyramid(np.full((600, 1000), 100.0, np.float32), np.ones((600, 1000), np.float32))
    >>> [lv[0].shape for lv in levels], int(levels[2][0][0, 0]) / LUMA_SCALE
    ([(600, 1000), (300, 500), (150, 250)], 100.0)
    """
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    for strip in pyramid_strips(luma, mask):
        if strip.level == len(levels):
            levels.append((np.empty(strip.shape, np.uint16), np.empty(strip.shape, np.float16)))
        levels[strip.level][0][strip.rows] = strip.luma
        levels[strip.level][1][strip.rows] = strip.mask
    return levels


def _to_u16(y: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(y * np.float32(LUMA_SCALE)), 0, 65535).astype(np.uint16)


def _luminance_strips(original: np.ndarray) -> np.ndarray:
    """:func:`~leaktrace.core.pixels.luminance` in row strips (the same values: it is pixel-wise),
    so that its float32 RGB temporary costs a strip, not 12 bytes per pixel of the original."""
    h, w = original.shape[:2]
    step = max(1, _STRIP_PIXELS // max(1, w))
    if original.ndim == 2 or h <= step:
        return luminance(original)
    y = np.empty((h, w), np.float32)
    for r0 in range(0, h, step):
        y[r0 : r0 + step] = luminance(original[r0 : r0 + step])
    return y


def original_pyramid(
    original: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    max_side: int = WORK_SIDE,
) -> tuple[OriginalView, Iterator[PyramidStrip]]:
    """An original's view without its levels, and its pyramid as strips to store one by one.

    What :func:`describe_original` builds, for a caller that writes the levels out as they are
    made (the asset cache) instead of holding them: the peak is the luminance (4 bytes per
    pixel), the mask and a strip, about 8 bytes per pixel of the original besides its
    inputs, where the pyramid in memory costs 5.3 more.

    Parameters
    ----------
    original : (H, W) or (H, W, 3) uint8 ndarray
    mask : (H, W) float32 ndarray, optional
        The asset's perceptual mask; default :func:`leaktrace.core.mask.perceptual_mask`
        (computed when the first strip is asked for).
    max_side : int, pixels

    Returns
    -------
    view : OriginalView
        ``shape``, ``work`` and ``work_matrix``; ``levels`` empty.
    strips : iterator of PyramidStrip
        The levels :func:`pyramid` would return, in row strips.

    Examples
    --------
    >>> view, strips = original_pyramid(np.full((300, 400, 3), 200, np.uint8))
    >>> view.work.shape, len(view.levels), sorted({(s.level, s.shape) for s in strips})
    ((300, 400), 0, [(0, (300, 400)), (1, (150, 200))])
    """
    y = _luminance_strips(original)
    work, m = fit_side(y, max_side)
    view = OriginalView((int(original.shape[0]), int(original.shape[1])), work, m, ())

    def strips(luma: list[np.ndarray]) -> Iterator[PyramidStrip]:
        from .mask import perceptual_mask

        yield from pyramid_strips(luma.pop(), perceptual_mask(original) if mask is None else mask)

    return view, strips([y])


def describe_original(
    original: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    features: object = None,
    max_side: int = WORK_SIDE,
    levels: bool = True,
) -> OriginalView:
    """The :class:`OriginalView` of an original held in memory.

    Parameters
    ----------
    original : (H, W) or (H, W, 3) uint8 ndarray
    mask : (H, W) float32 ndarray, optional
        The asset's perceptual mask; default :func:`leaktrace.core.mask.perceptual_mask`.
    features : RegistrationFeatures, optional
    levels : bool
        False builds only what registration needs (no pyramid, no mask).

    Examples
    --------
    >>> v = describe_original(np.full((300, 400, 3), 200, np.uint8))
    >>> v.shape, v.work.shape, len(v.levels), v.levels[0][0].dtype
    ((300, 400), (300, 400), 2, dtype('uint16'))
    """
    if isinstance(original, OriginalView):
        return original
    if not levels:
        y = _luminance_strips(original)
        work, m = fit_side(y, max_side)
        return OriginalView((int(original.shape[0]), int(original.shape[1])), work, m, (), features)
    view, strips = original_pyramid(original, mask=mask, max_side=max_side)
    built: list[tuple[np.ndarray, np.ndarray]] = []
    for strip in strips:
        if strip.level == len(built):
            built.append((np.empty(strip.shape, np.uint16), np.empty(strip.shape, np.float16)))
        built[strip.level][0][strip.rows] = strip.luma
        built[strip.level][1][strip.rows] = strip.mask
    return OriginalView(view.shape, view.work, view.work_matrix, built, features)


@dataclass(frozen=True, eq=False)
class Frame:
    """A window of the original, at the resolution detection works at.

    Attributes
    ----------
    luma : (h, w) float32 ndarray
        The original's luminance in the window, levels.
    mask : (h, w) float32 ndarray
        Its perceptual mask.
    matrix : (3, 3) float64 ndarray
        The original's full-size (x, y) → the frame's (x, y) (a scale and a shift).
    rows, cols : (h,), (w,) float64 ndarrays
        Normalised coordinates of the frame's pixel centres in the original (for the carrier).
    density : (float, float)
        Frame samples per unit of normalised coordinate, (vertical, horizontal).
    """

    luma: np.ndarray
    mask: np.ndarray
    matrix: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    density: tuple[float, float]

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.luma.shape[0]), int(self.luma.shape[1]))


def frame_for(view: OriginalView, box: tuple[float, float, float, float], scale: float) -> Frame:
    """The frame of ``view`` over ``box`` at ``scale`` frame pixels per original pixel.

    Parameters
    ----------
    view : OriginalView
    box : (x0, y0, x1, y1), the original's full-size pixels
        The window (a margin of ``FRAME_MARGIN`` frame pixels is added, clipped to the image).
    scale : float in (0, 1]
        Frame pixels per original pixel: the leak's resolution, never finer than the original.

    Returns
    -------
    Frame
        Read from the finest pyramid level no coarser than ``scale``, and area-shrunk to it.

    Examples
    --------
    >>> v = describe_original(np.full((400, 600, 3), 90, np.uint8))
    >>> f = frame_for(v, (100, 100, 300, 200), 0.5)
    >>> f.shape, round(float(f.luma.mean()), 2), round(f.density[1])
    ((84, 134), 90.0, 300)
    """
    hh, ww = view.shape
    scale = float(min(1.0, max(scale, 1e-6)))
    k = 0
    while k + 1 < len(view.levels) and view.levels[k + 1][0].shape[1] >= scale * ww * (1 - 1e-9):
        k += 1
    y_k, m_k = view.levels[k]
    lh, lw = y_k.shape
    to_level = scale_matrix(lw / ww, lh / hh)
    r = scale * ww / lw  # frame px per level px, ≤ 1
    pad = FRAME_MARGIN / max(r, 1e-6)
    x0, y0, x1, y1 = box
    corners = to_level @ np.array([[x0, x1], [y0, y1], [1.0, 1.0]])
    rx0 = int(np.clip(np.floor(corners[0].min() - pad), 0, lw - 1))
    ry0 = int(np.clip(np.floor(corners[1].min() - pad), 0, lh - 1))
    rx1 = int(np.clip(np.ceil(corners[0].max() + pad) + 1, rx0 + 1, lw))
    ry1 = int(np.clip(np.ceil(corners[1].max() + pad) + 1, ry0 + 1, lh))
    luma = np.asarray(y_k[ry0:ry1, rx0:rx1], np.float32) * np.float32(1.0 / LUMA_SCALE)
    mask = np.asarray(m_k[ry0:ry1, rx0:rx1], np.float32)
    luma, shrink = resize_to(luma, r)
    mask, _ = resize_to(mask, r)
    matrix = shrink @ translate_matrix(-rx0, -ry0) @ to_level
    inverse = np.linalg.inv(matrix)
    fh, fw = luma.shape
    cols = (inverse[0, 0] * np.arange(fw) + inverse[0, 2] + 0.5) / ww
    rows = (inverse[1, 1] * np.arange(fh) + inverse[1, 2] + 0.5) / hh
    return Frame(luma, mask, matrix, rows, cols, (hh * matrix[1, 1], ww * matrix[0, 0]))
