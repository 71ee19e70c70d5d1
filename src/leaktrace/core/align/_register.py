"""Hypotheses of where the leak sits, and the choice among them by image agreement only.

Private to :mod:`leaktrace.core.align` (see its docstring for the pipeline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2  # noqa: F401  (used by the doctests)
import numpy as np

from ...records import Alignment
from ..views import LeakView, OriginalView, describe_leak, describe_original
from ._features import VERSION as _FEATURES_VERSION
from ._features import detect_original, feature_hypotheses
from ._images import agreement, fit_side, flip_matrix, level_residual, local_scale, resize_to, scale_matrix
from ._refine import refine
from ._search import frame_hypotheses, rotated_hypotheses, search_hypotheses
from ._warp import agreeing, footprint, shrunk, valid_mask

__all__ = ["register", "register_all", "registration_features", "RegistrationFeatures", "features_version", "MIN_AGREEMENT", "MIRROR_MARGIN"]

#: Below this agreement register() returns None. Measured on the test scenarios: true
#: leaks of photos and drawings score ≥ 0.91 (lowest: a drawing behind a 12 % overlay
#: bar), unrelated images against photo or drawing originals ≤ 0.44 (chelsea vs the
#: drawing, mirrored). Against a SMOOTH original (render, gradients) unrelated images
#: reached 0.77: there agreement cannot tell a match from a fit (a wrong registration
#: then yields innocent-like scores: a miss, never a false accusation).
MIN_AGREEMENT = 0.5
#: A mirrored hypothesis must beat the best unmirrored one by this much.
MIRROR_MARGIN = 0.1
#: Run the feature-free search unless some feature hypothesis has ≥ WEAK_INLIERS inliers
#: and agreement ≥ WEAK_AGREEMENT after the quick ECC. (The full-frame hypothesis alone
#: is no reason to skip it: on smooth content its ECC can stop short of a crop.)
WEAK_AGREEMENT = 0.75
WEAK_INLIERS = 25
#: Agreements closer than this are a tie, broken by the level residual (see ``_better``):
#: per-tile correlation is blind to a ramp's shift, so on gradients, slats and tiny smooth
#: leaks wrong fits came within 0.0006–0.005 of the right one (measured).
TIE = 0.01
#: Within a tie, level residuals differing by less than this fraction are a tie too (on a
#: drawing most of the footprint is paper, whose residual says little about the lines).
RESIDUAL_MARGIN = 0.1
#: Leak side (pixels) at which hypotheses are scored.
SCORE_SIDE = 512
#: Template side (pixels) of the quick ECC used to rank hypotheses, and of the final ECC.
QUICK_SIDE = 320
FINE_SIDE = 1024
#: Feature hypotheses per mirror side that get the quick ECC.
QUICK_PER_SIDE = 2


class _Scorer:
    """Agreement and level residual of hypotheses at ``SCORE_SIDE``; the original is
    pre-shrunk to the leak's scale (one cached copy per eighth of an octave) so thin lines
    do not alias."""

    def __init__(self, original: np.ndarray, leak: np.ndarray):
        self.original = original
        self.small, self.ml = fit_side(leak, SCORE_SIDE)
        self.cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.mask_images = shrunk(original)  # what _weight compares, made once

    def _frame(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hs = self.ml @ h
        s = local_scale(hs, self.original.shape)
        if s < 0.8:
            key = int(np.floor(8 * np.log2(s)))
            if key not in self.cache:
                self.cache[key] = resize_to(self.original, 2.0 ** ((key + 1) / 8))
            o_small, mo = self.cache[key]
            return hs @ np.linalg.inv(mo), o_small
        return hs, self.original

    def __call__(self, h: np.ndarray) -> float:
        hs, o_small = self._frame(h)
        return agreement(hs, o_small, self.small)

    def residual(self, h: np.ndarray) -> float:
        hs, o_small = self._frame(h)
        return level_residual(hs, o_small, self.small)


class _Hypothesis:
    __slots__ = ("h", "mirrored", "inliers", "method", "agreement", "_residual")

    def __init__(self, h, mirrored, inliers, method):
        self.h, self.mirrored, self.inliers, self.method = h, mirrored, inliers, method
        self.agreement = -1.0
        self._residual = None

    def residual(self, score: _Scorer) -> float:
        if self._residual is None:
            self._residual = score.residual(self.h)
        return self._residual


def _better(a: _Hypothesis, b: _Hypothesis, score: _Scorer) -> bool:
    """``a`` fits better than ``b``: clearly higher agreement; within ``TIE``, a clearly
    smaller level residual (by ``RESIDUAL_MARGIN``); else the higher agreement. Image
    content only, never a recipient's score."""
    if abs(a.agreement - b.agreement) > TIE:
        return a.agreement > b.agreement
    ra, rb = a.residual(score), b.residual(score)
    if min(ra, rb) < np.inf and abs(ra - rb) > RESIDUAL_MARGIN * min(ra, rb):
        return ra < rb
    return a.agreement > b.agreement


