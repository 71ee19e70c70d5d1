"""What a user waits for when tracing a leak of a large original (not a test).

Builds two CAD drawings (``images.drawing("bumper", …)``): one of 2 MP and one of 30 MP (an A1
at 200 dpi), registers both in a fresh workspace through the public ``leaktrace.Workspace``
API, shares each to 16 recipients, and leaks one copy of each as a 2 MP JPEG (the copy shrunk
to 2 MP, quality 85). Then ``leaktrace trace LEAK --json`` runs in a child process (imports,
database, cache, finding stored: what a user waits for), alternating the two leaks, ``--runs``
times each after one warm-up each. Reported:

- the median wall time of each, and their ratio (target ≤ 1.3: the cost follows the leak);
- the peak RSS of each child (``os.wait4``'s rusage; target ≤ 1 GB for the 30 MP asset);
- the trace's own ``elapsed_s`` (in the finding) beside the wall time, and the leaker's score.

``--compare-src OLD/src`` also runs the same traces with another source tree's CLI (before/after).

    .venv/bin/python bench/trace_speed.py [--json bench/results/trace_speed.json] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import images as bench_images  # noqa: E402
from leaktrace import Workspace, imagefiles  # noqa: E402

N_RECIPIENTS = 16
SIZES_MP = {"2mp": 2.0, "30mp": 30.0}
LEAK_MP = 2.0
LEAKER = "Supplier 03"


def _drawing(mp: float) -> np.ndarray:
    h = int(round(np.sqrt(mp * 1e6 / 1.414)))
    return bench_images.drawing("bumper", (h, int(round(h * 1.414))), seed=3)


def _run(home: Path, leak: Path, src: str | None) -> dict:
    """Run one traced child and read its own rusage (not the whole family's)."""
    env = dict(os.environ, LEAKTRACE_HOME=str(home))
    if src:
        env["PYTHONPATH"] = src
    command = [sys.executable, "-m", "leaktrace", "trace", str(leak), "--json"]
    start = os.times().elapsed
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = os.times().elapsed - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"trace failed: {err.decode().strip()}")
    return {"wall_s": wall, "rss_mb": usage.ru_maxrss / 1024.0, "finding": json.loads(out)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", default=str(HERE / "results" / "trace_speed.json"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-src", help="a source tree (…/src) whose CLI is timed beside this one")
    args = parser.parse_args()
    trees = {"this": None, **({"compare": args.compare_src} if args.compare_src else {})}
    result: dict = {"n_recipients": N_RECIPIENTS, "leak_mp": LEAK_MP, "runs": args.runs, "trees": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # The workspaces are built in child processes, so this one stays small: a child's peak
        # RSS as rusage reports it starts from its parent's at fork.
        for tree, src in trees.items():
            env = dict(os.environ, PYTHONPATH=src) if src else dict(os.environ)
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build", str(tmp), tree, "1" if src else "0"], check=True, env=env)
        leaks = {label: (tmp / f"leak-{label}.jpg", LEAKER) for label in SIZES_MP}
        homes = {tree: tmp / f"ws-{tree}" for tree in trees}
        for tree, src in trees.items():
            home = homes[tree]
            runs: dict[str, list[dict]] = {label: [] for label in leaks}
            for leak, _ in leaks.values():  # warm-up: caches built, files in the page cache
                _run(home, leak, src)
            for _ in range(args.runs):
                for label, (leak, _) in leaks.items():
                    runs[label].append(_run(home, leak, src))
            rows = {}
            for label, (_, leaker) in leaks.items():
                r = runs[label]
                top = r[-1]["finding"]["candidates"][0]
                rows[label] = {
                    "asset_mp": SIZES_MP[label],
                    "median_wall_s": round(statistics.median(x["wall_s"] for x in r), 3),
                    "min_wall_s": round(min(x["wall_s"] for x in r), 3),
                    "median_trace_s": round(statistics.median(x["finding"]["elapsed_s"] for x in r), 3),
                    "peak_rss_mb": round(max(x["rss_mb"] for x in r), 1),
                    "accused": r[-1]["finding"]["accused"],
                    "leaker": leaker,
                    "leaker_score": top["score"] if top["recipient"] == leaker else None,
                }
            rows["ratio_30mp_to_2mp"] = round(rows["30mp"]["median_wall_s"] / rows["2mp"]["median_wall_s"], 3)
            result["trees"][tree] = rows
            print(
                f"[{tree}] "
                + "; ".join(
                    f"{k} {v['median_wall_s']} s wall ({v['median_trace_s']} s trace), {v['peak_rss_mb']} MB"
                    for k, v in rows.items()
                    if isinstance(v, dict)
                )
                + f"; ratio {rows['ratio_30mp_to_2mp']}"
            )
    this = result["trees"]["this"]
    result["targets"] = {
        "ratio_30mp_to_2mp_max_1.3": this["ratio_30mp_to_2mp"] <= 1.3,
        "peak_rss_30mp_max_1gb": this["30mp"]["peak_rss_mb"] <= 1024,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"targets {result['targets']}; wrote {args.json}")


def build(tmp: Path, tree: str, reuse_files: bool) -> None:
    """The workspace of ``tree`` under ``tmp``: both drawings shared to 16 recipients; unless
    ``reuse_files``, the drawings and the leaks (of this workspace's copies) are written too.
    Runs in a child process, with whichever source tree is on its path."""
    ws = Workspace.init(tmp / f"ws-{tree}")
    names = [f"Supplier {i:02d}" for i in range(N_RECIPIENTS)]
    for name in names:
        ws.add_recipient(name)
    for label, mp in SIZES_MP.items():
        path = tmp / f"drawing-{label}.png"
        if not reuse_files:
            imagefiles.write_atomic(path, imagefiles.encode_image(_drawing(mp), "PNG"))
        asset_id = ws.add_assets([path], title=f"drawing {label}")[0]["id"]
        copies = {c["recipient"]: c["path"] for c in ws.share(asset_id, names, tmp / f"copies-{tree}" / label)}
        if not reuse_files:
            copy = imagefiles.read_image(Path(copies[LEAKER]), max_pixels=10**9)
            small = bench_images._resize_mp(copy, LEAK_MP) if copy.shape[0] * copy.shape[1] > LEAK_MP * 1.05e6 else copy
            imagefiles.write_atomic(tmp / f"leak-{label}.jpg", imagefiles.encode_image(small, "JPEG", quality=85))
    ws.close()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--build":
        build(Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "1")
    else:
        main()
