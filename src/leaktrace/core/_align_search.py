"""Feature-free hypotheses: multi-scale template search on small images.

Private to :mod:`leaktrace.core.align`. Used when features are weak (smooth renders,
gradients): the original (and its mirror) is searched over a range of scales inside
the leak (screenshots, documents, resizes), and the leak inside the original (crops).
Everything runs at ``SEARCH_SIDE`` pixels, so it costs tens of milliseconds.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._align_images import blur, fit_side, flip_matrix, plausible, scale_matrix

SEARCH_SIDE = 256
#: Original width as a fraction of the leak's width (original inside the leak).
INSIDE_SCALES = np.geomspace(0.15, 1.0, 17)
#: Leak width as a fraction of the original's width (leak inside the original).
CROP_SCALES = np.geomspace(0.2, 1.0, 15)
MIN_TEMPLATE = 12
KEEP = 4


def _translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1.0]])


def _best(image: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int]]:
    res = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    res = np.nan_to_num(res, nan=-1.0, posinf=-1.0, neginf=-1.0)
    _, peak, _, loc = cv2.minMaxLoc(res)
    return float(peak), loc


def search_hypotheses(original: np.ndarray, leak: np.ndarray) -> list[tuple[np.ndarray, bool, float]]:
    """Similarity hypotheses ORIGINAL → LEAK from a multi-scale template search.

    Parameters
    ----------
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance.

    Returns
    -------
    list of (homography (3, 3), mirrored, peak correlation), best first, at most ``KEEP``.
    """
    oc, so = fit_side(original, SEARCH_SIDE)
    lc, sl = fit_side(leak, SEARCH_SIDE)
    oc, lc = blur(oc, 1.0), blur(lc, 1.0)
    (oh, ow), (lh, lw) = oc.shape, lc.shape
    found: list[tuple[float, np.ndarray, bool]] = []
    # The original (scaled) inside the leak: template = original.
    for r in INSIDE_SCALES:
        tw = r * lw
        th = tw * oh / ow
        if th > lh:
            tw, th = tw * lh / th, lh
        tw, th = int(round(tw)), int(round(th))
        if min(tw, th) < MIN_TEMPLATE:
            continue
        t = cv2.resize(oc, (tw, th), interpolation=cv2.INTER_AREA)
        st = scale_matrix(tw / ow, th / oh)  # oc → template
        for mirrored in (False, True):
            tm = np.ascontiguousarray(t[:, ::-1]) if mirrored else t
            peak, (x, y) = _best(lc, tm)
            h = _translate(x, y) @ (flip_matrix(tw) if mirrored else np.eye(3)) @ st
            found.append((peak, np.linalg.inv(sl) @ h @ so, mirrored))
    # The leak (scaled) inside the original: template = leak.
    for f in CROP_SCALES:
        tw = f * ow
        th = tw * lh / lw
        if th > oh:
            tw, th = tw * oh / th, oh
        tw, th = int(round(tw)), int(round(th))
        if min(tw, th) < MIN_TEMPLATE:
            continue
        t = cv2.resize(lc, (tw, th), interpolation=cv2.INTER_AREA)
        st = scale_matrix(tw / lw, th / lh)  # lc → template
        for mirrored in (False, True):
            tm = np.ascontiguousarray(t[:, ::-1]) if mirrored else t
            peak, (x, y) = _best(oc, tm)
            g = _translate(x, y) @ (flip_matrix(tw) if mirrored else np.eye(3)) @ st  # lc → oc
            h = np.linalg.inv(sl) @ np.linalg.inv(g) @ so
            found.append((peak, h, mirrored))
    found.sort(key=lambda item: -item[0])
    out: list[tuple[np.ndarray, bool, float]] = []
    for peak, h, mirrored in found:
        h = h / h[2, 2]
        if not plausible(h, original.shape, leak.shape):
            continue
        if any(m == mirrored and np.allclose(h, g, rtol=0.05, atol=0.05 * max(leak.shape)) for g, m, _ in out):
            continue
        out.append((h, mirrored, peak))
        if len(out) == KEEP:
            break
    return out
