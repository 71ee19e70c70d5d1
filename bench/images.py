"""The bench's images, in three kinds reported separately: photos, line drawings, smooth renders.

- photos: scikit-image's bundled photos (those in the wheel, nothing downloaded), some
  upscaled to reach 8 MP, plus Debian's gnome-backgrounds wallpapers when installed
  (``/usr/share/backgrounds/gnome``; the bench works without them);
- drawings: generated technical drawings of car parts (thin dark lines on white paper,
  frame, title block, dimensions with arrows, centre lines, section hatching, notes);
- renders: generated shaded shapes on gradients (studio renders of smooth bodies).

The generated ones are drawn by :mod:`leaktrace.samples.synthetic` (``part_drawing``,
``studio_render``, ``gradient``); this module picks their sizes and seeds.

``images(quick=False)`` returns ``{name: (kind, (H, W, 3) uint8 RGB)}``, 0.3–8 MP.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from leaktrace.samples.synthetic import gradient, part_drawing, studio_render

WALLPAPERS = Path("/usr/share/backgrounds/gnome")
KINDS = ("photo", "drawing", "render")

#: A technical drawing of a car part at any size (the speed benches draw their large originals with it).
drawing = part_drawing


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
    "astronaut": 8.0,
    "coffee": 0.3,
    "chelsea": 0.3,
    "rocket": 1.1,
    "camera": 0.3,
    "stereo_motorcycle": None,
    "immunohistochemistry": 2.0,
    "hubble_deep_field": None,
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


def drawings(quick: bool = False) -> dict[str, np.ndarray]:
    specs = [("bumper", 0.5), ("wheel", 1.0), ("bracket", 2.0), ("door", 0.3), ("bumper", 4.0), ("wheel", 8.0), ("door", 1.5)]
    if quick:
        specs = [("bumper", 0.5), ("wheel", 1.0)]
    out = {}
    for i, (part, mp) in enumerate(specs):
        h = int(round(np.sqrt(mp * 1e6 / 1.414)))
        out[f"dwg-{part}-{mp:g}mp"] = part_drawing(part, (h, int(round(h * 1.414))), seed=i)
    return out


# ---------------------------------------------------------------- smooth renders


def renders(quick: bool = False) -> dict[str, np.ndarray]:
    specs = [("render", 0.5), ("render", 1.0), ("gradient", 0.4), ("render", 2.0), ("render", 8.0), ("gradient", 3.0), ("render", 0.3)]
    if quick:
        specs = [("render", 0.5), ("gradient", 0.4)]
    out = {}
    for i, (what, mp) in enumerate(specs):
        h = int(round(np.sqrt(mp * 1e6 / 1.5)))
        fn = studio_render if what == "render" else gradient
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