def _best(hyps, score: _Scorer) -> _Hypothesis | None:
    best = None
    for hy in sorted(hyps, key=lambda h: -h.agreement):
        if best is None or _better(hy, best, score):
            best = hy
    return best


def _quick(hyps: list[_Hypothesis], original: np.ndarray, leak: np.ndarray, score: _Scorer) -> list[_Hypothesis]:
    """Score raw hypotheses, quick-refine the promising ones (``QUICK_PER_SIDE`` per
    mirror side, plus every non-feature one), and re-score them."""
    for hy in hyps:
        hy.agreement = score(hy.h)
    chosen: list[_Hypothesis] = []
    for mirrored in (False, True):
        side = sorted((h for h in hyps if h.mirrored == mirrored), key=lambda h: -h.agreement)
        feats = [h for h in side if h.method == "features"][:QUICK_PER_SIDE]
        chosen += feats + [h for h in side if h.method != "features"]
    for hy in chosen:
        _refined(hy, score, original, leak, max_side=QUICK_SIDE, iterations=20, eps=1e-5)
    return chosen


def _refined(hy: _Hypothesis, score: _Scorer, original: np.ndarray, leak: np.ndarray, **ecc) -> None:
    """Refine ``hy`` by ECC in place, unless the result fits worse (on smooth content ECC
    can slide off an exact start along a ramp or slats, or be pulled by an occluder)."""
    moved = _Hypothesis(
        refine(hy.h, original, leak, weight=_weight(hy.h, original, leak, score.mask_images), **ecc), hy.mirrored, hy.inliers, hy.method
    )
    moved.agreement = score(moved.h)
    if _better(moved, hy, score):
        hy.h, hy.agreement, hy._residual = moved.h, moved.agreement, moved._residual


def _weight(h: np.ndarray, original: np.ndarray, leak: np.ndarray, small=None):
    """Where ``h`` already agrees (for a robust ECC: stickers, overlays left out), or None
    when that is under half of what the leak covers (``h`` is still far off)."""
    good, m = agreeing(original, leak, h, small=small)
    covered = footprint(leak.shape, h @ np.linalg.inv(m), good.shape)
    return (good, m) if good.sum() >= 0.5 * covered.sum() > 0 else None


def _pick(hyps: list[_Hypothesis], score: _Scorer) -> _Hypothesis | None:
    """Best unmirrored, unless the best mirrored one agrees clearly better."""
    plain = _best([h for h in hyps if not h.mirrored], score)
    flipped = _best([h for h in hyps if h.mirrored], score)
    if plain is None:
        return flipped
    if flipped is not None and flipped.agreement > plain.agreement + MIRROR_MARGIN:
        return flipped
    return plain


@dataclass(frozen=True, eq=False)
class RegistrationFeatures:
    """An original's registration features, computed once per asset (see :func:`registration_features`).

    Attributes
    ----------
    points : (n, 2) float32 ndarray
        Keypoints (x, y) at the feature scale.
    descriptors : (n, 128) uint8 ndarray
        SIFT descriptors (OpenCV's are integer-valued: uint8 loses nothing).
    matrix : (3, 3) float64 ndarray
        The original's working-scale (x, y) → feature scale (x, y).
    shape : (H, W)
        The original's full-resolution shape.
    version : str
        What computed them (detector settings and working scale); features of another
        version or shape are ignored by :func:`register_all`.
    """

    points: np.ndarray
    descriptors: np.ndarray
    matrix: np.ndarray
    shape: tuple[int, int]
    version: str


