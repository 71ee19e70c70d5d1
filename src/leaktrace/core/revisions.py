"""Which of several near-identical originals (revisions of one drawing) a leak shows, from the image alone.

Revisions share almost every feature and agree almost equally with the leak: the median per-tile
agreement of registration does not see a moved line, an added hole or a changed dimension. What
does is the residual where the candidates differ from one another, once each is registered onto
the leak: there the right revision matches the leak and the others do not. Where they do not
differ inside the leak (a crop of a region identical in all of them), the image cannot tell them
apart, and :func:`distinguish` says so rather than guess. No recipient is ever looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Distinction", "distinguish", "DIFFER", "MIN_DIFFERING", "DECISIVE"]

#: Two registered candidates differ at a pixel when their blurred, tone-matched luminance differs
#: by more than this fraction of the leak's contrast (registration jitter of ±0.5 px on 1-px lines
#: stays under it; a moved or added line does not).
DIFFER = 0.3
#: Fewer differing pixels than this inside the leak (at the working scale) and the candidates are
#: indistinguishable: the leak shows only what they share.
MIN_DIFFERING = 40
#: The best candidate is chosen only when every other one's residual on the differing pixels is at
#: least this many times its own; the rest stay in the tie.
DECISIVE = 1.5
_SIGMA = 1.5  # px: the blur registration's agreement uses
_EDGE = 9  # px: the footprint's edge band left out (the blur reaches across it)


@dataclass(frozen=True)
class Distinction:
    """The outcome of :func:`distinguish`.

    Attributes
    ----------
    chosen : tuple of int
        Indices of the candidates the image cannot tell apart, best first: one when it decides.
    residuals : tuple of float
        Per candidate, mean absolute residual on the differing pixels, in units of the leak's
        contrast (nan when nothing differs).
    differing : int
        Pixels where at least two candidates differ inside every footprint.
    """

    chosen: tuple[int, ...]
    residuals: tuple[float, ...]
    differing: int


def distinguish(leak: np.ndarray, warped: list[np.ndarray], inside: list[np.ndarray]) -> Distinction:
    """Choose among candidates registered onto one leak by their residual where they differ.

    Parameters
    ----------
    leak : (h, w) float32 ndarray
        The leak's luminance, levels.
    warped : list of (h, w) float32 ndarray
        Each candidate original warped into the leak's frame (its registration), levels.
    inside : list of (h, w) bool ndarray
        Where each warped original covers the leak.

    Returns
    -------
    Distinction
        ``chosen`` holds every candidate when nothing differs inside the common footprint, or
        those whose residual is within ``DECISIVE`` times the best's.

    Examples
    --------
    >>> a = np.full((120, 160), 255, np.float32)
    >>> a[60, 20:140] = 0
    >>> b = a.copy()
    >>> b[20:100, 80] = 0  # rev B adds a line
    >>> ones = [np.ones(a.shape, bool)] * 2
    >>> distinguish(b, [a, b], ones).chosen, distinguish(a, [a, b], ones).chosen
    ((1,), (0,))
    >>> distinguish(b[:, :60], [a[:, :60], b[:, :60]], [o[:, :60] for o in ones]).chosen  # only the shared line
    (0, 1)
    """
    n = len(warped)
    common = np.logical_and.reduce([np.asarray(m, bool) for m in inside])
    common = cv2.erode(common.astype(np.uint8), np.ones((_EDGE, _EDGE), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0).astype(bool)
    if n < 2 or common.sum() < 256:
        return Distinction(tuple(range(n)), (float("nan"),) * n, 0)
    y = _blur(leak)[common]
    lo, hi = np.percentile(y, [0.1, 99.9])
    contrast = max(float(hi - lo), 1.0)
    mapped = [_matched(_blur(w)[common], y) for w in warped]  # each tone-matched to the leak
    differ = np.zeros(y.shape, bool)
    for i in range(n):
        for j in range(i + 1, n):
            differ |= np.abs(mapped[i] - mapped[j]) > DIFFER * contrast
    count = int(differ.sum())
    if count < MIN_DIFFERING:
        return Distinction(tuple(range(n)), (float("nan"),) * n, count)
    residuals = np.array([float(np.mean(np.abs(y[differ] - m[differ]))) / contrast for m in mapped])
    order = np.argsort(residuals, kind="stable")
    best = max(float(residuals[order[0]]), 1e-3)
    chosen = tuple(int(i) for i in order if residuals[i] < DECISIVE * best)
    return Distinction(chosen, tuple(float(r) for r in residuals), count)


def _blur(image: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(np.asarray(image, np.float32), (0, 0), _SIGMA)


def _matched(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x`` mapped to ``y``'s levels by a least-squares gain and offset (JPEG, a screenshot's tone)."""
    mx, my = float(x.mean(dtype=np.float64)), float(y.mean(dtype=np.float64))
    dx = x - np.float32(mx)
    var = float(np.dot(dx, dx))
    gain = float(np.dot(dx, y - np.float32(my))) / var if var > 0 else 1.0
    return (np.float32(gain) * dx + np.float32(my)).astype(np.float32, copy=False)
