"""What 150 MP originals cost through the CLI (A0 at 300 dpi is 9933×14043 = 139 MP): not a test.

Two originals of about 150 MP, written as PNG files under ``--tmp``: a CAD drawing
(``images.drawing("bumper", (10300, 14560))``) and a photo-like image (scikit-image's photos
upscaled into a 3×4 mosaic with σ = 2 levels of sensor grain). For each, in a fresh workspace
whose ``max_pixels`` is raised through ``LEAKTRACE_MAX_PIXELS`` (and ``max_file_mb`` through
``LEAKTRACE_MAX_FILE_MB``, since a 150 MP photo's PNG is over the default 200 MB), every step
runs as its own ``leaktrace`` child under ``/usr/bin/time -v``:

- ``asset add``;
- ``share`` to 4 recipients, then to 12 (peak RSS per original pixel: the share's own
  benchmark, ``bench/share_speed.py``, targets ≤ 40 B/px);
- ``trace`` of a 2 MP leak (Supplier 03's copy shrunk to 2 MP, JPEG 85) and of a 30 MP crop
  (a quarter of the width and height ≈ 20% of the area of that copy at full resolution, JPEG 90);
- ``report --format pdf`` of the crop's finding.

Reported per step: wall time, CPU time (user + system: steadier than the wall time on a
shared machine), peak RSS (GB and bytes per original pixel), exit code; and the
disk the asset takes (its view in the asset cache, the whole cache, the stored original).
Steps run one at a time (they are heavy); ``--label`` keys a run (e.g. before/after a change)
inside ``--json``, so several runs sit side by side.

    .venv/bin/python bench/large_originals.py [--kinds drawing photo] [--label after]
        [--json bench/results/large_originals.json] [--tmp /tmp/lt150] [--keep] [--src OTHER/src]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import images as bench_images  # noqa: E402

SIZES = {"drawing": (10300, 14560), "photo": (10000, 15000)}  # (H, W): 150.0 and 150.0 MP
RECIPIENTS = [f"Supplier {i:02d}" for i in range(1, 13)]
LEAKER = "Supplier 03"
MAX_PIXELS = 200_000_000
MAX_FILE_MB = 2000


def drawing(size: tuple[int, int]) -> np.ndarray:
    return bench_images.drawing("bumper", size, seed=3)


def photo_like(size: tuple[int, int], seed: int = 7) -> np.ndarray:
    """Twelve of scikit-image's photos upscaled into a 3×4 mosaic, with σ = 2 levels of grain,
    made in row strips (one float32 strip at a time: the image itself is the only full-size array)."""
    from skimage import data

    names = [
        "astronaut",
        "coffee",
        "chelsea",
        "rocket",
        "camera",
        "immunohistochemistry",
        "hubble_deep_field",
        "stereo_motorcycle",
        "astronaut",
        "chelsea",
        "coffee",
        "rocket",
    ]
    h, w = size
    out = np.empty((h, w, 3), np.uint8)
    rows, cols = 3, 4
    ys = np.linspace(0, h, rows + 1).astype(int)
    xs = np.linspace(0, w, cols + 1).astype(int)
    for i in range(rows):
        for j in range(cols):
            photo = getattr(data, names[i * cols + j])()
            photo = photo[0] if isinstance(photo, tuple) else photo
            photo = np.dstack([photo] * 3) if photo.ndim == 2 else np.ascontiguousarray(photo[..., :3])
            if (i + j) % 2:
                photo = np.ascontiguousarray(photo[:, ::-1])
            out[ys[i] : ys[i + 1], xs[j] : xs[j + 1]] = cv2.resize(photo, (xs[j + 1] - xs[j], ys[i + 1] - ys[i]), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(seed)
    for r0 in range(0, h, 512):
        strip = out[r0 : r0 + 512].astype(np.float32)
        strip += rng.normal(0, 2.0, strip.shape).astype(np.float32)
        out[r0 : r0 + 512] = np.clip(np.rint(strip), 0, 255)
    return out


def original(kind: str, folder: Path) -> Path:
    """The PNG of ``kind`` under ``folder`` (made once, then reused)."""
    path = folder / f"{kind}-150mp.png"
    if not path.exists():
        image = drawing(SIZES[kind]) if kind == "drawing" else photo_like(SIZES[kind])
        tmp = path.with_suffix(".part.png")
        if not cv2.imwrite(str(tmp), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 3]):
            raise RuntimeError(f"could not write {tmp}")
        os.replace(tmp, path)
    return path


def _timed(argv: list[str], env: dict) -> dict:
    """Run ``argv`` under ``/usr/bin/time -v``: wall time, peak RSS, exit code, stdout, stderr's tail."""
    report = Path(env["LEAKTRACE_HOME"]).parent / f"time-{time.monotonic_ns()}.txt"
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", "-o", str(report), *argv], capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    text = report.read_text()
    report.unlink()
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", text).group(1)) for kind in ("User", "System"))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_bytes": rss_kb * 1024,
        "exit": done.returncode,
        "stdout": done.stdout.decode(errors="replace"),
        "stderr": done.stderr.decode(errors="replace")[-2000:],
    }


