"""The verdict of a trace: every recipient tested under every credible alignment, one bound.

When the image cannot tell between alignments (a mirror-symmetric drawing, plain or
mirrored), each is tested and the bound pays for it: with h alignments and N
recipients, a recipient is accused only if h·N·exp(−T²/2) ≤ ε, where T is its best
score over the alignments (a union bound over h·N tests). The alignments were chosen
on image agreement before any signs were read, so the bound holds.

An asset with a geometric carrier (:mod:`leaktrace.core.geometry`) is tested with four
statistics per alignment, in this fixed order: the luminance carrier's T_l; the geometric
carrier's T_g, measured on grey levels; the geometric carrier measured on the strokes' outlines,
T_o (:func:`leaktrace.core.geometry.project_outlines`: a redraw or a threshold that changes the
stroke width breaks the grey-level model, not the outlines); and the two carriers as one,
T_c = (T_l + T_g)/√2 (the two unit projections concatenated and scaled to unit norm, against the
recipient's two sign vectors: still a Rademacher sum with unit weight norm). Each is bounded by
exp(−T²/2) for an innocent; the union bound pays m = 4: h·m·N tests. Why four and not only
T_c: which carrier, and which view of it, a leak kept is not known before the scores (a 1-bit
clean-up wipes the luminance carrier, a blur weakens the geometric one, a JPEG blurs outlines),
and a fixed combination loses a factor √2 when one is gone, while paying for four tests raises
the threshold by 0.24 (5.76 → 6.00 for 16 recipients at ε = 1e-6).

A document page whose copies shift its words (:mod:`leaktrace.core.words`) is tested on two more
statistics, :data:`WORD_STATISTICS`, after the others: the word-shift carrier's T_w against the
recipients' word signs, and the line positions and the words as one, (T_g + T_w)/√2 (as T_c). A
text page's line field is a few dozen independent moves and its words are hundreds; a drawing's
labels are about as many moves as its strokes carry, so the two together score √2 higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Alignment
from . import align, bound, detect, geometry
from . import words as word_carrier
from .strokes import StrokeMap
from .strokes import project as project_strokes
from .views import Frame, LeakView, OriginalView, describe_leak, describe_original, frame_for
from .words import WordMap


@dataclass(frozen=True)
class Verdict:
    """Scores and accusations of one trace.

    Attributes
    ----------
    scores : (N,) float64 ndarray
        Each recipient's T, the best over the alignments and statistics tested.
    p_values : (N,) float64 ndarray
        Bound on the probability that an innocent scores that high: min(1, h·m·exp(−T²/2)), m the statistics per alignment.
    accused : (N,) bool ndarray
    n_tests : int
        h·m·N, the number of tests the bound covers (h alignments, m statistics, N recipients).
    threshold : float
        The score an accusation needs, √(2 ln(h·m·N/ε)).
    projections : (h, K) float64 ndarray
        The recovered luminance projection y under each alignment (for empirical checks).
    alignments : tuple of Alignment
        The alignments tested, best first (chosen on image agreement, before any score).
    statistics : tuple of str
        The statistics tested per alignment: ``("luminance",)``, :data:`STATISTICS` for an asset with a
        geometric carrier, or :data:`GEOMETRIC_STATISTICS` for one whose copies carry no luminance mark.
    statistic_scores : (m, N) float64 ndarray
        Each recipient's best score per statistic (over the alignments).
    geometric_projections : (h, 2·gy·gx) float64 ndarray or None
        The recovered geometric projection under each alignment (grey levels).
    outline_projections : (h, 2·gy·gx) float64 ndarray or None
        The recovered geometric projection under each alignment (outlines).
    word_projections : (h, n) float64 ndarray or None
        The word-shift weights under each alignment (a document page's words).
    """

    scores: np.ndarray
    p_values: np.ndarray
    accused: np.ndarray
    n_tests: int
    threshold: float
    projections: np.ndarray
    alignments: tuple = ()
    statistics: tuple = ("luminance",)
    statistic_scores: np.ndarray | None = None
    geometric_projections: np.ndarray | None = None
    outline_projections: np.ndarray | None = None
    word_projections: np.ndarray | None = None

    @property
    def best_statistic(self) -> tuple:
        """Per recipient, the statistic its score came from."""
        if self.statistic_scores is None:
            return tuple(self.statistics[0] for _ in self.scores)
        return tuple(self.statistics[i] for i in np.argmax(self.statistic_scores, axis=0))


#: The statistics of an asset with a geometric carrier, in the order they are tested and stored.
STATISTICS = ("luminance", "geometric", "outline", "combined")
#: Those of an asset whose copies carry no luminance mark (a document page without images): its
#: luminance projection is noise and the combined statistic half of the geometric one, so neither is tested.
GEOMETRIC_STATISTICS = ("geometric", "outline")
#: Appended to either for a page whose copies shift its words.
WORD_STATISTICS = ("words", "geometric+words")


def combined(luminance_scores: np.ndarray, geometric_scores: np.ndarray) -> np.ndarray:
    """T_c = (T_l + T_g)/√2: both carriers' unit projections as one, a unit-norm Rademacher sum
    (the signs of two carriers are independent: their concatenation is one sign vector).

    Examples
    --------
    >>> combined(np.array([3.0, 0.0]), np.array([4.0, 0.0])).round(3).tolist()
    [4.95, 0.0]
    """
    return (np.asarray(luminance_scores, float) + np.asarray(geometric_scores, float)) / np.sqrt(2.0)


def detection_frame(original: OriginalView, alignment: Alignment, leak_shape: tuple[int, int]) -> Frame:
    """Where the leak of ``alignment`` is tested: the window of the original under its valid
    region, at the leak's own resolution there (never finer than the original's).

    The cost of a test then follows the leak, not the original: a 2 MP leak of a 30 MP
    drawing is tested on about 2 MP. Chosen from the alignment's geometry only.
    """
    valid = np.asarray(alignment.valid_mask, bool)
    hh, ww = original.shape
    vh, vw = valid.shape[:2]
    ys, xs = np.nonzero(valid)
    if ys.size == 0:
        box = (0.0, 0.0, ww - 1.0, hh - 1.0)
    else:
        sx, sy = ww / vw, hh / vh  # valid-grid pixel → original pixels
        box = (xs.min() * sx, ys.min() * sy, (xs.max() + 1) * sx - 1, (ys.max() + 1) * sy - 1)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    scale = align.local_scale(np.asarray(alignment.homography, float), original.shape, at=centre)
    return frame_for(original, box, min(1.0, scale) if np.isfinite(scale) and scale > 0 else 1.0)


def recover(
    leak: LeakView,
    original: OriginalView,
    alignment: Alignment,
    *,
    grid: tuple[int, int],
    geometric_grid: tuple[int, int] | None = None,
    strokes: StrokeMap | None = None,
    words: WordMap | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """The projections (luminance; geometric on grey levels and on outlines, or None; word shifts,
    or None) of the leak under one alignment, tested in :func:`detection_frame`: one warp and one
    photometric fit for all. With ``strokes`` (a document page's), the geometric projections go
    through its strokes (:func:`leaktrace.core.strokes.project`) instead of the basis at each
    pixel; with ``words``, the word shifts are measured on the same linearised leak."""
    frame = detection_frame(original, alignment, leak.shape)
    h = np.asarray(alignment.homography, float) @ np.linalg.inv(frame.matrix)  # frame → leak
    warped, _ = align.warp_leak(leak.luma, h, frame.shape)
    valid = align.valid_in_frame(alignment.valid_mask, original.shape, frame.matrix, frame.shape, leak.shape, alignment.homography)
    res = detect.residual(warped, frame.luma, valid)
    where = {"rows": frame.rows, "cols": frame.cols, "density": frame.density}
    y = detect.project_residual(res, grid=grid, mask=frame.mask, **where)
    if geometric_grid is None:
        return y, None, None, None
    through = None
    moved = None
    to_reference = np.linalg.inv(frame.matrix)
    if strokes is not None:

        def through(fields):
            return project_strokes(fields, strokes, geometric_grid, reference_shape=original.shape, to_reference=to_reference)

    if words is not None:
        moved = np.zeros(words.n)
        if res.valid.any():
            moved = word_carrier.project(geometry.linearised(res.leak_y, res.predicted_y, res.valid), words, to_reference=to_reference)
    grey = geometry.project(res.leak_y, res.predicted_y, res.valid, geometric_grid, through=through, **where)
    return y, grey, geometry.project_outlines(res.leak_y, frame.luma, res.valid, geometric_grid, through=through, **where), moved


def judge(
    leak: np.ndarray | LeakView,
    original: np.ndarray | OriginalView,
    alignments: Sequence[Alignment],
    signs: np.ndarray,
    *,
    grid: tuple[int, int],
    epsilon: float,
    mask: np.ndarray | None = None,
    geometric_grid: tuple[int, int] | None = None,
    geometric_signs: np.ndarray | None = None,
    strokes: StrokeMap | None = None,
    luminance: bool = True,
    words: WordMap | None = None,
    word_signs: np.ndarray | None = None,
) -> Verdict:
    """Test every recipient (rows of ``signs``) under every alignment, with one family-wise bound.

    Parameters
    ----------
    leak : (h, w, 3) uint8 ndarray or LeakView
    original : (H, W, 3) uint8 ndarray or OriginalView
    alignments : non-empty sequence of Alignment, chosen without looking at any score
    signs : (N, K) int8 ndarray of ±1
    grid : (gy, gx), the asset's carrier grid, gy·gx = K
    epsilon : float, family-wise false-accusation bound
    mask : (H, W) float32 perceptual mask of the original, when ``original`` is an array
        (default: computed from it)
    geometric_grid : (gy, gx), optional
        The asset's geometric grid, when it has a geometric carrier.
    geometric_signs : (N, 2·gy·gx) int8 ndarray of ±1, optional
        The recipients' geometric signs (same rows as ``signs``).
    strokes : StrokeMap, optional
        A document page's strokes on the original (its copies move control points, not pixels).
    luminance : bool
        False for an asset whose copies carry no luminance mark: only :data:`GEOMETRIC_STATISTICS` are
        tested (fixed by the asset, before any score).
    words : WordMap, optional
        A document page's located words (its copies shift them): :data:`WORD_STATISTICS` are tested too.
    word_signs : (N, n) int8 ndarray of ±1, optional
        The recipients' word signs (same rows as ``signs``), with ``words``.

    Examples
    --------
    >>> import numpy as np
    >>> from leaktrace.core import embed, keys, mask as mask_mod
    >>> rng = np.random.default_rng(1)
    >>> original = (rng.random((128, 128, 3)) * 255).astype(np.uint8)
    >>> signs = keys.signs_matrix(bytes(32), "a", ["r0", "r1", "r2"], 64)
    >>> copy = embed.embed(original, signs[1], strength=2.0, grid=(8, 8))
    >>> a = align.register(copy, original)
    >>> v = judge(copy, original, [a], signs, grid=(8, 8), mask=np.ones((128, 128), np.float32), epsilon=1e-6)
    >>> v.accused.tolist(), v.n_tests
    ([False, True, False], 3)
    """
    if not alignments:
        raise ValueError("judge needs at least one alignment")
    if (geometric_grid is None) != (geometric_signs is None):
        raise ValueError("geometric_grid and geometric_signs go together")
    if (words is None) != (word_signs is None) or (words is not None and geometric_grid is None):
        raise ValueError("words and word_signs go together, on an asset with a geometric carrier")
    lv = describe_leak(leak)
    ov = describe_original(original, mask=mask)
    both = [recover(lv, ov, a, grid=grid, geometric_grid=geometric_grid, strokes=strokes, words=words) for a in alignments]
    ys = np.stack([y for y, _, _, _ in both])  # h k
    if not luminance and geometric_grid is None:
        raise ValueError("an asset without a luminance mark needs its geometric carrier")
    lum_scores = np.stack([detect.scores(signs, y) for y in ys])  # h n
    if geometric_grid is None:
        statistics, per_statistic, geometric, outlines = ("luminance",), lum_scores[None], None, None
    else:
        geometric = np.stack([g for _, g, _, _ in both])  # h 2kg
        outlines = np.stack([o for _, _, o, _ in both])  # h 2kg
        moved = np.stack([detect.scores(geometric_signs, g) for g in geometric])  # h n
        outlined = np.stack([detect.scores(geometric_signs, o) for o in outlines])  # h n
        if luminance:
            statistics = STATISTICS
            per_statistic = np.stack([lum_scores, moved, outlined, combined(lum_scores, moved)])  # m h n
        else:
            statistics = GEOMETRIC_STATISTICS
            per_statistic = np.stack([moved, outlined])  # m h n
    shifted = None
    if words is not None:
        shifted = np.stack([w for _, _, _, w in both])  # h n_words
        statistics = (*statistics, *WORD_STATISTICS)
        word_scores = np.stack([detect.scores(word_signs, w) for w in shifted])  # h n
        per_statistic = np.concatenate([per_statistic, np.stack([word_scores, combined(moved, word_scores)])])
    m, h, n = per_statistic.shape
    best = per_statistic.max(axis=1)  # m n
    scores = best.max(axis=0)  # n
    tests = h * m * n
    return Verdict(
        scores=scores,
        p_values=np.minimum(1.0, h * m * bound.p_bound(scores)),
        accused=bound.accuse(scores, tests, epsilon),
        n_tests=tests,
        threshold=bound.threshold(tests, epsilon),
        projections=ys,
        alignments=tuple(alignments),
        statistics=statistics,
        statistic_scores=best,
        geometric_projections=geometric,
        outline_projections=outlines,
        word_projections=shifted,
    )


def examine(
    leak: np.ndarray | LeakView,
    original: np.ndarray | OriginalView,
    signs: np.ndarray,
    *,
    grid: tuple[int, int],
    epsilon: float,
    alignments: Sequence[Alignment] | None = None,
    geometric_grid: tuple[int, int] | None = None,
    geometric_signs: np.ndarray | None = None,
    strokes: StrokeMap | None = None,
    luminance: bool = True,
    words: WordMap | None = None,
    word_signs: np.ndarray | None = None,
) -> Verdict | None:
    """Register the leak onto the original (unless ``alignments`` are given), then :func:`judge`.

    The one path from a described leak and asset to a verdict: the product's trace, the
    evaluation API and the benchmark all go through it. ``None`` when the leak cannot be
    aligned (no evidence, never a guess).
    """
    lv = describe_leak(leak)
    ov = describe_original(original)
    if alignments is None:
        alignments = align.register_all(lv, ov)
    if not alignments:
        return None
    return judge(
        lv,
        ov,
        alignments,
        signs,
        grid=grid,
        epsilon=epsilon,
        geometric_grid=geometric_grid,
        geometric_signs=geometric_signs,
        strokes=strokes,
        luminance=luminance,
        words=words,
        word_signs=word_signs,
    )
