"""Recover the fingerprint from a registered leak and score recipients."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from leaktrace.core.carrier import project
from leaktrace.core.photometric import Photometric, fit_photometric
from leaktrace.core.pixels import luminance

__all__ = ["Residual", "residual", "clipped", "recover", "project_residual", "scores"]

_NOISE_SIGMA = 4.0  # px, pooling of the local residual energy
_NOISE_FLOOR = 0.5  # levels, keeps clean areas from dominating
_CLIP = 3.0  # residual clipped at ± this many local RMS
_CHUNK = 512  # recipients per block in scores


@dataclass(frozen=True)
class Residual:
    """A registered leak against its original, once: what every carrier's projection reads.

    Attributes
    ----------
    leak_y : (H, W) float32 ndarray, levels
    predicted_y : (H, W) float32 ndarray, levels
        The original as the leak's tone curve and blur show it, h ∗ f(original_y).
    valid : (H, W) bool ndarray
    photometric : Photometric
    """

    leak_y: np.ndarray
    predicted_y: np.ndarray
    valid: np.ndarray
    photometric: Photometric


def residual(warped_leak: np.ndarray, original: np.ndarray, valid_mask: np.ndarray) -> Residual:
    """Fit the photometric model of the leak on the original (:mod:`leaktrace.core.photometric`).

    Parameters
    ----------
    warped_leak : (H, W) or (H, W, 3) float32 or uint8 ndarray
        The leak registered onto the original's frame (same H, W as the original).
    original : (H, W) or (H, W, 3) uint8 ndarray, or its luminance
    valid_mask : (H, W) bool ndarray
        Pixels where the leak shows the original.
    """
    original_y = luminance(original)
    leak_y = luminance(warped_leak)
    valid = np.asarray(valid_mask, dtype=bool)
    if leak_y.shape != original_y.shape or valid.shape != original_y.shape:
        raise ValueError("warped_leak, original and valid_mask must share (H, W)")
    photometric = fit_photometric(leak_y, original_y, valid) if valid.any() else Photometric(lut=np.arange(256, dtype=np.float32))
    return Residual(leak_y, photometric.apply(original_y), valid, photometric)


def clipped(r: np.ndarray, vf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A residual clipped at ±3 local RMS, and that local RMS (levels; (H, W) float32 each).

    The local RMS pools the residual's energy over valid pixels only (Gaussian, 4 px) with a
    floor of 0.5 levels that keeps clean areas from dominating; every carrier's matched filter
    divides by it, and the clip stops the few pixels a misregistered line turns into huge
    residuals. ``vf``: the valid pixels as 0/1 float32.
    """
    num = cv2.GaussianBlur(r * r, (0, 0), _NOISE_SIGMA)
    den = cv2.GaussianBlur(vf, (0, 0), _NOISE_SIGMA)
    local_rms = np.sqrt(num / np.maximum(den, 1e-3) + _NOISE_FLOOR**2)
    limit = _CLIP * local_rms
    return np.clip(r, -limit, limit), local_rms


def project_residual(
    res: Residual,
    *,
    grid: tuple[int, int],
    mask: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    cols: np.ndarray | None = None,
    density: tuple[float, float] | None = None,
) -> np.ndarray:
    """Projection y of the residual on the luminance carrier; see :func:`recover`."""
    valid = res.valid
    k = int(grid[0]) * int(grid[1])
    if not valid.any():
        return np.zeros(k)
    vf = valid.astype(np.float32)
    r, local_rms = clipped((res.leak_y - res.predicted_y) * vf, vf)
    weight = vf / local_rms
    if mask is not None:
        weight = weight * mask
    return project(weight * r, grid, rows=rows, cols=cols, density=density)


def recover(
    warped_leak: np.ndarray,
    original: np.ndarray,
    valid_mask: np.ndarray,
    *,
    grid: tuple[int, int],
    mask: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    cols: np.ndarray | None = None,
    density: tuple[float, float] | None = None,
) -> np.ndarray:
    """Projection y of the leak's residual on the luminance carrier.

    Parameters
    ----------
    warped_leak : (H, W) or (H, W, 3) float32 or uint8 ndarray
        The leak registered onto the original's frame (same H, W as the original).
    original : (H, W) or (H, W, 3) uint8 ndarray
    valid_mask : (H, W) bool ndarray
        Pixels where the leak shows the original.
    grid : (gy, gx)
        The asset's carrier grid.
    mask : (H, W) float32 ndarray, optional
        The asset's perceptual mask (the one used at embedding).
    rows, cols, density : optional
        When ``original`` is a window of the asset or at another resolution (a
        :class:`~leaktrace.core.views.Frame`): normalised coordinates of its rows and
        columns, and samples per unit, as :func:`leaktrace.core.carrier.project` takes them.

    Returns
    -------
    y : (K,) float64 ndarray
        Zeros when nothing valid is left.

    Notes
    -----
    R = leak_y − h ∗ f(original_y) (see :mod:`leaktrace.core.photometric`), then
    y = project(w · clip(R)) with w = mask · valid / local RMS of R. Dividing by the local RMS is
    the matched filter for a residual whose noise varies in space (JPEG and blur errors pile up on
    edges and texture), and clipping at ±3 local RMS stops the few pixels that a misregistered line
    turns into huge residuals. Nothing here depends on any recipient's signs, so the scores of
    innocent recipients keep the bound of :mod:`leaktrace.core.bound`.

    Examples
    --------
    >>> from leaktrace.core.embed import embed
    >>> img = np.random.default_rng(0).integers(60, 200, (96, 128), dtype=np.uint8)
    >>> s = np.random.default_rng(1).choice([-1, 1], 11 * 15)
    >>> copy = embed(img, s, strength=2.0, grid=(11, 15))
    >>> y = recover(copy, img, np.ones(img.shape, bool), grid=(11, 15))
    >>> float(scores(s[None, :], y)[0]) > 10
    True
    """
    res = residual(warped_leak, original, valid_mask)
    return project_residual(res, grid=grid, mask=mask, rows=rows, cols=cols, density=density)


def scores(signs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Test statistic of every recipient: T_r = ⟨s_r, y⟩ / ‖y‖.

    Parameters
    ----------
    signs : (N, K) int8 ndarray
        One row of ±1 per recipient.
    y : (K,) float ndarray
        From :func:`recover`.

    Returns
    -------
    T : (N,) float64 ndarray
        ~N(0, 1) for innocents (and bounded by :func:`leaktrace.core.bound.p_bound`);
        0 for every recipient when ‖y‖ = 0.

    Examples
    --------
    >>> s = np.array([[1, 1, -1, -1], [1, -1, 1, -1]], np.int8)
    >>> scores(s, np.array([1.0, 1.0, -1.0, -1.0])).tolist()
    [2.0, 0.0]
    """
    y = np.asarray(y, dtype=np.float64)
    s = np.atleast_2d(np.asarray(signs))
    if s.shape[1] != y.shape[0]:
        raise ValueError(f"signs have K = {s.shape[1]}, y has K = {y.shape[0]}")
    norm = float(np.linalg.norm(y))
    if norm == 0.0 or not np.isfinite(norm):
        return np.zeros(s.shape[0])
    unit = y / norm  # k
    out = np.empty(s.shape[0])
    for start in range(0, s.shape[0], _CHUNK):  # bounded memory for 10^4+ recipients
        out[start : start + _CHUNK] = s[start : start + _CHUNK].astype(np.float64) @ unit
    return out
