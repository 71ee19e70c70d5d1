"""Geometric verification: do a query's features sit on a candidate asset by one homography?

Ratio-test matching (:func:`leaktrace.core.features.match`: exact, one query point per candidate point), a USAC MAGSAC++
homography, and sanity checks (orientation, scale, anisotropy, convex outline) tried on
the query and on its mirror. The answer is a :class:`Match`; the caller decides which
inlier count and coverage are enough.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from leaktrace.core import features
from leaktrace.errors import BadInput
from leaktrace.index.descriptors import Features, mirror
from leaktrace.index.hashes import HASH_BYTES

__all__ = ["NO_MATCH", "Match", "checked_entry", "hash_match", "verify"]

_MIN_CORRESPONDENCES = 8  # below this, no homography is attempted
_MIN_SCALE, _MAX_SCALE = 1 / 25, 25.0  # query pixels per candidate pixel
_MAX_ANISOTROPY = 4.0  # ratio of the singular values of the local affine part
_GRID = 64  # coverage is measured on a GRID x GRID lattice of candidate pixels


@dataclass(frozen=True, eq=False)
class Match:
    """How a query sits on one candidate asset.

    Attributes
    ----------
    inliers : int
        Correspondences consistent with ``homography`` (0 when none was found).
    coverage : float
        Fraction of the candidate's area that the query's outline covers, in [0, 1].
    mirrored : bool
        True when the query is a mirror image of the candidate.
    homography : (3, 3) float64 ndarray or None
        Maps candidate pixels (x, y) to query pixels, the mirror folded in (negative
        determinant when ``mirrored``), like ``records.Alignment.homography``.
    method : str
        ``"features"`` (SIFT + homography) or ``"hash"`` (global hash only: the query is
        taken as the whole asset, resized, and ``homography`` just scales the frames).
    hash_distance : int or None
        Hamming distance of the global hashes, when the index compared them.
    """

    inliers: int
    coverage: float
    mirrored: bool
    homography: np.ndarray | None
    method: str = "features"
    hash_distance: int | None = None


NO_MATCH = Match(inliers=0, coverage=0.0, mirrored=False, homography=None)


def verify(
    query: Features,
    candidate: Features,
    *,
    ratio: float = 0.8,
    reprojection_threshold: float | None = None,
) -> Match:
    """Match a query's features to a candidate's and fit one homography.

    Parameters
    ----------
    query : Features
        Features of the leak.
    candidate : Features
        Features of a registered asset.
    ratio : float, optional
        Lowe's ratio test: keep a match when its distance is below ``ratio`` times the
        second-best distance.
    reprojection_threshold : float, optional
        MAGSAC threshold in query pixels; default ``max(3, 0.004 * longer query side)``.

    Returns
    -------
    match : Match
        The better of the plain and the mirrored hypothesis (more inliers), or
        :data:`NO_MATCH` when neither gives a sane homography.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.uniform(0, 200, (60, 2))
    >>> des = rng.integers(0, 256, (60, 128)).astype(np.uint8)
    >>> asset = Features(xy, des, (200, 200))
    >>> leak = Features(xy * 0.5 + 10, des, (120, 120))  # shrunk by half, shifted
    >>> m = verify(leak, asset)
    >>> m.inliers, m.mirrored, round(m.coverage, 2)
    (60, False, 1.0)
    >>> (np.round(m.homography[:2], 3) + 0.0).tolist()
    [[0.5, 0.0, 10.0], [0.0, 0.5, 10.0]]
    """
    if reprojection_threshold is None:
        reprojection_threshold = max(3.0, 0.004 * max(query.shape))
    plain = _fit(query, candidate, ratio, reprojection_threshold)
    flipped = _fit(mirror(query), candidate, ratio, reprojection_threshold)
    if flipped.inliers > plain.inliers:
        w = query.shape[1]
        unflip = np.array([[-1.0, 0.0, w - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        return Match(flipped.inliers, flipped.coverage, True, unflip @ flipped.homography)
    return plain


def checked_entry(asset_id: int, image_hash: np.ndarray, features: Features) -> np.ndarray:
    """The asset's hash as (8,) uint8, refusing an entry no index can hold."""
    image_hash = np.asarray(image_hash, np.uint8)
    if image_hash.shape != (HASH_BYTES,):
        raise BadInput(f"asset {asset_id}: hash must be ({HASH_BYTES},) uint8, got {image_hash.shape}")
    if not isinstance(features, Features):
        raise BadInput(f"asset {asset_id}: features must be Features, got {type(features).__name__}")
    return image_hash


