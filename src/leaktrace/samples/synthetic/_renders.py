"""Smooth renders: gradients, soft blobs and shaded bodies, with few or no edges for local features."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ._photos import SAMPLE_SEED


def spheres(shape: tuple[int, int] = (512, 512)) -> np.ndarray:
    """Two shaded, specular spheres (red and silver) on a grey gradient backdrop; positions scale with ``shape``.

    The engine tests' render (embed, detect, quality), at any size and aspect.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = spheres((200, 240))
    >>> red = image[100, 84].astype(int)  # inside the red sphere
    >>> image.shape, bool(red[0] > red[1] + 100 and red[1] == red[2])
    ((200, 240, 3), True)
    """
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = 90 + 60 * (yy / h)
    img = np.stack([bg, bg, bg * 1.02], -1)
    for cx, cy, r, col in [(0.35, 0.5, 0.22, (200, 40, 40)), (0.7, 0.45, 0.15, (180, 180, 190))]:
        cx, cy, r = cx * w, cy * h, r * min(h, w)
        d2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / r**2
        nz = np.sqrt(np.clip(1 - d2, 0, 1))
        nx, ny = (xx - cx) / r, (yy - cy) / r
        shade = np.clip(0.3 + 0.7 * np.clip(-0.5 * nx - 0.5 * ny + 0.7 * nz, 0, 1), 0, 1)
        spec = np.clip(-0.4 * nx - 0.4 * ny + 0.82 * nz, 0, 1) ** 30
        for c in range(3):
            img[..., c] = np.where(d2 < 1, col[c] * shade + 204 * spec, img[..., c])
    return np.clip(np.rint(cv2.GaussianBlur(img, (0, 0), 0.7)), 0, 255).astype(np.uint8)


def soft_ellipses(shape: tuple[int, int] = (448, 640), seed: int = 3) -> np.ndarray:
    """Colour gradients and seven Gaussian-blurred soft ellipses: no edges for local features to hold on to.

    The registration tests' render.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.
    seed : int
        Seeds each ellipse's place, axes, angle and colour shift.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = soft_ellipses((192, 256))
    >>> image.shape, bool(abs(image.astype(int)[1:] - image[:-1]).max() < 16)
    ((192, 256, 3), True)
    """
    height, width = shape
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.zeros((height, width, 3), np.float32)
    for c in range(3):
        img[..., c] = 60 + 90 * (x / width) * (c + 1) / 3 + 60 * (y / height) * (3 - c) / 3
    for _ in range(7):
        layer = np.zeros((height, width), np.float32)
        centre = (int(rng.uniform(0.1, 0.9) * width), int(rng.uniform(0.1, 0.9) * height))
        axes = (int(rng.uniform(0.08, 0.25) * width), int(rng.uniform(0.06, 0.2) * height))
        cv2.ellipse(layer, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        layer = cv2.GaussianBlur(layer, (0, 0), 0.04 * width)
        img += layer[..., None] * rng.uniform(-80, 80, 3).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


#: The asset-search tests' blobs: (x, y, σ in pixels, RGB colour).
SEARCH_BLOBS = ((150, 200, 70, (200, 40, 40)), (360, 150, 90, (30, 160, 220)), (300, 300, 50, (240, 220, 90)))


def soft_blobs(shape: tuple[int, int] = (384, 512), blobs: Sequence[tuple[float, float, float, tuple[int, int, int]]] = SEARCH_BLOBS) -> np.ndarray:
    """Colour gradients with soft Gaussian blobs: what SIFT finds almost nothing in.

    The asset-search tests' render with the default :data:`SEARCH_BLOBS`; the search-scale
    bench's with its own two blobs on 480 × 640.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.
    blobs : sequence of (x, y, sigma, (r, g, b))
        Centre and σ in pixels of each blob, and the colour it blends 80 % towards.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = soft_blobs()
    >>> image.shape, tuple(int(v) for v in image[200, 150])  # the red blob's centre
    ((384, 512, 3), (172, 59, 71))
    """
    h, w = shape
    y, x = np.mgrid[:h, :w].astype(np.float64)
    img = np.stack([60 + 120 * x / w, 80 + 60 * y / h, 200 - 100 * (x + y) / (w + h)], axis=-1)
    for cx, cy, r, colour in blobs:
        g = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r**2))[..., None]
        img = img * (1 - 0.8 * g) + 0.8 * g * np.array(colour)
    return np.clip(img, 0, 255).astype(np.uint8)


def soft_bump(shape: tuple[int, int] = (360, 540)) -> np.ndarray:
    """A warm vertical gradient with one soft highlight, blurred: the smoothest picture there is.

    The evaluation tests' render; positions scale with ``shape``.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = soft_bump()
    >>> image.shape, bool(image[150, 300, 0] > image[0, 0, 0] + 50)  # the highlight
    ((360, 540, 3), True)
    """
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bump = np.exp(-(((xx - 300 * w / 540) / (120 * w / 540)) ** 2 + ((yy - 150 * h / 360) / (80 * h / 360)) ** 2))
    img = cv2.GaussianBlur(120 + 60 * (yy / h) + 40 * bump, (0, 0), 3)
    return np.clip(np.dstack([img, img * 0.95, img * 0.9]), 0, 255).astype(np.uint8)


def studio_render(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """Two to four shaded smooth bodies (spheres, car-body capsules) over a studio gradient, with soft shadows.

    The bench's renders (``bench/images.py``).

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.
    seed : int
        Seeds the backdrop's colours and every body's place, size, stretch and colour.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = studio_render((120, 180), seed=100)
    >>> image.shape, image.dtype
    ((120, 180, 3), dtype('uint8'))
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = xx / w, yy / h
    top, bottom = rng.uniform(150, 235, 3), rng.uniform(40, 140, 3)
    img = top * (1 - v[..., None]) + bottom * v[..., None]
    img *= (1 - 0.25 * ((u - 0.5) ** 2))[..., None]
    light = np.array([-0.5, -0.6, 0.62], np.float32)
    light /= np.linalg.norm(light)
    for _ in range(int(rng.integers(2, 5))):
        cx, cy, r = rng.uniform(0.2, 0.8) * w, rng.uniform(0.3, 0.7) * h, rng.uniform(0.08, 0.22) * min(h, w)
        sx = rng.uniform(1.0, 2.5)  # capsule / body stretch
        dx, dy = (xx - cx) / (r * sx), (yy - cy) / r
        d2 = dx * dx + dy * dy
        inside = d2 < 1
        nz = np.sqrt(np.clip(1 - d2, 0, 1))
        shade = np.clip(light[0] * dx + light[1] * dy + light[2] * nz, 0, 1)
        spec = np.clip(shade, 0, 1) ** 30
        colour = rng.uniform(30, 230, 3)
        shadow = np.exp(-(((xx - cx - 0.3 * r) / (r * sx * 1.2)) ** 2 + ((yy - cy - 1.05 * r) / (0.25 * r)) ** 2))
        img *= (1 - 0.4 * shadow)[..., None]
        body = colour * (0.25 + 0.75 * shade[..., None]) + 255 * 0.6 * spec[..., None]
        edge = np.clip((1 - d2) * r * 0.5, 0, 1)[..., None]  # anti-aliased rim
        img = np.where(inside[..., None], img * (1 - edge) + body * edge, img)
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 1.0)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def gradient(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A smooth abstract: a few broad colour blobs (a wallpaper-like gradient).

    The bench's gradients (``bench/images.py``): a random 3 × 4 colour grid, enlarged and blurred.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.
    seed : int
        Seeds the colour grid.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = gradient((120, 180), seed=102)
    >>> image.shape, bool(abs(image.astype(int)[1:] - image[:-1]).max() < 10)  # no edges
    ((120, 180, 3), True)
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    small = rng.uniform(20, 235, (3, 4, 3)).astype(np.float32)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(cv2.GaussianBlur(img, (0, 0), max(h, w) / 40), 0, 255).astype(np.uint8)


def render_smooth(seed: int = SAMPLE_SEED) -> np.ndarray:
    """The bundled ``render_smooth``: a shaded body panel and a soft sphere on a grey studio backdrop,
    all gradients and soft highlights (what local features find almost nothing in).

    Parameters
    ----------
    seed : int
        Seeds the faint grain; the bundled sample is drawn with :data:`SAMPLE_SEED`.

    Returns
    -------
    (1000, 1600, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = render_smooth()
    >>> image.shape, image.dtype
    ((1000, 1600, 3), dtype('uint8'))
    """
    rng = np.random.default_rng(seed)
    h, w = 1000, 1600  # drawn in OpenCV's BGR order, returned RGB
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    backdrop = 150 + 50 * (1 - yy / h) - 30 * ((xx - w / 2) / w) ** 2
    img = np.repeat(backdrop[..., None], 3, -1)
    panel = np.zeros((h, w), np.uint8)
    pts = np.array([[300, 650], [520, 360], [1100, 300], [1330, 420], [1280, 700], [700, 760]], np.int32)
    cv2.fillPoly(panel, [pts], 255)
    pf = cv2.GaussianBlur(panel, (0, 0), 6).astype(np.float32)[..., None] / 255
    light = np.exp(-(((xx - 900) / 420) ** 2 + ((yy - 430) / 160) ** 2))
    color = np.stack([120 + 100 * light, 130 + 80 * light, 150 + 90 * light], -1) * (0.75 + 0.25 * (xx / w))[..., None]
    img = img * (1 - pf) + color * pf
    shadow = cv2.GaussianBlur(np.roll(panel, 60, axis=0), (0, 0), 40).astype(np.float32)[..., None] / 255
    img = img * (1 - 0.35 * shadow * (1 - pf))
    sphere = np.exp(-(((xx - 420) / 90) ** 2 + ((yy - 260) / 90) ** 2))[..., None]
    img = img * (1 - 0.9 * sphere) + 0.9 * sphere * np.array([200, 210, 235])
    img = np.clip(img + 0.6 * rng.standard_normal((h, w, 1)), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img[..., ::-1])
