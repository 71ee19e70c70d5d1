"""The geometric carrier of a vector page: the matched filter for strokes moved by their control points.

A document copy does not resample pixels: it moves each path's control points by the
recipient's field d (:mod:`leaktrace.documents._content`), so a segment stays straight and a
Bézier curve stays smooth. A point of a cubic segment at parameter t, B(t) = Σ_i β_i(t) P_i (the
Bernstein weights β, a line being the cubic whose controls repeat its ends), therefore moves by
Σ_i β_i(t) d(P_i), not by d(B(t)). On a long line that is the interpolation of its two ends'
moves, which the pixel detector's basis (:func:`leaktrace.core.geometry.project`, matched to a
field applied at every pixel) catches only in part.

So the projection on coefficient k of the field is taken through the strokes:

    y_k = Σ_x G(x) · Σ_i β_i(t_x) φ_k(P_i) = Σ_P φ_k(P) · W(P),   W(P) = Σ_{x on P's segments} β_P(t_x) G(x),

with G the gradient-weighted residual of the leak against the original (per axis, as in
:func:`leaktrace.core.geometry.project`) and t_x the parameter of the stroke piece drawn at pixel x
(:func:`rasterize`, from the original document only). y is a function of the leak, the original
and the original's strokes: no recipient's sign is read, so the innocents' scores keep the bound
of :mod:`leaktrace.core.bound`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import carrier

__all__ = ["Strokes", "StrokeMap", "axis_groups", "bernstein", "group_mean", "on_frame", "project", "rasterize"]


@dataclass(frozen=True)
class Strokes:
    """A page's strokes in pixels of its reference rendering.

    Attributes
    ----------
    points : (P, 2) float64 ndarray, pixels (col, row), pixel centres at integers
        Every control point that a copy moves.
    segments : (S, 4) int32 ndarray
        Cubic segments by their control points' indices (a line: ``(a, a, b, b)``).
    boxes : (T, 4) float64 ndarray, pixels (x0, y0, x1, y1), optional
        Text lines: where each one's glyphs are drawn. A copy moves a line's glyphs together,
        horizontally only, by the field at its origin.
    box_owners : (T,) int ndarray, optional
        Each box's origin: an index into ``points`` (a point that never moves vertically).
    """

    points: np.ndarray
    segments: np.ndarray
    boxes: np.ndarray | None = None
    box_owners: np.ndarray | None = None


@dataclass(frozen=True)
class StrokeMap:
    """Which stroke piece each pixel of the reference rendering shows, and its control points' weights.

    Attributes
    ----------
    label : (H, W) int32 ndarray
        Index of the piece drawn at each pixel, −1 where none.
    owners : (Q, 4) int32 ndarray
        Each piece's four control points (indices into ``points``).
    weights : (Q, 4) float32 ndarray
        Their Bernstein weights at the piece's middle parameter (each row sums to 1).
    points : (P, 2) float64 ndarray, pixels
    groups : (by_x, by_y), optional
        The points a copy moves together per axis (:func:`axis_groups`); None: each on its own.
    still_y : (P,) bool ndarray, optional
        Points a copy never moves vertically (text line origins).
    """

    label: np.ndarray
    owners: np.ndarray
    weights: np.ndarray
    points: np.ndarray
    groups: tuple[np.ndarray, np.ndarray] | None = None  # (by_x, by_y) of :func:`axis_groups`
    still_y: np.ndarray | None = None


def bernstein(t: np.ndarray) -> np.ndarray:
    """The cubic Bernstein weights at parameters ``t``: (n, 4) float64, rows summing to 1.

    >>> bernstein(np.array([0.0, 0.5, 1.0])).round(3).tolist()
    [[1.0, 0.0, 0.0, 0.0], [0.125, 0.375, 0.375, 0.125], [0.0, 0.0, 0.0, 1.0]]
    """
    t = np.asarray(t, np.float64)[:, None]
    u = 1.0 - t
    return np.hstack([u**3, 3 * u * u * t, 3 * u * t * t, t**3])


#: Most pieces one segment is cut into: a line far longer than the page (a clip rectangle a million
#: points wide is common) costs what a line across it does.
MAX_PIECES = 4 * 4096


def rasterize(strokes: Strokes, shape: tuple[int, int], *, step_px: float = 1.5, width_px: int = 5) -> StrokeMap:
    """Draw every segment of ``strokes`` as pieces of about ``step_px`` pixels, ``width_px`` wide,
    into a label map of ``shape`` (H, W): later segments over earlier ones, as a page is painted.

    Examples
    --------
    >>> s = Strokes(np.array([[10.0, 20.0], [90.0, 20.0]]), np.array([[0, 0, 1, 1]], np.int32))
    >>> m = rasterize(s, (40, 100))
    >>> bool(m.label[20, 50] >= 0), bool(m.label[5, 50] < 0)
    (True, True)
    >>> w = m.weights[m.label[20, [10, 50]]]  # at the first end, and half way
    >>> (w[:, :2].sum(axis=1) * 10).round().tolist()
    [10.0, 5.0]
    """
    h, w = int(shape[0]), int(shape[1])
    label = np.full((h, w), -1, np.int32)
    points = np.asarray(strokes.points, np.float64).reshape(-1, 2)
    segments = np.asarray(strokes.segments, np.int32).reshape(-1, 4)
    owners: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    q = 0
    still = np.zeros(points.shape[0], bool)
    if strokes.boxes is not None and strokes.box_owners is not None and len(strokes.boxes):
        boxes = np.asarray(strokes.boxes, np.float64).reshape(-1, 4)
        box_owners = np.asarray(strokes.box_owners, np.int64).reshape(-1)
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            if np.all(np.isfinite((x0, y0, x1, y1))):
                cv2.rectangle(label, (int(np.floor(x0)) - 1, int(np.floor(y0)) - 1), (int(np.ceil(x1)) + 1, int(np.ceil(y1)) + 1), i, thickness=-1)
        owners.append(np.repeat(box_owners[:, None], 4, axis=1))
        weights.append(np.tile(np.array([[1.0, 0.0, 0.0, 0.0]], np.float32), (len(boxes), 1)))
        still[box_owners] = True
        q = len(boxes)
    for seg in segments:
        c = points[seg]  # 4 2
        length = float(np.sum(np.hypot(*np.diff(c, axis=0).T)))  # the control polygon bounds the curve's length
        if not np.isfinite(length):
            continue
        if c[:, 0].max() < -width_px or c[:, 1].max() < -width_px or c[:, 0].min() > w + width_px or c[:, 1].min() > h + width_px:
            continue  # the hull of its controls is off the page: so is the curve
        n = min(max(1, int(np.ceil(length / step_px))), MAX_PIECES)
        t = np.linspace(0.0, 1.0, n + 1)
        along = bernstein(t) @ c  # n+1 2
        middle = bernstein((t[:-1] + t[1:]) / 2).astype(np.float32)  # n 4
        ends = np.round(along * 16).astype(np.int32)  # 4 fractional bits
        for i in range(n):
            cv2.line(label, tuple(ends[i]), tuple(ends[i + 1]), int(q + i), thickness=width_px, lineType=cv2.LINE_8, shift=4)
        owners.append(np.broadcast_to(seg, (n, 4)))
        weights.append(middle)
        q += n
    groups = axis_groups(points, segments)
    if q == 0:
        return StrokeMap(label, np.zeros((0, 4), np.int32), np.zeros((0, 4), np.float32), points, groups, still)
    return StrokeMap(label, np.concatenate(owners).astype(np.int32), np.concatenate(weights), points, groups, still)


def axis_groups(points: np.ndarray, segments: np.ndarray, *, tolerance: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Which points must move together to keep horizontal and vertical strokes so: ``(by_x, by_y)``,
    each (P,) int64 group labels (``points`` in pixels of the rendering, so horizontal is as shown;
    ``tolerance`` in the same unit).

    A segment whose control points share one x (a vertical line) joins them in ``by_x``: a copy
    moves them by the same horizontal amount, so the line stays vertical; one whose points share
    one y joins them in ``by_y``. A rectangle therefore stays a rectangle, and a row of collinear
    dashes stays one line. Every other point is a group of its own.

    Examples
    --------
    >>> pts = np.array([[0, 0], [10, 0], [10, 5], [3, 7.0]])
    >>> bx, by = axis_groups(pts, np.array([[0, 0, 1, 1], [1, 1, 2, 2], [2, 2, 3, 3]]))
    >>> bool(by[0] == by[1]), bool(bx[1] == bx[2]), bool(bx[0] != bx[1]), bool(by[2] != by[3])
    (True, True, True, True)
    """
    from scipy import sparse
    from scipy.sparse import csgraph

    p = np.asarray(points, np.float64).reshape(-1, 2)
    s = np.asarray(segments, np.int64).reshape(-1, 4)
    n = p.shape[0]
    out = []
    for axis in (0, 1):
        c = p[s, axis]  # S 4
        flat = (c.max(axis=1) - c.min(axis=1)) <= tolerance
        pairs = s[flat]
        rows = np.repeat(pairs[:, 0], 3)
        cols = pairs[:, 1:].ravel()
        graph = sparse.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        out.append(csgraph.connected_components(graph, directed=False)[1].astype(np.int64))
    return out[0], out[1]


