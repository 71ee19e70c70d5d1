"""The geometric carrier: the fingerprint is *where the lines are*, not only their grey levels.

A leaker who cleans a drawing to black and white (a threshold, posterising, print and scan, a
redraw) keeps only where the strokes are, and wipes any mark that lives in the grey levels.
So a copy also carries a smooth per-recipient displacement field

    d_r(x) = a · (Σ_k s_{r,k} φ_k(x),  Σ_k s_{r,K+k} φ_k(x)),

two components (horizontal, vertical) drawn on the lapped carrier basis φ_k of
:mod:`leaktrace.core.carrier`, on a coarser grid than the luminance carrier's (cells of about
:data:`MIN_CELL_PX` px and more, so each cell holds enough strokes to measure its shift). The
signs come from the recipient's seed under their own domain label
(:func:`leaktrace.core.keys.signs_from_seed` with ``carrier="geometric"``), independent of the
luminance signs. The copy is the original resampled at x − d_r(x) (bicubic, :data:`INTERPOLATION`):
every stroke moves by a fraction of a pixel and keeps its anti-aliasing; the field is clipped to
``max_px`` everywhere.

Detection (:func:`project`) linearises the leak around the original: after registration and
the photometric fit (:func:`leaktrace.core.detect.residual`),

    R(x) = leak(x) − P(original)(x) ≈ −∇P(original)(x) · d(x),

so the gradient-weighted residual −w·R·∂P/∂x (and ∂P/∂y), projected on φ_k, estimates each
coefficient of the field (a Lucas–Kanade normal equation per basis support, without the 2×2
inverse: the matched filter). Both images are blurred by :data:`BLUR_SIGMA` px first, which turns
a 1-bit leak's staircase edges back into a smooth profile whose position follows the shift on
average. Nothing reads a recipient's signs, so the innocents' scores keep the bound of
:mod:`leaktrace.core.bound` exactly as the luminance carrier's do.

Measured through the whole trace (registration, the four statistics of :mod:`leaktrace.core.verdict`)
on the bundled 1800×1200 bumper drawing, three leakers of 16, against a threshold of 6.06 (two
alignments: the drawing is mirror-symmetric): at 0.15 px RMS per component the leaker's score after
an Otsu threshold is 14.7–14.9, after a threshold at 200 17.5–18.7, after a redraw of the thinned
strokes 7.5–11.0 (without the geometric carrier: 11–12, 19 and 0). But at 0.15 px long straight
lines visibly wave at 1:1, so the default is 0.05 px (:data:`AMPLITUDES`), where the 1-bit clean-ups
of that drawing are still traced (``tests/services/test_demo_cleanup.py``) and those of drawings
under about 1.5 MP often are not. The copy's PSNR falls to 30–40 dB while its SSIM stays above 0.99:
a fraction of a pixel's shift of a black line changes its edge pixels by tens of levels, invisibly,
which is why the gate of a geometric mark is SSIM and the displacement bound, never PSNR.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from . import carrier, detect
from .pixels import luminance

__all__ = [
    "CELLS",
    "MIN_CELL_PX",
    "BLUR_SIGMA",
    "Geometry",
    "grid_for",
    "field",
    "Linearised",
    "linearised",
    "displace",
    "displace_strips",
    "Displacer",
    "project",
    "outline",
    "project_outlines",
    "edge_cover",
    "choose",
    "reference",
    "AMPLITUDES",
]

#: Target number of cells per component (K = 2 · cells signs).
CELLS = 512
#: Smallest cell side, pixels of the original: a cell must hold strokes to measure their shift.
MIN_CELL_PX = 32
#: Gaussian blur of leak and prediction before the gradient-weighted residual, pixels.
BLUR_SIGMA = 1.0
#: Edges: a pixel whose luminance gradient is at least this, in levels per pixel.
EDGE_LEVELS_PER_PX = 12.0
#: Resampling of a copy: bicubic. Measured on the bumper drawing at 0.15 px: SSIM 0.9947 and
#: +1.7 % ink (clipping the kernel's overshoot on white paper keeps a little more of each
#: stroke); bilinear keeps the ink to 0.02 % but softens every stroke it moves (SSIM 0.9928, so
#: the asset gets 0.1 px) and the leaker's score after a redraw fell from 7.9 to 5.1 on average.
INTERPOLATION = cv2.INTER_CUBIC
_STRIP_PIXELS = 1 << 18


@dataclass(frozen=True)
class Geometry:
    """What an asset's geometric carrier is: fixed when the asset is registered.

    Attributes
    ----------
    grid : (gy, gx)
        Cells of each of the two components; the recipient has 2·gy·gx signs.
    amplitude : float, pixels of the original
        RMS of each component of the field drawn by ±1 signs (before clipping).
    max_px : float, pixels of the original
        Bound on the displacement's length anywhere in the copy (the field is clipped to it).
    """

    grid: tuple[int, int]
    amplitude: float
    max_px: float

    @property
    def k(self) -> int:
        """Number of signs: two components of gy·gx cells."""
        return 2 * int(self.grid[0]) * int(self.grid[1])


def grid_for(shape: tuple[int, int]) -> tuple[int, int]:
    """The geometric carrier's grid for an image of ``shape`` (H, W): about :data:`CELLS` cells.

    Examples
    --------
    >>> grid_for((1200, 1800))
    (18, 28)
    """
    return carrier.grid_for(shape, cells=CELLS, min_cell_px=MIN_CELL_PX)


class _Field:
    """The field's two components, row strip by row strip: A[rows] · (S·scale) · Bᵀ.

    A lapped basis function spans two of its side's n + 1 cells, so each row of A has at most two
    non-zero entries, at columns i and i + 1: a strip of the field is two scaled rows of the
    column side per pixel, 2 multiply-adds instead of gy: 0.016 s for a 17 MP field, where
    resampling the copy along it takes about 0.1 s.
    """

    def __init__(self, signs: np.ndarray, shape: tuple[int, int], geometry: Geometry):
        h, w = int(shape[0]), int(shape[1])
        gy, gx = int(geometry.grid[0]), int(geometry.grid[1])
        s = np.asarray(signs, dtype=np.float32)
        if s.shape != (geometry.k,):
            raise ValueError(f"expected {geometry.k} geometric signs, got {s.shape}")
        scale = np.float32(geometry.amplitude * math.sqrt(h * w / (gy * gx)))
        b = carrier.basis_1d(w, gx)  # w gx
        a = carrier.basis_1d(h, gy)  # h gy
        # gy w each: the column side of the product, drawn once
        self.right = [np.ascontiguousarray((s[i * gy * gx : (i + 1) * gy * gx].reshape(gy, gx) * scale) @ b.T) for i in (0, 1)]
        rows = np.arange(h)
        self.first = np.argmax(a != 0, axis=1)  # h: the first non-zero function of each row
        self.second = np.minimum(self.first + 1, gy - 1)
        self.w_first = a[rows, self.first]
        self.w_second = np.where(self.second != self.first, a[rows, self.second], 0).astype(np.float32)
        self.max_px = np.float32(geometry.max_px)

    def rows(self, r: slice) -> tuple[np.ndarray, np.ndarray]:
        i, j = self.first[r], self.second[r]
        u, v = self.w_first[r][:, None], self.w_second[r][:, None]
        dx, dy = (right[i] * u + right[j] * v for right in self.right)  # rows w each
        length2 = dx * dx + dy * dy
        over = length2 > self.max_px * self.max_px
        if over.any():
            shrink = np.where(over, self.max_px / np.sqrt(np.maximum(length2, 1e-24)), 1.0).astype(np.float32)
            dx *= shrink
            dy *= shrink
        return dx, dy


def field(signs: np.ndarray, shape: tuple[int, int], geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """The displacement field (dx, dy) of ``signs``, pixels, each (H, W) float32, clipped to ``max_px``.

    Examples
    --------
    >>> g = Geometry((4, 6), 0.15, 0.5)
    >>> s = np.where(np.arange(g.k) % 3, 1, -1)
    >>> dx, dy = field(s, (200, 300), g)
    >>> dx.shape, round(float(np.sqrt(np.mean(dx ** 2))), 2), float(np.hypot(dx, dy).max()) <= 0.5 + 1e-6
    ((200, 300), 0.15, True)
    """
    f = _Field(signs, shape, geometry)
    return f.rows(slice(0, int(shape[0])))


#: Widest source window one remap reads, pixels (OpenCV's remap refuses a source of 32,767 or more a
#: side): a strip is displaced in column tiles of this width, each read with its margin, so a copy is
#: the same pixels whatever the image's width.
REMAP_SIDE = 16384


class Displacer:
    """The displaced original, one row strip at a time: ``displacer(rows)`` is ``displace(...)[rows]``.

    The luminance mark can then be added strip by strip as each strip is displaced
    (:func:`leaktrace.core.embed.embed_strips` with ``source=``), and no displaced copy of the
    whole original is ever held. ``last`` is the strip made by the latest call.
    """

    def __init__(self, image: np.ndarray, signs: np.ndarray, geometry: Geometry):
        if image.dtype != np.uint8:
            raise ValueError(f"expected a uint8 image, got {image.dtype}")
        self.image = image
        self.field = _Field(signs, image.shape[:2], geometry)
        self.xs = np.arange(image.shape[1], dtype=np.float32)[None, :]
        self.last: np.ndarray | None = None

    def __call__(self, r: slice) -> np.ndarray:
        dx, dy = self.field.rows(r)
        h, w = self.image.shape[:2]
        margin = int(math.ceil(float(self.field.max_px))) + 3  # the bicubic kernel's reach past the largest move
        y0, y1 = max(0, r.start - margin), min(h, r.stop + margin)
        map_y = np.arange(r.start, r.stop, dtype=np.float32)[:, None] - dy - np.float32(y0)
        out = np.empty((r.stop - r.start, w, *self.image.shape[2:]), np.uint8)
        for c0 in range(0, w, REMAP_SIDE):  # OpenCV's remap takes sources under 32,767 pixels a side
            c1 = min(w, c0 + REMAP_SIDE)
            x0, x1 = max(0, c0 - margin), min(w, c1 + margin)
            map_x = self.xs[:, c0:c1] - dx[:, c0:c1] - np.float32(x0)
            source = self.image[y0:y1, x0:x1]
            out[:, c0:c1] = cv2.remap(source, map_x, np.ascontiguousarray(map_y[:, c0:c1]), INTERPOLATION, borderMode=cv2.BORDER_REPLICATE)
        self.last = out
        return self.last


def displace_strips(image: np.ndarray, signs: np.ndarray, geometry: Geometry, *, out: np.ndarray, rows: int | None = None) -> Iterator[slice]:
    """Resample ``image`` at x − d(x) into ``out``, strip by strip, yielding each strip done.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The original (not modified).
    signs : (2·gy·gx,) ±1 ndarray
        The recipient's geometric signs.
    geometry : Geometry
    out : uint8 ndarray, same shape as image
    rows : int, optional
        Rows per strip.

    Notes
    -----
    Bicubic resampling (:data:`INTERPOLATION`), borders replicated, rounded to whole levels; the
    same pixels whatever the strip height. Memory: a strip's maps and field (16 bytes per pixel
    of the strip) and the field's column side (gy·W floats).
    """
    if image.dtype != np.uint8 or out.shape != image.shape or out.dtype != np.uint8:
        raise ValueError("image and out must be uint8 arrays of the same shape")
    h, w = image.shape[:2]
    displacer = Displacer(image, signs, geometry)
    rows = int(rows) if rows else max(8, _STRIP_PIXELS // max(1, w))
    for r0 in range(0, h, rows):
        r = slice(r0, min(h, r0 + rows))
        out[r] = displacer(r)
        yield r


def displace(image: np.ndarray, signs: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The original with every stroke moved by the recipient's field: :func:`displace_strips` into a new array.

    Examples
    --------
    >>> img = np.full((96, 128), 255, np.uint8); img[40:43, :] = 0
    >>> g = Geometry((1, 2), 0.3, 0.5)
    >>> out = displace(img, np.array([1, -1, 1, 1]), g)
    >>> out.shape, bool((out != img).any()), int(out[0, 0])
    ((96, 128), True, 255)
    """
    out = np.empty_like(image)
    for _ in displace_strips(image, signs, geometry, out=out):
        pass
    return out


