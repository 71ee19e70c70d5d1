"""Homography hypotheses from local features (SIFT, ratio test, USAC/MAGSAC).

Private to :mod:`leaktrace.core.align`.
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import features as feature_stack
from ._images import fit_side, flip_matrix, plausible

#: Longest side (pixels) the original's features are computed at (once per asset, cached):
#: fine enough that a crop or a rotated crop of a large drawing meets its lines at a
#: comparable scale (at 600 px a 2,400-px drawing's 1-px lines fade to a quarter of their
#: contrast; measured: a 45° rotation of three drawings found no hypothesis at 600, 20–39
#: inliers at 1,200). The leak's features are the leak view's, shared with the asset search
#: (:data:`leaktrace.core.features.SEARCH`).
ORIGINAL_FEATURE_SIDE = 1200
#: Sensitive SIFT settings for the original: thin lines of drawings survive (default 0.04 / 10).
ORIGINAL = feature_stack.Settings(max_side=10**6, min_side=0, max_features=3000, contrast=0.01, edge=20.0)
RATIO = 0.8
#: Homographies fitted in turn on the remaining matches (repeated parts of drawings), and
#: fits tried in all: a degenerate fit (matches on one line or one repeated detail) uses up
#: its matches without counting.
MAX_HYPOTHESES = 3
MAX_FITS = 6
MIN_INLIERS = 8
#: RANSAC's reprojection threshold, pixels at the leak's feature scale.
RANSAC_PX = 4.0


def _hypotheses(src: np.ndarray, dst: np.ndarray, threshold: float, accept=lambda h: True) -> list[tuple[np.ndarray, int]]:
    """Up to MAX_HYPOTHESES homographies src → dst that ``accept`` takes, each fitted on the
    matches left over (at most MAX_FITS fits)."""
    out: list[tuple[np.ndarray, int]] = []
    keep = np.ones(len(src), bool)
    for _ in range(MAX_FITS):
        if keep.sum() < MIN_INLIERS or len(out) == MAX_HYPOTHESES:
            break
        s, d = src[keep], dst[keep]
        h, inl = cv2.findHomography(s, d, cv2.USAC_MAGSAC, threshold, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            break
        if accept(h):
            out.append((h, int(inl.sum())))
        idx = np.flatnonzero(keep)
        keep[idx[inl.ravel().astype(bool)]] = False
    return out


#: Names what :func:`detect_original` computes; cached features of another version are
#: recomputed, never mixed with a leak's features from this one.
VERSION = f"sift-{ORIGINAL_FEATURE_SIDE}-{ORIGINAL.max_features}-{ORIGINAL.contrast}-{ORIGINAL.edge:g}-u8"


def detect_original(original: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The original's side of :func:`feature_hypotheses`, computable once per asset.

    Parameters
    ----------
    original : (H, W) float32 ndarray
        Luminance at the working scale.

    Returns
    -------
    points : (n, 2) float32, (x, y) at the feature scale
    descriptors : (n, 128) float32 (integer-valued) or None
    matrix : (3, 3) float64, ``original`` (x, y) → feature scale (x, y)
    """
    o_small, so = fit_side(original, ORIGINAL_FEATURE_SIDE)
    f = feature_stack.extract(o_small, ORIGINAL)
    return f.keypoints, (f.descriptors.astype(np.float32) if len(f) else None), so


def _feature_scale(features: feature_stack.Features, settings: feature_stack.Settings) -> float:
    """Feature-scale pixels per pixel of the image ``features`` were extracted from."""
    return min(1.0, settings.max_side / max(features.shape))


def feature_hypotheses(
    original: np.ndarray,
    leak: feature_stack.Features,
    leak_matrix: np.ndarray,
    *,
    original_features: tuple | None = None,
    leak_settings: feature_stack.Settings = feature_stack.SEARCH,
) -> list[tuple[np.ndarray, bool, int]]:
    """Homography hypotheses ORIGINAL → LEAK from SIFT, the leak's mirror tried too.

    Parameters
    ----------
    original : (H, W) float32 ndarray
        The original's luminance at the working scale.
    leak : Features
        The leak's features (the leak view's), in the leak's full-size pixels.
    leak_matrix : (3, 3) ndarray
        The leak's full-size (x, y) → its working scale (x, y).
    original_features : tuple, optional
        :func:`detect_original` of ``original``, when already known (cached per asset).
    leak_settings : Settings
        What ``leak`` was extracted with (fixes the feature scale RANSAC works at).

    Returns
    -------
    list of (homography (3, 3) working scale → working scale, mirrored, inliers); mirrored
    ones have the flip folded in.
    """
    po, do, so = original_features if original_features is not None else detect_original(original)
    working_shape = (round(leak.shape[0] * leak_matrix[1, 1]), round(leak.shape[1] * leak_matrix[0, 0]))
    threshold = RANSAC_PX / _feature_scale(leak, leak_settings)  # leak pixels
    pl = leak.keypoints.astype(np.float64)
    dl = leak.descriptors.astype(np.float32) if len(leak) else None
    out: list[tuple[np.ndarray, bool, int]] = []
    flipped = pl.copy()
    flipped[:, 0] = leak.shape[1] - 1 - flipped[:, 0]
    for mirrored in (False, True):
        query = None if dl is None else (dl[:, feature_stack.MIRROR_PERMUTATION] if mirrored else dl)
        m = feature_stack.match(do, query, ratio=RATIO)
        if len(m) < MIN_INLIERS:
            continue
        # USAC refuses orientation-reversing samples: a mirror is fitted on the leak's points
        # flipped back, and the flip folded in after.
        unflip = flip_matrix(leak.shape[1]) if mirrored else np.eye(3)

        def full(h_small: np.ndarray, unflip=unflip) -> np.ndarray:
            h = leak_matrix @ unflip @ h_small @ so
            return h / h[2, 2]

        def accept(h_small: np.ndarray, full=full, mirrored=mirrored) -> bool:
            h = full(h_small)
            return plausible(h, original.shape, working_shape) and bool(np.linalg.det(h[:2, :2]) < 0) == mirrored

        for h_small, n in _hypotheses(po[m[:, 0]], (flipped if mirrored else pl)[m[:, 1]], threshold, accept):
            out.append((full(h_small), mirrored, n))
    return out
