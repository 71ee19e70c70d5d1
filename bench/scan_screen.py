"""Where a scan's screening of one image spends its time, before and after the cheap screen (not a test).

A fresh workspace with about 50 assets (scikit-image photos, generated drawings and renders,
nothing downloaded), a query set of unrelated 2 MP JPEGs (1600 x 1200: textures, noise,
gradients, shapes, scikit-image pictures that are no asset) and of leaks of the assets (whole
reposts recompressed, 25% crops, screenshots). Each query is screened as a scan worker does:

- before: full decode (forked worker) → ``describe_leak`` → the asset search of ``trace``;
- after: decode reduced by JPEG DCT scaling (in the scan's kept decode worker, no fork per file) →
  the screen's compact SIFT query → hashes, FAISS votes, verification of the best few; only the
  files it keeps are decoded whole (kept worker) and searched as before.

Per stage, median ms (OpenCV and FAISS on one thread: per core); images/s per core for
unrelated images; recall of the leaks (the right asset found by the whole two-stage path) and
the false-screen rate of unrelated images (kept by the screen) and their false-match rate.

    .venv/bin/python bench/scan_screen.py [--json bench/results/scan_screen.json] [--md bench/results/scan_screen.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from leaktrace import Workspace, imagefiles  # noqa: E402
from leaktrace.core import views  # noqa: E402
from leaktrace.evaluation import attacks  # noqa: E402
from leaktrace.index import screen as screening  # noqa: E402
from leaktrace.samples.synthetic import gradient, part_drawing, studio_render  # noqa: E402
from leaktrace.services import assets as assets_service  # noqa: E402
from leaktrace.services import scans, search, traces  # noqa: E402

QUERY_SHAPE = (1200, 1600)  # 2 MP
LEAK_KINDS = ("repost", "crop25", "screenshot")
PHOTO_ASSETS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "camera",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
    "moon",
    "clock",
    "coins",
    "cell",
)
UNRELATED_PICTURES = ("brick", "grass", "gravel", "colorwheel", "logo", "text", "page", "checkerboard", "microaneurysms")


def _rgb(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool:
        x = x.astype(np.uint8) * 255
    if x.dtype != np.uint8:
        x = cv2.normalize(x.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([x] * 3) if x.ndim == 2 else x[..., :3])


def _fit(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_CUBIC if w > image.shape[1] else cv2.INTER_AREA)


def assets(quick: bool) -> dict[str, np.ndarray]:
    """About 50 assets of 1–2 MP: photos, drawings, renders."""
    from skimage import data

    out = {}
    for name in PHOTO_ASSETS[: 4 if quick else None]:
        img = _rgb(getattr(data, name)())
        f = np.sqrt(1.5e6 / (img.shape[0] * img.shape[1]))
        out[f"photo-{name}"] = _fit(img, (round(img.shape[0] * f), round(img.shape[1] * f)))
    parts = ("bumper", "wheel", "bracket", "door")
    for i in range(4 if quick else 20):
        out[f"drawing-{parts[i % 4]}-{i}"] = part_drawing(parts[i % 4], (1000 + 40 * (i % 5), 1414 + 40 * (i % 5)), seed=i)
    for i in range(4 if quick else 18):
        fn = studio_render if i % 3 else gradient
        out[f"render-{i}"] = fn((1000 + 30 * (i % 4), 1500), seed=100 + i)
    return out


def unrelated(quick: bool) -> dict[str, np.ndarray]:
    """2 MP pictures that show no asset: scikit-image pictures that are not assets, textures, noise, gradients, shapes,
    and drawings of the same generator as the asset drawings (other seeds: the same frame and title block)."""
    from skimage import data

    rng = np.random.default_rng(7)
    h, w = QUERY_SHAPE
    out = {f"picture-{n}": _fit(_rgb(getattr(data, n)()), QUERY_SHAPE) for n in UNRELATED_PICTURES[: 3 if quick else None]}
    for i in range(4 if quick else 12):
        sigma = [1.0, 2.0, 4.0, 8.0][i % 4]
        noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w, 3)).astype(np.float32), (0, 0), sigma)
        out[f"texture-{i}"] = cv2.normalize(noise, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    for i in range(2 if quick else 6):
        out[f"gradient-{i}"] = gradient(QUERY_SHAPE, seed=500 + i)
        out[f"render-{i}"] = studio_render(QUERY_SHAPE, seed=600 + i)
    for i in range(2 if quick else 8):
        canvas = np.full((h, w, 3), int(rng.integers(0, 256)), np.uint8)
        for _ in range(40):
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(20, 300))
            (cv2.circle if rng.random() < 0.5 else lambda im, c, r, col, t: cv2.rectangle(im, c, (c[0] + r, c[1] + r // 2), col, t))(
                canvas, (x, y), r, colour, -1
            )
        out[f"shapes-{i}"] = cv2.add(canvas, rng.integers(0, 12, canvas.shape, dtype=np.uint8))
    for i in range(1 if quick else 4):
        out[f"drawing-{i}"] = part_drawing(("bumper", "wheel", "bracket", "door")[i % 4], QUERY_SHAPE, seed=900 + i)
    return out


def leaks(images: dict[str, np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    """(asset name, kind) → the leak: a whole repost (at most 1600 px, JPEG 75), a 25% crop, a screenshot."""
    rng = np.random.default_rng(11)
    out = {}
    for name, img in images.items():
        f = min(1.0, 1600 / max(img.shape[:2]))
        out[(name, "repost")] = _fit(img, (round(img.shape[0] * f), round(img.shape[1] * f))) if f < 1 else img
        out[(name, "crop25")] = attacks.apply("crop25", img, rng)
        out[(name, "screenshot")] = attacks.apply("screenshot", img, rng)
    return out


def _save_jpeg(path: Path, image: np.ndarray, quality: int) -> Path:
    assert cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return path


class Timer:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}

    def __call__(self, stage: str, fn, *args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        self.ms.setdefault(stage, []).append(1000 * (time.perf_counter() - start))
        return out


def _verify_timer(timer: Timer):
    """Times the screen's verification calls (inside ``Screen.candidates``)."""
    inner = screening.verify

    def timed(*args, **kwargs):
        return timer("screen: verify", inner, *args, **kwargs)

    screening.verify = timed