def _blurred(y: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(np.asarray(y, np.float32), (0, 0), sigma) if sigma > 0 else np.asarray(y, np.float32)


def project(
    leak_y: np.ndarray,
    predicted_y: np.ndarray,
    valid: np.ndarray,
    grid: tuple[int, int],
    *,
    rows: np.ndarray | None = None,
    cols: np.ndarray | None = None,
    density: tuple[float, float] | None = None,
    pixel_scale: float = 1.0,
    blur: float | None = None,
    through=None,
) -> np.ndarray:
    """The projection y of a registered leak on the geometric carrier: 2·gy·gx coefficients.

    Parameters
    ----------
    leak_y : (H, W) float32 ndarray, levels
        The leak's luminance, registered onto the original's frame.
    predicted_y : (H, W) float32 ndarray, levels
        The original as the leak's tones and blur show it (``Photometric.apply``).
    valid : (H, W) bool ndarray
    grid : (gy, gx), the asset's geometric grid
    rows, cols, density : optional
        The frame's normalised coordinates, as :func:`leaktrace.core.carrier.project` takes them.
    pixel_scale : float
        Frame pixels per original pixel (gradients are per frame pixel; the statistic does not
        depend on it, the estimate's unit does).
    blur : float, pixels, optional
        Gaussian blur of both images first (default :data:`BLUR_SIGMA`; 0: none).
    through : callable, optional
        Projects the linearised leak (:func:`linearised`) instead of the basis at each
        pixel: a document page's strokes (:func:`leaktrace.core.strokes.project`).

    Returns
    -------
    y : (2·gy·gx,) float64 ndarray
        Horizontal coefficients first, then vertical; zeros when nothing valid is left.

    Notes
    -----
    y = project(−w·clip(R)·∂P/∂x), project(−w·clip(R)·∂P/∂y), with R the blurred residual,
    w = valid / local residual energy (the matched filter for a residual whose noise varies in
    space, as the luminance detector's), and the residual clipped at ±3 local RMS. A function of
    the leak and the original only.

    Examples
    --------
    >>> from leaktrace.core import keys
    >>> img = np.full((256, 256), 255, np.float32)
    >>> for c in range(8, 256, 12): img[:, c:c + 2] = 0; img[c:c + 2, :] = 0
    >>> g = Geometry((3, 3), 0.3, 0.6)
    >>> s = keys.signs_from_seed(bytes(32), g.k, carrier="geometric")
    >>> copy = displace(img.astype(np.uint8), s, g).astype(np.float32)
    >>> y = project(copy, img, np.ones(img.shape, bool), g.grid)
    >>> float(s @ y / np.linalg.norm(y)) > 3
    True
    """
    valid = np.asarray(valid, bool)
    k = int(grid[0]) * int(grid[1])
    if not valid.any():
        return np.zeros(2 * k)
    parts = linearised(leak_y, predicted_y, valid, pixel_scale=pixel_scale, blur=blur)
    if through is not None:
        return through(parts)
    return np.concatenate([carrier.project(f, grid, rows=rows, cols=cols, density=density) for f in parts.fields])


@dataclass(frozen=True)
class Linearised:
    """The leak against the original, linearised for the displacement: R ≈ −∇P · d.

    Attributes
    ----------
    weight : (H, W) float32, 1 / levels²: valid / local residual energy
    residual : (H, W) float32, levels: clipped, scaled by the pixel scale
    gradient_x, gradient_y : (H, W) float32, levels per frame pixel, of the blurred prediction
    """

    weight: np.ndarray
    residual: np.ndarray
    gradient_x: np.ndarray
    gradient_y: np.ndarray

    @property
    def fields(self) -> tuple[np.ndarray, np.ndarray]:
        """The per-pixel matched-filter estimates −w·R·∂P/∂x and −w·R·∂P/∂y."""
        wr = -self.weight * self.residual
        return wr * self.gradient_x, wr * self.gradient_y


def linearised(leak_y: np.ndarray, predicted_y: np.ndarray, valid: np.ndarray, *, pixel_scale: float = 1.0, blur: float | None = None) -> Linearised:
    """What :func:`project` projects, per pixel (see :class:`Linearised`)."""
    vf = np.asarray(valid, bool).astype(np.float32)
    sigma = BLUR_SIGMA if blur is None else float(blur)
    leak = _blurred(leak_y, sigma)
    pred = _blurred(predicted_y, sigma)
    r, local_rms = detect.clipped((leak - pred) * vf, vf)
    gx, gy = (cv2.Sobel(pred, cv2.CV_32F, dx, dy, ksize=3) / 8.0 for dx, dy in ((1, 0), (0, 1)))
    return Linearised(vf / (local_rms * local_rms), r * np.float32(pixel_scale), gx, gy)


#: Outlines: the signed distance to the ink is clipped at ± this many pixels, then blurred by
#: :data:`OUTLINE_BLUR` px, and scaled by :data:`OUTLINE_LEVELS` to a grey-level scale (so the
#: detector's noise floor of 0.5 levels keeps its meaning).
OUTLINE_CLIP_PX = 2.0
OUTLINE_BLUR = 0.8
OUTLINE_LEVELS = 40.0


def outline(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The signed distance of every pixel to the ink of ``y`` (its Otsu threshold over ``valid``),
    positive on paper, clipped and smoothed: where the strokes' edges are, whatever their grey
    levels or width. (H, W) float32, pixels.

    Examples
    --------
    >>> y = np.full((32, 32), 255, np.float32); y[:, 14:18] = 0
    >>> d = outline(y, np.ones(y.shape, bool))
    >>> bool(d[16, 16] < 0 < d[16, 4]), float(d[16, 4]) <= OUTLINE_CLIP_PX
    (True, True)
    """
    v = np.clip(np.asarray(y, np.float32)[valid], 0, 255).astype(np.uint8).reshape(1, -1)
    if v.size == 0:
        return np.zeros(np.shape(y), np.float32)
    t, _ = cv2.threshold(v, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink = (np.asarray(y) <= t).astype(np.uint8)
    inside = cv2.distanceTransform(ink, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    outside = cv2.distanceTransform(1 - ink, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    field = np.clip(outside - inside, -OUTLINE_CLIP_PX, OUTLINE_CLIP_PX).astype(np.float32)
    return cv2.GaussianBlur(field, (0, 0), OUTLINE_BLUR)


def project_outlines(
    leak_y: np.ndarray,
    original_y: np.ndarray,
    valid: np.ndarray,
    grid: tuple[int, int],
    *,
    rows: np.ndarray | None = None,
    cols: np.ndarray | None = None,
    density: tuple[float, float] | None = None,
    through=None,
) -> np.ndarray:
    """The geometric projection measured on outlines (:func:`outline`) instead of grey levels.

    A clean-up that redraws or re-thresholds the strokes (a 1-bit threshold at any level, a
    vectorised redraw at another stroke width) breaks the grey-level model of
    :mod:`leaktrace.core.photometric`, but keeps where each stroke's edges are: the leak's
    outline is the original's moved by d, up to a uniform change in stroke width, which the
    affine fit S_leak ≈ α·S_original + β (least squares near the edges) absorbs. Then
    :func:`project` on the fitted outlines. A function of the leak and the original only.

    Examples
    --------
    >>> from leaktrace.core import keys
    >>> img = np.full((256, 256), 255, np.float32)
    >>> for c in range(8, 256, 12): img[:, c:c + 2] = 0; img[c:c + 2, :] = 0
    >>> g = Geometry((3, 3), 0.3, 0.6)
    >>> s = keys.signs_from_seed(bytes(32), g.k, carrier="geometric")
    >>> copy = displace(img.astype(np.uint8), s, g).astype(np.float32)
    >>> bold = cv2.erode(np.where(copy < 128, 0, 255).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.float32)
    >>> y = project_outlines(bold, img, np.ones(img.shape, bool), g.grid)
    >>> float(s @ y / np.linalg.norm(y)) > 3
    True
    """
    valid = np.asarray(valid, bool)
    if not valid.any():
        return np.zeros(2 * int(grid[0]) * int(grid[1]))
    leak, original = outline(leak_y, valid), outline(original_y, valid)
    near = valid & (np.abs(original) < OUTLINE_CLIP_PX - 0.5)
    if near.sum() < 16:
        return np.zeros(2 * int(grid[0]) * int(grid[1]))
    a = np.stack([original[near], np.ones(int(near.sum()), np.float32)], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(a.astype(np.float64), leak[near].astype(np.float64), rcond=None)
    predicted = (np.float32(alpha) * original + np.float32(beta)) * np.float32(OUTLINE_LEVELS)
    return project(leak * np.float32(OUTLINE_LEVELS), predicted, valid, grid, rows=rows, cols=cols, density=density, blur=0.0, through=through)


def edge_cover(original: np.ndarray, grid: tuple[int, int]) -> float:
    """Fraction of the geometric grid's cells that hold edges (image evidence only).

    A cell holds edges when at least 0.5 % of its pixels have a luminance gradient of
    :data:`EDGE_LEVELS_PER_PX` or more. A flat image (0.0) has nothing to move.

    Examples
    --------
    >>> flat = np.full((256, 256), 128, np.uint8)
    >>> lines = flat.copy(); lines[:, ::16] = 0
    >>> edge_cover(flat, (3, 3)), edge_cover(lines, (3, 3))
    (0.0, 1.0)
    """
    y = luminance(original)
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    edges = (np.sqrt(gx * gx + gy * gy) >= EDGE_LEVELS_PER_PX).astype(np.float32)
    ny, nx = int(grid[0]) + 1, int(grid[1]) + 1  # the n-cell basis spans n + 1 cells
    cells = cv2.resize(edges, (nx, ny), interpolation=cv2.INTER_AREA)
    return float(np.mean(cells >= 0.005))


#: Amplitudes tried by :func:`choose`, largest first, pixels RMS per component. Looked at 1:1 on
#: long straight 1-px lines (the bundled bumper's frame, the bench drawings' lines): 0.15 and
#: 0.1 px make them visibly wavy (hyperacuity: the eye sees a line's centre move by a tenth of a
#: pixel along a straight edge), 0.07 slightly, 0.05 not. SSIM does not see it (0.995 at 0.15).
AMPLITUDES = (0.05, 0.035, 0.025)
#: An asset whose grid cells hold edges in less than this fraction gets no geometric carrier.
MIN_EDGE_COVER = 0.15


def reference(original: np.ndarray, geometry: Geometry | None) -> np.ndarray:
    """What any copy looks like before its luminance mark: the original moved by the fixed public
    reference signs (never a recipient's), or the original itself without a geometric carrier.
    The luminance strength is measured on it, so the luminance mark's PSNR meets its target on
    the displaced strokes the copies really have.
    """
    if geometry is None:
        return original
    from .embed import reference_signs

    return displace(original, reference_signs(geometry.k), geometry)


def choose(
    original: np.ndarray,
    *,
    amplitude: float = AMPLITUDES[0],
    max_px: float = 0.5,
    min_ssim: float = 0.993,
    ssim=None,
    ladder: tuple[float, ...] = AMPLITUDES,
) -> Geometry | None:
    """The asset's geometric carrier, from image evidence only: None where it has no edges.

    The largest amplitude of ``ladder`` (:data:`AMPLITUDES`; none above ``amplitude``) whose reference copy
    (the original moved by the fixed public reference signs, never a recipient's) keeps an SSIM
    of ``min_ssim`` or more (0.993 leaves the luminance carrier room within the gate of 0.99): textured photos, where a sub-pixel shift costs more SSIM, get a
    smaller one. ``ssim`` measures (original, copy) → SSIM (default: the exact SSIM).

    Returns
    -------
    geometry : Geometry or None

    Examples
    --------
    >>> flat = np.full((256, 256, 3), 128, np.uint8)
    >>> choose(flat) is None
    True
    >>> lines = np.full((256, 384, 3), 255, np.uint8); lines[:, ::24] = 0; lines[::24, :] = 0
    >>> g = choose(lines)
    >>> g.grid, g.amplitude, g.max_px
    ((7, 11), 0.05, 0.5)
    """
    from .embed import reference_signs
    from .quality import ssim as exact_ssim

    measure = ssim or exact_ssim
    grid = grid_for(original.shape[:2])
    if edge_cover(original, grid) < MIN_EDGE_COVER:
        return None
    for a in (x for x in ladder if x <= amplitude + 1e-12):
        g = Geometry(grid, float(a), float(max_px))
        if measure(original, displace(original, reference_signs(g.k), g)) >= min_ssim:
            return g
    return None
