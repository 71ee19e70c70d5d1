"""Homography hypotheses from local features (SIFT, ratio test, USAC/MAGSAC).

Private to :mod:`leaktrace.core.align`.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._images import fit_side, plausible

#: Longest side (pixels) the feature detector works at on the leak, and on the original
#: (computed once per asset and cached): finer on the original so that a crop or a rotated
#: crop of a large drawing meets its lines at a comparable scale (at 600 px a 2,400-px
#: drawing's 1-px lines fade to a quarter of their contrast; measured: a 45° rotation of
#: three drawings found no hypothesis at 600, 20–39 inliers at 1,200).
FEATURE_SIDE = 600
ORIGINAL_FEATURE_SIDE = 1200
#: Sensitive SIFT settings: thin lines of drawings survive (default 0.04 / 10).
CONTRAST_THRESHOLD = 0.01
EDGE_THRESHOLD = 20
N_FEATURES = 3000
RATIO = 0.8
#: Homographies fitted in turn on the remaining matches (repeated parts of drawings), and
#: fits tried in all: a degenerate fit (matches on one line or one repeated detail) uses up
#: its matches without counting.
MAX_HYPOTHESES = 3
MAX_FITS = 6
MIN_INLIERS = 8
RANSAC_PX = 4.0
#: Descriptor rows per block of the exact matcher (memory: block × n × 4 bytes).
_MATCH_CHUNK = 1024


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
    """Ratio-test matches as (m, 2) index pairs into d1, d2: exact nearest neighbours.

    SIFT descriptors are integer-valued (0–255) with squared norms below 2**19, so every
    partial sum of the squared distances ‖a‖² + ‖b‖² − 2a·b is an integer below 2**24 and
    float32 matrix products compute them EXACTLY, in any summation order: the matches are
    those of brute-force matching, the same on every run and machine (FLANN's randomised
    trees are not), at the speed of a matrix product. Ties go to the lowest index.
    """
    if d1 is None or d2 is None or len(d1) < 2 or len(d2) < 2:
        return np.zeros((0, 2), int)
    a = np.asarray(d1, np.float32)
    b = np.asarray(d2, np.float32)
    b2 = np.einsum("ij,ij->i", b, b)  # m
    bt = np.ascontiguousarray(b.T) * np.float32(-2.0)  # 128 m (×2 is exact)
    good = []
    for start in range(0, len(a), _MATCH_CHUNK):  # bounded memory
        ac = a[start : start + _MATCH_CHUNK]
        d = ac @ bt  # c m: −2a·b
        d += b2  # ‖b‖² − 2a·b (‖a‖² is added to the two kept distances only)
        rows = np.arange(len(ac))
        best = np.argmin(d, axis=1)  # c
        first = d[rows, best].astype(np.float64)
        d[rows, best] = np.inf
        second = d.min(axis=1).astype(np.float64)
        a2 = np.einsum("ij,ij->i", ac, ac).astype(np.float64)
        # distance < RATIO · second distance, on squared (exact integer) distances
        keep = np.flatnonzero(first + a2 < RATIO * RATIO * (second + a2))
        good.append(np.c_[start + keep, best[keep]])
    return np.concatenate(good).astype(int).reshape(-1, 2)


def _hypotheses(src: np.ndarray, dst: np.ndarray, accept=lambda h: True) -> list[tuple[np.ndarray, int]]:
    """Up to MAX_HYPOTHESES homographies src → dst that ``accept`` takes, each fitted on the
    matches left over (at most MAX_FITS fits)."""
    out: list[tuple[np.ndarray, int]] = []
    keep = np.ones(len(src), bool)
    for _ in range(MAX_FITS):
        if keep.sum() < MIN_INLIERS or len(out) == MAX_HYPOTHESES:
            break
        s, d = src[keep], dst[keep]
        h, inl = cv2.findHomography(s, d, cv2.USAC_MAGSAC, RANSAC_PX, maxIters=2000, confidence=0.999)
        if h is None or inl is None or int(inl.sum()) < MIN_INLIERS:
            break
        if accept(h):
            out.append((h, int(inl.sum())))
        idx = np.flatnonzero(keep)
        keep[idx[inl.ravel().astype(bool)]] = False
    return out


#: Names what :func:`detect_original` computes; cached features of another version are
#: recomputed, never mixed with a leak's features from this one.
VERSION = f"sift-{ORIGINAL_FEATURE_SIDE}-{N_FEATURES}-{CONTRAST_THRESHOLD}-{EDGE_THRESHOLD}-u8"


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
    po, do = detect(o_small)
    return po, do, so


def feature_hypotheses(
    original: np.ndarray, leak: np.ndarray, *, original_features: tuple | None = None
) -> list[tuple[np.ndarray, bool, int]]:
    """Homography hypotheses ORIGINAL → LEAK from SIFT, the leak's mirror tried too.

    Parameters
    ----------
    original, leak : (H, W), (h, w) float32 ndarray
        Luminance at the working scale.
    original_features : tuple, optional
        :func:`detect_original` of ``original``, when already known (cached per asset).

    Returns
    -------
    list of (homography (3, 3), mirrored, inliers); mirrored ones have the flip folded in.
    """
    po, do, so = original_features if original_features is not None else detect_original(original)
    l_small, sl = fit_side(leak, FEATURE_SIDE)
    pl, dl = detect(l_small)
    out: list[tuple[np.ndarray, bool, int]] = []
    for mirrored in (False, True):
        m = _match(do, mirror_descriptors(dl) if mirrored else dl)
        if len(m) < MIN_INLIERS:
            continue
        def full(h_small: np.ndarray) -> np.ndarray:
            h = np.linalg.inv(sl) @ h_small @ so
            return h / h[2, 2]

        def accept(h_small: np.ndarray) -> bool:
            h = full(h_small)
            return plausible(h, original.shape, leak.shape) and bool(np.linalg.det(h[:2, :2]) < 0) == mirrored

        for h_small, n in _hypotheses(po[m[:, 0]], pl[m[:, 1]], accept):
            out.append((full(h_small), mirrored, n))
    return out