def _step(name: str, argv: list[str], env: dict, pixels: int) -> dict:
    r = _timed([sys.executable, "-m", "leaktrace", *argv], env)
    row = {
        "wall_s": r["wall_s"],
        "cpu_s": r["cpu_s"],
        "peak_rss_gb": round(r["peak_rss_bytes"] / 1e9, 2),
        "rss_bytes_per_pixel": round(r["peak_rss_bytes"] / pixels, 1),
        "exit": r["exit"],
    }
    if r["exit"] != 0:
        row["error"] = r["stderr"].strip().splitlines()[-1:] or [""]
    print(f"  {name}: {row}", flush=True)
    return row | {"_stdout": r["stdout"]}


def _du(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        total += sum(f.stat().st_size for f in files)
    return total


def _leaks(copy: Path, folder: Path) -> dict[str, Path]:
    """A 2 MP JPEG of the whole copy, and a 30 MP crop of it at full resolution."""
    image = cv2.imread(str(copy), cv2.IMREAD_COLOR)  # BGR, as imwrite wants it
    h, w = image.shape[:2]
    f = np.sqrt(2e6 / (h * w))
    small = cv2.resize(image, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    leaks = {"2mp": folder / "leak-2mp.jpg", "30mp_crop": folder / "leak-30mp-crop.jpg"}
    cv2.imwrite(str(leaks["2mp"]), small, [cv2.IMWRITE_JPEG_QUALITY, 85])
    ch, cw = int(h * 0.447), int(w * 0.447)  # 20% of the area: 30 MP of 150
    y0, x0 = int(h * 0.30), int(w * 0.25)
    cv2.imwrite(str(leaks["30mp_crop"]), np.ascontiguousarray(image[y0 : y0 + ch, x0 : x0 + cw]), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return leaks


def run_kind(kind: str, tmp: Path, keep: bool, src: str | None = None) -> dict:
    source = original(kind, tmp)
    h, w = SIZES[kind]
    pixels = h * w
    work = tmp / f"run-{kind}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    home = work / "ws"
    env = dict(
        os.environ, LEAKTRACE_HOME=str(home), LEAKTRACE_MAX_PIXELS=str(MAX_PIXELS), LEAKTRACE_MAX_FILE_MB=str(MAX_FILE_MB), PYTHONWARNINGS="ignore"
    )
    if src:
        env["PYTHONPATH"] = src
    cli = [sys.executable, "-m", "leaktrace"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    for name in RECIPIENTS:
        subprocess.run([*cli, "recipient", "add", name], env=env, check=True, capture_output=True)
    print(f"{kind}: {w}×{h} = {pixels / 1e6:.1f} MP, {source.stat().st_size / 1e6:.0f} MB PNG", flush=True)
    out: dict = {"width": w, "height": h, "megapixels": round(pixels / 1e6, 1), "file_mb": round(source.stat().st_size / 1e6, 1), "steps": {}}
    steps = out["steps"]
    try:
        steps["asset_add"] = _step("asset add", ["asset", "add", str(source), "--json"], env, pixels)
        if steps["asset_add"]["exit"]:
            return out
        asset_id = str(json.loads(steps["asset_add"]["_stdout"])[0]["id"])
        cache = home / "cache"
        views = [p for p in cache.glob("*.view") if p.is_dir()]
        out["disk_mb"] = {
            "view": round(_du(views) / 1e6, 1),
            "cache": round(_du([cache]) / 1e6, 1),
            "view_bytes_per_pixel": round(_du(views) / pixels, 2),
        }
        copies: dict[str, Path] = {}
        for n in (4, 12):
            folder = work / f"copies-{n}"
            argv = ["share", asset_id, "--out", str(folder), "--json"]
            for name in RECIPIENTS[:n]:
                argv += ["--to", name]
            row = steps[f"share_{n}"] = _step(f"share to {n}", argv, env, pixels)
            if row["exit"]:
                continue
            made = json.loads(row["_stdout"])
            row["per_copy_s"] = round(row["wall_s"] / n, 2)
            row["copy_mb"] = round(sum(Path(c["path"]).stat().st_size for c in made) / n / 1e6, 1)
            row["psnr_min"] = min(c["psnr"] for c in made)
            row["ssim_min"] = min(c["ssim"] for c in made)
            if not copies:
                copies = {c["recipient"]: Path(c["path"]) for c in made}
            else:  # keep disk use down: the copies of the 4-share are the leaks' source
                shutil.rmtree(folder, ignore_errors=True)
        if not copies:
            return out
        leaks = _leaks(copies[LEAKER], work)
        finding = None
        for label, leak in leaks.items():
            row = steps[f"trace_{label}"] = _step(f"trace {label}", ["trace", str(leak), "--json"], env, pixels)
            if row["exit"] in (0, 1):
                try:
                    f = json.loads(row["_stdout"])
                except json.JSONDecodeError:
                    continue
                row["accused"] = f.get("accused")
                top = (f.get("candidates") or [{}])[0]
                row["top"] = [top.get("recipient"), top.get("score")]
                row["leak_mp"] = round(f["leak"]["width"] * f["leak"]["height"] / 1e6, 1)
                finding = f.get("id") or f.get("finding_id") or finding
        if finding is not None:
            pdf = work / "report.pdf"
            row = steps["report_pdf"] = _step("report pdf", ["report", str(finding), "--format", "pdf", "--out", str(pdf)], env, pixels)
            if pdf.exists():
                row["pdf_mb"] = round(pdf.stat().st_size / 1e6, 2)
        out["disk_mb"]["blobs"] = round(_du([home / "blobs"]) / 1e6, 1) if (home / "blobs").exists() else None
    finally:
        for row in steps.values():
            row.pop("_stdout", None)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--label", default="this")
    parser.add_argument("--json", default=str(HERE / "results" / "large_originals.json"))
    parser.add_argument("--tmp", default="/tmp/lt150")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces (the originals are always kept in --tmp)")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--src", help="run the CLI of another source tree (…/src), e.g. a snapshot before a change")
    args = parser.parse_args()
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        for kind in args.kinds:
            print(original(kind, tmp), flush=True)
        return
    path = Path(args.json)
    result = json.loads(path.read_text()) if path.exists() else {}
    result.setdefault("machine", {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)})
    result.setdefault("runs", {})
    run = result["runs"].setdefault(args.label, {})
    for kind in args.kinds:
        run[kind] = run_kind(kind, tmp, args.keep, args.src)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
