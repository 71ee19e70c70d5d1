"""Put a recipient's fingerprint into a copy: Y′ = Y + strength·mask·pattern(signs).

A copy is made in row strips (:func:`embed_strips`): the carrier pattern is drawn once for the
whole image (one float32 plane, 4 bytes per pixel), then each strip is masked, scaled, added and
rounded, so the temporaries of the rounding cost a strip, not the image, and a caller can measure
each strip while it is in cache. :func:`embed` is the same loop into a new array.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from leaktrace.core.carrier import pattern

__all__ = ["embed", "embed_strips", "reference_signs", "strength_for_psnr"]

_PSNR_SIGNS_SEED = 20240611  # fixed, public: the strength never depends on a recipient
#: Pixels per strip of :func:`embed_strips`: the strip's float32 temporaries (≈ 17 bytes per
#: pixel) stay in the CPU's cache: measured 0.21 s for a 17 MP copy, against 0.36 s in one piece.
_STRIP_PIXELS = 1 << 17


def reference_signs(k: int) -> np.ndarray:
    """The fixed, public sign vector of reference copies, never a recipient's.

    Reference copies measure what any copy of an asset looks like (the strength of
    :func:`strength_for_psnr`, the quality check of a share) without using a recipient's key.

    Parameters
    ----------
    k : int
        Number of carrier functions K = gy·gx.

    Returns
    -------
    signs : (k,) int8 ndarray of ±1

    Examples
    --------
    >>> s = reference_signs(6)
    >>> s.dtype, bool(np.array_equal(s, reference_signs(6))), set(s.tolist()) <= {-1, 1}
    (dtype('int8'), True, True)
    """
    return np.random.default_rng(_PSNR_SIGNS_SEED).choice(np.array([-1, 1], np.int8), int(k))


def _delta(shape: tuple[int, int], signs: np.ndarray, grid, mask) -> np.ndarray:
    p = pattern(signs, shape, grid)  # h w
    if mask is not None:
        if mask.shape != tuple(shape):
            raise ValueError(f"mask shape {mask.shape} does not match image {shape}")
        p *= mask
    return p


#: Luminance (BT.601) added by giving one more level to a subset of channels, in
#: increasing order; the subset's bits are (R, G, B) = (bit 1, bit 2, bit 0) of the index.
_STEP_LUMA = np.array([0.0, 0.114, 0.299, 0.413, 0.587, 0.701, 0.886, 1.0], np.float32)
_STEP_EDGES = (_STEP_LUMA[1:] + _STEP_LUMA[:-1]) / 2  # 7
_CHANNEL_BIT = (1, 2, 0)  # R, G, B


def _apply(image: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Add the luminance delta and round to whole levels.

    In colour, the whole part of the delta goes to all three channels and the fraction
    to the subset of channels whose luminance weights come closest to it: the copy's
    luminance then follows the delta within ±0.093 levels instead of ±0.5, which keeps
    flat gradients smooth (SSIM) and the mark whole, at the cost of ±1 level of chroma.
    """
    if image.ndim == 2:
        return np.clip(np.rint(image.astype(np.float32) + delta), 0, 255).astype(np.uint8)
    whole = np.floor(delta)  # h w
    fraction = delta - whole
    step = np.zeros(delta.shape, np.uint8)  # h w, index into _STEP_LUMA
    for edge in _STEP_EDGES:
        step += fraction >= edge
    out = np.empty(image.shape, np.uint8)
    for c, bit in enumerate(_CHANNEL_BIT):
        channel = image[..., c].astype(np.float32)
        channel += whole
        channel += (step >> bit) & 1
        np.clip(channel, 0, 255, out=channel)
        out[..., c] = channel
    return out


