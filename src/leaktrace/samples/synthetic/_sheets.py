"""Full technical sheets: the bench's car-part drawings and the bundled ``drawing_bumper``."""

from __future__ import annotations

import cv2
import numpy as np


def _arrow_dim(img, p, q, text, t, s):
    cv2.arrowedLine(img, p, q, 0, t, cv2.LINE_AA, tipLength=min(0.2, 12 * s / max(1, np.hypot(q[0] - p[0], q[1] - p[1]))))
    cv2.arrowedLine(img, q, p, 0, t, cv2.LINE_AA, tipLength=min(0.2, 12 * s / max(1, np.hypot(q[0] - p[0], q[1] - p[1]))))
    mid = ((p[0] + q[0]) // 2 - int(20 * s), (p[1] + q[1]) // 2 - int(6 * s))
    cv2.putText(img, text, mid, cv2.FONT_HERSHEY_SIMPLEX, 0.45 * s, 0, t, cv2.LINE_AA)


def _hatch(img, box, t, s, angle=1):
    x0, y0, x1, y1 = box
    sub = np.full((y1 - y0, x1 - x0), 255, np.uint8)
    step = max(4, int(8 * s))
    for k in range(-(y1 - y0), x1 - x0, step):
        cv2.line(sub, (k, 0) if angle > 0 else (k, y1 - y0), (k + (y1 - y0), y1 - y0) if angle > 0 else (k + (y1 - y0), 0), 0, t, cv2.LINE_AA)
    region = img[y0:y1, x0:x1]
    np.minimum(region, sub, out=region)
    cv2.rectangle(img, (x0, y0), (x1, y1), 0, t + 1)


def _dashdot(img, p, q, t, s):
    n = int(np.hypot(q[0] - p[0], q[1] - p[1]) / (18 * s)) + 1
    for i in range(n):
        a, b = i / n, (i + 0.6) / n
        cv2.line(
            img,
            (int(p[0] + a * (q[0] - p[0])), int(p[1] + a * (q[1] - p[1]))),
            (int(p[0] + b * (q[0] - p[0])), int(p[1] + b * (q[1] - p[1]))),
            0,
            t,
            cv2.LINE_AA,
        )


def part_drawing(part: str, shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A technical drawing of a car part: frame, title block, the part's outlines, centre lines,
    section hatching, dimensions with arrows and general notes, line widths scaled to the sheet.

    The bench's drawings (``bench/images.py``, the speed benches' large originals).

    Parameters
    ----------
    part : {"bumper", "wheel", "bracket", "door"}
        Anything else draws the door.
    shape : (int, int)
        (H, W) in pixels; the layout scales with W / 1400 (an A-series sheet is W ≈ 1.414 H).
    seed : int
        Seeds the drawing number, the sheet count and the tolerances in the notes.

    Returns
    -------
    (H, W, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = part_drawing("wheel", (400, 566), seed=1)
    >>> image.shape, bool((image[..., 0] == image[..., 1]).all())
    ((400, 566, 3), True)
    """
    rng = np.random.default_rng(seed)
    h, w = shape
    s = w / 1400  # drawing scale
    t = max(1, int(round(1.2 * s)))
    img = np.full((h, w), 255, np.uint8)
    m = int(20 * s)
    cv2.rectangle(img, (m, m), (w - m, h - m), 0, t + 1)
    # title block
    tb = (int(w - 520 * s), int(h - 170 * s), w - m, h - m)
    cv2.rectangle(img, tb[:2], tb[2:], 0, t + 1)
    for frac in (0.33, 0.66):
        y = int(tb[1] + frac * (tb[3] - tb[1]))
        cv2.line(img, (tb[0], y), (tb[2], y), 0, t)
    cv2.line(img, ((tb[0] + tb[2]) // 2, tb[1]), ((tb[0] + tb[2]) // 2, tb[3]), 0, t)
    labels = [
        f"PART: {part.upper()} ASSY",
        f"DWG NO. LT-{rng.integers(1000, 9999)}-{seed}",
        "REV C   SCALE 1:5",
        "MATERIAL: PP-EPDM T20",
        "CONFIDENTIAL - TENDER",
        f"SHEET 1/{rng.integers(2, 6)}",
    ]
    for i, text in enumerate(labels):
        x = tb[0] + int(10 * s) + (i % 2) * (tb[2] - tb[0]) // 2
        y = tb[1] + int((i // 2 + 0.65) * (tb[3] - tb[1]) / 3)
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * s, 0, t, cv2.LINE_AA)
    cx, cy = int(w * 0.45), int(h * 0.42)
    if part == "bumper":
        for sign in (-1, 1):
            pts = np.array(
                [
                    [cx, cy - 200 * s],
                    [cx + sign * 380 * s, cy - 220 * s],
                    [cx + sign * 520 * s, cy - 120 * s],
                    [cx + sign * 540 * s, cy + 60 * s],
                    [cx + sign * 420 * s, cy + 150 * s],
                    [cx, cy + 160 * s],
                ],
                np.int32,
            )
            cv2.polylines(img, [pts], False, 0, t + 1, cv2.LINE_AA)
            for i in range(5):
                x = int(cx + sign * (60 + 80 * i) * s)
                cv2.rectangle(img, (min(x, x + int(sign * 50 * s)), int(cy - 60 * s)), (max(x, x + int(sign * 50 * s)), int(cy + 10 * s)), 0, t)
            cv2.ellipse(img, (int(cx + sign * 430 * s), int(cy + 40 * s)), (int(60 * s), int(35 * s)), 0, 0, 360, 0, t, cv2.LINE_AA)
        _hatch(img, (int(cx - 120 * s), int(cy + 60 * s), int(cx + 120 * s), int(cy + 120 * s)), t, s)
        _arrow_dim(img, (int(cx - 540 * s), int(cy + 230 * s)), (int(cx + 540 * s), int(cy + 230 * s)), "1840", t, s)
    elif part == "wheel":
        r = int(min(h, w) * 0.28)
        for rr in (r, int(r * 0.93), int(r * 0.35), int(r * 0.12)):
            cv2.circle(img, (cx, cy), rr, 0, t + (rr == r), cv2.LINE_AA)
        for k in range(10):
            a = 2 * np.pi * k / 10
            cv2.line(
                img,
                (int(cx + 0.37 * r * np.cos(a)), int(cy + 0.37 * r * np.sin(a))),
                (int(cx + 0.9 * r * np.cos(a + 0.12)), int(cy + 0.9 * r * np.sin(a + 0.12))),
                0,
                t,
                cv2.LINE_AA,
            )
            cv2.circle(img, (int(cx + 0.22 * r * np.cos(a * 0.5)), int(cy + 0.22 * r * np.sin(a * 0.5))), max(2, int(0.03 * r)), 0, t, cv2.LINE_AA)
        _dashdot(img, (cx - r - int(40 * s), cy), (cx + r + int(40 * s), cy), t, s)
        _dashdot(img, (cx, cy - r - int(40 * s)), (cx, cy + r + int(40 * s)), t, s)
        x0 = cx + r + int(120 * s)
        _hatch(img, (x0, cy - r, x0 + int(60 * s), cy + r), t, s)
        _arrow_dim(img, (cx - r, cy + r + int(60 * s)), (cx + r, cy + r + int(60 * s)), f"D {2 * r // 3}", t, s)
    elif part == "bracket":
        for j in range(2):
            ox = int(w * (0.12 + 0.38 * j))
            pts = np.array(
                [
                    [ox, cy - 180 * s],
                    [ox + 380 * s, cy - 180 * s],
                    [ox + 380 * s, cy - 60 * s],
                    [ox + 160 * s, cy - 60 * s],
                    [ox + 160 * s, cy + 220 * s],
                    [ox, cy + 220 * s],
                ],
                np.int32,
            )
            cv2.polylines(img, [pts], True, 0, t + 1, cv2.LINE_AA)
            for k in range(3):
                cv2.circle(img, (int(ox + (60 + 110 * k) * s), int(cy - 120 * s)), int(18 * s), 0, t, cv2.LINE_AA)
            _hatch(img, (ox + int(20 * s), int(cy + 40 * s), ox + int(140 * s), int(cy + 200 * s)), t, s, angle=-1 if j else 1)
            _arrow_dim(img, (ox, int(cy - 230 * s)), (ox + int(380 * s), int(cy - 230 * s)), "380", t, s)
    else:  # door
        pts = np.array(
            [
                [cx - 420 * s, cy + 260 * s],
                [cx - 440 * s, cy - 60 * s],
                [cx - 250 * s, cy - 260 * s],
                [cx + 330 * s, cy - 270 * s],
                [cx + 430 * s, cy - 40 * s],
                [cx + 420 * s, cy + 260 * s],
            ],
            np.int32,
        )
        cv2.polylines(img, [pts], True, 0, t + 1, cv2.LINE_AA)
        cv2.polylines(
            img,
            [
                np.array(
                    [[cx - 380 * s, cy - 70 * s], [cx - 230 * s, cy - 220 * s], [cx + 300 * s, cy - 230 * s], [cx + 380 * s, cy - 70 * s]], np.int32
                )
            ],
            True,
            0,
            t,
            cv2.LINE_AA,
        )
        cv2.rectangle(img, (int(cx + 200 * s), int(cy + 10 * s)), (int(cx + 320 * s), int(cy + 40 * s)), 0, t)
        _hatch(img, (int(cx - 400 * s), int(cy + 180 * s), int(cx + 400 * s), int(cy + 230 * s)), t, s)
        _arrow_dim(img, (int(cx - 440 * s), int(cy + 320 * s)), (int(cx + 430 * s), int(cy + 320 * s)), "1120", t, s)
    # general notes
    for i in range(6):
        cv2.putText(
            img,
            f"{i + 1}. TOL +/-0.{rng.integers(1, 9)} MM UNLESS NOTED  ISO 2768-{'mfc'[i % 3]}",
            (int(50 * s), int(h - (200 - 24 * i) * s)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.42 * s,
            0,
            t,
            cv2.LINE_AA,
        )
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def _bumper(canvas, origin, scale, mirror):
    ox, oy = origin
    s = -1 if mirror else 1

    def P(x, y):
        return (int(ox + s * x * scale), int(oy + y * scale))

    outline = [(0, 0), (300, -10), (520, -40), (600, -20), (620, 60), (600, 150), (480, 180), (80, 185), (0, 180)]
    pts = np.array([P(*p) for p in outline], np.int32)
    cv2.polylines(canvas, [pts], False, 0, 2, cv2.LINE_AA)
    inner = [(20, 30), (300, 22), (500, -5), (575, 15), (590, 60), (575, 130), (470, 155), (80, 158), (20, 152)]
    cv2.polylines(canvas, [np.array([P(*p) for p in inner], np.int32)], False, 0, 1, cv2.LINE_AA)
    # grille openings
    for i in range(6):
        x0 = 70 + i * 60
        cv2.rectangle(canvas, P(x0, 70), P(x0 + 45, 120), 0, 1, cv2.LINE_AA)
        for k in range(0, 50, 8):  # hatching
            cv2.line(canvas, P(x0 + k, 120), P(min(x0 + k + 30, x0 + 45), 120 - min(30, 45 - k) * 50 // 30), 0, 1, cv2.LINE_AA)
    cv2.ellipse(canvas, P(540, 95), (int(28 * scale), int(18 * scale)), 0, 0, 360, 0, 1, cv2.LINE_AA)
    cv2.circle(canvas, P(540, 95), int(6 * scale), 0, 1, cv2.LINE_AA)
    for x in range(40, 600, 140):  # fixing holes
        cv2.circle(canvas, P(x, 170), int(4 * scale), 0, 1, cv2.LINE_AA)
    # centre line and dimension
    cv2.line(canvas, P(0, -60), P(0, 230), 0, 1, cv2.LINE_4)
    y = 215
    cv2.line(canvas, P(0, y), P(620, y), 0, 1, cv2.LINE_AA)
    cv2.line(canvas, P(620, y - 10), P(620, y + 10), 0, 1)
    cv2.line(canvas, P(0, y - 10), P(0, y + 10), 0, 1)
    label = P(280, y - 6)
    cv2.putText(canvas, f"{int(620 * 2.35)}", (label[0] - (40 if mirror else 0), label[1]), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)


def drawing_bumper() -> np.ndarray:
    """The bundled ``drawing_bumper``: front and rear bumpers that mirror each other, a hatched
    section, dimensions, notes and a title block (the seed case).

    Returns
    -------
    (1200, 1800, 3) uint8 ndarray, RGB, grey (equal channels)

    Examples
    --------
    >>> image = drawing_bumper()
    >>> image.shape, bool((image[..., 0] == image[..., 2]).all())
    ((1200, 1800, 3), True)
    """
    h, w = 1200, 1800
    img = np.full((h, w), 255, np.uint8)
    cv2.rectangle(img, (30, 30), (w - 30, h - 30), 0, 2)
    cv2.rectangle(img, (40, 40), (w - 40, h - 40), 0, 1)
    _bumper(img, (880, 170), 1.3, mirror=True)  # front, left half
    _bumper(img, (920, 170), 1.3, mirror=False)  # front, right half
    _bumper(img, (880, 620), 1.0, mirror=True)  # rear
    _bumper(img, (920, 620), 1.0, mirror=False)
    cv2.putText(img, "FRONT BUMPER  VIEW A", (700, 120), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 1, cv2.LINE_AA)
    cv2.putText(img, "REAR BUMPER  VIEW B", (720, 590), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 1, cv2.LINE_AA)
    # section detail with hatching
    cv2.rectangle(img, (120, 880), (520, 1060), 0, 1)
    sec = np.array([[160, 1030], [200, 920], [470, 905], [490, 1000], [300, 1040]], np.int32)
    cv2.polylines(img, [sec], True, 0, 2, cv2.LINE_AA)
    hatch = np.full_like(img, 255)
    for k in range(-400, 600, 10):
        cv2.line(hatch, (120 + k, 1060), (120 + k + 180, 880), 0, 1, cv2.LINE_AA)
    region = np.zeros_like(img)
    cv2.fillPoly(region, [sec], 255)
    img = np.where((region > 0) & (hatch < 128), 0, img).astype(np.uint8)
    cv2.putText(img, "SECTION C-C  1:2", (130, 1085), cv2.FONT_HERSHEY_SIMPLEX, 0.55, 0, 1, cv2.LINE_AA)
    # title block
    x0, y0 = w - 640, h - 230
    cv2.rectangle(img, (x0, y0), (w - 40, h - 40), 0, 2)
    for yy in (y0 + 45, y0 + 90, y0 + 135):
        cv2.line(img, (x0, yy), (w - 40, yy), 0, 1)
    cv2.line(img, (x0 + 300, y0 + 45), (x0 + 300, h - 40), 0, 1)
    rows = [
        ("CONFIDENTIAL - TENDER T-2027-14", 0.7),
        ("PART: BUMPER ASSY FRONT/REAR", 0.55),
        ("DRAWN: DESIGN STUDIO  CHECKED: R&D", 0.5),
        ("SCALE 1:5   SHEET 1/1   REV C", 0.5),
    ]
    for i, (text, size) in enumerate(rows):
        cv2.putText(img, text, (x0 + 12, y0 + 30 + 45 * i), cv2.FONT_HERSHEY_SIMPLEX, size, 0, 1, cv2.LINE_AA)
    for i in range(8):
        cv2.putText(
            img, f"NOTE {i + 1}: TOLERANCE +/-0.{i + 2} MM UNLESS STATED", (600, 900 + 24 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA
        )
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