def group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each value replaced by its group's mean: (P,) float64.

    >>> group_mean(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1])).tolist()
    [2.0, 2.0, 5.0]
    """
    g = np.asarray(groups, np.int64)
    sums = np.bincount(g, weights=np.asarray(values, np.float64))
    return (sums / np.bincount(g))[g]


#: Ridge of the least-squares estimate of the field, as a fraction of the normal matrix's mean diagonal.
RIDGE = 1.0


def _point_basis(points: np.ndarray, shape: tuple[int, int], grid: tuple[int, int]):
    """φ_k at each point, (P, gy·gx) sparse: the lapped basis the field was drawn with on ``shape``."""
    from scipy import sparse

    h, w = int(shape[0]), int(shape[1])
    gy, gx = int(grid[0]), int(grid[1])
    a = carrier.basis_at((points[:, 1] + 0.5) / h, gy, density=h).astype(np.float64)  # P gy
    b = carrier.basis_at((points[:, 0] + 0.5) / w, gx, density=w).astype(np.float64)  # P gx
    ia = np.argsort(-np.abs(a), axis=1)[:, :2]
    ib = np.argsort(-np.abs(b), axis=1)[:, :2]
    va = np.take_along_axis(a, ia, axis=1)
    vb = np.take_along_axis(b, ib, axis=1)
    n = points.shape[0]
    cols = (ia[:, :, None] * gx + ib[:, None, :]).reshape(n, 4)
    vals = (va[:, :, None] * vb[:, None, :]).reshape(n, 4)
    rows = np.repeat(np.arange(n), 4)
    return sparse.csr_matrix((vals.ravel(), (rows, cols.ravel())), shape=(n, gy * gx))


def _grouped(phi, groups: np.ndarray):
    """Rows of ``phi`` replaced by their group's mean (sparse): the basis as a copy moves grouped points."""
    from scipy import sparse

    g = np.asarray(groups, np.int64)
    n_groups = int(g.max()) + 1 if g.size else 0
    member = sparse.csr_matrix((np.ones(g.size), (np.arange(g.size), g)), shape=(g.size, n_groups))
    counts = np.asarray(member.sum(axis=0)).ravel()
    return member @ sparse.diags(1.0 / np.maximum(counts, 1)) @ (member.T @ phi)