def query(ctx, limits, full_index, screen, path: Path, timer: Timer) -> dict:
    """One query through both paths; what each decided."""
    timer("decode full (in process)", imagefiles.read_image, path, **{**limits, "budget_s": None})
    timer("decode reduced (in process)", imagefiles.read_image, path, **{**limits, "budget_s": None}, reduce_to_side=screening.SIDE)
    start = time.perf_counter()
    image = timer("before: decode full (forked)", imagefiles.read_image, path, **limits)
    leak = timer("before: describe", views.describe_leak, image)
    hits = timer("before: search", full_index.search_details, leak, k=traces.PAGE_CANDIDATES)
    before_ms = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    small = timer("after: decode reduced (kept worker)", scans._read, ctx, path, reduce_to_side=screening.SIDE)
    grey, features = timer("after: describe", screening.describe, small)
    kept = timer("after: screen (hash, votes, verify)", screen.candidates, grey, features)
    screen_ms = 1000 * (time.perf_counter() - start)
    after_hits = []
    if kept:
        image = timer("after, kept: decode full (kept worker)", scans._read, ctx, path)
        after_hits = timer("after, kept: describe + search", lambda: full_index.search_details(views.describe_leak(image), k=traces.PAGE_CANDIDATES))
    after_ms = 1000 * (time.perf_counter() - start)
    return {
        "before_asset": int(hits[0][0]) if hits else None,
        "after_asset": int(after_hits[0][0]) if after_hits else None,
        "kept": bool(kept),
        "screen_candidate": int(kept[0]) if kept else None,
        "before_ms": before_ms,
        "screen_ms": screen_ms,
        "after_ms": after_ms,
        "view_side": int(max(small.shape[:2])),
        "view_features": len(features),
    }


