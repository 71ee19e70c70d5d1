"""Zoomed comparisons: a flat area of one image per kind, original beside each method's copy, at 4×.

The eye is most sensitive to a fingerprint on flat areas (a grey backdrop, white paper, a
sky), so for each kind the flattest 96 × 96 px window of the bench's image (lowest local
luminance std, away from the borders) is cut from the original and from every method's
copy of recipient 0, and enlarged 4× with nearest-neighbour (no smoothing hides anything).
The second row shows each copy minus the original, amplified 16× around mid-grey: that is
the pattern itself, for reference; the first row is what a viewer sees.

    .venv/bin/python bench/zoom.py [--out bench/results]      (``make bench`` runs it)

Writes ``zoom-<kind>.png`` and returns the windows used (for ``latest.md``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

WINDOW = 96
ZOOM = 4
AMPLIFY = 16
#: One image per kind, small enough for every peer (rivaGan and blind-watermark are slow).
CHOICE = {"photo": "coffee", "drawing": "dwg-bumper-0.5mp", "render": "render-0-0.5mp"}
METHODS = ("leaktrace", "dwtDct", "dwtDctSvd", "blind-watermark", "rivaGan")


def flattest_window(image: np.ndarray, size: int = WINDOW) -> tuple[int, int]:
    """Top-left (y, x) of the ``size`` window with the least luminance std, ``size`` px from the borders."""
    y = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.boxFilter(y, -1, (size, size))
    var = cv2.boxFilter(y * y, -1, (size, size)) - mean * mean
    h, w = y.shape
    half = size // 2
    inner = var[size : h - size, size : w - size]
    cy, cx = np.unravel_index(int(np.argmin(inner)), inner.shape)
    return int(cy + size - half), int(cx + size - half)


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((22, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, tile])


def comparison(original: np.ndarray, copies: dict[str, np.ndarray], psnrs: dict[str, float]) -> tuple[np.ndarray, tuple[int, int]]:
    """The picture: originals and copies (top), amplified differences (bottom); RGB uint8."""
    y, x = flattest_window(original)
    cut = lambda im: im[y : y + WINDOW, x : x + WINDOW]  # noqa: E731
    up = lambda im: cv2.resize(im, None, fx=ZOOM, fy=ZOOM, interpolation=cv2.INTER_NEAREST)  # noqa: E731
    gap = np.full((WINDOW * ZOOM + 22, 6, 3), 255, np.uint8)
    top, bottom = [_label(up(cut(original)), "original")], [_label(np.full((WINDOW * ZOOM, WINDOW * ZOOM, 3), 128, np.uint8), "difference x16")]
    for name, copy in copies.items():
        top += [gap, _label(up(cut(copy)), f"{name}  {psnrs[name]:.1f} dB")]
        diff = cut(copy).astype(np.float32) - cut(original).astype(np.float32)
        bottom += [gap, _label(up(np.clip(128 + AMPLIFY * diff, 0, 255).astype(np.uint8)), name)]
    sep = np.full((8, sum(t.shape[1] for t in top), 3), 255, np.uint8)
    return np.vstack([np.hstack(top), sep, np.hstack(bottom)]), (y, x)


def main(out: Path, quick: bool = False) -> dict[str, dict]:
    from images import images
    from leaktrace.core import quality
    from leaktrace.evaluation import METHODS as BUILTIN
    from peers import PEERS

    table = {**BUILTIN, **PEERS}
    bench_images = images(quick)
    done = {}
    for kind, name in CHOICE.items():
        if name not in bench_images:
            continue
        original = bench_images[name][1]
        copies, psnrs = {}, {}
        for method_name in METHODS:
            try:
                method = table[method_name]()
            except ImportError as exc:  # a peer not installed: the picture says so by its absence
                print(f"zoom: {method_name} skipped ({exc})", file=sys.stderr)
                continue
            asset = method.prepare(original, name, 16, seed=0)
            copies[method_name] = method.embed(asset, 0)
            psnrs[method_name] = quality.psnr(original, copies[method_name])
        picture, (y, x) = comparison(original, copies, psnrs)
        path = out / f"zoom-{kind}.png"
        cv2.imwrite(str(path), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        done[kind] = {"image": name, "file": path.name, "window": [y, x, WINDOW], "psnr": psnrs}
        print(f"wrote {path}", flush=True)
    return done


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    main(Path(args.out), args.quick)