def features_version(max_side: int = 1600) -> str:
    """The :attr:`RegistrationFeatures.version` that :func:`register_all` at ``max_side`` uses.

    Examples
    --------
    >>> features_version().startswith("sift-")
    True
    """
    return f"{_FEATURES_VERSION}-{max_side}"


def registration_features(original: np.ndarray, *, max_side: int = 1600) -> RegistrationFeatures:
    """The original's side of the feature matching in :func:`register_all`, to cache per asset.

    Parameters
    ----------
    original : (H, W) or (H, W, 3) uint8 ndarray
    max_side : int, pixels
        As passed to :func:`register_all`.

    Returns
    -------
    RegistrationFeatures

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> original = cv2.GaussianBlur(rng.integers(0, 256, (200, 240), np.uint8), (0, 0), 3)
    >>> f = registration_features(original)
    >>> f.shape, f.descriptors.dtype, f.points.shape[1]
    ((200, 240), dtype('uint8'), 2)
    """
    view = _original_view(original, max_side)
    points, desc, matrix = detect_original(view.work)
    desc = np.zeros((0, 128), np.uint8) if desc is None else desc.astype(np.uint8)
    return RegistrationFeatures(points, desc, matrix, view.shape, features_version(max_side))


def _original_view(original: np.ndarray | OriginalView, max_side: int) -> OriginalView:
    view = describe_original(original, max_side=max_side, levels=False)
    if max(view.work.shape) > max_side or (max(view.shape) > max_side and max(view.work.shape) < max_side - 1):
        raise ValueError(f"the original was described at another working side than {max_side} px")
    return view


def _leak_view(leak: np.ndarray | LeakView, max_side: int) -> LeakView:
    view = describe_leak(leak, max_side=max_side)
    if max(view.work.shape) > max_side or (max(view.shape) > max_side and max(view.work.shape) < max_side - 1):
        raise ValueError(f"the leak was described at another working side than {max_side} px")
    return view


def _usable(features: RegistrationFeatures | None, original: OriginalView, max_side: int) -> RegistrationFeatures:
    if features is not None and features.version == features_version(max_side) and tuple(features.shape) == tuple(original.shape):
        return features
    return registration_features(original, max_side=max_side)


def register(leak: np.ndarray, original: np.ndarray, *, max_side: int = 1600) -> Alignment | None:
    """Find where ``leak`` sits on ``original``.

    Parameters
    ----------
    leak : (h, w) or (h, w, 3) uint8 ndarray
        The image found outside (RGB when colour).
    original : (H, W) or (H, W, 3) uint8 ndarray
        The asset it is suspected to come from.
    max_side : int, pixels
        Both images are worked at this longest side at most (speed); the homography is
        returned in full-resolution pixels.

    Returns
    -------
    Alignment or None
        ``None`` when no hypothesis agrees credibly (``agreement < MIN_AGREEMENT``):
        no evidence, never a guess.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> original = cv2.GaussianBlur(rng.integers(0, 256, (200, 240), np.uint8), (0, 0), 3)
    >>> leak = cv2.resize(original, (180, 150), interpolation=cv2.INTER_AREA)
    >>> a = register(leak, original)
    >>> a.mirrored, np.allclose(a.homography[:2, :2], np.diag([0.75, 0.75]), atol=0.01)
    (False, True)
    """
    alignments = register_all(leak, original, max_side=max_side)
    return alignments[0] if alignments else None


