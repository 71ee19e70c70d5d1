"""Zoomed comparisons at 4×: a flat area of one image per kind (every method), and the lines (leaktrace).

The eye is most sensitive to a fingerprint on flat areas (a grey backdrop, white paper, a
sky), so for each kind the flattest 96 × 96 px window of the bench's image (lowest local
luminance std, away from the borders) is cut from the original and from every method's
copy of recipient 0, and enlarged 4× with nearest-neighbour (no smoothing hides anything).
The second row shows each copy minus the original, amplified 16× around mid-grey: that is
the pattern itself, for reference; the first row is what a viewer sees.

The geometric carrier (issue 11) moves the lines by a fraction of a pixel, so a wobble would
show where the edges are dense, not on flat paper: for the drawing and the render, the two
windows with the most edges (highest mean gradient magnitude, the second at least
:data:`EDGE_SEPARATION` px from the first; on the drawing, lines, hatching and the title
block's text) are shown as original, leaktrace's copy and the difference ×16, one row per
window. Beside each leaktrace copy the measured maximum length of its displacement field
(:func:`leaktrace.core.geometry.field` of recipient 0's geometric signs), pixels.

    .venv/bin/python bench/zoom.py [--out bench/results] [--quick]      (``make bench`` runs it)

Writes ``zoom-<kind>.png``, ``zoom-drawing-lines.png`` and ``zoom-render-edges.png``, and
returns the windows used and the displacements (for ``latest.md``).
"""

from __future__ import annotations

import argparse
import json
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
#: The kinds whose edges are zoomed too, and the picture's name for each.
EDGES = {"drawing": "zoom-drawing-lines.png", "render": "zoom-render-edges.png"}
#: Least distance between the two edge windows' top-left corners (Chebyshev), pixels.
EDGE_SEPARATION = 200


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


def edge_windows(image: np.ndarray, size: int = WINDOW, count: int = 2, separation: int = EDGE_SEPARATION) -> list[tuple[int, int]]:
    """Top-left (y, x) of the ``count`` windows with the highest mean gradient magnitude, ``size`` px from the borders.

    Each next window is the best one at least ``separation`` px (Chebyshev, between corners) from
    those already taken; fewer come back when the image has no room for them.
    """
    y = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    magnitude = np.hypot(cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3))
    mean = cv2.boxFilter(magnitude, -1, (size, size))
    h, w = y.shape
    half = size // 2
    inner = mean[size : h - size, size : w - size].copy()
    out = []
    while len(out) < count and np.isfinite(inner).any():
        cy, cx = np.unravel_index(int(np.argmax(inner)), inner.shape)
        out.append((int(cy + size - half), int(cx + size - half)))
        inner[max(0, cy - separation + 1) : cy + separation, max(0, cx - separation + 1) : cx + separation] = -np.inf
    return out


def displacement(asset, shape: tuple[int, int]) -> dict[str, float | None]:
    """Recipient 0's geometric displacement on a leaktrace ``asset``: its maximum length and the amplitude, pixels (None without one)."""
    from leaktrace.core import geometry

    geo = getattr(asset, "geometry", None)
    if geo is None:
        return {"max_displacement_px": None, "geometric_amplitude_px": None}
    dx, dy = geometry.field(asset.geometric_signs[0], shape, geo)
    return {"max_displacement_px": float(np.hypot(dx, dy).max()), "geometric_amplitude_px": float(geo.amplitude)}


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((22, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, tile])


def _up(im: np.ndarray) -> np.ndarray:
    return cv2.resize(im, None, fx=ZOOM, fy=ZOOM, interpolation=cv2.INTER_NEAREST)


def _difference(copy: np.ndarray, original: np.ndarray) -> np.ndarray:
    return np.clip(128 + AMPLIFY * (copy.astype(np.float32) - original.astype(np.float32)), 0, 255).astype(np.uint8)


