"""leaktrace beside the peer watermarking libraries: ``make bench`` / ``make bench-quick``.

Every method goes through ``leaktrace.evaluation.evaluate`` (the API the tests use),
one (method, image) job at a time on a process pool; each job's result is cached under
``<out>/cache/<plan>/`` (``bench/results/cache/``) so an interrupted run resumes. Then collusion, the scale in
recipients, the zoomed comparisons (full plan: ``bench/zoom.py``), and the report:
``bench/results/latest.md`` and ``latest.json``.

    .venv/bin/python bench/run.py [--quick] [--workers 2] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

N_RECIPIENTS, EPSILON = 16, 1e-6
RESULTS = HERE / "results"

#: What each plan runs. ``max_mp``: a method runs on images up to that size only (the slow
#: peers: blind-watermark and rivaGan take seconds to tens of seconds per megapixel).
PLANS = {
    "full": {
        "attacks": None,  # all of bench_attacks(): 39, 40 with avif (issue 11's line-art leaks included)
        "methods": {"leaktrace": 99, "dwtDct": 1.2, "dwtDctSvd": 1.2, "blind-watermark": 0.55, "rivaGan": 0.35},
        "collusion_mp": 2.1,
        "collusion_trials": 2,
        "peer_collusion_mp": 0.55,
        "scale_images": 6,
        "scale_attacks": ["jpeg75", "downscale50", "crop25", "rotate10", "screenshot", "social"],
        "zoom": True,
    },
    "quick": {
        "attacks": [
            "jpeg75",
            "jpeg30",
            "webp",
            "crop25",
            "rotate10",
            "mirror",
            "screenshot",
            "social",
            "phone",
            "threshold_otsu",
            "print_scan",
            "redraw",
        ],
        "methods": {"leaktrace": 99, "dwtDct": 99, "dwtDctSvd": 99, "blind-watermark": 0.35, "rivaGan": 0.35},
        "collusion_mp": 0.55,
        "collusion_trials": 1,
        "peer_collusion_mp": 0,
        "scale_images": 2,
        "scale_attacks": ["jpeg75", "crop25"],
        "zoom": False,
    },
}


def _image_dir(quick: bool) -> Path:
    return RESULTS / "cache" / ("quick" if quick else "full") / "images"


def _load(name: str, quick: bool):
    import numpy as np

    return np.load(_image_dir(quick) / f"{name}.npy")


def _seed(name: str) -> int:
    return zlib.crc32(name.encode()) % 100_000


def _method(name: str):
    from leaktrace.evaluation import METHODS
    from peers import PEERS

    return {**METHODS, **PEERS}[name]()


def _setup_worker():
    import cv2

    cv2.setNumThreads(1)


def _job(args):
    """One method on one image through ``evaluate``; returns a JSON-able dict."""
    method_name, image_name, kind, attack_names, quick = args
    from attacks import bench_attacks
    from leaktrace.evaluation import evaluate

    image = _load(image_name, quick)
    table = bench_attacks()
    start = time.perf_counter()
    ev = evaluate(
        {image_name: image},
        {a: table[a] for a in attack_names},
        n_recipients=N_RECIPIENTS,
        epsilon=EPSILON,
        seed=_seed(image_name),
        method=_method(method_name),
    )
    return {
        "method": method_name,
        "image": image_name,
        "kind": kind,
        "mp": image.shape[0] * image.shape[1] / 1e6,
        "psnr": ev.psnr[image_name],
        "ssim": ev.ssim[image_name],
        # the luminance mark alone (copy vs the original moved by the recipient's geometric field) and that field's longest shift, px
        "psnr_luminance": ev.psnr_luminance.get(image_name, ev.psnr[image_name]),
        "ssim_luminance": ev.ssim_luminance.get(image_name, ev.ssim[image_name]),
        "max_displacement_px": ev.max_displacement_px.get(image_name, 0.0),
        "embed_times": ev.embed_times,
        "trace_times": ev.trace_times,
        "trace_seconds": ev.trace_seconds,
        "attacks": {a: {**r.to_dict(), "unaligned": r.unaligned, "leaker_scores": r.leaker_scores} for a, r in ev.attacks.items()},
        "innocent_max": float(ev.innocent_scores.max()) if ev.innocent_scores.size else None,
        "innocent_n": int(ev.innocent_scores.size),
        "elapsed_s": time.perf_counter() - start,
    }


def _collusion_job(args):
    method_name, image_name, trials, quick = args
    from leaktrace.evaluation import ATTACKS, collude

    image = _load(image_name, quick)
    m = _method(method_name)
    out = {
        f"{k}": v.to_dict()
        for k, v in collude({image_name: image}, n_recipients=N_RECIPIENTS, epsilon=EPSILON, trials=trials, seed=_seed(image_name), method=m).items()
    }
    after = collude(
        {image_name: image},
        ["average2"],
        after=ATTACKS["jpeg75"],
        n_recipients=N_RECIPIENTS,
        epsilon=EPSILON,
        trials=trials,
        seed=_seed(image_name) + 1,
        method=m,
    )
    out["average2+jpeg75"] = after["average2"].to_dict()
    return {"method": method_name, "image": image_name, "collusion": out}


#: An asset's arrays with one row per recipient (leaktrace's luminance and geometric signs, the peers' ids).
PER_RECIPIENT = ("signs", "geometric_signs", "ids")


def _scale_job(args):
    """The same leaks traced against N = 16, 1,000 and 10,000 recipients of one asset.

    Recipient i's keys do not depend on N, so the asset is prepared once for 10,000 and
    cut to the first N rows of every per-recipient array it has (:data:`PER_RECIPIENT`); the
    leaker is always one of the first 16.
    """
    method_name, image_name, attack_names, quick = args
    import dataclasses

    import numpy as np

    from attacks import bench_attacks

    image = _load(image_name, quick)
    table = bench_attacks()
    m = _method(method_name)
    ns = (16, 1000, 10000)
    asset = m.prepare(image, image_name, max(ns), seed=_seed(image_name))
    fields = [f for f in PER_RECIPIENT if getattr(asset, f, None) is not None]
    rng = np.random.default_rng(_seed(image_name))
    rows = []
    for attack in attack_names:
        leaker = int(rng.integers(16))
        leak = table[attack](m.embed(asset, leaker), rng)
        for n in ns:
            sub = dataclasses.replace(asset, **{f: getattr(asset, f)[:n] for f in fields})
            t0 = time.perf_counter()
            ident = m.identify(sub, leak, epsilon=EPSILON)
            seconds = time.perf_counter() - t0
            ok = ident is not None and bool(ident.accused[leaker])
            fa = 0 if ident is None else int(ident.accused.sum() - ident.accused[leaker])
            rows.append(
                {
                    "n_recipients": n,
                    "attack": attack,
                    "identified": ok,
                    "false_accusations": fa,
                    "seconds": seconds,
                    "leak_mp": leak.shape[0] * leak.shape[1] / 1e6,
                }
            )
    return {"method": method_name, "image": image_name, "rows": rows}


def _cached_map(pool, fn, jobs, folder: Path, key, cached_only=False):
    """Run ``fn`` over ``jobs`` on ``pool``, skipping those cached in ``folder``; yield results."""
    folder.mkdir(parents=True, exist_ok=True)
    todo, done = [], []
    for job in jobs:
        path = folder / (key(job) + ".json")
        cached = json.loads(path.read_text()) if path.exists() else None
        if cached is not None:
            done.append(cached)
        else:
            todo.append((job, path))
    if cached_only:
        return done
    futures = [(pool.submit(fn, job), path, job) for job, path in todo]
    for fut, path, job in futures:
        result = fut.result()
        path.write_text(json.dumps(result))
        print(f"  done {key(job)}", flush=True)
        done.append(result)
    return done


def _merged(cached: dict, extra: dict) -> dict:
    """A cached (method, image) result with the attacks it lacked, run since (same copies, same seed)."""
    out = dict(cached)
    out["attacks"] = {**cached["attacks"], **extra["attacks"]}
    for name in ("embed_times", "trace_times", "trace_seconds"):
        out[name] = list(cached.get(name, [])) + list(extra.get(name, []))
    maxima = [m for m in (cached.get("innocent_max"), extra.get("innocent_max")) if m is not None]
    out["innocent_max"] = max(maxima) if maxima else None
    out["innocent_n"] = int(cached.get("innocent_n", 0)) + int(extra.get("innocent_n", 0))
    out["elapsed_s"] = float(cached.get("elapsed_s", 0.0)) + float(extra.get("elapsed_s", 0.0))
    return out


def _evaluate_all(pool, jobs, folder: Path, cached_only: bool) -> list[dict]:
    """The (method, image) jobs, cached: a peer's result cached before attacks were added runs only
    the missing attacks and is merged; leaktrace's results are run again whole when they predate the
    luminance mark's own quality figures (an engine change: ``--fresh`` or removing its files reruns it)."""
    folder.mkdir(parents=True, exist_ok=True)
    done, todo = [], []
    for job in jobs:
        path = folder / f"{job[0]}--{job[1]}.json"
        cached = json.loads(path.read_text()) if path.exists() else None
        if cached is not None and cached_only:
            done.append(cached)
            continue
        if cached is not None and job[0] == "leaktrace" and "psnr_luminance" not in cached:
            cached = None
        missing = [a for a in job[3] if cached is None or a not in cached["attacks"]]
        if cached is not None and not missing:
            done.append(cached)
        else:
            todo.append((job[:3] + (missing,) + job[4:], path, cached))
    if cached_only:
        return done
    futures = [(pool.submit(_job, job), path, cached, job) for job, path, cached in todo]
    for fut, path, cached, job in futures:
        result = fut.result()
        if cached is not None:
            result = _merged(cached, result)
        path.write_text(json.dumps(result))
        print(f"  done {job[0]}--{job[1]} ({len(job[3])} attacks{' added' if cached is not None else ''})", flush=True)
        done.append(result)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer images and attacks (≤ 5 min on 2 cores)")
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--fresh", action="store_true", help="ignore cached job results")
    parser.add_argument("--out", default=str(RESULTS), help="folder for latest.md and latest.json")
    parser.add_argument("--report-only", action="store_true", help="write the report from the cached job results only")
    parser.add_argument("--methods", nargs="+", help="run only these methods (e.g. leaktrace), with --out elsewhere")
    args = parser.parse_args()

    from attacks import bench_attacks
    from images import images

    plan_name = "quick" if args.quick else "full"
    plan = dict(PLANS[plan_name])
    if args.methods:
        plan["methods"] = {m: mp for m, mp in plan["methods"].items() if m in args.methods}
    cache = Path(args.out) / "cache" / plan_name
    if args.fresh and cache.exists():
        import shutil

        shutil.rmtree(cache)
    start = time.perf_counter()
    folder = _image_dir(args.quick)
    folder.mkdir(parents=True, exist_ok=True)
    imgs = {}
    for name, (kind, img) in images(args.quick).items():
        if not (folder / f"{name}.npy").exists():
            import numpy as np

            np.save(folder / f"{name}.npy", img)
        imgs[name] = (kind, img.shape[0] * img.shape[1] / 1e6)
    attack_names = plan["attacks"] or list(bench_attacks())
    print(f"bench ({plan_name}): {len(imgs)} images, {len(attack_names)} attacks, {args.workers} workers", flush=True)

    jobs = [(m, name, kind, attack_names, args.quick) for m, max_mp in plan["methods"].items() for name, (kind, mp) in imgs.items() if mp <= max_mp]
    # the slowest jobs first, so that the pool's tail is short
    # leaktrace first (its figures matter most if a run is cut short), then the slowest first
    jobs.sort(key=lambda j: (j[0] != "leaktrace", -imgs[j[1]][1] * {"rivaGan": 30, "blind-watermark": 6}.get(j[0], 1)))
    by_kind = {}
    for name, (kind, _mp) in sorted(imgs.items(), key=lambda x: x[1][1]):
        by_kind.setdefault(kind, []).append(name)
    collusion_jobs = [("leaktrace", name, plan["collusion_trials"], args.quick) for name, (kind, mp) in imgs.items() if mp <= plan["collusion_mp"]]
    collusion_jobs += [
        (peer, name, 1, args.quick)
        for peer in ("dwtDct", "dwtDctSvd", "blind-watermark")
        if peer in plan["methods"]
        for name, (kind, mp) in imgs.items()
        if mp <= plan["peer_collusion_mp"]
    ]
    scale_images = [
        names[i]
        for i in range(max(len(n) for n in by_kind.values()))
        for names in by_kind.values()
        if i < len(names) and 0.4 <= imgs[names[i]][1] <= 2.1
    ][: plan["scale_images"]]
    scale_jobs = [(m, name, plan["scale_attacks"], args.quick) for m in ("leaktrace", "dwtDct") if m in plan["methods"] for name in scale_images]

    import multiprocessing

    # spawn, not fork: the parent has run OpenCV's thread pool while drawing the images
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_setup_worker) as pool:
        print("evaluate: method × image", flush=True)
        runs = _evaluate_all(pool, jobs, cache / "evaluate", args.report_only)
        print("collusion", flush=True)
        collusion = _cached_map(
            pool, _collusion_job, collusion_jobs, cache / "collusion", key=lambda j: f"{j[0]}--{j[1]}", cached_only=args.report_only
        )
        print("scale in recipients", flush=True)
        scale = _cached_map(pool, _scale_job, scale_jobs, cache / "scale", key=lambda j: f"{j[0]}--{j[1]}", cached_only=args.report_only)

    zoomed = {}
    if plan["zoom"] and not args.methods:
        import zoom

        print("zoomed comparisons", flush=True)
        zoomed = zoom.main(Path(args.out), args.quick)
    meta = {
        "plan": plan_name,
        "zoom": zoomed,
        "images": {n: {"kind": k, "mp": round(mp, 2)} for n, (k, mp) in imgs.items()},
        "attacks": attack_names,
        "workers": args.workers,
        "wall_s": time.perf_counter() - start,
        "method_max_mp": plan["methods"],
    }
    out = Path(args.out)
    previous = out / "latest.json"
    if args.report_only and previous.exists():  # the report of the run that computed the results keeps its wall time
        meta["wall_s"] = json.loads(previous.read_text()).get("meta", {}).get("wall_s", meta["wall_s"])
    from report import write_report

    write_report(runs, collusion, scale, meta, out)
    print(f"wrote {out / 'latest.md'} and {out / 'latest.json'} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
