"""Image helpers for registration: luminance, resampling matrices, image agreement.

Private to :mod:`leaktrace.core.align`. Coordinates are OpenCV pixel coordinates
(x, y) with pixel centres on integers; every homography maps ORIGINAL → LEAK.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..pixels import luminance
from ..views import fit_side, resize_to, scale_matrix, translate_matrix

__all__ = [
    "luminance",
    "fit_side",
    "resize_to",
    "scale_matrix",
    "translate_matrix",
    "flip_matrix",
    "project",
    "corners",
    "plausible",
    "local_scale",
    "blur",
    "tile_stats",
    "agreement",
    "tone_curve",
    "level_residual",
]

#: Light blur (pixels) applied before comparing images: thin lines stay comparable
#: under sub-pixel shifts and resampling.
AGREE_SIGMA = 1.5
#: A tile counts in the agreement only when the warped original varies at least this
#: much inside it (luminance levels, std): flat paper says nothing about alignment.
TILE_MIN_STD = 1.0
#: Width (pixels) of the erosion that drops the footprint's edge band, where the blur mixes
#: in what lies beyond it: 2·⌈1.5σ⌉ + 1 (wider bands leave tiny leaks too few pixels).
EDGE_BAND = 2 * int(np.ceil(1.5 * AGREE_SIGMA)) + 1
#: A tile counts when at least this fraction of it lies inside the (eroded) footprint.
TILE_MIN_INSIDE = 0.8
#: Fewer counted tiles than this and the agreement is 0 (no evidence).
MIN_TILES = 6


def flip_matrix(width: int) -> np.ndarray:
    """Horizontal mirror of an image ``width`` pixels wide: x → width − 1 − x."""
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def project(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a homography to (n, 2) points; returns (n, 2) (inf where w ≈ 0)."""
    p = np.c_[points, np.ones(len(points))] @ h.T  # n 3
    w = p[:, 2:3]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(w) > 1e-12, p[:, :2] / np.where(w == 0, 1, w), np.inf)


def corners(shape: tuple[int, ...]) -> np.ndarray:
    """The four corner pixel centres of an (H, W) grid, (4, 2) as (x, y)."""
    h, w = shape[:2]
    return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], float)


def plausible(h: np.ndarray, original_shape: tuple[int, ...], leak_shape: tuple[int, ...]) -> bool:
    """Reject degenerate homographies: folded, wildly anisotropic or absurdly scaled."""
    if not np.all(np.isfinite(h)) or abs(np.linalg.det(h)) < 1e-12:
        return False
    quad = project(h, corners(original_shape))
    if not np.all(np.isfinite(quad)):
        return False
    # All corners in front of the camera and the quadrilateral convex, same orientation.
    w = np.c_[corners(original_shape), np.ones(4)] @ h[2]
    if np.any(w * w[0] <= 0):
        return False
    edges = np.roll(quad, -1, axis=0) - quad
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    if not (np.all(cross > 0) or np.all(cross < 0)):
        return False
    a = h[:2, :2] / h[2, 2]
    s = np.linalg.svd(a, compute_uv=False)
    if s[1] <= 0 or s[0] / s[1] > 4.0:
        return False
    scale = np.sqrt(s[0] * s[1])
    leak_side, orig_side = max(leak_shape[:2]), max(original_shape[:2])
    return 0.02 * leak_side / orig_side < scale < 50.0 * leak_side / orig_side


def local_scale(h: np.ndarray, original_shape: tuple[int, ...], *, at: tuple[float, float] | None = None) -> float:
    """Leak pixels per original pixel (geometric mean) at the original's point ``at`` (x, y),
    by default its centre."""
    hh, ww = original_shape[:2]
    c = np.array([[(ww - 1) / 2, (hh - 1) / 2]]) if at is None else np.array([at], float)
    pts = np.r_[c, c + [1.0, 0.0], c + [0.0, 1.0]]
    q = project(h, pts)
    jac = np.c_[q[1] - q[0], q[2] - q[0]]
    return float(np.sqrt(abs(np.linalg.det(jac))))


def blur(image: np.ndarray, sigma: float = AGREE_SIGMA) -> np.ndarray:
    """Gaussian blur, float32."""
    return cv2.GaussianBlur(image.astype(np.float32, copy=False), (0, 0), sigma)


def tile_stats(a: np.ndarray, b: np.ndarray, weight: np.ndarray, tile: int):
    """Per-tile weighted moments of two images: n, mean a, mean b, var a, var b, cov.

    Each returned array is (ty, tx), tiles of ``tile`` pixels (ragged edge dropped).
    """
    th, tw = a.shape[0] // tile, a.shape[1] // tile

    def tsum(x: np.ndarray) -> np.ndarray:
        return x[: th * tile, : tw * tile].reshape(th, tile, tw, tile).sum(axis=(1, 3))

    w = weight.astype(np.float64)
    n = tsum(w)
    nz = np.maximum(n, 1e-9)
    ma, mb = tsum(w * a) / nz, tsum(w * b) / nz
    va = np.maximum(tsum(w * a * a) / nz - ma**2, 0)
    vb = np.maximum(tsum(w * b * b) / nz - mb**2, 0)
    cov = tsum(w * a * b) / nz - ma * mb
    return n, ma, mb, va, vb, cov


