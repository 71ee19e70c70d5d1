"""The geometric carrier: a smooth sub-pixel field that moves the strokes, survives a 1-bit clean-up, keeps the bound."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace.core import bound, carrier, geometry, keys, quality, verdict
from leaktrace.core.pixels import luminance
from leaktrace.evaluation import attacks
from leaktrace.samples.synthetic import bumper_arcs

SIZE = 512
N = 16
LEAKER = 3
KEY = bytes(range(32))
REFS = [f"r{i}" for i in range(N)]


def lines(size: int = SIZE, seed: int = 0, widths=(2, 3)) -> np.ndarray:
    """A non-periodic line drawing: anti-aliased strokes of ``widths`` px (drawn 4× and area-downscaled), grey uint8."""
    rng = np.random.default_rng(seed)
    big = np.full((size * 4, size * 4), 255, np.uint8)
    for _ in range(60):
        p = rng.integers(0, size * 4, 4)
        cv2.line(big, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), 0, int(rng.choice(widths)) * 4, cv2.LINE_AA)
    for _ in range(20):
        c = rng.integers(0, size * 4, 2)
        cv2.circle(big, (int(c[0]), int(c[1])), int(rng.integers(40, 400)), 0, int(rng.choice(widths)) * 4, cv2.LINE_AA)
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)


def grid_lines(size: int = SIZE, pitch=(11, 13), widths=(2, 3)) -> np.ndarray:
    """A grid of anti-aliased lines alternating ``widths`` px, grey uint8: strokes in both directions in every window."""
    big = np.full((size * 4, size * 4), 255, np.uint8)
    for i, c in enumerate(range(20, size * 4, pitch[0] * 4)):
        cv2.line(big, (c, 0), (c, size * 4), 0, widths[i % 2] * 4, cv2.LINE_AA)
    for i, c in enumerate(range(28, size * 4, pitch[1] * 4)):
        cv2.line(big, (0, c), (size * 4, c), 0, widths[(i + 1) % 2] * 4, cv2.LINE_AA)
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)


def hatching(size: int = SIZE, pitch: int = 6) -> np.ndarray:
    """Fine hard 1-px diagonal hatching, grey uint8."""
    img = np.full((size, size), 255, np.uint8)
    for c in range(-size, size, pitch):
        cv2.line(img, (c, 0), (c + size, size), 0, 1, cv2.LINE_8)
    return img


def _rgb(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.dstack([grey] * 3))


def _geometry(shape, amplitude=0.15, max_px=0.5) -> geometry.Geometry:
    return geometry.Geometry(geometry.grid_for(shape[:2]), amplitude, max_px)


def _random_signs(k: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), k)


def _darkness(img: np.ndarray) -> float:
    return float((255.0 - img.astype(np.float64)).sum())


# ---------------------------------------------------------------- the field and the resampling


@pytest.mark.parametrize("amplitude, max_px, seed", [(0.15, 0.5, 0), (0.1, 0.5, 1), (0.3, 1.5, 2)])
def test_field_has_the_amplitude_is_bounded_and_smooth(amplitude, max_px, seed):
    shape = (SIZE, 384)
    g = geometry.Geometry(geometry.grid_for(shape), amplitude, max_px)  # max_px well above the RMS: (almost) no clipping
    s = _random_signs(g.k, seed)
    dx, dy = geometry.field(s, shape, g)
    assert dx.shape == dy.shape == shape and dx.dtype == dy.dtype == np.float32
    for d in (dx, dy):
        assert abs(np.sqrt(np.mean(d.astype(np.float64) ** 2)) / amplitude - 1) < 0.1
        assert abs(d.mean()) < 0.1 * amplitude  # band 1: no net drift of the whole drawing
    assert np.hypot(dx, dy).max() <= g.max_px + 1e-6
    # smooth: over one pixel the field changes by a small fraction of its RMS per cell side
    cell = min(shape[0] / (g.grid[0] + 1), shape[1] / (g.grid[1] + 1))
    for d in (dx, dy):
        for axis in (0, 1):
            assert np.abs(np.diff(d, axis=axis)).max() < 20 * amplitude / cell
    # deterministic
    again = geometry.field(s, shape, g)
    assert np.array_equal(again[0], dx) and np.array_equal(again[1], dy)


def test_field_is_clipped_to_max_px():
    shape = (256, 256)
    g = geometry.Geometry(geometry.grid_for(shape), 1.0, 0.4)
    dx, dy = geometry.field(_random_signs(g.k), shape, g)
    length = np.hypot(dx, dy)
    assert length.max() <= 0.4 + 1e-6
    assert (length > 0.4 - 1e-3).mean() > 0.3  # amplitude 1 px RMS: most of the field hits the bound
    with pytest.raises(ValueError):
        geometry.field(np.ones(g.k - 1), shape, g)


def test_displace_strips_are_bit_identical_and_the_input_is_untouched():
    grey = lines(256, seed=3)
    rgb = _rgb(grey)
    g = _geometry(grey.shape)
    s = keys.signs_from_seed(bytes(32), g.k, carrier="geometric")
    for img in (grey, rgb):
        before = img.copy()
        whole = geometry.displace(img, s, g)
        assert whole.shape == img.shape and whole.dtype == np.uint8
        assert np.array_equal(img, before)
        assert np.array_equal(geometry.displace(img, s, g), whole)  # deterministic
        for rows in (1, 7, 100, 10_000):
            out = np.zeros_like(img)
            done = list(geometry.displace_strips(img, s, g, out=out, rows=rows))
            assert np.array_equal(out, whole)
            assert sum(r.stop - r.start for r in done) == img.shape[0]
        assert np.array_equal(img, before)
    # RGB moves each channel exactly as the grey image moves
    moved = geometry.displace(rgb, s, g)
    for c in range(3):
        assert np.array_equal(moved[..., c], geometry.displace(grey, s, g))
    with pytest.raises(ValueError):
        next(geometry.displace_strips(grey, s, g, out=np.zeros(grey.shape, np.float32)))


def test_the_copy_moves_by_d_not_minus_d():
    """Phase correlation of windows of the original and the copy measures the field's local mean shift."""
    img = grid_lines().astype(np.float64)
    g = geometry.Geometry((1, 1), 0.3, 2.0)  # a field slow enough to be nearly constant over a window
    s = np.array([1, -1], np.int8)
    copy = geometry.displace(img.astype(np.uint8), s, g).astype(np.float64)
    dx, dy = geometry.field(s, img.shape, g)
    w = 48
    window = cv2.createHanningWindow((w, w), cv2.CV_64F)
    measured, expected = [], []
    for y0 in range(0, SIZE - w + 1, w // 2):
        for x0 in range(0, SIZE - w + 1, w // 2):
            box = np.s_[y0 : y0 + w, x0 : x0 + w]
            (sx, sy), _ = cv2.phaseCorrelate(img[box], copy[box], window)  # shift of the copy's content
            measured.append((sx, sy))
            expected.append([(d[box] * window).sum() / window.sum() for d in (dx, dy)])
    measured, expected = np.array(measured), np.array(expected)
    assert np.abs(expected).max() > 0.5  # the windows span shifts of both signs, up to 0.7 px
    err = measured - expected
    assert np.median(np.abs(err), axis=0).max() < 0.05
    for c in (0, 1):
        slope = np.polyfit(expected[:, c], measured[:, c], 1)[0]
        assert 0.75 < slope < 1.25, slope  # −d would give −1
        assert np.corrcoef(expected[:, c], measured[:, c])[0, 1] > 0.9


# ---------------------------------------------------------------- invisibility


def test_a_line_drawing_keeps_ssim_and_stroke_weight():
    arcs = bumper_arcs((SIZE, SIZE))
    g = _geometry(arcs.shape, 0.15)
    copy = geometry.displace(arcs, keys.signs_from_seed(KEY, g.k, carrier="geometric"), g)
    assert quality.ssim(arcs, copy) >= 0.993  # measured 0.997
    # anti-aliased 2–3 px strokes: the same ink, moved
    drawing = _rgb(lines())
    g = _geometry(drawing.shape, 0.15)
    copy = geometry.displace(drawing, keys.signs_from_seed(KEY, g.k, carrier="geometric"), g)
    assert abs(_darkness(copy) / _darkness(drawing) - 1) < 0.01  # measured 0.12 %
    assert (copy != drawing).any()
    # whatever amplitude choose gives this denser drawing, its copy keeps the SSIM choose asks
    chosen = geometry.choose(drawing)
    assert chosen is not None
    assert quality.ssim(drawing, geometry.displace(drawing, keys.signs_from_seed(KEY, chosen.k, carrier="geometric"), chosen)) >= 0.993


def test_a_white_image_stays_exactly_white():
    white = np.full((256, 384, 3), 255, np.uint8)
    g = _geometry(white.shape, 0.3)
    assert np.array_equal(geometry.displace(white, _random_signs(g.k), g), white)


# ---------------------------------------------------------------- keys


def test_geometric_and_luminance_signs_are_independent():
    seed = keys.derive_seed(KEY, "asset", "acme")
    lum = keys.signs_from_seed(seed, 4096).astype(np.float64)
    geo = keys.signs_from_seed(seed, 4096, carrier="geometric").astype(np.float64)
    assert not np.array_equal(lum, geo)
    assert abs(np.corrcoef(lum, geo)[0, 1]) < 4 / np.sqrt(4096)  # 4σ of a fair-coin correlation
    assert abs(geo.mean()) < 4 / np.sqrt(4096)
    assert np.array_equal(geo, keys.signs_from_seed(seed, 4096, carrier="geometric"))
    with pytest.raises(ValueError):
        keys.signs_from_seed(seed, 8, carrier="shape")


# ---------------------------------------------------------------- detection through the verdict


@pytest.fixture(scope="module")
def asset():
    """A 512 px drawing, its luminance and geometric grids, and the 16 recipients' signs of both carriers."""
    original = _rgb(lines())
    grid = carrier.grid_for(original.shape[:2])
    g = _geometry(original.shape, 0.15)
    signs = keys.signs_matrix(KEY, "asset", REFS, grid[0] * grid[1])
    geo_signs = keys.signs_matrix(KEY, "asset", REFS, g.k, carrier="geometric")
    return original, grid, g, signs, geo_signs


def _examine(leak, asset, **kw):
    original, grid, g, signs, geo_signs = asset
    return verdict.examine(leak, original, signs, grid=grid, epsilon=1e-6, geometric_grid=g.grid, geometric_signs=geo_signs, **kw)


@pytest.mark.parametrize("attack", ["none", "otsu", "downscale_jpeg75"])
def test_the_leaker_is_named_after_a_one_bit_clean_up_and_a_downscale(asset, attack):
    original, grid, g, signs, geo_signs = asset
    copy = geometry.displace(original, geo_signs[LEAKER], g)
    rng = np.random.default_rng(0)
    leak = {
        "none": lambda: copy,
        "otsu": lambda: attacks.apply("threshold_otsu", copy, rng),
        "downscale_jpeg75": lambda: attacks.apply("jpeg75", attacks.apply("downscale50", copy, rng), rng),
    }[attack]()
    if attack == "otsu":
        assert set(np.unique(leak).tolist()) <= {0, 255}  # no grey level left for the luminance carrier
    v = _examine(leak, asset)
    geometric = v.statistic_scores[1]
    tau = bound.threshold(N * 3, 1e-6)  # 5.95; one alignment
    assert v.threshold >= tau - 1e-9
    assert geometric[LEAKER] > v.threshold  # measured 17–18
    assert np.delete(geometric, LEAKER).max() < tau
    assert v.accused.nonzero()[0].tolist() == [LEAKER]


def test_registration_does_not_absorb_the_field(asset):
    """Two copies differing only by their fields, leaked rotated and shrunk: the homography's 8 degrees of freedom leave the 2·gy·gx coefficients."""
    original, grid, g, signs, geo_signs = asset
    h, w = original.shape[:2]
    move = cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 0.85)
    direct = {}
    for who in (LEAKER, 7):
        copy = geometry.displace(original, geo_signs[who], g)
        leak = cv2.warpAffine(copy, move, (w, h), flags=cv2.INTER_AREA, borderValue=(255, 255, 255))
        v = _examine(leak, asset)
        assert v.accused.nonzero()[0].tolist() == [who]
        assert v.statistic_scores[1][who] > v.threshold
        # against the field alone (no registration, no attack), the registered leak keeps most of the score
        y = geometry.project(luminance(copy), luminance(original), np.ones((h, w), bool), g.grid)
        direct[who] = float(geo_signs[who] @ y / np.linalg.norm(y))
        assert v.statistic_scores[1][who] > 0.5 * direct[who]
    assert min(direct.values()) > 15


# ---------------------------------------------------------------- choose


def test_choose_needs_edges():
    assert geometry.choose(np.full((SIZE, SIZE, 3), 128, np.uint8)) is None
    ramp = np.tile(np.linspace(0, 255, SIZE).astype(np.uint8), (SIZE, 1))  # 0.5 levels per px
    yy, xx = np.mgrid[:SIZE, :SIZE]
    radial = (np.hypot(yy - SIZE / 2, xx - SIZE / 2) / (SIZE / np.sqrt(2)) * 255).astype(np.uint8)
    for smooth in (ramp, radial, _rgb(ramp)):
        assert geometry.edge_cover(smooth, geometry.grid_for(smooth.shape[:2])) == 0.0
        assert geometry.choose(smooth) is None
    drawing = _rgb(lines())
    g = geometry.choose(drawing)
    assert isinstance(g, geometry.Geometry)
    assert g.grid == geometry.grid_for(drawing.shape[:2]) and g.amplitude in geometry.AMPLITUDES and g.max_px == 0.5
    assert geometry.edge_cover(drawing, g.grid) > 0.9


def test_choose_gives_fine_hatching_less_when_it_costs_more_ssim():
    # at the default ladder (≤ 0.05 px: long straight lines look wavy from 0.07 px) every drawing passes the SSIM test
    fine = geometry.choose(hatching())
    bold = geometry.choose(grid_lines(pitch=(41, 43), widths=(3, 3)))
    assert fine is not None and bold is not None and fine.amplitude == bold.amplitude == geometry.AMPLITUDES[0] == 0.05
    assert geometry.choose(bumper_arcs((SIZE, SIZE))).amplitude == 0.05
    # asked for more, the same SSIM test gives 1-px hatching less than bold strokes
    more = (0.15, 0.1, 0.07)
    fine, bold = (geometry.choose(im, amplitude=0.15, ladder=more) for im in (hatching(), grid_lines(pitch=(41, 43), widths=(3, 3))))
    assert fine.amplitude < bold.amplitude  # measured 0.07 against 0.1


# ---------------------------------------------------------------- the verdict's bookkeeping


def test_verdict_counts_four_statistics_per_alignment(asset):
    original, grid, g, signs, geo_signs = asset
    leak = geometry.displace(original, geo_signs[LEAKER], g)
    v = _examine(leak, asset)
    hm = len(v.alignments) * 4
    assert v.statistics == ("luminance", "geometric", "outline", "combined") == verdict.STATISTICS
    assert v.n_tests == hm * N
    assert v.threshold == pytest.approx(bound.threshold(hm * N, 1e-6))
    assert v.statistic_scores.shape == (4, N) and v.geometric_projections.shape == v.outline_projections.shape == (len(v.alignments), g.k)
    np.testing.assert_allclose(v.scores, v.statistic_scores.max(axis=0))
    if len(v.alignments) == 1:
        np.testing.assert_allclose(v.statistic_scores[3], verdict.combined(v.statistic_scores[0], v.statistic_scores[1]), atol=1e-9)
    np.testing.assert_allclose(v.p_values, np.minimum(1.0, hm * bound.p_bound(v.scores)))
    assert v.best_statistic[LEAKER] in ("geometric", "outline")  # no luminance mark: T_c ≈ T_g/√2
    assert len(v.best_statistic) == N and set(v.best_statistic) <= set(v.statistics)

    plain = verdict.examine(leak, original, signs, grid=grid, epsilon=1e-6)
    h = len(plain.alignments)
    assert plain.statistics == ("luminance",) and plain.geometric_projections is None
    assert plain.n_tests == h * N and plain.statistic_scores.shape == (1, N)
    np.testing.assert_allclose(plain.p_values, np.minimum(1.0, h * bound.p_bound(plain.scores)))
    assert plain.best_statistic == ("luminance",) * N
    assert not plain.accused.any()  # the luminance carrier alone does not see the field
    with pytest.raises(ValueError):
        verdict.examine(leak, original, signs, grid=grid, epsilon=1e-6, geometric_grid=g.grid)


def test_a_copy_is_the_same_pixels_in_column_tiles_and_wider_than_opencvs_remap_limit(monkeypatch):
    """OpenCV's remap refuses a source of 32,767 pixels or more a side: strips are displaced in column
    tiles, each read with its margin, and give the pixels one remap of the whole strip gives."""
    rng = np.random.default_rng(3)
    img = (rng.random((90, 300, 3)) * 255).astype(np.uint8)
    g = geometry.Geometry((2, 5), 0.4, 1.5)
    s = np.where(rng.random(g.k) < 0.5, -1, 1)
    whole = geometry.displace(img, s, g)
    monkeypatch.setattr(geometry, "REMAP_SIDE", 37)
    np.testing.assert_array_equal(geometry.displace(img, s, g), whole)
    monkeypatch.undo()
    wide = np.full((12, 33_000), 255, np.uint8)
    wide[5:7, :] = 0
    out = geometry.displace(wide, np.ones(2 * 1 * 40, int), geometry.Geometry((1, 40), 0.3, 0.5))
    assert out.shape == wide.shape and (out != wide).any()
