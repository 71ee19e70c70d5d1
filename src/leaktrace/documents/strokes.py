"""A page's strokes as a copy moves them: every path's control points and its segments, in page points.

The detector of a document page projects the leak's displacement through the strokes
(:mod:`leaktrace.core.strokes`): it needs the same points :func:`._content.displace_page` moves,
found by the same walk of the page's content (its q/Q, cm, forms), and how they join into
segments (a line, a cubic Bézier, a rectangle's four sides, a closing line). Read from the
original document only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pikepdf

from ._content import IDENTITY, PAGE_TEXT_STATE, _inherited_resources, _Resources, _Walk

__all__ = ["PageWalk", "text_boxes", "walk_page"]


@dataclass(frozen=True)
class PageWalk:
    """What one walk of a page's content finds: the points a copy moves and how they join, in page points.

    Attributes
    ----------
    points : (P, 2) float64 ndarray, page points
        Every point a copy moves, in the order :func:`._content.displace_page` moves them.
    segments : (S, 4) int32 ndarray
        Cubic segments by their control points' indices (a line repeats its ends), in painting order.
    text : (P,) bool ndarray
        Which points are text line origins (no segment names them).
    images : tuple of (str, tuple)
        Every raster image drawn, forms included: (XObject name or ``"<inline>"``, CTM in page space).
    words : (n,) int64 ndarray
        Every word of the shown strings a copy can shift (:mod:`._words`), in content order: its line
        origin (an index into ``points``).
    word_axes : (n, 2) float64 ndarray
        Each word's baseline direction in page space (unit vectors).
    """

    points: np.ndarray
    segments: np.ndarray
    text: np.ndarray
    images: tuple
    words: np.ndarray
    word_axes: np.ndarray


def walk_page(pdf: pikepdf.Pdf, page: pikepdf.Page, *, max_operators: int = 2_000_000) -> PageWalk:
    """Walk ``page`` once (:class:`._content._Walk`: its q/Q, cm, forms and text state) and say what a copy moves.

    Examples
    --------
    >>> pdf = pikepdf.new(); page = pdf.add_blank_page(page_size=(200, 200))
    >>> page.obj.Contents = pdf.make_stream(b"10 10 m 100 10 l 100 50 l h S 20 20 30 40 re f")
    >>> w = walk_page(pdf, page)
    >>> len(w.points), w.segments.tolist()[:3], len(w.segments), int(w.text.sum())
    (7, [[0, 0, 1, 1], [1, 1, 2, 2], [2, 2, 0, 0]], 7, 0)
    """
    walk = _Walk(pdf, "page", max_operators)
    page_plan = walk.walk(walk.parse(page.obj), IDENTITY, PAGE_TEXT_STATE, _Resources(page.obj, _inherited_resources(page.obj)), 0)
    plans = [plan for _, plan, _ in walk.streams] + [page_plan]
    segments: list[tuple[int, int, int, int]] = []
    for plan in plans:
        _segments(plan, segments)
    points = np.asarray(walk.points, np.float64).reshape(-1, 2)
    axes = np.asarray(walk.word_axes, np.float64).reshape(-1, 3)[:, :2]
    return PageWalk(
        points, np.asarray(segments, np.int32).reshape(-1, 4), np.asarray(walk.text, bool), tuple(walk.images), np.asarray(walk.words, np.int64), axes
    )


def text_boxes(points: np.ndarray, origins: np.ndarray, rects: np.ndarray, *, slack_pt: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Which text line each of a page's text rectangles belongs to: ``(rects kept, owners)``.

    ``rects`` (R, 4) are (left, bottom, right, top) page points where a viewer draws text (PDFium's
    text rectangles, one per run of a line); a rectangle's line is the origin (a point of ``points``
    flagged in ``origins``) on its baseline band nearest its left end, within ``slack_pt``.

    Examples
    --------
    >>> pts = np.array([[50.0, 700.0], [50.0, 686.0], [10, 10]])
    >>> kept, owners = text_boxes(pts, np.array([True, True, False]), np.array([[50.2, 697.8, 300, 707.5], [51, 683.9, 250, 693.6]]))
    >>> owners.tolist()
    [0, 1]
    """
    idx = np.flatnonzero(np.asarray(origins, bool))
    rects = np.asarray(rects, np.float64).reshape(-1, 4)
    if idx.size == 0 or rects.size == 0:
        return np.zeros((0, 4)), np.zeros(0, np.int64)
    o = np.asarray(points, np.float64)[idx]  # n 2
    kept, owners = [], []
    for r in rects:
        left, bottom, right, top = r
        band = (o[:, 1] >= bottom - 1.0) & (o[:, 1] <= top + 1.0) & (o[:, 0] <= left + slack_pt) & (o[:, 0] >= left - slack_pt - (right - left))
        if not band.any():
            continue
        near = np.flatnonzero(band)[np.argmin(np.abs(o[band, 0] - left))]
        if abs(o[near, 0] - left) <= slack_pt + (right - left):
            kept.append(r)
            owners.append(idx[near])
    return np.asarray(kept, np.float64).reshape(-1, 4), np.asarray(owners, np.int64)


def _segments(plan: list, out: list) -> None:
    current = start = None
    for item in plan:
        if isinstance(item, tuple) and item and item[0] == "path":
            op, k = item[1], item[3]  # ("path", op, xy, first point, …)
            if op == "m":
                current = start = k
            elif op == "re":
                out.extend([(k, k, k + 1, k + 1), (k + 1, k + 1, k + 2, k + 2), (k + 2, k + 2, k + 3, k + 3), (k + 3, k + 3, k, k)])
                current = start = k
            elif current is None:
                continue  # a segment with no current point: a malformed path, drawn by no viewer
            elif op == "l":
                out.append((current, current, k, k))
                current = k
            elif op == "c":
                out.append((current, k, k + 1, k + 2))
                current = k + 2
            elif op == "v":
                out.append((current, current, k, k + 1))
                current = k + 1
            elif op == "y":
                out.append((current, k, k + 1, k + 1))
                current = k + 1
        elif isinstance(item, pikepdf.ContentStreamInstruction):
            op = str(item.operator)
            if op in ("h", "s", "b", "b*") and current is not None and start is not None and current != start:
                out.append((current, current, start, start))  # h closes the subpath; s, b and b* close it first
                current = start
            if op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
                current = start = None
            elif op in ("m", "l", "c", "v", "y", "re"):
                current = start = None  # a path point the walk could not move (a singular cm)
