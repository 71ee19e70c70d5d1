"""Homography hypotheses from local features (SIFT, ratio test, USAC/MAGSAC).

Private to :mod:`leaktrace.core.align`.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._align_images import fit_side, plausible

#: Longest side (pixels) the feature detector works at.
FEATURE_SIDE = 600
#: Sensitive SIFT settings: thin lines of drawings survive (default 0.04 / 10).
CONTRAST_THRESHOLD = 0.01
EDGE_THRESHOLD = 20
N_FEATURES = 3000
RATIO = 0.8
#: Homographies fitted in turn on the remaining matches (repeated parts of drawings).
MAX_HYPOTHESES = 3
MIN_INLIERS = 8
RANSAC_PX = 4.0


def detect(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """SIFT keypoints (n, 2) as (x, y) and descriptors (n, 128) float32 of a grey image."""
    sift = cv2.SIFT_create(N_FEATURES, 3, CONTRAST_THRESHOLD, EDGE_THRESHOLD)
    u8 = np.clip(image, 0, 255).astype(np.uint8)
    kps, desc = sift.detectAndCompute(u8, None)
    pts = np.array([k.pt for k in kps], np.float32).reshape(-1, 2)  # n 2
    return pts, desc


def mirror_descriptors(desc: np.ndarray | None) -> np.ndarray | None:
    """SIFT descriptors of the horizontally mirrored image, from the unmirrored ones.

    OpenCV lays a descriptor out as (4 rows, 4 columns, 8 orientations) in the keypoint's
    frame; a mirror reverses the rows and negates the orientation bins (checked
    empirically against SIFT run on the flipped image). Saves one SIFT run.
    """
    if desc is None:
        return None
    d = desc.reshape(-1, 4, 4, 8)[:, ::-1]  # n 4 4 8
    d = d[..., (-np.arange(8)) % 8]
    return np.ascontiguousarray(d.reshape(-1, 128))


def _match(d1: np.ndarray | None, d2: np.ndarray | None) -> np.ndarray:
    """Ratio-test matches as (m, 2) index pairs into d1, d2."""
    if d1 is None or d2 is None or len(d1) < 2 or len(d2) < 2:
        return np.zeros((0, 2), int)
    # Exact matching: FLANN's randomised trees give different matches from run to run, and
    # a finding must come out the same when it is traced again.
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(d1, d2, k=2)
    good = [(m[0].queryIdx, m[0].trainIdx) for m in pairs if len(m) == 2 and m[0].distance < RATIO * m[1].distance]
    return np.array(good, int).reshape(-1, 2)


def _hypotheses(src: np.ndarray, dst: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Up to MAX_HYPOTHESES homographies src → dst, each fitted on the matches left over."""
    out: list[tuple[np.ndarray, int]] = []
    keep = np.ones(len(src), bool)
    for _ in range(MAX_HYPOTHESES):
        if keep.sum() < MIN_INLIERS:
            break
        s, d = src[keep], dst[keep]
        h, inl = cv2.findHomography(s, d, cv2.USAC_MAGSAC, RANSAC_PX, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            break
        out.append((h, int(inl.sum())))
        idx = np.flatnonzero(keep)
        keep[idx[inl.ravel().astype(bool)]] = False
    return out


def feature_hypotheses(original: np.ndarray, leak: np.ndarray) -> list[tuple[np.ndarray, bool, int]]:
    """Homography hypotheses ORIGINAL → LEAK from SIFT, the leak's mirror tried too.

    Parameters
    ----------
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance at the working scale.

    Returns
    -------
    list of (homography (3, 3), mirrored, inliers); mirrored ones have the flip folded in.
    """
    o_small, so = fit_side(original, FEATURE_SIDE)
    l_small, sl = fit_side(leak, FEATURE_SIDE)
    po, do = detect(o_small)
    pl, dl = detect(l_small)
    out: list[tuple[np.ndarray, bool, int]] = []
    for mirrored in (False, True):
        m = _match(do, mirror_descriptors(dl) if mirrored else dl)
        if len(m) < MIN_INLIERS:
            continue
        for h_small, n in _hypotheses(po[m[:, 0]], pl[m[:, 1]]):
            h = np.linalg.inv(sl) @ h_small @ so
            h = h / h[2, 2]
            if plausible(h, original.shape, leak.shape) and (np.linalg.det(h[:2, :2]) < 0) == mirrored:
                out.append((h, mirrored, n))
    return out
