"""Resample a leak onto its original's grid, and find where it agrees with it.

Private to :mod:`leaktrace.core.align` (which re-exports ``warp_leak`` and ``valid_mask``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..views import LeakView, OriginalView, describe_leak, describe_original
from ._images import blur, fit_side, local_scale, resize_to, scale_matrix, tile_stats, tone_curve


def warp_leak(leak: np.ndarray, homography: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Resample the leak onto the original's grid.

    Parameters
    ----------
    leak : (h, w) or (h, w, 3) uint8 ndarray
    homography : (3, 3) float64 ndarray
        ORIGINAL (x, y) → LEAK (x, y), as in :class:`~leaktrace.records.Alignment`.
    shape : (H, W)
        The original's shape.

    Returns
    -------
    warped : (H, W) or (H, W, 3) float32 ndarray, luminance levels
        Bilinear resampling; a leak much larger than the original is area-shrunk first.
    covered : (H, W) bool ndarray
        Pixels that map inside the leak, eroded by 2 px.

    Examples
    --------
    >>> leak = np.arange(64, dtype=np.uint8).reshape(8, 8)
    >>> warped, covered = warp_leak(leak, np.eye(3), (8, 8))
    >>> bool(np.allclose(warped, leak)), int(covered.sum())
    (True, 16)
    """
    hh, ww = shape[:2]
    h = np.asarray(homography, float)
    src = leak
    s = local_scale(h, (hh, ww))
    if s > 1.5:  # leak sampled finer than the original: prefilter instead of aliasing
        src, m = resize_to(leak, 1.0 / s)
        h = m @ h
    warped = cv2.warpPerspective(src.astype(np.float32), h, (ww, hh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT)
    return warped, _inside(src.shape[:2], h, (hh, ww))


def footprint(leak_shape: tuple[int, ...], homography: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``warp_leak(leak, homography, shape)[1]`` from the leak's shape alone (no pixels resampled)."""
    hh, ww = shape[:2]
    h = np.asarray(homography, float)
    lh, lw = leak_shape[:2]
    s = local_scale(h, (hh, ww))
    if s > 1.5:  # as warp_leak: the same shrunk grid, whose coverage needs no pixels
        nw, nh = max(1, round(lw / s)), max(1, round(lh / s))
        if (nw, nh) != (lw, lh):
            h = scale_matrix(nw / lw, nh / lh) @ h
            lh, lw = nh, nw
    return _inside((lh, lw), h, (hh, ww))


def _inside(src_shape: tuple[int, int], h: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of the (H, W) grid that ``h`` maps inside a ``src_shape`` image, eroded by 2 px."""
    hh, ww = shape
    inside = cv2.warpPerspective(np.ones(src_shape, np.uint8), h, (ww, hh), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    # Pixels within 1 px of the leak's border are interpolated against the black border.
    inside = cv2.copyMakeBorder(inside, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    return cv2.erode(inside, np.ones((5, 5), np.uint8))[1:-1, 1:-1].astype(bool)


#: valid_mask: tile side (pixels at ≤ MASK_SIDE), correlation a textured tile needs,
#: and the abs-difference (levels, after the photometric fit) beyond which pixels fail.
MASK_SIDE = 512
MASK_TILE = 16
MASK_MIN_CORR = 0.5
MASK_FLAT_DIFF = 10.0
MASK_PIXEL_DIFF = 48.0
#: The valid region is kept on the original's frame shrunk to this longest side (pixels;
#: smaller originals at their own size): its tiles are decided at ``MASK_SIDE`` anyway, and
#: detection redraws the footprint's edge exactly at its own resolution.
VALID_SIDE = 1024


def valid_grid(shape: tuple[int, int]) -> tuple[tuple[int, int], np.ndarray]:
    """Shape of the valid region's grid for an original of ``shape``, and the matrix
    mapping the original's (x, y) to it.

    Examples
    --------
    >>> valid_grid((2000, 3000))[0], valid_grid((300, 400))[0]
    ((683, 1024), (300, 400))
    """
    hh, ww = int(shape[0]), int(shape[1])
    f = min(1.0, VALID_SIDE / max(hh, ww))
    vw, vh = max(1, round(ww * f)), max(1, round(hh * f))
    return (vh, vw), scale_matrix(vw / ww, vh / hh)


def valid_mask(leak: np.ndarray | LeakView, original: np.ndarray | OriginalView, homography: np.ndarray) -> np.ndarray:
    """Pixels of the original the leak covers AND where it locally agrees with it.

    Excludes padding, UI bars, stickers and captions: per 16-px tile (at ≤ 512 px),
    a textured tile needs blurred correlation ≥ ``MASK_MIN_CORR``; a flat one needs the
    leak flat too and within ``MASK_FLAT_DIFF`` levels of the tone-mapped original; any
    pixel off by more than ``MASK_PIXEL_DIFF`` levels is dropped (dilated 3 px).

    Parameters
    ----------
    leak : (h, w) or (h, w, 3) uint8 ndarray, or LeakView
    original : (H, W) or (H, W, 3) uint8 ndarray, or OriginalView
    homography : (3, 3) float64 ndarray, ORIGINAL → LEAK (full-size pixels)

    Returns
    -------
    (H', W') bool ndarray
        On the original's frame at :func:`valid_grid` (the full size up to ``VALID_SIDE``).

    Examples
    --------
    >>> img = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    >>> bool(valid_mask(img, img, np.eye(3)).mean() > 0.8)
    True
    """
    lv = describe_leak(leak)
    ov = describe_original(original, levels=False)
    h = np.asarray(homography, float)
    good, mo = agreeing(ov.work, lv.luma, h @ np.linalg.inv(ov.work_matrix))
    (vh, vw), mv = valid_grid(ov.shape)
    to_good = mo @ ov.work_matrix @ np.linalg.inv(mv)  # valid grid → good's grid
    grid = cv2.warpPerspective(good.astype(np.uint8), to_good, (vw, vh), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    return grid.astype(bool) & footprint(lv.shape, h @ np.linalg.inv(mv), (vh, vw))


def valid_in_frame(
    valid: np.ndarray,
    original_shape: tuple[int, int],
    frame_matrix: np.ndarray,
    frame_shape: tuple[int, int],
    leak_shape: tuple[int, int],
    homography: np.ndarray,
) -> np.ndarray:
    """A valid region (on its grid, :func:`valid_mask`) redrawn on a frame of the original.

    The region's tiles are carried over (nearest neighbour) and the footprint's edge is
    drawn again at the frame's own resolution, as :func:`warp_leak` covers it.

    Parameters
    ----------
    valid : (H', W') bool ndarray, on the original's frame at any resolution
    original_shape : (H, W)
    frame_matrix : (3, 3) the original's (x, y) → the frame's (x, y)
    frame_shape : (h, w)
    leak_shape : the leak's (h, w)
    homography : (3, 3) ORIGINAL → LEAK, full-size pixels

    Returns
    -------
    (h, w) bool ndarray
    """
    vh, vw = valid.shape[:2]
    hh, ww = original_shape
    to_valid = scale_matrix(vw / ww, vh / hh) @ np.linalg.inv(frame_matrix)  # frame → valid grid
    fh, fw = frame_shape
    carried = cv2.warpPerspective(np.asarray(valid, np.uint8), to_valid, (fw, fh), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    return carried.astype(bool) & footprint(leak_shape, np.asarray(homography, float) @ np.linalg.inv(frame_matrix), (fh, fw))


def shrunk(original: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The original as :func:`agreeing` compares it: shrunk to ≤ MASK_SIDE, its matrix, blurred
    (computed once per registration, not once per hypothesis)."""
    o, mo = fit_side(original, MASK_SIDE)
    return o, mo, blur(o)


def agreeing(
    original: np.ndarray, leak: np.ndarray, h: np.ndarray, *, small: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Agreeing pixels on the original's grid shrunk to ≤ MASK_SIDE.

    Parameters
    ----------
    original, leak : float32 luminance ndarrays
    h : (3, 3) ORIGINAL → LEAK
    small : :func:`shrunk` of ``original``, when already known

    Returns
    -------
    good : (h', w') bool ndarray
    matrix : (3, 3) ndarray mapping the original's (x, y) to ``good``'s grid.
    """
    o, mo, ob = shrunk(original) if small is None else small
    lw, cov = warp_leak(leak, h @ np.linalg.inv(mo), o.shape)
    lb = blur(lw)
    if cov.sum() < 64:
        return np.zeros(o.shape, bool), mo
    pred = tone_curve(ob[cov], lb[cov])(ob)  # h w
    diff = np.abs(lb - pred)
    t = MASK_TILE
    pad = ((0, -o.shape[0] % t), (0, -o.shape[1] % t))
    obp, lbp, covp, diffp = (np.pad(a, pad) for a in (ob, lb, cov, diff))
    n, _, _, va, vb, cv = tile_stats(obp, lbp, covp, t)
    corr = cv / np.sqrt(va * vb + 1e-6)
    _, md, _, _, _, _ = tile_stats(diffp, diffp, covp, t)
    textured = va >= 4.0**2
    ok = (n >= 0.5 * t * t) & np.where(textured, corr >= MASK_MIN_CORR, (md <= MASK_FLAT_DIFF) & (vb <= 8.0**2))
    tiles = np.kron(ok, np.ones((t, t), bool))[: o.shape[0], : o.shape[1]]
    bad = cv2.dilate(((diff > MASK_PIXEL_DIFF) & cov).astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    return tiles & ~bad & cov, mo