def agreement(h: np.ndarray, original: np.ndarray, leak: np.ndarray, *, tiles: tuple[int, ...] = (12, 6)) -> float:
    """Image agreement of a hypothesis: median per-tile correlation of blurred images.

    The original is warped into the leak's frame; both are blurred (σ = 1.5 px) and the
    part of the leak the original covers is cut into ``n`` tiles along its longest side,
    for each ``n`` in ``tiles``. Tiles at least 90 % covered where the warped original
    varies count; per grid the median of their correlation is taken (stickers and
    captions do not pull it), and the smallest median over the grids is returned. The
    coarse grid keeps smooth content honest: small tiles of a smooth render are ramps
    that correlate under any nearby misalignment.

    Parameters
    ----------
    h : (3, 3) float64 ndarray
        Maps ``original`` (x, y) to ``leak`` (x, y).
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance.
    tiles : tuple of int
        Tiles along the footprint's longest side, one grid per entry.

    Returns
    -------
    float in [-1, 1]; 0 when a grid has fewer than ``MIN_TILES`` counted tiles (4 for
    grids of fewer than 6 tiles across).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = cv2.GaussianBlur(rng.uniform(0, 255, (120, 160)).astype(np.float32), (0, 0), 2)
    >>> round(agreement(np.eye(3), img, img), 3), agreement(np.eye(3), img, img[:, ::-1].copy()) < 0.2
    (1.0, True)
    """
    lh, lw = leak.shape
    warped = cv2.warpPerspective(original, h, (lw, lh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpPerspective(np.ones(original.shape, np.uint8), h, (lw, lh), flags=cv2.INTER_NEAREST)
    # Blurring mixes what lies beyond the footprint's edge into it (the leak's canvas, the
    # original's replicated border): on smooth content that step would dominate the edge
    # tiles' variance, so the band the blur reaches is left out.
    inside = cv2.erode(inside, np.ones((EDGE_BAND, EDGE_BAND), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    ys, xs = np.nonzero(inside)
    if len(xs) == 0:
        return 0.0
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    a, b, m = blur(warped)[y0:y1, x0:x1], blur(leak)[y0:y1, x0:x1], inside[y0:y1, x0:x1]
    result = 1.0
    for n_across in tiles:
        tile = max(6, max(a.shape) // n_across)
        n, _, _, va, vb, cov = tile_stats(a, b, m, tile)
        ok = (n >= TILE_MIN_INSIDE * tile * tile) & (va >= TILE_MIN_STD**2)
        if ok.sum() < (MIN_TILES if n_across >= 6 else 4):
            return 0.0
        corr = cov[ok] / np.sqrt(va[ok] * vb[ok] + 1e-6)
        result = min(result, float(np.median(corr)))
    return result


def tone_curve(x: np.ndarray, y: np.ndarray, bins: int = 32):
    """Monotone-enough tone curve y ≈ f(x) from samples (binned medians), as a callable.

    Examples
    --------
    >>> x = np.linspace(0, 255, 1000)
    >>> f = tone_curve(x, 0.5 * x + 10)
    >>> round(float(f(np.array([100.0]))[0]), 1)
    60.0
    """
    idx = np.clip(x * np.float32(bins / 256), 0, bins - 1).astype(np.uint8)  # bins of 256/bins levels (floor)
    order = np.argsort(idx, kind="stable")  # radix sort: samples grouped by bin in one pass
    xs, ys = x[order], y[order]
    ends = np.cumsum(np.bincount(idx, minlength=bins))
    centres, values = [], []
    for start, end in zip(np.r_[0, ends[:-1]], ends):
        if end - start >= 30:
            centres.append(float(np.median(xs[start:end])))
            values.append(float(np.median(ys[start:end])))
    if len(centres) < 2:
        shift = float(np.median(y) - np.median(x)) if len(x) else 0.0
        return lambda v: (v + shift).astype(np.float32)
    return lambda v: np.interp(v, centres, values).astype(np.float32)


def level_residual(h: np.ndarray, original: np.ndarray, leak: np.ndarray) -> float:
    """How far the leak's levels are from the tone-mapped warped original: median absolute
    residual over the footprint, relative to the tone-mapped original's spread there.

    Per-tile correlation (:func:`agreement`) is blind to where a ramp sits: a shifted ramp
    still correlates perfectly. Levels are not, so this breaks :func:`agreement`'s ties. The
    median leaves stickers and overlays under half of the footprint out. Lower is better;
    ``inf`` when the footprint is too small to say.

    Examples
    --------
    >>> yy, xx = np.mgrid[0:120, 0:160].astype(np.float32)
    >>> blob = 60 + 140 * np.exp(-((xx - 70) ** 2 + (yy - 50) ** 2) / 2000) + 0.3 * yy
    >>> shifted = np.array([[1.0, 0, 6], [0, 1, 0], [0, 0, 1]])
    >>> level_residual(np.eye(3), blob, blob) < 0.001 < 0.01 < level_residual(shifted, blob, blob)
    True
    """
    lh, lw = leak.shape
    warped = cv2.warpPerspective(original, h, (lw, lh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpPerspective(np.ones(original.shape, np.uint8), h, (lw, lh), flags=cv2.INTER_NEAREST)
    inside = cv2.erode(inside, np.ones((EDGE_BAND, EDGE_BAND), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    keep = inside.astype(bool)
    if keep.sum() < 256:
        return float("inf")
    x, y = blur(warped)[keep], blur(leak)[keep]
    predicted = tone_curve(x, y)(x)
    lo, hi = np.percentile(predicted, [10, 90])
    return float(np.median(np.abs(y - predicted)) / (hi - lo + 1.0))
