"""Small line drawings for tests: thin dark lines, hatching and text on white paper (the seed case)."""

from __future__ import annotations

import cv2
import numpy as np


def bumper_sketch(shape: tuple[int, int] = (360, 540)) -> np.ndarray:
    """Two mirrored bumper outlines with hatched grille boxes, six tolerance notes and a title box.

    The tests' everyday drawing (``tests/conftest.py``). Drawn at fixed pixel positions;
    ``shape`` sets the paper (the frame and the title box follow its corners).

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels, at least about (300, 500).

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = bumper_sketch()
    >>> image.shape, image.dtype, int(image.min()), int(image.max())
    ((360, 540, 3), dtype('uint8'), 0, 255)
    """
    h, w = shape
    img = np.full((h, w), 255, np.uint8)
    cv2.rectangle(img, (8, 8), (w - 9, h - 9), 0, 1)
    for sign, x0 in ((-1, w // 2 - 6), (1, w // 2 + 6)):
        pts = np.array([[x0, 60], [x0 + sign * 180, 50], [x0 + sign * 240, 90], [x0 + sign * 230, 160], [x0, 170]], np.int32)
        cv2.polylines(img, [pts], False, 0, 2, cv2.LINE_AA)
        for i in range(4):
            x = x0 + sign * (30 + 45 * i)
            cv2.rectangle(img, (min(x, x + sign * 30), 90), (max(x, x + sign * 30), 130), 0, 1)
            for k in range(0, 30, 6):
                cv2.line(img, (x + sign * k, 130), (x + sign * min(k + 15, 30), 100), 0, 1, cv2.LINE_AA)
    for i in range(6):
        cv2.putText(img, f"NOTE {i}: TOL +/-0.{i} MM", (30, 220 + 18 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 1, cv2.LINE_AA)
    cv2.rectangle(img, (w - 200, h - 70), (w - 20, h - 20), 0, 1)
    cv2.putText(img, "BUMPER REV C", (w - 190, h - 40), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def bumper_arcs(shape: tuple[int, int] = (512, 512)) -> np.ndarray:
    """A bumper's arcs over two wheels, hatching, two text lines and a frame; every position scales with ``shape``.

    The engine tests' drawing (embed, detect, quality), at any size and aspect.

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = bumper_arcs((263, 411))
    >>> image.shape, bool((image < 128).mean() < 0.1)  # mostly paper
    ((263, 411, 3), True)
    """
    h, w = shape
    img = np.full((h, w), 255, np.uint8)
    cv2.ellipse(img, (w // 2, int(h * 0.55)), (w * 2 // 5, h // 6), 0, 180, 360, 20, 2, cv2.LINE_AA)
    cv2.ellipse(img, (w // 2, int(h * 0.55)), (w * 7 // 20, h // 7), 0, 180, 360, 40, 1, cv2.LINE_AA)
    for cx in (w // 4, 3 * w // 4):
        cv2.circle(img, (cx, int(h * 0.7)), w // 12, 0, 2, cv2.LINE_AA)
    for i in range(0, w // 4, 6):
        cv2.line(img, (int(w * 0.6) + i, h // 12), (int(w * 0.68) + i, h // 5), 60, 1, cv2.LINE_AA)
    for j, txt in enumerate(["FRONT BUMPER REV C", "PART 4471-B SCALE 1:5"]):
        cv2.putText(img, txt, (w // 25, int(h * 0.87) + 18 * j), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    cv2.rectangle(img, (4, 4), (w - 5, h - 5), 0, 1)
    return np.stack([img] * 3, -1)


def cad_bumper(shape: tuple[int, int] = (448, 640)) -> np.ndarray:
    """A CAD drawing of a car bumper: the rear outline a mirror of the front, fog lamps, grille slots,
    hatching, a dimension line with arrows, a title block and text.

    The registration tests' drawing. The layout is drawn on a 640-pixel-wide grid scaled
    by W / 640; H only sets the paper (448 at W = 640 holds it all).

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = cad_bumper()
    >>> image.shape, bool((image[..., 0] == image[..., 2]).all())
    ((448, 640, 3), True)
    """
    height, width = shape
    img = np.full((height, width, 3), 255, np.uint8)
    black = (0, 0, 0)
    k = width / 640

    def p(x, y):
        return int(round(x * k)), int(round(y * k))

    half = []  # the front half of the bumper outline, mirrored for the rear
    half.append(np.array([p(40, 200), p(60, 150), p(120, 120), p(200, 110), p(300, 108)], np.int32))
    half.append(np.array([p(40, 200), p(45, 260), p(90, 290), p(180, 300), p(300, 302)], np.int32))
    half.append(np.array([p(70, 170), p(130, 145), p(190, 140), p(190, 190), p(80, 200)], np.int32))
    for poly in half:
        cv2.polylines(img, [poly], False, black, 1, cv2.LINE_AA)
        mirror = poly.copy()
        mirror[:, 0] = width - 1 - mirror[:, 0]
        cv2.polylines(img, [mirror], False, black, 1, cv2.LINE_AA)
    for cx in (110, 530):  # fog lamps and grille slots, symmetric
        cv2.ellipse(img, p(cx, 240), p(22, 12), 0, 0, 360, black, 1, cv2.LINE_AA)
        cv2.circle(img, p(cx, 240), int(5 * k), black, 1, cv2.LINE_AA)
    for i in range(6):
        cv2.rectangle(img, p(230 + 30 * i, 220), p(250 + 30 * i, 260), black, 1)
    for i in range(-10, 14):  # hatching inside an (asymmetric) region
        cv2.line(img, p(330 + 8 * i, 150), p(350 + 8 * i, 190), black, 1, cv2.LINE_AA)
    cv2.rectangle(img, p(250, 150), p(440, 190), (255, 255, 255), -1)
    for i in range(-10, 14):
        cv2.line(img, p(250 + 8 * i, 150), p(290 + 8 * i, 190), black, 1, cv2.LINE_AA)
    cv2.rectangle(img, p(250, 150), p(440, 190), (255, 255, 255), -1)
    for i in range(24):
        x = 250 + 8 * i
        cv2.line(img, p(x, 150), p(min(x + 20, 440), 190 if x + 20 <= 440 else 150 + (440 - x) * 2), black, 1, cv2.LINE_AA)
    cv2.rectangle(img, p(250, 150), p(440, 190), black, 1)
    # dimension line with arrows and a number
    cv2.arrowedLine(img, p(40, 330), p(600, 330), black, 1, cv2.LINE_AA, tipLength=0.02)
    cv2.arrowedLine(img, p(600, 330), p(40, 330), black, 1, cv2.LINE_AA, tipLength=0.02)
    cv2.putText(img, "1845.0", p(290, 325), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * k, black, 1, cv2.LINE_AA)
    cv2.line(img, p(40, 305), p(40, 340), black, 1)
    cv2.line(img, p(600, 305), p(600, 340), black, 1)
    # title block
    cv2.rectangle(img, p(400, 360), p(630, 440), black, 1)
    cv2.line(img, p(400, 385), p(630, 385), black, 1)
    cv2.line(img, p(500, 385), p(500, 440), black, 1)
    cv2.putText(img, "FRONT BUMPER ASSY", p(408, 378), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * k, black, 1, cv2.LINE_AA)
    cv2.putText(img, "DWG 4711-B", p(408, 415), cv2.FONT_HERSHEY_PLAIN, 1.0 * k, black, 1, cv2.LINE_AA)
    cv2.putText(img, "REV C  1:5", p(508, 415), cv2.FONT_HERSHEY_PLAIN, 1.0 * k, black, 1, cv2.LINE_AA)
    cv2.putText(img, "CONFIDENTIAL", p(20, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.6 * k, black, 1, cv2.LINE_AA)
    return img


def bumper_views(shape: tuple[int, int] = (384, 512)) -> np.ndarray:
    """Front and rear views of a bumper: 1-px lines on white, mirror-symmetric halves, grille slats,
    hatching, a dimension, notes and a title block.

    The asset-search tests' drawing. Drawn at fixed pixel positions for 384 × 512; ``shape``
    sets the paper (the frame follows its corners).

    Parameters
    ----------
    shape : (int, int)
        (H, W) in pixels.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = bumper_views()
    >>> image.shape, int(image.min()), int(image.max()), bool((image < 128).mean() < 0.1)
    ((384, 512, 3), 0, 255, True)
    """
    h, w = shape
    im = np.full((h, w), 255, np.uint8)
    aa = cv2.LINE_AA
    for sign in (1, -1):  # the two mirror-symmetric halves of the front view
        pts = np.array([[0, 0], [150, 0], [175, 20], [185, 70], [170, 110], [0, 110]], np.int32)
        pts[:, 0] = 256 + sign * pts[:, 0]
        pts[:, 1] += 40
        cv2.polylines(im, [pts], False, 0, 1, aa)
        cv2.ellipse(im, (256 + sign * 130, 115), (18, 10), 0, 0, 360, 0, 1, aa)
        cv2.circle(im, (256 + sign * 130, 115), 5, 0, 1, aa)
        for i in range(6):  # grille slats
            x0 = 256 + sign * (20 + 15 * i)
            cv2.line(im, (x0, 70), (x0 + sign * 10, 95), 0, 1, aa)
        cv2.rectangle(im, (min(256, 256 + sign * 100), 60), (max(256, 256 + sign * 100), 100), 0, 1)
        for y in range(128, 148, 4):  # hatching
            cv2.line(im, (256 + sign * 40, y), (256 + sign * 160, y - 10), 0, 1, aa)
        pts = np.array([[0, 190], [140, 190], [160, 205], [170, 250], [120, 270], [0, 270]], np.int32)
        pts[:, 0] = 256 + sign * pts[:, 0]  # rear view
        cv2.polylines(im, [pts], False, 0, 1, aa)
        xs = sorted((256 + sign * 90, 256 + sign * 150))
        cv2.rectangle(im, (xs[0], 210), (xs[1], 230), 0, 1)
        cv2.line(im, (256 + sign * 20, 255), (256 + sign * 80, 255), 0, 1)
    cv2.line(im, (76, 40), (436, 40), 0, 1)
    cv2.arrowedLine(im, (80, 175), (432, 175), 0, 1, tipLength=0.02)
    cv2.arrowedLine(im, (432, 175), (80, 175), 0, 1, tipLength=0.02)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(im, "1820", (240, 171), font, 0.4, 0, 1, aa)
    cv2.rectangle(im, (300, 300), (505, 377), 0, 1)  # title block
    cv2.line(im, (300, 325), (505, 325), 0, 1)
    cv2.line(im, (300, 350), (505, 350), 0, 1)
    cv2.line(im, (400, 325), (400, 377), 0, 1)
    for text, xy, size in [
        ("FRONT BUMPER ASSY", (306, 318), 0.45),
        ("DWG 4711-B", (306, 343), 0.4),
        ("REV C", (406, 343), 0.4),
        ("SCALE 1:5", (306, 368), 0.4),
        ("CONFIDENTIAL", (406, 368), 0.35),
        ("NOTE: ALL RADII R2 UNLESS STATED", (10, 300), 0.35),
    ]:
        cv2.putText(im, text, xy, font, size, 0, 1, aa)
    cv2.rectangle(im, (2, 2), (w - 3, h - 3), 0, 1)
    return np.stack([im] * 3, axis=-1)


def line_sketch() -> np.ndarray:
    """A frame, a tilted ellipse, a hatched band, a polygon and one line of text (300 × 400).

    The feature tests' drawing: thin lines that default SIFT mostly misses.

    Returns
    -------
    (300, 400, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> line_sketch().shape
    (300, 400, 3)
    """
    im = np.full((300, 400), 255, np.uint8)
    cv2.rectangle(im, (20, 20), (380, 280), 0, 1)
    cv2.ellipse(im, (120, 120), (60, 30), 15, 0, 360, 0, 1, cv2.LINE_AA)
    for x in range(200, 360, 8):
        cv2.line(im, (x, 60), (x + 20, 140), 0, 1, cv2.LINE_AA)
    cv2.polylines(im, [np.array([[40, 200], [150, 190], [170, 240], [60, 260]], np.int32)], True, 0, 1)
    cv2.putText(im, "DWG 4711 REV C", (200, 250), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    return np.stack([im] * 3, -1)


def random_drawing(seed: int, shape: tuple[int, int] = (600, 800)) -> np.ndarray:
    """A random technical drawing: thin outlines, circles, hatching, dimension numbers and a title block.

    The bench's distractor drawings (``bench/search_scale.py``): every seed a different sheet.

    Parameters
    ----------
    seed : int
        Seeds every outline, circle, number and place; printed in the title block.
    shape : (int, int)
        (H, W) in pixels, at least about (300, 560).

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> a, b = random_drawing(1), random_drawing(2)
    >>> a.shape, bool((a == b).all())
    ((600, 800, 3), False)
    """
    h, w = shape
    rng = np.random.default_rng(seed)
    im = np.full((h, w), 255, np.uint8)
    for _ in range(14):
        pts = rng.integers([20, 20], [w - 220, h - 140], (int(rng.integers(3, 7)), 2)).astype(np.int32)
        cv2.polylines(im, [pts], bool(rng.random() < 0.5), 0, 1, cv2.LINE_AA)
    for _ in range(10):
        c = (int(rng.integers(40, w - 40)), int(rng.integers(40, h - 160)))
        cv2.circle(im, c, int(rng.integers(5, 40)), 0, 1, cv2.LINE_AA)
    x0, y0 = int(rng.integers(40, 300)), int(rng.integers(40, 250))
    for k in range(0, 80, 5):
        cv2.line(im, (x0 + k, y0), (x0 + k + 30, y0 + 40), 0, 1, cv2.LINE_AA)
    for i in range(8):
        cv2.putText(
            im,
            f"{int(rng.integers(10, 999))}.{i}",
            (int(rng.integers(20, w - 260)), int(rng.integers(30, h - 150))),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            0,
            1,
            cv2.LINE_AA,
        )
    cv2.rectangle(im, (w - 230, h - 110), (w - 10, h - 10), 0, 1)
    cv2.putText(im, f"DWG {seed:04d}-A  REV B", (w - 222, h - 80), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    cv2.putText(im, "CONFIDENTIAL", (w - 222, h - 40), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    return np.stack([im] * 3, -1)
