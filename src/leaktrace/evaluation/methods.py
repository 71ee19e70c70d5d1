"""The method seam: what :func:`~leaktrace.evaluation.evaluate` measures, and leaktrace as one method.

A :class:`Method` prepares an asset for N recipients, embeds one recipient's copy and
identifies the recipient of a leak; the evaluation owns the loop, the random draws (which
recipient leaks, the attack's parameters), the timing and the counting, so every method
sees the same leaks. :data:`METHODS` maps names to built-in methods (leaktrace only; the
peers live in the bench, which is the only place that imports them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from leaktrace.core import align, carrier, detect, embed, geometry, keys, mask, verdict, views
from leaktrace.settings import SETTINGS

#: The product's quality target: the figures measure what users get.
DEFAULT_TARGET_PSNR = float(next(s.default for s in SETTINGS if s.name == "target_psnr"))

__all__ = ["DEFAULT_TARGET_PSNR", "Identification", "Method", "LeaktraceMethod", "METHODS", "prepare_asset"]


@dataclass(frozen=True)
class Identification:
    """A method's answer for one leak.

    Attributes
    ----------
    accused : (N,) bool ndarray
        Recipients the method accuses at the family-wise bound ε.
    scores : (N,) float64 ndarray
        Each recipient's evidence (leaktrace: T; peers: bits agreeing with its id).
    null_scores : (h, M) float64 ndarray or None
        Scores that are standard normal for innocents (leaktrace: every recipient under
        every alignment, then any never-shared keys); the leaker's column is dropped by
        :func:`~leaktrace.evaluation.evaluate`. Columns ``0..N-1`` are the recipients.
    """

    accused: np.ndarray
    scores: np.ndarray
    null_scores: np.ndarray | None = None


class Method(Protocol):
    """One fingerprinting method under evaluation (STYLE rule 6: built-ins use the seam too).

    ``prepare`` runs once per asset and returns whatever the method keeps for it (keys,
    grid, ids); ``embed`` makes recipient ``recipient``'s copy; ``identify`` answers for a
    leak, or returns ``None`` when it cannot even try (no registration, too small to decode).
    """

    name: str
    #: Shown in the bench's table: does the method get leaktrace's registration?
    registration: str

    def prepare(self, original: np.ndarray, asset_ref: str, n_recipients: int, *, seed: int) -> Any: ...

    def embed(self, asset: Any, recipient: int) -> np.ndarray: ...

    def identify(self, asset: Any, leak: np.ndarray, *, epsilon: float) -> Identification | None: ...


def prepare_asset(
    original: np.ndarray,
    *,
    cells: int = 4096,
    min_cell_px: int = 16,
    target_psnr: float = DEFAULT_TARGET_PSNR,
    moved: geometry.Geometry | None = None,
):
    """Grid, mask and strength of an asset, as the assets service fixes them.

    Parameters
    ----------
    original : (H, W, 3) uint8 ndarray
    target_psnr : float, dB
    moved : Geometry, optional
        The asset's geometric carrier: the strength is measured on the reference displaced original.

    Returns
    -------
    grid : (rows, cols) of carrier cells
    mask : (H, W) float32 ndarray, the perceptual mask
    strength : float, luminance levels

    Examples
    --------
    >>> grid, m, strength = prepare_asset(np.full((128, 192, 3), 128, np.uint8))
    >>> grid, m.shape, strength > 0
    ((7, 11), (128, 192), True)
    """
    grid = carrier.grid_for(original.shape[:2], cells=cells, min_cell_px=min_cell_px)
    m = mask.perceptual_mask(original)
    strength = embed.strength_for_psnr(geometry.reference(original, moved), grid, m, target_psnr=target_psnr)
    return grid, m, strength


@dataclass
class _LeaktraceAsset:
    original: np.ndarray
    grid: tuple[int, int]
    mask: np.ndarray
    strength: float
    signs: np.ndarray  # n k
    fresh: np.ndarray | None  # m k
    view: views.OriginalView | None = None  # described once per asset, as the product does
    geometry: geometry.Geometry | None = None
    geometric_signs: np.ndarray | None = None  # n 2kg
    geometric_fresh: np.ndarray | None = None  # m 2kg


class LeaktraceMethod:
    """leaktrace itself: informed spread spectrum, registration onto the original, the bound."""

    name = "leaktrace"
    registration = "own (informed)"

    def __init__(self, *, target_psnr: float = DEFAULT_TARGET_PSNR, extra_innocents: int = 0, geometric: bool = True):
        self.target_psnr = target_psnr
        self.extra_innocents = extra_innocents
        self.geometric = geometric

    def prepare(self, original, asset_ref, n_recipients, *, seed):
        master = np.random.default_rng(seed + 1).bytes(32)
        geo = geometry.choose(original) if self.geometric else None
        grid, m, strength = prepare_asset(original, target_psnr=self.target_psnr, moved=geo)
        k = grid[0] * grid[1]
        signs = keys.signs_matrix(master, asset_ref, [f"recipient-{i}" for i in range(n_recipients)], k)  # n k
        fresh = None
        if self.extra_innocents:
            refs = [f"x{i}" for i in range(self.extra_innocents)]
            fresh = keys.signs_matrix(master, asset_ref + "/never-shared", refs, k)  # m k
        view = views.describe_original(original, mask=m)
        view = views.OriginalView(view.shape, view.work, view.work_matrix, view.levels, align.registration_features(view))
        asset = _LeaktraceAsset(original, grid, m, strength, signs, fresh, view)
        if geo is not None:
            refs = [f"recipient-{i}" for i in range(n_recipients)]
            asset.geometry = geo
            asset.geometric_signs = keys.signs_matrix(master, asset_ref, refs, geo.k, carrier="geometric")  # n 2kg
            if self.extra_innocents:
                fresh_refs = [f"x{i}" for i in range(self.extra_innocents)]
                asset.geometric_fresh = keys.signs_matrix(master, asset_ref + "/never-shared", fresh_refs, geo.k, carrier="geometric")
        return asset

    def embed(self, asset, recipient):
        return embed.embed(self.displaced(asset, recipient), asset.signs[recipient], strength=asset.strength, grid=asset.grid, mask=asset.mask)

    def displaced(self, asset, recipient) -> np.ndarray:
        """The original moved by ``recipient``'s geometric field, before the luminance mark: the reference of that mark's own quality.

        The copy's PSNR against the original mostly measures the sub-pixel shifts of the edges
        (invisible, tens of levels on a line's edge pixels); against this image it measures the
        luminance mark alone. The original itself when the asset has no geometric carrier.
        """
        if asset.geometry is None:
            return asset.original
        return geometry.displace(asset.original, asset.geometric_signs[recipient], asset.geometry)

    def identify(self, asset, leak, *, epsilon):
        geo = {}
        if asset.geometry is not None:
            geo = {"geometric_grid": asset.geometry.grid, "geometric_signs": asset.geometric_signs}
        v = verdict.examine(views.describe_leak(leak), asset.view, asset.signs, grid=asset.grid, epsilon=epsilon, **geo)
        if v is None:
            return None
        null = _null_scores(v, asset.signs, asset.geometric_signs)  # h·m n
        if asset.fresh is not None:
            null = np.concatenate([null, _null_scores(v, asset.fresh, asset.geometric_fresh)], axis=1)
        return Identification(accused=v.accused, scores=v.scores, null_scores=null)


def _null_scores(v: verdict.Verdict, signs: np.ndarray, geometric_signs: np.ndarray | None) -> np.ndarray:
    """Every statistic of every row of ``signs`` under every alignment: (h·m, N), each ~N(0, 1) for an innocent."""
    luminance = np.stack([detect.scores(signs, y) for y in v.projections])  # h n
    if v.geometric_projections is None or geometric_signs is None:
        return luminance
    moved = np.stack([detect.scores(geometric_signs, g) for g in v.geometric_projections])  # h n
    outlined = np.stack([detect.scores(geometric_signs, o) for o in v.outline_projections])  # h n
    return np.concatenate([luminance, moved, outlined, verdict.combined(luminance, moved)])


#: Built-in methods by name (the bench adds the peers to its own copy).
METHODS: dict[str, Callable[..., Method]] = {"leaktrace": LeaktraceMethod}
