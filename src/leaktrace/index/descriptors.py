"""Local features (SIFT) of an image: what finds crops, screenshots and photos of assets.

The feature stack itself is :mod:`leaktrace.core.features` (shared with registration);
this module fixes the asset search's settings and caches features. Features are extracted on the luminance at a capped working size and reported in the
full image's pixels. :func:`mirror` turns them into the features of the mirrored image
without a second extraction (SIFT descriptors of a mirrored patch are a fixed
permutation of the original's), so mirrored reposts cost one extra match, not one
extra extraction. :func:`to_bytes` / :func:`from_bytes` let the services cache them.
"""

from __future__ import annotations

import io

import numpy as np

from leaktrace.core.features import SEARCH, Features, Settings, mirror
from leaktrace.core.features import extract as _extract
from leaktrace.core.views import LeakView
from leaktrace.errors import BadInput

__all__ = ["Features", "SETTINGS", "extract", "from_bytes", "mirror", "query", "to_bytes"]

#: The asset search's SIFT settings (:data:`leaktrace.core.features.SEARCH`).
SETTINGS = SEARCH


def extract(image: np.ndarray, *, max_features: int = SETTINGS.max_features, max_side: int = SETTINGS.max_side) -> Features:
    """SIFT features of an image's luminance, with the asset search's settings.

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
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise BadInput(f"image must be uint8, got {image.dtype}")
    if min(image.shape[:2]) < 8:
        raise BadInput(f"image is too small to search for: {image.shape[1]}x{image.shape[0]} pixels")
    return _extract(image, Settings(max_side, SETTINGS.min_side, max_features, SETTINGS.contrast, SETTINGS.edge))


def query(leak: np.ndarray | LeakView, *, max_features: int, max_side: int) -> tuple[np.ndarray, Features]:
    """The image to hash and the features a search works with: a leak view's own grey image
    and features (described once) when the index uses the search settings."""
    if isinstance(leak, LeakView):
        if (max_features, max_side) == (SETTINGS.max_features, SETTINGS.max_side):
            return leak.grey, leak.features
        leak = leak.grey
    return leak, extract(leak, max_features=max_features, max_side=max_side)


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
