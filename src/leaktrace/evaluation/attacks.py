"""Named leak simulations: what happens to a copy between a recipient and the internet.

Every attack is ``(image, rng) -> image``: ``image`` is an (H, W, 3) uint8 RGB ndarray,
``rng`` a :class:`numpy.random.Generator` that draws the random parameters (where a crop
lands, how strong the noise is); the fixed parameters are in the name. Attacks never
mutate their input and are deterministic for a given rng state. Encoders run in memory
through :mod:`leaktrace.core.codec` (RGB-correct), text is drawn with ``cv2.putText``.

:data:`LINE_ART_ATTACKS` names the leaks that cut the link to the pixels (issue 11): 1-bit
clean-ups, posterisation, print-and-scan, a vector-like redraw, StirMark bending and the
denoisers that wipe low-amplitude marks.

Examples
--------
>>> img = np.full((64, 96, 3), 128, np.uint8)
>>> out = apply("crop25", img, np.random.default_rng(0))
>>> out.shape, out.dtype
((32, 48, 3), dtype('uint8'))
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import cv2
import numpy as np
from scipy.cluster.vq import kmeans2, vq

from leaktrace.core.codec import jpeg_roundtrip, webp_roundtrip
from leaktrace.errors import BadInput

Attack = Callable[[np.ndarray, np.random.Generator], np.ndarray]

__all__ = ["ATTACKS", "Attack", "LINE_ART_ATTACKS", "apply"]


# ---------------------------------------------------------------- building blocks


def _u8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def _rgb(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(x[..., None], 3, axis=2) if x.ndim == 2 else x)


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    return _rgb(jpeg_roundtrip(image, quality))


def _resize(image: np.ndarray, factor: float | tuple[float, float]) -> np.ndarray:
    fx, fy = (factor, factor) if np.isscalar(factor) else factor
    h, w = image.shape[:2]
    size = (max(1, round(w * fx)), max(1, round(h * fy)))
    interp = cv2.INTER_AREA if fx * fy < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interp)


def _long_side(image: np.ndarray, side: int) -> np.ndarray:
    return _resize(image, side / max(image.shape[:2])) if max(image.shape[:2]) > side else image.copy()


def _crop_area(image: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Keep ``fraction`` of the area, same aspect, at a random place."""
    h, w = image.shape[:2]
    ch, cw = max(1, round(h * np.sqrt(fraction))), max(1, round(w * np.sqrt(fraction)))
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    return image[y : y + ch, x : x + cw].copy()


def _rotate(image: np.ndarray, degrees: float, rng: np.random.Generator) -> np.ndarray:
    """Rotate by ±``degrees`` about the centre and crop to the largest valid rectangle."""
    h, w = image.shape[:2]
    angle = float(degrees * rng.choice([-1.0, 1.0]))
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
    rot = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    # largest axis-aligned rectangle inside the rotated w×h rectangle
    a = np.radians(abs(angle))
    sin, cos = np.sin(a), np.cos(a)
    long, short = max(w, h), min(w, h)
    if short <= 2 * sin * cos * long or abs(sin - cos) < 1e-10:
        x = 0.5 * short
        wr, hr = (x / sin, x / cos) if w >= h else (x / cos, x / sin)
    else:
        cos2 = cos * cos - sin * sin
        wr, hr = (w * cos - h * sin) / cos2, (h * cos - w * sin) / cos2
    cw, ch = int(wr) - 2, int(hr) - 2
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    return rot[y0 : y0 + ch, x0 : x0 + cw].copy()


def _floyd_steinberg(grey: np.ndarray) -> np.ndarray:
    """Floyd–Steinberg 1-bit halftone of a (H, W) uint8 image → bool (True = white).

    Pixel (y, x) needs (y, x-1) and row y-1 up to x+1, so all pixels on the wavefront
    x + 2y = t are independent: W + 2H numpy steps instead of H·W Python ones
    (neither OpenCV nor the allowed deps offer error diffusion; PIL is banned here).
    """
    h, w = grey.shape
    wp = w + 2
    buf = np.zeros((h + 1) * wp, np.float32)
    buf.reshape(h + 1, wp)[:h, 1 : w + 1] = grey
    out = np.zeros((h + 1) * wp, bool)
    ys_all = np.arange(h)
    for t in range(w + 2 * (h - 1)):
        ys = ys_all[(t - 2 * ys_all >= 0) & (t - 2 * ys_all < w)]
        idx = ys * wp + (t - 2 * ys) + 1
        v = buf[idx]
        on = v >= 127.5
        out[idx] = on
        e = v - 255.0 * on
        buf[idx + 1] += e * (7 / 16)
        buf[idx + wp - 1] += e * (3 / 16)
        buf[idx + wp] += e * (5 / 16)
        buf[idx + wp + 1] += e * (1 / 16)
    return out.reshape(h + 1, wp)[:h, 1 : w + 1].copy()