def hash_match(candidate_shape: tuple[int, int], query_shape: tuple[int, int], mirrored: bool, distance: int) -> Match:
    """The match of a hash-only hit: the query is the whole candidate, resized (and mirrored).

    Used for feature-poor images (smooth renders, tiny thumbnails), where the global
    hash alone decides; the homography maps candidate pixel centres onto the query's.
    """
    (ch, cw), (qh, qw) = candidate_shape, query_shape
    sx, sy = qw / cw, qh / ch
    scale = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])
    if mirrored:
        scale = np.array([[-1.0, 0.0, qw - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ scale
    return Match(0, 1.0, mirrored, scale, "hash", distance)


def _fit(query: Features, candidate: Features, ratio: float, threshold: float) -> Match:
    """One hypothesis: match, fit, check. Homography maps candidate to query."""
    pairs = features.match(query.descriptors, candidate.descriptors, ratio=ratio, one_per_candidate=True)  # m 2
    if len(pairs) < _MIN_CORRESPONDENCES:
        return NO_MATCH
    src = candidate.keypoints[pairs[:, 1]].astype(np.float64)  # m 2
    dst = query.keypoints[pairs[:, 0]].astype(np.float64)  # m 2
    homography, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, threshold, maxIters=2000, confidence=0.999)
    if homography is None or mask is None:
        return NO_MATCH
    inliers = int(mask.sum())
    if inliers < _MIN_CORRESPONDENCES or not _sane(homography, src[mask.ravel() > 0]):
        return NO_MATCH
    coverage = _coverage(homography, candidate.shape, query.shape)
    return Match(inliers, coverage, False, homography / homography[2, 2])


def _sane(homography: np.ndarray, inlier_src: np.ndarray) -> bool:
    """Orientation-preserving, plausible scale and shear, finite at the inliers."""
    h = homography / homography[2, 2] if abs(homography[2, 2]) > 1e-12 else homography
    if not np.all(np.isfinite(h)):
        return False
    centre = inlier_src.mean(axis=0)
    w = h[2, 0] * centre[0] + h[2, 1] * centre[1] + 1.0
    if w <= 1e-6:
        return False
    # Local affine part (Jacobian) of the homography at the inliers' centre.
    p = h[:2, :2] @ centre + h[:2, 2]
    jacobian = (h[:2, :2] - np.outer(p / w, h[2, :2])) / w  # 2 2
    if np.linalg.det(jacobian) <= 0:
        return False
    s = np.linalg.svd(jacobian, compute_uv=False)
    if not (_MIN_SCALE <= np.sqrt(s[0] * s[1]) <= _MAX_SCALE) or s[0] > _MAX_ANISOTROPY * s[1]:
        return False
    spread = inlier_src.std(axis=0)
    return bool(spread.min() > 2.0)  # inliers not all on one spot or one line


def _coverage(homography: np.ndarray, candidate_shape, query_shape) -> float:
    """Fraction of a lattice of candidate pixels that lands inside the query's frame."""
    ch, cw = candidate_shape
    qh, qw = query_shape
    ys, xs = np.meshgrid(
        (np.arange(_GRID) + 0.5) * ch / _GRID - 0.5,
        (np.arange(_GRID) + 0.5) * cw / _GRID - 0.5,
        indexing="ij",
    )
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])  # 3 g
    mapped = homography @ points  # 3 g
    w = mapped[2]
    ahead = w > 1e-9
    x = np.where(ahead, mapped[0] / np.where(ahead, w, 1.0), -1e9)
    y = np.where(ahead, mapped[1] / np.where(ahead, w, 1.0), -1e9)
    inside = ahead & (x >= -0.5) & (x <= qw - 0.5) & (y >= -0.5) & (y <= qh - 0.5)
    return float(inside.mean())