def edge_comparison(original: np.ndarray, copy: np.ndarray, windows: list[tuple[int, int]], title: str) -> np.ndarray:
    """One row per window: original, leaktrace's ``copy``, and the difference ×16, at 4×; RGB uint8."""
    gap = np.full((WINDOW * ZOOM + 22, 6, 3), 255, np.uint8)
    rows = []
    for y, x in windows:
        at = (slice(y, y + WINDOW), slice(x, x + WINDOW))
        tiles = [
            _label(_up(original[at]), f"original  y {y}, x {x}"),
            _label(_up(copy[at]), title),
            _label(_up(_difference(copy[at], original[at])), "difference x16"),
        ]
        rows.append(np.hstack([tiles[0], gap, tiles[1], gap, tiles[2]]))
    sep = np.full((8, rows[0].shape[1], 3), 255, np.uint8)
    return np.vstack([part for row in rows for part in (row, sep)][:-1])


def comparison(original: np.ndarray, copies: dict[str, np.ndarray], psnrs: dict[str, float]) -> tuple[np.ndarray, tuple[int, int]]:
    """The picture: originals and copies (top), amplified differences (bottom); RGB uint8."""
    y, x = flattest_window(original)
    cut = lambda im: im[y : y + WINDOW, x : x + WINDOW]  # noqa: E731
    up = _up
    gap = np.full((WINDOW * ZOOM + 22, 6, 3), 255, np.uint8)
    top, bottom = [_label(up(cut(original)), "original")], [_label(np.full((WINDOW * ZOOM, WINDOW * ZOOM, 3), 128, np.uint8), "difference x16")]
    for name, copy in copies.items():
        top += [gap, _label(up(cut(copy)), f"{name}  {psnrs[name]:.1f} dB")]
        bottom += [gap, _label(up(_difference(cut(copy), cut(original))), name)]
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
        copies, psnrs, moved = {}, {}, {}
        for method_name in METHODS:
            try:
                method = table[method_name]()
            except ImportError as exc:  # a peer not installed: the picture says so by its absence
                print(f"zoom: {method_name} skipped ({exc})", file=sys.stderr)
                continue
            asset = method.prepare(original, name, 16, seed=0)
            copies[method_name] = method.embed(asset, 0)
            psnrs[method_name] = quality.psnr(original, copies[method_name])
            if method_name == "leaktrace":
                moved = displacement(asset, original.shape[:2])
        picture, (y, x) = comparison(original, copies, psnrs)
        path = out / f"zoom-{kind}.png"
        cv2.imwrite(str(path), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        done[kind] = {"image": name, "file": path.name, "window": [y, x, WINDOW], "psnr": psnrs, **moved}
        print(f"wrote {path}", flush=True)
        if kind in EDGES and "leaktrace" in copies:
            copy = copies["leaktrace"]
            windows = edge_windows(original)
            path = out / EDGES[kind]
            picture = edge_comparison(original, copy, windows, f"leaktrace  {psnrs['leaktrace']:.1f} dB")
            cv2.imwrite(str(path), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
            done[path.stem.removeprefix("zoom-")] = {
                "image": name,
                "file": path.name,
                "windows": [[y, x, WINDOW] for y, x in windows],
                "psnr": psnrs["leaktrace"],
                "ssim": float(quality.ssim(original, copy)),
                **moved,
            }
            print(f"wrote {path}", flush=True)
    if not quick:
        done.update(_seed_case(out))
    return done


def _seed_case(out: Path) -> dict[str, dict]:
    """The issue's seed case: the bundled 1800×1200 bumper drawing (the demo's), its lines and text at 4×."""
    from leaktrace import imagefiles
    from leaktrace.core import quality
    from leaktrace.evaluation import LeaktraceMethod
    from leaktrace.samples import sample_path

    original = imagefiles.read_image(sample_path("drawing_bumper"))
    method = LeaktraceMethod()
    asset = method.prepare(original, "drawing_bumper", 16, seed=0)
    copy = method.embed(asset, 0)
    windows = edge_windows(original)
    psnr = quality.psnr(original, copy)
    path = out / "zoom-bumper-sample-lines.png"
    picture = edge_comparison(original, copy, windows, f"leaktrace  {psnr:.1f} dB")
    cv2.imwrite(str(path), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    print(f"wrote {path}", flush=True)
    entry = {"image": "drawing_bumper (bundled sample)", "file": path.name, "windows": [[y, x, WINDOW] for y, x in windows], "psnr": psnr}
    return {"bumper-sample-lines": {**entry, "ssim": float(quality.ssim(original, copy)), **displacement(asset, original.shape[:2])}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(main(Path(args.out), args.quick), indent=1))