def register_all(
    leak: np.ndarray | LeakView,
    original: np.ndarray | OriginalView,
    *,
    max_side: int = 1600,
    features: RegistrationFeatures | None = None,
    hints: Sequence[tuple[np.ndarray, bool, int]] = (),
) -> list[Alignment]:
    """Every credible alignment, best first: one, or two when the image cannot tell.

    A mirror-symmetric drawing (front and rear bumpers that mirror each other) agrees
    almost equally well with the leak plain and mirrored. When the runner-up of the other
    mirror side agrees within ``MIRROR_MARGIN`` of the best, both are returned, and the
    caller tests both and pays for it in the bound (a union over hypotheses). Chosen on
    image agreement only.

    Parameters
    ----------
    leak, original, max_side
        As in :func:`register`.
    features : RegistrationFeatures, optional
        :func:`registration_features` of ``original`` (cached per asset: saves one SIFT
        run per trace). Ignored, and recomputed, when of another version or shape; the
        result is the same either way.
    hints : sequence of (homography, mirrored, inliers), optional
        Feature hypotheses found elsewhere (the asset search's verified homography,
        ORIGINAL → LEAK in full-size pixels): refined and chosen like every other
        hypothesis, on image agreement only.

    Returns
    -------
    list of Alignment
        Empty when nothing agrees credibly (``agreement < MIN_AGREEMENT``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> original = cv2.GaussianBlur(rng.integers(0, 256, (200, 240), np.uint8), (0, 0), 3)
    >>> [a.mirrored for a in register_all(original[:, ::-1].copy(), original)]
    [True]
    """
    lv, ov = _leak_view(leak, max_side), _original_view(original, max_side)
    o, so = ov.work, ov.work_matrix
    lk, sl = lv.work, lv.work_matrix
    (oh, ow), (lh, lw) = o.shape, lk.shape

    f = _usable(features if features is not None else ov.features, ov, max_side)
    desc = f.descriptors.astype(np.float32) if len(f.descriptors) else None
    by_features = feature_hypotheses(o, lv.features, sl, original_features=(f.points, desc, f.matrix))
    hyps = [_Hypothesis(h, m, n, "features") for h, m, n in by_features]
    for h, m, n in hints:
        hw = sl @ np.asarray(h, float) @ np.linalg.inv(so)  # working scale → working scale
        if np.all(np.isfinite(hw)) and abs(hw[2, 2]) > 1e-12:
            hyps.append(_Hypothesis(hw / hw[2, 2], bool(m), int(n), "features"))
    full = scale_matrix(lw / ow, lh / oh)
    hyps += [_Hypothesis(full, False, 0, "full-frame"), _Hypothesis(flip_matrix(lw) @ full, True, 0, "full-frame")]
    score = _Scorer(o, lk)
    hyps = _quick(hyps, o, lk, score)
    strong_features = any(x.method == "features" and x.inliers >= WEAK_INLIERS and x.agreement >= WEAK_AGREEMENT for x in hyps)
    if not strong_features:
        found = [_Hypothesis(h, m, 0, "search") for h, m, _ in search_hypotheses(o, lk)]
        found += [_Hypothesis(h, m, 0, "frame") for h, m, _ in frame_hypotheses(o, lk)]
        found += [_Hypothesis(h, m, 0, "rotated") for h, m, _ in rotated_hypotheses(o, lk)]
        hyps += _quick(found, o, lk, score)

    # Final refinement of the best plain hypothesis, and of the best mirrored one unless
    # it is clearly behind (it may win, or tie with a symmetric image's plain one).
    plain = _pick([x for x in hyps if not x.mirrored], score)
    flipped = _pick([x for x in hyps if x.mirrored], score)
    finalists = [x for x in (plain, flipped) if x is not None]
    if plain is not None and flipped is not None and flipped.agreement < plain.agreement - MIRROR_MARGIN:
        finalists = [plain]
    for hy in finalists:
        _refined(hy, score, o, lk, max_side=FINE_SIDE, iterations=30, coarse_side=QUICK_SIDE)
    best = _pick(finalists, score)
    if best is None or best.agreement < MIN_AGREEMENT:
        return []
    chosen = [best] + [x for x in finalists if x is not best and x.agreement >= max(best.agreement - MIRROR_MARGIN, MIN_AGREEMENT)]
    out = []
    for hy in chosen:
        h = np.linalg.inv(sl) @ hy.h @ so
        h = h / h[2, 2]
        mask = valid_mask(lv, ov, h)
        out.append(
            Alignment(
                homography=h,
                valid_mask=mask,
                mirrored=bool(hy.mirrored),
                inliers=int(hy.inliers),
                coverage=float(mask.mean()),
                agreement=float(hy.agreement),
                method=hy.method,
            )
        )
    return out
