"""Photo-like pictures: textured shapes on a noisy gradient, and the bundled concept-car scene."""

from __future__ import annotations

import cv2
import numpy as np

#: The seed ``tools/make_samples.py`` draws the bundled samples with.
SAMPLE_SEED = 20261123


def photo(
    seed: int = 0,
    shape: tuple[int, int] = (320, 480),
    *,
    shapes: int = 18,
    smallest: tuple[int, int] = (8, 10),
    grain: float = 4.0,
    labels: int = 0,
    noise_interpolation: int = cv2.INTER_CUBIC,
) -> np.ndarray:
    """A small photo-like picture: filled circles and rectangles over a noisy colour gradient.

    The tests' everyday photo (``tests/conftest.py``) with the defaults; the distractor
    pictures of ``tests/index/test_ann.py`` and ``bench/search_scale.py`` with
    ``shapes=25, smallest=(4, 5), grain=0, labels=5, noise_interpolation=cv2.INTER_LINEAR``.

    Parameters
    ----------
    seed : int
        Seeds everything random (noise, shapes, colours, label places).
    shape : (int, int)
        (H, W) in pixels; the noise has a cell of 8 pixels.
    shapes : int
        How many circles or rectangles (half of each, at random).
    smallest : (int, int), pixels
        The smallest circle radius and the smallest rectangle side (the largest are 50, and 80 × 60).
    grain : float, levels
        σ of the sensor noise added before rounding (0: none, and no random draw).
    labels : int
        Lines of black text ``PART <seed>-<i>`` drawn last, on the rounded picture.
    noise_interpolation : int
        How the coarse noise is enlarged (an OpenCV ``INTER_*`` flag).

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = photo(0, (64, 96))
    >>> image.shape, image.dtype
    ((64, 96, 3), dtype('uint8'))
    >>> bool((photo(3, (64, 96)) == photo(3, (64, 96))).all()), bool((photo(4, (64, 96)) == image).all())
    (True, False)
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([80 + 100 * yy / h, 120 + 60 * xx / w, 140 - 50 * yy / h], -1)
    noise = cv2.resize(rng.standard_normal((h // 8, w // 8)).astype(np.float32), (w, h), interpolation=noise_interpolation)
    img += 25 * noise[..., None]
    for _ in range(shapes):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            cv2.circle(img, center, int(rng.integers(smallest[0], 50)), c, -1)
        else:
            corner = (center[0] + int(rng.integers(smallest[1], 80)), center[1] + int(rng.integers(smallest[1], 60)))
            cv2.rectangle(img, center, corner, c, -1)
    if grain:
        img += rng.normal(0, grain, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    for i in range(labels):
        xy = (int(rng.integers(0, w - 100)), int(rng.integers(10, h)))
        cv2.putText(img, f"PART {seed}-{i}", xy, cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    return img


def _fractal_noise(shape, rng, octaves=6, base=4):
    h, w = shape
    out = np.zeros(shape, np.float32)
    amp = 1.0
    for o in range(octaves):
        cells = base * 2**o
        small = rng.standard_normal((cells + 1, int(cells * w / h) + 1)).astype(np.float32)
        out += amp * cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        amp *= 0.55
    return out / np.abs(out).max()


def render_photo(seed: int = SAMPLE_SEED) -> np.ndarray:
    """The bundled ``render_photo``: a concept car in a city yard, textured asphalt, a sky, sensor noise.

    Parameters
    ----------
    seed : int
        The bundled sample is drawn with :data:`SAMPLE_SEED`.

    Returns
    -------
    (1000, 1600, 3) uint8 ndarray, RGB

    Examples
    --------
    >>> image = render_photo()
    >>> image.shape, image.dtype
    ((1000, 1600, 3), dtype('uint8'))
    """
    rng = np.random.default_rng(seed)
    h, w = 1000, 1600
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)  # drawn in OpenCV's BGR order, returned RGB
    horizon = 520
    sky_t = np.clip(yy / horizon, 0, 1)[..., None]
    img[:] = (1 - sky_t) * np.array([235, 190, 120]) + sky_t * np.array([250, 235, 215])
    clouds = _fractal_noise((h, w), rng, octaves=5, base=3)
    img += (np.clip(clouds, 0, 1) * 40 * (yy < horizon))[..., None]
    # distant hills and buildings
    hill = horizon - 60 - 40 * np.sin(xx[0] / 180.0) - 25 * _fractal_noise((1, w), rng, 4, 2)[0]
    for x in range(w):
        img[int(hill[x]) : horizon, x] = np.array([90, 110, 95]) + 20 * rng.standard_normal(3)
    for _ in range(14):
        bx, bw, bh = int(rng.integers(0, w - 80)), int(rng.integers(40, 120)), int(rng.integers(40, 160))
        c = rng.integers(120, 200, 3).astype(float)
        cv2.rectangle(img, (bx, horizon - bh), (bx + bw, horizon), c.tolist(), -1)
        for wy in range(horizon - bh + 8, horizon - 8, 16):
            for wx in range(bx + 6, bx + bw - 8, 14):
                cv2.rectangle(img, (wx, wy), (wx + 6, wy + 8), (c * 0.55).tolist(), -1)
    # asphalt
    ground = yy >= horizon
    asphalt = 70 + 18 * _fractal_noise((h, w), rng, 7, 8) + 10 * rng.standard_normal((h, w)).astype(np.float32)
    img[ground] = np.stack([asphalt * 1.02, asphalt, asphalt * 0.97], -1)[ground]
    for x0 in range(-400, w + 400, 260):  # painted lines in perspective
        p = np.array([[x0, h], [x0 + 40, h], [w // 2 + (x0 - w // 2) // 6 + 4, horizon], [w // 2 + (x0 - w // 2) // 6, horizon]], np.int32)
        cv2.fillConvexPoly(img, p, (200, 205, 210))
    # car body
    cx, cy = 800, 700
    body = np.zeros((h, w), np.uint8)
    cv2.ellipse(body, (cx, cy), (520, 120), 0, 0, 360, 255, -1)
    cv2.ellipse(body, (cx - 40, cy - 110), (300, 110), 0, 180, 360, 255, -1)
    bodyf = cv2.GaussianBlur(body, (0, 0), 2).astype(np.float32)[..., None] / 255
    shade = np.clip(1.2 - (yy - (cy - 200)) / 420, 0.3, 1.2)[..., None]
    paint = np.array([40, 40, 190], np.float32) * shade
    refl = 60 * np.clip(_fractal_noise((h, w), rng, 3, 2), 0, 1)[..., None]
    img = img * (1 - bodyf) + (paint + refl) * bodyf
    glass = np.zeros((h, w), np.uint8)
    cv2.ellipse(glass, (cx - 40, cy - 110), (250, 85), 0, 190, 350, 255, -1)
    gl = cv2.GaussianBlur(glass, (0, 0), 1.5).astype(np.float32)[..., None] / 255
    img = img * (1 - gl) + (np.array([70, 55, 45]) + 80 * (1 - (yy - 500) / 200)[..., None].clip(0, 1)) * gl
    for wx in (cx - 330, cx + 330):  # wheels
        cv2.circle(img, (wx, cy + 95), 95, (25, 25, 28), -1)
        cv2.circle(img, (wx, cy + 95), 60, (170, 170, 175), -1)
        for a in range(0, 360, 36):
            r = np.deg2rad(a)
            cv2.line(img, (wx, cy + 95), (int(wx + 58 * np.cos(r)), int(cy + 95 + 58 * np.sin(r))), (90, 90, 95), 7, cv2.LINE_AA)
        cv2.circle(img, (wx, cy + 95), 14, (60, 60, 60), -1)
    cv2.ellipse(img, (cx + 470, cy - 20), (40, 18), 0, 0, 360, (200, 240, 255), -1, cv2.LINE_AA)
    cv2.ellipse(img, (cx - 480, cy - 15), (30, 14), 0, 0, 360, (60, 60, 230), -1, cv2.LINE_AA)
    vignette = 1 - 0.25 * (((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2)[..., None] * 2
    img = np.clip(img * vignette + 3.0 * rng.standard_normal((h, w, 3)), 0, 255).astype(np.uint8)
    cv2.putText(img, "LT-07", (cx - 60, cy + 60), cv2.FONT_HERSHEY_DUPLEX, 1.0, (230, 230, 230), 2, cv2.LINE_AA)
    return np.ascontiguousarray(img[..., ::-1])
