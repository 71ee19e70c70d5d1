"""Global perceptual hashes: the fast path of asset search for whole-image reposts.

A 64-bit DCT hash (pHash) of the luminance survives recompression, resizing, a
brightness or contrast change and small rotations, and needs no features at all, so
it also finds smooth renders (gradients, soft shapes) that give SIFT almost nothing.
It does not survive crops or screenshots: those go through local features.
"""

from __future__ import annotations

import cv2
import numpy as np

from leaktrace.core import features
from leaktrace.errors import BadInput

__all__ = ["HASH_BYTES", "distances", "global_hash", "hamming", "hamming_many", "luminance"]

HASH_BYTES = 8
_SIDE = 32  # hashed working size, pixels
_LOW = 8  # low-frequency block kept, coefficients per side


def luminance(image: np.ndarray) -> np.ndarray:
    """Luminance of an RGB(A) or grey image, as a new array.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) or (H, W, 4) uint8 ndarray
        Grey or RGB image (alpha, if any, is ignored).

    Returns
    -------
    grey : (H, W) uint8 ndarray
        ITU-R BT.601 luma; a copy, never a view of ``image``.

    Examples
    --------
    >>> luminance(np.full((8, 12, 3), 200, np.uint8)).shape
    (8, 12)
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise BadInput(f"image must be uint8, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise BadInput(f"image must be (H, W), (H, W, 3) or (H, W, 4), got shape {image.shape}")
    grey = features.grey(image).copy() if image.ndim == 2 else features.grey(image)
    if min(grey.shape) < 8:
        raise BadInput(f"image is too small to search for: {grey.shape[1]}x{grey.shape[0]} pixels")
    return grey


def global_hash(image: np.ndarray, *, mirrored: bool = False) -> np.ndarray:
    """64-bit perceptual DCT hash (pHash) of an image's luminance.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The image (RGB order if colour).
    mirrored : bool, optional
        Hash the left-right mirror of ``image`` instead. Hash a query both ways and
        compare with the asset's plain hash to find mirrored reposts.

    Returns
    -------
    hash : (8,) uint8 ndarray
        64 bits, packed big-endian: bit ``8*v + u`` is set when DCT coefficient
        ``(v, u)`` of the 8x8 low-frequency block is above the block's median.

    Notes
    -----
    The luminance is resized to 32x32 with area averaging, transformed by an
    orthonormal 2-D DCT-II, and the 8x8 lowest frequencies are thresholded at their
    median, the DC term excluded from the median so a brightness shift does not move
    it. Mirroring negates the odd horizontal frequencies, so a mirrored image hashes
    far from the original: use ``mirrored=True`` on the query.

    References
    ----------
    .. [1] C. Zauner, "Implementation and benchmarking of perceptual image hash
       functions", Master's thesis, FH Hagenberg, 2010.

    Examples
    --------
    >>> y, x = np.mgrid[:64, :64]
    >>> image = (128 + 100 * np.sin(x / 9.0) * np.cos(y / 13.0)).astype(np.uint8)
    >>> h = global_hash(image)
    >>> h.shape, h.dtype
    ((8,), dtype('uint8'))
    >>> hamming(h, global_hash(np.clip(image.astype(int) + 20, 0, 255).astype(np.uint8)))
    0
    >>> hamming(global_hash(image[:, ::-1]), global_hash(image, mirrored=True))
    0
    """
    grey = luminance(image)
    if mirrored:
        grey = grey[:, ::-1]
    small = cv2.resize(grey, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA).astype(np.float64)
    low = cv2.dct(small)[:_LOW, :_LOW]  # 8 8, orthonormal DCT-II
    median = np.median(low.ravel()[1:])
    return np.packbits(low.ravel() > median)


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    """Number of differing bits between two packed hashes.

    Parameters
    ----------
    a, b : (8,) uint8 ndarray
        Hashes from :func:`global_hash`.

    Returns
    -------
    distance : int
        0 (identical) to 64.

    Examples
    --------
    >>> hamming(np.zeros(8, np.uint8), np.array([255, 1, 0, 0, 0, 0, 0, 0], np.uint8))
    9
    """
    a = np.asarray(a, np.uint8)
    b = np.asarray(b, np.uint8)
    if a.shape != b.shape:
        raise BadInput(f"hashes differ in shape: {a.shape} and {b.shape}")
    return int(np.unpackbits(np.bitwise_xor(a, b)).sum())


def hamming_many(query: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Hamming distance from one hash to each row of a hash table.

    Parameters
    ----------
    query : (8,) uint8 ndarray
    hashes : (n, 8) uint8 ndarray

    Returns
    -------
    distances : (n,) int64 ndarray

    Examples
    --------
    >>> hamming_many(np.zeros(8, np.uint8), np.array([[0] * 8, [3] + [0] * 7], np.uint8))
    array([0, 2])
    """
    hashes = np.asarray(hashes, np.uint8).reshape(-1, HASH_BYTES)
    xor = np.bitwise_xor(hashes, np.asarray(query, np.uint8)[None, :])  # n 8
    return np.unpackbits(xor, axis=1).sum(axis=1).astype(np.int64)


def distances(image: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hamming distances from an image's hash, plain and mirrored, to each row of a hash table.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
    hashes : (n, 8) uint8 ndarray

    Returns
    -------
    plain, mirrored : (n,) int64 ndarrays

    Examples
    --------
    >>> img = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    >>> plain, mirrored = distances(img, global_hash(img)[None, :])
    >>> int(plain[0]), bool(mirrored[0] > 0)
    (0, True)
    """
    return hamming_many(global_hash(image), hashes), hamming_many(global_hash(image, mirrored=True), hashes)