def embed_strips(
    image: np.ndarray,
    signs: np.ndarray,
    *,
    strength: float,
    grid: tuple[int, int],
    mask: np.ndarray | None = None,
    out: np.ndarray,
    rows: int | None = None,
    source: Callable[[slice], np.ndarray] | None = None,
) -> Iterator[slice]:
    """Make a fingerprinted copy into ``out`` strip by strip, yielding each strip as it is done.

    The copy is bit-identical to :func:`embed`'s (which is this loop): the pattern is drawn for
    the whole image in one matrix product, as it always was, and everything after it is
    pixel-wise. (Drawing the pattern strip by strip, A[rows]·S·Bᵀ, would change it by an ulp
    here and there: BLAS does not sum a row slice in the same order as the whole product, and
    an ulp can move a rounding.)

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The original (not modified).
    signs : (K,) ±1 ndarray, K = gy·gx
    strength : float, luminance levels
    grid : (gy, gx)
    mask : (H, W) float32 ndarray, optional
    out : uint8 ndarray, same shape as image
        Where the copy is written (it may be reused from copy to copy).
    rows : int, optional
        Rows per strip (default: about 128k pixels per strip).
    source : callable, optional
        ``source(rows)``: the pixels the mark is added to in those rows (default ``image[rows]``);
        the geometric carrier's displaced original (:class:`leaktrace.core.geometry.Displacer`),
        made strip by strip.

    Yields
    ------
    rows : slice
        The rows of ``out`` just finished (``out[rows]`` is final).

    Memory: the pattern (4 bytes per pixel) and one strip's temporaries.

    Examples
    --------
    >>> img = np.full((64, 96, 3), 128, np.uint8)
    >>> s = np.where(np.arange(7 * 11) % 2, 1, -1)
    >>> out = np.empty_like(img)
    >>> done = [r.stop for r in embed_strips(img, s, strength=2.0, grid=(7, 11), out=out, rows=20)]
    >>> done, bool(np.array_equal(out, embed(img, s, strength=2.0, grid=(7, 11))))
    ([20, 40, 60, 64], True)
    """
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if out.shape != image.shape or out.dtype != np.uint8:
        raise ValueError(f"out must be a uint8 array of shape {image.shape}, got {out.shape} {out.dtype}")
    h, w = image.shape[:2]
    if mask is not None and mask.shape != (h, w):
        raise ValueError(f"mask shape {mask.shape} does not match image {(h, w)}")
    p = pattern(signs, (h, w), grid)  # h w
    rows = int(rows) if rows else max(16, _STRIP_PIXELS // max(1, w))
    a = np.float32(strength)
    for r0 in range(0, h, rows):
        r = slice(r0, min(h, r0 + rows))
        delta = np.empty(p[r].shape, np.float32)  # strip w
        if mask is not None:
            np.multiply(p[r], mask[r], out=delta)  # as ``p *= mask`` does, whatever the mask's dtype
        else:
            delta[...] = p[r]
        delta *= a
        out[r] = _apply(image[r] if source is None else source(r), delta)
        yield r


def embed(
    image: np.ndarray,
    signs: np.ndarray,
    *,
    strength: float,
    grid: tuple[int, int],
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """A fingerprinted copy: the same luminance delta strength·mask·pattern added to R, G and B.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The original (not modified).
    signs : (K,) ±1 ndarray, K = gy·gx
        The recipient's signs.
    strength : float, luminance levels
        RMS of the unmasked pattern (see :func:`strength_for_psnr`).
    grid : (gy, gx)
        The asset's carrier grid (:func:`leaktrace.core.carrier.grid_for`).
    mask : (H, W) float32 ndarray, optional
        Perceptual mask of the original (:func:`leaktrace.core.mask.perceptual_mask`).

    Returns
    -------
    copy : uint8 ndarray, same shape as image
        Rounded and clipped to [0, 255]. Made by :func:`embed_strips`: besides the copy, the
        peak memory is the pattern (4 bytes per pixel) and one strip.

    Examples
    --------
    >>> img = np.full((64, 96, 3), 128, np.uint8)
    >>> s = np.where(np.arange(7 * 11) % 2, 1, -1)
    >>> out = embed(img, s, strength=2.0, grid=(7, 11))
    >>> out.shape, out.dtype, bool((out != img).any()), int(img[0, 0, 0])
    ((64, 96, 3), dtype('uint8'), True, 128)
    """
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    out = np.empty_like(image)
    for _ in embed_strips(image, signs, strength=strength, grid=grid, mask=mask, out=out):
        pass
    return out


def _mse(image: np.ndarray, delta: np.ndarray, strength: float) -> float:
    out = _apply(image, delta * np.float32(strength))
    d = out.astype(np.float32) - image.astype(np.float32)
    return float(np.mean(d * d))


def strength_for_psnr(
    image: np.ndarray,
    grid: tuple[int, int],
    mask: np.ndarray | None,
    *,
    target_psnr: float = 46.0,
) -> float:
    """Strength whose copies have about ``target_psnr`` against the original.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
    grid : (gy, gx)
    mask : (H, W) float32 ndarray or None
    target_psnr : float, dB

    Returns
    -------
    strength : float, luminance levels

    Notes
    -----
    Measured, not predicted: copies made with a fixed public pseudo-random sign vector (never a
    recipient's) are rounded and clipped like real copies, and a bisection on a log scale finds the
    largest strength whose PSNR is still ≥ the target (to 0.5%). Rounding and clipping on white
    paper are so accounted for. On images of 1 MP and more, every other row and column is measured
    (a few hundredths of a dB). A real copy's PSNR differs by a few hundredths of a dB because its
    signs differ; on perfectly flat synthetic images, where rounding makes PSNR a staircase of the
    strength, by up to a few tenths.

    Examples
    --------
    >>> from leaktrace.core.quality import psnr
    >>> img = np.add.outer(np.arange(96), np.arange(128)).astype(np.uint8)
    >>> a = strength_for_psnr(img, (5, 7), None, target_psnr=46.0)
    >>> s = np.random.default_rng(1).choice([-1, 1], 5 * 7)
    >>> abs(psnr(img, embed(img, s, strength=a, grid=(5, 7))) - 46.0) < 0.2
    True
    """
    target_mse = 255.0**2 / 10.0 ** (target_psnr / 10.0)
    signs = reference_signs(int(grid[0]) * int(grid[1]))
    delta = _delta(image.shape[:2], signs, grid, mask)  # h w
    step = 2 if image.shape[0] * image.shape[1] >= 1_000_000 else 1
    sub_image, sub_delta = image[::step, ::step], delta[::step, ::step]
    guess = math.sqrt(target_mse / max(float(np.mean(delta * delta)), 1e-12))
    lo, hi = guess / 4.0, guess * 4.0
    while _mse(sub_image, sub_delta, hi) < target_mse and hi < 1e4:
        lo, hi = hi, hi * 4.0
    for _ in range(40):
        if hi / lo < 1.005:
            break
        mid = math.sqrt(lo * hi)
        if _mse(sub_image, sub_delta, mid) <= target_mse:
            lo = mid
        else:
            hi = mid
    return float(lo)