def on_frame(label: np.ndarray, shape: tuple[int, int], to_reference: np.ndarray) -> np.ndarray:
    """A label map of the reference rendering sampled at each pixel of a detection frame of ``shape`` (h, w):
    (h, w) int32, −1 off the rendering (``to_reference``: frame pixel → reference pixel, a scale and a shift).

    >>> on_frame(np.arange(16, dtype=np.int32).reshape(4, 4), (2, 3), np.array([[2.0, 0, 0], [0, 2.0, 1], [0, 0, 1]])).tolist()
    [[4, 6, -1], [12, 14, -1]]
    """
    h, w = int(shape[0]), int(shape[1])
    m = np.asarray(to_reference, np.float64)
    cols = np.rint(m[0, 0] * np.arange(w) + m[0, 2]).astype(np.int64)
    rows = np.rint(m[1, 1] * np.arange(h) + m[1, 2]).astype(np.int64)
    hh, ww = label.shape
    inside_c, inside_r = (cols >= 0) & (cols < ww), (rows >= 0) & (rows < hh)
    out = np.full((h, w), -1, np.int32)
    out[np.ix_(inside_r, inside_c)] = label[np.ix_(rows[inside_r], cols[inside_c])]
    return out


def project(
    parts,
    strokes: StrokeMap,
    grid: tuple[int, int],
    *,
    reference_shape: tuple[int, int],
    to_reference: np.ndarray,
    ridge: float = RIDGE,
) -> np.ndarray:
    """The field's coefficients (2·gy·gx,) estimated from the linearised leak through the strokes.

    The matched filter y = Φᵀ Jᵀ W R (J: each pixel's gradient times its piece's Bernstein
    weights, Φ: the basis at the control points) is correlated across cells wherever a stroke
    spans several (a long line moves by its two ends), so the estimate is the ridge least squares
    ĉ = (M + λI)⁻¹ y with M = Φᵀ Jᵀ W J Φ and λ = ``ridge`` · mean(diag M): built from the original's
    strokes and gradients and the leak's residual energy only, never a recipient's signs.

    Parameters
    ----------
    parts : :class:`leaktrace.core.geometry.Linearised` on the detection frame
    strokes : StrokeMap of the reference rendering
    grid : (gy, gx), the page's geometric grid
    reference_shape : (H, W) of the reference rendering the field was drawn on
    to_reference : (3, 3) float64 ndarray
        Frame pixel (x, y, 1) → reference pixel (x, y, 1) (a scale and a shift).
    ridge : float, optional

    Returns
    -------
    c : (2·gy·gx,) float64 ndarray, horizontal coefficients first (as the geometric signs)
    """
    from scipy import sparse

    gy, gx = int(grid[0]), int(grid[1])
    k = gy * gx
    if strokes.owners.shape[0] == 0:
        return np.zeros(2 * k)
    labels = on_frame(strokes.label, parts.weight.shape, to_reference)
    on = (labels >= 0) & (parts.weight > 0)
    if not on.any():
        return np.zeros(2 * k)
    piece = labels[on].astype(np.int64)  # n
    wt = parts.weight[on].astype(np.float64)
    wr = -wt * parts.residual[on].astype(np.float64)
    g = (parts.gradient_x[on].astype(np.float64), parts.gradient_y[on].astype(np.float64))
    q = strokes.owners.shape[0]
    # per piece: the matched filter's sums and the gradient structure tensor
    mf = [np.bincount(piece, weights=wr * ga, minlength=q) for ga in g]  # 2 × q
    st = {(i, j): np.bincount(piece, weights=wt * g[i] * g[j], minlength=q) for i, j in ((0, 0), (0, 1), (1, 1))}
    st[(1, 0)] = st[(0, 1)]
    used = np.flatnonzero(st[(0, 0)] + st[(1, 1)] > 0)
    owners, beta = strokes.owners[used], strokes.weights[used].astype(np.float64)  # u 4
    n_points = strokes.points.shape[0]
    phi = _point_basis(strokes.points, reference_shape, grid)  # P k
    phis = [phi, phi] if strokes.groups is None else [_grouped(phi, g) for g in strokes.groups]  # how each axis moves
    if strokes.still_y is not None and strokes.still_y.any():
        phis[1] = sparse.diags((~strokes.still_y).astype(np.float64)) @ phis[1]  # text lines move horizontally only
    y = np.concatenate([phis[i].T @ np.bincount(owners.ravel(), weights=(beta * mf[i][used][:, None]).ravel(), minlength=n_points) for i in (0, 1)])
    ri = np.repeat(owners, 4, axis=1).ravel()  # u·16: pairs of the piece's control points
    rj = np.tile(owners, (1, 4)).ravel()
    bb = (beta[:, :, None] * beta[:, None, :]).reshape(-1, 16)  # u 16
    blocks = [[None, None], [None, None]]
    for i in (0, 1):
        for j in (0, 1):
            h_pts = sparse.csr_matrix(((bb * st[(i, j)][used][:, None]).ravel(), (ri, rj)), shape=(n_points, n_points))
            blocks[i][j] = (phis[i].T @ h_pts @ phis[j]).toarray()
    normal = np.block(blocks)  # 2k 2k
    lam = ridge * float(np.mean(np.diag(normal)))
    if not lam > 0:
        return np.zeros(2 * k)
    return np.linalg.solve(normal + lam * np.eye(2 * k), y)
