"""Where a product trace of a ~2 MP leak spends its time, end to end (not a test).

`make bench` times registration and the recipients' test inside ``evaluate()``; a real
``leaktrace trace`` also reads the leak, stores it, searches the asset among the
workspace's assets, and stores the finding. This script runs that whole path through the
public ``Workspace`` on a fresh workspace: 6 bench assets at 2 MP (two per kind), 16
recipients, one copy leaked per asset and attack (JPEG 75, a sticker, gamma, a 2° rotation:
leaks of 1.8–2 MP), traced without telling it the asset. Per stage: median seconds.

    .venv/bin/python bench/trace_stages.py [--json bench/results/trace_stages.json]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import images as bench_images  # noqa: E402
from leaktrace import Workspace, imagefiles  # noqa: E402
from leaktrace.core import align, verdict  # noqa: E402
from leaktrace.evaluation import attacks  # noqa: E402
from leaktrace.services import findings, traces  # noqa: E402

ASSETS = {
    "astronaut": "photo",
    "immunohistochemistry": "photo",
    "dwg-bracket-2mp": "drawing",
    "dwg-bumper-4mp": "drawing",
    "render-3-2mp": "render",
    "render-1-1mp": "render",
}
#: Attacks that keep the leak at about the copy's size (the target is stated for 2 MP leaks).
ATTACKS = ("jpeg75", "sticker", "gamma", "rotate2")
MEGAPIXELS = 2.0
N_RECIPIENTS = 16
#: Stage name → (module, function) timed around every call during a trace.
STAGES = {
    "read leak": (imagefiles, "read_image"),
    "asset search": (traces, "_identify"),
    "registration": (align, "register_all"),
    f"{N_RECIPIENTS} recipients": (verdict, "judge"),
    "store finding": (findings, "record"),
}


def _timed(spent: dict[str, float], label: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", default=str(HERE / "results" / "trace_stages.json"))
    args = parser.parse_args()
    every = bench_images.images()
    rng = np.random.default_rng(2026)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = Workspace.init(tmp / "ws")
        names = [f"Supplier {i:02d}" for i in range(N_RECIPIENTS)]
        for name in names:
            ws.add_recipient(name)
        leaks = []
        for title, kind in ASSETS.items():
            path = tmp / f"{title}.png"
            imagefiles.write_atomic(path, imagefiles.encode_image(bench_images._resize_mp(every[title][1], MEGAPIXELS), "PNG"))
            asset_id = ws.add_assets([path], title=title)[0]["id"]
            copies = {c["recipient"]: c["path"] for c in ws.share(asset_id, names, tmp / "copies" / title)}
            leaker = names[int(rng.integers(N_RECIPIENTS))]
            copy = imagefiles.read_image(Path(copies[leaker]))
            for attack in ATTACKS:
                leak = attacks.ATTACKS[attack](copy, rng)
                leak_path = tmp / f"leak-{title}-{attack}.jpg"
                imagefiles.write_atomic(leak_path, imagefiles.encode_image(leak, "JPEG", quality=90))
                leaks.append((title, kind, attack, leak_path, leaker, leak.shape[0] * leak.shape[1] / 1e6))
        ws.trace(leaks[0][3])  # first trace loads the index and the assets' caches
        spent: dict[str, float] = {}
        originals = {label: getattr(module, fn) for label, (module, fn) in STAGES.items()}
        for label, (module, fn) in STAGES.items():
            setattr(module, fn, _timed(spent, label, originals[label]))
        try:
            for title, kind, attack, leak_path, leaker, mp in leaks:
                spent.clear()
                start, cpu = time.perf_counter(), time.process_time()
                finding = ws.trace(leak_path)
                total, cpu = time.perf_counter() - start, time.process_time() - cpu
                rows.append(
                    {
                        "asset": title,
                        "kind": kind,
                        "attack": attack,
                        "leak_mp": round(mp, 2),
                        "identified": list(finding.accused) == [leaker],
                        "total_s": round(total, 3),
                        "cpu_s": round(cpu, 3),
                        **{label: round(spent.get(label, 0.0), 3) for label in STAGES},
                    }
                )
                print(f"{title:22s} {attack:9s} {mp:4.2f} MP {total:5.2f} s ({cpu:5.2f} s CPU)  accused {list(finding.accused)}")
        finally:
            for label, (module, fn) in STAGES.items():
                setattr(module, fn, originals[label])
        ws.close()
    summary = {label: round(statistics.median(r[label] for r in rows), 3) for label in (*STAGES, "total_s", "cpu_s")}
    result = {
        "assets": len(ASSETS),
        "n_recipients": N_RECIPIENTS,
        "leaks": len(rows),
        "identified": sum(r["identified"] for r in rows),
        "median_s": summary,
        "p90_total_s": round(float(np.percentile([r["total_s"] for r in rows], 90)), 3),
        "rows": rows,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print("\nmedian seconds per trace: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    print(f"identified {result['identified']}/{len(rows)}; p90 total {result['p90_total_s']} s; wrote {args.json}")


if __name__ == "__main__":
    main()
