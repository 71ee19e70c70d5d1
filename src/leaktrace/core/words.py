"""The word-shift carrier of a text page: where each word is, and how far a leak shows it moved.

A document copy moves word j of a page along its baseline by a·s_j (:mod:`leaktrace.documents._words`;
s the recipient's word signs, one per word in content order). On the page's reference rendering
the words are found from the original alone: the viewer's characters (PDFium's, with their
boxes), cut at white space into words, each given to the line whose origin starts it; a line's
words are matched to the copy's words of that line when both count the same number (otherwise
the line is left out: power lost, never the bound).

The leak's horizontal shift of word j is measured by least squares on the linearised leak
(:class:`leaktrace.core.geometry.Linearised`): x_j = Σ −w·R·∂P/∂x / Σ w·(∂P/∂x)² over the word's
pixels. Its line's own move (the field's) is common to its words, so each line's weighted mean
is taken off (a word alone on its line is measured against the words around it, :func:`_around`); the statistic's weights are c_j = (x_j − x̄_line)·√(Σ w·(∂P/∂x)²) (each word's
shift in units of its own noise: a word's shift, not its length, carries the mark; measured
equal or better than weights by the squared gradient's sum on renders, print-and-scan and phone
photos), clipped at :data:`CLIP` robust deviations. c is a function of the leak, the original and the original's words
only, never a recipient's signs, so T = ⟨s, c⟩/‖c‖ is a Rademacher sum for an innocent and keeps
the bound of :mod:`leaktrace.core.bound`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .strokes import on_frame

__all__ = ["MIN_LOCATED", "WordMap", "locate", "project"]

#: Most words (and 16× as many characters) a page's words are located for: a page of more (a hostile
#: file's millions of one-letter strings) is tested on its lines only, and its trace stays seconds.
MAX_WORDS = 20_000

#: Fewest located words a page's trace tests the word shifts on: T_w ≤ √(words seen), and below
#: about 40 it could not reach a threshold (6 for 16 recipients at ε = 1e-6).
MIN_LOCATED = 40

#: A word alone on its line (a drawing's label) is measured against the other words within this
#: fraction of the page's larger side (an inch on an A3 sheet: the field a copy moves lines by is
#: smooth over several), when at least :data:`MIN_NEAR` are; otherwise it is left out.
NEAR = 0.06
MIN_NEAR = 3

#: Weights beyond this many robust deviations (1.4826·MAD) are clipped: a word the leak lost or
#: misregistered would otherwise weigh as much as many the leak kept.
CLIP = 3.0


@dataclass(frozen=True)
class WordMap:
    """The located words of a page on its reference rendering.

    Attributes
    ----------
    label : (H, W) int32 ndarray
        Index into ``index`` of the word drawn at each pixel, −1 where none.
    index : (M,) int64 ndarray
        Each located word's number in the page's content order (its sign's index).
    line : (M,) int64 ndarray
        Its line (a line origin's point index).
    n : int
        The page's words in content order (the length of a recipient's word signs).
    centre : (M, 2) float64 ndarray, pixels (col, row), optional
        Each located word's box centre.
    """

    label: np.ndarray
    index: np.ndarray
    line: np.ndarray
    n: int
    centre: np.ndarray | None = None

    @property
    def located(self) -> int:
        return int(self.index.size)


def locate(
    origins: np.ndarray,
    word_lines: np.ndarray,
    movable: np.ndarray,
    chars: str,
    boxes: np.ndarray,
    shape: tuple[int, int],
    *,
    slack_px: float = 2.0,
    pad_px: int = 1,
) -> WordMap:
    """Find the page's words on its rendering.

    Parameters
    ----------
    origins : (P, 2) float64 ndarray, pixels (col, row)
        The page's points; ``word_lines`` index into it (line origins, on their baselines).
    word_lines : (n,) int ndarray
        Each word's line, in content order (:attr:`leaktrace.documents.strokes.PageWalk.words`).
    movable : (n,) bool ndarray
        Whether a copy moves the word (its baseline runs along the rendering's rows).
    chars : str
        The viewer's characters of the page, in its order (white space between words and lines).
    boxes : (len(chars), 4) float64 ndarray, pixels (x0, y0, x1, y1)
        Each character's box on the rendering.
    shape : (H, W) of the rendering

    Examples
    --------
    >>> origins = np.array([[10.0, 20.0], [10.0, 40.0]])  # two lines' origins
    >>> boxes = np.array([[10, 12, 14, 20], [15, 12, 19, 20], [19, 20, 20, 20], [23, 12, 27, 20], [0, 0, 0, 0], [10, 32, 14, 40.0]])
    >>> m = locate(origins, np.array([0, 0, 1]), np.ones(3, bool), "ab c\\nd", boxes, (50, 50))
    >>> m.index.tolist(), m.line.tolist(), int(m.label[16, 11]), int(m.label[16, 25]), int(m.label[36, 12])
    ([0, 1, 2], [0, 0, 1], 0, 1, 2)
    """
    h, w = int(shape[0]), int(shape[1])
    label = np.full((h, w), -1, np.int32)
    word_lines = np.asarray(word_lines, np.int64).reshape(-1)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    lines = np.unique(word_lines)
    if lines.size == 0 or len(chars) != boxes.shape[0] or word_lines.size > MAX_WORDS or len(chars) > 16 * MAX_WORDS:
        return WordMap(label, np.zeros(0, np.int64), np.zeros(0, np.int64), int(word_lines.size))
    at = np.asarray(origins, np.float64)[lines]  # L 2
    found: dict[int, list[np.ndarray]] = {}  # line → its words' boxes (x0 y0 x1 y1)
    for run in _runs(chars):
        box = np.concatenate([boxes[run].min(axis=0)[:2], boxes[run].max(axis=0)[2:]])
        band = (at[:, 1] >= box[1] - slack_px) & (at[:, 1] <= box[3] + slack_px) & (at[:, 0] <= box[0] + slack_px)
        if band.any():
            owner = lines[np.flatnonzero(band)[np.argmax(at[band, 0])]]  # the nearest origin to its left
            found.setdefault(int(owner), []).append(box)
    index, line, centre = [], [], []
    for k, seen in found.items():
        numbers = np.flatnonzero(word_lines == k)
        if len(seen) != numbers.size:
            continue
        for j, box in zip(numbers, sorted(seen, key=lambda b: b[0]), strict=True):
            if not movable[j] or not np.all(np.isfinite(box)):
                continue
            x0, y0 = int(np.floor(box[0])) - pad_px, int(np.floor(box[1])) - pad_px
            x1, y1 = int(np.ceil(box[2])) + pad_px, int(np.ceil(box[3])) + pad_px
            cv2.rectangle(label, (x0, y0), (x1, y1), len(index), thickness=-1)
            index.append(j)
            line.append(k)
            centre.append(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
    return WordMap(
        label, np.asarray(index, np.int64), np.asarray(line, np.int64), int(word_lines.size), np.asarray(centre, np.float64).reshape(-1, 2)
    )


def _runs(chars: str) -> list[np.ndarray]:
    """The runs of non-white-space characters: each an array of their positions."""
    runs, start = [], None
    for i, c in enumerate(chars + " "):
        if c.isspace():
            if start is not None:
                runs.append(np.arange(start, i))
                start = None
        elif start is None:
            start = i
    return runs


def _around(words: WordMap, num: np.ndarray, den: np.ndarray, seen: np.ndarray, alone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each word alone on its line (a drawing's label), the weighted mean shift of the other seen words
    within :data:`NEAR` of the page's larger side, and whether at least :data:`MIN_NEAR` were there."""
    mean, enough = np.zeros(num.shape), np.zeros(num.shape, bool)
    if words.centre is None or not alone.any() or seen.sum() < MIN_NEAR + 1:
        return mean, enough
    from scipy.spatial import cKDTree

    radius = NEAR * max(words.label.shape)
    others = np.flatnonzero(seen)
    tree = cKDTree(words.centre[others])
    for j in np.flatnonzero(alone):
        near = [i for i in others[tree.query_ball_point(words.centre[j], radius)] if i != j]
        if len(near) >= MIN_NEAR:
            mean[j], enough[j] = num[near].sum() / den[near].sum(), True
    return mean, enough


def project(parts, words: WordMap, *, to_reference: np.ndarray) -> np.ndarray:
    """The word-shift statistic's weights c (n,) from the linearised leak (zeros for words not seen).

    Parameters
    ----------
    parts : :class:`leaktrace.core.geometry.Linearised` on the detection frame
    words : WordMap of the reference rendering
    to_reference : (3, 3) float64 ndarray
        Frame pixel (x, y, 1) → reference pixel (x, y, 1) (a scale and a shift).
    """
    out = np.zeros(words.n)
    m = words.located
    if m == 0:
        return out
    labels = on_frame(words.label, parts.weight.shape, to_reference)
    on = (labels >= 0) & (parts.weight > 0)
    if not on.any():
        return out
    word = labels[on].astype(np.int64)
    wt = parts.weight[on].astype(np.float64)
    gx = parts.gradient_x[on].astype(np.float64)
    num = np.bincount(word, weights=-wt * parts.residual[on].astype(np.float64) * gx, minlength=m)
    den = np.bincount(word, weights=wt * gx * gx, minlength=m)
    seen = den > 0
    lines = np.unique(words.line, return_inverse=True)[1]
    line_num = np.bincount(lines, weights=np.where(seen, num, 0.0))
    line_den = np.bincount(lines, weights=den)
    mean = np.divide(line_num, line_den, out=np.zeros_like(line_num), where=line_den > 0)[lines]
    alone = seen & (np.bincount(lines, weights=seen.astype(np.float64))[lines] == 1)
    near, enough = _around(words, num, den, seen, alone)
    mean = np.where(alone, near, mean)
    seen = seen & (~alone | enough)
    c = np.where(seen, (num / np.where(seen, den, 1.0) - mean) * np.sqrt(den), 0.0)
    nonzero = np.abs(c[c != 0])
    if nonzero.size:
        limit = CLIP * 1.4826 * float(np.median(nonzero))
        c = np.clip(c, -limit, limit)
    out[words.index] = c
    return out
