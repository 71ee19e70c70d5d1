"""Local features: the one feature stack of asset search and registration.

SIFT keypoints and descriptors of an image's luminance (:func:`extract`), the features of
its mirror without a second extraction (:func:`mirror`), and exact ratio-test matching
(:func:`match`). The index (which asset?) and registration (where on it?) both use these;
each chooses its own working size and detector settings for the assets, whose features
it caches, while a leak is described once (:class:`~leaktrace.core.views.LeakView`) and
its features serve both.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .pixels import luminance

__all__ = ["Features", "Settings", "SEARCH", "extract", "grey", "mirror", "match", "MIRROR_PERMUTATION"]

#: Descriptor permutation of a left-right mirror: OpenCV lays a SIFT descriptor out as
#: (4 rows, 4 columns, 8 orientations) in the keypoint's frame; mirroring reverses the rows
#: and negates the orientation bins (checked against SIFT run on flipped images).
MIRROR_PERMUTATION = np.arange(128).reshape(4, 4, 8)[::-1][:, :, (-np.arange(8)) % 8].ravel()

#: Descriptor rows per block of the matcher (memory: block × candidates × 4 bytes).
_MATCH_CHUNK = 1024


@dataclass(frozen=True, eq=False)
class Features:
    """SIFT keypoints and descriptors of one image.

    Attributes
    ----------
    keypoints : (n, 2) float32 ndarray
        (x, y) of each keypoint, in the image's own pixels.
    descriptors : (n, 128) uint8 or float32 ndarray
        SIFT descriptor of each keypoint (OpenCV's are integer-valued: uint8 loses nothing).
    shape : (int, int)
        (H, W) of the image, pixels.
    """

    keypoints: np.ndarray
    descriptors: np.ndarray
    shape: tuple[int, int]

    def __post_init__(self) -> None:
        keypoints = np.array(self.keypoints, dtype=np.float32).reshape(-1, 2)
        descriptors = np.array(self.descriptors)
        if descriptors.dtype not in (np.uint8, np.float32):
            descriptors = descriptors.astype(np.float32)
        descriptors = descriptors.reshape(-1, 128)
        if len(keypoints) != len(descriptors):
            raise ValueError(f"{len(keypoints)} keypoints but {len(descriptors)} descriptors")
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"feature shape must be (H, W), got {self.shape}")
        keypoints.flags.writeable = False
        descriptors.flags.writeable = False
        object.__setattr__(self, "keypoints", keypoints)
        object.__setattr__(self, "descriptors", descriptors)
        object.__setattr__(self, "shape", shape)

    def __len__(self) -> int:
        return len(self.keypoints)


@dataclass(frozen=True)
class Settings:
    """How features are extracted: working size and SIFT's thresholds.

    Attributes
    ----------
    max_side : int, pixels
        The luminance is area-shrunk to this longest side at most.
    min_side : int, pixels
        Smaller images are enlarged (cubic) to this longest side first (0: never).
    max_features : int
        Keypoints kept, strongest first.
    contrast : float
        SIFT's contrast threshold (default 0.04; lower keeps faint thin lines).
    edge : float
        SIFT's edge threshold (default 10; higher keeps corners of thin strokes).
    """

    max_side: int = 1024
    min_side: int = 256
    max_features: int = 2000
    contrast: float = 0.02
    edge: float = 20.0

    def version(self) -> str:
        """Names the settings, for cache files."""
        return f"sift-{self.max_side}-{self.min_side}-{self.max_features}-{self.contrast:g}-{self.edge:g}"


#: The asset search's settings, for assets and leaks alike; a leak view's features are
#: extracted with them once and serve registration too. Tuned for thin line drawings as
#: well as photos: a lower contrast threshold keeps faint features, a higher edge
#: threshold keeps corners of thin strokes; tiny images are enlarged to 256 px first.
SEARCH = Settings(max_side=1024, min_side=256, max_features=2000, contrast=0.02, edge=20.0)


def extract(image: np.ndarray, settings: Settings = SEARCH) -> Features:
    """SIFT features of an image's luminance.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) ndarray
        The image (uint8, RGB if colour), or its float luminance.
    settings : Settings

    Returns
    -------
    Features
        Keypoints in ``image``'s own pixels, uint8 descriptors, ``shape == (H, W)``.

    Examples
    --------
    >>> image = np.full((120, 160), 255, np.uint8)
    >>> image[30:90, 40:120] = 0
    >>> f = extract(image)
    >>> f.shape, f.descriptors.shape[1], f.descriptors.dtype, bool(len(f) > 0)
    ((120, 160), 128, dtype('uint8'), True)
    """
    if settings.max_features < 1 or settings.max_side < 16:
        raise ValueError(f"max_features must be ≥ 1 and max_side ≥ 16, got {settings.max_features}, {settings.max_side}")
    grey_image = grey(image)
    h, w = grey_image.shape
    scale = min(1.0, settings.max_side / max(h, w))
    if max(h, w) < settings.min_side:
        scale = settings.min_side / max(h, w)
    if scale != 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        grey_image = cv2.resize(grey_image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    sift = cv2.SIFT_create(settings.max_features, 3, settings.contrast, settings.edge)
    keypoints, descriptors = sift.detectAndCompute(grey_image, None)
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8), (h, w))
    keypoints = keypoints[: settings.max_features]
    descriptors = np.clip(descriptors[: settings.max_features], 0, 255).astype(np.uint8)  # integer-valued
    xy = np.array([k.pt for k in keypoints], np.float32)  # n 2, working pixels
    sx, sy = w / grey_image.shape[1], h / grey_image.shape[0]
    xy = (xy + 0.5) * np.array([sx, sy], np.float32) - 0.5  # pixel centres to full size
    return Features(xy, descriptors, (h, w))


def grey(image: np.ndarray) -> np.ndarray:
    """The uint8 luminance that SIFT and the global hash work on: OpenCV's own conversion of a
    uint8 RGB image (a uint8 grey image as it is); a float luminance is clipped and truncated
    (as registration always did).

    Examples
    --------
    >>> grey(np.full((2, 2, 3), 200, np.uint8)).dtype, grey(np.full((2, 2), 7.9, np.float32))[0, 0]
    (dtype('uint8'), np.uint8(7))
    """
    if image.dtype == np.uint8:
        if image.ndim == 2:
            return image
        return cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)
    y = image if image.ndim == 2 else luminance(image)
    return np.clip(y, 0, 255).astype(np.uint8)


def mirror(features: Features) -> Features:
    """Features of the left-right mirror of the image, computed from the features.

    Examples
    --------
    >>> f = Features(np.array([[1.0, 2.0]]), np.arange(128, dtype=np.uint8)[None], (10, 20))
    >>> m = mirror(f)
    >>> m.keypoints.tolist(), bool(np.array_equal(mirror(m).descriptors, f.descriptors))
    ([[18.0, 2.0]], True)
    """
    xy = features.keypoints.copy()
    xy[:, 0] = features.shape[1] - 1 - xy[:, 0]
    return Features(xy, features.descriptors[:, MIRROR_PERMUTATION], features.shape)


def match(query: np.ndarray, candidate: np.ndarray, *, ratio: float, one_per_candidate: bool = False) -> np.ndarray:
    """Ratio-test matches between two descriptor sets: exact nearest neighbours.

    Parameters
    ----------
    query, candidate : (n, 128), (m, 128) uint8 or integer-valued float32 ndarrays
    ratio : float
        Lowe's test: the nearest must be closer than ``ratio`` × the second nearest.
    one_per_candidate : bool
        Keep only the closest query point of each candidate point (many query points on
        one candidate point make fake inliers).

    Returns
    -------
    (k, 2) int64 ndarray of (query index, candidate index), closest first when
    ``one_per_candidate``, in query order otherwise.

    Notes
    -----
    SIFT descriptors are integers in [0, 255] with squared norms below 2**19, so every
    partial sum of the squared distance ‖a‖² + ‖b‖² − 2a·b is an integer below 2**24 and
    a float32 matrix product computes it EXACTLY, in any summation order: the matches are
    those of brute-force matching, the same on every run and machine (FLANN's randomised
    trees are not), at the speed of a matrix product. The ratio test is then BFMatcher's
    own (float32 square roots compared in float64: an exact tie at the ratio fails), and
    ties between equal distances go to the lowest candidate index, as in BFMatcher.

    Examples
    --------
    >>> a = np.eye(4, 128, dtype=np.float32) * 100
    >>> match(a, a, ratio=0.8).tolist()
    [[0, 0], [1, 1], [2, 2], [3, 3]]
    """
    if query is None or candidate is None or len(query) < 2 or len(candidate) < 2:
        return np.zeros((0, 2), np.int64)
    a = np.asarray(query, np.float32)
    b = np.asarray(candidate, np.float32)
    b2 = np.einsum("ij,ij->i", b, b)  # m
    bt = np.ascontiguousarray(b.T) * np.float32(-2.0)  # 128 m (×2 is exact)
    best = np.empty(len(a), np.int64)  # n
    squared = np.empty((len(a), 2), np.float32)  # n 2: nearest, second nearest (exact integers)
    for start in range(0, len(a), _MATCH_CHUNK):  # bounded memory
        block = a[start : start + _MATCH_CHUNK]
        d = block @ bt  # c m: −2a·b
        d += b2  # ‖b‖² − 2a·b (‖a‖² is added to the two kept distances only)
        rows = np.arange(len(block))
        nearest = np.argmin(d, axis=1)  # c, first minimum
        first = d[rows, nearest]
        d[rows, nearest] = np.inf
        a2 = np.einsum("ij,ij->i", block, block)  # c
        best[start : start + len(block)] = nearest
        squared[start : start + len(block)] = np.c_[first + a2, d.min(axis=1) + a2]
    distance = np.sqrt(np.maximum(squared, 0)).astype(np.float64)  # n 2, as BFMatcher reports them
    good = np.flatnonzero(distance[:, 0] < ratio * distance[:, 1])
    if not one_per_candidate:
        return np.c_[good, best[good]].astype(np.int64).reshape(-1, 2)
    good = good[np.argsort(distance[good, 0], kind="stable")]  # closest first
    pairs = np.c_[good, best[good]].astype(np.int64).reshape(-1, 2)
    _, first_seen = np.unique(pairs[:, 1], return_index=True)
    return pairs[np.sort(first_seen)]
