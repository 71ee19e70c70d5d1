"""The bench's images, in three kinds reported separately: photos, line drawings, smooth renders.

- photos: scikit-image's bundled photos (those in the wheel, nothing downloaded), some
  upscaled to reach 8 MP, plus Debian's gnome-backgrounds wallpapers when installed
  (``/usr/share/backgrounds/gnome``; the bench works without them);
- drawings: generated technical drawings of car parts (thin dark lines on white paper,
  frame, title block, dimensions with arrows, centre lines, section hatching, notes);
- renders: generated shaded shapes on gradients (studio renders of smooth bodies).

``images(quick=False)`` returns ``{name: (kind, (H, W, 3) uint8 RGB)}``, 0.3–8 MP.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

WALLPAPERS = Path("/usr/share/backgrounds/gnome")
KINDS = ("photo", "drawing", "render")


def _resize_mp(image: np.ndarray, mp: float) -> np.ndarray:
    h, w = image.shape[:2]
    f = np.sqrt(mp * 1e6 / (h * w))
    size = (round(w * f), round(h * f))
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)


def _rgb(x: np.ndarray) -> np.ndarray:
    x = x[0] if isinstance(x, tuple) else x
    return np.ascontiguousarray(np.dstack([x] * 3) if x.ndim == 2 else x[..., :3])


# ---------------------------------------------------------------- photos

#: scikit-image photo → megapixels in the bench (None: as shipped).
_SKIMAGE = {
    "astronaut": 8.0, "coffee": 0.3, "chelsea": 0.3, "rocket": 1.1, "camera": 0.3,
    "stereo_motorcycle": None, "immunohistochemistry": 2.0, "hubble_deep_field": None,
}


def photos(quick: bool = False) -> dict[str, np.ndarray]:
    from skimage import data

    out = {}
    names = ["coffee", "rocket"] if quick else list(_SKIMAGE)
    for name in names:
        try:
            img = _rgb(getattr(data, name)())
        except Exception:  # noqa: BLE001 - a photo missing from this scikit-image wheel is skipped
            continue
        mp = _SKIMAGE[name]
        out[name] = _resize_mp(img, mp) if mp else img
    if not quick:
        for name, mp in (("wood-l", 2.0), ("wood-d", 4.0)):
            path = WALLPAPERS / f"{name}.webp"
            if path.exists():
                from PIL import Image

                with Image.open(path) as im:
                    out[f"gnome-{name}"] = _resize_mp(np.asarray(im.convert("RGB")), mp)
    return out


# ---------------------------------------------------------------- line drawings


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
        cv2.line(img, (int(p[0] + a * (q[0] - p[0])), int(p[1] + a * (q[1] - p[1]))),
                 (int(p[0] + b * (q[0] - p[0])), int(p[1] + b * (q[1] - p[1]))), 0, t, cv2.LINE_AA)


def drawing(part: str, size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A technical drawing of a car part (``bumper``, ``wheel``, ``bracket``, ``door``) at (H, W)."""
    rng = np.random.default_rng(seed)
    h, w = size
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
    labels = [f"PART: {part.upper()} ASSY", f"DWG NO. LT-{rng.integers(1000, 9999)}-{seed}", "REV C   SCALE 1:5",
              "MATERIAL: PP-EPDM T20", "CONFIDENTIAL - TENDER", f"SHEET 1/{rng.integers(2, 6)}"]
    for i, text in enumerate(labels):
        x = tb[0] + int(10 * s) + (i % 2) * (tb[2] - tb[0]) // 2
        y = tb[1] + int((i // 2 + 0.65) * (tb[3] - tb[1]) / 3)
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * s, 0, t, cv2.LINE_AA)
    cx, cy = int(w * 0.45), int(h * 0.42)
    if part == "bumper":
        for sign in (-1, 1):
            pts = np.array([[cx, cy - 200 * s], [cx + sign * 380 * s, cy - 220 * s], [cx + sign * 520 * s, cy - 120 * s],
                            [cx + sign * 540 * s, cy + 60 * s], [cx + sign * 420 * s, cy + 150 * s], [cx, cy + 160 * s]], np.int32)
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
            cv2.line(img, (int(cx + 0.37 * r * np.cos(a)), int(cy + 0.37 * r * np.sin(a))),
                     (int(cx + 0.9 * r * np.cos(a + 0.12)), int(cy + 0.9 * r * np.sin(a + 0.12))), 0, t, cv2.LINE_AA)
            cv2.circle(img, (int(cx + 0.22 * r * np.cos(a * 0.5)), int(cy + 0.22 * r * np.sin(a * 0.5))), max(2, int(0.03 * r)), 0, t, cv2.LINE_AA)
        _dashdot(img, (cx - r - int(40 * s), cy), (cx + r + int(40 * s), cy), t, s)
        _dashdot(img, (cx, cy - r - int(40 * s)), (cx, cy + r + int(40 * s)), t, s)
        x0 = cx + r + int(120 * s)
        _hatch(img, (x0, cy - r, x0 + int(60 * s), cy + r), t, s)
        _arrow_dim(img, (cx - r, cy + r + int(60 * s)), (cx + r, cy + r + int(60 * s)), f"D {2 * r // 3}", t, s)
    elif part == "bracket":
        for j in range(2):
            ox = int(w * (0.12 + 0.38 * j))
            pts = np.array([[ox, cy - 180 * s], [ox + 380 * s, cy - 180 * s], [ox + 380 * s, cy - 60 * s], [ox + 160 * s, cy - 60 * s],
                            [ox + 160 * s, cy + 220 * s], [ox, cy + 220 * s]], np.int32)
            cv2.polylines(img, [pts], True, 0, t + 1, cv2.LINE_AA)
            for k in range(3):
                cv2.circle(img, (int(ox + (60 + 110 * k) * s), int(cy - 120 * s)), int(18 * s), 0, t, cv2.LINE_AA)
            _hatch(img, (ox + int(20 * s), int(cy + 40 * s), ox + int(140 * s), int(cy + 200 * s)), t, s, angle=-1 if j else 1)
            _arrow_dim(img, (ox, int(cy - 230 * s)), (ox + int(380 * s), int(cy - 230 * s)), "380", t, s)
    else:  # door
        pts = np.array([[cx - 420 * s, cy + 260 * s], [cx - 440 * s, cy - 60 * s], [cx - 250 * s, cy - 260 * s], [cx + 330 * s, cy - 270 * s],
                        [cx + 430 * s, cy - 40 * s], [cx + 420 * s, cy + 260 * s]], np.int32)
        cv2.polylines(img, [pts], True, 0, t + 1, cv2.LINE_AA)
        cv2.polylines(img, [np.array([[cx - 380 * s, cy - 70 * s], [cx - 230 * s, cy - 220 * s], [cx + 300 * s, cy - 230 * s], [cx + 380 * s, cy - 70 * s]], np.int32)], True, 0, t, cv2.LINE_AA)
        cv2.rectangle(img, (int(cx + 200 * s), int(cy + 10 * s)), (int(cx + 320 * s), int(cy + 40 * s)), 0, t)
        _hatch(img, (int(cx - 400 * s), int(cy + 180 * s), int(cx + 400 * s), int(cy + 230 * s)), t, s)
        _arrow_dim(img, (int(cx - 440 * s), int(cy + 320 * s)), (int(cx + 430 * s), int(cy + 320 * s)), "1120", t, s)
    # general notes
    for i in range(6):
        cv2.putText(img, f"{i + 1}. TOL +/-0.{rng.integers(1, 9)} MM UNLESS NOTED  ISO 2768-{'mfc'[i % 3]}",
                    (int(50 * s), int(h - (200 - 24 * i) * s)), cv2.FONT_HERSHEY_SIMPLEX, 0.42 * s, 0, t, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def drawings(quick: bool = False) -> dict[str, np.ndarray]:
    specs = [("bumper", 0.5), ("wheel", 1.0), ("bracket", 2.0), ("door", 0.3), ("bumper", 4.0), ("wheel", 8.0), ("door", 1.5)]
    if quick:
        specs = [("bumper", 0.5), ("wheel", 1.0)]
    out = {}
    for i, (part, mp) in enumerate(specs):
        h = int(round(np.sqrt(mp * 1e6 / 1.414)))
        out[f"dwg-{part}-{mp:g}mp"] = drawing(part, (h, int(round(h * 1.414))), seed=i)
    return out


# ---------------------------------------------------------------- smooth renders


def render(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """Shaded smooth bodies (spheres, a car-body capsule) over a studio gradient, with soft shadows."""
    rng = np.random.default_rng(seed)
    h, w = size
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


def gradient(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A smooth abstract: a few broad colour blobs (a wallpaper-like gradient)."""
    rng = np.random.default_rng(seed)
    h, w = size
    small = rng.uniform(20, 235, (3, 4, 3)).astype(np.float32)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(cv2.GaussianBlur(img, (0, 0), max(h, w) / 40), 0, 255).astype(np.uint8)


def renders(quick: bool = False) -> dict[str, np.ndarray]:
    specs = [("render", 0.5), ("render", 1.0), ("gradient", 0.4), ("render", 2.0), ("render", 8.0), ("gradient", 3.0), ("render", 0.3)]
    if quick:
        specs = [("render", 0.5), ("gradient", 0.4)]
    out = {}
    for i, (what, mp) in enumerate(specs):
        h = int(round(np.sqrt(mp * 1e6 / 1.5)))
        fn = render if what == "render" else gradient
        out[f"{what}-{i}-{mp:g}mp"] = fn((h, int(round(h * 1.5))), seed=100 + i)
    if not quick:
        path = WALLPAPERS / "adwaita-l.webp"
        if path.exists():
            from PIL import Image

            with Image.open(path) as im:
                out["gnome-adwaita-l"] = _resize_mp(np.asarray(im.convert("RGB")), 1.0)
    return out


def images(quick: bool = False) -> dict[str, tuple[str, np.ndarray]]:
    """Every bench image: name → (kind, (H, W, 3) uint8 RGB)."""
    out = {}
    for kind, fn in (("photo", photos), ("drawing", drawings), ("render", renders)):
        out.update({name: (kind, img) for name, img in fn(quick).items()})
    return out


if __name__ == "__main__":  # python bench/images.py OUTDIR: write them as PNG to look at
    import sys

    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/images")
    folder.mkdir(parents=True, exist_ok=True)
    for name, (kind, img) in images().items():
        cv2.imwrite(str(folder / f"{kind}-{name}.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        print(kind, name, img.shape, f"{img.shape[0] * img.shape[1] / 1e6:.2f} MP")
