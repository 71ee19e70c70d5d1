"""Feature-free hypotheses: multi-scale template search on small images.

Private to :mod:`leaktrace.core.align`. Used when features are weak (smooth renders,
gradients): the original (and its mirror) is searched over a range of scales inside
the leak (screenshots, documents, resizes), and the leak inside the original (crops);
and the picture's frame, an axis-aligned rectangle of the original's aspect ratio, is
looked for in the leak (a screenshot or a page shows the picture's edges even when an
overlay covers part of it and its content is too smooth to match).
Everything runs at ``SEARCH_SIDE`` pixels, so it costs tens of milliseconds.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._images import blur, fit_side, flip_matrix, plausible, scale_matrix, translate_matrix

SEARCH_SIDE = 256
#: Original width as a fraction of the leak's width (original inside the leak).
INSIDE_SCALES = np.geomspace(0.15, 1.0, 17)
#: Leak width as a fraction of the original's width (leak inside the original).
CROP_SCALES = np.geomspace(0.2, 1.0, 15)
MIN_TEMPLATE = 12
KEEP = 4
#: Rotations (degrees) tried by rotated_hypotheses, both signs (a leak cut from a rotated
#: copy); the ECC refinement takes it the rest of the way (±2.5° measured to converge).
ROTATIONS = np.arange(5.0, 50.0, 5.0)
#: Leak width as a fraction of the original's width, for rotated crops.
ROTATED_CROP_SCALES = np.geomspace(0.25, 1.0, 9)
#: frame_hypotheses: side at which edges are traced, the least area of a frame (fraction of
#: the leak), the aspect-ratio tolerance, and the fraction of a frame's perimeter that
#: must lie on edges.
FRAME_SIDE = 768
FRAME_MIN_AREA = 0.04
FRAME_ASPECT_TOL = 0.03
FRAME_MIN_EDGE = 0.7
FRAME_KEEP = 3


def _best(image: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int]]:
    res = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    res = np.nan_to_num(res, nan=-1.0, posinf=-1.0, neginf=-1.0)
    _, peak, _, loc = cv2.minMaxLoc(res)
    return float(peak), loc


def _search_images(original: np.ndarray, leak: np.ndarray):
    """Both images at ``SEARCH_SIDE``, lightly blurred, with their resize matrices."""
    oc, so = fit_side(original, SEARCH_SIDE)
    lc, sl = fit_side(leak, SEARCH_SIDE)
    return blur(oc, 1.0), so, blur(lc, 1.0), sl


def _distinct_best(found, original_shape, leak_shape) -> list[tuple[np.ndarray, bool, float]]:
    """The ``KEEP`` best plausible (peak, homography, mirrored) of ``found``, near-duplicates dropped."""
    found.sort(key=lambda item: -item[0])
    out: list[tuple[np.ndarray, bool, float]] = []
    for peak, h, mirrored in found:
        h = h / h[2, 2]
        if not plausible(h, original_shape, leak_shape):
            continue
        if any(m == mirrored and np.allclose(h, g, rtol=0.05, atol=0.05 * max(leak_shape)) for g, m, _ in out):
            continue
        out.append((h, mirrored, peak))
        if len(out) == KEEP:
            break
    return out


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
    oc, so, lc, sl = _search_images(original, leak)
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
            h = translate_matrix(x, y) @ (flip_matrix(tw) if mirrored else np.eye(3)) @ st
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
            g = translate_matrix(x, y) @ (flip_matrix(tw) if mirrored else np.eye(3)) @ st  # lc → oc
            h = np.linalg.inv(sl) @ np.linalg.inv(g) @ so
            found.append((peak, h, mirrored))
    return _distinct_best(found, original.shape, leak.shape)


def _step(band: np.ndarray, near: int, axis: int) -> int:
    """The c within 2 px of ``near`` where ``band`` changes most between index c and c + 1 along ``axis``."""
    n = band.shape[axis]
    cs = [c for c in range(near - 2, near + 2) if 0 <= c < n - 1]
    if not cs:
        return near
    return max(cs, key=lambda c: float(np.abs(np.take(band, c + 1, axis) - np.take(band, c, axis)).sum()))


def _edge_support(edges: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> float:
    """Fraction of the rectangle's perimeter (inclusive pixel box) lying on an edge (±1 px)."""
    e = cv2.dilate(edges, np.ones((3, 3), np.uint8)) > 0
    sides = [e[y0, x0 : x1 + 1], e[y1, x0 : x1 + 1], e[y0 : y1 + 1, x0], e[y0 : y1 + 1, x1]]
    return float(sum(int(side.sum()) for side in sides)) / float(sum(side.size for side in sides))


