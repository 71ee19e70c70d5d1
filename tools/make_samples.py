"""Make the bundled sample assets of leaktrace (run once; the PNGs are committed).

Every picture is drawn here from code and a fixed seed, so the project owns them
outright (no third-party image). Run: ``python tools/make_samples.py``.

- ``render_photo.png``: a photo-like render of a concept car in a studio-yard scene,
  with textured asphalt, a sky, reflections and sensor noise (1600×1000).
- ``drawing_bumper.png``: a technical line drawing of a front and a rear bumper that
  mirror each other, with hatching, dimensions and a title block (1800×1200).
- ``render_smooth.png``: a smooth shaded render of a body panel on a grey studio
  backdrop, all gradients and soft highlights (1600×1000).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "leaktrace" / "samples"


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


def render_photo(rng) -> np.ndarray:
    h, w = 1000, 1600
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    horizon = 520
    sky_t = np.clip(yy / horizon, 0, 1)[..., None]
    img[:] = (1 - sky_t) * np.array([235, 190, 120]) + sky_t * np.array([250, 235, 215])  # BGR
    clouds = _fractal_noise((h, w), rng, octaves=5, base=3)
    img += (np.clip(clouds, 0, 1) * 40 * (yy < horizon))[..., None]
    # distant hills and buildings
    hill = horizon - 60 - 40 * np.sin(xx[0] / 180.0) - 25 * _fractal_noise((1, w), rng, 4, 2)[0]
    for x in range(w):
        img[int(hill[x]):horizon, x] = np.array([90, 110, 95]) + 20 * rng.standard_normal(3)
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
    return img


def _bumper(canvas, origin, scale, mirror, rng):
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


def drawing_bumper(rng) -> np.ndarray:
    h, w = 1200, 1800
    img = np.full((h, w), 255, np.uint8)
    cv2.rectangle(img, (30, 30), (w - 30, h - 30), 0, 2)
    cv2.rectangle(img, (40, 40), (w - 40, h - 40), 0, 1)
    _bumper(img, (880, 170), 1.3, mirror=True, rng=rng)  # front, left half
    _bumper(img, (920, 170), 1.3, mirror=False, rng=rng)  # front, right half
    _bumper(img, (880, 620), 1.0, mirror=True, rng=rng)  # rear
    _bumper(img, (920, 620), 1.0, mirror=False, rng=rng)
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
    rows = [("CONFIDENTIAL - TENDER T-2027-14", 0.7), ("PART: BUMPER ASSY FRONT/REAR", 0.55), ("DRAWN: DESIGN STUDIO  CHECKED: R&D", 0.5), ("SCALE 1:5   SHEET 1/1   REV C", 0.5)]
    for i, (text, size) in enumerate(rows):
        cv2.putText(img, text, (x0 + 12, y0 + 30 + 45 * i), cv2.FONT_HERSHEY_SIMPLEX, size, 0, 1, cv2.LINE_AA)
    for i in range(8):
        cv2.putText(img, f"NOTE {i + 1}: TOLERANCE +/-0.{i + 2} MM UNLESS STATED", (600, 900 + 24 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def render_smooth(rng) -> np.ndarray:
    h, w = 1000, 1600
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
    return np.clip(img + 0.6 * rng.standard_normal((h, w, 1)), 0, 255).astype(np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fn in [("render_photo", render_photo), ("drawing_bumper", drawing_bumper), ("render_smooth", render_smooth)]:
        image = fn(np.random.default_rng(20261123))
        cv2.imwrite(str(OUT / f"{name}.png"), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(name, image.shape, (OUT / f"{name}.png").stat().st_size)


if __name__ == "__main__":
    main()
