"""Local features (SIFT) of an image: what finds crops, screenshots and photos of assets.

Features are extracted on the luminance at a capped working size and reported in the
full image's pixels. :func:`mirror` turns them into the features of the mirrored image
without a second extraction (SIFT descriptors of a mirrored patch are a fixed
permutation of the original's), so mirrored reposts cost one extra match, not one
extra extraction. :func:`to_bytes` / :func:`from_bytes` let the services cache them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

from leaktrace.errors import BadInput
from leaktrace.index.hashes import luminance

__all__ = ["Features", "extract", "from_bytes", "mirror", "to_bytes"]

# SIFT tuned for thin line drawings as well as photos: a lower contrast threshold keeps
# faint features, a higher edge threshold keeps corners of thin strokes.
_CONTRAST_THRESHOLD = 0.02
_EDGE_THRESHOLD = 20.0
_MIN_SIDE = 256  # tiny images are upscaled to this before extraction, pixels

# Descriptor permutation for a left-right mirror: OpenCV SIFT lays a descriptor out as
# (row 4, column 4, orientation 8); mirroring flips the rows and negates orientations.
_MIRROR_PERMUTATION = (
    np.arange(128)
    .reshape(4, 4, 8)[::-1][:, :, (-np.arange(8)) % 8]
    .ravel()
)


@dataclass(frozen=True, eq=False)
class Features:
    """SIFT keypoints and descriptors of one image.

    Attributes
    ----------
    keypoints : (n, 2) float32 ndarray
        (x, y) of each keypoint, in the image's own pixels.
    descriptors : (n, 128) uint8 or float32 ndarray
        SIFT descriptor of each keypoint.
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
            raise BadInput(f"{len(keypoints)} keypoints but {len(descriptors)} descriptors")
        shape = tuple(int(s) for s in self.shape)
        if len(shape) != 2 or min(shape) < 1:
            raise BadInput(f"feature shape must be (H, W), got {self.shape}")
        keypoints.flags.writeable = False
        descriptors.flags.writeable = False
        object.__setattr__(self, "keypoints", keypoints)
        object.__setattr__(self, "descriptors", descriptors)
        object.__setattr__(self, "shape", shape)

    def __len__(self) -> int:
        return len(self.keypoints)


def extract(image: np.ndarray, *, max_features: int = 2000, max_side: int = 1024) -> Features:
    """SIFT features of an image's luminance.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The image (RGB order if colour).
    max_features : int, optional
        Keep at most this many keypoints, the strongest first.
    max_side : int, optional
        Extract at a working size whose longer side is at most this, pixels; images
        with a longer side under 256 are upscaled to 256 instead.

    Returns
    -------
    features : Features
        Keypoints in ``image``'s own pixels, uint8 descriptors, ``shape == (H, W)``.

    Examples
    --------
    >>> image = np.full((120, 160), 255, np.uint8)
    >>> image[30:90, 40:120] = 0
    >>> f = extract(image)
    >>> f.shape, f.descriptors.shape[1], f.descriptors.dtype
    ((120, 160), 128, dtype('uint8'))
    >>> bool(len(f) > 0 and f.keypoints[:, 0].max() < 160)
    True
    """
    if max_features < 1 or max_side < 16:
        raise BadInput(f"max_features must be ≥ 1 and max_side ≥ 16, got {max_features}, {max_side}")
    grey = luminance(image)
    h, w = grey.shape
    scale = min(1.0, max_side / max(h, w))
    if max(h, w) < _MIN_SIDE:
        scale = _MIN_SIDE / max(h, w)
    if scale != 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        grey = cv2.resize(grey, size, interpolation=interpolation)
    sift = cv2.SIFT_create(
        nfeatures=max_features,
        contrastThreshold=_CONTRAST_THRESHOLD,
        edgeThreshold=_EDGE_THRESHOLD,
    )
    keypoints, descriptors = sift.detectAndCompute(grey, None)
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8), (h, w))
    keypoints = keypoints[:max_features]
    descriptors = np.clip(descriptors[:max_features], 0, 255).astype(np.uint8)  # integer-valued
    xy = np.array([k.pt for k in keypoints], np.float32)  # n 2, working pixels
    sx, sy = w / grey.shape[1], h / grey.shape[0]
    xy = (xy + 0.5) * np.array([sx, sy], np.float32) - 0.5  # pixel centres to full size
    return Features(xy, descriptors, (h, w))


def mirror(features: Features) -> Features:
    """Features of the left-right mirror of the image, computed from the features.

    Parameters
    ----------
    features : Features
        Features of an image of width W.

    Returns
    -------
    mirrored : Features
        x becomes ``W - 1 - x``; each descriptor is permuted as SIFT would have
        computed it on the mirrored image (rows of the 4x4 grid reversed,
        orientation bins negated).

    Examples
    --------
    >>> f = Features(np.array([[1.0, 2.0]]), np.arange(128, dtype=np.uint8)[None], (10, 20))
    >>> m = mirror(f)
    >>> m.keypoints.tolist()
    [[18.0, 2.0]]
    >>> np.array_equal(mirror(m).descriptors, f.descriptors)
    True
    """
    xy = features.keypoints.copy()
    xy[:, 0] = features.shape[1] - 1 - xy[:, 0]
    return Features(xy, features.descriptors[:, _MIRROR_PERMUTATION], features.shape)


def to_bytes(features: Features) -> bytes:
    """Serialise features for a cache (compressed ``.npz``, no pickle).

    Examples
    --------
    >>> f = Features(np.zeros((3, 2)), np.ones((3, 128), np.uint8), (5, 7))
    >>> g = from_bytes(to_bytes(f))
    >>> g.shape, np.array_equal(g.descriptors, f.descriptors)
    ((5, 7), True)
    """
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        keypoints=features.keypoints,
        descriptors=features.descriptors,
        shape=np.array(features.shape, np.int64),
    )
    return buffer.getvalue()


def from_bytes(data: bytes) -> Features:
    """Features from :func:`to_bytes` output; raises ``BadInput`` on anything else."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return Features(npz["keypoints"], npz["descriptors"], tuple(npz["shape"].tolist()))
    except (ValueError, KeyError, OSError, EOFError) as error:
        raise BadInput(f"cached features are unreadable: {error}") from error
