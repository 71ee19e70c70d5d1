"""core.strokes: a copy that moves control points is measured through its strokes, and innocents keep the bound."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core import geometry, keys, strokes, verdict


def _drawing(seed: int = 3, shape=(480, 720)):
    """Random straight segments, circles as 4 cubics and a frame, as control points (pixels)."""
    rng = np.random.default_rng(seed)
    h, w = shape
    points, segments = [], []
    for _ in range(220):
        a = rng.uniform([20, 20], [w - 20, h - 20])
        b = np.clip(a + rng.normal(0, 60, 2), 5, [w - 5, h - 5])
        if rng.random() < 0.3:
            b[1] = a[1]  # level lines, as drawings have
        i = len(points)
        points += [a, b]
        segments.append((i, i, i + 1, i + 1))
    for x0, y0, x1, y1 in [(8, 8, w - 9, 8), (w - 9, 8, w - 9, h - 9), (w - 9, h - 9, 8, h - 9), (8, h - 9, 8, 8)]:
        i = len(points)
        points += [np.array([x0, y0], float), np.array([x1, y1], float)]
        segments.append((i, i, i + 1, i + 1))
    return strokes.Strokes(np.array(points, float), np.array(segments, np.int32))


def _draw(s: strokes.Strokes, shape) -> np.ndarray:
    """The strokes drawn black on white, anti-aliased, at sub-pixel positions (8 fractional bits)."""
    img = np.full(shape, 255, np.uint8)
    t = np.linspace(0, 1, 9)
    for seg in s.segments:
        along = np.round(strokes.bernstein(t) @ s.points[seg] * 256).astype(np.int32)
        cv2.polylines(img, [along.reshape(-1, 1, 2)], False, 0, thickness=1, lineType=cv2.LINE_AA, shift=8)
    return np.repeat(img[:, :, None], 3, axis=2)


def _moved(s: strokes.Strokes, signs: np.ndarray, geo: geometry.Geometry, shape) -> strokes.Strokes:
    """The strokes as a document copy moves them: the field at each control point, level lines kept level."""
    dx, dy = geometry.field(signs, shape, geo)
    p = s.points
    d = np.stack([cv2.remap(f, p[:, 0:1].astype(np.float32), p[:, 1:2].astype(np.float32), cv2.INTER_LINEAR).ravel() for f in (dx, dy)], axis=1)
    groups = strokes.axis_groups(p, s.segments)
    d = np.stack([strokes.group_mean(d[:, i], groups[i]) for i in (0, 1)], axis=1)
    return strokes.Strokes(p + d, s.segments)


SHAPE = (480, 720)
GEO = geometry.Geometry(geometry.grid_for(SHAPE), 0.3, 0.8)


@pytest.fixture(scope="module")
def page():
    s = _drawing()
    return s, _draw(s, SHAPE), strokes.rasterize(s, SHAPE)


def test_level_lines_stay_level_and_rectangles_stay_rectangles():
    pts = np.array([[10.0, 10], [50, 10], [50, 30], [10, 30]])
    segs = np.array([[0, 0, 1, 1], [1, 1, 2, 2], [2, 2, 3, 3], [3, 3, 0, 0]])
    by_x, by_y = strokes.axis_groups(pts, segs)
    assert by_y[0] == by_y[1] and by_y[2] == by_y[3] and by_y[0] != by_y[2]
    assert by_x[1] == by_x[2] and by_x[0] == by_x[3] and by_x[0] != by_x[1]


def test_the_strokes_recover_what_the_pixel_basis_misses(page):
    s, original, smap = page
    refs = [f"r{i}" for i in range(6)]
    signs = keys.signs_matrix(bytes(32), "page", refs, GEO.k, carrier="geometric")
    lum = keys.signs_matrix(bytes(32), "page", refs, 64)
    copy = _draw(_moved(s, signs[2], GEO, SHAPE), SHAPE)
    leak = cv2.resize(copy, (540, 360), interpolation=cv2.INTER_AREA)  # a smaller screenshot
    kw = dict(grid=(8, 8), epsilon=1e-6, geometric_grid=GEO.grid, geometric_signs=signs)
    through = verdict.examine(leak, original, lum, strokes=smap, **kw)
    pixels = verdict.examine(leak, original, lum, **kw)
    assert through.accused.tolist() == [False, False, True, False, False, False]
    assert through.scores[2] > 10 and through.scores[2] > pixels.scores[2] + 3
    assert np.delete(through.scores, 2).max() < 4


def test_innocents_keep_the_bound_through_the_strokes(page):
    """≥ 10,000 innocent tests per statistic: the leaker's copy, plain and attacked, against fresh signs."""
    s, original, smap = page
    rng = np.random.default_rng(11)
    guilty = keys.signs_matrix(bytes(32), "page", ["leaker"], GEO.k, carrier="geometric")[0]
    copy = _draw(_moved(s, guilty, GEO, SHAPE), SHAPE)
    leaks = [
        copy,
        cv2.resize(copy, (360, 240), interpolation=cv2.INTER_AREA),
        np.where(copy < 160, 0, 255).astype(np.uint8),  # a 1-bit clean-up
        cv2.GaussianBlur(copy, (0, 0), 1.2),
    ]
    n = 2600
    scores = {name: [] for name in verdict.STATISTICS}
    for leak in leaks:
        innocents = np.where(rng.random((n, GEO.k)) < 0.5, -1, 1).astype(np.int8)
        lum = np.where(rng.random((n, 64)) < 0.5, -1, 1).astype(np.int8)
        v = verdict.examine(leak, original, lum, grid=(8, 8), epsilon=1e-6, geometric_grid=GEO.grid, geometric_signs=innocents, strokes=smap)
        assert not v.accused.any()
        for i, name in enumerate(v.statistics):
            scores[name].append(v.statistic_scores[i])
    for name, parts in scores.items():
        t = np.concatenate(parts)
        assert t.size >= 10_000
        assert abs(t.mean()) < 0.05 and abs(t.std() - 1) < 0.05, (name, t.mean(), t.std())
        assert np.mean(t >= 3.0) <= 2 * np.exp(-4.5), name  # Hoeffding: P(T ≥ 3) ≤ e^(−4.5) = 1.1 %


def test_a_line_far_longer_than_the_page_costs_what_one_across_it_does():
    import time

    huge = strokes.Strokes(np.array([[-3e6, 50.0], [3e6, 50.0], [-5e6, -5e6], [-4e6, -5e6]]), np.array([[0, 0, 1, 1], [2, 2, 3, 3]], np.int32))
    start = time.perf_counter()
    m = strokes.rasterize(huge, (100, 100))
    assert time.perf_counter() - start < 2.0
    assert m.owners.shape[0] <= strokes.MAX_PIECES  # the second segment, off the page, is not drawn at all
    assert bool(m.label[50, 50] >= 0)