def run(quick: bool) -> dict:
    cv2.setNumThreads(1)  # per core: the scan runs one worker per core
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    timer = Timer()
    _verify_timer(timer)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        originals = assets(quick)
        paths = {
            name: _save_jpeg(root / f"asset-{name}.jpg", img, 95) if name.startswith("photo") else root / f"asset-{name}.png"
            for name, img in originals.items()
        }
        for name, img in originals.items():
            if not name.startswith("photo"):
                cv2.imwrite(str(paths[name]), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        start = time.perf_counter()
        ws = Workspace.init(root / "ws")
        added = ws.add_assets([paths[n] for n in originals])
        add_s = time.perf_counter() - start
        ids = {name: a["id"] for name, a in zip(originals, added)}
        ctx = ws.context
        start = time.perf_counter()
        full_index, screen = search.screen_for(ctx, assets_service.all_assets(ctx))
        index_s = time.perf_counter() - start
        limits = assets_service.read_limits(ctx)
        queries = [("unrelated", name, None, _save_jpeg(root / f"u-{name}.jpg", img, 85)) for name, img in unrelated(quick).items()]
        queries += [
            (kind, name, ids[name], _save_jpeg(root / f"l-{kind}-{name}.jpg", img, 75 if kind == "repost" else 85))
            for (name, kind), img in leaks(originals).items()
        ]
        n_assets = len(originals)
        del originals, added
        gc.collect()  # a scan worker holds no pictures: a fork's cost grows with the parent's memory
        rows = []
        for kind, name, asset_id, path in queries:
            verifies = len(timer.ms.get("screen: verify", ()))
            row = query(ctx, limits, full_index, screen, path, timer)
            row["screen_verifies"] = len(timer.ms.get("screen: verify", ())) - verifies
            rows.append({"kind": kind, "name": name, "asset": asset_id, **row})
        ws.close()
    return summarise(rows, timer, quick, add_s, index_s, n_assets)


def summarise(rows: list[dict], timer: Timer, quick: bool, add_s: float, index_s: float, n_assets: int) -> dict:
    med = {stage: round(statistics.median(v), 2) for stage, v in timer.ms.items()}
    counts = {stage: len(v) for stage, v in timer.ms.items()}
    unrel = [r for r in rows if r["kind"] == "unrelated"]
    out = {
        "quick": quick,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "assets": n_assets,
        "asset_add_s": round(add_s, 1),
        "screen_index_build_s": round(index_s, 2),
        "screen_side_px": screening.SIDE,
        "screen_features": screening.FEATURES,
        "stage_median_ms": med,
        "stage_calls": counts,
        "unrelated": len(unrel),
        "leaks": len(rows) - len(unrel),
    }
    for label, key in (("before", "before_ms"), ("after", "after_ms")):
        times = [r[key] for r in unrel]
        out[f"{label}_unrelated_median_ms"] = round(statistics.median(times), 1)
        out[f"{label}_unrelated_mean_ms"] = round(statistics.fmean(times), 1)
        out[f"{label}_images_per_s_per_core"] = round(1000 / statistics.fmean(times), 1)
    out["after_unrelated_screen_only_median_ms"] = round(statistics.median([r["screen_ms"] for r in unrel]), 1)
    out["false_screen_rate"] = round(sum(r["kept"] for r in unrel) / len(unrel), 4)
    out["false_screened"] = [r["name"] for r in unrel if r["kept"]]
    out["false_match_before"] = [r["name"] for r in unrel if r["before_asset"] is not None]
    out["false_match_after"] = [r["name"] for r in unrel if r["after_asset"] is not None]
    recall = {}
    for kind in LEAK_KINDS:
        group = [r for r in rows if r["kind"] == kind]
        recall[kind] = {
            "n": len(group),
            "before": round(sum(r["before_asset"] == r["asset"] for r in group) / len(group), 4),
            "screen_kept": round(sum(r["kept"] for r in group) / len(group), 4),
            "after": round(sum(r["after_asset"] == r["asset"] for r in group) / len(group), 4),
            "missed_after": [r["name"] for r in group if r["after_asset"] != r["asset"]],
            "lost_by_screen": [r["name"] for r in group if r["before_asset"] == r["asset"] and not r["kept"]],
        }
    leaks_all = [r for r in rows if r["kind"] != "unrelated"]
    recall["all"] = {
        "n": len(leaks_all),
        "before": round(sum(r["before_asset"] == r["asset"] for r in leaks_all) / len(leaks_all), 4),
        "after": round(sum(r["after_asset"] == r["asset"] for r in leaks_all) / len(leaks_all), 4),
    }
    out["recall"] = recall
    out["rows"] = rows
    return out


def markdown(r: dict) -> str:
    lines = [
        "# Scan screening: where the time goes, before and after the cheap screen",
        "",
        f"`bench/scan_screen.py`: {r['assets']} assets (scikit-image photos, generated drawings and renders), {r['unrelated']} unrelated 2 MP JPEGs",
        f"(1600×1200), {r['leaks']} leaks (whole reposts JPEG 75, 25% crops, screenshots; JPEG 85). OpenCV and FAISS on one thread (per core).",
        f"Shared machine: {r['cpus']} CPUs, load average {', '.join(f'{x:.2f}' for x in r['load_average'])} at the end (other sessions ran). Medians.",
        f"Screen: view of {r['screen_side_px']} px (JPEG DCT scaling), at most {r['screen_features']} SIFT features.",
        "",
        "## Per stage, median ms per call",
        "",
        "| stage | median ms | calls |",
        "|---|---:|---:|",
    ]
    lines += [f"| {stage} | {ms:g} | {r['stage_calls'][stage]} |" for stage, ms in r["stage_median_ms"].items()]
    lines += [
        "",
        "## Unrelated images (the firehose's bulk)",
        "",
        "| path | median ms | mean ms | images/s per core |",
        "|---|---:|---:|---:|",
        f"| before (full decode + describe + search) | {r['before_unrelated_median_ms']} | {r['before_unrelated_mean_ms']} | {r['before_images_per_s_per_core']} |",
        f"| after (screen; full search if kept) | {r['after_unrelated_median_ms']} | {r['after_unrelated_mean_ms']} | {r['after_images_per_s_per_core']} |",
        "",
        f"Screen alone, median: {r['after_unrelated_screen_only_median_ms']} ms. False-screen rate (unrelated kept by the screen): "
        f"{r['false_screen_rate']:.1%} ({', '.join(r['false_screened']) or 'none'}); false matches before: {', '.join(r['false_match_before']) or 'none'}, "
        f"after: {', '.join(r['false_match_after']) or 'none'}.",
        "",
        "## Recall of leaks (the right asset found)",
        "",
        "| leak | n | before | kept by the screen | after (two stages) | lost by the screen |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind in LEAK_KINDS:
        x = r["recall"][kind]
        lines.append(
            f"| {kind} | {x['n']} | {x['before']:.1%} | {x['screen_kept']:.1%} | {x['after']:.1%} | {', '.join(x['lost_by_screen']) or '—'} |"
        )
    x = r["recall"]["all"]
    lines.append(f"| all | {x['n']} | {x['before']:.1%} | | {x['after']:.1%} | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--md", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--side", type=int, help="the screen's view, px (default: leaktrace.index.screen.SIDE)")
    parser.add_argument("--features", type=int, help="the screen's SIFT features (default: leaktrace.index.screen.FEATURES)")
    parser.add_argument("--verified", type=int, help="assets the screen verifies per image (default: leaktrace.index.screen.VERIFIED)")
    args = parser.parse_args()
    if args.verified:
        screening.Screen.__init__.__kwdefaults__["verified"] = args.verified
    if args.side or args.features:  # try other settings of the screen without editing it
        screening.SIDE, screening.FEATURES = args.side or screening.SIDE, args.features or screening.FEATURES
        screening._SETTINGS = dataclasses.replace(screening._SETTINGS, max_side=screening.SIDE, max_features=screening.FEATURES)
    result = run(args.quick)
    text = markdown(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    if args.md:
        args.md.write_text(text)


if __name__ == "__main__":
    main()
