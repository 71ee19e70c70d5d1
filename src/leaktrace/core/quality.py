"""How far a copy is from its original: PSNR and SSIM."""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["psnr", "ssim"]


def psnr(original: np.ndarray, image: np.ndarray) -> float:
    """Peak signal-to-noise ratio over all pixels and channels, peak 255.

    Parameters
    ----------
    original, image : (H, W) or (H, W, 3) uint8 ndarray, same shape

    Returns
    -------
    psnr : float, dB (``inf`` when the images are identical)

    Examples
    --------
    >>> a = np.full((4, 4), 100, np.uint8)
    >>> psnr(a, a)
    inf
    >>> round(psnr(a, a + 1), 2)
    48.13
    """
    if original.shape != image.shape:
        raise ValueError(f"shapes differ: {original.shape} vs {image.shape}")
    diff = original.astype(np.float64) - image.astype(np.float64)
    mse = float(np.mean(diff * diff))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(255.0**2 / mse)


def _y(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image.astype(np.float64)
    r, g, b = (image[..., c].astype(np.float64) for c in range(3))
    return 0.299 * r + 0.587 * g + 0.114 * b


def ssim(original: np.ndarray, image: np.ndarray) -> float:
    """Mean structural similarity of the luminances (Gaussian window σ = 1.5 px).

    Parameters
    ----------
    original, image : (H, W) or (H, W, 3) uint8 ndarray, same shape

    Returns
    -------
    ssim : float, in [−1, 1] (1 for identical images)

    Notes
    -----
    Wang et al.'s definition with K1 = 0.01, K2 = 0.03, L = 255 and an 11×11 Gaussian window
    of σ = 1.5, averaged over the whole image (borders reflected).

    References
    ----------
    Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
    visibility to structural similarity", IEEE Trans. Image Process. 13(4) (2004) 600–612.

    Examples
    --------
    >>> a = (np.arange(64 * 64).reshape(64, 64) % 251).astype(np.uint8)
    >>> ssim(a, a)
    1.0
    """
    if original.shape != image.shape:
        raise ValueError(f"shapes differ: {original.shape} vs {image.shape}")
    x, y = _y(original), _y(image)  # h w
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx * mx + my * my + c1) * (sxx + syy + c2)
    return float(np.clip(np.mean(num / den), -1.0, 1.0))
