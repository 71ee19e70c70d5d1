"""Coarse-to-fine ECC refinement of a homography hypothesis.

Private to :mod:`leaktrace.core.align`. The original is the ECC template (cropped to the
leak's footprint and brought to the leak's resolution, the "common scale"), the leak is
the input image; ECC's warp is then exactly our ORIGINAL → LEAK homography.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._images import corners, local_scale, plausible, project, resize_to, translate_matrix

#: Coarsest pyramid level (longest side of the template, pixels).
COARSE_SIDE = 160
#: Gaussian window (pixels) ECC smooths both images with.
ECC_BLUR = 5


def _footprint_crop(h: np.ndarray, original_shape, leak_shape, margin: float = 0.06):
    """Bounding box (x0, y0, x1, y1) in the original of where the leak lands, or None."""
    q = project(np.linalg.inv(h), corners(leak_shape))
    if not np.all(np.isfinite(q)):
        return None
    oh, ow = original_shape[:2]
    lo, hi = q.min(0), q.max(0)
    pad = margin * (hi - lo) + 4
    x0, y0 = np.maximum(np.floor(lo - pad), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(hi + pad) + 1, [ow, oh]).astype(int)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return x0, y0, x1, y1


def _ecc(template, image, warp, motion, iterations, eps, weight=None):
    """One ECC run; the template is masked to where ``warp`` lands inside the image.

    (Without an explicit template mask, OpenCV's ECC lets template pixels that map
    outside the input pull the fit: it drifted by tens of pixels on smooth renders.)
    """
    h3 = warp if warp.shape[0] == 3 else np.r_[warp, [[0.0, 0.0, 1.0]]]
    inside = cv2.warpPerspective(np.ones(image.shape, np.uint8), h3, template.shape[::-1], flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    r = max(3, round(0.03 * max(template.shape)))
    # erode from the image edges too (OpenCV's default border never erodes)
    tmask = cv2.erode(inside, np.ones((2 * r + 1, 2 * r + 1), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    if weight is not None:
        tmask = tmask & weight
    if tmask.sum() < 64:
        raise cv2.error("footprint too small")
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, eps)
    imask = np.ones(image.shape, np.uint8)
    _, w = cv2.findTransformECCWithMask(template, image, tmask, imask, warp.astype(np.float32), motion, crit, ECC_BLUR)
    return w.astype(np.float64)


def _is_affine(h: np.ndarray, shape) -> bool:
    """True when the perspective part moves no corner by more than ~1 % of the scale."""
    w = np.c_[corners(shape), np.ones(4)] @ h[2]
    return bool(np.all(np.abs(w / h[2, 2] - 1) < 0.01))


def refine(
    h: np.ndarray,
    original: np.ndarray,
    leak: np.ndarray,
    *,
    max_side: int,
    iterations: int = 40,
    eps: float = 1e-6,
    coarse_side: int = COARSE_SIDE,
    weight: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Refine ``h`` (ORIGINAL → LEAK) by ECC, coarse to fine.

    Parameters
    ----------
    h : (3, 3) float64 ndarray
        Starting homography, original (x, y) → leak (x, y).
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance.
    max_side : int, pixels
        Longest side of the template at the finest level (caps the cost).
    iterations : int
        ECC iterations per level above the coarsest (which gets 60).
    eps : float
        ECC stops when the correlation gains less than this at the finest level
        (10× looser above it).
    coarse_side : int, pixels
        The pyramid starts where the template's longest side is about this (a hypothesis
        already refined at low resolution can start higher).
    weight : ((h', w') bool ndarray, (3, 3) ndarray) or None
        Where the original may be used (e.g. where it agrees with the leak: stickers,
        captions and overlays left out), on its own grid, with the matrix mapping the
        original's (x, y) to that grid.

    Returns
    -------
    (3, 3) float64 ndarray
        The refined homography; ``h`` itself when ECC diverges or the result is implausible.
    """
    box = _footprint_crop(h, original.shape, leak.shape)
    if box is None:
        return h
    x0, y0, x1, y1 = box
    crop = original[y0:y1, x0:x1]
    shift = translate_matrix(x0, y0)  # crop → original
    s = local_scale(h, original.shape)
    c = min(1.0, s, max_side / max(crop.shape))  # original px → template px
    tmpl, mt = resize_to(crop, c)
    img, ml = resize_to(leak, min(1.0, c / s))  # leak px → input px
    hc = ml @ h @ shift @ np.linalg.inv(mt)  # template → input
    levels = max(0, int(np.floor(np.log2(max(tmpl.shape) / coarse_side))))
    affine_first = _is_affine(hc, tmpl.shape)
    current = hc / hc[2, 2]
    for k in range(levels, -1, -1):
        f = 0.5**k
        t_k, mtk = resize_to(tmpl, f)
        i_k, mik = resize_to(img, f)
        hk = mik @ current @ np.linalg.inv(mtk)
        hk = hk / hk[2, 2]
        coarsest = k == levels
        wk = None
        if weight is not None:
            to_mask = weight[1] @ shift @ np.linalg.inv(mtk @ mt)  # template level → mask grid
            wk = cv2.warpPerspective(weight[0].astype(np.uint8), to_mask, t_k.shape[::-1], flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
        try:
            if affine_first and coarsest:
                a = _ecc(t_k, i_k, hk[:2], cv2.MOTION_AFFINE, 60, 10 * eps, wk)
                hk = np.r_[a, [[0.0, 0.0, 1.0]]]
            its = 60 if coarsest else iterations
            hk = _ecc(t_k, i_k, hk, cv2.MOTION_HOMOGRAPHY, its, eps if k == 0 else 10 * eps, wk)
        except cv2.error:
            return h
        hk = hk / hk[2, 2]
        current = np.linalg.inv(mik) @ hk @ mtk
    out = np.linalg.inv(ml) @ current @ mt @ np.linalg.inv(shift)
    out = out / out[2, 2]
    return out if plausible(out, original.shape, leak.shape) else h