def _text_lines(canvas: np.ndarray, box: tuple[int, int, int, int], rng: np.random.Generator, colour=(60, 60, 60)) -> None:
    """Draw lines of pseudo-text inside box = (x0, y0, x1, y1), in place on ``canvas``."""
    x0, y0, x1, y1 = box
    y = y0 + 18
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz      "))
    while y < y1 - 4:
        n = int(rng.integers(max(2, (x1 - x0) // 20), max(3, (x1 - x0) // 9)))
        line = "".join(rng.choice(letters, n)).strip() or "text"
        cv2.putText(canvas, line, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA)
        y += 20


# ---------------------------------------------------------------- attacks


def _webp(image, rng):
    return _rgb(webp_roundtrip(image, int(rng.integers(40, 81))))


def _stretch(image, rng):
    return _resize(image, (float(rng.uniform(0.8, 0.92)), float(rng.uniform(1.05, 1.15))))


def _brightness(image, rng):
    return _u8(image.astype(np.float32) + float(rng.choice([-1, 1]) * rng.uniform(20, 50)))


def _contrast(image, rng):
    x = image.astype(np.float32)
    return _u8((x - x.mean()) * float(rng.uniform(0.6, 1.4)) + x.mean())


def _gamma(image, rng):
    return _u8(255.0 * (image / 255.0) ** float(rng.uniform(0.6, 1.6)))


def _grey(image):
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _saturation(image, rng):
    x = image.astype(np.float32)
    g = _grey(image).astype(np.float32)[..., None]
    return _u8(g + (x - g) * float(rng.uniform(0.3, 1.7)))


def _grayscale(image, rng):
    return _rgb(_grey(image))


def _blur(image, rng):
    return cv2.GaussianBlur(image, (0, 0), float(rng.uniform(1.0, 2.0)))


def _noise(image, rng):
    return _u8(image + rng.normal(0, rng.uniform(4, 10), image.shape))


def _sticker(image, rng):
    """An opaque shape plus a caption over about 15 % of the image."""
    out = image.copy()
    h, w = out.shape[:2]
    sw, sh = int(w * np.sqrt(0.15) * rng.uniform(0.8, 1.25)), int(h * np.sqrt(0.15) * rng.uniform(0.8, 1.25))
    x, y = int(rng.integers(0, max(1, w - sw))), int(rng.integers(0, max(1, h - sh)))
    colour = tuple(int(c) for c in rng.integers(0, 256, 3))
    if rng.random() < 0.5:
        cv2.rectangle(out, (x, y), (x + sw, y + sh), colour, -1)
    else:
        cv2.ellipse(out, (x + sw // 2, y + sh // 2), (sw // 2, sh // 2), 0, 0, 360, colour, -1)
    scale = max(0.4, w / 900)
    cv2.putText(out, "@leaked_cars", (int(0.05 * w), int(0.95 * h)), cv2.FONT_HERSHEY_DUPLEX, scale, (255, 255, 255), 2, cv2.LINE_AA)
    return out


def _screenshot(image, rng):
    """The image scaled into a larger window with title/tool bars, a side panel and text."""
    h, w = image.shape[:2]
    cw, ch = 1280, 800
    bar, side = 70, int(rng.integers(180, 300))
    avail_w, avail_h = cw - side - 40, ch - bar - 60
    f = min(avail_w / w, avail_h / h) * float(rng.uniform(0.7, 1.0))
    shown = _resize(image, f)
    canvas = np.full((ch, cw, 3), 240, np.uint8)
    canvas[:bar] = (50, 54, 60)
    cv2.putText(canvas, "Mail - Inbox - Drafts  |  project-x-bumper.png", (20, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (230, 230, 230), 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (20, 42), (600, 62), (255, 255, 255), -1)
    canvas[bar:, :side] = (225, 228, 232)
    _text_lines(canvas, (10, bar + 10, side - 10, ch - 10), rng)
    canvas[ch - 30 :] = (200, 200, 200)
    cv2.putText(canvas, "100%   1 of 3   Download   Share", (side + 20, ch - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
    sh, sw = shown.shape[:2]
    x = side + 20 + int(rng.integers(0, max(1, avail_w - sw)))
    y = bar + 15 + int(rng.integers(0, max(1, avail_h - sh)))
    canvas[y : y + sh, x : x + sw] = shown
    return canvas


def _social(image, rng):
    out = _jpeg(_long_side(image, 1080), 75)
    h, w = out.shape[:2]
    fy, fx = rng.uniform(0.85, 0.97, 2)
    ch, cw = int(h * fy), int(w * fx)
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    return _jpeg(out[y : y + ch, x : x + cw], 85)


def _phone(image, rng):
    """A phone photo of a screen: perspective, blur, gamma, noise and moiré."""
    h, w = image.shape[:2]
    src = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    jitter = rng.uniform(0.02, 0.07, (4, 2)) * [w, h] * [[1, 1], [-1, 1], [-1, -1], [1, -1]]
    dst = np.float32(src + jitter)
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(20, 20, 20)).astype(np.float32)
    out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.8, 1.6)))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period, angle = float(rng.uniform(3.0, 6.0)), float(rng.uniform(0, np.pi))
    moire = 1.0 + 0.04 * np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period)
    out = 255.0 * (np.clip(out * moire[..., None], 0, 255) / 255.0) ** float(rng.uniform(0.8, 1.25))
    return _jpeg(_u8(out + rng.normal(0, rng.uniform(2, 5), out.shape)), 85)


def _document(image, rng):
    """The image pasted a few hundred pixels wide on a white page with text, at screen resolution."""
    pw, ph = 900, 1200
    page = np.full((ph, pw, 3), 255, np.uint8)
    shown = _resize(image, float(rng.integers(250, 420)) / image.shape[1])
    sh, sw = shown.shape[:2]
    x, y = int(rng.integers(60, pw - sw - 60 + 1)), int(rng.integers(200, max(201, ph - sh - 200)))
    _text_lines(page, (60, 60, pw - 60, y - 20), rng, (20, 20, 20))
    _text_lines(page, (60, y + sh + 20, pw - 60, ph - 60), rng, (20, 20, 20))
    page[y : y + sh, x : x + sw] = shown
    return _jpeg(page, 92)


def _double_jpeg(image, rng):
    first = _jpeg(_resize(image, float(rng.uniform(0.8, 0.95))), int(rng.integers(70, 91)))
    return _jpeg(_resize(first, float(rng.uniform(0.6, 0.85))), int(rng.integers(60, 86)))


def _threshold(image: np.ndarray, level: int | None) -> np.ndarray:
    """Luma → pure black/white RGB: the leaker's "clean up to 1-bit"; ``level`` None = Otsu, else luma < level is black."""
    if level is None:
        _, bw = cv2.threshold(_grey(image), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    else:
        _, bw = cv2.threshold(_grey(image), level - 1, 255, cv2.THRESH_BINARY)
    return _rgb(bw)


def _posterise(image: np.ndarray, rng: np.random.Generator, colours: int) -> np.ndarray:
    """Reduce to ``colours`` colours: k-means++ (scipy) on ≤ 20 000 pixels drawn by rng, every pixel to its nearest centre."""
    pixels = image.reshape(-1, 3).astype(np.float32)
    sample = pixels[rng.choice(len(pixels), min(len(pixels), 20_000), replace=False)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "One of the clusters is empty")  # fewer distinct colours than clusters: harmless
        centres, _ = kmeans2(sample, colours, iter=10, minit="++", seed=rng)
    codes, _ = vq(pixels, centres.astype(np.float32), check_finite=False)
    return _u8(centres)[codes].reshape(image.shape)


def _print_scan(image, rng):
    """Print and scan: ×2 print res, Floyd–Steinberg halftone, toner spread σ 0.7, paper tone, rescan ≈1×, blur σ 0.6–1, skew ±1.5°, noise, JPEG 90."""
    h, w = image.shape[:2]
    dots = _floyd_steinberg(_resize(_grey(image), 2.0)).astype(np.float32)
    ink = cv2.GaussianBlur(dots, (0, 0), 0.7)[..., None]
    paper = float(rng.uniform(235, 245)) + np.array([3.0, 1.0, -4.0], np.float32)  # slightly warm white
    toner = np.full(3, rng.uniform(25, 40), np.float32)
    printed = toner + (paper - toner) * ink
    scale = float(rng.uniform(0.97, 1.03))
    scanned = cv2.resize(printed, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    scanned = cv2.GaussianBlur(scanned, (0, 0), float(rng.uniform(0.6, 1.0)))
    skewed = _rotate(_u8(scanned), float(rng.uniform(0.0, 1.5)), rng)
    return _jpeg(_u8(skewed + rng.normal(0, rng.uniform(1.0, 3.0), skewed.shape)), 90)


def _redraw(image, rng):
    """Vector-like redraw: Otsu ink, skeleton (scikit-image), re-stroked with a disc of radius 1–2 px, σ 0.5 anti-aliasing, black on white."""
    try:
        from skimage.morphology import skeletonize
    except ImportError as exc:  # scikit-image is a test/bench extra, not a leaktrace dependency
        raise BadInput("The redraw attack needs scikit-image (pip install 'leaktrace[test]').") from exc
    _, ink = cv2.threshold(_grey(image), 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    skeleton = skeletonize(ink > 0).astype(np.uint8)
    r = int(rng.integers(1, 3))
    stroke = cv2.dilate(skeleton, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return _rgb(_u8(cv2.GaussianBlur(255.0 * (1 - stroke.astype(np.float32)), (0, 0), 0.5)))


def _bending(image, rng):
    """StirMark random bending: smooth field (4×4–6×6 cubic grid, max 2–3 px) plus corner jitter ≤ 1 px, remapped, JPEG 90."""
    h, w = image.shape[:2]
    g = int(rng.integers(4, 7))
    field = cv2.resize(rng.uniform(-1, 1, (g, g, 2)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    field *= float(rng.uniform(2.0, 3.0)) / max(np.abs(field).max(), 1e-6)
    corners = rng.uniform(-1, 1, (2, 2, 2)).astype(np.float32)
    field += cv2.resize(corners, (w, h), interpolation=cv2.INTER_LINEAR)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bent = cv2.remap(image, xx + field[..., 0], yy + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return _jpeg(bent, 90)


def _denoise_nlm(image, rng):
    """Non-local-means denoising, h 7–10 (luma and colour), 7 px template, 21 px search: wipes low-amplitude noise-like marks."""
    h = float(rng.uniform(7, 10))
    bgr = np.ascontiguousarray(image[..., ::-1])
    return np.ascontiguousarray(cv2.fastNlMeansDenoisingColored(bgr, None, h, h, 7, 21)[..., ::-1])


def _downup(image: np.ndarray, factor: float) -> np.ndarray:
    """Downscale by ``factor`` per side (area) and back up to the exact original size (cubic)."""
    h, w = image.shape[:2]
    small = _resize(image, factor)
    return _resize(small, (w / small.shape[1], h / small.shape[0]))


def _fixed(fn: Callable[[np.ndarray], np.ndarray]) -> Attack:
    return lambda image, rng: fn(image)


ATTACKS: dict[str, Attack] = {
    "jpeg90": _fixed(lambda im: _jpeg(im, 90)),
    "jpeg75": _fixed(lambda im: _jpeg(im, 75)),
    "jpeg50": _fixed(lambda im: _jpeg(im, 50)),
    "jpeg30": _fixed(lambda im: _jpeg(im, 30)),
    "webp": _webp,
    "downscale50": _fixed(lambda im: _resize(im, 0.5)),
    "downscale25": _fixed(lambda im: _resize(im, 0.25)),
    "thumbnail360": _fixed(lambda im: _long_side(im, 360)),
    "crop50": lambda im, rng: _crop_area(im, 0.50, rng),
    "crop25": lambda im, rng: _crop_area(im, 0.25, rng),
    "crop10": lambda im, rng: _crop_area(im, 0.10, rng),
    "rotate2": lambda im, rng: _rotate(im, 2.0, rng),
    "rotate10": lambda im, rng: _rotate(im, 10.0, rng),
    "rotate45": lambda im, rng: _rotate(im, 45.0, rng),
    "mirror": _fixed(lambda im: np.ascontiguousarray(im[:, ::-1])),
    "stretch": _stretch,
    "brightness": _brightness,
    "contrast": _contrast,
    "gamma": _gamma,
    "saturation": _saturation,
    "grayscale": _grayscale,
    "blur": _blur,
    "noise": _noise,
    "sticker": _sticker,
    "screenshot": _screenshot,
    "social": _social,
    "phone": _phone,
    "document": _document,
    "double_jpeg": _double_jpeg,
    "threshold_otsu": _fixed(lambda im: _threshold(im, None)),
    "threshold200": _fixed(lambda im: _threshold(im, 200)),
    "posterise8": lambda im, rng: _posterise(im, rng, 8),
    "posterise32": lambda im, rng: _posterise(im, rng, 32),
    "print_scan": _print_scan,
    "redraw": _redraw,
    "bending": _bending,
    "denoise_nlm": _denoise_nlm,
    "median5": _fixed(lambda im: cv2.medianBlur(im, 5)),
    "downup25": _fixed(lambda im: _downup(im, 0.25)),
}

LINE_ART_ATTACKS: tuple[str, ...] = (
    "threshold_otsu",
    "threshold200",
    "posterise8",
    "posterise32",
    "print_scan",
    "redraw",
    "bending",
    "denoise_nlm",
    "median5",
    "downup25",
)


def apply(name: str, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Run the attack called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ATTACKS`.
    image : (H, W, 3) uint8 ndarray
    rng : numpy.random.Generator

    Returns
    -------
    (h, w, 3) uint8 ndarray

    Raises
    ------
    BadInput
        Unknown attack name.
    """
    try:
        attack = ATTACKS[name]
    except KeyError:
        raise BadInput(f"Unknown attack {name!r}; known: {', '.join(ATTACKS)}.") from None
    return attack(image, rng)