def frame_hypotheses(original: np.ndarray, leak: np.ndarray) -> list[tuple[np.ndarray, bool, float]]:
    """Scale-and-shift hypotheses ORIGINAL → LEAK from rectangles in the leak shaped like the original.

    A picture shown in a screenshot or on a document page keeps its edges; an axis-aligned
    rectangle of the original's aspect ratio there is a hypothesis, plain and mirrored (the
    image agreement decides). Nothing is returned when the leak is the picture itself.

    Parameters
    ----------
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance.

    Returns
    -------
    list of (homography (3, 3), mirrored, edge support in [0, 1]), best first, at most
    ``2 * FRAME_KEEP``.

    Examples
    --------
    >>> yy, xx = np.mgrid[0:90, 0:120].astype(np.float32)
    >>> original = 80 + xx + 0.5 * yy
    >>> leak = np.full((300, 400), 240, np.float32)
    >>> leak[50:140, 100:220] = original
    >>> h, mirrored, _ = frame_hypotheses(original, leak)[0]
    >>> np.round(h[:2], 2).tolist(), mirrored
    ([[1.0, 0.0, 100.0], [0.0, 1.0, 50.0]], False)
    """
    lc, sl = fit_side(leak, FRAME_SIDE)
    lh, lw = lc.shape
    oh, ow = original.shape
    aspect = ow / oh
    edges = cv2.Canny(np.clip(lc, 0, 255).astype(np.uint8), 20, 60)
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, tuple[int, int, int, int]]] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w * h < FRAME_MIN_AREA * lw * lh or (w >= lw - 2 and h >= lh - 2):
            continue
        # The box's sides sit where the step is steepest (between pixel c and c + 1),
        # a pixel or two from where Canny marked them.
        rows, cols = slice(y + 2, y + h - 2), slice(x + 2, x + w - 2)
        x0 = _step(lc[rows], x, axis=1) + 1
        x1 = _step(lc[rows], x + w - 1, axis=1)
        y0 = _step(lc[:, cols], y, axis=0) + 1
        y1 = _step(lc[:, cols], y + h - 1, axis=0)
        if x1 <= x0 or y1 <= y0 or abs(((x1 - x0 + 1) / (y1 - y0 + 1)) / aspect - 1) > FRAME_ASPECT_TOL:
            continue
        support = _edge_support(edges, x0, y0, x1, y1)
        if support >= FRAME_MIN_EDGE:
            found.append((support, (x0, y0, x1, y1)))
    found.sort(key=lambda item: -item[0])
    out: list[tuple[np.ndarray, bool, float]] = []
    boxes: list[tuple[int, int, int, int]] = []
    for support, box in found:
        if any(max(abs(a - b) for a, b in zip(box, kept)) <= 3 for kept in boxes):
            continue
        boxes.append(box)
        x0, y0, x1, y1 = box
        # pixel box [x0, x1] holds the original's [-0.5, ow - 0.5] edge to edge
        sx, sy = (x1 - x0 + 1) / ow, (y1 - y0 + 1) / oh
        g = translate_matrix(x0 - 0.5 + 0.5 * sx, y0 - 0.5 + 0.5 * sy) @ np.diag([sx, sy, 1.0])
        h = np.linalg.inv(sl) @ g
        out.append((h / h[2, 2], False, support))
        out.append((h @ flip_matrix(ow) / (h @ flip_matrix(ow))[2, 2], True, support))
        if len(boxes) == FRAME_KEEP:
            break
    return out


def rotated_hypotheses(original: np.ndarray, leak: np.ndarray) -> list[tuple[np.ndarray, bool, float]]:
    """Similarity hypotheses ORIGINAL → LEAK for a leak cut from a rotated copy of the original.

    The original (and its mirror) is rotated by each of ``±ROTATIONS`` at ``SEARCH_SIDE``
    and the leak, at each of ``ROTATED_CROP_SCALES``, is searched inside it: features find
    rotated crops of photos and drawings, this finds those of smooth renders.

    Parameters and returns as :func:`search_hypotheses`.
    """
    oc, so, lc, sl = _search_images(original, leak)
    (oh, ow), (lh, lw) = oc.shape, lc.shape
    found: list[tuple[float, np.ndarray, bool]] = []
    for mirrored in (False, True):
        base = np.ascontiguousarray(oc[:, ::-1]) if mirrored else oc
        fm = flip_matrix(ow) if mirrored else np.eye(3)
        for angle in np.r_[ROTATIONS, -ROTATIONS]:
            r = np.r_[cv2.getRotationMatrix2D(((ow - 1) / 2, (oh - 1) / 2), float(angle), 1.0), [[0, 0, 1]]]
            rotated = cv2.warpAffine(base, r[:2], (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
            for f in ROTATED_CROP_SCALES:
                tw, th = int(round(f * ow)), int(round(f * ow * lh / lw))
                if th > oh or min(tw, th) < MIN_TEMPLATE:
                    continue
                t = cv2.resize(lc, (tw, th), interpolation=cv2.INTER_AREA)
                peak, (x, y) = _best(rotated, t)
                g = translate_matrix(x, y) @ scale_matrix(tw / lw, th / lh)  # lc → rotated
                h = np.linalg.inv(sl) @ np.linalg.inv(g) @ r @ fm @ so
                found.append((peak, h, mirrored))
    return _distinct_best(found, original.shape, leak.shape)
